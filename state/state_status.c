/* SPDX-License-Identifier: MIT */
/* state_status.c -- region isolation and the status tables a status page reads */
#include "config.h"

#include "state/state_status.h"
#include "state/state_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "state/state_verdict.h"


bool state_region_isolated(size_t peer_count, int64_t newest_contact_ms, int64_t started_ms,
			   int64_t now_ms, uint32_t bound_ms)
{
	if (peer_count == 0)
		return false; /* a lone region has nobody to be cut off from */
	int64_t heard = newest_contact_ms > started_ms ? newest_contact_ms : started_ms;
	return now_ms - heard > (int64_t)bound_ms;
}

int state_changelog_size(state_t *st, uint64_t *entries)
{
	*entries = 0;
	sqlite3_stmt *stmt = state_prepare(st, "SELECT COUNT(*) FROM changelog");
	if (stmt == NULL)
		return -1;
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*entries = (uint64_t)sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	return rc == SQLITE_ROW ? 0 : state_fail_sql(st, "counting the change log");
}

int state_isolation(state_t *st, const state_params_t *params, int64_t now_ms, bool *isolated,
		    int64_t *newest_contact_ms)
{
	*isolated = false;
	*newest_contact_ms = 0;
	state_peer_t *peers = NULL;
	size_t n = 0;
	if (state_peers_list(st, &peers, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < params->replication.peer_count; k++)
			if (strcmp(peers[i].region, params->replication.peers[k]) == 0 &&
			    peers[i].last_contact_ms > *newest_contact_ms)
				*newest_contact_ms = peers[i].last_contact_ms;
	free(peers);
	/* the store's creation stands for "started": a new region is not isolated yet */
	int64_t created = 0;
	sqlite3_stmt *stmt = state_prepare(st, "SELECT created FROM node WHERE id = 1");
	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		created = sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	*isolated = state_region_isolated(params->replication.peer_count, *newest_contact_ms,
					  created, now_ms, params->replication.isolated_after_ms);
	return 0;
}

/* ---- the status tables (meridian-healthcheck's status thread writes them) ---- */

/* One dc_state row as stored. */
typedef struct {
	char state[24];		     /* effective state name */
	char observed[24];	     /* observed state name */
	bool forced;		     /* an override decides it */
	int64_t since_ms;	     /* when state last changed */
	char reason[STATE_TEXT_MAX]; /* the verdict's why */
	bool found;		     /* the row exists */
} status_row_t;

static int dc_row_get(state_t *st, const char *dc, status_row_t *row)
{
	memset(row, 0, sizeof(*row));
	sqlite3_stmt *stmt = state_prepare(
	    st, "SELECT state, observed, forced, since, reason FROM dc_state WHERE datacenter = ?1");
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, dc, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		row->found = true;
		snprintf(row->state, sizeof(row->state), "%s", sqlite3_column_text(stmt, 0));
		snprintf(row->observed, sizeof(row->observed), "%s", sqlite3_column_text(stmt, 1));
		row->forced = sqlite3_column_int(stmt, 2) != 0;
		row->since_ms = sqlite3_column_int64(stmt, 3);
		snprintf(row->reason, sizeof(row->reason), "%s", sqlite3_column_text(stmt, 4));
	}
	state_release(st, stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : state_fail_sql(st, "reading dc_state");
}

static int transition_add(state_t *st, int64_t now, const char *kind, const char *subject,
			  const char *from, const char *to, const char *reason)
{
	sqlite3_stmt *stmt = state_prepare(st, "INSERT INTO transitions (at, kind, subject, "
					       "from_state, to_state, reason) VALUES (?1, ?2, ?3, "
					       "?4, ?5, ?6)");
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, reason, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "writing a transition");
}

static const state_override_t *override_of(const state_override_t *ovr, size_t n,
					   const char *dc)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ovr[i].datacenter, dc) == 0)
			return &ovr[i];
	return NULL;
}

/* A scheduled override's start or end as this region saw it take effect, in the audit
 * log (replicated: each region records its own, origin naming the region). Overrides in
 * effect from their creation need none: their own event says when they began, and
 * their expiry is in their detail. */
