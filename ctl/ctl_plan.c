/* SPDX-License-Identifier: MIT */
/* ctl_plan.c -- `--plan`: what an override or a weight would change, without writing it */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "bridge/bridge_state.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_plan.h"
#include "ctl/ctl_state.h"
#include "state/state_guard.h"
#include "geo/geo_capacity.h"
#include "geo/geo_set.h"
#include "geo/geo_conf.h"
#include "geo/geo_db.h"
#include "geo/geo_pick_conf.h"
#include "geo/geo_trie.h"
#include "state/state_verdict.h"

/* Client networks sampled from the database (IPv4 and IPv6, spread evenly over its
 * networks). */
#define PLAN_SAMPLE 2048
/* The source prefix a network is asked with at the shortest: what resolvers send in
 * ECS by default (RFC 7871 section 11.1), and RRL's client networks. */
#define PLAN_PREFIX4 24
#define PLAN_PREFIX6 56
/* Continents a report has (AF AN AS EU NA OC SA, and "--" for none). */
#define PLAN_CONTINENTS 8
/* Examples shown per record. */
#define PLAN_EXAMPLES 5
/* Most capacity shortfalls compared. */
#define PLAN_SHORT_MAX 64

static const char *const continents[PLAN_CONTINENTS] = {"AF", "AN", "AS", "EU",
							"NA", "OC", "SA", "--"};

/* One sampled client network. */
typedef struct {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* its first address (4 bytes for IPv4) */
	unsigned prefix;  /* the source prefix asked with: the network's length, at least
			   * PLAN_PREFIX4 or PLAN_PREFIX6 */
	uint32_t loc;	  /* location index in the database */
} plan_client_t;

/* The sample: every stride-th network with a record, depth-first (so address order),
 * the IPv4 space first. */
typedef struct {
	plan_client_t *c; /* the clients */
	size_t n;	  /* entries used */
	size_t n6;	  /* of which IPv6 */
	size_t cap;	  /* entries allocated */
	size_t seen;	  /* networks with a record walked so far */
	size_t stride;	  /* keep one in stride */
} plan_sample_t;

/* One walk of the database's tree from a root. */
typedef struct {
	const uint32_t *nodes; /* the tree (geo_db_tree) */
	int family;	       /* the space walked */
	unsigned max_depth;    /* 32 or 128 */
	uint32_t skip;	       /* what ::/96 holds in the IPv6 tree: root4, not walked twice */
	uint8_t path[16];      /* the bits so far, the rest zero */
	plan_sample_t *s;      /* where the networks go */
} plan_walk_t;

static void walk(plan_walk_t *w, uint32_t v, unsigned depth)
{
	plan_sample_t *s = w->s;

	/* The IPv4 space inside the IPv6 tree (::/96, the only alias of root4 there: the
	 * other IPv4-carrying regions are empty leaves) is walked from root4 already. */
	if (w->family == AF_INET6 && depth == 96 && v == w->skip)
		return;
	if (v & GEO_TREE_LEAF) {
		uint32_t loc = v & ~GEO_TREE_LEAF;
		unsigned least = w->family == AF_INET ? PLAN_PREFIX4 : PLAN_PREFIX6;

		if (loc == 0)
			return;
		if (s->seen++ % s->stride != 0 || s->n >= s->cap)
			return;
		plan_client_t *c = &s->c[s->n++];

		c->family = w->family;
		memcpy(c->addr, w->path, sizeof(c->addr));
		c->prefix = depth < least ? least : depth;
		c->loc = loc;
		s->n6 += w->family == AF_INET6;
		return;
	}
	if (depth >= w->max_depth)
		return;
	uint8_t bit = (uint8_t)(0x80 >> (depth % 8));

	walk(w, w->nodes[2 * (size_t)v], depth + 1);
	w->path[depth / 8] |= bit;
	walk(w, w->nodes[2 * (size_t)v + 1], depth + 1);
	w->path[depth / 8] &= (uint8_t)~bit;
}

