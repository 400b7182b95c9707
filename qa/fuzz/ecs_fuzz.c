/* SPDX-License-Identifier: MIT */
/* ecs_fuzz.c -- libFuzzer harness: any bytes as the EDNS Client Subnet option of a geo query */
#include "config.h"

#include "qa/fuzz/fuzz_dnsd_ctx.h"

/* The input is the option's payload (family, source, scope, address), wrapped in a
 * well-formed query for the geo name so every input reaches the ECS parser and, when it
 * is accepted, the geo answer: the parsed prefix must have no bits set past its length,
 * the answer must echo a scope no longer than the family allows, and the batch path must
 * give the same bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ready();
	if (size > 512)
		return 0;
	static const uint8_t head[] = {0xab, 0xcd, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1,
				       3, 'g', 'e', 'o', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
				       3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
				       0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0};
	uint8_t q[sizeof(head) + 6 + 512];
	size_t len = sizeof(head);
	memcpy(q, head, len);
	q[len++] = (uint8_t)((4 + size) >> 8);
	q[len++] = (uint8_t)(4 + size);
	q[len++] = 0;
	q[len++] = 8; /* ECS */
	q[len++] = (uint8_t)(size >> 8);
	q[len++] = (uint8_t)size;
	memcpy(q + len, data, size);
	len += size;
	dnsd_query_t pq;
	if (dnsd_query_parse(q, len, &pq) == DNSD_PARSE_OK && pq.has_ecs) {
		unsigned max = pq.ecs_family == 1 ? 32 : 128;
		if (pq.ecs_source > max)
			abort();
		for (unsigned bit = pq.ecs_source; bit < max; bit++)
			if (pq.ecs_addr[bit / 8] & (0x80u >> (bit % 8)))
				abort();
	}
	static uint8_t resp[4096], batched[4096];
	dnsd_counters_t c1 = {0}, c2 = {0};
	dnsd_client_t udp = {.family = AF_INET6, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 7}};
	size_t n = dnsd_answer(&fuzz_ctx, q, len, &udp, resp, sizeof(resp), &c1);
	dnsd_prepared_t p;
	uint16_t order[DNSD_GEO_ORDER_MAX];
	if (dnsd_answer_prepare(&fuzz_ctx, q, len, &udp, &p)) {
		p.geo.count = fuzz_lookup(NULL, p.geo.record, p.geo.family, p.geo.addr,
					  p.geo.source_prefix, order, DNSD_GEO_ORDER_MAX, &p.geo.scope);
		p.geo.order = order;
		p.geo.done = true;
	}
	size_t m = dnsd_answer_prepared(&fuzz_ctx, &p, q, &udp, batched, sizeof(batched), &c2);
	if (m != n || memcmp(resp, batched, n) != 0 || memcmp(&c1, &c2, sizeof(c1)) != 0)
		abort();
	return 0;
}
