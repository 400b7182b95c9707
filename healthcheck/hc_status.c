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
#include "conf/conf.h"
#include "state/state.h"
#include "state/state_status.h"

#define HC_STATUS_EVERY_MS 1000

struct hc_status {
	pthread_t thread;     /* the status thread */
	pthread_mutex_t mu;   /* guards stop and reload */
	pthread_cond_t wake;  /* stop or reload was asked */
	bool stop;	      /* hc_status_stop() was called */
	bool reload;	      /* hc_status_reload() was called */
	char *conf_path;      /* the config file, as given */
	conf_t *conf;	      /* the thread's own copy of the config */
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
	conf_free(s->conf);
	s->conf = c;
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
			if (state_status_update(s->st, s->conf, now, heartbeat, &changed) != 0) {
				problem(s, state_errmsg(s->st));
			} else {
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
	conf_free(s->conf);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->wake);
	free(s->conf_path);
	free(s);
}
