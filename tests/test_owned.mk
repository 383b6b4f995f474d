# tests/test_owned.c fails the allocations of owned_irqs_write() one at a time.
LDFLAGS_test_owned := -Wl,--wrap=malloc
