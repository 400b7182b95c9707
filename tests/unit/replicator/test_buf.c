/* SPDX-License-Identifier: MIT */
/* test_buf.c -- the capped writer of the replicator's JSON messages */
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
#include "replicator/repl_buf.h"

static void test_writer_escapes_and_round_trips(void **state)
{
	(void)state;
	repl_buf_t b;
	json_doc_t doc;
	char err[128], out[64];
	repl_buf_init(&b, 1024);
	assert_int_equal(repl_buf_json_string(&b, "q\"b\\s\x01\n\xc3\xa9"), 0);
	assert_string_equal(b.data, "\"q\\\"b\\\\s\\u0001\\u000a\xc3\xa9\"");
	assert_int_equal(json_doc_parse(b.data, b.len, &doc, err, sizeof(err)), 0);
	assert_int_equal(json_doc_string(&doc, &doc.nodes[0], out, sizeof(out)), 0);
	assert_string_equal(out, "q\"b\\s\x01\n\xc3\xa9");
	json_doc_free(&doc);
	repl_buf_free(&b);
}

static void test_writer_cap_sets_overflow(void **state)
{
	(void)state;
	repl_buf_t b;
	repl_buf_init(&b, 8);
	assert_int_equal(repl_buf_append(&b, "12345678", 8), 0);
	assert_false(b.overflow);
	assert_int_equal(repl_buf_append(&b, "9", 1), -1);
	assert_true(b.overflow);
	assert_int_equal(b.len, 8);
	repl_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writer_escapes_and_round_trips),
	    cmocka_unit_test(test_writer_cap_sets_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
