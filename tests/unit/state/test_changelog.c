/* SPDX-License-Identifier: MIT */
/* test_changelog.c -- the write path (row + entry atomic, seq dense) and remote apply */
#include "config.h"

#include "state_test.h"
#include "state/state_load.h"
#include "state/state_weight.h"
#include "state/state_hlc.h"

static char path_a[64], path_b[64], path_c[64];
static state_t *a, *b, *c; /* us-east, eu-west, ap-south */

static int setup(void **unused)
{
	test_now_ms = INT64_C(1700000000000);
	test_temp_path(path_a, sizeof(path_a));
	test_temp_path(path_b, sizeof(path_b));
	test_temp_path(path_c, sizeof(path_c));
	a = test_open(path_a, "us-east");
	b = test_open(path_b, "eu-west");
	c = test_open(path_c, "ap-south");
	return 0;
}

static int teardown(void **unused)
{
	state_close(a);
	state_close(b);
	state_close(c);
	test_remove(path_a);
	test_remove(path_b);
	test_remove(path_c);
	return 0;
}

/* What a replicator does: pull origin's entries from `from` after `to`'s cursor, apply. */
static int ship(state_t *from, state_t *to, const char *origin)
{
	state_change_t *ch = NULL;
	size_t n = 0;
	uint64_t cursor = 0;
	int rc;

	assert_int_equal(state_cursor_get(to, origin, &cursor), 0);
	assert_int_equal(state_changes_since(from, origin, cursor, 0, &ch, &n), 0);
	rc = state_changes_apply(to, ch, n);
	state_changes_free(ch, n);
	return rc;
}

static uint64_t cursor_of(state_t *st, const char *origin)
{
	uint64_t seq = 99;

	assert_int_equal(state_cursor_get(st, origin, &seq), 0);
	return seq;
}

static void put_obs(state_t *st, const char *dc, state_health_t status)
{
	state_observation_t o;

	test_observation(&o, dc, status, status == STATE_HEALTH_DOWN ? "HTTP 503" : "");
	assert_int_equal(state_observation_put(st, &o), 0);
}

static void put_override(state_t *st, const char *dc, state_override_action_t action,
			 const char *reason)
{
	state_override_t ov;

	test_override(&ov, dc, action, reason, 0);
	assert_int_equal(state_override_put(st, &ov), 0);
}

