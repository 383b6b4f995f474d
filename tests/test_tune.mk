# tests/test_tune.c hands tune_run() its snapshots (no netlink, no /sys).
LDFLAGS_test_tune := -Wl,--wrap=snapshot_take
