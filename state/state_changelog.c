/* SPDX-License-Identifier: MIT */
/* state_changelog.c -- the one write path of replicated tables, and remote apply */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state_hlc.h"
#include "state/state_internal.h"

/* Invariants (DESIGN.md): every change to observations, overrides and events commits in
 * the same transaction as its change-log entry (origin, seq, hlc, tbl, key, full row as
 * JSON); seq is dense per origin from 1; the per-origin cursor (highest seq held) moves
 * in the same transaction; rows are last-writer-wins by (hlc, origin), events are
 * insert-only, override deletes are tombstones (deleted = 1), never row removals.
 * The row JSON is built by SQLite (json_object) from the row as stored, so what ships is
 * exactly what the table holds. Keys join their parts with '/', which ids never hold. */

static const char *const obs_text[] = {"checker", "datacenter", "status", "detail", "origin", NULL};
static const char *const obs_int[] = {"since", "checked", "latency", "hlc", NULL};
/* Only rows in transition carry these (version 13): settled ones ship as before, same hash. */
static const char *const obs_opt_text[] = {"pending", NULL};
static const char *const obs_opt_int[] = {"change_in", NULL};
static const char *const addr_text[] = {"checker", "datacenter", "address", "status", "detail",
					"pending", "origin", NULL};
static const char *const addr_int[] = {"since", "checked", "latency", "change_in", "hlc", NULL};
static const char *const ovr_text[] = {"datacenter", "action", "reason", "actor", "origin", NULL};
static const char *const ovr_int[] = {"created", "expires", "deleted", "hlc", NULL};
/* Only scheduled overrides carry "starts" (version 9): a row in effect from its creation
 * ships as it always did, so its JSON, hash and digest are those of older versions. */
static const char *const ovr_opt_int[] = {"starts", NULL};
static const char *const ev_text[] = {"origin", "actor",  "action", "datacenter",
				      "reason", "detail", NULL};
static const char *const ev_int[] = {"id", "hlc", "at", NULL};
static const char *const dep_text[] = {"region", "component", "version", "config_digest", "config",
				       "zones", "geoip_type", "geoip_digest", "origin", NULL};
static const char *const load_text[] = {"checker", "datacenter", "detail", "origin", NULL};
static const char *const load_int[] = {"value_milli", "ok", "measured", "hlc", NULL};
static const char *const wt_text[] = {"target", "datacenter", "reason", "actor", "origin", NULL};
static const char *const wt_int[] = {"weight", "created", "expires", "deleted", "hlc", NULL};
static const char *const dep_int[] = {"geoip_epoch", "since", "updated", "hlc", NULL};
static const char *const dep_json_text[] = {"config", "zones", NULL};

/* SQL reads better laid out by hand. */
/* clang-format off */
#define J(f) "json_extract(?1, '$." f "')"
#define KEY_HEAD "substr(?1, 1, instr(?1, '/') - 1)"
#define KEY_TAIL "substr(?1, instr(?1, '/') + 1)"

