/* SPDX-License-Identifier: MIT */
/* test_dns_packet.c -- the dns probe's query and the checks on its answer (rcode, addresses) */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <arpa/inet.h>
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
	const char *name; /* the case, for failure messages */
	size_t cut;	  /* answer length; 0: the whole query */
	uint8_t flip_id;  /* xor into the id */
	uint8_t flags2;	  /* byte 2 */
	uint8_t flags3;	  /* byte 3 */
	char case_swap;	  /* change a question letter's case */
	char corrupt;	  /* change a question letter */
	int expect;	  /* rcode or -1 */
	const char *why;  /* the exact refusal message when expect is -1, else "" */
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

/* ---- the answer section ---- */

/* A response under construction: the query for www.example.com. (qtype as given) with
 * QR and AA set, records appended after it. The name sits at offset 12; "example.com."
 * at 16. */
typedef struct {
	uint8_t b[1024];	     /* the response so far */
	size_t n;		     /* bytes used in b */
	uint8_t q[HC_DNS_QUERY_MAX]; /* the query it answers */
	size_t qlen;		     /* bytes in q */
} pkt_t;

#define OFF_QNAME 12
#define OFF_EXAMPLE 16

static void put(pkt_t *p, const void *bytes, size_t n)
{
	assert_true(p->n + n <= sizeof(p->b));
	memcpy(p->b + p->n, bytes, n);
	p->n += n;
}

static void put16(pkt_t *p, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(p, b, 2);
}

static void response(pkt_t *p, uint16_t qtype)
{
	memset(p, 0, sizeof(*p));
	int qlen = hc_dns_query_build(0x4242, "www.example.com.", qtype, p->q, sizeof(p->q));
	assert_true(qlen > 0);
	p->qlen = (size_t)qlen;
	put(p, p->q, p->qlen);
	p->b[2] = 0x84;
}

/* Appends a record (TTL 60) and counts it in ANCOUNT. */
static void rr(pkt_t *p, const void *owner, size_t ownerlen, unsigned type, unsigned class,
	       const void *rdata, size_t rdlen)
{
	put(p, owner, ownerlen);
	put16(p, type);
	put16(p, class);
	put16(p, 0);
	put16(p, 60);
	put16(p, (unsigned)rdlen);
	put(p, rdata, rdlen);
	p->b[7]++;
}

static const uint8_t ptr_qname[] = {0xc0, OFF_QNAME};
static const uint8_t a1[] = {192, 0, 2, 1};
static const uint8_t a9[] = {192, 0, 2, 9};

static int addrs(const pkt_t *p, uint16_t qtype, conf_ipaddr_t *out, size_t max, char *why)
{
	char check[64];
	assert_true(hc_dns_answer_rcode(p->b, p->n, p->q, p->qlen, check, sizeof(check)) >= 0);
	return hc_dns_answer_addrs(p->b, p->n, p->q, p->qlen, qtype, out, max, why, 64);
}

static void assert_addr(const conf_ipaddr_t *a, const char *text)
{
	char buf[INET6_ADDRSTRLEN];
	assert_non_null(inet_ntop(a->family, a->bytes, buf, sizeof(buf)));
	assert_string_equal(buf, text);
}

static void test_addrs_with_compressed_owner(void **state)
{
	pkt_t p;
	conf_ipaddr_t got[4];
	char why[64] = "";
	response(&p, 1);
	rr(&p, ptr_qname, sizeof(ptr_qname), 1, 1, a1, 4);
	rr(&p, ptr_qname, sizeof(ptr_qname), 1, 1, a9, 4);
	assert_int_equal(addrs(&p, 1, got, 4, why), 2);
	assert_addr(&got[0], "192.0.2.1");
	assert_addr(&got[1], "192.0.2.9");
}

static void test_addrs_with_plain_owner_any_case(void **state)
{
	static const uint8_t owner[] = "\3WwW\7exAMPLE\3com";
	pkt_t p;
	conf_ipaddr_t got[4];
	char why[64] = "";
	response(&p, 1);
	rr(&p, owner, sizeof(owner), 1, 1, a1, 4);
	assert_int_equal(addrs(&p, 1, got, 4, why), 1);
	assert_addr(&got[0], "192.0.2.1");
}

