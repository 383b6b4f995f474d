// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/rss.h"

const char *rss_hfunc_to_string(uint32_t hfunc)
{
	switch (hfunc) {
	case 0: return "unknown";
	case MQ_RSS_HASH_TOP: return "toeplitz";
	case MQ_RSS_HASH_XOR: return "xor";
	case MQ_RSS_HASH_CRC32: return "crc32";
	default: return "other";
	}
}

/* Queue indices are u16 in the kernel: a bigger count is nobody's NIC, and it bounds w. */
#define RSS_QUEUES_MAX 65536u

int rss_table_analyse(const uint32_t *indir, uint32_t n, unsigned nqueues, struct rss_spread *ret)
{
	struct rss_spread s;
	uint32_t *w;

	if (!ret || nqueues == 0 || nqueues > RSS_QUEUES_MAX)
		return -EINVAL;
	if (!indir || n == 0)
		return -ENODATA;
	w = calloc(nqueues, sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(&s, 0, sizeof(s));
	s.n = n;
	s.nqueues = nqueues;
	s.is_default = true;
	for (uint32_t i = 0; i < n; i++) {
		if (indir[i] >= nqueues)
			s.beyond++;
		else
			w[indir[i]]++;
		if (indir[i] != i % nqueues)
			s.is_default = false;
	}
	s.first_left_out = -1;
	s.min_weight = UINT32_MAX;
	for (unsigned q = 0; q < nqueues; q++) {
		if (w[q] == 0) {
			s.left_out++;
			if (s.first_left_out < 0)
				s.first_left_out = (int)q;
			if (q < MQ_MAX_CPUS)
				cpuset_set(cpuset_buf(&s.left_out_set), q);
		} else {
			s.covered++;
		}
		if (w[q] > s.max_weight) {
			s.max_weight = w[q];
			s.busiest = q;
		}
		if (w[q] < s.min_weight)
			s.min_weight = w[q];
	}
	free(w);
	s.max_share = (double)s.max_weight / n;
	s.even = s.max_weight - s.min_weight <= 1;
	s.target_max_weight = (uint32_t)((n + (uint64_t)nqueues - 1) / nqueues);
	s.target_left_out = nqueues > n ? nqueues - n : 0;
	s.reset_helps = !s.is_default &&
			(s.left_out > s.target_left_out || s.max_weight > s.target_max_weight ||
			 s.beyond > 0);
	*ret = s;
	return 0;
}

int rss_nic_analyse(const struct mq_nic *nic, struct rss_spread *ret)
{
	unsigned nq;

	if (!nic || !ret)
		return -EINVAL;
	if (nic->rss.source == RSS_NONE || !nic->rss.indir || nic->rss.n == 0)
		return -ENODATA;
	nq = nic->real_rx_queues;
	if (nq == 0)
		nq = nic->ch.rx + nic->ch.combined;
	if (nq == 0)
		return -ENODATA;
	return rss_table_analyse(nic->rss.indir, nic->rss.n, nq, ret);
}