static void test_write_and_entry_are_atomic(void **unused)
{
	state_observation_t o;
	int64_t hlc_before = test_query_int(a, "SELECT hlc FROM node");

	assert_int_equal(sqlite3_exec(state_db(a),
				      "CREATE TEMP TRIGGER fail BEFORE INSERT ON changelog"
				      " BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	test_observation(&o, "eu-west", STATE_HEALTH_DOWN, "HTTP 503");
	assert_int_equal(state_observation_put(a, &o), -1);
	assert_string_equal(state_errmsg(a), "change log: injected failure");
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM observations"), 0);
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM changelog"), 0);
	assert_int_equal(cursor_of(a, "us-east"), 0);
	assert_int_equal(test_query_int(a, "SELECT hlc FROM node"), hlc_before);

	/* The failed write burned no seq. */
	assert_int_equal(sqlite3_exec(state_db(a), "DROP TRIGGER fail", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(state_observation_put(a, &o), 0);
	assert_int_equal(test_query_int(a, "SELECT seq FROM changelog"), 1);
}

static void test_override_and_event_are_atomic(void **unused)
{
	state_override_t ov;

	assert_int_equal(sqlite3_exec(state_db(a),
				      "CREATE TEMP TRIGGER fail BEFORE INSERT ON events"
				      " BEGIN SELECT RAISE(ABORT, 'no audit'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "maintenance", 0);
	assert_int_equal(state_override_put(a, &ov), -1);
	assert_string_equal(state_errmsg(a), "event: no audit");
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM overrides"), 0);
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM changelog"), 0);
}

static void test_seq_dense_and_entries_hold_full_rows(void **unused)
{
	state_change_t *ch = NULL;
	size_t n = 0;
	char row[512];

	put_obs(a, "eu-west", STATE_HEALTH_UP);
	put_override(a, "us-east", STATE_OVERRIDE_DRAIN, "maintenance"); /* 2 entries */
	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	assert_int_equal(state_event_append(a, "carol", "note", "", "hello", ""), 0);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ch[i].seq, i + 1);
		assert_string_equal(ch[i].origin, "us-east");
		if (i > 0)
			assert_true(ch[i].hlc > ch[i - 1].hlc);
	}
	assert_string_equal(ch[0].table, "observations");
	assert_string_equal(ch[0].key, "us-east/eu-west");
	assert_string_equal(ch[1].table, "overrides");
	assert_string_equal(ch[1].key, "us-east");
	assert_string_equal(ch[2].table, "events");
	assert_string_equal(ch[2].key, "us-east/1");
	assert_string_equal(ch[4].key, "us-east/2");
	snprintf(
	    row, sizeof(row),
	    "{\"checker\":\"us-east\",\"datacenter\":\"eu-west\",\"status\":\"up\",\"since\":%lld,"
	    "\"checked\":%lld,\"latency\":12,\"detail\":\"\",\"hlc\":%llu,\"origin\":\"us-east\"}",
	    (long long)test_now_ms, (long long)test_now_ms, (unsigned long long)ch[0].hlc);
	assert_string_equal(ch[0].row_json, row);
	assert_int_equal(cursor_of(a, "us-east"), 5);
	state_changes_free(ch, n);

	/* after_seq and max page through the log. */
	assert_int_equal(state_changes_since(a, "us-east", 2, 2, &ch, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ch[0].seq, 3);
	assert_int_equal(ch[1].seq, 4);
	state_changes_free(ch, n);
}

static void test_apply_copies_rows_and_advances_cursor(void **unused)
{
	state_override_t *ov = NULL;
	size_t n = 0;

	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	put_override(a, "us-east", STATE_OVERRIDE_DRAIN, "maintenance");
	assert_int_equal(ship(a, b, "us-east"), 3);
	assert_int_equal(cursor_of(b, "us-east"), 3);
	assert_int_equal(
	    test_query_int(b, "SELECT count(*) FROM observations WHERE checker = 'us-east'"
			      " AND status = 'down'"),
	    1);
	assert_int_equal(state_overrides_list(b, &ov, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ov[0].origin, "us-east");
	assert_string_equal(ov[0].reason, "maintenance");
	free(ov);
	assert_int_equal(test_query_int(b, "SELECT count(*) FROM events WHERE origin = 'us-east'"),
			 1);
	/* B's own log is untouched: applied entries keep their origin. */
	assert_int_equal(cursor_of(b, "eu-west"), 0);
}

static void test_apply_twice_applies_once(void **unused)
{
	state_change_t *ch = NULL;
	size_t n = 0;

	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	put_obs(a, "us-east", STATE_HEALTH_UP);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	assert_int_equal(state_changes_apply(b, ch, n), 2);
	assert_int_equal(state_changes_apply(b, ch, n), 0);
	assert_int_equal(cursor_of(b, "us-east"), 2);
	assert_int_equal(
	    test_query_int(b, "SELECT count(*) FROM changelog WHERE origin = 'us-east'"), 2);
	/* An overlapping batch applies only what is new. */
	put_obs(a, "eu-west", STATE_HEALTH_UP);
	state_changes_free(ch, n);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	assert_int_equal(state_changes_apply(b, ch, n), 1);
	assert_int_equal(test_query_int(b, "SELECT count(*) FROM observations WHERE status = 'up'"),
			 2);
	state_changes_free(ch, n);
}

static void test_lww_newer_remote_wins_older_loses(void **unused)
{
	char text[64];

	put_override(a, "us-east", STATE_OVERRIDE_DRAIN, "from a");
	test_now_ms += 1000;
	put_override(b, "us-east", STATE_OVERRIDE_FORCE_DOWN, "from b");
	/* The older write reaches the newer one: the newer stays. */
	assert_int_equal(ship(a, b, "us-east"), 2);
	test_query_text(b, "SELECT reason FROM overrides WHERE datacenter = 'us-east'", text,
			sizeof(text));
	assert_string_equal(text, "from b");
	/* The newer write reaches the older one: it replaces it. */
	assert_int_equal(ship(b, a, "eu-west"), 2);
	test_query_text(a, "SELECT reason || ' ' || action || ' ' || origin FROM overrides", text,
			sizeof(text));
	assert_string_equal(text, "from b force-down eu-west");
	/* Both audit trails are kept in both regions. */
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM events"), 2);
	assert_int_equal(test_query_int(b, "SELECT count(*) FROM events"), 2);
}

/* An overrides entry with a chosen hlc and origin, as another region would ship it. */
static void make_override_entry(state_change_t *ch, const char *origin, uint64_t seq, uint64_t hlc,
				const char *reason, char *row, size_t len)
{
	memset(ch, 0, sizeof(*ch));
	snprintf(ch->origin, sizeof(ch->origin), "%s", origin);
	ch->seq = seq;
	ch->hlc = hlc;
	snprintf(ch->table, sizeof(ch->table), "overrides");
	snprintf(ch->key, sizeof(ch->key), "us-east");
	snprintf(
	    row, len,
	    "{\"datacenter\":\"us-east\",\"action\":\"drain\",\"reason\":\"%s\",\"actor\":\"x\","
	    "\"created\":1,\"expires\":0,\"deleted\":0,\"hlc\":%llu,\"origin\":\"%s\"}",
	    reason, (unsigned long long)hlc, origin);
	ch->row_json = row;
}

static void test_lww_tie_broken_by_origin(void **unused)
{
	uint64_t hlc = state_hlc_make(test_now_ms + 5000, 0);
	char row_aa[512], row_zz[512], text[64];
	state_change_t e_aa, e_zz;

	make_override_entry(&e_aa, "aa-north", 1, hlc, "aa", row_aa, sizeof(row_aa));
	make_override_entry(&e_zz, "zz-south", 1, hlc, "zz", row_zz, sizeof(row_zz));
	/* Same hlc: the greater origin wins, whatever the arrival order. */
	assert_int_equal(state_changes_apply(a, &e_aa, 1), 1);
	assert_int_equal(state_changes_apply(a, &e_zz, 1), 1);
	assert_int_equal(state_changes_apply(b, &e_zz, 1), 1);
	assert_int_equal(state_changes_apply(b, &e_aa, 1), 1);
	test_query_text(a, "SELECT reason FROM overrides", text, sizeof(text));
	assert_string_equal(text, "zz");
	test_query_text(b, "SELECT reason FROM overrides", text, sizeof(text));
	assert_string_equal(text, "zz");
}

static void test_tombstone_replicates_and_beats_older_put(void **unused)
{
	put_override(a, "us-east", STATE_OVERRIDE_DRAIN, "first");
	assert_int_equal(ship(a, b, "us-east"), 2);
	/* B clears while A, not yet knowing, puts again a little earlier in HLC order. */
	test_now_ms += 2000;
	assert_int_equal(state_override_clear(b, "us-east", "bob", "done"), 0);
	test_now_ms -= 1000;
	put_override(a, "us-east", STATE_OVERRIDE_DRAIN, "second");
	assert_int_equal(ship(a, b, "us-east"), 2);
	assert_int_equal(ship(b, a, "eu-west"), 2);
	assert_int_equal(
	    test_query_int(a, "SELECT deleted FROM overrides WHERE datacenter = 'us-east'"), 1);
	assert_int_equal(
	    test_query_int(b, "SELECT deleted FROM overrides WHERE datacenter = 'us-east'"), 1);
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM status_overrides"), 0);
}

/* A scheduled override ships with its start; one in effect from its creation ships
 * without "starts", as older versions wrote it (its row hash unchanged), and applies as 0. */
static void test_scheduled_override_replicates_start(void **unused)
{
	state_override_t ov, *list = NULL;
	size_t n = 0;

	(void)unused;
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "window", test_now_ms + 7200000);
	ov.starts_ms = test_now_ms + 3600000;
	assert_int_equal(state_override_put(a, &ov), 0);
	put_override(a, "eu-west", STATE_OVERRIDE_DRAIN, "now");
	assert_int_equal(
	    test_query_int(a, "SELECT count(*) FROM changelog WHERE tbl = 'overrides'"
			      " AND json_type(row, '$.starts') IS NULL"),
	    1);
	assert_int_equal(ship(a, b, "us-east"), 4);
	assert_int_equal(state_overrides_list(b, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].datacenter, "eu-west");
	assert_int_equal(list[0].starts_ms, 0);
	assert_string_equal(list[1].datacenter, "us-east");
	assert_int_equal(list[1].starts_ms, ov.starts_ms);
	/* Not in effect in the other region either, until its start. */
	assert_false(state_override_active(&list[1], test_now_ms));
	assert_true(state_override_active(&list[1], ov.starts_ms));
	free(list);
}

/* An observation in transition ships "pending" and "change_in"; a settled one ships the
 * row JSON of older versions; address observations replicate like observations, with
 * their received time. */
static void test_transition_and_address_observations_replicate(void **unused)
{
	state_observation_t o, *list = NULL;
	size_t n = 0;

	(void)unused;
	put_obs(a, "eu-west", STATE_HEALTH_UP);
	test_observation(&o, "us-east", STATE_HEALTH_UP, "connect refused");
	o.pending = STATE_HEALTH_DOWN;
	o.change_in_ms = 1500;
	assert_int_equal(state_observation_put(a, &o), 0);
	test_observation(&o, "us-east", STATE_HEALTH_DOWN, "HTTP 503");
	snprintf(o.address, sizeof(o.address), "2001:db8::10");
	assert_int_equal(state_observation_put(a, &o), 0);
	assert_int_equal(
	    test_query_int(a, "SELECT count(*) FROM changelog WHERE tbl = 'observations'"
			      " AND json_type(row, '$.pending') IS NULL"),
	    1);
	assert_int_equal(ship(a, b, "us-east"), 3);

	assert_int_equal(state_observations_list(b, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].datacenter, "eu-west");
	assert_int_equal(list[0].pending, STATE_HEALTH_UNKNOWN);
	assert_string_equal(list[1].datacenter, "us-east");
	assert_int_equal(list[1].pending, STATE_HEALTH_DOWN);
	assert_int_equal(list[1].change_in_ms, 1500);
	assert_string_equal(list[1].address, "");
	free(list);

	assert_int_equal(state_address_observations_list(b, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].checker, "us-east");
	assert_string_equal(list[0].datacenter, "us-east");
	assert_string_equal(list[0].address, "2001:db8::10");
	assert_int_equal(list[0].status, STATE_HEALTH_DOWN);
	assert_string_equal(list[0].detail, "HTTP 503");
	assert_true(list[0].received_ms > 0); /* fresh by the receiving region's clock */
	free(list);

	/* The transition called off: the row ships without the members again. */
	test_observation(&o, "us-east", STATE_HEALTH_UP, "HTTP 200");
	assert_int_equal(state_observation_put(a, &o), 0);
	assert_int_equal(ship(a, b, "us-east"), 1);
	assert_int_equal(state_observations_list(b, &list, &n), 0);
	assert_int_equal(list[1].pending, STATE_HEALTH_UNKNOWN);
	free(list);
	/* An address that is not one is refused, nothing written. */
	snprintf(o.address, sizeof(o.address), "not/an/address");
	assert_int_equal(state_observation_put(a, &o), -1);
	assert_non_null(strstr(state_errmsg(a), "invalid address 'not/an/address'"));
}

/* Live load readings ship like observations; the newest good one within the age counts. */
static void test_load_replicates_and_newest_good_counts(void **unused)
{
	state_load_t l, *list = NULL;
	const state_load_t *from = NULL;
	size_t n = 0;
	double value = 0;

	(void)unused;
	memset(&l, 0, sizeof(l));
	snprintf(l.datacenter, sizeof(l.datacenter), "us-east");
	l.ok = true;
	l.value_milli = 420500;
	l.measured_ms = test_now_ms;
	snprintf(l.checker, sizeof(l.checker), "somebody-else"); /* forced to the region */
	assert_int_equal(state_load_put(a, &l), 0);
	assert_int_equal(ship(a, b, "us-east"), 1);
	/* b's own reading, later but failed: it does not count, a's does. */
	l.ok = false;
	l.measured_ms = test_now_ms + 1000;
	snprintf(l.detail, sizeof(l.detail), "HTTP 503");
	assert_int_equal(state_load_put(b, &l), 0);
	assert_int_equal(state_loads_list(b, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].checker, "eu-west");
	assert_false(list[0].ok);
	assert_string_equal(list[0].detail, "HTTP 503");
	assert_string_equal(list[1].checker, "us-east");
	assert_true(state_load_current(list, n, "us-east", test_now_ms + 2000, 5000, &value, &from));
	assert_true(value == 420.5);
	assert_string_equal(from->checker, "us-east");
	/* Older than the age allowed: none counts. */
	assert_false(state_load_current(list, n, "us-east", test_now_ms + 6000, 5000, &value, &from));
	assert_false(state_load_current(list, n, "eu-west", test_now_ms, 0, &value, &from));
	free(list);
}

/* A run-time weight ships (its key holds the target's '/'), and its clear beats it. */
static void test_weight_replicates_and_clear_wins(void **unused)
{
	state_weight_t w, *list = NULL;
	size_t n = 0;

	(void)unused;
	memset(&w, 0, sizeof(w));
	snprintf(w.target, sizeof(w.target), "www.example.com.@10.0.0.0/8");
	snprintf(w.datacenter, sizeof(w.datacenter), "eu-west");
	snprintf(w.reason, sizeof(w.reason), "canary");
	snprintf(w.actor, sizeof(w.actor), "alice");
	w.weight = 20;
	w.expires_ms = test_now_ms + 3600000;
	assert_int_equal(state_weight_put(a, &w, "config 10"), 0);
	assert_int_equal(ship(a, b, "us-east"), 2); /* the row and its audit event */
	assert_int_equal(state_weights_list(b, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].target, "www.example.com.@10.0.0.0/8");
	assert_int_equal(list[0].weight, 20);
	assert_true(state_weight_active(&list[0], test_now_ms));
	assert_false(state_weight_active(&list[0], w.expires_ms));
	free(list);
	test_now_ms += 1000;
	assert_int_equal(state_weight_clear(b, w.target, "eu-west", "bob", "done"), 0);
	assert_int_equal(state_weight_clear(b, w.target, "eu-west", "bob", "again"), 1);
	assert_int_equal(ship(b, a, "eu-west"), 2);
	assert_int_equal(test_query_int(a, "SELECT deleted FROM weights"), 1);
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM status_weights"), 0);
}

static void test_gap_refuses_whole_batch(void **unused)
{
	state_change_t *ch = NULL, batch[2];
	size_t n = 0;

	put_obs(a, "eu-west", STATE_HEALTH_UP);
	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	put_obs(a, "eu-west", STATE_HEALTH_UP);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	batch[0] = ch[0];
	batch[1] = ch[2];
	assert_int_equal(state_changes_apply(b, batch, 2), -1);
	assert_string_equal(state_errmsg(b),
			    "change log gap for origin us-east: expected seq 2, got 3");
	assert_int_equal(cursor_of(b, "us-east"), 0);
	assert_int_equal(test_query_int(b, "SELECT count(*) FROM observations"), 0);
	assert_int_equal(test_query_int(b, "SELECT count(*) FROM changelog"), 0);
	/* Starting past the cursor is a gap too. */
	assert_int_equal(state_changes_apply(b, &ch[1], 1), -1);
	assert_string_equal(state_errmsg(b),
			    "change log gap for origin us-east: expected seq 1, got 2");
	state_changes_free(ch, n);
}

/* clang-format off */
static const struct {
	const char *name;
	const char *table;
	const char *key;
	const char *row; /* @HLC@: the entry's hlc */
	const char *want;
} malformed_cases[] = {
	{"not json", "observations", "us-east/eu-west", "{\"checker\": @HLC@",
	 "malformed change us-east/2: row: malformed JSON: offset 30: truncated document"},
	{"array", "observations", "us-east/eu-west", "[@HLC@]",
	 "malformed change us-east/2: row: not a JSON object"},
	/* a JSON member holding JSON: SQLite would take the first and then read a wild pointer */
	{"zones not strict JSON", "deployments", "us-east/dnsd",
	 "{\"region\":\"us-east\",\"component\":\"dnsd\",\"version\":\"1\",\"config_digest\":\"d\","
	 "\"config\":\"{}\",\"zones\":\"{{\\\"a\\\":[{\\\"b\\\":\\\"\\\"}]}:5}\",\"geoip_type\":\"\",\"geoip_epoch\":0,\"geoip_digest\":\"\","
	 "\"since\":1,\"updated\":1,\"hlc\":@HLC@,\"origin\":\"us-east\"}",
	 "malformed change us-east/2: deployments.zones: malformed JSON: offset 1: expected member name"},
	{"config with a member twice", "deployments", "us-east/dnsd",
	 "{\"region\":\"us-east\",\"component\":\"dnsd\",\"version\":\"1\",\"config_digest\":\"d\","
	 "\"config\":\"{\\\"a\\\":1,\\\"a\\\":2}\",\"zones\":\"[]\",\"geoip_type\":\"\",\"geoip_epoch\":0,"
	 "\"geoip_digest\":\"\",\"since\":1,\"updated\":1,\"hlc\":@HLC@,\"origin\":\"us-east\"}",
	 "malformed change us-east/2: deployments.config: malformed JSON: offset 13: duplicate member name"},
	{"missing field", "observations", "us-east/eu-west",
	 "{\"checker\":\"us-east\",\"datacenter\":\"eu-west\",\"since\":1,\"checked\":1,\"latency\":1,"
	 "\"detail\":\"\",\"hlc\":@HLC@,\"origin\":\"us-east\"}",
	 "malformed change us-east/2: observations.status must be text, is missing"},
	{"wrong type", "observations", "us-east/eu-west",
	 "{\"checker\":\"us-east\",\"datacenter\":\"eu-west\",\"status\":\"up\",\"since\":1,"
	 "\"checked\":1,\"latency\":\"fast\",\"detail\":\"\",\"hlc\":@HLC@,\"origin\":\"us-east\"}",
	 "malformed change us-east/2: observations.latency must be integer, is text"},
	{"bad status", "observations", "us-east/eu-west",
	 "{\"checker\":\"us-east\",\"datacenter\":\"eu-west\",\"status\":\"sideways\",\"since\":1,"
	 "\"checked\":1,\"latency\":1,\"detail\":\"\",\"hlc\":@HLC@,\"origin\":\"us-east\"}",
	 "malformed change us-east/2: CHECK constraint failed: status IN ('unknown', 'up', 'down')"},
	{"key mismatch", "observations", "us-east/nowhere",
	 "{\"checker\":\"us-east\",\"datacenter\":\"eu-west\",\"status\":\"up\",\"since\":1,"
	 "\"checked\":1,\"latency\":1,\"detail\":\"\",\"hlc\":@HLC@,\"origin\":\"us-east\"}",
	 "malformed change us-east/2: key 'us-east/nowhere' does not match the row's 'us-east/eu-west'"},
	{"origin mismatch", "observations", "us-east/eu-west",
	 "{\"checker\":\"us-east\",\"datacenter\":\"eu-west\",\"status\":\"up\",\"since\":1,"
	 "\"checked\":1,\"latency\":1,\"detail\":\"\",\"hlc\":@HLC@,\"origin\":\"eu-west\"}",
	 "malformed change us-east/2: origin 'us-east' does not match the row's 'eu-west'"},
	{"unknown table", "nodes", "us-east", "{\"hlc\":@HLC@}",
	 "malformed change us-east/2: unknown table 'nodes'"},
};
/* clang-format on */

/* Copies tmpl into row with @HLC@ replaced by hlc. */
static void fill_hlc(char *row, size_t len, const char *tmpl, uint64_t hlc)
{
	const char *at = strstr(tmpl, "@HLC@");

	assert_non_null(at);
	snprintf(row, len, "%.*s%llu%s", (int)(at - tmpl), tmpl, (unsigned long long)hlc, at + 5);
}

static void test_malformed_entry_refuses_whole_batch(void **unused)
{
	state_change_t *ch = NULL;
	size_t n = 0;

	put_obs(a, "eu-west", STATE_HEALTH_UP);
	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < M_ARRAY_LEN(malformed_cases); i++) {
		state_change_t batch[2] = {ch[0], ch[1]};
		char row[1024];

		snprintf(batch[1].table, sizeof(batch[1].table), "%s", malformed_cases[i].table);
		snprintf(batch[1].key, sizeof(batch[1].key), "%s", malformed_cases[i].key);
		fill_hlc(row, sizeof(row), malformed_cases[i].row, batch[1].hlc);
		batch[1].row_json = row;
		if (state_changes_apply(b, batch, 2) != -1)
			fail_msg("%s: applied", malformed_cases[i].name);
		if (strcmp(state_errmsg(b), malformed_cases[i].want) != 0)
			fail_msg("%s: got \"%s\"", malformed_cases[i].name, state_errmsg(b));
		assert_int_equal(cursor_of(b, "us-east"), 0);
		assert_int_equal(test_query_int(b, "SELECT count(*) FROM observations"), 0);
	}
	/* The good batch still applies afterwards. */
	assert_int_equal(state_changes_apply(b, ch, n), 2);
	state_changes_free(ch, n);
}

static void test_entry_hlc_must_match_row(void **unused)
{
	state_change_t *ch = NULL;
	size_t n = 0;
	char want[256];

	put_obs(a, "eu-west", STATE_HEALTH_UP);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	ch[0].hlc += 1;
	assert_int_equal(state_changes_apply(b, ch, n), -1);
	snprintf(want, sizeof(want),
		 "malformed change us-east/1: hlc %llu does not match the row's %llu",
		 (unsigned long long)ch[0].hlc, (unsigned long long)ch[0].hlc - 1);
	assert_string_equal(state_errmsg(b), want);
	state_changes_free(ch, n);
}

static void test_own_origin_beyond_own_seq_skipped(void **unused)
{
	char row[512];
	state_change_t e;

	put_override(b, "us-east", STATE_OVERRIDE_DRAIN, "x"); /* b at seq 2 */
	make_override_entry(&e, "eu-west", 3, state_hlc_make(test_now_ms + 9000, 0), "impostor",
			    row, sizeof(row));
	/* Never applied: our own origin comes only from our own writes (a peer holding more
	 * of it is settled by state_identity_renumber), and the batch is not refused. */
	assert_int_equal(state_changes_apply(b, &e, 1), 0);
	assert_int_equal(test_query_int(b, "SELECT count(*) FROM overrides WHERE reason = 'impostor'"), 0);
	/* At or below our own seq: an echo of our own write, skipped. */
	e.seq = 1;
	assert_int_equal(state_changes_apply(b, &e, 1), 0);
}

static void test_applied_entries_are_relayed(void **unused)
{
	state_change_t *from_a = NULL, *from_b = NULL;
	size_t na = 0, nb = 0;

	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	put_override(a, "us-east", STATE_OVERRIDE_DRAIN, "maintenance");
	assert_int_equal(ship(a, b, "us-east"), 3);
	/* C never talks to A: it gets A's entries through B, unchanged. */
	assert_int_equal(ship(b, c, "us-east"), 3);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &from_a, &na), 0);
	assert_int_equal(state_changes_since(c, "us-east", 0, 0, &from_b, &nb), 0);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(from_a[i].seq, from_b[i].seq);
		assert_int_equal(from_a[i].hlc, from_b[i].hlc);
		assert_string_equal(from_a[i].key, from_b[i].key);
		assert_string_equal(from_a[i].row_json, from_b[i].row_json);
	}
	assert_int_equal(cursor_of(c, "us-east"), 3);
	assert_int_equal(
	    test_query_int(c, "SELECT count(*) FROM overrides WHERE origin = 'us-east'"), 1);
	state_changes_free(from_a, na);
	state_changes_free(from_b, nb);
}

/* A relaying peer sends several origins in one batch: one transaction for all of them. */
static void test_batch_of_several_origins(void **unused)
{
	state_change_t *from_a = NULL, *from_b = NULL, batch[4];
	size_t na = 0, nb = 0;

	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	put_obs(a, "us-east", STATE_HEALTH_UP);
	put_obs(b, "eu-west", STATE_HEALTH_UP);
	put_obs(b, "us-east", STATE_HEALTH_UP);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &from_a, &na), 0);
	assert_int_equal(state_changes_since(b, "eu-west", 0, 0, &from_b, &nb), 0);
	batch[0] = from_a[0];
	batch[1] = from_b[0];
	batch[2] = from_a[1];
	batch[3] = from_b[1];
	assert_int_equal(state_changes_apply(c, batch, 4), 4);
	assert_int_equal(cursor_of(c, "us-east"), 2);
	assert_int_equal(cursor_of(c, "eu-west"), 2);
	assert_int_equal(test_query_int(c, "SELECT count(*) FROM observations"), 4);
	/* A gap in the second origin refuses the first origin's entries too. */
	put_obs(a, "eu-west", STATE_HEALTH_UP);
	state_changes_free(from_a, na);
	assert_int_equal(state_changes_since(a, "us-east", 2, 0, &from_a, &na), 0);
	batch[0] = from_a[0];
	batch[1] = from_b[0];
	batch[1].seq = 4;
	assert_int_equal(state_changes_apply(c, batch, 2), -1);
	assert_string_equal(state_errmsg(c),
			    "change log gap for origin eu-west: expected seq 3, got 4");
	assert_int_equal(cursor_of(c, "us-east"), 2);
	state_changes_free(from_a, na);
	state_changes_free(from_b, nb);
}

