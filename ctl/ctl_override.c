/* SPDX-License-Identifier: MIT */
/* ctl_override.c -- `meridianctl drain|force-down|force-up|clear`: operator overrides */
#include "config.h"

#include <string.h>

#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_override.h"
#include "ctl/ctl_state.h"
#include "state/state_verdict.h"

static state_override_action_t command_action(ctl_command_t command)
{
	switch (command) {
	case CTL_CMD_FORCE_DOWN:
		return STATE_OVERRIDE_FORCE_DOWN;
	case CTL_CMD_FORCE_UP:
		return STATE_OVERRIDE_FORCE_UP;
	default:
		return STATE_OVERRIDE_DRAIN;
	}
}

static void print_override(const ctl_args_t *args, const state_override_t *ovr, bool forced,
			   const char *safety)
{
	char until[32], span[32];

	if (args->json) {
		ctl_json_t j;

		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_bool(&j, "ok", true);
		ctl_json_kv_string(&j, "datacenter", ovr->datacenter);
		ctl_json_kv_string(&j, "action", ctl_override_action_key((int)ovr->action));
		ctl_json_kv_string(&j, "reason", ovr->reason);
		ctl_json_kv_string(&j, "actor", ovr->actor);
		ctl_json_kv_int(&j, "created_ms", ovr->created_ms);
		ctl_json_kv_int(&j, "expires_ms", ovr->expires_ms);
		ctl_json_kv_bool(&j, "forced", forced);
		ctl_json_kv_string(&j, "safety", safety);
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
		return;
	}
	printf("%s: %s by %s until %s (%s): \"%s\"\n", ovr->datacenter,
	       ctl_override_action_key((int)ovr->action), ovr->actor,
	       ctl_format_time(ovr->expires_ms, until, sizeof(until)),
	       ctl_format_duration(ovr->expires_ms - ovr->created_ms, span, sizeof(span)),
	       ovr->reason);
	if (forced)
		printf("warning: forced past the safety rule: %s\n",
		       strncmp(safety, "refused: ", 9) == 0 ? safety + 9 : safety);
}

int ctl_override_run(const ctl_args_t *args, const conf_t *conf)
{
	state_override_action_t action = command_action(args->spec->command);
	char err[1024], why[STATE_TEXT_MAX], detail[STATE_TEXT_MAX];
	state_override_t ovr;
	ctl_view_t view;
	bool forced = false;
	uint64_t for_ms;
	state_t *st;
	int dc;

	dc = ctl_datacenter_lookup(conf, args->positional[0], err, sizeof(err));
	if (dc < 0) {
		ctl_error("%s: %s", args->spec->name, err);
		return CTL_EXIT_USAGE;
	}
	st = ctl_state_open(conf, true);
	if (st == NULL)
		return CTL_EXIT_FAIL;
	if (ctl_view_load(st, conf, &view) != 0) {
		state_close(st);
		return CTL_EXIT_FAIL;
	}

	/* The rule is judged against the verdicts of this instant; an override another
	 * operator commits between this check and our write is not seen (the window is a
	 * few milliseconds, and the fail-open rule keeps answers flowing even then). */
	why[0] = '\0';
	if (state_verdict_check_override(conf, view.verdicts, (size_t)dc, action, why,
					 sizeof(why)) != 0) {
		if (!args->force) {
			/* The library's reason starts with "refused: " and names the record. */
			ctl_error("%s %s: %s; add --force to do it anyway", args->spec->name,
				  conf->datacenters[dc].name,
				  why[0] != '\0' ? why : "refused by a safety rule");
			ctl_view_free(&view);
			state_close(st);
			return CTL_EXIT_FAIL;
		}
		forced = true;
	}

	memset(&ovr, 0, sizeof(ovr));
	snprintf(ovr.datacenter, sizeof(ovr.datacenter), "%s", conf->datacenters[dc].name);
	ovr.action = action;
	snprintf(ovr.reason, sizeof(ovr.reason), "%s", args->reason);
	ctl_actor_resolve(args->actor, ovr.actor, sizeof(ovr.actor));
	ovr.created_ms = view.now_ms;
	for_ms = args->for_ms;
	if (for_ms == 0)
		for_ms = conf->health.override_default_ms;
	if (for_ms == 0) /* never "expires now": an override that does nothing misleads */
		for_ms = CTL_OVERRIDE_DEFAULT_MS;
	ovr.expires_ms = view.now_ms + (int64_t)for_ms;
	ctl_view_free(&view);

	if (state_override_put(st, &ovr) != 0) {
		ctl_error("%s %s: cannot write the override: %s", args->spec->name, ovr.datacenter,
			  state_errmsg(st));
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	if (forced) {
		/* state_override_put's audit event records the override itself; this one
		 * records that a safety rule was overridden, and which. */
		snprintf(detail, sizeof(detail), "forced past the safety rule: %.200s",
			 strncmp(why, "refused: ", 9) == 0 ? why + 9 : why);
		if (state_event_append(st, ovr.actor, "forced", ovr.datacenter, ovr.reason,
				       detail) != 0)
			ctl_error("warning: override set but the forced audit event failed: %s",
				  state_errmsg(st));
	}
	state_close(st);
	print_override(args, &ovr, forced, forced ? why : NULL);
	return CTL_EXIT_OK;
}

int ctl_override_clear_run(const ctl_args_t *args, const conf_t *conf)
{
	char err[1024], actor[STATE_TEXT_MAX], previous[3 * STATE_TEXT_MAX];
	const state_override_t *live;
	ctl_view_t view;
	state_t *st;
	int dc, rc;

	dc = ctl_datacenter_lookup(conf, args->positional[0], err, sizeof(err));
	if (dc < 0) {
		ctl_error("clear: %s", err);
		return CTL_EXIT_USAGE;
	}
	st = ctl_state_open(conf, true);
	if (st == NULL)
		return CTL_EXIT_FAIL;
	if (ctl_view_load(st, conf, &view) != 0) {
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	live = ctl_view_override(&view, (size_t)dc);
	previous[0] = '\0';
	if (live != NULL)
		snprintf(previous, sizeof(previous), "%s by %s: \"%s\"",
			 ctl_override_action_key((int)live->action), live->actor, live->reason);
	ctl_view_free(&view);

	ctl_actor_resolve(args->actor, actor, sizeof(actor));
	rc = state_override_clear(st, conf->datacenters[dc].name, actor,
				  args->reason != NULL ? args->reason : "");
	if (rc < 0) {
		ctl_error("clear %s: cannot clear the override: %s", conf->datacenters[dc].name,
			  state_errmsg(st));
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	state_close(st);

	if (args->json) {
		ctl_json_t j;

		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_bool(&j, "ok", true);
		ctl_json_kv_string(&j, "datacenter", conf->datacenters[dc].name);
		ctl_json_kv_bool(&j, "cleared", rc == 0);
		ctl_json_kv_string(&j, "actor", actor);
		ctl_json_kv_string(&j, "previous", previous[0] != '\0' ? previous : NULL);
		ctl_json_object_end(&j);
		return ctl_json_finish(&j) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
	}
	/* Clearing what is not there is not a failure: the operator's goal (no override)
	 * holds, and scripts can run clear unconditionally. */
	if (rc != 0)
		printf("%s: no override to clear\n", conf->datacenters[dc].name);
	else if (previous[0] != '\0')
		printf("%s: override cleared by %s (was %s)\n", conf->datacenters[dc].name, actor,
		       previous);
	else
		printf("%s: override cleared by %s\n", conf->datacenters[dc].name, actor);
	return CTL_EXIT_OK;
}
