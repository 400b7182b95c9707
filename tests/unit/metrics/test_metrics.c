/* SPDX-License-Identifier: MIT */
/* test_metrics.c -- the exposition writer: families, escaped labels, histograms */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "metrics/metrics.h"

static void test_family_writes_help_and_type(void **state)
{
	(void)state;
	metrics_page_t p = {0};
	metrics_family(&p, "meridian_x_total", METRICS_COUNTER, "Things.");
	metrics_u64(&p, "meridian_x_total", 7, NULL);
	assert_string_equal(p.text, "# HELP meridian_x_total Things.\n"
				    "# TYPE meridian_x_total counter\n"
				    "meridian_x_total 7\n");
	metrics_page_free(&p);
}

static void test_label_values_are_escaped(void **state)
{
	(void)state;
	metrics_page_t p = {0};
	metrics_u64(&p, "m", 1, "dc", "a\"b\\c\nd", "rcode", "NOERROR", NULL);
	assert_string_equal(p.text, "m{dc=\"a\\\"b\\\\c\\nd\",rcode=\"NOERROR\"} 1\n");
	metrics_page_free(&p);
}

static void test_histogram_is_cumulative(void **state)
{
	(void)state;
	metrics_histogram_t h = {0};
	metrics_histogram_observe(&h, 0.0005);
	metrics_histogram_observe(&h, 0.02);
	metrics_histogram_observe(&h, 60);
	metrics_page_t p = {0};
	metrics_histogram_write(&p, "d_seconds", "dc", "eu", &h);
	assert_non_null(strstr(p.text, "d_seconds_bucket{dc=\"eu\",le=\"0.001\"} 1\n"));
	assert_non_null(strstr(p.text, "d_seconds_bucket{dc=\"eu\",le=\"0.025\"} 2\n"));
	assert_non_null(strstr(p.text, "d_seconds_bucket{dc=\"eu\",le=\"10\"} 2\n"));
	assert_non_null(strstr(p.text, "d_seconds_bucket{dc=\"eu\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(p.text, "d_seconds_count{dc=\"eu\"} 3\n"));
	metrics_page_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_family_writes_help_and_type),
	    cmocka_unit_test(test_label_values_are_escaped),
	    cmocka_unit_test(test_histogram_is_cumulative),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
