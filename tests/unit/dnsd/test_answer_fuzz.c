/* SPDX-License-Identifier: MIT */
/* test_answer_fuzz.c -- random and mutated messages: the answer path never misbehaves */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/dnsd/dnsd_test_fixture.h"

/* Deterministic, so a failure reproduces: xorshift64*. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* A well-formed query the mutations start from. */
typedef struct {
	uint8_t wire[512]; /* the message */
	size_t len;	   /* bytes used in wire */
} seed_t;

static seed_t seeds[16];
static size_t seed_count;

static void seed_add(const char *name, uint16_t type, bool edns, bool nsid, bool with_ecs)
{
	uint8_t opt[16];
	size_t ol = with_ecs ? t_ecs_option(opt, 1, 24, 0, (const uint8_t *)"\xC0\x00\x02", 3) : 0;
	t_query_t q = {.name = name,
		       .type = type,
		       .edns = edns,
		       .nsid = nsid,
		       .opt_extra = opt,
		       .opt_extra_len = ol};
	seeds[seed_count].len = t_query_wire(&q, seeds[seed_count].wire, sizeof(seeds[0].wire));
	assert_true(seeds[seed_count].len > 0);
	seed_count++;
}

/* Every response parses, keeps the id, has QR set and fits what the client can take. */
static void check(const uint8_t *msg, size_t len, bool tcp)
{
	static uint8_t resp[65535];
	dnsd_client_t client = {.family = AF_INET, .addr = {192, 0, 2, 200}, .tcp = tcp};
	size_t rlen = dnsd_answer(&t_ctx, msg, len, &client, resp, sizeof(resp), &t_counters);
	if (rlen == 0)
		return;
	assert_true(rlen >= 12);
	assert_true(rlen <= (tcp ? 65535u : 1232u));
	assert_memory_equal(resp, msg, 2);
	assert_true(resp[2] & 0x80);
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, resp, rlen) != LDNS_STATUS_OK)
		fail_msg("response of %zu bytes does not parse", rlen);
	ldns_pkt_free(p);
}

static void test_mutated_queries_get_sane_responses(void **state)
{
	(void)state;
	seed_count = 0;
	seed_add("www.example.com.", LDNS_RR_TYPE_A, false, false, false);
	seed_add("alias2.example.com.", LDNS_RR_TYPE_A, true, true, false);
	seed_add("x.wild.example.com.", LDNS_RR_TYPE_TXT, true, false, true);
	seed_add("www.sub.example.com.", LDNS_RR_TYPE_A, true, false, false);
	seed_add("geo.example.com.", LDNS_RR_TYPE_A, true, true, true);
	seed_add("big.example.com.", LDNS_RR_TYPE_TXT, true, false, false);
	seed_add("example.com.", LDNS_RR_TYPE_MX, false, false, false);
	seed_add("id.server.", LDNS_RR_TYPE_TXT, true, true, false);

	uint8_t msg[600];
	uint64_t before = t_counters.queries;
	for (int i = 0; i < 30000; i++) {
		const seed_t *s = &seeds[rnd() % seed_count];
		size_t len = s->len;
		memcpy(msg, s->wire, len);
		unsigned mutations = 1 + rnd() % 4;
		for (unsigned m = 0; m < mutations; m++) {
			switch (rnd() % 5) {
			case 0: /* flip a byte */
				msg[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
				break;
			case 1: /* random byte */
				msg[rnd() % len] = (uint8_t)rnd();
				break;
			case 2: /* truncate */
				len = rnd() % (len + 1);
				break;
			case 3: /* append junk */
				for (unsigned k = rnd() % 40; k > 0 && len < sizeof(msg); k--)
					msg[len++] = (uint8_t)rnd();
				break;
			default: /* a header count */
				if (len >= 12)
					msg[4 + 2 * (rnd() % 4) + 1] = (uint8_t)(rnd() % 4);
				break;
			}
			if (len == 0)
				break;
		}
		if (len < 2)
			continue;
		check(msg, len, rnd() % 4 == 0);
	}
	for (int i = 0; i < 10000; i++) {
		size_t len = 2 + rnd() % 300;
		for (size_t k = 0; k < len; k++)
			msg[k] = (uint8_t)rnd();
		msg[2] &= 0x7F; /* a query, or it is dropped before anything interesting */
		check(msg, len, false);
	}
	assert_true(t_counters.queries - before >= 10000);
	/* and still answers correctly afterwards */
	size_t rlen;
	ldns_pkt *p = t_answer(&t_ctx, seeds[0].wire, seeds[0].len, false, &t_counters, &rlen);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mutated_queries_get_sane_responses),
	};
	return cmocka_run_group_tests(tests, t_fixture_setup, t_fixture_teardown);
}
