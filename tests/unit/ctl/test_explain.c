/* SPDX-License-Identifier: MIT */
/* test_explain.c -- which candidate answers each family, and how explain says why */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/ctl_explain.h"

/* Three datacenters: near has only IPv4, mid has both, far has only IPv6. */
static conf_ipaddr_t near_addrs[1], mid_addrs[2], far_addrs[1];
static conf_datacenter_t dcs[3] = {
    {.name = (char *)"near", .addresses = near_addrs, .address_count = 1},
    {.name = (char *)"mid", .addresses = mid_addrs, .address_count = 2},
    {.name = (char *)"far", .addresses = far_addrs, .address_count = 1},
};
static size_t candidates[3] = {0, 1, 2};
static conf_record_t records[1] = {{.name = (char *)"www.example.com.",
				    .datacenters = candidates,
				    .datacenter_count = 3,
				    .ttl = 30}};

static void addr(conf_ipaddr_t *a, int family, const char *text)
{
	a->family = family;
	assert_int_equal(inet_pton(family, text, a->bytes), 1);
}

static conf_t test_conf(void)
{
	conf_t c;

	addr(&near_addrs[0], AF_INET, "198.51.100.10");
	addr(&mid_addrs[0], AF_INET, "203.0.113.10");
	addr(&mid_addrs[1], AF_INET6, "2001:db8:1::10");
	addr(&far_addrs[0], AF_INET6, "2001:db8:3::30");
	memset(&c, 0, sizeof(c));
	c.region = (char *)"r1";
	c.datacenters = dcs;
	c.datacenter_count = 3;
	c.records = records;
	c.record_count = 1;
	return c;
}

/* Fills ex with the three candidates in order, serving as given ("110": near and mid;
 * "x": not serving and observed down). */
static void explanation(ctl_explanation_t *ex, ctl_explain_candidate_t *cand, const char *serving)
{
	memset(ex, 0, sizeof(*ex));
	for (size_t i = 0; i < 3; i++) {
		bool up = serving[i] == '1';

		cand[i] = (ctl_explain_candidate_t){.dc = i,
						    .why = GEO_WHY_DISTANCE,
						    .distance_km = 100.0 * (double)(i + 1),
						    .state = up ? STATE_DC_UP : STATE_DC_DRAINED,
						    .serving = up,
						    /* '0' drained (observed up), 'x' observed down */
						    .fail_open_rank = up ? 0 : serving[i] == 'x' ? 2 : 1};
	}
	ex->cand = cand;
	ex->count = 3;
	ex->family = AF_INET;
	inet_pton(AF_INET, "81.2.69.142", ex->addr);
	ex->source_prefix = 32;
	ex->varies = true;
	ex->scope = 24;
	ex->trie_agrees = true;
	ex->have_state = true;
	ex->located = true;
	snprintf(ex->loc.continent, sizeof(ex->loc.continent), "EU");
	snprintf(ex->loc.country, sizeof(ex->loc.country), "GB");
	ex->loc.has_location = true;
	ex->loc.latitude = 51.5;
	ex->loc.longitude = -0.1;
	snprintf(ex->network, sizeof(ex->network), "81.2.69.128/25");
}

static const struct {
	const char *name;
	const char *serving;
	int pick_a, pick_aaaa;
	bool open_a, open_aaaa;
} picks[] = {
    {"all serving: nearest of each family", "111", 0, 1, false, false},
    {"nearest drained: mid answers both", "011", 1, 1, false, false},
    {"only far serving: no A (NODATA), the client uses far's AAAA", "001", -1, 2, false, false},
    {"only near serving: no AAAA (NODATA), the client uses near's A", "100", 0, -1, false, false},
    {"none serving: both fail open in order", "000", 0, 1, true, true},
    {"none serving, near observed down: A from drained mid first", "x00", 1, 1, true, true},
    {"none serving, mid observed down: AAAA from drained far first", "0x0", 0, 2, true, true},
    {"none serving, all observed down: nearest", "xxx", 0, 1, true, true},
};

static void test_pick_follows_dnsd_rules(void **state)
{
	conf_t conf = test_conf();

	for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
		ctl_explain_candidate_t cand[3];
		ctl_explanation_t ex;

		explanation(&ex, cand, picks[i].serving);
		assert_int_equal(ctl_explain_pick(&conf, &ex), 0);
		if (ex.pick[0] != picks[i].pick_a || ex.pick[1] != picks[i].pick_aaaa ||
		    ex.fail_open[0] != picks[i].open_a || ex.fail_open[1] != picks[i].open_aaaa)
			fail_msg("case \"%s\": picks %d/%d, fail open %d/%d", picks[i].name,
				 ex.pick[0], ex.pick[1], ex.fail_open[0], ex.fail_open[1]);
	}
}

