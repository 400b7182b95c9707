/* SPDX-License-Identifier: MIT */
/* daemon_cli.c -- the command line every Meridian daemon shares, declared once as data */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "base/daemon_cli.h"

/* The usage text puts option docs in this column; a longer option name pushes its doc
 * to the next line. */
#define DOC_COLUMN 24
/* Usage lines stay within this many columns (a word longer than the room left is
 * printed whole). */
#define USAGE_WIDTH 79
/* Shared options plus a daemon's own. */
#define OPTIONS_MAX 24

const daemon_cli_option_t daemon_cli_config_option = {
    'c',   "config", "FILE", "configuration file (default " DAEMON_CLI_DEFAULT_CONFIG ")",
    false, NULL};
static const daemon_cli_option_t opt_check = {
    't',   "check", NULL, "check the configuration and exit: 0 valid, 1 with every problem",
    false, NULL};
static const daemon_cli_option_t opt_pid_file = {
    0,
    "pid-file",
    "FILE",
    "write the process id there once started, remove it at exit; refuse to start while it "
    "names a running instance",
    false,
    NULL};
static const daemon_cli_option_t opt_foreground = {
    'f', "foreground", NULL, "run in the foreground (always; logs go to stderr)", false, NULL};
static const daemon_cli_option_t opt_help = {'h',   "help", NULL, "print this text and exit",
					     false, NULL};
static const daemon_cli_option_t opt_version = {
    'V', "version", NULL, "print the version and exit", false, NULL};

/* In usage order; the synopsis leaves out --help and --version. */
static const daemon_cli_option_t *const shared[] = {
    &daemon_cli_config_option, &opt_check, &opt_pid_file, &opt_foreground, &opt_help, &opt_version,
};

