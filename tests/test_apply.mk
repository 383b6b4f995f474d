# The applier's writes go through a wrapper that injects faults (tests/test_apply.c).
LDFLAGS_test_apply := -Wl,--wrap=sysfs_write
