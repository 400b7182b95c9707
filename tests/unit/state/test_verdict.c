/* SPDX-License-Identifier: MIT */
/* test_verdict.c -- quorum of fresh observations, staleness, overrides, fail-open, safety */
#include "config.h"

#include "state_test.h"
#include "state/state_verdict.h"

#include <inttypes.h>

#define NOW INT64_C(1700000000000)
#define MIN INT64_C(60000)

static state_params_dc_t dcs[3] = {{.name = "us-east"}, {.name = "eu-west"}, {.name = "ap-south"}};
static size_t www_dcs[] = {0, 1};
static size_t api_dcs[] = {1, 2};
static state_params_record_t records[] = {
    {.name = "www.example.com.", .datacenters = www_dcs, .datacenter_count = 2},
    {.name = "api.example.com.", .datacenters = api_dcs, .datacenter_count = 2},
};

static const char *const peers[] = {"eu-west", "ap-south"};

static void params_init(state_params_t *params, uint32_t quorum)
{
	memset(params, 0, sizeof(*params));
	params->region = "us-east";
	params->datacenters = dcs;
	params->datacenter_count = 3;
	params->records = records;
	params->record_count = 2;
	test_params_health(params);
	params->health.quorum = quorum;
}

/* One observation of eu-west: checker, status, age in ms, detail. */
typedef struct {
	const char *checker;   /* the observing region */
	state_health_t status; /* what it saw */
	int64_t age_ms;	       /* how old the observation is, ms; stale past 30000 */
	const char *detail;    /* its reason text */
} vote_t;

/* clang-format off */
static const struct {
	const char *name;
	uint32_t quorum;
	vote_t votes[4];
	size_t vote_count;
	state_dc_state_t want;
	unsigned down, up, stale;
	const char *why;
} quorum_cases[] = {
	/* Three configured regions (us-east, eu-west, ap-south): a quorum is 2 of 3. */
	{"no observation", 0, {{0}}, 0, STATE_DC_UNKNOWN, 0, 0, 0, "no fresh observation: served (fail open)"},
	{"only stale", 0, {{"us-east", STATE_HEALTH_DOWN, 31000, "HTTP 503"}}, 1, STATE_DC_UNKNOWN, 0, 0, 1,
	 "no fresh observation (1 stale): served (fail open)"},
	{"unknown status does not vote", 0, {{"us-east", STATE_HEALTH_UNKNOWN, 0, ""}}, 1, STATE_DC_UNKNOWN,
	 0, 0, 0, "no fresh observation: served (fail open)"},
	{"one region's single view decides nothing", 0, {{"us-east", STATE_HEALTH_DOWN, 1000, "HTTP 503"}},
	 1, STATE_DC_UNKNOWN, 1, 0, 0,
	 "isolated: 1 of 3 regions say down, 2 without a fresh vote, quorum is 2: served (fail open)"},
	{"two of three up decide up", 0, {{"us-east", STATE_HEALTH_UP, 0, ""}, {"eu-west", STATE_HEALTH_UP, 0, ""}}, 2,
	 STATE_DC_UP, 0, 2, 0, "2 of 3 regions say up"},
	{"one down one up one missing decides nothing", 0,
	 {{"us-east", STATE_HEALTH_DOWN, 0, "connect refused"}, {"eu-west", STATE_HEALTH_UP, 0, ""}}, 2,
	 STATE_DC_UNKNOWN, 1, 1, 0,
	 "isolated: 1 of 3 regions say down, 1 without a fresh vote, quorum is 2: served (fail open)"},
	{"one of three down is no quorum", 0,
	 {{"us-east", STATE_HEALTH_DOWN, 0, "HTTP 503"},
	  {"eu-west", STATE_HEALTH_UP, 0, ""},
	  {"ap-south", STATE_HEALTH_UP, 0, ""}},
	 3, STATE_DC_UP, 1, 2, 0, "1 of 3 regions say down, quorum is 2"},
	{"two of three down", 0,
	 {{"us-east", STATE_HEALTH_DOWN, 0, "HTTP 503"},
	  {"eu-west", STATE_HEALTH_UP, 0, ""},
	  {"ap-south", STATE_HEALTH_DOWN, 0, "timeout"}},
	 3, STATE_DC_DOWN, 2, 1, 0, "2 of 3 regions say down (HTTP 503)"},
	{"a stale vote counts neither way", 0,
	 {{"us-east", STATE_HEALTH_DOWN, 0, "HTTP 503"}, {"eu-west", STATE_HEALTH_UP, 40000, ""},
	  {"ap-south", STATE_HEALTH_DOWN, 0, ""}}, 3,
	 STATE_DC_DOWN, 2, 0, 1, "2 of 3 regions say down (HTTP 503)"},
	{"stale down votes cannot make a quorum", 0,
	 {{"us-east", STATE_HEALTH_DOWN, 30001, "HTTP 503"}, {"eu-west", STATE_HEALTH_UP, 30000, ""},
	  {"ap-south", STATE_HEALTH_UP, 0, ""}}, 3,
	 STATE_DC_UP, 0, 2, 1, "2 of 3 regions say up"},
	{"quorum 3: two down is up", 3,
	 {{"us-east", STATE_HEALTH_DOWN, 0, "HTTP 503"}, {"eu-west", STATE_HEALTH_DOWN, 0, ""},
	  {"ap-south", STATE_HEALTH_UP, 0, ""}}, 3, STATE_DC_UP,
	 2, 1, 0, "2 of 3 regions say down, quorum is 3"},
	{"quorum 1 with one down vote", 1,
	 {{"us-east", STATE_HEALTH_DOWN, 0, "HTTP 503"},
	  {"eu-west", STATE_HEALTH_UP, 0, ""},
	  {"ap-south", STATE_HEALTH_UP, 0, ""}},
	 3, STATE_DC_DOWN, 1, 2, 0, "1 of 3 regions say down (HTTP 503)"},
	{"quorum 1: one region alone decides", 1,
	 {{"us-east", STATE_HEALTH_DOWN, 0, "timeout"}}, 1,
	 STATE_DC_DOWN, 1, 0, 0, "1 of 3 regions say down (timeout)"},
	{"quorum 3: one up decides up", 3,
	 {{"us-east", STATE_HEALTH_UP, 0, ""}}, 1,
	 STATE_DC_UP, 0, 1, 0, "1 of 3 regions say up"},
	{"an unconfigured checker is one more region", 0,
	 {{"us-east", STATE_HEALTH_DOWN, 0, "HTTP 503"}, {"eu-west", STATE_HEALTH_DOWN, 0, ""},
	  {"ap-south", STATE_HEALTH_UP, 0, ""}, {"sa-east", STATE_HEALTH_UP, 0, ""}}, 4,
	 STATE_DC_UP, 2, 2, 0, "2 of 4 regions say down, quorum is 3"},
};
/* clang-format on */

