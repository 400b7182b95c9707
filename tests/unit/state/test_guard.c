/* SPDX-License-Identifier: MIT */
/* test_guard.c -- overrides judged by the safety rule inside their own write transaction */
#include "config.h"

#include "state_test.h"
#include "state/state_guard.h"

#define NOW INT64_C(1700000000000)
#define MIN INT64_C(60000)

/* www has us-east and eu-west; api has eu-west and ap-south. */
static state_params_dc_t dcs[3] = {{.name = "us-east"}, {.name = "eu-west"}, {.name = "ap-south"}};
static size_t www_dcs[] = {0, 1};
static size_t api_dcs[] = {1, 2};
static state_params_record_t records[] = {
    {.name = "www.example.com.", .datacenters = www_dcs, .datacenter_count = 2},
    {.name = "api.example.com.", .datacenters = api_dcs, .datacenter_count = 2},
};

static state_params_t params;
static char path[64];

static int setup(void **unused)
{
	(void)unused;
	memset(&params, 0, sizeof(params));
	params.region = "us-east";
	params.datacenters = dcs;
	params.datacenter_count = 3;
	params.records = records;
	params.record_count = 2;
	params.health.stale_after_ms = 30000;
	test_now_ms = NOW;
	test_temp_path(path, sizeof(path));
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	test_remove(path);
	return 0;
}

/* A store where eu-west is observed down: draining us-east would leave www with nothing. */
static state_t *open_with_eu_west_down(void)
{
	state_t *st = test_open(path, "us-east");
	state_observation_t o;

	test_observation(&o, "eu-west", STATE_HEALTH_DOWN, "HTTP 503");
	assert_int_equal(state_observation_put(st, &o), 0);
	return st;
}

static const char drain_refusal[] =
    "refused: www.example.com. would have no serving datacenter (eu-west is down, us-east drained)";

static void test_guarded_put_safe_writes_override_and_one_event(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t ov;
	state_t *st = test_open(path, "us-east");

	(void)unused;
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "kernel upgrade", NOW + 10 * MIN);
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)),
			 STATE_GUARD_SAFE);
	assert_string_equal(why, "");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM overrides WHERE deleted = 0"), 1);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM events"), 1);
	state_close(st);
}

static void test_guarded_put_refused_writes_nothing(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t ov;
	state_t *st = open_with_eu_west_down();
	int64_t changes = test_query_int(st, "SELECT count(*) FROM changelog");

	(void)unused;
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "kernel upgrade", NOW + 10 * MIN);
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)),
			 STATE_GUARD_REFUSED);
	assert_string_equal(why, drain_refusal);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM overrides"), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM events"), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), changes);
	/* The transaction is closed: the next write goes through. */
	assert_true(sqlite3_get_autocommit(state_db(st)) != 0);
	state_close(st);
}

/* Another operator's drain is committed while ours waits for the write lock: the check
 * must see it. Judged before the transaction, as meridianctl once did, both drains
 * would be "safe" and www would be left with no serving datacenter. */
static state_t *other_operator;
static int lock_waits;

static int commit_other_operator(void *unused, int attempts)
{
	(void)unused;
	lock_waits++;
	if (attempts == 0 && other_operator != NULL)
		assert_int_equal(sqlite3_exec(state_db(other_operator), "COMMIT", NULL, NULL, NULL),
				 SQLITE_OK);
	return 1; /* retry: the lock is free now */
}

static void test_guarded_put_judges_override_committed_while_waiting(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t ov, theirs;
	state_t *st = test_open(path, "us-east");

	(void)unused;
	other_operator = test_open(path, "us-east");
	test_override(&theirs, "eu-west", STATE_OVERRIDE_DRAIN, "their drain", NOW + 10 * MIN);
	assert_int_equal(
	    sqlite3_exec(state_db(other_operator), "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	/* state_override_put opens its own transaction; a plain insert holds the lock. */
	assert_int_equal(
	    sqlite3_exec(
		state_db(other_operator),
		"INSERT INTO overrides (datacenter, action, reason, actor, created, expires,"
		" deleted, hlc, origin) VALUES ('eu-west', 'drain', 'their drain', 'bob',"
		" 1700000000000, 1700000600000, 0, 1, 'us-east')",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_busy_handler(state_db(st), commit_other_operator, NULL);

	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "our drain", NOW + 10 * MIN);
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)),
			 STATE_GUARD_REFUSED);
	assert_string_equal(why, "refused: www.example.com. would have no serving datacenter"
				 " (eu-west drained, us-east drained)");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM overrides"), 1);
	assert_true(lock_waits > 0);
	state_close(other_operator);
	other_operator = NULL;
	state_close(st);
}