/* Samples at most PLAN_SAMPLE client networks of db, IPv4 and IPv6, evenly. */
static int sample_build(const geo_db_t *db, plan_sample_t *s)
{
	uint32_t root4, root6;
	const uint32_t *nodes = geo_db_tree(db, &root4, &root6);
	size_t total = geo_db_network_count(db);
	plan_walk_t w4 = {.nodes = nodes, .family = AF_INET, .max_depth = 32, .s = s};
	plan_walk_t w6 = {.nodes = nodes, .family = AF_INET6, .max_depth = 128, .skip = root4,
			  .s = s};

	memset(s, 0, sizeof(*s));
	s->cap = PLAN_SAMPLE;
	s->stride = total > PLAN_SAMPLE ? (total + PLAN_SAMPLE - 1) / PLAN_SAMPLE : 1;
	s->c = calloc(s->cap, sizeof(*s->c));
	if (s->c == NULL)
		return -1;
	walk(&w4, root4, 0);
	walk(&w6, root6, 0);
	return 0;
}

/* "192.0.2.0/24", "2001:db8::/56": the network a client was asked as. */
static void client_text(const plan_client_t *c, char *out, size_t outlen)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	inet_ntop(c->family, c->addr, addr, sizeof(addr));
	snprintf(out, outlen, "%s/%u", addr, c->prefix);
}

static unsigned continent_index(const geo_db_t *db, uint32_t loc)
{
	size_t count;
	const geo_loc_t *locs = geo_db_locations(db, &count);

	if (loc < count)
		for (unsigned i = 0; i + 1 < PLAN_CONTINENTS; i++)
			if (strcmp(locs[loc].continent, continents[i]) == 0)
				return i;
	return PLAN_CONTINENTS - 1;
}

/* What one change is. */
typedef struct {
	bool is_weight;			 /* weight, else an override */
	size_t dc;			 /* the datacenter */
	state_override_action_t action;	 /* override: what */
	geo_pick_reweight_t rw;		 /* weight: the split and the new weight */
	bool clear;			 /* weight: clear (the config's weight again) */
	char target[STATE_TEXT_MAX];	 /* weight: the split's name */
	char refused[2 * STATE_TEXT_MAX]; /* why the safety rule would refuse it, or "" */
} plan_change_t;

/* Per record: sampled networks whose answer changes, by continent. */
typedef struct {
	size_t sampled[PLAN_CONTINENTS];       /* networks asked */
	size_t changed[PLAN_CONTINENTS];       /* of which answer another datacenter */
	int move_from[PLAN_CONTINENTS];	       /* first change seen: datacenter before
						* (-1 NODATA, -2 none yet) */
	int move_to[PLAN_CONTINENTS];	       /* and after */
	size_t examples;		       /* entries in example */
	size_t example[PLAN_EXAMPLES];	       /* sample indexes of changed networks */
	int example_from[PLAN_EXAMPLES];       /* their answer before (dc, -1 NODATA) */
	int example_to[PLAN_EXAMPLES];	       /* after */
	size_t found[2];		       /* changes kept so far per family (0 IPv4) */
	size_t first[2][PLAN_EXAMPLES];	       /* the first changes of each family */
	int first_from[2][PLAN_EXAMPLES];      /* their answer before */
	int first_to[2][PLAN_EXAMPLES];	       /* after */
} plan_record_t;

/* The examples: the first changes of each family, at most PLAN_EXAMPLES in all, and
 * both families shown when both changed (IPv6 networks come last in the sample, so
 * first-come would show IPv4 only). */
static void examples_pick(plan_record_t *p)
{
	size_t n6 = p->found[1] < 2 ? p->found[1] : 2;
	size_t n4 = p->found[0] < PLAN_EXAMPLES - n6 ? p->found[0] : PLAN_EXAMPLES - n6;

	if (p->found[1] > n6)
		n6 = p->found[1] < PLAN_EXAMPLES - n4 ? p->found[1] : PLAN_EXAMPLES - n4;
	p->examples = 0;
	for (unsigned f = 0; f < 2; f++)
		for (size_t i = 0; i < (f ? n6 : n4); i++) {
			p->example[p->examples] = p->first[f][i];
			p->example_from[p->examples] = p->first_from[f][i];
			p->example_to[p->examples++] = p->first_to[f][i];
		}
}

