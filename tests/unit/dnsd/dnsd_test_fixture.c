/* SPDX-License-Identifier: MIT */
/* dnsd_test_fixture.c -- the zones and geo view the answer tests query */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/dnsd/dnsd_test_fixture.h"

static const char zone_text[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@ IN SOA ns1 hostmaster 2026112901 3600 600 86400 300\n"
    "  IN NS ns1\n"
    "  IN NS ns2.example.net.\n"
    "  IN MX 10 mail\n"
    "ns1 IN A 192.0.2.53\n"
    "mail 600 IN A 192.0.2.25\n"
    "www IN A 192.0.2.1\n"
    "www IN A 192.0.2.2\n"
    "www IN AAAA 2001:db8::1\n"
    "alias IN CNAME www\n"
    "alias2 IN CNAME alias\n"
    "dangling IN CNAME nothere\n"
    "outside IN CNAME www.example.org.\n"
    "loop1 IN CNAME loop2\n"
    "loop2 IN CNAME loop1\n"
    "intoloop IN CNAME loop1\n"
    "self IN CNAME self\n"
    "*.cwl IN CNAME x.cwl\n"
    "*.wild IN A 192.0.2.77\n"
    "*.wild IN TXT \"wild\"\n"
    "*.w2 IN A 192.0.2.78\n"
    "a.b.w2 IN A 192.0.2.79\n"
    "sub IN NS ns.sub\n"
    "sub IN NS ns.other.example.net.\n"
    "sub IN DS 12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE2B5B8B3E8C8E3A4D6C1B3F2A\n"
    "ns.sub IN A 192.0.2.100\n"
    "h IN HINFO \"PC\" \"Linux\"\n"
    "h IN TXT \"hello\"\n"
    "*.cw IN CNAME www\n"
    "togeo IN CNAME geo\n";

/* ~40 TXT records of 60 bytes: 2.5k, more than 512 and more than 1232 */
static char big_text[8192];

static char *dir;
dnsd_zones_t *t_zones;
dnsd_counters_t t_counters;

static uint16_t geo_order_us[] = {0, 1};
static uint16_t geo_order_v6[] = {2, 1};
static const uint8_t us_a[] = {203, 0, 113, 10, 203, 0, 113, 11};
static const uint8_t us_aaaa[] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
static const uint8_t eu_a[] = {198, 51, 100, 10};
static const uint8_t v6_aaaa[] = {0x20, 0x01, 0x0d, 0xb8, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x66};
dnsd_geo_dc_t t_dcs[3];
static dnsd_geo_record_t geo_records[4];
static dnsd_geo_t geo;
dnsd_answer_ctx_t t_ctx;

/* A trivial resolver: addresses below 128.0.0.0 (or v6) prefer us, others eu. */
unsigned t_fake_lookup(const void *lctx, size_t record, int family, const uint8_t *addr,
		       unsigned prefix, uint16_t *order, unsigned cap, unsigned *scope)
{
	(void)lctx;
	(void)record;
	(void)prefix;
	if (family == AF_INET && addr[0] >= 128) {
		order[0] = 1;
		order[1] = 0;
		*scope = 8;
	} else {
		order[0] = 0;
		order[1] = 1;
		*scope = family == AF_INET ? 16 : 32;
	}
	return cap >= 2 ? 2 : cap;
}

int t_fixture_setup(void **state)
{
	(void)state;
	size_t len = (size_t)snprintf(big_text, sizeof(big_text), "%s", zone_text);
	for (int i = 0; i < 24; i++)
		len += (size_t)snprintf(
		    big_text + len, sizeof(big_text) - len,
		    "bigdel IN NS ns%02d.bigdel\nns%02d.bigdel IN A 192.0.2.%d\n", i, i, i);
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(
		    big_text + len, sizeof(big_text) - len,
		    "big IN TXT \"record %02d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n", i);
	dir = t_dir_new();
	char *path = t_file_write(dir, "example.com.zone", big_text);
	char *path2 =
	    t_file_write(dir, "example.net.zone",
			 "$ORIGIN example.net.\n@ 60 IN SOA ns1 h 1 2 3 4 5000\n@ IN NS ns1\n"
			 "ns1 IN A 192.0.2.54\n");
	conf_zone_t z[] = {{.origin = "example.com.", .file = path},
			   {.origin = "example.net.", .file = path2}};
	conf_record_t records[] = {{.name = "geo.example.com."},
				   {.name = "fixed.example.com."},
				   {.name = "v6only.example.com."},
				   {.name = "v6first.example.com."}};
	char *errors = NULL;
	t_zones = dnsd_zones_load(z, 2, records, 4, &errors);
	if (t_zones == NULL)
		fail_msg("%s", errors);
	free(path);
	free(path2);

	t_dcs[0] = (dnsd_geo_dc_t){
	    .a = us_a, .a_count = 2, .aaaa = us_aaaa, .aaaa_count = 1, .serving = true};
	t_dcs[1] = (dnsd_geo_dc_t){.a = eu_a, .a_count = 1, .serving = true};
	t_dcs[2] = (dnsd_geo_dc_t){.aaaa = v6_aaaa, .aaaa_count = 1, .serving = true};
	geo_records[0] = (dnsd_geo_record_t){
	    .ttl = 30, .varies = true, .candidates = geo_order_us, .candidate_count = 2};
	geo_records[1] = (dnsd_geo_record_t){
	    .ttl = 45, .varies = false, .candidates = geo_order_us + 1, .candidate_count = 1};
	geo_records[2] = (dnsd_geo_record_t){
	    .ttl = 50, .varies = false, .candidates = geo_order_v6, .candidate_count = 1};
	geo_records[3] = (dnsd_geo_record_t){
	    .ttl = 55, .varies = false, .candidates = geo_order_v6, .candidate_count = 2};
	geo = (dnsd_geo_t){.records = geo_records,
			   .record_count = 4,
			   .dcs = t_dcs,
			   .dc_count = 3,
			   .lookup = t_fake_lookup};
	t_ctx = (dnsd_answer_ctx_t){.zones = t_zones,
				    .geo = &geo,
				    .nsid = (const uint8_t *)"ns1.test",
				    .nsid_len = 8,
				    .identity = "us-east",
				    .udp_payload = 1232};
	dnsd_answer_ctx_init(&t_ctx);
	return 0;
}

int t_fixture_teardown(void **state)
{
	(void)state;
	dnsd_zones_free(t_zones);
	t_dir_remove(dir);
	return 0;
}
