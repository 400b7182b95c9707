/* SPDX-License-Identifier: MIT */
/* repl_stats.c -- replicator counters: what was served, applied, and refused and why */
#include "config.h"

#include "replicator/repl_stats.h"

#include <inttypes.h>

int repl_stats_json(repl_stats_t *stats, repl_buf_t *out)
{
	int rc = 0;
	const char *sep = "{";
#define REPL_STATS_PRINT(name)                                                                                   \
	rc |= repl_buf_printf(out, "%s\"" #name "\":%" PRIu64, sep,                                              \
			      atomic_load_explicit(&stats->name, memory_order_relaxed));                          \
	sep = ",";
	REPL_STATS_FIELDS(REPL_STATS_PRINT)
#undef REPL_STATS_PRINT
	rc |= repl_buf_append(out, "}", 1);
	return rc ? -1 : 0;
}