const state_table_t state_tables[] = {
	{
		.name = "observations",
		.row_json = "CASE WHEN pending = '' THEN"
			    " json_object('checker', checker, 'datacenter', datacenter, 'status', status,"
			    " 'since', since, 'checked', checked, 'latency', latency, 'detail', detail,"
			    " 'hlc', hlc, 'origin', origin) ELSE"
			    " json_object('checker', checker, 'datacenter', datacenter, 'status', status,"
			    " 'since', since, 'checked', checked, 'latency', latency, 'detail', detail,"
			    " 'hlc', hlc, 'origin', origin, 'pending', pending, 'change_in', change_in) END",
		.by_key = "checker = " KEY_HEAD " AND datacenter = " KEY_TAIL,
		.json_key = J("checker") " || '/' || " J("datacenter"),
		.upsert = "INSERT INTO observations (checker, datacenter, status, since, checked, latency,"
			  " detail, pending, change_in, hlc, origin)"
			  " SELECT " J("checker") ", " J("datacenter") ", " J("status") ", " J("since") ", "
			  J("checked") ", " J("latency") ", " J("detail") ", COALESCE(" J("pending")
			  ", ''), COALESCE(" J("change_in") ", 0), " J("hlc") ", " J("origin")
			  " WHERE true ON CONFLICT (checker, datacenter) DO UPDATE SET"
			  " status = excluded.status, since = excluded.since, checked = excluded.checked,"
			  " latency = excluded.latency, detail = excluded.detail,"
			  " pending = excluded.pending, change_in = excluded.change_in, hlc = excluded.hlc,"
			  " origin = excluded.origin"
			  " WHERE (excluded.hlc, excluded.origin) > (observations.hlc, observations.origin)",
		.text_fields = obs_text,
		.integer_fields = obs_int,
		.optional_text_fields = obs_opt_text,
		.optional_integer_fields = obs_opt_int,
	},
	{
		.name = "overrides",
		.row_json = "CASE WHEN starts = 0 THEN"
			    " json_object('datacenter', datacenter, 'action', action, 'reason', reason,"
			    " 'actor', actor, 'created', created, 'expires', expires, 'deleted', deleted,"
			    " 'hlc', hlc, 'origin', origin) ELSE"
			    " json_object('datacenter', datacenter, 'action', action, 'reason', reason,"
			    " 'actor', actor, 'created', created, 'expires', expires, 'deleted', deleted,"
			    " 'hlc', hlc, 'origin', origin, 'starts', starts) END",
		.by_key = "datacenter = ?1",
		.json_key = J("datacenter"),
		.upsert = "INSERT INTO overrides (datacenter, action, reason, actor, created, expires,"
			  " deleted, hlc, origin, starts)"
			  " SELECT " J("datacenter") ", " J("action") ", " J("reason") ", " J("actor") ", "
			  J("created") ", " J("expires") ", " J("deleted") ", " J("hlc") ", " J("origin")
			  ", COALESCE(" J("starts") ", 0)"
			  " WHERE true ON CONFLICT (datacenter) DO UPDATE SET"
			  " action = excluded.action, reason = excluded.reason, actor = excluded.actor,"
			  " created = excluded.created, expires = excluded.expires,"
			  " deleted = excluded.deleted, hlc = excluded.hlc, origin = excluded.origin,"
			  " starts = excluded.starts"
			  " WHERE (excluded.hlc, excluded.origin) > (overrides.hlc, overrides.origin)",
		.text_fields = ovr_text,
		.integer_fields = ovr_int,
		.optional_integer_fields = ovr_opt_int,
	},
	{
		.name = "events",
		.row_json = "json_object('origin', origin, 'id', id, 'hlc', hlc, 'at', at, 'actor', actor,"
			    " 'action', action, 'datacenter', datacenter, 'reason', reason,"
			    " 'detail', detail)",
		.by_key = "origin = " KEY_HEAD " AND id = CAST(" KEY_TAIL " AS INTEGER)",
		.json_key = J("origin") " || '/' || " J("id"),
		.upsert = "INSERT INTO events (origin, id, hlc, at, actor, action, datacenter, reason,"
			  " detail)"
			  " SELECT " J("origin") ", " J("id") ", " J("hlc") ", " J("at") ", " J("actor") ", "
			  J("action") ", " J("datacenter") ", " J("reason") ", " J("detail")
			  " WHERE true ON CONFLICT (origin, id) DO NOTHING",
		.text_fields = ev_text,
		.integer_fields = ev_int,
		.insert_only = true,
	},
	/* What a region's daemon runs (issue 15, state_deploy.c); last writer wins. */
	{
		.name = "deployments",
		.row_json = "json_object('region', region, 'component', component, 'version', version,"
			    " 'config_digest', config_digest, 'config', config, 'zones', zones,"
			    " 'geoip_type', geoip_type, 'geoip_epoch', geoip_epoch,"
			    " 'geoip_digest', geoip_digest, 'since', since, 'updated', updated,"
			    " 'hlc', hlc, 'origin', origin)",
		.by_key = "region = " KEY_HEAD " AND component = " KEY_TAIL,
		.json_key = J("region") " || '/' || " J("component"),
		.upsert = "INSERT INTO deployments (region, component, version, config_digest, config,"
			  " zones, geoip_type, geoip_epoch, geoip_digest, since, updated, hlc, origin)"
			  " SELECT " J("region") ", " J("component") ", " J("version") ", "
			  J("config_digest") ", " J("config") ", " J("zones") ", " J("geoip_type") ", "
			  J("geoip_epoch") ", " J("geoip_digest") ", " J("since") ", " J("updated") ", "
			  J("hlc") ", " J("origin")
			  " WHERE true ON CONFLICT (region, component) DO UPDATE SET"
			  " version = excluded.version, config_digest = excluded.config_digest,"
			  " config = excluded.config, zones = excluded.zones,"
			  " geoip_type = excluded.geoip_type, geoip_epoch = excluded.geoip_epoch,"
			  " geoip_digest = excluded.geoip_digest, since = excluded.since,"
			  " updated = excluded.updated, hlc = excluded.hlc, origin = excluded.origin"
			  " WHERE (excluded.hlc, excluded.origin) > (deployments.hlc, deployments.origin)",
		.text_fields = dep_text,
		.integer_fields = dep_int,
		.json_text_fields = dep_json_text,
		.snapshot_optional = true,
	},
	/* A region's view of an address (version 13, state_rows.c); key checker/dc/address. */
	{
		.name = "address_observations",
		.row_json = "json_object('checker', checker, 'datacenter', datacenter, 'address', address,"
			    " 'status', status, 'since', since, 'checked', checked, 'latency', latency,"
			    " 'detail', detail, 'pending', pending, 'change_in', change_in, 'hlc', hlc,"
			    " 'origin', origin)",
		.by_key = "checker || '/' || datacenter || '/' || address = ?1",
		.json_key = J("checker") " || '/' || " J("datacenter") " || '/' || " J("address"),
		.upsert = "INSERT INTO address_observations (checker, datacenter, address, status, since,"
			  " checked, latency, detail, pending, change_in, hlc, origin) SELECT " J("checker")
			  ", " J("datacenter") ", " J("address") ", " J("status") ", " J("since") ", "
			  J("checked") ", " J("latency") ", " J("detail") ", " J("pending") ", "
			  J("change_in") ", " J("hlc") ", " J("origin") " WHERE true ON CONFLICT (checker,"
			  " datacenter, address) DO UPDATE SET status = excluded.status, since ="
			  " excluded.since, checked = excluded.checked, latency = excluded.latency, detail ="
			  " excluded.detail, pending = excluded.pending, change_in = excluded.change_in,"
			  " hlc = excluded.hlc, origin = excluded.origin WHERE (excluded.hlc,"
			  " excluded.origin) > (address_observations.hlc, address_observations.origin)",
		.text_fields = addr_text,
		.integer_fields = addr_int,
		.snapshot_optional = true,
	},
	/* Live load readings (issue 12, state_load.c); last writer wins, like observations. */
	{
		.name = "loads",
		.row_json = "json_object('checker', checker, 'datacenter', datacenter,"
			    " 'value_milli', value_milli, 'ok', ok, 'detail', detail,"
			    " 'measured', measured, 'hlc', hlc, 'origin', origin)",
		.by_key = "checker = " KEY_HEAD " AND datacenter = " KEY_TAIL,
		.json_key = J("checker") " || '/' || " J("datacenter"),
		.upsert = "INSERT INTO loads (checker, datacenter, value_milli, ok, detail, measured,"
			  " hlc, origin)"
			  " SELECT " J("checker") ", " J("datacenter") ", " J("value_milli") ", "
			  J("ok") ", " J("detail") ", " J("measured") ", " J("hlc") ", " J("origin")
			  " WHERE true ON CONFLICT (checker, datacenter) DO UPDATE SET"
			  " value_milli = excluded.value_milli, ok = excluded.ok,"
			  " detail = excluded.detail, measured = excluded.measured,"
			  " hlc = excluded.hlc, origin = excluded.origin"
			  " WHERE (excluded.hlc, excluded.origin) > (loads.hlc, loads.origin)",
		.text_fields = load_text,
		.integer_fields = load_int,
		.snapshot_optional = true,
	},
	/* Run-time weights (issue 12, state_weight.c); keys "datacenter/target" (a target
	 * may hold '/'), last writer wins, clears are tombstones. */
	{
		.name = "weights",
		.row_json = "json_object('target', target, 'datacenter', datacenter, 'weight', weight,"
			    " 'reason', reason, 'actor', actor, 'created', created, 'expires', expires,"
			    " 'deleted', deleted, 'hlc', hlc, 'origin', origin)",
		.by_key = "datacenter = " KEY_HEAD " AND target = " KEY_TAIL,
		.json_key = J("datacenter") " || '/' || " J("target"),
		.upsert = "INSERT INTO weights (target, datacenter, weight, reason, actor, created,"
			  " expires, deleted, hlc, origin)"
			  " SELECT " J("target") ", " J("datacenter") ", " J("weight") ", " J("reason")
			  ", " J("actor") ", " J("created") ", " J("expires") ", " J("deleted") ", "
			  J("hlc") ", " J("origin")
			  " WHERE true ON CONFLICT (target, datacenter) DO UPDATE SET"
			  " weight = excluded.weight, reason = excluded.reason, actor = excluded.actor,"
			  " created = excluded.created, expires = excluded.expires,"
			  " deleted = excluded.deleted, hlc = excluded.hlc, origin = excluded.origin"
			  " WHERE (excluded.hlc, excluded.origin) > (weights.hlc, weights.origin)",
		.text_fields = wt_text,
		.integer_fields = wt_int,
		.snapshot_optional = true,
	},
};
/* clang-format on */
const size_t state_table_count = M_ARRAY_LEN(state_tables);

