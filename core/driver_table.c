// SPDX-License-Identifier: MIT
/*
 * The driver table and the host-side rules: knowledge as data, interpreted by
 * core/driver.c. Each row names where its names were checked (kernel sources
 * unless said otherwise). Every row needs tests/data/driver/NAME.txt.
 */
#include "core/driver.h"

#define END {NULL, 0, 0}
#define RX IRQ_ROLE_RX
#define TX IRQ_ROLE_TX
#define RXTX IRQ_ROLE_RXTX
#define CONFIG IRQ_ROLE_CONFIG
#define SHARED IRQ_ROLE_SHARED

/* ---- IRQ action names ---------------------------------------------------- */

/*
 * virtio_pci names vectors "<dev>-config", "<dev>-<vq name>" or, short of
 * MSI-X vectors, one "<dev>-virtqueues"; virtio_net's vqs are input.N and
 * output.N (its control vq has no callback, so no vector).
 */
static const struct driver_irq_pattern virtio_irqs[] = {
	{"{dev}-input.{q}", RX, 0}, {"{dev}-output.{q}", TX, 0},
	{"{dev}-config", CONFIG, 0}, {"{dev}-virtqueues", SHARED, 0}, END,
};
static const struct driver_irq_pattern ena_irqs[] = {
	{"{if}-Tx-Rx-{q}", RXTX, 0}, {"ena-mgmnt@{*}", CONFIG, 0}, END,
};
/* Renamed in Feb 2023 (6.3); before: "<if>-ntfy-block.N" and "<if>-mgmnt". */
static const struct driver_irq_pattern gve_irqs[] = {
	{"gve-ntfy-blk{q}@{*}", RXTX, DRIVER_IRQ_BLOCK}, {"gve-mgmnt@{*}", CONFIG, 0},
	{"{if}-ntfy-block.{q}", RXTX, DRIVER_IRQ_BLOCK}, {"{if}-mgmnt", CONFIG, 0}, END,
};
/* "mlx5_comp<N>@pci:<bdf>", "mlx5_async<N>@pci:<bdf>" (older kernels: "mlx5_async@pci:..."). */
static const struct driver_irq_pattern mlx5_irqs[] = {
	{"mlx5_comp{q}@{*}", RXTX, DRIVER_IRQ_REBASE}, {"mlx5_async{*}", CONFIG, 0}, END,
};
/* gdma_main.c since 6.2 ("mana_intr" before: nothing to tell the vectors apart). */
static const struct driver_irq_pattern mana_irqs[] = {
	{"mana_q{q}@{*}", RXTX, 0}, {"mana_hwc@{*}", CONFIG, 0}, END,
};
/* ixgbe, ixgbevf, igb, igc: "<if>-TxRx-N" (-rx-N/-tx-N when split); the
 * "other causes" vector carries the bare interface name. */
static const struct driver_irq_pattern intel_irqs[] = {
	{"{if}-TxRx-{q}", RXTX, 0}, {"{if}-rx-{q}", RX, 0}, {"{if}-tx-{q}", TX, 0},
	{"{if}", RXTX, DRIVER_IRQ_ALONE}, END,
};
/* e1000e: one queue; with MSI-X (82574) "<if>-rx-0", "<if>-tx-0" and "<if>". */
static const struct driver_irq_pattern e1000e_irqs[] = {
	{"{if}-rx-{q}", RX, 0}, {"{if}-tx-{q}", TX, 0}, {"{if}", RXTX, DRIVER_IRQ_ALONE}, END,
};
/* i40e, ice, iavf: "<drv>-<if>-TxRx-N"; the misc/mailbox vector names the PCI function. */
static const struct driver_irq_pattern i40e_irqs[] = {
	{"i40e-{if}-TxRx-{q}", RXTX, 0}, {"i40e-{if}-rx-{q}", RX, 0},
	{"i40e-{if}-tx-{q}", TX, 0}, {"i40e-{*}:misc", CONFIG, 0}, END,
};
static const struct driver_irq_pattern ice_irqs[] = {
	{"ice-{if}-TxRx-{q}", RXTX, 0}, {"ice-{if}-rx-{q}", RX, 0},
	{"ice-{if}-tx-{q}", TX, 0}, {"ice-{*}:misc", CONFIG, 0}, END,
};
static const struct driver_irq_pattern iavf_irqs[] = {
	{"iavf-{if}-TxRx-{q}", RXTX, 0}, {"iavf-{if}-rx-{q}", RX, 0},
	{"iavf-{if}-tx-{q}", TX, 0}, {"iavf-{*}:mbx", CONFIG, 0}, END,
};
/*
 * vmxnet3: the number is the vector. With as many TX as RX queues (the
 * default) one "<if>-rxtx-N" per pair; else "<if>-tx-N" first, then
 * "<if>-rx-M" numbered on; "<if>-event-N" last; MSI/INTx: "<if>", one queue.
 */
