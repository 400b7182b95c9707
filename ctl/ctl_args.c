/* SPDX-License-Identifier: MIT */
/* ctl_args.c -- meridianctl's command line: subcommands, options, validation */
#include "config.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "ctl/ctl_args.h"

#define OVERRIDE_OPTS                                                                               \
	(CTL_OPT_REASON | CTL_OPT_FOR | CTL_OPT_ACTOR | CTL_OPT_FORCE | CTL_OPT_AT | CTL_OPT_PLAN)

static const ctl_command_spec_t commands[] = {
    {"status", CTL_CMD_STATUS, 0, 0, 0, 0, "",
     "each datacenter's effective state, observations per region, overrides, fail-open records"},
    {"drain", CTL_CMD_DRAIN, 1, 1, OVERRIDE_OPTS, CTL_OPT_REASON,
     "DC --reason TEXT [--at TIME] [--for DURATION] [--actor NAME] [--force] [--plan]",
     "send no new clients to DC until the override expires or is cleared"},
    {"force-down", CTL_CMD_FORCE_DOWN, 1, 1, OVERRIDE_OPTS, CTL_OPT_REASON,
     "DC --reason TEXT [--at TIME] [--for DURATION] [--actor NAME] [--force] [--plan]",
     "treat DC as down whatever its checks say"},
    {"force-up", CTL_CMD_FORCE_UP, 1, 1, OVERRIDE_OPTS, CTL_OPT_REASON,
     "DC --reason TEXT [--at TIME] [--for DURATION] [--actor NAME] [--force] [--plan]",
     "treat DC as up whatever its checks say"},
    {"weight", CTL_CMD_WEIGHT, 3, 3,
     CTL_OPT_REASON | CTL_OPT_FOR | CTL_OPT_ACTOR | CTL_OPT_FORCE | CTL_OPT_PLAN, CTL_OPT_REASON,
     "TARGET DC N|clear --reason TEXT [--for DURATION] [--actor NAME] [--force] [--plan]",
     "set DC's weight in TARGET's configured split (RECORD, or RECORD@KEY for a map or nets "
     "entry) until it expires; clear ends it"},
    {"clear", CTL_CMD_CLEAR, 1, 1, CTL_OPT_REASON | CTL_OPT_ACTOR | CTL_OPT_FORCE, 0,
     "DC [--reason TEXT] [--actor NAME] [--force]",
     "remove DC's override, in effect or scheduled (observations decide again)"},
    {"events", CTL_CMD_EVENTS, 0, 0, CTL_OPT_LIMIT, 0, "[--limit N]",
     "the audit log, newest first (default 50 entries; --limit 0 for all)"},
    {"explain", CTL_CMD_EXPLAIN, 2, 2, CTL_OPT_SUBNET | CTL_OPT_BATCH, 0,
     "NAME CLIENT-IP [--subnet PREFIX] | NAME --batch FILE",
     "why NAME answers CLIENT-IP the way it does: location, candidates, answer, ECS scope; "
     "--batch: one JSON line per CLIENT-IP[/PREFIX] line of FILE"},
    {"geo", CTL_CMD_GEO, 1, 1, 0, 0, "CLIENT-IP", "the GeoIP database record for CLIENT-IP"},
    {"peers", CTL_CMD_PEERS, 0, 0, 0, 0, "", "replication peers: last contact, lag, errors"},
    {"stats", CTL_CMD_STATS, 0, 0, 0, 0, "",
     "the local daemons' live counters, read from their metrics: endpoints"},
    {"reload", CTL_CMD_RELOAD, 0, 0, CTL_OPT_PID_FILE, 0, "[--pid-file FILE]",
     "send SIGHUP to the meridian-dnsd running with this config"},
    {"zones", CTL_CMD_ZONES, 0, 0, 0, 0, "",
     "each zone: its file, DNSSEC keys and mode, signatures served and next renewal"},
    {"check", CTL_CMD_CHECK, 0, 1, 0, 0, "[CANDIDATE]",
     "validate the config file (like -t of the daemons); with CANDIDATE, validate it and "
     "compare it with what every region runs"},
    {"diff", CTL_CMD_DIFF, 1, 1, 0, 0, "REGION",
     "what REGION runs that this region does not: config keys, zone serials, GeoIP, version"},
    {"help", CTL_CMD_HELP, 0, 1, 0, 0, "[SUBCOMMAND]", "this text, or one subcommand's usage"},
    {"version", CTL_CMD_VERSION, 0, 0, 0, 0, "", "print the version"},
};

