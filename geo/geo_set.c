/* SPDX-License-Identifier: MIT */
/* geo_set.c -- building a geo set: each record's rules compiled into a merged trie */

/*
 * Concurrency: a compilation reads the database (immutable), the datacenters and the
 * rules (the caller's, unchanged meanwhile) and writes only its own build_t and trie, so
 * geo_set_build_threads() runs several at once. The finished trie is immutable; it is
 * handed to readers only after the build returns (the caller publishes it, e.g. RCU). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "geo/geo_addr.h"
#include "geo/geo_set.h"
#include "geo/geo_trie_internal.h"

/* No leaf decided yet ("none" for override and graft below). */
#define NONE 0xffffffffu

/* A region of the IPv6 space that is not read from the database's IPv6 tree: the forms
 * carrying IPv4 become graft leaves, and ::/127 inside the compatible form is native. */
typedef struct {
	const uint8_t *prefix; /* 16 bytes */
	unsigned len;	       /* prefix length */
	uint32_t leaf;	       /* GEO_TRIE_LEAF | GEO_TRIE_GRAFT | form, or NONE for native */
} hole_t;

#define HOLE_COUNT (GEO_FORM_COUNT) /* forms 1..5 plus ::/127 */

/* Interned lists: open addressing over list indexes, hashed by content. */
typedef struct {
	uint32_t *slots;    /* list index + 1; 0 = empty */
	size_t cap;	    /* power of two */
	size_t *offsets;    /* per list: start in the pool (pointers are fixed at the end) */
	size_t offsets_cap; /* entries allocated in offsets */
} intern_t;

/* One compilation. */
typedef struct {
	const uint32_t *src;	     /* the database's location tree */
	const geo_loc_t *locs;	     /* its locations */
	const geo_dc_t *dcs;	     /* the datacenters, by index */
	const geo_rules_t *rules;    /* the record's map, nets and candidates */
	uint32_t *loc_list;	     /* per location: list leaf, or NONE until computed */
	const geo_net_rule_t **nets; /* this family's nets rules, sorted by address then length */
	uint32_t *net_list;	     /* list leaf per entry of nets */
	hole_t holes[HOLE_COUNT];    /* IPv6 ranges not read from the v6 tree (IPv4 forms) */
	geo_choice_t *choices;	     /* scratch, geo_order_max entries */
	uint16_t *order;	     /* scratch */
	uint32_t *bin;		     /* the binary trie: node i's children at [2i], [2i+1] */
	size_t bin_count;	     /* binary nodes */
	size_t bin_cap;		     /* nodes allocated in bin */
	size_t arena_cap;	     /* words allocated in trie->arena */
	geo_trie_t *trie;	     /* output under construction */
	size_t pool_cap;	     /* entries allocated in trie->pool */
	intern_t intern;	     /* identical preference lists stored once */
	int failed;		     /* out of memory or index overflow */
} build_t;

static uint32_t hash_list(const uint16_t *dc, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= dc[i];
		h *= 16777619u;
	}
	return h ^ (uint32_t)n;
}

static int intern_grow(build_t *b)
{
	intern_t *in = &b->intern;
	size_t cap = in->cap ? in->cap * 2 : 64;
	uint32_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < in->cap; i++) {
		if (!in->slots[i])
			continue;
		uint32_t id = in->slots[i] - 1;
		const geo_list_t *l = &b->trie->lists[id];
		size_t j = hash_list(b->trie->pool + in->offsets[id], l->count) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = in->slots[i];
	}
	free(in->slots);
	in->slots = slots;
	in->cap = cap;
	return 0;
}

