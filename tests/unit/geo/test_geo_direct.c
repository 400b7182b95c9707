/* SPDX-License-Identifier: MIT */
/* test_geo_direct.c -- the direct lookup against the compiled trie, address by address */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <maxminddb.h>

#include "tests/unit/geo/geo_test_util.h"

/* Rule sets the direct lookup is compared under (one trie each). */
static const size_t three[] = {US_EAST, EU_WEST, AP_SOUTH};
static const size_t all_dcs[] = {US_EAST, EU_WEST, AP_SOUTH, TIE_WEST, TIE_EAST, LAB};
static const size_t default_order[] = {EU_WEST, AP_SOUTH, US_EAST};
static const size_t lab_first[] = {LAB, AP_SOUTH, US_EAST, EU_WEST, TIE_EAST, TIE_WEST};
static const size_t only_us[] = {US_EAST};
static const size_t only_eu[] = {EU_WEST};
static const size_t only_ap[] = {AP_SOUTH};
static const size_t ap_lab[] = {AP_SOUTH, LAB};
static const geo_map_rule_t maps[] = {
    {"AS/CN", only_us, 1, 0}, {"NA/US/CA", only_ap, 1, 0}, {"EU", only_us, 1, 0},
    {"EU/GB", ap_lab, 2, 0},  {"AF/NG", only_eu, 1, 0},    {"AS/JP/13", only_eu, 1, 0},
};
/* nets rules inside database networks, around them, nested, and in every IPv6 form */
static geo_net_rule_t nets[] = {
    {"10.0.0.0/8", 0, {0}, 0, only_us, 1, 0},
    {"10.1.0.0/16", 0, {0}, 0, only_ap, 1, 0},
    {"50.114.128.0/17", 0, {0}, 0, only_ap, 1, 0},
    {"50.114.200.0/24", 0, {0}, 0, only_eu, 1, 0},
    {"81.2.69.64/26", 0, {0}, 0, only_ap, 1, 0},
    {"81.2.69.200/32", 0, {0}, 0, only_eu, 1, 0},
    {"89.160.0.0/16", 0, {0}, 0, ap_lab, 2, 0},
    {"1.130.0.0/15", 0, {0}, 0, only_eu, 1, 0},
    {"0.0.0.0/31", 0, {0}, 0, only_ap, 1, 0},
    {"2001:db8::/32", 0, {0}, 0, only_us, 1, 0},
    {"2001:db8:1::/48", 0, {0}, 0, only_ap, 1, 0},
    {"2001:218:8000::/33", 0, {0}, 0, only_us, 1, 0},
    {"2a02:cf44::/31", 0, {0}, 0, only_ap, 1, 0},
    {"::ffff:81.2.69.0/121", 0, {0}, 0, only_us, 1, 0},
    {"64:ff9b::/64", 0, {0}, 0, only_eu, 1, 0},
    {"2002:5102:4580::/41", 0, {0}, 0, only_eu, 1, 0},
    {"2001:0:4136::/48", 0, {0}, 0, only_ap, 1, 0},
    {"::/100", 0, {0}, 0, only_eu, 1, 0},
    {"::/0", 0, {0}, 0, ap_lab, 2, 0},
};

enum { RULES_MAPS_NETS, RULES_DISTANCE, RULES_NO_DEFAULT, RULES_COUNT };

static geo_rules_t rule_set(int which)
{
	char err[128];
	for (size_t i = 0; i < M_ARRAY_LEN(nets); i++)
		assert_int_equal(geo_net_parse(nets[i].key, &nets[i].family, nets[i].addr,
					       &nets[i].prefix, err, sizeof(err)),
				 0);
	switch (which) {
	case RULES_MAPS_NETS:
		return (geo_rules_t){
		    three, 3, maps, M_ARRAY_LEN(maps), nets, M_ARRAY_LEN(nets), default_order, 3};
	case RULES_DISTANCE:
		return (geo_rules_t){all_dcs, M_ARRAY_LEN(all_dcs), NULL, 0, NULL, 0, NULL, 0};
	default: /* every datacenter, nets but the last (::/0), map, lab first by default */
		return (geo_rules_t){
		    all_dcs, M_ARRAY_LEN(all_dcs),  maps,      M_ARRAY_LEN(maps),
		    nets,    M_ARRAY_LEN(nets) - 1, lab_first, M_ARRAY_LEN(lab_first)};
	}
}

