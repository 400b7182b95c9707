/* SPDX-License-Identifier: MIT */
/* conf_test.h -- helpers shared by the conf unit tests: temp config files, loading */
#ifndef MERIDIAN_CONF_TEST_H
#define MERIDIAN_CONF_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conf/conf.h"

/* A private directory for the tests' files, made once per process. */
const char *conf_test_dir(void);
/* Writes text to conf_test_dir()/name and returns the path (static buffer, one at a time). */
const char *conf_test_write(const char *name, const char *text);
/* Loads text from a file called "meridian.yaml" inside the test directory, with the path
 * given relative ("meridian.yaml") after chdir() there, so messages start "meridian.yaml:". */
conf_t *conf_test_load(const char *text, char **errors);

/* One bad config and every line conf_load() must answer with, in order. */
typedef struct {
	const char *name;   /* names the cmocka test */
	const char *yaml;   /* written to meridian.yaml */
	const char *errors; /* *errors exactly */
} conf_error_case_t;

/* Runs one conf_error_case_t (the cmocka state). */
void conf_test_error_case(void **state);
/* The error tables, one cmocka test per row. */
const struct CMUnitTest *conf_values_error_tests(size_t *count);
const struct CMUnitTest *conf_cross_error_tests(size_t *count);

#endif
