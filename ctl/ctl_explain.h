/* SPDX-License-Identifier: MIT */
/* ctl_explain.h -- `meridianctl explain` and `meridianctl geo`: why a client gets its answer */
#ifndef MERIDIAN_CTL_EXPLAIN_H
#define MERIDIAN_CTL_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "ctl/ctl_args.h"
#include "geo/geo.h"
#include "geo/geo_conf.h"
#include "geo/geo_explain.h"
#include "geo/geo_pick.h"
#include "geo/geo_pick_conf.h"
#include "state/state_verdict.h"

/* One candidate datacenter of the record, at its place in the client's preference list. */
typedef struct {
	size_t dc;		/* index into conf->datacenters */
	geo_why_t why;		/* the rule that put it at this place */
	const char *rule;	/* key of that nets/map rule, else NULL */
	double distance_km;	/* client to datacenter, -1 when either has no location */
	state_dc_state_t state; /* effective state now */
	bool serving;		/* answers may use it */
	int fail_open_rank;	/* state_verdict_fail_open_rank(): 0 serving, 1 observed up,
				 * 2 observed down */
	char held[64];		/* why its state is held ("held down: flapping, reuse in
				 * 2m10s"), "" when decided plainly */
	bool in_transition;	/* its verdict or addresses could change soon */
	uint32_t change_in_s;	/* in_transition: seconds to the earliest change */
	char transition[128];	/* in_transition: why ("1 of 1 regions' probes failing ...") */
	bool address_checked;	/* it has address checks: serving_mask applies */
	uint64_t serving_mask[2]; /* its serving A / AAAA addresses, bit j the j-th of the
				   * family (state_verdict_family_masks) */
	char addresses[512];	/* each address and its state (ctl_view_addresses_text), ""
				 * without address checks */
	uint32_t load;		/* live load the pick takes (state_load_for_pick), when has_load */
	bool has_load;		/* a fresh live load is known */
} ctl_explain_candidate_t;

/* Address families of an answer: index 0 is A (IPv4), 1 is AAAA (IPv6). */
#define CTL_EXPLAIN_FAMILIES 2

/* Everything `explain` says about one (record, client). */
typedef struct {
	size_t record;			/* index into conf->records */
	int family;			/* AF_INET or AF_INET6 of the client address */
	uint8_t addr[16];		/* the client address, network order */
	geo_form_t form;		/* IPv6 carrying IPv4: which form (else NATIVE) */
	uint8_t v4[4];			/* the IPv4 address located, when form != NATIVE */
	unsigned source_prefix;		/* ECS source prefix explained, 0..32/128 */
	bool located;			/* the database has a record for the client */
	geo_loc_t loc;			/* that record (empty when !located) */
	char network[80];		/* the database network the client falls in */
	const char *nets_rule;		/* matching nets rule key, or NULL */
	const char *map_rule;		/* matching map rule key, or NULL */
	ctl_explain_candidate_t *cand;	/* preference order, malloc'd */
	unsigned split_mark;		/* the order's weighted-entry mark (GEO_PICK_SPLIT_MARK
					 * + n, first in the order dnsd gets), 0: none */
	size_t count;			/* entries in cand */
	int pick[CTL_EXPLAIN_FAMILIES]; /* index into cand answering A / AAAA, -1: NODATA */
	bool
	    fail_open[CTL_EXPLAIN_FAMILIES]; /* that pick is not serving: none with the family is */
	geo_pick_result_t result[CTL_EXPLAIN_FAMILIES]; /* geo_pick()'s answer per family:
							  * datacenter, addresses, TTL, scope,
							  * reasons (what dnsd answers) */
	bool varies;			     /* the record can answer clients differently */
	unsigned scope;			     /* ECS scope prefix of the lookup (the answer's is
					      * result[f].scope, raised when a hash decides) */
	bool trie_agrees;		     /* the compiled trie gives the same order (it must) */
	bool have_state;		     /* verdicts came from the state store */
} ctl_explanation_t;

int ctl_explain_run(const ctl_args_t *args, const conf_t *conf) M_NONNULL_ALL M_WUR;

/* Chooses the answer per family from cand[]'s order and states with geo_pick(), the
 * rule meridian-dnsd answers by (docs/routing.md): fills result[], pick[] (the index
 * into cand of result[f].dc, -1: NODATA) and fail_open[]. 0, or -1 out of memory. */
int ctl_explain_pick(const conf_t *conf, ctl_explanation_t *ex) M_NONNULL_ALL M_WUR;
/* The same with the pick's tables already built from conf (their dcs' states are
 * overwritten from cand[]): for many clients in a row. */
void ctl_explain_pick_with(const geo_pick_tables_t *t, ctl_explanation_t *ex) M_NONNULL_ALL;
/* One line of `explain --batch`: the client and each family's answer as one compact
 * JSON object ({"client", "source_prefix", "A", "AAAA"}, each answer null or
 * {"datacenter", "addresses", "ttl", "scope", "reasons"}). */
int ctl_explain_print_line(FILE *out, const conf_t *conf,
			   const ctl_explanation_t *ex) M_NONNULL_ALL M_WUR;
/* The table and the --json document of an explanation. */
int ctl_explain_print(FILE *out, bool json, const conf_t *conf,
		      const ctl_explanation_t *ex) M_NONNULL_ALL M_WUR;

#endif
