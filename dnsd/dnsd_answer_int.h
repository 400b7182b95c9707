/* SPDX-License-Identifier: MIT */
/* dnsd_answer_int.h -- the response being built, shared by the answer path's files */
#ifndef MERIDIAN_DNSD_ANSWER_INT_H
#define MERIDIAN_DNSD_ANSWER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/dnsd_answer.h"
#include "dnsd/dnsd_db.h"
#include "dnsd/dnsd_render.h"

/* CNAME chains longer than this inside our data stop; the resolver goes on if it likes.
 * A chain also stops where a name repeats (a loop is rendered once, RFC 1034 4.3.2). */
#define CHASE_MAX 8

/* Denial records (NSEC/NSEC3 owners) one response may carry, duplicates skipped. */
#define PROOF_MAX 8

/* One response being built. Lives on the worker's stack; only the fields before r are
 * zeroed per query. */
typedef struct {
	const dnsd_answer_ctx_t *ctx; /* zones and geo data of this snapshot */
	const dnsd_query_t *q;	      /* the parsed question */
	const dnsd_client_t *client;  /* the resolver's address and transport */
	dnsd_counters_t *counters;    /* the worker's counters, bumped per answer */
	const dnsd_geo_pre_t *pre;    /* a lookup made ahead (batch), or NULL */
	const dnsd_node_t *qnode;     /* when qnode_known: the question name's node, or NULL */
	bool qnode_known;	      /* the question name was looked up ahead (batch) */
	const dnsd_zone_t *zone;      /* the zone the question fell into */
	uint16_t an, ns, ar;	      /* records per section */
	uint8_t rcode;		      /* 0..15 here; BADVERS is handled apart */
	bool aa;		      /* authoritative */
	bool tc;		      /* answer or authority did not fit */
	bool referral;		      /* a delegation was answered */
	bool ede_not_auth;	      /* REFUSED for a name outside our zones: EDE 20 */
	bool dnssec;		      /* DO set and the zone signed: RRSIGs and proofs */
	uint8_t scope;		      /* ECS scope prefix length for the response */
	const dnsd_node_t *wild_ce;   /* the closest encloser whose wildcard answers the
				       * name at hand, or NULL (an exact name) */
	unsigned proof_count;	      /* entries used in proofs */
	const dnsd_node_t *proofs[PROOF_MAX]; /* denial owners already written */
	dnsd_render_t r;	      /* the response buffer and its compression table */
	/* The names of the CNAME chain so far (lower-case wire): [0] the question, [d] the
	 * target chased at depth d; valid up to the current depth, never zeroed. */
	const uint8_t *chain[CHASE_MAX + 1];
	uint16_t chain_len[CHASE_MAX + 1]; /* bytes of chain[i] */
	/* CNAME targets synthesised from DNAMEs (RFC 6672), [d] made at depth d */
	uint8_t synth[CHASE_MAX][DNSD_NAME_MAX];
} answer_t;

enum { SEC_AN, SEC_NS, SEC_AR };

/* Writes set (and, for a DNSSEC answer, the RRSIGs covering it: both or neither) into
 * section sec. Returns false when it does not fit: TC for the answer and authority,
 * left out of the additional section. */
bool dnsd_answer_add(answer_t *st, int sec, dnsd_owner_t owner, const dnsd_rrset_t *set,
		     uint32_t ttl) M_NONNULL(1, 4);

/* NODATA at node n for the name at depth: the SOA and, signed, the proof that the type
 * is absent there (or at the wildcard, st->wild_ce, that answers for the name). */
void dnsd_answer_nodata(answer_t *st, const dnsd_node_t *n, unsigned depth) M_NONNULL_ALL;

/* The additional section for an NS, MX or SRV set (nothing for other types). */
void dnsd_answer_additional(answer_t *st, const dnsd_rrset_t *set) M_NONNULL_ALL;

/* Appends an Extended DNS Error option (RFC 8914, no text) to the OPT record at p whose
 * length is opt_len; returns the new length. */
size_t dnsd_opt_add_ede(uint8_t *p, size_t opt_len, uint16_t info) M_NONNULL_ALL;

/* Authenticated denial (RFC 4035 3.1.3, RFC 5155 7.2), written into the authority
 * section of a DNSSEC answer after the SOA; each reads the zone's NSEC or NSEC3 chain.
 * name/len: the lower-case wire name being answered. */

/* NXDOMAIN: name does not exist, ce is its closest encloser (and has no wildcard). */
void dnsd_deny_name(answer_t *st, const dnsd_zone_t *zone, const uint8_t *name, size_t len,
		    const dnsd_node_t *ce) M_NONNULL_ALL;
/* NODATA at name, which exists (node n, perhaps an empty non-terminal) or is a cut. */
void dnsd_deny_type(answer_t *st, const dnsd_zone_t *zone, const uint8_t *name, size_t len)
    M_NONNULL_ALL;
/* An answer from ce's wildcard for name: the proof that name itself does not exist, and,
 * for nodata, that the wildcard has no such type either. */
void dnsd_deny_wildcard(answer_t *st, const dnsd_zone_t *zone, const uint8_t *name, size_t len,
			const dnsd_node_t *ce, bool nodata) M_NONNULL_ALL;
/* A referral to cut: its DS set (signed), or the proof that it has none. */
void dnsd_deny_ds_at_cut(answer_t *st, const dnsd_node_t *cut) M_NONNULL_ALL;

/* The signatures made at load of datacenter dc's A (or AAAA) set at geo record
 * `record`, or NULL (zone not signed at load, no such addresses). */
const dnsd_rrset_t *dnsd_geo_sigs(const dnsd_zones_t *zones, size_t record, size_t dc, bool aaaa)
    M_NONNULL_ALL;

/* The DNAME at n answers name (strictly below n, RFC 6672): writes the DNAME and the
 * CNAME synthesised from it (the DNAME's TTL), then returns the target to chase in
 * st->synth[depth] (*target_len bytes), or NULL to stop (YXDOMAIN when the target would
 * be longer than 255 bytes, no room, CNAME asked). */
const uint8_t *dnsd_dname_answer(answer_t *st, const dnsd_node_t *n, const dnsd_rrset_t *dname,
				 const uint8_t *name, size_t len, unsigned depth,
				 size_t *target_len) M_NONNULL_ALL;

#endif
