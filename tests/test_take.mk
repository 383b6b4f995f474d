# tests/test_take.c answers the netlink queries of a probe pass itself: the link list,
# channels, RSS, netdev IRQ mapping, qstats, ethtool -S and the stats dump (and the
# IRQ-name mapping, to count which one ran); sysfs and /proc come from a fixture root.
LDFLAGS_test_take := -Wl,--wrap=link_list,--wrap=ethtool_channels_get,--wrap=ethtool_rss_get \
	-Wl,--wrap=netdev_irqmap,--wrap=irqmap_by_names,--wrap=netdev_qstats_read \
	-Wl,--wrap=ethstats_read,--wrap=link_stats_dump
