/* SPDX-License-Identifier: MIT */
/* test_zone.c -- zone store loading: validation errors with file:line, includes, records */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/dnsd/dnsd_test_util.h"

#define HEAD "$ORIGIN example.com.\n$TTL 3600\n"
#define SOA "@ IN SOA ns1 hostmaster 7 3600 600 86400 300\n"
#define NS "@ IN NS ns1\nns1 IN A 192.0.2.53\n"

/* One bad zone file and the exact error it must give after the file's path. */
typedef struct {
	const char *what;  /* the case, for failure messages */
	const char *text;  /* the zone file */
	const char *error; /* the message after "PATH:" */
} bad_zone_t;

static const bad_zone_t bad_zones[] = {
    {"soa missing", HEAD NS, ": no SOA at the zone apex example.com.\n"},
    {"ns missing", HEAD SOA "www IN A 192.0.2.1\n", ": no NS at the zone apex example.com.\n"},
    {"out of zone", HEAD SOA NS "www.example.org. IN A 192.0.2.1\n",
     ":6: www.example.org. is outside the zone example.com.\n"},
    {"cname and other data", HEAD SOA NS "www IN A 192.0.2.1\nwww IN CNAME other\n",
     ":7: CNAME at www.example.com. has other data\n"},
    {"cname at the apex", HEAD SOA NS "@ IN CNAME other.example.net.\n",
     ":6: CNAME at example.com. has other data\n"},
    {"two cnames", HEAD SOA NS "www IN CNAME a\nwww IN CNAME b\n",
     ":7: more than one CNAME at www.example.com.\n"},
    {"soa below apex", HEAD SOA NS "sub IN SOA ns1 hostmaster 1 2 3 4 5\n",
     ":6: SOA at sub.example.com. is not at the zone apex example.com.\n"},
    {"syntax error", HEAD SOA NS "www IN A 192.0.2\n",
     ":6: Syntax error, could not parse the RR's rdata\n"},
    {"class not IN", HEAD SOA NS "www CH TXT \"x\"\n",
     ":6: www.example.com. has class other than IN\n"},
};

static void test_zone_errors_name_file_and_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_zones) / sizeof(bad_zones[0]); i++) {
		char *dir = t_dir_new();
		char *path = t_file_write(dir, "example.com.zone", bad_zones[i].text);
		conf_zone_t zone = {.origin = "example.com.", .file = path};
		char *errors = NULL;
		char *expect = NULL;
		assert_true(asprintf(&expect, "%s%s", path, bad_zones[i].error) > 0);
		dnsd_zones_t *z = dnsd_zones_load(&zone, 1, NULL, 0, &errors);
		if (z != NULL || errors == NULL || strcmp(errors, expect) != 0)
			fail_msg("case '%s': got '%s', want '%s'", bad_zones[i].what,
				 errors ? errors : "(none)", expect);
		free(errors);
		free(expect);
		free(path);
		t_dir_remove(dir);
	}
}

/* RFC 4035 2.5 / RFC 2181 10.1: RRSIG and NSEC are legal beside a CNAME (a signed zone
 * has them at every CNAME); any other type there is still refused. */
static void test_zone_rrsig_and_nsec_beside_a_cname_load(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char *path = t_file_write(
	    dir, "example.com.zone",
	    HEAD SOA NS "alias IN CNAME www\n"
			"alias IN RRSIG CNAME 13 3 3600 20270103223835 20261206223835 22628 "
			"example.com. AAAA\n"
			"alias IN NSEC www.example.com. CNAME RRSIG NSEC\n"
			"www IN A 192.0.2.1\n");
	conf_zone_t zone = {.origin = "example.com.", .file = path};
	char *errors = NULL;
	dnsd_zones_t *z = dnsd_zones_load(&zone, 1, NULL, 0, &errors);
	if (z == NULL)
		fail_msg("signed CNAME refused: %s", errors);
	dnsd_zones_free(z);
	free(path);
	t_dir_remove(dir);
}

/* A zone signed elsewhere (DNSKEY in the file) cannot hold geo names: their answers
 * would go out unsigned in a signed zone, which validators reject. */
