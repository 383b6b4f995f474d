# tests/test_cpuset.c measures what an interned set takes (tests/memcount.h).
LDFLAGS_test_cpuset := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
