/* SPDX-License-Identifier: MIT */
/* test_daemon_cli.c -- the daemons' shared command line: argv to result, or exact error */
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

#include "base/daemon_cli.h"
#include "base/daemon_pidfile.h"

#define ARGV_MAX 8

/* What the test daemon's own options saw. */
typedef struct {
	char listen[64];  /* every --listen value, comma-separated */
	unsigned dry_run; /* times -n was given */
} seen_t;

static int listen_handle(void *ctx, const char *value, char *err, size_t errlen)
{
	seen_t *seen = ctx;
	if (strcmp(value, "bad") == 0) {
		snprintf(err, errlen, "\"%s\" is not an address (ADDR:PORT)", value);
		return -1;
	}
	if (seen->listen[0] != '\0')
		strcat(seen->listen, ",");
	strcat(seen->listen, value);
	return 0;
}

static int dry_run_handle(void *ctx, const char *value, char *err, size_t errlen)
{
	seen_t *seen = ctx;
	(void)value;
	(void)err;
	(void)errlen;
	seen->dry_run++;
	return 0;
}

static const daemon_cli_option_t extra[] = {
    {0, "listen", "ADDR:PORT", "listen here (repeatable)", true, listen_handle},
    {'n', "dry-run", NULL, "do nothing", false, dry_run_handle},
};

static seen_t seen;
static const daemon_cli_spec_t spec = {
    .program = "meridian-testd",
    .extra = extra,
    .extra_count = M_ARRAY_LEN(extra),
    .ctx = &seen,
    .epilogue = "SIGHUP reloads.\n",
};

#define SYNOPSIS                                                                                   \
	"usage: meridian-testd [-c FILE] [-t] [--pid-file FILE] [-f] [--listen ADDR:PORT]... [-n]"

/* One command line and everything it must give: the result when it runs, else the
 * exit status and the exact first line of stderr (or stdout for --help/--version). */
typedef struct {
	const char *name;	    /* the case, named in a failure */
	const char *argv[ARGV_MAX]; /* after argv[0] */
	int rc;			    /* DAEMON_CLI_RUN or the exit status */
	const char *config;	    /* DAEMON_CLI_RUN: config_path (NULL: the default) */
	bool check;		    /* DAEMON_CLI_RUN: check_only */
	const char *pid_file;	    /* DAEMON_CLI_RUN: pid_file */
	const char *listen;	    /* --listen values seen */
	unsigned dry_run;	    /* -n seen */
	const char *out_line;	    /* first line on stdout, or NULL for none */
	const char *err_line;	    /* first line on stderr, or NULL for none */
	bool usage_follows;	    /* stderr goes on with the whole usage text */
} row_t;

