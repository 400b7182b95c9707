/* SPDX-License-Identifier: MIT */
/* state_capacity.h -- capacity shortfalls as this region's status thread finds them */
#ifndef MERIDIAN_STATE_CAPACITY_H
#define MERIDIAN_STATE_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "state/state.h"

/* One record whose failed datacenter's clients spill past the others' spare capacity. */
typedef struct {
	char record[STATE_TEXT_MAX];	 /* the geo record */
	char datacenter[STATE_NAME_MAX]; /* the datacenter not serving */
	uint64_t demand;		 /* its demand (live load, else capacity) */
	uint64_t spare;			 /* the spare capacity of the datacenters after it */
} state_capacity_t;

/* Replaces the table capacity_state (local, never replicated; view status_capacity) with
 * rows[0..n), keeping each row's since when it was there before; appends a transition
 * ("capacity-short", "capacity-short-ended") for each row that comes or goes. *changed
 * says whether anything did. One transaction; nothing committed when nothing changed. */
int state_capacity_update(state_t *st, const state_capacity_t *rows, size_t n, int64_t now_ms,
			  bool *changed) M_NONNULL(1, 5) M_WUR;

#endif
