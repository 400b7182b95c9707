/* SPDX-License-Identifier: MIT */
/* ctl_explain.c -- `meridianctl explain` and `meridianctl geo`: why a client gets its answer */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl/ctl_explain.h"
#include "ctl/ctl_geo.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_state.h"

/* Most candidates explain weighs, as meridian-dnsd's lookups return at most 64. */
#define CTL_EXPLAIN_ORDER_MAX 64

/* Parses CLIENT-IP; 0, or -1 after printing the usage error. */
/* Verdicts now: from the store when it exists, else every datacenter UNKNOWN (served),
 * which is what meridian-dnsd does before anything was observed. */
static int verdicts_load(const conf_t *conf, ctl_view_t *view, bool *have_state)
{
	struct stat sb;
	state_t *st;

	*have_state = false;
	if (stat(conf->state_path, &sb) != 0 && errno == ENOENT)
		return ctl_view_empty(conf, view);
	st = ctl_state_open(conf, false);
	if (st == NULL)
		return -1;
	if (ctl_view_load(st, conf, view) != 0) {
		state_close(st);
		return -1;
	}
	state_close(st);
	*have_state = true;
	return 0;
}

void ctl_explain_pick_with(const geo_pick_tables_t *t, ctl_explanation_t *ex)
{
	static const int families[CTL_EXPLAIN_FAMILIES] = {AF_INET, AF_INET6};
	geo_pick_dc_t *dcs = t->dcs; /* the caller's copy: only cand's states are set */
	uint16_t order[CTL_EXPLAIN_ORDER_MAX];
	/* per candidate, its A and AAAA serving flags (64 per family: the most a
	 * datacenter with address checks has) */
	static _Thread_local uint8_t flags[CTL_EXPLAIN_ORDER_MAX][2][64];
	unsigned count = 0;
	unsigned full = ex->family == AF_INET ? 32 : 128;

	if (ex->split_mark >= GEO_PICK_SPLIT_MARK)
		order[count++] = (uint16_t)ex->split_mark;
	for (size_t i = 0; i < ex->count && count < CTL_EXPLAIN_ORDER_MAX; i++) {
		const ctl_explain_candidate_t *c = &ex->cand[i];
		if (c->dc >= t->dc_count)
			continue;
		dcs[c->dc].serving = c->serving;
		dcs[c->dc].fail_open_rank = (uint8_t)c->fail_open_rank;
		dcs[c->dc].state = (uint8_t)c->state;
		dcs[c->dc].in_transition = c->in_transition;
		dcs[c->dc].change_in_s = c->change_in_s;
		dcs[c->dc].a_serving = dcs[c->dc].aaaa_serving = NULL;
		if (c->address_checked) {
			for (unsigned f = 0; f < 2; f++)
				for (unsigned k = 0; k < 64; k++)
					flags[count][f][k] = (c->serving_mask[f] >> k) & 1;
			if (dcs[c->dc].a_count <= 64)
				dcs[c->dc].a_serving = flags[count][0];
			if (dcs[c->dc].aaaa_count <= 64)
				dcs[c->dc].aaaa_serving = flags[count][1];
		}
		dcs[c->dc].load = c->load;
		dcs[c->dc].has_load = c->has_load;
		order[count++] = (uint16_t)c->dc;
	}
	for (size_t f = 0; f < CTL_EXPLAIN_FAMILIES; f++) {
		/* the client dnsd hashes: the ECS network, or the resolver's whole address
		 * (source prefix 0: RFC 7871 7.1.2, scope 0) */
		geo_pick_query_t q = {.order = order,
				      .count = count,
				      .family = families[f],
				      .client_family = ex->family,
				      .client = ex->addr,
				      .source_prefix = ex->source_prefix == 0 ? full
									       : ex->source_prefix,
				      .scope = ex->scope};
		geo_pick_result_t *r = &ex->result[f];
		geo_pick(&t->records[ex->record], dcs, t->dc_count, &q, r);
		if (!ex->varies || ex->source_prefix == 0)
			r->scope = 0;
		else if (r->scope > full)
			r->scope = full;
		ex->pick[f] = -1;
		ex->fail_open[f] = (r->reasons & GEO_PICK_FAIL_OPEN) != 0;
		for (size_t i = 0; i < ex->count && r->dc >= 0; i++)
			if (ex->cand[i].dc == (size_t)r->dc) {
				ex->pick[f] = (int)i;
				break;
			}
	}
}

