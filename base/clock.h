/* SPDX-License-Identifier: MIT */
/* clock.h -- the one millisecond clock of every program: monotonic for timers, wall for records */
#ifndef MERIDIAN_CLOCK_H
#define MERIDIAN_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC: for intervals, deadlines and timers (never goes back,
 * means nothing across processes or reboots). Thread-safe, never fails. */
int64_t clock_mono_ms(void);

/* Milliseconds since the Unix epoch (CLOCK_REALTIME): for what is stored or shown
 * (observation times, expiries, log stamps). May jump when the clock is set.
 * Thread-safe, never fails. */
int64_t clock_wall_ms(void);

#endif
