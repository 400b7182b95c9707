/* SPDX-License-Identifier: MIT */
/* timefmt.c -- durations and instants written the way operators read them */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "base/timefmt.h"

const char *timefmt_duration(int64_t ms, char *buf, size_t len)
{
	const char *sign = "";
	uint64_t v;

	if (ms < 0) {
		sign = "-";
		v = (uint64_t)0 - (uint64_t)ms;
	} else {
		v = (uint64_t)ms;
	}
	if (v < 1000)
		snprintf(buf, len, "%s%" PRIu64 "ms", sign, v);
	else if (v < 60000)
		snprintf(buf, len, "%s%" PRIu64 "s", sign, v / 1000);
	else if (v < 3600000)
		snprintf(buf, len, "%s%" PRIu64 "m%02" PRIu64 "s", sign, v / 60000, v / 1000 % 60);
	else if (v < 86400000)
		snprintf(buf, len, "%s%" PRIu64 "h%02" PRIu64 "m", sign, v / 3600000,
			 v / 60000 % 60);
	else
		snprintf(buf, len, "%s%" PRIu64 "d%02" PRIu64 "h", sign, v / 86400000,
			 v / 3600000 % 24);
	return buf;
}

const char *timefmt_iso(int64_t ms, char *buf, size_t len)
{
	time_t secs;
	struct tm tm;

	if (ms == 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	secs = (time_t)(ms / 1000);
	if (gmtime_r(&secs, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%" PRId64 "ms", ms);
	return buf;
}