static void test_verdict_quorum_table(void **unused)
{
	for (size_t i = 0; i < M_ARRAY_LEN(quorum_cases); i++) {
		state_observation_t obs[4];
		state_verdict_t out[3];
		state_params_t params;

		params_init(&params, quorum_cases[i].quorum);
		params.replication.peers = peers;
		params.replication.peer_count = 2;
		for (size_t j = 0; j < quorum_cases[i].vote_count; j++) {
			const vote_t *v = &quorum_cases[i].votes[j];

			memset(&obs[j], 0, sizeof(obs[j]));
			snprintf(obs[j].checker, sizeof(obs[j].checker), "%s", v->checker);
			snprintf(obs[j].datacenter, sizeof(obs[j].datacenter), "eu-west");
			obs[j].status = v->status;
			obs[j].checked_ms = NOW - v->age_ms;
			snprintf(obs[j].detail, sizeof(obs[j].detail), "%s", v->detail);
		}
		state_verdict_compute(&params, obs, quorum_cases[i].vote_count, NULL, 0, NOW, out);
		if (out[1].effective != quorum_cases[i].want ||
		    out[1].observed != quorum_cases[i].want ||
		    out[1].votes_down != quorum_cases[i].down ||
		    out[1].votes_up != quorum_cases[i].up ||
		    out[1].votes_stale != quorum_cases[i].stale ||
		    strcmp(out[1].why, quorum_cases[i].why) != 0)
			fail_msg("%s: got %s %u/%u/%u \"%s\"", quorum_cases[i].name,
				 state_dc_state_name(out[1].effective), out[1].votes_down,
				 out[1].votes_up, out[1].votes_stale, out[1].why);
		assert_int_equal(out[1].serving, quorum_cases[i].want != STATE_DC_DOWN);
		assert_int_equal(out[1].override_index, -1);
		/* Observations of eu-west never touch the others. */
		assert_int_equal(out[0].effective, STATE_DC_UNKNOWN);
		assert_true(out[0].serving);
	}
}