static const struct driver_irq_pattern vmxnet3_irqs[] = {
	{"{if}-rxtx-{q}", RXTX, 0}, {"{if}-tx-{q}", TX, 0}, {"{if}-rx-{q}", RX, DRIVER_IRQ_AFTER_TX},
	{"{if}-event-{q}", CONFIG, 0}, {"{if}", RXTX, DRIVER_IRQ_ALONE}, END,
};
/*
 * xen-netfront binds event channels, no MSI: queue Q is "vif<id>-q<Q>-tx" and
 * "-rx" with split channels (older kernels: "<if>-qQ-tx"), the bare
 * interface name for every queue with one channel each. "<if>-qQ" is not a
 * kernel name; kept because earlier releases matched it.
 */
static const struct driver_irq_pattern xen_irqs[] = {
	{"{dev}-q{q}-tx", TX, 0}, {"{dev}-q{q}-rx", RX, 0},
	{"{if}-q{q}-tx", TX, 0}, {"{if}-q{q}-rx", RX, 0}, {"{if}-q{q}", RXTX, 0},
	{"{if}", RXTX, DRIVER_IRQ_ALONE}, END,
};
/* Emulated single-queue models: one INTx (or MSI) line named after the interface. */
static const struct driver_irq_pattern alone_irqs[] = {{"{if}", RXTX, DRIVER_IRQ_ALONE}, END};
/* Drivers not in the table also try every row's patterns (driver.c). */
static const struct driver_irq_pattern other_irqs[] = {
	{"{if} (queue {q})", RXTX, 0}, /* cxgb4vf */
	{"{if}-{q}", RXTX, 0},         /* sfc */
	END,
};
/* hv_netvsc (VMBus channels interrupt through the hypervisor's vector), veth. */
static const struct driver_irq_pattern no_irqs[] = {END};

/* ---- `ethtool -S` keys ----------------------------------------------------- */

/*
 * virtio_net <= 6.9 "rx_queue_N_*"; >= 6.10 "rxN_*" with packets/bytes moved to
 * qstats (which lack the drops). No per-queue TX drops on either (txN_xdp_tx_drops
 * is the XDP path).
 */