M_PRINTF(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The value of an option whose name ends just before rest: rest itself when the value is
 * attached (-cFILE, --config=FILE: rest points past the '='), else the next word. */
static int value_take(const daemon_cli_option_t *opt, const char *typed, const char *rest, int argc,
		      char *const *argv, int *i, const char **value, char *err, size_t errlen)
{
	if (opt->arg == NULL) {
		if (rest != NULL)
			return fail(err, errlen, "%s: takes no argument", typed);
		*value = NULL;
		return 1;
	}
	if (rest == NULL) {
		if (*i + 1 >= argc)
			return fail(err, errlen, "%s: missing argument", typed);
		rest = argv[++*i];
	}
	if (rest[0] == '\0')
		return fail(err, errlen, "%s: empty argument", typed);
	*value = rest;
	return 1;
}

int daemon_cli_option_match(const daemon_cli_option_t *opt, int argc, char *const *argv, int *i,
			    const char **value, char *err, size_t errlen)
{
	const char *word = argv[*i];
	char typed[64];

	if (word[0] != '-')
		return 0;
	if (word[1] == '-' && opt->long_name != NULL) {
		size_t len = strlen(opt->long_name);

		if (strncmp(word + 2, opt->long_name, len) != 0 ||
		    (word[2 + len] != '\0' && word[2 + len] != '='))
			return 0;
		snprintf(typed, sizeof(typed), "--%s", opt->long_name);
		return value_take(opt, typed, word[2 + len] == '=' ? word + 3 + len : NULL, argc,
				  argv, i, value, err, errlen);
	}
	if (word[1] != '-' && opt->short_name != 0 && word[1] == opt->short_name) {
		snprintf(typed, sizeof(typed), "-%c", opt->short_name);
		/* A flag is matched alone only: "-tf" is two flags, for the caller's scanner. */
		if (opt->arg == NULL && word[2] != '\0')
			return 0;
		return value_take(opt, typed, word[2] != '\0' ? word + 2 : NULL, argc, argv, i,
				  value, err, errlen);
	}
	return 0;
}

/* Finds the option a word names: a long one by its name (up to any '='), a short one by
 * its letter. NULL when none does. */
static const daemon_cli_option_t *option_find(const daemon_cli_option_t *const *opts, size_t n,
					      const char *name, char short_name)
{
	for (size_t k = 0; k < n; k++) {
		if (name != NULL) {
			size_t len = strcspn(name, "=");

			if (opts[k]->long_name != NULL && strlen(opts[k]->long_name) == len &&
			    strncmp(opts[k]->long_name, name, len) == 0)
				return opts[k];
		} else if (opts[k]->short_name != 0 && opts[k]->short_name == short_name) {
			return opts[k];
		}
	}
	return NULL;
}

static void synopsis_item(const daemon_cli_option_t *opt, FILE *out)
{
	if (opt->short_name != 0)
		fprintf(out, " [-%c", opt->short_name);
	else
		fprintf(out, " [--%s", opt->long_name);
	if (opt->arg != NULL)
		fprintf(out, " %s", opt->arg);
	fprintf(out, "]%s", opt->repeatable ? "..." : "");
}

/* Writes doc from column DOC_COLUMN on, wrapped at word boundaries before USAGE_WIDTH. */
static void doc_wrap(const char *doc, FILE *out)
{
	int col = DOC_COLUMN;

	while (*doc != '\0') {
		int word = (int)strcspn(doc, " ");

		if (col > DOC_COLUMN && col + 1 + word > USAGE_WIDTH) {
			fprintf(out, "\n%*s", DOC_COLUMN, "");
			col = DOC_COLUMN;
		} else if (col > DOC_COLUMN) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", word, doc);
		col += word;
		doc += word;
		doc += strspn(doc, " ");
	}
	fputc('\n', out);
}

static void option_line(const daemon_cli_option_t *opt, const char *doc, FILE *out)
{
	char left[80];
	int len;

	if (opt->short_name != 0 && opt->long_name != NULL)
		len = snprintf(left, sizeof(left), "  -%c, --%s", opt->short_name, opt->long_name);
	else if (opt->short_name != 0)
		len = snprintf(left, sizeof(left), "  -%c", opt->short_name);
	else
		len = snprintf(left, sizeof(left), "      --%s", opt->long_name);
	if (opt->arg != NULL && len >= 0 && (size_t)len < sizeof(left))
		len += snprintf(left + len, sizeof(left) - (size_t)len, " %s", opt->arg);
	if (len >= 0 && len + 2 <= DOC_COLUMN)
		fprintf(out, "%-*s", DOC_COLUMN, left);
	else
		fprintf(out, "%s\n%*s", left, DOC_COLUMN, "");
	doc_wrap(doc, out);
}

void daemon_cli_usage(const daemon_cli_spec_t *spec, FILE *out)
{
	fprintf(out, "usage: %s", spec->program);
	for (size_t k = 0; k < M_ARRAY_LEN(shared); k++)
		if (shared[k] != &opt_help && shared[k] != &opt_version)
			synopsis_item(shared[k], out);
	for (size_t k = 0; k < spec->extra_count; k++)
		synopsis_item(&spec->extra[k], out);
	fputc('\n', out);
	for (size_t k = 0; k < M_ARRAY_LEN(shared); k++)
		option_line(shared[k],
			    shared[k] == &opt_check && spec->check_doc != NULL ? spec->check_doc
									       : shared[k]->doc,
			    out);
	for (size_t k = 0; k < spec->extra_count; k++)
		option_line(&spec->extra[k], spec->extra[k].doc, out);
	if (spec->epilogue != NULL)
		fputs(spec->epilogue, out);
}

void daemon_cli_version(const char *program, FILE *out)
{
	fprintf(out, "%s %s\n", program, PACKAGE_VERSION);
}

/* What the parser does with one matched option: DAEMON_CLI_RUN to go on, else the exit
 * status. */
static int option_apply(const daemon_cli_spec_t *spec, const daemon_cli_option_t *opt,
			const char *typed, const char *value, daemon_cli_t *out, FILE *out_stream,
			FILE *err_stream)
{
	char err[DAEMON_CLI_ERR_MAX];

	if (opt == &daemon_cli_config_option) {
		out->config_path = value;
	} else if (opt == &opt_check) {
		out->check_only = true;
	} else if (opt == &opt_pid_file) {
		out->pid_file = value;
	} else if (opt == &opt_help) {
		daemon_cli_usage(spec, out_stream);
		return 0;
	} else if (opt == &opt_version) {
		daemon_cli_version(spec->program, out_stream);
		return 0;
	} else if (opt->handle != NULL) {
		err[0] = '\0';
		if (opt->handle(spec->ctx, value, err, sizeof(err)) != 0) {
			fprintf(err_stream, "%s: %s: %s\n", spec->program, typed,
				err[0] != '\0' ? err : "bad argument");
			return DAEMON_CLI_EXIT_USAGE;
		}
	}
	/* -f: the daemons always run in the foreground; accepted for service files. */
	return DAEMON_CLI_RUN;
}

/* A command line that is wrong as written: the problem, then the usage. */
static int usage_error(const daemon_cli_spec_t *spec, const char *what, FILE *err_stream)
{
	fprintf(err_stream, "%s: %s\n", spec->program, what);
	daemon_cli_usage(spec, err_stream);
	return DAEMON_CLI_EXIT_USAGE;
}

/* One word of short options: "-t", "-cFILE", "-tf", "-tc FILE". */
static int short_word(const daemon_cli_spec_t *spec, const daemon_cli_option_t *const *opts,
		      size_t n, int argc, char *const *argv, int *i, daemon_cli_t *out,
		      FILE *out_stream, FILE *err_stream)
{
	char err[DAEMON_CLI_ERR_MAX];

	for (const char *p = argv[*i] + 1; *p != '\0'; p++) {
		const daemon_cli_option_t *opt = option_find(opts, n, NULL, *p);
		const char *value = NULL;
		char typed[3] = {'-', *p, '\0'};
		int rc;

		if (opt == NULL) {
			snprintf(err, sizeof(err), "unknown option -%c", *p);
			return usage_error(spec, err, err_stream);
		}
		if (value_take(opt, typed, opt->arg != NULL && p[1] != '\0' ? p + 1 : NULL, argc,
			       argv, i, &value, err, sizeof(err)) < 0)
			return usage_error(spec, err, err_stream);
		rc = option_apply(spec, opt, typed, value, out, out_stream, err_stream);
		if (rc != DAEMON_CLI_RUN || opt->arg != NULL)
			return rc;
	}
	return DAEMON_CLI_RUN;
}

int daemon_cli_parse(const daemon_cli_spec_t *spec, int argc, char *const *argv, daemon_cli_t *out,
		     FILE *out_stream, FILE *err_stream)
{
	const daemon_cli_option_t *opts[OPTIONS_MAX];
	size_t n = 0;
	bool options_done = false;
	char err[DAEMON_CLI_ERR_MAX];

	memset(out, 0, sizeof(*out));
	out->config_path = DAEMON_CLI_DEFAULT_CONFIG;
	for (size_t k = 0; k < M_ARRAY_LEN(shared); k++)
		opts[n++] = shared[k];
	for (size_t k = 0; k < spec->extra_count && n < OPTIONS_MAX; k++)
		opts[n++] = &spec->extra[k];

	for (int i = 1; i < argc; i++) {
		const char *word = argv[i];
		const daemon_cli_option_t *opt;
		const char *value = NULL;
		int rc;

		if (!options_done && strcmp(word, "--") == 0) {
			options_done = true;
			continue;
		}
		if (options_done || word[0] != '-' || word[1] == '\0') {
			snprintf(err, sizeof(err), "unexpected argument '%s'", word);
			return usage_error(spec, err, err_stream);
		}
		if (word[1] != '-') {
			rc = short_word(spec, opts, n, argc, argv, &i, out, out_stream, err_stream);
			if (rc != DAEMON_CLI_RUN)
				return rc;
			continue;
		}
		opt = option_find(opts, n, word + 2, 0);
		if (opt == NULL) {
			snprintf(err, sizeof(err), "unknown option %.*s", (int)strcspn(word, "="),
				 word);
			return usage_error(spec, err, err_stream);
		}
		if (daemon_cli_option_match(opt, argc, argv, &i, &value, err, sizeof(err)) < 0)
			return usage_error(spec, err, err_stream);
		snprintf(err, sizeof(err), "--%s", opt->long_name);
		rc = option_apply(spec, opt, err, value, out, out_stream, err_stream);
		if (rc != DAEMON_CLI_RUN)
			return rc;
	}
	return DAEMON_CLI_RUN;
}