/* The datacenter answering a client of rec with tables t: A's, else AAAA's (-1: none). */
static int answer_of(const geo_pick_tables_t *t, size_t record, const uint16_t *order,
		     unsigned count, unsigned scope, const plan_client_t *c)
{
	const geo_pick_record_t *rec = &t->records[record];
	geo_pick_query_t q = {.order = order,
			      .count = count,
			      .family = AF_INET,
			      .client_family = c->family,
			      .client = c->addr,
			      .source_prefix = c->prefix,
			      .scope = scope};
	geo_pick_result_t r;

	geo_pick(rec, t->dcs, t->dc_count, &q, &r);
	if (r.dc < 0) {
		q.family = AF_INET6;
		geo_pick(rec, t->dcs, t->dc_count, &q, &r);
	}
	return r.dc;
}

/* Sets the tables' datacenters as the view says (verdicts v, the view's loads). */
static void tables_state(geo_pick_tables_t *t, const ctl_view_t *view, const state_verdict_t *v)
{
	for (size_t i = 0; i < t->dc_count; i++) {
		t->dcs[i].serving = v[i].serving;
		t->dcs[i].fail_open_rank = (uint8_t)state_verdict_fail_open_rank(&v[i]);
		t->dcs[i].state = (uint8_t)v[i].effective;
		t->dcs[i].has_load = view->pick_has_load != NULL && view->pick_has_load[i];
		t->dcs[i].load = view->pick_load != NULL ? view->pick_load[i] : 0;
	}
}

/* Runs every record over the sample with both tables. */
static int compare(const conf_t *conf, const geo_db_t *db, const plan_sample_t *s,
		   const geo_pick_tables_t *before, const geo_pick_tables_t *after,
		   plan_record_t *out, char *err, size_t errlen)
{
	geo_conf_input_t in;

	if (geo_conf_input(conf, &in, err, errlen) != 0)
		return -1;
	for (size_t r = 0; r < conf->record_count; r++) {
		plan_record_t *p = &out[r];
		geo_trie_t *trie = NULL;

		for (unsigned k = 0; k < PLAN_CONTINENTS; k++)
			p->move_from[k] = p->move_to[k] = -2;
		if (before->records[r].varies) {
			trie = geo_trie_build(db, in.dcs, in.dc_count, &in.rules[r], err, errlen);
			if (trie == NULL) {
				geo_conf_input_free(&in);
				return -1;
			}
		}
		for (size_t i = 0; i < s->n; i++) {
			const plan_client_t *c = &s->c[i];
			const uint16_t *order = before->records[r].candidates;
			unsigned count = before->records[r].candidate_count, scope = 0;
			const geo_list_t *list;
			unsigned k = continent_index(db, c->loc);

			if (trie != NULL &&
			    geo_trie_lookup(trie, c->family, c->addr, c->prefix, &list, &scope) == 0) {
				order = list->dc;
				count = list->count;
			}
			int was = answer_of(before, r, order, count, scope, c);
			int now = answer_of(after, r, order, count, scope, c);

			p->sampled[k]++;
			if (was == now)
				continue;
			p->changed[k]++;
			if (p->move_from[k] == -2) {
				p->move_from[k] = was;
				p->move_to[k] = now;
			}
			unsigned f = c->family == AF_INET6;
			if (p->found[f] < PLAN_EXAMPLES) {
				p->first_from[f][p->found[f]] = was;
				p->first_to[f][p->found[f]] = now;
				p->first[f][p->found[f]++] = i;
			}
		}
		examples_pick(p);
		geo_trie_free(trie);
	}
	geo_conf_input_free(&in);
	return 0;
}

static const char *dc_name(const conf_t *conf, int dc)
{
	return dc >= 0 && (size_t)dc < conf->datacenter_count ? conf->datacenters[dc].name
							      : "(nodata)";
}

static size_t total(const size_t *v)
{
	size_t t = 0;

	for (unsigned k = 0; k < PLAN_CONTINENTS; k++)
		t += v[k];
	return t;
}