const state_table_t *state_table_find(const char *name)
{
	for (size_t i = 0; i < state_table_count; i++)
		if (strcmp(state_tables[i].name, name) == 0)
			return &state_tables[i];
	return NULL;
}

/* One integer from a one-row query with optional text ?1; *value untouched when no row. */
static int query_int(state_t *st, const char *sql, const char *arg, int64_t *value)
{
	sqlite3_stmt *stmt = state_prepare(st, sql);
	int rc;

	if (!stmt)
		return -1;
	if (arg)
		sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		*value = sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_fail_sql(st, sql);
	return 0;
}

static int cursor_set(state_t *st, const char *origin, uint64_t seq)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "INSERT INTO cursors (origin, seq) VALUES (?1, ?2)"
			      " ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq");
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (int64_t)seq);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "cursor");
}

static int hlc_store(state_t *st, uint64_t hlc)
{
	sqlite3_stmt *stmt = state_prepare(st, "UPDATE node SET hlc = ?1 WHERE id = 1");
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_int64(stmt, 1, (int64_t)hlc);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "hlc");
}

int state_hlc_persist_observe(state_t *st, uint64_t hlc)
{
	int64_t last = 0;

	if (query_int(st, "SELECT hlc FROM node WHERE id = 1", NULL, &last) < 0)
		return -1;
	if (hlc <= (uint64_t)last)
		return 0;
	return hlc_store(st, state_hlc_observe((uint64_t)last, hlc));
}

