/* SPDX-License-Identifier: MIT */
/* hc_writer.c -- a thread that writes observations and loads, so probes never wait on SQLite */
#include "config.h"
#include "healthcheck/hc_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"

#define HC_WRITER_RETRY_MS 1000

/* One queued row: an observation, or a live load reading (hc_load.c). */
typedef struct {
	bool is_load;		 /* true: load, else obs */
	state_observation_t obs; /* when !is_load */
	state_load_t load;	 /* when is_load */
} queued_t;

struct hc_writer {
	state_t *st; /* the writer thread's own connection */
	pthread_t thread; /* the writer thread */
	pthread_mutex_t mu;	    /* guards everything below */
	pthread_cond_t wake;	    /* a row was queued, or stop was asked */
	queued_t *queue;	    /* ring buffer */
	size_t cap;		    /* entries allocated (power of two) */
	size_t head;		    /* next to write */
	size_t len;		    /* rows waiting */
	bool stopping;		    /* drain and exit */
	uint64_t written; /* observations written since start */
	uint64_t failed; /* observation writes that failed since start */
	uint64_t loads_written; /* live load readings written since start */
	uint64_t loads_failed;	/* load writes that failed since start */
};

static bool wait_retry(hc_writer_t *w)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HC_WRITER_RETRY_MS / 1000;
	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		if (pthread_cond_timedwait(&w->wake, &w->mu, &until) == ETIMEDOUT)
			break;
	}
	bool stopping = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return stopping;
}

static void *writer_main(void *arg)
{
	hc_writer_t *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->len == 0 && !w->stopping)
			pthread_cond_wait(&w->wake, &w->mu);
		if (w->len == 0)
			break; /* stopping and drained */
		/* Copy out: the queue may be reallocated while we write unlocked. */
		queued_t row = w->queue[w->head];
		bool stopping = w->stopping;
		pthread_mutex_unlock(&w->mu);
		bool ok = (row.is_load ? state_load_put(w->st, &row.load)
				       : state_observation_put(w->st, &row.obs)) == 0;
		if (!ok) {
			log_error("state: writing %s of %s: %s%s",
				  row.is_load ? "load" : "observation",
				  row.is_load ? row.load.datacenter : row.obs.datacenter,
				  state_errmsg(w->st),
				  stopping ? "; giving up, stopping" : "; retrying in 1 s");
			if (!stopping)
				stopping = wait_retry(w);
		}
		pthread_mutex_lock(&w->mu);
		if (row.is_load && ok)
			w->loads_written++;
		else if (row.is_load)
			w->loads_failed++;
		else if (ok)
			w->written++;
		else
			w->failed++;
		if (ok || stopping) {
			w->head = (w->head + 1) & (w->cap - 1);
			w->len--;
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

hc_writer_t *hc_writer_start(state_t *st)
{
	hc_writer_t *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->st = st;
	w->cap = 64;
	w->queue = calloc(w->cap, sizeof(*w->queue));
	if (w->queue == NULL) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->mu);
		free(w->queue);
		free(w);
		return NULL;
	}
	return w;
}

static int queue_grow(hc_writer_t *w)
{
	size_t cap = w->cap * 2;
	queued_t *q = malloc(cap * sizeof(*q));
	if (q == NULL)
		return -1;
	for (size_t i = 0; i < w->len; i++)
		q[i] = w->queue[(w->head + i) & (w->cap - 1)];
	free(w->queue);
	w->queue = q;
	w->cap = cap;
	w->head = 0;
	return 0;
}

static int queue_put(hc_writer_t *w, const state_observation_t *obs, const state_load_t *load)
{
	pthread_mutex_lock(&w->mu);
	if (w->len == w->cap && queue_grow(w) != 0) {
		pthread_mutex_unlock(&w->mu);
		return -1;
	}
	queued_t *q = &w->queue[(w->head + w->len) & (w->cap - 1)];
	q->is_load = load != NULL;
	if (load != NULL)
		q->load = *load;
	else
		q->obs = *obs;
	w->len++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

int hc_writer_put(void *writer, const state_observation_t *obs)
{
	return queue_put(writer, obs, NULL);
}

int hc_writer_put_load(void *writer, const state_load_t *load)
{
	return queue_put(writer, NULL, load);
}

void hc_writer_stop(hc_writer_t *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->mu);
	state_close(w->st);
	free(w->queue);
	free(w);
}

void hc_writer_load_counts(hc_writer_t *w, uint64_t *written, uint64_t *failed)
{
	pthread_mutex_lock(&w->mu);
	*written = w->loads_written;
	*failed = w->loads_failed;
	pthread_mutex_unlock(&w->mu);
}

void hc_writer_counts(hc_writer_t *w, uint64_t *written, uint64_t *failed, size_t *queued)
{
	pthread_mutex_lock(&w->mu);
	*written = w->written;
	*failed = w->failed;
	*queued = w->len;
	pthread_mutex_unlock(&w->mu);
}
