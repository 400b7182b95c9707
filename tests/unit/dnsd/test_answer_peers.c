/* SPDX-License-Identifier: MIT */
/* test_answer_peers.c -- the answers where NSD and Knot DNS agree and we once did not */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/dnsd/dnsd_test_util.h"

#define C62 "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define D62 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define DNAME_LONG                                                                                 \
	"long.example.com. 3600 IN DNAME "                                                         \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."                         \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.com."

/* A parent and two served children (one with a DS at the parent, one without), a
 * wildcard that MX and SRV records point into, CNAMEs to a missing name and below a cut. */
static const char parent_zone[] = "$ORIGIN example.com.\n"
				  "$TTL 3600\n"
				  "@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
				  "  IN NS ns1\n"
				  "ns1 IN A 192.0.2.53\n"
				  "www IN A 192.0.2.80\n"
				  "alias IN CNAME www\n"
				  "tonx IN CNAME nx\n"
				  "tocut IN CNAME host.sub\n"
				  "sub IN NS ns.sub\n"
				  "ns.sub IN A 198.51.100.53\n"
				  "child IN NS ns1.child\n"
				  "child IN DS 12345 8 2 "
				  "49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE2B5B8B3E8C8E3A4D6C1B3F2A\n"
				  "ns1.child IN A 192.0.2.54\n"
				  "nods IN NS ns1.nods\n"
				  "*.wild IN A 192.0.2.99\n"
				  "mx2 IN MX 10 host.wild\n"
				  "srv IN SRV 0 0 80 x.wild\n"
				  "old 600 IN DNAME new.example.com.\n"
				  "x.new IN A 192.0.2.8\n"
				  "long IN DNAME "
				  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
				  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.com.\n";
static const char child_zone[] = "$ORIGIN child.example.com.\n"
				 "$TTL 3600\n"
				 "@ IN SOA ns1 hostmaster 7 7200 900 1209600 600\n"
				 "  IN NS ns1\n"
				 "ns1 IN A 192.0.2.54\n";
static const char nods_zone[] = "$ORIGIN nods.example.com.\n"
				"$TTL 3600\n"
				"@ IN SOA ns1 hostmaster 7 7200 900 1209600 600\n"
				"  IN NS ns1\n"
				"ns1 IN A 192.0.2.55\n";

#define SOA_NEG "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300"

static char *dir;
static dnsd_zones_t *zones;
static dnsd_answer_ctx_t ctx;
static dnsd_counters_t counters;

/* One query and the response it must get (sections as t_section() strings). */
typedef struct {
	const char *what;	/* the rule, for failure messages */
	const char *name;	/* question name */
	uint16_t type;		/* question type */
	uint16_t qclass;	/* 0: IN */
	int rcode;		/* expected rcode */
	bool aa;		/* expected AA */
	const char *answer;	/* expected answer section */
	const char *authority;	/* expected authority section */
	const char *additional; /* expected additional section (OPT aside) */
} case_t;