static void test_zone_geo_record_in_a_presigned_zone_is_refused(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char *path = t_file_write(
	    dir, "example.com.zone",
	    HEAD SOA NS "@ IN DNSKEY 257 3 13 "
			"vLe+mkioiFafdGESbemwop3+kOYxIDpy2lLJfn6EqeydwpPfKet6GNtoLlsyNosan/"
			"PYqeGREfnVm/KUr9g4CA==\n");
	conf_zone_t zone = {.origin = "example.com.", .file = path};
	conf_record_t rec = {.name = "geo.example.com."};
	char *errors = NULL;
	assert_null(dnsd_zones_load(&zone, 1, &rec, 1, &errors));
	assert_string_equal(errors, "records: geo.example.com.: the zone example.com. is signed "
				    "outside meridian-dnsd; geo answers are only signed in a zone "
				    "signed at load (dns.zones[].dnssec)\n");
	free(errors);
	free(path);
	t_dir_remove(dir);
}

static void test_zone_missing_file_is_named(void **state)
{
	(void)state;
	conf_zone_t zone = {.origin = "example.com.", .file = "/nonexistent/example.com.zone"};
	char *errors = NULL;
	assert_null(dnsd_zones_load(&zone, 1, NULL, 0, &errors));
	assert_string_equal(
	    errors, "/nonexistent/example.com.zone: cannot open: No such file or directory\n");
	free(errors);
}

static void test_zone_include_and_origin_directives_load(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char *inc = t_file_write(dir, "hosts.inc", "www IN A 192.0.2.1\nmail IN A 192.0.2.2\n");
	char *bad = t_file_write(dir, "bad.inc", "\n\nx IN A nope\n");
	char *path = t_file_write(dir, "z.zone",
				  HEAD SOA NS "$INCLUDE hosts.inc sub\n"
					      "$ORIGIN other.example.com.\nftp IN A 192.0.2.3\n");
	char *path2 = t_file_write(dir, "z2.zone", HEAD SOA NS "$INCLUDE bad.inc\n");
	conf_zone_t zone = {.origin = "example.com.", .file = path};
	char *errors = NULL;
	dnsd_zones_t *z = dnsd_zones_load(&zone, 1, NULL, 0, &errors);
	assert_null(errors);
	assert_non_null(z);
	assert_int_equal(dnsd_zones_count(z), 1);
	/* apex, ns1, sub (empty non-terminal), www.sub, mail.sub, other (ENT), ftp.other */
	assert_int_equal(dnsd_zones_names(z), 7);
	assert_int_equal(dnsd_zones_serial(z, "example.com."), 7);
	assert_int_equal(dnsd_zones_serial(z, "example.org."), -1);
	assert_true(dnsd_zones_memory(z) > 0);
	dnsd_zones_free(z);

	zone.file = path2;
	assert_null(dnsd_zones_load(&zone, 1, NULL, 0, &errors));
	char *expect = NULL;
	assert_true(asprintf(&expect, "%s:3: Syntax error, could not parse the RR's rdata\n", bad) >
		    0);
	assert_string_equal(errors, expect);
	free(expect);
	free(errors);
	free(inc);
	free(bad);
	free(path);
	free(path2);
	t_dir_remove(dir);
}

static void test_zone_geo_record_must_be_inside_a_zone(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char *path = t_file_write(dir, "z.zone", HEAD SOA NS "alias IN CNAME www\n");
	conf_zone_t zone = {.origin = "example.com.", .file = path};
	conf_record_t records[] = {{.name = "www.example.org."}, {.name = "alias.example.com."}};
	char *errors = NULL;
	assert_null(dnsd_zones_load(&zone, 1, records, 2, &errors));
	assert_string_equal(errors, "records: www.example.org.: not inside any zone served\n"
				    "records: alias.example.com.: the zone has a CNAME there\n");
	free(errors);
	free(path);
	path = t_file_write(dir, "z.zone", HEAD SOA NS "sub IN NS ns.other.example.net.\n");
	zone.file = path;
	conf_record_t cut[] = {{.name = "sub.example.com."}, {.name = "a.sub.example.com."}};
	assert_null(dnsd_zones_load(&zone, 1, cut, 2, &errors));
	/* one line each, in no particular order */
	assert_non_null(strstr(
	    errors, "records: sub.example.com.: at or below the zone cut sub.example.com.\n"));
	assert_non_null(strstr(
	    errors, "records: a.sub.example.com.: at or below the zone cut sub.example.com.\n"));
	assert_int_equal(
	    strlen(errors),
	    2 * strlen("records: sub.example.com.: at or below the zone cut sub.example.com.\n") +
		2);
	free(errors);
	free(path);
	path = t_file_write(dir, "z.zone",
			    HEAD SOA NS "www IN A 192.0.2.1\nv6 IN AAAA 2001:db8::1\n"
					"txt IN TXT \"kept\"\n");
	zone.file = path;
	conf_record_t statics[] = {{.name = "www.example.com."},
				   {.name = "v6.example.com."},
				   {.name = "txt.example.com."}};
	assert_null(dnsd_zones_load(&zone, 1, statics, 3, &errors));
	assert_string_equal(errors, "records: www.example.com.: the zone has static A data there "
				    "(a geo record answers A and AAAA itself)\n"
				    "records: v6.example.com.: the zone has static AAAA data there "
				    "(a geo record answers A and AAAA itself)\n");
	free(errors);
	free(path);
	path = t_file_write(dir, "z.zone", HEAD SOA NS "sub IN NS ns.other.example.net.\n");
	zone.file = path;
	conf_record_t good = {.name = "geo.example.com."};
	dnsd_zones_t *z = dnsd_zones_load(&zone, 1, &good, 1, &errors);
	assert_non_null(z);
	dnsd_zones_free(z);
	free(path);
	t_dir_remove(dir);
}

