/* SPDX-License-Identifier: MIT */
/* test_packet.c -- the query parser: the question name's copy and the lone-OPT shortcut */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dnsd/dnsd_packet.h"

/* Deterministic, so a failure reproduces: xorshift64*. */
static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* A query header (id 0x1234, RD, one question) at msg; returns 12. */
static size_t header(uint8_t *msg, uint16_t arcount)
{
	static const uint8_t h[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	memcpy(msg, h, sizeof(h));
	msg[11] = (uint8_t)arcount;
	return sizeof(h);
}

/* The reference: a byte is lower-cased exactly when it is 'A'..'Z'. */
static uint8_t ref_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Names of random labels (lengths 1..63, every byte value, the name up to 255 bytes)
 * come back lower-cased byte for byte as the one-byte-at-a-time rule says, with their
 * label offsets; each is also parsed with the message ending right after it (qtype and
 * qclass cut off) so that no read past the name is needed for the name itself. */
static void test_question_name_is_lower_cased_byte_for_byte(void **state)
{
	(void)state;
	uint8_t msg[600], wire[256];
	dnsd_query_t q;

	for (int round = 0; round < 20000; round++) {
		size_t n = 0;
		unsigned labels = 0, off[128];
		unsigned budget = 1 + rnd() % 254; /* name bytes before the root label */
		while (n < budget) {
			unsigned l = 1 + rnd() % (round % 3 == 0 ? 63 : 9);
			if (n + 1 + l > budget)
				l = budget - n - 1;
			if (l == 0 || n + 1 + l + 1 > DNSD_NAME_MAX)
				break;
			off[labels++] = (unsigned)n;
			wire[n++] = (uint8_t)l;
			for (unsigned i = 0; i < l; i++) {
				uint32_t r = rnd();
				/* mostly letters of either case, sometimes any byte */
				wire[n++] = (uint8_t)(r % 4 ? ((r >> 8) % 2 ? 'A' : 'a') + (r >> 16) % 26
							    : (r >> 8));
			}
		}
		wire[n++] = 0;
		size_t len = header(msg, 0);
		memcpy(msg + len, wire, n);
		len += n;
		msg[len++] = 0;
		msg[len++] = 1; /* A */
		msg[len++] = 0;
		msg[len++] = 1; /* IN */
		assert_int_equal(dnsd_query_parse(msg, len, &q), DNSD_PARSE_OK);
		assert_int_equal(q.qname_len, n);
		assert_int_equal(q.label_count, labels);
		for (size_t i = 0; i < n; i++)
			if (q.qname[i] != ref_lower(wire[i]))
				fail_msg("round %d byte %zu: %#x from %#x", round, i, q.qname[i],
					 wire[i]);
		for (unsigned i = 0; i < labels; i++)
			assert_int_equal(q.label_off[i], off[i]);
		assert_int_equal(q.qtype, 1);
		assert_int_equal(q.question_end, len);
		/* cut right after the name: the name parses, the question does not */
		assert_int_equal(dnsd_query_parse(msg, 12 + n, &q), DNSD_PARSE_FORMERR);
	}
}

/* The longest legal name (255 bytes with the root) parses; one byte more is refused. */
static void test_question_name_length_limits(void **state)
{
	(void)state;
	uint8_t msg[600];
	dnsd_query_t q;
	for (int extra = 0; extra <= 1; extra++) {
		size_t len = header(msg, 0);
		/* 3 labels of 63 + one of 61 (+extra): 4 + 189 + 61 + 1 = 255 bytes */
		unsigned sizes[4] = {63, 63, 63, 61u + (unsigned)extra};
		for (int l = 0; l < 4; l++) {
			msg[len++] = (uint8_t)sizes[l];
			memset(msg + len, 'Q', sizes[l]);
			len += sizes[l];
		}
		msg[len++] = 0;
		memcpy(msg + len, "\0\1\0\1", 4);
		len += 4;
		dnsd_parse_t r = dnsd_query_parse(msg, len, &q);
		if (extra == 0) {
			assert_int_equal(r, DNSD_PARSE_OK);
			assert_int_equal(q.qname_len, 255);
			assert_int_equal(q.qname[1], 'q');
			assert_int_equal(q.qname[254], 0);
		} else {
			assert_int_equal(r, DNSD_PARSE_FORMERR);
		}
	}
}

/* One case of the additional section: bytes after the question, the verdict, and what
 * the OPT gave. */
typedef struct {
	const char *what;     /* the case */
	uint16_t arcount;     /* header ARCOUNT */
	uint8_t extra[40];    /* bytes after the question */
	size_t extra_len;     /* bytes used in extra */
	dnsd_parse_t verdict; /* what the parser says */
	bool edns;	      /* has_edns afterwards */
	uint16_t udp_size;    /* udp_size afterwards (when edns) */
	bool ecs;	      /* has_ecs afterwards */
} opt_case_t;

static const opt_case_t opt_cases[] = {
    {"no OPT", 0, {0}, 0, DNSD_PARSE_OK, false, 512, false},
    {"OPT 1232, no options", 1, {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0}, 11, DNSD_PARSE_OK, true,
     1232, false},
    {"OPT 100 (raised to 512), DO", 1, {0, 0, 41, 0, 100, 0, 0, 0x80, 0, 0, 0}, 11,
     DNSD_PARSE_OK, true, 512, false},
    {"OPT with ECS 10.1.2.0/24", 1,
     {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 24, 0, 10, 1, 2}, 22,
     DNSD_PARSE_OK, true, 4096, true},
    {"OPT whose rdata runs past the end", 1, {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 9, 0, 8}, 13,
     DNSD_PARSE_FORMERR, false, 512, false},
    {"OPT cut inside its fixed part", 1, {0, 0, 41, 0x04, 0xD0, 0, 0, 0}, 8,
     DNSD_PARSE_FORMERR, false, 512, false},
    {"OPT owned by a name, not the root", 1, {1, 'a', 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0},
     13, DNSD_PARSE_FORMERR, false, 512, false},
    {"ARCOUNT 1, a TXT record, no OPT", 1, {0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 1, 0}, 12,
     DNSD_PARSE_OK, false, 512, false},
    {"two OPT records", 2,
     {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0}, 22,
     DNSD_PARSE_FORMERR, true, 1232, false},
    {"EDNS version 1", 1, {0, 0, 41, 0x04, 0xD0, 0, 1, 0, 0, 0, 0}, 11, DNSD_PARSE_BADVERS,
     true, 1232, false},
    {"ECS with bits past its prefix", 1,
     {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 23, 0, 10, 1, 3}, 22,
     DNSD_PARSE_FORMERR, true, 4096, false},
};

/* The usual query's lone OPT takes a shortcut past the general record walk; every
 * verdict and field must be what the walk gives (the cases above were read off the walk
 * before the shortcut existed, and hold for both). */
static void test_additional_section_verdicts(void **state)
{
	(void)state;
	uint8_t msg[600];
	dnsd_query_t q;
	for (size_t c = 0; c < sizeof(opt_cases) / sizeof(opt_cases[0]); c++) {
		const opt_case_t *k = &opt_cases[c];
		size_t len = header(msg, k->arcount);
		memcpy(msg + len, "\3www\7example\0\0\1\0\1", 17);
		len += 17;
		memcpy(msg + len, k->extra, k->extra_len);
		len += k->extra_len;
		dnsd_parse_t r = dnsd_query_parse(msg, len, &q);
		if (r != k->verdict || q.has_edns != k->edns ||
		    (k->edns && q.udp_size != k->udp_size) || q.has_ecs != k->ecs)
			fail_msg("%s: verdict %d edns %d udp %u ecs %d", k->what, (int)r, q.has_edns,
				 q.udp_size, q.has_ecs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_question_name_is_lower_cased_byte_for_byte),
	    cmocka_unit_test(test_question_name_length_limits),
	    cmocka_unit_test(test_additional_section_verdicts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