static void test_addrs_skip_other_names_types_and_classes(void **state)
{
	static const uint8_t other[] = "\4mail\xc0\x10"; /* mail.example.com. */
	static const uint8_t aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	pkt_t p;
	conf_ipaddr_t got[4];
	char why[64] = "";
	response(&p, 1);
	rr(&p, other, sizeof(other) - 1, 1, 1, a9, 4);
	rr(&p, ptr_qname, sizeof(ptr_qname), 28, 1, aaaa, 16);
	rr(&p, ptr_qname, sizeof(ptr_qname), 1, 3, a9, 4); /* CH */
	rr(&p, ptr_qname, sizeof(ptr_qname), 1, 1, a1, 4);
	assert_int_equal(addrs(&p, 1, got, 4, why), 1);
	assert_addr(&got[0], "192.0.2.1");
}

static void test_addrs_aaaa(void **state)
{
	static const uint8_t aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	pkt_t p;
	conf_ipaddr_t got[4];
	char why[64] = "";
	response(&p, 28);
	rr(&p, ptr_qname, sizeof(ptr_qname), 1, 1, a9, 4); /* an A record is not an answer */
	rr(&p, ptr_qname, sizeof(ptr_qname), 28, 1, aaaa, 16);
	assert_int_equal(addrs(&p, 28, got, 4, why), 1);
	assert_int_equal(got[0].family, AF_INET6);
	assert_addr(&got[0], "2001:db8::1");
}

/* www -> web.example.com. -> edge.example.com.: the end of the chain answers. The CNAMEs
 * come in either order, names are compressed against earlier rdata, and an A record of
 * www itself (not valid next to a CNAME) is not taken. */
static void test_addrs_follow_cname_chain(void **state)
{
	static const uint8_t web[] = "\3web\xc0\x10";	/* 6 bytes, at 33 */
	static const uint8_t edge[] = "\4edge\xc0\x10"; /* rdata of the first record */
	static const uint8_t a7[] = {192, 0, 2, 7};
	pkt_t p;
	conf_ipaddr_t got[4];
	char why[64] = "";
	response(&p, 1);
	size_t web_at = p.n, edge_at = web_at + 6 + 10;
	const uint8_t ptr_web[] = {0xc0, (uint8_t)web_at}, ptr_edge[] = {0xc0, (uint8_t)edge_at};
	rr(&p, web, sizeof(web) - 1, 5, 1, edge, sizeof(edge) - 1);
	rr(&p, ptr_edge, sizeof(ptr_edge), 1, 1, a9, 4);
	rr(&p, ptr_edge, sizeof(ptr_edge), 1, 1, a1, 4);
	rr(&p, ptr_qname, sizeof(ptr_qname), 1, 1, a7, 4);
	rr(&p, ptr_qname, sizeof(ptr_qname), 5, 1, ptr_web, sizeof(ptr_web));
	assert_int_equal(addrs(&p, 1, got, 4, why), 2);
	assert_addr(&got[0], "192.0.2.9");
	assert_addr(&got[1], "192.0.2.1");
}

static void test_addrs_cname_loop_ends(void **state)
{
	pkt_t p;
	conf_ipaddr_t got[4];
	char why[64] = "";
	response(&p, 1);
	/* www CNAME www: followed 8 times, then nothing is found for www */
	rr(&p, ptr_qname, sizeof(ptr_qname), 5, 1, ptr_qname, sizeof(ptr_qname));
	assert_int_equal(addrs(&p, 1, got, 4, why), 0);
}

static void test_addrs_count_beyond_max(void **state)
{
	pkt_t p;
	conf_ipaddr_t got[2];
	char why[64] = "";
	response(&p, 1);
	for (int i = 0; i < 5; i++)
		rr(&p, ptr_qname, sizeof(ptr_qname), 1, 1, a1, 4);
	assert_int_equal(addrs(&p, 1, got, 2, why), 5);
}

