/* SPDX-License-Identifier: MIT */
/* hc_status.c -- the status thread: this region's effective state, written for status pages */
#include "config.h"

#include "healthcheck/hc_status.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "bridge/bridge_state.h"
#include "conf/conf.h"
#include "geo/geo_capacity.h"
#include "geo/geo_pick_conf.h"
#include "state/state.h"
#include "state/state_capacity.h"
#include "state/state_load.h"
#include "state/state_status.h"
#include "state/state_verdict.h"
#include "state/state_weight.h"

/* Most capacity shortfalls written. */
#define HC_STATUS_SHORT_MAX 64

#define HC_STATUS_EVERY_MS 1000

struct hc_status {
	pthread_t thread;     /* the status thread */
	pthread_mutex_t mu;   /* guards stop and reload */
	pthread_cond_t wake;  /* stop or reload was asked */
	bool stop;	      /* hc_status_stop() was called */
	bool reload;	      /* hc_status_reload() was called */
	char *conf_path;      /* the config file, as given */
	conf_t *conf;	      /* the thread's own copy of the config */
	state_params_t *params; /* what the verdicts read of conf (borrows it) */
	state_t *st;	      /* the thread's own connection */
	char problem[256];    /* last failure logged, to log each once */
};

static void problem(hc_status_t *s, const char *what)
{
	if (strcmp(s->problem, what) == 0)
		return;
	snprintf(s->problem, sizeof(s->problem), "%s", what);
	log_warn("status: %s; the status tables are not updated", what);
}

static void load_conf(hc_status_t *s)
{
	char *errors = NULL;
	conf_t *c = conf_load(s->conf_path, &errors);
	free(errors); /* the daemon's own reload reports them */
	if (c == NULL)
		return;
	state_params_t *p = bridge_state_params_new(c);
	if (p == NULL) {
		conf_free(c);
		return;
	}
	bridge_state_params_free(s->params);
	conf_free(s->conf);
	s->conf = c;
	s->params = p;
}

/* The pick's tables for conf with this instant's verdicts, live loads and run-time
 * weights, as meridian-dnsd builds its snapshot (dnsd_reload.c). 0, or -1. */
static int pick_tables(state_t *st, const conf_t *conf, const state_params_t *params, int64_t now,
		       geo_pick_tables_t *t)
{
	state_verdict_t *v = calloc(conf->datacenter_count + 1, sizeof(*v));
	state_load_t *loads = NULL;
	state_weight_t *w = NULL;
	geo_pick_reweight_t *rw = NULL;
	size_t nloads = 0, nw = 0, nrw = 0;
	char err[128];
	int rc = -1;

	if (v == NULL || state_verdict_load(st, params, now, v) < 0 ||
	    state_loads_list(st, &loads, &nloads) < 0 || state_weights_list(st, &w, &nw) < 0)
		goto out;
	rw = calloc(nw + 1, sizeof(*rw));
	if (rw == NULL)
		goto out;
	for (size_t i = 0; i < nw; i++)
		if (state_weight_active(&w[i], now) &&
		    geo_pick_reweight_resolve(conf, w[i].target, w[i].datacenter, w[i].weight,
					      &rw[nrw]) == 0)
			nrw++;
	if (geo_pick_tables_build_with(conf, rw, nrw, t, err, sizeof(err)) < 0)
		goto out;
	for (size_t i = 0; i < t->dc_count; i++) {
		t->dcs[i].serving = v[i].serving;
		t->dcs[i].fail_open_rank = (uint8_t)state_verdict_fail_open_rank(&v[i]);
		t->dcs[i].has_load =
		    state_load_for_pick(params, i, loads, nloads, now, &t->dcs[i].load);
	}
	rc = 0;
out:
	free(v);
	free(loads);
	free(w);
	free(rw);
	return rc;
}

/* Capacity shortfalls (status_capacity): what the pick says of each record's failed
 * datacenters, written when they change. */
static int capacity_update(hc_status_t *s, int64_t now, bool *changed)
{
	geo_capacity_short_t found[HC_STATUS_SHORT_MAX];
	state_capacity_t rows[HC_STATUS_SHORT_MAX];
	geo_pick_tables_t t;
	size_t n;

	*changed = false;
	if (pick_tables(s->st, s->conf, s->params, now, &t) < 0)
		return -1;
	n = geo_capacity_shortfalls(&t, found, HC_STATUS_SHORT_MAX);
	if (n > HC_STATUS_SHORT_MAX)
		n = HC_STATUS_SHORT_MAX;
	for (size_t i = 0; i < n; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		snprintf(rows[i].record, sizeof(rows[i].record), "%s",
			 s->conf->records[found[i].record].name);
		snprintf(rows[i].datacenter, sizeof(rows[i].datacenter), "%s",
			 s->conf->datacenters[found[i].dc].name);
		rows[i].demand = found[i].demand;
		rows[i].spare = found[i].spare;
	}
	geo_pick_tables_free(&t);
	return state_capacity_update(s->st, rows, n, now, changed);
}

static void *status_main(void *arg)
{
	hc_status_t *s = arg;
	int64_t written = 0;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		bool reload = s->reload;
		s->reload = false;
		pthread_mutex_unlock(&s->mu);
		if (reload || s->conf == NULL)
			load_conf(s);
		char err[256];
		if (s->st == NULL && s->conf != NULL) {
			s->st = state_open(s->conf->state_path, s->conf->region, err, sizeof(err));
			if (s->st == NULL)
				problem(s, err);
		}
		if (s->st != NULL && s->conf != NULL) {
			int64_t now = clock_wall_ms();
			bool changed;
			/* committed on a change, or as a heartbeat every HC_STATUS_REFRESH_MS */
			bool heartbeat = reload || now - written >= HC_STATUS_REFRESH_MS;
			bool capacity_changed = false;
			if (state_status_update(s->st, s->params, now, heartbeat, &changed) != 0 ||
			    capacity_update(s, now, &capacity_changed) != 0) {
				problem(s, state_errmsg(s->st));
			} else {
				changed = changed || capacity_changed;
				s->problem[0] = '\0';
				if (changed)
					log_debug("status: tables updated");
				if (changed || heartbeat)
					written = now;
			}
		}
		pthread_mutex_lock(&s->mu);
		if (s->stop || s->reload)
			continue;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)HC_STATUS_EVERY_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		while (!s->stop && !s->reload &&
		       pthread_cond_timedwait(&s->wake, &s->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

hc_status_t *hc_status_start(const char *conf_path)
{
	hc_status_t *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->conf_path = strdup(conf_path)) == NULL) {
		free(s);
		log_error("status: out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, status_main, s) != 0) {
		log_error("status: cannot start the status thread");
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->wake);
		free(s->conf_path);
		free(s);
		return NULL;
	}
	return s;
}

void hc_status_reload(hc_status_t *s)
{
	pthread_mutex_lock(&s->mu);
	s->reload = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->mu);
}

void hc_status_stop(hc_status_t *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	state_close(s->st);
	bridge_state_params_free(s->params);
	conf_free(s->conf);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->wake);
	free(s->conf_path);
	free(s);
}
