/* SPDX-License-Identifier: MIT */
/* test_snapshot.c -- snapshots: config tables, serving from verdicts, errors, publication */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dnsd/dnsd_snapshot.h"
#include "dnsd/dnsd_geodb.h"
#include "tests/unit/dnsd/dnsd_test_util.h"

#define ZONE                                                                                       \
	"$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n"          \
	"@ IN NS ns1\nns1 IN A 192.0.2.53\nwww IN A 192.0.2.80\n"

#define CONFIG                                                                                     \
	"region: unit-east\n"                                                                      \
	"state: state.db\n"                                                                        \
	"dns:\n"                                                                                   \
	"  nsid: ns-unit\n"                                                                        \
	"  zones:\n"                                                                               \
	"    - origin: example.com.\n"                                                             \
	"      file: example.com.zone\n"

#define DATACENTERS                                                                                \
	"geoip: missing.mmdb\n"                                                                    \
	"datacenters:\n"                                                                           \
	"  us-east: { location: [38.9, -77.4], addresses: [203.0.113.10, \"2001:db8:1::10\"] }\n"  \
	"  eu-west: { location: [53.3, -6.3], addresses: [198.51.100.10, 198.51.100.11] }\n"       \
	"records:\n"                                                                               \
	"  geo.example.com.: { datacenters: [us-east, eu-west], ttl: 20 }\n"                       \
	"  one.example.com.: { datacenters: [eu-west] }\n"

/* Loads a zone set from a config text and zone text written to a fresh directory. */
static dnsd_zoneset_t *zoneset_from(const char *config, const char *zone, char **dir_out,
				    char **errors)
{
	char *dir = t_dir_new();
	free(t_file_write(dir, "example.com.zone", zone));
	char *path = t_file_write(dir, "meridian.yaml", config);
	char *conf_errors = NULL;
	conf_t *conf = conf_load(path, &conf_errors);
	free(path);
	if (conf == NULL)
		fail_msg("config did not load: %s", conf_errors ? conf_errors : "?");
	*dir_out = dir;
	return dnsd_zoneset_load(conf, errors);
}

static void test_snapshot_without_verdicts_serves_every_datacenter(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs = zoneset_from(CONFIG DATACENTERS, ZONE, &dir, &errors);
	assert_non_null(zs);
	dnsd_snapshot_t *s = dnsd_snapshot_build(zs, NULL, NULL);
	assert_non_null(s);
	assert_int_equal(s->geo.dc_count, 2);
	assert_true(s->dcs[0].serving);
	assert_true(s->dcs[1].serving);
	assert_null(s->verdicts);
	assert_true(dnsd_snapshot_same_serving(s, NULL));
	dnsd_snapshot_free(s);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);
}

static void test_snapshot_serving_follows_verdicts(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs = zoneset_from(CONFIG DATACENTERS, ZONE, &dir, &errors);
	assert_non_null(zs);
	state_verdict_t v[2] = {{.effective = STATE_DC_DRAINED, .serving = false},
				{.effective = STATE_DC_UP, .serving = true}};
	dnsd_snapshot_t *s = dnsd_snapshot_build(zs, NULL, v);
	assert_non_null(s);
	assert_false(s->dcs[0].serving);
	assert_true(s->dcs[1].serving);
	assert_non_null(s->verdicts);
	assert_int_equal(s->verdicts[0].effective, STATE_DC_DRAINED);
	assert_true(dnsd_snapshot_same_serving(s, v));
	assert_false(dnsd_snapshot_same_serving(s, NULL));
	v[0].serving = true;
	assert_false(dnsd_snapshot_same_serving(s, v));
	/* The snapshot copied the verdicts: changing ours does not change it. */
	assert_false(s->dcs[0].serving);
	dnsd_snapshot_free(s);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);
}