int state_change_next(state_t *st, uint64_t *hlc, uint64_t *seq)
{
	int64_t last_hlc = 0, last_seq = 0;

	/* Read under the write lock: several processes of this region share the file, and
	 * the persisted high-water mark means a restart never reissues a value. */
	if (query_int(st, "SELECT hlc FROM node WHERE id = 1", NULL, &last_hlc) < 0 ||
	    query_int(st, "SELECT seq FROM cursors WHERE origin = ?1", st->region, &last_seq) < 0)
		return -1;
	if (last_seq < 0 || (uint64_t)last_seq >= STATE_SEQ_MAX)
		return state_fail(st, "cursor of %s is %lld, beyond the largest seq %llu", st->region,
				  (long long)last_seq, (unsigned long long)STATE_SEQ_MAX);
	*hlc = state_hlc_next((uint64_t)last_hlc, state_now_ms(st));
	*seq = (uint64_t)last_seq + 1;
	if (hlc_store(st, *hlc) < 0 || cursor_set(st, st->region, *seq) < 0)
		return -1;
	return 0;
}

int state_change_record(state_t *st, const char *table, const char *key, uint64_t hlc, uint64_t seq)
{
	const state_table_t *t = state_table_find(table);
	char sql[1024];
	sqlite3_stmt *stmt;
	int rc;

	if (!t)
		return state_fail(st, "unknown replicated table '%s'", table);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO changelog (origin, seq, hlc, tbl, key, row, stored)"
		 " SELECT ?2, ?3, ?4, '%s', ?1, %s, ?5 FROM %s WHERE %s",
		 t->name, t->row_json, t->name, t->by_key);
	stmt = state_prepare(st, sql);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (int64_t)seq);
	sqlite3_bind_int64(stmt, 4, (int64_t)hlc);
	sqlite3_bind_int64(stmt, 5, state_now_ms(st));
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE)
		return state_fail_sql(st, "change log");
	if (sqlite3_changes(st->db) != 1)
		return state_fail(st, "change log: no %s row with key '%s'", table, key);
	return state_digest_row(st, t, key);
}