/* The leaf for list dc[0..n), adding it to the trie's lists if new. */
static uint32_t intern(build_t *b, const uint16_t *dc, size_t n)
{
	intern_t *in = &b->intern;
	geo_trie_t *t = b->trie;

	if ((t->list_count + 1) * 2 > in->cap && intern_grow(b) < 0)
		goto nomem;
	size_t j = hash_list(dc, n) & (in->cap - 1);
	while (in->slots[j]) {
		uint32_t id = in->slots[j] - 1;
		if (t->lists[id].count == n &&
		    memcmp(t->pool + in->offsets[id], dc, n * sizeof(*dc)) == 0)
			return GEO_TRIE_LEAF | id;
		j = (j + 1) & (in->cap - 1);
	}
	if (t->list_count >= GEO_TRIE_PAYLOAD)
		goto nomem;
	if (t->list_count == in->offsets_cap) {
		size_t cap = in->offsets_cap ? in->offsets_cap * 2 : 16;
		size_t *offsets = realloc(in->offsets, cap * sizeof(*offsets));
		geo_list_t *lists = realloc(t->lists, cap * sizeof(*lists));
		if (offsets)
			in->offsets = offsets;
		if (lists)
			t->lists = lists;
		if (!offsets || !lists)
			goto nomem;
		in->offsets_cap = cap;
	}
	if (t->pool_len + n > b->pool_cap) {
		size_t cap = b->pool_cap ? b->pool_cap * 2 : 256;
		while (cap < t->pool_len + n)
			cap *= 2;
		uint16_t *pool = realloc(t->pool, cap * sizeof(*pool));
		if (!pool)
			goto nomem;
		t->pool = pool;
		b->pool_cap = cap;
	}
	memcpy(t->pool + t->pool_len, dc, n * sizeof(*dc));
	in->offsets[t->list_count] = t->pool_len;
	t->lists[t->list_count] = (geo_list_t){NULL, (uint32_t)n};
	t->pool_len += n;
	in->slots[j] = (uint32_t)t->list_count + 1;
	return GEO_TRIE_LEAF | (uint32_t)t->list_count++;
nomem:
	b->failed = 1;
	return GEO_TRIE_LEAF;
}

static uint32_t order_leaf(build_t *b, const geo_loc_t *loc, const geo_net_rule_t *net)
{
	size_t n = geo_order(b->dcs, b->rules, loc, net, b->choices);

	for (size_t i = 0; i < n; i++)
		b->order[i] = (uint16_t)b->choices[i].dc;
	return intern(b, b->order, n);
}

/* The leaf for a location index, memoised: many networks share one record. */
static uint32_t location_leaf(build_t *b, uint32_t index)
{
	if (b->loc_list[index] == NONE)
		b->loc_list[index] = order_leaf(b, index ? &b->locs[index] : NULL, NULL);
	return b->loc_list[index];
}

static uint32_t new_node(build_t *b, uint32_t left, uint32_t right)
{
	if (b->bin_count == b->bin_cap) {
		size_t cap = b->bin_cap ? b->bin_cap * 2 : 1024;
		uint32_t *bin =
		    cap <= 0x7fffffffu / 2 ? realloc(b->bin, cap * 2 * sizeof(*bin)) : NULL;
		if (!bin) {
			b->failed = 1;
			return GEO_TRIE_LEAF;
		}
		b->bin = bin;
		b->bin_cap = cap;
	}
	b->bin[2 * b->bin_count] = left;
	b->bin[2 * b->bin_count + 1] = right;
	return (uint32_t)b->bin_count++;
}

/* Writes root[idx << left .. (idx + 1) << left) for the binary subtrie ref at depth: a
 * leaf fills its whole range, with its depth; a binary node at the table's depth is
 * stored as is and the lookup walks on from there bit by bit. */
static void flatten(uint32_t *root, unsigned left, unsigned idx, const uint32_t *bin, uint32_t ref,
		    unsigned depth)
{
	if (ref & GEO_TRIE_LEAF) {
		uint32_t entry = ref | ((uint32_t)depth << GEO_TRIE_DEPTH_SHIFT);
		for (unsigned i = 0; i < (1u << left); i++)
			root[(idx << left) + i] = entry;
	} else if (left == 0) {
		root[idx] = ref;
	} else {
		flatten(root, left - 1, idx * 2, bin, bin[(size_t)2 * ref], depth + 1);
		flatten(root, left - 1, idx * 2 + 1, bin, bin[(size_t)2 * ref + 1], depth + 1);
	}
}

