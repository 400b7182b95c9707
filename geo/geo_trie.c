/* SPDX-License-Identifier: MIT */
/* geo_trie.c -- prefix trie from client networks to datacenter lists: lookup */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "geo/geo_addr.h"
#include "geo/geo_trie_internal.h"

/* The trie is immutable after geo_trie_build(); lookups only read it. */

/* popcnt where the CPU has it (resolved once at load by the dynamic linker); the
 * generic build has no popcount instruction on x86-64. GCC only: clang 14 (Debian 12)
 * emits the clones of an exported function without the symbol that resolves them. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__)
#define LOOKUP_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define LOOKUP_CLONES
#endif

/* One node of a walk: the entry for the 6 bits of a from bit d, in node e. Returns true
 * with *out the child node's offset, or false with *out the arena index of the leaf
 * (read by the caller, so that a batched walk can prefetch it first). The compiler makes
 * no node at the family's last bit, so a stride starts at bit 28 (IPv4) or 124 (IPv6) at
 * most and reads at most one byte past the address, which the caller zero-pads. */
static M_ALWAYS_INLINE bool node_next(const geo_trie_t *t, uint32_t e, const uint8_t *a, unsigned d,
			     uint32_t *out)
{
	const uint32_t *n = t->arena + e;
	uint64_t child, run;
	uint32_t base;
	unsigned two = ((unsigned)a[d / 8] << 8) | a[d / 8 + 1];
	unsigned i = (two >> (16 - GEO_TRIE_STRIDE - d % 8)) & 63;
	uint64_t upto = ~(uint64_t)0 >> (63 - i); /* entries 0..i */

	memcpy(&child, n + offsetof(geo_trie_node_t, child) / 4, sizeof(child));
	if ((child >> i) & 1) {
		memcpy(&base, n + offsetof(geo_trie_node_t, child_base) / 4, sizeof(base));
		*out = base + (uint32_t)GEO_TRIE_NODE_WORDS *
				  ((uint32_t)__builtin_popcountll(child & upto) - 1);
		return true;
	}
	memcpy(&run, n + offsetof(geo_trie_node_t, run) / 4, sizeof(run));
	memcpy(&base, n + offsetof(geo_trie_node_t, leaf_base) / 4, sizeof(base));
	*out = base + (uint32_t)__builtin_popcountll(run & upto) - 1;
	return false;
}

static M_ALWAYS_INLINE unsigned root_index(const uint8_t *a)
{
	return ((unsigned)a[0] << 8) | a[1];
}

/* Follows a masked, zero-padded address from a root table to its leaf. */
static M_ALWAYS_INLINE uint32_t descend(const geo_trie_t *t, const uint32_t *root, const uint8_t *a)
{
	uint32_t e = root[root_index(a)];
	unsigned d = GEO_TRIE_ROOT_BITS;

	while (!(e & GEO_TRIE_LEAF)) {
		uint32_t next;
		if (node_next(t, e, a, d, &next))
			e = next;
		else
			e = t->arena[next];
		d += GEO_TRIE_STRIDE;
	}
	return e;
}

static M_ALWAYS_INLINE unsigned leaf_depth(uint32_t e)
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

/* A lookup of a batch in flight. */
typedef struct {
	uint8_t a[17];	    /* the masked address, zero-padded (IPv4: the first 4 bytes) */
	uint8_t phase;	    /* ROOT, NODE or LEAF: what the next step reads */
	bool v4;	    /* walking the IPv4 table (the family's, or a graft's) */
	unsigned d;	    /* bits resolved so far */
	uint32_t e;	    /* the node (NODE) or leaf word (LEAF) to read next */
	unsigned depth6;    /* IPv6 graft: the depth of the graft leaf */
	unsigned v4_offset; /* IPv6 graft: the bit offset of the IPv4 address, else 0 */
} walk_t;

enum { ROOT, NODE, LEAF, DONE };

#define BATCH 32

/* Starts (or restarts, for a graft) w's walk at its table: prefetches the entry. */
static M_ALWAYS_INLINE void walk_root(const geo_trie_t *t, walk_t *w)
{
	const uint32_t *root = w->v4 ? t->root4 : t->root6;

	w->phase = ROOT;
	w->d = GEO_TRIE_ROOT_BITS;
	__builtin_prefetch(&root[root_index(w->a)]);
}

/* Takes one step of w; returns false when it is done. */
static M_ALWAYS_INLINE bool walk_step(const geo_trie_t *t, walk_t *w, geo_trie_query_t *q)
{
	uint32_t e;

	if (w->phase == ROOT) {
		e = (w->v4 ? t->root4 : t->root6)[root_index(w->a)];
	} else if (w->phase == NODE) {
		uint32_t next;
		bool child = node_next(t, w->e, w->a, w->d, &next);
		w->d += GEO_TRIE_STRIDE;
		w->e = next;
		w->phase = child ? NODE : LEAF;
		__builtin_prefetch(t->arena + next);
		return true;
	} else {
		e = t->arena[w->e];
	}
	if (!(e & GEO_TRIE_LEAF)) {
		w->e = e;
		w->phase = NODE;
		__builtin_prefetch(t->arena + e);
		return true;
	}
	unsigned depth = leaf_depth(e);
	if (!w->v4 && (e & GEO_TRIE_GRAFT)) {
		const geo_form_desc_t *form = &geo_forms[e & GEO_TRIE_PAYLOAD];
		uint8_t v4[4];
		geo_addr_embedded_v4(form->form, w->a, v4);
		memset(w->a, 0, sizeof(w->a));
		memcpy(w->a, v4, 4);
		w->v4 = true;
		w->depth6 = depth;
		w->v4_offset = form->v4_offset;
		walk_root(t, w);
		return true;
	}
	if (w->v4_offset) /* the IPv4 leaf of a graft, in IPv6 terms */
		depth = w->v4_offset + depth > w->depth6 ? w->v4_offset + depth : w->depth6;
	q->list = &t->lists[e & GEO_TRIE_PAYLOAD];
	q->scope = depth;
	q->rc = 0;
	w->phase = DONE;
	return false;
}

LOOKUP_CLONES
void geo_trie_lookup_batch(const geo_trie_t *t, geo_trie_query_t *q, size_t n)
{
	walk_t w[BATCH];

	for (size_t at = 0; at < n; at += BATCH) {
		size_t m = n - at < BATCH ? n - at : BATCH, active = 0;
		for (size_t i = 0; i < m; i++) {
			geo_trie_query_t *qi = &q[at + i];
			memset(w[i].a, 0, sizeof(w[i].a));
			w[i].v4_offset = 0;
			w[i].depth6 = 0;
			if (qi->family != AF_INET && qi->family != AF_INET6) {
				qi->rc = -1;
				w[i].phase = DONE;
				continue;
			}
			geo_addr_mask(qi->family, qi->addr, qi->source_prefix, w[i].a);
			w[i].v4 = qi->family == AF_INET;
			walk_root(t, &w[i]);
			active++;
		}
		while (active)
			for (size_t i = 0; i < m; i++)
				if (w[i].phase != DONE && !walk_step(t, &w[i], &q[at + i]))
					active--;
	}
}

void geo_trie_stats(const geo_trie_t *t, geo_trie_stats_t *stats)
{
	stats->nodes = t->node_count;
	stats->lists = t->list_count;
	stats->bytes = sizeof(*t) + 2 * ((size_t)1 << GEO_TRIE_ROOT_BITS) * sizeof(uint32_t) +
		       t->arena_len * sizeof(uint32_t) + t->list_count * sizeof(geo_list_t) +
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
