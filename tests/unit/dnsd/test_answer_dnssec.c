/* SPDX-License-Identifier: MIT */
/* test_answer_dnssec.c -- a zone signed at load, its geo answers, and the DNSSEC answer rules */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/dnsd/dnsd_test_util.h"

/* Signatures are made at this time (a mock clock: 2027-01-15). */
#define NOW ((time_t)1800000000)

#define X90                                                                                        \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const char zone_text[] = "$ORIGIN example.com.\n"
				"$TTL 3600\n"
				"@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
				"  IN NS ns1\n"
				"ns1 IN A 192.0.2.53\n"
				"www IN A 192.0.2.80\n"
				"*.wild IN A 192.0.2.99\n"
				"alias IN CNAME www\n"
				"big IN TXT \"1 " X90 "\"\n"
				"big IN TXT \"2 " X90 "\"\n"
				"big IN TXT \"3 " X90 "\"\n"
				"big IN TXT \"4 " X90 "\"\n";

static char *dir;
static char *key_paths[3];
static dnsd_zones_t *zones;
static dnsd_answer_ctx_t ctx;
static dnsd_counters_t counters;
static ldns_rr_list *dnskeys; /* the keys' DNSKEY records, to verify with */

static const uint8_t us_a[] = {203, 0, 113, 10, 203, 0, 113, 11};
static const uint8_t eu_a[] = {198, 51, 100, 10};
static dnsd_geo_dc_t dcs[2];
static uint16_t order[] = {0, 1};
static dnsd_geo_record_t geo_records[2];
static dnsd_geo_t geo;

/* Writes a new ECDSA P-256 key for example.com. as ldns-keygen does: NAME.private and
 * NAME.key (flags 257 for a KSK); returns the .private path. */
static char *key_write(const char *name, uint16_t flags)
{
	ldns_key *k = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
	assert_non_null(k);
	ldns_key_set_pubkey_owner(k, ldns_dname_new_frm_str("example.com."));
	ldns_key_set_flags(k, flags);
	char *priv = NULL, *pub = NULL;
	assert_true(asprintf(&priv, "%s/%s.private", dir, name) > 0);
	assert_true(asprintf(&pub, "%s/%s.key", dir, name) > 0);
	FILE *fp = fopen(priv, "w");
	assert_non_null(fp);
	ldns_key_print(fp, k);
	fclose(fp);
	ldns_rr *rr = ldns_key2rr(k);
	fp = fopen(pub, "w");
	assert_non_null(fp);
	ldns_rr_print(fp, rr);
	fclose(fp);
	ldns_rr_list_push_rr(dnskeys, rr);
	ldns_key_deep_free(k);
	free(pub);
	return priv;
}

