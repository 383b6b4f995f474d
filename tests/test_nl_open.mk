# tests/test_nl_open.c answers the generic netlink family lookups of mqnl_open()
# itself and makes rtnetlink's connect fail on cue; the sockets are real.
LDFLAGS_test_nl_open := -Wl,--wrap=nl_connect,--wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom
