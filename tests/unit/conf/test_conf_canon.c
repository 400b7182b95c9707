/* SPDX-License-Identifier: MIT */
/* test_conf_canon.c -- the canonical config JSON: what counts for the digest and what not */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf/conf.h"
#include "conf/conf_canon.h"

/* The reference config; each case below is a variant and whether it must read the same. */
static const char base_yaml[] =
    "region: us-east\n"
    "state: state.db\n"
    "geoip: geo.mmdb\n"
    "dns:\n"
    "  listen: [\"127.0.0.1:5300\"]\n"
    "  zones:\n"
    "    - { origin: example.com., file: example.com.zone }\n"
    "datacenters:\n"
    "  us-east: { location: [38.9, -77.4], addresses: [192.0.2.1],\n"
    "             check: { type: tcp, address: \"127.0.0.1:9\" } }\n"
    "  eu-west: { location: [53.3, -6.3], addresses: [192.0.2.2] }\n"
    "records:\n"
    "  www.example.com.: { datacenters: [us-east, eu-west] }\n"
    "replication:\n"
    "  listen: 127.0.0.1:8853\n"
    "  key_file: repl.key\n"
    "  peers: { eu-west: \"http://127.0.0.1:8854\" }\n";

static const struct {
	const char *name; /* what the variant changes */
	const char *yaml; /* the whole file */
	bool same;	  /* the canonical JSON must equal base_yaml's */
} cases[] = {
    {"comments, key order and spelled-out defaults do not count",
     "# a comment\n"
     "state: other/state.db\n"
     "region: eu-west\n"
     "records:\n"
     "  WWW.example.com: { ttl: 30, datacenters: [us-east, eu-west] }  # same name\n"
     "datacenters:\n"
     "  eu-west: { addresses: [192.0.2.2], location: [53.3, -6.3] }\n"
     "  us-east: { addresses: 192.0.2.1, location: [38.9, -77.4],\n"
     "             checks: [ { type: tcp, address: \"127.0.0.1:9\", interval: 1000ms } ] }\n"
     "geoip: /elsewhere/geo.mmdb\n"
     "dns:\n"
     "  nsid: ns1.eu-west\n"
     "  threads: 3\n"
     "  listen: [\"127.0.0.2:53\"]\n"
     "  zones:\n"
     "    - { origin: EXAMPLE.com, file: /srv/zones/example.com.zone }\n"
     "log_level: debug\n"
     "replication:\n"
     "  listen: 127.0.0.2:8853\n"
     "  key_file: /etc/other.key\n"
     "  peers: { us-east: \"http://127.0.0.1:8853\" }\n",
     true},
    {"a record's candidates count",
     "region: us-east\nstate: state.db\ngeoip: geo.mmdb\n"
     "dns: { listen: [\"127.0.0.1:5300\"], zones: [ { origin: example.com., file: example.com.zone } ] }\n"
     "datacenters:\n"
     "  us-east: { location: [38.9, -77.4], addresses: [192.0.2.1],\n"
     "             check: { type: tcp, address: \"127.0.0.1:9\" } }\n"
     "  eu-west: { location: [53.3, -6.3], addresses: [192.0.2.2] }\n"
     "records:\n"
     "  www.example.com.: { datacenters: [us-east] }\n"
     "replication: { listen: 127.0.0.1:8853, key_file: repl.key }\n",
     false},
    {"a check's timing counts",
     "region: us-east\nstate: state.db\ngeoip: geo.mmdb\n"
     "dns: { listen: [\"127.0.0.1:5300\"], zones: [ { origin: example.com., file: example.com.zone } ] }\n"
     "datacenters:\n"
     "  us-east: { location: [38.9, -77.4], addresses: [192.0.2.1],\n"
     "             check: { type: tcp, address: \"127.0.0.1:9\", fall: 4 } }\n"
     "  eu-west: { location: [53.3, -6.3], addresses: [192.0.2.2] }\n"
     "records:\n"
     "  www.example.com.: { datacenters: [us-east, eu-west] }\n"
     "replication: { listen: 127.0.0.1:8853, key_file: repl.key }\n",
     false},
};

static char dir[64];

static char *canon_of(const char *yaml)
{
	char path[128], *errors = NULL, *json;
	FILE *fp;
	conf_t *conf;

	snprintf(path, sizeof(path), "%s/meridian.yaml", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(yaml, fp);
	fclose(fp);
	conf = conf_load(path, &errors);
	if (conf == NULL)
		fail_msg("config does not load: %s", errors ? errors : "?");
	json = conf_canonical_json(conf);
	assert_non_null(json);
	conf_free(conf);
	return json;
}

static void test_variants_read_the_same_or_not(void **unused)
{
	char *base = canon_of(base_yaml);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *other = canon_of(cases[i].yaml);

		if ((strcmp(base, other) == 0) != cases[i].same)
			fail_msg("%s: expected %s\nbase:  %s\nother: %s", cases[i].name,
				 cases[i].same ? "the same" : "a difference", base, other);
		free(other);
	}
	free(base);
}

static void test_local_values_and_paths_are_left_out(void **unused)
{
	char *json = canon_of(base_yaml);

	/* region, listen addresses, key file, peers and every path stay local */
	assert_null(strstr(json, "us-east\",\"state"));
	assert_null(strstr(json, "\"region\""));
	assert_null(strstr(json, "\"listen\""));
	assert_null(strstr(json, "8853"));
	assert_null(strstr(json, "8854"));
	assert_null(strstr(json, "repl.key"));
	assert_null(strstr(json, "key_file"));
	assert_null(strstr(json, "\"peers\""));
	assert_null(strstr(json, "state.db"));
	assert_null(strstr(json, "geo.mmdb"));
	assert_null(strstr(json, "example.com.zone"));
	/* shared values are in, keys sorted, defaults filled in */
	assert_non_null(strstr(json, "\"www.example.com.\":{\"datacenters\":[\"us-east\",\"eu-west\"],"
				     "\"map\":{},\"max_addresses\":0,\"nets\":{},"
				     "\"split_ipv4_prefix\":24,\"split_ipv6_prefix\":48,\"transition_ttl\":5,\"ttl\":30,"
				     "\"weights\":null}"));
	assert_non_null(strstr(json, "\"drift_grace\":600000"));
	assert_non_null(strstr(json, "\"zones\":[{\"dnssec\":{"));
	assert_non_null(strstr(json, "\"origin\":\"example.com.\"}]"));
	assert_null(strstr(json, "\"keys\"")); /* key file paths stay local */
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_variants_read_the_same_or_not),
	    cmocka_unit_test(test_local_values_and_paths_are_left_out),
	};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/meridian-canon-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char path[128];

		snprintf(path, sizeof(path), "%s/meridian.yaml", dir);
		unlink(path);
		rmdir(dir);
	}
	return rc;
}
