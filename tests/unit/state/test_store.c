/* SPDX-License-Identifier: MIT */
/* test_store.c -- opening, migrations, typed rows, views, and readers never blocking writers */
#include "config.h"

#include <sys/wait.h>
#include <time.h>

#include "state_test.h"

static char path[64];

static int setup(void **unused)
{
	test_now_ms = INT64_C(1700000000000);
	test_temp_path(path, sizeof(path));
	return 0;
}

static int teardown(void **unused)
{
	test_remove(path);
	return 0;
}

static void test_open_empty_file_creates_schema(void **unused)
{
	state_t *st = test_open(path, "us-east");
	char mode[16];

	assert_int_equal(test_query_int(st, "PRAGMA user_version"), (int)state_migration_count);
	test_query_text(st, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(test_query_int(st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(test_query_int(st, "PRAGMA synchronous"), 1); /* NORMAL */
	assert_int_equal(
	    test_query_int(st, "SELECT count(*) FROM sqlite_master WHERE name IN"
			       " ('node', 'observations', 'overrides', 'events', 'changelog',"
			       " 'cursors', 'peers', 'status_datacenters', 'status_overrides',"
			       " 'status_events', 'status_peers', 'status_replication')"),
	    12);
	assert_string_equal(state_region(st), "us-east");
	state_close(st);
}

static void test_reopen_keeps_data_and_version(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_observation_t o;

	test_observation(&o, "eu-west", STATE_HEALTH_UP, "");
	assert_int_equal(state_observation_put(st, &o), 0);
	state_close(st);
	st = test_open(path, "us-east");
	assert_int_equal(test_query_int(st, "PRAGMA user_version"), (int)state_migration_count);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM observations"), 1);
	state_close(st);
}

static void test_migration_from_partial_version(void **unused)
{
	state_t *st = test_open(path, "us-east");

	/* A file left at version 1 (tables, no views) is brought forward on open. */
	assert_int_equal(sqlite3_exec(state_db(st),
				      "DROP VIEW status_addresses; DROP TABLE address_observations_received;"
				      " DROP TABLE address_observations;"
				      " ALTER TABLE observations DROP COLUMN change_in;"
				      " ALTER TABLE observations DROP COLUMN pending;"
				      " DROP VIEW status_capacity; DROP TABLE capacity_state;"
				      " DROP VIEW status_weights; DROP TABLE weights;"
				      " DROP VIEW status_loads; DROP TABLE loads;"
				      " DROP VIEW status_scheduled; DROP VIEW status_effective;"
				      " DROP VIEW status_datacenters; DROP VIEW status_overrides;"
				      " ALTER TABLE overrides DROP COLUMN starts;"
				      " DROP VIEW status_divergences; DROP TABLE divergences; DROP TABLE digests;"
				      " DROP TABLE row_hashes; ALTER TABLE node DROP COLUMN incarnation;"
				      " ALTER TABLE node DROP COLUMN own_confirmed;"
				      " DROP TABLE verdict_memory; DROP TABLE observations_received;"
				      " DROP VIEW status_drift; DROP VIEW status_deployments;"
				      " DROP TABLE deployments;"
				      " DROP VIEW status_peer_origins; DROP TABLE peer_origins;"
				      " DROP VIEW status_replication; DROP VIEW status_peers;"
				      " DROP VIEW status_events; PRAGMA user_version = 1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	state_close(st);
	st = test_open(path, "us-east");
	assert_int_equal(test_query_int(st, "PRAGMA user_version"), (int)state_migration_count);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM status_datacenters"), 0);
	state_close(st);
}

static void test_open_refuses_newer_schema(void **unused)
{
	state_t *st = test_open(path, "us-east");
	char err[512];

	assert_int_equal(sqlite3_exec(state_db(st), "PRAGMA user_version = 99", NULL, NULL, NULL),
			 SQLITE_OK);
	state_close(st);
	assert_null(state_open(path, "us-east", err, sizeof(err)));
	char want[64];
	snprintf(want, sizeof(want), "schema version 99 is newer than this program knows (%zu)",
		 state_migration_count);
	assert_true(strstr(err, want) != NULL);
}

static void test_open_refuses_other_region(void **unused)
{
	state_t *st = test_open(path, "us-east");
	char err[512], want[600];

	state_close(st);
	assert_null(state_open(path, "eu-west", err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: store belongs to region 'us-east', not 'eu-west'", path);
	assert_string_equal(err, want);
}

static void test_open_refuses_invalid_region(void **unused)
{
	char err[512], want[600];

	assert_null(state_open(path, "a/b", err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: invalid region id 'a/b'", path);
	assert_string_equal(err, want);
}

static void test_readonly_open_of_missing_file_fails(void **unused)
{
	char err[512];

	assert_null(state_open_readonly("/tmp/meridian-no-such-dir/state.db", err, sizeof(err)));
	assert_true(strncmp(err, "/tmp/meridian-no-such-dir/state.db: ", 36) == 0);
}

static void test_readonly_cannot_write(void **unused)
{
	state_t *st = test_open(path, "us-east"), *ro;
	state_observation_t o;
	char err[512];

	ro = state_open_readonly(path, err, sizeof(err));
	assert_non_null(ro);
	assert_string_equal(state_region(ro), "us-east");
	test_observation(&o, "eu-west", STATE_HEALTH_UP, "");
	assert_int_equal(state_observation_put(ro, &o), -1);
	assert_string_equal(state_errmsg(ro), "store is open read-only");
	state_close(ro);
	state_close(st);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A status page in the middle of a read transaction must not stall the health checker:
 * in WAL the writer commits at once and the reader keeps its snapshot. */
static void test_reader_in_transaction_never_blocks_writer(void **unused)
{
	state_t *st = test_open(path, "us-east"), *ro;
	state_observation_t o;
	char err[512];
	int64_t t0, v0 = 0, v1 = 0;

	ro = state_open_readonly(path, err, sizeof(err));
	assert_non_null(ro);
	assert_int_equal(sqlite3_exec(state_db(ro), "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM status_datacenters"), 0);
	assert_int_equal(state_data_version(ro, &v0), 0);

	test_observation(&o, "eu-west", STATE_HEALTH_DOWN, "HTTP 503");
	t0 = mono_ms();
	assert_int_equal(state_observation_put(st, &o), 0);
	assert_int_equal(
	    state_override_put(
		st, &(state_override_t){.datacenter = "eu-west", .reason = "x", .actor = "bob"}),
	    0);
	assert_true(mono_ms() - t0 < 1000);

	/* The reader's snapshot is unchanged until it ends its transaction. */
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM observations"), 0);
	assert_int_equal(sqlite3_exec(state_db(ro), "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(test_query_int(ro, "SELECT count(*) FROM observations"), 1);
	assert_int_equal(state_data_version(ro, &v1), 0);
	assert_true(v1 != v0);
	state_close(ro);
	state_close(st);
}

/* dnsd polls a long-lived read-only connection: reused statements must never pin an old
 * snapshot, so every commit is seen by the next read and moves data_version. */
static void test_readonly_sees_every_commit(void **unused)
{
	state_t *st = test_open(path, "us-east"), *ro;
	char err[512];
	int64_t before = 0, after = 0;

	ro = state_open_readonly(path, err, sizeof(err));
	assert_non_null(ro);
	for (int i = 0; i < 4; i++) {
		state_observation_t o, *list = NULL;
		size_t n = 0;

		assert_int_equal(state_data_version(ro, &before), 0);
		test_observation(&o, "dc", STATE_HEALTH_UP, "");
		snprintf(o.datacenter, sizeof(o.datacenter), "dc%d", i);
		assert_int_equal(state_observation_put(st, &o), 0);
		assert_int_equal(state_data_version(ro, &after), 0);
		assert_true(after != before);
		assert_int_equal(state_observations_list(ro, &list, &n), 0);
		assert_int_equal(n, (size_t)i + 1);
		free(list);
	}
	state_close(ro);
	state_close(st);
}

/* Forty rows' 64-bit hashes summed: their sum overflows int64 many times over, and must
 * stay an exact wrapping integer (SQLite's own + would turn it into a rounded REAL, whose
 * value depends on the order of the additions, and regions would see false divergences). */
static void test_digest_sum_wraps_as_integer(void **unused)
{
	state_t *st = test_open(path, "us-east");

	for (int i = 0; i < 40; i++) {
		state_observation_t o;

		test_observation(&o, "dc", i % 2 ? STATE_HEALTH_UP : STATE_HEALTH_DOWN, "");
		snprintf(o.datacenter, sizeof(o.datacenter), "dc%d", i);
		assert_int_equal(state_observation_put(st, &o), 0);
	}
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM digests"
					    " WHERE tbl = 'observations' AND rows = 40"), 1);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM digests"
					    " WHERE typeof(sum) != 'integer'"), 0);
	state_close(st);
}

static void test_observation_put_forces_checker_region(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_observation_t o, *list = NULL;
	size_t n = 0;

	test_observation(&o, "eu-west", STATE_HEALTH_DOWN, "connect refused");
	snprintf(o.checker, sizeof(o.checker), "mars");
	assert_int_equal(state_observation_put(st, &o), 0);
	assert_int_equal(state_observations_list(st, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].checker, "us-east");
	assert_string_equal(list[0].origin, "us-east");
	assert_string_equal(list[0].datacenter, "eu-west");
	assert_int_equal(list[0].status, STATE_HEALTH_DOWN);
	assert_int_equal(list[0].latency_ms, 12);
	assert_string_equal(list[0].detail, "connect refused");
	assert_true(list[0].hlc > 0);
	free(list);
	state_close(st);
}

static void test_observation_put_refuses_bad_datacenter(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_observation_t o;

	test_observation(&o, "eu/west", STATE_HEALTH_UP, "");
	assert_int_equal(state_observation_put(st, &o), -1);
	assert_string_equal(state_errmsg(st), "invalid datacenter 'eu/west'");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), 0);
	state_close(st);
}

static void test_observation_put_refuses_datacenter_not_utf8(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_observation_t o;

	test_observation(&o, "eu-w\xe9st", STATE_HEALTH_UP, "");
	assert_int_equal(state_observation_put(st, &o), -1);
	assert_string_equal(state_errmsg(st), "invalid datacenter: not UTF-8");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), 0);
	state_close(st);
}

/* Free text that is not UTF-8 (a Latin-1 terminal, a probe's raw output) is stored with
 * one U+FFFD per bad byte, in the row and in the change-log JSON alike, so replication
 * ships text every peer's parser accepts and every region holds the same. */
static void test_free_text_not_utf8_stored_with_fffd(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_override_t ov;
	state_observation_t o;
	char text[STATE_TEXT_MAX];

	assert_int_equal(state_event_append(st, "j\xf6rg", "write", "", "caf\xe9 \xff", "ok"), 0);
	test_query_text(st, "SELECT hex(actor) || ' ' || hex(reason) FROM events", text,
			sizeof(text));
	assert_string_equal(text, "6AEFBFBD7267 636166EFBFBD20EFBFBD");
	test_query_text(st,
			"SELECT hex(json_extract(row, '$.reason')) FROM changelog"
			" WHERE tbl = 'events'",
			text, sizeof(text));
	assert_string_equal(text, "636166EFBFBD20EFBFBD");
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "n\xe4\x63hte", test_now_ms + 60000);
	assert_int_equal(state_override_put(st, &ov), 0);
	test_query_text(st, "SELECT hex(reason) FROM overrides", text, sizeof(text));
	assert_string_equal(text, "6EEFBFBD63687465");
	test_observation(&o, "us-east", STATE_HEALTH_DOWN, "HTTP 500 \x80");
	assert_int_equal(state_observation_put(st, &o), 0);
	test_query_text(st, "SELECT hex(detail) FROM observations", text, sizeof(text));
	assert_string_equal(text, "485454502035303020EFBFBD");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"
					    " WHERE NOT json_valid(row) OR instr(row, X'E9') > 0"),
			 0);
	state_close(st);
}

static void test_override_put_appends_event(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_override_t ov, *list = NULL;
	state_event_t *ev = NULL;
	size_t n = 0, en = 0;

	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "maintenance", test_now_ms + 1800000);
	assert_int_equal(state_override_put(st, &ov), 0);
	assert_int_equal(state_overrides_list(st, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].action, STATE_OVERRIDE_DRAIN);
	assert_string_equal(list[0].reason, "maintenance");
	assert_string_equal(list[0].actor, "alice");
	assert_int_equal(list[0].created_ms, test_now_ms);
	assert_false(list[0].deleted);
	assert_int_equal(state_events_list(st, 0, &ev, &en), 0);
	assert_int_equal(en, 1);
	assert_string_equal(ev[0].origin, "us-east");
	assert_int_equal(ev[0].id, 1);
	assert_string_equal(ev[0].action, "drain");
	assert_string_equal(ev[0].actor, "alice");
	assert_string_equal(ev[0].datacenter, "us-east");
	assert_string_equal(ev[0].reason, "maintenance");
	assert_string_equal(ev[0].detail, "until 2023-11-14T22:43:20Z");
	free(list);
	free(ev);
	state_close(st);
}

