/* SPDX-License-Identifier: MIT */
/* state_test.h -- shared fixtures for the state/ unit tests: temp stores, a driven clock */
#ifndef MERIDIAN_STATE_TEST_H
#define MERIDIAN_STATE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "state/state.h"
#include "state/state_params.h"
#include "state/state_internal.h" /* state_migration_count: the schema version a new file gets */

/* The wall clock every store under test reads; tests move it. */
static int64_t test_now_ms = INT64_C(1700000000000);

static M_UNUSED int64_t test_clock(void)
{
	return test_now_ms;
}

/* A fresh temp path (the file is created empty, as mkstemp does). */
static M_UNUSED void test_temp_path(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/meridian-state-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

/* Removes the store and its WAL files. */
static M_UNUSED void test_remove(const char *path)
{
	char side[300];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static M_UNUSED state_t *test_open(const char *path, const char *region)
{
	char err[512];
	state_t *st = state_open(path, region, err, sizeof(err));

	if (!st)
		fail_msg("state_open: %s", err);
	state_set_clock(st, test_clock);
	return st;
}

/* Runs one SQL query returning one integer. */
static M_UNUSED int64_t test_query_int(state_t *st, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int64_t value = -1;

	assert_int_equal(sqlite3_prepare_v2(state_db(st), sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/* Runs one SQL query returning one text value into buf ("" when none). */
static M_UNUSED void test_query_text(state_t *st, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *stmt = NULL;

	buf[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(state_db(st), sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
}

static M_UNUSED void test_observation(state_observation_t *o, const char *dc, state_health_t status,
				      const char *detail)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->datacenter, sizeof(o->datacenter), "%s", dc);
	o->status = status;
	o->since_ms = test_now_ms;
	o->checked_ms = test_now_ms;
	o->latency_ms = 12;
	snprintf(o->detail, sizeof(o->detail), "%s", detail);
}

static M_UNUSED void test_override(state_override_t *o, const char *dc,
				   state_override_action_t action, const char *reason,
				   int64_t expires_ms)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->datacenter, sizeof(o->datacenter), "%s", dc);
	o->action = action;
	snprintf(o->reason, sizeof(o->reason), "%s", reason);
	snprintf(o->actor, sizeof(o->actor), "alice");
	o->expires_ms = expires_ms;
}

/* The health rules of a config that sets none (docs/config.md: quorum 0, stale after 30 s,
 * hold 5 min, isolated: hold, flap damping on with its default penalties), for tests
 * that fill state_params_t by hand; a test changes what it is about afterwards. */
static M_UNUSED void test_params_health(state_params_t *p)
{
	p->health.quorum = 0;
	p->health.stale_after_ms = 30000;
	p->health.hold_ms = 300000;
	p->health.isolated_alone = false;
	p->health.flap_damping = true;
	p->health.flap_penalty = 1000;
	p->health.flap_suppress = 1500;
	p->health.flap_reuse = 750;
	p->health.flap_half_life_ms = 60000;
	p->health.flap_max_hold_ms = 600000;
}

#endif
