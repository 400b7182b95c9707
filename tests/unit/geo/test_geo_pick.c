/* SPDX-License-Identifier: MIT */
/* test_geo_pick.c -- the one pick rule: order, states, weights, spill, answer size */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "geo/geo_pick.h"

/* Four datacenters: near has IPv4 only, mid both, far IPv6 only, spare both. */
static const uint8_t v4[4][4] = {{192, 0, 2, 1}, {198, 51, 100, 1}, {203, 0, 113, 1}, {203, 0, 113, 2}};
static const uint8_t v6[2][16] = {{0x20, 0x01, 0x0d, 0xb8, 0, 1}, {0x20, 0x01, 0x0d, 0xb8, 0, 3}};
enum { NEAR, MID, FAR, SPARE, NDC };

/* The datacenters with states as a string: '1' serving, '0' not serving (drained,
 * observed up: rank 1), 'x' not serving and observed down (rank 2). */
static void dcs_init(geo_pick_dc_t *d, const char *states)
{
	memset(d, 0, NDC * sizeof(*d));
	d[NEAR] = (geo_pick_dc_t){.a = v4[0], .a_count = 1};
	d[MID] = (geo_pick_dc_t){.a = v4[1], .a_count = 1, .aaaa = v6[0], .aaaa_count = 1};
	d[FAR] = (geo_pick_dc_t){.aaaa = v6[1], .aaaa_count = 1};
	d[SPARE] = (geo_pick_dc_t){.a = v4[2], .a_count = 2, .aaaa = v6[1], .aaaa_count = 1};
	for (size_t i = 0; i < NDC; i++) {
		d[i].serving = states[i] == '1';
		d[i].fail_open_rank = states[i] == '1' ? 0 : states[i] == 'x' ? 2 : 1;
		d[i].seed = geo_pick_seed((const char *[]){"near", "mid", "far", "spare"}[i]);
	}
}

static const uint16_t order3[] = {NEAR, MID, FAR};

static geo_pick_query_t query(int family, const uint8_t *client, unsigned prefix)
{
	return (geo_pick_query_t){.order = order3,
				  .count = 3,
				  .family = family,
				  .client_family = AF_INET,
				  .client = client,
				  .source_prefix = prefix,
				  .scope = 16};
}

/* The rule as dnsd answered before weights existed: a row per state of the three. */
static const struct {
	const char *name;
	const char *states; /* near, mid, far, spare */
	int a, aaaa;	    /* datacenter answering, -1 NODATA */
	uint32_t a_why, aaaa_why;
} plain_rows[] = {
    {"all serving: nearest of each family", "1111", NEAR, MID, GEO_PICK_NEAREST, GEO_PICK_NEAREST},
    {"nearest drained: mid answers both", "0111", MID, MID, GEO_PICK_FAILOVER, GEO_PICK_NEAREST},
    {"only far serving: no A, the client uses far's AAAA", "0011", -1, FAR,
     GEO_PICK_NODATA | GEO_PICK_OTHER_FAMILY, GEO_PICK_FAILOVER},
    {"only near serving: no AAAA", "1001", NEAR, -1, GEO_PICK_NEAREST,
     GEO_PICK_NODATA | GEO_PICK_OTHER_FAMILY},
    {"none serving: both fail open in order", "0000", NEAR, MID, GEO_PICK_FAIL_OPEN,
     GEO_PICK_FAIL_OPEN},
    {"none serving, near observed down: A from drained mid", "x000", MID, MID,
     GEO_PICK_FAIL_OPEN, GEO_PICK_FAIL_OPEN},
    {"none serving, mid observed down: AAAA from drained far", "0x00", NEAR, FAR,
     GEO_PICK_FAIL_OPEN, GEO_PICK_FAIL_OPEN},
    {"none serving, all observed down: nearest", "xxx0", NEAR, MID, GEO_PICK_FAIL_OPEN,
     GEO_PICK_FAIL_OPEN},
};

