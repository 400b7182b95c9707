/* SPDX-License-Identifier: MIT */
/* ctl_main.c -- meridianctl: the operator's command line, dispatching to subcommands */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "ctl/ctl_args.h"
#include "ctl/ctl_config.h"
#include "ctl/ctl_drift.h"
#include "ctl/ctl_events.h"
#include "ctl/ctl_peers.h"
#include "ctl/ctl_explain.h"
#include "ctl/ctl_geo.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_override.h"
#include "ctl/ctl_plan.h"
#include "ctl/ctl_stats.h"
#include "ctl/ctl_status.h"
#include "ctl/ctl_weight.h"
#include "ctl/ctl_zones.h"

/* Commands that need the config run here once it is loaded; a config that does not
 * load stops every one of them (exit 1), so nothing acts on a half-read file. */
static int dispatch(const ctl_args_t *args, const conf_t *conf)
{
	if (args->plan)
		return ctl_plan_run(args, conf);
	switch (args->spec->command) {
	case CTL_CMD_STATUS:
		return ctl_status_run(args, conf);
	case CTL_CMD_DRAIN:
	case CTL_CMD_FORCE_DOWN:
	case CTL_CMD_FORCE_UP:
		return ctl_override_run(args, conf);
	case CTL_CMD_CLEAR:
		return ctl_override_clear_run(args, conf);
	case CTL_CMD_WEIGHT:
		return ctl_weight_run(args, conf);
	case CTL_CMD_EVENTS:
		return ctl_events_run(args, conf);
	case CTL_CMD_EXPLAIN:
		return ctl_explain_run(args, conf);
	case CTL_CMD_GEO:
		return ctl_geo_run(args, conf);
	case CTL_CMD_PEERS:
		return ctl_peers_run(args, conf);
	case CTL_CMD_RELOAD:
		return ctl_reload_run(args, conf);
	case CTL_CMD_STATS:
		return ctl_stats_run(args, conf);
	case CTL_CMD_DIFF:
		return ctl_diff_run(args, conf);
	case CTL_CMD_ZONES:
		return ctl_zones_run(args, conf);
	default:
		ctl_error("internal error: subcommand %s has no handler", args->spec->name);
		return CTL_EXIT_FAIL;
	}
}

int main(int argc, char **argv)
{
	char err[1024];
	char *errors = NULL;
	ctl_args_t args;
	conf_t *conf;
	int rc;

	if (ctl_args_parse(argc, argv, getenv("MERIDIAN_CONFIG"), &args, err, sizeof(err)) != 0) {
		ctl_error("%s", err);
		/* `status` is a monitoring check: whatever goes wrong is UNKNOWN (3), since 2
		 * would read as CRITICAL */
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "status") == 0)
				return CTL_STATUS_UNKNOWN;
		return CTL_EXIT_USAGE;
	}
	switch (args.spec->command) {
	case CTL_CMD_HELP:
		ctl_usage_print(stdout,
				args.help_topic != NULL ? ctl_command_find(args.help_topic) : NULL);
		return CTL_EXIT_OK;
	case CTL_CMD_VERSION:
		daemon_cli_version("meridianctl", stdout);
		return CTL_EXIT_OK;
	case CTL_CMD_CHECK:
		if (args.positional_count > 0)
			return ctl_check_candidate_run(&args, args.positional[0]);
		return ctl_check_run(&args);
	default:
		break;
	}

	conf = conf_load(args.config_path, &errors);
	if (conf == NULL) {
		ctl_error("%s: config invalid, nothing done:", args.config_path);
		fprintf(stderr, "%s", errors != NULL ? errors : "");
		if (errors != NULL && errors[0] != '\0' && errors[strlen(errors) - 1] != '\n')
			fputc('\n', stderr);
		free(errors);
		return args.spec->command == CTL_CMD_STATUS ? CTL_STATUS_UNKNOWN : CTL_EXIT_FAIL;
	}
	rc = dispatch(&args, conf);
	if (fflush(stdout) != 0 && (rc == CTL_EXIT_OK || args.spec->command == CTL_CMD_STATUS)) {
		ctl_error("cannot write output");
		rc = args.spec->command == CTL_CMD_STATUS ? CTL_STATUS_UNKNOWN : CTL_EXIT_FAIL;
	}
	conf_free(conf);
	return rc;
}
