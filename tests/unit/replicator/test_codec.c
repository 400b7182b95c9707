/* SPDX-License-Identifier: MIT */
/* test_codec.c -- pull requests and change batches on the wire */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replicator/repl_codec.h"

static void test_pull_round_trips(void **state)
{
	(void)state;
	repl_pull_t in, out;
	repl_buf_t b;
	char err[128];
	memset(&in, 0, sizeof(in));
	snprintf(in.cursors[0].origin, STATE_NAME_MAX, "us-east");
	in.cursors[0].seq = 42;
	snprintf(in.cursors[1].origin, STATE_NAME_MAX, "eu-west");
	in.cursors[1].seq = UINT64_C(9007199254740993);
	in.count = 2;
	in.max = 500;
	in.wait_ms = 25000;
	repl_buf_init(&b, REPL_REQUEST_BODY_MAX);
	assert_int_equal(repl_pull_encode(&in, &b), 0);
	assert_string_equal(b.data, "{\"cursors\":{\"us-east\":42,\"eu-west\":9007199254740993},"
				    "\"max\":500,\"wait_ms\":25000}");
	assert_int_equal(repl_pull_decode(b.data, b.len, &out, err, sizeof(err)), 0);
	assert_int_equal(out.count, 2);
	assert_string_equal(out.cursors[1].origin, "eu-west");
	assert_true(out.cursors[1].seq == UINT64_C(9007199254740993));
	assert_int_equal(out.max, 500);
	assert_int_equal(out.wait_ms, 25000);
	repl_buf_free(&b);
}

static void test_pull_refusals_with_message(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *err;
	} rows[] = {
	    {"{\"cursors\":{}", "malformed JSON: offset 13: truncated document"},
	    {"[]", "request is not a JSON object"},
	    {"{\"max\":1,\"wait_ms\":0}", "cursors: missing"},
	    {"{\"cursors\":[],\"max\":1,\"wait_ms\":0}", "cursors: not an object"},
	    {"{\"cursors\":{\"a b\":1},\"max\":1,\"wait_ms\":0}", "cursors: bad origin"},
	    {"{\"cursors\":{\"a\":-1},\"max\":1,\"wait_ms\":0}",
	     "cursors.a: not a sequence number"},
	    {"{\"cursors\":{\"a\":1,\"a\":2},\"max\":1,\"wait_ms\":0}",
	     "malformed JSON: offset 24: duplicate member name"},
	    {"{\"cursors\":{},\"max\":0,\"wait_ms\":0}", "max: not an integer in 1..100000"},
	    {"{\"cursors\":{},\"max\":1}", "wait_ms: missing"},
	    {"{\"cursors\":{},\"max\":1,\"wait_ms\":600001}",
	     "wait_ms: not an integer in 0..600000"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		repl_pull_t p;
		char err[128] = "";
		if (repl_pull_decode(rows[i].text, strlen(rows[i].text), &p, err, sizeof(err)) == 0)
			fail_msg("row %zu accepted", i);
		if (strcmp(err, rows[i].err) != 0)
			fail_msg("row %zu: expected [%s] got [%s]", i, rows[i].err, err);
	}
}

