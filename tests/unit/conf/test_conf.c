/* SPDX-License-Identifier: MIT */
/* test_conf.c -- conf_load() on valid files: every field, defaults, paths, docs up to date */
#include "config.h"
#include "tests/unit/conf/conf_test.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_doc.h"

/* ---- helpers shared with test_conf_errors.c ------------------------------------------ */

const char *conf_test_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0] == '\0') {
		const char *tmpdir = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/meridian-conf-test.XXXXXX", tmpdir ? tmpdir : "/tmp");
		if (mkdtemp(dir) == NULL)
			fail_msg("mkdtemp failed");
		char *real = realpath(dir, NULL);
		assert_non_null(real);
		snprintf(dir, sizeof(dir), "%s", real);
		free(real);
	}
	return dir;
}

const char *conf_test_write(const char *name, const char *text)
{
	static char path[PATH_MAX + 256];
	snprintf(path, sizeof(path), "%s/%s", conf_test_dir(), name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

conf_t *conf_test_load(const char *text, char **errors)
{
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	conf_test_write("meridian.yaml", text);
	assert_int_equal(chdir(conf_test_dir()), 0);
	conf_t *conf = conf_load("meridian.yaml", errors);
	assert_int_equal(chdir(cwd), 0);
	return conf;
}

/* Loads text that must be valid. */
static conf_t *load_ok(const char *text)
{
	char *errors = NULL;
	conf_t *conf = conf_test_load(text, &errors);
	if (conf == NULL)
		fail_msg("unexpected errors:\n%s", errors);
	assert_null(errors);
	return conf;
}

static char *ip_text(const conf_ipaddr_t *a)
{
	static char buf[INET6_ADDRSTRLEN];
	inet_ntop(a->family, a->bytes, buf, sizeof(buf));
	return buf;
}

static uint16_t sa_port(const conf_sockaddr_t *sa)
{
	if (sa->addr.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&sa->addr)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&sa->addr)->sin6_port);
}

static const char *srcdir(void)
{
	const char *env = getenv("MERIDIAN_SRCDIR");
	return env ? env : CONF_TEST_SRCDIR;
}

/* ---- errors ---------------------------------------------------------------------------- */

void conf_test_error_case(void **state)
{
	const conf_error_case_t *c = *state;
	char *errors = NULL;
	conf_t *conf = conf_test_load(c->yaml, &errors);
	if (conf != NULL) {
		conf_free(conf);
		fail_msg("%s: loaded, want errors:\n%s", c->name, c->errors);
	}
	assert_non_null(errors);
	if (strcmp(errors, c->errors) != 0)
		fail_msg("%s:\n got: %s\nwant: %s", c->name, errors, c->errors);
	free(errors);
}

static void test_missing_file_cannot_open(void **state)
{
	(void)state;
	char *errors = NULL;
	conf_t *conf = conf_load("/nonexistent/meridian.yaml", &errors);
	assert_null(conf);
	assert_string_equal(errors,
			    "/nonexistent/meridian.yaml: cannot open: No such file or directory");
	free(errors);
}

/* The path in messages is the one given to conf_load(), whatever it looks like. */
static void test_errors_name_the_path_as_given(void **state)
{
	(void)state;
	const char *path = conf_test_write("other.yaml", "region: r\nstate: s\nlog_level: loud\n");
	char *errors = NULL;
	char want[4200];
	conf_t *conf = conf_load(path, &errors);
	assert_null(conf);
	snprintf(
	    want, sizeof(want),
	    "%s:3:12: log_level: invalid value \"loud\" (expected one of: error warn info debug)",
	    path);
	assert_string_equal(errors, want);
	free(errors);
}

static void test_directory_cannot_open(void **state)
{
	(void)state;
	char *errors = NULL;
	char want[PATH_MAX + 64];
	conf_t *conf = conf_load(conf_test_dir(), &errors);
	assert_null(conf);
	snprintf(want, sizeof(want), "%s: cannot open: Is a directory", conf_test_dir());
	assert_string_equal(errors, want);
	free(errors);
}

