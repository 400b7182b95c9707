/* SPDX-License-Identifier: MIT */
/* state_load.c -- datacenters' live load as each region read it: replicated rows */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"
#include "state/state_load.h"

/* Readings go through the change log like observations (state_changelog.c: the table
 * "loads"), so every region holds every region's reading; which one counts is decided
 * by the reader (state_load_current), never replicated. */

int state_load_put(state_t *st, const state_load_t *load)
{
	char key[2 * STATE_NAME_MAX];
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;

	if (!state_name_valid(load->datacenter))
		return state_fail(st, "invalid datacenter name '%.60s'", load->datacenter);
	if (load->ok && load->value_milli < 0)
		return state_fail(st, "load of %s: negative value", load->datacenter);
	snprintf(key, sizeof(key), "%s/%s", st->region, load->datacenter);
	if (state_tx_begin(st) < 0)
		return -1;
	if (state_change_next(st, &hlc, &seq) < 0)
		goto fail;
	stmt = state_prepare(
	    st, "INSERT INTO loads (checker, datacenter, value_milli, ok, detail, measured, hlc,"
		" origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?1)"
		" ON CONFLICT (checker, datacenter) DO UPDATE SET value_milli = excluded.value_milli,"
		" ok = excluded.ok, detail = excluded.detail, measured = excluded.measured,"
		" hlc = excluded.hlc, origin = excluded.origin");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, load->datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, load->ok ? load->value_milli : 0);
	sqlite3_bind_int(stmt, 4, load->ok ? 1 : 0);
	sqlite3_bind_text(stmt, 5, load->ok ? "" : load->detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, load->measured_ms);
	sqlite3_bind_int64(stmt, 7, (int64_t)hlc);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_release(st, stmt);
		state_fail_sql(st, "load");
		goto fail;
	}
	state_release(st, stmt);
	if (state_change_record(st, "loads", key, hlc, seq) < 0)
		goto fail;
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}

int state_loads_list(state_t *st, state_load_t **out, size_t *count)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT checker, datacenter, value_milli, ok, detail,"
					       " measured, hlc, origin FROM loads"
					       " ORDER BY datacenter, checker");
	state_load_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_load_t *grown = realloc(list, (n + 1) * sizeof(*list)), *l;

		if (!grown) {
			free(list);
			state_release(st, stmt);
			return state_fail(st, "loads: out of memory");
		}
		list = grown;
		l = &list[n++];
		memset(l, 0, sizeof(*l));
		state_copy(l->checker, sizeof(l->checker), (const char *)sqlite3_column_text(stmt, 0));
		state_copy(l->datacenter, sizeof(l->datacenter),
			   (const char *)sqlite3_column_text(stmt, 1));
		l->value_milli = sqlite3_column_int64(stmt, 2);
		l->ok = sqlite3_column_int(stmt, 3) != 0;
		state_copy(l->detail, sizeof(l->detail), (const char *)sqlite3_column_text(stmt, 4));
		l->measured_ms = sqlite3_column_int64(stmt, 5);
		l->hlc = (uint64_t)sqlite3_column_int64(stmt, 6);
		state_copy(l->origin, sizeof(l->origin), (const char *)sqlite3_column_text(stmt, 7));
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "loads");
	}
	*out = list;
	*count = n;
	return 0;
}

bool state_load_current(const state_load_t *loads, size_t count, const char *datacenter,
			int64_t now_ms, int64_t max_age_ms, double *value, const state_load_t **from)
{
	const state_load_t *best = NULL;

	for (size_t i = 0; loads != NULL && i < count; i++) {
		const state_load_t *l = &loads[i];

		if (!l->ok || strcmp(l->datacenter, datacenter) != 0)
			continue;
		if (max_age_ms > 0 && now_ms - l->measured_ms > max_age_ms)
			continue;
		if (best == NULL || l->measured_ms > best->measured_ms)
			best = l;
	}
	if (best == NULL)
		return false;
	*value = (double)best->value_milli / 1000.0;
	if (from != NULL)
		*from = best;
	return true;
}

int64_t state_load_max_age(const state_params_t *params, size_t dc)
{
	const state_params_dc_t *d = &params->datacenters[dc];

	return d->has_load ? 2 * (int64_t)d->load_heartbeat_ms : 0;
}

bool state_load_for_pick(const state_params_t *params, size_t dc, const state_load_t *loads,
			 size_t count, int64_t now_ms, uint32_t *value)
{
	double v;

	if (dc >= params->datacenter_count || !params->datacenters[dc].has_load ||
	    !state_load_current(loads, count, params->datacenters[dc].name, now_ms,
				state_load_max_age(params, dc), &v, NULL))
		return false;
	*value = v >= 4294967295.0 ? UINT32_MAX : (uint32_t)(v + 0.5);
	return true;
}