static void print_text(const conf_t *conf, const ctl_args_t *args, const plan_change_t *ch,
		       const plan_sample_t *s, const plan_record_t *rec,
		       const geo_capacity_short_t *shorts, size_t nshort, size_t nshort_before)
{
	char net[INET6_ADDRSTRLEN + 8];

	if (ch->is_weight)
		printf("plan: weight %s %s %s (nothing written)\n", ch->target,
		       conf->datacenters[ch->dc].name, args->positional[2]);
	else
		printf("plan: %s %s (nothing written)\n", args->spec->name,
		       conf->datacenters[ch->dc].name);
	if (ch->refused[0] != '\0')
		printf("safety: %s; it would need --force\n", ch->refused);
	else
		printf("safety: allowed\n");
	for (size_t i = 0; i < nshort && i < PLAN_SHORT_MAX; i++)
		printf("capacity: short: %s: %s not serving, demand %llu, spare %llu%s\n",
		       conf->records[shorts[i].record].name, conf->datacenters[shorts[i].dc].name,
		       (unsigned long long)shorts[i].demand, (unsigned long long)shorts[i].spare,
		       nshort <= nshort_before ? " (short already)" : "");
	if (nshort == 0)
		printf("capacity: sufficient\n");
	printf("sample: %zu client networks of the GeoIP database (%zu IPv4, %zu IPv6)\n", s->n,
	       s->n - s->n6, s->n6);
	for (size_t r = 0; r < conf->record_count; r++) {
		const plan_record_t *p = &rec[r];
		size_t changed = total(p->changed);

		printf("\n%s: %zu of %zu sampled networks change answer\n", conf->records[r].name,
		       changed, total(p->sampled));
		for (unsigned k = 0; k < PLAN_CONTINENTS && changed > 0; k++)
			if (p->changed[k] > 0)
				printf("  %s %zu of %zu (%s -> %s)\n", continents[k], p->changed[k],
				       p->sampled[k], dc_name(conf, p->move_from[k]),
				       dc_name(conf, p->move_to[k]));
		for (size_t e = 0; e < p->examples; e++) {
			const plan_client_t *c = &s->c[p->example[e]];

			client_text(c, net, sizeof(net));
			printf("  e.g. %s: %s -> %s\n", net, dc_name(conf, p->example_from[e]),
			       dc_name(conf, p->example_to[e]));
		}
	}
}

static int print_json(const conf_t *conf, const ctl_args_t *args, const plan_change_t *ch,
		      const plan_sample_t *s, const plan_record_t *rec,
		      const geo_capacity_short_t *shorts, size_t nshort)
{
	ctl_json_t j;
	char net[INET6_ADDRSTRLEN + 8];

	ctl_json_init(&j, stdout);
	ctl_json_object_begin(&j);
	ctl_json_kv_string(&j, "command", args->spec->name);
	ctl_json_kv_string(&j, "datacenter", conf->datacenters[ch->dc].name);
	ctl_json_kv_string(&j, "target", ch->is_weight ? ch->target : NULL);
	ctl_json_kv_bool(&j, "written", false);
	ctl_json_kv_bool(&j, "refused", ch->refused[0] != '\0');
	ctl_json_kv_string(&j, "safety", ch->refused[0] != '\0' ? ch->refused : NULL);
	ctl_json_key(&j, "capacity_short");
	ctl_json_array_begin(&j);
	for (size_t i = 0; i < nshort && i < PLAN_SHORT_MAX; i++) {
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "record", conf->records[shorts[i].record].name);
		ctl_json_kv_string(&j, "datacenter", conf->datacenters[shorts[i].dc].name);
		ctl_json_kv_uint(&j, "demand", shorts[i].demand);
		ctl_json_kv_uint(&j, "spare", shorts[i].spare);
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);
	ctl_json_kv_uint(&j, "sampled_networks", s->n);
	ctl_json_kv_uint(&j, "sampled_ipv6_networks", s->n6);
	ctl_json_key(&j, "records");
	ctl_json_array_begin(&j);
	for (size_t r = 0; r < conf->record_count; r++) {
		const plan_record_t *p = &rec[r];

		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "record", conf->records[r].name);
		ctl_json_kv_uint(&j, "sampled", total(p->sampled));
		ctl_json_kv_uint(&j, "changed", total(p->changed));
		ctl_json_key(&j, "continents");
		ctl_json_object_begin(&j);
		for (unsigned k = 0; k < PLAN_CONTINENTS; k++) {
			if (p->sampled[k] == 0)
				continue;
			ctl_json_key(&j, continents[k]);
			ctl_json_object_begin(&j);
			ctl_json_kv_uint(&j, "sampled", p->sampled[k]);
			ctl_json_kv_uint(&j, "changed", p->changed[k]);
			ctl_json_kv_string(&j, "from", p->changed[k] ? dc_name(conf, p->move_from[k]) : NULL);
			ctl_json_kv_string(&j, "to", p->changed[k] ? dc_name(conf, p->move_to[k]) : NULL);
			ctl_json_object_end(&j);
		}
		ctl_json_object_end(&j);
		ctl_json_key(&j, "examples");
		ctl_json_array_begin(&j);
		for (size_t e = 0; e < p->examples; e++) {
			const plan_client_t *c = &s->c[p->example[e]];

			client_text(c, net, sizeof(net));
			ctl_json_object_begin(&j);
			ctl_json_kv_string(&j, "network", net);
			ctl_json_kv_string(&j, "from", dc_name(conf, p->example_from[e]));
			ctl_json_kv_string(&j, "to", dc_name(conf, p->example_to[e]));
			ctl_json_object_end(&j);
		}
		ctl_json_array_end(&j);
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);
	ctl_json_object_end(&j);
	return ctl_json_finish(&j);
}

