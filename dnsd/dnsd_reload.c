/* SPDX-License-Identifier: MIT */
/* dnsd_reload.c -- the control side: load, reload on SIGHUP, follow state.db and the geo DB */
#include "config.h"
#include "dnsd/dnsd_reload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "dnsd/dnsd_deploy.h"
#include "dnsd/dnsd_snapshot.h"
#include "dnsd/dnsd_geodb.h"
#include "dnsd/dnsd_zone.h"
#include "state/state.h"
#include "state/state_load.h"
#include "state/state_weight.h"
#include "state/state_verdict.h"

/* State re-evaluated at least this often, so override expiry and observation staleness
 * take effect without any write to state.db. */
#define RELOAD_REEVALUATE_MS 1000
/* How often the geo DB file is looked at. */
#define RELOAD_RETRY_MS 1000
/* How often a state.db that exists but does not open (e.g. created a moment ago, its
 * schema not yet committed) is tried again. */
#define RELOAD_STATE_RETRY_MS 100
/* How often signing again is tried when it is due but failed (a broken config on disk). */
#define RELOAD_RESIGN_RETRY_MS 5000

struct dnsd_reload {
	char *path;		    /* the config file, as given on the command line */
	dnsd_zoneset_t *zoneset;    /* current config + zones (own reference) */
	dnsd_geodb_t *geodb;	    /* current geo DB (own reference), NULL without records */
	struct stat geo_seen;	    /* the geo file as last looked at (loaded or refused) */
	bool geo_seen_valid;	    /* geo_seen holds a stat result */
	state_t *state;		    /* read-only state.db connection, NULL until it exists */
	state_t *memory;	    /* writable connection that keeps the verdict memory
				     * (held verdicts, flap damping); NULL: not kept */
	int64_t data_version;	    /* last PRAGMA data_version seen */
	int64_t last_eval_ms;	    /* monotonic ms of the last verdict computation */
	int64_t last_state_try_ms;  /* monotonic ms of the last attempt to open state.db */
	int64_t last_geo_check_ms;  /* monotonic ms of the last geo file stat */
	int64_t last_resign_ms;	    /* monotonic ms of the last signing-again attempt */
	char state_problem[512];    /* last state.db problem logged, to log each once */
	state_verdict_t *verdicts;  /* scratch, one per datacenter of the current config */
	dnsd_snapshot_t *published; /* what dnsd_snapshot_current points to (ours) */
	dnsd_reload_stats_t stats;  /* what /metrics and SIGUSR1 show; this thread writes */
	bool deploy_pending;	    /* what we serve changed and is not yet in state.db */
	bool deploy_built;	    /* deploy_row describes what we serve now */
	state_deployment_t deploy_row; /* what we serve, as recorded (dnsd_deploy.h) */
	int64_t last_deploy_try_ms; /* monotonic ms of the last attempt to record it */
	int64_t deploy_retry_ms;    /* wait before the next attempt: 1 s doubling to 60 s */
	char deploy_problem[512];   /* last recording problem logged, to log each once */
	dnsd_cookie_keys_t cookies; /* the cookie secrets every snapshot gets */
};

/* Appends the lines of more to *all (both may be NULL); frees more. */
static void errors_join(char **all, char *more)
{
	if (more == NULL)
		return;
	if (*all == NULL) {
		*all = more;
		return;
	}
	char *joined = NULL;
	if (asprintf(&joined, "%s%s%s", *all, (*all)[strlen(*all) - 1] == '\n' ? "" : "\n", more) <
	    0)
		joined = NULL;
	if (joined != NULL) {
		free(*all);
		*all = joined;
	}
	free(more);
}

/* Logs each line of errors at error level, prefixed. */
static void log_lines(const char *prefix, const char *errors)
{
	const char *p = errors;
	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (len > 0)
			log_error("%s%.*s", prefix, len, p);
		p = nl ? nl + 1 : NULL;
	}
}

/* Loads config, zones and geo DB into fresh parts; all errors together. direct: the geo
 * DB in direct mode (dnsd_geodb_open_direct()), its tries compiled later. */