static int setup(void **state)
{
	(void)state;
	dir = t_dir_new();
	dnskeys = ldns_rr_list_new();
	key_paths[0] = key_write("zsk", 256);
	key_paths[1] = key_write("ksk", 257);
	char *path = t_file_write(dir, "example.com.zone", zone_text);
	conf_zone_t z = {.origin = "example.com.",
			 .file = path,
			 .dnssec_keys = key_paths,
			 .dnssec_validity_ms = 14u * 86400000u,
			 .dnssec_refresh_ms = 7u * 86400000u};
	static conf_ipaddr_t us_addrs[2], eu_addrs[1];
	us_addrs[0] = (conf_ipaddr_t){.family = AF_INET, .bytes = {203, 0, 113, 10}};
	us_addrs[1] = (conf_ipaddr_t){.family = AF_INET, .bytes = {203, 0, 113, 11}};
	eu_addrs[0] = (conf_ipaddr_t){.family = AF_INET, .bytes = {198, 51, 100, 10}};
	conf_datacenter_t cdcs[] = {{.name = "us", .addresses = us_addrs, .address_count = 2},
				    {.name = "eu", .addresses = eu_addrs, .address_count = 1}};
	static size_t cands[] = {0, 1};
	conf_record_t records[] = {{.name = "geo.example.com.", .datacenters = cands,
				    .datacenter_count = 2, .ttl = 30}};
	char *errors = NULL;
	zones = dnsd_zones_load_at(&z, 1, records, 1, cdcs, 2, NOW, &errors);
	if (zones == NULL)
		fail_msg("%s", errors);
	free(path);
	dcs[0] = (dnsd_geo_dc_t){.a = us_a, .a_count = 2, .serving = true};
	dcs[1] = (dnsd_geo_dc_t){.a = eu_a, .a_count = 1, .serving = true};
	geo_records[0] = (dnsd_geo_record_t){
	    .ttl = 30, .varies = false, .candidates = order, .candidate_count = 2};
	geo = (dnsd_geo_t){.records = geo_records, .record_count = 1, .dcs = dcs, .dc_count = 2};
	ctx = (dnsd_answer_ctx_t){.zones = zones, .geo = &geo, .udp_payload = 1232};
	dnsd_answer_ctx_init(&ctx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dnsd_zones_free(zones);
	ldns_rr_list_deep_free(dnskeys);
	free(key_paths[0]);
	free(key_paths[1]);
	t_dir_remove(dir);
	return 0;
}

/* Asks name/type over UDP (EDNS 1232, or udp bytes), DO as given. */
static ldns_pkt *ask(const char *name, uint16_t type, bool do_bit, uint16_t udp)
{
	uint8_t wire[512];
	t_query_t q = {.name = name, .type = type, .edns = true, .udp_size = udp};
	size_t len = t_query_wire(&q, wire, sizeof(wire));
	size_t rlen;
	assert_true(len > 0);
	if (do_bit)
		wire[len - 11 + 7] = 0x80; /* the OPT's DO bit */
	ldns_pkt *p = t_answer(&ctx, wire, len, false, &counters, &rlen);
	assert_non_null(p);
	return p;
}

static size_t count_type(const ldns_rr_list *l, ldns_rr_type type)
{
	size_t n = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		n += ldns_rr_get_type(ldns_rr_list_rr(l, i)) == type;
	return n;
}

/* Every RRSIG of section l verifies, with the keys, over the records it covers there. */
static void assert_signatures_verify(const ldns_rr_list *l)
{
	size_t sigs = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *sig = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(sig) != LDNS_RR_TYPE_RRSIG)
			continue;
		ldns_rr_list *set = ldns_rr_list_new();
		ldns_rr_type covered = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig));
		for (size_t k = 0; k < ldns_rr_list_rr_count(l); k++) {
			ldns_rr *rr = ldns_rr_list_rr(l, k);
			if (ldns_rr_get_type(rr) == covered &&
			    ldns_dname_compare(ldns_rr_owner(rr), ldns_rr_owner(sig)) == 0)
				ldns_rr_list_push_rr(set, rr);
		}
		assert_int_equal(ldns_verify_rrsig_keylist_time(set, sig, dnskeys, NOW, NULL),
				 LDNS_STATUS_OK);
		ldns_rr_list_free(set);
		sigs++;
	}
	assert_true(sigs > 0);
}

static void test_do_answers_carry_valid_signatures_and_plain_ones_none(void **state)
{
	(void)state;
	ldns_pkt *p = ask("www.example.com.", LDNS_RR_TYPE_A, true, 0);
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_A), 1);
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_RRSIG), 1);
	assert_signatures_verify(ldns_pkt_answer(p));
	assert_false(ldns_pkt_ad(p));
	ldns_pkt_free(p);
	p = ask("www.example.com.", LDNS_RR_TYPE_A, false, 0);
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_RRSIG), 0);
	ldns_pkt_free(p);
	/* the DNSKEY set, signed by the KSK (and only it: a ZSK is there) */
	p = ask("example.com.", LDNS_RR_TYPE_DNSKEY, true, 0);
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_DNSKEY), 2);
	assert_signatures_verify(ldns_pkt_answer(p));
	ldns_pkt_free(p);
}

static void test_nxdomain_and_nodata_carry_signed_nsec(void **state)
{
	(void)state;
	ldns_pkt *p = ask("nope.example.com.", LDNS_RR_TYPE_A, true, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_true(count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_NSEC) >= 1);
	assert_signatures_verify(ldns_pkt_authority(p));
	ldns_pkt_free(p);
	p = ask("www.example.com.", LDNS_RR_TYPE_MX, true, 0);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_NSEC), 1);
	assert_signatures_verify(ldns_pkt_authority(p));
	ldns_pkt_free(p);
	p = ask("nope.example.com.", LDNS_RR_TYPE_A, false, 0);
	assert_int_equal(count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_NSEC), 0);
	ldns_pkt_free(p);
}

