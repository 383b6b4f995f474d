# tests/test_watch.c: reopening a lost source fails on cue or hands over a new
# socketpair; otherwise the real monitor_open (which cannot open: no netlink).
LDFLAGS_test_watch := -Wl,--wrap=monitor_open
