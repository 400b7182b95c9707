/* SPDX-License-Identifier: MIT */
/* state_hlc.h -- hybrid logical clock: 48-bit milliseconds << 16 | 16-bit counter */
#ifndef MERIDIAN_STATE_HLC_H
#define MERIDIAN_STATE_HLC_H

#include <stdint.h>

#include "base/compiler.h"

/* An HLC value orders every write of every region: compare as unsigned integers, ties
 * broken by origin region id. The high 48 bits are wall-clock ms since the epoch (good
 * until the year 10889), the low 16 a counter for writes within the same ms or while the
 * wall clock lags behind a value already issued or observed. These functions are pure:
 * the caller passes the clock, persists the result, and serialises callers (the store does
 * both inside its BEGIN IMMEDIATE write transaction). */

#define STATE_HLC_COUNTER_BITS 16
#define STATE_HLC_COUNTER_MAX 0xffffu
#define STATE_HLC_MS_MAX ((INT64_C(1) << 48) - 1)

/* The value for wall-clock ms and counter (ms clamped to 0..STATE_HLC_MS_MAX). */
uint64_t state_hlc_make(int64_t ms, uint16_t counter) M_CONST;
/* The millisecond part of hlc. */
int64_t state_hlc_ms(uint64_t hlc) M_CONST;
/* The counter part of hlc. */
uint16_t state_hlc_counter(uint64_t hlc) M_CONST;
/* The next value after last at wall-clock wall_ms: (wall_ms, 0) when the wall clock is
 * ahead of last, else last + 1 (the counter; its overflow borrows the next millisecond).
 * Always strictly greater than last, whatever the wall clock does. */
uint64_t state_hlc_next(uint64_t last, int64_t wall_ms) M_CONST;
/* Merges a remote value into the local high-water mark: the next local value will be
 * greater than both. */
uint64_t state_hlc_observe(uint64_t last, uint64_t remote) M_CONST;

#endif