/* The view as it is: from the store, or every datacenter unknown without one. */
static int view_load(const conf_t *conf, ctl_view_t *view)
{
	struct stat sb;
	state_t *st;

	if (stat(conf->state_path, &sb) != 0 && errno == ENOENT)
		return ctl_view_empty(conf, view);
	st = ctl_state_open(conf, false);
	if (st == NULL)
		return -1;
	int rc = ctl_view_load(st, conf, view);
	state_close(st);
	return rc;
}

/* Parses the change from the arguments; exit status on error, else -1. */
static int change_parse(const ctl_args_t *args, const conf_t *conf, plan_change_t *ch)
{
	char err[512];
	int dc;

	memset(ch, 0, sizeof(*ch));
	ch->is_weight = args->spec->command == CTL_CMD_WEIGHT;
	dc = ctl_datacenter_lookup(conf, args->positional[ch->is_weight ? 1 : 0], err, sizeof(err));
	if (dc < 0) {
		ctl_error("%s: %s", args->spec->name, err);
		return CTL_EXIT_USAGE;
	}
	ch->dc = (size_t)dc;
	if (!ch->is_weight) {
		ch->action = args->spec->command == CTL_CMD_FORCE_DOWN ? STATE_OVERRIDE_FORCE_DOWN
			     : args->spec->command == CTL_CMD_FORCE_UP ? STATE_OVERRIDE_FORCE_UP
								       : STATE_OVERRIDE_DRAIN;
		return -1;
	}
	uint32_t config;
	char *end;
	unsigned long v = 0;

	if (geo_pick_target_parse(conf, args->positional[0], &ch->rw.record, &ch->rw.entry, err,
				  sizeof(err)) < 0) {
		ctl_error("weight: %s", err);
		return CTL_EXIT_USAGE;
	}
	if (geo_pick_target_weight(conf, ch->rw.record, ch->rw.entry, ch->dc, &config) < 0) {
		ctl_error("weight: %s is not in that split", conf->datacenters[dc].name);
		return CTL_EXIT_USAGE;
	}
	ch->clear = strcmp(args->positional[2], "clear") == 0;
	if (!ch->clear) {
		v = strtoul(args->positional[2], &end, 10);
		if (args->positional[2][0] < '0' || args->positional[2][0] > '9' || *end != '\0' ||
		    v > STATE_WEIGHT_MAX) {
			ctl_error("weight: \"%s\" is not a weight in 0..%u (or clear)",
				  args->positional[2], STATE_WEIGHT_MAX);
			return CTL_EXIT_USAGE;
		}
	}
	ch->rw.dc = ch->dc;
	ch->rw.weight = ch->clear ? config : (uint32_t)v;
	const conf_record_t *r = &conf->records[ch->rw.record];
	if (ch->rw.entry < 0)
		snprintf(ch->target, sizeof(ch->target), "%s", r->name);
	else if ((size_t)ch->rw.entry < r->map_count)
		snprintf(ch->target, sizeof(ch->target), "%s@%s", r->name, r->map[ch->rw.entry].key);
	else
		snprintf(ch->target, sizeof(ch->target), "%s@%s", r->name,
			 r->nets[(size_t)ch->rw.entry - r->map_count].key);
	return -1;
}

/* The override the write would make, judged as the write judges it (state_guard.h),
 * into ch->refused. 0, or -1 after printing why it could not be judged. */