/* Checks that text member field of row JSON (a text member, row_validate checked) holds
 * one JSON document by the strict reader: SQLite's JSON functions read it later (the
 * status views, `meridianctl drift` and `diff`), so it must be one they read without
 * harm (state_internal.h). */
static int json_text_check(state_t *st, const state_table_t *t, const char *row_json,
			   const char *field, char *why, size_t whylen)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT json_extract(?1, '$.' || ?2)");
	const char *text;
	json_doc_t doc;
	char err[160];
	int rc = -1;

	if (!stmt) {
		snprintf(why, whylen, "%s", st->err);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, row_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, field, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW ||
	    (text = (const char *)sqlite3_column_text(stmt, 0)) == NULL) {
		snprintf(why, whylen, "%s.%s: %s", t->name, field, sqlite3_errmsg(st->db));
	} else if (json_doc_parse(text, strlen(text), &doc, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "%s.%s: malformed JSON: %s", t->name, field, err);
	} else {
		json_doc_free(&doc);
		rc = 0;
	}
	state_release(st, stmt);
	return rc;
}

/* Checks the shape of row JSON for t: exactly its members (optional ones may be
 * missing), each of its type, none escaped or repeated, and its hlc not stamped after
 * max_ms (0: no limit); fills why. */
static int row_validate(state_t *st, const state_table_t *t, const char *row_json,
			int64_t max_ms, char *why, size_t whylen)
{
	sqlite3_stmt *stmt;
	const char *names[32];
	size_t n = 0;
	int rc = -1;
	char strict_why[200];

	if (state_json_strict_check(row_json, JSON_DOC_OBJECT, strict_why, sizeof(strict_why)) != 0) {
		snprintf(why, whylen, "row: %s", strict_why);
		return -1;
	}
	stmt = state_prepare(st, "SELECT json_valid(?1) AND json_type(?1) = 'object',"
				 " json_type(?1, '$.' || ?2), json_extract(?1, '$.hlc')");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, row_json, -1, SQLITE_STATIC);
	sqlite3_bind_null(stmt, 2);
	if (sqlite3_step(stmt) != SQLITE_ROW || !sqlite3_column_int(stmt, 0)) {
		snprintf(why, whylen, "row is not a JSON object");
		goto out;
	}
	for (size_t i = 0; t->text_fields[i] && n < M_ARRAY_LEN(names); i++)
		names[n++] = t->text_fields[i];
	for (size_t i = 0; t->integer_fields[i] && n < M_ARRAY_LEN(names); i++)
		names[n++] = t->integer_fields[i];
	for (size_t i = 0; t->optional_integer_fields && t->optional_integer_fields[i] &&
			   n < M_ARRAY_LEN(names);
	     i++)
		names[n++] = t->optional_integer_fields[i];
	for (size_t i = 0; t->optional_text_fields && t->optional_text_fields[i] &&
			   n < M_ARRAY_LEN(names);
	     i++)
		names[n++] = t->optional_text_fields[i];
	if (state_json_members_check(st, row_json, "$", names, n, why, whylen) < 0) {
		char inner[200];

		snprintf(inner, sizeof(inner), "%s", why);
		snprintf(why, whylen, "%s: %s", t->name, inner);
		goto out;
	}
	for (int kind = 0; kind < 4; kind++) {
		const char *const *fields = kind == 0   ? t->text_fields
					    : kind == 1 ? t->integer_fields
					    : kind == 2 ? t->optional_integer_fields
							: t->optional_text_fields;
		const char *want = kind == 0 || kind == 3 ? "text" : "integer";

		for (size_t i = 0; fields != NULL && fields[i]; i++) {
			const char *type;

			sqlite3_reset(stmt);
			sqlite3_bind_text(stmt, 2, fields[i], -1, SQLITE_STATIC);
			if (sqlite3_step(stmt) != SQLITE_ROW) {
				snprintf(why, whylen, "%s", sqlite3_errmsg(st->db));
				goto out;
			}
			type = (const char *)sqlite3_column_text(stmt, 1);
			if (!type && kind >= 2)
				continue; /* optional, absent: the column's default */
			if (!type || strcmp(type, want) != 0) {
				snprintf(why, whylen, "%s.%s must be %s, is %s", t->name, fields[i],
					 want, type ? type : "missing");
				goto out;
			}
			if (strcmp(fields[i], "hlc") == 0 && max_ms > 0 &&
			    (sqlite3_column_int64(stmt, 2) >> 16) > max_ms) {
				snprintf(why, whylen,
					 "%s.hlc %lld is %lld ms past the allowed clock skew",
					 t->name, (long long)sqlite3_column_int64(stmt, 2),
					 (long long)((sqlite3_column_int64(stmt, 2) >> 16) - max_ms));
				rc = -2;
				goto out;
			}
		}
	}
	for (size_t i = 0; t->json_text_fields != NULL && t->json_text_fields[i]; i++)
		if (json_text_check(st, t, row_json, t->json_text_fields[i], why, whylen) != 0)
			goto out;
	rc = 0;
