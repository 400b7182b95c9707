/* SPDX-License-Identifier: MIT */
/* geo_trie.c -- prefix trie from client networks to datacenter lists: lookup */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "geo/geo_addr.h"
#include "geo/geo_trie_internal.h"

/* The trie is immutable after geo_trie_build(); lookups only read it. */

/* popcnt where the CPU has it (resolved once at load by the dynamic linker); the
 * generic build has no popcount instruction on x86-64. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__ELF__)
#define LOOKUP_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define LOOKUP_CLONES
#endif

/* Follows a masked address from a root table to its leaf. The compiler makes no node at
 * the family's last bit, so a stride starts at bit 28 (IPv4) or 124 (IPv6) at most and
 * reads at most one byte past the address, which the caller zero-pads. */
static inline uint32_t descend(const geo_trie_t *t, const uint32_t *root, const uint8_t *a)
{
	uint32_t e = root[((unsigned)a[0] << 8) | a[1]];
	unsigned d = GEO_TRIE_ROOT_BITS;

	while (!(e & GEO_TRIE_LEAF)) {
		const uint32_t *n = t->arena + e;
		uint64_t child, run;
		uint32_t base;
		/* the 6 bits from d on; a is zero-padded past the address */
		unsigned two = ((unsigned)a[d / 8] << 8) | a[d / 8 + 1];
		unsigned i = (two >> (16 - GEO_TRIE_STRIDE - d % 8)) & 63;
		uint64_t upto = ~(uint64_t)0 >> (63 - i); /* entries 0..i */
		d += GEO_TRIE_STRIDE;
		memcpy(&child, n + offsetof(geo_trie_node_t, child) / 4, sizeof(child));
		if ((child >> i) & 1) {
			memcpy(&base, n + offsetof(geo_trie_node_t, child_base) / 4, sizeof(base));
			e = base + (uint32_t)GEO_TRIE_NODE_WORDS *
				       ((uint32_t)__builtin_popcountll(child & upto) - 1);
		} else {
			memcpy(&run, n + offsetof(geo_trie_node_t, run) / 4, sizeof(run));
			memcpy(&base, n + offsetof(geo_trie_node_t, leaf_base) / 4, sizeof(base));
			e = t->arena[base + (uint32_t)__builtin_popcountll(run & upto) - 1];
		}
	}
	return e;
}

static inline unsigned leaf_depth(uint32_t e)
{
	return (e >> GEO_TRIE_DEPTH_SHIFT) & GEO_TRIE_DEPTH_MASK;
}

LOOKUP_CLONES
int geo_trie_lookup(const geo_trie_t *t, int family, const uint8_t *addr, unsigned source_prefix,
		    const geo_list_t **list, unsigned *scope)
{
	uint8_t a[17] = {0}; /* one zero byte past the address for the last stride */
	uint32_t e;
	unsigned depth;

	if (likely(family == AF_INET)) {
		geo_addr_mask(AF_INET, addr, source_prefix, a);
		e = descend(t, t->root4, a);
		depth = leaf_depth(e);
	} else if (family == AF_INET6) {
		geo_addr_mask(AF_INET6, addr, source_prefix, a);
		e = descend(t, t->root6, a);
		depth = leaf_depth(e);
		if (e & GEO_TRIE_GRAFT) {
			const geo_form_desc_t *form = &geo_forms[e & GEO_TRIE_PAYLOAD];
			uint8_t v4[5] = {0};
			geo_addr_embedded_v4(form->form, a, v4);
			e = descend(t, t->root4, v4);
			if (form->v4_offset + leaf_depth(e) > depth)
				depth = form->v4_offset + leaf_depth(e);
		}
	} else {
		return -1;
	}
	*list = &t->lists[e & GEO_TRIE_PAYLOAD];
	*scope = depth;
	return 0;
}

void geo_trie_stats(const geo_trie_t *t, geo_trie_stats_t *stats)
{
	stats->nodes = t->node_count;
	stats->lists = t->list_count;
	stats->bytes = sizeof(*t) + 2 * ((size_t)1 << GEO_TRIE_ROOT_BITS) * sizeof(uint32_t) +
		       t->arena_len * sizeof(uint32_t) +
		       t->list_count * sizeof(geo_list_t) +
		       t->pool_len * sizeof(uint16_t);
}

void geo_trie_free(geo_trie_t *t)
{
	if (!t)
		return;
	free(t->root4);
	free(t->root6);
	free(t->arena);
	free(t->lists);
	free(t->pool);
	free(t);
}
