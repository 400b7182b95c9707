/* SPDX-License-Identifier: MIT */
/* geo_trie_internal.h -- the trie's memory layout, shared by the lookup and the compiler */

/*
 * A direct table on the first 16 bits of each family, then multibit nodes of 6 bits
 * (64 entries, leaf-pushed) whose entries are packed Poptrie-style: a 64-bit map says
 * which entries are child nodes (stored contiguously from child_base, in entry order),
 * and another marks where each run of equal leaves starts (the runs stored contiguously
 * from leaf_base). The entry's index among the set bits, a popcount, finds either.
 * Every leaf carries its true depth (the merged binary leaf it came from), so the scope
 * stays exact whatever the stride.
 *
 * Why: the previous layout (binary nodes of two 32-bit children below the same tables)
 * cost one dependent cache miss per address bit: ~8 for an IPv4 /24 and ~40 for an IPv6
 * /56, each an L3 hit under DNS load. Here a lookup reads one node per 6 bits of the
 * leaf's depth past 16 (at most three for IPv4, seven for a /56) and one leaf. Because
 * equal neighbouring leaves are one run, nodes (24 bytes) and leaves (4) take about what
 * the binary nodes took (30 MB on the 600k-network synthetic database).
 * Measured alternatives: 8-bit nodes with 256-bit maps (80 bytes) took 43 MB instead of
 * 30 and compiled several times slower, for IPv4 lookups no faster; 16-entry 4-bit nodes
 * without compression (one cache line each) took 1.8x the binary nodes' memory.
 */
#ifndef MERIDIAN_GEO_TRIE_INTERNAL_H
#define MERIDIAN_GEO_TRIE_INTERNAL_H

#include "geo/geo_trie.h"

/* An entry with this bit is a leaf; otherwise it is a multibit node index. */
#define GEO_TRIE_LEAF 0x80000000u
/* A leaf with this bit too is an IPv6 region carrying IPv4: the payload is the
 * geo_form_t, and the lookup continues in the IPv4 table. Otherwise it is a list index. */
#define GEO_TRIE_GRAFT 0x40000000u
/* In a finished trie's leaf (table entry or leaves[]), the leaf's depth (0..128) sits in
 * these bits; the compiler's binary leaves have 0 there. */
#define GEO_TRIE_DEPTH_SHIFT 22
#define GEO_TRIE_DEPTH_MASK 0xffu
/* The payload of a leaf: list index or form. */
#define GEO_TRIE_PAYLOAD 0x3fffffu
/* Bits resolved by the root tables; the binary trie is cut into multibit nodes here. */
#define GEO_TRIE_ROOT_BITS 16
/* Bits resolved by each multibit node: 64 entries, one 64-bit map per kind. */
#define GEO_TRIE_STRIDE 6

/* One multibit node: 64 entries, entry i being bit i of the maps. Nodes and leaves share
 * one array of 32-bit words (the arena), so that a node, its leaves and its children lie
 * together: a node is written as GEO_TRIE_NODE_WORDS words at a word offset (read with
 * memcpy, so no alignment or aliasing rules are involved), a leaf is one word. */
typedef struct {
	uint64_t child;	     /* set: entry i is a child node */
	uint64_t run;	     /* set: entry i is a leaf unequal to entry i - 1 (or i == 0, or
				entry i - 1 is a child): a run of equal leaves starts there */
	uint32_t child_base; /* word offset of the first child; child k at + k * NODE_WORDS */
	uint32_t leaf_base;  /* word offset of the first run's leaf; run k at + k */
} geo_trie_node_t;

#define GEO_TRIE_NODE_WORDS (sizeof(geo_trie_node_t) / sizeof(uint32_t))

struct geo_trie {
	uint32_t *root4;   /* 65536 entries: IPv4 by its first 16 bits */
	uint32_t *root6;   /* 65536 entries: IPv6 by its first 16 bits */
	uint32_t *arena;   /* multibit nodes and leaf runs; a table entry or child that is
			      not a leaf is a node's word offset here. Laid out depth first:
			      a node's leaves, then its children together, then theirs. */
	size_t arena_len;  /* words used in arena */
	size_t node_count; /* multibit nodes in arena */
	geo_list_t *lists; /* interned preference lists */
	size_t list_count; /* entries in lists */
	uint16_t *pool;	   /* storage of every list's datacenter indexes */
	size_t pool_len;   /* uint16_t entries used in pool */
};

#endif