out:
	state_release(st, stmt);
	return rc;
}

static int row_upsert(state_t *st, const state_table_t *t, const char *row_json, char *why,
		      size_t whylen)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = state_prepare(st, t->upsert);
	if (!stmt) {
		snprintf(why, whylen, "%s", st->err);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, row_json, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		snprintf(why, whylen, "%s", sqlite3_errmsg(st->db));
	state_release(st, stmt);
	if (rc != SQLITE_DONE)
		return -1;
	/* A row that won is news to this region: its votes are fresh from now, by our clock. */
	if (sqlite3_changes(st->db) > 0 && state_received_tx(st, t->name, row_json) < 0) {
		snprintf(why, whylen, "%s", st->err);
		return -1;
	}
	return 0;
}

int state_row_apply(state_t *st, const state_table_t *t, const char *row_json, int64_t max_ms,
		    char *why, size_t whylen)
{
	int rc = row_validate(st, t, row_json, max_ms, why, whylen);
	char key[STATE_TEXT_MAX];

	if (rc < 0 || row_upsert(st, t, row_json, why, whylen) < 0)
		return rc < 0 ? rc : -1;
	if (state_row_key(st, t, row_json, key, sizeof(key)) < 0 ||
	    state_digest_row(st, t, key) < 0) {
		snprintf(why, whylen, "%s", st->err);
		return -1;
	}
	return 0;
}

/* The key, hlc and origin an entry claims must be the row's own. */
static int entry_matches_row(state_t *st, const state_table_t *t, const state_change_t *c,
			     char *why, size_t whylen)
{
	char sql[512];
	sqlite3_stmt *stmt;
	int ok = 0;

	snprintf(sql, sizeof(sql), "SELECT %s, " J("hlc") ", " J("origin"), t->json_key);
	stmt = state_prepare(st, sql);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, c->row_json, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(stmt, 0);
		const char *origin = (const char *)sqlite3_column_text(stmt, 2);

		if (!key || strcmp(key, c->key) != 0)
			snprintf(why, whylen, "key '%.100s' does not match the row's '%.100s'",
				 c->key, key ? key : "");
		else if ((uint64_t)sqlite3_column_int64(stmt, 1) != c->hlc)
			snprintf(why, whylen, "hlc %" PRIu64 " does not match the row's %lld",
				 c->hlc, (long long)sqlite3_column_int64(stmt, 1));
		else if (!origin || strcmp(origin, c->origin) != 0)
			snprintf(why, whylen, "origin '%.60s' does not match the row's '%.60s'",
				 c->origin, origin ? origin : "");
		else
			ok = 1;
	} else {
		snprintf(why, whylen, "%s", sqlite3_errmsg(st->db));
	}
	state_release(st, stmt);
	return ok ? 0 : -1;
}