/* Names of the positional arguments, for "missing X" messages. */
static const char *positional_name(const ctl_command_spec_t *spec, size_t index)
{
	switch (spec->command) {
	case CTL_CMD_EXPLAIN:
		return index == 0 ? "NAME" : "CLIENT-IP";
	case CTL_CMD_GEO:
		return "CLIENT-IP";
	case CTL_CMD_DIFF:
		return "REGION";
	case CTL_CMD_WEIGHT:
		return index == 0 ? "TARGET" : index == 1 ? "DC" : "N";
	default:
		return "DC";
	}
}

static const struct {
	const char *name; /* the option without its leading "--" */
	unsigned bit;	  /* its CTL_OPT_* flag, checked against the command's allowed set */
	bool takes_value; /* true: "--name VALUE" or "--name=VALUE"; false: a bare flag */
} options[] = {
    {"reason", CTL_OPT_REASON, true},	  {"for", CTL_OPT_FOR, true},
    {"actor", CTL_OPT_ACTOR, true},	  {"force", CTL_OPT_FORCE, false},
    {"limit", CTL_OPT_LIMIT, true},	  {"subnet", CTL_OPT_SUBNET, true},
    {"pid-file", CTL_OPT_PID_FILE, true}, {"at", CTL_OPT_AT, true},
    {"plan", CTL_OPT_PLAN, false},
    {"batch", CTL_OPT_BATCH, true},
};

