/* SPDX-License-Identifier: MIT */
/* geo_conf.c -- adapter from conf_t to the geo library's plain structs */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo_addr.h"
#include "geo/geo_conf.h"

int geo_conf_input(const conf_t *conf, geo_conf_input_t *in, char *err, size_t errlen)
{
	size_t maps = 0, nets = 0;

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < conf->record_count; i++) {
		maps += conf->records[i].map_count;
		nets += conf->records[i].net_count;
	}
	in->dcs = calloc(conf->datacenter_count + 1, sizeof(*in->dcs));
	in->rules = calloc(conf->record_count + 1, sizeof(*in->rules));
	in->maps = calloc(maps + 1, sizeof(*in->maps));
	in->nets = calloc(nets + 1, sizeof(*in->nets));
	if (!in->dcs || !in->rules || !in->maps || !in->nets) {
		snprintf(err, errlen, "out of memory");
		geo_conf_input_free(in);
		return -1;
	}
	in->dc_count = conf->datacenter_count;
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const conf_datacenter_t *d = &conf->datacenters[i];
		in->dcs[i] = (geo_dc_t){d->name, d->has_location, d->latitude, d->longitude};
	}
	geo_map_rule_t *m = in->maps;
	geo_net_rule_t *n = in->nets;
	in->rule_count = conf->record_count;
	for (size_t i = 0; i < conf->record_count; i++) {
		const conf_record_t *r = &conf->records[i];
		geo_rules_t *g = &in->rules[i];
		g->candidates = r->datacenters;
		g->candidate_count = r->datacenter_count;
		g->default_order = conf->default_order;
		g->default_count = conf->default_order_count;
		/* entry splits are numbered per record, map entries first then nets, as
		 * geo_pick_tables_build() lays out entry_splits */
		unsigned split = 0;
		g->map = m;
		g->map_count = r->map_count;
		for (size_t k = 0; k < r->map_count; k++)
			*m++ = (geo_map_rule_t){r->map[k].key, r->map[k].datacenters, r->map[k].count,
						r->map[k].weight_count > 0 ? ++split : 0};
		g->nets = n;
		g->net_count = r->net_count;
		for (size_t k = 0; k < r->net_count; k++, n++) {
			char why[256];
			*n = (geo_net_rule_t){.key = r->nets[k].key,
					      .dcs = r->nets[k].datacenters,
					      .count = r->nets[k].count,
					      .split = r->nets[k].weight_count > 0 ? ++split : 0};
			if (geo_net_parse(r->nets[k].key, &n->family, n->addr, &n->prefix, why,
					  sizeof(why)) < 0) {
				snprintf(err, errlen, "records.\"%s\".nets: %s", r->name, why);
				geo_conf_input_free(in);
				return -1;
			}
		}
	}
	return 0;
}

void geo_conf_input_free(geo_conf_input_t *in)
{
	free(in->dcs);
	free(in->rules);
	free(in->maps);
	free(in->nets);
	memset(in, 0, sizeof(*in));
}