static void test_zone_errors_stop_after_50_with_a_count(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char text[8192];
	size_t len = (size_t)snprintf(text, sizeof(text), "%s", HEAD SOA NS);
	for (int i = 0; i < 60; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"x%d.example.org. IN A 192.0.2.1\n", i);
	char *path = t_file_write(dir, "z.zone", text);
	conf_zone_t zone = {.origin = "example.com.", .file = path};
	char *errors = NULL;
	assert_null(dnsd_zones_load(&zone, 1, NULL, 0, &errors));
	size_t lines = 0;
	for (const char *p = errors; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 51);
	assert_non_null(strstr(errors, "x49.example.org. is outside"));
	assert_null(strstr(errors, "x50.example.org."));
	assert_non_null(strstr(errors, "\n(10 more problems)\n"));
	free(errors);
	free(path);
	t_dir_remove(dir);
}

static void test_zone_listed_twice_is_refused(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char *path = t_file_write(dir, "z.zone", HEAD SOA NS);
	conf_zone_t zones[] = {{.origin = "example.com.", .file = path},
			       {.origin = "Example.COM.", .file = path}};
	char *errors = NULL;
	char *expect = NULL;
	assert_null(dnsd_zones_load(zones, 2, NULL, 0, &errors));
	assert_true(asprintf(&expect, "%s: zone example.com. is listed twice\n", path) > 0);
	assert_string_equal(errors, expect);
	free(expect);
	free(errors);
	free(path);
	t_dir_remove(dir);
}

/* rcode, AA and answer count of name/type against zones. */
static void ask(const dnsd_zones_t *z, const char *name, uint16_t type, int rcode, bool aa,
		size_t an)
{
	dnsd_answer_ctx_t ctx = {.zones = z};
	dnsd_counters_t counters = {0};
	t_query_t q = {.name = name, .type = type};
	uint8_t wire[512];
	size_t len = t_query_wire(&q, wire, sizeof(wire)), rlen;
	ldns_pkt *p = t_answer(&ctx, wire, len, false, &counters, &rlen);
	assert_non_null(p);
	if ((int)ldns_pkt_get_rcode(p) != rcode || ldns_pkt_aa(p) != aa ||
	    ldns_pkt_ancount(p) != an)
		fail_msg("%s: rcode %d aa %d answers %d", name, ldns_pkt_get_rcode(p),
			 ldns_pkt_aa(p), ldns_pkt_ancount(p));
	ldns_pkt_free(p);
}

static void test_zone_nested_zone_answers_for_its_names(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char *parent = t_file_write(
	    dir, "parent.zone",
	    HEAD SOA NS "a.b IN NS ns.a.b\nns.a.b IN A 192.0.2.9\nx.a.b IN A 192.0.2.10\n");
	char *child = t_file_write(dir, "child.zone",
				   "$ORIGIN a.b.example.com.\n" SOA NS "www IN A 192.0.2.11\n");
	conf_zone_t zones[] = {{.origin = "example.com.", .file = parent},
			       {.origin = "a.b.example.com.", .file = child}};
	char *errors = NULL;
	dnsd_zones_t *z = dnsd_zones_load(zones, 2, NULL, 0, &errors);
	assert_null(errors);
	ask(z, "www.a.b.example.com.", LDNS_RR_TYPE_A, 0, true, 1);
	ask(z, "a.b.example.com.", LDNS_RR_TYPE_NS, 0, true, 1);
	ask(z, "x.a.b.example.com.", LDNS_RR_TYPE_A, 3, true,
	    0);						      /* the parent's junk is not served */
	ask(z, "b.example.com.", LDNS_RR_TYPE_A, 0, true, 0); /* empty non-terminal in the parent */
	ask(z, "c.example.com.", LDNS_RR_TYPE_A, 3, true, 0);
	dnsd_zones_free(z);
	free(parent);
	free(child);
	t_dir_remove(dir);
}

