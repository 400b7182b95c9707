/* SPDX-License-Identifier: MIT */
/* test_json_doc.c -- the strict JSON reader */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/json_doc.h"

static void test_valid_documents_parse(void **state)
{
	(void)state;
	static const char *const rows[] = {
	    "{}",
	    "[]",
	    "0",
	    "-1.5e+3",
	    "\"x\"",
	    "true",
	    "false",
	    "null",
	    " { \"a\" : [1, 2, {\"b\": null}] } ",
	    "\"\\u00e9\\ud83d\\ude00\\n\"",
	    "\"caf\xc3\xa9\"",
	    "[[[[[[[[[[1]]]]]]]]]]",
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_doc_t doc;
		char err[128];
		if (json_doc_parse(rows[i], strlen(rows[i]), &doc, err, sizeof(err)) != 0)
			fail_msg("row %zu (%s) refused: %s", i, rows[i], err);
		json_doc_free(&doc);
	}
}

static void test_invalid_documents_refused_with_message(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *err;
	} rows[] = {
	    {"", "offset 0: truncated document"},
	    {"{", "offset 1: expected member name"},
	    {"{\"a\":1", "offset 6: truncated document"},
	    {"{\"a\" 1}", "offset 5: expected ':'"},
	    {"{\"a\":1,}", "offset 7: expected member name"},
	    {"[1 2]", "offset 3: expected ',' or ']'"},
	    {"{\"a\":1} x", "offset 8: trailing data after document"},
	    {"\"abc", "offset 4: unterminated string"},
	    {"\"a\x01\"", "offset 2: control character in string"},
	    {"\"\\x\"", "offset 1: bad escape"},
	    {"\"\\u12\"", "offset 1: bad \\u escape"},
	    {"\"\\u0000\"", "offset 1: NUL in string"},
	    {"\"\\ud800\"", "offset 7: lone high surrogate"},
	    {"\"\\udc00\"", "offset 7: lone low surrogate"},
	    {"\"\xc3\"", "offset 1: invalid UTF-8"},
	    {"\"\xc0\xaf\"", "offset 1: invalid UTF-8"},
	    {"\"\xed\xa0\x80\"", "offset 1: invalid UTF-8"},
	    {"01", "offset 1: trailing data after document"},
	    {"1.", "offset 2: bad fraction"},
	    {"1e", "offset 2: bad exponent"},
	    {"-", "offset 1: bad number"},
	    {"tru", "offset 0: unexpected word"},
	    {"@", "offset 0: unexpected character"},
	    {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	     "offset 32: nesting too deep"},
	    /* Readers disagree on these (SQLite matches raw names and takes the first). */
	    {"{\"h\\u006cc\":1,\"hlc\":2}", "offset 11: escaped member name"},
	    {"{\"hlc\":1,\"hlc\":2}", "offset 17: duplicate member name"},
	    {"[{\"a\":{\"b\":1,\"b\":1}}]", "offset 19: duplicate member name"},
	    {"{\"k01\":0,\"k02\":0,\"k03\":0,\"k04\":0,\"k05\":0,\"k06\":0,\"k07\":0,"
	     "\"k08\":0,\"k09\":0,\"k10\":0,\"k11\":0,\"k12\":0,\"k13\":0,\"k14\":0,"
	     "\"k15\":0,\"k16\":0,\"k17\":0,\"k18\":0,\"k03\":0}",
	     "offset 153: duplicate member name"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_doc_t doc;
		char err[128] = "";
		if (json_doc_parse(rows[i].text, strlen(rows[i].text), &doc, err, sizeof(err)) == 0)
			fail_msg("row %zu accepted", i);
		if (strcmp(err, rows[i].err) != 0)
			fail_msg("row %zu: expected [%s] got [%s]", i, rows[i].err, err);
	}
}

static void test_embedded_nul_refused(void **state)
{
	(void)state;
	json_doc_t doc;
	char err[128];
	assert_int_equal(json_doc_parse("\"a\0b\"", 5, &doc, err, sizeof(err)), -1);
	assert_string_equal(err, "offset 2: control character in string");
}

static void test_member_lookup_and_raw_span(void **state)
{
	(void)state;
	const char *text =
	    "{\"seq\": 18446744073709551615, \"row\": {\"x\": [1,2]}, \"s\": \"a\\\"b\"}";
	json_doc_t doc;
	char err[128], s[16];
	uint64_t v;
	assert_int_equal(json_doc_parse(text, strlen(text), &doc, err, sizeof(err)), 0);
	const json_node_t *n = json_doc_get(&doc, &doc.nodes[0], "seq");
	assert_non_null(n);
	assert_int_equal(json_doc_u64(&doc, n, &v), 0);
	assert_true(v == UINT64_MAX);
	n = json_doc_get(&doc, &doc.nodes[0], "row");
	assert_non_null(n);
	assert_int_equal(n->len, 12);
	assert_memory_equal(text + n->start, "{\"x\": [1,2]}", 12);
	n = json_doc_get(&doc, &doc.nodes[0], "s");
	assert_int_equal(json_doc_string(&doc, n, s, sizeof(s)), 0);
	assert_string_equal(s, "a\"b");
	assert_null(json_doc_get(&doc, &doc.nodes[0], "absent"));
	json_doc_free(&doc);
}

static void test_u64_refuses_non_integers(void **state)
{
	(void)state;
	static const char *const rows[] = {"-1", "1.5", "1e3", "18446744073709551616", "\"1\""};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_doc_t doc;
		char err[128];
		uint64_t v;
		assert_int_equal(json_doc_parse(rows[i], strlen(rows[i]), &doc, err, sizeof(err)),
				 0);
		if (json_doc_u64(&doc, &doc.nodes[0], &v) == 0)
			fail_msg("row %zu (%s) accepted as an integer", i, rows[i]);
		json_doc_free(&doc);
	}
}

static void test_string_too_long_for_buffer_refused(void **state)
{
	(void)state;
	json_doc_t doc;
	char err[128], out[4];
	assert_int_equal(json_doc_parse("\"abcd\"", 6, &doc, err, sizeof(err)), 0);
	assert_int_equal(json_doc_string(&doc, &doc.nodes[0], out, sizeof(out)), -1);
	json_doc_free(&doc);
}

static void test_too_many_values_refused(void **state)
{
	(void)state;
	size_t n = (size_t)JSON_DOC_NODES_MAX + 1; /* the array itself is one more value */
	char *text = malloc(2 * n + 1);
	assert_non_null(text);
	text[0] = '[';
	for (size_t i = 0; i < n; i++) {
		text[1 + 2 * i] = '0';
		text[2 + 2 * i] = i + 1 < n ? ',' : ']';
	}
	json_doc_t doc;
	char err[128];
	assert_int_equal(json_doc_parse(text, 2 * n + 1, &doc, err, sizeof(err)), -1);
	assert_string_equal(err, "offset 8388607: too many values");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_documents_parse),
	    cmocka_unit_test(test_invalid_documents_refused_with_message),
	    cmocka_unit_test(test_embedded_nul_refused),
	    cmocka_unit_test(test_member_lookup_and_raw_span),
	    cmocka_unit_test(test_u64_refuses_non_integers),
	    cmocka_unit_test(test_string_too_long_for_buffer_refused),
	    cmocka_unit_test(test_too_many_values_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