static void test_no_candidate_with_the_family_is_nodata(void **state)
{
	conf_t conf = test_conf();
	ctl_explain_candidate_t cand[3];
	ctl_explanation_t ex;

	explanation(&ex, cand, "111");
	ex.count = 1; /* near only: IPv4 only */
	assert_int_equal(ctl_explain_pick(&conf, &ex), 0);
	assert_int_equal(ex.pick[0], 0);
	assert_int_equal(ex.pick[1], -1);
}

static char *printed(const conf_t *conf, const ctl_explanation_t *ex, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(ctl_explain_print(out, json, conf, ex), 0);
	fclose(out);
	return text;
}

static void test_table_says_why_each_candidate_was_or_was_not_chosen(void **state)
{
	conf_t conf = test_conf();
	ctl_explain_candidate_t cand[3];
	ctl_explanation_t ex;
	char *text;

	explanation(&ex, cand, "101");
	assert_int_equal(ctl_explain_pick(&conf, &ex), 0);
	text = printed(&conf, &ex, false);
	assert_string_equal(
	    text, "www.example.com. for 81.2.69.142/32\n"
		  "client:   EU/GB at 51.5000, -0.1000 (GeoIP network 81.2.69.128/25)\n"
		  "rule:     no nets or map rule matches\n"
		  "\n"
		  "#  DATACENTER  DISTANCE  RANKED BY  STATE    CHOSEN\n"
		  "1  near        100 km    distance   UP       answers A; no IPv6 addresses\n"
		  "2  mid         200 km    distance   DRAINED  not serving (drained)\n"
		  "3  far         300 km    distance   UP       answers AAAA\n"
		  "\n"
		  "answer A     198.51.100.10 from near\n"
		  "answer AAAA  2001:db8:3::30 from far\n"
		  "ECS scope    /24\n");
	free(text);
}

static void test_fail_open_is_called_out(void **state)
{
	conf_t conf = test_conf();
	ctl_explain_candidate_t cand[3];
	ctl_explanation_t ex;
	char *text;

	explanation(&ex, cand, "000");
	ex.have_state = false;
	assert_int_equal(ctl_explain_pick(&conf, &ex), 0);
	text = printed(&conf, &ex, false);
	assert_non_null(strstr(text, "1  near        100 km    distance   DRAINED  answers A (fail "
				     "open); not serving (drained); no IPv6 addresses\n"));
	assert_non_null(strstr(text, "answer AAAA  2001:db8:1::10 from mid (fail open: no serving "
				     "candidate has such addresses)\n"));
	assert_non_null(
	    strstr(text, "state:    no state store yet: every datacenter counts as serving\n"));
	free(text);
}

static void test_json_lists_candidates_answer_and_scope(void **state)
{
	conf_t conf = test_conf();
	ctl_explain_candidate_t cand[3];
	ctl_explanation_t ex;
	char *text;

	explanation(&ex, cand, "011");
	cand[0].rule = "EU";
	cand[0].why = GEO_WHY_MAP;
	ex.map_rule = "EU";
	assert_int_equal(ctl_explain_pick(&conf, &ex), 0);
	text = printed(&conf, &ex, true);
	assert_non_null(strstr(text, "\"map_rule\": \"EU\",\n  \"located_as\": null,\n  \"form\": "
				     "null,\n  \"state_known\": true,"));
	assert_non_null(strstr(
	    text,
	    "\"datacenter\": \"near\",\n      \"distance_km\": 100,\n      \"ranked_by\": "
	    "\"map\",\n"
	    "      \"rule\": \"EU\",\n      \"state\": \"drained\",\n      \"serving\": false,\n"
	    "      \"chosen_for\": [],"));
	assert_non_null(
	    strstr(text, "\"A\": {\n      \"datacenter\": \"mid\",\n      \"addresses\": [\n"
			 "        \"203.0.113.10\"\n      ],\n      \"fail_open\": false,\n"
			 "      \"ttl\": 30,\n      \"scope\": 24,\n      \"reasons\": [\n"
			 "        \"failover\"\n      ],\n      \"bucket\": null,"));
	assert_non_null(
	    strstr(text, "\"varies\": true,\n  \"scope\": 24,\n  \"trie_agrees\": true\n}\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pick_follows_dnsd_rules),
	    cmocka_unit_test(test_no_candidate_with_the_family_is_nodata),
	    cmocka_unit_test(test_table_says_why_each_candidate_was_or_was_not_chosen),
	    cmocka_unit_test(test_fail_open_is_called_out),
	    cmocka_unit_test(test_json_lists_candidates_answer_and_scope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