static void make_obs(state_observation_t *o, const char *checker, const char *dc,
		     state_health_t status)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->checker, sizeof(o->checker), "%s", checker);
	snprintf(o->datacenter, sizeof(o->datacenter), "%s", dc);
	o->status = status;
	o->checked_ms = NOW;
	snprintf(o->detail, sizeof(o->detail), "%s", status == STATE_HEALTH_DOWN ? "HTTP 503" : "");
}

static void make_ovr(state_override_t *o, const char *dc, state_override_action_t action,
		     int64_t expires, bool deleted)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->datacenter, sizeof(o->datacenter), "%s", dc);
	o->action = action;
	snprintf(o->reason, sizeof(o->reason), "maintenance");
	snprintf(o->actor, sizeof(o->actor), "alice");
	o->expires_ms = expires;
	o->deleted = deleted;
	o->hlc = 1;
}

/* clang-format off */
static const struct {
	const char *name;
	state_override_action_t action;
	int64_t expires;  /* relative to NOW, 0: never */
	bool deleted;
	state_health_t observed; /* of eu-west by one region */
	state_dc_state_t want;
	bool serving;
	const char *why;
} override_cases[] = {
	{"drain beats up", STATE_OVERRIDE_DRAIN, 30 * MIN, false, STATE_HEALTH_UP, STATE_DC_DRAINED, false,
	 "drained by alice: maintenance (expires in 30m00s; observed up: 1 of 1 regions say up)"},
	{"force-down beats up", STATE_OVERRIDE_FORCE_DOWN, 0, false, STATE_HEALTH_UP, STATE_DC_FORCED_DOWN,
	 false, "forced down by alice: maintenance (no expiry; observed up: 1 of 1 regions say up)"},
	{"force-up beats down", STATE_OVERRIDE_FORCE_UP, 90 * MIN, false, STATE_HEALTH_DOWN,
	 STATE_DC_FORCED_UP, true,
	 "forced up by alice: maintenance (expires in 1h30m; observed down: 1 of 1 regions say"
	 " down (HTTP 503))"},
	{"expired override ignored", STATE_OVERRIDE_DRAIN, -1, false, STATE_HEALTH_UP, STATE_DC_UP, true,
	 "1 of 1 regions say up"},
	{"tombstone ignored", STATE_OVERRIDE_FORCE_DOWN, 0, true, STATE_HEALTH_UP, STATE_DC_UP, true,
	 "1 of 1 regions say up"},
};
/* clang-format on */

static void test_verdict_override_table(void **unused)
{
	for (size_t i = 0; i < M_ARRAY_LEN(override_cases); i++) {
		state_observation_t obs;
		state_override_t ovr[2];
		state_verdict_t out[3];
		state_params_t params;
		int64_t exp = override_cases[i].expires;

		params_init(&params, 0);
		make_obs(&obs, "us-east", "eu-west", override_cases[i].observed);
		make_ovr(&ovr[0], "us-east", STATE_OVERRIDE_FORCE_UP, 0, false); /* another dc's */
		make_ovr(&ovr[1], "eu-west", override_cases[i].action, exp ? NOW + exp : 0,
			 override_cases[i].deleted);
		state_verdict_compute(&params, &obs, 1, ovr, 2, NOW, out);
		if (out[1].effective != override_cases[i].want ||
		    out[1].serving != override_cases[i].serving ||
		    strcmp(out[1].why, override_cases[i].why) != 0)
			fail_msg("%s: got %s \"%s\"", override_cases[i].name,
				 state_dc_state_name(out[1].effective), out[1].why);
		assert_int_equal(out[1].override_index,
				 out[1].effective >= STATE_DC_DRAINED ? 1 : -1);
		assert_int_equal(out[1].observed, override_cases[i].observed == STATE_HEALTH_UP
						      ? STATE_DC_UP
						      : STATE_DC_DOWN);
		assert_int_equal(out[0].effective, STATE_DC_FORCED_UP);
	}
}

static void test_newest_live_override_wins(void **unused)
{
	state_override_t ovr[2];
	state_verdict_t out[3];
	state_params_t params;

	params_init(&params, 0);
	make_ovr(&ovr[0], "eu-west", STATE_OVERRIDE_DRAIN, 0, false);
	make_ovr(&ovr[1], "eu-west", STATE_OVERRIDE_FORCE_UP, 0, false);
	ovr[1].hlc = 2;
	state_verdict_compute(&params, NULL, 0, ovr, 2, NOW, out);
	assert_int_equal(out[1].effective, STATE_DC_FORCED_UP);
	assert_int_equal(out[1].override_index, 1);
}

