/* SPDX-License-Identifier: MIT */
/* test_answer_edns.c -- malformed queries, EDNS, truncation, compression, geo answers */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dnsd/dnsd_packet.h"
#include "tests/unit/dnsd/dnsd_test_fixture.h"

/* www.example.com. A IN, id 0x1234, RD; the bytes tests mutate */
static const uint8_t www_a[] = {0x12, 0x34, 0x01, 0x00, 0,   1,	  0,   0,   0,	 0,   0,
				0,    3,    'w',  'w',	'w', 7,	  'e', 'x', 'a', 'm', 'p',
				'l',  'e',  3,	  'c',	'o', 'm', 0,   0,   1,	 0,   1};
/* an OPT record: root owner, 1232, version 0, no options */
static const uint8_t opt_rr[] = {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0};

static size_t raw(uint8_t *out, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	memcpy(out, a, alen);
	if (blen)
		memcpy(out + alen, b, blen);
	return alen + blen;
}

static int rcode_of(const uint8_t *wire, size_t len, size_t *rlen)
{
	dnsd_client_t client = {.family = AF_INET, .addr = {192, 0, 2, 200}};
	*rlen = dnsd_answer(&t_ctx, wire, len, &client, t_resp, sizeof(t_resp), &t_counters);
	if (*rlen == 0)
		return -1;
	return t_resp[3] & 0x0F;
}

/* One malformed message and the rcode it must get (-1: no response at all). */
typedef struct {
	const char *what;			 /* the case, for failure messages */
	int rcode;				 /* the rcode it must get, -1: no response */
	void (*make)(uint8_t *buf, size_t *len); /* writes the message and its length */
} bad_t;

static void m_qdcount2(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, sizeof(www_a), NULL, 0);
	b[5] = 2;
}
static void m_qdcount0(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, 12, NULL, 0);
	b[5] = 0;
}
static void m_bad_label(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, sizeof(www_a), NULL, 0);
	b[12] = 0x43;
}
static void m_compressed(uint8_t *b, size_t *l)
{
	static const uint8_t q[] = {0x12, 0x34, 1, 0,	 0,    1, 0, 0, 0,
				    0,	  0,	0, 0xC0, 0x0C, 0, 1, 0, 1};
	*l = raw(b, q, sizeof(q), NULL, 0);
}
static void m_truncated_name(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, 20, NULL, 0);
}
static void m_no_qtype(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, sizeof(www_a) - 2, NULL, 0);
}
static void m_two_opts(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, sizeof(www_a), opt_rr, sizeof(opt_rr));
	memcpy(b + *l, opt_rr, sizeof(opt_rr));
	*l += sizeof(opt_rr);
	b[11] = 2;
}
static void m_opt_owner(uint8_t *b, size_t *l)
{
	static const uint8_t o[] = {1, 'x', 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0};
	*l = raw(b, www_a, sizeof(www_a), o, sizeof(o));
	b[11] = 1;
}
static void m_opt_in_answer(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, sizeof(www_a), opt_rr, sizeof(opt_rr));
	b[7] = 1;
}
static void m_opt_overrun(uint8_t *b, size_t *l)
{
	static const uint8_t o[] = {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 8, 0, 3, 0, 9};
	*l = raw(b, www_a, sizeof(www_a), o, sizeof(o));
	b[11] = 1;
}
static void ecs(uint8_t *b, size_t *l, uint16_t family, uint8_t src, uint8_t scope,
		const uint8_t *a, size_t alen)
{
	uint8_t o[64];
	size_t ol = t_ecs_option(o, family, src, scope, a, alen);
	*l = raw(b, www_a, sizeof(www_a), opt_rr, sizeof(opt_rr));
	b[*l - 2] = (uint8_t)(ol >> 8);
	b[*l - 1] = (uint8_t)ol;
	memcpy(b + *l, o, ol);
	*l += ol;
	b[11] = 1;
}
static void m_ecs_family(uint8_t *b, size_t *l)
{
	ecs(b, l, 3, 8, 0, (const uint8_t *)"\x0a", 1);
}
static void m_ecs_v4_prefix(uint8_t *b, size_t *l)
{
	ecs(b, l, 1, 33, 0, (const uint8_t *)"\x0a\0\0\0\0", 5);
}
static void m_ecs_v6_prefix(uint8_t *b, size_t *l)
{
	static const uint8_t a[17] = {0x20};
	ecs(b, l, 2, 129, 0, a, 17);
}
static void m_ecs_long_addr(uint8_t *b, size_t *l)
{
	ecs(b, l, 1, 8, 0, (const uint8_t *)"\x0a\x01", 2);
}
static void m_ecs_short_addr(uint8_t *b, size_t *l)
{
	ecs(b, l, 1, 24, 0, (const uint8_t *)"\x0a\x01", 2);
}
static void m_ecs_trailing_bits(uint8_t *b, size_t *l)
{
	ecs(b, l, 1, 20, 0, (const uint8_t *)"\x0a\x01\x11", 3);
}
static void m_ecs_scope(uint8_t *b, size_t *l)
{
	ecs(b, l, 1, 24, 24, (const uint8_t *)"\x0a\x01\x01", 3);
}
static void m_ecs_short_option(uint8_t *b, size_t *l)
{
	ecs(b, l, 1, 0, 0, NULL, 0);
	b[*l - 6 + 3] = 2;
	*l -= 2;
	b[*l - 6 + 2 - 2] = 0;
}
static void m_opcode_update(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, sizeof(www_a), NULL, 0);
	b[2] = 5 << 3;
}
static void m_opcode_status(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, 12, NULL, 0);
	b[2] = 2 << 3;
	b[5] = 0;
}
static void m_response(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, sizeof(www_a), NULL, 0);
	b[2] |= 0x80;
}
static void m_short(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, 11, NULL, 0);
}
static void m_badvers(uint8_t *b, size_t *l)
{
	*l = raw(b, www_a, sizeof(www_a), opt_rr, sizeof(opt_rr));
	b[*l - 5] = 1; /* version */
	b[11] = 1;
}