static const struct driver_stat_shape virtio_stats[] = {
	{"rx_queue_{q}_packets", STATS_COL_RX_PACKETS}, {"rx_queue_{q}_bytes", STATS_COL_RX_BYTES},
	{"rx_queue_{q}_drops", STATS_COL_RX_DROPS},
	{"tx_queue_{q}_packets", STATS_COL_TX_PACKETS}, {"tx_queue_{q}_bytes", STATS_COL_TX_BYTES},
	{"rx{q}_drops", STATS_COL_RX_DROPS},
	{NULL, 0},
};
/* ixgbe, ixgbevf, igb, igc, ice, hv_netvsc (xdp_queue_N_* and _restart are not ours). */
static const struct driver_stat_shape queue_stats[] = {
	{"rx_queue_{q}_packets", STATS_COL_RX_PACKETS}, {"rx_queue_{q}_bytes", STATS_COL_RX_BYTES},
	{"tx_queue_{q}_packets", STATS_COL_TX_PACKETS}, {"tx_queue_{q}_bytes", STATS_COL_TX_BYTES},
	{NULL, 0},
};
/* ENA: queue_N_{tx,rx}_{cnt,bytes}; queue_N_xdp_tx_* are XDP rings, not netdev queues. */
static const struct driver_stat_shape ena_stats[] = {
	{"queue_{q}_rx_cnt", STATS_COL_RX_PACKETS}, {"queue_{q}_rx_bytes", STATS_COL_RX_BYTES},
	{"queue_{q}_tx_cnt", STATS_COL_TX_PACKETS}, {"queue_{q}_tx_bytes", STATS_COL_TX_BYTES},
	{NULL, 0},
};
/*
 * gve: rx_completed_desc[N] is one descriptor per received packet (GQI);
 * tx_completed_desc[N] counts descriptors (several per TSO packet, 0 on DQO),
 * so there is no TX packet counter.
 */
static const struct driver_stat_shape gve_stats[] = {
	{"rx_completed_desc[{q}]", STATS_COL_RX_PACKETS}, {"rx_bytes[{q}]", STATS_COL_RX_BYTES},
	{"rx_dropped_pkt[{q}]", STATS_COL_RX_DROPS},      {"tx_bytes[{q}]", STATS_COL_TX_BYTES},
	{NULL, 0},
};
static const struct driver_stat_shape mlx5_stats[] = {
	{"rx{q}_packets", STATS_COL_RX_PACKETS}, {"rx{q}_bytes", STATS_COL_RX_BYTES},
	{"tx{q}_packets", STATS_COL_TX_PACKETS}, {"tx{q}_bytes", STATS_COL_TX_BYTES},
	{"tx{q}_dropped", STATS_COL_TX_DROPS},   {NULL, 0},
};
static const struct driver_stat_shape mana_stats[] = {
	{"rx_{q}_packets", STATS_COL_RX_PACKETS}, {"rx_{q}_bytes", STATS_COL_RX_BYTES},
	{"tx_{q}_packets", STATS_COL_TX_PACKETS}, {"tx_{q}_bytes", STATS_COL_TX_BYTES},
	{NULL, 0},
};
/* i40e, iavf: "%s-%u.packets" with "rx"/"tx" (xdp-N.* are XDP rings). */
static const struct driver_stat_shape i40e_stats[] = {
	{"rx-{q}.packets", STATS_COL_RX_PACKETS}, {"rx-{q}.bytes", STATS_COL_RX_BYTES},
	{"tx-{q}.packets", STATS_COL_TX_PACKETS}, {"tx-{q}.bytes", STATS_COL_TX_BYTES},
	{NULL, 0},
};
/* Drivers not in the table: the two common shapes. */
static const struct driver_stat_shape other_stats[] = {
	{"rx_queue_{q}_packets", STATS_COL_RX_PACKETS}, {"rx_queue_{q}_bytes", STATS_COL_RX_BYTES},
	{"tx_queue_{q}_packets", STATS_COL_TX_PACKETS}, {"tx_queue_{q}_bytes", STATS_COL_TX_BYTES},
	{"rx{q}_packets", STATS_COL_RX_PACKETS},        {"rx{q}_bytes", STATS_COL_RX_BYTES},
	{"tx{q}_packets", STATS_COL_TX_PACKETS},        {"tx{q}_bytes", STATS_COL_TX_BYTES},
	{NULL, 0},
};
/*
 * None worth the ioctls: veth's rx_queue_N_* count the XDP path only;
 * vmxnet3's are positional ("Tx Queue#" then "  ucast pkts tx", ...) with
 * packets split by cast; xen-netfront and the single-queue models have none.
 */