static void test_zoneset_lays_out_geo_records_and_addresses(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs = zoneset_from(CONFIG DATACENTERS, ZONE, &dir, &errors);
	assert_non_null(zs);
	dnsd_snapshot_t *s = dnsd_snapshot_build(zs, NULL, NULL);
	assert_non_null(s);
	assert_ptr_equal(s->answer.geo, &s->geo);
	assert_int_equal(s->geo.record_count, 2);
	const dnsd_geo_record_t *geo = &s->geo.records[0], *one = &s->geo.records[1];
	assert_int_equal(geo->ttl, 20);
	assert_true(geo->varies);
	assert_int_equal(geo->candidate_count, 2);
	assert_int_equal(geo->candidates[0], 0);
	assert_int_equal(geo->candidates[1], 1);
	assert_int_equal(one->ttl, 30);
	assert_false(one->varies); /* one candidate, no map or nets: scope 0, no lookup */
	assert_int_equal(one->candidates[0], 1);

	const dnsd_geo_dc_t *us = &s->dcs[0], *eu = &s->dcs[1];
	uint8_t a[4], aaaa[16];
	assert_int_equal(us->a_count, 1);
	assert_int_equal(us->aaaa_count, 1);
	inet_pton(AF_INET, "203.0.113.10", a);
	inet_pton(AF_INET6, "2001:db8:1::10", aaaa);
	assert_memory_equal(us->a, a, 4);
	assert_memory_equal(us->aaaa, aaaa, 16);
	assert_int_equal(eu->a_count, 2);
	assert_int_equal(eu->aaaa_count, 0);
	inet_pton(AF_INET, "198.51.100.11", a);
	assert_memory_equal(eu->a + 4, a, 4);
	/* No geo database part: the answer path uses each record's candidate order. */
	assert_null(s->geo.lookup);
	dnsd_snapshot_free(s);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);
}

static void test_snapshot_answers_from_its_context(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs = zoneset_from(CONFIG, ZONE, &dir, &errors);
	assert_non_null(zs);
	dnsd_snapshot_t *s = dnsd_snapshot_build(zs, NULL, NULL);
	assert_non_null(s);
	assert_null(s->answer.geo); /* no records */
	assert_string_equal(s->answer.identity, "unit-east");
	assert_int_equal(s->answer.nsid_len, 7);
	assert_memory_equal(s->answer.nsid, "ns-unit", 7);
	assert_int_equal(s->answer.udp_payload, 1232);

	uint8_t wire[512];
	t_query_t q = {.name = "www.example.com.", .type = LDNS_RR_TYPE_A};
	size_t qlen = t_query_wire(&q, wire, sizeof(wire));
	dnsd_counters_t counters = {0};
	size_t len;
	ldns_pkt *p = t_answer(&s->answer, wire, qlen, false, &counters, &len);
	assert_non_null(p);
	char *answer = t_section(ldns_pkt_answer(p));
	assert_string_equal(answer, "www.example.com. 3600 IN A 192.0.2.80");
	free(answer);
	ldns_pkt_free(p);
	dnsd_snapshot_free(s);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);
}

static void test_zoneset_reports_zone_errors_with_file_and_line(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs =
	    zoneset_from(CONFIG, ZONE "www.example.org. IN A 192.0.2.1\n", &dir, &errors);
	assert_null(zs);
	assert_non_null(errors);
	char *expect = NULL;
	assert_true(asprintf(&expect,
			     "%s/example.com.zone:7: www.example.org. is outside the zone "
			     "example.com.\n",
			     dir) > 0);
	assert_string_equal(errors, expect);
	free(expect);
	free(errors);
	t_dir_remove(dir);
}

static void test_zoneset_names_the_config_file_in_record_errors(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs = zoneset_from(CONFIG "geoip: missing.mmdb\n"
						 "datacenters:\n"
						 "  eu-west: { addresses: [198.51.100.10] }\n"
						 "records:\n"
						 "  www.example.com.: { datacenters: [eu-west] }\n",
					  ZONE, &dir, &errors);
	assert_null(zs);
	char *expect = NULL;
	assert_true(asprintf(&expect,
			     "%s/meridian.yaml: records: www.example.com.: the zone has static A "
			     "data there (a geo record answers A and AAAA itself)\n",
			     dir) > 0);
	assert_string_equal(errors, expect);
	free(expect);
	free(errors);
	t_dir_remove(dir);
}

static void test_geodb_load_errors(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs = zoneset_from(CONFIG, ZONE, &dir, &errors);
	assert_non_null(zs);
	/* No records: nothing to load and nothing wrong. */
	assert_null(dnsd_geodb_load(dnsd_zoneset_conf(zs), 1, &errors));
	assert_null(errors);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);

	zs = zoneset_from(CONFIG DATACENTERS, ZONE, &dir, &errors);
	assert_non_null(zs);
	assert_null(dnsd_geodb_load(dnsd_zoneset_conf(zs), 1, &errors));
	assert_non_null(errors);
	char *prefix = NULL;
	assert_true(asprintf(&prefix, "geoip: %s/missing.mmdb: ", dir) > 0);
	if (strncmp(errors, prefix, strlen(prefix)) != 0)
		fail_msg("got '%s', want it to start with '%s'", errors, prefix);
	free(prefix);
	free(errors);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);
}

