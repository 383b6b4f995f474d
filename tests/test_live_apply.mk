# A veth has no IRQs: the IRQ mapping and platform probes are stubbed so this
# links with or without those modules (tests/test_live_apply.c).
LDFLAGS_test_live_apply := -Wl,--wrap=platform_probe -Wl,--wrap=irqmap_by_names \
	-Wl,--wrap=irq_affinity_read