/* Makes room for n more words in the arena. */
static int arena_room(build_t *b, size_t n)
{
	geo_trie_t *t = b->trie;

	if (t->arena_len + n <= b->arena_cap)
		return 0;
	size_t cap = b->arena_cap ? b->arena_cap * 2 : 4096;
	while (cap < t->arena_len + n)
		cap *= 2;
	uint32_t *arena = cap < GEO_TRIE_LEAF ? realloc(t->arena, cap * sizeof(*arena)) : NULL;
	if (!arena) {
		b->failed = 1;
		return -1;
	}
	t->arena = arena;
	b->arena_cap = cap;
	return 0;
}

/* Reserves k contiguous multibit nodes; returns the first's word offset, or NONE
 * (b->failed). */
static uint32_t reserve_nodes(build_t *b, size_t k)
{
	if (arena_room(b, k * GEO_TRIE_NODE_WORDS) < 0)
		return NONE;
	uint32_t first = (uint32_t)b->trie->arena_len;
	b->trie->arena_len += k * GEO_TRIE_NODE_WORDS;
	b->trie->node_count += k;
	return first;
}

/* One multibit node being filled from a binary subtrie. */
typedef struct {
	geo_trie_node_t n; /* the node */
	uint32_t prev;	   /* the leaf of the run in progress; NONE after a child */
	uint32_t kids[1u << GEO_TRIE_STRIDE]; /* binary refs of the children, in entry order */
	unsigned kid_count;		      /* entries in kids */
} mnode_t;

/* Walks the binary subtrie ref (at depth, covering entries idx << left .. (idx + 1) <<
 * left) in address order: a leaf covers its entries (a new run unless it continues the
 * previous one), a binary node left == 0 levels down is a child. Cost is the binary
 * nodes', not the 64 entries'. */
static void scan_node(build_t *b, mnode_t *m, uint32_t ref, unsigned depth, unsigned left,
		      unsigned idx)
{
	if (ref & GEO_TRIE_LEAF) {
		uint32_t entry = ref | ((uint32_t)depth << GEO_TRIE_DEPTH_SHIFT);
		if (entry != m->prev) {
			m->n.run |= (uint64_t)1 << (idx << left);
			b->trie->arena[b->trie->arena_len++] = entry; /* room reserved */
			m->prev = entry;
		}
	} else if (left == 0) {
		m->n.child |= (uint64_t)1 << idx;
		m->kids[m->kid_count++] = ref;
		m->prev = NONE;
	} else {
		scan_node(b, m, b->bin[(size_t)2 * ref], depth + 1, left - 1, idx * 2);
		scan_node(b, m, b->bin[(size_t)2 * ref + 1], depth + 1, left - 1, idx * 2 + 1);
	}
}

/* Fills multibit node slot from the binary node ref at depth (16, 22, ...): its 64
 * entries are the binary subtrie 6 levels down, leaves pushed to every entry they cover
 * with their own depth, binary nodes at depth + 6 becoming child nodes. The node's leaf
 * runs go to the arena right after whatever precedes (for a /16, its own slot), then its
 * children are reserved together, so they are contiguous, then filled depth first: a
 * lookup's path stays within a few neighbouring cache lines and one or two pages. */
static void make_node(build_t *b, uint32_t slot, uint32_t ref, unsigned depth)
{
	mnode_t m = {.prev = NONE};

	if (arena_room(b, 1u << GEO_TRIE_STRIDE) < 0)
		return;
	m.n.leaf_base = (uint32_t)b->trie->arena_len;
	scan_node(b, &m, ref, depth, GEO_TRIE_STRIDE, 0);
	uint32_t first = reserve_nodes(b, m.kid_count);
	if (b->failed)
		return;
	m.n.child_base = first;
	memcpy(b->trie->arena + slot, &m.n, sizeof(m.n));
	for (unsigned k = 0; k < m.kid_count && !b->failed; k++)
		make_node(b, first + (uint32_t)(k * GEO_TRIE_NODE_WORDS), m.kids[k],
			  depth + GEO_TRIE_STRIDE);
}

/* A subtrie just built at the tables' depth: as a binary node (whose subtrie is the
 * newest nodes in bin, from mark on) it becomes multibit nodes at once, and bin drops
 * back to mark. So the binary nodes never exist for more than one /16 at a time: the
 * peak memory is the finished trie's, and the subtrie is still in cache. Returns the
 * leaf, or the multibit node the table entry points to. */
static uint32_t to_multibit(build_t *b, uint32_t ref, size_t mark)
{
	if ((ref & GEO_TRIE_LEAF) || b->failed)
		return ref;
	uint32_t slot = reserve_nodes(b, 1);
	if (b->failed)
		return GEO_TRIE_LEAF;
	make_node(b, slot, ref, GEO_TRIE_ROOT_BITS);
	b->bin_count = mark;
	return slot;
}

/* The subtrie of a database subtree with no rule or IPv4 form inside: the common case,
 * kept tight. Depth is bounded because geo_db_open() proved the tree is a tree of
 * bounded depth where this walk goes. Only for subtrees at or below the tables' depth. */
static uint32_t build_plain(build_t *b, uint32_t src)
{
	if (src & GEO_TREE_LEAF)
		return location_leaf(b, src & ~GEO_TREE_LEAF);
	uint32_t left = build_plain(b, b->src[(size_t)2 * src]);
	uint32_t right = build_plain(b, b->src[(size_t)2 * src + 1]);
	if (left == right && (left & GEO_TRIE_LEAF))
		return left;
	return new_node(b, left, right);
}

/* build_plain above the tables' depth, turning each subtrie there into multibit nodes. */
static uint32_t build_plain_top(build_t *b, uint32_t src, unsigned depth)
{
	if (src & GEO_TREE_LEAF)
		return location_leaf(b, src & ~GEO_TREE_LEAF);
	if (depth == GEO_TRIE_ROOT_BITS) {
		size_t mark = b->bin_count;
		return to_multibit(b, build_plain(b, src), mark);
	}
	uint32_t left = build_plain_top(b, b->src[(size_t)2 * src], depth + 1);
	uint32_t right = build_plain_top(b, b->src[(size_t)2 * src + 1], depth + 1);
	if (left == right && (left & GEO_TRIE_LEAF))
		return left;
	return new_node(b, left, right);
}

/* Builds the subtrie for one prefix of length depth. src is the database's tree there,
 * nets[lo, hi) the rules inside it, holes the mask of hole_t entries inside it, override
 * the leaf of the nearest enclosing nets rule, graft that of the enclosing IPv4 form.
 * Children are built first, so equal leaves merge on the way up. */
static uint32_t build_below(build_t *b, uint32_t src, unsigned depth, unsigned max, size_t lo,
			    size_t hi, unsigned holes, uint32_t override, uint32_t graft);

static uint32_t build(build_t *b, uint32_t src, unsigned depth, unsigned max, size_t lo, size_t hi,
		      unsigned holes, uint32_t override, uint32_t graft)
{
	if (depth != GEO_TRIE_ROOT_BITS)
		return build_below(b, src, depth, max, lo, hi, holes, override, graft);
	size_t mark = b->bin_count;
	return to_multibit(b, build_below(b, src, depth, max, lo, hi, holes, override, graft),
			   mark);
}