static void test_publish_swaps_and_retires(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs = zoneset_from(CONFIG DATACENTERS, ZONE, &dir, &errors);
	assert_non_null(zs);
	dnsd_snapshot_t *first = dnsd_snapshot_build(zs, NULL, NULL);
	dnsd_snapshot_t *second = dnsd_snapshot_build(zs, NULL, NULL);
	assert_non_null(first);
	assert_non_null(second);
	/* Both share the zone set; dropping our reference leaves it to them. */
	dnsd_zoneset_unref(zs);
	dnsd_snapshot_publish(first);
	assert_ptr_equal(dnsd_snapshot_current, first);
	dnsd_snapshot_publish(second); /* frees first after the grace period */
	assert_ptr_equal(dnsd_snapshot_current, second);
	assert_non_null(dnsd_snapshot_current->answer.zones);
	dnsd_snapshot_publish(NULL); /* frees second, and with it the zone set */
	assert_null(dnsd_snapshot_current);
	t_dir_remove(dir);
}

/* dnsd_geodb_lookup_batch() on a real compiled database: for a mixed table of clients
 * (IPv4, IPv6, IPv4 in IPv6, every kind of source prefix, two records, an unknown
 * record, more than one chunk), exactly what the one-by-one lookup gives. */
static void test_geodb_batch_lookup_equals_single_lookups(void **state)
{
	(void)state;
	const char *src = getenv("MERIDIAN_SRCDIR");
	char *mdir = t_dir_new(), *dir = NULL, *cmd = NULL, *config = NULL, *errors = NULL;
	assert_true(asprintf(&cmd, "perl '%s/tests/data/make-test-mmdb.pl' '%s'", src ? src : "..",
			     mdir) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_true(asprintf(&config, "%sgeoip: %s/test-city.mmdb\n%s", CONFIG, mdir,
			     strchr(DATACENTERS, '\n') + 1) > 0);
	dnsd_zoneset_t *zs = zoneset_from(config, ZONE, &dir, &errors);
	free(config);
	assert_non_null(zs);
	dnsd_geodb_t *db = dnsd_geodb_load(dnsd_zoneset_conf(zs), 1, &errors);
	if (db == NULL)
		fail_msg("geodb: %s", errors ? errors : "?");
	dnsd_geo_t g = {0};
	dnsd_geodb_view(db, &g.lookup, &g.lookup_ctx);

	enum { N = 75 };
	static uint8_t addr[N][16];
	static dnsd_geo_pre_t pre[N];
	dnsd_geo_pre_t *want[N];
	static const uint8_t v4_prefix[] = {32, 24, 16, 8, 1, 0, 20};
	static const uint8_t v6_prefix[] = {128, 56, 48, 32, 0, 64, 100};
	uint32_t x = 12345;
	for (size_t i = 0; i < N; i++) {
		for (size_t b = 0; b < 16; b++) {
			x = x * 1103515245u + 12345u;
			addr[i][b] = (uint8_t)(x >> 16);
		}
		bool v4 = i % 3 != 0;
		if (i % 9 == 3) { /* IPv4-mapped */
			memset(addr[i], 0, 10);
			addr[i][10] = addr[i][11] = 0xff;
		}
		if (i % 5 == 0) /* the test database's own networks */
			memcpy(addr[i], v4 ? "\x51\x02\x45\xa0" : "\x20\x01\x02\x18\0\0\0\0",
			       v4 ? 4 : 8);
		pre[i] =
		    (dnsd_geo_pre_t){.record = i == 40	    ? 99
					       : i % 4 == 1 ? 1
							    : 0,
				     .family = v4 ? AF_INET : AF_INET6,
				     .addr = addr[i],
				     .source_prefix = v4 ? v4_prefix[i % 7] : v6_prefix[i % 7]};
		want[i] = &pre[i];
	}
	dnsd_geodb_lookup_batch(&g, want, N);
	for (size_t i = 0; i < N; i++) {
		uint16_t order[DNSD_GEO_ORDER_MAX];
		unsigned scope = 0;
		unsigned got = g.lookup(g.lookup_ctx, pre[i].record, pre[i].family, addr[i],
					pre[i].source_prefix, order, DNSD_GEO_ORDER_MAX, &scope);
		if (pre[i].record == 99) {
			assert_false(pre[i].done);
			continue;
		}
		if (!pre[i].done || got != pre[i].count || scope != pre[i].scope ||
		    (got > 0 && memcmp(order, pre[i].order, got * sizeof(order[0])) != 0))
			fail_msg("client %zu (family %d /%u record %zu): %u dcs scope %u one by "
				 "one, %u scope %u batched",
				 i, pre[i].family, pre[i].source_prefix, pre[i].record, got, scope,
				 pre[i].count, pre[i].scope);
	}
	/* a view that is not this database's: nothing is done */
	dnsd_geo_t other = {.lookup = NULL};
	pre[0].done = false;
	dnsd_geodb_lookup_batch(&other, want, 1);
	assert_false(pre[0].done);

	dnsd_geodb_unref(db);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);
	t_dir_remove(mdir);
}

