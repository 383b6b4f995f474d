# tests/test_prom_dedup.c fails allocations on cue, strdup() of an escaped name among them.
LDFLAGS_test_prom_dedup := -Wl,--wrap=malloc,--wrap=calloc,--wrap=strdup
