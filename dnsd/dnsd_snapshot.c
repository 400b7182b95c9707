/* SPDX-License-Identifier: MIT */
/* dnsd_snapshot.c -- building, publishing and retiring answer snapshots */
#include "config.h"
#include "dnsd/dnsd_snapshot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <urcu-qsbr.h>

#include "base/log.h"
#include "bridge/bridge_state.h"
#include "dnsd/dnsd_geodb.h"
#include "dnsd/dnsd_zone.h"
#include "geo/geo_pick_conf.h"

dnsd_snapshot_t *dnsd_snapshot_current;

/* Everything derived from one config: lives until the last snapshot using it is freed. */
struct dnsd_zoneset {
	int refs;		    /* snapshots + the control thread's own reference */
	conf_t *conf;		    /* owned */
	dnsd_zones_t *zones;	    /* owned; NULL when the config has no zones */
	geo_pick_tables_t pick;	    /* the records and datacenters' addresses the answer
				     * path's geo_pick() reads; its dcs are the template
				     * each snapshot copies and sets the state of */
	state_params_t *state_params; /* owned; what the verdicts read of conf (borrows it) */
};

static char *errors_printf(const char *fmt, ...) M_PRINTF(1, 2);
static char *errors_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *out = NULL;
	if (vasprintf(&out, fmt, ap) < 0)
		out = NULL;
	va_end(ap);
	return out;
}

/* The zone loader's "records: NAME: ..." lines are about the config file, which it does
 * not know: name it, as every other config error does. Zone file lines already start
 * with their file. Returns the new text (the old one freed), or the old one when out
 * of memory. */
