/* SPDX-License-Identifier: MIT */
/* state.c -- opening the store: pragmas, migrations, node identity, transactions */
#include "config.h"
#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "state/state_internal.h"

/* How long a writer waits for another process's write transaction before failing. */
#define STATE_BUSY_TIMEOUT_MS 5000
/* How long a read-only open waits for a file at schema version 0 to get its first one. */
#define STATE_UNBORN_WAIT_MS 250

void state_copy(char *dst, size_t size, const char *src)
{
	if (size == 0)
		return;
	snprintf(dst, size, "%s", src ? src : "");
}

int state_fail(state_t *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	return -1;
}

int state_fail_sql(state_t *st, const char *what)
{
	return state_fail(st, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : "no connection");
}

int state_exec(state_t *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		state_fail(st, "%s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *state_prepare(state_t *st, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	state_stmt_t *slot;

	for (size_t i = 0; i < st->cached; i++) {
		slot = &st->cache[i];
		if (!slot->in_use && strcmp(slot->sql, sql) == 0) {
			slot->in_use = true;
			return slot->stmt;
		}
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		sqlite3_finalize(stmt);
		state_fail_sql(st, "prepare");
		return NULL;
	}
	if (st->cached < STATE_STMT_CACHE) {
		slot = &st->cache[st->cached];
		slot->sql = strdup(sql);
		if (slot->sql) {
			slot->stmt = stmt;
			slot->in_use = true;
			st->cached++;
		}
	}
	return stmt;
}

void state_release(state_t *st, sqlite3_stmt *stmt)
{
	if (!stmt)
		return;
	for (size_t i = 0; i < st->cached; i++) {
		if (st->cache[i].stmt == stmt) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			st->cache[i].in_use = false;
			return;
		}
	}
	sqlite3_finalize(stmt);
}

int state_tx_begin(state_t *st)
{
	if (st->readonly)
		return state_fail(st, "store is open read-only");
	return state_exec(st, "BEGIN IMMEDIATE");
}

int state_tx_commit(state_t *st)
{
	if (state_exec(st, "COMMIT") < 0) {
		state_tx_rollback(st);
		return -1;
	}
	return 0;
}

void state_tx_rollback(state_t *st)
{
	/* Keep the first error: ROLLBACK's own failure says less. */
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int state_tx_read(state_t *st)
{
	return state_exec(st, "BEGIN DEFERRED");
}

/* Reads an integer pragma ("PRAGMA user_version", "PRAGMA data_version"). */
static int pragma_int(state_t *st, const char *pragma, int64_t *value)
{
	sqlite3_stmt *stmt = state_prepare(st, pragma);
	int rc;

	if (!stmt)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	return rc == SQLITE_ROW ? 0 : state_fail_sql(st, pragma);
}

static int user_version(state_t *st, int *version)
{
	int64_t v = 0;

	if (pragma_int(st, "PRAGMA user_version", &v) < 0)
		return -1;
	*version = (int)v;
	return 0;
}

/* Runs every migration step above the file's user_version, one transaction each.
 * Several processes may open a new file at once: the version is read again under the
 * write lock, so each step runs exactly once. */
static int migrate(state_t *st)
{
	for (;;) {
		char sql[64];
		int version = 0;

		if (state_tx_begin(st) < 0 || user_version(st, &version) < 0)
			goto fail;
		if (version < 0 || (size_t)version > state_migration_count) {
			state_fail(st, "schema version %d is newer than this program knows (%zu)",
				   version, state_migration_count);
			goto fail;
		}
		if ((size_t)version == state_migration_count)
			return state_tx_commit(st);
		if (state_exec(st, state_migrations[version]) < 0) {
			char why[sizeof(st->err)];

			state_copy(why, sizeof(why), st->err);
			state_fail(st, "migration to schema version %d: %s", version + 1, why);
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (state_exec(st, sql) < 0 || state_tx_commit(st) < 0)
			goto fail;
	}
fail:
	state_tx_rollback(st);
	return -1;
}

/* Records this node's region on first open; refuses a file that belongs to another
 * region, since its change-log entries would carry the wrong origin. */
static int node_claim(state_t *st, const char *region)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (state_tx_begin(st) < 0)
		return -1;
	/* A new store is a new incarnation: nothing of its own origin is confirmed yet. */
	stmt = state_prepare(st, "INSERT INTO node (id, region, hlc, created, incarnation,"
				 " own_confirmed) VALUES (1, ?1, 0, ?2, lower(hex(randomblob(8))), 0)"
				 " ON CONFLICT (id) DO NOTHING");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, state_now_ms(st));
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_fail_sql(st, "node identity");
		goto fail;
	}
	state_release(st, stmt);
	stmt = state_prepare(st, "SELECT region FROM node WHERE id = 1");
	if (!stmt)
		goto fail;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		state_fail_sql(st, "node identity");
		goto fail;
	}
	if (strcmp((const char *)sqlite3_column_text(stmt, 0), region) != 0) {
		state_fail(st, "store belongs to region '%s', not '%s'",
			   sqlite3_column_text(stmt, 0), region);
		goto fail;
	}
	state_release(st, stmt);
	return state_tx_commit(st);
fail:
	state_release(st, stmt);
	state_tx_rollback(st);
	return -1;
}

