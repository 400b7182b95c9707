/* SPDX-License-Identifier: MIT */
/* test_conf_types.c -- typed value parsers (durations, addresses, prefixes, names), table-driven */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conf/conf.h"
#include "conf/conf_internal.h"
#include "base/dns_wire.h"

static const struct {
	const char *text;
	int rc;
	uint64_t ms;
} duration_cases[] = {
    {"500ms", 0, 500},
    {"1s", 0, 1000},
    {"2m", 0, 120000},
    {"1h", 0, 3600000},
    {"7d", 0, 604800000},
    {"0s", 0, 0},
    {"90s", 0, 90000},
    {"1", -1, 0},
    {"", -1, 0},
    {"s", -1, 0},
    {"1.5s", -1, 0},
    {"-1s", -1, 0},
    {"1 s", -1, 0},
    {"1sec", -1, 0},
    {"1S", -1, 0},
    {"99999999999999999999d", -1, 0},
    {"999999999999999999d", -1, 0},
};

static void test_duration_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]); i++) {
		uint64_t ms = 12345;
		int rc = conf_duration_parse(duration_cases[i].text, &ms);
		if (rc != duration_cases[i].rc)
			fail_msg("case \"%s\": rc %d, want %d", duration_cases[i].text, rc,
				 duration_cases[i].rc);
		if (rc == 0 && ms != duration_cases[i].ms)
			fail_msg("case \"%s\": %llu ms, want %llu", duration_cases[i].text,
				 (unsigned long long)ms, (unsigned long long)duration_cases[i].ms);
	}
}

static const struct {
	const char *text;
	uint16_t default_port;
	int rc;
	int family;
	const char *addr;
	uint16_t port;
} sockaddr_cases[] = {
    {"1.2.3.4", 53, 0, AF_INET, "1.2.3.4", 53},
    {"1.2.3.4:5353", 53, 0, AF_INET, "1.2.3.4", 5353},
    {"::1", 53, 0, AF_INET6, "::1", 53},
    {"[::1]:8053", 53, 0, AF_INET6, "::1", 8053},
    {"[2001:db8::1]", 53, 0, AF_INET6, "2001:db8::1", 53},
    {"2001:db8::1", 53, 0, AF_INET6, "2001:db8::1", 53},
    {"127.0.0.1:8853", 0, 0, AF_INET, "127.0.0.1", 8853},
    {"127.0.0.1", 0, -1, 0, NULL, 0},
    {"[::1]", 0, -1, 0, NULL, 0},
    {"::1", 0, -1, 0, NULL, 0},
    {"1.2.3.4:0", 53, -1, 0, NULL, 0},
    {"1.2.3.4:65536", 53, -1, 0, NULL, 0},
    {"1.2.3.4:", 53, -1, 0, NULL, 0},
    {"1.2.3.4:x", 53, -1, 0, NULL, 0},
    {"localhost:53", 53, -1, 0, NULL, 0},
    {"1.2.3", 53, -1, 0, NULL, 0},
    {"[1.2.3.4]:53", 53, -1, 0, NULL, 0},
    {"[::1]53", 53, -1, 0, NULL, 0},
    {"[::1", 53, -1, 0, NULL, 0},
    {"", 53, -1, 0, NULL, 0},
};

static void test_sockaddr_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sockaddr_cases) / sizeof(sockaddr_cases[0]); i++) {
		conf_sockaddr_t sa;
		memset(&sa, 0, sizeof(sa));
		int rc = conf_sockaddr_parse(sockaddr_cases[i].text, sockaddr_cases[i].default_port,
					     &sa);
		if (rc != sockaddr_cases[i].rc)
			fail_msg("case \"%s\": rc %d, want %d", sockaddr_cases[i].text, rc,
				 sockaddr_cases[i].rc);
		if (rc != 0)
			continue;
		char buf[INET6_ADDRSTRLEN];
		uint16_t port;
		if (sa.addr.ss_family == AF_INET) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)&sa.addr;
			inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
			port = ntohs(sin->sin_port);
			assert_int_equal(sa.len, sizeof(*sin));
		} else {
			const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&sa.addr;
			inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf));
			port = ntohs(sin6->sin6_port);
			assert_int_equal(sa.len, sizeof(*sin6));
		}
		if (sa.addr.ss_family != sockaddr_cases[i].family ||
		    strcmp(buf, sockaddr_cases[i].addr) != 0 || port != sockaddr_cases[i].port)
			fail_msg("case \"%s\": got %s port %u", sockaddr_cases[i].text, buf, port);
		assert_string_equal(sa.text, sockaddr_cases[i].text);
	}
}

