/* SPDX-License-Identifier: MIT */
/* ctl_peers.c -- `meridianctl peers`: the links to other regions, their progress and drift */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_peers.h"
#include "base/timefmt.h"
#include "state/state_status.h"
#include "bridge/bridge_state.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_state.h"

static const state_peer_t *peer_find(const state_peer_t *peers, size_t count, const char *region)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(peers[i].region, region) == 0)
			return &peers[i];
	return NULL;
}

/* The peer's progress per origin, as reported at its last exchange. */
static void peer_origins_json(ctl_json_t *j, const char *region, const ctl_peer_origins_t *po)
{
	ctl_json_key(j, "origins");
	ctl_json_array_begin(j);
	for (size_t i = 0; i < po->count; i++) {
		const state_peer_origin_t *r = &po->rows[i];

		if (strcmp(r->peer, region) != 0)
			continue;
		ctl_json_object_begin(j);
		ctl_json_kv_string(j, "origin", r->origin);
		ctl_json_kv_uint(j, "behind", r->behind);
		ctl_json_key(j, "lag_ms");
		if (r->lag_ms < 0)
			ctl_json_null(j);
		else
			ctl_json_int(j, r->lag_ms);
		ctl_json_kv_uint(j, "peer_seq", r->peer_seq);
		ctl_json_kv_uint(j, "local_seq", r->local_seq);
		ctl_json_key(j, "newest_hlc");
		if (r->newest_hlc == 0)
			ctl_json_null(j);
		else
			ctl_json_uint(j, r->newest_hlc);
		ctl_json_kv_int(j, "updated_ms", r->updated_ms);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
}

/* One continuation row per origin under the peer's row: entries behind in the URL column,
 * the origin's lag in the LAG column. */
static void peer_origin_rows(ctl_table_t *table, const char *region, const ctl_peer_origins_t *po)
{
	for (size_t i = 0; i < po->count; i++) {
		const state_peer_origin_t *r = &po->rows[i];
		char origin[STATE_NAME_MAX + 16], behind[96], lag[32] = "-";

		if (strcmp(r->peer, region) != 0)
			continue;
		snprintf(origin, sizeof(origin), "  origin %s", r->origin);
		snprintf(behind, sizeof(behind), "%llu behind (seq %llu, here %llu)",
			 (unsigned long long)r->behind, (unsigned long long)r->peer_seq,
			 (unsigned long long)r->local_seq);
		if (r->lag_ms >= 0)
			timefmt_duration(r->lag_ms, lag, sizeof(lag));
		ctl_table_row(table, (const char *const[]){origin, behind, "", lag, "", ""});
	}
}

static void peer_json(ctl_json_t *j, const char *region, const char *url, const state_peer_t *p,
		      bool configured, const ctl_peer_origins_t *po)
{
	ctl_json_object_begin(j);
	ctl_json_kv_string(j, "region", region);
	ctl_json_kv_string(j, "url", url);
	ctl_json_kv_bool(j, "configured", configured);
	ctl_json_kv_int(j, "last_contact_ms", p != NULL ? p->last_contact_ms : 0);
	ctl_json_key(j, "lag_ms");
	if (p == NULL || p->lag_ms < 0)
		ctl_json_null(j);
	else
		ctl_json_int(j, p->lag_ms);
	ctl_json_kv_int(j, "errors", p != NULL ? p->errors : 0);
	ctl_json_kv_int(j, "last_error_ms", p != NULL ? p->last_error_ms : 0);
	ctl_json_kv_string(j, "last_error", p != NULL ? p->last_error : "");
	peer_origins_json(j, region, po);
	ctl_json_object_end(j);
}

static void peer_row(ctl_table_t *table, const char *region, const char *url, const state_peer_t *p,
		     int64_t now_ms, const ctl_peer_origins_t *po)
{
	char contact[48] = "never", lag[32] = "-", errors[32] = "0",
	     last_error[STATE_TEXT_MAX + 48] = "";
	char span[32];

	if (p != NULL) {
		if (p->last_contact_ms != 0)
			snprintf(
			    contact, sizeof(contact), "%s ago",
			    timefmt_duration(now_ms - p->last_contact_ms, span, sizeof(span)));
		if (p->lag_ms >= 0)
			timefmt_duration(p->lag_ms, lag, sizeof(lag));
		snprintf(errors, sizeof(errors), "%lld", (long long)p->errors);
		if (p->last_error[0] != '\0')
			snprintf(last_error, sizeof(last_error), "%s ago: %s",
				 timefmt_duration(now_ms - p->last_error_ms, span, sizeof(span)),
				 p->last_error);
	}
	ctl_table_row(table, (const char *const[]){region, url, contact, lag, errors,
						   last_error[0] != '\0' ? last_error : NULL});
	peer_origin_rows(table, region, po);
}

int ctl_peers_print(FILE *out, bool json, const conf_t *conf, const state_peer_t *peers,
		    size_t count, int64_t now_ms)
{
	return ctl_peers_print_origins(out, json, conf, peers, count, NULL, now_ms);
}

int ctl_peers_print_origins(FILE *out, bool json, const conf_t *conf, const state_peer_t *peers,
			    size_t count, const ctl_peer_origins_t *origins, int64_t now_ms)
{
	return ctl_peers_print_drift(out, json, conf, peers, count, origins, now_ms, NULL, NULL);
}

/* The rows of status_divergences as a JSON array: {"peer", "table", "origin",
 * "local_digest", "peer_digest" (null: unknown), "detected", "repaired" (null: never),
 * "resolved", "count"}. Times are the view's ISO 8601 text. */
static void divergences_json(ctl_json_t *j, state_t *st)
{
	sqlite3_stmt *stmt = NULL;

	ctl_json_key(j, "divergences");
	ctl_json_array_begin(j);
	if (sqlite3_prepare_v2(state_db(st),
			       "SELECT peer, table_name, origin, local_digest, NULLIF(peer_digest, ''),"
			       " detected, repaired, resolved, count FROM status_divergences",
			       -1, &stmt, NULL) == SQLITE_OK) {
		static const char *const keys[] = {"peer",	   "table",	  "origin",
						   "local_digest", "peer_digest", "detected",
						   "repaired"};
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			ctl_json_object_begin(j);
			for (int i = 0; i < (int)M_ARRAY_LEN(keys); i++)
				ctl_json_kv_string(j, keys[i],
						   (const char *)sqlite3_column_text(stmt, i));
			ctl_json_kv_bool(j, "resolved", sqlite3_column_int(stmt, 7) != 0);
			ctl_json_kv_int(j, "count", sqlite3_column_int64(stmt, 8));
			ctl_json_object_end(j);
		}
	}
	sqlite3_finalize(stmt);
	ctl_json_array_end(j);
}