static int load_parts(const char *path, unsigned threads, bool direct, dnsd_zoneset_t **zs_out,
		      dnsd_geodb_t **db_out, struct stat *geo_st, bool *geo_st_valid, char **errors)
{
	*errors = NULL;
	*zs_out = NULL;
	*db_out = NULL;
	conf_t *conf = conf_load(path, errors);
	if (conf == NULL) {
		if (*errors == NULL)
			*errors = strdup("configuration failed to load");
		return -1;
	}
	*geo_st_valid = conf->geoip_path != NULL && stat(conf->geoip_path, geo_st) == 0;
	char *geo_errors = NULL;
	dnsd_geodb_t *db = direct ? dnsd_geodb_open_direct(conf, threads, &geo_errors)
				  : dnsd_geodb_load(conf, threads, &geo_errors);
	char *zone_errors = NULL;
	dnsd_zoneset_t *zs = dnsd_zoneset_load(conf, &zone_errors); /* owns conf now */
	errors_join(errors, zone_errors);
	errors_join(errors, geo_errors);
	if (zs == NULL || *errors != NULL) {
		dnsd_zoneset_unref(zs);
		dnsd_geodb_unref(db);
		if (*errors == NULL)
			*errors = strdup("out of memory");
		return -1;
	}
	*zs_out = zs;
	*db_out = db;
	return 0;
}

dnsd_reload_t *dnsd_reload_load(const char *path, bool direct, char **errors)
{
	dnsd_reload_t *r = calloc(1, sizeof(*r));
	if (r == NULL || (r->path = strdup(path)) == NULL) {
		free(r);
		*errors = strdup("out of memory");
		return NULL;
	}
	/* Nothing answers yet: a compile now may use every core. */
	if (load_parts(path, 0, direct, &r->zoneset, &r->geodb, &r->geo_seen, &r->geo_seen_valid,
		       errors) < 0) {
		dnsd_reload_free(r);
		return NULL;
	}
	const conf_t *c = dnsd_zoneset_conf(r->zoneset);
	char err[512];
	if (dnsd_cookie_keys_load(c, NULL, &r->cookies, err, sizeof(err)) != 0) {
		*errors = strdup(err);
		dnsd_reload_free(r);
		return NULL;
	}
	r->verdicts = calloc(c->datacenter_count ? c->datacenter_count : 1, sizeof(*r->verdicts));
	if (r->verdicts == NULL) {
		*errors = strdup("out of memory");
		dnsd_reload_free(r);
		return NULL;
	}
	return r;
}

const conf_t *dnsd_reload_conf(const dnsd_reload_t *r)
{
	return dnsd_zoneset_conf(r->zoneset);
}

uint32_t dnsd_reload_poll_ms(const dnsd_reload_t *r)
{
	uint32_t ms = dnsd_reload_conf(r)->health.poll_ms;
	return ms ? ms : 20;
}

/* Logs a state.db problem once per distinct message (it is retried every second). */
static void state_problem(dnsd_reload_t *r, const char *what)
{
	if (strncmp(r->state_problem, what, sizeof(r->state_problem) - 1) == 0)
		return;
	snprintf(r->state_problem, sizeof(r->state_problem), "%.*s",
		 (int)sizeof(r->state_problem) - 1, what);
	log_warn("state: %s; datacenters keep their last known state", what);
}

/* Opens state.db read-only when it exists. No file means no observations and no
 * overrides yet: every datacenter is UNKNOWN, which is served. */
static void state_try_open(dnsd_reload_t *r)
{
	const conf_t *c = dnsd_reload_conf(r);
	r->last_state_try_ms = clock_mono_ms();
	if (c->state_path == NULL || access(c->state_path, F_OK) != 0)
		return;
	char err[256];
	r->state = state_open_readonly(c->state_path, err, sizeof(err));
	if (r->state == NULL && errno == ENOENT)
		return; /* no schema yet: as good as no file, a writer creates it */
	if (r->state == NULL) {
		state_problem(r, err);
		return;
	}
	r->data_version = -1;
	r->state_problem[0] = '\0';
	log_info("state: following %s", c->state_path);
	/* The verdict memory needs a writer; without one verdicts are still right for the
	 * instant, but nothing is held and nothing damped. */
	r->memory = state_open(c->state_path, c->region, err, sizeof(err));
	if (r->memory == NULL)
		log_warn("state: verdict memory not kept (held verdicts, flap damping): %s", err);
	else /* a busy store delays the memory, never a new snapshot (state_verdict_update) */
		sqlite3_busy_timeout(state_db(r->memory), 50);
}

