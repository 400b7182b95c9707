/* SPDX-License-Identifier: MIT */
/* test_answer_fast.c -- the written-straight geo answer equals the general path's */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "tests/unit/dnsd/dnsd_test_fixture.h"

/* An ECS option of a case: family 0 means none. */
typedef struct {
	uint16_t family;  /* 1 IPv4, 2 IPv6, 0 no ECS */
	uint8_t source;	  /* source prefix length */
	const char *addr; /* the address, masked to source */
} ecs_t;

static const ecs_t ecs_cases[] = {
    {0, 0, NULL},	      {1, 0, "0.0.0.0"},     {1, 8, "10.0.0.0"},
    {1, 24, "10.1.2.0"},      {1, 24, "200.1.2.0"},  {1, 32, "203.0.113.7"},
    {2, 56, "2001:db8:77::"}, {2, 128, "2001:db8::1"},
};
static const uint16_t types[] = {1, 28, 255};	      /* A, AAAA, ANY */
static const uint16_t udp_sizes[] = {0, 512, 1232, 4096}; /* 0: no EDNS */
static const char *const names[] = {"geo.example.com.", "GeO.Example.COM.", "v6only.example.com."};

/* A lookup with no opinion on the client: the record's candidate order, scope 12. */
static unsigned lookup_none(const void *lctx, size_t record, int family, const uint8_t *addr,
			    unsigned prefix, uint16_t *order, unsigned cap, unsigned *scope)
{
	(void)lctx, (void)record, (void)family, (void)addr, (void)prefix, (void)order, (void)cap;
	*scope = 12;
	return 0;
}

/* Every combination of name, type, EDNS size, NSID, ECS, transport, response room,
 * datacenters serving and a lookup with or without an opinion: the answer the UDP
 * worker gives from its batch (dnsd_answer_prepare, the lookup made ahead,
 * dnsd_answer_prepared: the written-straight path where it applies) must equal
 * dnsd_answer()'s byte for byte, with the same counters. The combinations the
 * straight path takes (geo A/AAAA over UDP, no NSID, fitting) and those it leaves
 * (ANY, TCP, NSID, NODATA, truncation) are all in the product. */