static void test_pull_too_many_origins_refused(void **state)
{
	(void)state;
	repl_buf_t b;
	repl_pull_t p;
	char err[128];
	repl_buf_init(&b, 1 << 20);
	assert_int_equal(repl_buf_append(&b, "{\"cursors\":{", 12), 0);
	for (int i = 0; i <= REPL_ORIGINS_MAX; i++)
		assert_int_equal(repl_buf_printf(&b, "%s\"r%d\":1", i ? "," : "", i), 0);
	assert_int_equal(repl_buf_append(&b, "},\"max\":1,\"wait_ms\":0}", 22), 0);
	assert_int_equal(repl_pull_decode(b.data, b.len, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "cursors: more than 256 origins");
	repl_buf_free(&b);
}

static void test_batch_round_trips(void **state)
{
	(void)state;
	repl_buf_t b;
	repl_batch_t out;
	state_cursor_t heads[1] = {{"us-east", 7}};
	state_change_t c = {.origin = "us-east",
			    .seq = 7,
			    .hlc = UINT64_C(117697534996840448),
			    .table = "overrides",
			    .key = "dc1",
			    .row_json =
				(char *)"{\"datacenter\":\"dc1\",\"reason\":\"a \\\"b\\\"\"}"};
	state_change_t t = c;
	char err[128];
	t.row_json = NULL;
	repl_buf_init(&b, REPL_RESPONSE_BODY_MAX);
	assert_int_equal(repl_batch_encode_begin(&b, "eu-west", 1700000000000, heads, 1), 0);
	assert_int_equal(repl_batch_encode_entry(&b, &c, true), 0);
	assert_int_equal(repl_batch_encode_entry(&b, &t, false), 0);
	assert_int_equal(repl_batch_encode_end(&b, true), 0);
	assert_int_equal(repl_batch_decode(b.data, b.len, 2, &out, err, sizeof(err)), 0);
	assert_string_equal(out.region, "eu-west");
	assert_true(out.now_ms == 1700000000000);
	assert_true(out.more);
	assert_int_equal(out.head_count, 1);
	assert_true(out.heads[0].seq == 7);
	assert_int_equal(out.count, 2);
	assert_string_equal(out.entries[0].origin, "us-east");
	assert_true(out.entries[0].hlc == c.hlc);
	assert_string_equal(out.entries[0].table, "overrides");
	assert_string_equal(out.entries[0].key, "dc1");
	assert_string_equal(out.entries[0].row_json, c.row_json);
	assert_string_equal(out.entries[1].row_json, "null");
	repl_batch_free(&out);
	repl_buf_free(&b);
}

/* A row stored with bytes that are not UTF-8 (before the write path repaired text, or by
 * hand) goes out with each such byte as \ufffd: the batch still parses at the peer (its
 * parser refuses invalid UTF-8, so a raw byte would wedge the pull for good), and the
 * peer's row holds U+FFFD where the bytes were. Strings outside the row follow the same
 * rule. */
static void test_batch_with_invalid_utf8_row_still_decodes(void **state)
{
	(void)state;
	repl_buf_t b;
	repl_batch_t out;
	state_change_t c = {.origin = "us-east",
			    .seq = 3,
			    .hlc = 65536000,
			    .table = "events",
			    .key = "us-east/3",
			    .row_json =
				(char *)"{\"origin\":\"us-east\",\"reason\":\"caf\xe9 \xff\"}"};
	char err[128] = "";
	repl_buf_init(&b, REPL_RESPONSE_BODY_MAX);
	assert_int_equal(repl_batch_encode_begin(&b, "eu-west", 1700000000000, NULL, 0), 0);
	assert_int_equal(repl_batch_encode_entry(&b, &c, true), 0);
	assert_int_equal(repl_batch_encode_end(&b, false), 0);
	if (repl_batch_decode(b.data, b.len, 1, &out, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(out.count, 1);
	assert_string_equal(out.entries[0].row_json,
			    "{\"origin\":\"us-east\",\"reason\":\"caf\\ufffd \\ufffd\"}");
	repl_batch_free(&out);
	repl_buf_free(&b);

	repl_buf_init(&b, 256);
	assert_int_equal(repl_buf_json_string(&b, "no \xc0 way"), 0);
	assert_string_equal(b.data, "\"no \\ufffd way\"");
	repl_buf_free(&b);
}

#define HEAD "{\"region\":\"b\",\"now_ms\":1,\"more\":false,\"heads\":{},\"entries\":["
#define ENTRY(o, s, h, t, k, r)                                                                    \
	"{\"origin\":" o ",\"seq\":" s ",\"hlc\":" h ",\"table\":" t ",\"key\":" k ",\"row\":" r "}"

static void test_batch_refusals_with_message(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *err;
	} rows[] = {
	    {HEAD, "malformed JSON: offset 60: truncated document"},
	    {"{\"now_ms\":1,\"more\":false,\"heads\":{},\"entries\":[]}",
	     "region: missing or invalid"},
	    {"{\"region\":\"b\",\"more\":false,\"heads\":{},\"entries\":[]}", "now_ms: missing"},
	    {"{\"region\":\"b\",\"now_ms\":1,\"more\":1,\"heads\":{},\"entries\":[]}",
	     "more: missing or not a boolean"},
	    {"{\"region\":\"b\",\"now_ms\":1,\"more\":false,\"entries\":[]}", "heads: missing"},
	    {"{\"region\":\"b\",\"now_ms\":1,\"more\":false,\"heads\":{}}",
	     "entries: missing or not an array"},
	    {HEAD "1]}", "entries[0]: not an object"},
	    {HEAD ENTRY("\"\"", "1", "1", "\"t\"", "\"k\"", "{}") "]}",
	     "entries[0].origin: missing or invalid"},
	    {HEAD ENTRY("\"a\"", "0", "1", "\"t\"", "\"k\"", "{}") "]}",
	     "entries[0].seq: missing or invalid"},
	    {HEAD ENTRY("\"a\"", "1", "1.5", "\"t\"", "\"k\"", "{}") "]}",
	     "entries[0].hlc: missing or invalid"},
	    {HEAD ENTRY("\"a\"", "1", "1", "\"\"", "\"k\"", "{}") "]}",
	     "entries[0].table: missing or invalid"},
	    {HEAD ENTRY("\"a\"", "1", "1", "\"t\"", "7", "{}") "]}",
	     "entries[0].key: missing or invalid"},
	    {HEAD ENTRY("\"a\"", "1", "1", "\"t\"", "\"k\"", "[]") "]}",
	     "entries[0].row: missing or not an object"},
	    {HEAD ENTRY("\"a\"", "1", "1", "\"t\"", "\"k\"", "{}") "," ENTRY(
		 "\"a\"", "2", "1", "\"t\"", "\"k\"", "{}") "," ENTRY("\"a\"", "3", "1", "\"t\"",
								      "\"k\"", "{}") "]}",
	     "entries: 3 entries, more than the 2 asked for"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		repl_batch_t b;
		char err[128] = "";
		if (repl_batch_decode(rows[i].text, strlen(rows[i].text), 2, &b, err,
				      sizeof(err)) == 0)
			fail_msg("row %zu accepted", i);
		if (strcmp(err, rows[i].err) != 0)
			fail_msg("row %zu: expected [%s] got [%s]", i, rows[i].err, err);
	}
}

static void test_batch_oversized_row_refused(void **state)
{
	(void)state;
	repl_buf_t b;
	repl_batch_t out;
	char err[128];
	repl_buf_init(&b, 1 << 20);
	static const char start[] = HEAD
	    "{\"origin\":\"a\",\"seq\":1,\"hlc\":1,\"table\":\"t\",\"key\":\"k\",\"row\":{\"x\":\"";
	assert_int_equal(repl_buf_append(&b, start, strlen(start)), 0);
	for (int i = 0; i < REPL_ROW_MAX; i++)
		assert_int_equal(repl_buf_append(&b, "x", 1), 0);
	assert_int_equal(repl_buf_append(&b, "\"}}]}", 5), 0);
	assert_int_equal(repl_batch_decode(b.data, b.len, 10, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "entries[0].row: larger than 16384 bytes");
	repl_buf_free(&b);
}

static void test_origin_validation(void **state)
{
	(void)state;
	assert_true(repl_origin_valid("us-east_1.a"));
	assert_false(repl_origin_valid(""));
	assert_false(repl_origin_valid("a/b"));
	assert_false(repl_origin_valid("a b"));
	char long_name[STATE_NAME_MAX + 1];
	memset(long_name, 'a', STATE_NAME_MAX);
	long_name[STATE_NAME_MAX] = '\0';
	assert_false(repl_origin_valid(long_name));
	long_name[STATE_NAME_MAX - 1] = '\0';
	assert_true(repl_origin_valid(long_name));
}

/* Deterministic random damage (flips, truncations, insertions) to a valid batch and a
 * valid pull: every variant decodes or is refused with a message; never a crash (the
 * sanitizer build runs this too). */
static void test_damaged_input_never_crashes(void **state)
{
	(void)state;
	repl_buf_t b;
	state_cursor_t heads[2] = {{"us-east", 9}, {"eu-west", 3}};
	state_change_t c = {
	    .origin = "us-east",
	    .seq = 9,
	    .hlc = 117697534996840448u,
	    .table = "overrides",
	    .key = "dc1",
	    .row_json = (char *)"{\"datacenter\":\"dc1\",\"reason\":\"caf\u00e9 \\\"x\\\"\"}"};
	repl_buf_init(&b, 1 << 16);
	assert_int_equal(repl_batch_encode_begin(&b, "eu-west", 1700000000000, heads, 2), 0);
	assert_int_equal(repl_batch_encode_entry(&b, &c, true), 0);
	assert_int_equal(repl_batch_encode_entry(&b, &c, false), 0);
	assert_int_equal(repl_batch_encode_end(&b, false), 0);
	const char *pull =
	    "{\"cursors\":{\"us-east\":42,\"eu-west\":7},\"max\":500,\"wait_ms\":25000}";
	static const char alphabet[] = "{}[]\",:\\0123456789eE.-+tfnu \x00\x80\xc3\xff";
	uint32_t seed = 12345;
	size_t decoded = 0, refused = 0;
	for (int round = 0; round < 20000; round++) {
		const char *src = round % 2 ? b.data : pull;
		size_t len = strlen(src);
		char text[4096];
		memcpy(text, src, len);
		int edits = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 4;
		for (int e = 0; e < edits; e++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 16) % 3) {
			case 0: /* flip to another character */
				text[at] = alphabet[(seed >> 4) % (sizeof(alphabet) - 1)];
				break;
			case 1: /* truncate */
				len = at;
				break;
			default: /* duplicate a byte */
				if (len + 1 < sizeof(text)) {
					memmove(text + at + 1, text + at, len - at);
					len++;
				}
			}
			if (len == 0)
				break;
		}
		char err[160];
		if (round % 2) {
			repl_batch_t out;
			if (repl_batch_decode(text, len, 10, &out, err, sizeof(err)) == 0) {
				decoded++;
				repl_batch_free(&out);
			} else {
				refused++;
				assert_true(err[0] != '\0');
			}
		} else {
			repl_pull_t out;
			if (repl_pull_decode(text, len, &out, err, sizeof(err)) == 0)
				decoded++;
			else {
				refused++;
				assert_true(err[0] != '\0');
			}
		}
	}
	assert_true(decoded > 0);
	assert_true(refused > 10000);
	repl_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pull_round_trips),
	    cmocka_unit_test(test_pull_refusals_with_message),
	    cmocka_unit_test(test_pull_too_many_origins_refused),
	    cmocka_unit_test(test_batch_round_trips),
	    cmocka_unit_test(test_batch_with_invalid_utf8_row_still_decodes),
	    cmocka_unit_test(test_batch_refusals_with_message),
	    cmocka_unit_test(test_batch_oversized_row_refused),
	    cmocka_unit_test(test_origin_validation),
	    cmocka_unit_test(test_damaged_input_never_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
