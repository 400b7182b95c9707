/* SPDX-License-Identifier: MIT */
/* conf_doc.c -- renders the option table as the markdown reference (docs/config.md) */
#include "config.h"
#include "conf/conf_doc.h"
#include "conf/conf_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *type_name(const conf_option_t *opt, char *buf, size_t size)
{
	switch (opt->type) {
	case CONF_T_STRING:
		return "string";
	case CONF_T_ID:
		return "name (a-z, 0-9, -, _)";
	case CONF_T_PATH:
		return "path";
	case CONF_T_ENUM:
		snprintf(buf, size, "one of: %s", opt->choices);
		return buf;
	case CONF_T_BOOL:
		return "bool";
	case CONF_T_UINT:
		return "integer";
	case CONF_T_DURATION:
		return "duration";
	case CONF_T_SOCKADDR:
		return opt->port ? "address (IP[:PORT])" : "address (IP:PORT)";
	case CONF_T_SOCKADDRS:
		return "address or list of addresses";
	case CONF_T_IPADDRS:
		return "IP address or list";
	case CONF_T_NETS:
		return "CIDR prefix or list";
	case CONF_T_COORDS:
		return "[latitude, longitude]";
	case CONF_T_DC_LIST:
		return "list of datacenter names";
	case CONF_T_CHECK_TYPE:
		return "http, https, tcp, dns or exec";
	case CONF_T_CHECK_RULE:
		return "all, any or \"N%\"";
	case CONF_T_EXPECT:
		return "status code, \"LOW-HIGH\", or list";
	case CONF_T_ARGV:
		return "string or list of strings";
	case CONF_T_DNAME:
		return "domain name";
	case CONF_T_URL:
		return "URL";
	case CONF_T_RRTYPE:
		return "record type";
	case CONF_T_RCODE:
		return "rcode";
	case CONF_T_SECTION:
		return "mapping";
	case CONF_T_MAP:
		return "mapping of NAME: mapping";
	case CONF_T_LIST:
		return "list of mappings";
	case CONF_T_ONE:
		return "mapping";
	case CONF_T_PEERS:
		return "mapping of region: URL";
	case CONF_T_GEO_MAP:
		return "mapping of location: datacenter list (or {weights, datacenters})";
	case CONF_T_GEO_NETS:
		return "mapping of CIDR: datacenter list (or {weights, datacenters})";
	case CONF_T_DC_WEIGHTS:
		return "mapping of datacenter: weight (0..1000000)";
	}
	return "?";
}

static const char *range_text(const conf_option_t *opt, char *buf, size_t size)
{
	char lo[24], hi[24];
	switch (opt->type) {
	case CONF_T_UINT:
		snprintf(buf, size, "%" PRId64 "..%" PRId64, opt->min, opt->max);
		return buf;
	case CONF_T_DURATION:
		conf_duration_format((uint64_t)opt->min, lo, sizeof(lo));
		conf_duration_format((uint64_t)opt->max, hi, sizeof(hi));
		snprintf(buf, size, "%s..%s", lo, hi);
		return buf;
	case CONF_T_SOCKADDRS:
	case CONF_T_IPADDRS:
	case CONF_T_NETS:
	case CONF_T_DC_LIST:
	case CONF_T_EXPECT:
		if (opt->max > 0)
			snprintf(buf, size, "%" PRId64 "..%" PRId64 " entries", opt->min, opt->max);
		else
			snprintf(buf, size, "at least %" PRId64 " entr%s", opt->min,
				 opt->min == 1 ? "y" : "ies");
		return buf;
	case CONF_T_COORDS:
		return "-90..90, -180..180";
	default:
		return "";
	}
}

static const char *default_text(const conf_option_t *opt, char *buf, size_t size)
{
	if (opt->flags & CONF_F_REQUIRED)
		return "**required**";
	if (opt->def != NULL)
		snprintf(buf, size, "`%s`", opt->def);
	else if (opt->def_doc != NULL)
		snprintf(buf, size, "= %s", opt->def_doc);
	else
		return "unset";
	return buf;
}