static int changelog_insert(state_t *st, const state_change_t *c)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "INSERT INTO changelog (origin, seq, hlc, tbl, key, row, stored)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, c->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (int64_t)c->seq);
	sqlite3_bind_int64(stmt, 3, (int64_t)c->hlc);
	sqlite3_bind_text(stmt, 4, c->table, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, c->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, c->row_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, state_now_ms(st));
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "change log");
}

/* Applies one entry inside the batch transaction: 1 applied, 0 skipped, -1 refused. */
static int apply_one(state_t *st, const state_change_t *c)
{
	const state_table_t *t;
	int64_t cursor = 0;
	char why[256];

	if (c->origin[0] == '\0' || strchr(c->origin, '/'))
		return state_fail(st, "malformed change: invalid origin '%s'", c->origin);
	if (c->seq == 0 || c->seq > STATE_SEQ_MAX)
		return state_fail(st, "malformed change %s/%" PRIu64 ": seq out of range",
				  c->origin, c->seq);
	if (query_int(st, "SELECT seq FROM cursors WHERE origin = ?1", c->origin, &cursor) < 0)
		return -1;
	if (c->seq <= (uint64_t)cursor)
		return 0;
	/* Our own origin comes only from our own writes: a peer holding more of it than we do
	 * means this store is new or restored, which state_identity_renumber settles;
	 * applying the peer's copy would number two different entries alike. */
	if (strcmp(c->origin, st->region) == 0)
		return 0;
	if (c->seq != (uint64_t)cursor + 1 && !state_seq_is_incarnation_start(c->seq))
		return state_fail(st,
				  "change log gap for origin %s: expected seq %lld, got %" PRIu64,
				  c->origin, (long long)cursor + 1, c->seq);
	t = state_table_find(c->table);
	if (!t)
		return state_fail(st, "malformed change %s/%" PRIu64 ": unknown table '%s'",
				  c->origin, c->seq, c->table);
	if (!c->row_json || row_validate(st, t, c->row_json, 0, why, sizeof(why)) < 0 ||
	    entry_matches_row(st, t, c, why, sizeof(why)) < 0 ||
	    row_upsert(st, t, c->row_json, why, sizeof(why)) < 0)
		return state_fail(st, "malformed change %s/%" PRIu64 ": %s", c->origin, c->seq,
				  c->row_json ? why : "no row");
	if (changelog_insert(st, c) < 0 || cursor_set(st, c->origin, c->seq) < 0 ||
	    state_digest_row(st, t, c->key) < 0)
		return -1;
	return 1;
}

int state_changes_apply(state_t *st, const state_change_t *changes, size_t count)
{
	uint64_t newest = 0;
	int applied = 0;

	if (state_tx_begin(st) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		int rc = apply_one(st, &changes[i]);

		if (rc < 0)
			goto fail;
		if (rc > 0) {
			applied++;
			if (changes[i].hlc > newest)
				newest = changes[i].hlc;
		}
	}
	if (newest && state_hlc_persist_observe(st, newest) < 0)
		goto fail;
	if (state_tx_commit(st) < 0)
		return -1;
	return applied;
fail:
	state_tx_rollback(st);
	return -1;
}

void state_changes_free(state_change_t *changes, size_t count)
{
	if (!changes)
		return;
	for (size_t i = 0; i < count; i++)
		free(changes[i].row_json);
	free(changes);
}