/* An address to listen on may ask for port 0 (the kernel picks); a check's may not. */
static void test_listen_port_zero(void **state)
{
	(void)state;
	conf_sockaddr_t sa;
	assert_int_equal(conf_listen_parse("127.0.0.1:0", 53, &sa), 0);
	assert_int_equal(ntohs(((const struct sockaddr_in *)&sa.addr)->sin_port), 0);
	assert_int_equal(conf_listen_parse("[::1]:0", 53, &sa), 0);
	assert_int_equal(ntohs(((const struct sockaddr_in6 *)&sa.addr)->sin6_port), 0);
	assert_int_equal(conf_listen_parse("127.0.0.1", 53, &sa), 0);
	assert_int_equal(ntohs(((const struct sockaddr_in *)&sa.addr)->sin_port), 53);
	assert_int_equal(conf_listen_parse("127.0.0.1:65536", 53, &sa), -1);
	assert_int_equal(conf_sockaddr_parse("127.0.0.1:0", 53, &sa), -1);
}

static void test_duration_format_table(void **state)
{
	static const struct {
		uint64_t ms;
		const char *text;
	} cases[] = {
	    {0, "0ms"},	   {1, "1ms"},	   {999, "999ms"},  {1000, "1s"},     {1500, "1500ms"},
	    {60000, "1m"}, {90000, "90s"}, {3600000, "1h"}, {86400000, "1d"}, {604800000, "7d"},
	};
	(void)state;
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++) {
		char buf[32];
		conf_duration_format(cases[i].ms, buf, sizeof(buf));
		if (strcmp(buf, cases[i].text) != 0)
			fail_msg("%llu ms: \"%s\", want \"%s\"", (unsigned long long)cases[i].ms,
				 buf, cases[i].text);
		uint64_t back;
		assert_int_equal(conf_duration_parse(buf, &back), 0);
		assert_true(back == cases[i].ms);
	}
}

static void test_cidr_table(void **state)
{
	static const struct {
		const char *text;
		int rc;
		int family;
		unsigned prefix;
	} cases[] = {
	    {"10.0.0.0/8", 0, AF_INET, 8},    {"0.0.0.0/0", 0, AF_INET, 0},
	    {"192.0.2.1/32", 0, AF_INET, 32}, {"2001:db8::/32", 0, AF_INET6, 32},
	    {"::/0", 0, AF_INET6, 0},	      {"2001:db8::1/128", 0, AF_INET6, 128},
	    {"10.0.0.1/8", -1, 0, 0},	  /* host bits set */
	    {"2001:db8::1/64", -1, 0, 0}, /* host bits set */
	    {"10.0.0.0/33", -1, 0, 0},	      {"::/129", -1, 0, 0},
	    {"10.0.0.0", -1, 0, 0},	      {"10.0.0.0/", -1, 0, 0},
	    {"10.0.0.0/x", -1, 0, 0},	      {"example/8", -1, 0, 0},
	};
	(void)state;
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++) {
		conf_ipaddr_t addr;
		unsigned prefix = 999;
		int rc = conf_cidr_parse(cases[i].text, &addr, &prefix);
		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d, want %d", cases[i].text, rc, cases[i].rc);
		if (rc == 0 && (addr.family != cases[i].family || prefix != cases[i].prefix))
			fail_msg("\"%s\": family %d /%u", cases[i].text, addr.family, prefix);
	}
}

static void test_geo_key_table(void **state)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
	    {"EU", 0},	    {"AF", 0},	 {"AN", 0},	{"AS", 0},	   {"NA", 0},
	    {"OC", 0},	    {"SA", 0},	 {"EU/IE", 0},	{"NA/US/CA", 0},   {"EU/GB/ENG", 0},
	    {"eu", -1},	    {"XX", -1},	 {"EU/ie", -1}, {"EU/IRL", -1},	   {"EU/IE/", -1},
	    {"EU//IE", -1}, {"/EU", -1}, {"", -1},	{"NA/US/c a", -1}, {"EU/IE/D/X", -1},
	};
	(void)state;
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++) {
		const char *why = NULL;
		int rc = conf_geo_key_check(cases[i].text, &why);
		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d, want %d", cases[i].text, rc, cases[i].rc);
		if (rc != 0 && why == NULL)
			fail_msg("\"%s\": no reason given", cases[i].text);
	}
}

