/* SPDX-License-Identifier: MIT */
/* test_geo_trie.c -- (address, source prefix) -> (datacenter order, scope) tables */
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

/* One lookup and what it must give. */
typedef struct {
	const char *name;    /* what the row shows */
	const char *address; /* IPv4 or IPv6 text */
	unsigned source;     /* ECS source prefix */
	const char *order;   /* expected datacenter names, comma separated */
	unsigned scope;	     /* expected ECS scope */
} row_t;

static void order_text(const geo_list_t *list, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < list->count && pos < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? "," : "",
					test_dcs[list->dc[i]].name);
}

static void run_rows(const char *db_name, const geo_rules_t *rules, const row_t *rows, size_t n)
{
	char err[512] = "";
	geo_db_t *db = geo_db_open(test_db_path(db_name), err, sizeof(err));
	if (!db)
		fail_msg("%s", err);
	geo_trie_t *t = geo_trie_build(db, test_dcs, DC_COUNT, rules, err, sizeof(err));
	if (!t)
		fail_msg("%s", err);
	int failures = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t addr[16];
		int family = strchr(rows[i].address, ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(family, rows[i].address, addr), 1);
		const geo_list_t *list;
		unsigned scope;
		char got[256];
		assert_int_equal(geo_trie_lookup(t, family, addr, rows[i].source, &list, &scope),
				 0);
		order_text(list, got, sizeof(got));
		if (strcmp(got, rows[i].order) != 0 || scope != rows[i].scope) {
			print_message("row \"%s\" %s/%u: want %s scope %u, got %s scope %u\n",
				      rows[i].name, rows[i].address, rows[i].source, rows[i].order,
				      rows[i].scope, got, scope);
			failures++;
		}
	}
	geo_trie_free(t);
	geo_db_free(db);
	assert_int_equal(failures, 0);
}

/* Record "r1": three candidates, a default order no distance ranking produces (so no-
 * record networks never merge with located ones by accident), two map rules, nets. */
static const size_t r1_candidates[] = {US_EAST, EU_WEST, AP_SOUTH};
static const size_t r1_default[] = {EU_WEST, AP_SOUTH, US_EAST};
static const size_t only_us[] = {US_EAST};
static const size_t only_ap[] = {AP_SOUTH};
static const geo_map_rule_t r1_map[] = {
    {"AS/CN", only_us, 1, 0},
    {"NA/US/CA", only_ap, 1, 0},
};
static geo_net_rule_t r1_nets[] = {
    {"10.0.0.0/8", 0, {0}, 0, only_us, 1, 0},	{"10.1.0.0/16", 0, {0}, 0, only_ap, 1, 0},
    {"50.114.128.0/17", 0, {0}, 0, only_ap, 1, 0}, {"2001:db8::/32", 0, {0}, 0, only_us, 1, 0},
    {"2001:db8:1::/48", 0, {0}, 0, only_ap, 1, 0},
};

static geo_rules_t r1_rules(void)
{
	char err[128];
	for (size_t i = 0; i < M_ARRAY_LEN(r1_nets); i++)
		assert_int_equal(geo_net_parse(r1_nets[i].key, &r1_nets[i].family, r1_nets[i].addr,
					       &r1_nets[i].prefix, err, sizeof(err)),
				 0);
	return (geo_rules_t){r1_candidates,	   3,	       r1_map, M_ARRAY_LEN(r1_map), r1_nets,
			     M_ARRAY_LEN(r1_nets), r1_default, 3};
}

#define US_EU_AP "us-east,eu-west,ap-south"
#define EU_US_AP "eu-west,us-east,ap-south"
#define EU_AP_US "eu-west,ap-south,us-east"
#define AP_EU_US "ap-south,eu-west,us-east"
#define AP_US_EU "ap-south,us-east,eu-west"
#define US_AP_EU "us-east,ap-south,eu-west"

