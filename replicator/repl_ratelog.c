/* SPDX-License-Identifier: MIT */
/* repl_ratelog.c -- refusal log lines rate-limited: the first in full, then a summary per interval */
#include "config.h"

#include "replicator/repl_ratelog.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"

static const char *const kind_names[REPL_REFUSAL_KINDS] = {
    "unauthenticated", "stale", "replay", "malformed", "oversized", "truncated", "busy", "slow",
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void repl_ratelog_init(repl_ratelog_t *rl, int64_t interval_ms)
{
	memset(rl, 0, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
	rl->interval_ms = interval_ms > 0 ? interval_ms : 1;
}

void repl_ratelog_destroy(repl_ratelog_t *rl)
{
	repl_ratelog_flush(rl);
	pthread_mutex_destroy(&rl->lock);
}

void repl_ratelog_set_interval(repl_ratelog_t *rl, int64_t interval_ms)
{
	pthread_mutex_lock(&rl->lock);
	rl->interval_ms = interval_ms > 0 ? interval_ms : 1;
	pthread_mutex_unlock(&rl->lock);
}

void repl_ratelog_refusal(repl_ratelog_t *rl, repl_refusal_t kind, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int64_t now = mono_ms();
	bool write;

	if ((unsigned)kind >= REPL_REFUSAL_KINDS)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&rl->lock);
	repl_ratelog_kind_t *k = &rl->kinds[kind];
	if (k->episode++ == 0)
		k->started_ms = now;
	write = k->suppressed == 0 && (k->logged_ms == 0 || now - k->logged_ms >= rl->interval_ms);
	if (write) {
		k->logged_ms = now;
	} else {
		k->suppressed++;
		memcpy(k->last, line, sizeof(k->last));
	}
	pthread_mutex_unlock(&rl->lock);
	if (write)
		log_warn("refused %s", line);
}

void repl_ratelog_flush(repl_ratelog_t *rl)
{
	int64_t now = mono_ms();

	for (size_t i = 0; i < REPL_REFUSAL_KINDS; i++) {
		uint64_t n = 0, ended = 0;
		int64_t since = 0;
		char last[160];

		pthread_mutex_lock(&rl->lock);
		repl_ratelog_kind_t *k = &rl->kinds[i];
		if (k->suppressed > 0 && now - k->logged_ms >= rl->interval_ms) {
			n = k->suppressed;
			since = now - k->logged_ms;
			memcpy(last, k->last, sizeof(last));
			k->suppressed = 0;
			k->logged_ms = now;
		} else if (k->suppressed == 0 && k->episode > 0 &&
			   now - k->logged_ms >= rl->interval_ms) {
			/* A whole interval without a refusal of this kind: the run has ended,
			 * and the next refusal gets a line of its own again. */
			ended = k->episode;
			since = now - k->started_ms;
			k->episode = 0;
			k->logged_ms = 0;
		}
		pthread_mutex_unlock(&rl->lock);
		if (n > 0)
			log_warn("refused %" PRIu64 " more requests (%s) in the last %" PRId64
				 " s; the newest: %s",
				 n, kind_names[i], (since + 500) / 1000, last);
		if (ended > 1) /* a lone refusal had its own line; only a run has an end */
			log_info("refused requests (%s) stopped (after %" PRIu64
				 " refusals in %" PRId64 " s)",
				 kind_names[i], ended, (since + 500) / 1000);
	}
}