static const row_t rows[] = {
    {"no options", {NULL}, .rc = DAEMON_CLI_RUN},
    {"-c FILE", {"-c", "a.yaml"}, .rc = DAEMON_CLI_RUN, .config = "a.yaml"},
    {"-cFILE", {"-ca.yaml"}, .rc = DAEMON_CLI_RUN, .config = "a.yaml"},
    {"--config FILE", {"--config", "a.yaml"}, .rc = DAEMON_CLI_RUN, .config = "a.yaml"},
    {"--config=FILE", {"--config=a.yaml"}, .rc = DAEMON_CLI_RUN, .config = "a.yaml"},
    {"the last -c wins",
     {"-c", "a.yaml", "-c", "b.yaml"},
     .rc = DAEMON_CLI_RUN,
     .config = "b.yaml"},
    {"-t", {"-t"}, .rc = DAEMON_CLI_RUN, .check = true},
    {"--check",
     {"--check", "-c", "a.yaml"},
     .rc = DAEMON_CLI_RUN,
     .config = "a.yaml",
     .check = true},
    {"bundled -tc FILE",
     {"-tc", "a.yaml"},
     .rc = DAEMON_CLI_RUN,
     .config = "a.yaml",
     .check = true},
    {"bundled -tcFILE", {"-tca.yaml"}, .rc = DAEMON_CLI_RUN, .config = "a.yaml", .check = true},
    {"-f is accepted", {"-f", "-t"}, .rc = DAEMON_CLI_RUN, .check = true},
    {"--foreground is accepted", {"--foreground"}, .rc = DAEMON_CLI_RUN},
    {"--pid-file", {"--pid-file", "/run/d.pid"}, .rc = DAEMON_CLI_RUN, .pid_file = "/run/d.pid"},
    {"--pid-file=", {"--pid-file=/run/d.pid"}, .rc = DAEMON_CLI_RUN, .pid_file = "/run/d.pid"},
    {"own option, repeated",
     {"--listen", "a:1", "--listen=b:2"},
     .rc = DAEMON_CLI_RUN,
     .listen = "a:1,b:2"},
    {"own short flag",
     {"-n", "--dry-run", "-tn"},
     .rc = DAEMON_CLI_RUN,
     .check = true,
     .dry_run = 3},
    {"-- ends the options", {"-t", "--"}, .rc = DAEMON_CLI_RUN, .check = true},
    {"--help", {"--help"}, .rc = 0, .out_line = SYNOPSIS},
    {"-h comes before a later error", {"-h", "--bogus"}, .rc = 0, .out_line = SYNOPSIS},
    {"--version", {"--version"}, .rc = 0, .out_line = "meridian-testd " PACKAGE_VERSION},
    {"-V", {"-t", "-V"}, .rc = 0, .out_line = "meridian-testd " PACKAGE_VERSION},
    {"unknown long option",
     {"--bogus"},
     .rc = 2,
     .err_line = "meridian-testd: unknown option --bogus",
     .usage_follows = true},
    {"unknown long option with a value",
     {"--bogus=1"},
     .rc = 2,
     .err_line = "meridian-testd: unknown option --bogus",
     .usage_follows = true},
    {"unknown short option",
     {"-x"},
     .rc = 2,
     .err_line = "meridian-testd: unknown option -x",
     .usage_follows = true},
    {"unknown short option in a bundle",
     {"-tx"},
     .rc = 2,
     .err_line = "meridian-testd: unknown option -x",
     .usage_follows = true},
    {"no abbreviations",
     {"--conf", "a.yaml"},
     .rc = 2,
     .err_line = "meridian-testd: unknown option --conf",
     .usage_follows = true},
    {"-c without its argument",
     {"-c"},
     .rc = 2,
     .err_line = "meridian-testd: -c: missing argument",
     .usage_follows = true},
    {"--config without its argument",
     {"-t", "--config"},
     .rc = 2,
     .err_line = "meridian-testd: --config: missing argument",
     .usage_follows = true},
    {"--pid-file without its argument",
     {"--pid-file"},
     .rc = 2,
     .err_line = "meridian-testd: --pid-file: missing argument",
     .usage_follows = true},
    {"own option without its argument",
     {"--listen"},
     .rc = 2,
     .err_line = "meridian-testd: --listen: missing argument",
     .usage_follows = true},
    {"empty -c",
     {"-c", ""},
     .rc = 2,
     .err_line = "meridian-testd: -c: empty argument",
     .usage_follows = true},
    {"empty --config=",
     {"--config="},
     .rc = 2,
     .err_line = "meridian-testd: --config: empty argument",
     .usage_follows = true},
    {"a flag with a value",
     {"--check=yes"},
     .rc = 2,
     .err_line = "meridian-testd: --check: takes no argument",
     .usage_follows = true},
    {"a stray argument",
     {"-t", "a.yaml"},
     .rc = 2,
     .err_line = "meridian-testd: unexpected argument 'a.yaml'",
     .usage_follows = true},
    {"an argument after --",
     {"--", "-t"},
     .rc = 2,
     .err_line = "meridian-testd: unexpected argument '-t'",
     .usage_follows = true},
    {"a lone dash",
     {"-"},
     .rc = 2,
     .err_line = "meridian-testd: unexpected argument '-'",
     .usage_follows = true},
    {"own option refuses its value",
     {"--listen", "bad"},
     .rc = 2,
     .err_line = "meridian-testd: --listen: \"bad\" is not an address (ADDR:PORT)"},
};