int ctl_explain_pick(const conf_t *conf, ctl_explanation_t *ex)
{
	geo_pick_tables_t t;
	char err[128];

	if (geo_pick_tables_build(conf, &t, err, sizeof(err)) < 0)
		return -1;
	ctl_explain_pick_with(&t, ex);
	geo_pick_tables_free(&t);
	return 0;
}

/* Runs the geo library's explanation of the client (at its source prefix) against the
 * record's compiled trie, and takes the candidates' states from the verdicts. choices has
 * geo_order_max() + 1 entries. */
static int explain_one(const conf_t *conf, const geo_db_t *db, const geo_conf_input_t *in, const ctl_view_t *view,
		       const geo_trie_t *trie, geo_choice_t *choices, ctl_explanation_t *ex,
		       char *err, size_t errlen)
{
	const geo_rules_t *rules = &in->rules[ex->record];
	unsigned full = ex->family == AF_INET ? 32 : 128;
	uint8_t masked[16], net[16];
	geo_explain_t gex;

	/* RFC 7871: only the first source-prefix bits count; the rest are zero. Looking up
	 * the masked address at full length finds the leaf a query with that source prefix
	 * finds, so the geo library's scope and cross-check hold for it too. Source prefix 0
	 * means the resolver's own address: the full one. */
	geo_addr_mask(ex->family, ex->addr, ex->source_prefix == 0 ? full : ex->source_prefix,
		      masked);
	if (geo_explain(db, in->dcs, rules, trie, ex->family, masked, choices, &gex) != 0) {
		snprintf(err, errlen, "lookup failed");
		return -1;
	}
	ex->loc = gex.loc;
	ex->located =
	    gex.loc.continent[0] != '\0' || gex.loc.country[0] != '\0' || gex.loc.has_location;
	ex->form = gex.form;
	memcpy(ex->v4, gex.v4, sizeof(ex->v4));
	geo_addr_mask(ex->family, masked, gex.netlen, net);
	geo_net_format(ex->family, net, gex.netlen, ex->network, sizeof(ex->network));
	ex->nets_rule =
	    gex.net != NULL ? (gex.net->key != NULL ? gex.net->key : "(unnamed)") : NULL;
	ex->map_rule = gex.map != NULL ? gex.map->key : NULL;
	ex->trie_agrees = gex.has_scope && gex.agrees;
	ex->scope = gex.has_scope ? gex.scope : 0;
	if (!ex->varies || ex->source_prefix == 0)
		ex->scope = 0; /* names that never vary; RFC 7871 7.1.2 for source prefix 0 */
	else if (ex->scope > full)
		ex->scope = full;

	ex->count = 0;
	ex->split_mark = 0;
	for (size_t i = 0; i < gex.count && ex->count < in->dc_count; i++) {
		size_t dc = choices[i].dc;

		if (dc >= GEO_PICK_SPLIT_MARK && i == 0)
			ex->split_mark = (unsigned)dc; /* not a datacenter: the pick's input */
		if (dc >= in->dc_count)
			continue;
		ex->cand[ex->count++] =
		    (ctl_explain_candidate_t){.dc = dc,
					      .why = choices[i].why,
					      .rule = choices[i].rule,
					      .distance_km = choices[i].distance_km,
					      .state = view->verdicts[dc].effective,
					      .serving = view->verdicts[dc].serving,
					      .fail_open_rank = state_verdict_fail_open_rank(
						  &view->verdicts[dc])};
		ctl_explain_candidate_t *c = &ex->cand[ex->count - 1];
		const state_verdict_t *v = &view->verdicts[dc];
		state_verdict_hold_text(v, c->held, sizeof(c->held));
		c->in_transition = v->in_transition;
		c->change_in_s = v->in_transition ? (uint32_t)((v->change_in_ms + 999) / 1000) : 0;
		snprintf(c->transition, sizeof(c->transition), "%s", v->transition);
		c->address_checked = conf->datacenters[dc].address_check_count > 0;
		state_verdict_family_masks(conf->datacenters[dc].addresses,
					   conf->datacenters[dc].address_count, v, c->serving_mask);
		ctl_view_addresses_text(conf, view, dc, c->addresses, sizeof(c->addresses));
		ex->cand[ex->count - 1].has_load =
		    view->pick_has_load != NULL && view->pick_has_load[dc];
		ex->cand[ex->count - 1].load = view->pick_load != NULL ? view->pick_load[dc] : 0;
	}
	return 0;
}