static void test_apply_on_readonly_store_refused(void **unused)
{
	state_change_t *ch = NULL;
	size_t n = 0;
	char err[512];
	state_t *ro = state_open_readonly(path_b, err, sizeof(err));

	assert_non_null(ro);
	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	assert_int_equal(state_changes_apply(ro, ch, n), -1);
	assert_string_equal(state_errmsg(ro), "store is open read-only");
	state_changes_free(ch, n);
	state_close(ro);
}

static void test_apply_observes_remote_hlc(void **unused)
{
	state_change_t *ch = NULL;
	size_t n = 0;
	uint64_t remote;

	/* A's clock runs an hour ahead of B's. */
	test_now_ms += 3600000;
	put_obs(a, "eu-west", STATE_HEALTH_UP);
	test_now_ms -= 3600000;
	assert_int_equal(ship(a, b, "us-east"), 1);
	put_obs(b, "eu-west", STATE_HEALTH_UP);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	remote = ch[0].hlc;
	state_changes_free(ch, n);
	assert_int_equal(state_changes_since(b, "eu-west", 0, 0, &ch, &n), 0);
	assert_true(ch[0].hlc > remote);
	state_changes_free(ch, n);
}

static void test_cursors_list_every_origin(void **unused)
{
	state_cursor_t *cur = NULL;
	size_t n = 0;

	put_obs(a, "eu-west", STATE_HEALTH_UP);
	put_obs(b, "eu-west", STATE_HEALTH_UP);
	assert_int_equal(ship(a, b, "us-east"), 1);
	assert_int_equal(state_cursors_list(b, &cur, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cur[0].origin, "eu-west");
	assert_int_equal(cur[0].seq, 1);
	assert_string_equal(cur[1].origin, "us-east");
	assert_int_equal(cur[1].seq, 1);
	free(cur);
}

static void test_compaction_keeps_seq_dense(void **unused)
{
	uint64_t removed = 0, first = 0, last = 0;
	state_change_t *ch = NULL;
	size_t n = 0;

	for (int i = 0; i < 5; i++) {
		put_obs(a, "eu-west", i % 2 ? STATE_HEALTH_UP : STATE_HEALTH_DOWN);
		test_now_ms += 60000;
	}
	assert_int_equal(state_changelog_compact_seq(a, "us-east", 3, &removed), 0);
	assert_int_equal(removed, 3);
	assert_int_equal(state_changelog_range(a, "us-east", &first, &last), 0);
	assert_int_equal(first, 4);
	assert_int_equal(last, 5);
	put_obs(a, "eu-west", STATE_HEALTH_UP);
	assert_int_equal(cursor_of(a, "us-east"), 6);
	/* By age: entries stored more than 90 s ago (seq 4 at -120 s, 5 at -60 s). */
	assert_int_equal(state_changelog_compact(a, 90000, &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(state_changes_since(a, "us-east", 0, 0, &ch, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ch[0].seq, 5);
	state_changes_free(ch, n);
	/* The rows themselves stay. */
	assert_int_equal(test_query_int(a, "SELECT count(*) FROM observations"), 1);
}

static void test_snapshot_bootstraps_new_region(void **unused)
{
	char *json = NULL;

	put_obs(a, "eu-west", STATE_HEALTH_DOWN);
	put_override(a, "us-east", STATE_OVERRIDE_DRAIN, "maintenance");
	put_obs(b, "us-east", STATE_HEALTH_UP);
	assert_int_equal(ship(b, a, "eu-west"), 1);
	assert_int_equal(state_override_clear(a, "us-east", "bob", "done"), 0);
	assert_int_equal(state_snapshot_export(a, &json), 0);
	assert_int_equal(state_snapshot_import(c, json), 0);
	free(json);

	assert_int_equal(test_query_int(c, "SELECT count(*) FROM observations"), 2);
	assert_int_equal(test_query_int(c, "SELECT deleted FROM overrides"), 1);
	assert_int_equal(test_query_int(c, "SELECT count(*) FROM events"), 2);
	assert_int_equal(cursor_of(c, "us-east"), 5);
	assert_int_equal(cursor_of(c, "eu-west"), 1);
	assert_true(test_query_int(c, "SELECT hlc FROM node") >=
		    test_query_int(a, "SELECT hlc FROM node"));
	/* Pulling continues after the snapshot without a gap. */
	put_obs(a, "eu-west", STATE_HEALTH_UP);
	assert_int_equal(ship(a, c, "us-east"), 1);
	assert_int_equal(test_query_int(c, "SELECT count(*) FROM observations WHERE status = 'up'"),
			 2);
}

static void test_snapshot_import_refuses_garbage(void **unused)
{
	assert_int_equal(state_snapshot_import(c, "{\"format\":\"other\"}"), -1);
	assert_string_equal(state_errmsg(c), "snapshot: not a meridian-snapshot/1 document");
	assert_int_equal(
	    state_snapshot_import(c, "{\"format\":\"meridian-snapshot/1\",\"hlc\":1,\"cursors\":"
				     "[{\"origin\":\"us-east\",\"seq\":9}],\"observations\":"
				     "[{\"checker\":1}],\"overrides\":[],\"events\":[]}"),
	    -1);
	assert_string_equal(
	    state_errmsg(c),
	    "snapshot: observations row 1: observations.checker must be text, is integer");
	assert_int_equal(cursor_of(c, "us-east"), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_write_and_entry_are_atomic),
	    T(test_override_and_event_are_atomic),
	    T(test_seq_dense_and_entries_hold_full_rows),
	    T(test_apply_copies_rows_and_advances_cursor),
	    T(test_apply_twice_applies_once),
	    T(test_lww_newer_remote_wins_older_loses),
	    T(test_lww_tie_broken_by_origin),
	    T(test_tombstone_replicates_and_beats_older_put),
	    T(test_scheduled_override_replicates_start),
	    T(test_transition_and_address_observations_replicate),
	    T(test_load_replicates_and_newest_good_counts),
	    T(test_weight_replicates_and_clear_wins),
	    T(test_gap_refuses_whole_batch),
	    T(test_malformed_entry_refuses_whole_batch),
	    T(test_entry_hlc_must_match_row),
	    T(test_own_origin_beyond_own_seq_skipped),
	    T(test_applied_entries_are_relayed),
	    T(test_batch_of_several_origins),
	    T(test_apply_on_readonly_store_refused),
	    T(test_apply_observes_remote_hlc),
	    T(test_cursors_list_every_origin),
	    T(test_compaction_keeps_seq_dense),
	    T(test_snapshot_bootstraps_new_region),
	    T(test_snapshot_import_refuses_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
