/* SPDX-License-Identifier: MIT */
/* geo_trie.h -- prefix trie from client networks to datacenter preference lists */
#ifndef MERIDIAN_GEO_TRIE_H
#define MERIDIAN_GEO_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* One preference list: datacenter indexes (into the geo_dc_t array the trie was built
 * from), most preferred first. Every candidate of the record appears exactly once, after
 * any rule-listed datacenter. Interned: equal lists of one trie are one pointer. */
typedef struct {
	const uint16_t *dc; /* count datacenter indexes */
	uint32_t count;	    /* >= 1 */
} geo_list_t;

/* A compiled record: the whole IPv4 space and the whole IPv6 space, each a prefix trie
 * whose leaves are preference lists. Adjacent networks with the same list are merged
 * into their widest supernet, so a leaf's depth is the widest correct ECS scope.
 * Immutable once built; any number of threads may look up without locks. */
typedef struct geo_trie geo_trie_t;

/* Looks up a client. addr is 4 (AF_INET) or 16 (AF_INET6) bytes in network order, of
 * which only the first source_prefix bits are used (the rest count as zero, as RFC 7871
 * says); source_prefix above 32/128 is clamped. IPv6 forms carrying IPv4 (geo_addr.h)
 * are looked up as that IPv4 address.
 *
 * *scope is the depth of the leaf, in the query's family: the answer holds for every
 * address sharing the first *scope bits. It may exceed source_prefix when the bits the
 * resolver sent do not decide the answer; RFC 7871 section 7.2.1 allows that and it tells
 * the resolver not to cache the answer for the wider source network. For IPv4 carried in
 * IPv6, the scope is the IPv4 leaf depth plus the bit offset of the IPv4 address (96 for
 * mapped, compatible, NAT64 and Teredo, 16 for 6to4), and never less than the depth of
 * the IPv6 prefix that led there. Teredo stores the client address complemented; the
 * complement is per bit, so a prefix of it is still a prefix and the same rule holds.
 *
 * Source prefix 0 is the caller's business (RFC 7871: answer for the resolver's own
 * address with scope 0). No allocation, no locks. Returns 0, or -1 for a bad family. */
int geo_trie_lookup(const geo_trie_t *t, int family, const uint8_t *addr, unsigned source_prefix,
		    const geo_list_t **list, unsigned *scope) M_NONNULL_ALL M_WUR;

/* One lookup of a batch: the arguments and results of geo_trie_lookup(). */
typedef struct {
	int family;		/* AF_INET or AF_INET6 */
	const uint8_t *addr;	/* 4 or 16 bytes by family, network order */
	unsigned source_prefix; /* as for geo_trie_lookup() */
	const geo_list_t *list; /* out: the preference list (unset when rc is -1) */
	unsigned scope;		/* out: the ECS scope */
	int rc;			/* out: 0, or -1 for a bad family */
} geo_trie_query_t;

/* Looks up q[0..n) with exactly the results of geo_trie_lookup() for each, walking them
 * in lockstep and prefetching each one's next read, so their cache misses overlap (for
 * a server that holds several queries, e.g. one recvmmsg batch). No allocation. */
void geo_trie_lookup_batch(const geo_trie_t *t, geo_trie_query_t *q, size_t n) M_NONNULL_ALL;

/* Size figures of a trie, for logs and the benchmark. */
typedef struct {
	size_t nodes; /* multibit nodes below the two 65536-entry root tables */
	size_t lists; /* distinct preference lists */
	size_t bytes; /* heap bytes held */
} geo_trie_stats_t;

void geo_trie_stats(const geo_trie_t *t, geo_trie_stats_t *stats) M_NONNULL_ALL;

/* Frees t; NULL is fine. */
void geo_trie_free(geo_trie_t *t);

#endif