static int override_judge(const ctl_args_t *args, const conf_t *conf, plan_change_t *ch)
{
	struct stat sb;
	state_override_t ov;
	state_t *st;
	int rc;

	memset(&ov, 0, sizeof(ov));
	snprintf(ov.datacenter, sizeof(ov.datacenter), "%s", conf->datacenters[ch->dc].name);
	ov.action = ch->action;
	if (stat(conf->state_path, &sb) != 0 && errno == ENOENT) {
		/* No store: every datacenter unknown (serving), nothing scheduled. */
		state_verdict_t *v = calloc(conf->datacenter_count + 1, sizeof(*v));

		if (v == NULL)
			return -1;
		for (size_t i = 0; i < conf->datacenter_count; i++)
			v[i] = (state_verdict_t){.effective = STATE_DC_UNKNOWN,
						 .observed = STATE_DC_UNKNOWN,
						 .serving = true,
						 .override_index = -1};
		state_params_t *params = bridge_state_params_new(conf);

		if (params == NULL) {
			free(v);
			return -1;
		}
		if (state_verdict_check_override(params, v, ch->dc, ch->action, ch->refused,
						 sizeof(ch->refused)) == 0)
			ch->refused[0] = '\0';
		bridge_state_params_free(params);
		free(v);
		return 0;
	}
	st = ctl_state_open(conf, false);
	if (st == NULL)
		return -1;
	ov.created_ms = state_now_ms(st);
	if (args->given & CTL_OPT_AT) {
		int64_t at = args->at_relative ? ov.created_ms + args->at_ms : args->at_ms;

		if (at > ov.created_ms)
			ov.starts_ms = at;
	}
	uint64_t for_ms = args->for_ms ? args->for_ms : conf->health.override_default_ms;
	ov.expires_ms = (ov.starts_ms ? ov.starts_ms : ov.created_ms) +
			(int64_t)(for_ms ? for_ms : CTL_OVERRIDE_DEFAULT_MS);
	state_params_t *params = bridge_state_params_new(conf);
	rc = params == NULL
		 ? -1
		 : state_override_judge(st, params, &ov, ch->refused, sizeof(ch->refused));
	bool oom = params == NULL;
	bridge_state_params_free(params);
	if (rc < 0 && oom)
		snprintf(ch->refused, sizeof(ch->refused), "refused: out of memory");
	else if (rc < 0)
		snprintf(ch->refused, sizeof(ch->refused), "refused: %s", state_errmsg(st));
	else if (rc == 0)
		ch->refused[0] = '\0';
	state_close(st);
	return 0;
}

/* The weights after the change: the view's in effect, with (split, dc) replaced. */
static geo_pick_reweight_t *weights_after(const ctl_view_t *view, const plan_change_t *ch,
					  size_t *n)
{
	geo_pick_reweight_t *rw = calloc(view->reweight_count + 1, sizeof(*rw));

	*n = 0;
	if (rw == NULL)
		return NULL;
	for (size_t i = 0; i < view->reweight_count; i++) {
		const geo_pick_reweight_t *o = &view->reweights[i];

		if (ch->is_weight && o->record == ch->rw.record && o->entry == ch->rw.entry &&
		    o->dc == ch->rw.dc)
			continue;
		rw[(*n)++] = *o;
	}
	if (ch->is_weight && !ch->clear)
		rw[(*n)++] = ch->rw;
	return rw;
}

/* The verdicts after an override: the view's overrides with dc's replaced. */
static int verdicts_after(const conf_t *conf, const ctl_view_t *view, const plan_change_t *ch,
			  state_verdict_t *out)
{
	state_override_t *ovr = calloc(view->ovr_count + 1, sizeof(*ovr));
	size_t n = 0;

	if (ovr == NULL)
		return -1;
	for (size_t i = 0; i < view->ovr_count; i++)
		if (ch->is_weight || strcmp(view->ovr[i].datacenter, conf->datacenters[ch->dc].name) != 0)
			ovr[n++] = view->ovr[i];
	if (!ch->is_weight) {
		state_override_t *o = &ovr[n++];

		memset(o, 0, sizeof(*o));
		snprintf(o->datacenter, sizeof(o->datacenter), "%s", conf->datacenters[ch->dc].name);
		o->action = ch->action;
		o->hlc = UINT64_MAX;
		snprintf(o->actor, sizeof(o->actor), "plan");
	}
	state_verdict_decide(view->params, view->obs, view->obs_count, ovr, n, view->memory,
			     view->now_ms, out, NULL);
	free(ovr);
	return 0;
}

