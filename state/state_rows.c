/* SPDX-License-Identifier: MIT */
/* state_rows.c -- typed reads and writes of observations, overrides, events and peers */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_escape.h"
#include "base/timefmt.h"
#include "state/state_internal.h"

static const char *const health_names[] = {"unknown", "up", "down"};
static const char *const action_names[] = {"drain", "force-down", "force-up"};

const char *state_health_name(state_health_t h)
{
	return (unsigned)h < M_ARRAY_LEN(health_names) ? health_names[h] : "invalid";
}

int state_health_parse(const char *name)
{
	for (size_t i = 0; i < M_ARRAY_LEN(health_names); i++)
		if (strcmp(name, health_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *state_override_action_name(state_override_action_t a)
{
	return (unsigned)a < M_ARRAY_LEN(action_names) ? action_names[a] : "invalid";
}

bool state_override_active(const state_override_t *o, int64_t now_ms)
{
	return !o->deleted && (o->starts_ms == 0 || o->starts_ms <= now_ms) &&
	       (o->expires_ms == 0 || o->expires_ms > now_ms);
}

bool state_override_pending(const state_override_t *o, int64_t now_ms)
{
	return !o->deleted && o->starts_ms > now_ms &&
	       (o->expires_ms == 0 || o->expires_ms > now_ms);
}

int state_override_action_parse(const char *name)
{
	for (size_t i = 0; i < M_ARRAY_LEN(action_names); i++)
		if (strcmp(name, action_names[i]) == 0)
			return (int)i;
	return -1;
}

/* Ids become change-log key parts joined by '/'. */
static int check_id(state_t *st, const char *what, const char *id)
{
	if (id[0] == '\0' || strlen(id) >= STATE_NAME_MAX || strchr(id, '/'))
		return state_fail(st, "invalid %s '%s'", what, id);
	/* A name is a key in every region: refused, never rewritten. */
	if (!json_utf8_valid(id, strlen(id)))
		return state_fail(st, "invalid %s: not UTF-8", what);
	return 0;
}

/* Where repaired free text is built: room for every byte to become U+FFFD. */
typedef struct {
	char *text; /* 3 * input length + 1 bytes */
	size_t len; /* bytes written */
} repaired_t;

static int repaired_sink(void *ctx, const char *p, size_t n)
{
	repaired_t *r = ctx;

	memcpy(r->text + r->len, p, n);
	r->len += n;
	return 0;
}

/* Binds free text (reasons, actors, details, actions) as valid UTF-8: each byte that does
 * not start a well-formed sequence is stored as U+FFFD, the rule of base/json_escape (and
 * so of meridianctl --json). The row, its change-log JSON and every region's copy then
 * hold the same text, and no peer's parser meets bytes it refuses (docs/replication.md).
 * Names (check_id) are refused instead. 0, or -1 with the message (statement released). */
int state_bind_free_text(state_t *st, sqlite3_stmt *stmt, int idx, const char *text)
{
	size_t len = strlen(text);
	repaired_t r = {NULL, 0};

	if (json_utf8_valid(text, len)) {
		sqlite3_bind_text(stmt, idx, text, (int)len, SQLITE_STATIC);
		return 0;
	}
	r.text = malloc(3 * len + 1);
	if (r.text == NULL) {
		state_release(st, stmt);
		return state_fail(st, "text: out of memory");
	}
	if (json_utf8_repair(text, len, JSON_UTF8_FFFD, repaired_sink, &r) != 0) {
		free(r.text);
		state_release(st, stmt);
		return state_fail(st, "text: cannot repair");
	}
	r.text[r.len] = '\0';
	sqlite3_bind_text(stmt, idx, r.text, (int)r.len, free);
	return 0;
}

static const char *col_text(sqlite3_stmt *stmt, int i)
{
	const char *text = (const char *)sqlite3_column_text(stmt, i);

	return text ? text : "";
}

/* Runs a prepared write and finalizes it; -1 with the message on failure. */
static int step_done(state_t *st, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE)
		state_fail_sql(st, what);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int received_put(state_t *st, const char *checker, const char *datacenter)
{
	sqlite3_stmt *stmt = state_prepare(
	    st, "INSERT INTO observations_received (checker, datacenter, received)"
		" VALUES (?1, ?2, ?3) ON CONFLICT (checker, datacenter)"
		" DO UPDATE SET received = excluded.received");

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, checker, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, datacenter, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, state_now_ms(st));
	return step_done(st, stmt, "observation received time");
}

int state_observation_received_tx(state_t *st, const char *row_json)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT json_extract(?1, '$.checker'),"
					       " json_extract(?1, '$.datacenter')");
	char checker[STATE_NAME_MAX], datacenter[STATE_NAME_MAX];

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, row_json, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		state_release(st, stmt);
		return state_fail_sql(st, "observation received time");
	}
	state_copy(checker, sizeof(checker), col_text(stmt, 0));
	state_copy(datacenter, sizeof(datacenter), col_text(stmt, 1));
	state_release(st, stmt);
	return received_put(st, checker, datacenter);
}

const char *state_pending_name(state_health_t pending)
{
	return pending == STATE_HEALTH_UP ? "up" : pending == STATE_HEALTH_DOWN ? "down" : "";
}

state_health_t state_pending_parse(const char *text)
{
	return strcmp(text, "up") == 0	   ? STATE_HEALTH_UP
	       : strcmp(text, "down") == 0 ? STATE_HEALTH_DOWN
					   : STATE_HEALTH_UNKNOWN;
}

/* The status and transition of an observation as the tables take them. */
static int observation_check(state_t *st, const state_observation_t *obs)
{
	if (check_id(st, "datacenter", obs->datacenter) < 0)
		return -1;
	if ((unsigned)obs->status >= M_ARRAY_LEN(health_names))
		return state_fail(st, "invalid health status %d", (int)obs->status);
	if ((unsigned)obs->pending >= M_ARRAY_LEN(health_names) || obs->change_in_ms < 0)
		return state_fail(st, "invalid transition %d in %d ms", (int)obs->pending,
				  (int)obs->change_in_ms);
	return 0;
}

int state_observation_put(state_t *st, const state_observation_t *obs)
{
	char key[2 * STATE_NAME_MAX];
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;

	if (obs->address[0] != '\0')
		return state_address_observation_put(st, obs);
	if (observation_check(st, obs) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s/%s", st->region, obs->datacenter);
	if (state_tx_begin(st) < 0)
		return -1;
	if (state_change_next(st, &hlc, &seq) < 0)
		goto fail;
	stmt = state_prepare(
	    st, "INSERT INTO observations (checker, datacenter, status, since, checked,"
		" latency, detail, hlc, origin, pending, change_in)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?1, ?9, ?10)"
		" ON CONFLICT (checker, datacenter) DO UPDATE SET status = excluded.status,"
		" since = excluded.since, checked = excluded.checked,"
		" latency = excluded.latency, detail = excluded.detail, hlc = excluded.hlc,"
		" origin = excluded.origin, pending = excluded.pending,"
		" change_in = excluded.change_in");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, obs->datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, health_names[obs->status], -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, obs->since_ms);
	sqlite3_bind_int64(stmt, 5, obs->checked_ms);
	sqlite3_bind_int(stmt, 6, obs->latency_ms < 0 ? -1 : obs->latency_ms);
	sqlite3_bind_int64(stmt, 8, (int64_t)hlc);
	sqlite3_bind_text(stmt, 9, state_pending_name(obs->pending), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 10, obs->pending != STATE_HEALTH_UNKNOWN ? obs->change_in_ms : 0);
	if (state_bind_free_text(st, stmt, 7, obs->detail) < 0 ||
	    step_done(st, stmt, "observation") < 0 ||
	    state_change_record(st, "observations", key, hlc, seq) < 0 ||
	    received_put(st, st->region, obs->datacenter) < 0)
		goto fail;
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}

static int observations_read(state_t *st, sqlite3_stmt *stmt, const char *what,
			     state_observation_t **out, size_t *count);

int state_observations_list(state_t *st, state_observation_t **out, size_t *count)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "SELECT o.checker, o.datacenter, o.status, o.since, o.checked,"
			      " o.latency, o.detail, o.hlc, o.origin, COALESCE(r.received, 0),"
			      " o.pending, o.change_in, ''"
			      " FROM observations o LEFT JOIN observations_received r"
			      " ON r.checker = o.checker AND r.datacenter = o.datacenter"
			      " ORDER BY o.datacenter, o.checker");

	return observations_read(st, stmt, "observations", out, count);
}

int state_address_observations_list(state_t *st, state_observation_t **out, size_t *count)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "SELECT o.checker, o.datacenter, o.status, o.since, o.checked,"
			      " o.latency, o.detail, o.hlc, o.origin, COALESCE(r.received, 0),"
			      " o.pending, o.change_in, o.address"
			      " FROM address_observations o LEFT JOIN address_observations_received r"
			      " ON r.checker = o.checker AND r.datacenter = o.datacenter"
			      " AND r.address = o.address"
			      " ORDER BY o.datacenter, o.address, o.checker");

	return observations_read(st, stmt, "address observations", out, count);
}

static int address_received_put(state_t *st, const char *checker, const char *datacenter,
				const char *address)
{
	sqlite3_stmt *stmt = state_prepare(
	    st, "INSERT INTO address_observations_received (checker, datacenter, address, received)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (checker, datacenter, address)"
		" DO UPDATE SET received = excluded.received");

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, checker, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, datacenter, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, address, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, state_now_ms(st));
	return step_done(st, stmt, "address observation received time");
}

int state_received_tx(state_t *st, const char *table, const char *row_json)
{
	if (strcmp(table, "observations") == 0)
		return state_observation_received_tx(st, row_json);
	if (strcmp(table, "address_observations") == 0)
		return state_address_received_tx(st, row_json);
	return 0;
}

int state_address_received_tx(state_t *st, const char *row_json)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT json_extract(?1, '$.checker'),"
					       " json_extract(?1, '$.datacenter'),"
					       " json_extract(?1, '$.address')");
	char checker[STATE_NAME_MAX], datacenter[STATE_NAME_MAX], address[STATE_ADDRESS_MAX];

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, row_json, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		state_release(st, stmt);
		return state_fail_sql(st, "address observation received time");
	}
	state_copy(checker, sizeof(checker), col_text(stmt, 0));
	state_copy(datacenter, sizeof(datacenter), col_text(stmt, 1));
	state_copy(address, sizeof(address), col_text(stmt, 2));
	state_release(st, stmt);
	return address_received_put(st, checker, datacenter, address);
}

/* An address as a key part: printable, no '/', shorter than STATE_ADDRESS_MAX. */
static int check_address(state_t *st, const char *address)
{
	size_t n = strlen(address);

	if (n == 0 || n >= STATE_ADDRESS_MAX || strspn(address, "0123456789abcdefABCDEF.:") != n)
		return state_fail(st, "invalid address '%s'", address);
	return 0;
}

int state_address_observation_put(state_t *st, const state_observation_t *obs)
{
	char key[2 * STATE_NAME_MAX + STATE_ADDRESS_MAX];
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;

	if (observation_check(st, obs) < 0 || check_address(st, obs->address) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s/%s/%s", st->region, obs->datacenter, obs->address);
	if (state_tx_begin(st) < 0)
		return -1;
	if (state_change_next(st, &hlc, &seq) < 0)
		goto fail;
	stmt = state_prepare(
	    st, "INSERT INTO address_observations (checker, datacenter, address, status, since,"
		" checked, latency, detail, pending, change_in, hlc, origin)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?1)"
		" ON CONFLICT (checker, datacenter, address) DO UPDATE SET status = excluded.status,"
		" since = excluded.since, checked = excluded.checked, latency = excluded.latency,"
		" detail = excluded.detail, pending = excluded.pending,"
		" change_in = excluded.change_in, hlc = excluded.hlc, origin = excluded.origin");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, obs->datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, obs->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, health_names[obs->status], -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, obs->since_ms);
	sqlite3_bind_int64(stmt, 6, obs->checked_ms);
	sqlite3_bind_int(stmt, 7, obs->latency_ms < 0 ? -1 : obs->latency_ms);
	sqlite3_bind_text(stmt, 9, state_pending_name(obs->pending), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 10, obs->pending != STATE_HEALTH_UNKNOWN ? obs->change_in_ms : 0);
	sqlite3_bind_int64(stmt, 11, (int64_t)hlc);
	if (state_bind_free_text(st, stmt, 8, obs->detail) < 0 ||
	    step_done(st, stmt, "address observation") < 0 ||
	    state_change_record(st, "address_observations", key, hlc, seq) < 0 ||
	    address_received_put(st, st->region, obs->datacenter, obs->address) < 0)
		goto fail;
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}

/* Steps stmt (released here) over observation rows of either table. */
static int observations_read(state_t *st, sqlite3_stmt *stmt, const char *what,
			     state_observation_t **out, size_t *count)
{
	state_observation_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_observation_t *grown = realloc(list, (n + 1) * sizeof(*list)), *o;
		int status;

		if (!grown) {
			free(list);
			state_release(st, stmt);
			return state_fail(st, "%s: out of memory", what);
		}
		list = grown;
		o = &list[n++];
		memset(o, 0, sizeof(*o));
		state_copy(o->checker, sizeof(o->checker), col_text(stmt, 0));
		state_copy(o->datacenter, sizeof(o->datacenter), col_text(stmt, 1));
		status = state_health_parse(col_text(stmt, 2));
		o->status = status < 0 ? STATE_HEALTH_UNKNOWN : (state_health_t)status;
		o->since_ms = sqlite3_column_int64(stmt, 3);
		o->checked_ms = sqlite3_column_int64(stmt, 4);
		o->latency_ms = sqlite3_column_int(stmt, 5);
		state_copy(o->detail, sizeof(o->detail), col_text(stmt, 6));
		o->hlc = (uint64_t)sqlite3_column_int64(stmt, 7);
		state_copy(o->origin, sizeof(o->origin), col_text(stmt, 8));
		o->received_ms = sqlite3_column_int64(stmt, 9);
		o->pending = state_pending_parse(col_text(stmt, 10));
		o->change_in_ms = o->pending != STATE_HEALTH_UNKNOWN
				      ? (int32_t)sqlite3_column_int64(stmt, 11)
				      : 0;
		state_copy(o->address, sizeof(o->address), col_text(stmt, 12));
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, what);
	}
	*out = list;
	*count = n;
	return 0;
}

int state_event_append_tx(state_t *st, const char *actor, const char *action,
			  const char *datacenter, const char *reason, const char *detail)
{
	char key[STATE_NAME_MAX + 24];
	int64_t id = 0;
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;
	int rc;

	stmt = state_prepare(st, "SELECT COALESCE(MAX(id), 0) + 1 FROM events WHERE origin = ?1");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	if (rc != SQLITE_ROW)
		return state_fail_sql(st, "event id");
	if (state_change_next(st, &hlc, &seq) < 0)
		return -1;
	stmt =
	    state_prepare(st, "INSERT INTO events (origin, id, hlc, at, actor, action, datacenter,"
			      " reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, id);
	sqlite3_bind_int64(stmt, 3, (int64_t)hlc);
	sqlite3_bind_int64(stmt, 4, state_now_ms(st));
	if (state_bind_free_text(st, stmt, 5, actor) < 0 || state_bind_free_text(st, stmt, 6, action) < 0 ||
	    state_bind_free_text(st, stmt, 7, datacenter) < 0 ||
	    state_bind_free_text(st, stmt, 8, reason) < 0 || state_bind_free_text(st, stmt, 9, detail) < 0 ||
	    step_done(st, stmt, "event") < 0)
		return -1;
	snprintf(key, sizeof(key), "%s/%lld", st->region, (long long)id);
	return state_change_record(st, "events", key, hlc, seq);
}

int state_event_append(state_t *st, const char *actor, const char *action, const char *datacenter,
		       const char *reason, const char *detail)
{
	if (action[0] == '\0')
		return state_fail(st, "event without an action");
	if (state_tx_begin(st) < 0)
		return -1;
	if (state_event_append_tx(st, actor, action, datacenter, reason, detail) < 0) {
		state_tx_rollback(st);
		return -1;
	}
	return state_tx_commit(st);
}

int state_events_list(state_t *st, size_t limit, state_event_t **out, size_t *count)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "SELECT origin, id, hlc, at, actor, action, datacenter,"
			      " reason, detail FROM events"
			      " ORDER BY at DESC, hlc DESC, origin LIMIT ?1");
	state_event_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	sqlite3_bind_int64(stmt, 1, limit ? (int64_t)limit : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_event_t *grown = realloc(list, (n + 1) * sizeof(*list)), *e;

		if (!grown) {
			free(list);
			state_release(st, stmt);
			return state_fail(st, "events: out of memory");
		}
		list = grown;
		e = &list[n++];
		memset(e, 0, sizeof(*e));
		state_copy(e->origin, sizeof(e->origin), col_text(stmt, 0));
		e->id = sqlite3_column_int64(stmt, 1);
		e->hlc = (uint64_t)sqlite3_column_int64(stmt, 2);
		e->at_ms = sqlite3_column_int64(stmt, 3);
		state_copy(e->actor, sizeof(e->actor), col_text(stmt, 4));
		state_copy(e->action, sizeof(e->action), col_text(stmt, 5));
		state_copy(e->datacenter, sizeof(e->datacenter), col_text(stmt, 6));
		state_copy(e->reason, sizeof(e->reason), col_text(stmt, 7));
		state_copy(e->detail, sizeof(e->detail), col_text(stmt, 8));
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "events");
	}
	*out = list;
	*count = n;
	return 0;
}

/* "until 2026-11-29T04:00:00Z" or "no expiry", for the audit event's detail; a scheduled
 * override's says when it starts first: "scheduled from 2026-11-29T02:00:00Z until ...". */
static void expiry_text(int64_t starts_ms, int64_t expires_ms, char *buf, size_t len)
{
	char when[32], from[32];
	size_t used = 0;

	if (starts_ms != 0)
		used = (size_t)snprintf(buf, len, "scheduled from %s ",
					timefmt_iso(starts_ms, from, sizeof(from)));
	if (used >= len)
		return;
	if (expires_ms == 0)
		snprintf(buf + used, len - used, "no expiry");
	else
		snprintf(buf + used, len - used, "until %s",
			 timefmt_iso(expires_ms, when, sizeof(when)));
}

/* The audit detail of an override or clear: base, and when it was forced, which rule it was
 * forced past. The rule is cut rather than the base, which says what was done. */
static void audit_detail(char *buf, size_t len, const char *base, const char *forced_rule)
{
	if (forced_rule == NULL)
		snprintf(buf, len, "%s", base);
	else
		snprintf(buf, len, "%s; forced past the safety rule: %s", base, forced_rule);
}

int state_override_write_tx(state_t *st, const state_override_t *ov, const char *forced_rule)
{
	const char *action = state_override_action_name(ov->action);
	int64_t now = state_now_ms(st);
	char expiry[64], detail[STATE_TEXT_MAX];
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;

	if (check_id(st, "datacenter", ov->datacenter) < 0)
		return -1;
	if ((unsigned)ov->action >= M_ARRAY_LEN(action_names))
		return state_fail(st, "invalid override action %d", (int)ov->action);
	if (ov->expires_ms < 0)
		return state_fail(st, "invalid override expiry %lld", (long long)ov->expires_ms);
	if (ov->starts_ms < 0 || (ov->starts_ms != 0 && ov->expires_ms != 0 &&
				  ov->expires_ms <= ov->starts_ms))
		return state_fail(st, "invalid override start %lld (expires %lld)",
				  (long long)ov->starts_ms, (long long)ov->expires_ms);
	expiry_text(ov->starts_ms, ov->expires_ms, expiry, sizeof(expiry));
	audit_detail(detail, sizeof(detail), expiry, forced_rule);
	if (state_change_next(st, &hlc, &seq) < 0)
		return -1;
	stmt = state_prepare(
	    st, "INSERT INTO overrides (datacenter, action, reason, actor, created,"
		" expires, deleted, hlc, origin, starts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9)"
		" ON CONFLICT (datacenter) DO UPDATE SET action = excluded.action,"
		" reason = excluded.reason, actor = excluded.actor,"
		" created = excluded.created, expires = excluded.expires, deleted = 0,"
		" hlc = excluded.hlc, origin = excluded.origin, starts = excluded.starts");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, ov->datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, ov->created_ms ? ov->created_ms : now);
	sqlite3_bind_int64(stmt, 6, ov->expires_ms);
	sqlite3_bind_int64(stmt, 7, (int64_t)hlc);
	sqlite3_bind_text(stmt, 8, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, ov->starts_ms);
	if (state_bind_free_text(st, stmt, 3, ov->reason) < 0 ||
	    state_bind_free_text(st, stmt, 4, ov->actor) < 0 || step_done(st, stmt, "override") < 0 ||
	    state_change_record(st, "overrides", ov->datacenter, hlc, seq) < 0)
		return -1;
	return state_event_append_tx(st, ov->actor, action, ov->datacenter, ov->reason, detail);
}

int state_override_put(state_t *st, const state_override_t *ov)
{
	if (state_tx_begin(st) < 0)
		return -1;
	if (state_override_write_tx(st, ov, NULL) < 0) {
		state_tx_rollback(st);
		return -1;
	}
	return state_tx_commit(st);
}

int state_override_tombstone_tx(state_t *st, const char *datacenter, const char *actor,
				const char *reason, const char *forced_rule)
{
	int64_t now = state_now_ms(st);
	char previous[STATE_NAME_MAX] = "", detail[STATE_TEXT_MAX];
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;
	int rc;

	if (check_id(st, "datacenter", datacenter) < 0)
		return -1;
	stmt =
	    state_prepare(st, "SELECT action FROM overrides WHERE datacenter = ?1 AND deleted = 0"
			      " AND (expires = 0 OR expires > ?2)");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		state_copy(previous, sizeof(previous), col_text(stmt, 0));
	state_release(st, stmt);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return state_fail_sql(st, "override");
	/* A tombstone, not a removal: it must win LWW against the put it clears in every
	 * region, including ones that see the put after the clear. */
	if (state_change_next(st, &hlc, &seq) < 0)
		return -1;
	stmt =
	    state_prepare(st, "UPDATE overrides SET deleted = 1, actor = ?2, reason = ?3, hlc = ?4,"
			      " origin = ?5 WHERE datacenter = ?1");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, (int64_t)hlc);
	sqlite3_bind_text(stmt, 5, st->region, -1, SQLITE_STATIC);
	audit_detail(detail, sizeof(detail), previous, forced_rule);
	if (state_bind_free_text(st, stmt, 2, actor) < 0 || state_bind_free_text(st, stmt, 3, reason) < 0 ||
	    step_done(st, stmt, "override") < 0 ||
	    state_change_record(st, "overrides", datacenter, hlc, seq) < 0 ||
	    state_event_append_tx(st, actor, "clear", datacenter, reason, detail) < 0)
		return -1;
	return 0;
}

int state_override_clear(state_t *st, const char *datacenter, const char *actor, const char *reason)
{
	int rc;

	if (state_tx_begin(st) < 0)
		return -1;
	rc = state_override_tombstone_tx(st, datacenter, actor, reason, NULL);
	if (rc != 0) {
		state_tx_rollback(st);
		return rc;
	}
	return state_tx_commit(st) < 0 ? -1 : 0;
}

int state_overrides_list(state_t *st, state_override_t **out, size_t *count)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "SELECT datacenter, action, reason, actor, created, expires,"
			      " deleted, hlc, origin, starts FROM overrides ORDER BY datacenter");
	state_override_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_override_t *grown = realloc(list, (n + 1) * sizeof(*list)), *o;
		int action;

		if (!grown) {
			free(list);
			state_release(st, stmt);
			return state_fail(st, "overrides: out of memory");
		}
		list = grown;
		o = &list[n++];
		memset(o, 0, sizeof(*o));
		state_copy(o->datacenter, sizeof(o->datacenter), col_text(stmt, 0));
		action = state_override_action_parse(col_text(stmt, 1));
		o->action = action < 0 ? STATE_OVERRIDE_DRAIN : (state_override_action_t)action;
		state_copy(o->reason, sizeof(o->reason), col_text(stmt, 2));
		state_copy(o->actor, sizeof(o->actor), col_text(stmt, 3));
		o->created_ms = sqlite3_column_int64(stmt, 4);
		o->expires_ms = sqlite3_column_int64(stmt, 5);
		o->deleted = sqlite3_column_int(stmt, 6) != 0;
		o->hlc = (uint64_t)sqlite3_column_int64(stmt, 7);
		state_copy(o->origin, sizeof(o->origin), col_text(stmt, 8));
		o->starts_ms = sqlite3_column_int64(stmt, 9);
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "overrides");
	}
	*out = list;
	*count = n;
	return 0;
}

int state_peer_update(state_t *st, const state_peer_t *peer)
{
	sqlite3_stmt *stmt;

	if (check_id(st, "peer region", peer->region) < 0)
		return -1;
	if (state_tx_begin(st) < 0)
		return -1;
	/* Peers are this node's own view: not replicated, no change-log entry. */
	stmt = state_prepare(
	    st, "INSERT INTO peers (region, url, last_contact, last_error_at, last_error,"
		" errors, lag) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (region) DO UPDATE SET url = excluded.url,"
		" last_contact = excluded.last_contact,"
		" last_error_at = excluded.last_error_at,"
		" last_error = excluded.last_error, errors = excluded.errors,"
		" lag = excluded.lag");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, peer->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, peer->url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, peer->last_contact_ms);
	sqlite3_bind_int64(stmt, 4, peer->last_error_ms);
	sqlite3_bind_text(stmt, 5, peer->last_error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, peer->errors);
	sqlite3_bind_int64(stmt, 7, peer->lag_ms);
	if (step_done(st, stmt, "peer") < 0)
		goto fail;
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}

int state_peers_list(state_t *st, state_peer_t **out, size_t *count)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "SELECT region, url, last_contact, last_error_at, last_error,"
			      " errors, lag FROM peers ORDER BY region");
	state_peer_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_peer_t *grown = realloc(list, (n + 1) * sizeof(*list)), *p;

		if (!grown) {
			free(list);
			state_release(st, stmt);
			return state_fail(st, "peers: out of memory");
		}
		list = grown;
		p = &list[n++];
		memset(p, 0, sizeof(*p));
		state_copy(p->region, sizeof(p->region), col_text(stmt, 0));
		state_copy(p->url, sizeof(p->url), col_text(stmt, 1));
		p->last_contact_ms = sqlite3_column_int64(stmt, 2);
		p->last_error_ms = sqlite3_column_int64(stmt, 3);
		state_copy(p->last_error, sizeof(p->last_error), col_text(stmt, 4));
		p->errors = sqlite3_column_int64(stmt, 5);
		p->lag_ms = sqlite3_column_int64(stmt, 6);
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "peers");
	}
	*out = list;
	*count = n;
	return 0;
}
