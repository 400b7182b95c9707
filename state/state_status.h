/* SPDX-License-Identifier: MIT */
/* state_status.h -- region isolation and the status tables a status page reads */
#ifndef MERIDIAN_STATE_STATUS_H
#define MERIDIAN_STATE_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/compiler.h"
#include "state/state_params.h"
#include "state/state.h"

/* Isolation: a region with peer_count peers is isolated when the newest contact with
 * any of them (or, when none came since, the start of the one judging, started_ms) is
 * more than bound_ms before now_ms (replication.isolated_after). A region without
 * peers is never isolated. */
bool state_region_isolated(size_t peer_count, int64_t newest_contact_ms, int64_t started_ms,
			   int64_t now_ms, uint32_t bound_ms) M_CONST;

/* Whether this region is isolated now (state_region_isolated() over the configured
 * peers' last contact in the peers table, the store's creation standing for the start),
 * and the newest contact with any configured peer (0: none). 0, or -1 (state_errmsg). */
int state_isolation(state_t *st, const state_params_t *params, int64_t now_ms, bool *isolated,
		    int64_t *newest_contact_ms) M_NONNULL_ALL M_WUR;

/* Recomputes this region's status tables (dc_state, record_state, region_state) from
 * the config and the store at now_ms in one write transaction, and appends a row to
 * transitions for each change: datacenter (first seen), health (the observed state),
 * override-set / override-expired / override-cleared, fail-open / fail-open-ended,
 * isolated / isolation-ended. Every configured datacenter and record gets a row; rows
 * of ones the config dropped go; transitions older than 7 days go. *changed: anything
 * but region_state.computed changed. When nothing changed and heartbeat is false,
 * nothing is committed (readers following data_version are not woken); with heartbeat,
 * computed is refreshed. 0, or -1 (state_errmsg). */
int state_status_update(state_t *st, const state_params_t *params, int64_t now_ms, bool heartbeat,
			bool *changed) M_NONNULL_ALL M_WUR;

/* Entries in the change log, every origin. */
int state_changelog_size(state_t *st, uint64_t *entries) M_NONNULL_ALL M_WUR;

#endif
