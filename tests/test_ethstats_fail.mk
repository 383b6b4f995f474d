# tests/test_ethstats_fail.c fails a fake SIOCETHTOOL at each step.
LDFLAGS_test_ethstats_fail := -Wl,--wrap=ioctl
