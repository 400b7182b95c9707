/* SPDX-License-Identifier: MIT */
/* test_deploy.c -- deployments: since kept across same-content reloads, replication, drift */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "state/state_deploy.h"
#include "state_test.h"

static char path_a[64], path_b[64], path_c[64];

static int setup(void **unused)
{
	test_temp_path(path_a, sizeof(path_a));
	test_temp_path(path_b, sizeof(path_b));
	test_temp_path(path_c, sizeof(path_c));
	return 0;
}

static int teardown(void **unused)
{
	test_remove(path_a);
	test_remove(path_b);
	test_remove(path_c);
	return 0;
}

/* A dnsd row with config digest `digest` and zone serial `serial`. */
static void row(state_deployment_t *d, const char *digest, int serial)
{
	char zones[128];

	memset(d, 0, sizeof(*d));
	snprintf(d->component, sizeof(d->component), "dnsd");
	snprintf(d->version, sizeof(d->version), "0.1.0");
	snprintf(d->config_digest, sizeof(d->config_digest), "%s", digest);
	d->config = strdup("{\"records\":{}}");
	snprintf(zones, sizeof(zones), "[{\"digest\":\"00\",\"origin\":\"example.com.\",\"serial\":%d}]",
		 serial);
	d->zones = strdup(zones);
	snprintf(d->geoip_type, sizeof(d->geoip_type), "GeoLite2-City");
	d->geoip_epoch = 1700000000;
	snprintf(d->geoip_digest, sizeof(d->geoip_digest), "abcd");
}

static void put(state_t *st, const char *digest, int serial)
{
	state_deployment_t d;

	row(&d, digest, serial);
	assert_int_equal(state_deployment_put(st, &d), 0);
	state_deployment_clear(&d);
}

/* Copies every entry of origin from one store to another. */
static void ship(state_t *from, state_t *to, const char *origin)
{
	state_change_t *ch = NULL;
	uint64_t cursor = 0;
	size_t n = 0;

	assert_int_equal(state_cursor_get(to, origin, &cursor), 0);
	assert_int_equal(state_changes_since(from, origin, cursor, 0, &ch, &n), 0);
	assert_true(state_changes_apply(to, ch, n) >= 0);
	state_changes_free(ch, n);
}

static void test_reload_of_same_content_writes_nothing(void **unused)
{
	state_t *a = test_open(path_a, "us-east");
	state_deployment_t *list = NULL;
	size_t n = 0;

	test_now_ms = INT64_C(1700000000000);
	put(a, "d1", 1);
	test_now_ms += 5000;
	put(a, "d1", 1);
	assert_int_equal(state_deployments_list(a, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].region, "us-east");
	assert_int_equal(list[0].since_ms, INT64_C(1700000000000));
	assert_int_equal(list[0].updated_ms, INT64_C(1700000000000));
	state_deployments_free(list, n);
	test_now_ms += 5000;
	put(a, "d1", 2); /* a new zone serial is new content */
	assert_int_equal(state_deployments_list(a, &list, &n), 0);
	assert_int_equal(list[0].since_ms, INT64_C(1700000010000));
	state_deployments_free(list, n);
	/* the same content again wrote nothing */
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM changelog WHERE tbl = 'deployments'"
					   " AND key = 'us-east/dnsd'"),
			 2);
	state_close(a);
}

