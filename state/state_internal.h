/* SPDX-License-Identifier: MIT */
/* state_internal.h -- what the state/ files share with each other, not with users */
#ifndef MERIDIAN_STATE_INTERNAL_H
#define MERIDIAN_STATE_INTERNAL_H

#include <stdarg.h>

#include "base/json_doc.h"
#include "state/state.h"
#include "state/state_verdict.h"

/* Prepared statements kept for reuse: preparing the JSON upserts costs more than
 * running them. Keyed by SQL text; in_use keeps nested users of the same text apart. */
#define STATE_STMT_CACHE 40
typedef struct {
	char *sql;	    /* malloc'd copy of the text */
	sqlite3_stmt *stmt; /* prepared with SQLITE_PREPARE_PERSISTENT */
	bool in_use;	    /* handed out by state_prepare, not yet released */
} state_stmt_t;

/* One connection to the store. Used by one thread at a time (see state.h). */
struct state {
	sqlite3 *db;			      /* the connection; NULL once closed */
	char region[STATE_NAME_MAX];	      /* this node's region: the origin of its writes */
	bool readonly;			      /* opened with state_open_readonly */
	state_clock_fn clock;		      /* wall clock, ms since the epoch */
	char err[512];			      /* last error message, "" when none */
	state_stmt_t cache[STATE_STMT_CACHE]; /* reusable statements */
	size_t cached;			      /* entries used in cache */
};

/* Schema migrations: step i takes user_version i to i + 1. */
extern const char *const state_migrations[];
extern const size_t state_migration_count;

/* A replicated table as the change log sees it. */
typedef struct {
	const char *name;     /* table name, also the change-log `tbl` value */
	const char *row_json; /* SQL expression over the columns: the full row as JSON */
	const char *by_key;   /* SQL WHERE clause selecting the row whose key is ?1 */
	const char *json_key; /* SQL expression: the key of the row JSON ?1 */
	const char *upsert;   /* SQL applying row JSON ?1 when it wins LWW by (hlc, origin) */
	const char *const *text_fields;	   /* NULL-terminated: JSON members that must be text */
	const char *const *integer_fields; /* NULL-terminated: JSON members that must be integers */
	const char *const *optional_integer_fields; /* NULL, or NULL-terminated: integer members a
						     * row may leave out (the column default) */
	const char *const *optional_text_fields; /* NULL, or NULL-terminated: text members a row
						  * may leave out (the column default) */
	const char *const *json_text_fields; /* NULL, or NULL-terminated: text members whose text
					      * is itself JSON (read by SQLite's JSON functions
					      * later, so strictly checked first) */
	bool snapshot_optional; /* a snapshot from a store that predates the table lacks it */
	/* Rows never change once written (events): a key names one row for ever, the upsert
	 * keeps the first it saw, so only a re-sync settles two different rows of a key. */
	bool insert_only;
} state_table_t;

extern const state_table_t state_tables[];
extern const size_t state_table_count;
const state_table_t *state_table_find(const char *name) M_NONNULL_ALL;

/* Fills st->err; returns -1 so callers can `return state_fail(...)`. */
int state_fail(state_t *st, const char *fmt, ...) M_NONNULL(1, 2) M_PRINTF(2, 3);
/* Fills st->err with what (a short description) and SQLite's message; returns -1. */
int state_fail_sql(state_t *st, const char *what) M_NONNULL_ALL;
/* Runs SQL text without results; -1 with the message on failure. */
int state_exec(state_t *st, const char *sql) M_NONNULL_ALL M_WUR;
/* Prepares sql (or reuses a cached statement of the same text); NULL with the message on
 * failure. Every statement goes back through state_release, which resets it: a statement
 * left unreset would pin a read snapshot and hide later commits. */
sqlite3_stmt *state_prepare(state_t *st, const char *sql) M_NONNULL_ALL M_WUR;
/* Binds free text (reasons, actors, details) at idx, each byte that is not UTF-8 as U+FFFD
 * (as it will travel). On failure releases stmt and returns -1 (state_errmsg). */
int state_bind_free_text(state_t *st, sqlite3_stmt *stmt, int idx, const char *text)
    M_NONNULL_ALL M_WUR;
/* Resets and unbinds a cached statement, finalizes any other; NULL is fine. */
void state_release(state_t *st, sqlite3_stmt *stmt) M_NONNULL(1);

/* Writers: BEGIN IMMEDIATE (waits up to busy_timeout for other writers), COMMIT, ROLLBACK. */
int state_tx_begin(state_t *st) M_NONNULL_ALL M_WUR;
int state_tx_commit(state_t *st) M_NONNULL_ALL M_WUR;
void state_tx_rollback(state_t *st) M_NONNULL_ALL;
/* Readers: one consistent snapshot over several statements (BEGIN DEFERRED). */
int state_tx_read(state_t *st) M_NONNULL_ALL M_WUR;

/* The one write path of replicated tables, inside a state_tx_begin transaction:
 * state_change_next allocates this region's next (hlc, seq) and persists both; the
 * caller writes its row stamped with that hlc and origin; state_change_record then
 * appends the change-log entry, built from the row as stored. */
int state_change_next(state_t *st, uint64_t *hlc, uint64_t *seq) M_NONNULL_ALL M_WUR;
int state_change_record(state_t *st, const char *table, const char *key, uint64_t hlc,
			uint64_t seq) M_NONNULL_ALL M_WUR;