static void section_write(FILE *out, const conf_section_t *sec, const conf_section_t **seen,
			  size_t *seen_count)
{
	for (size_t i = 0; i < *seen_count; i++)
		if (seen[i] == sec)
			return;
	if (*seen_count == 32)
		return; /* more sections than the table has ever had */
	seen[(*seen_count)++] = sec;
	fprintf(out, "## %s\n\n%s\n\n", sec->title, sec->doc);
	fprintf(out, "| Key | Type | Default | Range | Description |\n");
	fprintf(out, "|-----|------|---------|-------|-------------|\n");
	for (size_t o = 0; o < sec->option_count; o++) {
		const conf_option_t *opt = &sec->options[o];
		char tbuf[128], dbuf[128], rbuf[64];
		fprintf(out, "| `%s` | %s | %s | %s | %s%s |\n", opt->key,
			type_name(opt, tbuf, sizeof(tbuf)), default_text(opt, dbuf, sizeof(dbuf)),
			range_text(opt, rbuf, sizeof(rbuf)), opt->doc,
			(opt->flags & CONF_F_LOCAL) ? " *Local: not in the config digest.*" : "");
	}
	fprintf(out, "\n");
	for (size_t o = 0; o < sec->option_count; o++)
		if (sec->options[o].child != NULL)
			section_write(out, sec->options[o].child, seen, seen_count);
}

/* After the tables: an example and what errors look like. */
static const char conf_doc_tail[] =
    "## Example\n"
    "\n"
    "```yaml\n"
    "region: us-east\n"
    "state: /var/lib/meridian/state.db\n"
    "geoip: /usr/share/GeoIP/GeoLite2-City.mmdb\n"
    "\n"
    "dns:\n"
    "  listen: [\"0.0.0.0:53\", \"[::]:53\"]\n"
    "  nsid: ns1.us-east.example.net\n"
    "  zones:\n"
    "    - origin: example.com.\n"
    "      file: zones/example.com.zone\n"
    "\n"
    "datacenters:\n"
    "  us-east:\n"
    "    location: [38.9, -77.4]\n"
    "    addresses: [203.0.113.10, \"2001:db8:1::10\"]\n"
    "    check: { type: http, url: \"http://127.0.0.11:8080/healthz\", expect: 200,\n"
    "             interval: 1s, timeout: 500ms, fall: 3, rise: 2 }\n"
    "  eu-west:\n"
    "    location: [53.3, -6.3]\n"
    "    addresses: [198.51.100.10]\n"
    "    check_rule: any\n"
    "    checks:\n"
    "      - { type: tcp, address: \"127.0.0.12:8443\" }\n"
    "      - { type: exec, command: \"/usr/local/bin/probe eu-west\" }\n"
    "\n"
    "records:\n"
    "  www.example.com.:\n"
    "    datacenters: [us-east, eu-west]\n"
    "    ttl: 30\n"
    "    map: { \"AS\": [us-east], \"AS/CN\": [eu-west] }\n"
    "    nets: { \"10.0.0.0/8\": [us-east] }\n"
    "\n"
    "replication:\n"
    "  listen: \"127.0.0.1:8853\"\n"
    "  key_file: replication.key\n"
    "  peers: { eu-west: \"http://127.0.0.1:8854\" }\n"
    "```\n"
    "\n"
    "## Errors\n"
    "\n"
    "`-t` on every daemon loads the file, prints every problem, one per line in file\n"
    "order, and exits 1 (or 0 when the file is valid). For example:\n"
    "\n"
    "```\n"
    "meridian.yaml:7:12: dns.udp_payload: udp_payload 100 is out of range 512..4096\n"
    "meridian.yaml:14:7: datacenters.us-east.location: latitude 95 is out of range -90..90\n"
    "meridian.yaml:16:5: datacenters.us-east: unknown key \"chekc\" (did you mean \"check\"?)\n"
    "meridian.yaml:21:28: records.\"www.example.com.\".datacenters: unknown datacenter \"eu-wst\" "
    "(did you mean \"eu-west\"?)\n"
    "```\n"
    "\n"
    "Keys that contain a dot are quoted in key paths. YAML syntax errors carry the\n"
    "line and column libyaml reports; duplicate keys in one mapping and YAML aliases\n"
    "are errors.\n";

