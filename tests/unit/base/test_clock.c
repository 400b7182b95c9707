/* SPDX-License-Identifier: MIT */
/* test_clock.c -- base/clock: the monotonic clock never goes back, the wall clock is the epoch's */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "base/clock.h"

static void test_mono_never_goes_back(void **state)
{
	(void)state;
	int64_t last = clock_mono_ms();
	for (int i = 0; i < 100000; i++) {
		int64_t now = clock_mono_ms();
		assert_true(now >= last);
		last = now;
	}
}

static void test_wall_is_epoch_ms(void **state)
{
	(void)state;
	int64_t before = (int64_t)time(NULL) * 1000;
	int64_t ms = clock_wall_ms();
	int64_t after = (int64_t)time(NULL) * 1000 + 1000;
	assert_true(ms >= before && ms < after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mono_never_goes_back),
	    cmocka_unit_test(test_wall_is_epoch_ms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