/* Records what we serve (dnsd_deploy.h): the row is built once per change (digests of
 * the config, zones and GeoIP file), then written right away, and again while state.db
 * is missing (every RELOAD_RETRY_MS) or refuses the write (backing off to a minute). */
static void deploy_try(dnsd_reload_t *r)
{
	char err[512];
	const conf_t *c = dnsd_reload_conf(r);
	r->last_deploy_try_ms = clock_mono_ms();
	r->deploy_pending = true;
	if (!r->deploy_built) {
		if (dnsd_deploy_build(c, dnsd_zoneset_zones(r->zoneset),
				      r->geodb != NULL ? dnsd_geodb_path(r->geodb) : NULL,
				      &r->deploy_row, err, sizeof(err)) < 0) {
			/* nothing to record until what we serve changes again */
			r->deploy_pending = false;
			log_warn("deployment: cannot describe what this region serves: %s", err);
			return;
		}
		r->deploy_built = true;
		r->deploy_retry_ms = RELOAD_RETRY_MS;
	}
	int rc = dnsd_deploy_write(c, &r->deploy_row, err, sizeof(err));
	if (rc == 0) {
		r->deploy_pending = false;
		r->deploy_problem[0] = '\0';
		log_debug("deployment: recorded in %s", c->state_path);
	} else if (rc < 0) {
		if (strcmp(err, r->deploy_problem) != 0) {
			snprintf(r->deploy_problem, sizeof(r->deploy_problem), "%s", err);
			log_warn("deployment: cannot record what this region serves: %s; retrying",
				 err);
		}
		if (r->deploy_retry_ms < 60000)
			r->deploy_retry_ms *= 2;
	}
}

/* What we serve changed: describe and record it anew. */
static void deploy_changed(dnsd_reload_t *r)
{
	state_deployment_clear(&r->deploy_row);
	r->deploy_built = false;
	deploy_try(r);
}

/* Verdicts for the current config into r->verdicts; NULL when there is no state yet
 * (every datacenter UNKNOWN) or it cannot be read (keep what is published). */
static const state_verdict_t *verdicts_compute(dnsd_reload_t *r, bool *keep)
{
	*keep = false;
	r->last_eval_ms = clock_mono_ms();
	if (r->state == NULL)
		return NULL;
	if (r->memory != NULL
		? state_verdict_update(r->memory, dnsd_zoneset_state_params(r->zoneset),
				       clock_wall_ms(), r->verdicts, NULL) < 0
		: state_verdict_load(r->state, dnsd_zoneset_state_params(r->zoneset),
				     clock_wall_ms(), r->verdicts) < 0) {
		state_problem(r, state_errmsg(r->memory != NULL ? r->memory : r->state));
		*keep = true;
		return NULL;
	}
	r->state_problem[0] = '\0';
	return r->verdicts;
}

/* Logs each datacenter whose serving status differs between the published snapshot
 * (when it has the same config) and the new verdicts, and every fail-open record. */
static void log_changes(const dnsd_reload_t *r, const dnsd_snapshot_t *old,
			const state_verdict_t *v)
{
	const conf_t *c = dnsd_reload_conf(r);
	for (size_t i = 0; i < c->datacenter_count; i++) {
		bool now = v == NULL || v[i].serving;
		bool before = true;
		if (old != NULL && old->conf == c)
			before = old->dcs[i].serving;
		else if (now)
			continue;
		if (now != before || (old != NULL && old->conf != c))
			log_info("datacenter %s: %s (%s), %s", c->datacenters[i].name,
				 v ? state_dc_state_name(v[i].effective) : "unknown",
				 v ? v[i].why : "no state yet", now ? "serving" : "not serving");
		/* checked addresses that answers start or stop leaving out */
		uint64_t was = old != NULL && old->conf == c && old->verdicts != NULL
				   ? old->verdicts[i].address_serving
				   : UINT64_MAX;
		uint64_t is = v != NULL ? v[i].address_serving : UINT64_MAX;
		for (size_t k = 0; k < c->datacenters[i].address_count && k < 64; k++) {
			uint64_t bit = UINT64_C(1) << k;
			char text[INET6_ADDRSTRLEN];
			const conf_ipaddr_t *a = &c->datacenters[i].addresses[k];
			if (v == NULL || !(v[i].address_checked & bit) || ((was ^ is) & bit) == 0 ||
			    inet_ntop(a->family, a->bytes, text, sizeof(text)) == NULL)
				continue;
			log_info("datacenter %s: address %s %s", c->datacenters[i].name, text,
				 is & bit ? "serving again" : "not serving (left out of answers)");
		}
	}
	for (size_t i = 0; i < c->record_count; i++) {
		const conf_record_t *rec = &c->records[i];
		bool any = false;
		for (size_t k = 0; k < rec->datacenter_count && !any; k++)
			any = v == NULL || v[rec->datacenters[k]].serving;
		if (!any)
			log_warn(
			    "record %s: no candidate datacenter is serving; answering as if all "
			    "were (fail open)",
			    rec->name);
	}
}

