/* SPDX-License-Identifier: MIT */
/* test_dns_packet.c -- the dns probe's query and the checks on its answer */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "healthcheck/hc_dns_packet.h"

static void test_query_encodes_name_type_and_class(void **state)
{
	uint8_t buf[HC_DNS_QUERY_MAX];
	int n = hc_dns_query_build(0x1234, "www.example.com.", 28, buf, sizeof(buf));
	static const uint8_t want[] = {0x12, 0x34, 0,	0,   0,	  1,   0,   0,	 0,   0,   0,
				       0,    3,	   'w', 'w', 'w', 7,   'e', 'x', 'a', 'm', 'p',
				       'l',  'e',  3,	'c', 'o', 'm', 0,   0,	 28,  0,   1};
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_query_for_root(void **state)
{
	uint8_t buf[HC_DNS_QUERY_MAX];
	assert_int_equal(hc_dns_query_build(1, ".", 6, buf, sizeof(buf)), 12 + 1 + 4);
}

static void test_query_refuses_bad_names(void **state)
{
	uint8_t buf[HC_DNS_QUERY_MAX];
	char long_label[80];
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".com.");
	assert_int_equal(hc_dns_query_build(1, "a..b.", 1, buf, sizeof(buf)), -1);
	assert_int_equal(hc_dns_query_build(1, long_label, 1, buf, sizeof(buf)), -1);
	assert_int_equal(hc_dns_query_build(1, "a.", 1, buf, 20), -1);
}

typedef struct {
	const char *name;
	size_t cut;	 /* answer length; 0: the whole query */
	uint8_t flip_id; /* xor into the id */
	uint8_t flags2;	 /* byte 2 */
	uint8_t flags3;	 /* byte 3 */
	char case_swap;	 /* change a question letter's case */
	char corrupt;	 /* change a question letter */
	int expect;	 /* rcode or -1 */
	const char *why;
} answer_case_t;

static const answer_case_t answer_cases[] = {
    {"NOERROR answer", 0, 0, 0x84, 0x00, 0, 0, 0, ""},
    {"SERVFAIL answer", 0, 0, 0x80, 0x02, 0, 0, 2, ""},
    {"0x20 case change is fine", 0, 0, 0x80, 0x03, 1, 0, 3, ""},
    {"short", 11, 0, 0x80, 0, 0, 0, -1, "short answer (11 bytes)"},
    {"other id", 0, 1, 0x80, 0, 0, 0, -1, "id mismatch"},
    {"a query, not an answer", 0, 0, 0x00, 0, 0, 0, -1, "not an answer (QR clear)"},
    {"other question", 0, 0, 0x80, 0, 0, 1, -1, "question mismatch"},
};

static void test_answer_table(void **state)
{
	uint8_t q[HC_DNS_QUERY_MAX];
	int qlen = hc_dns_query_build(0xbeef, "ns.example.", 1, q, sizeof(q));
	assert_true(qlen > 0);
	for (size_t i = 0; i < sizeof(answer_cases) / sizeof(answer_cases[0]); i++) {
		const answer_case_t *c = &answer_cases[i];
		uint8_t a[HC_DNS_QUERY_MAX];
		memcpy(a, q, (size_t)qlen);
		a[1] ^= c->flip_id;
		a[2] = c->flags2;
		a[3] = c->flags3;
		if (c->case_swap)
			a[13] = 'N';
		if (c->corrupt)
			a[13] = 'x';
		char why[64] = "";
		int got = hc_dns_answer_rcode(a, c->cut ? c->cut : (size_t)qlen, q, (size_t)qlen,
					      why, sizeof(why));
		if (got != c->expect || strcmp(why, c->why) != 0)
			fail_msg("case \"%s\": got %d \"%s\"", c->name, got, why);
	}
}

static void test_rcode_names(void **state)
{
	assert_string_equal(hc_dns_rcode_name(0), "NOERROR");
	assert_string_equal(hc_dns_rcode_name(2), "SERVFAIL");
	assert_string_equal(hc_dns_rcode_name(5), "REFUSED");
	assert_string_equal(hc_dns_rcode_name(15), "RCODE15");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_encodes_name_type_and_class),
	    cmocka_unit_test(test_query_for_root),
	    cmocka_unit_test(test_query_refuses_bad_names),
	    cmocka_unit_test(test_answer_table),
	    cmocka_unit_test(test_rcode_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
