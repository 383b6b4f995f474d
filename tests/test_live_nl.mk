# netdev_irqmap() calls irq_affinity_read() (probes/interrupts.c); the live
# test stubs it so it links with or without that module.
LDFLAGS_test_live_nl := -Wl,--wrap=irq_affinity_read