/* Raises the persisted HLC high-water mark to at least hlc (inside a write transaction). */
int state_hlc_persist_observe(state_t *st, uint64_t hlc) M_NONNULL_ALL M_WUR;
/* Validates row JSON ?1 for table t and applies it with LWW (inside a write transaction).
 * Fills why (no SQLite prefix) and returns -1 when malformed, -2 when its hlc is stamped
 * after max_ms (0: no limit). */
int state_row_apply(state_t *st, const state_table_t *t, const char *row_json, int64_t max_ms,
		    char *why, size_t whylen) M_NONNULL_ALL M_WUR;
/* Whether json is one JSON value of the given type (JSON_DOC_OBJECT, JSON_DOC_ARRAY) by
 * the strict reader (base/json_doc.h). Text from outside (a peer's snapshot or row, a
 * JSON member holding JSON) passes it before SQLite's JSON functions see it: SQLite 3.40
 * takes an object whose member name is not a string ({{...}:1}) as valid, and its path
 * lookups then read through a wild pointer (found by the repl_snapshot fuzzer). What the
 * strict reader accepts SQLite reads the same. 0, or -1 with why ("malformed JSON:
 * offset N: what", or "not a JSON object"/"not a JSON array"). */
int state_json_strict_check(const char *json, json_doc_type_t type, char *why, size_t whylen)
    M_NONNULL_ALL M_WUR;
/* Checks the members of the JSON object at path in json as SQLite reads them: each name
 * in allowed, none given twice, none escaped so that a lookup by name misses it. 0, or
 * -1 with why. */
int state_json_members_check(state_t *st, const char *json, const char *path,
			     const char *const *allowed, size_t allowed_count, char *why,
			     size_t whylen) M_NONNULL_ALL M_WUR;

/* Typed writes inside the caller's state_tx_begin transaction, so a caller can judge and
 * write in one transaction (state_guard.c). Each returns 0 or -1 with the message.
 * state_override_write_tx: the override row, its change-log entry and its audit event.
 * forced_rule, when not NULL, is the safety rule the write was forced past (without the
 * "refused: " prefix); the one audit event then says so in its detail
 * ("<detail>; forced past the safety rule: <rule>"), so a forced override is one event. */
int state_override_write_tx(state_t *st, const state_override_t *ov, const char *forced_rule)
    M_NONNULL(1, 2) M_WUR;
/* The tombstone, its change-log entry and the "clear" audit event (forced_rule as above);
 * 1, and nothing written, when datacenter has no live override. */
int state_override_tombstone_tx(state_t *st, const char *datacenter, const char *actor,
				const char *reason, const char *forced_rule)
    M_NONNULL(1, 2, 3, 4) M_WUR;
/* One audit event and its change-log entry. */
int state_event_append_tx(state_t *st, const char *actor, const char *action,
			  const char *datacenter, const char *reason, const char *detail)
	M_NONNULL_ALL M_WUR;

/* Notes that this store has just written or applied the observation row of row JSON ?1
 * (inside the write transaction), timed by this connection's clock: the time votes are
 * judged fresh by (state_verdict.h). */
int state_observation_received_tx(state_t *st, const char *row_json) M_NONNULL_ALL M_WUR;
/* The same for an address observation row (state_rows.c). */
int state_address_received_tx(state_t *st, const char *row_json) M_NONNULL_ALL M_WUR;
/* Either of them for a row of table that won (observations, address_observations);
 * nothing for the other tables. 0 or -1. */
int state_received_tx(state_t *st, const char *table, const char *row_json) M_NONNULL_ALL M_WUR;
/* Writes this region's address observation (obs->address set), row + change log + the
 * received time, in one transaction (state_rows.c). */
int state_address_observation_put(state_t *st, const state_observation_t *obs) M_NONNULL_ALL M_WUR;
/* "up", "down" for pending UP/DOWN, "" for UNKNOWN (not in transition); and back. */
const char *state_pending_name(state_health_t pending) M_CONST;
state_health_t state_pending_parse(const char *text) M_NONNULL_ALL M_PURE;

/* Applies this region's memory to one datacenter's votes (state_verdict_decide's steps
 * 3 and 4): raw is what the votes alone say (UNKNOWN: nothing), v has the counts and the
 * votes' why; fills v->observed and the hold and damping fields, rewrites v->why when it
 * holds or damps, and writes the updated memory to out (in may be NULL). */
void state_hold_apply(const state_params_t *params, int raw, const state_verdict_memory_t *in,
		      int64_t now_ms, state_verdict_t *v, state_verdict_memory_t *out)
    M_NONNULL(1, 5, 6);

/* The key of row JSON row_json in table t (its json_key expression) into key; "" when the
 * row has none. 0, or -1 with st->err. */
int state_row_key(state_t *st, const state_table_t *t, const char *row_json, char *key,
		  size_t keylen) M_NONNULL_ALL M_WUR;
/* Brings the digest of t up to date with its row of key (added, changed or gone), in the
 * caller's write transaction: O(1). */
int state_digest_row(state_t *st, const state_table_t *t, const char *key) M_NONNULL(1, 3) M_WUR;

/* Bounded copy of a column or string into a fixed buffer ("" for NULL). */
void state_copy(char *dst, size_t size, const char *src) M_NONNULL(1);

#endif
