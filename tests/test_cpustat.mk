# tests/test_cpustat.c counts the parsers' heap (tests/memcount.h).
LDFLAGS_test_cpustat := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