static int node_region(state_t *st)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT region FROM node WHERE id = 1");
	int rc;

	if (!stmt)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		state_copy(st->region, sizeof(st->region),
			   (const char *)sqlite3_column_text(stmt, 0));
	else
		state_fail(st, "store has no node identity");
	state_release(st, stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

static state_t *open_common(const char *path, int flags, bool readonly, char *err, size_t errlen)
{
	state_t *st = calloc(1, sizeof(*st));

	if (!st) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	st->clock = clock_wall_ms;
	st->readonly = readonly;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		state_close(st);
		return NULL;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STATE_BUSY_TIMEOUT_MS);
	return st;
}

/* Switches a file to WAL. Several daemons opening a fresh file at once race for the
 * switch, and SQLite reports that race as SQLITE_BUSY without calling the busy handler
 * (it would deadlock), so the switch is retried here for as long as a writer would wait. */
static int journal_wal(state_t *st)
{
	const struct timespec pause = {0, 10L * 1000 * 1000};

	for (int waited = 0;; waited += 10) {
		sqlite3_stmt *stmt = state_prepare(st, "PRAGMA journal_mode = WAL");
		const char *mode;
		int rc;

		if (!stmt)
			return -1;
		rc = sqlite3_step(stmt);
		mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(stmt, 0) : NULL;
		if (mode != NULL && strcmp(mode, "wal") == 0) {
			state_release(st, stmt);
			return 0;
		}
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED &&
		    (mode == NULL || waited >= STATE_BUSY_TIMEOUT_MS)) {
			state_fail(st, "cannot switch to WAL mode: %s",
				   mode != NULL ? mode : sqlite3_errmsg(st->db));
			state_release(st, stmt);
			return -1;
		}
		state_release(st, stmt);
		if (waited >= STATE_BUSY_TIMEOUT_MS)
			return state_fail(st, "cannot switch to WAL mode: %s",
					  sqlite3_errstr(rc));
		nanosleep(&pause, NULL);
	}
}

state_t *state_open(const char *path, const char *region, char *err, size_t errlen)
{
	state_t *st;
	int ok = 0;

	if (region[0] == '\0' || strlen(region) >= STATE_NAME_MAX || strchr(region, '/')) {
		snprintf(err, errlen, "%s: invalid region id '%s'", path, region);
		return NULL;
	}
	st = open_common(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			 false, err, errlen);
	if (!st)
		return NULL;
	state_copy(st->region, sizeof(st->region), region);
	/* WAL: readers see a snapshot and never block the one writer; NORMAL sync is
	 * durable across process crashes and loses at most the last commits on power loss. */
	if (journal_wal(st) == 0)
		ok = 1;
	if (!ok || state_exec(st, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON") < 0 ||
	    migrate(st) < 0 || node_claim(st, region) < 0) {
		snprintf(err, errlen, "%s: %s", path, st->err);
		state_close(st);
		return NULL;
	}
	return st;
}

state_t *state_open_readonly(const char *path, char *err, size_t errlen)
{
	const struct timespec pause = {0, 10L * 1000 * 1000};
	state_t *st =
	    open_common(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, true, err, errlen);
	int version = 0;

	if (!st)
		return NULL;
	if (state_exec(st, "PRAGMA foreign_keys = ON") < 0)
		goto fail;
	/* A writer that started with us may be creating the schema right now (the daemons
	 * start together): its migrations and its node row are each one commit, so a
	 * migration under way is waited for as long as a writer would wait for the lock
	 * before the file is called old. A file still at version 0 has no writer at work
	 * but for the first instants: it is not waited for long (followers retry). */
	for (int waited = 0;; waited += 10) {
		if (user_version(st, &version) < 0)
			goto fail;
		if ((size_t)version >= state_migration_count && node_region(st) == 0)
			return st;
		if (waited >= (version == 0 ? STATE_UNBORN_WAIT_MS : STATE_BUSY_TIMEOUT_MS))
			break;
		nanosleep(&pause, NULL);
	}
	if (version == 0) {
		snprintf(err, errlen,
			 "%s: no schema yet (meridian-healthcheck, meridian-replicator or "
			 "meridianctl creates it)",
			 path);
		state_close(st);
		errno = ENOENT;
		return NULL;
	}
	if ((size_t)version < state_migration_count)
		state_fail(
		    st,
		    "schema version %d is older than this program's (%zu); open it read-write once",
		    version, state_migration_count);
fail:
	snprintf(err, errlen, "%s: %s", path, st->err);
	state_close(st);
	errno = EINVAL;
	return NULL;
}

void state_close(state_t *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->cached; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	sqlite3_close_v2(st->db);
	free(st);
}

sqlite3 *state_db(state_t *st)
{
	return st->db;
}

const char *state_region(const state_t *st)
{
	return st->region;
}

const char *state_errmsg(const state_t *st)
{
	return st->err;
}

int state_data_version(state_t *st, int64_t *version)
{
	return pragma_int(st, "PRAGMA data_version", version);
}

void state_set_clock(state_t *st, state_clock_fn clock)
{
	st->clock = clock ? clock : clock_wall_ms;
}

int64_t state_now_ms(const state_t *st)
{
	return st->clock();
}