static void test_plain_order_follows_the_serving_set(void **state)
{
	static const uint8_t client[4] = {81, 2, 69, 142};
	const geo_pick_record_t rec = {.ttl = 30, .varies = true};
	geo_pick_dc_t d[NDC];

	for (size_t i = 0; i < M_ARRAY_LEN(plain_rows); i++) {
		geo_pick_result_t ra, r6;
		geo_pick_query_t q = query(AF_INET, client, 32);
		dcs_init(d, plain_rows[i].states);
		geo_pick(&rec, d, NDC, &q, &ra);
		q.family = AF_INET6;
		geo_pick(&rec, d, NDC, &q, &r6);
		if (ra.dc != plain_rows[i].a || r6.dc != plain_rows[i].aaaa ||
		    ra.reasons != plain_rows[i].a_why || r6.reasons != plain_rows[i].aaaa_why)
			fail_msg("case \"%s\": A %d (0x%x), AAAA %d (0x%x)", plain_rows[i].name, ra.dc,
				 ra.reasons, r6.dc, r6.reasons);
		/* nothing hashed: the lookup's scope and the record's TTL, every address */
		assert_int_equal(ra.scope, 16);
		assert_int_equal(ra.ttl, 30);
		assert_true(ra.dc < 0 || (ra.addr_all && ra.addr_count > 0));
		assert_int_equal(ra.any_serving, strchr(plain_rows[i].states, '1') != NULL &&
						     strchr(plain_rows[i].states, '1') <
							 plain_rows[i].states + 3);
	}
}

/* Client network i of 10000: 10.x.y.0/24. */
static void client_net(unsigned i, uint8_t out[4])
{
	out[0] = 10;
	out[1] = (uint8_t)(i >> 8);
	out[2] = (uint8_t)i;
	out[3] = 7; /* below the /24: must not matter */
}

/* Runs n clients through rec, counting answers per datacenter into count[NDC]. */
static void split_count(const geo_pick_record_t *rec, const geo_pick_dc_t *d, unsigned n,
			unsigned *count, int *answer)
{
	memset(count, 0, NDC * sizeof(*count));
	for (unsigned i = 0; i < n; i++) {
		uint8_t c[4];
		geo_pick_result_t r;
		client_net(i, c);
		geo_pick_query_t q = query(AF_INET, c, 32);
		geo_pick(rec, d, NDC, &q, &r);
		assert_true(r.dc >= 0);
		count[r.dc]++;
		if (answer != NULL)
			answer[i] = r.dc;
	}
}

static const uint16_t split_dcs[] = {NEAR, MID, SPARE};

static void test_weights_split_within_two_percent(void **state)
{
	const uint32_t w[] = {70, 20, 10};
	const geo_pick_record_t rec = {
	    .ttl = 30, .varies = true, .policy.weights = {split_dcs, w, 3}};
	geo_pick_dc_t d[NDC];
	unsigned count[NDC];

	dcs_init(d, "1111");
	split_count(&rec, d, 10000, count, NULL);
	for (size_t i = 0; i < 3; i++) {
		double share = count[split_dcs[i]] / 100.0;
		if (share < w[i] - 2.0 || share > w[i] + 2.0)
			fail_msg("%u: %.2f%% of 10000 networks, weight %u%%", split_dcs[i], share,
				 w[i]);
	}
}

static void test_extreme_and_uneven_weights_hold(void **state)
{
	uint32_t w[] = {1, 99, 900};
	const geo_pick_record_t rec = {
	    .ttl = 30, .varies = true, .policy.weights = {split_dcs, w, 3}};
	geo_pick_dc_t d[NDC];
	unsigned count[NDC];

	dcs_init(d, "1111");
	split_count(&rec, d, 10000, count, NULL);
	/* 0.1% / 9.9% / 90%: binomial spread over 10000 is under 0.3 points */
	assert_true(count[NEAR] < 40);
	assert_true(count[MID] > 890 && count[MID] < 1090);
	assert_true(count[SPARE] > 8800 && count[SPARE] < 9200);
	w[0] = 1000000; /* one weight dwarfing the rest takes nearly all */
	split_count(&rec, d, 10000, count, NULL);
	assert_true(count[NEAR] > 9980);
}

static void test_raising_one_weight_moves_clients_only_into_it(void **state)
{
	uint32_t w[] = {80, 10, 10};
	geo_pick_record_t rec = {.ttl = 30, .varies = true, .policy.weights = {split_dcs, w, 3}};
	geo_pick_dc_t d[NDC];
	unsigned count[NDC];
	static int before[10000], after[10000];

	dcs_init(d, "1111");
	split_count(&rec, d, 10000, count, before);
	w[1] = 20; /* mid: 10 -> 20 */
	split_count(&rec, d, 10000, count, after);
	unsigned moved = 0;
	for (unsigned i = 0; i < 10000; i++) {
		if (before[i] == after[i])
			continue;
		moved++;
		if (after[i] != MID)
			fail_msg("network %u moved from %d to %d, not into mid", i, before[i], after[i]);
	}
	/* mid's share goes from 10% to 20/110 = 18.2%: about 8% of the networks move */
	assert_true(moved > 600 && moved < 1000);
}

