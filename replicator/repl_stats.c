/* SPDX-License-Identifier: MIT */
/* repl_stats.c -- replicator counters: what was served, applied, and refused and why */
#include "config.h"

#include "replicator/repl_stats.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

void repl_stats_init(repl_stats_t *stats)
{
	memset(stats, 0, sizeof(*stats));
	pthread_mutex_init(&stats->lag_lock, NULL);
}

void repl_stats_destroy(repl_stats_t *stats)
{
	pthread_mutex_destroy(&stats->lag_lock);
}

static void name_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void repl_stats_lag_set(repl_stats_t *stats, const char *peer, const char *origin, uint64_t behind,
			int64_t lag_ms, int64_t now_ms)
{
	pthread_mutex_lock(&stats->lag_lock);
	size_t i;
	for (i = 0; i < stats->lag_count; i++)
		if (strcmp(stats->lag[i].peer, peer) == 0 &&
		    strcmp(stats->lag[i].origin, origin) == 0)
			break;
	if (i == stats->lag_count && i < REPL_LAG_MAX) {
		name_copy(stats->lag[i].peer, sizeof(stats->lag[i].peer), peer);
		name_copy(stats->lag[i].origin, sizeof(stats->lag[i].origin), origin);
		stats->lag_count++;
	}
	if (i < REPL_LAG_MAX) {
		stats->lag[i].behind = behind;
		stats->lag[i].lag_ms = lag_ms;
		stats->lag[i].updated_ms = now_ms;
	}
	pthread_mutex_unlock(&stats->lag_lock);
}

void repl_stats_heard_set(repl_stats_t *stats, const char *peer, int64_t mono_ms)
{
	pthread_mutex_lock(&stats->lag_lock);
	size_t i;
	for (i = 0; i < stats->heard_count; i++)
		if (strcmp(stats->heard[i].peer, peer) == 0)
			break;
	if (i == stats->heard_count && i < REPL_HEARD_MAX) {
		name_copy(stats->heard[i].peer, sizeof(stats->heard[i].peer), peer);
		stats->heard_count++;
	}
	if (i < REPL_HEARD_MAX)
		stats->heard[i].mono_ms = mono_ms;
	pthread_mutex_unlock(&stats->lag_lock);
}

int64_t repl_stats_heard_get(repl_stats_t *stats, const char *peer)
{
	int64_t ms = 0;
	pthread_mutex_lock(&stats->lag_lock);
	for (size_t i = 0; i < stats->heard_count; i++)
		if (strcmp(stats->heard[i].peer, peer) == 0)
			ms = stats->heard[i].mono_ms;
	pthread_mutex_unlock(&stats->lag_lock);
	return ms;
}

int repl_stats_json(repl_stats_t *stats, repl_buf_t *out)
{
	int rc = 0;
	const char *sep = "{";
#define REPL_STATS_PRINT(name)                                                                     \
	rc |= repl_buf_printf(out, "%s\"" #name "\":%" PRIu64, sep,                                \
			      atomic_load_explicit(&stats->name, memory_order_relaxed));           \
	sep = ",";
	REPL_STATS_FIELDS(REPL_STATS_PRINT)
#undef REPL_STATS_PRINT
	rc |= repl_buf_append(out, ",\"lag\":[", 8);
	pthread_mutex_lock(&stats->lag_lock);
	for (size_t i = 0; i < stats->lag_count; i++) {
		const repl_lag_t *l = &stats->lag[i];
		rc |= repl_buf_append(out, i ? ",{\"peer\":" : "{\"peer\":", i ? 9 : 8);
		rc |= repl_buf_json_string(out, l->peer);
		rc |= repl_buf_append(out, ",\"origin\":", 10);
		rc |= repl_buf_json_string(out, l->origin);
		rc |= repl_buf_printf(out,
				      ",\"behind\":%" PRIu64 ",\"lag_ms\":%" PRId64
				      ",\"updated_ms\":%" PRId64 "}",
				      l->behind, l->lag_ms, l->updated_ms);
	}
	pthread_mutex_unlock(&stats->lag_lock);
	rc |= repl_buf_append(out, "]}", 2);
	return rc ? -1 : 0;
}