/* libyaml reports bad encoding by byte offset; the message still has line and column. */
static void test_invalid_utf8_has_line_and_column(void **state)
{
	(void)state;
	char *errors = NULL;
	conf_t *conf = conf_test_load("region: r\nstate: s\nnsid: \xff\n", &errors);
	assert_null(conf);
	assert_string_equal(errors, "meridian.yaml:3:7: invalid text: invalid leading UTF-8 octet");
	free(errors);
}

/* ---- a full config, every field --------------------------------------------------------- */

static void test_full_config_every_field(void **state)
{
	(void)state;
	char path[PATH_MAX], dir[PATH_MAX], want[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/tests/unit/conf/full.yaml", srcdir());
	snprintf(dir, sizeof(dir), "%s/tests/unit/conf", srcdir());
	char *real = realpath(dir, NULL);
	assert_non_null(real);
	char *errors = NULL;
	conf_t *c = conf_load(path, &errors);
	if (c == NULL)
		fail_msg("full.yaml: %s", errors);
	assert_null(errors);

	assert_string_equal(c->path, path);
	assert_string_equal(c->region, "us-east");
	snprintf(want, sizeof(want), "%s/state/state.db", real);
	assert_string_equal(c->state_path, want);
	assert_string_equal(c->geoip_path, "/usr/share/GeoIP/GeoLite2-City.mmdb");
	assert_string_equal(c->log_level, "debug");

	assert_int_equal(c->dns.listen_count, 3);
	assert_string_equal(c->dns.listen[0].text, "127.0.0.1:5353");
	assert_int_equal(sa_port(&c->dns.listen[0]), 5353);
	assert_int_equal(c->dns.listen[1].addr.ss_family, AF_INET6);
	assert_int_equal(sa_port(&c->dns.listen[1]), 5353);
	assert_int_equal(sa_port(&c->dns.listen[2]), 53);
	assert_string_equal(c->dns.nsid, "ns1.us-east.example.net");
	assert_string_equal(c->dns.identity, "ns1-us-east");
	assert_string_equal(c->dns.version, "meridian 1");
	assert_int_equal(c->dns.udp_payload, 1400);
	assert_int_equal(c->dns.threads, 4);
	assert_int_equal(c->dns.tcp_idle_timeout_ms, 5000);
	assert_int_equal(c->dns.tcp_max_connections, 200);
	assert_int_equal(c->dns.zone_count, 2);
	assert_string_equal(c->dns.zones[0].origin, "example.com.");
	snprintf(want, sizeof(want), "%s/zones/example.com.zone", real);
	assert_string_equal(c->dns.zones[0].file, want);
	assert_string_equal(c->dns.zones[1].origin, "example.net.");
	assert_string_equal(c->dns.zones[1].file, "/etc/meridian/example.net.zone");

	assert_int_equal(c->datacenter_count, 3);
	const conf_datacenter_t *us = &c->datacenters[0];
	assert_string_equal(us->name, "us-east");
	assert_true(us->has_location);
	assert_float_equal(us->latitude, 38.9, 1e-9);
	assert_float_equal(us->longitude, -77.4, 1e-9);
	assert_int_equal(us->address_count, 2);
	assert_string_equal(ip_text(&us->addresses[0]), "203.0.113.10");
	assert_int_equal(us->addresses[1].family, AF_INET6);
	assert_string_equal(ip_text(&us->addresses[1]), "2001:db8:1::10");
	assert_int_equal(us->check_rule, CONF_CHECK_RULE_ALL);
	assert_int_equal(us->check_count, 1);
	const conf_check_t *k = &us->checks[0];
	assert_int_equal(k->type, CONF_CHECK_HTTP);
	assert_string_equal(k->url, "http://127.0.0.11:8080/healthz");
	assert_int_equal(k->expect_count, 1);
	assert_int_equal(k->expect[0].low, 200);
	assert_int_equal(k->expect[0].high, 200);
	assert_int_equal(k->interval_ms, 1000);
	assert_int_equal(k->timeout_ms, 500);
	assert_int_equal(k->fast_interval_ms, 500);
	assert_int_equal(k->jitter_ms, 250);
	assert_int_equal(k->connect_timeout_ms, 500);
	assert_int_equal(k->fall, 3);
	assert_int_equal(k->rise, 2);
	assert_true(k->verify_tls);

	const conf_datacenter_t *eu = &c->datacenters[1];
	assert_string_equal(eu->name, "eu-west");
	assert_int_equal(eu->address_count, 1);
	assert_string_equal(ip_text(&eu->addresses[0]), "198.51.100.10");
	assert_int_equal(eu->check_rule, CONF_CHECK_RULE_PERCENT);
	assert_int_equal(eu->check_percent, 50);
	assert_int_equal(eu->check_count, 4);
	k = &eu->checks[0];
	assert_int_equal(k->type, CONF_CHECK_HTTPS);
	assert_string_equal(k->url, "https://127.0.0.12:8443/health");
	assert_int_equal(k->expect_count, 2);
	assert_int_equal(k->expect[0].low, 200);
	assert_int_equal(k->expect[0].high, 204);
	assert_int_equal(k->expect[1].low, 301);
	assert_int_equal(k->expect[1].high, 301);
	assert_string_equal(k->body_contains, "OK");
	assert_string_equal(k->host_header, "www.example.com");
	assert_string_equal(k->sni, "origin.example.com");
	assert_false(k->verify_tls);
	assert_int_equal(k->interval_ms, 2000);
	assert_int_equal(k->fast_interval_ms, 300);
	assert_int_equal(k->timeout_ms, 1000);
	assert_int_equal(k->connect_timeout_ms, 250);
	assert_int_equal(k->jitter_ms, 0);
	assert_int_equal(k->fall, 5);
	assert_int_equal(k->rise, 4);
	k = &eu->checks[1];
	assert_int_equal(k->type, CONF_CHECK_TCP);
	assert_string_equal(k->address.text, "127.0.0.12:8443");
	assert_int_equal(sa_port(&k->address), 8443);
	k = &eu->checks[2];
	assert_int_equal(k->type, CONF_CHECK_DNS);
	assert_int_equal(k->address.addr.ss_family, AF_INET6);
	assert_int_equal(sa_port(&k->address), 53);
	assert_string_equal(k->dns_qname, "probe.example.com.");
	assert_int_equal(k->dns_qtype, 28);
	assert_int_equal(k->dns_expect_rcode, 3);
	k = &eu->checks[3];
	assert_int_equal(k->type, CONF_CHECK_EXEC);
	assert_string_equal(k->exec_argv[0], "/usr/bin/check-origin");
	assert_string_equal(k->exec_argv[1], "--dc");
	assert_string_equal(k->exec_argv[2], "eu-west");
	assert_null(k->exec_argv[3]);

	const conf_datacenter_t *ap = &c->datacenters[2];
	assert_false(ap->has_location);
	assert_int_equal(ap->check_rule, CONF_CHECK_RULE_ANY);
	assert_int_equal(ap->check_count, 1);
	assert_string_equal(ap->checks[0].exec_argv[0], "/bin/sh");
	assert_string_equal(ap->checks[0].exec_argv[1], "-c");
	assert_string_equal(ap->checks[0].exec_argv[2], "exit 0");
	assert_null(ap->checks[0].exec_argv[3]);

	assert_int_equal(c->record_count, 2);
	const conf_record_t *r = &c->records[0];
	assert_string_equal(r->name, "www.example.com.");
	assert_int_equal(r->datacenter_count, 2);
	assert_int_equal(r->datacenters[0], 0);
	assert_int_equal(r->datacenters[1], 1);
	assert_int_equal(r->ttl, 60);
	assert_int_equal(r->map_count, 3);
	assert_string_equal(r->map[0].key, "AS");
	assert_int_equal(r->map[0].count, 2);
	assert_int_equal(r->map[0].datacenters[0], 2);
	assert_int_equal(r->map[0].datacenters[1], 0);
	assert_string_equal(r->map[1].key, "AS/CN");
	assert_int_equal(r->map[1].datacenters[0], 1);
	assert_string_equal(r->map[2].key, "NA/US/CA");
	assert_int_equal(r->net_count, 2);
	assert_string_equal(r->nets[0].key, "10.0.0.0/8");
	assert_int_equal(r->nets[0].datacenters[0], 0);
	assert_string_equal(r->nets[1].key, "2001:db8:ff::/48");
	assert_int_equal(r->nets[1].datacenters[0], 1);
	r = &c->records[1];
	assert_string_equal(r->name, "api.example.net.");
	assert_int_equal(r->ttl, 30);
	assert_int_equal(r->map_count, 0);
	assert_int_equal(r->net_count, 0);

	assert_int_equal(c->default_order_count, 2);
	assert_int_equal(c->default_order[0], 1);
	assert_int_equal(c->default_order[1], 0);

	assert_int_equal(c->health.quorum, 2);
	assert_int_equal(c->health.stale_after_ms, 45000);
	assert_int_equal(c->health.override_default_ms, 7200000);
	assert_int_equal(c->health.poll_ms, 50);

	assert_true(c->replication.has_listen);
	assert_string_equal(c->replication.listen.text, "127.0.0.1:8853");
	assert_int_equal(sa_port(&c->replication.listen), 8853);
	snprintf(want, sizeof(want), "%s/replication.key", real);
	assert_string_equal(c->replication.key_file, want);
	snprintf(want, sizeof(want), "%s/tls/cert.pem", real);
	assert_string_equal(c->replication.tls_cert, want);
	snprintf(want, sizeof(want), "%s/tls/key.pem", real);
	assert_string_equal(c->replication.tls_key, want);
	assert_string_equal(c->replication.tls_ca, "/etc/ssl/ca.pem");
	assert_string_equal(c->replication.source_address, "127.0.0.1");
	assert_int_equal(c->replication.peer_count, 2);
	assert_string_equal(c->replication.peers[0].region, "eu-west");
	assert_string_equal(c->replication.peers[0].url, "http://127.0.0.1:8854");
	assert_string_equal(c->replication.peers[1].region, "ap-south");
	assert_string_equal(c->replication.peers[1].url, "https://127.0.0.1:8855");
	assert_int_equal(c->replication.max_clock_skew_ms, 10000);
	assert_int_equal(c->replication.batch_max, 100);
	assert_int_equal(c->replication.long_poll_ms, 20000);
	assert_int_equal(c->replication.retention_ms, 3 * 86400000u);

	assert_int_equal(conf_datacenter_find(c, "eu-west"), 1);
	assert_int_equal(conf_datacenter_find(c, "nowhere"), -1);
	assert_int_equal(conf_record_find(c, "WWW.example.COM"), 0);
	assert_int_equal(conf_record_find(c, "api.example.net."), 1);
	assert_int_equal(conf_record_find(c, "example.net."), -1);
	conf_free(c);
	free(real);
}

/* ---- defaults ----------------------------------------------------------------------------- */

static void test_minimal_config_gets_defaults(void **state)
{
	(void)state;
	conf_t *c = load_ok("region: eu-west\nstate: state.db\n");
	char want[PATH_MAX * 2];
	snprintf(want, sizeof(want), "%s/state.db", conf_test_dir());
	assert_string_equal(c->state_path, want);
	assert_null(c->geoip_path);
	assert_string_equal(c->log_level, "info");
	assert_int_equal(c->dns.listen_count, 2);
	assert_string_equal(c->dns.listen[0].text, "127.0.0.1:53");
	assert_int_equal(c->dns.listen[0].addr.ss_family, AF_INET);
	assert_int_equal(sa_port(&c->dns.listen[0]), 53);
	assert_string_equal(c->dns.listen[1].text, "[::1]:53");
	assert_int_equal(c->dns.listen[1].addr.ss_family, AF_INET6);
	assert_null(c->dns.nsid);
	assert_string_equal(c->dns.identity, "eu-west");
	assert_null(c->dns.version);
	assert_int_equal(c->dns.udp_payload, 1232);
	assert_int_equal(c->dns.threads, 0);
	assert_int_equal(c->dns.tcp_idle_timeout_ms, 10000);
	assert_int_equal(c->dns.tcp_max_connections, 1024);
	assert_int_equal(c->dns.zone_count, 0);
	assert_int_equal(c->datacenter_count, 0);
	assert_int_equal(c->record_count, 0);
	assert_int_equal(c->default_order_count, 0);
	assert_int_equal(c->health.quorum, 0);
	assert_int_equal(c->health.stale_after_ms, 30000);
	assert_int_equal(c->health.override_default_ms, 3600000);
	assert_int_equal(c->health.poll_ms, 20);
	assert_false(c->replication.has_listen);
	assert_null(c->replication.key_file);
	assert_int_equal(c->replication.peer_count, 0);
	assert_int_equal(c->replication.max_clock_skew_ms, 30000);
	assert_int_equal(c->replication.batch_max, 500);
	assert_int_equal(c->replication.long_poll_ms, 2000);
	assert_null(c->replication.source_address);
	assert_int_equal(c->replication.retention_ms, 7 * 86400000u);
	conf_free(c);
}

static void test_check_defaults(void **state)
{
	(void)state;
	conf_t *c =
	    load_ok("region: r\nstate: s.db\n"
		    "datacenters:\n"
		    "  a:\n"
		    "    addresses: 192.0.2.1\n"
		    "    check: { type: https, url: \"https://127.0.0.1/\", interval: 2s }\n"
		    "  b:\n"
		    "    addresses: 192.0.2.2\n"
		    "    check: { type: dns, address: 127.0.0.1, qname: example.com }\n");
	const conf_check_t *k = &c->datacenters[0].checks[0];
	assert_int_equal(k->expect_count, 1);
	assert_int_equal(k->expect[0].low, 200);
	assert_int_equal(k->expect[0].high, 299);
	assert_true(k->verify_tls);
	assert_null(k->body_contains);
	assert_null(k->host_header);
	assert_null(k->sni);
	assert_int_equal(k->interval_ms, 2000);
	assert_int_equal(k->fast_interval_ms, 1000);
	assert_int_equal(k->jitter_ms, 500);
	assert_int_equal(k->timeout_ms, 500);
	assert_int_equal(k->connect_timeout_ms, 500);
	assert_int_equal(k->fall, 3);
	assert_int_equal(k->rise, 2);
	assert_int_equal(c->datacenters[0].check_rule, CONF_CHECK_RULE_ALL);
	k = &c->datacenters[1].checks[0];
	assert_int_equal(sa_port(&k->address), 53);
	assert_string_equal(k->dns_qname, "example.com.");
	assert_int_equal(k->dns_qtype, 1);
	assert_int_equal(k->dns_expect_rcode, 0);
	assert_null(k->dns_answer);
	assert_int_equal(k->dns_answer_count, 0);
	assert_int_equal(k->interval_ms, 1000);
	conf_free(c);
}

/* answer: one address or a list, of the qtype's family, kept in order. */
static void test_dns_check_answer(void **state)
{
	(void)state;
	conf_t *c =
	    load_ok("region: r\nstate: s.db\n"
		    "datacenters:\n"
		    "  a:\n"
		    "    addresses: 192.0.2.1\n"
		    "    check: { type: dns, address: 127.0.0.1, qname: x.test,\n"
		    "             answer: [192.0.2.1, 192.0.2.9] }\n"
		    "  b:\n"
		    "    addresses: 192.0.2.2\n"
		    "    check: { type: dns, address: 127.0.0.1, qname: x.test, qtype: aaaa,\n"
		    "             answer: \"2001:db8::1\" }\n");
	const conf_check_t *k = &c->datacenters[0].checks[0];
	assert_int_equal(k->dns_answer_count, 2);
	assert_int_equal(k->dns_answer[0].family, AF_INET);
	assert_memory_equal(k->dns_answer[0].bytes, "\xc0\x00\x02\x01", 4);
	assert_memory_equal(k->dns_answer[1].bytes, "\xc0\x00\x02\x09", 4);
	k = &c->datacenters[1].checks[0];
	assert_int_equal(k->dns_qtype, 28);
	assert_int_equal(k->dns_answer_count, 1);
	assert_int_equal(k->dns_answer[0].family, AF_INET6);
	assert_memory_equal(k->dns_answer[0].bytes, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01",
			    16);
	conf_free(c);
}

/* The example of DESIGN.md must load as written. */
static void test_design_example_loads(void **state)
{
	(void)state;
	conf_t *c = load_ok(
	    "region: us-east                 # this node's region id\n"
	    "state: /var/lib/meridian/state.db\n"
	    "geoip: /usr/share/GeoIP/GeoLite2-City.mmdb\n"
	    "\n"
	    "dns:\n"
	    "  listen: [\"0.0.0.0:53\", \"[::]:53\"]\n"
	    "  nsid: ns1.us-east.example.net   # optional, RFC 5001\n"
	    "  zones:\n"
	    "    - origin: example.com.\n"
	    "      file: zones/example.com.zone\n"
	    "\n"
	    "datacenters:\n"
	    "  us-east:\n"
	    "    location: [38.9, -77.4]     # latitude, longitude in degrees\n"
	    "    addresses: [203.0.113.10, \"2001:db8:1::10\"]   # what clients are sent to\n"
	    "    check: { type: http, url: \"http://127.0.0.11:8080/healthz\", expect: 200,\n"
	    "             interval: 1s, timeout: 500ms, fall: 3, rise: 2 }\n"
	    "  eu-west:\n"
	    "    location: [53.3, -6.3]\n"
	    "    addresses: [198.51.100.10]\n"
	    "    check: { type: tcp, address: \"127.0.0.12:8443\", interval: 1s, fall: 3, rise: 2 "
	    "}\n"
	    "\n"
	    "records:\n"
	    "  www.example.com.:\n"
	    "    datacenters: [us-east, eu-west]   # candidates; nearest healthy first\n"
	    "    ttl: 30\n"
	    "    map: { \"AS\": [us-east], \"AS/CN\": [eu-west] }\n"
	    "    nets: { \"10.0.0.0/8\": [us-east] }              # optional CIDR overrides\n"
	    "\n"
	    "replication:\n"
	    "  listen: \"127.0.0.1:8853\"\n"
	    "  key_file: replication.key\n"
	    "  peers: { eu-west: \"http://127.0.0.1:8854\" }\n");
	assert_int_equal(c->datacenter_count, 2);
	assert_int_equal(c->record_count, 1);
	assert_int_equal(c->records[0].map_count, 2);
	assert_int_equal(c->replication.peer_count, 1);
	conf_free(c);
}

/* A path written relative to the config is found from its directory, wherever the
 * program runs. */
static void test_relative_paths_resolve_against_config_dir(void **state)
{
	(void)state;
	char sub[PATH_MAX + 8], want[PATH_MAX * 2];
	snprintf(sub, sizeof(sub), "%s/etc", conf_test_dir());
	mkdir(sub, 0700);
	const char *path = conf_test_write(
	    "etc/paths.yaml", "region: r\nstate: ../var/state.db\n"
			      "geoip: /abs/geo.mmdb\n"
			      "dns: { zones: [ { origin: a.test, file: z/a.zone } ] }\n"
			      "replication: { key_file: key }\n");
	char *errors = NULL;
	conf_t *c = conf_load(path, &errors);
	assert_non_null(c);
	snprintf(want, sizeof(want), "%s/../var/state.db", sub);
	assert_string_equal(c->state_path, want);
	assert_string_equal(c->geoip_path, "/abs/geo.mmdb");
	snprintf(want, sizeof(want), "%s/z/a.zone", sub);
	assert_string_equal(c->dns.zones[0].file, want);
	snprintf(want, sizeof(want), "%s/key", sub);
	assert_string_equal(c->replication.key_file, want);
	conf_free(c);
}

static void test_record_names_lower_case_and_absolute(void **state)
{
	(void)state;
	conf_t *c = load_ok("region: r\nstate: s\ngeoip: g.mmdb\n"
			    "dns: { zones: [ { origin: Example.ORG, file: z } ] }\n"
			    "datacenters: { a: { addresses: 192.0.2.1 } }\n"
			    "records:\n"
			    "  WWW.Example.Org: { datacenters: a }\n"
			    "  example.org.: { datacenters: [a] }\n");
	assert_string_equal(c->dns.zones[0].origin, "example.org.");
	assert_string_equal(c->records[0].name, "www.example.org.");
	assert_string_equal(c->records[1].name, "example.org.");
	assert_int_equal(conf_record_find(c, "www.example.org"), 0);
	conf_free(c);
}

/* docs/config.md is what conf-doc prints; regenerate it with
 * `make update-config-doc` in the build directory when the table changes. */
static void test_docs_config_md_is_up_to_date(void **state)
{
	(void)state;
	char *generated = NULL;
	size_t generated_len = 0;
	FILE *mem = open_memstream(&generated, &generated_len);
	assert_non_null(mem);
	assert_int_equal(conf_doc_write(mem), 0);
	assert_int_equal(fclose(mem), 0);

	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/docs/config.md", srcdir());
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s", path);
	char *committed = calloc(1, generated_len + 2);
	assert_non_null(committed);
	size_t n = fread(committed, 1, generated_len + 1, fp);
	fclose(fp);
	if (n != generated_len || memcmp(committed, generated, generated_len) != 0)
		fail_msg("docs/config.md differs from the option table in conf/conf_options.c; "
			 "run `make update-config-doc` in the build directory");
	free(committed);
	free(generated);
}

/* The example in docs/config.md is a valid config. */
static void test_docs_example_loads(void **state)
{
	(void)state;
	char *doc = NULL;
	size_t doc_len = 0;
	FILE *mem = open_memstream(&doc, &doc_len);
	assert_non_null(mem);
	assert_int_equal(conf_doc_write(mem), 0);
	assert_int_equal(fclose(mem), 0);
	char *start = strstr(doc, "```yaml\n");
	assert_non_null(start);
	start += strlen("```yaml\n");
	char *end = strstr(start, "```\n");
	assert_non_null(end);
	*end = '\0';
	conf_t *c = load_ok(start);
	assert_int_equal(c->datacenter_count, 2);
	assert_int_equal(c->datacenters[1].check_count, 2);
	assert_int_equal(c->record_count, 1);
	conf_free(c);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_config_every_field),
	    cmocka_unit_test(test_minimal_config_gets_defaults),
	    cmocka_unit_test(test_check_defaults),
	    cmocka_unit_test(test_dns_check_answer),
	    cmocka_unit_test(test_design_example_loads),
	    cmocka_unit_test(test_relative_paths_resolve_against_config_dir),
	    cmocka_unit_test(test_record_names_lower_case_and_absolute),
	    cmocka_unit_test(test_docs_config_md_is_up_to_date),
	    cmocka_unit_test(test_docs_example_loads),
	    cmocka_unit_test(test_missing_file_cannot_open),
	    cmocka_unit_test(test_errors_name_the_path_as_given),
	    cmocka_unit_test(test_directory_cannot_open),
	    cmocka_unit_test(test_invalid_utf8_has_line_and_column),
	};
	size_t values_count = 0, cross_count = 0;
	const struct CMUnitTest *values = conf_values_error_tests(&values_count);
	const struct CMUnitTest *cross = conf_cross_error_tests(&cross_count);
	int failed = cmocka_run_group_tests_name("conf", tests, NULL, NULL);
	failed += _cmocka_run_group_tests("conf value errors", values, values_count, NULL, NULL);
	failed +=
	    _cmocka_run_group_tests("conf cross-check errors", cross, cross_count, NULL, NULL);
	return failed ? 1 : 0;
}
