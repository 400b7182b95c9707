/* SPDX-License-Identifier: MIT */
/* test_conf_oom.c -- conf_load() fails cleanly, without leaks, at every allocation */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf/conf.h"

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer owns malloc; replacing it here would disable the sanitizer. The
 * normal build runs this test. */
int main(void)
{
	printf("1..0 # SKIP malloc replacement is not possible under AddressSanitizer\n");
	return 77;
}
#else

/* glibc supports replacing malloc (its own functions such as strdup then call ours);
 * these count live blocks and fail the Nth allocation while armed. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t align, size_t size);

void *calloc(size_t n, size_t size);
void *realloc(void *ptr, size_t size);
void *aligned_alloc(size_t align, size_t size);
int posix_memalign(void **out, size_t align, size_t size);

/* volatile: the compiler treats malloc and free as builtins that touch no user data
 * and would otherwise move or drop the stores around them */
static volatile bool oom_armed;	  /* counting and failing */
static volatile long oom_fail_at; /* index of the allocation that fails; -1 none */
static volatile long oom_calls;	  /* allocations seen while armed */
static volatile long oom_live;	  /* blocks allocated minus blocks freed while armed */

static bool oom_fail_now(void)
{
	if (!oom_armed || oom_calls++ != oom_fail_at)
		return false;
	errno = ENOMEM; /* as the real allocator does; realpath() and stdio rely on it */
	return true;
}

void *malloc(size_t size)
{
	if (oom_fail_now())
		return NULL;
	void *p = __libc_malloc(size);
	if (p != NULL && oom_armed)
		oom_live++;
	return p;
}

void *calloc(size_t n, size_t size)
{
	if (oom_fail_now())
		return NULL;
	void *p = __libc_calloc(n, size);
	if (p != NULL && oom_armed)
		oom_live++;
	return p;
}

void *realloc(void *ptr, size_t size)
{
	if (oom_fail_now())
		return NULL;
	void *p = __libc_realloc(ptr, size);
	if (p != NULL && ptr == NULL && oom_armed)
		oom_live++;
	return p;
}

void *aligned_alloc(size_t align, size_t size)
{
	if (oom_fail_now())
		return NULL;
	void *p = __libc_memalign(align, size);
	if (p != NULL && oom_armed)
		oom_live++;
	return p;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p = aligned_alloc(align, size);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void free(void *ptr)
{
	if (ptr != NULL && oom_armed)
		oom_live--;
	__libc_free(ptr);
}

/* Loads path failing allocation 0, 1, 2, ... until a load sees no failure. Each failed
 * load must return NULL with an error and leave nothing allocated. Returns how many
 * loads had a failure. */
static long oom_sweep(const char *path, bool valid)
{
	long failures = 0;
	for (long n = 0;; n++) {
		char *errors = NULL;
		oom_fail_at = n;
		oom_calls = 0;
		oom_live = 0;
		oom_armed = true;
		conf_t *conf = conf_load(path, &errors);
		bool hit = oom_calls > n;
		oom_armed = false;
		char *first = errors ? strdup(errors) : NULL;
		oom_armed = true;
		conf_free(conf);
		free(errors);
		oom_armed = false;
		errors = first;
		if (oom_live != 0)
			fail_msg("%s: allocation %ld failing leaks %ld blocks", path, n, oom_live);
		if (!hit) {
			/* every allocation succeeded: the normal result */
			if ((conf != NULL) != valid)
				fail_msg("%s: unexpected result without failures: %s", path,
					 errors);
			free(errors);
			return failures;
		}
		if (conf != NULL)
			fail_msg("%s: allocation %ld failed but conf_load() succeeded", path, n);
		if (errors == NULL)
			fail_msg("%s: allocation %ld failed and no error was given", path, n);
		free(errors);
		failures++;
	}
}

static void test_valid_config_every_allocation_failure_is_clean(void **state)
{
	(void)state;
	char path[4096];
	const char *src = getenv("MERIDIAN_SRCDIR");
	snprintf(path, sizeof(path), "%s/tests/unit/conf/full.yaml", src ? src : CONF_TEST_SRCDIR);
	assert_true(oom_sweep(path, true) > 500);
}

/* Error paths allocate too (messages, paths): the same sweep over a file full of errors. */
static void test_bad_config_every_allocation_failure_is_clean(void **state)
{
	(void)state;
	const char *tmpdir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/meridian-conf-oom.XXXXXX", tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char bad[] =
	    "region: r\nstate: s\ngeoip: g\nregion: x\n"
	    "dns: { listen: [\"1.2.3.4:0\"], zones: [ { origin: example.com, file: z } ], bogus: 1 "
	    "}\n"
	    "datacenters:\n"
	    "  a: { location: [95, 0], addresses: [192.0.2.1, x], chekc: 1,\n"
	    "       check: { type: http, url: \"https://x\", timeout: 2s } }\n"
	    "  b: { addresses: 192.0.2.2, checks: [ { type: exec, command: [a, b] } ] }\n"
	    "records:\n"
	    "  www.example.com: { datacenters: [a, c, a], map: { XX: [a], EU: [q] }, nets: { "
	    "\"10.0.0.0/8\": [b] } }\n"
	    "  www.example.org: { datacenters: [b] }\n"
	    "default_order: [b, z]\n"
	    "replication: { peers: { p: \"ftp://x\" } }\n";
	assert_int_equal(write(fd, bad, sizeof(bad) - 1), (long)sizeof(bad) - 1);
	assert_int_equal(close(fd), 0);
	assert_true(oom_sweep(path, false) > 200);
	unlink(path);
}

/* Whether allocations inside libc reach our malloc: not under valgrind, which
 * redirects libc's calls to its own allocator. */
static bool oom_replacement_works(void)
{
	oom_fail_at = -1;
	oom_calls = 0;
	oom_armed = true;
	char *p = realpath("/", NULL); /* allocates inside libc; not a compiler builtin */
	oom_armed = false;
	free(p);
	return oom_calls > 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_config_every_allocation_failure_is_clean),
	    cmocka_unit_test(test_bad_config_every_allocation_failure_is_clean),
	};
	if (!oom_replacement_works()) {
		/* qa/valgrind.sh counts any non-zero exit as a failure; under valgrind the
		 * memcheck run of the other conf tests covers leaks instead */
		const char *preload = getenv("LD_PRELOAD");
		bool valgrind = preload != NULL && strstr(preload, "vgpreload") != NULL;
		printf("1..0 # SKIP libc does not allocate through our malloc%s\n",
		       valgrind ? " (valgrind)" : "");
		return valgrind ? 0 : 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