int conf_doc_write(FILE *out)
{
	const conf_section_t *seen[32] = {NULL};
	size_t seen_count = 0;
	fprintf(out,
		"# Meridian configuration reference\n\n"
		"<!-- Generated by conf/conf-doc from conf/conf_options.c; do not edit. -->\n\n"
		"The configuration is one YAML file, given to every program with `-c FILE`.\n"
		"Unknown keys are errors. Every error names the file, line, column and key\n"
		"path, e.g. `meridian.yaml:14:7: datacenters.us-east.location: latitude 95 "
		"is out of range -90..90`,\nand all errors are reported at once.\n\n"
		"Durations are a whole number with a unit: `500ms`, `1s`, `2m`, `1h`, `7d`.\n"
		"Addresses are `192.0.2.1`, `192.0.2.1:53`, `2001:db8::1` or "
		"`[2001:db8::1]:53`.\n"
		"Relative paths are resolved against the directory of the config file.\n"
		"Record names and zone origins are made lower case and absolute.\n\n"
		"Cross-checks: every datacenter named in `records`, `map`, `nets` and\n"
		"`default_order` must exist; record names must lie inside a zone of\n"
		"`dns.zones` and be unique; `geoip` is required when records exist;\n"
		"with replication, `replication.max_clock_skew` must not exceed\n"
		"`health.stale_after` (a vote counts while this region heard it within\n"
		"stale_after by its own clock and it is at most stale_after + max_clock_skew\n"
		"old by the observer's).\n\n"
		"Config digest: every daemon records a digest of the shared part of the\n"
		"parsed file (comments, key order and the spelling of defaults do not count),\n"
		"replicated to every region so drift shows (`meridianctl status`, `diff`).\n"
		"Options marked *Local*, every path (files count through their own digests)\n"
		"and `replication.peers` are left out of it.\n\n");
	section_write(out, &conf_root_section, seen, &seen_count);
	fputs(conf_doc_tail, out);
	return ferror(out) ? -1 : 0;
}

/* ---- the same table as the manual page meridian.yaml(5) -------------------------- */

/* Writes text as roff: backslashes escaped, markdown's `code` and **bold** marks dropped
 * (the table's docs are written for docs/config.md), a leading '.' or '\'' guarded. */
static void man_text(FILE *out, const char *text)
{
	if (text[0] == '.' || text[0] == '\'')
		fputs("\\&", out);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '`' || (*p == '*' && (p[1] == '*' || (p > text && p[-1] == '*'))))
			continue;
		else if (*p == '-')
			fputs("\\-", out);
		else
			fputc(*p, out);
	}
}

static void man_section(FILE *out, const conf_section_t *sec, const conf_section_t **seen,
			size_t *seen_count)
{
	for (size_t i = 0; i < *seen_count; i++)
		if (seen[i] == sec)
			return;
	if (*seen_count == 32)
		return;
	seen[(*seen_count)++] = sec;
	fputs(".SS ", out);
	man_text(out, sec->title);
	fputs("\n", out);
	man_text(out, sec->doc);
	fputs("\n", out);
	for (size_t o = 0; o < sec->option_count; o++) {
		const conf_option_t *opt = &sec->options[o];
		char tbuf[128], dbuf[128], rbuf[64];
		const char *range = range_text(opt, rbuf, sizeof(rbuf));
		fputs(".TP\n.B ", out);
		man_text(out, opt->key);
		fputs("\n", out);
		man_text(out, opt->doc);
		fputs("\n.br\n", out);
		man_text(out, type_name(opt, tbuf, sizeof(tbuf)));
		fputs("; default: ", out);
		man_text(out, default_text(opt, dbuf, sizeof(dbuf)));
		if (range[0] != '\0') {
			fputs("; range: ", out);
			man_text(out, range);
		}
		fputs(".\n", out);
	}
	for (size_t o = 0; o < sec->option_count; o++)
		if (sec->options[o].child != NULL)
			man_section(out, sec->options[o].child, seen, seen_count);
}

