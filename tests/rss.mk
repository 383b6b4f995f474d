# RSS (tests/test_rss.c): a fake SIOCETHTOOL and a fake generic netlink socket, calloc on cue.
LDFLAGS_test_rss := -Wl,--wrap=ioctl,--wrap=mnl_socket_sendto,--wrap=mnl_socket_recvfrom,--wrap=calloc

# rss-probe IFACE [--reset] [--dump FILE]: the probe, the analysis and the
# setter from the command line, for the guest scenario tests/guest/scenarios/rss.sh.
$(BUILD)/tests/tools/rss-probe: $(BUILD)/tests/tools/rss-probe.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

tests: $(BUILD)/tests/tools/rss-probe
