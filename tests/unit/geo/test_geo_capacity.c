/* SPDX-License-Identifier: MIT */
/* test_geo_capacity.c -- run-time weights in the pick's tables, targets, capacity shortfalls */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "geo/geo_capacity.h"
#include "geo/geo_pick_conf.h"
#include "tests/unit/geo/geo_test_util.h"

static char workdir[] = "/tmp/meridian-geo-capacity.XXXXXX";

/* us-east and eu-west with capacities; www weighted 90/10, with an EU entry 50/50. */
static conf_t *load(void)
{
	char path[512], *errors = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/example.com.zone", workdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n@ "
		   "NS ns1\nns1 A 192.0.2.53\n");
	assert_int_equal(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/meridian.yaml", workdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "region: us-east\nstate: %s/state.db\ngeoip: %s\n"
		   "dns:\n  listen: [\"127.0.0.1:5353\"]\n"
		   "  zones: [{ origin: example.com., file: example.com.zone }]\n"
		   "datacenters:\n"
		   "  us-east: { location: [38.9, -77.4], addresses: [203.0.113.10], capacity: 100 }\n"
		   "  eu-west: { location: [53.3, -6.3], addresses: [198.51.100.10], capacity: 40 }\n"
		   "  ap-south: { location: [1.35, 103.8], addresses: [192.0.2.9], capacity: 30 }\n"
		   "records:\n"
		   "  www.example.com.:\n"
		   "    datacenters: [us-east, eu-west]\n"
		   "    weights: { us-east: 90, eu-west: 10 }\n"
		   "    map: { EU: { weights: { eu-west: 50, us-east: 50 } } }\n"
		   "  api.example.com.:\n"
		   "    datacenters: [us-east, eu-west, ap-south]\n",
		workdir, test_db_path("test-city.mmdb"));
	assert_int_equal(fclose(f), 0);
	conf_t *conf = conf_load(path, &errors);
	if (conf == NULL)
		fail_msg("%s", errors ? errors : "?");
	return conf;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_target_parse_cases(void **unused)
{
	static const struct {
		const char *name, *target;
		int rc, entry;
		const char *err;
	} rows[] = {
	    {"record without its dot, any case", "WWW.example.com", 0, -1, NULL},
	    {"a map entry by its key", "www.example.com.@EU", 0, 0, NULL},
	    {"an entry the record lacks", "www.example.com@AS", -1, 0,
	     "www.example.com. has no map or nets entry \"AS\""},
	    {"no such record", "nope.example.com", -1, 0,
	     "no geo record nope.example.com. in the configuration"},
	    {"a record without weights", "api.example.com", -1, 0,
	     "api.example.com. has no weights in the configuration: a run-time weight changes a "
	     "configured split"},
	};
	conf_t *conf = load();

	(void)unused;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char err[256] = "";
		size_t record = 99;
		int entry = 99;
		int rc = geo_pick_target_parse(conf, rows[i].target, &record, &entry, err, sizeof(err));

		if (rc != rows[i].rc || (rc == 0 && (record != 0 || entry != rows[i].entry)) ||
		    (rows[i].err != NULL && strcmp(err, rows[i].err) != 0))
			fail_msg("case \"%s\": rc %d record %zu entry %d err [%s]", rows[i].name, rc,
				 record, entry, err);
	}
	conf_free(conf);
}

/* A run-time weight replaces one config weight in one split; the others stay. */
static void test_build_with_replaces_one_weight(void **unused)
{
	conf_t *conf = load();
	geo_pick_tables_t t;
	geo_pick_reweight_t rw;
	char err[128];

	(void)unused;
	assert_int_equal(geo_pick_reweight_resolve(conf, "www.example.com.@EU", "us-east", 0, &rw),
			 0);
	assert_int_equal(geo_pick_reweight_resolve(conf, "www.example.com.", "ap-south", 5, &rw),
			 -1); /* not in that split */
	assert_int_equal(geo_pick_reweight_resolve(conf, "www.example.com.@EU", "us-east", 0, &rw),
			 0);
	assert_int_equal(geo_pick_tables_build_with(conf, &rw, 1, &t, err, sizeof(err)), 0);
	const geo_pick_record_t *r = &t.records[0];
	assert_int_equal(r->policy.weights.count, 2); /* the record's own: untouched */
	assert_int_equal(r->entry_split_count, 1);
	assert_int_equal(r->entry_splits[0].count, 1); /* us-east at 0 left out */
	assert_int_equal(r->entry_splits[0].weight[0], 50);
	geo_pick_tables_free(&t);
	conf_free(conf);
}

/* Shortfall rows: what geo_pick() says of each failed datacenter with a capacity. */
static void test_shortfalls_follow_the_pick(void **unused)
{
	conf_t *conf = load();
	geo_pick_tables_t t;
	geo_capacity_short_t rows[8];
	char err[128];

	(void)unused;
	assert_int_equal(geo_pick_tables_build(conf, &t, err, sizeof(err)), 0);
	for (size_t i = 0; i < t.dc_count; i++)
		t.dcs[i].serving = true;
	assert_int_equal(geo_capacity_shortfalls(&t, rows, 8), 0);
	/* us-east (100) down: eu-west 40 + ap-south 30 = 70 short of 100 for api; www is
	 * weighted, so its split decides and nothing spills. */
	t.dcs[0].serving = false;
	assert_int_equal(geo_capacity_shortfalls(&t, rows, 8), 1);
	assert_int_equal(rows[0].record, 1);
	assert_int_equal(rows[0].dc, 0);
	assert_int_equal(rows[0].demand, 100);
	assert_int_equal(rows[0].spare, 70);
	/* A live load of 60 is its demand: 70 covers it. */
	t.dcs[0].has_load = true;
	t.dcs[0].load = 60;
	assert_int_equal(geo_capacity_shortfalls(&t, NULL, 0), 0);
	/* ...unless eu-west is busy: 40 - 35 + 30 = 35 < 60. */
	t.dcs[1].has_load = true;
	t.dcs[1].load = 35;
	assert_int_equal(geo_capacity_shortfalls(&t, rows, 8), 1);
	assert_int_equal(rows[0].spare, 35);
	geo_pick_tables_free(&t);
	conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_target_parse_cases),
	    cmocka_unit_test(test_build_with_replaces_one_weight),
	    cmocka_unit_test(test_shortfalls_follow_the_pick),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