/* Writes the test databases into a fresh directory (caller removes it). */
static char *test_mmdb_dir(void)
{
	const char *src = getenv("MERIDIAN_SRCDIR");
	char *mdir = t_dir_new(), *cmd = NULL;
	assert_true(asprintf(&cmd, "perl '%s/tests/data/make-test-mmdb.pl' '%s'", src ? src : "..",
			     mdir) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return mdir;
}

/* Two records over test-city.mmdb: one by distance only, one with a map rule and nets
 * rules inside database networks and in the IPv4-mapped form. */
#define DIRECT_RECORDS                                                                             \
	"  net.example.com.:\n"                                                                    \
	"    datacenters: [us-east, eu-west]\n"                                                    \
	"    map: { \"EU/GB\": [us-east] }\n"                                                      \
	"    nets: { \"81.2.69.64/26\": [eu-west], \"::ffff:81.2.69.0/121\": [eu-west],\n"         \
	"            \"2001:218:8000::/33\": [eu-west], \"10.0.0.0/8\": [us-east] }\n"

/* The ECS scope of a raw response, or -1. */
static int ecs_scope(const uint8_t *resp, size_t len)
{
	const uint8_t *data;
	int n = t_opt_find(resp, len, 8, &data);
	return n >= 4 ? data[3] : -1;
}

/* The same zone set answered from a direct-mode database and from the compiled one:
 * for clients across the test database's networks, nets rules and IPv6 forms, with
 * full and short ECS source prefixes, both records, A and AAAA: the same answer
 * section, and a direct scope no shorter than the compiled one. */
static void test_direct_and_compiled_snapshots_answer_alike(void **state)
{
	(void)state;
	char *mdir = test_mmdb_dir(), *dir = NULL, *config = NULL, *errors = NULL;
	assert_true(asprintf(&config, "%sgeoip: %s/test-city.mmdb\n%s%s", CONFIG, mdir,
			     strchr(DATACENTERS, '\n') + 1, DIRECT_RECORDS) > 0);
	dnsd_zoneset_t *zs = zoneset_from(config, ZONE, &dir, &errors);
	free(config);
	if (zs == NULL)
		fail_msg("zoneset: %s", errors ? errors : "?");
	const conf_t *c = dnsd_zoneset_conf(zs);
	dnsd_geodb_t *direct = dnsd_geodb_open_direct(c, 1, &errors);
	if (direct == NULL)
		fail_msg("direct: %s", errors ? errors : "?");
	dnsd_geodb_t *compiled = dnsd_geodb_load(c, 1, &errors);
	if (compiled == NULL)
		fail_msg("compiled: %s", errors ? errors : "?");
	assert_true(dnsd_geodb_is_direct(direct));
	assert_false(dnsd_geodb_is_direct(compiled));
	dnsd_snapshot_t *sd = dnsd_snapshot_build(zs, direct, NULL);
	dnsd_snapshot_t *sc = dnsd_snapshot_build(zs, compiled, NULL);
	assert_non_null(sd);
	assert_non_null(sc);

	static const char *const clients[] = {
	    "81.2.69.1",	  "81.2.69.70",
	    "81.2.69.127",	  "81.2.69.130",
	    "89.160.20.5",	  "67.43.156.10",
	    "175.16.199.1",	  "41.0.0.1",
	    "10.1.2.3",		  "192.0.2.1",
	    "1.128.0.1",	  "217.65.48.9",
	    "::ffff:81.2.69.5",	  "::ffff:81.2.69.200",
	    "2002:5102:4501::",	  "2001:0:0:0:0:0:aefd:bafe",
	    "64:ff9b::5102:4501", "::1",
	    "2001:218::1",	  "2001:218:8000::1",
	    "2a02:cf40::1",	  "2c0f:ff40::1",
	    "2600:1f00::9",	  "2804:1::1",
	    "2001:db8::1",
	};
	static const uint8_t sources4[] = {32, 24, 20, 8};
	static const uint8_t sources6[] = {128, 120, 56, 32};
	static const char *const names[] = {"geo.example.com.", "net.example.com."};
	int compared = 0;
	for (size_t i = 0; i < M_ARRAY_LEN(clients); i++) {
		uint8_t addr[16] = {0};
		bool v6 = strchr(clients[i], ':') != NULL;
		assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, clients[i], addr), 1);
		for (size_t s = 0; s < 4; s++) {
			uint8_t source = v6 ? sources6[s] : sources4[s];
			uint8_t masked[16] = {0};
			memcpy(masked, addr, (source + 7u) / 8);
			if (source % 8)
				masked[source / 8] &= (uint8_t)(0xff << (8 - source % 8));
			uint8_t opt[32];
			size_t optlen =
			    t_ecs_option(opt, v6 ? 2 : 1, source, 0, masked, (source + 7u) / 8);
			for (size_t n = 0; n < M_ARRAY_LEN(names); n++) {
				for (int aaaa = 0; aaaa < 2; aaaa++) {
					t_query_t q = {.name = names[n],
						       .type = aaaa ? LDNS_RR_TYPE_AAAA
								    : LDNS_RR_TYPE_A,
						       .edns = true,
						       .opt_extra = opt,
						       .opt_extra_len = optlen};
					uint8_t wire[512];
					size_t qlen = t_query_wire(&q, wire, sizeof(wire));
					dnsd_counters_t counters = {0};
					size_t len;
					ldns_pkt *pc = t_answer(&sc->answer, wire, qlen, false,
								&counters, &len);
					assert_non_null(pc);
					int scope_c = ecs_scope(t_resp, len);
					ldns_pkt *pd = t_answer(&sd->answer, wire, qlen, false,
								&counters, &len);
					assert_non_null(pd);
					int scope_d = ecs_scope(t_resp, len);
					char *ac = t_section(ldns_pkt_answer(pc));
					char *ad = t_section(ldns_pkt_answer(pd));
					if (strcmp(ac, ad) != 0 || scope_c < 0 ||
					    scope_d < scope_c || scope_d > (v6 ? 128 : 32))
						fail_msg(
						    "%s %s/%u %s: compiled '%s' scope %d, direct "
						    "'%s' scope %d",
						    names[n], clients[i], source,
						    aaaa ? "AAAA" : "A", ac, scope_c, ad, scope_d);
					free(ac);
					free(ad);
					ldns_pkt_free(pc);
					ldns_pkt_free(pd);
					compared++;
				}
			}
		}
	}
	assert_int_equal(compared, (int)M_ARRAY_LEN(clients) * 4 * 2 * 2);

	/* the batch lookup is the compiled trie's: a direct view leaves the answer path
	 * to look up one by one */
	static const uint8_t v4[4] = {81, 2, 69, 1};
	dnsd_geo_pre_t pre = {.record = 0, .family = AF_INET, .addr = v4, .source_prefix = 32};
	dnsd_geo_pre_t *want[1] = {&pre};
	dnsd_geodb_lookup_batch(&sd->geo, want, 1);
	assert_false(pre.done);
	dnsd_geodb_lookup_batch(&sc->geo, want, 1);
	assert_true(pre.done);

	dnsd_snapshot_free(sd);
	dnsd_snapshot_free(sc);
	dnsd_geodb_unref(direct);
	dnsd_geodb_unref(compiled);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);
	t_dir_remove(mdir);
}