int ctl_peers_print_drift(FILE *out, bool json, const conf_t *conf, const state_peer_t *peers,
			  size_t count, const ctl_peer_origins_t *origins, int64_t now_ms,
			  state_t *st, const ctl_drift_t *drift)
{
	static const ctl_peer_origins_t none = {NULL, 0, false, 0};
	const ctl_peer_origins_t *po = origins != NULL ? origins : &none;
	ctl_table_t table;
	ctl_json_t j;
	int rc;

	if (json) {
		ctl_json_init(&j, out);
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "region", conf->region);
		ctl_json_kv_int(&j, "now_ms", now_ms);
		ctl_json_key(&j, "peers");
		ctl_json_array_begin(&j);
	} else {
		ctl_table_init(&table, 6);
		ctl_table_row(&table, (const char *const[]){"PEER", "URL", "LAST CONTACT", "LAG",
							    "ERRORS", "LAST ERROR"});
	}
	/* Configured peers first, in config order; then any the store knows that the
	 * config no longer names (a peer removed but still remembered). */
	for (size_t i = 0; i < conf->replication.peer_count; i++) {
		const conf_peer_t *cp = &conf->replication.peers[i];
		const state_peer_t *p = peer_find(peers, count, cp->region);

		if (json)
			peer_json(&j, cp->region, cp->url, p, true, po);
		else
			peer_row(&table, cp->region, cp->url, p, now_ms, po);
	}
	for (size_t i = 0; i < count; i++) {
		bool configured = false;

		for (size_t k = 0; k < conf->replication.peer_count; k++)
			if (strcmp(conf->replication.peers[k].region, peers[i].region) == 0)
				configured = true;
		if (configured)
			continue;
		if (json)
			peer_json(&j, peers[i].region, peers[i].url, &peers[i], false, po);
		else
			peer_row(&table, peers[i].region, peers[i].url, &peers[i], now_ms, po);
	}
	if (json) {
		ctl_json_array_end(&j);
		ctl_json_kv_bool(&j, "isolated", po->isolated);
		ctl_json_key(&j, "last_peer_contact_ms");
		if (po->contact_ms == 0)
			ctl_json_null(&j);
		else
			ctl_json_int(&j, po->contact_ms);
		if (st != NULL && drift != NULL)
			ctl_drift_json(&j, st, drift);
		if (st != NULL)
			divergences_json(&j, st);
		ctl_json_object_end(&j);
		return ctl_json_finish(&j);
	}
	if (table.rows == 1)
		fprintf(out, "no replication peers configured or known\n");
	rc = table.rows == 1 ? 0 : ctl_table_print(&table, out);
	ctl_table_free(&table);
	if (po->isolated) {
		char span[32], bound[32];
		if (po->contact_ms == 0)
			fprintf(out, "\nisolated: no peer ever heard from");
		else
			fprintf(out, "\nisolated: no peer heard from for %s",
				timefmt_duration(now_ms - po->contact_ms, span, sizeof(span)));
		fprintf(out, " (replication.isolated_after %s)\n",
			timefmt_duration(conf->replication.isolated_after_ms, bound, sizeof(bound)));
	}
	if (rc == 0 && st != NULL && drift != NULL)
		rc = ctl_drift_print_deployments(out, state_db(st), drift);
	return rc;
}