static const bad_t bad[] = {
    {"qdcount 2", DNSD_RCODE_FORMERR, m_qdcount2},
    {"qdcount 0", DNSD_RCODE_FORMERR, m_qdcount0},
    {"bad label type", DNSD_RCODE_FORMERR, m_bad_label},
    {"compression in the question", DNSD_RCODE_FORMERR, m_compressed},
    {"name past the end", DNSD_RCODE_FORMERR, m_truncated_name},
    {"no qtype", DNSD_RCODE_FORMERR, m_no_qtype},
    {"two opts", DNSD_RCODE_FORMERR, m_two_opts},
    {"opt not owned by the root", DNSD_RCODE_FORMERR, m_opt_owner},
    {"opt in the answer section", DNSD_RCODE_FORMERR, m_opt_in_answer},
    {"opt option overruns", DNSD_RCODE_FORMERR, m_opt_overrun},
    {"ecs family 3", DNSD_RCODE_FORMERR, m_ecs_family},
    {"ecs v4 prefix 33", DNSD_RCODE_FORMERR, m_ecs_v4_prefix},
    {"ecs v6 prefix 129", DNSD_RCODE_FORMERR, m_ecs_v6_prefix},
    {"ecs address too long", DNSD_RCODE_FORMERR, m_ecs_long_addr},
    {"ecs address too short", DNSD_RCODE_FORMERR, m_ecs_short_addr},
    {"ecs bits past the prefix", DNSD_RCODE_FORMERR, m_ecs_trailing_bits},
    {"ecs scope in a query", DNSD_RCODE_FORMERR, m_ecs_scope},
    {"ecs option too short", DNSD_RCODE_FORMERR, m_ecs_short_option},
    {"opcode update", DNSD_RCODE_NOTIMP, m_opcode_update},
    {"opcode status", DNSD_RCODE_NOTIMP, m_opcode_status},
    {"a response", -1, m_response},
    {"shorter than a header", -1, m_short},
};

static void test_malformed_queries_get_formerr_notimp_or_nothing(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t buf[512];
		size_t len, rlen;
		bad[i].make(buf, &len);
		int rcode = rcode_of(buf, len, &rlen);
		if (rcode != bad[i].rcode)
			fail_msg("case '%s': rcode %d, want %d", bad[i].what, rcode, bad[i].rcode);
		if (rlen > 0) {
			/* id kept, QR set, no AA, nothing but the question, no OPT */
			assert_int_equal(t_resp[0], 0x12);
			assert_int_equal(t_resp[2] & 0x84, 0x80);
			assert_int_equal(t_resp[6] | t_resp[7] | t_resp[8] | t_resp[9] |
					     t_resp[10] | t_resp[11],
					 0);
		}
	}
}

static void test_badvers_answers_with_opt_and_extended_rcode(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len, rlen;
	m_badvers(buf, &len);
	assert_int_equal(rcode_of(buf, len, &rlen), 0);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, t_resp, rlen), LDNS_STATUS_OK);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 1); /* 16 >> 4: BADVERS */
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	assert_true(t_counters.rcode[DNSD_RCODE_BADVERS] > 0);
}

