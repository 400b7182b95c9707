/* SPDX-License-Identifier: MIT */
/* test_log_repeat.c -- a repeated warning: once, then summaries, then its end */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/log.h"
#include "base/log_repeat.h"

/* The log lines written while fn ran (stderr captured in a temporary file). */
static char captured[8192];

static void capture(void (*fn)(log_repeat_t *), log_repeat_t *r)
{
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	fn(r);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
}

static int lines(const char *needle)
{
	int n = 0;
	for (const char *p = captured; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void unreachable_then_back(log_repeat_t *r)
{
	/* five failures within 1 s, then more after the period, then a success */
	for (int i = 0; i < 5; i++)
		log_repeat_warn(r, 1000 + i * 100, 1000, "peer west (http://w): refused %d", i);
	log_repeat_warn(r, 2100, 1000, "peer west (http://w): refused %d", 9);
	log_repeat_end(r, 2500, "reachable again");
	log_repeat_end(r, 2600, "reachable again"); /* no episode: nothing */
}

static void test_logged_once_summarised_and_ended(void **state)
{
	(void)state;
	log_repeat_t r;
	log_repeat_init(&r, "peer west");
	capture(unreachable_then_back, &r);
	assert_int_equal(lines("warn: peer west (http://w): refused 0"), 1);
	assert_int_equal(lines("refused 1\n"), 0);
	assert_int_equal(lines("warn: peer west: 5 more in the last 1s (last: peer west (http://w): refused 9)"), 1);
	assert_int_equal(lines("info: peer west reachable again (after 6 warnings in 1s)"), 1);
	log_repeat_destroy(&r);
}

static void two_kinds(log_repeat_t *r)
{
	log_repeat_warn(r, 0, 60000, "refused request from a (1.2.3.4): bad signature");
	log_repeat_warn(r, 10, 60000, "refused request from a (1.2.3.4): replayed nonce");
	log_repeat_warn(r, 20, 60000, "refused request from a (1.2.3.4): time 1203 ms off");
	log_repeat_warn(r, 30, 60000, "refused request from a (1.2.3.4): time 998 ms off");
	log_repeat_tick(r, 60040, 60000, true, "stopped");
}

static void test_each_kind_has_its_first_line(void **state)
{
	(void)state;
	log_repeat_t r;
	log_repeat_init(&r, "refused requests");
	capture(two_kinds, &r);
	assert_int_equal(lines("warn: refused request from a (1.2.3.4): bad signature"), 1);
	assert_int_equal(lines("warn: refused request from a (1.2.3.4): replayed nonce"), 1);
	/* digits aside, the same text: one line, then counted */
	assert_int_equal(lines("warn: refused request from a (1.2.3.4): time"), 1);
	assert_int_equal(lines("warn: refused requests: 1 more in the last 1m00s"), 1);
	assert_int_equal(lines("info: refused requests stopped (after "), 3);
	log_repeat_destroy(&r);
}

int main(void)
{
	log_init("test", LOG_LEVEL_INFO);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_logged_once_summarised_and_ended),
	    cmocka_unit_test(test_each_kind_has_its_first_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
