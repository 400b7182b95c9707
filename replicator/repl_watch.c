/* SPDX-License-Identifier: MIT */
/* repl_watch.c -- notices commits to state.db (any process) and wakes waiting long polls */
#include "config.h"

#include "replicator/repl_watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "state/state.h"

struct repl_watch {
	pthread_mutex_t lock; /* guards generation, stopping */
	pthread_cond_t cond;  /* broadcast on every bump and on stop; CLOCK_MONOTONIC */
	uint64_t generation;  /* bumped on every noticed change */
	bool stopping;	      /* waiters return -1 */
	bool thread_started;  /* thread is valid and must be joined */
	pthread_t thread;     /* the poller; valid only when thread_started */
	int64_t first_version; /* read before the thread starts: later commits all count */
	state_t *st;	       /* the poller's own connection */
	uint32_t poll_ms;      /* 1..50 */
};

int64_t repl_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void repl_watch_notify(repl_watch_t *w)
{
	pthread_mutex_lock(&w->lock);
	w->generation++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void *poll_loop(void *arg)
{
	repl_watch_t *w = arg;
	int64_t last = w->first_version;
	bool warned = false;
	for (;;) {
		int64_t v;
		if (state_data_version(w->st, &v) != 0) {
			if (!warned)
				log_warn("watch: PRAGMA data_version failed: %s",
					 state_errmsg(w->st));
			warned = true;
		} else if (v != last) {
			repl_watch_notify(w);
			last = v;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)w->poll_ms * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&w->lock);
		while (!w->stopping && pthread_cond_timedwait(&w->cond, &w->lock, &ts) != ETIMEDOUT)
			;
		bool stop = w->stopping;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			return NULL;
	}
}

repl_watch_t *repl_watch_start(const char *state_path, uint32_t poll_ms, char *err, size_t errlen)
{
	repl_watch_t *w = calloc(1, sizeof(*w));
	pthread_condattr_t attr;
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->poll_ms = poll_ms == 0 ? 10 : poll_ms > 50 ? 50 : poll_ms;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	w->st = state_open_readonly(state_path, err, errlen);
	if (w->st == NULL) {
		repl_watch_stop(w);
		return NULL;
	}
	if (state_data_version(w->st, &w->first_version) != 0) {
		snprintf(err, errlen, "%s: PRAGMA data_version: %s", state_path,
			 state_errmsg(w->st));
		repl_watch_stop(w);
		return NULL;
	}
	if (pthread_create(&w->thread, NULL, poll_loop, w) != 0) {
		snprintf(err, errlen, "cannot start the watch thread");
		repl_watch_stop(w);
		return NULL;
	}
	w->thread_started = true;
	return w;
}

void repl_watch_shutdown(repl_watch_t *w)
{
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void repl_watch_stop(repl_watch_t *w)
{
	if (w == NULL)
		return;
	repl_watch_shutdown(w);
	if (w->thread_started)
		pthread_join(w->thread, NULL);
	state_close(w->st);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

uint64_t repl_watch_generation(repl_watch_t *w)
{
	pthread_mutex_lock(&w->lock);
	uint64_t g = w->generation;
	pthread_mutex_unlock(&w->lock);
	return g;
}

int repl_watch_wait(repl_watch_t *w, uint64_t seen, uint32_t timeout_ms)
{
	struct timespec ts;
	int rc = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (w->stopping) {
			rc = -1;
			break;
		}
		if (w->generation != seen) {
			rc = 1;
			break;
		}
		if (pthread_cond_timedwait(&w->cond, &w->lock, &ts) == ETIMEDOUT) {
			rc = w->stopping ? -1 : w->generation != seen ? 1 : 0;
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}