static const case_t cases[] = {
    {"ANY at a CNAME owner is the CNAME alone (RFC 1034 4.3.2 3a)", "alias.example.com.",
     LDNS_RR_TYPE_ANY, 0, 0, true, "alias.example.com. 3600 IN CNAME www.example.com.", "", ""},
    {"ANY at a CNAME to a missing name is not NXDOMAIN", "tonx.example.com.", LDNS_RR_TYPE_ANY,
     0, 0, true, "tonx.example.com. 3600 IN CNAME nx.example.com.", "", ""},
    {"a CNAME to a name below a cut ends in a referral", "tocut.example.com.", LDNS_RR_TYPE_A, 0,
     0, true, "tocut.example.com. 3600 IN CNAME host.sub.example.com.",
     "sub.example.com. 3600 IN NS ns.sub.example.com.",
     "ns.sub.example.com. 3600 IN A 198.51.100.53"},
    {"QCLASS * gets the IN data without AA", "www.example.com.", LDNS_RR_TYPE_A,
     LDNS_RR_CLASS_ANY, 0, false, "www.example.com. 3600 IN A 192.0.2.80", "", ""},
    {"DS at a served child's apex comes from the parent", "child.example.com.", LDNS_RR_TYPE_DS,
     0, 0, true,
     "child.example.com. 3600 IN DS 12345 8 2 "
     "49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de2b5b8b3e8c8e3a4d6c1b3f2a",
     "", ""},
    {"no DS at the parent: the parent's NODATA", "nods.example.com.", LDNS_RR_TYPE_DS, 0, 0, true,
     "", SOA_NEG, ""},
    {"other types at the child apex stay the child's", "child.example.com.", LDNS_RR_TYPE_NS, 0,
     0, true, "child.example.com. 3600 IN NS ns1.child.example.com.", "",
     "ns1.child.example.com. 3600 IN A 192.0.2.54"},
    {"MX target known only through a wildcard gets its address", "mx2.example.com.",
     LDNS_RR_TYPE_MX, 0, 0, true, "mx2.example.com. 3600 IN MX 10 host.wild.example.com.", "",
     "host.wild.example.com. 3600 IN A 192.0.2.99"},
    {"SRV target known only through a wildcard gets its address", "srv.example.com.",
     LDNS_RR_TYPE_SRV, 0, 0, true, "srv.example.com. 3600 IN SRV 0 0 80 x.wild.example.com.", "",
     "x.wild.example.com. 3600 IN A 192.0.2.99"},
    {"ANY answered with an MX set carries the additional addresses", "mx2.example.com.",
     LDNS_RR_TYPE_ANY, 0, 0, true, "mx2.example.com. 3600 IN MX 10 host.wild.example.com.", "",
     "host.wild.example.com. 3600 IN A 192.0.2.99"},
    {"ANY at the apex (NS first) carries the NS addresses", "example.com.", LDNS_RR_TYPE_ANY, 0,
     0, true, "example.com. 3600 IN NS ns1.example.com.", "",
     "ns1.example.com. 3600 IN A 192.0.2.53"},
    {"DNAME: the DNAME, a CNAME with its TTL, the target's data", "x.old.example.com.",
     LDNS_RR_TYPE_A, 0, 0, true,
     "old.example.com. 600 IN DNAME new.example.com.|x.old.example.com. 600 IN CNAME "
     "x.new.example.com.|x.new.example.com. 3600 IN A 192.0.2.8",
     "", ""},
    {"DNAME to a missing name: NXDOMAIN after the CNAME", "www.old.example.com.", LDNS_RR_TYPE_A,
     0, 3, true,
     "old.example.com. 600 IN DNAME new.example.com.|www.old.example.com. 600 IN CNAME "
     "www.new.example.com.",
     SOA_NEG, ""},
    {"DNAME: CNAME asked stops after the synthesis", "x.old.example.com.", LDNS_RR_TYPE_CNAME, 0,
     0, true,
     "old.example.com. 600 IN DNAME new.example.com.|x.old.example.com. 600 IN CNAME "
     "x.new.example.com.",
     "", ""},
    {"DNAME owner itself is not redirected", "old.example.com.", LDNS_RR_TYPE_A, 0, 0, true, "",
     SOA_NEG, ""},
    {"DNAME asked at its owner", "old.example.com.", LDNS_RR_TYPE_DNAME, 0, 0, true,
     "old.example.com. 600 IN DNAME new.example.com.", "", ""},
    {"DNAME whose target would pass 255 bytes: YXDOMAIN", C62 "." D62 ".long.example.com.",
     LDNS_RR_TYPE_A, 0, 6, true, DNAME_LONG, "", ""},
};

static ldns_pkt *ask(const char *name, uint16_t type, uint16_t qclass, bool edns, bool cd,
		     size_t *rlen)
{
	uint8_t wire[512];
	t_query_t q = {.name = name, .type = type, .qclass = qclass, .edns = edns};
	size_t len = t_query_wire(&q, wire, sizeof(wire));
	assert_true(len > 0);
	if (cd)
		wire[3] |= 0x10;
	return t_answer(&ctx, wire, len, false, &counters, rlen);
}

