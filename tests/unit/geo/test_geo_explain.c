/* SPDX-License-Identifier: MIT */
/* test_geo_explain.c -- explain's reasons, and the trie agreeing with explain everywhere */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "tests/unit/geo/geo_test_util.h"

static const size_t candidates[] = {US_EAST, EU_WEST, AP_SOUTH};
static const size_t default_order[] = {EU_WEST, AP_SOUTH, US_EAST};
static const size_t only_us[] = {US_EAST}, only_ap[] = {AP_SOUTH}, only_eu[] = {EU_WEST};
static const geo_map_rule_t map[] = {{"AS/CN", only_us, 1, 0}, {"EU/GB", only_ap, 1, 0}};
static geo_net_rule_t nets[] = {
    {"10.0.0.0/8", 0, {0}, 0, only_us, 1, 0},    {"81.2.69.192/26", 0, {0}, 0, only_us, 1, 0},
    {"2001:db8::/32", 0, {0}, 0, only_ap, 1, 0}, {"2002:5102:4500::/40", 0, {0}, 0, only_eu, 1, 0},
    {"2000::/3", 0, {0}, 0, only_eu, 1, 0},      {"::/100", 0, {0}, 0, only_ap, 1, 0},
};

typedef struct {
	geo_db_t *db;	   /* the test City database */
	geo_trie_t *trie;  /* compiled from db and rules */
	geo_rules_t rules; /* the record explained */
} fixture_t;

static int setup(void **state)
{
	static fixture_t f;
	char err[256];

	for (size_t i = 0; i < M_ARRAY_LEN(nets); i++)
		if (geo_net_parse(nets[i].key, &nets[i].family, nets[i].addr, &nets[i].prefix, err,
				  sizeof(err)) < 0)
			return -1;
	f.rules = (geo_rules_t){candidates,    3, map, M_ARRAY_LEN(map), nets, M_ARRAY_LEN(nets),
				default_order, 3};
	if (!(f.db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err))))
		return -1;
	if (!(f.trie = geo_trie_build(f.db, test_dcs, DC_COUNT, &f.rules, err, sizeof(err))))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	geo_trie_free(f->trie);
	geo_db_free(f->db);
	return 0;
}

static void explain_text(fixture_t *f, const char *address, char *buf, size_t len)
{
	uint8_t addr[16];
	geo_choice_t choices[8];
	geo_explain_t ex;
	int family = strchr(address, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, address, addr), 1);
	assert_int_equal(
	    geo_explain(f->db, test_dcs, &f->rules, f->trie, family, addr, choices, &ex), 0);
	assert_true(ex.agrees);
	geo_explain_format(&ex, test_dcs, buf, len);
}

static void test_explain_map_rule_with_distances(void **state)
{
	char buf[1024];
	explain_text(*state, "::ffff:81.2.69.1", buf, sizeof(buf));
	assert_string_equal(buf, "client: ::ffff:81.2.69.1 (ipv4-mapped, looked up as 81.2.69.1)\n"
				 "location: EU/GB/ENG 51.5142,-0.0931 (database network /121)\n"
				 "rule: map \"EU/GB\"\n"
				 "1. ap-south 10844 km (map EU/GB)\n"
				 "2. eu-west 465 km (distance)\n"
				 "3. us-east 5924 km (distance)\n"
				 "scope: /121\n");
}

static void test_explain_nets_rule_then_default_order(void **state)
{
	char buf[1024];
	explain_text(*state, "81.2.69.200", buf, sizeof(buf));
	assert_string_equal(buf, "client: 81.2.69.200\n"
				 "location: EU/GB/ENG 53.4808,-2.2426 (database network /25)\n"
				 "rule: nets \"81.2.69.192/26\"\n"
				 "1. us-east 5720 km (nets 81.2.69.192/26)\n"
				 "2. eu-west 270 km (default)\n"
				 "3. ap-south 10938 km (default)\n"
				 "scope: /26\n");
}

static void test_explain_unknown_client(void **state)
{
	char buf[1024];
	explain_text(*state, "192.0.2.1", buf, sizeof(buf));
	assert_string_equal(buf, "client: 192.0.2.1\n"
				 "location: unknown (database network /5)\n"
				 "rule: none\n"
				 "1. eu-west (default)\n"
				 "2. ap-south (default)\n"
				 "3. us-east (default)\n"
				 "scope: /5\n");
}

