# tests/test_link_dump.c answers rtnetlink link dumps itself (libnl's send and receive),
# and makes libnl's message allocation fail on cue; the parser dump() installs is kept
# (nl_socket_modify_cb) to hand it stats replies; a request that cannot be built
# (nlmsg_append) and ETHTOOL_GDRVINFO (ioctl) are answered here too.
LDFLAGS_test_link_dump := -Wl,--wrap=nl_send_auto,--wrap=nl_recvmsgs_default,--wrap=nlmsg_alloc_simple \
	-Wl,--wrap=nl_socket_modify_cb,--wrap=nlmsg_append,--wrap=ioctl