static void test_override_clear_tombstones(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_override_t ov, *list = NULL;
	state_event_t *ev = NULL;
	size_t n = 0, en = 0;

	assert_int_equal(state_override_clear(st, "us-east", "bob", "nothing"), 1);
	test_override(&ov, "us-east", STATE_OVERRIDE_FORCE_DOWN, "bad deploy", 0);
	assert_int_equal(state_override_put(st, &ov), 0);
	test_now_ms += 1000;
	assert_int_equal(state_override_clear(st, "us-east", "bob", "fixed"), 0);
	assert_int_equal(state_override_clear(st, "us-east", "bob", "again"), 1);
	assert_int_equal(state_overrides_list(st, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_true(list[0].deleted);
	assert_string_equal(list[0].actor, "bob");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM status_overrides"), 0);
	assert_int_equal(state_events_list(st, 0, &ev, &en), 0);
	assert_int_equal(en, 2);
	assert_string_equal(ev[0].action, "clear");
	assert_string_equal(ev[0].reason, "fixed");
	assert_string_equal(ev[0].detail, "force-down");
	assert_string_equal(ev[1].action, "force-down");
	/* put (override + event) and clear (tombstone + event): 4 entries. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), 4);
	free(list);
	free(ev);
	state_close(st);
}

static void test_expired_override_is_not_cleared(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_override_t ov;

	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "short", test_now_ms + 1000);
	assert_int_equal(state_override_put(st, &ov), 0);
	test_now_ms += 2000;
	assert_int_equal(state_override_clear(st, "us-east", "bob", "late"), 1);
	state_close(st);
}

static void test_events_newest_first_with_limit(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_event_t *ev = NULL;
	size_t n = 0;

	for (int i = 0; i < 5; i++) {
		char detail[16];

		snprintf(detail, sizeof(detail), "n%d", i);
		test_now_ms += 1000;
		assert_int_equal(state_event_append(st, "carol", "note", "", "", detail), 0);
	}
	assert_int_equal(state_events_list(st, 2, &ev, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ev[0].detail, "n4");
	assert_int_equal(ev[0].id, 5);
	assert_string_equal(ev[1].detail, "n3");
	free(ev);
	state_close(st);
}

static void test_peer_update_and_list(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_peer_t p = {.region = "eu-west",
			  .url = "http://127.0.0.1:8854",
			  .last_contact_ms = 1000,
			  .errors = 2,
			  .lag_ms = 40,
			  .last_error = "timeout",
			  .last_error_ms = 900};
	state_peer_t *list = NULL;
	size_t n = 0;

	assert_int_equal(state_peer_update(st, &p), 0);
	p.errors = 3;
	assert_int_equal(state_peer_update(st, &p), 0);
	assert_int_equal(state_peers_list(st, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].url, "http://127.0.0.1:8854");
	assert_int_equal(list[0].errors, 3);
	assert_int_equal(list[0].lag_ms, 40);
	assert_string_equal(list[0].last_error, "timeout");
	/* Peers are local: no change-log entry. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), 0);
	assert_int_equal(
	    test_query_int(st, "SELECT errors FROM status_peers WHERE region = 'eu-west'"), 3);
	free(list);
	state_close(st);
}

static void test_status_views_show_inputs(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_observation_t o;
	state_override_t ov;
	char text[256];

	/* Views age things by SQLite's clock, so use the real one here. */
	test_now_ms = (int64_t)time(NULL) * 1000;
	test_observation(&o, "eu-west", STATE_HEALTH_DOWN, "HTTP 503");
	assert_int_equal(state_observation_put(st, &o), 0);
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "maintenance", test_now_ms + 600000);
	assert_int_equal(state_override_put(st, &ov), 0);

	assert_int_equal(test_query_int(st, "SELECT count(*) FROM status_datacenters"), 2);
	test_query_text(st,
			"SELECT checker || ' ' || status || ' ' || detail || ' ' || latency_ms"
			" FROM status_datacenters WHERE datacenter = 'eu-west'",
			text, sizeof(text));
	assert_string_equal(text, "us-east down HTTP 503 12");
	test_query_text(st,
			"SELECT status || ' ' || override_action || ' ' || override_reason || ' '"
			" || override_actor || ' ' || (checker IS NULL)"
			" FROM status_datacenters WHERE datacenter = 'us-east'",
			text, sizeof(text));
	assert_string_equal(text, "unknown drain maintenance alice 1");
	assert_true(test_query_int(st, "SELECT override_seconds_left FROM status_datacenters"
				       " WHERE datacenter = 'us-east'") > 590);
	assert_true(test_query_int(
			st, "SELECT age_s FROM status_datacenters WHERE datacenter = 'eu-west'") <=
		    2);
	test_query_text(st, "SELECT action || ' ' || actor FROM status_events LIMIT 1", text,
			sizeof(text));
	assert_string_equal(text, "drain alice");
	assert_int_equal(
	    test_query_int(st, "SELECT seq FROM status_replication WHERE origin = 'us-east'"), 3);
	assert_int_equal(
	    test_query_int(st, "SELECT entries FROM status_replication WHERE origin = 'us-east'"),
	    3);
	assert_int_equal(test_query_int(st, "SELECT local FROM status_replication"), 1);
	state_close(st);
}

/* Every daemon of a region starts at once on a fresh file: each open must succeed, the
 * schema be created once, and every writer's rows land. */
static void test_concurrent_first_open_of_new_file(void **unused)
{
	enum { CHILDREN = 6 };
	pid_t pids[CHILDREN];
	state_t *st;

	test_remove(path);
	for (int i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char err[512];
			state_observation_t o;
			state_t *child = state_open(path, "us-east", err, sizeof(err));

			if (!child) {
				fprintf(stderr, "child %d: %s\n", i, err);
				_exit(1);
			}
			test_observation(&o, "dc", STATE_HEALTH_UP, "");
			snprintf(o.datacenter, sizeof(o.datacenter), "dc%d", i);
			if (state_observation_put(child, &o) != 0) {
				fprintf(stderr, "child %d: %s\n", i, state_errmsg(child));
				_exit(1);
			}
			state_close(child);
			_exit(0);
		}
	}
	for (int i = 0; i < CHILDREN; i++) {
		int status = 0;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	st = test_open(path, "us-east");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM observations"), CHILDREN);
	assert_int_equal(test_query_int(st, "SELECT max(seq) FROM changelog"), CHILDREN);
	assert_int_equal(test_query_int(st, "SELECT count(DISTINCT hlc) FROM changelog"), CHILDREN);
	state_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_empty_file_creates_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_keeps_data_and_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration_from_partial_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_refuses_newer_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_refuses_other_region, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_refuses_invalid_region, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_open_of_missing_file_fails, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_cannot_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reader_in_transaction_never_blocks_writer, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_sees_every_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_digest_sum_wraps_as_integer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_observation_put_forces_checker_region, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_observation_put_refuses_bad_datacenter, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_observation_put_refuses_datacenter_not_utf8, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_free_text_not_utf8_stored_with_fffd, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_override_put_appends_event, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_override_clear_tombstones, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_expired_override_is_not_cleared, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_newest_first_with_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_peer_update_and_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_views_show_inputs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_first_open_of_new_file, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
