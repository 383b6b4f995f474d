// SPDX-License-Identifier: MIT
/* ethtool -S key names -> (queue, field), per driver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/driver.h"

/* The probe's view: a driver name looked up in the table, then one key. */
static int ethstats_normalise(const char *driver, const char *key, unsigned *ret_queue,
			      enum ethstat_field *ret_field)
{
	struct driver_stat st;
	int r = driver_stat_match(driver_find(driver), key, &st);

	if (r == 1) {
		*ret_queue = st.queue;
		*ret_field = st.field;
	}
	return r;
}

struct row {
	const char *driver, *key;
	int match;
	unsigned queue;
	enum ethstat_field field;
};

static const struct row rows[] = {
	/* virtio_net <= 6.9 */
	{"virtio_net", "rx_queue_0_packets", 1, 0, ETHSTAT_RX_PACKETS},
	{"virtio_net", "rx_queue_3_bytes", 1, 3, ETHSTAT_RX_BYTES},
	{"virtio_net", "rx_queue_15_drops", 1, 15, ETHSTAT_RX_DROPS},
	{"virtio_net", "tx_queue_2_packets", 1, 2, ETHSTAT_TX_PACKETS},
	{"virtio_net", "tx_queue_2_bytes", 1, 2, ETHSTAT_TX_BYTES},
	{"virtio_net", "rx_queue_0_xdp_packets", 0, 0, 0},
	{"virtio_net", "rx_queue_0_xdp_drops", 0, 0, 0},
	{"virtio_net", "tx_queue_0_xdp_tx_drops", 0, 0, 0},
	{"virtio_net", "tx_queue_0_kicks", 0, 0, 0},
	/* virtio_net >= 6.10: rxN_*, txN_*, no packets/bytes (those moved to qstats) */
	{"virtio_net", "rx1_drops", 1, 1, ETHSTAT_RX_DROPS},
	{"virtio_net", "rx1_xdp_drops", 0, 0, 0},
	{"virtio_net", "rx1_hw_drops", 0, 0, 0},
	{"virtio_net", "rx_drops", 0, 0, 0},          /* the total, not a queue */
	{"virtio_net", "tx0_kicks", 0, 0, 0},
	{"virtio_net", "tx0_xdp_tx_drops", 0, 0, 0},
	{"virtio_net", "rx_packets", 0, 0, 0},
	/* ixgbe / ice / hv_netvsc */
	{"ixgbe", "tx_queue_7_packets", 1, 7, ETHSTAT_TX_PACKETS},
	{"ixgbe", "rx_queue_1_bytes", 1, 1, ETHSTAT_RX_BYTES},
	{"ice", "tx_queue_0_bytes", 1, 0, ETHSTAT_TX_BYTES},
	{"ice", "rx_queue_12_packets", 1, 12, ETHSTAT_RX_PACKETS},
	{"hv_netvsc", "tx_queue_1_packets", 1, 1, ETHSTAT_TX_PACKETS},
	{"hv_netvsc", "rx_queue_1_bytes", 1, 1, ETHSTAT_RX_BYTES},
	{"hv_netvsc", "rx_queue_1_xdp_drop", 0, 0, 0},
	{"hv_netvsc", "cpu0_rx_packets", 0, 0, 0},
	/* ENA */
	{"ena", "queue_0_tx_cnt", 1, 0, ETHSTAT_TX_PACKETS},
	{"ena", "queue_3_tx_bytes", 1, 3, ETHSTAT_TX_BYTES},
	{"ena", "queue_4_rx_cnt", 1, 4, ETHSTAT_RX_PACKETS},
	{"ena", "queue_4_rx_bytes", 1, 4, ETHSTAT_RX_BYTES},
	{"ena", "queue_4_rx_page_alloc_fail", 0, 0, 0},
	{"ena", "queue_8_xdp_tx_cnt", 0, 0, 0},       /* an XDP ring, not a netdev queue */
	{"ena", "ena_admin_q_aborted_cmd", 0, 0, 0},
	{"ena", "bw_in_allowance_exceeded", 0, 0, 0},
	/* gve */
	{"gve", "rx_completed_desc[0]", 1, 0, ETHSTAT_RX_PACKETS},
	{"gve", "rx_bytes[5]", 1, 5, ETHSTAT_RX_BYTES},
	{"gve", "rx_dropped_pkt[2]", 1, 2, ETHSTAT_RX_DROPS},
	{"gve", "tx_bytes[1]", 1, 1, ETHSTAT_TX_BYTES},
	{"gve", "tx_completed_desc[1]", 0, 0, 0},     /* descriptors, not packets */
	{"gve", "rx_posted_desc[0]", 0, 0, 0},
	{"gve", "rx_bytes", 0, 0, 0},
	{"gve", "rx_bytes[]", 0, 0, 0},
	{"gve", "rx_bytes[1", 0, 0, 0},
	{"gve", "rx_bytes[x]", 0, 0, 0},
	/* mlx5 */
	{"mlx5_core", "rx0_packets", 1, 0, ETHSTAT_RX_PACKETS},
	{"mlx5_core", "rx11_bytes", 1, 11, ETHSTAT_RX_BYTES},
	{"mlx5_core", "tx3_packets", 1, 3, ETHSTAT_TX_PACKETS},
	{"mlx5_core", "tx3_bytes", 1, 3, ETHSTAT_TX_BYTES},
	{"mlx5_core", "tx3_dropped", 1, 3, ETHSTAT_TX_DROPS},
	{"mlx5_core", "rx_packets", 0, 0, 0},
	{"mlx5_core", "rx0_xdp_drop", 0, 0, 0},
	{"mlx5_core", "tx0_xdp_xmit", 0, 0, 0},
	/* veth: XDP-path counters only, never queue packets */
	{"veth", "rx_queue_0_xdp_packets", 0, 0, 0},
	{"veth", "rx_queue_0_xdp_bytes", 0, 0, 0},
	{"veth", "rx_queue_0_drops", 0, 0, 0},
	{"veth", "tx_queue_0_xdp_xmit", 0, 0, 0},
	{"veth", "peer_ifindex", 0, 0, 0},
	/* unknown driver: the common shapes only */
	{"foo", "rx_queue_2_packets", 1, 2, ETHSTAT_RX_PACKETS},
	{"foo", "tx5_bytes", 1, 5, ETHSTAT_TX_BYTES},
	{"foo", "rx_queue_2_drops", 0, 0, 0},
	{NULL, "tx_queue_1_bytes", 1, 1, ETHSTAT_TX_BYTES},
	/* odd names seen in the wild, and hostile ones */
	{"foo", "Queue[0] AllocFails", 0, 0, 0},
	{"ixgbe", "     err", 0, 0, 0},
	{"ixgbe", "", 0, 0, 0},
	{"ixgbe", "rx_queue__packets", 0, 0, 0},
	{"ixgbe", "rx_queue_-1_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_+1_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_ 1_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_1_packets ", 0, 0, 0},
	{"ixgbe", "rx_queue_1_packetsX", 0, 0, 0},
	{"ixgbe", "rx_queue_99999999999_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_18446744073709551617_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_65536_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_65535_packets", 1, 65535, ETHSTAT_RX_PACKETS},
	{"ixgbe", "rx_queue_007_packets", 1, 7, ETHSTAT_RX_PACKETS},
	{"mlx5_core", "rx_bytes", 0, 0, 0},
	{"gve", "[0]", 0, 0, 0},
	{"ena", "queue__rx_cnt", 0, 0, 0},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		unsigned q = 12345;
		enum ethstat_field f = _ETHSTAT_FIELD_MAX;
		int got = ethstats_normalise(r->driver, r->key, &q, &f);

		if (got != r->match)
			fail_msg("%s \"%s\": got %d, want %d", r->driver ? r->driver : "(null)",
				 r->key, got, r->match);
		if (got == 1) {
			assert_int_equal(q, r->queue);
			assert_int_equal(f, r->field);
		} else {
			assert_int_equal(q, 12345); /* out-params untouched */
		}
	}
}

static void test_null_key(void **state)
{
	unsigned q;
	enum ethstat_field f;
	(void)state;
	assert_int_equal(ethstats_normalise("ixgbe", NULL, &q, &f), 0);
}

/* Every byte value in every position of a key: never a crash, never a wrong match. */
static void test_bytes(void **state)
{
	char key[] = "rx_queue_1_packets";
	unsigned q;
	enum ethstat_field f;
	(void)state;
	for (size_t pos = 0; pos < sizeof(key) - 1; pos++) {
		char orig = key[pos];

		for (int c = 1; c < 256; c++) {
			key[pos] = (char)c;
			if (ethstats_normalise("ixgbe", key, &q, &f) == 1)
				assert_true(q < 65536);
		}
		key[pos] = orig;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_null_key),
		cmocka_unit_test(test_bytes),
	};
	return cmocka_run_group_tests_name("ethstats", tests, NULL, NULL);
}
