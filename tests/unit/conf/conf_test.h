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

const struct CMUnitTest *conf_error_tests(size_t *count);

#endif