const ctl_command_spec_t *ctl_command_find(const char *name)
{
	for (size_t i = 0; i < M_ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void ctl_usage_print(FILE *out, const ctl_command_spec_t *spec)
{
	if (spec != NULL) {
		fprintf(out, "usage: meridianctl [-c FILE] [--json] %s%s%s\n  %s\n", spec->name,
			spec->synopsis[0] != '\0' ? " " : "", spec->synopsis, spec->summary);
		return;
	}
	fprintf(out,
		"usage: meridianctl [-c FILE] [--json] SUBCOMMAND [ARGS]\n\n"
		"  -c, --config FILE  config file (default: $MERIDIAN_CONFIG, else %s)\n"
		"  --json             machine-readable output with stable keys\n\n"
		"subcommands:\n",
		CTL_DEFAULT_CONFIG);
	for (size_t i = 0; i < M_ARRAY_LEN(commands); i++)
		fprintf(out, "  %s%s%s\n      %s\n", commands[i].name,
			commands[i].synopsis[0] != '\0' ? " " : "", commands[i].synopsis,
			commands[i].summary);
	fprintf(out, "\nDURATION is a number with ms, s, m, h or d: 90s, 30m, 2h, 1d.\n"
		     "TIME (--at) is now, now+DURATION, +DURATION or UTC 2026-12-07T03:00:00Z;\n"
		     "A later TIME schedules the override: it takes effect then, for --for.\n"
		     "--plan prints what the change would do (answers by continent and for sampled\n"
		     "client networks, the safety rule, capacity) and writes nothing.\n"
		     "Exit status: 0 done, 1 refused or failed, 2 usage error.\n");
}

M_PRINTF(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int ctl_text_check(const char *what, const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text);

	if (len == 0)
		return fail(err, errlen, "%s must not be empty", what);
	if (len > CTL_TEXT_MAX)
		return fail(err, errlen, "%s is %zu bytes long; at most %d are kept", what, len,
			    CTL_TEXT_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f)
			return fail(err, errlen,
				    "%s must not contain control characters (newline, tab, ...)",
				    what);
	}
	return 0;
}

void ctl_actor_resolve(const char *given, char *buf, size_t len)
{
	const char *name = given;
	struct passwd *pw;

	/* getlogin() names who logged in even under sudo or su, which is who the audit log
	 * should blame; without a controlling terminal (cron, CI) it fails, and the
	 * account we run as is the next best answer. */
	if (name == NULL)
		name = getlogin();
	if (name == NULL || name[0] == '\0') {
		pw = getpwuid(getuid());
		name = pw != NULL ? pw->pw_name : NULL;
	}
	if (name == NULL || name[0] == '\0')
		name = getenv("USER");
	if (name == NULL || name[0] == '\0') {
		snprintf(buf, len, "uid:%lu", (unsigned long)getuid());
		return;
	}
	snprintf(buf, len, "%s", name);
}

/* Parses --at: "now", "now+DURATION" or "+DURATION" (relative to when the override is
 * written), or a UTC instant "YYYY-MM-DDTHH:MM[:SS]Z". */
static int at_parse(const char *text, ctl_args_t *out, char *err, size_t errlen)
{
	const char *rel = NULL;
	uint64_t n;

	if (strcmp(text, "now") == 0) {
		out->at_relative = true;
		out->at_ms = 0;
		return 0;
	}
	if (strncmp(text, "now+", 4) == 0)
		rel = text + 4;
	else if (text[0] == '+')
		rel = text + 1;
	if (rel != NULL) {
		if (conf_duration_parse(rel, &n) != 0)
			return fail(err, errlen,
				    "--at \"%s\": not a duration after now (use e.g. now+90s, +2h)",
				    text);
		if (n > CTL_OVERRIDE_MAX_MS)
			return fail(err, errlen, "--at \"%s\": further ahead than the limit of 366d",
				    text);
		out->at_relative = true;
		out->at_ms = (int64_t)n;
		return 0;
	}
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%dT%H:%M", &tm);
	if (end != NULL && *end == ':')
		end = strptime(end, ":%S", &tm);
	if (end == NULL || strcmp(end, "Z") != 0)
		return fail(err, errlen,
			    "--at \"%s\": not a time (use now+DURATION or UTC "
			    "2026-12-07T03:00:00Z)",
			    text);
	out->at_relative = false;
	out->at_ms = (int64_t)timegm(&tm) * 1000;
	return 0;
}

/* Parses a decimal number in 0..max; digits only (no sign, no spaces). */
static int number_parse(const char *text, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (text[0] == '\0')
		return -1;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static int option_value(const ctl_command_spec_t *spec, unsigned bit, const char *name,
			const char *value, ctl_args_t *out, char *err, size_t errlen)
{
	uint64_t n;

	switch (bit) {
	case CTL_OPT_REASON:
		out->reason = value;
		return ctl_text_check("--reason", value, err, errlen);
	case CTL_OPT_ACTOR:
		out->actor = value;
		return ctl_text_check("--actor", value, err, errlen);
	case CTL_OPT_FOR:
		if (conf_duration_parse(value, &n) != 0)
			return fail(err, errlen,
				    "--for \"%s\": not a duration (use e.g. 90s, 30m, 2h, 1d)",
				    value);
		if (n == 0)
			return fail(err, errlen, "--for \"%s\": must be longer than 0", value);
		if (n > CTL_OVERRIDE_MAX_MS)
			return fail(err, errlen, "--for \"%s\": longer than the limit of 366d",
				    value);
		out->for_ms = n;
		return 0;
	case CTL_OPT_FORCE:
		out->force = true;
		return 0;
	case CTL_OPT_LIMIT:
		if (number_parse(value, 1000000, &n) != 0)
			return fail(err, errlen,
				    "--limit \"%s\": not a number in 0..1000000 (0 shows all)",
				    value);
		out->limit = n;
		return 0;
	case CTL_OPT_SUBNET:
		if (number_parse(value, 128, &n) != 0)
			return fail(err, errlen, "--subnet \"%s\": not a prefix length in 0..128",
				    value);
		out->subnet = (int)n;
		return 0;
	case CTL_OPT_AT:
		return at_parse(value, out, err, errlen);
	case CTL_OPT_PLAN:
		out->plan = true;
		return 0;
	case CTL_OPT_PID_FILE:
		if (value[0] == '\0')
			return fail(err, errlen, "--pid-file must not be empty");
		out->pid_file = value;
		return 0;
	case CTL_OPT_BATCH:
		if (value[0] == '\0')
			return fail(err, errlen, "--batch must name a file (or - for stdin)");
		out->batch = value;
		return 0;
	default:
		return fail(err, errlen, "%s: internal error: option --%s has no handler",
			    spec->name, name);
	}
}

/* Handles one option word of the subcommand part: argv[*i] starts with "--". */
static int subcommand_option(const ctl_command_spec_t *spec, int argc, char *const *argv, int *i,
			     ctl_args_t *out, char *err, size_t errlen)
{
	const char *word = argv[*i] + 2;
	const char *eq = strchr(word, '=');
	size_t name_len = eq != NULL ? (size_t)(eq - word) : strlen(word);
	const char *value = eq != NULL ? eq + 1 : NULL;

	for (size_t k = 0; k < M_ARRAY_LEN(options); k++) {
		if (strlen(options[k].name) != name_len ||
		    strncmp(options[k].name, word, name_len) != 0)
			continue;
		if (!(spec->options & options[k].bit))
			return fail(err, errlen, "%s: option --%s does not apply to %s", spec->name,
				    options[k].name, spec->name);
		if (out->given & options[k].bit)
			return fail(err, errlen, "%s: option --%s given twice", spec->name,
				    options[k].name);
		out->given |= options[k].bit;
		if (!options[k].takes_value) {
			if (value != NULL)
				return fail(err, errlen, "%s: option --%s takes no value",
					    spec->name, options[k].name);
		} else if (value == NULL) {
			if (*i + 1 >= argc)
				return fail(err, errlen, "%s: option --%s needs a value",
					    spec->name, options[k].name);
			value = argv[++*i];
		}
		/* Options without a value get "" so option_value never sees NULL. */
		return option_value(spec, options[k].bit, options[k].name,
				    value != NULL ? value : "", out, err, errlen);
	}
	return fail(err, errlen, "%s: unknown option \"%s\" (try \"meridianctl help %s\")",
		    spec->name, argv[*i], spec->name);
}

/* Options valid anywhere: -c/--config, --json, -h/--help, -V/--version. Returns 1 when
 * argv[*i] was one, 0 when not, -1 on error. */
static int global_option(int argc, char *const *argv, int *i, ctl_args_t *out, bool *help,
			 bool *version, char *err, size_t errlen)
{
	const char *word = argv[*i];

	if (strcmp(word, "--json") == 0) {
		out->json = true;
		return 1;
	}
	if (strcmp(word, "-h") == 0 || strcmp(word, "--help") == 0) {
		*help = true;
		return 1;
	}
	if (strcmp(word, "-V") == 0 || strcmp(word, "--version") == 0) {
		*version = true;
		return 1;
	}
	/* -c is spelt, and its errors worded, as the daemons' (base/daemon_cli.h). */
	return daemon_cli_option_match(&daemon_cli_config_option, argc, argv, i, &out->config_path,
				       err, errlen);
}

int ctl_args_parse(int argc, char *const *argv, const char *env_config, ctl_args_t *out, char *err,
		   size_t errlen)
{
	const ctl_command_spec_t *spec = NULL;
	bool help = false, version = false, options_done = false;
	int i, rc;

	memset(out, 0, sizeof(*out));
	out->limit = 50;
	out->subnet = -1;
	err[0] = '\0';

	for (i = 1; i < argc && spec == NULL; i++) {
		const char *word = argv[i];

		rc = global_option(argc, argv, &i, out, &help, &version, err, errlen);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		if (word[0] == '-')
			return fail(err, errlen,
				    "unknown option \"%s\" (try \"meridianctl --help\")", word);
		spec = ctl_command_find(word);
		if (spec == NULL)
			return fail(err, errlen,
				    "unknown subcommand \"%s\" (try \"meridianctl --help\")", word);
	}
	if (spec == NULL) {
		if (version) {
			out->spec = ctl_command_find("version");
			return 0;
		}
		out->spec = ctl_command_find("help");
		if (help)
			return 0;
		return fail(err, errlen, "missing subcommand (try \"meridianctl --help\")");
	}
	out->spec = spec;

	for (; i < argc; i++) {
		const char *word = argv[i];

		if (!options_done && strcmp(word, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && word[0] == '-' && word[1] != '\0') {
			rc = global_option(argc, argv, &i, out, &help, &version, err, errlen);
			if (rc < 0)
				return -1;
			if (rc > 0)
				continue;
			if (word[1] != '-')
				return fail(
				    err, errlen,
				    "%s: unknown option \"%s\" (try \"meridianctl help %s\")",
				    spec->name, word, spec->name);
			if (subcommand_option(spec, argc, argv, &i, out, err, errlen) != 0)
				return -1;
			continue;
		}
		if (out->positional_count >= spec->max_args ||
		    out->positional_count >= CTL_ARGS_POSITIONAL_MAX)
			return fail(err, errlen, "%s: unexpected argument \"%s\"", spec->name,
				    word);
		out->positional[out->positional_count++] = word;
	}

	if (help || spec->command == CTL_CMD_HELP) {
		const char *topic = spec->command == CTL_CMD_HELP ? out->positional[0] : spec->name;

		if (topic != NULL && ctl_command_find(topic) == NULL)
			return fail(err, errlen, "help: unknown subcommand \"%s\"", topic);
		out->help_topic = topic;
		out->spec = ctl_command_find("help");
		return 0;
	}
	if (version) {
		out->spec = ctl_command_find("version");
		return 0;
	}
	/* explain --batch takes its clients from the file */
	unsigned min_args = spec->command == CTL_CMD_EXPLAIN && (out->given & CTL_OPT_BATCH)
				? 1
				: spec->min_args;
	if (out->positional_count < min_args)
		return fail(err, errlen, "%s: missing %s (usage: meridianctl %s %s)", spec->name,
			    positional_name(spec, out->positional_count), spec->name,
			    spec->synopsis);
	/* A plan writes nothing, so it needs no reason. */
	if ((spec->required & CTL_OPT_REASON) && !(out->given & (CTL_OPT_REASON | CTL_OPT_PLAN)))
		return fail(err, errlen,
			    "%s: --reason is required: say why, e.g. --reason \"kernel upgrade\"",
			    spec->name);
	if (out->config_path == NULL)
		out->config_path =
		    env_config != NULL && env_config[0] != '\0' ? env_config : CTL_DEFAULT_CONFIG;
	return 0;
}
