/* SPDX-License-Identifier: MIT */
/* test_args.c -- meridianctl's command line: every accepted form and every usage error */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/ctl_args.h"

#define ARGV_MAX 16

/* Splits a command line on spaces into argv (no quoting: rows avoid spaces in values
 * except through the dedicated tests below). */
static int split(char *line, char **argv)
{
	int argc = 0;

	argv[argc++] = (char *)"meridianctl";
	for (char *tok = strtok(line, " "); tok != NULL && argc < ARGV_MAX - 1;
	     tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

static int parse_line(const char *text, const char *env, ctl_args_t *out, char *err, size_t errlen)
{
	/* Static: the parsed arguments point into it after we return. */
	static char line[512];
	static char *argv[ARGV_MAX];
	int argc;

	snprintf(line, sizeof(line), "%s", text);
	argc = split(line, argv);
	return ctl_args_parse(argc, argv, env, out, err, errlen);
}

/* One row: a command line and the exact usage error it must give. */
static const struct {
	const char *name;
	const char *line;
	const char *error;
} usage_errors[] = {
    {"no subcommand", "", "missing subcommand (try \"meridianctl --help\")"},
    {"only globals", "-c x.yaml --json", "missing subcommand (try \"meridianctl --help\")"},
    {"unknown subcommand", "frobnicate",
     "unknown subcommand \"frobnicate\" (try \"meridianctl --help\")"},
    {"unknown global option", "--verbose status",
     "unknown option \"--verbose\" (try \"meridianctl --help\")"},
    {"-c without file", "-c", "-c: missing argument"},
    {"--config without file", "status --config", "--config: missing argument"},
    {"empty --config=", "--config= status", "--config: empty argument"},
    {"drain without reason", "drain us-east",
     "drain: --reason is required: say why, e.g. --reason \"kernel upgrade\""},
    {"force-down without reason", "force-down us-east",
     "force-down: --reason is required: say why, e.g. --reason \"kernel upgrade\""},
    {"drain without datacenter", "drain --reason x",
     "drain: missing DC (usage: meridianctl drain DC --reason TEXT [--at TIME] [--for DURATION] "
     "[--actor NAME] [--force] [--plan])"},
    {"plan on status", "status --plan", "status: option --plan does not apply to status"},
    {"at not a time", "drain us-east --reason x --at tomorrow",
     "--at \"tomorrow\": not a time (use now+DURATION or UTC 2026-12-07T03:00:00Z)"},
    {"at not a duration after now", "drain us-east --reason x --at now+soon",
     "--at \"now+soon\": not a duration after now (use e.g. now+90s, +2h)"},
    {"at on clear", "clear us-east --at now+1h", "clear: option --at does not apply to clear"},
    {"drain two datacenters", "drain us-east eu-west --reason x",
     "drain: unexpected argument \"eu-west\""},
    {"reason without value", "drain us-east --reason", "drain: option --reason needs a value"},
    {"empty reason", "drain us-east --reason=", "--reason must not be empty"},
    {"bad duration", "drain us-east --reason x --for soon",
     "--for \"soon\": not a duration (use e.g. 90s, 30m, 2h, 1d)"},
    {"duration without unit", "drain us-east --reason x --for 30",
     "--for \"30\": not a duration (use e.g. 90s, 30m, 2h, 1d)"},
    {"zero duration", "drain us-east --reason x --for 0s", "--for \"0s\": must be longer than 0"},
    {"duration too long", "drain us-east --reason x --for 400d",
     "--for \"400d\": longer than the limit of 366d"},
    {"reason twice", "drain us-east --reason x --reason y", "drain: option --reason given twice"},
    {"force with value", "drain us-east --reason x --force=yes",
     "drain: option --force takes no value"},
    {"option of another command", "status --reason x",
     "status: option --reason does not apply to status"},
    {"force on events", "events --force", "events: option --force does not apply to events"},
    {"unknown long option", "drain us-east --reason x --until 5m",
     "drain: unknown option \"--until\" (try \"meridianctl help drain\")"},
    {"unknown short option", "drain us-east -r x",
     "drain: unknown option \"-r\" (try \"meridianctl help drain\")"},
    {"limit not a number", "events --limit ten",
     "--limit \"ten\": not a number in 0..1000000 (0 shows all)"},
    {"limit negative", "events --limit -1",
     "--limit \"-1\": not a number in 0..1000000 (0 shows all)"},
    {"limit too big", "events --limit 1000001",
     "--limit \"1000001\": not a number in 0..1000000 (0 shows all)"},
    {"subnet too long", "explain www.example.com. 192.0.2.1 --subnet 129",
     "--subnet \"129\": not a prefix length in 0..128"},
    {"explain without client", "explain www.example.com.",
     "explain: missing CLIENT-IP (usage: meridianctl explain NAME CLIENT-IP [--subnet PREFIX] | NAME --batch FILE)"},
    {"explain without name", "explain",
     "explain: missing NAME (usage: meridianctl explain NAME CLIENT-IP [--subnet PREFIX] | NAME --batch FILE)"},
    {"geo without client", "geo", "geo: missing CLIENT-IP (usage: meridianctl geo CLIENT-IP)"},
    {"status with argument", "status us-east", "status: unexpected argument \"us-east\""},
    {"help for unknown", "help frobnicate", "help: unknown subcommand \"frobnicate\""},
    {"empty pid file", "reload --pid-file=", "--pid-file must not be empty"},
};

static void test_usage_errors_have_exact_messages(void **state)
{
	for (size_t i = 0; i < sizeof(usage_errors) / sizeof(usage_errors[0]); i++) {
		ctl_args_t args;
		char err[512];
		int rc = parse_line(usage_errors[i].line, NULL, &args, err, sizeof(err));

		if (rc != -1 || strcmp(err, usage_errors[i].error) != 0)
			fail_msg("case \"%s\": rc %d, message [%s], expected [%s]",
				 usage_errors[i].name, rc, err, usage_errors[i].error);
	}
}

static void test_drain_with_every_option_parses(void **state)
{
	ctl_args_t args;
	char err[256];

	assert_int_equal(
	    parse_line(
		"-c /tmp/m.yaml drain us-east --reason=upgrade --for 30m --actor alice --force",
		NULL, &args, err, sizeof(err)),
	    0);
	assert_int_equal(args.spec->command, CTL_CMD_DRAIN);
	assert_string_equal(args.config_path, "/tmp/m.yaml");
	assert_string_equal(args.positional[0], "us-east");
	assert_int_equal(args.positional_count, 1);
	assert_string_equal(args.reason, "upgrade");
	assert_string_equal(args.actor, "alice");
	assert_int_equal(args.for_ms, 30 * 60 * 1000);
	assert_true(args.force);
	assert_false(args.json);
}

static void test_options_may_come_before_the_datacenter(void **state)
{
	ctl_args_t args;
	char err[256];

	assert_int_equal(parse_line("force-up --reason probe-broken --json eu-west", NULL, &args,
				    err, sizeof(err)),
			 0);
	assert_int_equal(args.spec->command, CTL_CMD_FORCE_UP);
	assert_string_equal(args.positional[0], "eu-west");
	assert_true(args.json);
	assert_int_equal(args.for_ms, 0); /* default comes from the config later */
}

static void test_reason_with_spaces_is_kept_whole(void **state)
{
	char *argv[] = {(char *)"meridianctl",
			(char *)"drain",
			(char *)"us-east",
			(char *)"--reason",
			(char *)"kernel upgrade, ticket #42",
			NULL};
	ctl_args_t args;
	char err[256];

	assert_int_equal(ctl_args_parse(5, argv, NULL, &args, err, sizeof(err)), 0);
	assert_string_equal(args.reason, "kernel upgrade, ticket #42");
}

static void test_reason_with_newline_is_refused(void **state)
{
	char *argv[] = {(char *)"meridianctl", (char *)"drain",	     (char *)"us-east",
			(char *)"--reason",    (char *)"two\nlines", NULL};
	ctl_args_t args;
	char err[256];

	assert_int_equal(ctl_args_parse(5, argv, NULL, &args, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "--reason must not contain control characters (newline, tab, ...)");
}

static void test_overlong_actor_is_refused(void **state)
{
	char actor[300];
	char *argv[] = {(char *)"meridianctl", (char *)"clear", (char *)"us-east",
			(char *)"--actor",     actor,		NULL};
	ctl_args_t args;
	char err[256];

	memset(actor, 'a', sizeof(actor) - 1);
	actor[sizeof(actor) - 1] = '\0';
	assert_int_equal(ctl_args_parse(5, argv, NULL, &args, err, sizeof(err)), -1);
	assert_string_equal(err, "--actor is 299 bytes long; at most 255 are kept");
}

static void test_config_comes_from_flag_then_env_then_default(void **state)
{
	ctl_args_t args;
	char err[256];

	assert_int_equal(parse_line("status", NULL, &args, err, sizeof(err)), 0);
	assert_string_equal(args.config_path, CTL_DEFAULT_CONFIG);
	assert_int_equal(parse_line("status", "/env/m.yaml", &args, err, sizeof(err)), 0);
	assert_string_equal(args.config_path, "/env/m.yaml");
	assert_int_equal(parse_line("status", "", &args, err, sizeof(err)), 0);
	assert_string_equal(args.config_path, CTL_DEFAULT_CONFIG);
	assert_int_equal(parse_line("-c /flag.yaml status", "/env/m.yaml", &args, err, sizeof(err)),
			 0);
	assert_string_equal(args.config_path, "/flag.yaml");
	assert_int_equal(
	    parse_line("status --config=/late.yaml", "/env/m.yaml", &args, err, sizeof(err)), 0);
	assert_string_equal(args.config_path, "/late.yaml");
	assert_int_equal(parse_line("-c/glued.yaml status", NULL, &args, err, sizeof(err)), 0);
	assert_string_equal(args.config_path, "/glued.yaml");
}

static void test_json_is_accepted_before_and_after_the_subcommand(void **state)
{
	ctl_args_t args;
	char err[256];

	assert_int_equal(parse_line("--json status", NULL, &args, err, sizeof(err)), 0);
	assert_true(args.json);
	assert_int_equal(parse_line("status --json", NULL, &args, err, sizeof(err)), 0);
	assert_true(args.json);
	assert_int_equal(parse_line("status", NULL, &args, err, sizeof(err)), 0);
	assert_false(args.json);
}

static void test_events_limit_defaults_to_50_and_zero_means_all(void **state)
{
	ctl_args_t args;
	char err[256];

	assert_int_equal(parse_line("events", NULL, &args, err, sizeof(err)), 0);
	assert_int_equal(args.limit, 50);
	assert_int_equal(parse_line("events --limit 0", NULL, &args, err, sizeof(err)), 0);
	assert_int_equal(args.limit, 0);
	assert_int_equal(parse_line("events --limit=7", NULL, &args, err, sizeof(err)), 0);
	assert_int_equal(args.limit, 7);
}

static void test_explain_takes_name_client_and_subnet(void **state)
{
	ctl_args_t args;
	char err[256];

	assert_int_equal(parse_line("explain www.example.com. 2001:db8::1 --subnet 48", NULL, &args,
				    err, sizeof(err)),
			 0);
	assert_int_equal(args.spec->command, CTL_CMD_EXPLAIN);
	assert_string_equal(args.positional[0], "www.example.com.");
	assert_string_equal(args.positional[1], "2001:db8::1");
	assert_int_equal(args.subnet, 48);
	assert_int_equal(
	    parse_line("explain www.example.com. 192.0.2.1", NULL, &args, err, sizeof(err)), 0);
	assert_int_equal(args.subnet, -1);
}

static void test_double_dash_ends_options(void **state)
{
	ctl_args_t args;
	char err[256];

	/* A datacenter id may not start with '-', but "--" must still work as usual. */
	assert_int_equal(parse_line("clear -- us-east", NULL, &args, err, sizeof(err)), 0);
	assert_string_equal(args.positional[0], "us-east");
}

static void test_help_forms_need_no_required_options(void **state)
{
	ctl_args_t args;
	char err[256];

	assert_int_equal(parse_line("--help", NULL, &args, err, sizeof(err)), 0);
	assert_int_equal(args.spec->command, CTL_CMD_HELP);
	assert_null(args.help_topic);
	assert_int_equal(parse_line("drain --help", NULL, &args, err, sizeof(err)), 0);
	assert_int_equal(args.spec->command, CTL_CMD_HELP);
	assert_string_equal(args.help_topic, "drain");
	assert_int_equal(parse_line("help force-up", NULL, &args, err, sizeof(err)), 0);
	assert_string_equal(args.help_topic, "force-up");
	assert_int_equal(parse_line("--version", NULL, &args, err, sizeof(err)), 0);
	assert_int_equal(args.spec->command, CTL_CMD_VERSION);
}

static void test_every_subcommand_is_in_the_help_text(void **state)
{
	static const char *const names[] = {"status", "drain",	"force-down", "force-up",
					    "clear",  "events", "explain",    "geo",
					    "peers",  "reload", "check"};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	ctl_usage_print(out, NULL);
	fclose(out);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char needle[64];

		char bare[64];

		snprintf(needle, sizeof(needle), "\n  %s ", names[i]);
		snprintf(bare, sizeof(bare), "\n  %s\n", names[i]);
		if (strstr(text, needle) == NULL && strstr(text, bare) == NULL)
			fail_msg("help lacks %s", names[i]);
		assert_non_null(ctl_command_find(names[i]));
	}
	assert_null(strstr(text, " \n")); /* no trailing blanks */
	free(text);
}

static void test_actor_prefers_the_given_name(void **state)
{
	char actor[64];

	ctl_actor_resolve("alice", actor, sizeof(actor));
	assert_string_equal(actor, "alice");
	ctl_actor_resolve(NULL, actor, sizeof(actor));
	assert_true(actor[0] != '\0'); /* some login, account or uid:N, never empty */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_usage_errors_have_exact_messages),
	    cmocka_unit_test(test_drain_with_every_option_parses),
	    cmocka_unit_test(test_options_may_come_before_the_datacenter),
	    cmocka_unit_test(test_reason_with_spaces_is_kept_whole),
	    cmocka_unit_test(test_reason_with_newline_is_refused),
	    cmocka_unit_test(test_overlong_actor_is_refused),
	    cmocka_unit_test(test_config_comes_from_flag_then_env_then_default),
	    cmocka_unit_test(test_json_is_accepted_before_and_after_the_subcommand),
	    cmocka_unit_test(test_events_limit_defaults_to_50_and_zero_means_all),
	    cmocka_unit_test(test_explain_takes_name_client_and_subnet),
	    cmocka_unit_test(test_double_dash_ends_options),
	    cmocka_unit_test(test_help_forms_need_no_required_options),
	    cmocka_unit_test(test_every_subcommand_is_in_the_help_text),
	    cmocka_unit_test(test_actor_prefers_the_given_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
