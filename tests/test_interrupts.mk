# tests/test_interrupts.c counts the parser's heap (tests/memcount.h).
LDFLAGS_test_interrupts := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
