/* SPDX-License-Identifier: MIT */
/* test_answer.c -- wire queries in, responses checked with ldns: the answer path's rules */
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

#define Q(n, t)                                                                                    \
	{                                                                                          \
		.name = (n), .type = (t)                                                           \
	}
#define QC(n, t, c)                                                                                \
	{                                                                                          \
		.name = (n), .type = (t), .qclass = (c)                                            \
	}

/* One query and what the response must be. Sections are t_section() strings. */
typedef struct {
	const char *what;	/* the case, for failure messages */
	t_query_t q;		/* the query sent */
	int rcode;		/* the response's rcode */
	bool aa;		/* the response's AA flag */
	const char *answer;	/* the answer section */
	const char *authority;	/* the authority section */
	const char *additional; /* NULL: not checked */
} case_t;

#define SOA_NEG                                                                                    \
	"example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2026112901 3600 600 "    \
	"86400 300"

static const case_t cases[] = {
    {"A at a name", Q("www.example.com.", LDNS_RR_TYPE_A), 0, true,
     "www.example.com. 3600 IN A 192.0.2.1|www.example.com. 3600 IN A 192.0.2.2", "", ""},
    {"case preserved", Q("WwW.ExAmple.COM.", LDNS_RR_TYPE_AAAA), 0, true,
     "WwW.ExAmple.COM. 3600 IN AAAA 2001:db8::1", "", ""},
    {"nxdomain with soa", Q("nope.example.com.", LDNS_RR_TYPE_A), 3, true, "", SOA_NEG, ""},
    {"nodata with soa", Q("www.example.com.", LDNS_RR_TYPE_MX), 0, true, "", SOA_NEG, ""},
    {"cname chased", Q("alias2.example.com.", LDNS_RR_TYPE_A), 0, true,
     "alias2.example.com. 3600 IN CNAME alias.example.com.|alias.example.com. 3600 IN CNAME "
     "www.example.com."
     "|www.example.com. 3600 IN A 192.0.2.1|www.example.com. 3600 IN A 192.0.2.2",
     "", ""},
    {"cname asked", Q("alias.example.com.", LDNS_RR_TYPE_CNAME), 0, true,
     "alias.example.com. 3600 IN CNAME www.example.com.", "", ""},
    {"cname to nothing", Q("dangling.example.com.", LDNS_RR_TYPE_A), 3, true,
     "dangling.example.com. 3600 IN CNAME nothere.example.com.", SOA_NEG, ""},
    {"cname out of zone", Q("outside.example.com.", LDNS_RR_TYPE_A), 0, true,
     "outside.example.com. 3600 IN CNAME www.example.org.", "", ""},
    {"cname loop rendered once", Q("loop1.example.com.", LDNS_RR_TYPE_A), 0, true,
     "loop1.example.com. 3600 IN CNAME loop2.example.com.|loop2.example.com. 3600 IN CNAME "
     "loop1.example.com.",
     "", ""},
    {"cname into a loop", Q("intoloop.example.com.", LDNS_RR_TYPE_A), 0, true,
     "intoloop.example.com. 3600 IN CNAME loop1.example.com.|loop1.example.com. 3600 IN CNAME "
     "loop2.example.com.|loop2.example.com. 3600 IN CNAME loop1.example.com.",
     "", ""},
    {"cname to itself", Q("self.example.com.", LDNS_RR_TYPE_A), 0, true,
     "self.example.com. 3600 IN CNAME self.example.com.", "", ""},
    {"wildcard cname loop", Q("y.cwl.example.com.", LDNS_RR_TYPE_TXT), 0, true,
     "y.cwl.example.com. 3600 IN CNAME x.cwl.example.com.|x.cwl.example.com. 3600 IN CNAME "
     "x.cwl.example.com.",
     "", ""},
    {"wildcard", Q("Foo.wild.example.com.", LDNS_RR_TYPE_A), 0, true,
     "Foo.wild.example.com. 3600 IN A 192.0.2.77", "", ""},
    {"wildcard deeper", Q("a.b.wild.example.com.", LDNS_RR_TYPE_TXT), 0, true,
     "a.b.wild.example.com. 3600 IN TXT \"wild\"", "", ""},
    {"wildcard nodata", Q("x.wild.example.com.", LDNS_RR_TYPE_MX), 0, true, "", SOA_NEG, ""},
    {"wildcard owner itself", Q("*.wild.example.com.", LDNS_RR_TYPE_A), 0, true,
     "*.wild.example.com. 3600 IN A 192.0.2.77", "", ""},
    {"empty non-terminal nodata", Q("b.w2.example.com.", LDNS_RR_TYPE_A), 0, true, "", SOA_NEG, ""},
    {"no wildcard below an existing name", Q("x.b.w2.example.com.", LDNS_RR_TYPE_A), 3, true, "",
     SOA_NEG, ""},
    {"wildcard beside an existing name", Q("y.w2.example.com.", LDNS_RR_TYPE_A), 0, true,
     "y.w2.example.com. 3600 IN A 192.0.2.78", "", ""},
    {"delegation with glue", Q("www.sub.example.com.", LDNS_RR_TYPE_A), 0, false, "",
     "sub.example.com. 3600 IN NS ns.sub.example.com.|sub.example.com. 3600 IN NS "
     "ns.other.example.net.",
     "ns.sub.example.com. 3600 IN A 192.0.2.100"},
    {"delegation point itself", Q("sub.example.com.", LDNS_RR_TYPE_NS), 0, false, "",
     "sub.example.com. 3600 IN NS ns.sub.example.com.|sub.example.com. 3600 IN NS "
     "ns.other.example.net.",
     "ns.sub.example.com. 3600 IN A 192.0.2.100"},
    {"glue is not authoritative", Q("ns.sub.example.com.", LDNS_RR_TYPE_A), 0, false, "",
     "sub.example.com. 3600 IN NS ns.sub.example.com.|sub.example.com. 3600 IN NS "
     "ns.other.example.net.",
     "ns.sub.example.com. 3600 IN A 192.0.2.100"},
    {"ds at the cut from the parent", Q("sub.example.com.", LDNS_RR_TYPE_DS), 0, true,
     "sub.example.com. 3600 IN DS 12345 8 2 "
     "49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de2b5b8b3e8c8e3a4d6c1b3f2a",
     "", ""},
    {"apex ns with additional", Q("example.com.", LDNS_RR_TYPE_NS), 0, true,
     "example.com. 3600 IN NS ns1.example.com.|example.com. 3600 IN NS ns2.example.net.", "",
     "ns1.example.com. 3600 IN A 192.0.2.53"},
    {"mx with additional", Q("example.com.", LDNS_RR_TYPE_MX), 0, true,
     "example.com. 3600 IN MX 10 mail.example.com.", "", "mail.example.com. 600 IN A 192.0.2.25"},
    {"second zone, its own negative ttl", Q("x.example.net.", LDNS_RR_TYPE_A), 3, true, "",
     "example.net. 60 IN SOA ns1.example.net. h.example.net. 1 2 3 4 5000", ""},
    {"refused outside our zones", Q("www.example.org.", LDNS_RR_TYPE_A), 5, false, "", "", ""},
    {"refused root", Q(".", LDNS_RR_TYPE_NS), 5, false, "", "", ""},
    {"axfr refused", Q("example.com.", LDNS_RR_TYPE_AXFR), 5, false, "", "", ""},
    {"ixfr refused", Q("example.com.", LDNS_RR_TYPE_IXFR), 5, false, "", "", ""},
    {"any minimal", Q("h.example.com.", LDNS_RR_TYPE_ANY), 0, true,
     "h.example.com. 3600 IN HINFO \"PC\" \"Linux\"", "", ""},
    {"any at an empty non-terminal", Q("b.w2.example.com.", LDNS_RR_TYPE_ANY), 0, true, "", SOA_NEG,
     ""},
    {"chaos id.server", QC("id.server.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH), 0, true,
     "id.server. 0 CH TXT \"us-east\"", "", ""},
    {"chaos hostname.bind", QC("HOSTNAME.bind.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH), 0, true,
     "HOSTNAME.bind. 0 CH TXT \"us-east\"", "", ""},
    {"chaos version.bind off", QC("version.bind.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH), 5, false,
     "", "", ""},
    {"chaos other name", QC("foo.bind.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH), 5, false, "", "", ""},
    {"class hs refused", QC("www.example.com.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_HS), 5, false, "", "",
     ""},
    {"wildcard cname chased", Q("x.cw.example.com.", LDNS_RR_TYPE_A), 0, true,
     "x.cw.example.com. 3600 IN CNAME www.example.com.|www.example.com. 3600 IN A 192.0.2.1"
     "|www.example.com. 3600 IN A 192.0.2.2",
     "", ""},
    {"cname to a geo name", Q("togeo.example.com.", LDNS_RR_TYPE_A), 0, true,
     "togeo.example.com. 3600 IN CNAME geo.example.com.|geo.example.com. 30 IN A 198.51.100.10", "",
     ""},
    {"geo fixed name", Q("fixed.example.com.", LDNS_RR_TYPE_A), 0, true,
     "fixed.example.com. 45 IN A 198.51.100.10", "", ""},
    {"any at a geo name answers a", Q("geo.example.com.", LDNS_RR_TYPE_ANY), 0, true,
     "geo.example.com. 30 IN A 198.51.100.10", "", ""},
    {"any at an ipv6-only geo name answers aaaa", Q("v6only.example.com.", LDNS_RR_TYPE_ANY), 0,
     true, "v6only.example.com. 50 IN AAAA 2001:db8:6::66", "", ""},
    {"a at an ipv6-only geo name is nodata", Q("v6only.example.com.", LDNS_RR_TYPE_A), 0, true, "",
     SOA_NEG, ""},
    {"any answers what a would when a later candidate has ipv4",
     Q("v6first.example.com.", LDNS_RR_TYPE_ANY), 0, true,
     "v6first.example.com. 55 IN A 198.51.100.10", "", ""},
    {"aaaa at a geo name whose first candidate has ipv6 only",
     Q("v6first.example.com.", LDNS_RR_TYPE_AAAA), 0, true,
     "v6first.example.com. 55 IN AAAA 2001:db8:6::66", "", ""},
    {"geo other type nodata", Q("geo.example.com.", LDNS_RR_TYPE_TXT), 0, true, "", SOA_NEG, ""},
    {"geo aaaa falls to a dc with v6", Q("fixed.example.com.", LDNS_RR_TYPE_AAAA), 0, true, "",
     SOA_NEG, ""},
};

static void check_case(const case_t *c, const dnsd_answer_ctx_t *actx)
{
	uint8_t wire[512];
	size_t len = t_query_wire(&c->q, wire, sizeof(wire));
	size_t rlen;
	assert_true(len > 0);
	ldns_pkt *p = t_answer(actx, wire, len, false, &t_counters, &rlen);
	if (p == NULL)
		fail_msg("case '%s': no parseable response", c->what);
	char *an = t_section(ldns_pkt_answer(p));
	char *ns = t_section(ldns_pkt_authority(p));
	char *ar = t_section(ldns_pkt_additional(p));
	if ((int)ldns_pkt_get_rcode(p) != c->rcode || ldns_pkt_aa(p) != c->aa ||
	    strcmp(an, c->answer) != 0 || strcmp(ns, c->authority) != 0 ||
	    (c->additional && strcmp(ar, c->additional) != 0) || ldns_pkt_id(p) != 0x1234 ||
	    !ldns_pkt_qr(p) || !ldns_pkt_rd(p) || ldns_pkt_tc(p) || ldns_pkt_qdcount(p) != 1)
		fail_msg(
		    "case '%s': rcode %d aa %d\n answer '%s'\n authority '%s'\n additional '%s'",
		    c->what, ldns_pkt_get_rcode(p), ldns_pkt_aa(p), an, ns, ar);
	char *qn = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0)));
	assert_string_equal(qn, c->q.name);
	free(qn);
	free(an);
	free(ns);
	free(ar);
	ldns_pkt_free(p);
}

static void test_answer_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i], &t_ctx);
}

