/* SPDX-License-Identifier: MIT */
/* test_json_escape.c -- JSON string literals under each flag set, and UTF-8 validation */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/json_escape.h"

#define CTL_FLAGS (JSON_ESCAPE_SHORT | JSON_ESCAPE_DEL | JSON_ESCAPE_UTF8)

/* A fixed buffer that refuses once `refuse_after` runs have been taken. */
typedef struct {
	char data[256];	       /* what was written, NUL-terminated */
	size_t len;	       /* bytes in data */
	unsigned runs;	       /* sink calls so far, refused ones included */
	unsigned refuse_after; /* calls accepted before every later one fails; ~0u: never */
} sink_t;

static int sink(void *ctx, const char *p, size_t n)
{
	sink_t *k = ctx;
	if (k->runs++ >= k->refuse_after || n >= sizeof(k->data) - k->len)
		return -1;
	memcpy(k->data + k->len, p, n);
	k->len += n;
	k->data[k->len] = '\0';
	return 0;
}

static void check(const char *in, unsigned flags, const char *want)
{
	sink_t k = {.refuse_after = ~0u};
	assert_int_equal(json_escape(in, flags, sink, &k), 0);
	assert_string_equal(k.data, want);
}

static void test_plain_text_is_quoted(void **state)
{
	(void)state;
	check("", 0, "\"\"");
	check("www.example.", 0, "\"www.example.\"");
	check("www.example.", CTL_FLAGS, "\"www.example.\"");
}

static void test_quote_and_backslash_are_escaped(void **state)
{
	(void)state;
	check("a\"b\\c", 0, "\"a\\\"b\\\\c\"");
	check("a\"b\\c", CTL_FLAGS, "\"a\\\"b\\\\c\"");
}

static void test_control_characters_become_u00xx(void **state)
{
	(void)state;
	check("\x01\x1f\n\t\r\b\f", 0, "\"\\u0001\\u001f\\u000a\\u0009\\u000d\\u0008\\u000c\"");
}

static void test_short_flag_uses_two_character_escapes(void **state)
{
	(void)state;
	check("\n\t\r\b\f\x01\x1b", JSON_ESCAPE_SHORT, "\"\\n\\t\\r\\b\\f\\u0001\\u001b\"");
}

static void test_del_is_raw_unless_flagged(void **state)
{
	(void)state;
	check("a\x7f", 0, "\"a\x7f\"");
	check("a\x7f", JSON_ESCAPE_DEL, "\"a\\u007f\"");
}

static void test_valid_utf8_passes_through(void **state)
{
	(void)state;
	static const char *const rows[] = {
	    "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf",
	};
	for (size_t i = 0; i < M_ARRAY_LEN(rows); i++) {
		char want[64];
		snprintf(want, sizeof(want), "\"%s\"", rows[i]);
		check(rows[i], 0, want);
		check(rows[i], CTL_FLAGS, want);
	}
}

static void test_invalid_utf8_is_copied_without_the_flag(void **state)
{
	(void)state;
	check("a\xff\xc3(\xed\xa0\x80", 0, "\"a\xff\xc3(\xed\xa0\x80\"");
}