static void test_state_names(void **unused)
{
	assert_string_equal(state_dc_state_name(STATE_DC_UP), "up");
	assert_string_equal(state_dc_state_name(STATE_DC_UNKNOWN), "unknown");
	assert_string_equal(state_dc_state_name(STATE_DC_DOWN), "down");
	assert_string_equal(state_dc_state_name(STATE_DC_DRAINED), "drained");
	assert_string_equal(state_dc_state_name(STATE_DC_FORCED_DOWN), "forced-down");
	assert_string_equal(state_dc_state_name(STATE_DC_FORCED_UP), "forced-up");
	assert_string_equal(state_override_action_name(STATE_OVERRIDE_FORCE_DOWN), "force-down");
	assert_int_equal(state_override_action_parse("force-up"), STATE_OVERRIDE_FORCE_UP);
	assert_int_equal(state_override_action_parse("drained"), -1);
	assert_int_equal(state_health_parse("down"), STATE_HEALTH_DOWN);
	assert_int_equal(state_health_parse("DOWN"), -1);
}

/* Safety: the current state of each datacenter, the proposed override, the answer. */
/* clang-format off */
static const struct {
	const char *name;
	state_dc_state_t current[3]; /* us-east, eu-west, ap-south */
	size_t dc;
	state_override_action_t action;
	int want;
	const char *why;
} safety_cases[] = {
	{"drain with another serving", {STATE_DC_UP, STATE_DC_UP, STATE_DC_UP}, 0, STATE_OVERRIDE_DRAIN, 0, ""},
	{"drain last serving", {STATE_DC_UP, STATE_DC_DOWN, STATE_DC_UP}, 0, STATE_OVERRIDE_DRAIN, -1,
	 "refused: www.example.com. would have no serving datacenter (eu-west is down, us-east drained)"},
	{"second drain refused", {STATE_DC_UP, STATE_DC_DRAINED, STATE_DC_UP}, 0, STATE_OVERRIDE_DRAIN, -1,
	 "refused: www.example.com. would have no serving datacenter (eu-west drained, us-east drained)"},
	{"force-down last serving", {STATE_DC_FORCED_DOWN, STATE_DC_UP, STATE_DC_DOWN}, 1,
	 STATE_OVERRIDE_FORCE_DOWN, -1,
	 "refused: www.example.com. would have no serving datacenter (us-east forced down, eu-west forced"
	 " down)"},
	{"unknown counts as serving", {STATE_DC_UP, STATE_DC_UNKNOWN, STATE_DC_DOWN}, 0, STATE_OVERRIDE_DRAIN,
	 0, ""},
	{"forced-up counts as serving", {STATE_DC_UP, STATE_DC_FORCED_UP, STATE_DC_DOWN}, 0,
	 STATE_OVERRIDE_FORCE_DOWN, 0, ""},
	{"second record checked", {STATE_DC_UP, STATE_DC_UP, STATE_DC_DOWN}, 1, STATE_OVERRIDE_DRAIN, -1,
	 "refused: api.example.com. would have no serving datacenter (ap-south is down, eu-west drained)"},
	{"force-up always allowed", {STATE_DC_DOWN, STATE_DC_DOWN, STATE_DC_DOWN}, 1, STATE_OVERRIDE_FORCE_UP,
	 0, ""},
	{"unrelated dead record ignored", {STATE_DC_UP, STATE_DC_DOWN, STATE_DC_DOWN}, 2, STATE_OVERRIDE_DRAIN,
	 -1, "refused: api.example.com. would have no serving datacenter (eu-west is down, ap-south drained)"},
};
/* clang-format on */

static void test_override_safety_table(void **unused)
{
	for (size_t i = 0; i < M_ARRAY_LEN(safety_cases); i++) {
		state_verdict_t current[3];
		char why[STATE_TEXT_MAX];
		state_params_t params;
		int rc;

		params_init(&params, 0);
		for (size_t d = 0; d < 3; d++) {
			state_dc_state_t s = safety_cases[i].current[d];

			memset(&current[d], 0, sizeof(current[d]));
			current[d].effective = s;
			current[d].serving =
			    s == STATE_DC_UP || s == STATE_DC_UNKNOWN || s == STATE_DC_FORCED_UP;
		}
		rc = state_verdict_check_override(&params, current, safety_cases[i].dc,
						  safety_cases[i].action, why, sizeof(why));
		if (rc != safety_cases[i].want || strcmp(why, safety_cases[i].why) != 0)
			fail_msg("%s: got %d \"%s\"", safety_cases[i].name, rc, why);
	}
}