/* The record's trie and a choices buffer for explain_one(); 0, or -1 with err. */
static int explain_prepare(const geo_db_t *db, const geo_conf_input_t *in, size_t record,
			   geo_trie_t **trie, geo_choice_t **choices, char *err, size_t errlen)
{
	const geo_rules_t *rules = &in->rules[record];

	*trie = geo_trie_build(db, in->dcs, in->dc_count, rules, err, errlen);
	if (*trie == NULL)
		return -1;
	*choices = calloc(geo_order_max(rules) + 1, sizeof(**choices));
	if (*choices == NULL) {
		snprintf(err, errlen, "out of memory");
		geo_trie_free(*trie);
		*trie = NULL;
		return -1;
	}
	return 0;
}

/* Parses one --batch line "CLIENT[/PREFIX]" into ex; 0, or -1 with why in err. */
static int batch_client(char *line, ctl_explanation_t *ex, char *err, size_t errlen)
{
	char *slash = strchr(line, '/');
	conf_ipaddr_t ip;
	unsigned full;

	if (slash != NULL)
		*slash = '\0';
	if (conf_ipaddr_parse(line, &ip) != 0) {
		snprintf(err, errlen, "\"%s\" is not an IPv4 or IPv6 address", line);
		return -1;
	}
	ex->family = ip.family;
	memcpy(ex->addr, ip.bytes, 16);
	full = ex->family == AF_INET ? 32 : 128;
	ex->source_prefix = full;
	if (slash != NULL) {
		char *end;
		unsigned long n = strtoul(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || n > full) {
			snprintf(err, errlen, "\"%s\" is not a prefix length in 0..%u", slash + 1,
				 full);
			return -1;
		}
		ex->source_prefix = (unsigned)n;
	}
	return 0;
}

/* explain NAME --batch FILE: one JSON line per client line of FILE, as dnsd answers it
 * (the tests compare thousands of clients with a running server this way). */