static void test_distance_orders_ipv4_networks(void **state)
{
	static const row_t rows[] = {
	    {"london", "81.2.69.1", 32, EU_US_AP, 24},
	    {"stockholm", "89.160.20.5", 32, EU_US_AP, 24},
	    {"ashburn", "67.43.156.10", 32, US_EU_AP, 24},
	    {"bogota", "186.30.236.1", 32, US_EU_AP, 24},
	    {"manila", "202.196.224.1", 32, AP_EU_US, 20},
	    {"australia", "1.128.0.1", 32, AP_EU_US, 11},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_distance_orders_ipv6_networks(void **state)
{
	static const row_t rows[] = {
	    {"tokyo", "2001:218::1", 128, AP_EU_US, 32},
	    {"tokyo /56", "2001:218:0:1::", 56, AP_EU_US, 32},
	    {"ashburn v6", "2600:1f00::1", 128, US_EU_AP, 24},
	    {"johannesburg", "2c0f:ff40::1", 128, AP_EU_US, 26},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_map_rules_most_specific_wins(void **state)
{
	static const row_t rows[] = {
	    /* AS/CN lists us-east; the rest of the candidates follow by distance */
	    {"changchun AS/CN", "175.16.199.1", 32, US_AP_EU, 24},
	    /* NA/US/CA beats plain distance inside the part no nets rule covers */
	    {"san jose NA/US/CA", "50.114.1.1", 32, AP_US_EU, 17},
	    /* ashburn is NA/US/VA: no rule, distance */
	    {"ashburn no rule", "67.43.156.1", 32, US_EU_AP, 24},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_nets_rules_most_specific_wins(void **state)
{
	static const row_t rows[] = {
	    /* nets list first, then the default order (nets decide by address alone) */
	    {"10/8", "10.2.3.4", 32, US_EU_AP, 15},
	    {"10.1/16 beats 10/8", "10.1.2.3", 32, AP_EU_US, 16},
	    {"nets cut into a database network", "50.114.200.1", 32, AP_EU_US, 17},
	    {"v6 /32", "2001:db8:5::1", 128, US_EU_AP, 46},
	    {"v6 /48 beats /32", "2001:db8:1::1", 128, AP_EU_US, 48},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_missing_location_uses_default_order(void **state)
{
	static const row_t rows[] = {
	    /* country-only records merge with no-record space: same list */
	    {"gibraltar no coordinates", "217.65.48.1", 32, EU_AP_US, 4},
	    {"japan no coordinates", "111.235.160.1", 32, EU_AP_US, 3},
	    {"brazil v6 no coordinates", "2804:1::1", 128, EU_AP_US, 7},
	    {"no record", "81.2.68.1", 32, EU_AP_US, 24},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_candidate_without_location_goes_last(void **state)
{
	static const size_t cands[] = {LAB, US_EAST, EU_WEST};
	static const row_t rows[] = {
	    {"london", "81.2.69.1", 32, "eu-west,us-east,lab", 24},
	    {"no record: candidate order", "81.2.68.1", 32, "lab,us-east,eu-west", 24},
	};
	geo_rules_t r = {cands, 3, NULL, 0, NULL, 0, NULL, 0};
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_ties_keep_candidate_order(void **state)
{
	static const size_t east_first[] = {TIE_EAST, TIE_WEST};
	static const size_t west_first[] = {TIE_WEST, TIE_EAST};
	static const row_t east_rows[] = {
	    {"tie, east listed first", "41.0.0.1", 32, "tie-east,tie-west", 24}};
	static const row_t west_rows[] = {
	    {"tie, west listed first", "41.0.0.1", 32, "tie-west,tie-east", 24}};
	/* the default order is the reverse, so the tie network does not merge with no-record space
	 */
	geo_rules_t east = {east_first, 2, NULL, 0, NULL, 0, west_first, 2};
	geo_rules_t west = {west_first, 2, NULL, 0, NULL, 0, east_first, 2};
	(void)state;
	run_rows("test-city.mmdb", &east, east_rows, 1);
	run_rows("test-city.mmdb", &west, west_rows, 1);
}

static void test_equal_neighbours_merge_into_supernet(void **state)
{
	static const row_t rows[] = {
	    /* London /25 and Manchester /25: two records, one answer, one /24 */
	    {"london half", "81.2.69.1", 32, EU_US_AP, 24},
	    {"manchester half", "81.2.69.200", 32, EU_US_AP, 24},
	    {"source /24", "81.2.69.0", 24, EU_US_AP, 24},
	    /* Oslo /30 and Bergen /30 become 2a02:cf40::/29 */
	    {"oslo", "2a02:cf40::1", 128, EU_US_AP, 29},
	    {"bergen", "2a02:cf47:ffff::1", 128, EU_US_AP, 29},
	    {"bergen source /32", "2a02:cf45::", 32, EU_US_AP, 29},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_scope_exceeds_short_source_prefix(void **state)
{
	static const row_t rows[] = {
	    /* 81.2.0.0/16 does not decide: answer for 81.2.0.0 with the leaf's /18 */
	    {"source /16 too short", "81.2.69.1", 16, EU_AP_US, 18},
	    {"one bit given: 0.0.0.0/8 decides", "81.2.69.1", 1, EU_AP_US, 8},
	    {"source above 32 clamps", "81.2.69.1", 40, EU_US_AP, 24},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_ipv6_forms_look_up_the_ipv4_they_carry(void **state)
{
	static const row_t rows[] = {
	    {"mapped", "::ffff:81.2.69.1", 128, EU_US_AP, 120},
	    {"mapped /112 source", "::ffff:81.2.69.1", 112, EU_AP_US, 114},
	    {"compatible", "::81.2.69.1", 128, EU_US_AP, 120},
	    {"nat64", "64:ff9b::5102:4501", 128, EU_US_AP, 120},
	    {"6to4", "2002:5102:4501::1", 128, EU_US_AP, 40},
	    {"6to4 /48 source", "2002:5102:4501::", 48, EU_US_AP, 40},
	    {"6to4 /32 source", "2002:5102:4501::", 32, EU_AP_US, 34},
	    {"6to4 nets", "2002:0a01:0203::", 48, AP_EU_US, 32},
	    /* Teredo client 81.2.69.1 is stored complemented in the last 32 bits */
	    {"teredo", "2001:0:4136:e378:8000:63bf:aefd:bafe", 128, EU_US_AP, 120},
	    /* without the client bits the zero-filled address means client 255.255.255.255 */
	    {"teredo /64 source", "2001:0:4136:e378::", 64, EU_AP_US, 99},
	    {"mapped v4 nets", "::ffff:10.1.0.1", 128, AP_EU_US, 112},
	    {"unspecified is not compatible", "::", 128, EU_AP_US, 127},
	    {"loopback is not compatible", "::1", 128, EU_AP_US, 127},
	    {"::2 is compatible (0.0.0.2)", "::2", 128, EU_AP_US, 127},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_ipv4_only_database(void **state)
{
	static const row_t rows[] = {
	    {"london", "81.2.69.1", 32, EU_US_AP, 24},
	    {"mapped", "::ffff:81.2.69.1", 128, EU_US_AP, 120},
	    {"tokyo has no record here", "2001:218::1", 128, EU_AP_US, 23},
	};
	geo_rules_t r = r1_rules();
	(void)state;
	run_rows("test-city-v4.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_country_database_works_through_map(void **state)
{
	static const size_t eu[] = {EU_WEST}, na[] = {US_EAST}, as[] = {AP_SOUTH};
	static const geo_map_rule_t map[] = {
	    {"EU", eu, 1, 0},
	    {"NA", na, 1, 0},
	    {"as", as, 1, 0},
	    {"AS/CN", eu, 1, 0},
	};
	static const row_t rows[] = {
	    {"EU", "81.2.69.1", 32, EU_US_AP, 24},
	    {"NA equals no-record order", "67.43.156.1", 32, US_EU_AP, 4},
	    {"AS/CN beats AS", "175.16.199.1", 32, EU_US_AP, 24},
	    {"AS (lower-case key)", "202.196.224.1", 32, "ap-south,us-east,eu-west", 20},
	    {"AS v6", "2001:218::1", 128, "ap-south,us-east,eu-west", 32},
	    {"no record", "89.160.20.5", 32, US_EU_AP, 5},
	};
	geo_rules_t r = {r1_candidates, 3, map, M_ARRAY_LEN(map), NULL, 0, NULL, 0};
	(void)state;
	run_rows("test-country.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_single_candidate_has_scope_zero(void **state)
{
	static const row_t rows[] = {
	    {"v4", "81.2.69.1", 32, "us-east", 0},
	    {"v6", "2001:218::1", 128, "us-east", 0},
	};
	geo_rules_t r = {only_us, 1, NULL, 0, NULL, 0, NULL, 0};
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

/* Record "strides": nets rules ending on, just before and inside the lookup's 6-bit
 * strides (the tables take 16 bits, then nodes at 16, 22, 28, ... for IPv4 and on to
 * 124 for IPv6), so every leaf depth a stride can hold is checked, with source prefixes
 * that end inside a stride. */
static const size_t strides_candidates[] = {US_EAST, EU_WEST, AP_SOUTH};
static const size_t only_eu[] = {EU_WEST};
static geo_net_rule_t strides_nets[] = {
    {"198.51.96.0/19", 0, {0}, 0, only_eu, 1, 0},	   {"198.51.100.0/22", 0, {0}, 0, only_us, 1, 0},
    {"198.51.100.0/28", 0, {0}, 0, only_ap, 1, 0},	   {"198.51.100.16/32", 0, {0}, 0, only_eu, 1, 0},
    {"2001:db8:1::/48", 0, {0}, 0, only_eu, 1, 0},	   {"2001:db8:1::/124", 0, {0}, 0, only_ap, 1, 0},
    {"2001:db8:1::10/128", 0, {0}, 0, only_us, 1, 0},
};

static geo_rules_t strides_rules(void)
{
	char err[128];
	for (size_t i = 0; i < M_ARRAY_LEN(strides_nets); i++)
		assert_int_equal(geo_net_parse(strides_nets[i].key, &strides_nets[i].family,
					       strides_nets[i].addr, &strides_nets[i].prefix, err,
					       sizeof(err)),
				 0);
	return (geo_rules_t){
	    strides_candidates, 3, NULL, 0, strides_nets, M_ARRAY_LEN(strides_nets),
	    strides_candidates, 3};
}

static void test_scope_exact_at_every_stride_depth(void **state)
{
	static const row_t rows[] = {
	    /* the /19 less the /22 hole: leaves at 20, 21 and the boundary 22 */
	    {"v4 leaf /20", "198.51.112.1", 32, EU_US_AP, 20},
	    {"v4 leaf /21", "198.51.104.1", 32, EU_US_AP, 21},
	    {"v4 leaf /22 (stride boundary)", "198.51.96.1", 32, EU_US_AP, 22},
	    {"v4 leaf /23", "198.51.102.5", 32, US_EU_AP, 23},
	    {"v4 leaf /25", "198.51.100.200", 32, US_EU_AP, 25},
	    {"v4 leaf /26", "198.51.100.64", 32, US_EU_AP, 26},
	    {"v4 leaf /27", "198.51.100.32", 32, US_EU_AP, 27},
	    {"v4 leaf /28 (stride boundary)", "198.51.100.5", 32, AP_US_EU, 28},
	    {"v4 leaf /29", "198.51.100.24", 32, US_EU_AP, 29},
	    {"v4 leaf /30", "198.51.100.20", 32, US_EU_AP, 30},
	    {"v4 leaf /31", "198.51.100.18", 32, US_EU_AP, 31},
	    {"v4 leaf /32", "198.51.100.16", 32, EU_US_AP, 32},
	    {"v4 /32 sibling", "198.51.100.17", 32, US_EU_AP, 32},
	    /* the /48 less the /124 hole: leaves at 49, 123, 124 (boundary), 127, 128 */
	    {"v6 leaf /49", "2001:db8:1:8000::1", 128, EU_US_AP, 49},
	    {"v6 leaf /123", "2001:db8:1::20", 128, EU_US_AP, 123},
	    {"v6 leaf /124 (stride boundary)", "2001:db8:1::1", 128, AP_US_EU, 124},
	    {"v6 leaf /127", "2001:db8:1::12", 128, EU_US_AP, 127},
	    {"v6 leaf /128", "2001:db8:1::10", 128, US_EU_AP, 128},
	    {"v6 /128 sibling", "2001:db8:1::11", 128, EU_US_AP, 128},
	};
	geo_rules_t r = strides_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

static void test_source_prefix_inside_a_stride(void **state)
{
	static const row_t rows[] = {
	    /* the bits past the source prefix count as zero, wherever the stride cuts */
	    {"v4 /26 source, leaf /28", "198.51.100.5", 26, AP_US_EU, 28},
	    {"v4 /24 source picks .0", "198.51.100.17", 24, AP_US_EU, 28},
	    {"v4 /31 source picks .16", "198.51.100.17", 31, EU_US_AP, 32},
	    {"v4 /20 source picks 96.0", "198.51.100.200", 20, EU_US_AP, 22},
	    {"v4 /23 source, leaf /20", "198.51.127.255", 23, EU_US_AP, 20},
	    {"v4 /25 source inside the /22", "198.51.101.255", 25, US_EU_AP, 24},
	    {"v6 /64 source, leaf /124", "2001:db8:1::1", 64, AP_US_EU, 124},
	    {"v6 /120 source picks ::0", "2001:db8:1::11", 120, AP_US_EU, 124},
	    {"v6 /127 source picks ::10", "2001:db8:1::11", 127, US_EU_AP, 128},
	    {"v6 /126 source picks ::10/127", "2001:db8:1::13", 126, US_EU_AP, 128},
	    {"v6 /50 source, leaf /49", "2001:db8:1:ffff::1", 50, EU_US_AP, 49},
	};
	geo_rules_t r = strides_rules();
	(void)state;
	run_rows("test-city.mmdb", &r, rows, M_ARRAY_LEN(rows));
}

/* A batch gives each query exactly what geo_trie_lookup() gives it: random IPv4,
 * native IPv6, every IPv6 form carrying IPv4, random source prefixes, a batch size that
 * is not a multiple of the lockstep width, and a bad family in the middle. */
static void test_batch_lookup_matches_single_lookups(void **state)
{
	static const struct {
		uint8_t prefix[12]; /* the form's first bytes */
		size_t len;	    /* how many of them to copy over the random address */
	} forms[] = {
	    {{0}, 12},					      /* ::a.b.c.d (compatible) */
	    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 12}, /* ::ffff:a.b.c.d (mapped) */
	    {{0, 0x64, 0xff, 0x9b}, 12},		      /* 64:ff9b::a.b.c.d (NAT64) */
	    {{0x20, 0x02}, 2},				      /* 2002::/16 (6to4) */
	    {{0x20, 0x01, 0, 0}, 4},			      /* 2001::/32 (Teredo) */
	};
	static const uint8_t cut4[] = {198, 51, 100}, cut6[] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};
	enum { N = 1000 };
	static uint8_t addrs[N][16];
	static geo_trie_query_t q[N];
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char err[512] = "";
	geo_rules_t r = r1_rules();
	geo_rules_t s = strides_rules();
	(void)state;
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	if (!db)
		fail_msg("%s", err);
	for (int which = 0; which < 2; which++) {
		geo_trie_t *t =
		    geo_trie_build(db, test_dcs, DC_COUNT, which ? &s : &r, err, sizeof(err));
		if (!t)
			fail_msg("%s", err);
		for (size_t i = 0; i < N; i++) {
			for (size_t k = 0; k < 16; k++) {
				seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
				addrs[i][k] = (uint8_t)seed;
			}
			unsigned kind = (unsigned)(seed >> 40) % 8; /* 0-2 IPv4, 3-7 IPv6 */
			q[i].family = kind < 3 ? AF_INET : AF_INET6;
			if (kind >= 3 && (seed >> 50) % 2) /* half of the IPv6 ones in a form */
				memcpy(addrs[i], forms[kind - 3].prefix, forms[kind - 3].len);
			if (i % 7 == 0) /* inside the networks the strides rules cut up */
				memcpy(addrs[i], q[i].family == AF_INET ? cut4 : cut6,
				       q[i].family == AF_INET ? sizeof(cut4) : sizeof(cut6));
			q[i].addr = addrs[i];
			q[i].source_prefix =
			    (unsigned)(seed >> 20) % (q[i].family == AF_INET ? 33 : 129);
			if (i <
			    8) { /* ::0.0.0.i: compatible-form grafts deeper than the IPv4 leaf */
				q[i].family = AF_INET6;
				memset(addrs[i], 0, 16);
				addrs[i][15] = (uint8_t)(i + 2);
				q[i].source_prefix = 128 - (unsigned)i;
			}
			if (i == 500)
				q[i].family = AF_UNIX;
		}
		geo_trie_lookup_batch(t, q, N - 3);
		for (size_t i = 0; i < N - 3; i++) {
			const geo_list_t *list;
			unsigned scope;
			int rc = geo_trie_lookup(t, q[i].family, q[i].addr, q[i].source_prefix,
						 &list, &scope);
			assert_int_equal(q[i].rc, rc);
			if (rc == 0) {
				assert_ptr_equal(q[i].list, list);
				assert_int_equal(q[i].scope, scope);
			}
		}
		assert_int_equal(q[500].rc, -1);
		geo_trie_free(t);
	}
	geo_db_free(db);
}

static void test_lookup_rejects_bad_family(void **state)
{
	char err[256];
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	geo_rules_t r = r1_rules();
	const geo_list_t *list;
	unsigned scope;
	uint8_t addr[16] = {0};
	(void)state;
	assert_non_null(db);
	geo_trie_t *t = geo_trie_build(db, test_dcs, DC_COUNT, &r, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(geo_trie_lookup(t, AF_UNIX, addr, 32, &list, &scope), -1);
	geo_trie_free(t);
	geo_db_free(db);
}

static void test_set_shares_tries_of_equal_records(void **state)
{
	char err[256];
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	geo_rules_t rules[3] = {r1_rules(), {only_us, 1, NULL, 0, NULL, 0, NULL, 0}, r1_rules()};
	(void)state;
	assert_non_null(db);
	geo_set_t *set = geo_set_build(db, test_dcs, DC_COUNT, rules, 3, err, sizeof(err));
	assert_non_null(set);
	assert_int_equal(geo_set_distinct(set), 2);
	assert_ptr_equal(geo_set_trie(set, 0), geo_set_trie(set, 2));
	assert_ptr_not_equal(geo_set_trie(set, 0), geo_set_trie(set, 1));
	geo_set_free(set);
	geo_db_free(db);
}

static void test_set_reports_bad_rules(void **state)
{
	static const size_t bad[] = {99};
	static const geo_map_rule_t badmap[] = {{"Europe", only_us, 1, 0}};
	char err[256];
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	geo_rules_t rules[2] = {{only_us, 1, NULL, 0, NULL, 0, NULL, 0},
				{bad, 1, NULL, 0, NULL, 0, NULL, 0}};
	(void)state;
	assert_non_null(db);
	assert_null(geo_set_build(db, test_dcs, DC_COUNT, rules, 2, err, sizeof(err)));
	assert_string_equal(err, "record 1: candidate 0: datacenter index 99 out of range");
	rules[1] = (geo_rules_t){only_us, 1, badmap, 1, NULL, 0, NULL, 0};
	assert_null(geo_set_build(db, test_dcs, DC_COUNT, rules, 2, err, sizeof(err)));
	assert_string_equal(
	    err,
	    "record 1: map key \"Europe\": want CONTINENT[/COUNTRY[/SUBDIVISION]], e.g. EU/IE");
	rules[1] = (geo_rules_t){only_us, 0, NULL, 0, NULL, 0, NULL, 0};
	assert_null(geo_set_build(db, test_dcs, DC_COUNT, rules, 2, err, sizeof(err)));
	assert_string_equal(err, "record 1: a geo record needs 1..65535 candidate datacenters");
	geo_db_free(db);
}

static void test_set_threads_share_and_report_first_failure(void **state)
{
	static const size_t bad[] = {99}, two[] = {EU_WEST, US_EAST};
	char err[256];
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	geo_rules_t rules[6] = {
	    r1_rules(),
	    {only_us, 1, NULL, 0, NULL, 0, NULL, 0},
	    {two, 2, NULL, 0, NULL, 0, NULL, 0},
	    r1_rules(),
	    {only_us, 1, NULL, 0, NULL, 0, NULL, 0},
	    {two, 2, NULL, 0, NULL, 0, NULL, 0},
	};
	(void)state;
	assert_non_null(db);
	geo_set_t *set =
	    geo_set_build_threads(db, test_dcs, DC_COUNT, rules, 6, 4, err, sizeof(err));
	assert_non_null(set);
	assert_int_equal(geo_set_distinct(set), 3);
	for (size_t i = 0; i < 3; i++)
		assert_ptr_equal(geo_set_trie(set, i), geo_set_trie(set, i + 3));
	const geo_list_t *list;
	unsigned scope;
	uint8_t london[4] = {81, 2, 69, 1};
	assert_int_equal(geo_trie_lookup(geo_set_trie(set, 2), AF_INET, london, 32, &list, &scope),
			 0);
	assert_int_equal(list->dc[0], EU_WEST);
	geo_set_free(set);
	rules[4] = (geo_rules_t){bad, 1, NULL, 0, NULL, 0, NULL, 0};
	rules[5] = (geo_rules_t){two, 0, NULL, 0, NULL, 0, NULL, 0};
	assert_null(geo_set_build_threads(db, test_dcs, DC_COUNT, rules, 6, 0, err, sizeof(err)));
	assert_string_equal(err, "record 4: candidate 0: datacenter index 99 out of range");
	geo_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_distance_orders_ipv4_networks),
	    cmocka_unit_test(test_distance_orders_ipv6_networks),
	    cmocka_unit_test(test_map_rules_most_specific_wins),
	    cmocka_unit_test(test_nets_rules_most_specific_wins),
	    cmocka_unit_test(test_missing_location_uses_default_order),
	    cmocka_unit_test(test_candidate_without_location_goes_last),
	    cmocka_unit_test(test_ties_keep_candidate_order),
	    cmocka_unit_test(test_equal_neighbours_merge_into_supernet),
	    cmocka_unit_test(test_scope_exceeds_short_source_prefix),
	    cmocka_unit_test(test_ipv6_forms_look_up_the_ipv4_they_carry),
	    cmocka_unit_test(test_ipv4_only_database),
	    cmocka_unit_test(test_country_database_works_through_map),
	    cmocka_unit_test(test_single_candidate_has_scope_zero),
	    cmocka_unit_test(test_scope_exact_at_every_stride_depth),
	    cmocka_unit_test(test_source_prefix_inside_a_stride),
	    cmocka_unit_test(test_batch_lookup_matches_single_lookups),
	    cmocka_unit_test(test_lookup_rejects_bad_family),
	    cmocka_unit_test(test_set_shares_tries_of_equal_records),
	    cmocka_unit_test(test_set_reports_bad_rules),
	    cmocka_unit_test(test_set_threads_share_and_report_first_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
