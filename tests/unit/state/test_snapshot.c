/* SPDX-License-Identifier: MIT */
/* test_snapshot.c -- a peer's snapshot is checked by the engine that imports it */
#include "config.h"

#include "state_test.h"

static char path_c[64];
static state_t *c; /* ap-south, importing */

static int setup(void **unused)
{
	(void)unused;
	test_now_ms = INT64_C(1700000000000);
	test_temp_path(path_c, sizeof(path_c));
	c = test_open(path_c, "ap-south");
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	state_close(c);
	test_remove(path_c);
	return 0;
}

/* An override row whose members are given as text. */
#define ROW(members)                                                                               \
	"{\"datacenter\":\"dc1\",\"action\":\"drain\",\"reason\":\"r\",\"actor\":\"a\","          \
	"\"created\":1,\"expires\":0,\"deleted\":0,\"origin\":\"b\"," members "}"
#define SNAP(region, hlc, cursors, row)                                                            \
	"{\"format\":\"meridian-snapshot/1\",\"region\":\"" region "\",\"hlc\":" hlc                \
	",\"exported\":1,\"cursors\":[" cursors "],\"observations\":[],\"overrides\":[" row "],"   \
	"\"events\":[]}"
#define OK_ROW ROW("\"hlc\":65536000")

/* 1000 << 16 = 65536000: an HLC stamped at ms 1000; the limit is ms 1000. */
static void test_snapshot_checks_with_message(void **unused)
{
	(void)unused;
	static const struct {
		const char *name;
		const char *text;
		int rc;
		const char *err;
	} rows[] = {
	    {"good", SNAP("b", "65536000", "{\"origin\":\"b\",\"seq\":3}", OK_ROW), 0, ""},
	    {"document hlc ahead", SNAP("b", "65601536", "", OK_ROW), -2,
	     "snapshot: hlc 65601536 is 1 ms past the allowed clock skew"},
	    {"row hlc ahead", SNAP("b", "65536000", "", ROW("\"hlc\":65601536")), -2,
	     "snapshot: overrides row 1: overrides.hlc 65601536 is 1 ms past the allowed clock "
	     "skew"},
	    {"escaped hlc then a far one", SNAP("b", "65536000", "",
						ROW("\"h\\u006cc\":65536000,\"hlc\":99999999999999999")),
	     -1, "snapshot: malformed JSON: offset 238: escaped member name"},
	    {"hlc given twice", SNAP("b", "65536000", "", ROW("\"hlc\":65536000,\"hlc\":1")), -1,
	     "snapshot: malformed JSON: offset 251: duplicate member name"},
	    {"unknown member", SNAP("b", "65536000", "", ROW("\"hlc\":65536000,\"x\":1")), -1,
	     "snapshot: overrides row 1: overrides: unknown member 'x'"},
	    {"other exporter", SNAP("c", "65536000", "", OK_ROW), -1, "snapshot: region: not b"},
	    {"cursor at INT64_MAX", SNAP("b", "65536000", "{\"origin\":\"x\",\"seq\":9223372036854775807}", OK_ROW),
	     -1, "snapshot: cursors[0]: seq: not an integer in 0..2^62"},
	    {"negative cursor", SNAP("b", "65536000", "{\"origin\":\"x\",\"seq\":-1}", OK_ROW), -1,
	     "snapshot: cursors[0]: seq: not an integer in 0..2^62"},
	    {"cursor name", SNAP("b", "65536000", "{\"origin\":\"a/b\",\"seq\":1}", OK_ROW), -1,
	     "snapshot: cursors[0]: origin: not a region name"},
	    {"cursor member twice", SNAP("b", "65536000", "{\"origin\":\"x\",\"seq\":1,\"seq\":9}", OK_ROW),
	     -1, "snapshot: malformed JSON: offset 114: duplicate member name"},
	    {"document member twice",
	     "{\"format\":\"meridian-snapshot/1\",\"region\":\"b\",\"hlc\":1,\"hlc\":2,\"cursors\":[],"
	     "\"observations\":[],\"overrides\":[],\"events\":[]}",
	     -1, "snapshot: malformed JSON: offset 119: duplicate member name"},
	    /* SQLite 3.40 calls this valid and its path lookups then read a wild pointer */
	    {"an object as a member name",
	     "{{\"format\":\"meridian-snapshot/1\",\"hlc\":5,\"cursors\":[{\"on\":\"\"}]}:5,"
	     "\"cursors\":[{\"\":6}]}",
	     -1, "snapshot: malformed JSON: offset 1: expected member name"},
	    {"an array", "[{\"format\":\"meridian-snapshot/1\"}]", -1, "snapshot: not a JSON object"},
	    {"not a snapshot", "{\"format\":\"other\"}", -1,
	     "snapshot: not a meridian-snapshot/1 document"},
	    {"no tables", "{\"format\":\"meridian-snapshot/1\",\"region\":\"b\",\"hlc\":1,\"cursors\":[]}",
	     -1, "snapshot: observations: missing or not an array"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = state_snapshot_import_from(c, rows[i].text, "b", 1000);
		const char *err = rc == 0 ? "" : state_errmsg(c);

		if (rc != rows[i].rc || strcmp(err, rows[i].err) != 0)
			fail_msg("%s: expected %d [%s] got %d [%s]", rows[i].name, rows[i].rc,
				 rows[i].err, rc, err);
		/* Refused: nothing of it stays (the first, good one is the only row). */
		assert_int_equal(test_query_int(c, "SELECT count(*) FROM overrides"), 1);
		assert_int_equal(test_query_int(c, "SELECT count(*) FROM cursors WHERE origin = 'x'"), 0);
	}
}

/* A peer never sets our own cursor: c bootstrapping from b keeps numbering its writes. */
static void test_own_cursor_never_taken_from_a_peer(void **unused)
{
	(void)unused;
	uint64_t seq = 99;

	assert_int_equal(state_event_append(c, "op", "write", "", "one", ""), 0);
	assert_int_equal(state_snapshot_import_from(
			     c, SNAP("b", "65536000", "{\"origin\":\"ap-south\",\"seq\":4611686018427387904}", ""),
			     "b", 0),
			 0);
	assert_int_equal(state_cursor_get(c, "ap-south", &seq), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(state_event_append(c, "op", "write", "", "two", ""), 0);
	assert_int_equal(state_cursor_get(c, "ap-south", &seq), 0);
	assert_int_equal(seq, 2);
}

/* A cursor moved forward by a snapshot cuts that origin's log there: the entries below
 * the hole are never served as if the log were whole. */
static void test_cursor_raised_cuts_the_log(void **unused)
{
	(void)unused;
	uint64_t first = 9, last = 9, seq = 0;

	assert_int_equal(sqlite3_exec(state_db(c),
				      "INSERT INTO cursors VALUES ('x', 40);"
				      "WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM s"
				      " WHERE v < 40) INSERT INTO changelog SELECT 'x', v, 1,"
				      " 'events', 'x/1', '{}', 0 FROM s",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(
	    state_snapshot_import_from(c, SNAP("b", "65536000", "{\"origin\":\"x\",\"seq\":50}", ""), "b", 0),
	    0);
	assert_int_equal(state_cursor_get(c, "x", &seq), 0);
	assert_int_equal(seq, 50);
	assert_int_equal(state_changelog_range(c, "x", &first, &last), 0);
	assert_int_equal(first, 0);
	assert_int_equal(last, 0);
}

/* An audit event of origin x, as a snapshot row. */
#define EVENT(reason, hlc)                                                                         \
	"{\"origin\":\"x\",\"id\":5,\"hlc\":" hlc ",\"at\":1,\"actor\":\"op\","                \
	"\"action\":\"write\",\"datacenter\":\"\",\"reason\":\"" reason "\",\"detail\":\"\"}"
#define EVENTS(row)                                                                                \
	"{\"format\":\"meridian-snapshot/1\",\"region\":\"b\",\"hlc\":1,\"exported\":1,"          \
	"\"cursors\":[],\"observations\":[],\"overrides\":[],\"events\":[" row "]}"

static void reason_of_x5(char *out, size_t len)
{
	sqlite3_stmt *stmt = NULL;
	assert_int_equal(sqlite3_prepare_v2(state_db(c),
					    "SELECT reason FROM events WHERE origin = 'x' AND id = 5",
					    -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
}

/* Two different audit events numbered alike (a restored copy wrote on past what it lost):
 * events are insert-only, so a merge keeps whichever came first, for ever, and a re-sync
 * that only settled ties (the same hlc) never converged. A re-sync from the rows'
 * authority replaces ours of that key whatever its hlc, and only when it differs. */
static void test_resync_replaces_an_event_numbered_alike(void **unused)
{
	(void)unused;
	char reason[32];
	size_t replaced = 99;
	state_digest_t want;
	state_digest_t *bad = NULL;
	size_t bad_n = 9;

	memset(&want, 0, sizeof(want));
	snprintf(want.table, sizeof(want.table), "events");
	snprintf(want.origin, sizeof(want.origin), "x");
	assert_int_equal(state_snapshot_import_from(c, EVENTS(EVENT("ours", "6553600")), "b", 0), 0);
	/* a plain merge keeps the first */
	assert_int_equal(state_snapshot_import_from(c, EVENTS(EVENT("theirs", "3276800")), "b", 0),
			 0);
	reason_of_x5(reason, sizeof(reason));
	assert_string_equal(reason, "ours");
	/* the authority's older copy replaces ours */
	assert_int_equal(state_snapshot_import_replace(c, EVENTS(EVENT("theirs", "3276800")), "b", 0,
						       &want, 1, &replaced),
			 0);
	assert_int_equal(replaced, 1);
	reason_of_x5(reason, sizeof(reason));
	assert_string_equal(reason, "theirs");
	/* the same row again replaces nothing */
	assert_int_equal(state_snapshot_import_replace(c, EVENTS(EVENT("theirs", "3276800")), "b", 0,
						       &want, 1, &replaced),
			 0);
	assert_int_equal(replaced, 0);
	/* and the digests still describe the table */
	assert_int_equal(state_digest_verify(c, &bad, &bad_n), 0);
	assert_int_equal(bad_n, 0);
	free(bad);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_snapshot_checks_with_message),
	    T(test_own_cursor_never_taken_from_a_peer),
	    T(test_cursor_raised_cuts_the_log),
	    T(test_resync_replaces_an_event_numbered_alike),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
