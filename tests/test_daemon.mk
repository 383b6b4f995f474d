# tests/test_daemon.c: a lost event source can be opened again (as a new socketpair).
LDFLAGS_test_daemon := -Wl,--wrap=monitor_open
