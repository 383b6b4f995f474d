# The counter merge (tests/test_ethstats.c): a fake SIOCETHTOOL and a fake generic netlink socket.
LDFLAGS_test_ethstats := -Wl,--wrap=ioctl,--wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom
