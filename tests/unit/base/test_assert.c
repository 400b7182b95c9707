/* SPDX-License-Identifier: MIT */
/* test_assert.c -- M_ASSERT aborts with file:line in debug and sanitizer builds, costs nothing elsewhere */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/compiler.h"

/* Counts evaluations of an asserted expression. */
static int evaluated;

static int count_and(int v)
{
	evaluated++;
	return v;
}

static void test_true_condition_passes(void **state)
{
	(void)state;
	evaluated = 0;
	M_ASSERT(count_and(1));
#ifdef M_ASSERTS_ON
	assert_int_equal(evaluated, 1);
#else
	assert_int_equal(evaluated, 0); /* compiled out: never evaluated */
#endif
}

static void test_false_condition(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		M_ASSERT(count_and(0) == 1);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
#ifdef M_ASSERTS_ON
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#else
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_true_condition_passes),
	    cmocka_unit_test(test_false_condition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
