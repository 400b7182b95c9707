/* SPDX-License-Identifier: MIT */
/* test_json.c -- the --json writer: escaping, structure, and refusing misuse */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ctl/ctl_json.h"

/* Escapes one string and returns the quoted result (static buffer). */
static const char *escaped(const char *s)
{
	static char result[256];
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	ctl_json_escape(out, s);
	fclose(out);
	snprintf(result, sizeof(result), "%s", text);
	free(text);
	return result;
}

static const struct {
	const char *name;
	const char *in;
	const char *out;
} escapes[] = {
    {"plain", "us-east", "\"us-east\""},
    {"empty", "", "\"\""},
    {"quote and backslash", "say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\""},
    {"named controls", "a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\""},
    {"other controls", "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
    {"utf-8 kept", "Zürich ✓ 😀", "\"Zürich ✓ 😀\""},
    {"lone continuation byte", "a\x80z", "\"a\\ufffdz\""},
    {"truncated sequence", "a\xe2\x9c", "\"a\\ufffd\\ufffd\""},
    {"overlong slash", "\xc0\xaf", "\"\\ufffd\\ufffd\""},
    {"surrogate", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},
    {"above U+10FFFF", "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
    {"slash not escaped", "a/b", "\"a/b\""},
};

static void test_strings_are_escaped_into_valid_json(void **state)
{
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		const char *got = escaped(escapes[i].in);

		if (strcmp(got, escapes[i].out) != 0)
			fail_msg("case \"%s\": got [%s], expected [%s]", escapes[i].name, got,
				 escapes[i].out);
	}
}

/* Runs a writer over an in-memory stream; the test body fills it. */
typedef struct {
	ctl_json_t j; /* the writer under test */
	FILE *out;    /* open_memstream over text */
	char *text;   /* what the writer produced, NUL-terminated once out is flushed */
	size_t len;   /* bytes in text */
} doc_t;

static void doc_open(doc_t *d)
{
	d->text = NULL;
	d->len = 0;
	d->out = open_memstream(&d->text, &d->len);
	assert_non_null(d->out);
	ctl_json_init(&d->j, d->out);
}

static int doc_close(doc_t *d)
{
	int rc = ctl_json_finish(&d->j);

	fclose(d->out);
	return rc;
}

static void test_nested_document_is_indented_with_commas(void **state)
{
	doc_t d;

	doc_open(&d);
	ctl_json_object_begin(&d.j);
	ctl_json_kv_string(&d.j, "name", "us-east");
	ctl_json_kv_int(&d.j, "age_ms", -5);
	ctl_json_kv_uint(&d.j, "hlc", 18446744073709551615ULL);
	ctl_json_kv_bool(&d.j, "serving", true);
	ctl_json_kv_double(&d.j, "km", 5585.25);
	ctl_json_kv_string(&d.j, "override", NULL);
	ctl_json_key(&d.j, "list");
	ctl_json_array_begin(&d.j);
	ctl_json_int(&d.j, 1);
	ctl_json_object_begin(&d.j);
	ctl_json_object_end(&d.j);
	ctl_json_array_begin(&d.j);
	ctl_json_array_end(&d.j);
	ctl_json_array_end(&d.j);
	ctl_json_object_end(&d.j);
	assert_int_equal(doc_close(&d), 0);
	assert_string_equal(d.text, "{\n"
				    "  \"name\": \"us-east\",\n"
				    "  \"age_ms\": -5,\n"
				    "  \"hlc\": 18446744073709551615,\n"
				    "  \"serving\": true,\n"
				    "  \"km\": 5585.25,\n"
				    "  \"override\": null,\n"
				    "  \"list\": [\n"
				    "    1,\n"
				    "    {},\n"
				    "    []\n"
				    "  ]\n"
				    "}\n");
	free(d.text);
}

static void test_non_finite_numbers_become_null(void **state)
{
	doc_t d;

	doc_open(&d);
	ctl_json_array_begin(&d.j);
	ctl_json_double(&d.j, NAN);
	ctl_json_double(&d.j, INFINITY);
	ctl_json_double(&d.j, -0.5);
	ctl_json_array_end(&d.j);
	assert_int_equal(doc_close(&d), 0);
	assert_string_equal(d.text, "[\n  null,\n  null,\n  -0.5\n]\n");
	free(d.text);
}

static void test_value_without_key_in_object_is_misuse(void **state)
{
	doc_t d;

	doc_open(&d);
	ctl_json_object_begin(&d.j);
	ctl_json_int(&d.j, 1);
	ctl_json_object_end(&d.j);
	assert_int_equal(doc_close(&d), -1);
	free(d.text);
}

static void test_key_in_array_is_misuse(void **state)
{
	doc_t d;

	doc_open(&d);
	ctl_json_array_begin(&d.j);
	ctl_json_key(&d.j, "k");
	ctl_json_array_end(&d.j);
	assert_int_equal(doc_close(&d), -1);
	free(d.text);
}

static void test_unclosed_or_mismatched_document_is_misuse(void **state)
{
	doc_t d;

	doc_open(&d);
	ctl_json_object_begin(&d.j);
	assert_int_equal(doc_close(&d), -1);
	free(d.text);

	doc_open(&d);
	ctl_json_object_begin(&d.j);
	ctl_json_array_end(&d.j);
	assert_int_equal(doc_close(&d), -1);
	free(d.text);

	doc_open(&d);
	ctl_json_object_begin(&d.j);
	ctl_json_key(&d.j, "dangling");
	ctl_json_object_end(&d.j);
	assert_int_equal(doc_close(&d), -1);
	free(d.text);
}

static void test_nesting_beyond_the_limit_is_misuse(void **state)
{
	doc_t d;

	doc_open(&d);
	for (int i = 0; i <= CTL_JSON_DEPTH_MAX; i++)
		ctl_json_array_begin(&d.j);
	assert_true(d.j.broken);
	fclose(d.out);
	free(d.text);
}

/* Random bytes, escaped, are always JSON that SQLite's parser accepts, and text that was
 * valid UTF-8 without control characters comes back unchanged. Deterministic seed. */
static void test_random_bytes_always_escape_to_valid_json(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	unsigned seed = 12345;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT json_valid(?1), json_extract(?1, '$')", -1, &stmt, NULL),
	    SQLITE_OK);
	for (int round = 0; round < 3000; round++) {
		char in[48], *text = NULL;
		size_t len = 0, n = (size_t)(rand_r(&seed) % (sizeof(in) - 1));
		bool plain = round % 2 == 0; /* half the rounds: printable ASCII and UTF-8 only */
		FILE *out = open_memstream(&text, &len);

		for (size_t i = 0; i < n; i++) {
			in[i] = (char)(rand_r(&seed) % 255 + 1);
			if (plain && ((unsigned char)in[i] < 0x20 || (unsigned char)in[i] >= 0x7f))
				in[i] = (char)('a' + i % 26);
		}
		in[n] = '\0';
		if (plain && n >= 3)
			memcpy(in, "\xc3\xbc", 2); /* a valid two-byte sequence (u-umlaut) */
		assert_non_null(out);
		ctl_json_escape(out, in);
		fclose(out);
		sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		if (sqlite3_column_int(stmt, 0) != 1)
			fail_msg("round %d: not valid JSON: %s", round, text);
		if (plain)
			assert_string_equal((const char *)sqlite3_column_text(stmt, 1), in);
		sqlite3_reset(stmt);
		free(text);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strings_are_escaped_into_valid_json),
	    cmocka_unit_test(test_random_bytes_always_escape_to_valid_json),
	    cmocka_unit_test(test_nested_document_is_indented_with_commas),
	    cmocka_unit_test(test_non_finite_numbers_become_null),
	    cmocka_unit_test(test_value_without_key_in_object_is_misuse),
	    cmocka_unit_test(test_key_in_array_is_misuse),
	    cmocka_unit_test(test_unclosed_or_mismatched_document_is_misuse),
	    cmocka_unit_test(test_nesting_beyond_the_limit_is_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