static int scheduled_event(state_t *st, const char *action, const state_override_t *o)
{
	char detail[2 * STATE_TEXT_MAX], from[32], until[32];

	if (o == NULL || o->starts_ms == 0)
		return 0;
	snprintf(detail, sizeof(detail), "%s by %s, scheduled from %s until %s",
		 state_override_action_name(o->action), o->actor,
		 timefmt_iso(o->starts_ms, from, sizeof(from)),
		 o->expires_ms ? timefmt_iso(o->expires_ms, until, sizeof(until)) : "cleared");
	return state_event_append_tx(st, "meridian-healthcheck", action, o->datacenter, o->reason,
				     detail);
}

/* The transitions one datacenter's new verdict makes against its stored row. */
static int dc_transitions(state_t *st, int64_t now, const char *dc, const status_row_t *old,
			  const state_verdict_t *v, const state_override_t *ovr, size_t n_ovr)
{
	const char *state = state_dc_state_name(v->effective);
	const char *observed = state_dc_state_name(v->observed);
	bool forced = v->override_index >= 0;
	char reason[2 * STATE_TEXT_MAX + 64];
	if (!old->found)
		return transition_add(st, now, "datacenter", dc, "", state, v->why);
	if (forced && !old->forced) {
		const state_override_t *o = &ovr[v->override_index];
		snprintf(reason, sizeof(reason), "%s by %s: %s", state_override_action_name(o->action),
			 o->actor, o->reason);
		if (transition_add(st, now, "override-set", dc, old->state, state, reason) != 0 ||
		    scheduled_event(st, "override-start", o) != 0)
			return -1;
	} else if (!forced && old->forced) {
		const state_override_t *o = override_of(ovr, n_ovr, dc);
		bool expired = o != NULL && !o->deleted && o->expires_ms != 0 && o->expires_ms <= now;
		if (o != NULL && expired)
			snprintf(reason, sizeof(reason), "%s by %s expired",
				 state_override_action_name(o->action), o->actor);
		else if (o != NULL)
			snprintf(reason, sizeof(reason), "%s cleared by %s",
				 state_override_action_name(o->action), o->actor);
		else
			snprintf(reason, sizeof(reason), "override gone");
		if (transition_add(st, now, expired ? "override-expired" : "override-cleared", dc,
				   old->state, state, reason) != 0 ||
		    (expired && scheduled_event(st, "override-end", o) != 0))
			return -1;
	} else if (forced && strcmp(old->state, state) != 0) {
		const state_override_t *o = &ovr[v->override_index];
		snprintf(reason, sizeof(reason), "%s by %s: %s", state_override_action_name(o->action),
			 o->actor, o->reason);
		if (transition_add(st, now, "override-set", dc, old->state, state, reason) != 0)
			return -1;
	}
	if (strcmp(old->observed, observed) != 0 &&
	    transition_add(st, now, "health", dc, old->observed, observed, v->why) != 0)
		return -1;
	return 0;
}

static int dc_put(state_t *st, const char *dc, size_t position, const state_verdict_t *v,
		  int64_t since)
{
	sqlite3_stmt *stmt = state_prepare(
	    st, "INSERT OR REPLACE INTO dc_state (datacenter, state, observed, forced, serving, "
		"reason, since, votes_up, votes_down, votes_stale, position) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, dc, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, state_dc_state_name(v->effective), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, state_dc_state_name(v->observed), -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, v->override_index >= 0);
	sqlite3_bind_int(stmt, 5, v->serving);
	sqlite3_bind_text(stmt, 6, v->why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, since);
	sqlite3_bind_int(stmt, 8, (int)v->votes_up);
	sqlite3_bind_int(stmt, 9, (int)v->votes_down);
	sqlite3_bind_int(stmt, 10, (int)v->votes_stale);
	sqlite3_bind_int64(stmt, 11, (int64_t)position);
	int rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "writing dc_state");
}

