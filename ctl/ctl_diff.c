/* SPDX-License-Identifier: MIT */
/* ctl_diff.c -- `meridianctl diff REGION` and `check CANDIDATE`: what differs, key by key */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "conf/conf_canon.h"
#include "ctl/ctl_drift.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_state.h"
#include "geo/geo_ident.h"

/* The key paths of two canonical configs (?1 here, ?2 there) whose values differ, by
 * SQLite's json_tree: a key is a scalar, or a list of scalars taken whole (a record's
 * datacenters), or a list element or member present on one side only (a whole new
 * datacenter is one line). Paths read like the config's own error messages:
 * records."www.example.com.".datacenters. Values are JSON text, NULL when absent. */
/* clang-format off */
#define TREE(p) \
	"SELECT id, parent, fullkey AS k, type AS ty," \
	" CASE WHEN type IN ('object', 'array') THEN json(value) WHEN type = 'true' THEN 'true'" \
	"  WHEN type = 'false' THEN 'false' WHEN type = 'null' THEN 'null'" \
	"  ELSE json_quote(value) END AS v FROM json_tree(" p ")"
#define WHOLE(t) \
	"SELECT x.id FROM " t " x WHERE x.ty = 'array' AND NOT EXISTS (SELECT 1 FROM " t " c" \
	" WHERE c.parent = x.id AND c.ty IN ('object', 'array'))"
#define UNITS(t, w) \
	"SELECT x.k, x.v FROM " t " x WHERE x.ty <> 'object' AND (x.ty <> 'array' OR x.id IN " w ")" \
	" AND (x.parent IS NULL OR x.parent NOT IN " w ")"
#define MISSING(t, w, other) \
	"SELECT x.k, x.v FROM " t " x WHERE x.k NOT IN (SELECT k FROM " other ")" \
	" AND x.parent IS NOT NULL AND x.parent NOT IN " w \
	" AND (SELECT p.k FROM " t " p WHERE p.id = x.parent) IN (SELECT k FROM " other ")"
static const char config_diff_sql[] =
	"WITH a AS (" TREE("?1") "), b AS (" TREE("?2") "),"
	" aw AS (" WHOLE("a") "), bw AS (" WHOLE("b") "),"
	" au AS (" UNITS("a", "aw") "), bu AS (" UNITS("b", "bw") ")"
	" SELECT substr(k, 3), ua.v, ub.v FROM au ua JOIN bu ub USING (k) WHERE ua.v IS NOT ub.v"
	" UNION ALL SELECT substr(k, 3), v, NULL FROM (" MISSING("a", "aw", "b") ")"
	" UNION ALL SELECT substr(k, 3), NULL, v FROM (" MISSING("b", "bw", "a") ")"
	" ORDER BY 1";
/* Zones of two deployment rows side by side: origin, serial and digest here and there. */
#define ZONES(p) \
	"SELECT json_extract(value, '$.origin') AS o, json_extract(value, '$.serial') AS s," \
	" json_extract(value, '$.digest') AS d FROM json_each(" p ")"
static const char zones_diff_sql[] =
	"WITH a AS (" ZONES("?1") "), b AS (" ZONES("?2") ")"
	" SELECT k.o, (SELECT s FROM a WHERE a.o = k.o), (SELECT d FROM a WHERE a.o = k.o),"
	"  (SELECT s FROM b WHERE b.o = k.o), (SELECT d FROM b WHERE b.o = k.o)"
	" FROM (SELECT o FROM a UNION SELECT o FROM b) k"
	" WHERE (SELECT s FROM a WHERE a.o = k.o) IS NOT (SELECT s FROM b WHERE b.o = k.o)"
	"  OR (SELECT d FROM a WHERE a.o = k.o) IS NOT (SELECT d FROM b WHERE b.o = k.o)"
	" ORDER BY k.o";
/* clang-format on */

/* What one comparison found, for the text and the --json output. */
typedef struct {
	FILE *out;	  /* text output, or NULL with --json */
	ctl_json_t *json; /* --json writer, or NULL */
	const char *here; /* label of our side: the region, or "candidate" */
	const char *there; /* label of the other side: the region */
	size_t count;	  /* differences reported */
} diff_out_t;