static void test_guarded_put_forced_writes_override_and_one_event_naming_rule(void **unused)
{
	char why[STATE_TEXT_MAX], text[STATE_TEXT_MAX];
	state_override_t ov;
	state_t *st = open_with_eu_west_down();
	int64_t changes = test_query_int(st, "SELECT count(*) FROM changelog");

	(void)unused;
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "kernel upgrade", NOW + 10 * MIN);
	assert_int_equal(state_override_put_guarded(st, &params, &ov, true, why, sizeof(why)),
			 STATE_GUARD_FORCED);
	assert_string_equal(why, drain_refusal);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM overrides WHERE deleted = 0"), 1);
	/* Override row and its one event: two change-log entries, one event. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), changes + 2);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM events"), 1);
	test_query_text(st, "SELECT action || ' ' || actor || ' ' || datacenter FROM events", text,
			sizeof(text));
	assert_string_equal(text, "drain alice us-east");
	test_query_text(st, "SELECT detail FROM events", text, sizeof(text));
	assert_string_equal(text, "until 2023-11-14T22:23:20Z; forced past the safety rule:"
				  " www.example.com. would have no serving datacenter"
				  " (eu-west is down, us-east drained)");
	state_close(st);
}

/* The audit event of a forced override cannot be written: neither is the override. */
static void test_guarded_put_forced_event_failure_writes_nothing(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t ov;
	state_t *st = open_with_eu_west_down();
	int64_t changes = test_query_int(st, "SELECT count(*) FROM changelog");

	(void)unused;
	assert_int_equal(sqlite3_exec(state_db(st),
				      "CREATE TEMP TRIGGER audit_full BEFORE INSERT ON main.events"
				      " WHEN NEW.detail LIKE '%forced past the safety rule%'"
				      " BEGIN SELECT RAISE(ABORT, 'audit log full'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "kernel upgrade", NOW + 10 * MIN);
	assert_int_equal(state_override_put_guarded(st, &params, &ov, true, why, sizeof(why)), -1);
	assert_non_null(strstr(state_errmsg(st), "audit log full"));
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM overrides"), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM events"), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), changes);
	state_close(st);
}

static void test_guarded_put_unknown_datacenter(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t ov;
	state_t *st = test_open(path, "us-east");

	(void)unused;
	test_override(&ov, "mars-1", STATE_OVERRIDE_DRAIN, "x", NOW + MIN);
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)), -1);
	assert_string_equal(state_errmsg(st), "no datacenter 'mars-1' in the configuration");
	assert_int_equal(state_override_clear_guarded(st, &params, "mars-1", "bob", "", false, why,
						      sizeof(why), NULL),
			 -1);
	assert_string_equal(state_errmsg(st), "no datacenter 'mars-1' in the configuration");
	state_close(st);
}

/* eu-west is observed down but forced up, us-east drained: www is served by eu-west only,
 * so clearing the force-up would leave it with nothing. */
static state_t *open_with_eu_west_forced_up(void)
{
	state_t *st = open_with_eu_west_down();
	state_override_t ov;

	test_override(&ov, "eu-west", STATE_OVERRIDE_FORCE_UP, "probe broken", NOW + 10 * MIN);
	assert_int_equal(state_override_put(st, &ov), 0);
	test_now_ms++; /* the drain is the newer write */
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "kernel upgrade", NOW + 10 * MIN);
	assert_int_equal(state_override_put(st, &ov), 0);
	return st;
}