static void test_fast_geo_answers_equal_the_general_path(void **state)
{
	(void)state;
	static uint8_t wire[512], general[65535], batched[65535];
	size_t cases = 0, geo_prepared = 0;
	/* policies of the first geo record: 0 plain, 1 a weighted split of its two
	 * candidates, 2 an answer capped to one address (us-east has two): answers the
	 * pick hashes per client network, in both paths */
	static const uint16_t split_dc[] = {0, 1};
	static const uint32_t split_w[] = {1, 1};
	dnsd_geo_record_t recs[3][4];
	dnsd_geo_t geo_with[3], geo_none_with[3];
	dnsd_answer_ctx_t ctx_with[3], ctx_none_with[3];
	for (int pi = 0; pi < 3; pi++) {
		memcpy(recs[pi], t_ctx.geo->records, sizeof(recs[pi]));
		if (pi == 1)
			recs[pi][0].policy.weights = (geo_pick_split_t){split_dc, split_w, 2};
		if (pi == 2)
			recs[pi][0].policy.max_addresses = 1;
		geo_with[pi] = *t_ctx.geo;
		geo_with[pi].records = recs[pi];
		geo_none_with[pi] = geo_with[pi];
		geo_none_with[pi].lookup = lookup_none;
		ctx_with[pi] = t_ctx;
		ctx_with[pi].geo = &geo_with[pi];
		ctx_none_with[pi] = t_ctx;
		ctx_none_with[pi].geo = &geo_none_with[pi];
	}

	for (size_t ni = 0; ni < sizeof(names) / sizeof(names[0]); ni++)
	for (size_t ti = 0; ti < sizeof(types) / sizeof(types[0]); ti++)
	for (size_t ui = 0; ui < sizeof(udp_sizes) / sizeof(udp_sizes[0]); ui++)
	for (int nsid = 0; nsid <= 1; nsid++)
	for (size_t ei = 0; ei < sizeof(ecs_cases) / sizeof(ecs_cases[0]); ei++)
	for (int tcp = 0; tcp <= 1; tcp++)
	for (int small = 0; small <= 1; small++)
	for (int serving = 0; serving < 4; serving++)
	for (int opinion = 0; opinion <= 1; opinion++)
	for (int policy = 0; policy < 3; policy++) {
		const ecs_t *e = &ecs_cases[ei];
		if (udp_sizes[ui] == 0 && (nsid || e->family != 0))
			continue; /* no OPT to carry them */
		uint8_t opt[64], a[16] = {0};
		size_t ol = 0;
		if (e->family != 0) {
			assert_int_equal(inet_pton(e->family == 1 ? AF_INET : AF_INET6, e->addr, a),
					 1);
			ol = t_ecs_option(opt, e->family, e->source, 0, a, (e->source + 7u) / 8u);
		}
		t_query_t tq = {.name = names[ni],
				.type = types[ti],
				.edns = udp_sizes[ui] != 0,
				.udp_size = udp_sizes[ui],
				.nsid = nsid,
				.opt_extra = opt,
				.opt_extra_len = ol};
		size_t wlen = t_query_wire(&tq, wire, sizeof(wire));
		dnsd_client_t client = {.family = AF_INET, .tcp = tcp};
		assert_int_equal(inet_pton(AF_INET, cases % 2 ? "192.0.2.200" : "198.51.100.9",
					   client.addr),
				 1);
		/* serving: 0 both, 1 the first down, 2 the second down, 3 none (fail open) */
		t_dcs[0].serving = serving != 1 && serving != 3;
		t_dcs[1].serving = serving != 2 && serving != 3;
		t_dcs[2].serving = serving != 3;
		size_t cap = small ? 512 : sizeof(general);

		dnsd_counters_t c1 = {0}, c2 = {0};
		const dnsd_answer_ctx_t *ctx = opinion ? &ctx_with[policy] : &ctx_none_with[policy];
		size_t l1 = dnsd_answer(ctx, wire, wlen, &client, general, cap, &c1);
		dnsd_prepared_t p;
		uint16_t order[DNSD_GEO_ORDER_MAX];
		if (dnsd_answer_prepare(ctx, wire, wlen, &client, &p)) {
			dnsd_geo_pre_t *g = &p.geo;
			/* the batch's lookup: the same function the general path calls */
			g->count = ctx->geo->lookup(NULL, g->record, g->family, g->addr,
						    g->source_prefix, order, DNSD_GEO_ORDER_MAX,
						    &g->scope);
			g->order = order;
			g->done = true;
			geo_prepared++;
		}
		size_t l2 = dnsd_answer_prepared(ctx, &p, wire, &client, batched, cap, &c2);
		if (l1 == 0 || l1 != l2 || memcmp(general, batched, l1) != 0 ||
		    memcmp(&c1, &c2, sizeof(c1)) != 0)
			fail_msg("%s type %u udp %u nsid %d ecs %s/%u tcp %d cap %zu serving %d "
				 "opinion %d policy %d: %zu bytes general, %zu batched%s",
				 names[ni], types[ti], udp_sizes[ui], nsid,
				 e->addr ? e->addr : "-", e->source, tcp, cap, serving, opinion,
				 policy, l1,
				 l2, memcmp(&c1, &c2, sizeof(c1)) ? " (counters differ)" : "");
		cases++;
	}
	t_dcs[0].serving = t_dcs[1].serving = t_dcs[2].serving = true;
	/* the product really holds what it is meant to: geo lookups made ahead, and more */
	assert_true(geo_prepared > 1000);
	assert_true(cases > geo_prepared);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fast_geo_answers_equal_the_general_path),
	};
	return cmocka_run_group_tests(tests, t_fixture_setup, t_fixture_teardown);
}