static const struct driver_stat_shape no_stats[] = {{NULL, 0}};

/* ---- the table ------------------------------------------------------------- */

#define H(x) DRIVER_HOST_##x
#define SINGLE_QUEUE(n, src) {n, NULL, NULL, alone_irqs, no_stats, H(MODEL_SWAP), src}

const struct mq_driver driver_table[] = {
	{"virtio_net", NULL, "virtio", virtio_irqs, virtio_stats, H(QEMU),
	 "virtio_pci_common.c vp_find_vqs_msix; virtio_net.c virtnet_get_strings"},
	{"ena", NULL, NULL, ena_irqs, ena_stats, H(AWS_ENA),
	 "ena_netdev.c ena_setup_io_intr, ena_setup_mgmnt_intr; ena_ethtool.c"},
	{"gve", NULL, NULL, gve_irqs, gve_stats, H(GCE_GVNIC),
	 "gve_main.c gve_alloc_notify_blocks; gve_ethtool.c"},
	{"mlx5_core", NULL, NULL, mlx5_irqs, mlx5_stats, H(NONE),
	 "mlx5/core/pci_irq.c irq_set_name; en_stats.c"},
	{"mana", NULL, NULL, mana_irqs, mana_stats, H(HYPERV),
	 "mana/gdma_main.c mana_gd_setup_irqs; mana_ethtool.c mana_get_strings"},
	{"ixgbe", NULL, NULL, intel_irqs, queue_stats, H(NONE), "ixgbe_main.c; ixgbe_ethtool.c"},
	{"ixgbevf", NULL, NULL, intel_irqs, queue_stats, H(NONE), "ixgbevf_main.c; ethtool.c"},
	{"igb", NULL, NULL, intel_irqs, queue_stats, H(NONE), "igb_main.c; igb_ethtool.c"},
	{"igc", NULL, NULL, intel_irqs, queue_stats, H(NONE), "igc_main.c; igc_ethtool.c"},
	{"e1000e", NULL, NULL, e1000e_irqs, no_stats, H(MODEL_SWAP),
	 "e1000e netdev.c e1000_request_msix: one queue pair"},
	{"i40e", NULL, NULL, i40e_irqs, i40e_stats, H(NONE),
	 "i40e_main.c i40e_vsi_request_irq_msix; i40e_ethtool.c i40e_gstrings_queue_stats"},
	{"iavf", NULL, NULL, iavf_irqs, i40e_stats, H(NONE),
	 "iavf_main.c iavf_request_traffic_irqs; iavf_ethtool.c iavf_gstrings_queue_stats"},
	{"ice", NULL, NULL, ice_irqs, queue_stats, H(NONE),
	 "ice_lib.c/ice_main.c ice_vsi_req_irq_msix; ice_ethtool.c"},
	{"vmxnet3", NULL, NULL, vmxnet3_irqs, no_stats, H(NONE),
	 "vmxnet3_drv.c vmxnet3_request_irqs; vmxnet3_ethtool.c vmxnet3_get_strings"},
	/* xen-netfront has no get_drvinfo: ethtool reports its xenbus driver, "vif". */
	{"vif", "xen-netfront", "vif", xen_irqs, no_stats, H(NONE),
	 "xen-netfront.c setup_netfront_split/_single, xennet_init_queue"},
	{"hv_netvsc", NULL, NULL, no_irqs, queue_stats, H(HYPERV), "hyperv/netvsc_drv.c netvsc_get_strings"},
	{"veth", NULL, NULL, no_irqs, no_stats, H(NONE), "veth.c veth_get_strings (XDP only)"},
	SINGLE_QUEUE("e1000", "qemu e1000, VMware e1000: one queue"),
	SINGLE_QUEUE("e100", "qemu i82550/i82551/i82557b/i82559er: one queue"),
	SINGLE_QUEUE("8139cp", "qemu rtl8139 (C+ mode): one queue"),
	SINGLE_QUEUE("8139too", "qemu rtl8139: one queue"),
	SINGLE_QUEUE("ne2k-pci", "qemu ne2k_pci: one queue"),
	SINGLE_QUEUE("pcnet32", "qemu pcnet, VMware vlance: one queue"),
	SINGLE_QUEUE("tulip", "qemu tulip: one queue"),
	{"other", NULL, NULL, other_irqs, other_stats, H(NONE), "every driver not above"},
};
const unsigned driver_table_n = sizeof(driver_table) / sizeof(driver_table[0]);

