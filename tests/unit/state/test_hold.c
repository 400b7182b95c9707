/* SPDX-License-Identifier: MIT */
/* test_hold.c -- held verdicts (silence, isolation), flap damping and the alarm, on a mocked clock */
#include "config.h"

#include "state_test.h"
#include "state/state_verdict.h"

#define T0 INT64_C(1700000000000)
#define SEC INT64_C(1000)
#define MIN INT64_C(60000)

static state_params_dc_t dcs[1] = {{.name = "east"}};
static const char *const peers[] = {"eu-west", "ap-south"};
static const char *const regions[3] = {"us-east", "eu-west", "ap-south"};

static void params_init(state_params_t *params)
{
	memset(params, 0, sizeof(*params));
	params->region = "us-east";
	params->datacenters = dcs;
	params->datacenter_count = 1;
	params->replication.peers = peers;
	params->replication.peer_count = 2;
	params->replication.max_clock_skew_ms = 30000;
	test_params_health(params);
}

/* One evaluation at now: votes[k] is region k's vote on east, 'u' up, 'd' down, 's' stale
 * (down, heard 40 s ago), '-' none. The memory goes in and comes back updated. */
static state_verdict_t decide(const state_params_t *params, const char *votes, int64_t now,
			      state_verdict_memory_t *mem)
{
	state_observation_t obs[3];
	state_verdict_memory_t next;
	state_verdict_t v;
	size_t n = 0;

	for (size_t k = 0; k < 3 && votes[k]; k++) {
		state_observation_t *o = &obs[n];

		if (votes[k] == '-')
			continue;
		memset(o, 0, sizeof(*o));
		snprintf(o->checker, sizeof(o->checker), "%s", regions[k]);
		snprintf(o->datacenter, sizeof(o->datacenter), "east");
		o->status = votes[k] == 'u' ? STATE_HEALTH_UP : STATE_HEALTH_DOWN;
		o->received_ms = o->checked_ms = votes[k] == 's' ? now - 40 * SEC : now;
		snprintf(o->detail, sizeof(o->detail), "%s", votes[k] == 'u' ? "HTTP 200" : "HTTP 503");
		n++;
	}
	state_verdict_decide(params, obs, n, NULL, 0, mem, now, &v, &next);
	*mem = next;
	return v;
}