static void test_drain_of_only_dc_not_in_records_allowed(void **unused)
{
	state_verdict_t current[3] = {{.effective = STATE_DC_UP, .serving = true}};
	char why[STATE_TEXT_MAX];
	state_params_t params;

	params_init(&params, 0);
	params.record_count = 0;
	assert_int_equal(state_verdict_check_override(&params, current, 0, STATE_OVERRIDE_DRAIN,
						      why, sizeof(why)),
			 0);
	assert_int_equal(state_verdict_check_override(&params, current, 7, STATE_OVERRIDE_DRAIN,
						      why, sizeof(why)),
			 -1);
	assert_string_equal(why, "refused: no datacenter with index 7");
}

static void test_clear_safety(void **unused)
{
	state_verdict_t current[3] = {
	    {.effective = STATE_DC_FORCED_UP, .observed = STATE_DC_DOWN, .serving = true},
	    {.effective = STATE_DC_DRAINED, .observed = STATE_DC_UP, .serving = false},
	    {.effective = STATE_DC_UP, .observed = STATE_DC_UP, .serving = true},
	};
	char why[STATE_TEXT_MAX];
	state_params_t params;

	params_init(&params, 0);
	/* Clearing the force-up of a datacenter observed down leaves www with nothing. */
	assert_int_equal(state_verdict_check_clear(&params, current, 0, why, sizeof(why)), -1);
	assert_string_equal(
	    why, "refused: www.example.com. would have no serving datacenter (eu-west drained,"
		 " us-east is down)");
	/* Clearing the drain of a datacenter observed up is always fine. */
	assert_int_equal(state_verdict_check_clear(&params, current, 1, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	/* Observed up: the force-up can go. */
	current[0].observed = STATE_DC_UP;
	assert_int_equal(state_verdict_check_clear(&params, current, 0, why, sizeof(why)), 0);
	/* Observed unknown is served (fail open). */
	current[0].observed = STATE_DC_UNKNOWN;
	assert_int_equal(state_verdict_check_clear(&params, current, 0, why, sizeof(why)), 0);
}

/* End to end through a real store: the ctl flow of issue 2. */
static void test_verdict_load_from_store(void **unused)
{
	char path[64], why[STATE_TEXT_MAX];
	state_verdict_t out[3];
	state_observation_t o;
	state_override_t ov;
	state_t *st;
	state_params_t params;

	test_now_ms = NOW;
	test_temp_path(path, sizeof(path));
	st = test_open(path, "us-east");
	params_init(&params, 0);
	test_observation(&o, "eu-west", STATE_HEALTH_DOWN, "HTTP 503");
	assert_int_equal(state_observation_put(st, &o), 0);
	assert_int_equal(state_verdict_load(st, &params, NOW, out), 0);
	assert_int_equal(out[1].effective, STATE_DC_DOWN);
	assert_int_equal(out[0].effective, STATE_DC_UNKNOWN);
	assert_int_equal(
	    state_verdict_check_override(&params, out, 0, STATE_OVERRIDE_DRAIN, why, sizeof(why)),
	    -1);
	assert_string_equal(
	    why, "refused: www.example.com. would have no serving datacenter (eu-west is down,"
		 " us-east drained)");
	assert_int_equal(
	    state_verdict_check_override(&params, out, 2, STATE_OVERRIDE_DRAIN, why, sizeof(why)),
	    -1);
	test_override(&ov, "ap-south", STATE_OVERRIDE_DRAIN, "disk swap", NOW + 10 * MIN);
	assert_int_equal(state_override_put(st, &ov), 0);
	assert_int_equal(state_verdict_load(st, &params, NOW, out), 0);
	assert_int_equal(out[2].effective, STATE_DC_DRAINED);
	assert_false(out[2].serving);
	/* After expiry the drain no longer counts. */
	assert_int_equal(state_verdict_load(st, &params, NOW + 11 * MIN, out), 0);
	assert_int_equal(out[2].effective, STATE_DC_UNKNOWN);
	state_close(st);
	test_remove(path);
}

/* Freshness is judged by when this region stored the row, on its own clock: a region
 * 25 s or max_clock_skew behind (or ahead) votes for as long as its heartbeats arrive. */
/* clang-format off */
static const struct {
	const char *name;
	int64_t received_ago;	/* ms before NOW this region stored it; -1: unknown (0) */
	int64_t checked_ago;	/* ms before NOW by the observer's clock (its skew included) */
	bool fresh;
	int64_t age_ms;		/* state_observation_age_ms */
} fresh_cases[] = {
	{"own row, just written", 0, 0, true, 0},
	{"25 s behind, heard 1 s ago", 1000, 26000, true, 1000},
	{"25 s behind, heard 9.9 s ago (between heartbeats)", 9900, 34900, true, 9900},
	{"max_clock_skew behind, heard 10 s ago", 10000, 40000, true, 10000},
	{"25 s ahead, heard 1 s ago", 1000, -24000, true, 1000},
	{"heard 30.001 s ago: stale", 30001, 30001, false, 30001},
	{"25 s behind, heard 31 s ago: stale", 31000, 56000, false, 31000},
	{"backlog replayed late: 61 s old by its clock", 0, 60001, false, 0},
	{"received unknown: its own checked time", -1, 29000, true, 29000},
	{"received unknown and old: stale", -1, 30001, false, 30001},
};
/* clang-format on */

static void test_freshness_is_this_regions_view(void **unused)
{
	state_params_t params;

	params_init(&params, 0);
	params.replication.max_clock_skew_ms = 30000;
	for (size_t i = 0; i < M_ARRAY_LEN(fresh_cases); i++) {
		state_observation_t o;

		make_obs(&o, "eu-west", "us-east", STATE_HEALTH_DOWN);
		o.checked_ms = NOW - fresh_cases[i].checked_ago;
		o.since_ms = o.checked_ms - 5000;
		o.received_ms = fresh_cases[i].received_ago < 0 ? 0 : NOW - fresh_cases[i].received_ago;
		if (state_observation_fresh(&params, &o, NOW) != fresh_cases[i].fresh ||
		    state_observation_age_ms(&o, NOW) != fresh_cases[i].age_ms)
			fail_msg("%s: fresh %d age %" PRId64, fresh_cases[i].name,
				 state_observation_fresh(&params, &o, NOW),
				 state_observation_age_ms(&o, NOW));
		/* Down for 5 s before it was checked, whatever its clock says. */
		assert_int_equal(NOW - state_observation_since_ms(&o),
				 5000 + fresh_cases[i].age_ms);
	}
}

/* A row applied from a peer is timed by this store's clock, not the peer's; a row that
 * loses last-writer-wins does not refresh it. */
static void test_applied_row_is_timed_by_this_region(void **unused)
{
	char pa[64], pb[64];
	state_observation_t o, *list = NULL;
	state_change_t *ch = NULL;
	size_t n = 0;
	state_t *a, *b;

	test_now_ms = NOW - 25000; /* region a's clock runs 25 s behind */
	test_temp_path(pa, sizeof(pa));
	test_temp_path(pb, sizeof(pb));
	a = test_open(pa, "ap-south");
	b = test_open(pb, "us-east");
	test_observation(&o, "eu-west", STATE_HEALTH_DOWN, "HTTP 503");
	assert_int_equal(state_observation_put(a, &o), 0);
	assert_int_equal(state_changes_since(a, "ap-south", 0, 0, &ch, &n), 0);
	test_now_ms = NOW; /* b applies it by its own clock */
	assert_int_equal(state_changes_apply(b, ch, n), 1);
	assert_int_equal(state_observations_list(b, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].checked_ms, NOW - 25000);
	assert_int_equal(list[0].received_ms, NOW);
	free(list);
	assert_int_equal(state_observations_list(a, &list, &n), 0);
	assert_int_equal(list[0].received_ms, NOW - 25000);
	free(list);
	state_changes_free(ch, 1);
	state_close(a);
	state_close(b);
	test_remove(pa);
	test_remove(pb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verdict_quorum_table),
	    cmocka_unit_test(test_verdict_override_table),
	    cmocka_unit_test(test_newest_live_override_wins),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_override_safety_table),
	    cmocka_unit_test(test_drain_of_only_dc_not_in_records_allowed),
	    cmocka_unit_test(test_clear_safety),
	    cmocka_unit_test(test_verdict_load_from_store),
	    cmocka_unit_test(test_freshness_is_this_regions_view),
	    cmocka_unit_test(test_applied_row_is_timed_by_this_region),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