/* Deterministic pseudo-random numbers (xorshift64), so a failure repeats. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The addresses compared: database networks and nets rules at their edges and just
 * outside, the IPv6 forms of the IPv4 ones, :: and its neighbours, and random ones. */
typedef struct {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network order */
} client_t;

#define CLIENTS_MAX 8192

static const char *const seeds[] = {
    "81.2.69.0/25",   "81.2.69.128/25",	 "89.160.20.0/24",  "217.65.48.0/24",	 "67.43.156.0/24",
    "50.114.0.0/16",  "186.30.236.0/24", "175.16.199.0/24", "202.196.224.0/20",	 "111.235.160.0/24",
    "41.0.0.0/24",    "1.128.0.0/11",	 "2001:218::/32",   "2a02:cf40::/30",	 "2a02:cf44::/30",
    "2600:1f00::/24", "2804:1::/32",	 "2c0f:ff40::/26",  "0.0.0.0/8",	 "::/126",
    "2001::/32",      "2002::/16",	 "64:ff9b::/96",    "::ffff:0.0.0.0/96",
};

static void add(client_t *c, size_t *n, int family, const uint8_t *addr)
{
	if (*n >= CLIENTS_MAX)
		return;
	c[*n].family = family;
	memset(c[*n].addr, 0, 16);
	memcpy(c[*n].addr, addr, family == AF_INET ? 4 : 16);
	(*n)++;
}

/* Adds the first and last address of net, their neighbours outside it, and its IPv6
 * forms when it is IPv4. */
static void add_edges(client_t *c, size_t *n, int family, const uint8_t *net, unsigned prefix)
{
	unsigned len = family == AF_INET ? 4 : 16, bits = len * 8;
	uint8_t lo[16], hi[16];

	memcpy(lo, net, 16);
	memcpy(hi, net, 16);
	for (unsigned b = prefix; b < bits; b++)
		hi[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	uint8_t edge[4][16];
	memcpy(edge[0], lo, 16);
	memcpy(edge[1], hi, 16);
	memcpy(edge[2], lo, 16);
	memcpy(edge[3], hi, 16);
	for (int i = (int)len - 1; i >= 0 && edge[2][i]-- == 0; i--) /* lo - 1 */
		;
	for (int i = (int)len - 1; i >= 0 && ++edge[3][i] == 0; i--) /* hi + 1 */
		;
	for (int e = 0; e < 4; e++) {
		add(c, n, family, edge[e]);
		if (family != AF_INET)
			continue;
		for (int f = GEO_FORM_MAPPED; f < GEO_FORM_COUNT; f++) {
			uint8_t v6[16];
			memcpy(v6, geo_forms[f].prefix, 16);
			for (unsigned i = 0; i < 4; i++)
				v6[geo_forms[f].v4_offset / 8 + i] =
				    geo_forms[f].inverted ? (uint8_t)~edge[e][i] : edge[e][i];
			if (f == GEO_FORM_TEREDO)
				v6[4] = (uint8_t)rng(); /* server bits: anything */
			add(c, n, AF_INET6, v6);
		}
	}
}

static size_t make_clients(client_t *c)
{
	size_t n = 0;
	char err[128];

	for (size_t i = 0; i < M_ARRAY_LEN(seeds); i++) {
		int family;
		uint8_t addr[16];
		unsigned prefix;
		assert_int_equal(geo_net_parse(seeds[i], &family, addr, &prefix, err, sizeof(err)),
				 0);
		add_edges(c, &n, family, addr, prefix);
	}
	for (size_t i = 0; i < M_ARRAY_LEN(nets); i++)
		add_edges(c, &n, nets[i].family, nets[i].addr, nets[i].prefix);
	/* random addresses near the seeds (same first bytes) and anywhere */
	while (n < CLIENTS_MAX) {
		client_t r = {0};
		const client_t *near = &c[rng() % n];
		r.family = near->family;
		memcpy(r.addr, near->addr, 16);
		unsigned keep = (unsigned)(rng() % (r.family == AF_INET ? 5 : 17));
		for (unsigned i = keep; i < (r.family == AF_INET ? 4u : 16u); i++)
			r.addr[i] = (uint8_t)rng();
		add(c, &n, r.family, r.addr);
	}
	return n;
}

static void order_text(const uint16_t *dc, size_t count, char *buf, size_t len)
{
	size_t pos = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < count && pos < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? "," : "",
					test_dcs[dc[i]].name);
}