static uint32_t build_below(build_t *b, uint32_t src, unsigned depth, unsigned max, size_t lo,
			    size_t hi, unsigned holes, uint32_t override, uint32_t graft)
{
	for (unsigned h = 0; h < HOLE_COUNT; h++) {
		if (!(holes & (1u << h)) || b->holes[h].len != depth)
			continue;
		/* Entering a form carrying IPv4: the client is IPv4 now, so the IPv4 trie's own
		 * nets rules apply and enclosing IPv6 rules do not (IPv6 rules inside the form's
		 * prefix still do). ::/127 turns native again: rules from /96 on apply there. */
		graft = b->holes[h].leaf;
		if (graft != NONE)
			override = NONE;
		holes &= ~(1u << h);
	}
	while (lo < hi && b->nets[lo]->prefix == depth)
		override = b->net_list[lo++];
	if (lo == hi && holes == 0) {
		if (override != NONE)
			return override;
		if (graft != NONE)
			return graft;
		return depth < GEO_TRIE_ROOT_BITS ? build_plain_top(b, src, depth)
						  : build_plain(b, src);
	}
	if (depth == max) /* a corrupt tree deeper than the address: no record */
		return override != NONE ? override : graft != NONE ? graft : location_leaf(b, 0);

	size_t mid = lo;
	while (mid < hi && !geo_bit(b->nets[mid]->addr, depth))
		mid++;
	uint32_t child[2];
	for (unsigned bit = 0; bit < 2; bit++) {
		unsigned sub = 0;
		for (unsigned h = 0; h < HOLE_COUNT; h++)
			if ((holes & (1u << h)) && geo_bit(b->holes[h].prefix, depth) == bit)
				sub |= 1u << h;
		uint32_t s = (src & GEO_TREE_LEAF) ? src : b->src[(size_t)2 * src + bit];
		child[bit] = build(b, s, depth + 1, max, bit ? mid : lo, bit ? hi : mid, sub,
				   override, graft);
		if (b->failed)
			return GEO_TRIE_LEAF;
	}
	if (child[0] == child[1] && (child[0] & GEO_TRIE_LEAF))
		return child[0];
	return new_node(b, child[0], child[1]);
}

static uint32_t *flatten_root(build_t *b, uint32_t ref)
{
	uint32_t *table = malloc(((size_t)1 << GEO_TRIE_ROOT_BITS) * sizeof(*table));

	if (!table) {
		b->failed = 1;
		return NULL;
	}
	flatten(table, GEO_TRIE_ROOT_BITS, 0, b->bin, ref, 0);
	return table;
}

static int net_cmp(const void *x, const void *y)
{
	const geo_net_rule_t *a = *(const geo_net_rule_t *const *)x;
	const geo_net_rule_t *c = *(const geo_net_rule_t *const *)y;
	int r = memcmp(a->addr, c->addr, 16);

	if (r)
		return r;
	return a->prefix < c->prefix ? -1 : a->prefix > c->prefix;
}

/* Builds one family's trie into b->trie; returns its root. */
static uint32_t build_family(build_t *b, int family, uint32_t src_root)
{
	const geo_rules_t *r = b->rules;
	size_t n = 0;
	unsigned holes = 0;

	for (size_t i = 0; i < r->net_count; i++)
		if (r->nets[i].family == family)
			b->nets[n++] = &r->nets[i];
	qsort(b->nets, n, sizeof(*b->nets), net_cmp);
	for (size_t i = 0; i < n; i++)
		b->net_list[i] = order_leaf(b, NULL, b->nets[i]);
	if (family == AF_INET6)
		holes = (1u << HOLE_COUNT) - 1;
	return build(b, src_root, 0, family == AF_INET ? 32 : 128, 0, n, holes, NONE, NONE);
}

