# tests/test_nl_open.c answers the generic netlink family lookups of mqnl_open()
# itself and makes rtnetlink's connect, the generic netlink socket (mnl_socket_open2,
# mnl_socket_bind), the ioctl socket (socket) and libnl's socket (nl_socket_alloc)
# fail on cue; the sockets are real.
LDFLAGS_test_nl_open := -Wl,--wrap=nl_connect,--wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom \
	-Wl,--wrap=mnl_socket_open2,--wrap=mnl_socket_bind,--wrap=socket,--wrap=nl_socket_alloc