static void test_guarded_clear_refused_names_record_and_keeps_override(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t previous;
	state_t *st = open_with_eu_west_forced_up();
	int64_t events = test_query_int(st, "SELECT count(*) FROM events");

	(void)unused;
	assert_int_equal(state_override_clear_guarded(st, &params, "eu-west", "carol", "fixed",
						      false, why, sizeof(why), &previous),
			 STATE_GUARD_REFUSED);
	assert_string_equal(why, "refused: www.example.com. would have no serving datacenter"
				 " (us-east drained, eu-west is down)");
	assert_string_equal(previous.datacenter, "eu-west");
	assert_int_equal(previous.action, STATE_OVERRIDE_FORCE_UP);
	assert_string_equal(previous.reason, "probe broken");
	assert_int_equal(
	    test_query_int(st, "SELECT deleted FROM overrides WHERE datacenter = 'eu-west'"), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM events"), events);
	state_close(st);
}

static void test_guarded_clear_forced_writes_tombstone_and_one_event_naming_rule(void **unused)
{
	char why[STATE_TEXT_MAX], text[STATE_TEXT_MAX];
	state_override_t previous;
	state_t *st = open_with_eu_west_forced_up();
	int64_t events = test_query_int(st, "SELECT count(*) FROM events");

	(void)unused;
	assert_int_equal(state_override_clear_guarded(st, &params, "eu-west", "carol", "fixed",
						      true, why, sizeof(why), &previous),
			 STATE_GUARD_FORCED);
	assert_int_equal(
	    test_query_int(st, "SELECT deleted FROM overrides WHERE datacenter = 'eu-west'"), 1);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM events"), events + 1);
	test_query_text(st,
			"SELECT action || ' ' || actor || ': ' || detail FROM events"
			" ORDER BY id DESC LIMIT 1",
			text, sizeof(text));
	assert_string_equal(text, "clear carol: force-up; forced past the safety rule:"
				  " www.example.com. would have no serving datacenter"
				  " (us-east drained, eu-west is down)");
	state_close(st);
}

static void test_guarded_clear_safe_and_nothing(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t previous;
	state_t *st = open_with_eu_west_forced_up();

	(void)unused;
	/* Without its drain us-east is unknown, hence serving: safe. */
	assert_int_equal(state_override_clear_guarded(st, &params, "us-east", "carol", "done",
						      false, why, sizeof(why), &previous),
			 STATE_GUARD_SAFE);
	assert_string_equal(why, "");
	assert_int_equal(previous.action, STATE_OVERRIDE_DRAIN);
	assert_int_equal(state_override_clear_guarded(st, &params, "us-east", "carol", "again",
						      false, why, sizeof(why), &previous),
			 STATE_GUARD_NOTHING);
	assert_string_equal(previous.datacenter, "");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM events WHERE action = 'clear'"),
			 1);
	state_close(st);
}

/* state_override_active and state_override_pending: the one "in effect at T" rule. */
static void test_override_active_by_time(void **unused)
{
	static const struct {
		const char *name;
		int64_t starts, expires, at;
		bool deleted, active, pending;
	} rows[] = {
	    {"immediate, before its expiry", 0, NOW + 10 * MIN, NOW, false, true, false},
	    {"immediate, at its expiry", 0, NOW, NOW, false, false, false},
	    {"immediate, no expiry", 0, 0, NOW, false, true, false},
	    {"scheduled, before its start", NOW + 5 * MIN, NOW + 10 * MIN, NOW, false, false, true},
	    {"scheduled, at its start", NOW + 5 * MIN, NOW + 10 * MIN, NOW + 5 * MIN, false, true,
	     false},
	    {"scheduled, at its end", NOW + 5 * MIN, NOW + 10 * MIN, NOW + 10 * MIN, false, false,
	     false},
	    {"scheduled, no expiry, later", NOW + 5 * MIN, 0, NOW + 60 * MIN, false, true, false},
	    {"scheduled, cancelled", NOW + 5 * MIN, NOW + 10 * MIN, NOW, true, false, false},
	};

	(void)unused;
	for (size_t i = 0; i < M_ARRAY_LEN(rows); i++) {
		state_override_t o;

		test_override(&o, "us-east", STATE_OVERRIDE_DRAIN, "r", rows[i].expires);
		o.starts_ms = rows[i].starts;
		o.deleted = rows[i].deleted;
		if (state_override_active(&o, rows[i].at) != rows[i].active ||
		    state_override_pending(&o, rows[i].at) != rows[i].pending)
			fail_msg("case \"%s\": active %d pending %d, want %d %d", rows[i].name,
				 state_override_active(&o, rows[i].at),
				 state_override_pending(&o, rows[i].at), rows[i].active,
				 rows[i].pending);
	}
}

/* A scheduled override is judged over its window: at its start, and at another
 * datacenter's override starting inside it (here us-east forced down from +60 min). */