/* The live loads the pick takes now (state_load_for_pick, as explain and status take
 * them) into dcs[0..n): none without a store, or when it cannot be read. */
static void loads_read(dnsd_reload_t *r, geo_pick_dc_t *dcs, size_t n)
{
	const conf_t *c = dnsd_reload_conf(r);
	state_load_t *loads = NULL;
	size_t count = 0;
	int64_t now = clock_wall_ms();

	if (r->state != NULL && state_loads_list(r->state, &loads, &count) < 0)
		count = 0; /* a schema without loads, or busy: no load known */
	for (size_t i = 0; i < n && i < c->datacenter_count; i++) {
		dcs[i].load = 0;
		dcs[i].has_load = state_load_for_pick(dnsd_zoneset_state_params(r->zoneset), i,
						      loads, count, now, &dcs[i].load);
	}
	free(loads);
}

/* Do the loads the pick would take now differ from the published snapshot's? */
static bool loads_changed(dnsd_reload_t *r)
{
	const dnsd_snapshot_t *p = r->published;
	size_t n = p != NULL ? p->geo.dc_count : 0;
	bool changed = false;

	if (p == NULL || p->conf != dnsd_reload_conf(r) || n == 0)
		return false;
	geo_pick_dc_t *now = calloc(n, sizeof(*now));
	if (now == NULL)
		return false;
	loads_read(r, now, n);
	for (size_t i = 0; i < n && !changed; i++)
		changed = now[i].has_load != p->dcs[i].has_load ||
			  (now[i].has_load && now[i].load != p->dcs[i].load);
	free(now);
	return changed;
}

/* The run-time weights in effect now that this config's splits take (as meridianctl's
 * view takes them: ctl_state.c), into *out (malloc'd, NULL when none). Without a store,
 * or when it cannot be read, none. */
static size_t weights_read(dnsd_reload_t *r, geo_pick_reweight_t **out)
{
	const conf_t *c = dnsd_reload_conf(r);
	state_weight_t *w = NULL;
	size_t count = 0, n = 0;
	int64_t now = clock_wall_ms();

	*out = NULL;
	if (r->state == NULL || state_weights_list(r->state, &w, &count) < 0 || count == 0) {
		free(w);
		return 0;
	}
	*out = calloc(count, sizeof(**out));
	for (size_t i = 0; *out != NULL && i < count; i++)
		if (state_weight_active(&w[i], now) &&
		    geo_pick_reweight_resolve(c, w[i].target, w[i].datacenter, w[i].weight,
					      &(*out)[n]) == 0)
			n++;
	free(w);
	if (n == 0) {
		free(*out);
		*out = NULL;
	}
	return n;
}

/* Do the run-time weights in effect differ from the published snapshot's? */
static bool weights_changed(dnsd_reload_t *r)
{
	const dnsd_snapshot_t *p = r->published;
	geo_pick_reweight_t *now;
	size_t n;
	bool changed;

	if (p == NULL || p->conf != dnsd_reload_conf(r))
		return false;
	n = weights_read(r, &now);
	/* Both are built in the store's order (target, datacenter): equal sets compare
	 * equal element by element. */
	changed = n != p->reweight_count ||
		  (n > 0 && memcmp(now, p->reweights, n * sizeof(*now)) != 0);
	free(now);
	return changed;
}