int ctl_plan_run(const ctl_args_t *args, const conf_t *conf)
{
	geo_capacity_short_t shorts[PLAN_SHORT_MAX];
	geo_pick_tables_t before, after;
	plan_record_t *rec = NULL;
	geo_pick_reweight_t *rw = NULL;
	state_verdict_t *v_after = NULL;
	plan_sample_t sample = {0};
	plan_change_t ch;
	ctl_view_t view;
	geo_db_t *db = NULL;
	size_t nrw = 0, nshort = 0, nshort_before;
	char err[512];
	int rc;

	rc = change_parse(args, conf, &ch);
	if (rc >= 0)
		return rc;
	rc = CTL_EXIT_FAIL;
	memset(&before, 0, sizeof(before));
	memset(&after, 0, sizeof(after));
	if (view_load(conf, &view) != 0)
		return CTL_EXIT_FAIL;
	v_after = calloc(conf->datacenter_count + 1, sizeof(*v_after));
	rec = calloc(conf->record_count + 1, sizeof(*rec));
	rw = weights_after(&view, &ch, &nrw);
	if (v_after == NULL || rec == NULL || rw == NULL) {
		ctl_error("out of memory");
		goto out;
	}
	if (ch.is_weight)
		memcpy(v_after, view.verdicts, conf->datacenter_count * sizeof(*v_after));
	else if (verdicts_after(conf, &view, &ch, v_after) < 0)
		goto out;
	/* The safety rule, as the write would judge it: from the store with the write's
	 * own judgement (a scheduled window included), else (no store) with the verdicts. */
	if (!ch.is_weight && override_judge(args, conf, &ch) < 0)
		goto out;
	if (geo_pick_tables_build_with(conf, view.reweights, view.reweight_count, &before, err,
				       sizeof(err)) < 0 ||
	    geo_pick_tables_build_with(conf, rw, nrw, &after, err, sizeof(err)) < 0) {
		ctl_error("%s --plan: %s", args->spec->name, err);
		goto out;
	}
	tables_state(&before, &view, view.verdicts);
	tables_state(&after, &view, v_after);
	if (ch.is_weight) {
		const geo_pick_record_t *gr = &after.records[ch.rw.record];
		const geo_pick_split_t *split =
		    ch.rw.entry < 0 ? &gr->policy.weights : NULL;

		if (ch.rw.entry >= 0) {
			/* the entry's place among the record's entry splits (config order) */
			const conf_record_t *cr = &conf->records[ch.rw.record];
			unsigned place = 0;

			for (int k = 0; k < ch.rw.entry; k++)
				place += ((size_t)k < cr->map_count
					      ? cr->map[k].weight_count
					      : cr->nets[(size_t)k - cr->map_count].weight_count) > 0;
			split = place < gr->entry_split_count ? &gr->entry_splits[place] : NULL;
		}
		if (split != NULL && split->count == 0)
			snprintf(ch.refused, sizeof(ch.refused),
				 "refused: the split of %s would have no weight left", ch.target);
	}
	nshort_before = geo_capacity_shortfalls(&before, NULL, 0);
	nshort = geo_capacity_shortfalls(&after, shorts, PLAN_SHORT_MAX);
	db = geo_db_open(conf->geoip_path, err, sizeof(err));
	if (db == NULL) {
		ctl_error("%s --plan: GeoIP database: %s", args->spec->name, err);
		goto out;
	}
	if (sample_build(db, &sample) < 0 ||
	    compare(conf, db, &sample, &before, &after, rec, err, sizeof(err)) < 0) {
		ctl_error("%s --plan: %s", args->spec->name, err[0] ? err : "out of memory");
		goto out;
	}
	if (args->json) {
		if (print_json(conf, args, &ch, &sample, rec, shorts, nshort) != 0)
			goto out;
	} else {
		print_text(conf, args, &ch, &sample, rec, shorts, nshort, nshort_before);
	}
	rc = ch.refused[0] != '\0' || nshort > nshort_before ? CTL_EXIT_FAIL : CTL_EXIT_OK;
out:
	geo_db_free(db);
	free(sample.c);
	geo_pick_tables_free(&before);
	geo_pick_tables_free(&after);
	free(rec);
	free(rw);
	free(v_after);
	ctl_view_free(&view);
	return rc;
}