/* ---- host-side rules ------------------------------------------------------- */

/* virtio-net under qemu wants 2N+2 MSI-X vectors for N queue pairs (FIELD-NOTES). */
#define QEMU_MQ "qemu -netdev tap,queues={want} -device virtio-net-pci,mq=on,vectors={vectors}"

const struct driver_host_rule driver_host_rules[_DRIVER_HOST_MAX] = {
	[DRIVER_HOST_NONE] = {"none", NULL, NULL, NULL, NULL, 0, NULL, NULL},
	/* One queue per vCPU up to the instance type's per-ENI maximum (8..32). */
	[DRIVER_HOST_AWS_ENA] = {
		"aws-ena", "aws", NULL, NULL, NULL, 32,
		"none: AWS ENA allows at most {limit} queues per ENI (spread traffic over more ENIs)",
		"host side: AWS ENA gives one queue per vCPU up to the instance type's limit "
		"(8-32 per ENI): choose a larger instance type for more queues"},
	[DRIVER_HOST_GCE_GVNIC] = {
		"gce-gvnic", NULL, NULL, NULL, NULL, 16,
		"none: GCE gVNIC allows at most {limit} queues per NIC (add NICs to spread traffic)",
		"host side: GCE gVNIC allows up to {limit} queues per NIC: set queue-count={capped} on "
		"the network interface at instance creation"},
	[DRIVER_HOST_GCE_VIRTIO] = {
		"gce-virtio", "gce", NULL, NULL, NULL, 32,
		"none: GCE virtio-net allows at most {limit} queues per NIC",
		"host side: GCE virtio-net allows up to {limit} queues: set queue-count={capped} on the "
		"network interface at instance creation"},
	[DRIVER_HOST_MODEL_SWAP] = {
		"model-swap", NULL, NULL, NULL, NULL, 0, NULL,
		"host side: {driver} is a single-queue NIC model: use virtio-net with queues: " QEMU_MQ
		"; libvirt <model type='virtio'/><driver queues='{want}'/>"},
	/* Hyper-V/Azure: synthetic NIC channels and the MANA VF follow the VM size. */
	[DRIVER_HOST_HYPERV] = {
		"hyperv", "azure", "hyperv", NULL, NULL, 0, NULL,
		"host side: on Hyper-V/Azure the queue count follows the VM size: resize the VM for "
		"more queues"},
	/* Nanos (ops) caps io-queues at the vCPU count. */
	[DRIVER_HOST_NANOS] = {
		"nanos", NULL, NULL, "nanos", "nanos", 0, NULL,
		"host side: raise `io-queues` to {want} in the Nanos config (capped at the vCPU count)"},
	/* VMmanager refuses queues > vCPUs and non-virtio models. */
	[DRIVER_HOST_QEMU] = {
		"qemu", NULL, "kvm", "qemu", NULL, 0, NULL,
		"host side: " QEMU_MQ "; libvirt <driver queues='{want}'/>; VMmanager: interface "
		"`queues` or preset `iface_queues` (virtio only, <= vCPUs)"},
	[DRIVER_HOST_GENERIC] = {
		"generic", NULL, NULL, NULL, NULL, 0, NULL,
		"host side: give the device {want} queues (the guest cannot add queues the device does "
		"not offer)"},
};
