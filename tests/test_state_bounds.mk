# tests/test_state_bounds.c counts and fails allocations (tests/memcount.h).
LDFLAGS_test_state_bounds := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
