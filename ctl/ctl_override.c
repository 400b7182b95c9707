/* SPDX-License-Identifier: MIT */
/* ctl_override.c -- `meridianctl drain|force-down|force-up|clear`: operator overrides */
#include "config.h"

#include <string.h>

#include "bridge/bridge_state.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_override.h"
#include "ctl/ctl_state.h"
#include "state/state_guard.h"

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

/* The rule's text without the library's "refused: " prefix, for warnings. */
static const char *rule_text(const char *why)
{
	return strncmp(why, "refused: ", 9) == 0 ? why + 9 : why;
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
		ctl_json_kv_string(&j, "action", state_override_action_name(ovr->action));
		ctl_json_kv_string(&j, "reason", ovr->reason);
		ctl_json_kv_string(&j, "actor", ovr->actor);
		ctl_json_kv_int(&j, "created_ms", ovr->created_ms);
		ctl_json_kv_int(&j, "starts_ms",
				ovr->starts_ms != 0 ? ovr->starts_ms : ovr->created_ms);
		ctl_json_kv_bool(&j, "scheduled", ovr->starts_ms != 0);
		ctl_json_kv_int(&j, "expires_ms", ovr->expires_ms);
		ctl_json_kv_bool(&j, "forced", forced);
		ctl_json_kv_string(&j, "safety", safety);
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
		return;
	}
	if (ovr->starts_ms != 0) {
		char from[32], wait[32];

		printf("%s: %s by %s scheduled from %s (in %s) until %s (%s): \"%s\"\n",
		       ovr->datacenter, state_override_action_name(ovr->action), ovr->actor,
		       timefmt_iso(ovr->starts_ms, from, sizeof(from)),
		       timefmt_duration(ovr->starts_ms - ovr->created_ms, wait, sizeof(wait)),
		       timefmt_iso(ovr->expires_ms, until, sizeof(until)),
		       timefmt_duration(ovr->expires_ms - ovr->starts_ms, span, sizeof(span)),
		       ovr->reason);
	} else {
		printf("%s: %s by %s until %s (%s): \"%s\"\n", ovr->datacenter,
		       state_override_action_name(ovr->action), ovr->actor,
		       timefmt_iso(ovr->expires_ms, until, sizeof(until)),
		       timefmt_duration(ovr->expires_ms - ovr->created_ms, span, sizeof(span)),
		       ovr->reason);
	}
	if (forced)
		printf("warning: forced past the safety rule: %s\n", rule_text(safety));
}

