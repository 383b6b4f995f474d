# tests/test_apply_items.c: no sysfs write reaches a file (the IRQ writes are
# answered, and counted, by the test), and realloc fails on cue.
LDFLAGS_test_apply_items := -Wl,--wrap=sysfs_write,--wrap=realloc