/* Builds and publishes a snapshot of the current parts with verdicts v. */
static int publish(dnsd_reload_t *r, const state_verdict_t *v)
{
	dnsd_snapshot_t *snap = dnsd_snapshot_build(r->zoneset, r->geodb, v);
	if (snap == NULL) {
		log_error("snapshot: out of memory; still answering from the previous one");
		return -1;
	}
	/* Not published yet: still ours to write. */
	loads_read(r, snap->dcs, snap->geo.dc_count);
	geo_pick_reweight_t *rw;
	size_t nrw = weights_read(r, &rw);
	if (dnsd_snapshot_reweigh(snap, rw, nrw) < 0)
		log_error("snapshot: out of memory for run-time weights; answering with the "
			  "config's");
	else if (nrw > 0 && (r->published == NULL || r->published->reweight_count != nrw ||
			     memcmp(r->published->reweights, rw, nrw * sizeof(*rw)) != 0))
		log_info("run-time weights: %zu in effect", nrw);
	free(rw);
	snap->cookies = r->cookies; /* not published yet: still ours to write */
	log_changes(r, r->published, v);
	r->published = snap;
	dnsd_snapshot_publish(snap);
	r->stats.generation++;
	r->stats.published_ms = clock_wall_ms();
	return 0;
}

int dnsd_reload_start(dnsd_reload_t *r)
{
	state_try_open(r);
	bool keep;
	const state_verdict_t *v = verdicts_compute(r, &keep);
	if (r->state != NULL && state_data_version(r->state, &r->data_version) < 0)
		r->data_version = -1;
	const conf_t *c = dnsd_reload_conf(r);
	if (publish(r, v) < 0)
		return -1;
	log_info("serving %zu zones, %zu geo records, %zu datacenters from %s", c->dns.zone_count,
		 c->record_count, c->datacenter_count, r->path);
	if (dnsd_zoneset_zones(r->zoneset) != NULL)
		dnsd_zones_log_signing(dnsd_zoneset_zones(r->zoneset));
	deploy_changed(r);
	if (r->geodb != NULL && dnsd_geodb_is_direct(r->geodb))
		log_info("geoip: answering straight from %s while its tries compile",
			 dnsd_geodb_path(r->geodb));
	return 0;
}

int dnsd_reload_compile(dnsd_reload_t *r)
{
	if (r->geodb == NULL || !dnsd_geodb_is_direct(r->geodb))
		return 0;
	const conf_t *c = dnsd_reload_conf(r);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *errors = NULL;
	/* one thread: the query threads keep their cores */
	dnsd_geodb_t *db = dnsd_geodb_load(c, 1, &errors);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (db == NULL) {
		log_lines("", errors);
		log_error("geoip: %s does not compile; stopping rather than answer from a broken "
			  "file",
			  c->geoip_path);
		free(errors);
		return -1;
	}
	dnsd_geodb_unref(r->geodb);
	r->geodb = db;
	const state_verdict_t *v = r->published ? r->published->verdicts : NULL;
	if (publish(r, v) < 0)
		return 0; /* logged; the next publication takes the tries */
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	r->stats.geo_build_seconds = ms / 1e3;
	log_info("geoip: tries for %zu records of %s compiled in %.0f ms; answering from them",
		 c->record_count, dnsd_geodb_path(db), ms);
	return 0;
}

/* One line per zone that is new, gone, or has another serial after a reload. */
static void log_zone_changes(const dnsd_zoneset_t *before, const dnsd_zoneset_t *after)
{
	const conf_t *oc = dnsd_zoneset_conf(before), *nc = dnsd_zoneset_conf(after);
	const dnsd_zones_t *oz = dnsd_zoneset_zones(before), *nz = dnsd_zoneset_zones(after);
	for (size_t i = 0; i < nc->dns.zone_count; i++) {
		const char *origin = nc->dns.zones[i].origin;
		int64_t now = nz ? dnsd_zones_serial(nz, origin) : -1;
		int64_t was = oz ? dnsd_zones_serial(oz, origin) : -1;
		if (was < 0)
			log_info("zone %s: now served, serial %lld", origin, (long long)now);
		else if (now != was)
			log_info("zone %s: serial %lld (was %lld)", origin, (long long)now,
				 (long long)was);
	}
	for (size_t i = 0; i < oc->dns.zone_count; i++) {
		const char *origin = oc->dns.zones[i].origin;
		if (nz == NULL || dnsd_zones_serial(nz, origin) < 0)
			log_info("zone %s: no longer served", origin);
	}
}

