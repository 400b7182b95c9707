/* SPDX-License-Identifier: MIT */
/* fuzz_dnsd_ctx.h -- the answer context the dnsd harnesses share: one zone, one geo name */
#ifndef MERIDIAN_FUZZ_DNSD_CTX_H
#define MERIDIAN_FUZZ_DNSD_CTX_H

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dnsd/dnsd_answer.h"
#include "dnsd/dnsd_zone.h"

/* The zone covers every answer shape: data, CNAME chains, wildcards, a delegation with
 * glue, a DNAME, a big RRset (truncation), and one geo name answered from a
 * two-datacenter view; it is signed at load (a key made here), so DO queries reach the
 * signatures, the NSEC proofs and the signed geo sets. */
static const char fuzz_zone[] =
    "$ORIGIN example.com.\n$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
    "@ IN NS ns1\n@ IN NS ns2.example.net.\n@ IN MX 10 mail\n"
    "ns1 IN A 192.0.2.53\nmail IN A 192.0.2.25\nmail IN AAAA 2001:db8::25\n"
    "www IN A 192.0.2.80\nalias IN CNAME www\nloop1 IN CNAME loop2\nloop2 IN CNAME loop1\n"
    "*.wild IN A 192.0.2.99\n*.wild IN TXT \"w\"\nsub IN NS ns.sub\nns.sub IN A 198.51.100.53\n"
    "old IN DNAME new.example.com.\nx.new IN A 192.0.2.8\n"
    "big IN TXT "
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n";

static dnsd_answer_ctx_t fuzz_ctx;
static dnsd_geo_t fuzz_geo;

/* A lookup that depends on the address bits, so ECS parsing reaches the geo path. */
static unsigned fuzz_lookup(const void *ctx, size_t record, int family, const uint8_t *addr,
			    unsigned source_prefix, uint16_t *order, unsigned cap, unsigned *scope)
{
	(void)ctx, (void)record;
	unsigned first = (family == AF_INET ? addr[0] : addr[15]) & 1;
	order[0] = (uint16_t)first;
	if (cap > 1)
		order[1] = (uint16_t)!first;
	*scope = source_prefix > 8 ? 8 : source_prefix;
	return cap > 1 ? 2 : 1;
}

/* Builds fuzz_ctx once; aborts when the zone does not load. */
static int fuzz_init(void)
{
	char dir[] = "/tmp/dnsd-fuzz.XXXXXX";
	if (mkdtemp(dir) == NULL)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "%s/example.com.zone", dir);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(fuzz_zone, f);
	fclose(f);
	/* one ECDSA key (flags 257, so it signs everything) as ldns-keygen writes it */
	char key[64], pub[64];
	snprintf(key, sizeof(key), "%s/K.private", dir);
	snprintf(pub, sizeof(pub), "%s/K.key", dir);
	ldns_key *k = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
	if (k == NULL || (f = fopen(key, "w")) == NULL)
		return -1;
	ldns_key_set_pubkey_owner(k, ldns_dname_new_frm_str("example.com."));
	ldns_key_set_flags(k, 257);
	ldns_key_print(f, k);
	fclose(f);
	ldns_rr *dnskey = ldns_key2rr(k);
	if ((f = fopen(pub, "w")) == NULL)
		return -1;
	ldns_rr_print(f, dnskey);
	fclose(f);
	ldns_rr_free(dnskey);
	ldns_key_deep_free(k);
	static char origin[] = "example.com.";
	static char name[] = "geo.example.com.";
	char *keys[] = {key, NULL};
	conf_zone_t zone = {.origin = origin,
			    .file = path,
			    .dnssec_keys = keys,
			    .dnssec_validity_ms = 14u * 86400000u,
			    .dnssec_refresh_ms = 7u * 86400000u};
	static size_t dcs[] = {0, 1};
	conf_record_t rec = {.name = name, .datacenters = dcs, .datacenter_count = 2, .ttl = 30};
	conf_ipaddr_t us[] = {{.family = AF_INET, .bytes = {203, 0, 113, 10}},
			      {.family = AF_INET6, .bytes = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}}};
	conf_ipaddr_t eu[] = {{.family = AF_INET, .bytes = {198, 51, 100, 10}}};
	conf_datacenter_t cdcs[] = {{.name = (char *)"us", .addresses = us, .address_count = 2},
				    {.name = (char *)"eu", .addresses = eu, .address_count = 1}};
	char *errors = NULL;
	const dnsd_zones_t *zones =
	    dnsd_zones_load_at(&zone, 1, &rec, 1, cdcs, 2, time(NULL), &errors);
	unlink(path);
	unlink(key);
	unlink(pub);
	rmdir(dir);
	if (zones == NULL) {
		fprintf(stderr, "fuzz zone: %s\n", errors ? errors : "?");
		return -1;
	}
	static const uint8_t a[] = {203, 0, 113, 10, 198, 51, 100, 10};
	static const uint8_t aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static dnsd_geo_dc_t geo_dcs[2];
	geo_dcs[0] =
	    (dnsd_geo_dc_t){.a = a, .a_count = 1, .aaaa = aaaa, .aaaa_count = 1, .serving = true};
	geo_dcs[1] = (dnsd_geo_dc_t){.a = a + 4, .a_count = 1, .serving = false};
	static const uint16_t cand[] = {0, 1};
	static dnsd_geo_record_t grec;
	grec = (dnsd_geo_record_t){
	    .ttl = 30, .varies = true, .candidates = cand, .candidate_count = 2};
	fuzz_geo = (dnsd_geo_t){.records = &grec,
				.record_count = 1,
				.dcs = geo_dcs,
				.dc_count = 2,
				.lookup = fuzz_lookup};
	static const uint8_t nsid[] = "fuzz-ns";
	fuzz_ctx = (dnsd_answer_ctx_t){.zones = zones,
				       .geo = &fuzz_geo,
				       .nsid = nsid,
				       .nsid_len = sizeof(nsid) - 1,
				       .identity = "fuzz",
				       .version = "1",
				       .udp_payload = 1232};
	dnsd_answer_ctx_init(&fuzz_ctx);
	return 0;
}

/* fuzz_init() once per process. */
static void fuzz_ready(void)
{
	static int ready;
	if (!ready) {
		if (fuzz_init() < 0)
			abort();
		ready = 1;
	}
}

#endif