static void test_notimp_to_an_edns_query_carries_opt(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len, rlen;
	len = raw(buf, www_a, sizeof(www_a), opt_rr, sizeof(opt_rr));
	buf[11] = 1;
	buf[2] = 4 << 3; /* NOTIFY */
	assert_int_equal(rcode_of(buf, len, &rlen), DNSD_RCODE_NOTIMP);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, t_resp, rlen), LDNS_STATUS_OK);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_get_opcode(p), LDNS_PACKET_NOTIFY);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
}

static void test_opt_is_echoed_with_our_payload_and_do(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t len, rlen;
	len = raw(buf, www_a, sizeof(www_a), opt_rr, sizeof(opt_rr));
	buf[11] = 1;
	buf[len - 5 + 1] = 0x80; /* DO */
	buf[len - 8] = 0x10;	 /* client size 4096 */
	buf[len - 7] = 0x00;
	assert_int_equal(rcode_of(buf, len, &rlen), 0);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, t_resp, rlen), LDNS_STATUS_OK);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	assert_true(ldns_pkt_edns_do(p));
	assert_int_equal(ldns_pkt_ancount(p), 2);
	assert_true(ldns_pkt_aa(p));
	ldns_pkt_free(p);
}

static void test_nsid_when_asked_and_configured(void **state)
{
	(void)state;
	uint8_t buf[512];
	const uint8_t *data = NULL;
	size_t rlen;
	t_query_t q = {
	    .name = "www.example.com.", .type = LDNS_RR_TYPE_A, .edns = true, .nsid = true};
	size_t len = t_query_wire(&q, buf, sizeof(buf));
	ldns_pkt *p = t_answer(&t_ctx, buf, len, false, &t_counters, &rlen);
	assert_non_null(p);
	assert_int_equal(t_opt_find(t_resp, rlen, DNSD_OPT_NSID, &data), 8);
	assert_memory_equal(data, "ns1.test", 8);
	ldns_pkt_free(p);

	q.nsid = false; /* not asked: not sent */
	len = t_query_wire(&q, buf, sizeof(buf));
	p = t_answer(&t_ctx, buf, len, false, &t_counters, &rlen);
	assert_int_equal(t_opt_find(t_resp, rlen, DNSD_OPT_NSID, &data), -1);
	ldns_pkt_free(p);

	dnsd_answer_ctx_t c2 = t_ctx; /* not configured: not sent */
	c2.nsid = NULL;
	q.nsid = true;
	len = t_query_wire(&q, buf, sizeof(buf));
	p = t_answer(&c2, buf, len, false, &t_counters, &rlen);
	assert_int_equal(t_opt_find(t_resp, rlen, DNSD_OPT_NSID, &data), -1);
	ldns_pkt_free(p);
}

static void test_unknown_options_are_ignored(void **state)
{
	(void)state;
	static const uint8_t cookie[] = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0xFF, 0xFE, 0, 0};
	uint8_t buf[512];
	size_t rlen;
	t_query_t q = {.name = "www.example.com.",
		       .type = LDNS_RR_TYPE_A,
		       .edns = true,
		       .opt_extra = cookie,
		       .opt_extra_len = sizeof(cookie)};
	size_t len = t_query_wire(&q, buf, sizeof(buf));
	ldns_pkt *p = t_answer(&t_ctx, buf, len, false, &t_counters, &rlen);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), 0);
	assert_int_equal(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

/* Response flags, counts and length for big.example.com. TXT (2.6k of data). */
static void big(bool edns, uint16_t size, bool tcp, bool *tc, size_t *an, size_t *rlen)
{
	uint8_t buf[512];
	t_query_t q = {
	    .name = "big.example.com.", .type = LDNS_RR_TYPE_TXT, .edns = edns, .udp_size = size};
	size_t len = t_query_wire(&q, buf, sizeof(buf));
	ldns_pkt *p = t_answer(&t_ctx, buf, len, tcp, &t_counters, rlen);
	assert_non_null(p);
	*tc = ldns_pkt_tc(p);
	*an = ldns_pkt_ancount(p);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(ldns_pkt_edns(p), edns);
	assert_int_equal(t_resp[11], edns ? 1 : 0);
	ldns_pkt_free(p);
}

static void test_truncation_sends_question_only_and_tcp_gets_all(void **state)
{
	(void)state;
	bool tc;
	size_t an, rlen;
	uint64_t before = t_counters.truncated;

	big(false, 0, false, &tc, &an, &rlen);
	assert_true(tc);
	assert_int_equal(an, 0);
	assert_int_equal(rlen, 12 + 17 + 4);
	big(true, 4096, false, &tc, &an, &rlen); /* capped by our 1232 */
	assert_true(tc);
	assert_int_equal(an, 0);
	big(true, 100, false, &tc, &an, &rlen); /* below 512 counts as 512 */
	assert_true(tc);
	assert_true(rlen <= 512);
	big(false, 0, true, &tc, &an, &rlen);
	assert_false(tc);
	assert_int_equal(an, 40);
	assert_true(rlen > 2000);
	assert_int_equal(t_counters.truncated, before + 3);

	dnsd_answer_ctx_t c2 = t_ctx; /* a bigger payload of ours lets it through */
	c2.udp_payload = 4096;
	uint8_t buf[512];
	t_query_t q = {
	    .name = "big.example.com.", .type = LDNS_RR_TYPE_TXT, .edns = true, .udp_size = 4096};
	size_t len = t_query_wire(&q, buf, sizeof(buf));
	ldns_pkt *p = t_answer(&c2, buf, len, false, &t_counters, &rlen);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 40);
	ldns_pkt_free(p);
}