/* The lines of conf_doc_tail's example, between its ``` fences, as a literal block. */
static void man_example(FILE *out)
{
	const char *p = strstr(conf_doc_tail, "```yaml\n");
	const char *end = p != NULL ? strstr(p + 8, "```\n") : NULL;
	if (p == NULL || end == NULL)
		return;
	fputs(".SH EXAMPLE\n.nf\n.RS 4\n", out);
	for (p += 8; p < end;) {
		const char *nl = strchr(p, '\n');
		char line[256];
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		if (line[0] == '\0')
			fputs(".sp\n", out);
		else {
			man_text(out, line);
			fputs("\n", out);
		}
		p = nl + 1;
	}
	fputs(".RE\n.fi\n", out);
}

int conf_doc_man_write(FILE *out, const char *sysconfdir)
{
	const conf_section_t *seen[32] = {NULL};
	size_t seen_count = 0;
	/* The page's date: SOURCE_DATE_EPOCH for a reproducible build (Debian sets it), else
	 * today, as scdoc dates the other pages. */
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	time_t when = epoch != NULL ? (time_t)strtoll(epoch, NULL, 10) : time(NULL);
	struct tm tm;
	char date[32] = "";
	if (gmtime_r(&when, &tm) != NULL)
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	fprintf(out,
		".\\\" Generated by conf/conf-doc --man from conf/conf_options.c; do not edit.\n"
		".TH MERIDIAN.YAML 5 \"%s\" \"meridian %s\" \"File Formats Manual\"\n"
		".SH NAME\n"
		"meridian.yaml \\- the configuration of the Meridian GeoDNS programs\n"
		".SH SYNOPSIS\n"
		".I %s/meridian/meridian.yaml\n"
		".SH DESCRIPTION\n"
		"One YAML file configures a region: meridian\\-dnsd(8), "
		"meridian\\-healthcheck(8),\nmeridian\\-replicator(8) and meridianctl(8) read "
		"it (\\fB\\-c\\fR \\fIFILE\\fR).\n"
		"Unknown keys are errors.\n"
		"Every error names the file, line, column and key path, and all errors are\n"
		"reported at once; \\fB\\-t\\fR on every daemon checks a file.\n"
		".PP\n"
		"Durations are a whole number with a unit: 500ms, 1s, 2m, 1h, 7d.\n"
		"Addresses are 192.0.2.1, 192.0.2.1:53, 2001:db8::1 or [2001:db8::1]:53.\n"
		"Relative paths are resolved against the directory of the config file.\n"
		"Record names and zone origins are made lower case and absolute.\n"
		".PP\n"
		"Every datacenter named in records, map, nets and default_order must exist;\n"
		"record names must lie inside a zone of dns.zones and be unique; geoip is\n"
		"required when records exist.\n"
		".SH OPTIONS\n",
		date, PACKAGE_VERSION, sysconfdir);
	man_section(out, &conf_root_section, seen, &seen_count);
	man_example(out);
	fprintf(out,
		".SH FILES\n.TP\n.I %s/meridian/meridian.yaml\n"
		"The configuration the programs read when no \\fB\\-c\\fR is given.\n"
		".SH SEE ALSO\n"
		".BR meridian\\-dnsd (8),\n.BR meridian\\-healthcheck (8),\n"
		".BR meridian\\-replicator (8),\n.BR meridianctl (8)\n",
		sysconfdir);
	return ferror(out) ? -1 : 0;
}