/* The text a stream collected, NUL-terminated (caller frees). */
typedef struct {
	FILE *f;    /* open_memstream() writing into text */
	char *text; /* what was written, valid after fclose */
	size_t len; /* bytes in text */
} capture_t;

static void capture_open(capture_t *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	assert_non_null(c->f);
}

static void capture_close(capture_t *c)
{
	assert_int_equal(fclose(c->f), 0);
}

static char *usage_text(void)
{
	capture_t c;
	capture_open(&c);
	daemon_cli_usage(&spec, c.f);
	capture_close(&c);
	return c.text;
}

/* The first line of text, compared with want (NULL: text must be empty). */
static void first_line_is(const char *what, const char *row, const char *text, const char *want)
{
	size_t len = strcspn(text, "\n");
	if (want == NULL) {
		if (text[0] != '\0')
			fail_msg("%s: %s: expected nothing, got [%s]", row, what, text);
		return;
	}
	if (strlen(want) != len || strncmp(text, want, len) != 0)
		fail_msg("%s: %s: expected [%s], got [%.*s]", row, what, want, (int)len, text);
}

static void test_rows_parse_or_fail_exactly(void **state)
{
	(void)state;
	char *usage = usage_text();
	for (size_t r = 0; r < M_ARRAY_LEN(rows); r++) {
		const row_t *row = &rows[r];
		char *argv[ARGV_MAX + 2] = {"meridian-testd"};
		int argc = 1;
		capture_t out, err;
		daemon_cli_t cli;

		for (size_t k = 0; k < ARGV_MAX && row->argv[k] != NULL; k++)
			argv[argc++] = (char *)row->argv[k];
		memset(&seen, 0, sizeof(seen));
		capture_open(&out);
		capture_open(&err);
		int rc = daemon_cli_parse(&spec, argc, argv, &cli, out.f, err.f);
		capture_close(&out);
		capture_close(&err);

		if (rc != row->rc)
			fail_msg("%s: exit %d, expected %d (stderr: %s)", row->name, rc, row->rc,
				 err.text);
		first_line_is("stdout", row->name, out.text, row->out_line);
		first_line_is("stderr", row->name, err.text, row->err_line);
		if (row->usage_follows &&
		    strcmp(err.text + strcspn(err.text, "\n") + 1, usage) != 0)
			fail_msg("%s: the usage does not follow the message: [%s]", row->name,
				 err.text);
		if (rc == DAEMON_CLI_RUN) {
			assert_string_equal(cli.config_path,
					    row->config ? row->config : DAEMON_CLI_DEFAULT_CONFIG);
			if (cli.check_only != row->check)
				fail_msg("%s: check_only %d", row->name, cli.check_only);
			if (row->pid_file == NULL)
				assert_null(cli.pid_file);
			else
				assert_string_equal(cli.pid_file, row->pid_file);
			assert_string_equal(seen.listen, row->listen ? row->listen : "");
			assert_int_equal(seen.dry_run, row->dry_run);
		}
		free(out.text);
		free(err.text);
	}
	free(usage);
}