/* Digests found to differ (view status_divergences): never silent. */
static void divergences_print(FILE *out, state_t *st)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(state_db(st),
			       "SELECT peer, table_name, origin, local_digest, peer_digest, detected,"
			       " COALESCE(repaired, ''), resolved, count FROM status_divergences",
			       -1, &stmt, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *c[9];

		for (int i = 0; i < 9; i++) {
			c[i] = (const char *)sqlite3_column_text(stmt, i);
			if (c[i] == NULL)
				c[i] = "";
		}
		fprintf(out,
			"divergence: peer %s, %s rows of origin %s: ours %s, %s %s; detected %s"
			" (%s times), %s\n",
			c[0], c[1], c[2], c[3], strcmp(c[0], "(local)") == 0 ? "expected" : "theirs",
			c[4][0] ? c[4] : "-", c[5], c[8],
			strcmp(c[7], "1") == 0 ? "repaired" : "NOT REPAIRED");
	}
	sqlite3_finalize(stmt);
}

int ctl_peers_run(const ctl_args_t *args, const conf_t *conf)
{
	state_peer_t *peers = NULL;
	ctl_peer_origins_t origins = {NULL, 0, false, 0};
	size_t count = 0;
	state_t *st;
	int rc;

	st = ctl_state_open(conf, false);
	if (st == NULL)
		return CTL_EXIT_FAIL;
	if (state_peers_list(st, &peers, &count) != 0) {
		ctl_error("peers: cannot read the peers table: %s", state_errmsg(st));
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	if (state_peer_origins_list(st, &origins.rows, &origins.count) != 0) {
		ctl_error("peers: cannot read the peer_origins table: %s", state_errmsg(st));
		free(peers);
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	state_params_t *params = bridge_state_params_new(conf);
	rc = params == NULL ? -1
			    : state_isolation(st, params, state_now_ms(st), &origins.isolated,
					      &origins.contact_ms);
	bool oom = params == NULL;
	bridge_state_params_free(params);
	if (rc != 0) {
		ctl_error("peers: cannot judge isolation: %s",
			  oom ? "out of memory" : state_errmsg(st));
		free(origins.rows);
		free(peers);
		state_close(st);
		return CTL_EXIT_FAIL;
	}
	ctl_drift_t drift;

	ctl_drift_load(st, conf, &drift);
	rc = ctl_peers_print_drift(stdout, args->json, conf, peers, count, &origins,
				   state_now_ms(st), st, &drift);
	ctl_drift_free(&drift);
	if (rc == 0 && !args->json)
		divergences_print(stdout, st);
	free(origins.rows);
	free(peers);
	state_close(st);
	return rc == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}
