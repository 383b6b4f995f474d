# tests/test_irqmap_oom.c fails irqmap_by_names' allocations in turn (tests/memcount.h).
LDFLAGS_test_irqmap_oom := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
