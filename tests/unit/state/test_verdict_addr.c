/* SPDX-License-Identifier: MIT */
/* test_verdict_addr.c -- address health, the serving fraction and time to change, by table */
#include "config.h"

#include "state_test.h"
#include "state/state_verdict.h"

#include <arpa/inet.h>

#define NOW INT64_C(1700000000000)

/* us-east: three addresses, the first two checked; eu-west: one address, no check. */
static ipaddr_t east_addrs[3];
static const size_t east_checked[2] = {0, 1};
static state_params_dc_t dcs[2] = {
    {.name = "us-east",
     .addresses = east_addrs,
     .address_count = 3,
     .checked_addresses = east_checked,
     .checked_address_count = 2,
     .min_serving_percent = 50},
    {.name = "eu-west"},
};

static void params_init(state_params_t *params)
{
	memset(params, 0, sizeof(*params));
	params->region = "us-east";
	params->datacenters = dcs;
	params->datacenter_count = 2;
	test_params_health(params);
	params->health.flap_damping = false;
	for (size_t i = 0; i < 3; i++) {
		char text[32];
		snprintf(text, sizeof(text), "192.0.2.%zu", i + 1);
		east_addrs[i].family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, east_addrs[i].bytes), 1);
	}
}

/* One observation of us-east by this region: address ("" for the datacenter), status,
 * pending status and change_in, age. */
typedef struct {
	const char *address;	/* "" for the datacenter itself */
	state_health_t status;	/* what it saw */
	state_health_t pending; /* where its probes head, UNKNOWN none */
	int32_t change_in_ms;	/* with pending: earliest change after checked */
	int64_t age_ms;		/* how old, ms */
} row_t;

/* clang-format off */
static const struct {
	const char *name;
	row_t rows[4];
	size_t row_count;
	unsigned min_percent;
	bool serving;               /* us-east serves */
	uint64_t address_serving;   /* mask */
	bool in_transition;
	int64_t change_in_ms;
	uint32_t ttl;               /* for ttl 30, transition_ttl 5 */
	const char *why_has;        /* substring of why (serving false) or transition */
} cases[] = {
	{"no rows: every address serves", {{0}}, 0, 50, true, 7, false, 0, 30, ""},
	{"a checked address down is left out", {{"192.0.2.1", STATE_HEALTH_DOWN, 0, 0, 0}}, 1, 50,
	 true, 6, false, 0, 30, ""},
	{"two of three down: fewer than 50% serve", {{"192.0.2.1", STATE_HEALTH_DOWN, 0, 0, 0},
	 {"192.0.2.2", STATE_HEALTH_DOWN, 0, 0, 0}}, 2, 50, false, 4, false, 0, 30,
	 "1 of 3 addresses serve, fewer than 2"},
	{"two of three down with 30%: still serving", {{"192.0.2.1", STATE_HEALTH_DOWN, 0, 0, 0},
	 {"192.0.2.2", STATE_HEALTH_DOWN, 0, 0, 0}}, 2, 30, true, 4, false, 0, 30, ""},
	{"one down with 100%: fails over", {{"192.0.2.2", STATE_HEALTH_DOWN, 0, 0, 0}}, 1, 100,
	 false, 5, false, 0, 30, "2 of 3 addresses serve, fewer than 3"},
	{"a stale down vote does not count", {{"192.0.2.1", STATE_HEALTH_DOWN, 0, 0, 31000}}, 1, 50,
	 true, 7, false, 0, 30, ""},
	{"datacenter probes failing: in transition",
	 {{"", STATE_HEALTH_UP, STATE_HEALTH_DOWN, 1000, 200}}, 1, 50, true, 7, true, 800, 5,
	 "1 of 1 regions' probes failing"},
	{"datacenter recovering: in transition",
	 {{"", STATE_HEALTH_DOWN, STATE_HEALTH_UP, 3000, 0}}, 1, 50, false, 7, true, 3000, 5,
	 "1 of 1 regions' probes recovering"},
	{"a far change gives the seconds to it",
	 {{"", STATE_HEALTH_UP, STATE_HEALTH_DOWN, 12500, 0}}, 1, 50, true, 7, true, 12500, 13,
	 "probes failing"},
	{"a change past the ttl keeps the ttl",
	 {{"", STATE_HEALTH_UP, STATE_HEALTH_DOWN, 60000, 0}}, 1, 50, true, 7, true, 60000, 30,
	 "probes failing"},
	{"an address failing: in transition",
	 {{"192.0.2.2", STATE_HEALTH_UP, STATE_HEALTH_DOWN, 500, 0}}, 1, 50, true, 7, true, 500, 5,
	 "address 192.0.2.2 failing"},
	{"an address recovering: in transition",
	 {{"192.0.2.1", STATE_HEALTH_DOWN, STATE_HEALTH_UP, 1000, 0}}, 1, 50, true, 6, true, 1000, 5,
	 "address 192.0.2.1 recovering"},
	{"the earliest change wins",
	 {{"192.0.2.1", STATE_HEALTH_UP, STATE_HEALTH_DOWN, 2000, 0},
	  {"", STATE_HEALTH_UP, STATE_HEALTH_DOWN, 1500, 0}}, 2, 50, true, 7, true, 1500, 5,
	 "probes failing"},
	{"pending on an unknown status is no transition",
	 {{"", STATE_HEALTH_UNKNOWN, STATE_HEALTH_DOWN, 1000, 0}}, 1, 50, true, 7, false, 0, 30, ""},
	{"an address row of the datacenter is no datacenter vote",
	 {{"192.0.2.1", STATE_HEALTH_DOWN, 0, 0, 0}}, 1, 50, true, 6, false, 0, 30, ""},
};
/* clang-format on */

