# tests/test_bigcpu.c counts the heap of a probe and an assessment (tests/memcount.h),
# and its fixture files take a write the way sysfs does (the value replaced).
LDFLAGS_test_bigcpu := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=write