static void test_answers_agree_with_the_peers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const case_t *c = &cases[i];
		size_t rlen;
		ldns_pkt *p = ask(c->name, c->type, c->qclass, false, false, &rlen);
		if (p == NULL)
			fail_msg("case '%s': no parseable response", c->what);
		char *an = t_section(ldns_pkt_answer(p));
		char *ns = t_section(ldns_pkt_authority(p));
		char *ar = t_section(ldns_pkt_additional(p));
		if ((int)ldns_pkt_get_rcode(p) != c->rcode || ldns_pkt_aa(p) != c->aa ||
		    strcmp(an, c->answer) != 0 || strcmp(ns, c->authority) != 0 ||
		    strcmp(ar, c->additional) != 0)
			fail_msg("case '%s': rcode %d aa %d\n answer '%s'\n authority '%s'\n "
				 "additional '%s'",
				 c->what, ldns_pkt_get_rcode(p), ldns_pkt_aa(p), an, ns, ar);
		free(an);
		free(ns);
		free(ar);
		ldns_pkt_free(p);
	}
}

/* RFC 8914: REFUSED for a name we are not authoritative for carries EDE 20 (with EDNS). */
static void test_refused_outside_carries_ede_not_authoritative(void **state)
{
	(void)state;
	size_t rlen;
	const uint8_t *data = NULL;
	ldns_pkt *p = ask("www.example.org.", LDNS_RR_TYPE_A, 0, true, false, &rlen);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_int_equal(t_opt_find(t_resp, rlen, 15, &data), 2);
	assert_int_equal(data[0], 0);
	assert_int_equal(data[1], 20);
	ldns_pkt_free(p);
	/* an answer we give carries no EDE */
	p = ask("www.example.com.", LDNS_RR_TYPE_A, 0, true, false, &rlen);
	assert_non_null(p);
	assert_int_equal(t_opt_find(t_resp, rlen, 15, &data), -1);
	ldns_pkt_free(p);
}

/* RFC 4035 3.1.6: an authoritative server clears CD; AD is never set. */
static void test_cd_is_cleared_and_ad_never_set(void **state)
{
	(void)state;
	size_t rlen;
	ldns_pkt *p = ask("www.example.com.", LDNS_RR_TYPE_A, 0, true, true, &rlen);
	assert_non_null(p);
	assert_false(ldns_pkt_cd(p));
	assert_false(ldns_pkt_ad(p));
	ldns_pkt_free(p);
	p = ask("www.example.org.", LDNS_RR_TYPE_A, 0, false, true, &rlen);
	assert_non_null(p);
	assert_false(ldns_pkt_cd(p));
	ldns_pkt_free(p);
}

static int setup(void **state)
{
	(void)state;
	dir = t_dir_new();
	char *p1 = t_file_write(dir, "example.com.zone", parent_zone);
	char *p2 = t_file_write(dir, "child.zone", child_zone);
	char *p3 = t_file_write(dir, "nods.zone", nods_zone);
	conf_zone_t z[] = {{.origin = "example.com.", .file = p1},
			   {.origin = "child.example.com.", .file = p2},
			   {.origin = "nods.example.com.", .file = p3}};
	char *errors = NULL;
	zones = dnsd_zones_load(z, 3, NULL, 0, &errors);
	if (zones == NULL)
		fail_msg("%s", errors);
	free(p1);
	free(p2);
	free(p3);
	ctx = (dnsd_answer_ctx_t){.zones = zones, .udp_payload = 1232};
	dnsd_answer_ctx_init(&ctx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dnsd_zones_free(zones);
	t_dir_remove(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answers_agree_with_the_peers),
	    cmocka_unit_test(test_refused_outside_carries_ede_not_authoritative),
	    cmocka_unit_test(test_cd_is_cleared_and_ad_never_set),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