/* The geo answer's signature was made at load and verifies; a geo name's other type is
 * a signed NODATA whose NSEC lists A (the placeholder in the chain). */
static void test_geo_answers_are_signed_at_load(void **state)
{
	(void)state;
	ldns_pkt *p = ask("geo.example.com.", LDNS_RR_TYPE_A, true, 0);
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_A), 2);
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_RRSIG), 1);
	assert_signatures_verify(ldns_pkt_answer(p));
	ldns_pkt_free(p);
	dcs[0].serving = false; /* the other datacenter's set is signed too */
	p = ask("geo.example.com.", LDNS_RR_TYPE_A, true, 0);
	dcs[0].serving = true;
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_A), 1);
	assert_signatures_verify(ldns_pkt_answer(p));
	ldns_pkt_free(p);
	p = ask("geo.example.com.", LDNS_RR_TYPE_AAAA, true, 0);
	ldns_rr_list *ns = ldns_pkt_authority(p);
	assert_int_equal(count_type(ns, LDNS_RR_TYPE_NSEC), 1);
	assert_signatures_verify(ns);
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ns, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC)
			continue;
		assert_true(ldns_nsec_bitmap_covers_type(ldns_rr_rdf(rr, 1), LDNS_RR_TYPE_A));
		assert_false(ldns_nsec_bitmap_covers_type(ldns_rr_rdf(rr, 1), LDNS_RR_TYPE_AAAA));
	}
	ldns_pkt_free(p);
}

/* A record capped to one address answers one unsigned, but the whole signed set with DO:
 * the signature made at load covers the set, and a subset would not validate. */
static void test_capped_geo_answer_is_the_whole_set_when_signed(void **state)
{
	(void)state;
	geo_records[0].policy.max_addresses = 1;
	ldns_pkt *p = ask("geo.example.com.", LDNS_RR_TYPE_A, false, 0);
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(p);
	p = ask("geo.example.com.", LDNS_RR_TYPE_A, true, 0);
	geo_records[0].policy.max_addresses = 0;
	assert_int_equal(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_A), 2);
	assert_signatures_verify(ldns_pkt_answer(p));
	ldns_pkt_free(p);
}

/* Set and signature together or not at all: four 92-byte TXT records fit 512 bytes, with
 * their RRSIG they do not, so the DO answer is TC with nothing in it, not the set alone. */
static void test_signed_answer_that_does_not_fit_is_truncated_whole(void **state)
{
	(void)state;
	ldns_pkt *p = ask("big.example.com.", LDNS_RR_TYPE_TXT, false, 512);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 4);
	ldns_pkt_free(p);
	p = ask("big.example.com.", LDNS_RR_TYPE_TXT, true, 512);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p) + ldns_pkt_nscount(p), 0);
	ldns_pkt_free(p);
	p = ask("big.example.com.", LDNS_RR_TYPE_TXT, true, 1232);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 5);
	assert_signatures_verify(ldns_pkt_answer(p));
	ldns_pkt_free(p);
}

/* Clients below 128.0.0.0 prefer us, others eu; scope 16. */
static unsigned lookup(const void *lctx, size_t record, int family, const uint8_t *addr,
		       unsigned prefix, uint16_t *out, unsigned cap, unsigned *scope)
{
	(void)lctx, (void)record, (void)family, (void)prefix, (void)cap;
	out[0] = addr[0] < 128 ? 0 : 1;
	out[1] = addr[0] < 128 ? 1 : 0;
	*scope = 16;
	return 2;
}

/* The UDP worker's straight geo path copies the set's signature made at load: byte for
 * byte what the general path writes, for each client, family, size and serving set. */