int dnsd_reload_config(dnsd_reload_t *r)
{
	dnsd_zoneset_t *zs;
	dnsd_geodb_t *db;
	struct stat geo_st;
	bool geo_st_valid;
	char *errors = NULL;
	log_info("reloading %s", r->path);
	if (load_parts(r->path, 1, false, &zs, &db, &geo_st, &geo_st_valid, &errors) < 0) {
		log_lines("reload failed: ", errors);
		r->stats.reload_failures++;
		log_error("reload of %s failed; still serving the previous configuration", r->path);
		free(errors);
		return -1;
	}
	const conf_t *oldc = dnsd_reload_conf(r);
	const conf_t *newc = dnsd_zoneset_conf(zs);
	/* New secrets: from the file, or a fresh random one; the last one stays accepted. */
	dnsd_cookie_keys_t cookies;
	char cookie_err[512];
	if (dnsd_cookie_keys_load(newc, &r->cookies, &cookies, cookie_err, sizeof(cookie_err)) !=
	    0) {
		log_error("reload failed: %s", cookie_err);
		log_error("reload of %s failed; still serving the previous configuration", r->path);
		dnsd_zoneset_unref(zs);
		dnsd_geodb_unref(db);
		return -1;
	}
	log_zone_changes(r->zoneset, zs);
	state_verdict_t *verdicts =
	    calloc(newc->datacenter_count ? newc->datacenter_count : 1, sizeof(*verdicts));
	if (verdicts == NULL) {
		log_error("reload of %s failed: out of memory; still serving the previous "
			  "configuration",
			  r->path);
		dnsd_zoneset_unref(zs);
		dnsd_geodb_unref(db);
		return -1;
	}
	bool listen_same = oldc->dns.listen_count == newc->dns.listen_count;
	for (size_t i = 0; listen_same && i < newc->dns.listen_count; i++)
		listen_same = strcmp(oldc->dns.listen[i].text, newc->dns.listen[i].text) == 0;
	if (!listen_same || oldc->dns.threads != newc->dns.threads)
		log_warn("reload: dns.listen and dns.threads take effect at the next restart");
	bool state_moved = (oldc->state_path == NULL) != (newc->state_path == NULL) ||
			   (newc->state_path && strcmp(oldc->state_path, newc->state_path) != 0);

	dnsd_zoneset_unref(r->zoneset);
	dnsd_geodb_unref(r->geodb);
	free(r->verdicts);
	r->cookies = cookies;
	r->zoneset = zs;
	r->geodb = db;
	r->geo_seen = geo_st;
	r->geo_seen_valid = geo_st_valid;
	r->verdicts = verdicts;
	if (state_moved) {
		state_close(r->state);
		state_close(r->memory);
		r->state = NULL;
		r->memory = NULL;
		r->state_problem[0] = '\0';
		state_try_open(r);
	}
	bool keep;
	const state_verdict_t *v = verdicts_compute(r, &keep);
	if (keep && r->published != NULL && r->published->verdicts != NULL &&
	    r->published->geo.dc_count == newc->datacenter_count)
		v = r->published->verdicts; /* unreadable state: carry the last verdicts over */
	if (publish(r, v) < 0)
		return -1;
	r->stats.reloads++;
	log_info("reloaded %s: %zu zones, %zu geo records, %zu datacenters", r->path,
		 newc->dns.zone_count, newc->record_count, newc->datacenter_count);
	if (dnsd_zoneset_zones(zs) != NULL)
		dnsd_zones_log_signing(dnsd_zoneset_zones(zs));
	deploy_changed(r);
	return 0;
}

/* Reloads the geo DB when its file changed since we last looked; a file that fails
 * to load is refused (logged once) and the old database kept until it changes again. */
