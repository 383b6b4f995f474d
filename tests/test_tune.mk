# tests/test_tune.c hands tune_run() its snapshots and takes its channel changes
# (no netlink; its sysfs root is an empty directory of its own).
LDFLAGS_test_tune := -Wl,--wrap=snapshot_take,--wrap=channels_set