typedef struct {
	const char *name; /* the case, for failure messages */
	uint8_t tail[32]; /* bytes after the question */
	size_t tail_len;  /* bytes used in tail, 0..32 */
	uint8_t ancount;  /* ANCOUNT the header claims */
	uint8_t qdcount;  /* 0: 1 */
	const char *why;  /* the exact message the answer must be refused with */
} malformed_case_t;

#define TRUNC "malformed answer: truncated record or bad name"
/* One case per line: name, bytes, their count, ANCOUNT, QDCOUNT, message. */
/* clang-format off */
static const malformed_case_t malformed_cases[] = {
    {"rdata cut short", {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0}, 14, 1, 0, TRUNC},
    {"record header cut short", {0xc0, 12, 0, 1, 0, 1, 0}, 7, 1, 0, TRUNC},
    {"more records counted than sent", {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1},
     16, 2, 0, TRUNC},
    {"pointer forward", {0xc0, 40, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1}, 16, 1, 0, TRUNC},
    {"pointer to itself", {0xc0, 33, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1}, 16, 1, 0, TRUNC},
    {"label, then a pointer back to it",
     {1, 'a', 0xc0, 33, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4}, 18, 1, 0, TRUNC},
    {"pointer cut in half", {0xc0}, 1, 1, 0, TRUNC},
    {"label past the end", {9, 'a', 'b'}, 3, 1, 0, TRUNC},
    {"reserved label type", {0x40, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4}, 15, 1, 0, TRUNC},
    {"A record of 5 bytes", {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5}, 17, 1, 0,
     "malformed answer: A record of the wrong length"},
    {"CNAME rdata longer than its name", {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 3, 0xc0, 16, 0},
     15, 1, 0, "malformed answer: bad CNAME"},
    {"CNAME rdata cut inside its name", {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 3, 'w'}, 14, 1,
     0, "malformed answer: bad CNAME"},
    {"second question missing", {0}, 0, 0, 2, "malformed answer: bad question"},
};
/* clang-format on */

static void test_addrs_malformed_table(void **state)
{
	for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
		const malformed_case_t *c = &malformed_cases[i];
		pkt_t p;
		conf_ipaddr_t got[4];
		char why[64] = "";
		response(&p, 1);
		put(&p, c->tail, c->tail_len);
		p.b[7] = c->ancount;
		if (c->qdcount)
			p.b[5] = c->qdcount;
		int n = hc_dns_answer_addrs(p.b, p.n, p.q, p.qlen, 1, got, 4, why, sizeof(why));
		if (n != -1 || strcmp(why, c->why) != 0)
			fail_msg("case \"%s\": got %d \"%s\"", c->name, n, why);
	}
}

/* Every cut and every byte overwritten with telling values: an answer or an error, never
 * a read outside the message (the sanitizer build checks). */
static void test_addrs_survive_damage(void **state)
{
	static const uint8_t values[] = {0x00, 0x01, 0x3f, 0x40, 0xc0, 0xc1, 0xff};
	pkt_t p, d;
	conf_ipaddr_t got[4];
	char why[64];
	response(&p, 1);
	static const uint8_t web[] = "\3web\xc0\x10";
	rr(&p, ptr_qname, sizeof(ptr_qname), 5, 1, web, sizeof(web) - 1);
	const uint8_t ptr_web[] = {0xc0, (uint8_t)(p.n - (sizeof(web) - 1))};
	rr(&p, ptr_web, sizeof(ptr_web), 1, 1, a1, 4);
	assert_int_equal(addrs(&p, 1, got, 4, why), 1);
	for (size_t cut = 12; cut < p.n; cut++) {
		int n = hc_dns_answer_addrs(p.b, cut, p.q, p.qlen, 1, got, 4, why, sizeof(why));
		assert_true(n >= -1 && n <= 1);
	}
	for (size_t at = 12; at < p.n; at++)
		for (size_t v = 0; v < sizeof(values); v++) {
			d = p;
			d.b[at] = values[v];
			int n =
			    hc_dns_answer_addrs(d.b, d.n, d.q, d.qlen, 1, got, 4, why, sizeof(why));
			assert_true(n >= -1 && n <= 2);
		}
}