static int explain_batch(const ctl_args_t *args, const conf_t *conf, const geo_db_t *db,
			 const geo_conf_input_t *in, const ctl_view_t *view,
			 const geo_pick_tables_t *tables, ctl_explanation_t *ex)
{
	FILE *f = strcmp(args->batch, "-") == 0 ? stdin : fopen(args->batch, "r");
	geo_choice_t *choices = NULL;
	geo_trie_t *trie = NULL;
	char line[512], err[512];
	unsigned lineno = 0;
	int rc = CTL_EXIT_OK;

	if (f == NULL) {
		ctl_error("explain: --batch %s: %s", args->batch, strerror(errno));
		return CTL_EXIT_FAIL;
	}
	if (explain_prepare(db, in, ex->record, &trie, &choices, err, sizeof(err)) != 0) {
		ctl_error("explain: %s", err);
		rc = CTL_EXIT_FAIL;
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line + strspn(line, " \t");
		lineno++;
		p[strcspn(p, " \t\r\n#")] = '\0';
		if (*p == '\0')
			continue;
		if (batch_client(p, ex, err, sizeof(err)) != 0) {
			ctl_error("explain: %s:%u: %s", args->batch, lineno, err);
			rc = CTL_EXIT_USAGE;
			break;
		}
		if (explain_one(conf, db, in, view, trie, choices, ex, err, sizeof(err)) != 0) {
			ctl_error("explain: %s:%u: %s", args->batch, lineno, err);
			rc = CTL_EXIT_FAIL;
			break;
		}
		ctl_explain_pick_with(tables, ex);
		if (ctl_explain_print_line(stdout, conf, ex) != 0) {
			rc = CTL_EXIT_FAIL;
			break;
		}
	}
out:
	free(choices);
	geo_trie_free(trie);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* One client: the explanation and what is printed of it. */
static int explain_compute(const conf_t *conf, const geo_db_t *db, const geo_conf_input_t *in, const ctl_view_t *view,
			   ctl_explanation_t *ex, char *err, size_t errlen)
{
	geo_choice_t *choices;
	geo_trie_t *trie;

	if (explain_prepare(db, in, ex->record, &trie, &choices, err, errlen) != 0)
		return -1;
	int rc = explain_one(conf, db, in, view, trie, choices, ex, err, errlen);
	free(choices);
	geo_trie_free(trie);
	return rc;
}

int ctl_explain_run(const ctl_args_t *args, const conf_t *conf)
{
	char err[512];
	ctl_explanation_t ex;
	geo_conf_input_t in;
	ctl_view_t view;
	geo_db_t *db;
	int record, rc = CTL_EXIT_FAIL;
	unsigned max;

	memset(&ex, 0, sizeof(ex));
	record = conf_record_find(conf, args->positional[0]);
	if (record < 0) {
		size_t used = 0;

		err[0] = '\0';
		for (size_t i = 0; i < conf->record_count && used < sizeof(err); i++)
			used += (size_t)snprintf(err + used, sizeof(err) - used, "%s%s",
						 i > 0 ? ", " : "", conf->records[i].name);
		ctl_error("explain: \"%s\" is not a geo record of %s (records: %s)",
			  args->positional[0], conf->path, conf->record_count > 0 ? err : "none");
		return CTL_EXIT_USAGE;
	}
	if (args->batch != NULL && (args->positional_count > 1 || args->subnet >= 0)) {
		ctl_error("explain: --batch takes the clients (CLIENT-IP[/PREFIX], one a line) "
			  "from its file, not from the command line");
		return CTL_EXIT_USAGE;
	}
	if (args->batch == NULL &&
	    ctl_geo_client_parse("explain", args->positional[1], &ex.family, ex.addr) != 0)
		return CTL_EXIT_USAGE;
	max = ex.family == AF_INET ? 32 : 128;
	if (args->batch == NULL && args->subnet > (int)max) {
		ctl_error("explain: --subnet %d is longer than %u, the length of an %s address",
			  args->subnet, max, ex.family == AF_INET ? "IPv4" : "IPv6");
		return CTL_EXIT_USAGE;
	}
	ex.record = (size_t)record;
	ex.source_prefix = args->subnet >= 0 ? (unsigned)args->subnet : max;
	geo_pick_tables_t tables;
	if (geo_pick_tables_build(conf, &tables, err, sizeof(err)) < 0) {
		ctl_error("explain: %s", err);
		return CTL_EXIT_FAIL;
	}
	ex.varies = tables.records[record].varies;

	db = ctl_geo_db_open("explain", conf);
	if (db == NULL) {
		geo_pick_tables_free(&tables);
		return CTL_EXIT_FAIL;
	}
	if (geo_conf_input(conf, &in, err, sizeof(err)) != 0) {
		ctl_error("explain: %s", err);
		geo_db_free(db);
		geo_pick_tables_free(&tables);
		return CTL_EXIT_FAIL;
	}
	if (verdicts_load(conf, &view, &ex.have_state) != 0)
		goto out_input;
	if (view.reweight_count > 0) {
		/* Run-time weights in effect: the splits dnsd answers with. */
		geo_pick_tables_free(&tables);
		if (geo_pick_tables_build_with(conf, view.reweights, view.reweight_count, &tables,
					       err, sizeof(err)) < 0) {
			ctl_error("explain: %s", err);
			goto out_view;
		}
	}
	ex.cand = calloc(conf->datacenter_count + 1, sizeof(*ex.cand));
	if (ex.cand == NULL) {
		ctl_error("out of memory");
		goto out_view;
	}
	if (args->batch != NULL) {
		rc = explain_batch(args, conf, db, &in, &view, &tables, &ex);
		goto out_cand;
	}
	err[0] = '\0';
	if (explain_compute(conf, db, &in, &view, &ex, err, sizeof(err)) != 0) {
		ctl_error("explain: %s", err[0] != '\0' ? err : "lookup failed");
		goto out_cand;
	}
	ctl_explain_pick_with(&tables, &ex);
	rc = ctl_explain_print(stdout, args->json, conf, &ex) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
out_cand:
	free(ex.cand);
out_view:
	ctl_view_free(&view);
out_input:
	geo_conf_input_free(&in);
	geo_db_free(db);
	geo_pick_tables_free(&tables);
	return rc;
}