int ctl_override_run(const ctl_args_t *args, const conf_t *conf)
{
	state_override_action_t action = command_action(args->spec->command);
	char err[1024], why[STATE_TEXT_MAX];
	state_override_t ovr;
	uint64_t for_ms;
	state_t *st;
	int dc, rc;

	dc = ctl_datacenter_lookup(conf, args->positional[0], err, sizeof(err));
	if (dc < 0) {
		ctl_error("%s: %s", args->spec->name, err);
		return CTL_EXIT_USAGE;
	}
	st = ctl_state_open(conf, true);
	if (st == NULL)
		return CTL_EXIT_FAIL;

	memset(&ovr, 0, sizeof(ovr));
	snprintf(ovr.datacenter, sizeof(ovr.datacenter), "%s", conf->datacenters[dc].name);
	ovr.action = action;
	snprintf(ovr.reason, sizeof(ovr.reason), "%s", args->reason);
	ctl_actor_resolve(args->actor, ovr.actor, sizeof(ovr.actor));
	ovr.created_ms = state_now_ms(st);
	for_ms = args->for_ms;
	if (for_ms == 0)
		for_ms = conf->health.override_default_ms;
	if (for_ms == 0) /* never "expires now": an override that does nothing misleads */
		for_ms = CTL_OVERRIDE_DEFAULT_MS;
	/* --at: a start after now schedules the override (state_override_active decides,
	 * everywhere, from starts_ms); --for counts from the start. */
	if (args->given & CTL_OPT_AT) {
		int64_t at = args->at_relative ? ovr.created_ms + args->at_ms : args->at_ms;

		if (!args->at_relative && at <= ovr.created_ms) {
			char when[32];

			ctl_error("%s %s: --at %s is not in the future", args->spec->name,
				  ovr.datacenter, timefmt_iso(at, when, sizeof(when)));
			state_close(st);
			return CTL_EXIT_USAGE;
		}
		if (at > ovr.created_ms)
			ovr.starts_ms = at;
	}
	ovr.expires_ms = (ovr.starts_ms != 0 ? ovr.starts_ms : ovr.created_ms) + (int64_t)for_ms;

	/* The rule is judged and the override written in one transaction, so another
	 * operator's override committed meanwhile is part of the judgement. */
	state_params_t *params = bridge_state_params_new(conf);
	rc = params == NULL
		 ? -1
		 : state_override_put_guarded(st, params, &ovr, args->force, why, sizeof(why));
	bool oom = params == NULL;
	bridge_state_params_free(params);
	if (rc < 0) {
		ctl_error("%s %s: cannot write the override: %s", args->spec->name, ovr.datacenter,
			  oom ? "out of memory" : state_errmsg(st));
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	state_close(st);
	if (rc == STATE_GUARD_REFUSED) {
		/* The library's reason starts with "refused: " and names the record. */
		ctl_error("%s %s: %s; add --force to do it anyway", args->spec->name,
			  ovr.datacenter, why[0] != '\0' ? why : "refused by a safety rule");
		return CTL_EXIT_FAIL;
	}
	print_override(args, &ovr, rc == STATE_GUARD_FORCED, rc == STATE_GUARD_FORCED ? why : NULL);
	return CTL_EXIT_OK;
}

static void print_clear(const ctl_args_t *args, const char *datacenter, const char *actor,
			const char *previous, int rc, const char *why)
{
	if (args->json) {
		ctl_json_t j;

		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_bool(&j, "ok", true);
		ctl_json_kv_string(&j, "datacenter", datacenter);
		ctl_json_kv_bool(&j, "cleared", rc != STATE_GUARD_NOTHING);
		ctl_json_kv_string(&j, "actor", actor);
		ctl_json_kv_string(&j, "previous", previous[0] != '\0' ? previous : NULL);
		ctl_json_kv_bool(&j, "forced", rc == STATE_GUARD_FORCED);
		ctl_json_kv_string(&j, "safety", rc == STATE_GUARD_FORCED ? why : NULL);
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
		return;
	}
	/* Clearing what is not there is not a failure: the operator's goal (no override)
	 * holds, and scripts can run clear unconditionally. */
	if (rc == STATE_GUARD_NOTHING)
		printf("%s: no override to clear\n", datacenter);
	else if (previous[0] != '\0')
		printf("%s: override cleared by %s (was %s)\n", datacenter, actor, previous);
	else
		printf("%s: override cleared by %s\n", datacenter, actor);
	if (rc == STATE_GUARD_FORCED)
		printf("warning: forced past the safety rule: %s\n", rule_text(why));
}

int ctl_override_clear_run(const ctl_args_t *args, const conf_t *conf)
{
	char err[1024], actor[STATE_TEXT_MAX], previous[3 * STATE_TEXT_MAX], why[STATE_TEXT_MAX];
	const char *name;
	state_override_t live;
	state_t *st;
	int dc, rc;

	dc = ctl_datacenter_lookup(conf, args->positional[0], err, sizeof(err));
	if (dc < 0) {
		ctl_error("clear: %s", err);
		return CTL_EXIT_USAGE;
	}
	name = conf->datacenters[dc].name;
	st = ctl_state_open(conf, true);
	if (st == NULL)
		return CTL_EXIT_FAIL;
	ctl_actor_resolve(args->actor, actor, sizeof(actor));
	/* Judged and written in one transaction, like the overrides themselves: without
	 * its override the datacenter is what its observations say. */
	state_params_t *params = bridge_state_params_new(conf);
	rc = params == NULL ? -1
			    : state_override_clear_guarded(st, params, name, actor,
							   args->reason != NULL ? args->reason : "",
							   args->force, why, sizeof(why), &live);
	bool oom = params == NULL;
	bridge_state_params_free(params);
	if (rc < 0) {
		ctl_error("clear %s: cannot clear the override: %s", name,
			  oom ? "out of memory" : state_errmsg(st));
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	state_close(st);
	if (rc == STATE_GUARD_REFUSED) {
		ctl_error("clear %s: %s; add --force to do it anyway", name,
			  why[0] != '\0' ? why : "refused by a safety rule");
		return CTL_EXIT_FAIL;
	}
	previous[0] = '\0';
	if (rc != STATE_GUARD_NOTHING && live.starts_ms != 0) {
		char from[32];

		snprintf(previous, sizeof(previous), "%s by %s scheduled from %s: \"%s\"",
			 state_override_action_name(live.action), live.actor,
			 timefmt_iso(live.starts_ms, from, sizeof(from)), live.reason);
	} else if (rc != STATE_GUARD_NOTHING) {
		snprintf(previous, sizeof(previous), "%s by %s: \"%s\"",
			 state_override_action_name(live.action), live.actor, live.reason);
	}
	print_clear(args, name, actor, previous, rc, why);
	return CTL_EXIT_OK;
}
