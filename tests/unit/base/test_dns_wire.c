/* SPDX-License-Identifier: MIT */
/* test_dns_wire.c -- base/dns_wire: type and rcode names, names encoded, decoded and compared */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/dns_wire.h"

static void test_type_names_round_trip(void **state)
{
	(void)state;
	static const struct {
		const char *text; /* what is parsed */
		int want;	  /* the type, or -1 when refused */
		const char *name; /* dns_type_name of it (NULL: none) */
	} cases[] = {
	    {"A", 1, "A"},	     {"aaaa", 28, "AAAA"},   {"Https", 65, "HTTPS"},
	    {"CAA", 257, "CAA"},     {"TYPE99", 99, NULL},   {"type65535", 65535, NULL},
	    {"TYPE0", -1, NULL},     {"TYPE65536", -1, NULL}, {"TYPE", -1, NULL},
	    {"TYPE1x", -1, NULL},    {"BOGUS", -1, NULL},    {"", -1, NULL},
	};
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++) {
		uint16_t t = 7;
		int rc = dns_type_parse(cases[i].text, &t);
		if (cases[i].want < 0) {
			assert_int_equal(rc, -1);
			assert_int_equal(t, 7); /* untouched */
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(t, cases[i].want);
		if (cases[i].name == NULL)
			assert_null(dns_type_name(t));
		else
			assert_string_equal(dns_type_name(t), cases[i].name);
	}
}

static void test_rcode_names(void **state)
{
	(void)state;
	assert_string_equal(dns_rcode_name(DNS_RCODE_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(dns_rcode_name(DNS_RCODE_NOTZONE), "NOTZONE");
	assert_string_equal(dns_rcode_name(DNS_RCODE_BADCOOKIE), "BADCOOKIE");
	assert_null(dns_rcode_name(11));
	assert_null(dns_rcode_name(-1));
	int r = -5;
	assert_int_equal(dns_rcode_parse("servfail", &r), 0);
	assert_int_equal(r, DNS_RCODE_SERVFAIL);
	assert_int_equal(dns_rcode_parse("15", &r), 0);
	assert_int_equal(r, 15);
	r = -5;
	assert_int_equal(dns_rcode_parse("16", &r), -1);
	assert_int_equal(dns_rcode_parse("BADCOOKIE", &r), -1); /* not a header rcode */
	assert_int_equal(r, -5);
}

static void test_fields_are_big_endian(void **state)
{
	(void)state;
	uint8_t b[4];
	dns_put16(b, 0x1234);
	assert_int_equal(b[0], 0x12);
	assert_int_equal(b[1], 0x34);
	assert_int_equal(dns_get16(b), 0x1234);
	dns_put32(b, 0x89abcdefu);
	assert_memory_equal(b, "\x89\xab\xcd\xef", 4);
	assert_int_equal(dns_get32(b), 0x89abcdefu);
}

static void test_name_encode(void **state)
{
	(void)state;
	static const struct {
		const char *text; /* presentation form */
		const char *wire; /* wire form (NULL: refused) */
		size_t len;	  /* its length */
	} cases[] = {
	    {"www.example.com", "\3www\7example\3com", 17},
	    {"www.example.com.", "\3www\7example\3com", 17},
	    {".", "", 1},
	    {"", "", 1},
	    {"a..b", NULL, 0},
	    {".a", NULL, 0},
	};
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++) {
		uint8_t out[DNS_NAME_MAX];
		int n = dns_name_encode(cases[i].text, out, sizeof(out));
		if (cases[i].wire == NULL) {
			assert_int_equal(n, -1);
			continue;
		}
		assert_int_equal(n, (int)cases[i].len);
		assert_memory_equal(out, cases[i].wire, cases[i].len); /* with the root's 0 */
	}
}

static void test_name_encode_limits(void **state)
{
	(void)state;
	char label[70], name[300];
	uint8_t out[DNS_NAME_MAX];
	memset(label, 'a', 64);
	label[64] = '\0';
	assert_int_equal(dns_name_encode(label, out, sizeof(out)), -1); /* 64-byte label */
	label[63] = '\0';
	assert_int_equal(dns_name_encode(label, out, sizeof(out)), 65);
	/* 4 labels of 63: 4 * 64 + 1 = 257 bytes, over 255 */
	snprintf(name, sizeof(name), "%s.%s.%s.%s", label, label, label, label);
	assert_int_equal(dns_name_encode(name, out, sizeof(out)), -1);
	/* 3 of 63 and one of 61: 3 * 64 + 62 + 1 = 255, the most there is */
	snprintf(name, sizeof(name), "%s.%s.%s.%.61s", label, label, label, label);
	assert_int_equal(dns_name_encode(name, out, sizeof(out)), 255);
	assert_int_equal(dns_name_encode("www.example.com", out, 10), -1); /* out too small */
}

static void test_name_decode_follows_pointers_back(void **state)
{
	(void)state;
	/* header, then "Example.COM" at 12, then "www" + pointer to 12 at 25 */
	uint8_t msg[64] = {0};
	size_t len = 12;
	memcpy(msg + len, "\7Example\3COM\0", 13);
	len += 13;
	memcpy(msg + len, "\3www\xc0\x0c", 6);
	len += 6;
	uint8_t out[DNS_NAME_MAX];
	size_t pos = 25;
	int n = dns_name_decode(msg, len, &pos, out);
	assert_int_equal(n, 17);
	assert_memory_equal(out, "\3www\7example\3com", 17); /* lower-cased */
	assert_int_equal(pos, 31);			     /* past the pointer */
	pos = 25;
	assert_int_equal(dns_name_skip(msg, len, &pos), 0);
	assert_int_equal(pos, 31);
	assert_true(dns_name_equal(out, 17, (const uint8_t *)"\3WWW\7example\3Com", 17));
	assert_false(dns_name_equal(out, 17, (const uint8_t *)"\3wwx\7example\3com", 17));
}

static void test_name_decode_refuses_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *what; /* the case */
		const char *msg;  /* bytes from offset 0; the name starts at 2 */
		size_t len;	  /* their count */
	} cases[] = {
	    {"pointer to itself", "\0\0\xc0\x02", 4},
	    {"pointer forward", "\0\0\xc0\x05\0\0", 6},
	    {"truncated label", "\0\0\5abc", 6},
	    {"truncated pointer", "\0\0\xc0", 3},
	    {"reserved label type", "\0\0\x41" "a\0", 5},
	    {"no root label", "\0\0\1a", 4},
	};
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++) {
		uint8_t out[DNS_NAME_MAX];
		size_t pos = 2;
		print_message("%s\n", cases[i].what);
		assert_int_equal(dns_name_decode((const uint8_t *)cases[i].msg, cases[i].len, &pos, out),
				 -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_type_names_round_trip),
	    cmocka_unit_test(test_rcode_names),
	    cmocka_unit_test(test_fields_are_big_endian),
	    cmocka_unit_test(test_name_encode),
	    cmocka_unit_test(test_name_encode_limits),
	    cmocka_unit_test(test_name_decode_follows_pointers_back),
	    cmocka_unit_test(test_name_decode_refuses_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