/* Loads zones with stderr sent to a file; returns what was logged (caller frees). */
static char *load_logged(const conf_zone_t *zones, size_t count, dnsd_zones_t **out)
{
	char *dir = t_dir_new();
	char *path = t_file_write(dir, "stderr.txt", "");
	FILE *f = fopen(path, "w+");
	assert_non_null(f);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	char *errors = NULL;
	*out = dnsd_zones_load(zones, count, NULL, 0, &errors);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	if (errors != NULL)
		fail_msg("%s", errors);
	static char text[8192];
	rewind(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	free(path);
	t_dir_remove(dir);
	return strdup(text);
}

static size_t count_of(const char *text, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

static void test_zone_cname_loops_are_warned_once_and_served(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char *path =
	    t_file_write(dir, "example.com.zone",
			 HEAD SOA NS "a IN CNAME b\nb IN CNAME a\n"
				     "c IN CNAME a\n"	    /* joins the loop: no second line */
				     "self IN CNAME SELF\n" /* a loop of one */
				     "d IN CNAME e\ne IN CNAME ns1\n" /* a chain, no loop */
				     "w IN CNAME x.example.net.\n");
	conf_zone_t zone = {.origin = "example.com.", .file = path};
	dnsd_zones_t *z = NULL;
	char *logged = load_logged(&zone, 1, &z);
	assert_non_null(z);
	char *want1 = NULL, *want2 = NULL;
	assert_true(asprintf(&want1,
			     "warn: %s: CNAME loop a.example.com. -> b.example.com. -> "
			     "a.example.com. (served as is; answers stop where a name repeats)\n",
			     path) > 0);
	assert_true(asprintf(&want2,
			     "warn: %s: CNAME loop self.example.com. -> self.example.com. (served "
			     "as is; answers stop where a name repeats)\n",
			     path) > 0);
	/* the loop may be entered at a or at b: the slot order decides */
	char *want1b = NULL;
	assert_true(asprintf(&want1b,
			     "warn: %s: CNAME loop b.example.com. -> a.example.com. -> "
			     "b.example.com. (served as is; answers stop where a name repeats)\n",
			     path) > 0);
	if (count_of(logged, "CNAME loop") != 2 || strstr(logged, want2) == NULL ||
	    (strstr(logged, want1) == NULL && strstr(logged, want1b) == NULL))
		fail_msg("logged:\n%s", logged);
	ask(z, "c.example.com.", LDNS_RR_TYPE_A, 0, true, 3);
	ask(z, "self.example.com.", LDNS_RR_TYPE_A, 0, true, 1);
	ask(z, "d.example.com.", LDNS_RR_TYPE_A, 0, true, 3);
	dnsd_zones_free(z);
	free(logged);
	free(want1);
	free(want1b);
	free(want2);
	free(path);
	t_dir_remove(dir);
}

static void test_zone_without_cname_loops_logs_nothing(void **state)
{
	(void)state;
	char *dir = t_dir_new();
	char *path = t_file_write(dir, "example.com.zone",
				  HEAD SOA NS "d IN CNAME e\ne IN CNAME ns1\n*.w IN CNAME x.w\n");
	conf_zone_t zone = {.origin = "example.com.", .file = path};
	dnsd_zones_t *z = NULL;
	char *logged = load_logged(&zone, 1, &z);
	assert_non_null(z);
	assert_string_equal(logged, "");
	dnsd_zones_free(z);
	free(logged);
	free(path);
	t_dir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zone_errors_name_file_and_line),
	    cmocka_unit_test(test_zone_missing_file_is_named),
	    cmocka_unit_test(test_zone_rrsig_and_nsec_beside_a_cname_load),
	    cmocka_unit_test(test_zone_geo_record_in_a_presigned_zone_is_refused),
	    cmocka_unit_test(test_zone_include_and_origin_directives_load),
	    cmocka_unit_test(test_zone_geo_record_must_be_inside_a_zone),
	    cmocka_unit_test(test_zone_errors_stop_after_50_with_a_count),
	    cmocka_unit_test(test_zone_listed_twice_is_refused),
	    cmocka_unit_test(test_zone_nested_zone_answers_for_its_names),
	    cmocka_unit_test(test_zone_cname_loops_are_warned_once_and_served),
	    cmocka_unit_test(test_zone_without_cname_loops_logs_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
