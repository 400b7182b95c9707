/* SPDX-License-Identifier: MIT */
/* repl_metrics.c -- meridian-replicator's /metrics page, its SIGUSR1 line, isolation */
#include "config.h"

#include "replicator/repl_metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "replicator/repl_drift.h"

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define LOAD(field) atomic_load_explicit(&s->field, memory_order_relaxed)

/* Counters that are one family each, and the refusals, one family with a kind label. */
static void counters(metrics_page_t *p, repl_stats_t *s)
{
	static const struct {
		const char *name; /* metric name */
		const char *help; /* its # HELP text */
		size_t offset;	  /* the counter in repl_stats_t */
	} plain[] = {
	    {"meridian_replicator_requests_total", "Authenticated requests served to peers.",
	     offsetof(repl_stats_t, requests)},
	    {"meridian_replicator_entries_served_total", "Change-log entries sent to peers.",
	     offsetof(repl_stats_t, entries_served)},
	    {"meridian_replicator_snapshots_served_total", "Snapshots sent to peers.",
	     offsetof(repl_stats_t, snapshots_served)},
	    {"meridian_replicator_pulls_total", "Responses received from peers and accepted.",
	     offsetof(repl_stats_t, pulls)},
	    {"meridian_replicator_entries_applied_total", "Change-log entries newly applied here.",
	     offsetof(repl_stats_t, entries_applied)},
	    {"meridian_replicator_batches_applied_total", "Non-empty batches committed.",
	     offsetof(repl_stats_t, batches_applied)},
	    {"meridian_replicator_snapshots_imported_total", "Bootstraps from a peer's snapshot.",
	     offsetof(repl_stats_t, snapshots_imported)},
	    {"meridian_replicator_compacted_entries_total", "Change-log entries compacted away.",
	     offsetof(repl_stats_t, compacted)},
	    {"meridian_replicator_sent_bytes_total",
	     "Body bytes of change-log and snapshot responses served to peers.",
	     offsetof(repl_stats_t, bytes_sent)},
	    {"meridian_replicator_received_bytes_total",
	     "Body bytes of responses from peers that passed authentication.",
	     offsetof(repl_stats_t, bytes_received)},
	    {"meridian_replicator_digest_mismatches_total",
	     "Anti-entropy digests that differed while every cursor agreed (divergences).",
	     offsetof(repl_stats_t, divergences)},
	    {"meridian_replicator_resyncs_total",
	     "Targeted re-syncs run to repair a divergence.", offsetof(repl_stats_t, resyncs)},
	    {"meridian_replicator_incarnations_total",
	     "New incarnations of this region's origin (its store was new or restored).",
	     offsetof(repl_stats_t, incarnations)},
	};
	for (size_t i = 0; i < M_ARRAY_LEN(plain); i++) {
		const _Atomic uint64_t *v = (const _Atomic uint64_t *)((char *)s + plain[i].offset);
		metrics_family(p, plain[i].name, METRICS_COUNTER, plain[i].help);
		metrics_u64(p, plain[i].name, atomic_load_explicit(v, memory_order_relaxed), NULL);
	}
	metrics_family(p, "meridian_replicator_errors_total", METRICS_COUNTER,
		       "Failures talking to peers (pull) and batches refused by the store (apply).");
	metrics_u64(p, "meridian_replicator_errors_total", LOAD(pull_errors), "kind", "pull", NULL);
	metrics_u64(p, "meridian_replicator_errors_total", LOAD(apply_errors), "kind", "apply",
		    NULL);
	metrics_family(p, "meridian_replicator_refusals_total", METRICS_COUNTER,
		       "Requests and responses refused, by why.");
	const struct {
		const char *kind; /* the label */
		uint64_t n;	  /* its count */
	} refusals[] = {
	    {"unauthenticated", LOAD(refused_unauthenticated)},
	    {"stale", LOAD(refused_stale)},
	    {"replay", LOAD(refused_replay)},
	    {"malformed", LOAD(refused_malformed)},
	    {"oversized", LOAD(refused_oversized)},
	    {"truncated", LOAD(refused_truncated)},
	    {"clock", LOAD(refused_clock)},
	    {"busy", LOAD(refused_busy)},
	    {"slow", LOAD(refused_slow)},
	};
	for (size_t i = 0; i < M_ARRAY_LEN(refusals); i++)
		metrics_u64(p, "meridian_replicator_refusals_total", refusals[i].n, "kind",
			    refusals[i].kind, NULL);
}

