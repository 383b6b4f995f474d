# tests/test_ethtool.c answers CHANNELS_GET on a fake generic netlink socket,
# and ETHTOOL_GCHANNELS on a fake SIOCETHTOOL.
LDFLAGS_test_ethtool := -Wl,--wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom,--wrap=ioctl