static void test_address_health_table(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < M_ARRAY_LEN(cases); i++) {
		state_observation_t obs[4];
		state_verdict_t out[2];
		state_params_t params;

		params_init(&params);
		dcs[0].min_serving_percent = cases[i].min_percent;
		for (size_t j = 0; j < cases[i].row_count; j++) {
			const row_t *r = &cases[i].rows[j];
			memset(&obs[j], 0, sizeof(obs[j]));
			snprintf(obs[j].checker, sizeof(obs[j].checker), "us-east");
			snprintf(obs[j].datacenter, sizeof(obs[j].datacenter), "us-east");
			snprintf(obs[j].address, sizeof(obs[j].address), "%s", r->address);
			snprintf(obs[j].detail, sizeof(obs[j].detail), "HTTP 503");
			obs[j].status = r->status;
			obs[j].pending = r->pending;
			obs[j].change_in_ms = r->change_in_ms;
			obs[j].checked_ms = NOW - r->age_ms;
			obs[j].since_ms = obs[j].checked_ms;
		}
		state_verdict_compute(&params, obs, cases[i].row_count, NULL, 0, NOW, out);
		const state_verdict_t *v = &out[0];
		bool why_ok = strstr(v->why, cases[i].why_has) != NULL ||
			      strstr(v->transition, cases[i].why_has) != NULL;
		if (v->serving != cases[i].serving || v->address_serving != cases[i].address_serving ||
		    v->in_transition != cases[i].in_transition ||
		    (cases[i].in_transition && v->change_in_ms != cases[i].change_in_ms) ||
		    state_verdict_ttl(v, 30, 5) != cases[i].ttl || !why_ok)
			fail_msg("%s: serving %d mask %#llx transition %d in %lld ms ttl %u why \"%s\" "
				 "transition \"%s\"",
				 cases[i].name, v->serving, (unsigned long long)v->address_serving,
				 v->in_transition, (long long)v->change_in_ms,
				 state_verdict_ttl(v, 30, 5), v->why, v->transition);
		/* eu-west has no address check and no rows: untouched */
		assert_true(out[1].serving);
		assert_false(out[1].in_transition);
	}
}

/* An override whose expiry changes serving is a transition; one that does not is not. */
static void test_override_expiry_is_a_transition(void **unused)
{
	(void)unused;
	state_params_t params;
	state_verdict_t out[2];
	state_override_t ovr = {.datacenter = "us-east", .action = STATE_OVERRIDE_DRAIN,
				.reason = "r", .actor = "a", .created_ms = NOW - 1000,
				.expires_ms = NOW + 4200};

	params_init(&params);
	dcs[0].min_serving_percent = 50;
	state_verdict_compute(&params, NULL, 0, &ovr, 1, NOW, out);
	assert_false(out[0].serving);
	assert_true(out[0].in_transition);
	assert_int_equal(out[0].change_in_ms, 4200);
	assert_non_null(strstr(out[0].transition, "override drain expires"));
	assert_int_equal(state_verdict_ttl(&out[0], 30, 5), 5);

	ovr.action = STATE_OVERRIDE_FORCE_UP; /* served now and after: nothing changes */
	state_verdict_compute(&params, NULL, 0, &ovr, 1, NOW, out);
	assert_true(out[0].serving);
	assert_false(out[0].in_transition);
	assert_int_equal(state_verdict_ttl(&out[0], 30, 5), 30);
}

/* transition_ttl 0 is off; at or above ttl it changes nothing. */
static void test_transition_ttl_off_at_ttl(void **unused)
{
	(void)unused;
	state_verdict_t v = {.in_transition = true, .change_in_ms = 0};
	assert_int_equal(state_verdict_ttl(&v, 30, 30), 30);
	assert_int_equal(state_verdict_ttl(&v, 30, 40), 30);
	assert_int_equal(state_verdict_ttl(&v, 30, 0), 30);
	assert_int_equal(state_verdict_ttl(&v, 30, 1), 1);
	v.in_transition = false;
	assert_int_equal(state_verdict_ttl(&v, 30, 0), 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_address_health_table),
	    cmocka_unit_test(test_override_expiry_is_a_transition),
	    cmocka_unit_test(test_transition_ttl_off_at_ttl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
