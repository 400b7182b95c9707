/* SPDX-License-Identifier: MIT */
/* geo_trie_internal.h -- the trie's memory layout, shared by the lookup and the compiler */
#ifndef MERIDIAN_GEO_TRIE_INTERNAL_H
#define MERIDIAN_GEO_TRIE_INTERNAL_H

#include "geo/geo_trie.h"

/* A child with this bit is a leaf; otherwise it is a node index. */
#define GEO_TRIE_LEAF 0x80000000u
/* A leaf with this bit too is an IPv6 region carrying IPv4: the low bits are the
 * geo_form_t, and the lookup continues in the IPv4 trie. Otherwise the low bits are a
 * list index. */
#define GEO_TRIE_GRAFT 0x40000000u
/* Largest node or list index. */
#define GEO_TRIE_MAX_INDEX 0x3fffffffu

struct geo_trie {
	uint32_t *nodes;       /* node i's children at [2i] (bit 0) and [2i+1] (bit 1) */
	size_t node_count;     /* inner nodes */
	uint32_t root4;        /* IPv4 trie: node index or leaf */
	uint32_t root6;        /* IPv6 trie: node index or leaf */
	geo_list_t *lists;     /* interned preference lists */
	size_t list_count;
	uint16_t *pool;        /* storage of every list's datacenter indexes */
	size_t pool_len;       /* uint16_t entries used in pool */
};

#endif
