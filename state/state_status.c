/* SPDX-License-Identifier: MIT */
/* state_status.c -- region isolation and the status tables a status page reads */
#include "config.h"

#include "state/state_internal.h"

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