static void test_usage_lists_every_option_once_with_its_doc(void **state)
{
	(void)state;
	char *usage = usage_text();
	assert_string_equal(
	    usage,
	    "usage: meridian-testd [-c FILE] [-t] [--pid-file FILE] [-f] [--listen ADDR:PORT]... "
	    "[-n]\n"
	    "  -c, --config FILE     configuration file (default\n"
	    "                        " DAEMON_CLI_DEFAULT_CONFIG ")\n"
	    "  -t, --check           check the configuration and exit: 0 valid, 1 with every\n"
	    "                        problem\n"
	    "      --pid-file FILE   write the process id there once started, remove it at\n"
	    "                        exit; refuse to start while it names a running instance\n"
	    "  -f, --foreground      run in the foreground (always; logs go to stderr)\n"
	    "  -h, --help            print this text and exit\n"
	    "  -V, --version         print the version and exit\n"
	    "      --listen ADDR:PORT\n"
	    "                        listen here (repeatable)\n"
	    "  -n, --dry-run         do nothing\n"
	    "SIGHUP reloads.\n");
	free(usage);
}

static void test_check_doc_replaces_the_shared_one(void **state)
{
	(void)state;
	daemon_cli_spec_t own = {.program = "meridian-x", .check_doc = "check config and key"};
	capture_t c;
	capture_open(&c);
	daemon_cli_usage(&own, c.f);
	capture_close(&c);
	assert_non_null(strstr(c.text, "\n  -t, --check           check config and key\n"));
	assert_null(strstr(c.text, "every problem"));
	free(c.text);
}

/* meridianctl matches -c itself, word by word, between its own options. */
typedef struct {
	const char *name;    /* the case, named in a failure */
	const char *argv[4]; /* the whole command line, argv[0] included */
	int rc;		     /* daemon_cli_option_match() */
	int next;	     /* *i afterwards */
	const char *value;   /* the value, on a match */
	const char *err;     /* the message, on -1 */
} match_row_t;

static const match_row_t match_rows[] = {
    {"-c FILE", {"ctl", "-c", "a.yaml"}, .rc = 1, .next = 2, .value = "a.yaml"},
    {"-cFILE", {"ctl", "-ca.yaml"}, .rc = 1, .next = 1, .value = "a.yaml"},
    {"--config FILE", {"ctl", "--config", "a.yaml"}, .rc = 1, .next = 2, .value = "a.yaml"},
    {"--config=FILE", {"ctl", "--config=a.yaml"}, .rc = 1, .next = 1, .value = "a.yaml"},
    {"another option", {"ctl", "--configure"}, .rc = 0, .next = 1},
    {"a word", {"ctl", "status"}, .rc = 0, .next = 1},
    {"-c without its argument", {"ctl", "-c"}, .rc = -1, .next = 1, .err = "-c: missing argument"},
    {"--config without its argument",
     {"ctl", "--config"},
     .rc = -1,
     .next = 1,
     .err = "--config: missing argument"},
    {"empty", {"ctl", "--config="}, .rc = -1, .next = 1, .err = "--config: empty argument"},
};

static void test_option_match_rows(void **state)
{
	(void)state;
	for (size_t r = 0; r < M_ARRAY_LEN(match_rows); r++) {
		const match_row_t *row = &match_rows[r];
		char *argv[5] = {NULL};
		int argc = 0, i = 1;
		const char *value = NULL;
		char err[DAEMON_CLI_ERR_MAX] = "";

		while (argc < 4 && row->argv[argc] != NULL) {
			argv[argc] = (char *)row->argv[argc];
			argc++;
		}
		int rc = daemon_cli_option_match(&daemon_cli_config_option, argc, argv, &i, &value,
						 err, sizeof(err));
		if (rc != row->rc || i != row->next)
			fail_msg("%s: rc %d i %d, expected %d %d", row->name, rc, i, row->rc,
				 row->next);
		if (rc == 1)
			assert_string_equal(value, row->value);
		if (rc < 0)
			assert_string_equal(err, row->err);
	}
}

static void test_version_line(void **state)
{
	(void)state;
	capture_t c;
	capture_open(&c);
	daemon_cli_version("meridianctl", c.f);
	capture_close(&c);
	assert_string_equal(c.text, "meridianctl " PACKAGE_VERSION "\n");
	free(c.text);
}

