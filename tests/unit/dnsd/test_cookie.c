/* SPDX-License-Identifier: MIT */
/* test_cookie.c -- server cookies: the RFC 9018 test vectors, expiry, rotation, BADCOOKIE */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dnsd/dnsd_cookie.h"
#include "dnsd/dnsd_packet.h"

static void hex(const char *text, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		assert_int_equal(sscanf(text + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* A query for example.com. A with an OPT holding COOKIE (cookie_hex, 8 or 24 bytes). */
static size_t query_with_cookie(const char *cookie_hex, uint8_t *msg)
{
	static const uint8_t head[] = {0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
				       7,    'e',  'x',  'a',  'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
				       0,    1,    0,    1,	   0,	0,   41,  0x04, 0xd0, 0, 0, 0, 0};
	size_t clen = strlen(cookie_hex) / 2, len = sizeof(head);
	memcpy(msg, head, len);
	msg[len++] = 0;
	msg[len++] = (uint8_t)(4 + clen);
	msg[len++] = 0;
	msg[len++] = DNSD_OPT_COOKIE;
	msg[len++] = 0;
	msg[len++] = (uint8_t)clen;
	hex(cookie_hex, msg + len, clen);
	return len + clen;
}

static dnsd_client_t client_v4(const char *text)
{
	dnsd_client_t c = {.family = AF_INET};
	unsigned a, b, d, e;
	assert_int_equal(sscanf(text, "%u.%u.%u.%u", &a, &b, &d, &e), 4);
	c.addr[0] = (uint8_t)a;
	c.addr[1] = (uint8_t)b;
	c.addr[2] = (uint8_t)d;
	c.addr[3] = (uint8_t)e;
	return c;
}

/* RFC 9018 appendix A.1/A.2: the server cookie a client learns, and its check. */
static void test_rfc9018_vector_made_and_checked(void **state)
{
	(void)state;
	dnsd_cookie_mac_t *mac = dnsd_cookie_mac_new();
	assert_non_null(mac);
	dnsd_cookie_keys_t keys = {0};
	hex("e5e973e5a6b2a43f48e7dc849e37bfcf", keys.current, 16);
	dnsd_client_t client = client_v4("198.51.100.100");
	uint8_t msg[128], resp[128];
	size_t len = query_with_cookie("2464c4abcf10c957", msg);
	dnsd_query_t q;
	assert_int_equal(dnsd_query_parse(msg, len, &q), DNSD_PARSE_OK);
	assert_int_equal(q.cookie_len, 8);
	assert_int_equal(dnsd_cookie_check(mac, &keys, msg, &q, &client, 1559731985),
			 DNSD_COOKIE_CLIENT);
	/* a response ending in our COOKIE option with the server part to fill */
	memset(resp, 0, sizeof(resp));
	size_t rlen = 40;
	uint8_t *o = resp + rlen - DNSD_COOKIE_OPT_LEN;
	o[1] = DNSD_OPT_COOKIE;
	o[3] = 24;
	memcpy(o + 4, q.cookie_client, 8);
	dnsd_cookie_fill(mac, &keys, &q, &client, 1559731985, resp, rlen);
	uint8_t want[16];
	hex("010000005cf79f111f8130c3eee29480", want, 16);
	assert_memory_equal(o + 12, want, 16);

	/* A.2: the client sends it back a bit later: good */
	len = query_with_cookie("2464c4abcf10c957010000005cf79f111f8130c3eee29480", msg);
	assert_int_equal(dnsd_query_parse(msg, len, &q), DNSD_PARSE_OK);
	assert_int_equal(dnsd_cookie_check(mac, &keys, msg, &q, &client, 1559731985 + 1800),
			 DNSD_COOKIE_GOOD);
	/* another address, an hour and more later, from too far ahead: bad */
	dnsd_client_t other = client_v4("198.51.100.101");
	assert_int_equal(dnsd_cookie_check(mac, &keys, msg, &q, &other, 1559731985),
			 DNSD_COOKIE_BAD);
	assert_int_equal(dnsd_cookie_check(mac, &keys, msg, &q, &client, 1559731985 + 3601),
			 DNSD_COOKIE_BAD);
	assert_int_equal(dnsd_cookie_check(mac, &keys, msg, &q, &client, 1559731985 - 301),
			 DNSD_COOKIE_BAD);
	/* rotation: the secret as the previous one is still good, gone is bad */
	dnsd_cookie_keys_t rotated = {.has_previous = true};
	memcpy(rotated.previous, keys.current, 16);
	memset(rotated.current, 0x55, 16);
	assert_int_equal(dnsd_cookie_check(mac, &rotated, msg, &q, &client, 1559731985),
			 DNSD_COOKIE_GOOD);
	rotated.has_previous = false;
	assert_int_equal(dnsd_cookie_check(mac, &rotated, msg, &q, &client, 1559731985),
			 DNSD_COOKIE_BAD);
	dnsd_cookie_mac_free(mac);
}

/* An IPv6 client: the cookie we give is good from that address, bad from another. */
static void test_ipv6_cookie_round_trip(void **state)
{
	(void)state;
	dnsd_cookie_mac_t *mac = dnsd_cookie_mac_new();
	assert_non_null(mac);
	dnsd_cookie_keys_t keys = {0};
	hex("dd3bdf9344b678b185a6f5cb60fca715", keys.current, 16);
	dnsd_client_t client = {.family = AF_INET6};
	hex("20010db8022000000000000000000001", client.addr, 16);
	uint8_t msg[128], resp[64] = {0};
	size_t len = query_with_cookie("22681ab97d52c298", msg);
	dnsd_query_t q;
	assert_int_equal(dnsd_query_parse(msg, len, &q), DNSD_PARSE_OK);
	uint8_t *o = resp + sizeof(resp) - DNSD_COOKIE_OPT_LEN;
	o[1] = DNSD_OPT_COOKIE;
	o[3] = 24;
	memcpy(o + 4, q.cookie_client, 8);
	dnsd_cookie_fill(mac, &keys, &q, &client, 1559734700, resp, sizeof(resp));
	char text[49];
	for (int i = 0; i < 24; i++)
		snprintf(text + 2 * i, 3, "%02x", o[4 + i]);
	len = query_with_cookie(text, msg);
	assert_int_equal(dnsd_query_parse(msg, len, &q), DNSD_PARSE_OK);
	assert_int_equal(dnsd_cookie_check(mac, &keys, msg, &q, &client, 1559734700 + 10),
			 DNSD_COOKIE_GOOD);
	client.addr[15] ^= 1;
	assert_int_equal(dnsd_cookie_check(mac, &keys, msg, &q, &client, 1559734700 + 10),
			 DNSD_COOKIE_BAD);
	dnsd_cookie_mac_free(mac);
}

/* BADCOOKIE: rcode 23 = header 7 + extended 1, no records but the OPT with a cookie. */
static void test_badcookie_response(void **state)
{
	(void)state;
	dnsd_cookie_mac_t *mac = dnsd_cookie_mac_new();
	assert_non_null(mac);
	dnsd_cookie_keys_t keys = {0};
	dnsd_client_t client = client_v4("192.0.2.1");
	uint8_t msg[128], resp[512];
	size_t len = query_with_cookie("2464c4abcf10c957010000005cf79f1100000000eee29480", msg);
	dnsd_query_t q;
	assert_int_equal(dnsd_query_parse(msg, len, &q), DNSD_PARSE_OK);
	memcpy(resp, msg, q.question_end);
	resp[2] |= 0x84; /* QR, AA as an answer would have */
	size_t rlen = dnsd_cookie_badcookie(mac, &keys, &q, &client, 1559731985, 1232, resp,
					    q.question_end, sizeof(resp));
	assert_int_equal(rlen, q.question_end + 11 + DNSD_COOKIE_OPT_LEN);
	assert_int_equal(resp[3] & 0x0F, 7);
	assert_int_equal(resp[2] & 0x04, 0);
	assert_int_equal(resp[7] + resp[9], 0);
	assert_int_equal(resp[11], 1);
	assert_int_equal(resp[q.question_end + 5], 1); /* extended rcode */
	dnsd_cookie_mac_free(mac);
}

/* The parser: malformed cookie lengths are FORMERR (RFC 7873 5.2.2). */
static void test_malformed_cookie_lengths_are_formerr(void **state)
{
	(void)state;
	static const char *const bad[] = {"01", "01020304050607", "010203040506070809",
					  "0102030405060708090a0b0c0d0e0f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t msg[128];
		size_t len = query_with_cookie(bad[i], msg);
		dnsd_query_t q;
		if (dnsd_query_parse(msg, len, &q) != DNSD_PARSE_FORMERR)
			fail_msg("cookie %s: not FORMERR", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc9018_vector_made_and_checked),
	    cmocka_unit_test(test_ipv6_cookie_round_trip),
	    cmocka_unit_test(test_badcookie_response),
	    cmocka_unit_test(test_malformed_cookie_lengths_are_formerr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