static void test_a_split_member_not_serving_spreads_its_share(void **state)
{
	const uint32_t w[] = {50, 25, 25};
	const geo_pick_record_t rec = {
	    .ttl = 30, .varies = true, .policy.weights = {split_dcs, w, 3}};
	geo_pick_dc_t d[NDC];
	unsigned count[NDC];
	static int before[10000], after[10000];

	dcs_init(d, "1111");
	split_count(&rec, d, 10000, count, before);
	d[NEAR].serving = false;
	split_count(&rec, d, 10000, count, after);
	assert_int_equal(count[NEAR], 0);
	/* only near's clients move, evenly over the other two */
	for (unsigned i = 0; i < 10000; i++)
		if (before[i] != NEAR)
			assert_int_equal(before[i], after[i]);
	assert_true(count[MID] > 4800 && count[MID] < 5200);
}

static void test_hashed_answers_narrow_the_scope_to_the_granularity(void **state)
{
	const uint32_t w[] = {50, 50};
	static const uint8_t client[4] = {81, 2, 69, 142};
	geo_pick_record_t rec = {.ttl = 30, .varies = true, .policy.weights = {split_dcs, w, 2}};
	geo_pick_dc_t d[NDC];
	geo_pick_result_t r;

	dcs_init(d, "1111");
	geo_pick_query_t q = query(AF_INET, client, 32);
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.scope, 24); /* the lookup said /16; the split decides per /24 */
	assert_true(r.reasons & GEO_PICK_WEIGHT);
	assert_true(r.reasons & GEO_PICK_HASHED);
	q.scope = 28; /* a deeper lookup scope stays */
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.scope, 28);
	rec.policy.granularity4 = 20;
	q.scope = 16;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.scope, 20);
	/* same /20, other host bits: same answer */
	geo_pick_result_t r2;
	uint8_t other[4] = {81, 2, 79, 1};
	q.client = other;
	geo_pick(&rec, d, NDC, &q, &r2);
	assert_int_equal(r.dc, r2.dc);
	assert_true(r.bucket == r2.bucket);

	/* a /16 ECS query is answered with scope /20: any address of 81.2.0.0/20 gets its
	 * answer, so they hash alike */
	static const uint8_t net16[4] = {81, 2, 0, 0}, inside[4] = {81, 2, 3, 99};
	q.client = net16;
	q.source_prefix = 16;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.scope, 20);
	q.client = inside;
	q.source_prefix = 32;
	geo_pick(&rec, d, NDC, &q, &r2);
	assert_true(r.bucket == r2.bucket);
	assert_int_equal(r.dc, r2.dc);
}

static void test_spill_spreads_by_spare_capacity_and_says_when_short(void **state)
{
	static const uint16_t order[] = {NEAR, MID, SPARE};
	const geo_pick_record_t rec = {.ttl = 30, .varies = true};
	geo_pick_dc_t d[NDC];
	unsigned count[NDC] = {0};

	dcs_init(d, "0111");
	d[NEAR].capacity = 1000;
	d[MID].capacity = 900;
	d[MID].load = 300, d[MID].has_load = true; /* spare 600 */
	d[SPARE].capacity = 1200;		   /* spare 1200: 600 + 1200 covers 1000 */
	for (unsigned i = 0; i < 10000; i++) {
		uint8_t c[4];
		geo_pick_result_t r;
		client_net(i, c);
		geo_pick_query_t q = query(AF_INET, c, 32);
		q.order = order;
		geo_pick(&rec, d, NDC, &q, &r);
		assert_true(r.reasons & GEO_PICK_SPILL);
		assert_false(r.reasons & GEO_PICK_CAPACITY_SHORT);
		assert_int_equal(r.demand, 1000);
		count[r.dc]++;
	}
	/* 600 : 1200 of the demand: a third to mid, two thirds to spare */
	assert_true(count[MID] > 3133 && count[MID] < 3533);
	assert_int_equal(count[MID] + count[SPARE], 10000);

	/* mid's spare alone covers a smaller demand: all of it to mid, the nearest */
	d[NEAR].capacity = 500;
	geo_pick_result_t r;
	uint8_t c[4];
	client_net(1, c);
	geo_pick_query_t q = query(AF_INET, c, 32);
	q.order = order;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.dc, MID);

	/* not enough anywhere: spread over all, and said */
	d[NEAR].capacity = 5000;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_true(r.reasons & GEO_PICK_CAPACITY_SHORT);
	assert_int_equal(r.spare, 1800);

	/* no capacity declared on the failed one: plain failover to the next */
	d[NEAR].capacity = 0;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.dc, MID);
	assert_int_equal(r.reasons, GEO_PICK_FAILOVER);
}

