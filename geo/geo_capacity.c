/* SPDX-License-Identifier: MIT */
/* geo_capacity.c -- where spare capacity does not cover a failed datacenter's demand */
#include "config.h"
#include "geo/geo_capacity.h"

#include <sys/socket.h>

size_t geo_capacity_shortfalls(const geo_pick_tables_t *t, geo_capacity_short_t *out,
			       size_t max)
{
	uint16_t order[GEO_PICK_SET_MAX];
	size_t found = 0;

	for (size_t r = 0; r < t->record_count; r++) {
		const geo_pick_record_t *rec = &t->records[r];

		for (unsigned k = 0; k < rec->candidate_count; k++) {
			uint16_t d = rec->candidates[k];
			const geo_pick_dc_t *dc = &t->dcs[d];
			unsigned count = 0;

			if (d >= t->dc_count || dc->serving || dc->capacity == 0)
				continue;
			order[count++] = d;
			for (unsigned o = 0; o < rec->candidate_count && count < GEO_PICK_SET_MAX; o++)
				if (rec->candidates[o] != d)
					order[count++] = rec->candidates[o];
			geo_pick_query_t q = {.order = order,
					      .count = count,
					      .family = dc->a_count > 0 ? AF_INET : AF_INET6,
					      .client_family = AF_INET};
			geo_pick_result_t res;

			geo_pick(rec, t->dcs, t->dc_count, &q, &res);
			if (!(res.reasons & GEO_PICK_CAPACITY_SHORT))
				continue;
			if (out != NULL && found < max)
				out[found] = (geo_capacity_short_t){.record = r,
								    .dc = d,
								    .demand = res.demand,
								    .spare = res.spare};
			found++;
		}
	}
	return found;
}
