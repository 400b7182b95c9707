/* SPDX-License-Identifier: MIT */
/* test_format.c -- durations, timestamps and aligned tables as operators read them */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/ctl_format.h"

static const struct {
	int64_t ms;
	const char *text;
} durations[] = {
    {0, "0ms"},
    {850, "850ms"},
    {999, "999ms"},
    {1000, "1s"},
    {3999, "3s"},
    {59999, "59s"},
    {60000, "1m00s"},
    {125000, "2m05s"},
    {3599999, "59m59s"},
    {3600000, "1h00m"},
    {3720000, "1h02m"},
    {86399999, "23h59m"},
    {86400000, "1d00h"},
    {273600000, "3d04h"},
    {-3000, "-3s"},
    {-1, "-1ms"},
    {INT64_MIN, "-106751991167d07h"},
};

static void test_durations_use_two_units_rounded_down(void **state)
{
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		char buf[32];

		timefmt_duration(durations[i].ms, buf, sizeof(buf));
		if (strcmp(buf, durations[i].text) != 0)
			fail_msg("%lld ms: got [%s], expected [%s]", (long long)durations[i].ms,
				 buf, durations[i].text);
	}
}

static void test_times_are_utc_iso8601(void **state)
{
	char buf[32];

	assert_string_equal(timefmt_iso(1796000000123LL, buf, sizeof(buf)),
			    "2026-11-30T00:53:20Z");
	assert_string_equal(timefmt_iso(0, buf, sizeof(buf)), "never");
}

static void test_printable_replaces_control_characters(void **state)
{
	char buf[16];

	assert_string_equal(ctl_format_printable("a\x1b[2Jb\nc", buf, sizeof(buf)), "a?[2Jb?c");
	assert_string_equal(ctl_format_printable("0123456789abcdefgh", buf, sizeof(buf)),
			    "0123456789abcde");
}

static char *table_text(ctl_table_t *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(ctl_table_print(t, out), 0);
	fclose(out);
	ctl_table_free(t);
	return text;
}

static void test_table_columns_align_to_the_widest_cell(void **state)
{
	ctl_table_t t;
	char *text;

	ctl_table_init(&t, 3);
	ctl_table_row(&t, (const char *const[]){"DATACENTER", "STATE", "OVERRIDE"});
	ctl_table_row(&t, (const char *const[]){"us-east", "FORCED-DOWN", "x"});
	ctl_table_row(&t, (const char *const[]){"eu-west", "UP", NULL});
	ctl_table_row(&t, (const char *const[]){"", "", "continued"});
	text = table_text(&t);
	assert_string_equal(text, "DATACENTER  STATE        OVERRIDE\n"
				  "us-east     FORCED-DOWN  x\n"
				  "eu-west     UP           -\n"
				  "                         continued\n");
	free(text);
}

static void test_table_counts_utf8_characters_not_bytes(void **state)
{
	ctl_table_t t;
	char *text;

	ctl_table_init(&t, 2);
	ctl_table_row(&t, (const char *const[]){"Zürich", "a"});
	ctl_table_row(&t, (const char *const[]){"Bern", "b"});
	text = table_text(&t);
	assert_string_equal(text, "Zürich  a\nBern    b\n");
	free(text);
}

static void test_table_cells_cannot_inject_escape_sequences(void **state)
{
	ctl_table_t t;
	char *text;

	ctl_table_init(&t, 2);
	ctl_table_row(&t, (const char *const[]){"x\ry", "\x1b[31mred"});
	text = table_text(&t);
	assert_string_equal(text, "x?y  ?[31mred\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_durations_use_two_units_rounded_down),
	    cmocka_unit_test(test_times_are_utc_iso8601),
	    cmocka_unit_test(test_printable_replaces_control_characters),
	    cmocka_unit_test(test_table_columns_align_to_the_widest_cell),
	    cmocka_unit_test(test_table_counts_utf8_characters_not_bytes),
	    cmocka_unit_test(test_table_cells_cannot_inject_escape_sequences),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
