/* SPDX-License-Identifier: MIT */
/* test_conf_types.c -- durations and socket addresses, table-driven */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "conf/conf.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_duration_table),
	    cmocka_unit_test(test_sockaddr_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