static void test_answer_cap_is_stable_per_client_network(void **state)
{
	static uint8_t many[20][4];
	geo_pick_record_t rec = {.ttl = 30, .varies = true, .policy.max_addresses = 3};
	geo_pick_dc_t d[NDC];
	unsigned seen[20] = {0};

	for (unsigned i = 0; i < 20; i++)
		memcpy(many[i], (uint8_t[]){192, 0, 2, (uint8_t)(10 + i)}, 4);
	dcs_init(d, "1111");
	d[NEAR].a = &many[0][0];
	d[NEAR].a_count = 20;
	for (unsigned i = 0; i < 2000; i++) {
		uint8_t c[4];
		geo_pick_result_t r, again;
		client_net(i, c);
		geo_pick_query_t q = query(AF_INET, c, 32);
		geo_pick(&rec, d, NDC, &q, &r);
		assert_int_equal(r.addr_count, 3);
		assert_false(r.addr_all);
		assert_true(r.reasons & GEO_PICK_ADDR_CAPPED);
		assert_true(r.addr[0] < r.addr[1] && r.addr[1] < r.addr[2]);
		c[3] = 200; /* another host of the same /24 */
		geo_pick(&rec, d, NDC, &q, &again);
		assert_memory_equal(r.addr, again.addr, 3);
		for (unsigned k = 0; k < 3; k++)
			seen[r.addr[k]]++;
	}
	for (unsigned i = 0; i < 20; i++) /* each about 300 of 6000 */
		assert_true(seen[i] > 200 && seen[i] < 400);
	/* a cap at or above the count answers everything */
	rec.policy.max_addresses = 8;
	d[NEAR].a_count = 5;
	geo_pick_result_t r;
	geo_pick_query_t q = query(AF_INET, many[0], 32);
	geo_pick(&rec, d, NDC, &q, &r);
	assert_true(r.addr_all);
	assert_int_equal(r.addr_count, 5);
}

static void test_addresses_not_serving_are_left_out(void **state)
{
	static const uint8_t flags[2] = {0, 1};
	const geo_pick_record_t rec = {.ttl = 30, .varies = true};
	geo_pick_dc_t d[NDC];
	geo_pick_result_t r;
	static const uint16_t order[] = {SPARE};

	dcs_init(d, "1111");
	d[SPARE].a_serving = flags;
	geo_pick_query_t q = query(AF_INET, v4[0], 32);
	q.order = order;
	q.count = 1;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.dc, SPARE);
	assert_int_equal(r.addr_count, 1);
	assert_int_equal(geo_pick_addr_index(&r, 0), 1);
	assert_true(r.reasons & GEO_PICK_ADDR_UNHEALTHY);
}

static void test_short_ttl_while_a_preferred_datacenter_is_in_transition(void **state)
{
	geo_pick_record_t rec = {.ttl = 30, .varies = true, .policy.short_ttl = 5};
	geo_pick_dc_t d[NDC];
	geo_pick_result_t r;

	dcs_init(d, "0111");
	geo_pick_query_t q = query(AF_INET, v4[0], 32);
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.ttl, 30);
	d[NEAR].in_transition = true; /* recovering: mid's answer may change */
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.dc, MID);
	assert_int_equal(r.ttl, 5);
	assert_true(r.reasons & GEO_PICK_SHORT_TTL);
	d[NEAR].in_transition = false;
	d[FAR].in_transition = true; /* behind the answer: nothing to shorten */
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.ttl, 30);
}

/* TTL from time to change (issue 12): which datacenters in transition shorten the
 * answer, and to what: the larger of short_ttl and the seconds to the change, at most
 * the record's ttl. A row per case: states, who is in transition and when. */
static const struct {
	const char *name;
	const char *states;	   /* near, mid, far, spare: as dcs_init */
	const char *moving;	   /* per datacenter: '1' in transition */
	uint32_t change_in_s[NDC]; /* seconds to each one's change */
	uint32_t short_ttl;	   /* the record's transition_ttl */
	uint32_t want_ttl;	   /* A answer's TTL (record ttl 30) */
} ttl_rows[] = {
    {"nothing in transition", "1111", "0000", {0}, 5, 30},
    {"the chosen one failing now", "1111", "1000", {1, 0, 0, 0}, 5, 5},
    {"the chosen one failing in 12 s", "1111", "1000", {12, 0, 0, 0}, 5, 12},
    {"a change past the ttl keeps the ttl", "1111", "1000", {45, 0, 0, 0}, 5, 30},
    {"a preferred one recovering", "x111", "1000", {2, 0, 0, 0}, 5, 5},
    {"one behind the answer changes nothing", "1111", "0110", {0, 1, 1, 0}, 5, 30},
    {"the earliest of two wins", "x111", "1100", {20, 8, 0, 0}, 5, 8},
    {"fail open: any of the order", "0000", "0010", {0, 0, 3, 0}, 5, 5},
    {"short_ttl 0 is off", "1111", "1000", {0, 0, 0, 0}, 0, 30},
    {"short_ttl at or past ttl changes nothing", "1111", "1000", {0, 0, 0, 0}, 30, 30},
};