/* Rows of datacenters (records) the config no longer names go. */
static int prune(state_t *st, const char *table, const char *column, const char *const *names,
		 size_t n)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s", column, table);
	sqlite3_stmt *stmt = state_prepare(st, sql);
	if (stmt == NULL)
		return -1;
	char gone[64][STATE_NAME_MAX * 4];
	size_t ngone = 0;
	while (sqlite3_step(stmt) == SQLITE_ROW && ngone < 64) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		bool known = false;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(names[i], name) == 0;
		if (!known)
			snprintf(gone[ngone++], sizeof(gone[0]), "%s", name);
	}
	state_release(st, stmt);
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?1", table, column);
	for (size_t i = 0; i < ngone; i++) {
		stmt = state_prepare(st, sql);
		if (stmt == NULL)
			return -1;
		sqlite3_bind_text(stmt, 1, gone[i], -1, SQLITE_STATIC);
		int rc = sqlite3_step(stmt);
		state_release(st, stmt);
		if (rc != SQLITE_DONE)
			return state_fail_sql(st, "pruning the status tables");
	}
	return 0;
}

static int records_put(state_t *st, const state_params_t *params, const state_verdict_t *v,
		       int64_t now)
{
	for (size_t r = 0; r < params->record_count; r++) {
		const state_params_record_t *rec = &params->records[r];
		char serving[1024] = "";
		size_t used = 0;
		for (size_t k = 0; k < rec->datacenter_count; k++)
			if (v[rec->datacenters[k]].serving && used < sizeof(serving))
				used += (size_t)snprintf(
				    serving + used, sizeof(serving) - used, "%s%s", used ? "," : "",
				    params->datacenters[rec->datacenters[k]].name);
		int fail_open = used == 0;
		int old = -1;
		int64_t since = now;
		sqlite3_stmt *stmt =
		    state_prepare(st, "SELECT fail_open, since FROM record_state WHERE record = ?1");
		if (stmt == NULL)
			return -1;
		sqlite3_bind_text(stmt, 1, rec->name, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW) {
			old = sqlite3_column_int(stmt, 0);
			since = sqlite3_column_int64(stmt, 1);
		}
		state_release(st, stmt);
		if (old != fail_open) {
			since = now;
			if ((old >= 0 || fail_open) &&
			    transition_add(st, now, fail_open ? "fail-open" : "fail-open-ended",
					   rec->name, old < 0 ? "" : old ? "fail-open" : "serving",
					   fail_open ? "fail-open" : "serving",
					   fail_open ? "no candidate datacenter is serving; answering "
						       "as if all were"
						     : "a candidate is serving again") != 0)
				return -1;
		}
		stmt = state_prepare(st, "INSERT OR REPLACE INTO record_state (record, fail_open, "
					 "serving, since, position) VALUES (?1, ?2, ?3, ?4, ?5)");
		if (stmt == NULL)
			return -1;
		sqlite3_bind_text(stmt, 1, rec->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 2, fail_open);
		sqlite3_bind_text(stmt, 3, serving, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, since);
		sqlite3_bind_int64(stmt, 5, (int64_t)r);
		int rc = sqlite3_step(stmt);
		state_release(st, stmt);
		if (rc != SQLITE_DONE)
			return state_fail_sql(st, "writing record_state");
	}
	return 0;
}

static int region_put(state_t *st, const state_params_t *params, const state_verdict_t *v,
		      bool isolated, int64_t contact, int64_t now, bool *changed)
{
	const char *level = "OK";
	for (size_t i = 0; i < params->datacenter_count; i++)
		if (v[i].effective == STATE_DC_DOWN || v[i].effective == STATE_DC_DRAINED ||
		    v[i].effective == STATE_DC_FORCED_DOWN)
			level = "WARNING";
	for (size_t r = 0; r < params->record_count; r++) {
		bool any = false;
		for (size_t k = 0; k < params->records[r].datacenter_count && !any; k++)
			any = v[params->records[r].datacenters[k]].serving;
		if (!any)
			level = "CRITICAL";
	}
	if (isolated)
		level = "CRITICAL";
	int old_isolated = -1;
	char old_level[16] = "";
	sqlite3_stmt *stmt = state_prepare(st, "SELECT isolated, level FROM region_state");
	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		old_isolated = sqlite3_column_int(stmt, 0);
		snprintf(old_level, sizeof(old_level), "%s", sqlite3_column_text(stmt, 1));
	}
	state_release(st, stmt);
	*changed = old_isolated != (int)isolated || strcmp(old_level, level) != 0;
	if (old_isolated >= 0 && old_isolated != (int)isolated &&
	    transition_add(st, now, isolated ? "isolated" : "isolation-ended", params->region,
			   isolated ? "connected" : "isolated", isolated ? "isolated" : "connected",
			   isolated ? "no peer heard from within replication.isolated_after"
				    : "a peer was heard from again") != 0)
		return -1;
	stmt = state_prepare(st, "INSERT OR REPLACE INTO region_state (id, region, level, isolated, "
				 "last_peer_contact, isolated_after, peers, computed) VALUES (1, ?1, "
				 "?2, ?3, ?4, ?5, ?6, ?7)");
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, params->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, level, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, isolated);
	sqlite3_bind_int64(stmt, 4, contact);
	sqlite3_bind_int64(stmt, 5, params->replication.isolated_after_ms);
	sqlite3_bind_int64(stmt, 6, (int64_t)params->replication.peer_count);
	sqlite3_bind_int64(stmt, 7, now);
	int rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "writing region_state");
}

