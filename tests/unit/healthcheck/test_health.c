/* SPDX-License-Identifier: MIT */
/* test_health.c -- rise/fall hysteresis and the datacenter rule */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "healthcheck/hc_health.h"

#define U STATE_HEALTH_UNKNOWN
#define UP STATE_HEALTH_UP
#define DN STATE_HEALTH_DOWN

/* Feeds "+" (success) and "-" (failure) results; returns the state after each one. */
static void feed(hc_hysteresis_t *h, const char *results, uint32_t rise, uint32_t fall,
		 state_health_t *after)
{
	for (size_t i = 0; results[i] != '\0'; i++) {
		hc_hysteresis_feed(h, results[i] == '+', rise, fall);
		after[i] = h->state;
	}
}

typedef struct {
	const char *name;	  /* the case, for failure messages */
	state_health_t start;	  /* the check's state before the results */
	uint32_t rise, fall;	  /* successes to come up, failures to go down, 1..100 */
	const char *results;	  /* probe results in order: '+' success, '-' failure, <= 8 */
	state_health_t expect[8]; /* the state after each result */
} hyst_case_t;

static const hyst_case_t hyst_cases[] = {
    {"up goes down after fall failures", UP, 2, 3, "---", {UP, UP, DN}},
    {"a single failure does not flip up", UP, 2, 3, "-+-+", {UP, UP, UP, UP}},
    {"two failures then success resets the count", UP, 2, 3, "--+--", {UP, UP, UP, UP, UP}},
    {"down comes up after rise successes", DN, 2, 3, "++", {DN, UP}},
    {"a single success does not flip down", DN, 2, 3, "+-+-", {DN, DN, DN, DN}},
    {"unknown needs rise successes to go up", U, 2, 3, "++", {U, UP}},
    {"unknown needs fall failures to go down", U, 2, 3, "---", {U, U, DN}},
    {"fall 1 reacts at once", UP, 1, 1, "-+", {DN, UP}},
    {"rise 3 needs three", DN, 3, 1, "++-+++", {DN, DN, DN, DN, DN, UP}},
};

static void test_hysteresis_table(void **state)
{
	for (size_t i = 0; i < sizeof(hyst_cases) / sizeof(hyst_cases[0]); i++) {
		const hyst_case_t *c = &hyst_cases[i];
		hc_hysteresis_t h;
		hc_hysteresis_init(&h, c->start);
		state_health_t after[8];
		feed(&h, c->results, c->rise, c->fall, after);
		for (size_t j = 0; j < strlen(c->results); j++) {
			if (after[j] != c->expect[j])
				fail_msg("case \"%s\": after result %zu state %d, expected %d",
					 c->name, j + 1, (int)after[j], (int)c->expect[j]);
		}
	}
}

static void test_feed_reports_change_only_on_transition(void **state)
{
	hc_hysteresis_t h;
	hc_hysteresis_init(&h, UP);
	assert_false(hc_hysteresis_feed(&h, false, 2, 2));
	assert_true(hc_hysteresis_feed(&h, false, 2, 2));
	assert_false(hc_hysteresis_feed(&h, false, 2, 2));
}

static void test_pending_while_results_disagree(void **state)
{
	hc_hysteresis_t h;
	hc_hysteresis_init(&h, UP);
	assert_false(hc_hysteresis_pending(&h));
	hc_hysteresis_feed(&h, false, 2, 3);
	assert_true(hc_hysteresis_pending(&h));
	hc_hysteresis_feed(&h, true, 2, 3);
	assert_false(hc_hysteresis_pending(&h));
	hc_hysteresis_init(&h, U);
	assert_true(hc_hysteresis_pending(&h));
}

typedef struct {
	const char *name;	  /* the case, for failure messages */
	conf_check_rule_t rule;	  /* all, any or percent */
	uint32_t percent;	  /* percent rule: share of checks up, 1..100 */
	state_health_t checks[4]; /* each check's state */
	size_t count;		  /* entries used in checks, 0..4 */
	state_health_t expect;	  /* the datacenter's state */
} rule_case_t;

static const rule_case_t rule_cases[] = {
    {"all: every check up", CONF_CHECK_RULE_ALL, 0, {UP, UP, UP}, 3, UP},
    {"all: one down", CONF_CHECK_RULE_ALL, 0, {UP, DN, UP}, 3, DN},
    {"all: one undecided", CONF_CHECK_RULE_ALL, 0, {UP, U, UP}, 3, U},
    {"all: down beats undecided", CONF_CHECK_RULE_ALL, 0, {U, DN}, 2, DN},
    {"any: one up", CONF_CHECK_RULE_ANY, 0, {DN, UP, DN}, 3, UP},
    {"any: all down", CONF_CHECK_RULE_ANY, 0, {DN, DN}, 2, DN},
    {"any: down and undecided", CONF_CHECK_RULE_ANY, 0, {DN, U}, 2, U},
    {"50%: two of four up", CONF_CHECK_RULE_PERCENT, 50, {UP, UP, DN, DN}, 4, UP},
    {"75%: two of four up", CONF_CHECK_RULE_PERCENT, 75, {UP, UP, DN, DN}, 4, DN},
    {"75%: two up, one undecided", CONF_CHECK_RULE_PERCENT, 75, {UP, UP, U, DN}, 4, U},
    {"100%: all up", CONF_CHECK_RULE_PERCENT, 100, {UP, UP}, 2, UP},
    {"no checks", CONF_CHECK_RULE_ALL, 0, {U}, 0, U},
};

static void test_rule_table(void **state)
{
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
		const rule_case_t *c = &rule_cases[i];
		state_health_t got = hc_rule_apply(c->rule, c->percent, c->checks, c->count);
		if (got != c->expect)
			fail_msg("case \"%s\": got %s, expected %s", c->name, hc_health_name(got),
				 hc_health_name(c->expect));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hysteresis_table),
	    cmocka_unit_test(test_feed_reports_change_only_on_transition),
	    cmocka_unit_test(test_pending_while_results_disagree),
	    cmocka_unit_test(test_rule_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
