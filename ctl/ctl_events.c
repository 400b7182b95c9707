/* SPDX-License-Identifier: MIT */
/* ctl_events.c -- `meridianctl events`: the audit log */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_events.h"
#include "base/timefmt.h"
#include "state/state_status.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_state.h"

int ctl_events_print(FILE *out, bool json, const state_event_t *events, size_t count)
{
	ctl_table_t table;
	int rc;

	if (json) {
		ctl_json_t j;
		char when[32];

		ctl_json_init(&j, out);
		ctl_json_object_begin(&j);
		ctl_json_key(&j, "events");
		ctl_json_array_begin(&j);
		for (size_t i = 0; i < count; i++) {
			const state_event_t *e = &events[i];

			ctl_json_object_begin(&j);
			ctl_json_kv_string(&j, "time",
					   timefmt_iso(e->at_ms, when, sizeof(when)));
			ctl_json_kv_int(&j, "at_ms", e->at_ms);
			ctl_json_kv_string(&j, "origin", e->origin);
			ctl_json_kv_int(&j, "id", e->id);
			ctl_json_kv_uint(&j, "hlc", e->hlc);
			ctl_json_kv_string(&j, "actor", e->actor);
			ctl_json_kv_string(&j, "action", e->action);
			ctl_json_kv_string(&j, "datacenter", e->datacenter);
			ctl_json_kv_string(&j, "reason", e->reason);
			ctl_json_kv_string(&j, "detail", e->detail);
			ctl_json_object_end(&j);
		}
		ctl_json_array_end(&j);
		ctl_json_object_end(&j);
		return ctl_json_finish(&j);
	}
	if (count == 0) {
		fprintf(out, "no events\n");
		return 0;
	}
	ctl_table_init(&table, 6);
	ctl_table_row(&table, (const char *const[]){"TIME", "ORIGIN", "ACTOR", "ACTION",
						    "DATACENTER", "REASON"});
	for (size_t i = 0; i < count; i++) {
		const state_event_t *e = &events[i];
		char when[32], reason[2 * STATE_TEXT_MAX + 8];

		if (e->detail[0] != '\0')
			snprintf(reason, sizeof(reason), "%s%s[%s]", e->reason,
				 e->reason[0] != '\0' ? " " : "", e->detail);
		else
			snprintf(reason, sizeof(reason), "%s", e->reason);
		ctl_table_row(&table,
			      (const char *const[]){timefmt_iso(e->at_ms, when, sizeof(when)),
						    e->origin, e->actor, e->action,
						    e->datacenter[0] != '\0' ? e->datacenter : NULL,
						    reason[0] != '\0' ? reason : NULL});
	}
	rc = ctl_table_print(&table, out);
	ctl_table_free(&table);
	return rc;
}

int ctl_events_run(const ctl_args_t *args, const conf_t *conf)
{
	state_event_t *events = NULL;
	size_t count = 0;
	state_t *st;
	int rc;

	st = ctl_state_open(conf, false);
	if (st == NULL)
		return CTL_EXIT_FAIL;
	if (state_events_list(st, (size_t)args->limit, &events, &count) != 0) {
		ctl_error("events: cannot read the audit log: %s", state_errmsg(st));
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	rc = ctl_events_print(stdout, args->json, events, count);
	free(events);
	state_close(st);
	return rc == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}