/* Transitions older than this go, so the table stays small. */
#define STATUS_TRANSITIONS_KEEP_MS (7LL * 24 * 3600 * 1000)

int state_status_update(state_t *st, const state_params_t *params, int64_t now_ms, bool heartbeat,
			bool *changed)
{
	*changed = false;
	size_t n = params->datacenter_count;
	state_verdict_t *v = calloc(n ? n : 1, sizeof(*v));
	const char **names = calloc(n ? n : 1, sizeof(*names));
	state_override_t *ovr = NULL;
	size_t n_ovr = 0;
	int rc = -1;
	if (v == NULL || names == NULL) {
		state_fail(st, "out of memory");
		goto out;
	}
	if (state_tx_begin(st) != 0)
		goto out;
	bool isolated;
	int64_t contact;
	if (state_verdict_load(st, params, now_ms, v) != 0 ||
	    state_overrides_list(st, &ovr, &n_ovr) != 0 ||
	    state_isolation(st, params, now_ms, &isolated, &contact) != 0)
		goto rollback;
	for (size_t i = 0; i < n; i++) {
		const char *dc = params->datacenters[i].name;
		names[i] = dc;
		status_row_t old;
		if (dc_row_get(st, dc, &old) != 0)
			goto rollback;
		const char *state = state_dc_state_name(v[i].effective);
		bool same = old.found && strcmp(old.state, state) == 0 &&
			    strcmp(old.observed, state_dc_state_name(v[i].observed)) == 0 &&
			    old.forced == (v[i].override_index >= 0) && strcmp(old.reason, v[i].why) == 0;
		if (same)
			continue;
		*changed = true;
		if (dc_transitions(st, now_ms, dc, &old, &v[i], ovr, n_ovr) != 0)
			goto rollback;
		int64_t since = old.found && strcmp(old.state, state) == 0 ? old.since_ms : now_ms;
		if (dc_put(st, dc, i, &v[i], since) != 0)
			goto rollback;
	}
	bool region_changed;
	const char **records =
	    calloc(params->record_count ? params->record_count : 1, sizeof(*records));
	if (records == NULL) {
		state_fail(st, "out of memory");
		goto rollback;
	}
	for (size_t r = 0; r < params->record_count; r++)
		records[r] = params->records[r].name;
	int prc = prune(st, "dc_state", "datacenter", names, n) |
		  prune(st, "record_state", "record", records, params->record_count);
	free(records);
	if (prc != 0 || records_put(st, params, v, now_ms) != 0 ||
	    region_put(st, params, v, isolated, contact, now_ms, &region_changed) != 0)
		goto rollback;
	*changed = *changed || region_changed;
	sqlite3_stmt *stmt = state_prepare(st, "DELETE FROM transitions WHERE at < ?1");
	if (stmt == NULL)
		goto rollback;
	sqlite3_bind_int64(stmt, 1, now_ms - STATUS_TRANSITIONS_KEEP_MS);
	int drc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (drc != SQLITE_DONE) {
		state_fail_sql(st, "trimming transitions");
		goto rollback;
	}
	if (!*changed && !heartbeat) {
		/* nothing to tell: no commit, so no reader is woken by data_version */
		state_tx_rollback(st);
		rc = 0;
		goto out;
	}
	rc = state_tx_commit(st);
	goto out;
rollback:
	state_tx_rollback(st);
out:
	free(v);
	free(names);
	free(ovr);
	return rc;
}