static void test_dname_table(void **state)
{
	static const struct {
		const char *text;
		const char *name; /* NULL: invalid */
	} cases[] = {
	    {"www.example.com", "www.example.com."},
	    {"WWW.Example.COM.", "www.example.com."},
	    {".", "."},
	    {"*.example.com", "*.example.com."},
	    {"_dmarc.example.com", "_dmarc.example.com."},
	    {"", NULL},
	    {"a..b", NULL},
	    {".a", NULL},
	    {"a b.com", NULL},
	    {"a/b.com", NULL},
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", NULL},
	};
	(void)state;
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++) {
		const char *why = NULL;
		char *name = conf_dname_normalize(cases[i].text, &why);
		if ((name == NULL) != (cases[i].name == NULL) ||
		    (name != NULL && strcmp(name, cases[i].name) != 0))
			fail_msg("\"%s\": got %s", cases[i].text, name ? name : why);
		free(name);
	}
	assert_true(conf_dname_is_below("www.example.com.", "example.com."));
	assert_true(conf_dname_is_below("example.com.", "example.com."));
	assert_true(conf_dname_is_below("example.com.", "."));
	assert_false(conf_dname_is_below("notexample.com.", "example.com."));
	assert_false(conf_dname_is_below("com.", "example.com."));
}

static void test_status_rrtype_rcode_tables(void **state)
{
	static const struct {
		const char *text;
		int rc;
		uint16_t low, high;
	} ranges[] = {
	    {"200", 0, 200, 200}, {"200-299", 0, 200, 299}, {"100-599", 0, 100, 599},
	    {"99", -1, 0, 0},	  {"600", -1, 0, 0},	    {"299-200", -1, 0, 0},
	    {"200-", -1, 0, 0},	  {"-200", -1, 0, 0},	    {"2xx", -1, 0, 0},
	};
	(void)state;
	for (size_t i = 0; i < M_ARRAY_LEN(ranges); i++) {
		conf_status_range_t r = {0, 0};
		int rc = conf_status_range_parse(ranges[i].text, &r);
		if (rc != ranges[i].rc ||
		    (rc == 0 && (r.low != ranges[i].low || r.high != ranges[i].high)))
			fail_msg("\"%s\": rc %d %u-%u", ranges[i].text, rc, r.low, r.high);
	}
	uint16_t type = 0;
	assert_int_equal(dns_type_parse("aaaa", &type), 0);
	assert_int_equal(type, 28);
	assert_int_equal(dns_type_parse("TYPE65280", &type), 0);
	assert_int_equal(type, 65280);
	assert_int_equal(dns_type_parse("TYPE0", &type), -1);
	assert_int_equal(dns_type_parse("TYPE65536", &type), -1);
	assert_int_equal(dns_type_parse("BOGUS", &type), -1);
	int rcode = -1;
	assert_int_equal(dns_rcode_parse("nxdomain", &rcode), 0);
	assert_int_equal(rcode, 3);
	assert_int_equal(dns_rcode_parse("5", &rcode), 0);
	assert_int_equal(rcode, 5);
	assert_int_equal(dns_rcode_parse("16", &rcode), -1);
	/* One table for parsing and naming: every named rcode round-trips. */
	assert_int_equal(dns_rcode_parse("NOTAUTH", &rcode), 0);
	assert_int_equal(rcode, 9);
	for (int i = 0; dns_rcode_name(i) != NULL; i++) {
		assert_int_equal(dns_rcode_parse(dns_rcode_name(i), &rcode), 0);
		assert_int_equal(rcode, i);
	}
	assert_null(dns_rcode_name(11));
	assert_null(dns_rcode_name(-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_duration_table),
	    cmocka_unit_test(test_sockaddr_table),
	    cmocka_unit_test(test_listen_port_zero),
	    cmocka_unit_test(test_duration_format_table),
	    cmocka_unit_test(test_cidr_table),
	    cmocka_unit_test(test_geo_key_table),
	    cmocka_unit_test(test_dname_table),
	    cmocka_unit_test(test_status_rrtype_rcode_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