static void test_signed_fast_geo_answers_equal_the_general_path(void **state)
{
	(void)state;
	static uint8_t wire[512], general[65535], batched[65535];
	static const char *const clients[] = {"192.0.2.9", "198.51.100.9"};
	static const uint16_t qtypes[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA};
	static const uint16_t sizes[] = {512, 1232};
	dnsd_geo_t g2 = geo;
	dnsd_geo_record_t r2 = geo_records[0];
	r2.varies = true;
	g2.records = &r2;
	g2.lookup = lookup;
	dnsd_answer_ctx_t c2 = ctx;
	c2.geo = &g2;
	size_t fast = 0;
	for (size_t ci = 0; ci < 2; ci++)
	for (size_t ti = 0; ti < 2; ti++)
	for (size_t si = 0; si < 2; si++)
	for (int serving = 0; serving < 3; serving++) {
		t_query_t q = {.name = "geo.example.com.", .type = qtypes[ti], .edns = true,
			       .udp_size = sizes[si]};
		size_t wlen = t_query_wire(&q, wire, sizeof(wire));
		wire[wlen - 11 + 7] = 0x80; /* DO */
		dnsd_client_t client = {.family = AF_INET};
		assert_int_equal(inet_pton(AF_INET, clients[ci], client.addr), 1);
		dcs[0].serving = serving != 1;
		dcs[1].serving = serving != 2;
		dnsd_counters_t k1 = {0}, k2 = {0};
		size_t l1 = dnsd_answer(&c2, wire, wlen, &client, general, sizeof(general), &k1);
		dnsd_prepared_t p;
		uint16_t order_buf[DNSD_GEO_ORDER_MAX];
		assert_true(dnsd_answer_prepare(&c2, wire, wlen, &client, &p));
		p.geo.count = lookup(NULL, p.geo.record, p.geo.family, p.geo.addr,
				     p.geo.source_prefix, order_buf, DNSD_GEO_ORDER_MAX,
				     &p.geo.scope);
		p.geo.order = order_buf;
		p.geo.done = true;
		size_t l2 = dnsd_answer_prepared(&c2, &p, wire, &client, batched, sizeof(batched),
						 &k2);
		assert_int_equal(l1, l2);
		assert_memory_equal(general, batched, l1);
		assert_memory_equal(&k1, &k2, sizeof(k1));
		fast += qtypes[ti] == LDNS_RR_TYPE_A && general[7] == 3; /* 2 A + RRSIG */
	}
	dcs[0].serving = dcs[1].serving = true;
	assert_true(fast > 0);
}

static void test_signing_times_follow_validity_and_refresh(void **state)
{
	(void)state;
	const dnsd_zone_signing_t *s = dnsd_zones_signing(zones, 0);
	assert_non_null(s);
	assert_int_equal(s->keys, 2);
	assert_int_equal(s->algorithm, 13);
	assert_false(s->nsec3);
	assert_int_equal(s->expiration, NOW + 14 * 86400);
	assert_int_equal(s->refresh_at, NOW + 7 * 86400);
	assert_int_equal(dnsd_zones_refresh_at(zones), NOW + 7 * 86400);
	assert_true(s->ksk[0] != s->ksk[1]);
}

static void test_missing_key_file_is_named(void **state)
{
	(void)state;
	char *path = t_file_write(dir, "other.zone", zone_text);
	char *keys[] = {(char *)"/nonexistent/K.private", NULL};
	conf_zone_t z = {.origin = "example.com.",
			 .file = path,
			 .dnssec_keys = keys,
			 .dnssec_validity_ms = 20000,
			 .dnssec_refresh_ms = 10000};
	char *errors = NULL;
	assert_null(dnsd_zones_load_at(&z, 1, NULL, 0, NULL, 0, NOW, &errors));
	assert_string_equal(errors, "/nonexistent/K.private: cannot open: No such file or directory\n");
	free(errors);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_do_answers_carry_valid_signatures_and_plain_ones_none),
	    cmocka_unit_test(test_nxdomain_and_nodata_carry_signed_nsec),
	    cmocka_unit_test(test_geo_answers_are_signed_at_load),
	    cmocka_unit_test(test_capped_geo_answer_is_the_whole_set_when_signed),
	    cmocka_unit_test(test_signed_answer_that_does_not_fit_is_truncated_whole),
	    cmocka_unit_test(test_signed_fast_geo_answers_equal_the_general_path),
	    cmocka_unit_test(test_signing_times_follow_validity_and_refresh),
	    cmocka_unit_test(test_missing_key_file_is_named),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
