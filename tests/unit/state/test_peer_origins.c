/* SPDX-License-Identifier: MIT */
/* test_peer_origins.c -- per-(peer, origin) replication progress: migration, write, list, view */
#include "config.h"

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

static void row_set(state_peer_origin_t *r, const char *peer, const char *origin, uint64_t peer_seq,
		    uint64_t local_seq, uint64_t newest_hlc, int64_t lag_ms)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	r->peer_seq = peer_seq;
	r->local_seq = local_seq;
	r->behind = peer_seq > local_seq ? peer_seq - local_seq : 0;
	r->newest_hlc = newest_hlc;
	r->lag_ms = lag_ms;
	r->updated_ms = test_now_ms;
}

static void test_empty_file_has_table_and_view(void **unused)
{
	state_t *st = test_open(path, "us-east");

	assert_int_equal(test_query_int(st, "PRAGMA user_version"), (int)state_migration_count);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM sqlite_master WHERE"
					    " (type = 'table' AND name = 'peer_origins') OR"
					    " (type = 'view' AND name = 'status_peer_origins')"),
			 2);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM status_peer_origins"), 0);
	state_close(st);
}

/* A file written by the previous release (user_version 2, no peer_origins) keeps its rows
 * and gains the table and view on the next open. */
static void test_migration_from_version_2(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_peer_t p = {.region = "eu-west", .url = "http://127.0.0.1:8854", .lag_ms = 7};

	assert_int_equal(state_peer_update(st, &p), 0);
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
				      " PRAGMA user_version = 2",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	state_close(st);
	st = test_open(path, "us-east");
	assert_int_equal(test_query_int(st, "PRAGMA user_version"), (int)state_migration_count);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM peer_origins"), 0);
	assert_int_equal(test_query_int(st, "SELECT lag_ms FROM status_peers"), 7);
	state_close(st);
}

static void test_update_then_list_round_trips(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_peer_origin_t rows[2], *list = NULL;
	size_t n = 0;

	row_set(&rows[0], "eu-west", "eu-west", 120, 120, UINT64_C(1700000000000) << 16, 0);
	row_set(&rows[1], "eu-west", "ap-south", 200, 150, (UINT64_C(1699999999000) << 16) | 3,
		1000);
	assert_int_equal(state_peer_origins_update(st, "eu-west", rows, 2), 0);
	assert_int_equal(state_peer_origins_list(st, &list, &n), 0);
	assert_int_equal(n, 2);
	/* By peer, then origin. */
	assert_string_equal(list[0].peer, "eu-west");
	assert_string_equal(list[0].origin, "ap-south");
	assert_int_equal(list[0].peer_seq, 200);
	assert_int_equal(list[0].local_seq, 150);
	assert_int_equal(list[0].behind, 50);
	assert_int_equal(list[0].newest_hlc, (UINT64_C(1699999999000) << 16) | 3);
	assert_int_equal(list[0].lag_ms, 1000);
	assert_int_equal(list[0].updated_ms, test_now_ms);
	assert_string_equal(list[1].origin, "eu-west");
	assert_int_equal(list[1].behind, 0);
	assert_int_equal(list[1].lag_ms, 0);
	/* Local like peers: no change-log entry. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), 0);
	free(list);
	state_close(st);
}

static void test_update_replaces_only_that_peers_rows(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_peer_origin_t row, *list = NULL;
	size_t n = 0;

	row_set(&row, "eu-west", "ap-south", 5, 5, 0, -1);
	assert_int_equal(state_peer_origins_update(st, "eu-west", &row, 1), 0);
	row_set(&row, "ap-south", "ap-south", 9, 9, 0, -1);
	assert_int_equal(state_peer_origins_update(st, "ap-south", &row, 1), 0);
	row_set(&row, "eu-west", "eu-west", 3, 1, 0, -1);
	assert_int_equal(state_peer_origins_update(st, "eu-west", &row, 1), 0);
	assert_int_equal(state_peer_origins_list(st, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].peer, "ap-south");
	assert_int_equal(list[0].peer_seq, 9);
	assert_string_equal(list[1].peer, "eu-west");
	assert_string_equal(list[1].origin, "eu-west");
	assert_int_equal(list[1].behind, 2);
	free(list);
	/* No rows: the peer's rows go. */
	assert_int_equal(state_peer_origins_update(st, "eu-west", NULL, 0), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM peer_origins"), 1);
	state_close(st);
}

static void test_view_shows_nulls_and_times(void **unused)
{
	state_t *st = test_open(path, "us-east");
	state_peer_origin_t rows[2];
	char text[64];

	row_set(&rows[0], "eu-west", "ap-south", 4, 4, 0, -1);
	row_set(&rows[1], "eu-west", "us-west", 10, 4, UINT64_C(1700000000000) << 16, 250);
	rows[1].updated_ms = INT64_C(1700000001000);
	assert_int_equal(state_peer_origins_update(st, "eu-west", rows, 2), 0);
	assert_int_equal(
	    test_query_int(st, "SELECT count(*) FROM status_peer_origins WHERE origin = 'ap-south'"
			       " AND newest_hlc IS NULL AND newest_at IS NULL AND lag_ms IS NULL"),
	    1);
	test_query_text(st,
			"SELECT newest_at || ' ' || updated || ' ' || lag_ms || ' ' || behind"
			" FROM status_peer_origins WHERE origin = 'us-west'",
			text, sizeof(text));
	assert_string_equal(text, "2023-11-14T22:13:20Z 2023-11-14T22:13:21Z 250 6");
	state_close(st);
}

static void test_update_refuses_bad_rows(void **unused)
{
	static const struct {
		const char *name;  /* the case */
		const char *peer;  /* argument */
		const char *rpeer; /* the row's peer */
		const char *origin;
		uint64_t peer_seq;
		const char *message;
	} cases[] = {
	    {"empty peer", "", "", "a", 1, "invalid peer region ''"},
	    {"peer with slash", "a/b", "a/b", "a", 1, "invalid peer region 'a/b'"},
	    {"row of another peer", "eu-west", "us-west", "a", 1,
	     "peer origins: row of peer 'us-west' given for peer 'eu-west'"},
	    {"empty origin", "eu-west", "eu-west", "", 1, "invalid origin ''"},
	    {"seq beyond int64", "eu-west", "eu-west", "a", UINT64_MAX,
	     "peer origins: eu-west/a: value out of range"},
	};
	state_t *st = test_open(path, "us-east");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		state_peer_origin_t row;

		row_set(&row, cases[i].rpeer, cases[i].origin, cases[i].peer_seq, 0, 0, -1);
		if (state_peer_origins_update(st, cases[i].peer, &row, 1) != -1)
			fail_msg("case '%s' accepted", cases[i].name);
		if (strcmp(state_errmsg(st), cases[i].message) != 0)
			fail_msg("case '%s': message '%s'", cases[i].name, state_errmsg(st));
	}
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM peer_origins"), 0);
	state_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_empty_file_has_table_and_view, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migration_from_version_2, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_then_list_round_trips, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_replaces_only_that_peers_rows, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_view_shows_nulls_and_times, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_refuses_bad_rows, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