static void test_isolated_region_holds_last_verdict_for_the_bound(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;
	char why[512];

	params_init(&params);
	memset(&m, 0, sizeof(m));
	v = decide(&params, "ddd", T0, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_false(state_verdict_alarm(&params, &v, why, sizeof(why)));
	/* Cut off: only our own vote is fresh, and it now says up. Held down. */
	v = decide(&params, "uss", T0 + 10 * SEC, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_int_equal(v.hold, STATE_HOLD_ISOLATED);
	assert_int_equal(v.hold_left_ms, 5 * MIN);
	assert_string_equal(v.why, "held down, 5m00s left before fail open: isolated: 0 of 3 regions"
				   " say down, 2 without a fresh vote, quorum is 2");
	assert_true(state_verdict_alarm(&params, &v, why, sizeof(why)));
	assert_string_equal(why, "east held down (isolated, 5m00s left)");
	v = decide(&params, "us-", T0 + 10 * SEC + 5 * MIN - 1, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_int_equal(v.hold_left_ms, 1);
	/* The bound: served (fail open), counted once. */
	v = decide(&params, "uss", T0 + 10 * SEC + 5 * MIN, &m);
	assert_int_equal(v.observed, STATE_DC_UNKNOWN);
	assert_true(v.serving);
	assert_int_equal(v.hold, STATE_HOLD_EXPIRED);
	v = decide(&params, "uss", T0 + 20 * MIN, &m);
	assert_int_equal(m.holds, 1);
	assert_int_equal(m.isolated, 1);
	assert_int_equal(m.expiries, 1);
	assert_true(state_verdict_alarm(&params, &v, why, sizeof(why)));
	assert_string_equal(why, "east: hold ran out, served (fail open)");
	/* Back in touch: decided again, the spell is over. */
	v = decide(&params, "uuu", T0 + 21 * MIN, &m);
	assert_int_equal(v.observed, STATE_DC_UP);
	assert_int_equal(v.hold, STATE_HOLD_NONE);
	assert_int_equal(m.undecided_ms, 0);
}

static void test_isolated_alone_decides_by_its_fresh_votes(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;

	params_init(&params);
	params.health.isolated_alone = true;
	memset(&m, 0, sizeof(m));
	v = decide(&params, "uuu", T0, &m);
	assert_int_equal(v.observed, STATE_DC_UP);
	v = decide(&params, "dss", T0 + SEC, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_true(v.alone);
	assert_int_equal(v.hold, STATE_HOLD_NONE);
	assert_string_equal(v.why, "isolated (2 of 3 regions without a fresh vote): decided alone,"
				   " 1 of 1 fresh say down (HTTP 503)");
	/* Silence is not isolation: with no fresh vote at all it holds, alone or not. */
	v = decide(&params, "sss", T0 + 2 * SEC, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_int_equal(v.hold, STATE_HOLD_SILENT);
}

static void test_silence_holds_then_fails_open(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;
	char why[512];

	params_init(&params);
	dcs[0].check_count = 1; /* this region checks east */
	memset(&m, 0, sizeof(m));
	v = decide(&params, "ddd", T0, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	v = decide(&params, "sss", T0 + 40 * SEC, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_false(v.serving);
	assert_int_equal(v.hold, STATE_HOLD_SILENT);
	assert_string_equal(v.why, "held down, 5m00s left before fail open: no fresh observation (3 stale)");
	assert_true(state_verdict_alarm(&params, &v, why, sizeof(why)));
	assert_string_equal(why, "this region's checker is silent (no fresh observation); east held"
				 " down (silent, 5m00s left)");
	v = decide(&params, "sss", T0 + 40 * SEC + 5 * MIN, &m);
	assert_int_equal(v.observed, STATE_DC_UNKNOWN);
	assert_true(v.serving);
	assert_string_equal(v.why, "held down for 5m00s, then served (fail open): no fresh observation (3 stale)");
	dcs[0].check_count = 0;
}

/* Nothing decided yet: nothing to hold, served at once. */
static void test_nothing_to_hold_is_served(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;

	params_init(&params);
	memset(&m, 0, sizeof(m));
	v = decide(&params, "d--", T0, &m);
	assert_int_equal(v.observed, STATE_DC_UNKNOWN);
	assert_int_equal(v.hold, STATE_HOLD_NONE);
	assert_int_equal(m.holds, 0);
}

static void test_flapping_is_held_down_until_reuse(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;

	params_init(&params);
	memset(&m, 0, sizeof(m));
	v = decide(&params, "uuu", T0, &m);
	assert_true(v.penalty == 0);
	/* A clean failure goes through at once: one transition is no flap. */
	v = decide(&params, "ddd", T0 + SEC, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_false(v.damped);
	assert_true(v.penalty == 1000);
	/* Back up 10 s later: 1000 * 2^(-10/60) + 1000 = 1891 > 1500: held down. */
	v = decide(&params, "uuu", T0 + 11 * SEC, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_false(v.serving);
	assert_true(v.damped);
	assert_int_equal(m.suppressions, 1);
	assert_int_equal(m.transitions, 2);
	/* reuse when 1891 * 2^(-t/60 s) < 750: t = 60 s * log2(1891 / 750) = 80.0 s */
	assert_true(v.reuse_ms > 79 * SEC && v.reuse_ms < 81 * SEC);
	assert_string_equal(v.why, "held down: flapping, reuse in 1m21s (penalty 1891; 3 of 3 regions say up)");
	v = decide(&params, "uuu", T0 + 11 * SEC + v.reuse_ms - SEC, &m);
	assert_true(v.damped);
	v = decide(&params, "uuu", T0 + 11 * SEC + 81 * SEC, &m);
	assert_int_equal(v.observed, STATE_DC_UP);
	assert_false(v.damped);
	assert_false(m.suppressed);
}

/* A datacenter starts served: its first decided "down" counts, so a flapping origin's
 * first recovery is held whether it was first seen up or down. */
static void test_first_down_counts_as_a_transition(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;

	params_init(&params);
	memset(&m, 0, sizeof(m));
	v = decide(&params, "ddd", T0, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_true(v.penalty == 1000);
	assert_int_equal(m.transitions, 1);
	v = decide(&params, "uuu", T0 + 2 * SEC, &m);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_true(v.damped);
}

/* An outage longer than the half-life is no flap: the recovery is served at once. */
static void test_outage_then_recovery_is_not_damped(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;

	params_init(&params);
	memset(&m, 0, sizeof(m));
	decide(&params, "uuu", T0, &m);
	decide(&params, "ddd", T0 + SEC, &m);
	v = decide(&params, "uuu", T0 + SEC + 2 * MIN, &m); /* 250 + 1000 */
	assert_int_equal(v.observed, STATE_DC_UP);
	assert_false(v.damped);
}

/* However long it flapped, it is released within flap_max_hold of the last transition. */
static void test_penalty_capped_by_max_hold(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;
	int64_t t = T0;

	params_init(&params);
	params.health.flap_max_hold_ms = 3 * 60000; /* cap 750 * 2^3 = 6000, below the ~17800 */
	memset(&m, 0, sizeof(m));		  /* that a flap every 5 s would build up */
	for (int k = 0; k < 200; k++) {
		t += 5 * SEC;
		v = decide(&params, k % 2 ? "uuu" : "ddd", t, &m);
	}
	assert_true(v.damped);
	assert_true(v.penalty == 6000);
	assert_true(v.reuse_ms <= 3 * MIN);
	assert_true(v.reuse_ms > 3 * MIN - SEC);
	v = decide(&params, "uuu", t + 3 * MIN + SEC, &m);
	assert_int_equal(v.observed, STATE_DC_UP);
	assert_int_equal(m.transitions, 200); /* the first "down" counts too */
}

static void test_damping_off_follows_every_transition(void **unused)
{
	state_verdict_memory_t m;
	state_verdict_t v;
	state_params_t params;

	params_init(&params);
	params.health.flap_damping = false;
	memset(&m, 0, sizeof(m));
	for (int k = 0; k < 10; k++) {
		v = decide(&params, k % 2 ? "uuu" : "ddd", T0 + k * SEC, &m);
		assert_int_equal(v.observed, k % 2 ? STATE_DC_UP : STATE_DC_DOWN);
		assert_false(v.damped);
	}
}

/* dnsd saves what changed; meridianctl reads the same memory back. */
static void test_memory_round_trips_through_the_store(void **unused)
{
	state_verdict_memory_t m, back;
	state_observation_t o;
	state_verdict_t v;
	char path[64];
	state_t *st;
	state_params_t params;

	params_init(&params);
	params.replication.peer_count = 0;
	test_now_ms = T0;
	test_temp_path(path, sizeof(path));
	st = test_open(path, "us-east");
	test_observation(&o, "east", STATE_HEALTH_DOWN, "HTTP 503");
	assert_int_equal(state_observation_put(st, &o), 0);
	assert_int_equal(state_verdict_update(st, &params, T0, &v, &m), 0);
	assert_int_equal(v.observed, STATE_DC_DOWN);
	assert_int_equal(state_verdict_memory_load(st, &params, &back), 0);
	assert_int_equal(back.decided, STATE_DC_DOWN);
	assert_int_equal(back.decided_ms, T0);
	/* 40 s later the vote is stale: held, and the spell is remembered. */
	assert_int_equal(state_verdict_update(st, &params, T0 + 40 * SEC, &v, &m), 0);
	assert_int_equal(v.hold, STATE_HOLD_SILENT);
	assert_int_equal(state_verdict_load(st, &params, T0 + 50 * SEC, &v), 0);
	assert_int_equal(v.hold_left_ms, 5 * MIN - 10 * SEC);
	assert_int_equal(state_verdict_memory_load(st, &params, &back), 0);
	assert_int_equal(back.undecided_ms, T0 + 40 * SEC);
	assert_int_equal(back.holds, 1);
	state_close(st);
	test_remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_isolated_region_holds_last_verdict_for_the_bound),
	    cmocka_unit_test(test_isolated_alone_decides_by_its_fresh_votes),
	    cmocka_unit_test(test_silence_holds_then_fails_open),
	    cmocka_unit_test(test_nothing_to_hold_is_served),
	    cmocka_unit_test(test_flapping_is_held_down_until_reuse),
	    cmocka_unit_test(test_first_down_counts_as_a_transition),
	    cmocka_unit_test(test_outage_then_recovery_is_not_damped),
	    cmocka_unit_test(test_penalty_capped_by_max_hold),
	    cmocka_unit_test(test_damping_off_follows_every_transition),
	    cmocka_unit_test(test_memory_round_trips_through_the_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