static void choices_text(const geo_choice_t *ch, size_t count, char *buf, size_t len)
{
	uint16_t dc[DC_COUNT * 2];
	for (size_t i = 0; i < count && i < M_ARRAY_LEN(dc); i++)
		dc[i] = (uint16_t)ch[i].dc;
	order_text(dc, count, buf, len);
}

/* Looks every client up in the trie and directly, with the full source prefix and a
 * random shorter one, and counts disagreements: order unequal, or direct scope outside
 * [trie scope, family length]. With check_inside, also looks up random addresses inside
 * client/direct scope in the trie: all must get the client's order. */
static int compare(const char *db_name, int which, bool check_inside)
{
	static client_t clients[CLIENTS_MAX];
	char err[512] = "";
	geo_rules_t rules = rule_set(which);
	geo_db_t *db = geo_db_open(test_db_path(db_name), err, sizeof(err));
	if (!db)
		fail_msg("%s", err);
	geo_trie_t *t = geo_trie_build(db, test_dcs, DC_COUNT, &rules, err, sizeof(err));
	if (!t)
		fail_msg("%s", err);
	geo_direct_t *d = geo_direct_open(test_db_path(db_name), err, sizeof(err));
	if (!d)
		fail_msg("%s", err);
	geo_choice_t out[DC_COUNT * 2];
	assert_true(geo_order_max(&rules) <= M_ARRAY_LEN(out));
	size_t n = make_clients(clients);
	int failures = 0;
	for (size_t i = 0; i < n && failures < 20; i++) {
		const client_t *c = &clients[i];
		unsigned bits = c->family == AF_INET ? 32 : 128;
		unsigned sources[2] = {bits, (unsigned)(rng() % (bits + 1))};
		for (int s = 0; s < 2; s++) {
			const geo_list_t *list;
			unsigned ts, ds;
			size_t count;
			char want[256], got[256], text[64];
			assert_int_equal(
			    geo_trie_lookup(t, c->family, c->addr, sources[s], &list, &ts), 0);
			if (geo_direct_lookup(d, test_dcs, &rules, c->family, c->addr, sources[s],
					      out, &count, &ds, err, sizeof(err)) < 0)
				fail_msg("%s", err);
			order_text(list->dc, list->count, want, sizeof(want));
			choices_text(out, count, got, sizeof(got));
			geo_net_format(c->family, c->addr, sources[s], text, sizeof(text));
			if (strcmp(want, got) != 0 || ds < ts || ds > bits) {
				print_message("%s rules %d %s: trie %s /%u, direct %s /%u\n",
					      db_name, which, text, want, ts, got, ds);
				failures++;
				continue;
			}
			if (!check_inside)
				continue;
			uint8_t base[16];
			geo_addr_mask(c->family, c->addr, sources[s], base);
			for (int k = 0; k < 8; k++) {
				uint8_t other[17] = {0};
				memcpy(other, base, bits / 8);
				for (unsigned b = ds; b < bits; b++)
					if (rng() & 1)
						other[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
				const geo_list_t *ol;
				unsigned os;
				assert_int_equal(
				    geo_trie_lookup(t, c->family, other, bits, &ol, &os), 0);
				order_text(ol->dc, ol->count, got, sizeof(got));
				if (strcmp(want, got) != 0) {
					geo_net_format(c->family, other, bits, text, sizeof(text));
					print_message(
					    "%s rules %d: scope /%u too wide: %s gets %s, "
					    "not %s\n",
					    db_name, which, ds, text, got, want);
					failures++;
					break;
				}
			}
		}
	}
	geo_direct_free(d);
	geo_trie_free(t);
	geo_db_free(db);
	return failures;
}

static void test_direct_matches_trie_city_maps_and_nets(void **state)
{
	(void)state;
	assert_int_equal(compare("test-city.mmdb", RULES_MAPS_NETS, false), 0);
}

static void test_direct_matches_trie_city_distance_only(void **state)
{
	(void)state;
	assert_int_equal(compare("test-city.mmdb", RULES_DISTANCE, false), 0);
}

static void test_direct_matches_trie_city_location_less_dcs(void **state)
{
	(void)state;
	assert_int_equal(compare("test-city.mmdb", RULES_NO_DEFAULT, false), 0);
}

static void test_direct_matches_trie_ipv4_only_database(void **state)
{
	(void)state;
	for (int which = 0; which < RULES_COUNT; which++)
		assert_int_equal(compare("test-city-v4.mmdb", which, false), 0);
}

static void test_direct_matches_trie_records_without_coordinates(void **state)
{
	(void)state;
	for (int which = 0; which < RULES_COUNT; which++)
		assert_int_equal(compare("test-country.mmdb", which, false), 0);
}

static void test_direct_scope_holds_for_every_address_inside(void **state)
{
	(void)state;
	assert_int_equal(compare("test-city.mmdb", RULES_MAPS_NETS, true), 0);
	assert_int_equal(compare("test-city-v4.mmdb", RULES_NO_DEFAULT, true), 0);
}

/* One lookup and what it must give: the tightest scopes the rules allow. */
typedef struct {
	const char *name;    /* what the row shows */
	const char *address; /* IPv4 or IPv6 text */
	unsigned source;     /* ECS source prefix */
	const char *order;   /* expected datacenter names, comma separated */
	unsigned scope;	     /* expected direct scope */
} row_t;

static void test_direct_scopes_around_nets_rules(void **state)
{
	static const row_t rows[] = {
	    {"london, network /25 holding the /26 rule", "81.2.69.1", 32,
	     "ap-south,lab,eu-west,us-east", 26},
	    {"inside the /26 rule", "81.2.69.70", 32, "ap-south,eu-west,us-east", 26},
	    {"manchester, next to the /32 rule", "81.2.69.201", 32, "ap-south,lab,eu-west,us-east",
	     32},
	    {"the /32 rule", "81.2.69.200", 32, "eu-west,ap-south,us-east", 32},
	    {"/8 rule less its /16", "10.2.0.1", 32, "us-east,eu-west,ap-south", 15},
	    {"mapped: IPv6 /121 rule", "::ffff:81.2.69.5", 128, "us-east,eu-west,ap-south", 121},
	    {"mapped: IPv4 record", "::ffff:81.2.69.130", 128, "ap-south,lab,eu-west,us-east", 122},
	    {"::1 with the ::/100 rule", "::1", 128, "eu-west,ap-south,us-east", 127},
	    {"native under ::/0", "2400::1", 128, "ap-south,lab,eu-west,us-east", 6},
	    {"6to4 under its /41 rule", "2002:5102:4590::", 48, "eu-west,ap-south,us-east", 41},
	};
	char err[512] = "";
	geo_rules_t rules = rule_set(RULES_MAPS_NETS);
	geo_direct_t *d = geo_direct_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	if (!d)
		fail_msg("%s", err);
	int failures = 0;
	for (size_t i = 0; i < M_ARRAY_LEN(rows); i++) {
		uint8_t addr[16];
		int family = strchr(rows[i].address, ':') ? AF_INET6 : AF_INET;
		geo_choice_t out[DC_COUNT * 2];
		size_t count;
		unsigned scope;
		char got[256];
		assert_int_equal(inet_pton(family, rows[i].address, addr), 1);
		assert_int_equal(geo_direct_lookup(d, test_dcs, &rules, family, addr,
						   rows[i].source, out, &count, &scope, err,
						   sizeof(err)),
				 0);
		choices_text(out, count, got, sizeof(got));
		if (strcmp(got, rows[i].order) != 0 || scope != rows[i].scope) {
			print_message("row \"%s\": want %s /%u, got %s /%u\n", rows[i].name,
				      rows[i].order, rows[i].scope, got, scope);
			failures++;
		}
	}
	geo_direct_free(d);
	assert_int_equal(failures, 0);
}

static void test_direct_locate_agrees_with_decoded_database(void **state)
{
	static client_t clients[CLIENTS_MAX];
	char err[512] = "";
	(void)state;
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	geo_direct_t *d = geo_direct_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	assert_non_null(db);
	assert_non_null(d);
	size_t n = make_clients(clients);
	for (size_t i = 0; i < n; i++) {
		geo_loc_t a, b;
		unsigned na, nb;
		bool found;
		assert_int_equal(geo_db_locate(db, clients[i].family, clients[i].addr, &a, &na), 0);
		assert_int_equal(geo_direct_locate(d, clients[i].family, clients[i].addr, &b,
						   &found, &nb, err, sizeof(err)),
				 0);
		assert_int_equal(na, nb);
		assert_memory_equal(&a, &b, sizeof(a));
	}
	geo_direct_free(d);
	geo_db_free(db);
}

static void test_direct_open_missing_file_names_it(void **state)
{
	char err[512];
	(void)state;
	assert_null(geo_direct_open("/nonexistent/absent.mmdb", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/absent.mmdb: No such file or directory");
}

static void test_direct_open_refuses_garbage(void **state)
{
	char path[] = "/tmp/geo-direct-XXXXXX";
	char err[512], want[600];
	uint8_t junk[4096];
	(void)state;
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7 + 13);
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	assert_null(geo_direct_open(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: The MaxMind DB file contains invalid metadata", path);
	unlink(path);
	assert_string_equal(err, want);
}

/* A corrupt node is not found by opening (no tree walk) but by the lookup that meets
 * it, which fails with the file named instead of answering from it. */
static void test_direct_lookup_reports_corrupt_tree(void **state)
{
	char path[] = "/tmp/geo-direct-XXXXXX";
	char err[512], want[600];
	(void)state;
	FILE *in = fopen(test_db_path("test-city.mmdb"), "rb");
	assert_non_null(in);
	static uint8_t bytes[1 << 20];
	size_t len = fread(bytes, 1, sizeof(bytes), in);
	fclose(in);
	assert_true(len > 64 && len < sizeof(bytes));
	memset(bytes, 0xff, 64); /* records pointing past the data section */
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	geo_direct_t *d = geo_direct_open(path, err, sizeof(err));
	assert_non_null(d);
	geo_rules_t rules = rule_set(RULES_DISTANCE);
	geo_choice_t out[DC_COUNT * 2];
	size_t count;
	unsigned scope;
	uint8_t addr[16] = {0x2a, 0x02, 0xcf, 0x40};
	assert_int_equal(geo_direct_lookup(d, test_dcs, &rules, AF_INET6, addr, 128, out, &count,
					   &scope, err, sizeof(err)),
			 -1);
	assert_int_equal(count, 0);
	assert_int_equal(scope, 128); /* the answer given anyway stands for this client only */
	snprintf(want, sizeof(want), "%s: %s", path, MMDB_strerror(MMDB_CORRUPT_SEARCH_TREE_ERROR));
	geo_direct_free(d);
	unlink(path);
	assert_string_equal(err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_direct_matches_trie_city_maps_and_nets),
	    cmocka_unit_test(test_direct_matches_trie_city_distance_only),
	    cmocka_unit_test(test_direct_matches_trie_city_location_less_dcs),
	    cmocka_unit_test(test_direct_matches_trie_ipv4_only_database),
	    cmocka_unit_test(test_direct_matches_trie_records_without_coordinates),
	    cmocka_unit_test(test_direct_scope_holds_for_every_address_inside),
	    cmocka_unit_test(test_direct_scopes_around_nets_rules),
	    cmocka_unit_test(test_direct_locate_agrees_with_decoded_database),
	    cmocka_unit_test(test_direct_open_missing_file_names_it),
	    cmocka_unit_test(test_direct_open_refuses_garbage),
	    cmocka_unit_test(test_direct_lookup_reports_corrupt_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
