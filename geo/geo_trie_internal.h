/* SPDX-License-Identifier: MIT */
/* geo_trie_internal.h -- the trie's memory layout, shared by the lookup and the compiler
 *
 * A binary trie (one bit per level, equal leaves merged; nodes of two 32-bit children,
 * children before parents) under a direct table on the first 16 bits of each family.
 * A table entry is a leaf, copied into every entry it covers and carrying its true depth
 * so the scope stays exact, or the binary node at depth 16.
 *
 * Measured alternative: 16-entry nodes (4 bits, one cache line) below the tables. On
 * the 600k-network synthetic database, random clients took ~95 ns (IPv4) and ~78 ns
 * (IPv6) against ~120 and ~130 ns here, for 1.8x the memory (55 MB against 30 MB per
 * trie). A DNS query costs over a microsecond anyway, and memory multiplies by distinct
 * records, so the compact layout won.
 */
#ifndef MERIDIAN_GEO_TRIE_INTERNAL_H
#define MERIDIAN_GEO_TRIE_INTERNAL_H

#include "geo/geo_trie.h"

/* An entry with this bit is a leaf; otherwise it is a binary node index. */
#define GEO_TRIE_LEAF 0x80000000u
/* A leaf with this bit too is an IPv6 region carrying IPv4: the payload is the
 * geo_form_t, and the lookup continues in the IPv4 table. Otherwise it is a list index. */
#define GEO_TRIE_GRAFT 0x40000000u
/* In a root table leaf, the leaf's depth (0..16) sits in these bits; a leaf reached in
 * the binary nodes has the depth of the walk. */
#define GEO_TRIE_DEPTH_SHIFT 22
#define GEO_TRIE_DEPTH_MASK 0xffu
/* The payload of a leaf: list index or form. */
#define GEO_TRIE_PAYLOAD 0x3fffffu
/* Bits resolved by the root tables. */
#define GEO_TRIE_ROOT_BITS 16

struct geo_trie {
	uint32_t *root4;   /* 65536 entries: IPv4 by its first 16 bits */
	uint32_t *root6;   /* 65536 entries: IPv6 by its first 16 bits */
	uint32_t *nodes;   /* binary node i's children at [2i] (bit 0) and [2i+1] (bit 1) */
	size_t node_count; /* binary nodes */
	geo_list_t *lists; /* interned preference lists */
	size_t list_count; /* entries in lists */
	uint16_t *pool;	 /* storage of every list's datacenter indexes */
	size_t pool_len; /* uint16_t entries used in pool */
};

#endif
