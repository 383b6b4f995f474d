# The daemon's steady state against counting fakes of the probes (tests/test_steady.c);
# its heap counted (tests/memcount.h).
LDFLAGS_test_steady := -Wl,--wrap=snapshot_take,--wrap=snapshot_sample_with,--wrap=ethtool_channels_get \
	-Wl,--wrap=irq_affinity_read,--wrap=link_queue_mask_read,--wrap=ethtool_rss_get \
	-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