static void test_rows_replicate_and_drift_shows_what_differs(void **unused)
{
	state_t *a = test_open(path_a, "us-east"), *b = test_open(path_b, "eu-west");
	state_drift_t *drift = NULL;
	size_t n = 0;

	test_now_ms = INT64_C(1700000000000);
	put(a, "d1", 1);
	test_now_ms += 1000;
	put(b, "d1", 1);
	ship(a, b, "us-east");
	ship(b, a, "eu-west");
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM deployments"), 2);
	assert_int_equal(state_drift_list(a, &drift, &n), 0);
	assert_int_equal(n, 0);
	free(drift);

	test_now_ms += 1000;
	put(b, "d2", 2); /* eu-west deploys another config and zone serial */
	ship(b, a, "eu-west");
	assert_int_equal(state_drift_list(a, &drift, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(drift[0].region, "eu-west");
	assert_string_equal(drift[0].component, "dnsd");
	assert_true(drift[0].config);
	assert_true(drift[0].zones);
	assert_false(drift[0].geoip);
	assert_false(drift[0].version);
	assert_int_equal(drift[0].since_ms, INT64_C(1700000002000));
	free(drift);
	/* folded per region, for metrics */
	assert_int_equal(state_drift_regions(a, &drift, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(drift[0].region, "eu-west");
	assert_string_equal(drift[0].component, "");
	assert_true(drift[0].config && drift[0].zones);
	free(drift);
	/* seen from eu-west, us-east is the one that differs */
	assert_int_equal(state_drift_list(b, &drift, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(drift[0].region, "us-east");
	free(drift);

	test_now_ms += 1000;
	put(a, "d2", 2); /* us-east follows: no drift left anywhere */
	ship(a, b, "us-east");
	assert_int_equal(state_drift_list(a, &drift, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(state_drift_list(b, &drift, &n), 0);
	assert_int_equal(n, 0);
	state_close(a);
	state_close(b);
}

static void test_version_and_geoip_drift(void **unused)
{
	state_t *a = test_open(path_a, "us-east"), *b = test_open(path_b, "eu-west");
	state_deployment_t d;
	state_drift_t *drift = NULL;
	size_t n = 0;

	put(a, "d1", 1);
	row(&d, "d1", 1);
	snprintf(d.version, sizeof(d.version), "0.2.0");
	d.geoip_epoch = 1700000999; /* the same database type, rebuilt */
	assert_int_equal(state_deployment_put(b, &d), 0);
	state_deployment_clear(&d);
	ship(b, a, "eu-west");
	assert_int_equal(state_drift_list(a, &drift, &n), 0);
	assert_int_equal(n, 1);
	assert_false(drift[0].config);
	assert_false(drift[0].zones);
	assert_true(drift[0].geoip);
	assert_true(drift[0].version);
	free(drift);
	state_close(a);
	state_close(b);
}

static void test_snapshot_carries_deployments(void **unused)
{
	state_t *a = test_open(path_a, "us-east"), *c = test_open(path_c, "ap-south");
	char *json = NULL;

	put(a, "d1", 1);
	assert_int_equal(state_snapshot_export(a, &json), 0);
	assert_non_null(strstr(json, "\"deployments\":[{\"region\":\"us-east\""));
	assert_int_equal(state_snapshot_import(c, json), 0);
	assert_int_equal(test_query_int(c, "SELECT count(*) FROM deployments WHERE region = 'us-east'"),
			 1);
	free(json);
	state_close(a);
	state_close(c);
}

static void test_malformed_remote_row_is_refused(void **unused)
{
	state_t *b = test_open(path_b, "eu-west");
	state_change_t c = {.origin = "us-east", .seq = 1, .hlc = INT64_C(1) << 20,
			    .table = "deployments", .key = "us-east/dnsd"};

	/* config must be text: a number is refused with the field named */
	c.row_json = strdup("{\"region\":\"us-east\",\"component\":\"dnsd\",\"version\":\"1\","
			    "\"config_digest\":\"x\",\"config\":5,\"zones\":\"[]\",\"geoip_type\":\"\","
			    "\"geoip_epoch\":0,\"geoip_digest\":\"\",\"since\":1,\"updated\":1,"
			    "\"hlc\":1048576,\"origin\":\"us-east\"}");
	assert_int_equal(state_changes_apply(b, &c, 1), -1);
	assert_non_null(strstr(state_errmsg(b), "deployments.config must be text"));
	free(c.row_json);
	assert_int_equal(test_query_int(b, "SELECT count(*) FROM deployments"), 0);
	state_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reload_of_same_content_writes_nothing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_rows_replicate_and_drift_shows_what_differs, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_version_and_geoip_drift, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snapshot_carries_deployments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_remote_row_is_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