static void test_guarded_put_scheduled_judged_inside_window(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t ov;
	state_t *st = test_open(path, "us-east");

	(void)unused;
	test_override(&ov, "us-east", STATE_OVERRIDE_FORCE_DOWN, "move racks", NOW + 120 * MIN);
	ov.starts_ms = NOW + 60 * MIN;
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)),
			 STATE_GUARD_SAFE);
	/* Safe at its own start (+30 min), not at us-east's (+60 min). */
	test_override(&ov, "eu-west", STATE_OVERRIDE_DRAIN, "kernel", NOW + 90 * MIN);
	ov.starts_ms = NOW + 30 * MIN;
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)),
			 STATE_GUARD_REFUSED);
	assert_string_equal(why, "refused: from 2023-11-14T23:13:20Z (in the scheduled window), "
				 "www.example.com. would have no serving datacenter (us-east forced "
				 "down, eu-west drained)");
	/* After us-east's window has ended, the same drain is safe. */
	test_override(&ov, "eu-west", STATE_OVERRIDE_DRAIN, "kernel", NOW + 180 * MIN);
	ov.starts_ms = NOW + 120 * MIN;
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)),
			 STATE_GUARD_SAFE);
	/* Nothing is in effect now: both wait for their start. */
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM overrides WHERE starts > 0"), 2);
	state_close(st);
}

/* --plan's judgement is the write's, and writes nothing. */
static void test_judge_is_the_writes_judgement_and_writes_nothing(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t ov;
	state_t *st = open_with_eu_west_down();
	int64_t changes = test_query_int(st, "SELECT count(*) FROM changelog");

	(void)unused;
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "kernel upgrade", NOW + 10 * MIN);
	assert_int_equal(state_override_judge(st, &params, &ov, why, sizeof(why)), 1);
	assert_string_equal(why, drain_refusal);
	test_override(&ov, "eu-west", STATE_OVERRIDE_DRAIN, "fine", NOW + 10 * MIN);
	assert_int_equal(state_override_judge(st, &params, &ov, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM overrides"), 0);
	assert_int_equal(test_query_int(st, "SELECT count(*) FROM changelog"), changes);
	assert_true(sqlite3_get_autocommit(state_db(st)) != 0);
	state_close(st);
}

/* One override per datacenter: a scheduled one and another never replace each other
 * silently; clear cancels the scheduled one. */
static void test_guarded_put_scheduled_conflicts_and_clear(void **unused)
{
	char why[STATE_TEXT_MAX];
	state_override_t ov, previous;
	state_t *st = test_open(path, "us-east");

	(void)unused;
	test_override(&ov, "us-east", STATE_OVERRIDE_DRAIN, "later", NOW + 20 * MIN);
	ov.starts_ms = NOW + 10 * MIN;
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)),
			 STATE_GUARD_SAFE);
	test_override(&ov, "us-east", STATE_OVERRIDE_FORCE_DOWN, "now", NOW + 20 * MIN);
	assert_int_equal(state_override_put_guarded(st, &params, &ov, false, why, sizeof(why)), -1);
	assert_string_equal(state_errmsg(st),
			    "us-east has a drain by alice scheduled from 2023-11-14T22:23:20Z; a "
			    "datacenter holds one override at a time: clear it first (meridianctl "
			    "clear us-east)");
	assert_int_equal(state_override_clear_guarded(st, &params, "us-east", "bob", "", false, why,
						      sizeof(why), &previous),
			 STATE_GUARD_SAFE);
	assert_string_equal(previous.reason, "later");
	assert_int_equal(previous.starts_ms, NOW + 10 * MIN);
	assert_int_equal(test_query_int(st, "SELECT deleted FROM overrides"), 1);
	state_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_guarded_put_safe_writes_override_and_one_event,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guarded_put_refused_writes_nothing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_guarded_put_judges_override_committed_while_waiting, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_guarded_put_forced_writes_override_and_one_event_naming_rule, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guarded_put_forced_event_failure_writes_nothing,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guarded_put_unknown_datacenter, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_guarded_clear_refused_names_record_and_keeps_override, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_guarded_clear_forced_writes_tombstone_and_one_event_naming_rule, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_guarded_clear_safe_and_nothing, setup, teardown),
	    cmocka_unit_test(test_override_active_by_time),
	    cmocka_unit_test_setup_teardown(test_judge_is_the_writes_judgement_and_writes_nothing,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guarded_put_scheduled_judged_inside_window, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_guarded_put_scheduled_conflicts_and_clear, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