/* Direct mode maps the file, so the errors a missing file gives are the compile's. */
static void test_geodb_open_direct_errors(void **state)
{
	(void)state;
	char *dir, *errors = NULL;
	dnsd_zoneset_t *zs = zoneset_from(CONFIG DATACENTERS, ZONE, &dir, &errors);
	assert_non_null(zs);
	assert_null(dnsd_geodb_open_direct(dnsd_zoneset_conf(zs), 1, &errors));
	char *expect = NULL;
	assert_true(asprintf(&expect, "geoip: %s/missing.mmdb: No such file or directory", dir) >
		    0);
	assert_string_equal(errors, expect);
	free(expect);
	free(errors);
	dnsd_zoneset_unref(zs);
	t_dir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_snapshot_without_verdicts_serves_every_datacenter),
	    cmocka_unit_test(test_snapshot_serving_follows_verdicts),
	    cmocka_unit_test(test_zoneset_lays_out_geo_records_and_addresses),
	    cmocka_unit_test(test_snapshot_answers_from_its_context),
	    cmocka_unit_test(test_zoneset_reports_zone_errors_with_file_and_line),
	    cmocka_unit_test(test_zoneset_names_the_config_file_in_record_errors),
	    cmocka_unit_test(test_geodb_load_errors),
	    cmocka_unit_test(test_geodb_batch_lookup_equals_single_lookups),
	    cmocka_unit_test(test_publish_swaps_and_retires),
	    cmocka_unit_test(test_direct_and_compiled_snapshots_answer_alike),
	    cmocka_unit_test(test_geodb_open_direct_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