static void test_referral_whose_glue_does_not_fit_is_truncated(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t rlen;
	t_query_t q = {.name = "x.bigdel.example.com.", .type = LDNS_RR_TYPE_A};
	size_t len = t_query_wire(&q, buf, sizeof(buf));
	ldns_pkt *p = t_answer(&t_ctx, buf, len, false, &t_counters, &rlen);
	assert_non_null(p);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
	p = t_answer(&t_ctx, buf, len, true, &t_counters, &rlen);
	assert_false(ldns_pkt_tc(p));
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_nscount(p), 24);
	assert_int_equal(ldns_pkt_arcount(p), 24);
	ldns_pkt_free(p);
}

/* A zone of three delegations with 20 servers each, over 512-byte UDP: the NS sets fit
 * but not all their glue. big.: in-domain glue only; sib.: sibling glue only (its servers
 * are in big.); mix.: 19 siblings sorted before one in-domain server. */
static dnsd_zones_t *glue_zone(char **dir)
{
	static char text[8192];
	size_t len =
	    (size_t)snprintf(text, sizeof(text),
			     "$ORIGIN example.org.\n$TTL 3600\n"
			     "@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nns1 IN A 192.0.2.1\n"
			     "mix IN NS nameserver.mix\nnameserver.mix IN A 192.0.2.200\n");
	for (int i = 0; i < 20; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"big IN NS ns%02d.big\nns%02d.big IN A 192.0.2.%d\n"
					"sib IN NS ns%02d.big\n",
					i, i, 10 + i, i);
	for (int i = 0; i < 19; i++)
		len +=
		    (size_t)snprintf(text + len, sizeof(text) - len, "mix IN NS ns%02d.big\n", i);
	*dir = t_dir_new();
	char *path = t_file_write(*dir, "example.org.zone", text);
	conf_zone_t zone = {.origin = "example.org.", .file = path};
	char *errors = NULL;
	dnsd_zones_t *z = dnsd_zones_load(&zone, 1, NULL, 0, &errors);
	if (z == NULL)
		fail_msg("%s", errors);
	free(path);
	return z;
}

/* Whether the additional section holds an A record owned by name. */
static bool additional_has(const ldns_pkt *p, const char *name)
{
	ldns_rdf *want = ldns_dname_new_frm_str(name);
	bool found = false;
	for (size_t i = 0; i < ldns_pkt_arcount(p) && !found; i++)
		found = ldns_dname_compare(
			    ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_additional(p), i)), want) == 0;
	ldns_rdf_deep_free(want);
	return found;
}

static void test_referral_sibling_glue_that_does_not_fit_is_left_out(void **state)
{
	(void)state;
	char *dir;
	dnsd_zones_t *z = glue_zone(&dir);
	dnsd_answer_ctx_t ctx = {.zones = z};
	dnsd_counters_t counters = {0};
	uint8_t buf[512];
	size_t rlen;
	struct {
		const char *name;
		bool tc;
		const char *must; /* an owner the additional section must hold, or NULL */
	} rows[] = {
	    {"x.big.example.org.", true, NULL},	 /* in-domain glue does not fit: TC */
	    {"x.sib.example.org.", false, NULL}, /* sibling glue does not fit: left out */
	    {"x.mix.example.org.", false, "nameserver.mix.example.org."}, /* in-domain first */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t_query_t q = {.name = rows[i].name, .type = LDNS_RR_TYPE_A};
		size_t len = t_query_wire(&q, buf, sizeof(buf));
		ldns_pkt *p = t_answer(&ctx, buf, len, false, &counters, &rlen);
		assert_non_null(p);
		if (ldns_pkt_tc(p) != rows[i].tc)
			fail_msg("%s: tc %d", rows[i].name, ldns_pkt_tc(p));
		if (!rows[i].tc) {
			assert_false(ldns_pkt_aa(p));
			assert_int_equal(ldns_pkt_nscount(p), 20);
			/* some glue made it, not all of it */
			if (ldns_pkt_arcount(p) == 0 || ldns_pkt_arcount(p) >= 20)
				fail_msg("%s: %u glue records", rows[i].name, ldns_pkt_arcount(p));
		}
		if (rows[i].must != NULL && !additional_has(p, rows[i].must))
			fail_msg("%s: no glue for %s", rows[i].name, rows[i].must);
		ldns_pkt_free(p);
		/* over TCP everything fits */
		p = t_answer(&ctx, buf, len, true, &counters, &rlen);
		assert_non_null(p);
		assert_false(ldns_pkt_tc(p));
		assert_int_equal(ldns_pkt_nscount(p), 20);
		assert_int_equal(ldns_pkt_arcount(p), 20);
		ldns_pkt_free(p);
	}
	dnsd_zones_free(z);
	t_dir_remove(dir);
}