static char *errors_name_config(char *errors, const char *path)
{
	static const char tag[] = "records: ";
	size_t tags = 0;
	for (const char *p = errors; p != NULL && *p != '\0';) {
		tags += strncmp(p, tag, sizeof(tag) - 1) == 0;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (tags == 0)
		return errors;
	size_t plen = strlen(path) + 2;
	char *out = malloc(strlen(errors) + tags * plen + 1);
	if (out == NULL)
		return errors;
	char *o = out;
	for (const char *p = errors; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (strncmp(p, tag, sizeof(tag) - 1) == 0)
			o += sprintf(o, "%s: ", path);
		memcpy(o, p, len);
		o += len;
		p += len;
	}
	*o = '\0';
	free(errors);
	return out;
}

const conf_t *dnsd_zoneset_conf(const dnsd_zoneset_t *zs)
{
	return zs->conf;
}

const state_params_t *dnsd_zoneset_state_params(const dnsd_zoneset_t *zs)
{
	return zs->state_params;
}

const dnsd_zones_t *dnsd_zoneset_zones(const dnsd_zoneset_t *zs)
{
	return zs->zones;
}

void dnsd_zoneset_unref(dnsd_zoneset_t *zs)
{
	if (zs == NULL || --zs->refs > 0)
		return;
	dnsd_zones_free(zs->zones);
	geo_pick_tables_free(&zs->pick);
	bridge_state_params_free(zs->state_params);
	conf_free(zs->conf);
	free(zs);
}

dnsd_zoneset_t *dnsd_zoneset_load(conf_t *conf, char **errors)
{
	*errors = NULL;
	dnsd_zoneset_t *zs = calloc(1, sizeof(*zs));
	if (zs == NULL) {
		conf_free(conf);
		*errors = errors_printf("out of memory");
		return NULL;
	}
	zs->refs = 1;
	zs->conf = conf;
	if (conf->datacenter_count > UINT16_MAX) {
		*errors = errors_printf("%s: too many datacenters (%zu)", conf->path,
					conf->datacenter_count);
		goto fail;
	}
	if (conf->dns.zone_count > 0 || conf->record_count > 0) {
		zs->zones = dnsd_zones_load_at(conf->dns.zones, conf->dns.zone_count,
					       conf->records, conf->record_count, conf->datacenters,
					       conf->datacenter_count, time(NULL), errors);
		if (zs->zones == NULL) {
			if (*errors == NULL)
				*errors = errors_printf("%s: zones failed to load", conf->path);
			else
				*errors = errors_name_config(*errors, conf->path);
			goto fail;
		}
	}
	zs->state_params = bridge_state_params_new(conf);
	if (zs->state_params == NULL) {
		*errors = errors_printf("out of memory");
		goto fail;
	}
	char err[256];
	if (geo_pick_tables_build(conf, &zs->pick, err, sizeof(err)) < 0) {
		*errors = errors_printf("%s: %s", conf->path, err);
		goto fail;
	}
	return zs;
fail:
	dnsd_zoneset_unref(zs);
	return NULL;
}

/* A verdict's time to change as the pick reads it: whole seconds, rounded up. */
static void dcs_transition(geo_pick_dc_t *d, const state_verdict_t *v)
{
	d->in_transition = v->in_transition;
	d->change_in_s = v->in_transition ? (uint32_t)((v->change_in_ms + 999) / 1000) : 0;
}

/* Per-address serving flags of the datacenters with address checks, laid out like the
 * pick's A and AAAA arrays (state_verdict_family_masks). 0, or -1 out of memory. */
static int address_flags(dnsd_snapshot_t *s, const conf_t *c, const state_verdict_t *v)
{
	size_t n = 0;
	for (size_t i = 0; i < c->datacenter_count; i++)
		if (c->datacenters[i].address_check_count > 0)
			n += c->datacenters[i].address_count;
	if (n == 0)
		return 0;
	s->address_flags = calloc(n, 1);
	if (s->address_flags == NULL)
		return -1;
	uint8_t *p = s->address_flags;
	for (size_t i = 0; i < c->datacenter_count; i++) {
		const conf_datacenter_t *d = &c->datacenters[i];
		uint64_t masks[2];
		if (d->address_check_count == 0)
			continue;
		state_verdict_family_masks(d->addresses, d->address_count, &v[i], masks);
		geo_pick_dc_t *g = &s->dcs[i];
		for (unsigned j = 0; j < g->a_count; j++)
			p[j] = j >= 64 || ((masks[0] >> j) & 1);
		for (unsigned j = 0; j < g->aaaa_count; j++)
			p[g->a_count + j] = j >= 64 || ((masks[1] >> j) & 1);
		g->a_serving = g->a_count ? p : NULL;
		g->aaaa_serving = g->aaaa_count ? p + g->a_count : NULL;
		p += g->a_count + g->aaaa_count;
	}
	return 0;
}

dnsd_snapshot_t *dnsd_snapshot_build(dnsd_zoneset_t *zs, dnsd_geodb_t *db,
				     const state_verdict_t *verdicts)
{
	const conf_t *c = zs->conf;
	dnsd_snapshot_t *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	size_t ndc = c->datacenter_count;
	s->dcs = calloc(ndc ? ndc : 1, sizeof(*s->dcs));
	if (s->dcs == NULL)
		goto fail;
	if (verdicts != NULL && ndc > 0) {
		s->verdicts = malloc(ndc * sizeof(*s->verdicts));
		if (s->verdicts == NULL)
			goto fail;
		memcpy(s->verdicts, verdicts, ndc * sizeof(*s->verdicts));
	}
	for (size_t i = 0; i < ndc; i++) {
		s->dcs[i] = zs->pick.dcs[i];
		s->dcs[i].serving = verdicts == NULL || verdicts[i].serving;
		s->dcs[i].fail_open_rank =
		    verdicts == NULL ? 0 : (uint8_t)state_verdict_fail_open_rank(&verdicts[i]);
		s->dcs[i].state = verdicts == NULL ? 0 : (uint8_t)verdicts[i].effective;
		if (verdicts != NULL)
			dcs_transition(&s->dcs[i], &verdicts[i]);
	}
	if (verdicts != NULL && address_flags(s, c, verdicts) < 0)
		goto fail;
	zs->refs++;
	s->zoneset = zs;
	s->conf = c;
	if (db != NULL)
		dnsd_geodb_ref(db);
	s->geodb = db;

	s->geo.records = zs->pick.records;
	s->geo.record_count = c->record_count;
	s->geo.dcs = s->dcs;
	s->geo.dc_count = ndc;
	dnsd_geodb_view(db, &s->geo.lookup, &s->geo.lookup_ctx);

	s->answer.zones = zs->zones;
	s->answer.geo = c->record_count > 0 ? &s->geo : NULL;
	if (c->dns.nsid != NULL) {
		size_t len = strlen(c->dns.nsid);
		s->answer.nsid = (const uint8_t *)c->dns.nsid;
		s->answer.nsid_len = (uint16_t)(len > 512 ? 512 : len);
	}
	s->answer.identity = c->dns.identity != NULL ? c->dns.identity : c->region;
	s->answer.version = c->dns.version;
	s->answer.udp_payload = (uint16_t)c->dns.udp_payload;
	s->answer.cookies = c->dns.cookies.enabled;
	dnsd_answer_ctx_init(&s->answer);
	return s;
fail:
	free(s->dcs);
	free(s->verdicts);
	free(s->address_flags);
	free(s);
	return NULL;
}

void dnsd_snapshot_free(dnsd_snapshot_t *s)
{
	if (s == NULL)
		return;
	dnsd_zoneset_unref(s->zoneset);
	dnsd_geodb_unref(s->geodb);
	if (s->reweighted != NULL)
		geo_pick_tables_free(s->reweighted);
	free(s->reweighted);
	free(s->reweights);
	free(s->dcs);
	free(s->verdicts);
	free(s->address_flags);
	free(s);
}

int dnsd_snapshot_reweigh(dnsd_snapshot_t *snap, const geo_pick_reweight_t *rw, size_t n)
{
	char err[128];

	if (n == 0)
		return 0;
	snap->reweights = malloc(n * sizeof(*rw));
	snap->reweighted = calloc(1, sizeof(*snap->reweighted));
	if (snap->reweights == NULL || snap->reweighted == NULL ||
	    geo_pick_tables_build_with(snap->conf, rw, n, snap->reweighted, err, sizeof(err)) < 0) {
		free(snap->reweights);
		free(snap->reweighted);
		snap->reweights = NULL;
		snap->reweighted = NULL;
		return -1;
	}
	memcpy(snap->reweights, rw, n * sizeof(*rw));
	snap->reweight_count = n;
	/* Only the records (their splits) change: datacenters stay the snapshot's own. */
	snap->geo.records = snap->reweighted->records;
	return 0;
}

void dnsd_snapshot_publish(dnsd_snapshot_t *snap)
{
	dnsd_snapshot_t *old = rcu_xchg_pointer(&dnsd_snapshot_current, snap);
	if (old == NULL)
		return;
	/* After this, no reader can still be inside a batch that saw old. */
	synchronize_rcu();
	dnsd_snapshot_free(old);
}

bool dnsd_snapshot_same_serving(const dnsd_snapshot_t *snap, const state_verdict_t *verdicts)
{
	for (size_t i = 0; i < snap->geo.dc_count; i++) {
		bool serving = verdicts == NULL || verdicts[i].serving;
		if (snap->dcs[i].serving != serving)
			return false;
		if (verdicts == NULL)
			continue;
		/* what answers read besides serving: the addresses, the time to change (in
		 * whole seconds, so a transition republishes at most once a second) */
		geo_pick_dc_t t = snap->dcs[i];
		dcs_transition(&t, &verdicts[i]);
		if (t.in_transition != snap->dcs[i].in_transition ||
		    t.change_in_s != snap->dcs[i].change_in_s ||
		    snap->verdicts == NULL ||
		    snap->verdicts[i].address_serving != verdicts[i].address_serving)
			return false;
	}
	return true;
}
