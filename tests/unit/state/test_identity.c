/* SPDX-License-Identifier: MIT */
/* test_identity.c -- incarnations (no seq reused) and digests (kept per write, verified) */
#include "config.h"

#include "state_test.h"

static char path_a[64];
static state_t *a; /* us-east */

static int setup(void **unused)
{
	(void)unused;
	test_now_ms = INT64_C(1700000000000);
	test_temp_path(path_a, sizeof(path_a));
	a = test_open(path_a, "us-east");
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	state_close(a);
	test_remove(path_a);
	return 0;
}

static void test_incarnation_start_is_65536k_plus_1(void **unused)
{
	(void)unused;
	static const struct {
		uint64_t seq;
		bool start;
	} rows[] = {{1, false}, {2, false}, {65536, false}, {65537, true},
		    {65538, false}, {131073, true}, {0, false}};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (state_seq_is_incarnation_start(rows[i].seq) != rows[i].start)
			fail_msg("seq %llu", (unsigned long long)rows[i].seq);
}

/* A store that finds a peer holding more of its origin moves its unconfirmed entries
 * (and their event ids) past everything held; confirmed ones stay. */
static void test_renumber_moves_unconfirmed_entries_and_event_ids(void **unused)
{
	(void)unused;
	uint64_t base = 0, moved = 0, seq = 0;
	state_identity_t id, after;

	assert_int_equal(state_event_append(a, "op", "write", "", "one", ""), 0);
	assert_int_equal(state_identity_confirm(a, 1), 0);
	assert_int_equal(state_event_append(a, "op", "write", "", "two", ""), 0);
	assert_int_equal(state_event_append(a, "op", "write", "", "three", ""), 0);
	assert_int_equal(state_identity_get(a, &id), 0);
	assert_int_equal(id.confirmed, 1);
	assert_int_equal(state_identity_renumber(a, 2, false, &base, &moved), 0); /* not beyond ours */
	assert_int_equal(state_identity_renumber(a, 70000, false, &base, &moved), 1);
	assert_int_equal(base, 131072);
	assert_int_equal(moved, 2);
	assert_int_equal(state_cursor_get(a, "us-east", &seq), 0);
	assert_int_equal(seq, 131074);
	assert_int_equal(test_query_int(a, "SELECT group_concat(seq) = '1,131073,131074' FROM"
					   " (SELECT seq FROM changelog ORDER BY seq)"),
			 1);
	assert_int_equal(test_query_int(a, "SELECT group_concat(id || reason) ="
					   " '1one,131073two,131074three' FROM"
					   " (SELECT id, reason FROM events ORDER BY id)"),
			 1);
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM changelog WHERE tbl = 'events'"
					   " AND (key != 'us-east/' || json_extract(row, '$.id')"
					   " OR json_extract(row, '$.id') != seq AND seq > 1)"),
			 0);
	assert_int_equal(state_identity_get(a, &after), 0);
	assert_string_not_equal(after.incarnation, id.incarnation);
	/* The next write follows the new numbering. */
	assert_int_equal(state_event_append(a, "op", "write", "", "four", ""), 0);
	assert_int_equal(state_cursor_get(a, "us-east", &seq), 0);
	assert_int_equal(seq, 131075);
}

/* Digests follow every library write; a hand edit shows when they are recomputed, and
 * the stored ones are kept (they say what the rows should be). */
static void test_digest_follows_writes_and_finds_hand_edits(void **unused)
{
	(void)unused;
	state_digest_t *bad = NULL, *list = NULL;
	size_t n = 0, count = 0;
	state_override_t ov;

	test_override(&ov, "dc1", STATE_OVERRIDE_DRAIN, "maintenance", 0);
	assert_int_equal(state_override_put(a, &ov), 0);
	assert_int_equal(state_override_clear(a, "dc1", "op", "done"), 0);
	assert_int_equal(state_digest_verify(a, &bad, &n), 0);
	assert_int_equal(n, 0); /* first build: nothing to compare */
	free(bad);
	assert_int_equal(state_event_append(a, "op", "write", "", "x", ""), 0);
	assert_int_equal(state_digest_verify(a, &bad, &n), 0);
	assert_int_equal(n, 0); /* kept by the writes themselves */
	free(bad);
	assert_int_equal(state_digests_list(a, &list, &count), 0);
	assert_int_equal(count, 2);
	assert_string_equal(list[0].table, "events");
	assert_int_equal(list[0].rows, 3);
	assert_string_equal(list[1].table, "overrides");
	assert_int_equal(list[1].rows, 1);
	uint64_t before = list[1].sum;
	free(list);
	assert_int_equal(sqlite3_exec(state_db(a), "UPDATE overrides SET reason = 'edited'", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(state_digest_verify(a, &bad, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(bad[0].table, "overrides");
	assert_string_equal(bad[0].origin, "us-east");
	free(bad);
	assert_int_equal(state_digests_list(a, &list, &count), 0);
	assert_int_equal(list[1].sum, before);
	free(list);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_incarnation_start_is_65536k_plus_1),
	    T(test_renumber_moves_unconfirmed_entries_and_event_ids),
	    T(test_digest_follows_writes_and_finds_hand_edits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
