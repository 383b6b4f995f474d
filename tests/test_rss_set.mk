# rss_table_set (tests/test_rss_set.c): a fake SIOCETHTOOL.
LDFLAGS_test_rss_set := -Wl,--wrap=ioctl