int state_changes_since(state_t *st, const char *origin, uint64_t after_seq, size_t max,
			state_change_t **out, size_t *count)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "SELECT origin, seq, hlc, tbl, key, row FROM changelog"
			      " WHERE origin = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
	state_change_t *list = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (int64_t)after_seq);
	sqlite3_bind_int64(stmt, 3, max ? (int64_t)max : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_change_t *c;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			state_change_t *grown = realloc(list, ncap * sizeof(*list));

			if (!grown)
				goto nomem;
			list = grown;
			cap = ncap;
		}
		c = &list[n];
		memset(c, 0, sizeof(*c));
		state_copy(c->origin, sizeof(c->origin),
			   (const char *)sqlite3_column_text(stmt, 0));
		c->seq = (uint64_t)sqlite3_column_int64(stmt, 1);
		c->hlc = (uint64_t)sqlite3_column_int64(stmt, 2);
		state_copy(c->table, sizeof(c->table), (const char *)sqlite3_column_text(stmt, 3));
		state_copy(c->key, sizeof(c->key), (const char *)sqlite3_column_text(stmt, 4));
		c->row_json = strdup((const char *)sqlite3_column_text(stmt, 5));
		n++;
		if (!c->row_json)
			goto nomem;
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_changes_free(list, n);
		return state_fail_sql(st, "change log");
	}
	*out = list;
	*count = n;
	return 0;
nomem:
	state_release(st, stmt);
	state_changes_free(list, n);
	return state_fail(st, "change log: out of memory");
}

int state_cursor_get(state_t *st, const char *origin, uint64_t *seq)
{
	int64_t value = 0;

	if (query_int(st, "SELECT seq FROM cursors WHERE origin = ?1", origin, &value) < 0)
		return -1;
	*seq = (uint64_t)value;
	return 0;
}

int state_cursors_list(state_t *st, state_cursor_t **out, size_t *count)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT origin, seq FROM cursors ORDER BY origin");
	state_cursor_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_cursor_t *grown = realloc(list, (n + 1) * sizeof(*list));

		if (!grown) {
			state_release(st, stmt);
			free(list);
			return state_fail(st, "cursors: out of memory");
		}
		list = grown;
		state_copy(list[n].origin, sizeof(list[n].origin),
			   (const char *)sqlite3_column_text(stmt, 0));
		list[n].seq = (uint64_t)sqlite3_column_int64(stmt, 1);
		n++;
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "cursors");
	}
	*out = list;
	*count = n;
	return 0;
}

int state_changelog_range(state_t *st, const char *origin, uint64_t *first, uint64_t *last)
{
	int64_t lo = 0, hi = 0;

	if (query_int(st, "SELECT MIN(seq) FROM changelog WHERE origin = ?1", origin, &lo) < 0 ||
	    query_int(st, "SELECT MAX(seq) FROM changelog WHERE origin = ?1", origin, &hi) < 0)
		return -1;
	*first = (uint64_t)lo;
	*last = (uint64_t)hi;
	return 0;
}

/* Deletes change-log entries matching where (?1 text, ?2 integer); cursors stay, so seq
 * stays dense and compacted entries are never applied again. */
static int compact(state_t *st, const char *where, const char *text, int64_t number,
		   uint64_t *removed)
{
	char sql[256];
	sqlite3_stmt *stmt;
	int rc;

	*removed = 0;
	snprintf(sql, sizeof(sql), "DELETE FROM changelog WHERE %s", where);
	if (state_tx_begin(st) < 0)
		return -1;
	stmt = state_prepare(st, sql);
	if (!stmt) {
		state_tx_rollback(st);
		return -1;
	}
	if (text)
		sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, number);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_fail_sql(st, "compact");
		state_tx_rollback(st);
		return -1;
	}
	*removed = (uint64_t)sqlite3_changes(st->db);
	return state_tx_commit(st);
}

int state_changelog_compact(state_t *st, int64_t older_than_ms, uint64_t *removed)
{
	return compact(st, "stored < ?2", NULL, state_now_ms(st) - older_than_ms, removed);
}

int state_changelog_compact_seq(state_t *st, const char *origin, uint64_t seq_floor,
				uint64_t *removed)
{
	return compact(st, "origin = ?1 AND seq <= ?2", origin, (int64_t)seq_floor, removed);
}
