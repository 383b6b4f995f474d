# tests/test_rss_probe.c: a fake SIOCETHTOOL (tests/ioctl_fake.h), the heap on cue (tests/memcount.h).
LDFLAGS_test_rss_probe := -Wl,--wrap=ioctl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