static void test_explain_ipv6_rule_inside_6to4_beats_ipv4(void **state)
{
	char buf[1024];
	/* 2000::/3 encloses 2002::/16 and does not apply there; the /40 inside it does */
	explain_text(*state, "2002:5102:4501::1", buf, sizeof(buf));
	assert_non_null(strstr(buf, "rule: nets \"2002:5102:4500::/40\"\n1. eu-west"));
	explain_text(*state, "2002:5102:4601::1", buf, sizeof(buf));
	assert_non_null(strstr(buf, "rule: none\n"));
	explain_text(*state, "2003::1", buf, sizeof(buf));
	assert_non_null(strstr(buf, "rule: nets \"2000::/3\"\n"));
}

/* xorshift64: deterministic, so a failure names a reproducible address. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* An address near the interesting parts of the space: prefix bytes fixed, the rest random. */
static void random_address(uint64_t *seed, int *family, uint8_t addr[16])
{
	static const struct {
		int family;
		uint8_t prefix[16];
		unsigned bytes;
	} near[] = {
	    {AF_INET, {0}, 0},
	    {AF_INET, {81, 2, 69}, 3},
	    {AF_INET, {81, 2}, 2},
	    {AF_INET, {10}, 1},
	    {AF_INET, {50, 114}, 2},
	    {AF_INET6, {0}, 0},
	    {AF_INET6, {0x2a, 0x02, 0xcf}, 3},
	    {AF_INET6, {0x20, 0x01, 0x02}, 3},
	    {AF_INET6, {0x20, 0x01, 0x00, 0x00}, 4},
	    {AF_INET6, {0x20, 0x02, 0x51, 0x02}, 4},
	    {AF_INET6, {0x20, 0x02}, 2},
	    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 81, 2}, 14},
	    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 13},
	    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 15},
	    {AF_INET6, {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 12},
	};
	unsigned pick = (unsigned)(next_random(seed) % M_ARRAY_LEN(near));

	*family = near[pick].family;
	for (unsigned i = 0; i < 16; i++)
		addr[i] = i < near[pick].bytes ? near[pick].prefix[i] : (uint8_t)next_random(seed);
}

static bool same_order(const geo_list_t *list, const geo_explain_t *ex)
{
	if (list->count != ex->count)
		return false;
	for (size_t i = 0; i < ex->count; i++)
		if (list->dc[i] != ex->choices[i].dc)
			return false;
	return true;
}

/* The trie must give every address the order explain derives from the rules directly,
 * and every address sharing the first `scope` bits must get that same order. */
static void test_trie_agrees_with_explain_and_scope_holds(void **state)
{
	fixture_t *f = *state;
	uint64_t seed = 0x9e3779b97f4a7c15u;

	for (int i = 0; i < 40000; i++) {
		int family;
		uint8_t addr[16], other[16];
		geo_choice_t choices[8], other_choices[8];
		geo_explain_t ex, other_ex;
		const geo_list_t *list;
		unsigned scope, bits;
		char text[INET6_ADDRSTRLEN];

		random_address(&seed, &family, addr);
		bits = family == AF_INET ? 32 : 128;
		assert_int_equal(geo_trie_lookup(f->trie, family, addr, bits, &list, &scope), 0);
		assert_int_equal(
		    geo_explain(f->db, test_dcs, &f->rules, NULL, family, addr, choices, &ex), 0);
		inet_ntop(family, addr, text, sizeof(text));
		if (!same_order(list, &ex))
			fail_msg("%s: trie and explain disagree", text);
		/* flip random bits after the scope */
		memcpy(other, addr, 16);
		for (unsigned b = scope; b < bits; b++)
			if (next_random(&seed) & 1)
				other[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
		assert_int_equal(geo_explain(f->db, test_dcs, &f->rules, NULL, family, other,
					     other_choices, &other_ex),
				 0);
		if (!same_order(list, &other_ex)) {
			char text2[INET6_ADDRSTRLEN];
			inet_ntop(family, other, text2, sizeof(text2));
			fail_msg("%s scope /%u, but %s differs", text, scope, text2);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_explain_map_rule_with_distances),
	    cmocka_unit_test(test_explain_nets_rule_then_default_order),
	    cmocka_unit_test(test_explain_unknown_client),
	    cmocka_unit_test(test_explain_ipv6_rule_inside_6to4_beats_ipv4),
	    cmocka_unit_test(test_trie_agrees_with_explain_and_scope_holds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