static void geo_check(dnsd_reload_t *r)
{
	const conf_t *c = dnsd_reload_conf(r);
	r->last_geo_check_ms = clock_mono_ms();
	struct stat st;
	if (c->record_count == 0 || c->geoip_path == NULL || stat(c->geoip_path, &st) != 0)
		return;
	if (r->geo_seen_valid && st.st_dev == r->geo_seen.st_dev &&
	    st.st_ino == r->geo_seen.st_ino && st.st_size == r->geo_seen.st_size &&
	    st.st_mtim.tv_sec == r->geo_seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == r->geo_seen.st_mtim.tv_nsec)
		return;
	r->geo_seen = st;
	r->geo_seen_valid = true;
	char *errors = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dnsd_geodb_t *db = dnsd_geodb_load(c, 1, &errors);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (db == NULL) {
		r->stats.geo_failures++;
		log_lines("geoip reload refused: ", errors);
		log_error("geoip: %s changed but did not load; keeping the previous database",
			  c->geoip_path);
		free(errors);
		return;
	}
	dnsd_geodb_unref(r->geodb);
	r->geodb = db;
	r->stats.geo_reloads++;
	r->stats.geo_build_seconds = (double)(t1.tv_sec - t0.tv_sec) +
				     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	const state_verdict_t *v = r->published ? r->published->verdicts : NULL;
	if (publish(r, v) == 0)
		log_info("geoip: reloaded %s", c->geoip_path);
	deploy_changed(r);
}

void dnsd_reload_tick(dnsd_reload_t *r)
{
	int64_t now = clock_mono_ms();
	/* A missing file is looked for every tick (a cheap access()), so a state.db created
	 * after start-up is followed within one poll interval; one that exists but does
	 * not open yet is retried every RELOAD_STATE_RETRY_MS. */
	if (r->state == NULL &&
	    (r->state_problem[0] == '\0' || now - r->last_state_try_ms >= RELOAD_STATE_RETRY_MS)) {
		state_try_open(r);
		if (r->state != NULL)
			r->last_eval_ms = 0; /* evaluate right away */
	}
	if (r->state != NULL) {
		int64_t version = r->data_version;
		if (state_data_version(r->state, &version) < 0)
			state_problem(r, state_errmsg(r->state));
		if (version != r->data_version || now - r->last_eval_ms >= RELOAD_REEVALUATE_MS) {
			r->data_version = version;
			bool keep;
			const state_verdict_t *v = verdicts_compute(r, &keep);
			if (!keep &&
			    (r->published == NULL || !dnsd_snapshot_same_serving(r->published, v) ||
			     loads_changed(r) || weights_changed(r)))
				(void)publish(r, v);
		}
	}
	if (now - r->last_geo_check_ms >= RELOAD_RETRY_MS)
		geo_check(r);
	if (r->deploy_pending && now - r->last_deploy_try_ms >= r->deploy_retry_ms)
		deploy_try(r);
	/* Signatures made at load are renewed before they expire: zones are loaded and
	 * signed again off the query path, as SIGHUP does, and the old snapshot answers
	 * until the new one is published. */
	const dnsd_zones_t *zones = r->zoneset ? dnsd_zoneset_zones(r->zoneset) : NULL;
	time_t refresh = zones ? dnsd_zones_refresh_at(zones) : 0;
	if (refresh != 0 && time(NULL) >= refresh &&
	    (r->last_resign_ms == 0 || now - r->last_resign_ms >= RELOAD_RESIGN_RETRY_MS)) {
		r->last_resign_ms = now;
		log_info("zone signatures are due for renewal");
		(void)dnsd_reload_config(r);
	}
}

void dnsd_reload_stats(const dnsd_reload_t *r, dnsd_reload_stats_t *out)
{
	*out = r->stats;
	out->geo_bytes = r->geo_seen_valid ? (uint64_t)r->geo_seen.st_size : 0;
}

bool dnsd_reload_serving(const dnsd_reload_t *r, size_t dc, const char **state)
{
	const state_verdict_t *v = r->published ? r->published->verdicts : NULL;
	const dnsd_snapshot_t *p = r->published;
	bool known = p != NULL && p->dcs != NULL && dc < p->conf->datacenter_count;
	*state = v && known ? state_dc_state_name(v[dc].effective) : "unknown";
	return !known || p->dcs[dc].serving;
}

void dnsd_reload_free(dnsd_reload_t *r)
{
	if (r == NULL)
		return;
	if (r->published != NULL)
		dnsd_snapshot_publish(NULL);
	state_close(r->state);
	state_deployment_clear(&r->deploy_row);
	state_close(r->memory);
	dnsd_zoneset_unref(r->zoneset);
	dnsd_geodb_unref(r->geodb);
	free(r->verdicts);
	free(r->path);
	free(r);
}
