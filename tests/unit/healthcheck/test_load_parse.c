/* SPDX-License-Identifier: MIT */
/* test_load_parse.c -- the live load number out of JSON documents and Prometheus pages */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "healthcheck/hc_load_parse.h"

static const char page[] = "# HELP conns Open connections.\n"
			   "# TYPE conns gauge\n"
			   "conns{pool=\"web\"} 120\n"
			   "conns{pool=\"api\"} 7\r\n"
			   "conns{pool=\"web\",note=\"a}b\"} 1000 1700000000000\n"
			   "conns_total 99\n"
			   "queue_depth 3\n"
			   "queue_depth{shard=\"2\"} 4.5\n"
			   "broken{ 12\n"
			   "neg -1\n"
			   "nan NaN\n"
			   "huge 1e308\n"
			   "huge{n=\"2\"} 1e308\n";

static void test_metric_cases(void **unused)
{
	static const struct {
		const char *name, *metric;
		int rc;
		double value;
		const char *why;
	} rows[] = {
	    {"labels matched exactly", "conns{pool=\"web\"}", 0, 120, NULL},
	    {"a brace inside a quoted label", "conns{pool=\"web\",note=\"a}b\"}", 0, 1000, NULL},
	    {"no labels: every series summed", "conns", 0, 1127, NULL},
	    {"a longer name is another metric", "conns_total", 0, 99, NULL},
	    {"series with and without labels summed", "queue_depth", 0, 7.5, NULL},
	    {"no such series", "conns{pool=\"db\"}", -1, 0, "no series of conns{pool=\"db\"}"},
	    {"no such metric", "absent", -1, 0, "no series of absent"},
	    {"a negative value is no load", "neg", -1, 0, "neg is -1, not a load"},
	    {"NaN is no load", "nan", -1, 0, "nan is nan, not a load"},
	    {"a sum past the largest double", "huge", -1, 0, "the sum of huge is not finite"},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char why[200] = "";
		double v = -42;
		int rc = hc_load_parse_metric(page, strlen(page), rows[i].metric, &v, why, sizeof(why));

		if (rc != rows[i].rc || (rc == 0 && v != rows[i].value) ||
		    (rows[i].why != NULL && strcmp(why, rows[i].why) != 0))
			fail_msg("case \"%s\": rc %d value %g why [%s]", rows[i].name, rc, v, why);
	}
}

static void test_json_cases(void **unused)
{
	static const struct {
		const char *name, *body, *path;
		int rc;
		double value;
		const char *why;
	} rows[] = {
	    {"integer", "{\"load\": 42}", "$.load", 0, 42, NULL},
	    {"nested real", "{\"a\": {\"b\": [1, 2.5]}}", "$.a.b[1]", 0, 2.5, NULL},
	    {"text is no number", "{\"load\": \"busy\"}", "$.load", -1, 0,
	     "no number at $.load: it is text"},
	    {"nothing there", "{\"load\": 1}", "$.other", -1, 0, "nothing at $.other"},
	    {"not JSON", "load=3", "$.load", -1, 0, "body is not JSON: offset 0: unexpected character"},
	    {"negative", "{\"load\": -3}", "$.load", -1, 0, "negative load -3 at $.load"},
	    /* SQLite 3.40 calls this valid and json_extract then reads a wild pointer */
	    {"object as a member name", "{{\"a\":[{\"b\":\"\"}]}:5,\"c\":1}", "$.c", -1, 0,
	     "body is not JSON: offset 1: expected member name"},
	    {"infinite", "{\"load\": 1e999}", "$.load", -1, 0, "load inf at $.load is not finite"},
	    {"member named twice", "{\"load\":1,\"load\":2}", "$.load", -1, 0,
	     "body is not JSON: offset 19: duplicate member name"},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char why[200] = "";
		double v = -42;
		int rc = hc_load_parse_json(rows[i].body, strlen(rows[i].body), rows[i].path, &v, why,
					    sizeof(why));

		if (rc != rows[i].rc || (rc == 0 && v != rows[i].value) ||
		    (rows[i].why != NULL && strcmp(why, rows[i].why) != 0))
			fail_msg("case \"%s\": rc %d value %g why [%s]", rows[i].name, rc, v, why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_metric_cases),
	    cmocka_unit_test(test_json_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
