# tests/test_lines.c fails the reader's allocations on cue (tests/memcount.h).
LDFLAGS_test_lines := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
