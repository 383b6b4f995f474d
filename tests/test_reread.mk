# tests/test_reread.c interrupts and fails the kept files' pread on cue.
LDFLAGS_test_reread := -Wl,--wrap=pread
