/* SPDX-License-Identifier: MIT */
/* test_geo_order.c -- rule checking and one client's order, without a database */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "tests/unit/geo/geo_test_util.h"

static const size_t three[] = {US_EAST, EU_WEST, AP_SOUTH};
static const size_t bad_dc[] = {US_EAST, 77};
static const size_t only_ap[] = {AP_SOUTH};

typedef struct {
	const char *name;  /* the case, for failure messages */
	geo_rules_t rules; /* the rules checked */
	const char *error; /* the exact message they must be refused with */
} check_row_t;

static void test_rules_check_messages(void **state)
{
	static const geo_map_rule_t bad_map_dc[] = {{"EU", bad_dc, 2, 0}};
	static const geo_map_rule_t bad_keys[][1] = {
	    {{"E", only_ap, 1, 0}},      {{"EU/", only_ap, 1, 0}},	    {{"EU/IE/D/X", only_ap, 1, 0}},
	    {{"EU/I-E", only_ap, 1, 0}}, {{"EU/IE/ABCD", only_ap, 1, 0}},
	};
	static const geo_net_rule_t bad_net_dc[] = {{"10.0.0.0/8", AF_INET, {10}, 8, bad_dc, 2, 0}};
	static const geo_net_rule_t bad_net_prefix[] = {{"x", AF_INET, {10}, 33, only_ap, 1, 0}};
	const check_row_t rows[] = {
	    {"no candidates",
	     {three, 0, NULL, 0, NULL, 0, NULL, 0},
	     "a geo record needs 1..65535 candidate datacenters"},
	    {"candidate out of range",
	     {bad_dc, 2, NULL, 0, NULL, 0, NULL, 0},
	     "candidate 1: datacenter index 77 out of range"},
	    {"map datacenter out of range",
	     {three, 3, bad_map_dc, 1, NULL, 0, NULL, 0},
	     "map key \"EU\": datacenter index 77 out of range"},
	    {"map key one letter",
	     {three, 3, bad_keys[0], 1, NULL, 0, NULL, 0},
	     "map key \"E\": want CONTINENT[/COUNTRY[/SUBDIVISION]], e.g. EU/IE"},
	    {"map key empty part",
	     {three, 3, bad_keys[1], 1, NULL, 0, NULL, 0},
	     "map key \"EU/\": want CONTINENT[/COUNTRY[/SUBDIVISION]], e.g. EU/IE"},
	    {"map key four parts",
	     {three, 3, bad_keys[2], 1, NULL, 0, NULL, 0},
	     "map key \"EU/IE/D/X\": want CONTINENT[/COUNTRY[/SUBDIVISION]], e.g. EU/IE"},
	    {"map key punctuation",
	     {three, 3, bad_keys[3], 1, NULL, 0, NULL, 0},
	     "map key \"EU/I-E\": want CONTINENT[/COUNTRY[/SUBDIVISION]], e.g. EU/IE"},
	    {"map key long subdivision",
	     {three, 3, bad_keys[4], 1, NULL, 0, NULL, 0},
	     "map key \"EU/IE/ABCD\": want CONTINENT[/COUNTRY[/SUBDIVISION]], e.g. EU/IE"},
	    {"nets datacenter out of range",
	     {three, 3, NULL, 0, bad_net_dc, 1, NULL, 0},
	     "nets rule 0: datacenter index 77 out of range"},
	    {"nets prefix too long",
	     {three, 3, NULL, 0, bad_net_prefix, 1, NULL, 0},
	     "nets rule 0: bad family or prefix length"},
	    {"default order out of range",
	     {three, 3, NULL, 0, NULL, 0, bad_dc, 2},
	     "default order: datacenter index 77 out of range"},
	};
	(void)state;
	for (size_t i = 0; i < M_ARRAY_LEN(rows); i++) {
		char err[256] = "";
		print_message("%s\n", rows[i].name);
		assert_int_equal(geo_rules_check(&rows[i].rules, DC_COUNT, err, sizeof(err)), -1);
		assert_string_equal(err, rows[i].error);
	}
}

static void test_map_match_prefers_the_deepest_key(void **state)
{
	static const geo_map_rule_t map[] = {
	    {"NA/US/CA", only_ap, 1, 0},
	    {"NA", only_ap, 1, 0},
	    {"NA/US", only_ap, 1, 0},
	    {"EU/GB/ENG", only_ap, 1, 0},
	};
	geo_rules_t r = {three, 3, map, 4, NULL, 0, NULL, 0};
	geo_loc_t ca = {"NA", "US", "CA", true, 37, -122};
	geo_loc_t va = {"NA", "US", "VA", true, 39, -77};
	geo_loc_t mx = {"NA", "MX", "", true, 19, -99};
	geo_loc_t gb = {"EU", "GB", "", true, 51, 0}; /* no subdivision: EU/GB/ENG cannot match */
	(void)state;
	assert_ptr_equal(geo_map_match(&r, &ca), &map[0]);
	assert_ptr_equal(geo_map_match(&r, &va), &map[2]);
	assert_ptr_equal(geo_map_match(&r, &mx), &map[1]);
	assert_null(geo_map_match(&r, &gb));
}

static void test_order_lists_every_candidate_once(void **state)
{
	static const size_t rule_dcs[] = {AP_SOUTH, AP_SOUTH, LAB};
	static const geo_map_rule_t map[] = {{"EU", rule_dcs, 3, 0}};
	geo_rules_t r = {three, 3, map, 1, NULL, 0, NULL, 0};
	geo_loc_t dublin = {"EU", "IE", "L", true, 53.35, -6.26};
	geo_choice_t out[8];
	(void)state;
	assert_int_equal(geo_order_max(&r), 6);
	size_t n = geo_order(test_dcs, &r, &dublin, NULL, out);
	/* the rule may name a non-candidate (lab): it is listed; duplicates are not */
	assert_int_equal(n, 4);
	assert_int_equal(out[0].dc, AP_SOUTH);
	assert_int_equal(out[0].why, GEO_WHY_MAP);
	assert_string_equal(out[0].rule, "EU");
	assert_int_equal(out[1].dc, LAB);
	assert_true(out[1].distance_km < 0);
	assert_int_equal(out[2].dc, EU_WEST);
	assert_int_equal(out[2].why, GEO_WHY_DISTANCE);
	assert_true(out[2].distance_km < 10);
	assert_int_equal(out[3].dc, US_EAST);
	assert_string_equal(geo_why_name(out[3].why), "distance");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_check_messages),
	    cmocka_unit_test(test_map_match_prefers_the_deepest_key),
	    cmocka_unit_test(test_order_lists_every_candidate_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
