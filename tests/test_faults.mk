# Fault injection (tests/test_faults.c): the system calls and allocations of
# the product code, and libmnl's socket I/O, go through wrappers that fail on cue.
LDFLAGS_test_faults := -Wl,--wrap=read,--wrap=write,--wrap=recvmsg \
	-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	-Wl,--wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom
