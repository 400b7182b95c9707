/* SPDX-License-Identifier: MIT */
/* test_log.c -- one line per event: levels, folded newlines, a library's messages */
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

/* What stderr received while fn ran (captured in a temporary file). */
static char captured[4096];

static void capture(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	fn();
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
}

/* A library's logger hands over its format and arguments as a va_list. */
static void M_PRINTF(1, 2) library_says(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_WARN, "libexample", fmt, ap);
	va_end(ap);
}

static void write_lines(void)
{
	log_info("plain %d", 1);
	log_warn("two\nlines");
	log_debug("not shown at info");
	library_says("Error %s on port %u\n", "binding", 53u);
	library_says("%s", "");
}

static void test_lines(void **unused)
{
	(void)unused;
	log_init("test", LOG_LEVEL_INFO);
	capture(write_lines);
	/* each line: "TIME test LEVEL: message"; TIME is 24 characters and a space */
	static const char *const want[] = {"test info: plain 1", "test warn: two lines",
					   "test warn: libexample: Error binding on port 53",
					   "test warn: libexample: "};
	const char *p = captured;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *eol = strchr(p, '\n');
		if (eol == NULL || eol - p < 25 || (size_t)(eol - p - 25) != strlen(want[i]) ||
		    memcmp(p + 25, want[i], strlen(want[i])) != 0)
			fail_msg("line %zu: want [%s] in [%s]", i + 1, want[i], captured);
		p = eol + 1;
	}
	assert_string_equal(p, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
