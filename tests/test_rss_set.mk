# rss_table_set (tests/test_rss_set.c): a fake SIOCETHTOOL; allocations fail on cue (tests/memcount.h).
LDFLAGS_test_rss_set := -Wl,--wrap=ioctl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
