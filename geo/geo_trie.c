/* SPDX-License-Identifier: MIT */
/* geo_trie.c -- prefix trie from client networks to datacenter lists: lookup */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "geo/geo_addr.h"
#include "geo/geo_trie_internal.h"

/* The trie is immutable after geo_trie_build(); lookups only read it. */

/* Follows a (masked, 16-byte) address from a root table to its leaf; *depth is the
 * leaf's depth. */
static inline uint32_t descend(const uint32_t *nodes, const uint32_t *root, const uint8_t *a,
			       unsigned *depth)
{
	uint32_t e = root[((unsigned)a[0] << 8) | a[1]];
	unsigned d = GEO_TRIE_ROOT_BITS;

	if (e & GEO_TRIE_LEAF) {
		*depth = (e >> GEO_TRIE_DEPTH_SHIFT) & GEO_TRIE_DEPTH_MASK;
		return e;
	}
	/* The compiler makes no node at the family's last bit, so d stays in range. */
	do {
		e = nodes[2 * (size_t)e + geo_bit(a, d)];
		d++;
	} while (!(e & GEO_TRIE_LEAF));
	*depth = d;
	return e;
}

int geo_trie_lookup(const geo_trie_t *t, int family, const uint8_t *addr, unsigned source_prefix,
		    const geo_list_t **list, unsigned *scope)
{
	uint8_t a[16];
	uint32_t e;
	unsigned depth;

	if (likely(family == AF_INET)) {
		geo_addr_mask(AF_INET, addr, source_prefix, a);
		e = descend(t->nodes, t->root4, a, &depth);
	} else if (family == AF_INET6) {
		geo_addr_mask(AF_INET6, addr, source_prefix, a);
		e = descend(t->nodes, t->root6, a, &depth);
		if (e & GEO_TRIE_GRAFT) {
			const geo_form_desc_t *form = &geo_forms[e & GEO_TRIE_PAYLOAD];
			uint8_t v4[4];
			unsigned depth4;
			geo_addr_embedded_v4(form->form, a, v4);
			e = descend(t->nodes, t->root4, v4, &depth4);
			if (form->v4_offset + depth4 > depth)
				depth = form->v4_offset + depth4;
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
		       t->node_count * 2 * sizeof(uint32_t) + t->list_count * sizeof(geo_list_t) +
		       t->pool_len * sizeof(uint16_t);
}

void geo_trie_free(geo_trie_t *t)
{
	if (!t)
		return;
	free(t->root4);
	free(t->root6);
	free(t->nodes);
	free(t->lists);
	free(t->pool);
	free(t);
}
