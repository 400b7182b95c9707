/* SPDX-License-Identifier: MIT */
/* test_geo_addr.c -- CIDR parsing and the IPv6 forms that carry IPv4 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "geo/geo_addr.h"

typedef struct {
	const char *text;  /* input */
	int family;	   /* expected, when ok */
	unsigned prefix;   /* expected, when ok */
	const char *error; /* expected message, or NULL when it parses */
} net_row_t;

static void test_net_parse_table(void **state)
{
	static const net_row_t rows[] = {
	    {"10.0.0.0/8", AF_INET, 8, NULL},
	    {"0.0.0.0/0", AF_INET, 0, NULL},
	    {"192.0.2.7", AF_INET, 32, NULL},
	    {"2001:db8::/32", AF_INET6, 32, NULL},
	    {"::/0", AF_INET6, 0, NULL},
	    {"2001:db8::1", AF_INET6, 128, NULL},
	    {"10.0.0.1/8", 0, 0, "10.0.0.1/8: host bits set beyond /8"},
	    {"2001:db8::1/64", 0, 0, "2001:db8::1/64: host bits set beyond /64"},
	    {"10.0.0.0/33", 0, 0, "10.0.0.0/33: prefix length must be 0..32"},
	    {"2001:db8::/129", 0, 0, "2001:db8::/129: prefix length must be 0..128"},
	    {"10.0.0.0/", 0, 0, "10.0.0.0/: prefix length must be 0..32"},
	    {"10.0.0.0/-1", 0, 0, "10.0.0.0/-1: prefix length must be 0..32"},
	    {"10.0.0.0/8x", 0, 0, "10.0.0.0/8x: prefix length must be 0..32"},
	    {"europe", 0, 0, "europe: not an address"},
	    {"/8", 0, 0, "/8: not an address"},
	    {"", 0, 0, ": not an address"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int family = -1;
		uint8_t addr[16];
		unsigned prefix = 999;
		char err[128] = "";
		int rc = geo_net_parse(rows[i].text, &family, addr, &prefix, err, sizeof(err));
		print_message("%s\n", rows[i].text);
		if (rows[i].error) {
			assert_int_equal(rc, -1);
			assert_string_equal(err, rows[i].error);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(family, rows[i].family);
			assert_int_equal(prefix, rows[i].prefix);
		}
	}
}

typedef struct {
	const char *address; /* IPv6 text */
	geo_form_t form;     /* expected form */
	const char *v4;	     /* expected carried IPv4, or NULL for NATIVE */
} form_row_t;

static void test_forms_table(void **state)
{
	static const form_row_t rows[] = {
	    {"::ffff:81.2.69.1", GEO_FORM_MAPPED, "81.2.69.1"},
	    {"::81.2.69.1", GEO_FORM_COMPAT, "81.2.69.1"},
	    {"::2", GEO_FORM_COMPAT, "0.0.0.2"},
	    {"::", GEO_FORM_NATIVE, NULL},
	    {"::1", GEO_FORM_NATIVE, NULL},
	    {"64:ff9b::c000:221", GEO_FORM_NAT64, "192.0.2.33"},
	    {"64:ff9b:1::c000:221", GEO_FORM_NATIVE, NULL},
	    {"2002:c000:221::1", GEO_FORM_6TO4, "192.0.2.33"},
	    {"2001:0:4136:e378:8000:63bf:3fff:fdd2", GEO_FORM_TEREDO, "192.0.2.45"},
	    {"2001:db8::1", GEO_FORM_NATIVE, NULL},
	    {"2001:1::1", GEO_FORM_NATIVE, NULL},
	    {"2003::1", GEO_FORM_NATIVE, NULL},
	    {"::fffe:81.2.69.1", GEO_FORM_NATIVE, NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t addr[16], v4[4];
		char text[INET_ADDRSTRLEN];
		print_message("%s\n", rows[i].address);
		assert_int_equal(inet_pton(AF_INET6, rows[i].address, addr), 1);
		geo_form_t f = geo_addr_form(addr);
		assert_int_equal(f, rows[i].form);
		if (!rows[i].v4)
			continue;
		geo_addr_embedded_v4(f, addr, v4);
		inet_ntop(AF_INET, v4, text, sizeof(text));
		assert_string_equal(text, rows[i].v4);
	}
}

static void test_mask_zeroes_bits_after_prefix(void **state)
{
	uint8_t in[16], out[16];
	char text[INET6_ADDRSTRLEN];
	(void)state;
	memset(in, 0xff, sizeof(in));
	geo_addr_mask(AF_INET, in, 20, out);
	inet_ntop(AF_INET, out, text, sizeof(text));
	assert_string_equal(text, "255.255.240.0");
	assert_int_equal(out[4], 0); /* the rest of the 16 bytes is zero */
	geo_addr_mask(AF_INET6, in, 60, out);
	inet_ntop(AF_INET6, out, text, sizeof(text));
	assert_string_equal(text, "ffff:ffff:ffff:fff0::");
	geo_addr_mask(AF_INET, in, 99, out); /* clamps */
	inet_ntop(AF_INET, out, text, sizeof(text));
	assert_string_equal(text, "255.255.255.255");
}

static void test_net_format(void **state)
{
	uint8_t addr[16] = {10};
	char buf[64];
	(void)state;
	geo_net_format(AF_INET, addr, 8, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_net_parse_table),
	    cmocka_unit_test(test_forms_table),
	    cmocka_unit_test(test_mask_zeroes_bits_after_prefix),
	    cmocka_unit_test(test_net_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