static void test_invalid_utf8_becomes_fffd_per_byte_with_the_flag(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *want;
	} rows[] = {
	    {"a\xff\x01", "\"a\\ufffd\\u0001\""},		      /* never a lead byte */
	    {"\x80", "\"\\ufffd\""},				      /* stray continuation */
	    {"\xc3", "\"\\ufffd\""},				      /* truncated at the end */
	    {"\xc3(", "\"\\ufffd(\""},				      /* truncated mid-string */
	    {"\xc0\xaf", "\"\\ufffd\\ufffd\""},			      /* overlong '/' */
	    {"\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""},	      /* overlong, 3 bytes */
	    {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},	      /* surrogate U+D800 */
	    {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* past U+10FFFF */
	    {"\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* lead past F4 */
	};
	for (size_t i = 0; i < M_ARRAY_LEN(rows); i++)
		check(rows[i].in, JSON_ESCAPE_UTF8, rows[i].want);
}

static void test_refusing_sink_stops_with_minus_one(void **state)
{
	(void)state;
	for (unsigned after = 0; after < 5; after++) {
		sink_t k = {.refuse_after = after};
		assert_int_equal(json_escape("a\"b\"c", 0, sink, &k), -1);
		assert_int_equal(k.runs, after + 1); /* nothing asked after the refusal */
	}
}

static void test_utf8_len_counts_sequence_bytes(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t n;
		size_t want;
	} rows[] = {
	    {"A", 1, 1},
	    {"\xc3\xa9", 2, 2},
	    {"\xe2\x82\xac", 3, 3},
	    {"\xf0\x9f\x98\x80", 4, 4},
	    {"\xf0\x9f\x98\x80", 3, 0}, /* fewer bytes available than the lead says */
	    {"\xc2\x7f", 2, 0},
	    {"\xc1\xbf", 2, 0},
	    {"\xed\xbf\xbf", 3, 0},
	    {"\xf8\x88\x80\x80", 4, 0},
	};
	for (size_t i = 0; i < M_ARRAY_LEN(rows); i++)
		assert_int_equal(json_utf8_len((const unsigned char *)rows[i].s, rows[i].n),
				 rows[i].want);
}

/* json_utf8_repair: one replacement per bad byte, like JSON_ESCAPE_UTF8; NULs and valid
 * sequences copied. A row per case. */
static void test_utf8_repair_replaces_each_bad_byte(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *in;
		size_t n;
		const char *replacement;
		const char *want;
	} rows[] = {
	    {"valid text unchanged", "caf\xc3\xa9", 5, JSON_UTF8_FFFD, "caf\xc3\xa9"},
	    {"latin-1 byte", "caf\xe9", 4, JSON_UTF8_FFFD, "caf\xef\xbf\xbd"},
	    {"two bad bytes, two replacements", "\xff\xfe", 2, JSON_UTF8_FFFD,
	     "\xef\xbf\xbd\xef\xbf\xbd"},
	    {"truncated sequence at the end", "a\xe2\x82", 3, JSON_UTF8_FFFD,
	     "a\xef\xbf\xbd\xef\xbf\xbd"},
	    {"surrogate", "\xed\xa0\x80", 3, JSON_UTF8_FFFD,
	     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	    {"JSON text: escape inside the string", "{\"r\":\"caf\xe9\"}", 12,
	     JSON_UTF8_FFFD_ESCAPE, "{\"r\":\"caf\\ufffd\"}"},
	    {"JSON text: valid text unchanged", "{\"r\":\"\xe2\x82\xac\"}", 11,
	     JSON_UTF8_FFFD_ESCAPE, "{\"r\":\"\xe2\x82\xac\"}"},
	};
	for (size_t i = 0; i < M_ARRAY_LEN(rows); i++) {
		sink_t k = {.refuse_after = ~0u};
		if (json_utf8_repair(rows[i].in, rows[i].n, rows[i].replacement, sink, &k) != 0)
			fail_msg("%s: refused", rows[i].name);
		if (k.len != strlen(rows[i].want) || memcmp(k.data, rows[i].want, k.len) != 0)
			fail_msg("%s: got [%.*s]", rows[i].name, (int)k.len, k.data);
		if (!json_utf8_valid(k.data, k.len))
			fail_msg("%s: output not UTF-8", rows[i].name);
	}
}

/* The repair and the escaper agree: what ctl prints for a bad string is what the repaired
 * JSON text holds. */
static void test_utf8_repair_agrees_with_escape_flag(void **state)
{
	(void)state;
	sink_t escaped = {.refuse_after = ~0u}, repaired = {.refuse_after = ~0u};
	const char in[] = "\"x\xc0\xaf\xe9y\"";
	assert_int_equal(json_escape("x\xc0\xaf\xe9y", JSON_ESCAPE_UTF8, sink, &escaped), 0);
	assert_int_equal(
	    json_utf8_repair(in, sizeof(in) - 1, JSON_UTF8_FFFD_ESCAPE, sink, &repaired), 0);
	assert_string_equal(repaired.data, escaped.data);
	assert_string_equal(repaired.data, "\"x\\ufffd\\ufffd\\ufffdy\"");
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(json_utf8_valid("", 0));
	assert_true(json_utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
	assert_true(json_utf8_valid("a\0b", 3));
	assert_false(json_utf8_valid("caf\xe9", 4));
	assert_false(json_utf8_valid("\xc3", 1));
}

static void test_utf8_repair_refusing_sink_stops(void **state)
{
	(void)state;
	sink_t k = {.refuse_after = 1};
	assert_int_equal(json_utf8_repair("ab\xff\x63\x64", 5, JSON_UTF8_FFFD, sink, &k), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_text_is_quoted),
	    cmocka_unit_test(test_quote_and_backslash_are_escaped),
	    cmocka_unit_test(test_control_characters_become_u00xx),
	    cmocka_unit_test(test_short_flag_uses_two_character_escapes),
	    cmocka_unit_test(test_del_is_raw_unless_flagged),
	    cmocka_unit_test(test_valid_utf8_passes_through),
	    cmocka_unit_test(test_invalid_utf8_is_copied_without_the_flag),
	    cmocka_unit_test(test_invalid_utf8_becomes_fffd_per_byte_with_the_flag),
	    cmocka_unit_test(test_refusing_sink_stops_with_minus_one),
	    cmocka_unit_test(test_utf8_len_counts_sequence_bytes),
	    cmocka_unit_test(test_utf8_repair_replaces_each_bad_byte),
	    cmocka_unit_test(test_utf8_repair_agrees_with_escape_flag),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_repair_refusing_sink_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
