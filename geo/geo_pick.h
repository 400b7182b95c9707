/* SPDX-License-Identifier: MIT */
/* geo_pick.h -- the one rule that turns a client's datacenter order into an answer */
#ifndef MERIDIAN_GEO_PICK_H
#define MERIDIAN_GEO_PICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/*
 * geo_pick() is the only place that decides which datacenter and which addresses a
 * geo record answers with. meridian-dnsd calls it on every geo query, `meridianctl
 * explain` and `meridianctl status` call it with the same inputs, so what explain says
 * is what dnsd answers by construction (docs/routing.md).
 *
 * It is a pure function of its arguments: no allocation, no lock, no clock, no global.
 * The inputs are plain data built once per snapshot (dnsd) or per command (ctl), by
 * geo_pick_conf.h from the config plus the program's own view of the datacenters'
 * state (the verdicts live in state/, which geo/ does not see).
 *
 * Every new field is zero by default and zero means "as before": a zeroed policy is
 * the plain nearest-serving rule, a zeroed datacenter extension declares nothing.
 */

/* Most datacenters one weighted split or one spill may weigh (longer orders are cut). */
#define GEO_PICK_SET_MAX 64
/* Most addresses a record may cap its answer to (Route 53 multivalue answers 8). */
#define GEO_PICK_ADDR_CAP_MAX 8
/* Most addresses of one family a datacenter hands out. */
#define GEO_PICK_ADDR_MAX 255
/* Split granularity used when the policy leaves it 0: a /24 or a /48 is one client. */
#define GEO_PICK_GRANULARITY4 24
#define GEO_PICK_GRANULARITY6 48

/* An order entry at or above this is not a datacenter but the mark of a weighted map or
 * nets entry: the client's split is the record's entry_splits[entry - MARK - 1]. The
 * geo lookup puts it first in the orders of that entry's clients (geo_order()). */
#define GEO_PICK_SPLIT_MARK 0x8000u

/* One datacenter as the pick sees it: its addresses and its state right now. The
 * address bytes are owned by whoever built the array (geo_pick_tables_t, or a test). */
typedef struct {
	const uint8_t *a;	     /* a_count IPv4 addresses of 4 bytes, network order */
	unsigned a_count;	     /* 0..255 */
	const uint8_t *aaaa;	     /* aaaa_count IPv6 addresses of 16 bytes, network order */
	unsigned aaaa_count;	     /* 0..255 */
	bool serving;		     /* answers may use it (the verdict: up, unknown, forced up) */
	uint8_t fail_open_rank;	     /* not serving: lower is preferred when a family fails
				      * open (state_verdict_fail_open_rank()); 0 ties */
	uint8_t state;		     /* the caller's state code (state_dc_state_t), for
				      * explain and status only; the pick never reads it */
	bool in_transition;	     /* its state may change soon (a failed probe not yet
				      * down, recovering, an override about to expire):
				      * answers that could change carry the policy's short TTL */
	uint32_t change_in_s;	     /* in_transition: seconds (rounded up) to the earliest
				      * expected change; the TTL is the larger of short_ttl and
				      * this, at most the record's ttl (TTL from time to change) */
	uint32_t capacity;	     /* load it takes at most, in the operator's unit (qps,
				      * clients); 0: not declared, no capacity-aware spill */
	uint32_t load;		     /* live load in the same unit when has_load */
	bool has_load;		     /* load was reported (a load check); else none known */
	const uint8_t *a_serving;    /* a_count flags, 0: that address is not serving;
				      * NULL: every address serves */
	const uint8_t *aaaa_serving; /* the same for the IPv6 addresses */
	uint64_t seed;		     /* hashes of this datacenter (its name's hash, so a
				      * reordered config keeps every split); 0: its index */
} geo_pick_dc_t;

/* One weighted split: clients are spread over dc[i] in proportion to weight[i]. */
typedef struct {
	const uint16_t *dc;	/* datacenter indexes */
	const uint32_t *weight; /* one per dc, >= 1 (a weight 0 is left out when built) */
	unsigned count;		/* entries; 0: no split */
} geo_pick_split_t;

/* How a record answers, beyond the order: all zero is the plain nearest rule. */
typedef struct {
	geo_pick_split_t weights; /* record-wide split (`weights:`), count 0: none */
	uint8_t granularity4;	  /* clients of one /N IPv4 network split alike; 0: 24 */
	uint8_t granularity6;	  /* the same for IPv6; 0: 48 */
	uint8_t max_addresses;	  /* answer at most this many addresses, 1..8; 0: all */
	uint32_t short_ttl;	  /* TTL while the answer may change soon (at least; the time
				   * to the change when later); 0: never shortened */
} geo_pick_policy_t;

/* One geo record as the pick needs it. */
typedef struct {
	uint32_t ttl;		    /* seconds, from the record */
	bool varies;		    /* false: one candidate, no map/nets, nothing hashed: no
				     * lookup, scope 0 */
	const uint16_t *candidates; /* datacenter indexes in config order; the order when the
				     * lookup has no opinion (and what status judges) */
	unsigned candidate_count;   /* >= 1 */
	geo_pick_policy_t policy;   /* weights, answer size, short TTL */
	const geo_pick_split_t *entry_splits; /* the map/nets entries' splits, by their
					       * marks (GEO_PICK_SPLIT_MARK) */
	unsigned entry_split_count; /* entries in entry_splits */
} geo_pick_record_t;