/* A pid file in a fresh directory of its own. */
static char *pid_path(char *dir, size_t len)
{
	snprintf(dir, len, "%s/test_daemon_cli.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(dir));
	char *path = NULL;
	assert_true(asprintf(&path, "%s/d.pid", dir) > 0);
	return path;
}

static void file_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_pidfile_written_then_removed(void **state)
{
	(void)state;
	char dir[256], err[256] = "", want[32];
	char *path = pid_path(dir, sizeof(dir));
	assert_int_equal(daemon_pidfile_check(path, "test_daemon_cli", err, sizeof(err)), 0);
	assert_int_equal(daemon_pidfile_write(path, err, sizeof(err)), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[32] = "";
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(line, want);
	/* Our own pid is no other instance. */
	assert_int_equal(daemon_pidfile_check(path, "test_daemon_cli", err, sizeof(err)), 0);
	daemon_pidfile_remove(path);
	assert_int_equal(access(path, F_OK), -1);
	rmdir(dir);
	free(path);
}

static void test_pidfile_refused_while_its_process_runs(void **state)
{
	(void)state;
	char dir[256], err[256] = "", text[32], want[512];
	char *path = pid_path(dir, sizeof(dir));
	long parent = (long)getppid();
	char comm[64] = "", procpath[64];
	snprintf(procpath, sizeof(procpath), "/proc/%ld/comm", parent);
	FILE *f = fopen(procpath, "r");
	if (f == NULL || fgets(comm, sizeof(comm), f) == NULL)
		skip();
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(text, sizeof(text), "%ld\n", parent);
	file_put(path, text);
	assert_int_equal(daemon_pidfile_check(path, comm, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "pid file %s: %s already runs as pid %ld", path, comm, parent);
	assert_string_equal(err, want);
	/* The same pid running another program is a stale file after pid reuse. */
	assert_int_equal(daemon_pidfile_check(path, "meridian-nothing", err, sizeof(err)), 0);
	/* Not ours: removing at exit leaves it alone. */
	daemon_pidfile_remove(path);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	rmdir(dir);
	free(path);
}

static void test_pidfile_stale_or_garbage_is_replaced(void **state)
{
	(void)state;
	char dir[256], err[256] = "";
	char *path = pid_path(dir, sizeof(dir));
	/* pid_max is at most 2^22: this pid cannot exist. */
	file_put(path, "99999999\n");
	assert_int_equal(daemon_pidfile_check(path, "test_daemon_cli", err, sizeof(err)), 0);
	file_put(path, "not a pid\n");
	assert_int_equal(daemon_pidfile_check(path, "test_daemon_cli", err, sizeof(err)), 0);
	file_put(path, "");
	assert_int_equal(daemon_pidfile_check(path, "test_daemon_cli", err, sizeof(err)), 0);
	unlink(path);
	rmdir(dir);
	free(path);
}

static void test_pidfile_unwritable_directory_is_an_error(void **state)
{
	(void)state;
	char err[256] = "";
	assert_int_equal(daemon_pidfile_write("/nonexistent-dir/d.pid", err, sizeof(err)), -1);
	assert_string_equal(err, "pid file /nonexistent-dir/d.pid: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_parse_or_fail_exactly),
	    cmocka_unit_test(test_usage_lists_every_option_once_with_its_doc),
	    cmocka_unit_test(test_check_doc_replaces_the_shared_one),
	    cmocka_unit_test(test_option_match_rows),
	    cmocka_unit_test(test_version_line),
	    cmocka_unit_test(test_pidfile_written_then_removed),
	    cmocka_unit_test(test_pidfile_refused_while_its_process_runs),
	    cmocka_unit_test(test_pidfile_stale_or_garbage_is_replaced),
	    cmocka_unit_test(test_pidfile_unwritable_directory_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
