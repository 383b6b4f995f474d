# tests/test_monitor_open.c makes libnl's socket allocation, connect and group join
# fail on cue, and sees (and grants or refuses) the receive buffer size asked.
LDFLAGS_test_monitor_open := -Wl,--wrap=nl_socket_alloc,--wrap=nl_connect \
	-Wl,--wrap=nl_socket_add_membership,--wrap=setsockopt