static const char *or_absent(const char *v)
{
	return v != NULL ? v : "(absent)";
}

/* Reports every differing key of two canonical configs; -1 on an SQLite error. */
static int config_diff(sqlite3 *db, const char *here, const char *there, diff_out_t *o)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, config_diff_sql, -1, &stmt, NULL) != SQLITE_OK) {
		ctl_error("diff: %s", sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, here, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, there, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(stmt, 0);
		const char *a = (const char *)sqlite3_column_text(stmt, 1);
		const char *b = (const char *)sqlite3_column_text(stmt, 2);

		o->count++;
		if (o->json != NULL) {
			ctl_json_object_begin(o->json);
			ctl_json_kv_string(o->json, "key", key);
			ctl_json_key(o->json, "here");
			if (a != NULL)
				ctl_json_raw(o->json, a);
			else
				ctl_json_null(o->json);
			ctl_json_key(o->json, "there");
			if (b != NULL)
				ctl_json_raw(o->json, b);
			else
				ctl_json_null(o->json);
			ctl_json_object_end(o->json);
		} else {
			fprintf(o->out, "  %s: %s in %s, %s in %s\n", key, or_absent(a), o->here,
				or_absent(b), o->there);
		}
	}
	if (rc != SQLITE_DONE)
		ctl_error("diff: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Reports zones whose serial or digest differ (or that one side does not serve). */
static int zones_diff(sqlite3 *db, const char *here, const char *there, diff_out_t *o)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, zones_diff_sql, -1, &stmt, NULL) != SQLITE_OK) {
		ctl_error("diff: %s", sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, here, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, there, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *origin = (const char *)sqlite3_column_text(stmt, 0);
		bool has_a = sqlite3_column_type(stmt, 1) != SQLITE_NULL;
		bool has_b = sqlite3_column_type(stmt, 3) != SQLITE_NULL;
		long long sa = sqlite3_column_int64(stmt, 1), sb = sqlite3_column_int64(stmt, 3);
		const char *da = (const char *)sqlite3_column_text(stmt, 2);
		const char *db_ = (const char *)sqlite3_column_text(stmt, 4);

		o->count++;
		if (o->json != NULL) {
			ctl_json_object_begin(o->json);
			ctl_json_kv_string(o->json, "origin", origin);
			for (int side = 0; side < 2; side++) {
				bool has = side == 0 ? has_a : has_b;

				ctl_json_key(o->json, side == 0 ? "here" : "there");
				if (!has) {
					ctl_json_null(o->json);
					continue;
				}
				ctl_json_object_begin(o->json);
				ctl_json_kv_int(o->json, "serial", side == 0 ? sa : sb);
				ctl_json_kv_string(o->json, "digest", side == 0 ? da : db_);
				ctl_json_object_end(o->json);
			}
			ctl_json_object_end(o->json);
		} else if (!has_a || !has_b) {
			fprintf(o->out, "  zone %s: served in %s only\n", origin,
				has_a ? o->here : o->there);
		} else if (sa != sb) {
			fprintf(o->out, "  zone %s: serial %lld in %s, %lld in %s\n", origin, sa,
				o->here, sb, o->there);
		} else {
			fprintf(o->out,
				"  zone %s: serial %lld in both, but other records (digest %.12s in "
				"%s, %.12s in %s)\n",
				origin, sa, da ? da : "", o->here, db_ ? db_ : "", o->there);
		}
	}
	if (rc != SQLITE_DONE)
		ctl_error("diff: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static bool geoip_differs(const state_deployment_t *a, const state_deployment_t *b)
{
	return strcmp(a->geoip_type, b->geoip_type) != 0 || a->geoip_epoch != b->geoip_epoch ||
	       strcmp(a->geoip_digest, b->geoip_digest) != 0;
}

static void geoip_side_json(ctl_json_t *j, const char *key, const state_deployment_t *d)
{
	ctl_json_key(j, key);
	if (d->geoip_digest[0] == '\0') {
		ctl_json_null(j);
		return;
	}
	ctl_json_object_begin(j);
	ctl_json_kv_string(j, "type", d->geoip_type);
	ctl_json_kv_int(j, "build_epoch", d->geoip_epoch);
	ctl_json_kv_string(j, "digest", d->geoip_digest);
	ctl_json_object_end(j);
}

static const char *geoip_text(const state_deployment_t *d, char *buf, size_t len)
{
	char built[32];

	if (d->geoip_digest[0] == '\0')
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%.100s built %s, digest %.12s", d->geoip_type,
			 timefmt_iso(d->geoip_epoch * 1000, built, sizeof(built)), d->geoip_digest);
	return buf;
}

/* Compares one component's rows a (here) and b (there); returns differences or -1. */
static int compare_rows(sqlite3 *db, const state_deployment_t *a, const state_deployment_t *b,
			diff_out_t *o)
{
	size_t before = o->count;
	char ga[320], gb[320];

	if (o->json != NULL) {
		ctl_json_object_begin(o->json);
		ctl_json_kv_string(o->json, "component", a->component);
		ctl_json_kv_string(o->json, "config_digest_here", a->config_digest);
		ctl_json_kv_string(o->json, "config_digest_there", b->config_digest);
		ctl_json_key(o->json, "config");
		ctl_json_array_begin(o->json);
	} else {
		fprintf(o->out, "%s: ", a->component);
		if (strcmp(a->config_digest, b->config_digest) == 0 &&
		    strcmp(a->zones, b->zones) == 0 && !geoip_differs(a, b) &&
		    strcmp(a->version, b->version) == 0) {
			fprintf(o->out, "the same (config %.12s)\n", a->config_digest);
			return 0;
		}
		fprintf(o->out, "config %.12s in %s, %.12s in %s\n", a->config_digest, o->here,
			b->config_digest, o->there);
	}
	if (strcmp(a->config_digest, b->config_digest) != 0) {
		size_t keys = o->count;

		if (config_diff(db, a->config, b->config, o) < 0)
			return -1;
		if (o->count == keys) {
			/* digests differ but the texts read the same: another canonical form */
			o->count++;
			if (o->out != NULL)
				fprintf(o->out, "  (no key differs: the digests come from different "
						"program versions)\n");
		}
	}
	if (o->json != NULL) {
		ctl_json_array_end(o->json);
		ctl_json_key(o->json, "zones");
		ctl_json_array_begin(o->json);
	}
	if (zones_diff(db, a->zones, b->zones, o) < 0)
		return -1;
	if (o->json != NULL) {
		ctl_json_array_end(o->json);
		ctl_json_key(o->json, "geoip");
		if (geoip_differs(a, b)) {
			ctl_json_object_begin(o->json);
			geoip_side_json(o->json, "here", a);
			geoip_side_json(o->json, "there", b);
			ctl_json_object_end(o->json);
		} else {
			ctl_json_null(o->json);
		}
		ctl_json_key(o->json, "version");
		if (strcmp(a->version, b->version) != 0) {
			ctl_json_object_begin(o->json);
			ctl_json_kv_string(o->json, "here", a->version);
			ctl_json_kv_string(o->json, "there", b->version);
			ctl_json_object_end(o->json);
		} else {
			ctl_json_null(o->json);
		}
		ctl_json_object_end(o->json);
	}
	if (geoip_differs(a, b)) {
		o->count++;
		if (o->out != NULL)
			fprintf(o->out, "  geoip: %s in %s, %s in %s\n", geoip_text(a, ga, sizeof(ga)),
				o->here, geoip_text(b, gb, sizeof(gb)), o->there);
	}
	if (strcmp(a->version, b->version) != 0) {
		o->count++;
		if (o->out != NULL)
			fprintf(o->out, "  version: %s in %s, %s in %s\n", a->version, o->here,
				b->version, o->there);
	}
	return (int)(o->count - before);
}

static const state_deployment_t *row_find(const ctl_drift_t *d, const char *region,
					  const char *component)
{
	for (size_t i = 0; i < d->dep_count; i++)
		if (strcmp(d->deps[i].region, region) == 0 &&
		    strcmp(d->deps[i].component, component) == 0)
			return &d->deps[i];
	return NULL;
}

/* "a, b, c": the regions with rows, for messages. */
static void regions_known(const ctl_drift_t *d, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->dep_count && used < len; i++)
		if (i == 0 || strcmp(d->deps[i].region, d->deps[i - 1].region) != 0)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 d->deps[i].region);
}