static void test_names_are_compressed(void **state)
{
	(void)state;
	uint8_t buf[512];
	size_t rlen;
	/* example.com. MX: owner -> pointer to the question, "mail" + pointer in rdata,
	 * additional owner -> pointer to the rdata's "mail" */
	t_query_t q = {.name = "example.com.", .type = LDNS_RR_TYPE_MX};
	size_t len = t_query_wire(&q, buf, sizeof(buf));
	ldns_pkt *p = t_answer(&t_ctx, buf, len, false, &t_counters, &rlen);
	assert_non_null(p);
	/* header 12 + question 17; MX: 2 + 10 + (2 + 5 + 2); A: 2 + 10 + 4 */
	assert_int_equal(rlen, 12 + 17 + 21 + 16);
	assert_int_equal(t_resp[29], 0xC0);
	assert_int_equal(t_resp[30], 12);
	ldns_pkt_free(p);

	/* a referral: NS owner, NS rdata under the zone and the glue owner all compress */
	q = (t_query_t){.name = "www.sub.example.com.", .type = LDNS_RR_TYPE_A};
	len = t_query_wire(&q, buf, sizeof(buf));
	p = t_answer(&t_ctx, buf, len, false, &t_counters, &rlen);
	assert_non_null(p);
	/* question 12+21+4=37; NS1: 2+10+(3+2); NS2: 2+10+(2+'ns'+6+'other'+... ) */
	assert_int_equal(ldns_pkt_nscount(p), 2);
	assert_int_equal(t_resp[37], 0xC0);
	assert_int_equal(t_resp[38], 16); /* sub.example.com. inside the question */
	assert_true(rlen < 37 + 17 + 36 + 16);
	ldns_pkt_free(p);
}

/* A geo query: A/AAAA at geo.example.com. with ECS family/src/address bytes. */
static ldns_pkt *geo_query(const char *name, uint16_t type, uint16_t family, uint8_t src,
			   const char *addr, int *scope, size_t *rlen)
{
	uint8_t buf[512], opt[64], a[16] = {0};
	size_t ol = 0;
	if (addr != NULL) {
		assert_int_equal(inet_pton(family == 1 ? AF_INET : AF_INET6, addr, a), 1);
		ol = t_ecs_option(opt, family, src, 0, a, (src + 7u) / 8u);
	}
	t_query_t q = {.name = name,
		       .type = type,
		       .edns = addr != NULL,
		       .opt_extra = opt,
		       .opt_extra_len = ol};
	size_t len = t_query_wire(&q, buf, sizeof(buf));
	ldns_pkt *p = t_answer(&t_ctx, buf, len, false, &t_counters, rlen);
	assert_non_null(p);
	const uint8_t *data = NULL;
	int olen = t_opt_find(t_resp, *rlen, DNSD_OPT_ECS, &data);
	*scope = olen >= 4 ? data[3] : -1;
	if (olen >= 4) {
		assert_int_equal(olen, 4 + (src + 7) / 8);
		assert_int_equal(data[2], src);
		assert_memory_equal(data + 4, a, (src + 7u) / 8u);
	}
	return p;
}

typedef struct {
	const char *what;   /* the case, for failure messages */
	const char *name;   /* the query name */
	uint16_t type;	    /* the query type */
	uint16_t family;    /* ECS family: 1 IPv4, 2 IPv6 (0 with no ECS) */
	uint8_t src;	    /* ECS source prefix length */
	const char *addr;   /* ECS address, NULL: no EDNS (client is 192.0.2.200) */
	bool us_up, eu_up;  /* whether each datacenter serves */
	const char *answer; /* the answer section, records joined by '|' */
	int scope;	    /* -1: no ECS in the response */
	int fail_open;	    /* counter increment */
} geo_case_t;

