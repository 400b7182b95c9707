/* SPDX-License-Identifier: MIT */
/* ctl_args.h -- meridianctl's command line: subcommands, options, validation */
#ifndef MERIDIAN_CTL_ARGS_H
#define MERIDIAN_CTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/compiler.h"
#include "base/daemon_cli.h"

/* Exit statuses, the same for every subcommand. */
enum {
	CTL_EXIT_OK = 0,    /* done */
	CTL_EXIT_FAIL = 1,  /* refused by a safety rule, bad config, state store error */
	CTL_EXIT_USAGE = 2, /* the command line itself is wrong */
};

/* Where the config comes from when neither -c nor MERIDIAN_CONFIG says: the daemons'
 * default (base/daemon_cli.h), so `reload` finds a daemon started without -c. */
#define CTL_DEFAULT_CONFIG DAEMON_CLI_DEFAULT_CONFIG
/* Expiry of an override without --for when the config gives none (health.override_default). */
#define CTL_OVERRIDE_DEFAULT_MS (3600ULL * 1000)
/* --for may not exceed this: a typo must not pin a datacenter for years. */
#define CTL_OVERRIDE_MAX_MS (366ULL * 24 * 3600 * 1000)
/* Longest --reason / --actor accepted (bytes, without NUL); the state store keeps 255. */
#define CTL_TEXT_MAX 255

typedef enum {
	CTL_CMD_HELP = 0,
	CTL_CMD_VERSION,
	CTL_CMD_STATUS,
	CTL_CMD_DRAIN,
	CTL_CMD_FORCE_DOWN,
	CTL_CMD_FORCE_UP,
	CTL_CMD_CLEAR,
	CTL_CMD_EVENTS,
	CTL_CMD_EXPLAIN,
	CTL_CMD_GEO,
	CTL_CMD_PEERS,
	CTL_CMD_RELOAD,
	CTL_CMD_CHECK,
	CTL_CMD_STATS,
	CTL_CMD_DIFF,
	CTL_CMD_ZONES,
	CTL_CMD_WEIGHT,
} ctl_command_t;

/* Options a subcommand may take (bit set). */
enum {
	CTL_OPT_REASON = 1u << 0,   /* --reason TEXT */
	CTL_OPT_FOR = 1u << 1,	    /* --for DURATION */
	CTL_OPT_ACTOR = 1u << 2,    /* --actor NAME */
	CTL_OPT_FORCE = 1u << 3,    /* --force */
	CTL_OPT_LIMIT = 1u << 4,    /* --limit N */
	CTL_OPT_SUBNET = 1u << 5,   /* --subnet PREFIX */
	CTL_OPT_PID_FILE = 1u << 6, /* --pid-file FILE */
	CTL_OPT_AT = 1u << 7,	    /* --at TIME */
	CTL_OPT_PLAN = 1u << 8,	    /* --plan */
	CTL_OPT_BATCH = 1u << 12,   /* --batch FILE */
};

/* The syntax of one subcommand, declared once: parsing, validation and --help come
 * from this table. */
typedef struct {
	const char *name; /* as typed: "force-down" */
	ctl_command_t command; /* what runs it */
	unsigned min_args;    /* positional arguments required */
	unsigned max_args;    /* positional arguments allowed */
	unsigned options;     /* CTL_OPT_* it accepts */
	unsigned required;    /* CTL_OPT_* it needs */
	const char *synopsis; /* arguments after the name, for usage lines */
	const char *summary;  /* one line for --help */
} ctl_command_spec_t;

#define CTL_ARGS_POSITIONAL_MAX 4

/* A parsed, syntactically valid command line. Strings point into argv. */
typedef struct {
	const char *config_path;	/* -c, else MERIDIAN_CONFIG, else CTL_DEFAULT_CONFIG */
	bool json;			/* --json: machine-readable output on stdout */
	const ctl_command_spec_t *spec; /* the subcommand */
	const char *positional[CTL_ARGS_POSITIONAL_MAX]; /* arguments that are not options, in order */
	size_t positional_count; /* entries used in positional */
	unsigned given;		/* CTL_OPT_* present */
	const char *reason;	/* --reason, non-empty, printable, <= CTL_TEXT_MAX */
	const char *actor;	/* --actor, same rules as reason, or NULL */
	uint64_t for_ms;	/* --for in ms, 1..CTL_OVERRIDE_MAX_MS; 0 when absent */
	bool force;		/* --force */
	int64_t at_ms;		/* --at: ms since epoch, or ms after now when at_relative */
	bool at_relative;	/* --at was now / now+DURATION / +DURATION */
	bool plan;		/* --plan: print what would change, write nothing */
	uint64_t limit;		/* --limit: 0 (all) .. 1000000; default 50 */
	int subnet;		/* --subnet: 0..128, -1 when absent */
	const char *pid_file;	/* --pid-file, or NULL */
	const char *batch;	/* --batch FILE ("-": stdin), or NULL */
	const char *help_topic; /* "help CMD" / "CMD --help": the subcommand asked about */
} ctl_args_t;

/* Parses argv (argv[0] is the program). env_config is $MERIDIAN_CONFIG or NULL.
 * Returns 0, or -1 with a one-line message in err (exit CTL_EXIT_USAGE). */
int ctl_args_parse(int argc, char *const *argv, const char *env_config, ctl_args_t *out, char *err,
		   size_t errlen) M_NONNULL(2, 4, 5) M_WUR;

/* The table entry for a subcommand name, or NULL. */
const ctl_command_spec_t *ctl_command_find(const char *name) M_NONNULL_ALL M_PURE;
/* Prints the usage of one subcommand, or the whole --help text when spec is NULL. */
void ctl_usage_print(FILE *out, const ctl_command_spec_t *spec) M_NONNULL(1);

/* Checks operator text (--reason, --actor): non-empty, at most CTL_TEXT_MAX bytes, no
 * control characters. 0, or -1 with a message naming what. */
int ctl_text_check(const char *what, const char *text, char *err,
		   size_t errlen) M_NONNULL_ALL M_WUR;
/* The actor to record: --actor when given, else the login name (getlogin, then the
 * password entry of the real uid, then $USER), else "uid:N". */
void ctl_actor_resolve(const char *given, char *buf, size_t len) M_NONNULL(2);

#endif