static void lag(metrics_page_t *p, repl_stats_t *s, int64_t now)
{
	metrics_family(p, "meridian_replicator_lag_entries", METRICS_GAUGE,
		       "Entries a peer holds of an origin that this region does not yet.");
	pthread_mutex_lock(&s->lag_lock);
	for (size_t i = 0; i < s->lag_count; i++)
		metrics_u64(p, "meridian_replicator_lag_entries", s->lag[i].behind, "peer",
			    s->lag[i].peer, "origin", s->lag[i].origin, NULL);
	metrics_family(p, "meridian_replicator_lag_seconds", METRICS_GAUGE,
		       "Age of the newest entry of an origin received through a peer (0: caught up).");
	for (size_t i = 0; i < s->lag_count; i++)
		metrics_f64(p, "meridian_replicator_lag_seconds",
			    s->lag[i].lag_ms > 0 ? (double)s->lag[i].lag_ms / 1e3 : 0, "peer",
			    s->lag[i].peer, "origin", s->lag[i].origin, NULL);
	metrics_family(p, "meridian_replicator_lag_updated_age_seconds", METRICS_GAUGE,
		       "Seconds since the lag of a (peer, origin) was last measured.");
	for (size_t i = 0; i < s->lag_count; i++)
		metrics_f64(p, "meridian_replicator_lag_updated_age_seconds",
			    (double)(now - s->lag[i].updated_ms) / 1e3, "peer", s->lag[i].peer,
			    "origin", s->lag[i].origin, NULL);
	pthread_mutex_unlock(&s->lag_lock);
}

/* The peers' rows (last contact, errors) and the change log's size, from state.db. */
static void peers(metrics_page_t *p, const repl_metrics_src_t *src, int64_t now)
{
	const conf_t *c = src->conf;
	state_peer_t *rows = NULL;
	size_t n = 0;
	if (src->ro != NULL && state_peers_list(src->ro, &rows, &n) != 0)
		n = 0;
	int64_t newest = 0;
	metrics_family(p, "meridian_replicator_peer_last_contact_timestamp_seconds",
		       METRICS_GAUGE, "When a peer last answered (0: never), seconds since epoch.");
	for (size_t k = 0; k < c->replication.peer_count; k++) {
		const char *region = c->replication.peers[k].region;
		int64_t last = 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(rows[i].region, region) == 0)
				last = rows[i].last_contact_ms;
		if (last > newest)
			newest = last;
		metrics_f64(p, "meridian_replicator_peer_last_contact_timestamp_seconds",
			    (double)last / 1e3, "peer", region, NULL);
	}
	metrics_family(p, "meridian_replicator_peer_errors_total", METRICS_COUNTER,
		       "Failures talking to a peer since the store was created.");
	for (size_t k = 0; k < c->replication.peer_count; k++) {
		const char *region = c->replication.peers[k].region;
		int64_t errors = 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(rows[i].region, region) == 0)
				errors = rows[i].errors;
		metrics_u64(p, "meridian_replicator_peer_errors_total", (uint64_t)errors, "peer",
			    region, NULL);
	}
	free(rows);
	bool isolated = state_region_isolated(c->replication.peer_count, newest, src->started_ms,
					      now, c->replication.isolated_after_ms);
	metrics_family(p, "meridian_replicator_isolated", METRICS_GAUGE,
		       "1 when no peer was heard from for longer than replication.isolated_after.");
	metrics_u64(p, "meridian_replicator_isolated", isolated ? 1 : 0, NULL);
	uint64_t entries = 0;
	if (src->ro != NULL && state_changelog_size(src->ro, &entries) != 0)
		entries = 0;
	metrics_family(p, "meridian_replicator_changelog_entries", METRICS_GAUGE,
		       "Entries in this region's change log (every origin).");
	metrics_u64(p, "meridian_replicator_changelog_entries", entries, NULL);
}

void repl_metrics_render(void *arg, metrics_page_t *p)
{
	const repl_metrics_src_t *src = arg;
	int64_t now = wall_ms();
	counters(p, src->stats);
	lag(p, src->stats, now);
	peers(p, src, now);
	repl_drift_metrics(p, src->ro, src->conf->replication.drift_grace_ms, now);
}

void repl_metrics_log(const repl_metrics_src_t *src)
{
	repl_stats_t *s = src->stats;
	log_info("stats: %" PRIu64 " requests served, %" PRIu64 " entries served, %" PRIu64
		 " pulls, %" PRIu64 " entries applied, %" PRIu64 " pull errors, %" PRIu64
		 " apply errors, %" PRIu64 " refused",
		 LOAD(requests), LOAD(entries_served), LOAD(pulls), LOAD(entries_applied),
		 LOAD(pull_errors), LOAD(apply_errors),
		 LOAD(refused_unauthenticated) + LOAD(refused_stale) + LOAD(refused_replay) +
		     LOAD(refused_malformed) + LOAD(refused_oversized) + LOAD(refused_truncated) +
		     LOAD(refused_clock));
	state_peer_t *rows = NULL;
	size_t n = 0;
	if (src->ro == NULL || state_peers_list(src->ro, &rows, &n) != 0)
		return;
	int64_t now = wall_ms();
	for (size_t i = 0; i < n; i++) {
		if (rows[i].last_contact_ms == 0)
			log_info("stats: peer %s: never heard from, %lld errors", rows[i].region,
				 (long long)rows[i].errors);
		else
			log_info("stats: peer %s: last contact %lld s ago, %lld errors",
				 rows[i].region,
				 (long long)((now - rows[i].last_contact_ms) / 1000),
				 (long long)rows[i].errors);
	}
	free(rows);
}