geo_trie_t *geo_trie_build(const geo_db_t *db, const geo_dc_t *dcs, size_t ndc,
			   const geo_rules_t *rules, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	build_t b = {0};
	uint32_t root4, root6;
	size_t loc_count;

	if (ndc > 65535) {
		snprintf(err, errlen, "at most 65535 datacenters");
		return NULL;
	}
	if (geo_rules_check(rules, ndc, err, errlen) < 0)
		return NULL;
	b.src = geo_db_tree(db, &root4, &root6);
	b.locs = geo_db_locations(db, &loc_count);
	b.dcs = dcs;
	b.rules = rules;
	for (int f = GEO_FORM_MAPPED; f < GEO_FORM_COUNT; f++)
		b.holes[f - 1] = (hole_t){geo_forms[f].prefix, geo_forms[f].prefix_len,
					  GEO_TRIE_LEAF | GEO_TRIE_GRAFT | (uint32_t)f};
	b.holes[HOLE_COUNT - 1] = (hole_t){zero, 127, NONE};
	b.trie = calloc(1, sizeof(*b.trie));
	b.loc_list = malloc(loc_count * sizeof(*b.loc_list));
	b.nets = malloc((rules->net_count + 1) * sizeof(*b.nets));
	b.net_list = malloc((rules->net_count + 1) * sizeof(*b.net_list));
	b.choices = malloc(geo_order_max(rules) * sizeof(*b.choices));
	b.order = malloc(geo_order_max(rules) * sizeof(*b.order));
	if (!b.trie || !b.loc_list || !b.nets || !b.net_list || !b.choices || !b.order) {
		b.failed = 1;
		goto out;
	}
	memset(b.loc_list, 0xff, loc_count * sizeof(*b.loc_list));
	uint32_t bin4 = build_family(&b, AF_INET, root4);
	/* When all of IPv4 has one list, the forms carrying IPv4 are that list too and
	 * merge with their IPv6 neighbours instead of cutting the IPv6 space up. */
	if (bin4 & GEO_TRIE_LEAF)
		for (unsigned h = 0; h + 1 < HOLE_COUNT; h++)
			b.holes[h].leaf = bin4;
	uint32_t bin6 = b.failed ? GEO_TRIE_LEAF : build_family(&b, AF_INET6, root6);
	if (!b.failed)
		b.trie->root4 = flatten_root(&b, bin4);
	if (!b.failed)
		b.trie->root6 = flatten_root(&b, bin6);
	if (b.failed)
		goto out;
	for (size_t i = 0; i < b.trie->list_count; i++)
		b.trie->lists[i].dc = b.trie->pool + b.intern.offsets[i];
	/* give back the doubling slack; a failed shrink keeps the larger block */
	if (b.trie->arena_len) {
		uint32_t *arena =
		    realloc(b.trie->arena, b.trie->arena_len * sizeof(*b.trie->arena));
		if (arena)
			b.trie->arena = arena;
	}
out:
	free(b.bin);
	free(b.loc_list);
	free(b.nets);
	free(b.net_list);
	free(b.choices);
	free(b.order);
	free(b.intern.slots);
	free(b.intern.offsets);
	if (b.failed) {
		snprintf(err, errlen, "out of memory compiling a geo trie");
		geo_trie_free(b.trie);
		return NULL;
	}
	return b.trie;
}

struct geo_set {
	geo_trie_t **by_record; /* nrules entries, shared between records with equal rules */
	size_t record_count;	/* entries in by_record */
	geo_trie_t **distinct;	/* each trie once, for freeing */
	size_t distinct_count;	/* entries in distinct */
};

static bool same_indexes(const size_t *a, size_t na, const size_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

static bool same_rules(const geo_rules_t *a, const geo_rules_t *b)
{
	if (!same_indexes(a->candidates, a->candidate_count, b->candidates, b->candidate_count) ||
	    !same_indexes(a->default_order, a->default_count, b->default_order, b->default_count) ||
	    a->map_count != b->map_count || a->net_count != b->net_count)
		return false;
	for (size_t i = 0; i < a->map_count; i++)
		if (strcmp(a->map[i].key, b->map[i].key) != 0 || a->map[i].split != b->map[i].split ||
		    !same_indexes(a->map[i].dcs, a->map[i].count, b->map[i].dcs, b->map[i].count))
			return false;
	for (size_t i = 0; i < a->net_count; i++) {
		const geo_net_rule_t *x = &a->nets[i], *y = &b->nets[i];
		if (x->family != y->family || x->prefix != y->prefix || x->split != y->split ||
		    memcmp(x->addr, y->addr, 16) != 0 ||
		    !same_indexes(x->dcs, x->count, y->dcs, y->count))
			return false;
	}
	return true;
}

/* The distinct tries of one geo_set_build_threads(), built by a few threads. */
typedef struct {
	const geo_db_t *db;	  /* the database every trie is built from */
	const geo_dc_t *dcs;	  /* the datacenters, by index */
	size_t ndc;		  /* entries in dcs */
	const geo_rules_t *rules; /* the record's map, nets and candidates */
	const size_t *first;	  /* per distinct trie: the record whose rules it compiles */
	size_t count;		  /* distinct tries */
	geo_trie_t **out;	  /* per distinct trie: the result, or NULL */
	char (*why)[256];	  /* per distinct trie: the error when out is NULL */
	size_t next;		  /* next distinct trie to take, atomically */
} set_job_t;

static void *set_worker(void *arg)
{
	set_job_t *job = arg;

	for (;;) {
		size_t j = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		if (j >= job->count)
			return NULL;
		job->out[j] =
		    geo_trie_build(job->db, job->dcs, job->ndc, &job->rules[job->first[j]],
				   job->why[j], sizeof(job->why[j]));
	}
}

static void set_run(set_job_t *job, unsigned threads)
{
	pthread_t tid[GEO_SET_MAX_THREADS];
	unsigned started = 0;

	if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > GEO_SET_MAX_THREADS)
		threads = GEO_SET_MAX_THREADS;
	if (threads > job->count)
		threads = (unsigned)job->count;
	/* this thread is one of the workers; the others are extra */
	while (started + 1 < threads && pthread_create(&tid[started], NULL, set_worker, job) == 0)
		started++;
	set_worker(job);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
}

