/* SPDX-License-Identifier: MIT */
/* log_repeat.h -- a warning that repeats: logged once, summarised every N s, its end logged */
#ifndef MERIDIAN_LOG_REPEAT_H
#define MERIDIAN_LOG_REPEAT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"

/* Distinct warnings followed at once per subject; a new one past this replaces the
 * least recent (its episode's summary is then lost, never its first line). */
#define LOG_REPEAT_KINDS 8

/* One warning text as it repeats: its key is the text without digits, so "time 1203 ms
 * off" and "time 998 ms off" are one warning, and "bad signature" another. */
typedef struct {
	char key[160];	     /* the text without digits; "" when the slot is free */
	uint64_t total;	     /* occurrences in this episode */
	uint64_t pending;    /* occurrences since the last line logged */
	int64_t first_ms;    /* monotonic ms of the episode's first occurrence */
	int64_t last_line_ms; /* monotonic ms of the last line logged */
	int64_t last_ms;     /* monotonic ms of the latest occurrence */
	char last[256];	     /* the latest occurrence's text */
} log_repeat_kind_t;

/* One subject's repeated warnings (a peer unreachable, requests refused). The first
 * occurrence of each warning is logged as it is; later ones are counted, and at most
 * once per `every` a summary says how many came and the last one's text; when the
 * condition ends (a success, or a quiet period seen by log_repeat_tick()) that is
 * logged once. Any thread may call these: a mutex guards the fields. */
typedef struct {
	pthread_mutex_t lock;			 /* guards everything below */
	char subject[96];			 /* for summaries and ends: "peer west" */
	log_repeat_kind_t kinds[LOG_REPEAT_KINDS]; /* the warnings of the episode */
} log_repeat_t;

/* Sets the subject ("peer west"); no episode is going on. */
void log_repeat_init(log_repeat_t *r, const char *subject) M_NONNULL_ALL;
void log_repeat_destroy(log_repeat_t *r) M_NONNULL_ALL;
/* One occurrence at monotonic now_ms: TEXT at warn level (as given: it names the
 * subject itself) when it is the first of its kind in the episode; otherwise counted,
 * and when every_ms passed since that kind's last line, "SUBJECT: N more in the last D
 * (last: TEXT)". */
void log_repeat_warn(log_repeat_t *r, int64_t now_ms, uint32_t every_ms, const char *fmt, ...)
    M_NONNULL(1, 4) M_PRINTF(4, 5);
/* The condition ended at now_ms (a success): when an episode was going on, logs
 * "SUBJECT END (after N warnings in D)" at info level ("peer west reachable again
 * (after 12 warnings in 40s)") and ends it. */
void log_repeat_end(log_repeat_t *r, int64_t now_ms, const char *end) M_NONNULL_ALL;
/* Periodic: logs the summary of occurrences not yet told once every_ms passed since a
 * kind's last line; with quiet_end, a kind with no occurrence for every_ms ends
 * ("SUBJECT END (after N warnings in D: TEXT)"). For conditions without a success to
 * end them, such as refusals. */
void log_repeat_tick(log_repeat_t *r, int64_t now_ms, uint32_t every_ms, bool quiet_end,
		     const char *end) M_NONNULL_ALL;

#endif
