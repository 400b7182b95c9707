/* SPDX-License-Identifier: MIT */
/* test_hlc.c -- the hybrid logical clock: monotonic whatever the wall clock does, persisted */
#include "config.h"

#include "state_test.h"
#include "state/state_hlc.h"

static void test_hlc_layout_is_ms_and_counter(void **unused)
{
	uint64_t h = state_hlc_make(1700000000123, 7);

	assert_int_equal(h, ((uint64_t)1700000000123 << 16) | 7);
	assert_int_equal(state_hlc_ms(h), 1700000000123);
	assert_int_equal(state_hlc_counter(h), 7);
}

/* One row per case: last issued (ms, counter), wall clock, expected next (ms, counter). */
/* clang-format off */
static const struct {
	const char *name;
	int64_t last_ms;
	uint16_t last_counter;
	int64_t wall_ms;
	int64_t want_ms;
	uint16_t want_counter;
} next_cases[] = {
	{"wall ahead resets counter", 1000, 5, 1001, 1001, 0},
	{"same ms counts", 1000, 5, 1000, 1000, 6},
	{"wall clock went back", 1000, 5, 400, 1000, 6},
	{"wall clock went far back", 1000, 0, 0, 1000, 1},
	{"negative wall clock", 1000, 0, -5, 1000, 1},
	{"counter overflow borrows next ms", 1000, 0xffff, 1000, 1001, 0},
	{"counter overflow while wall behind", 1000, 0xffff, 10, 1001, 0},
	{"first value", 0, 0, 1700000000000, 1700000000000, 0},
};
/* clang-format on */

static void test_hlc_next_table(void **unused)
{
	for (size_t i = 0; i < M_ARRAY_LEN(next_cases); i++) {
		uint64_t got = state_hlc_next(
		    state_hlc_make(next_cases[i].last_ms, next_cases[i].last_counter),
		    next_cases[i].wall_ms);

		if (state_hlc_ms(got) != next_cases[i].want_ms ||
		    state_hlc_counter(got) != next_cases[i].want_counter)
			fail_msg("%s: got %lld.%u", next_cases[i].name,
				 (long long)state_hlc_ms(got), state_hlc_counter(got));
	}
}

static void test_hlc_monotonic_under_erratic_clock(void **unused)
{
	static const int64_t walls[] = {100, 100, 99, 50, 101, 101, 101, 90, 300, 0, 300, 301};
	uint64_t last = 0;

	for (size_t i = 0; i < M_ARRAY_LEN(walls); i++) {
		uint64_t next = state_hlc_next(last, walls[i]);

		assert_true(next > last);
		assert_true(state_hlc_ms(next) >= walls[i]);
		last = next;
	}
}

static void test_hlc_observe_remote_ahead(void **unused)
{
	uint64_t local = state_hlc_make(1000, 3);
	uint64_t remote = state_hlc_make(5000, 9);
	uint64_t merged = state_hlc_observe(local, remote);

	assert_int_equal(merged, remote);
	/* The next local write orders after the remote one even with a slow wall clock. */
	assert_true(state_hlc_next(merged, 1200) > remote);
	assert_int_equal(state_hlc_observe(remote, local), remote);
}

static void test_hlc_persisted_across_reopen(void **unused)
{
	char path[64];
	state_t *st;
	state_observation_t o;
	state_change_t *ch = NULL;
	size_t n = 0;
	uint64_t first;

	test_temp_path(path, sizeof(path));
	test_now_ms = 5000000;
	st = test_open(path, "us-east");
	test_observation(&o, "eu-west", STATE_HEALTH_UP, "");
	assert_int_equal(state_observation_put(st, &o), 0);
	assert_int_equal(state_observation_put(st, &o), 0);
	state_close(st);

	/* The wall clock jumps back an hour across the restart. */
	test_now_ms = 5000000 - 3600000;
	st = test_open(path, "us-east");
	assert_int_equal(state_observation_put(st, &o), 0);
	assert_int_equal(state_changes_since(st, "us-east", 0, 0, &ch, &n), 0);
	assert_int_equal(n, 3);
	first = ch[0].hlc;
	assert_int_equal(first, state_hlc_make(5000000, 0));
	assert_int_equal(ch[1].hlc, state_hlc_make(5000000, 1));
	assert_int_equal(ch[2].hlc, state_hlc_make(5000000, 2));
	assert_int_equal(test_query_int(st, "SELECT hlc FROM node"), (int64_t)ch[2].hlc);
	state_changes_free(ch, n);
	state_close(st);
	test_remove(path);
	test_now_ms = INT64_C(1700000000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hlc_layout_is_ms_and_counter),
	    cmocka_unit_test(test_hlc_next_table),
	    cmocka_unit_test(test_hlc_monotonic_under_erratic_clock),
	    cmocka_unit_test(test_hlc_observe_remote_ahead),
	    cmocka_unit_test(test_hlc_persisted_across_reopen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
