/* SPDX-License-Identifier: MIT */
/* test_geo_conf.c -- a YAML config through conf_load and the adapter into tries */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "geo/geo_conf.h"
#include "tests/unit/geo/geo_test_util.h"

static char workdir[] = "/tmp/meridian-geo-conf.XXXXXX";

static const char *write_config(const char *body)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/example.com.zone", workdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 hostmaster 1 3600 600 86400 300\n@ "
		   "NS ns1\nns1 A 192.0.2.53\n");
	assert_int_equal(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/meridian.yaml", workdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"region: us-east\n"
		"state: %s/state.db\n"
		"geoip: %s\n"
		"dns:\n  listen: [\"127.0.0.1:5353\"]\n"
		"  zones: [{ origin: example.com., file: example.com.zone }]\n"
		"datacenters:\n"
		"  us-east: { location: [38.9, -77.4], addresses: [203.0.113.10] }\n"
		"  eu-west: { location: [53.3, -6.3], addresses: [198.51.100.10] }\n"
		"  ap-south: { location: [1.35, 103.8], addresses: [\"2001:db8:2::10\"] }\n"
		"%s",
		workdir, test_db_path("test-city.mmdb"), body);
	assert_int_equal(fclose(f), 0);
	return path;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void lookup(const geo_set_t *set, size_t record, const char *address,
		   const geo_conf_input_t *in, char *order, size_t len, unsigned *scope)
{
	uint8_t addr[16];
	int family = strchr(address, ':') ? AF_INET6 : AF_INET;
	const geo_list_t *list;
	size_t pos = 0;

	assert_int_equal(inet_pton(family, address, addr), 1);
	assert_int_equal(
	    geo_trie_lookup(geo_set_trie(set, record), family, addr, 128, &list, scope), 0);
	order[0] = '\0';
	for (uint32_t i = 0; i < list->count; i++)
		pos += (size_t)snprintf(order + pos, len - pos, "%s%s", i ? "," : "",
					in->dcs[list->dc[i]].name);
}

static void test_config_records_compile_and_answer(void **state)
{
	char *errors = NULL, err[256], order[128];
	unsigned scope;
	geo_conf_input_t in;
	(void)state;
	conf_t *conf = conf_load(write_config("records:\n"
					      "  www.example.com.:\n"
					      "    datacenters: [us-east, eu-west, ap-south]\n"
					      "    map: { \"AS/CN\": [us-east] }\n"
					      "    nets: { \"10.0.0.0/8\": [ap-south] }\n"
					      "  api.example.com.:\n"
					      "    datacenters: [us-east, eu-west, ap-south]\n"
					      "    map: { \"AS/CN\": [us-east] }\n"
					      "    nets: { \"10.0.0.0/8\": [ap-south] }\n"
					      "  eu.example.com.:\n"
					      "    datacenters: [eu-west]\n"),
				 &errors);
	if (!conf)
		fail_msg("%s", errors);
	assert_int_equal(geo_conf_input(conf, &in, err, sizeof(err)), 0);
	geo_db_t *db = geo_db_open(conf->geoip_path, err, sizeof(err));
	assert_non_null(db);
	geo_set_t *set =
	    geo_set_build(db, in.dcs, in.dc_count, in.rules, in.rule_count, err, sizeof(err));
	assert_non_null(set);
	assert_int_equal(geo_set_distinct(set), 2);
	lookup(set, 0, "81.2.69.1", &in, order, sizeof(order), &scope);
	assert_string_equal(order, "eu-west,us-east,ap-south");
	assert_int_equal(scope, 24);
	lookup(set, 1, "175.16.199.9", &in, order, sizeof(order), &scope);
	assert_string_equal(order, "us-east,ap-south,eu-west");
	lookup(set, 0, "10.9.9.9", &in, order, sizeof(order), &scope);
	assert_string_equal(order, "ap-south,us-east,eu-west");
	lookup(set, 2, "2001:218::1", &in, order, sizeof(order), &scope);
	assert_string_equal(order, "eu-west");
	assert_int_equal(scope, 0);
	geo_set_free(set);
	geo_db_free(db);
	geo_conf_input_free(&in);
	conf_free(conf);
}

static void test_adapter_reports_bad_nets_key(void **state)
{
	size_t dcs[] = {0};
	conf_geo_rule_t nets[] = {{(char *)"10.0.0.1/8", dcs, 1, NULL, 0}};
	conf_datacenter_t dc = {.name = (char *)"us-east", .has_location = true};
	conf_record_t rec = {.name = (char *)"www.example.com.",
			     .datacenters = dcs,
			     .datacenter_count = 1,
			     .nets = nets,
			     .net_count = 1};
	conf_t conf = {
	    .datacenters = &dc, .datacenter_count = 1, .records = &rec, .record_count = 1};
	geo_conf_input_t in;
	char err[256];
	(void)state;
	assert_int_equal(geo_conf_input(&conf, &in, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "records.\"www.example.com.\".nets: 10.0.0.1/8: host bits set beyond /8");
	assert_null(in.rules);
	geo_conf_input_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_records_compile_and_answer),
	    cmocka_unit_test(test_adapter_reports_bad_nets_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