int ctl_diff_run(const ctl_args_t *args, const conf_t *conf)
{
	const char *region = args->positional[0];
	diff_out_t o = {.out = args->json ? NULL : stdout, .here = conf->region, .there = region};
	ctl_json_t j;
	ctl_drift_t d;
	size_t compared = 0;
	int rc = CTL_EXIT_OK;
	state_t *st;
	char known[512];

	st = ctl_state_open(conf, false);
	if (st == NULL)
		return CTL_EXIT_FAIL;
	ctl_drift_load(st, conf, &d);
	if (d.problem[0] != '\0') {
		ctl_error("diff: cannot read deployments: %s", d.problem);
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	regions_known(&d, known, sizeof(known));
	if (row_find(&d, region, "dnsd") == NULL && row_find(&d, region, "healthcheck") == NULL &&
	    row_find(&d, region, "replicator") == NULL) {
		ctl_error("diff: no deployment recorded for region \"%s\" (known: %s)", region,
			  known[0] ? known : "none");
		ctl_drift_free(&d);
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	if (args->json) {
		o.json = &j;
		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "region", conf->region);
		ctl_json_kv_string(&j, "other", region);
		ctl_json_key(&j, "components");
		ctl_json_array_begin(&j);
	} else {
		printf("%s (here) against %s:\n", conf->region, region);
	}
	for (size_t i = 0; i < d.dep_count && rc == CTL_EXIT_OK; i++) {
		const state_deployment_t *mine = &d.deps[i], *theirs;

		if (strcmp(mine->region, conf->region) != 0)
			continue;
		theirs = row_find(&d, region, mine->component);
		if (theirs == NULL)
			continue;
		compared++;
		if (compare_rows(state_db(st), mine, theirs, &o) < 0)
			rc = CTL_EXIT_FAIL;
	}
	if (args->json) {
		ctl_json_array_end(&j);
		ctl_json_kv_bool(&j, "differs", o.count > 0);
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
	} else if (compared == 0) {
		printf("no component runs in both regions\n");
	}
	ctl_drift_free(&d);
	state_close(st);
	if (rc != CTL_EXIT_OK)
		return rc;
	return o.count > 0 ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

/* An invalid candidate: what (config, zones) and every error line, on stderr, or as
 * {"candidate", "ok": false, "errors": [...]} with --json. */
static void candidate_invalid(bool json, const char *candidate, const char *what, char *errors)
{
	if (json) {
		ctl_json_t j;

		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "candidate", candidate);
		ctl_json_kv_bool(&j, "ok", false);
		ctl_json_key(&j, "errors");
		ctl_json_array_begin(&j);
		for (char *line = errors, *next; line != NULL && *line != '\0'; line = next) {
			next = strchr(line, '\n');
			if (next != NULL)
				*next++ = '\0';
			ctl_json_string(&j, line);
		}
		ctl_json_array_end(&j);
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
		return;
	}
	ctl_error("%s: %s invalid:", candidate, what);
	fprintf(stderr, "%s", errors != NULL ? errors : "out of memory\n");
	if (errors != NULL && errors[0] != '\0' && errors[strlen(errors) - 1] != '\n')
		fputc('\n', stderr);
}

/* The candidate as a deployment row: its canonical config, and its GeoIP file when one
 * is configured and readable. Zones are not loaded here: the zone loader is
 * meridian-dnsd's (docs/architecture.md: programs never include each other), and
 * `meridian-dnsd -t` checks them; each region's own zones stand in for the candidate's. */
static int candidate_row(const conf_t *cand, state_deployment_t *row, bool *has_geo)
{
	char err[512];
	geo_ident_t geo;

	*has_geo = false;
	if (state_deployment_init(row, cand->region, "candidate", conf_canonical_json(cand), err,
				  sizeof(err)) < 0) {
		ctl_error("check: %s", err);
		return -1;
	}
	if (cand->geoip_path != NULL && geo_ident_read(cand->geoip_path, &geo, err, sizeof(err)) == 0) {
		snprintf(row->geoip_type, sizeof(row->geoip_type), "%s", geo.type);
		row->geoip_epoch = geo.build_epoch;
		snprintf(row->geoip_digest, sizeof(row->geoip_digest), "%s", geo.digest);
		*has_geo = true;
	}
	return 0;
}

int ctl_check_candidate_run(const ctl_args_t *args, const char *candidate)
{
	char *errors = NULL;
	conf_t *cand = conf_load(candidate, &errors), *running;
	state_deployment_t row;
	ctl_drift_t d;
	diff_out_t o = {.out = args->json ? NULL : stdout, .here = "candidate"};
	ctl_json_t j;
	state_t *st;
	bool has_geo;
	int rc = CTL_EXIT_OK;

	if (cand == NULL) {
		candidate_invalid(args->json, candidate, "config", errors);
		free(errors);
		return CTL_EXIT_FAIL;
	}
	free(errors);
	errors = NULL;
	/* The store is the running config's (-c); the candidate may live anywhere. */
	running = conf_load(args->config_path, &errors);
	free(errors);
	if (running == NULL) {
		ctl_error("%s: cannot load the running config to find the state store",
			  args->config_path);
		conf_free(cand);
		return CTL_EXIT_FAIL;
	}
	st = ctl_state_open(running, false);
	if (st == NULL || candidate_row(cand, &row, &has_geo) < 0) {
		state_close(st);
		conf_free(running);
		conf_free(cand);
		return CTL_EXIT_FAIL;
	}
	ctl_drift_load(st, running, &d);
	if (args->json) {
		o.json = &j;
		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "candidate", candidate);
		ctl_json_kv_bool(&j, "ok", true);
		ctl_json_kv_string(&j, "config_digest", row.config_digest);
		ctl_json_key(&j, "regions");
		ctl_json_array_begin(&j);
	} else {
		printf("%s: ok, config %.12s; against what each region runs:\n", candidate,
		       row.config_digest);
	}
	for (size_t i = 0; i < d.dep_count && rc == CTL_EXIT_OK; i++) {
		state_deployment_t *theirs = &d.deps[i];
		char *zones = row.zones;

		/* one line per region: its dnsd when it has one, else its first component */
		if (i > 0 && strcmp(theirs->region, d.deps[i - 1].region) == 0)
			continue;
		for (size_t k = i; k < d.dep_count && strcmp(d.deps[k].region, theirs->region) == 0; k++)
			if (strcmp(d.deps[k].component, "dnsd") == 0)
				theirs = &d.deps[k];
		/* what the candidate does not know is taken as the region's own */
		row.zones = theirs->zones;
		if (!has_geo) {
			snprintf(row.geoip_type, sizeof(row.geoip_type), "%s", theirs->geoip_type);
			row.geoip_epoch = theirs->geoip_epoch;
			snprintf(row.geoip_digest, sizeof(row.geoip_digest), "%s", theirs->geoip_digest);
		}
		snprintf(row.version, sizeof(row.version), "%s", theirs->version);
		snprintf(row.component, sizeof(row.component), "%s", theirs->component);
		o.there = theirs->region;
		if (o.json != NULL) {
			ctl_json_object_begin(&j);
			ctl_json_kv_string(&j, "region", theirs->region);
			ctl_json_key(&j, "differences");
			ctl_json_array_begin(&j);
		} else {
			printf("region %s ", theirs->region);
		}
		if (compare_rows(state_db(st), &row, theirs, &o) < 0)
			rc = CTL_EXIT_FAIL;
		if (o.json != NULL) {
			ctl_json_array_end(&j);
			ctl_json_object_end(&j);
		}
		row.zones = zones;
	}
	if (args->json) {
		ctl_json_array_end(&j);
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
	} else if (d.dep_count == 0) {
		printf("no region has recorded a deployment yet%s%s%s\n",
		       d.problem[0] ? " (" : "", d.problem, d.problem[0] ? ")" : "");
	}
	state_deployment_clear(&row);
	ctl_drift_free(&d);
	state_close(st);
	conf_free(running);
	conf_free(cand);
	return rc;
}