static void test_answer_version_bind_when_configured(void **state)
{
	(void)state;
	dnsd_answer_ctx_t c2 = t_ctx;
	c2.version = "meridian 0.1";
	dnsd_answer_ctx_init(&c2);
	static const case_t c = {"version.server on",
				 QC("version.server.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH),
				 0,
				 true,
				 "version.server. 0 CH TXT \"meridian 0.1\"",
				 "",
				 ""};
	check_case(&c, &c2);
}

/* The TXT rdata is built by dnsd_answer_ctx_init(), not per query: text changed
 * afterwards is not seen until the context is made again. */
static void test_answer_chaos_txt_is_built_with_the_context(void **state)
{
	(void)state;
	char identity[] = "us-east";
	dnsd_answer_ctx_t c2 = t_ctx;
	c2.identity = identity;
	c2.version = NULL;
	dnsd_answer_ctx_init(&c2);
	identity[0] = 'X';
	static const case_t built = {"id.server built once",
				     QC("id.server.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH),
				     0,
				     true,
				     "id.server. 0 CH TXT \"us-east\"",
				     "",
				     ""};
	check_case(&built, &c2);
	static const case_t off = {"version.server not configured",
				   QC("version.server.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH),
				   5,
				   false,
				   "",
				   "",
				   ""};
	check_case(&off, &c2);
	dnsd_answer_ctx_init(&c2);
	static const case_t again = {"id.server made again",
				     QC("hostname.bind.", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH),
				     0,
				     true,
				     "hostname.bind. 0 CH TXT \"Xs-east\"",
				     "",
				     ""};
	check_case(&again, &c2);
}

/* A text longer than 255 bytes is split into strings; past 512 bytes of rdata it is cut. */
static void test_answer_chaos_long_text_is_split_into_strings(void **state)
{
	(void)state;
	char text[600];
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	dnsd_answer_ctx_t c2 = t_ctx;
	c2.version = text;
	dnsd_answer_ctx_init(&c2);
	assert_int_equal(c2.version_txt.len, 512);
	assert_int_equal(c2.version_txt.rdata[0], 255);
	assert_int_equal(c2.version_txt.rdata[256], 255);
	c2.version = "";
	dnsd_answer_ctx_init(&c2);
	assert_int_equal(c2.version_txt.len, 1); /* one empty string: answered, not REFUSED */
	assert_int_equal(c2.version_txt.rdata[0], 0);
	c2.version = NULL;
	dnsd_answer_ctx_init(&c2);
	assert_int_equal(c2.version_txt.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answer_table),
	    cmocka_unit_test(test_answer_version_bind_when_configured),
	    cmocka_unit_test(test_answer_chaos_txt_is_built_with_the_context),
	    cmocka_unit_test(test_answer_chaos_long_text_is_split_into_strings),
	};
	return cmocka_run_group_tests(tests, t_fixture_setup, t_fixture_teardown);
}
