/* SPDX-License-Identifier: MIT */
/* state_hlc.c -- hybrid logical clock arithmetic (pure; persistence lives in the store) */
#include "state/state_hlc.h"

uint64_t state_hlc_make(int64_t ms, uint16_t counter)
{
	if (ms < 0)
		ms = 0;
	if (ms > STATE_HLC_MS_MAX)
		ms = STATE_HLC_MS_MAX;
	return ((uint64_t)ms << STATE_HLC_COUNTER_BITS) | counter;
}

int64_t state_hlc_ms(uint64_t hlc)
{
	return (int64_t)(hlc >> STATE_HLC_COUNTER_BITS);
}

uint16_t state_hlc_counter(uint64_t hlc)
{
	return (uint16_t)(hlc & STATE_HLC_COUNTER_MAX);
}

uint64_t state_hlc_next(uint64_t last, int64_t wall_ms)
{
	uint64_t wall = state_hlc_make(wall_ms, 0);

	if (wall > last)
		return wall;
	/* The wall clock is at or behind what we issued: count. A full counter carries
	 * into the millisecond bits, i.e. borrows the next millisecond early; the wall
	 * clock catches up with it soon after. */
	M_ASSERT(last < UINT64_MAX); /* "always strictly greater than last" */
	return last + 1;
}

uint64_t state_hlc_observe(uint64_t last, uint64_t remote)
{
	return remote > last ? remote : last;
}
