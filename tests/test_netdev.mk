# netdev_qstats_read() without a socket: the dump's replies are scripted (tests/test_netdev.c);
# allocations fail on cue (tests/memcount.h).
LDFLAGS_test_netdev := -Wl,--wrap=mqnl_genl_transact,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