geo_set_t *geo_set_build_threads(const geo_db_t *db, const geo_dc_t *dcs, size_t ndc,
				 const geo_rules_t *rules, size_t nrules, unsigned threads,
				 char *err, size_t errlen)
{
	geo_set_t *set = calloc(1, sizeof(*set));
	size_t *first = NULL, *owner = NULL; /* distinct -> record, record -> distinct */
	set_job_t job = {0};

	if (!set || !(set->by_record = calloc(nrules + 1, sizeof(*set->by_record))) ||
	    !(set->distinct = calloc(nrules + 1, sizeof(*set->distinct))) ||
	    !(first = calloc(nrules + 1, sizeof(*first))) ||
	    !(owner = calloc(nrules + 1, sizeof(*owner))) ||
	    !(job.why = calloc(nrules + 1, sizeof(*job.why)))) {
		snprintf(err, errlen, "out of memory compiling geo records");
		goto fail;
	}
	set->record_count = nrules;
	for (size_t i = 0; i < nrules; i++) {
		size_t j = 0;
		while (j < set->distinct_count && !same_rules(&rules[first[j]], &rules[i]))
			j++;
		if (j == set->distinct_count)
			first[set->distinct_count++] = i;
		owner[i] = j;
	}
	job =
	    (set_job_t){db, dcs, ndc, rules, first, set->distinct_count, set->distinct, job.why, 0};
	set_run(&job, threads);
	for (size_t j = 0; j < set->distinct_count; j++)
		if (!set->distinct[j]) { /* the first failing record, in record order */
			snprintf(err, errlen, "record %zu: %s", first[j], job.why[j]);
			goto fail;
		}
	for (size_t i = 0; i < nrules; i++)
		set->by_record[i] = set->distinct[owner[i]];
	free(first);
	free(owner);
	free(job.why);
	return set;
fail:
	free(first);
	free(owner);
	free(job.why);
	geo_set_free(set);
	return NULL;
}

geo_set_t *geo_set_build(const geo_db_t *db, const geo_dc_t *dcs, size_t ndc,
			 const geo_rules_t *rules, size_t nrules, char *err, size_t errlen)
{
	return geo_set_build_threads(db, dcs, ndc, rules, nrules, 1, err, errlen);
}

const geo_trie_t *geo_set_trie(const geo_set_t *set, size_t record)
{
	return set->by_record[record];
}

size_t geo_set_distinct(const geo_set_t *set)
{
	return set->distinct_count;
}

void geo_set_free(geo_set_t *set)
{
	if (!set)
		return;
	/* a failed build leaves holes: geo_trie_free(NULL) is fine */
	for (size_t i = 0; i < set->distinct_count; i++)
		geo_trie_free(set->distinct[i]);
	free(set->distinct);
	free(set->by_record);
	free(set);
}
