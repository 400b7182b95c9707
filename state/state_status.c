/* SPDX-License-Identifier: MIT */
/* state_status.c -- region isolation and the status tables a status page reads */
#include "config.h"

#include "state/state_status.h"
#include "state/state_internal.h"

#include <stdlib.h>
#include <string.h>


bool state_region_isolated(size_t peer_count, int64_t newest_contact_ms, int64_t started_ms,
			   int64_t now_ms, uint32_t bound_ms)
{
	if (peer_count == 0)
		return false; /* a lone region has nobody to be cut off from */
	int64_t heard = newest_contact_ms > started_ms ? newest_contact_ms : started_ms;
	return now_ms - heard > (int64_t)bound_ms;
}

int state_changelog_size(state_t *st, uint64_t *entries)
{
	*entries = 0;
	sqlite3_stmt *stmt = state_prepare(st, "SELECT COUNT(*) FROM changelog");
	if (stmt == NULL)
		return -1;
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*entries = (uint64_t)sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	return rc == SQLITE_ROW ? 0 : state_fail_sql(st, "counting the change log");
}

int state_isolation(state_t *st, const conf_t *conf, int64_t now_ms, bool *isolated,
		    int64_t *newest_contact_ms)
{
	*isolated = false;
	*newest_contact_ms = 0;
	state_peer_t *peers = NULL;
	size_t n = 0;
	if (state_peers_list(st, &peers, &n) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < conf->replication.peer_count; k++)
			if (strcmp(peers[i].region, conf->replication.peers[k].region) == 0 &&
			    peers[i].last_contact_ms > *newest_contact_ms)
				*newest_contact_ms = peers[i].last_contact_ms;
	free(peers);
	/* the store's creation stands for "started": a new region is not isolated yet */
	int64_t created = 0;
	sqlite3_stmt *stmt = state_prepare(st, "SELECT created FROM node WHERE id = 1");
	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		created = sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	*isolated = state_region_isolated(conf->replication.peer_count, *newest_contact_ms, created,
					  now_ms, conf->replication.isolated_after_ms);
	return 0;
}