static conf_ipaddr_t ip(const char *text)
{
	conf_ipaddr_t a;
	memset(&a, 0, sizeof(a));
	a.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.family, text, a.bytes), 1);
	return a;
}

static void test_judge_all_present(void **state)
{
	conf_ipaddr_t want[2] = {ip("192.0.2.1"), ip("192.0.2.2")};
	conf_ipaddr_t got[3] = {ip("192.0.2.2"), ip("192.0.2.9"), ip("192.0.2.1")};
	char reason[160];
	assert_true(hc_dns_answer_judge(want, 2, got, 3, 3, reason, sizeof(reason)));
	assert_string_equal(reason, "answer has 192.0.2.1, 192.0.2.2");
}

static void test_judge_names_missing_and_got(void **state)
{
	conf_ipaddr_t want[3] = {ip("192.0.2.1"), ip("192.0.2.2"), ip("192.0.2.3")};
	conf_ipaddr_t got[2] = {ip("192.0.2.9"), ip("192.0.2.2")};
	char reason[160];
	assert_false(hc_dns_answer_judge(want, 3, got, 2, 2, reason, sizeof(reason)));
	assert_string_equal(reason, "answer lacks 192.0.2.1, 192.0.2.3 (got 192.0.2.9, 192.0.2.2)");
}

static void test_judge_empty_answer(void **state)
{
	conf_ipaddr_t want[1] = {ip("2001:db8::1")};
	char reason[160];
	assert_false(hc_dns_answer_judge(want, 1, want, 0, 0, reason, sizeof(reason)));
	assert_string_equal(reason, "answer lacks 2001:db8::1 (got nothing)");
}

static void test_judge_more_than_stored(void **state)
{
	conf_ipaddr_t want[1] = {ip("192.0.2.1")};
	conf_ipaddr_t got[2] = {ip("192.0.2.8"), ip("192.0.2.9")};
	char reason[160];
	assert_false(hc_dns_answer_judge(want, 1, got, 7, 2, reason, sizeof(reason)));
	assert_string_equal(reason, "answer lacks 192.0.2.1 (got 192.0.2.8, 192.0.2.9, ...)");
}

static void test_judge_reason_is_cut(void **state)
{
	conf_ipaddr_t want[1] = {ip("192.0.2.1")};
	conf_ipaddr_t got[2] = {ip("192.0.2.8"), ip("192.0.2.9")};
	char reason[20];
	assert_false(hc_dns_answer_judge(want, 1, got, 2, 2, reason, sizeof(reason)));
	assert_string_equal(reason, "answer lacks 192.0.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_encodes_name_type_and_class),
	    cmocka_unit_test(test_query_for_root),
	    cmocka_unit_test(test_query_refuses_bad_names),
	    cmocka_unit_test(test_answer_table),
	    cmocka_unit_test(test_rcode_names),
	    cmocka_unit_test(test_addrs_with_compressed_owner),
	    cmocka_unit_test(test_addrs_with_plain_owner_any_case),
	    cmocka_unit_test(test_addrs_skip_other_names_types_and_classes),
	    cmocka_unit_test(test_addrs_aaaa),
	    cmocka_unit_test(test_addrs_follow_cname_chain),
	    cmocka_unit_test(test_addrs_cname_loop_ends),
	    cmocka_unit_test(test_addrs_count_beyond_max),
	    cmocka_unit_test(test_addrs_malformed_table),
	    cmocka_unit_test(test_addrs_survive_damage),
	    cmocka_unit_test(test_judge_all_present),
	    cmocka_unit_test(test_judge_names_missing_and_got),
	    cmocka_unit_test(test_judge_empty_answer),
	    cmocka_unit_test(test_judge_more_than_stored),
	    cmocka_unit_test(test_judge_reason_is_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