static void test_ttl_from_time_to_change(void **state)
{
	static const uint8_t client[4] = {81, 2, 69, 142};
	geo_pick_dc_t d[NDC];

	(void)state;
	for (size_t i = 0; i < M_ARRAY_LEN(ttl_rows); i++) {
		geo_pick_record_t rec = {.ttl = 30, .varies = true,
					 .policy.short_ttl = ttl_rows[i].short_ttl};
		geo_pick_result_t r;
		geo_pick_query_t q = query(AF_INET, client, 32);
		dcs_init(d, ttl_rows[i].states);
		for (size_t k = 0; k < NDC; k++) {
			d[k].in_transition = ttl_rows[i].moving[k] == '1';
			d[k].change_in_s = ttl_rows[i].change_in_s[k];
		}
		geo_pick(&rec, d, NDC, &q, &r);
		bool short_reason = (r.reasons & GEO_PICK_SHORT_TTL) != 0;
		if (r.ttl != ttl_rows[i].want_ttl || short_reason != (ttl_rows[i].want_ttl < 30))
			fail_msg("case \"%s\": ttl %u (short_ttl reason %d)", ttl_rows[i].name, r.ttl,
				 short_reason);
	}
}

/* Per-address flags: an address of the chosen datacenter not serving is left out, in
 * either family, and none serving answers the whole set (the datacenter as a whole). */
static void test_address_flags_per_family(void **state)
{
	static const uint8_t client[4] = {81, 2, 69, 142};
	static const uint8_t none[2] = {0, 0}, second[2] = {0, 1}, v6_off[1] = {0};
	const geo_pick_record_t rec = {.ttl = 30, .varies = true};
	const uint16_t order[] = {SPARE};
	geo_pick_dc_t d[NDC];
	geo_pick_result_t r;

	(void)state;
	dcs_init(d, "1111");
	geo_pick_query_t q = {.order = order, .count = 1, .family = AF_INET,
			      .client_family = AF_INET, .client = client, .source_prefix = 32};
	d[SPARE].a_serving = second;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.dc, SPARE);
	assert_int_equal(r.addr_count, 1);
	assert_int_equal(geo_pick_addr_index(&r, 0), 1);
	assert_true(r.reasons & GEO_PICK_ADDR_UNHEALTHY);
	d[SPARE].a_serving = none;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.addr_count, 2);
	assert_true(r.addr_all);
	d[SPARE].aaaa_serving = v6_off;
	q.family = AF_INET6;
	geo_pick(&rec, d, NDC, &q, &r);
	assert_int_equal(r.dc, SPARE);
	assert_int_equal(r.addr_count, 1); /* its only IPv6 address, as a whole */
}

static void test_reason_names(void **state)
{
	assert_string_equal(geo_pick_reason_name(GEO_PICK_NEAREST), "nearest");
	assert_string_equal(geo_pick_reason_name(GEO_PICK_CAPACITY_SHORT), "capacity_short");
	assert_string_equal(geo_pick_reason_name(GEO_PICK_HASHED), "hashed");
	assert_null(geo_pick_reason_name(3));
	assert_null(geo_pick_reason_name(1u << GEO_PICK_REASONS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_order_follows_the_serving_set),
	    cmocka_unit_test(test_weights_split_within_two_percent),
	    cmocka_unit_test(test_extreme_and_uneven_weights_hold),
	    cmocka_unit_test(test_raising_one_weight_moves_clients_only_into_it),
	    cmocka_unit_test(test_a_split_member_not_serving_spreads_its_share),
	    cmocka_unit_test(test_hashed_answers_narrow_the_scope_to_the_granularity),
	    cmocka_unit_test(test_spill_spreads_by_spare_capacity_and_says_when_short),
	    cmocka_unit_test(test_answer_cap_is_stable_per_client_network),
	    cmocka_unit_test(test_addresses_not_serving_are_left_out),
	    cmocka_unit_test(test_short_ttl_while_a_preferred_datacenter_is_in_transition),
	    cmocka_unit_test(test_ttl_from_time_to_change),
	    cmocka_unit_test(test_address_flags_per_family),
	    cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