/* One question to the pick: a client, its order and the family asked. */
typedef struct {
	const uint16_t *order;	      /* datacenter indexes, most preferred first */
	unsigned count;		      /* entries in order */
	int family;		      /* addresses wanted: AF_INET (A) or AF_INET6 (AAAA) */
	int client_family;	      /* the client network's family, AF_INET or AF_INET6 */
	const uint8_t *client;	      /* its address, 4 or 16 bytes; NULL: nothing to hash
				       * (every client hashes alike) */
	unsigned source_prefix;	      /* its significant bits, 0..32/128 */
	unsigned scope;		      /* ECS scope of the lookup that gave order */
	const geo_pick_split_t *split; /* the entry split to use, or NULL: a split mark first in
				       * order (GEO_PICK_SPLIT_MARK) then names it */
} geo_pick_query_t;

/* Why the answer is what it is: bits of geo_pick_result_t.reasons. */
enum {
	GEO_PICK_NEAREST = 1u << 0,	   /* the first serving datacenter of the order */
	GEO_PICK_FAILOVER = 1u << 1,	   /* a datacenter before it is not serving */
	GEO_PICK_FAIL_OPEN = 1u << 2,	   /* none serves: answered as if all did */
	GEO_PICK_NODATA = 1u << 3,	   /* no datacenter to answer this family */
	GEO_PICK_OTHER_FAMILY = 1u << 4,   /* NODATA: a serving one has the other family */
	GEO_PICK_WEIGHT = 1u << 5,	   /* chosen by the record's weighted split */
	GEO_PICK_ENTRY_WEIGHT = 1u << 6,   /* chosen by the map/nets entry's split */
	GEO_PICK_SPILL = 1u << 7,	   /* spilled by spare capacity from a failed one */
	GEO_PICK_CAPACITY_SHORT = 1u << 8, /* the spare capacity does not cover the demand */
	GEO_PICK_ADDR_CAPPED = 1u << 9,	   /* a stable subset of max_addresses addresses */
	GEO_PICK_ADDR_UNHEALTHY = 1u << 10, /* addresses not serving were left out */
	GEO_PICK_SHORT_TTL = 1u << 11,	   /* a datacenter it depends on is in transition */
	GEO_PICK_HASHED = 1u << 12,	   /* the client network's hash decided: scope raised */
};
/* Reason bits, in the order geo_pick_reason_name() knows them. */
#define GEO_PICK_REASONS 13

/* What the pick answers. */
typedef struct {
	int dc;			/* index into the dcs array, -1: NODATA */
	bool any_serving;	/* some datacenter of the order serves (else fail open) */
	uint32_t reasons;	/* GEO_PICK_* bits */
	uint32_t ttl;		/* seconds, for the answer's records */
	unsigned scope;		/* ECS scope: the lookup's, raised to the split
				 * granularity when a hash decided (never wider) */
	uint64_t bucket;	/* the client network's hash (explain shows it) */
	uint32_t weight;	/* the winner's weight or spare capacity in the hashed
				 * choice; 0 when nothing was hashed */
	uint32_t weight_total;	/* the weights of that choice, summed */
	uint64_t demand;	/* SPILL: the failed datacenter's demand */
	uint64_t spare;		/* SPILL: the spare capacity taken to cover it */
	bool addr_all;		/* the answer is every address of dc's family, in order */
	unsigned addr_count;	/* addresses answered */
	uint8_t addr[GEO_PICK_ADDR_MAX]; /* when !addr_all: their indexes, ascending */
} geo_pick_result_t;

/* The answer of rec for q over dcs[0..dc_count): the rule is docs/routing.md's.
 *  1. fail open: when no datacenter of the order serves, the one with the family and
 *     the lowest fail_open_rank (nearest among equals), as if all served;
 *  2. a weighted split (the entry's, else the record's): highest-random-weight hashing
 *     of the client network over its serving datacenters with the family;
 *  3. else the first serving datacenter with the family; when the first one with the
 *     family is not serving and declares a capacity, its clients spread over the
 *     serving ones after it by spare capacity, hashed likewise;
 *  4. NODATA (dc -1) when no serving datacenter has the family;
 *  5. the addresses: the serving ones, at most max_addresses chosen per client network.
 * Pure, no allocation; safe on any thread. */
void geo_pick(const geo_pick_record_t *rec, const geo_pick_dc_t *dcs, size_t dc_count,
	      const geo_pick_query_t *q, geo_pick_result_t *out) M_NONNULL_ALL;

/* Index of the i-th answered address of out (into dcs[out->dc]'s family array). */
static inline unsigned geo_pick_addr_index(const geo_pick_result_t *out, unsigned i)
{
	return out->addr_all ? i : out->addr[i];
}

/* "nearest", "failover", ... for one GEO_PICK_* bit; NULL for anything else. */
const char *geo_pick_reason_name(uint32_t bit) M_CONST;

/* The hash geo_pick() gives the client network family/addr, its first prefix bits (the
 * rest count as zero, so a short source prefix hashes like the zero-padded network
 * inside it that its answer's scope names). Exposed for explain and the tests. */
uint64_t geo_pick_client_hash(int family, const uint8_t *addr, unsigned prefix) M_PURE;

/* A datacenter name's seed for geo_pick_dc_t.seed (never 0). */
uint64_t geo_pick_seed(const char *name) M_NONNULL_ALL M_PURE;

#endif
