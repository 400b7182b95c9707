/* SPDX-License-Identifier: MIT */
/* timefmt.h -- durations and instants written the way operators read them */
#ifndef MERIDIAN_TIMEFMT_H
#define MERIDIAN_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* Writes a duration in ms with two units at most, rounded down: "850ms", "3s", "2m05s",
 * "1h02m", "3d04h". Negative values get a leading '-'. Returns buf. (Config durations,
 * which must parse back exactly, are conf_duration_format's business.) */
const char *timefmt_duration(int64_t ms, char *buf, size_t len) M_NONNULL_ALL;
/* Writes an instant in ms since the epoch as UTC "2026-11-29T03:10:00Z" (whole seconds);
 * 0 gives "never". Returns buf. */
const char *timefmt_iso(int64_t ms, char *buf, size_t len) M_NONNULL_ALL;

#endif