#define US_A "geo.example.com. 30 IN A 203.0.113.10|geo.example.com. 30 IN A 203.0.113.11"
static const geo_case_t geo_cases[] = {
    {"ecs near us", "geo.example.com.", 1, 1, 16, "10.1.0.0", true, true, US_A, 16, 0},
    {"ecs near eu", "geo.example.com.", 1, 1, 24, "200.1.2.0", true, true,
     "geo.example.com. 30 IN A 198.51.100.10", 8, 0},
    {"case kept in geo owner", "GEO.example.com.", 1, 1, 24, "10.1.2.0", true, true,
     "GEO.example.com. 30 IN A 203.0.113.10|GEO.example.com. 30 IN A 203.0.113.11", 16, 0},
    {"aaaa skips a dc without v6", "geo.example.com.", 28, 1, 24, "200.1.2.0", true, true,
     "geo.example.com. 30 IN AAAA 2001:db8:1::10", 8, 0},
    {"v6 client", "geo.example.com.", 28, 2, 48, "2001:db8:77::", true, true,
     "geo.example.com. 30 IN AAAA 2001:db8:1::10", 32, 0},
    {"no ecs: resolver address", "geo.example.com.", 1, 0, 0, NULL, true, true,
     "geo.example.com. 30 IN A 198.51.100.10", -1, 0},
    {"source 0: resolver address, scope 0", "geo.example.com.", 1, 1, 0, "0.0.0.0", true, true,
     "geo.example.com. 30 IN A 198.51.100.10", 0, 0},
    {"eu down: next in list", "geo.example.com.", 1, 1, 24, "200.1.2.0", true, false, US_A, 8, 0},
    {"all down: fail open", "geo.example.com.", 1, 1, 16, "10.1.0.0", false, false, US_A, 16, 1},
    {"all down: fail open for aaaa too", "geo.example.com.", 28, 1, 24, "200.1.2.0", false, false,
     "geo.example.com. 30 IN AAAA 2001:db8:1::10", 8, 1},
    {"only a v4-only dc serving: no aaaa (NODATA), the client uses its A", "geo.example.com.", 28,
     1, 16, "10.1.0.0", false, true, "", 16, 0},
    {"fixed name: scope 0", "fixed.example.com.", 1, 1, 24, "10.1.2.0", true, true,
     "fixed.example.com. 45 IN A 198.51.100.10", 0, 0},
    {"any at a geo name: one set", "geo.example.com.", 255, 1, 16, "10.1.0.0", true, true, US_A, 16,
     0},
};

static void test_geo_answers_follow_list_state_and_ecs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(geo_cases) / sizeof(geo_cases[0]); i++) {
		const geo_case_t *c = &geo_cases[i];
		int scope;
		size_t rlen;
		uint64_t fo = t_counters.fail_open;
		t_dcs[0].serving = c->us_up;
		t_dcs[1].serving = c->eu_up;
		ldns_pkt *p =
		    geo_query(c->name, c->type, c->family, c->src, c->addr, &scope, &rlen);
		char *an = t_section(ldns_pkt_answer(p));
		if (strcmp(an, c->answer) != 0 || scope != c->scope || !ldns_pkt_aa(p) ||
		    t_counters.fail_open != fo + (uint64_t)c->fail_open)
			fail_msg("case '%s': answer '%s' scope %d fail-open +%d", c->what, an,
				 scope, (int)(t_counters.fail_open - fo));
		free(an);
		ldns_pkt_free(p);
	}
	t_dcs[0].serving = true;
	t_dcs[1].serving = true;
}

