# tests/test_assess_oom.c fails each allocation of assess() in turn.
LDFLAGS_test_assess_oom := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
