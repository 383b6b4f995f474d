# netdev_irqmap_build() reads affinity through irq_affinity_read(); stubbed.
LDFLAGS_test_netdev_irq := -Wl,--wrap=irq_affinity_read
