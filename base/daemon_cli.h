/* SPDX-License-Identifier: MIT */
/* daemon_cli.h -- the command line every Meridian daemon shares, declared once as data */
#ifndef MERIDIAN_DAEMON_CLI_H
#define MERIDIAN_DAEMON_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/compiler.h"

/* The config a program reads when no -c is given. /etc/meridian/meridian.yaml for a
 * build configured with --sysconfdir=/etc (as packages are). meridianctl shares it, so
 * `meridianctl reload` finds a daemon started without -c. */
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DAEMON_CLI_DEFAULT_CONFIG SYSCONFDIR "/meridian/meridian.yaml"

/* daemon_cli_parse(): go on and run (any other value is the exit status). */
#define DAEMON_CLI_RUN (-1)
/* Exit status of a command line that is wrong (unknown option, missing argument...). */
#define DAEMON_CLI_EXIT_USAGE 2

/* The longest message a handler or the scanner writes, without the program name. */
#define DAEMON_CLI_ERR_MAX 256

/* One command-line option: what the scanner matches and what the usage text shows. */
typedef struct {
	char short_name;       /* 'c' for -c, or 0 when the option has only a long name */
	const char *long_name; /* "config" for --config, or NULL when it has only a short one */
	const char *arg;       /* the argument's name in the usage ("FILE"), NULL: takes none */
	const char *doc;       /* one line for the usage text; "%s" nowhere (printed as is) */
	bool repeatable;       /* may be given more than once; the synopsis shows "..." */
	/* A daemon's own option: called with the value (NULL when arg is NULL) and ctx.
	 * Returns 0, or -1 with a message in err (no program name, no option name: the
	 * parser prefixes "PROGRAM: OPTION: "); the parser then exits with status 2.
	 * NULL for the shared options, which daemon_cli_parse() handles itself. */
	int (*handle)(void *ctx, const char *value, char *err, size_t errlen);
} daemon_cli_option_t;

/* What one daemon's command line is: the shared options plus its own. */
typedef struct {
	const char *program;		  /* "meridian-dnsd": usage, messages, --version */
	const char *check_doc;		  /* -t's usage line, or NULL for the shared one */
	const daemon_cli_option_t *extra; /* the daemon's own options, or NULL */
	size_t extra_count;		  /* entries in extra, 0..16 */
	void *ctx;			  /* handed to every extra handler */
	const char *epilogue;		  /* lines after the option list (signals), or NULL */
} daemon_cli_spec_t;

/* A parsed command line of a daemon that is to run (or check its config). Strings
 * point into argv or are static. */
typedef struct {
	const char *config_path; /* -c, else DAEMON_CLI_DEFAULT_CONFIG; never empty */
	bool check_only;	 /* -t: check the configuration and exit */
	const char *pid_file;	 /* --pid-file, or NULL: see base/daemon_pidfile.h */
} daemon_cli_t;

/* Parses argv (argv[0] is the program) against the shared options and spec->extra.
 * Returns DAEMON_CLI_RUN with *out filled, or the status to exit with: 0 after
 * --help (usage on out_stream) or --version ("PROGRAM VERSION" on out_stream); 2 after
 * an unknown option or a stray argument (a line naming it, then the usage, on
 * err_stream), an option without its argument ("PROGRAM: -c: missing argument") or
 * with a bad one (the handler's message). Options take their value as the next word or
 * attached (-cFILE, --config=FILE); flags bundle (-tf); "--" ends the options. */
int daemon_cli_parse(const daemon_cli_spec_t *spec, int argc, char *const *argv, daemon_cli_t *out,
		     FILE *out_stream, FILE *err_stream) M_NONNULL(1, 3, 4, 5, 6) M_WUR;

/* Writes the usage text of spec (synopsis, one line per option, epilogue) to out. */
void daemon_cli_usage(const daemon_cli_spec_t *spec, FILE *out) M_NONNULL_ALL;
/* Writes "PROGRAM VERSION\n" (PACKAGE_VERSION) to out: every program's --version. */
void daemon_cli_version(const char *program, FILE *out) M_NONNULL_ALL;

/* The shared -c/--config option, for a program that parses the rest of its command
 * line itself (meridianctl). */
extern const daemon_cli_option_t daemon_cli_config_option;

/* Whether argv[*i] is opt, written as -x, -xVALUE, --long or --long=VALUE. On a match
 * *value is the argument (NULL for a flag) and *i moves past a value given as the next
 * word. Returns 1 on a match, 0 when the word is not opt, -1 on a match without its
 * argument, with an empty one, or with one it does not take (message in err, e.g.
 * "-c: missing argument"). */
int daemon_cli_option_match(const daemon_cli_option_t *opt, int argc, char *const *argv, int *i,
			    const char **value, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

#endif
