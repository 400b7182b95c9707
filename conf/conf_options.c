/* SPDX-License-Identifier: MIT */
/* conf_options.c -- every config option, declared once: key, type, range, default, doc */
#include "config.h"
#include "conf/conf_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dns_wire.h"

/* A section filling part of conf_t itself. */
#define SECTION(storage, name, title_, doc_, finish_, ...)                                         \
	static const conf_option_t name##_options[] = {__VA_ARGS__};                               \
	storage const conf_section_t name = {.title = title_,                                      \
					     .doc = doc_,                                          \
					     .options = name##_options,                            \
					     .option_count = M_ARRAY_LEN(name##_options),          \
					     .finish = finish_}

/* A section filling the elements of a list or a named mapping. */
#define ELEMENTS(name, title_, doc_, finish_, elem_t, name_off, name_t, ...)                       \
	static const conf_option_t name##_options[] = {__VA_ARGS__};                               \
	static const conf_section_t name = {.title = title_,                                       \
					    .doc = doc_,                                           \
					    .options = name##_options,                             \
					    .option_count = M_ARRAY_LEN(name##_options),           \
					    .elem_size = sizeof(elem_t),                           \
					    .name_offset = name_off,                               \
					    .name_type = name_t,                                   \
					    .finish = finish_}

#define SEC INT64_C(1000)     /* ms */
#define MIN INT64_C(60000)    /* ms */
#define HOUR INT64_C(3600000) /* ms */
#define DAY INT64_C(86400000) /* ms */

/* The tables below are laid out by hand, one option per entry; clang-format would
 * spread each field on its own line. */
/* clang-format off */

/* ---- health checks ---------------------------------------------------------------- */

static bool check_needs(conf_ctx_t *ctx, const conf_node_t *map, const char *path,
			const conf_section_t *sec, const conf_given_t *given, const char *key,
			const char *type)
{
	char sub[CONF_PATH_MAX];
	if (conf_given(sec, given, key))
		return true;
	conf_path_join(sub, sizeof(sub), path, key, 0);
	conf_error(ctx, map, sub, "required for %s checks", type);
	return false;
}

static int url_scheme_check(conf_ctx_t *ctx, const conf_node_t *map, const char *path,
			    const char *url, const char *scheme)
{
	char sub[CONF_PATH_MAX];
	if (strncmp(url, scheme, strlen(scheme)) == 0)
		return 0;
	conf_path_join(sub, sizeof(sub), path, "url", 0);
	conf_error(ctx, map, sub, "must start with %s for type %.*s", scheme,
		   (int)(strlen(scheme) - 3), scheme);
	return -1;
}

/* Where a check error about key should point: its value when written, else the check. */
static const conf_node_t *at(const conf_node_t *map, const char *key)
{
	const conf_node_t *value = conf_node_get(map, key);
	return value != NULL ? value : map;
}

/* answer: only dns checks have one, and only for A or AAAA questions with a NOERROR
 * rcode, each address of the qtype's family (anything else could never be healthy). */
static int answer_check(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
			const char *path, const conf_given_t *given, const conf_check_t *check)
{
	const conf_node_t *answer = conf_node_get(map, "answer");
	const conf_node_t *qtype = conf_node_get(map, "qtype");
	const conf_node_t *rcode = conf_node_get(map, "rcode");
	char sub[CONF_PATH_MAX];
	int rc = 0;
	if (conf_given(sec, given, "answer") != CONF_GIVEN || answer == NULL)
		return 0;
	conf_path_join(sub, sizeof(sub), path, "answer", 0);
	if (check->type != CONF_CHECK_DNS) {
		conf_error(ctx, answer, sub, "only dns checks take an answer");
		return -1;
	}
	if (conf_given(sec, given, "qtype") == CONF_INVALID ||
	    conf_given(sec, given, "rcode") == CONF_INVALID)
		return -1; /* reported; the answer cannot be judged against them */
	if (check->dns_qtype != DNS_TYPE_A && check->dns_qtype != DNS_TYPE_AAAA) {
		conf_error(ctx, answer, sub, "an answer needs qtype A or AAAA (qtype is %s)",
			   qtype != NULL ? qtype->value : "?");
		return -1;
	}
	if (check->dns_expect_rcode != 0) {
		conf_error(ctx, answer, sub, "an answer needs rcode NOERROR (rcode is %s)",
			   rcode != NULL ? rcode->value : "?");
		rc = -1;
	}
	int family = check->dns_qtype == DNS_TYPE_A ? AF_INET : AF_INET6;
	for (size_t i = 0; i < check->dns_answer_count; i++) {
		const conf_node_t *item = answer->kind == CONF_NODE_SEQ ? answer->items[i] : answer;
		if (check->dns_answer[i].family == family)
			continue;
		conf_error(ctx, item, sub, "%s is not an %s address (qtype is %s)", item->value,
			   family == AF_INET ? "IPv4" : "IPv6", family == AF_INET ? "A" : "AAAA");
		rc = -1;
	}
	return rc;
}

static int check_finish(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
			const char *path, const conf_given_t *given, void *base)
{
	static const char *const names[] = {"http", "https", "tcp", "dns", "exec"};
	conf_check_t *check = base;
	char sub[CONF_PATH_MAX];
	int rc = 0;
	/* without a valid type nothing else can be judged; the type error is reported */
	if (conf_given(sec, given, "type") != CONF_GIVEN)
		return -1;
	const char *type = names[check->type];
	switch (check->type) {
	case CONF_CHECK_HTTP:
	case CONF_CHECK_HTTPS:
		if (!check_needs(ctx, map, path, sec, given, "url", type) ||
		    (check->url != NULL &&
		     url_scheme_check(ctx, at(map, "url"), path, check->url,
				      check->type == CONF_CHECK_HTTP ? "http://" : "https://") < 0))
			rc = -1;
		break;
	case CONF_CHECK_TCP:
		if (!check_needs(ctx, map, path, sec, given, "address", type)) {
			rc = -1;
		} else if (check->address.len != 0 && !conf_sockaddr_has_port(check->address.text)) {
			conf_path_join(sub, sizeof(sub), path, "address", 0);
			conf_error(ctx, at(map, "address"), sub,
				   "a tcp check address needs a port (IP:PORT)");
			rc = -1;
		}
		break;
	case CONF_CHECK_DNS:
		if (!check_needs(ctx, map, path, sec, given, "address", type))
			rc = -1;
		if (!check_needs(ctx, map, path, sec, given, "qname", type))
			rc = -1;
		break;
	case CONF_CHECK_EXEC:
		if (!check_needs(ctx, map, path, sec, given, "command", type))
			rc = -1;
		break;
	}
	if (answer_check(ctx, sec, map, path, given, check) < 0)
		rc = -1;
	if (conf_given(sec, given, "interval") == CONF_INVALID ||
	    conf_given(sec, given, "timeout") == CONF_INVALID ||
	    conf_given(sec, given, "connect_timeout") == CONF_INVALID)
		return -1; /* comparisons with a value that was not read mean nothing */
	if (check->timeout_ms >= check->interval_ms) {
		char t[24], i[24];
		conf_duration_format(check->timeout_ms, t, sizeof(t));
		conf_duration_format(check->interval_ms, i, sizeof(i));
		conf_path_join(sub, sizeof(sub), path, "timeout", 0);
		conf_error(ctx, at(map, "timeout"), sub,
			   "timeout %s must be shorter than interval %s", t, i);
		rc = -1;
	}
	if (!conf_given(sec, given, "fast_interval"))
		check->fast_interval_ms = check->interval_ms / 2 > 0 ? check->interval_ms / 2 : 1;
	if (!conf_given(sec, given, "jitter"))
		check->jitter_ms = check->interval_ms / 4;
	if (!conf_given(sec, given, "connect_timeout"))
		check->connect_timeout_ms = check->timeout_ms;
	if (check->connect_timeout_ms > check->timeout_ms) {
		conf_path_join(sub, sizeof(sub), path, "connect_timeout", 0);
		conf_error(ctx, at(map, "connect_timeout"), sub,
			   "connect_timeout must not exceed timeout");
		rc = -1;
	}
	return rc;
}

#define CK(field) offsetof(conf_check_t, field)
ELEMENTS(conf_check_section, "datacenters.NAME.check",
	"One health check of a datacenter; `checks` takes a list of these.", check_finish,
	conf_check_t, 0, CONF_T_STRING,
	{.key = "type", .type = CONF_T_CHECK_TYPE, .offset = CK(type), .flags = CONF_F_REQUIRED,
	 .doc = "Probe kind: http, https, tcp, dns or exec."},
	{.key = "url", .type = CONF_T_URL, .offset = CK(url),
	 .doc = "http/https: the URL fetched (required; http:// or https:// to match the type)."},
	{.key = "address", .type = CONF_T_SOCKADDR, .offset = CK(address), .port = 53,
	 .doc = "tcp: IP:PORT to connect to (required); dns: the server asked (port 53 default)."},
	{.key = "expect", .type = CONF_T_EXPECT, .offset = CK(expect), .aux = CK(expect_count),
	 .min = 1, .max = 8, .def = "200-299",
	 .doc = "http/https: healthy status: a code, a range \"200-299\", or a list of them."},
	{.key = "body_contains", .type = CONF_T_STRING, .offset = CK(body_contains),
	 .doc = "http/https: text the first 5120 bytes of the body must contain."},
	{.key = "host", .type = CONF_T_STRING, .offset = CK(host_header),
	 .doc = "http/https: Host header to send instead of the URL's host."},
	{.key = "sni", .type = CONF_T_STRING, .offset = CK(sni),
	 .doc = "https: TLS server name instead of the URL's host."},
	{.key = "verify_tls", .type = CONF_T_BOOL, .offset = CK(verify_tls), .def = "true",
	 .doc = "https: verify the certificate chain and name."},
	{.key = "qname", .type = CONF_T_DNAME, .offset = CK(dns_qname),
	 .doc = "dns: the name asked (required)."},
	{.key = "qtype", .type = CONF_T_RRTYPE, .offset = CK(dns_qtype), .def = "A",
	 .doc = "dns: the record type asked (A, AAAA, SOA, ... or TYPEnnn)."},
	{.key = "rcode", .type = CONF_T_RCODE, .offset = CK(dns_expect_rcode), .def = "NOERROR",
	 .doc = "dns: the healthy response code (NOERROR, NXDOMAIN, ... or 0..15)."},
	{.key = "answer", .type = CONF_T_IPADDRS, .offset = CK(dns_answer),
	 .aux = CK(dns_answer_count), .min = 1, .max = 16,
	 .doc = "dns: addresses the answer section must all hold (one or a list; qtype A or "
		"AAAA, rcode NOERROR); CNAME chains are followed."},
	{.key = "command", .type = CONF_T_ARGV, .offset = CK(exec_argv),
	 .doc = "exec: the program and arguments, a string split on spaces or a list; "
		"exit status 0 is healthy (required)."},
	{.key = "interval", .type = CONF_T_DURATION, .offset = CK(interval_ms), .min = 100,
	 .max = HOUR, .def = "1s", .doc = "Time between probes."},
	{.key = "fast_interval", .type = CONF_T_DURATION, .offset = CK(fast_interval_ms),
	 .min = 50, .max = HOUR, .def_doc = "interval/2",
	 .doc = "Time between probes while a transition is pending."},
	{.key = "timeout", .type = CONF_T_DURATION, .offset = CK(timeout_ms), .min = 10,
	 .max = HOUR, .def = "500ms", .doc = "Deadline of one probe; must be shorter than interval."},
	{.key = "connect_timeout", .type = CONF_T_DURATION, .offset = CK(connect_timeout_ms),
	 .min = 10, .max = HOUR, .def_doc = "timeout",
	 .doc = "Deadline of the connect phase; at most timeout."},
	{.key = "jitter", .type = CONF_T_DURATION, .offset = CK(jitter_ms), .min = 0, .max = HOUR,
	 .def_doc = "interval/4", .doc = "Random delay 0..jitter before the first probe."},
	{.key = "fall", .type = CONF_T_UINT, .offset = CK(fall), .min = 1, .max = 100, .def = "3",
	 .doc = "Failed probes in a row that take the datacenter down."},
	{.key = "rise", .type = CONF_T_UINT, .offset = CK(rise), .min = 1, .max = 100, .def = "2",
	 .doc = "Good probes in a row that bring it back up."});

/* An address check is a check (the same options, the same finish) keyed by the address
 * it judges; the key is parsed here and matched to the datacenter's addresses by
 * conf_cross.c, which knows them. */
static int address_check_finish(conf_ctx_t *ctx, const conf_section_t *sec,
				const conf_node_t *map, const char *path, const conf_given_t *given,
				void *base)
{
	conf_address_check_t *ac = base;
	int rc = check_finish(ctx, sec, map, path, given, &ac->check);
	if (ac->address_text == NULL || conf_ipaddr_parse(ac->address_text, &ac->address) < 0) {
		conf_error(ctx, map, path, "the key must be an IPv4 or IPv6 address of the datacenter");
		return -1;
	}
	return rc;
}

static const conf_section_t conf_address_check_section = {
	.title = "datacenters.NAME.address_checks.ADDRESS",
	.doc = "A health check of one address of the datacenter (the same keys as `check`). "
	       "ADDRESS must be one of the datacenter's `addresses`. While its check says "
	       "down the address is left out of answers; when fewer than min_serving_percent "
	       "of the addresses serve, the datacenter fails over (docs/routing.md).",
	.options = conf_check_section_options,
	.option_count = M_ARRAY_LEN(conf_check_section_options),
	.elem_size = sizeof(conf_address_check_t),
	.name_offset = offsetof(conf_address_check_t, address_text),
	.name_type = CONF_T_STRING,
	.finish = address_check_finish,
};

/* ---- live load ---------------------------------------------------------------------- */

/* A Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), optionally followed by a label set
 * in braces that a series must carry exactly as written. */
static bool metric_name_valid(const char *m)
{
	size_t i = 0;
	if (!((m[0] >= 'a' && m[0] <= 'z') || (m[0] >= 'A' && m[0] <= 'Z') || m[0] == '_' ||
	      m[0] == ':'))
		return false;
	for (i = 1; m[i] != '\0' && m[i] != '{'; i++)
		if (!((m[i] >= 'a' && m[i] <= 'z') || (m[i] >= 'A' && m[i] <= 'Z') ||
		      (m[i] >= '0' && m[i] <= '9') || m[i] == '_' || m[i] == ':'))
			return false;
	return m[i] == '\0' || (m[strlen(m) - 1] == '}' && strlen(m + i) >= 2);
}

static int load_finish(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
		       const char *path, const conf_given_t *given, void *base)
{
	conf_load_t *load = base;
	char sub[CONF_PATH_MAX];
	int rc = 0;
	/* url: CONF_T_URL already takes only http:// and https:// */
	if ((load->json_path != NULL) == (load->metric != NULL)) {
		conf_error(ctx, map, path, "needs exactly one of json (a JSON path) and metric (a "
					   "Prometheus metric name)");
		rc = -1;
	}
	if (load->json_path != NULL && load->json_path[0] != '$') {
		conf_path_join(sub, sizeof(sub), path, "json", 0);
		conf_error(ctx, at(map, "json"), sub, "a JSON path starts with $ (\"$.load\")");
		rc = -1;
	}
	if (load->metric != NULL && !metric_name_valid(load->metric)) {
		conf_path_join(sub, sizeof(sub), path, "metric", 0);
		conf_error(ctx, at(map, "metric"), sub,
			   "not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*, optionally "
			   "{labels})");
		rc = -1;
	}
	if (conf_given(sec, given, "interval") == CONF_INVALID ||
	    conf_given(sec, given, "timeout") == CONF_INVALID)
		return -1;
	if (load->timeout_ms >= load->interval_ms) {
		char t[24], i[24];
		conf_duration_format(load->timeout_ms, t, sizeof(t));
		conf_duration_format(load->interval_ms, i, sizeof(i));
		conf_path_join(sub, sizeof(sub), path, "timeout", 0);
		conf_error(ctx, at(map, "timeout"), sub,
			   "timeout %s must be shorter than interval %s", t, i);
		rc = -1;
	}
	return rc;
}

#define LD(field) offsetof(conf_load_t, field)
ELEMENTS(conf_load_section, "datacenters.NAME.load",
	"Where the datacenter's live load is read, a number in the unit of its capacity: "
	"from a JSON document (json) or a Prometheus text page (metric), by "
	"meridian-healthcheck in every region, written to the store and replicated.", load_finish,
	conf_load_t, 0, CONF_T_STRING,
	{.key = "url", .type = CONF_T_URL, .offset = LD(url), .flags = CONF_F_REQUIRED,
	 .doc = "The http:// or https:// page read."},
	{.key = "json", .type = CONF_T_STRING, .offset = LD(json_path),
	 .doc = "JSON path of the number in the body, SQLite syntax: \"$.load\", "
		"\"$.pools[0].active\"."},
	{.key = "metric", .type = CONF_T_STRING, .offset = LD(metric),
	 .doc = "Prometheus metric whose value is the load (the sum of its series), optionally "
		"with labels a series must carry exactly: 'conns{pool=\"web\"}'."},
	{.key = "interval", .type = CONF_T_DURATION, .offset = LD(interval_ms), .min = 100,
	 .max = HOUR, .def = "5s", .doc = "Time between reads."},
	{.key = "timeout", .type = CONF_T_DURATION, .offset = LD(timeout_ms), .min = 10,
	 .max = HOUR, .def = "1s", .doc = "Deadline of one read; shorter than interval."},
	{.key = "min_change", .type = CONF_T_UINT, .offset = LD(min_change), .min = 0, .max = 100,
	 .def = "5", .doc = "Percent the load must move before it is written (and replicated) "
			    "again."},
	{.key = "heartbeat", .type = CONF_T_DURATION, .offset = LD(heartbeat_ms), .min = 1000,
	 .max = HOUR, .def = "60s",
	 .doc = "Written at least this often even when unchanged; a reading older than twice "
		"this is stale and ignored."});

/* ---- datacenters, records, zones ---------------------------------------------------- */

#define DC(field) offsetof(conf_datacenter_t, field)
ELEMENTS(conf_datacenter_section, "datacenters.NAME",
	"A place clients can be sent to. NAME uses a-z, 0-9, '-' and '_'.", NULL,
	conf_datacenter_t, DC(name), CONF_T_ID,
	{.key = "location", .type = CONF_T_COORDS, .offset = DC(latitude), .aux = DC(longitude),
	 .flags = CONF_F_PRESENT, .present_offset = DC(has_location),
	 .doc = "[latitude, longitude] in degrees (-90..90, -180..180); without it only "
		"map, nets and default_order can pick the datacenter."},
	{.key = "addresses", .type = CONF_T_IPADDRS, .offset = DC(addresses),
	 .aux = DC(address_count), .min = 1, .flags = CONF_F_REQUIRED,
	 .doc = "IPv4 and IPv6 addresses clients are sent to (one or a list)."},
	{.key = "check", .type = CONF_T_ONE, .offset = DC(checks), .aux = DC(check_count),
	 .child = &conf_check_section, .doc = "One health check (see below)."},
	{.key = "checks", .type = CONF_T_LIST, .offset = DC(checks), .aux = DC(check_count),
	 .child = &conf_check_section, .doc = "Several health checks, instead of check."},
	{.key = "check_rule", .type = CONF_T_CHECK_RULE, .offset = DC(check_rule),
	 .aux = DC(check_percent), .def = "all",
	 .doc = "How checks combine: all, any, or \"N%\" of them up."},
	{.key = "address_checks", .type = CONF_T_MAP, .offset = DC(address_checks),
	 .aux = DC(address_check_count), .child = &conf_address_check_section,
	 .doc = "ADDRESS -> one health check of that address (see below); only serving "
		"addresses are answered."},
	{.key = "min_serving_percent", .type = CONF_T_UINT, .offset = DC(min_serving_percent),
	 .min = 1, .max = 100, .def = "50",
	 .doc = "With address_checks: the datacenter fails over when fewer than this share "
		"of its addresses serve (rounded up, at least one)."},
	{.key = "capacity", .type = CONF_T_UINT, .offset = DC(capacity), .min = 0,
	 .max = UINT32_MAX, .def = "0",
	 .doc = "Load it takes at most, in any unit (qps, clients) used alike for every "
		"datacenter; 0: not declared. When it is not serving, its clients spread over "
		"the next datacenters by spare capacity (docs/routing.md)."},
	{.key = "load", .type = CONF_T_ONE, .offset = DC(load), .aux = DC(load_count),
	 .child = &conf_load_section, .doc = "Where its live load is read (see below); it lowers "
					     "the spare capacity."});

#define REC(field) offsetof(conf_record_t, field)
ELEMENTS(conf_record_section, "records.NAME",
	"A name answered with the nearest serving datacenter's addresses. NAME is made "
	"lower case and absolute and must lie inside a zone of dns.zones.", NULL,
	conf_record_t, REC(name), CONF_T_DNAME,
	{.key = "datacenters", .type = CONF_T_DC_LIST, .offset = REC(datacenters),
	 .aux = REC(datacenter_count), .min = 1, .flags = CONF_F_REQUIRED,
	 .doc = "Candidate datacenters; the nearest healthy one answers."},
	{.key = "ttl", .type = CONF_T_UINT, .offset = REC(ttl), .min = 0, .max = 86400,
	 .def = "30", .doc = "TTL of the answers, seconds."},
	{.key = "transition_ttl", .type = CONF_T_UINT, .offset = REC(transition_ttl), .min = 0,
	 .max = 86400, .def = "5",
	 .doc = "TTL, seconds, of answers that could change soon: while a candidate that "
		"decides the answer is in transition (a failed probe seen but not yet down, "
		"recovering, an override expiring, flap damping about to release). Answers "
		"then carry the lower of ttl and the larger of this and the seconds to the "
		"expected change; 0: off, answers always carry ttl (docs/routing.md)."},
	{.key = "map", .type = CONF_T_GEO_MAP, .offset = REC(map), .aux = REC(map_count),
	 .doc = "CONTINENT[/COUNTRY[/SUBDIVISION]] -> datacenters preferred there."},
	{.key = "nets", .type = CONF_T_GEO_NETS, .offset = REC(nets), .aux = REC(net_count),
	 .doc = "CIDR prefix -> datacenters preferred for it; most specific wins."},
	{.key = "weights", .type = CONF_T_DC_WEIGHTS, .offset = REC(weights),
	 .aux = REC(weight_count),
	 .doc = "{datacenter: weight}: every client network goes to one of these by weight "
		"(sticky per network; a datacenter not serving drops out). A map or nets "
		"entry may take {weights: {...}} instead of a list to split its own clients."},
	{.key = "split_ipv4_prefix", .type = CONF_T_UINT, .offset = REC(split_ipv4_prefix),
	 .min = 1, .max = 32, .def = "24",
	 .doc = "IPv4 clients of one /N split, spill and choose addresses alike; answers "
		"so decided carry an ECS scope of at least /N."},
	{.key = "split_ipv6_prefix", .type = CONF_T_UINT, .offset = REC(split_ipv6_prefix),
	 .min = 1, .max = 128, .def = "48",
	 .doc = "The same for IPv6 clients."},
	{.key = "max_addresses", .type = CONF_T_UINT, .offset = REC(max_addresses), .min = 0,
	 .max = 8, .def = "0",
	 .doc = "Answer at most this many of the datacenter's addresses, chosen stably per "
		"client network; 0: all."});

/* dnssec: keys are required, resolved against the config's directory like `file`, and
 * the signatures must be renewed before they expire (refresh < signature_validity). */
static int zone_dnssec_finish(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
			      const char *path, const conf_given_t *given, void *base)
{
	conf_zone_t *zone = base;
	char sub[CONF_PATH_MAX];
	int rc = 0;
	if (map->kind == CONF_NODE_MAP && map->count == 0)
		return 0; /* no dnssec (absent or empty): the zone is served as it is */
	if (zone->dnssec_keys == NULL || zone->dnssec_keys[0] == NULL) {
		conf_path_join(sub, sizeof(sub), path, "keys", 0);
		conf_error(ctx, map, sub, "required: the zone's key files (.private)");
		rc = -1;
	}
	for (size_t i = 0; zone->dnssec_keys != NULL && zone->dnssec_keys[i] != NULL; i++) {
		char *key = zone->dnssec_keys[i];
		if (key[0] == '/')
			continue;
		size_t len = strlen(ctx->dir) + strlen(key) + 2;
		char *full = malloc(len);
		if (full == NULL) {
			ctx->oom = true;
			return -1;
		}
		snprintf(full, len, "%s/%s", ctx->dir, key);
		free(key);
		zone->dnssec_keys[i] = full;
	}
	if (zone->dnssec_refresh_ms >= zone->dnssec_validity_ms &&
	    conf_given(sec, given, "refresh") != CONF_INVALID) {
		conf_path_join(sub, sizeof(sub), path, "refresh", 0);
		conf_error(ctx, at(map, "refresh"), sub,
			   "must be shorter than signature_validity (signatures are renewed "
			   "when this much of their validity is left)");
		rc = -1;
	}
	return rc;
}

#define ZONE(field) offsetof(conf_zone_t, field)
static const conf_option_t conf_zone_dnssec_options[] = {
	{.key = "keys", .type = CONF_T_ARGV, .offset = ZONE(dnssec_keys), .flags = CONF_F_LOCAL,
	 .doc = "Key files as ldns-keygen or dnssec-keygen write them (PATH.private, the "
		"PATH.key beside it gives the flags: 257 signs the DNSKEY set); relative to the "
		"config file's directory."},
	{.key = "nsec3", .type = CONF_T_BOOL, .offset = ZONE(dnssec_nsec3), .def = "false",
	 .doc = "Deny with NSEC3 (no salt, no extra iterations, no opt-out) instead of NSEC."},
	{.key = "signature_validity", .type = CONF_T_DURATION, .offset = ZONE(dnssec_validity_ms),
	 .min = 2 * SEC, .max = 40 * DAY, .def = "14d",
	 .doc = "Lifetime of the signatures made at load (from one hour before signing)."},
	{.key = "refresh", .type = CONF_T_DURATION, .offset = ZONE(dnssec_refresh_ms),
	 .min = SEC, .max = 40 * DAY, .def = "7d",
	 .doc = "The zone is signed again, without a restart, when this much validity is left."},
};
static const conf_section_t conf_zone_dnssec_section = {
	.title = "dns.zones[].dnssec",
	.doc = "Sign the zone when it loads (DNSKEY, NSEC or NSEC3, RRSIGs; geo answers too).",
	.options = conf_zone_dnssec_options,
	.option_count = M_ARRAY_LEN(conf_zone_dnssec_options),
	.finish = zone_dnssec_finish};

ELEMENTS(conf_zone_section, "dns.zones[]", "A zone served from an RFC 1035 master file.", NULL,
	conf_zone_t, 0, CONF_T_STRING,
	{.key = "origin", .type = CONF_T_DNAME, .offset = ZONE(origin), .flags = CONF_F_REQUIRED,
	 .doc = "The zone's name, made lower case and absolute."},
	{.key = "file", .type = CONF_T_PATH, .offset = ZONE(file), .flags = CONF_F_REQUIRED,
	 .doc = "Master file; relative to the config file's directory."},
	{.key = "dnssec", .type = CONF_T_SECTION, .child = &conf_zone_dnssec_section,
	 .doc = "Sign the zone at load (see dns.zones[].dnssec below)."});

/* ---- top-level sections --------------------------------------------------------------- */

#define CF(field) offsetof(conf_t, field)
SECTION(static, conf_rrl_section, "dns.rrl",
	"Response rate limiting (UDP): token buckets per client network and response class "
	"(answers, NXDOMAIN, errors, referrals); off unless `rate` is set. Queries with a valid "
	"server cookie and TCP are never limited.", NULL,
	{.key = "rate", .type = CONF_T_UINT, .offset = CF(dns.rrl.rate), .min = 0, .max = 1000000,
	 .def = "0", .doc = "Responses per second per client network and class; 0 turns RRL off."},
	{.key = "slip", .type = CONF_T_UINT, .offset = CF(dns.rrl.slip), .min = 0, .max = 10,
	 .def = "2", .doc = "Every Nth limited response is sent truncated (TC) so real clients retry over TCP; 0 drops all."},
	{.key = "ipv4_prefix", .type = CONF_T_UINT, .offset = CF(dns.rrl.ipv4_prefix), .min = 8,
	 .max = 32, .def = "24", .doc = "IPv4 clients share a bucket per /N network."},
	{.key = "ipv6_prefix", .type = CONF_T_UINT, .offset = CF(dns.rrl.ipv6_prefix), .min = 16,
	 .max = 128, .def = "56", .doc = "IPv6 clients share a bucket per /N network."},
	{.key = "log_only", .type = CONF_T_BOOL, .offset = CF(dns.rrl.log_only), .def = "false",
	 .doc = "Count what would be limited but send every response."},
	{.key = "exempt", .type = CONF_T_NETS, .offset = CF(dns.rrl.exempt),
	 .aux = CF(dns.rrl.exempt_count), .doc = "Client networks never limited."});

SECTION(static, conf_cookies_section, "dns.cookies",
	"DNS cookies (RFC 7873, with RFC 9018 interoperable server cookies).", NULL,
	{.key = "enabled", .type = CONF_T_BOOL, .offset = CF(dns.cookies.enabled), .def = "true",
	 .doc = "Answer cookies: a fresh server cookie in every response to a query with a cookie."},
	{.key = "secret_file", .type = CONF_T_PATH, .offset = CF(dns.cookies.secret_file),
	 .doc = "Secrets shared by the nameservers: 32 hex digits per line, the current one first, then the previous one (still accepted); re-read on SIGHUP. Unset: a random secret per process, rotated at each SIGHUP."});

SECTION(static, conf_dns_section, "dns", "The DNS server.", NULL,
	{.key = "listen", .type = CONF_T_SOCKADDRS, .offset = CF(dns.listen),
	 .aux = CF(dns.listen_count), .min = 1, .port = 53, .flags = CONF_F_PORT0 | CONF_F_LOCAL,
	 .def = "[\"127.0.0.1:53\", \"[::1]:53\"]",
	 .doc = "Addresses to answer on, UDP and TCP (port 53 when not written; port 0: "
		"one free port the kernel picks, logged at start)."},
	{.key = "nsid", .type = CONF_T_STRING, .offset = CF(dns.nsid), .flags = CONF_F_LOCAL,
	 .doc = "RFC 5001 NSID payload; none when unset."},
	{.key = "identity", .type = CONF_T_STRING, .offset = CF(dns.identity), .def_doc = "region",
	 .flags = CONF_F_LOCAL,
	 .doc = "Answer to CHAOS TXT id.server and hostname.bind."},
	{.key = "version", .type = CONF_T_STRING, .offset = CF(dns.version),
	 .doc = "Answer to CHAOS TXT version.bind; refused when unset."},
	{.key = "udp_payload", .type = CONF_T_UINT, .offset = CF(dns.udp_payload), .min = 512,
	 .max = 4096, .def = "1232", .doc = "EDNS UDP payload size we offer, bytes."},
	{.key = "threads", .type = CONF_T_UINT, .offset = CF(dns.threads), .min = 0, .max = 256,
	 .def = "0", .flags = CONF_F_LOCAL, .doc = "UDP worker threads; 0 means one per core."},
	{.key = "tcp_idle_timeout", .type = CONF_T_DURATION, .offset = CF(dns.tcp_idle_timeout_ms),
	 .min = 100, .max = 10 * MIN, .def = "10s", .doc = "Idle TCP connections are closed after this."},
	{.key = "tcp_max_connections", .type = CONF_T_UINT, .offset = CF(dns.tcp_max_connections),
	 .min = 1, .max = 1000000, .def = "1024", .doc = "Open TCP connections at most."},
	{.key = "zones", .type = CONF_T_LIST, .offset = CF(dns.zones), .aux = CF(dns.zone_count),
	 .child = &conf_zone_section, .doc = "Zones served from master files (see below)."},
	{.key = "rrl", .type = CONF_T_SECTION, .child = &conf_rrl_section,
	 .doc = "Response rate limiting (see below)."},
	{.key = "cookies", .type = CONF_T_SECTION, .child = &conf_cookies_section,
	 .doc = "DNS cookies (see below)."});

static int health_finish(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
			 const char *path, const conf_given_t *given, void *base)
{
	conf_t *conf = base;
	char sub[CONF_PATH_MAX];

	(void)given;
	if (conf->health.flap_reuse >= conf->health.flap_suppress) {
		conf_path_join(sub, sizeof(sub), path, "flap_reuse", 0);
		conf_error(ctx, map, sub, "flap_reuse %u must be below flap_suppress %u",
			   conf->health.flap_reuse, conf->health.flap_suppress);
		return -1;
	}
	(void)sec;
	return 0;
}

SECTION(static, conf_health_section, "health",
	"How observations of the regions become a verdict (docs/verdict.md). A datacenter is"
	" down when at least `quorum` of the configured regions (this one and"
	" replication.peers) have a fresh observation saying down, and up when even every"
	" region without a fresh vote could not make that quorum; otherwise the region is cut"
	" off (isolated) and `isolated` says what it does. Stale votes count neither way."
	" When no vote is fresh at all, the last verdict is held for `hold` and then the"
	" datacenter is served (fail open). Route 53, for comparison, calls an endpoint"
	" healthy while more than 18% of the checkers that report say healthy.",
	health_finish,
	{.key = "quorum", .type = CONF_T_UINT, .offset = CF(health.quorum), .min = 0, .max = 1000,
	 .def = "0", .doc = "Configured regions whose fresh observations must say down; 0 means a majority of them."},
	{.key = "stale_after", .type = CONF_T_DURATION, .offset = CF(health.stale_after_ms),
	 .min = 100, .max = DAY, .def = "30s", .doc = "Observations this region heard longer ago than this (by its own clock) do not vote."},
	{.key = "override_default", .type = CONF_T_DURATION,
	 .offset = CF(health.override_default_ms), .min = SEC, .max = 30 * DAY,
	 .def = "1h", .doc = "Expiry of an override when --for is not given."},
	{.key = "poll", .type = CONF_T_DURATION, .offset = CF(health.poll_ms), .min = 1,
	 .max = 10 * SEC, .def = "20ms", .doc = "How often readers look for state changes."},
	{.key = "isolated", .type = CONF_T_ENUM, .offset = CF(health.isolated),
	 .choices = "hold alone", .def = "hold",
	 .doc = "Too few fresh votes to decide either way: hold the last verdict (for at most hold), or decide alone by a majority of the fresh votes."},
	{.key = "hold", .type = CONF_T_DURATION, .offset = CF(health.hold_ms), .min = SEC,
	 .max = DAY, .def = "5m",
	 .doc = "Longest a verdict is held while undecided (isolated, or every vote stale); then served (fail open)."},
	{.key = "flap_damping", .type = CONF_T_BOOL, .offset = CF(health.flap_damping),
	 .def = "true", .doc = "Penalise each up/down transition and hold a flapping datacenter down (RFC 2439 style)."},
	{.key = "flap_penalty", .type = CONF_T_UINT, .offset = CF(health.flap_penalty), .min = 1,
	 .max = 100000, .def = "1000", .doc = "Penalty added per transition."},
	{.key = "flap_suppress", .type = CONF_T_UINT, .offset = CF(health.flap_suppress),
	 .min = 1, .max = 1000000, .def = "1500", .doc = "Held down while the penalty is above this."},
	{.key = "flap_reuse", .type = CONF_T_UINT, .offset = CF(health.flap_reuse), .min = 1,
	 .max = 1000000, .def = "750", .doc = "Released once the decaying penalty is below this."},
	{.key = "flap_half_life", .type = CONF_T_DURATION, .offset = CF(health.flap_half_life_ms),
	 .min = SEC, .max = DAY, .def = "1m", .doc = "The penalty halves in this time."},
	{.key = "flap_max_hold", .type = CONF_T_DURATION, .offset = CF(health.flap_max_hold_ms),
	 .min = SEC, .max = DAY, .def = "10m",
	 .doc = "Held down at most this long after the last transition (caps the penalty)."});

static int replication_finish(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
			      const char *path, const conf_given_t *given, void *base)
{
	conf_t *conf = base;
	char sub[CONF_PATH_MAX];
	int rc = 0;
	if ((conf->replication.has_listen || conf->replication.peer_count > 0) &&
	    !conf_given(sec, given, "key_file")) {
		conf_path_join(sub, sizeof(sub), path, "key_file", 0);
		conf_error(ctx, map, sub, "required when listen or peers are set");
		rc = -1;
	}
	if (conf->replication.peer_count > 0 &&
	    conf->replication.isolated_after_ms <= conf->replication.long_poll_ms + 1000) {
		/* a healthy but quiet peer answers a pull only after long_poll, and the
		 * contact is recorded within a second: a shorter bound cries wolf */
		conf_path_join(sub, sizeof(sub), path, "isolated_after", 0);
		conf_error(ctx, at(map, "isolated_after"), sub,
			   "must be longer than long_poll + 1s (%u ms), or a quiet peer looks gone",
			   conf->replication.long_poll_ms + 1000);
		rc = -1;
	}
	if (conf->replication.source_address != NULL) {
		unsigned char addr[16];
		if (inet_pton(AF_INET, conf->replication.source_address, addr) != 1 &&
		    inet_pton(AF_INET6, conf->replication.source_address, addr) != 1) {
			conf_path_join(sub, sizeof(sub), path, "source_address", 0);
			conf_error(ctx, at(map, "source_address"), sub,
				   "'%s' is not an IPv4 or IPv6 address",
				   conf->replication.source_address);
			rc = -1;
		}
	}
	if (conf_given(sec, given, "tls_cert") != conf_given(sec, given, "tls_key")) {
		conf_path_join(sub, sizeof(sub), path,
			       conf_given(sec, given, "tls_cert") ? "tls_key" : "tls_cert", 0);
		conf_error(ctx, map, sub, "tls_cert and tls_key go together");
		rc = -1;
	}
	return rc;
}

SECTION(static, conf_replication_section, "replication",
	"Shipping this region's change log to the other regions.", replication_finish,
	{.key = "listen", .type = CONF_T_SOCKADDR, .offset = CF(replication.listen),
	 .flags = CONF_F_PRESENT | CONF_F_PORT0 | CONF_F_LOCAL,
	 .present_offset = CF(replication.has_listen),
	 .doc = "IP:PORT this region's replicator serves on (port 0: one free port the kernel "
		"picks, logged at start as \"listening on IP:PORT\")."},
	{.key = "key_file", .type = CONF_T_PATH, .offset = CF(replication.key_file),
	 .doc = "Shared HMAC key file; required with listen or peers."},
	{.key = "tls_cert", .type = CONF_T_PATH, .offset = CF(replication.tls_cert),
	 .doc = "PEM certificate to serve HTTPS (with tls_key)."},
	{.key = "tls_key", .type = CONF_T_PATH, .offset = CF(replication.tls_key),
	 .doc = "PEM private key for tls_cert."},
	{.key = "tls_ca", .type = CONF_T_PATH, .offset = CF(replication.tls_ca),
	 .doc = "CA file to verify https peers; the system store when unset."},
	{.key = "source_address", .type = CONF_T_STRING,
	 .offset = CF(replication.source_address), .flags = CONF_F_LOCAL,
	 .doc = "IP address pulls leave from (the address peers know this region by: their "
		"reserved connection slots go by it); the kernel's choice when unset."},
	{.key = "peers", .type = CONF_T_PEERS, .offset = CF(replication.peers),
	 .aux = CF(replication.peer_count),
	 .doc = "Other regions: region id -> base URL (http:// or https://)."},
	{.key = "max_clock_skew", .type = CONF_T_DURATION,
	 .offset = CF(replication.max_clock_skew_ms), .min = 100, .max = HOUR, .def = "30s",
	 .doc = "Refuse clocks and requests further off than this; at most health.stale_after."},
	{.key = "batch_max", .type = CONF_T_UINT, .offset = CF(replication.batch_max), .min = 1,
	 .max = 100000, .def = "500", .doc = "Change-log entries per response at most."},
	{.key = "long_poll", .type = CONF_T_DURATION, .offset = CF(replication.long_poll_ms),
	 .min = 0, .max = 5 * MIN, .def = "2s",
	 .doc = "How long a pull waits for news; a cut path is noticed within this plus 1s."},
	{.key = "retention", .type = CONF_T_DURATION, .offset = CF(replication.retention_ms),
	 .min = SEC, .max = 30 * DAY, .def = "7d",
	 .doc = "Shipped change-log entries are kept this long."},
	{.key = "isolated_after", .type = CONF_T_DURATION,
	 .offset = CF(replication.isolated_after_ms), .min = SEC, .max = DAY, .def = "60s",
	 .doc = "A region that heard from no peer for this long reports itself isolated; "
		"longer than long_poll + 1s."},
	{.key = "warn_every", .type = CONF_T_DURATION, .offset = CF(replication.warn_every_ms),
	 .min = 100, .max = DAY, .def = "60s",
	 .doc = "A repeated warning is logged once, then summarised this often."},
	{.key = "drift_grace", .type = CONF_T_DURATION, .offset = CF(replication.drift_grace_ms),
	 .min = 0, .max = 30 * DAY, .def = "10m",
	 .doc = "A region running another config, zone serial, GeoIP build or version for "
		"longer than this is a warning (status exits 1); room for a rolling deploy."},
	{.key = "connections_per_address", .type = CONF_T_UINT,
	 .offset = CF(replication.connections_per_address), .min = 1, .max = 64, .def = "8",
	 .doc = "Connections one address that is not a peer's may hold."},
	{.key = "peer_connections", .type = CONF_T_UINT,
	 .offset = CF(replication.peer_connections), .min = 0, .max = 1024, .def = "16",
	 .doc = "Connection slots kept for configured peers' addresses (beyond the 64 anyone may use)."},
	{.key = "request_timeout", .type = CONF_T_DURATION,
	 .offset = CF(replication.request_timeout_ms), .min = 100, .max = 5 * MIN, .def = "10s",
	 .doc = "A whole request (headers and body) must arrive within this."},
	{.key = "refusal_log_interval", .type = CONF_T_DURATION,
	 .offset = CF(replication.refusal_log_interval_ms), .min = 100, .max = HOUR, .def = "10s",
	 .doc = "Refusals of one kind past the first are logged as one summary line per this."},
	{.key = "digest_check", .type = CONF_T_DURATION,
	 .offset = CF(replication.digest_check_ms), .min = 100, .max = HOUR, .def = "30s",
	 .doc = "The anti-entropy digests are recomputed from the tables this often."});

SECTION(static, conf_metrics_section, "metrics",
	"Prometheus /metrics endpoints (text exposition), one per daemon, each off unless set.", NULL,
	{.key = "dnsd", .type = CONF_T_SOCKADDR, .offset = CF(metrics.dnsd),
	 .flags = CONF_F_PRESENT | CONF_F_PORT0 | CONF_F_LOCAL, .present_offset = CF(metrics.has_dnsd),
	 .doc = "IP:PORT meridian-dnsd serves /metrics on (port 0: any, logged)."},
	{.key = "healthcheck", .type = CONF_T_SOCKADDR, .offset = CF(metrics.healthcheck),
	 .flags = CONF_F_PRESENT | CONF_F_PORT0 | CONF_F_LOCAL, .present_offset = CF(metrics.has_healthcheck),
	 .doc = "IP:PORT meridian-healthcheck serves /metrics on."},
	{.key = "replicator", .type = CONF_T_SOCKADDR, .offset = CF(metrics.replicator),
	 .flags = CONF_F_PRESENT | CONF_F_PORT0 | CONF_F_LOCAL, .present_offset = CF(metrics.has_replicator),
	 .doc = "IP:PORT meridian-replicator serves /metrics on."});

static int root_finish(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
		       const char *path, const conf_given_t *given, void *base)
{
	(void)sec, (void)map, (void)path, (void)given;
	conf_t *conf = base;
	if (conf->dns.identity == NULL && conf->region != NULL &&
	    (conf->dns.identity = strdup(conf->region)) == NULL) {
		ctx->oom = true;
		return -1;
	}
	return 0;
}

SECTION(, conf_root_section, "top level", "The keys at the top of the file.", root_finish,
	{.key = "region", .type = CONF_T_ID, .offset = CF(region),
	 .flags = CONF_F_REQUIRED | CONF_F_LOCAL,
	 .doc = "This node's region id (a-z, 0-9, '-', '_')."},
	{.key = "state", .type = CONF_T_PATH, .offset = CF(state_path), .flags = CONF_F_REQUIRED,
	 .doc = "The SQLite state database; relative to the config file's directory."},
	{.key = "geoip", .type = CONF_T_PATH, .offset = CF(geoip_path),
	 .doc = "GeoIP2/GeoLite2 City database; required when records exist."},
	{.key = "log_level", .type = CONF_T_ENUM, .offset = CF(log_level),
	 .choices = "error warn info debug", .def = "info", .flags = CONF_F_LOCAL, .doc = "Most verbose level logged."},
	{.key = "user", .type = CONF_T_STRING, .offset = CF(user), .flags = CONF_F_LOCAL,
	 .doc = "Started as root, a daemon binds its sockets, then becomes this user: its uid, "
		"gid, no supplementary group, no capability (systemd units start them as "
		"`meridian` already)."},
	{.key = "group", .type = CONF_T_STRING, .offset = CF(group), .flags = CONF_F_LOCAL, .def_doc = "the user's group",
	 .doc = "The group a daemon started as root takes with `user`."},
	{.key = "dns", .type = CONF_T_SECTION, .child = &conf_dns_section,
	 .doc = "The DNS server (see below)."},
	{.key = "datacenters", .type = CONF_T_MAP, .offset = CF(datacenters),
	 .aux = CF(datacenter_count), .child = &conf_datacenter_section,
	 .doc = "Datacenters by name (see below)."},
	{.key = "records", .type = CONF_T_MAP, .offset = CF(records), .aux = CF(record_count),
	 .child = &conf_record_section, .doc = "Geo records by name (see below)."},
	{.key = "default_order", .type = CONF_T_DC_LIST, .offset = CF(default_order),
	 .aux = CF(default_order_count), .min = 1,
	 .doc = "Datacenter preference for clients with no known location."},
	{.key = "health", .type = CONF_T_SECTION, .child = &conf_health_section,
	 .doc = "Verdict tuning (see below)."},
	{.key = "replication", .type = CONF_T_SECTION, .child = &conf_replication_section,
	 .doc = "Replication between regions (see below)."},
	{.key = "metrics", .type = CONF_T_SECTION, .child = &conf_metrics_section,
	 .doc = "Prometheus endpoints (see below)."});
/* clang-format on */
