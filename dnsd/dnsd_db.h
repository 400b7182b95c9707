/* SPDX-License-Identifier: MIT */
/* dnsd_db.h -- in-memory layout of the zone store, shared by the loader and the answer path */
#ifndef MERIDIAN_DNSD_DB_H
#define MERIDIAN_DNSD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "dnsd/dnsd_zone.h"

/* Everything here is written once by dnsd_zones_load() into one arena and never changed
 * afterwards; the answer path only reads it. Names are lower-cased uncompressed wire. */

#define DNSD_NO_NAME 0xFFFF

typedef struct dnsd_nsec3 dnsd_nsec3_t;

/* One resource record's data, ready to copy. */
typedef struct {
	const uint8_t *rdata;	   /* rdlen bytes; names inside are uncompressed, lower case */
	uint16_t rdlen;		   /* 0..65535 */
	uint16_t name_off[2];	   /* offsets in rdata of names we may compress (RFC 3597
				    * section 4 types), or DNSD_NO_NAME */
	uint8_t target_len;	   /* when target: bytes of the target name in rdata */
	bool target_wild;	   /* target is the wildcard that answers for the name */
	const dnsd_node_t *target; /* NS/MX/SRV: our node holding the target's A/AAAA (the
				    * name itself or the wildcard answering for it), or NULL */
} dnsd_rr_t;

/* All records of one type at one name. */
typedef struct dnsd_rrset {
	uint16_t type;	      /* RR type */
	uint16_t count;	      /* RRs, >= 1 */
	uint32_t ttl;	      /* seconds (the smallest seen in the file) */
	const dnsd_rr_t *rrs; /* count entries */
	const uint8_t *wire;  /* when no RR has a compressible name: the whole set
			       * rendered with owner pointer 0xC00C, else NULL */
	uint32_t wire_len;    /* bytes in wire */
	/* the RRSIGs covering this set (type RRSIG, rrs inside the owner's RRSIG set), or
	 * NULL; answered beside the set when the query has DO */
	const struct dnsd_rrset *sigs;
} dnsd_rrset_t;

#define DNSD_NODE_APEX 0x01	/* the origin of a zone */
#define DNSD_NODE_DELEG 0x02	/* NS below the apex: a zone cut */
#define DNSD_NODE_OCCLUDED 0x04 /* strictly below a zone cut (glue or junk) */
#define DNSD_NODE_GEO 0x08	/* a name of conf_t.records */
#define DNSD_NODE_UNDER_DNAME 0x10 /* strictly below a DNAME owner: never answered itself */

typedef struct dnsd_zone dnsd_zone_t;

/* One owner name (or empty non-terminal) of a zone. */
struct dnsd_node {
	const uint8_t *name;	     /* lower-case wire */
	uint32_t hash;		     /* dnsd_name_hash(name) */
	uint8_t name_len;	     /* 1..255 */
	uint8_t labels;		     /* labels before the root */
	uint8_t flags;		     /* DNSD_NODE_* */
	uint16_t rrset_count;	     /* 0 for an empty non-terminal */
	const dnsd_rrset_t *rrsets;  /* rrset_count sets, sorted by type */
	const dnsd_zone_t *zone;     /* the zone the node belongs to */
	const dnsd_node_t *cut;	     /* DELEG: itself; OCCLUDED: the delegation above; else NULL */
	const dnsd_node_t *wildcard; /* the node "*.<name>" if the zone has one, else NULL */
	uint32_t geo_record;	     /* DNSD_NODE_GEO: index into conf_t.records */
};

/* One zone. */
struct dnsd_zone {
	const dnsd_node_t *apex; /* the origin's node */
	const dnsd_rrset_t *soa; /* the apex SOA (one RR) */
	const dnsd_rrset_t *ns;	 /* the apex NS set */
	uint32_t neg_ttl;	 /* RFC 2308: min(SOA TTL, SOA MINIMUM), seconds */
	uint32_t serial;	 /* SOA serial */
	const char *origin;	 /* presentation form, lower case, trailing dot */
	/* when the zone's parent is served too: the parent's records at this cut (its
	 * NS, DS, and their proofs), in a node of the parent zone outside the hash table;
	 * DS is answered from it (RFC 4035 3.1.4.1). NULL otherwise. */
	const dnsd_node_t *parent_cut;
	bool secure;		       /* DNSKEY at the apex: DO answers carry RRSIGs and proofs */
	const dnsd_node_t **nsec;      /* owners of NSEC records, canonical order, or NULL */
	size_t nsec_count;	       /* entries in nsec */
	dnsd_nsec3_t *nsec3;	       /* the NSEC3 chain in hash order, or NULL */
	size_t nsec3_count;	       /* entries in nsec3 */
	uint16_t nsec3_iterations;     /* from NSEC3PARAM, 0..65535 */
	uint8_t nsec3_salt_len;	       /* bytes in nsec3_salt, 0..255 */
	uint8_t nsec3_salt[255];       /* from NSEC3PARAM */
	const dnsd_zone_signing_t *signing; /* signed at load: how, else NULL */
};

/* Hash table slot: open addressing, linear probing, power-of-two size. */
typedef struct {
	uint32_t hash;		 /* copy of node->hash to skip most compares */
	const dnsd_node_t *node; /* NULL: empty slot */
} dnsd_slot_t;

struct dnsd_zones {
	dnsd_zone_t *zones; /* zone_count entries */
	size_t zone_count; /* entries in zones */
	dnsd_slot_t *slots; /* mask + 1 entries */
	uint32_t mask;	    /* table size - 1 */
	size_t node_count;  /* names in the table */
	size_t memory;	    /* bytes allocated for all of it */
	void *arena;	    /* every block, freed together */
	/* signed geo answers: [(record * geo_dc_count + dc) * 2 + (AAAA ? 1 : 0)] is the
	 * RRSIG set of that datacenter's addresses of that family at that record's name, or
	 * NULL (unsigned zone, no such address); NULL when no zone is signed at load */
	const dnsd_rrset_t **geo_sigs;
	size_t geo_dc_count; /* datacenters per record in geo_sigs */
	size_t geo_record_count; /* records in geo_sigs */
};

/* The node for lower-case wire name (len bytes, hash from dnsd_name_hash), or NULL. */
static inline const dnsd_node_t *dnsd_zones_find(const dnsd_zones_t *z, const uint8_t *name,
						 size_t len, uint32_t hash)
{
	uint32_t i = hash & z->mask;
	for (;;) {
		const dnsd_slot_t *s = &z->slots[i];
		if (s->node == NULL)
			return NULL;
		if (s->hash == hash && s->node->name_len == len &&
		    __builtin_memcmp(s->node->name, name, len) == 0)
			return s->node;
		i = (i + 1) & z->mask;
	}
}

/* The rrset of type at node, or NULL. */
static inline const dnsd_rrset_t *dnsd_node_rrset(const dnsd_node_t *n, uint16_t type)
{
	for (unsigned i = 0; i < n->rrset_count; i++)
		if (n->rrsets[i].type == type)
			return &n->rrsets[i];
	return NULL;
}

#endif