static void test_ecs_echoed_with_scope_0_for_static_names(void **state)
{
	(void)state;
	int scope;
	size_t rlen;
	ldns_pkt *p = geo_query("www.example.com.", 1, 1, 24, "10.1.2.0", &scope, &rlen);
	assert_int_equal(scope, 0);
	assert_int_equal(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}

/* The batched path: every query of a table prepared first (as the UDP worker does for a
 * recvmmsg batch), the wanted geo lookups made apart, then each answered from its
 * prepared form; responses and counters must equal those of dnsd_answer(). Names that
 * need no lookup up front (CNAME to a geo name, fixed, static, errors) take the
 * per-query lookup. */
typedef struct {
	const char *name; /* the query name */
	uint16_t type;	  /* the query type */
	uint16_t family;  /* ECS family, 0: no EDNS */
	uint8_t src;	  /* ECS source prefix length */
	const char *addr; /* ECS address */
	bool tcp;	  /* asked over TCP */
	bool want;	  /* dnsd_answer_prepare() asks for a lookup */
} batch_case_t;

static const batch_case_t batch_cases[] = {
    {"geo.example.com.", 1, 1, 16, "10.1.0.0", false, true},
    {"geo.example.com.", 1, 1, 24, "200.1.2.0", false, true},
    {"GEO.example.com.", 1, 1, 24, "10.1.2.0", false, true},
    {"geo.example.com.", 28, 1, 24, "200.1.2.0", false, true},
    {"geo.example.com.", 28, 2, 48, "2001:db8:77::", false, true},
    {"geo.example.com.", 28, 2, 128, "2001:db8:77::1", false, true},
    {"geo.example.com.", 1, 1, 32, "203.0.113.7", true, true},
    {"geo.example.com.", 1, 0, 0, NULL, false, true},
    {"geo.example.com.", 1, 1, 0, "0.0.0.0", false, true},
    {"geo.example.com.", 255, 1, 16, "10.1.0.0", false, true},
    {"geo.example.com.", 16, 1, 24, "10.1.2.0", false, false},
    {"fixed.example.com.", 1, 1, 24, "10.1.2.0", false, false},
    {"togeo.example.com.", 1, 1, 24, "200.1.2.0", false, false},
    {"www.example.com.", 1, 1, 24, "10.1.2.0", false, false},
    {"nothere.example.com.", 1, 1, 24, "10.1.2.0", false, false},
    {"geo.example.org.", 1, 1, 24, "10.1.2.0", false, false},
    {"v6only.example.com.", 255, 1, 24, "10.1.2.0", false, false},
    {"www.example.com.", 28, 0, 0, NULL, false, false},
    {"WWW.example.com.", 255, 0, 0, NULL, false, false},
    {"x.wild.example.com.", 1, 1, 24, "10.1.2.0", false, false},
    {"x.cw.example.com.", 1, 0, 0, NULL, false, false},
    {"alias2.example.com.", 1, 0, 0, NULL, false, false},
    {"loop1.example.com.", 1, 0, 0, NULL, false, false},
    {"www.sub.example.com.", 1, 0, 0, NULL, false, false},
    {"sub.example.com.", 43, 0, 0, NULL, false, false},
    {"x.bigdel.example.com.", 1, 0, 0, NULL, false, false},
    {"x.bigdel.example.com.", 1, 0, 0, NULL, true, false},
    {"example.com.", 15, 0, 0, NULL, false, false},
    {"example.com.", 252, 0, 0, NULL, true, false},
    {"big.example.com.", 16, 1, 24, "10.1.2.0", false, false},
    {"x.b.w2.example.com.", 1, 0, 0, NULL, false, false},
    {"b.w2.example.com.", 1, 0, 0, NULL, false, false},
    {"x.example.net.", 1, 0, 0, NULL, false, false},
};
#define BATCH_N (sizeof(batch_cases) / sizeof(batch_cases[0]))

static size_t batch_wire(const batch_case_t *c, uint8_t *buf, size_t cap)
{
	uint8_t opt[64], a[16] = {0};
	size_t ol = 0;
	if (c->addr != NULL) {
		assert_int_equal(inet_pton(c->family == 1 ? AF_INET : AF_INET6, c->addr, a), 1);
		ol = t_ecs_option(opt, c->family, c->src, 0, a, (c->src + 7u) / 8u);
	}
	t_query_t q = {.name = c->name,
		       .type = c->type,
		       .edns = c->addr != NULL,
		       .opt_extra = opt,
		       .opt_extra_len = ol};
	return t_query_wire(&q, buf, cap);
}

static void test_batched_geo_lookups_give_the_same_bytes(void **state)
{
	(void)state;
	static uint8_t wire[BATCH_N][512];
	static size_t wlen[BATCH_N];
	static dnsd_client_t client[BATCH_N];
	static dnsd_prepared_t prep[BATCH_N];
	static uint16_t order[BATCH_N][DNSD_GEO_ORDER_MAX];
	static uint8_t single[65535];

	t_dcs[0].serving = true; /* both serving: the list's first entry decides */
	t_dcs[1].serving = true;
	for (size_t i = 0; i < BATCH_N; i++) {
		const batch_case_t *c = &batch_cases[i];
		wlen[i] = batch_wire(c, wire[i], sizeof(wire[i]));
		client[i] = (dnsd_client_t){.family = AF_INET, .tcp = c->tcp};
		assert_int_equal(
		    inet_pton(AF_INET, i % 2 ? "192.0.2.200" : "198.51.100.9", client[i].addr), 1);
		bool want = dnsd_answer_prepare(&t_ctx, wire[i], wlen[i], &client[i], &prep[i]);
		if (want != c->want)
			fail_msg("case %zu (%s): prepare wants a lookup: %d", i, c->name, want);
	}
	/* the lookups of the batch, made apart (as dnsd_geodb_lookup_batch() does) */
	for (size_t i = 0; i < BATCH_N; i++) {
		dnsd_geo_pre_t *g = &prep[i].geo;
		if (g->record == SIZE_MAX)
			continue;
		g->count = t_fake_lookup(NULL, g->record, g->family, g->addr, g->source_prefix,
					 order[i], DNSD_GEO_ORDER_MAX, &g->scope);
		g->order = order[i];
		g->done = i != 1; /* one left undone: the answer path looks it up itself */
	}
	for (size_t i = 0; i < BATCH_N; i++) {
		dnsd_counters_t one = {0}, batched = {0};
		size_t len1 =
		    dnsd_answer(&t_ctx, wire[i], wlen[i], &client[i], single, sizeof(single), &one);
		size_t len2 = dnsd_answer_prepared(&t_ctx, &prep[i], wire[i], &client[i], t_resp,
						   sizeof(t_resp), &batched);
		if (len1 == 0 || len1 != len2 || memcmp(single, t_resp, len1) != 0 ||
		    memcmp(&one, &batched, sizeof(one)) != 0)
			fail_msg("case %zu (%s type %u): %zu bytes one by one, %zu batched", i,
				 batch_cases[i].name, batch_cases[i].type, len1, len2);
	}
}

/* The batched path hashes and finds the question name once: the answer takes the node
 * dnsd_answer_prepare() found. Shown by handing the prepared query for www another
 * name's node: the records come from that node, owned by the name asked. */
static void test_prepared_answer_uses_the_node_found_by_prepare(void **state)
{
	(void)state;
	uint8_t w1[512], w2[512];
	t_query_t q1 = {.name = "www.example.com.", .type = LDNS_RR_TYPE_A};
	t_query_t q2 = {.name = "mail.example.com.", .type = LDNS_RR_TYPE_A};
	size_t l1 = t_query_wire(&q1, w1, sizeof(w1)), l2 = t_query_wire(&q2, w2, sizeof(w2));
	dnsd_client_t client = {.family = AF_INET, .addr = {192, 0, 2, 200}};
	dnsd_prepared_t p1, p2;
	dnsd_counters_t counters = {0};

	assert_false(dnsd_answer_prepare(&t_ctx, w1, l1, &client, &p1));
	assert_false(dnsd_answer_prepare(&t_ctx, w2, l2, &client, &p2));
	assert_true(p1.looked_up);
	assert_non_null(p1.node);
	p1.node = p2.node;
	size_t len =
	    dnsd_answer_prepared(&t_ctx, &p1, w1, &client, t_resp, sizeof(t_resp), &counters);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, t_resp, len), LDNS_STATUS_OK);
	char *an = t_section(ldns_pkt_answer(p));
	assert_string_equal(an, "www.example.com. 600 IN A 192.0.2.25");
	free(an);
	ldns_pkt_free(p);

	/* a name that does not exist is found missing once, and the walk up goes on */
	t_query_t q3 = {.name = "nope.example.com.", .type = LDNS_RR_TYPE_TXT};
	l1 = t_query_wire(&q3, w1, sizeof(w1));
	assert_false(dnsd_answer_prepare(&t_ctx, w1, l1, &client, &p1));
	assert_true(p1.looked_up);
	assert_null(p1.node);
	/* nothing is looked up for what the answer path would not look up */
	t_query_t q4 = {.name = "id.server.", .type = LDNS_RR_TYPE_TXT, .qclass = LDNS_RR_CLASS_CH};
	l1 = t_query_wire(&q4, w1, sizeof(w1));
	assert_false(dnsd_answer_prepare(&t_ctx, w1, l1, &client, &p1));
	assert_false(p1.looked_up);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_malformed_queries_get_formerr_notimp_or_nothing),
	    cmocka_unit_test(test_badvers_answers_with_opt_and_extended_rcode),
	    cmocka_unit_test(test_notimp_to_an_edns_query_carries_opt),
	    cmocka_unit_test(test_opt_is_echoed_with_our_payload_and_do),
	    cmocka_unit_test(test_nsid_when_asked_and_configured),
	    cmocka_unit_test(test_unknown_options_are_ignored),
	    cmocka_unit_test(test_truncation_sends_question_only_and_tcp_gets_all),
	    cmocka_unit_test(test_referral_whose_glue_does_not_fit_is_truncated),
	    cmocka_unit_test(test_referral_sibling_glue_that_does_not_fit_is_left_out),
	    cmocka_unit_test(test_names_are_compressed),
	    cmocka_unit_test(test_geo_answers_follow_list_state_and_ecs),
	    cmocka_unit_test(test_ecs_echoed_with_scope_0_for_static_names),
	    cmocka_unit_test(test_batched_geo_lookups_give_the_same_bytes),
	    cmocka_unit_test(test_prepared_answer_uses_the_node_found_by_prepare),
	};
	return cmocka_run_group_tests(tests, t_fixture_setup, t_fixture_teardown);
}
