# netdev_qstats_read() without a socket: the dump's replies are scripted (tests/test_netdev.c).
LDFLAGS_test_netdev := -Wl,--wrap=mqnl_genl_transact
