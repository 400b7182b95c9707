/* SPDX-License-Identifier: MIT */
/* dnsd_zone.c -- the zone store: validated master files compiled into one hash table */
#include "config.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "dnsd/dnsd_db.h"
#include "dnsd/dnsd_packet.h"
#include "dnsd/dnsd_sec.h"
#include "dnsd/dnsd_zone_int.h"
#include "dnsd/dnsd_zone_read.h"
#include "dnsd/dnsd_zone_sign.h"

/* Memory layout: every node, rrset, rr and rdata byte lives in one arena (a chain of
 * blocks) so the store is compact, has no per-object headers, and frees in one walk.
 * The hash table is a separate array because it grows while the store is built. */

typedef struct arena_block {
	struct arena_block *next; /* the block allocated before this one, or NULL */
	size_t used; /* bytes handed out from bytes[] */
	size_t cap;  /* bytes in bytes[] */
	max_align_t bytes[]; /* the memory handed out, cap bytes */
} arena_block_t;

#define ARENA_BLOCK 65536


static void *arena_alloc(build_t *b, size_t size)
{
	arena_block_t *blk = b->z->arena;
	size = (size + 7u) & ~(size_t)7u;
	if (blk == NULL || blk->cap - blk->used < size) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		arena_block_t *nb = malloc(sizeof(*nb) + cap);
		if (nb == NULL) {
			b->oom = true;
			return NULL;
		}
		nb->cap = cap;
		nb->used = 0;
		b->z->memory += sizeof(*nb) + cap;
		if (blk != NULL && size > ARENA_BLOCK) {
			/* keep filling the current block; the big one goes behind it */
			nb->next = blk->next;
			blk->next = nb;
		} else {
			nb->next = blk;
			b->z->arena = nb;
		}
		blk = nb;
	}
	void *p = (uint8_t *)blk->bytes + blk->used;
	blk->used += size;
	memset(p, 0, size);
	return p;
}

static int table_grow(build_t *b)
{
	dnsd_zones_t *z = b->z;
	uint32_t size = z->slots ? (z->mask + 1) * 2 : 1024;
	dnsd_slot_t *slots = calloc(size, sizeof(*slots));
	if (slots == NULL) {
		b->oom = true;
		return -1;
	}
	for (uint32_t i = 0; z->slots && i <= z->mask; i++) {
		if (z->slots[i].node == NULL)
			continue;
		uint32_t j = z->slots[i].hash & (size - 1);
		while (slots[j].node != NULL)
			j = (j + 1) & (size - 1);
		slots[j] = z->slots[i];
	}
	if (z->slots) {
		z->memory -= (z->mask + 1) * sizeof(*slots);
		free(z->slots);
	}
	z->memory += size * sizeof(*slots);
	z->slots = slots;
	z->mask = size - 1;
	return 0;
}

static size_t name_labels(const uint8_t *name)
{
	size_t n = 0;
	for (size_t p = 0; name[p] != 0; p += 1 + name[p])
		n++;
	return n;
}

/* The node for name, created (with every missing ancestor down from the zone's apex
 * as an empty non-terminal) when absent. Existing nodes of a parent zone are kept. */
static dnsd_node_t *node_get(build_t *b, dnsd_zone_t *zone, const uint8_t *name, size_t len)
{
	dnsd_zones_t *z = b->z;
	uint32_t h = dnsd_name_hash(name, len);
	dnsd_node_t *n = (dnsd_node_t *)dnsd_zones_find(z, name, len, h);
	if (n != NULL)
		return n;
	if ((z->node_count + 1) * 2 > (size_t)z->mask + 1 && table_grow(b) != 0)
		return NULL;
	n = arena_alloc(b, sizeof(*n));
	uint8_t *copy = arena_alloc(b, len);
	if (n == NULL || copy == NULL)
		return NULL;
	memcpy(copy, name, len);
	n->name = copy;
	n->name_len = (uint8_t)len;
	n->hash = h;
	n->labels = (uint8_t)name_labels(name);
	n->zone = zone;
	uint32_t i = h & z->mask;
	while (z->slots[i].node != NULL)
		i = (i + 1) & z->mask;
	z->slots[i].hash = h;
	z->slots[i].node = n;
	z->node_count++;
	if (zone->apex != NULL && n->labels > zone->apex->labels) {
		size_t skip = 1 + (size_t)name[0];
		if (node_get(b, zone, name + skip, len - skip) == NULL)
			return NULL;
	}
	return n;
}

static void lower_name(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] |= 0x20;
}

void dnsd_name_lower(uint8_t *p, size_t len)
{
	lower_name(p, len);
}

void *dnsd_build_alloc(build_t *b, size_t size)
{
	return arena_alloc(b, size);
}

/* Points out at the record's data in the reader's pool; rrset_store() moves it into the
 * arena before the pool goes away. */
static void rr_fill(dnsd_rr_t *out, const dnsd_zrr_list_t *list, const dnsd_zrr_t *z)
{
	out->rdata = list->pool + z->rdata;
	out->rdlen = z->rdlen;
	out->name_off[0] = z->name_off[0];
	out->name_off[1] = z->name_off[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Copies the set's data into the arena. A set without names to compress is rendered
 * whole (owner = pointer to the question) and its records' data point into that. */
static int rrset_store(build_t *b, dnsd_rrset_t *set, dnsd_rr_t *rrs)
{
	size_t len = 0;
	bool plain = true;
	for (unsigned i = 0; i < set->count; i++) {
		if (rrs[i].name_off[0] != DNSD_NO_NAME)
			plain = false;
		len += 12 + (size_t)rrs[i].rdlen;
	}
	if (!plain) {
		for (unsigned i = 0; i < set->count; i++) {
			uint8_t *rdata = arena_alloc(b, rrs[i].rdlen ? rrs[i].rdlen : 1);
			if (rdata == NULL)
				return -1;
			memcpy(rdata, rrs[i].rdata, rrs[i].rdlen);
			rrs[i].rdata = rdata;
		}
		return 0;
	}
	uint8_t *w = arena_alloc(b, len);
	if (w == NULL)
		return -1;
	set->wire = w;
	set->wire_len = (uint32_t)len;
	for (unsigned i = 0; i < set->count; i++) {
		w[0] = 0xC0;
		w[1] = 0x0C;
		put16(w + 2, set->type);
		put16(w + 4, LDNS_RR_CLASS_IN);
		put32(w + 6, set->ttl);
		put16(w + 10, rrs[i].rdlen);
		memcpy(w + 12, rrs[i].rdata, rrs[i].rdlen);
		rrs[i].rdata = w + 12;
		w += 12 + rrs[i].rdlen;
	}
	return 0;
}

/* Owner, then type, then rdata: one owner's records are adjacent, sets are adjacent,
 * and duplicates sit side by side. Ties keep file order. */
static int zrr_cmp(const void *pa, const void *pb, void *arg)
{
	const dnsd_zrr_t *a = pa, *b = pb;
	const uint8_t *pool = arg;
	size_t n = a->owner_len < b->owner_len ? a->owner_len : b->owner_len;
	int c = memcmp(pool + a->owner, pool + b->owner, n);
	if (c != 0)
		return c;
	if (a->owner_len != b->owner_len)
		return a->owner_len < b->owner_len ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	c = memcmp(pool + a->rdata, pool + b->rdata, n);
	if (c != 0)
		return c;
	if (a->rdlen != b->rdlen)
		return a->rdlen < b->rdlen ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool same_rdata(const dnsd_zrr_list_t *list, const dnsd_zrr_t *a, const dnsd_zrr_t *b)
{
	return a->rdlen == b->rdlen &&
	       memcmp(list->pool + a->rdata, list->pool + b->rdata, a->rdlen) == 0;
}

/* Of two records, the one further down the files: what an error should point at. */
static const dnsd_zrr_t *later(const dnsd_zrr_t *a, const dnsd_zrr_t *b)
{
	return a->seq > b->seq ? a : b;
}

/* The served zone deepest above name, or NULL: every apex is in the table before any
 * other name, so the first apex met walking up from the name is the answer. */
static dnsd_zone_t *zone_of(build_t *b, const uint8_t *name, size_t len)
{
	for (size_t p = 0;; p += 1 + (size_t)name[p]) {
		const dnsd_node_t *n =
		    dnsd_zones_find(b->z, name + p, len - p, dnsd_name_hash(name + p, len - p));
		if (n != NULL && (n->flags & DNSD_NODE_APEX))
			return (dnsd_zone_t *)n->zone;
		if (name[p] == 0)
			return NULL;
	}
}

dnsd_zone_t *dnsd_build_zone_of(build_t *b, const uint8_t *name, size_t len)
{
	return zone_of(b, name, len);
}

/* One owner's records [from, to) of a sorted list: validated, then stored at its node. */
static void owner_add(build_t *b, dnsd_zone_t *zone, const dnsd_zrr_list_t *list, size_t from,
		      size_t to)
{
	const dnsd_zrr_t *v = list->v;
	const uint8_t *name = list->pool + v[from].owner;
	char *const *files = list->files;
	char owner[1024];
	size_t sets = 0;
	size_t data_sets = 0; /* sets other than RRSIG and NSEC, legal beside a CNAME */
	const dnsd_zrr_t *cname = NULL;

	dnsd_name_text(name, owner, sizeof(owner));
	for (size_t i = from; i < to; i++) {
		if (i == from || v[i].type != v[i - 1].type) {
			sets++;
			if (v[i].type != LDNS_RR_TYPE_RRSIG && v[i].type != LDNS_RR_TYPE_NSEC)
				data_sets++;
		}
		if (v[i].type == LDNS_RR_TYPE_CNAME) {
			if (cname != NULL && !same_rdata(list, cname, &v[i])) {
				const dnsd_zrr_t *at = later(cname, &v[i]);
				dnsd_errors_add(&b->errors, "%s:%u: more than one CNAME at %s",
						files[at->file], at->line, owner);
			}
			cname = cname ? later(cname, &v[i]) : &v[i];
		}
		if (v[i].type == LDNS_RR_TYPE_SOA && v[i].owner_len != zone->apex->name_len)
			dnsd_errors_add(&b->errors, "%s:%u: SOA at %s is not at the zone apex %s",
					files[v[i].file], v[i].line, owner, zone->origin);
	}
	if (cname != NULL && data_sets > 1)
		dnsd_errors_add(&b->errors, "%s:%u: CNAME at %s has other data", files[cname->file],
				cname->line, owner);
	dnsd_node_t *n;
	dnsd_zone_t *owner_zone = zone_of(b, name, v[from].owner_len);
	if (owner_zone != zone) {
		/* a more specific zone we serve owns this name; at its apex, the parent's
		 * side of the cut is kept apart for DS (RFC 4035 3.1.4.1) */
		if (owner_zone == NULL || owner_zone->apex->name_len != v[from].owner_len ||
		    owner_zone->parent_cut != NULL)
			return;
		n = arena_alloc(b, sizeof(*n));
		if (n == NULL)
			return;
		*n = *owner_zone->apex;
		n->flags = 0;
		n->zone = zone;
		n->rrsets = NULL;
		n->rrset_count = 0;
		n->wildcard = NULL;
		n->cut = NULL;
		owner_zone->parent_cut = n;
	} else {
		n = node_get(b, zone, name, v[from].owner_len);
	}
	dnsd_rrset_t *rrsets = arena_alloc(b, sets * sizeof(*rrsets));
	if (n == NULL || rrsets == NULL)
		return;
	n->rrsets = rrsets;
	n->rrset_count = (uint16_t)sets;
	for (size_t i = from, s = 0; i < to; s++) {
		size_t j = i;
		while (j < to && v[j].type == v[i].type)
			j++;
		dnsd_rrset_t *set = &rrsets[s];
		dnsd_rr_t *rrs = arena_alloc(b, (j - i) * sizeof(*rrs));
		if (rrs == NULL)
			return;
		set->type = v[i].type;
		set->ttl = v[i].ttl;
		for (size_t k = i; k < j; k++) {
			if (k > i && same_rdata(list, &v[k - 1], &v[k]))
				continue; /* the same record twice */
			rr_fill(&rrs[set->count], list, &v[k]);
			set->count++;
			if (v[k].ttl < set->ttl)
				set->ttl = v[k].ttl;
		}
		set->rrs = rrs;
		if (rrset_store(b, set, rrs) != 0)
			return;
		if (set->type == LDNS_RR_TYPE_SOA && n == zone->apex && rrs[0].rdlen >= 22) {
			/* SOA rdata ends with serial, refresh, retry, expire, minimum */
			const uint8_t *tail = rrs[0].rdata + rrs[0].rdlen - 20;
			uint32_t min = get32(tail + 16);
			zone->soa = set;
			zone->neg_ttl = set->ttl < min ? set->ttl : min;
			zone->serial = get32(tail);
			if (set->count > 1) {
				const dnsd_zrr_t *at = later(&v[i], &v[i + 1]);
				dnsd_errors_add(&b->errors, "%s:%u: more than one SOA at %s",
						files[at->file], at->line, owner);
			}
		}
		if (set->type == LDNS_RR_TYPE_NS) {
			if (n == zone->apex)
				zone->ns = set;
			else
				n->flags |= DNSD_NODE_DELEG;
			if (n->zone != owner_zone)
				n->cut = n; /* the parent's side of a served child */
		}
		i = j;
	}
	dnsd_build_sigs_link(b, n);
}

static void zone_build(build_t *b, dnsd_zone_t *zone, const conf_zone_t *cz, ldns_rdf *origin)
{
	dnsd_zrr_list_t list = {0};
	bool read_ok = false;
	dnsd_signer_t *signer = NULL;
	size_t errors_before = b->errors.count;

	if (dnsd_zone_read(cz->file, origin, &list, &b->errors) == 0 && list.n > 0 &&
	    cz->dnssec_keys != NULL)
		signer = dnsd_build_zone_sign(b, zone, cz, origin, &list);
	if ((signer != NULL || cz->dnssec_keys == NULL) && b->errors.count == errors_before &&
	    list.n > 0) {
		qsort_r(list.v, list.n, sizeof(*list.v), zrr_cmp, list.pool);
		for (size_t i = 0; i < list.n;) {
			size_t j = i + 1;
			while (j < list.n && list.v[j].owner_len == list.v[i].owner_len &&
			       memcmp(list.pool + list.v[j].owner, list.pool + list.v[i].owner,
				      list.v[i].owner_len) == 0)
				j++;
			owner_add(b, zone, &list, i, j);
			i = j;
		}
		read_ok = true;
	}
	if (read_ok && zone->soa == NULL)
		dnsd_errors_add(&b->errors, "%s: no SOA at the zone apex %s", cz->file,
				zone->origin);
	if (read_ok && zone->ns == NULL)
		dnsd_errors_add(&b->errors, "%s: no NS at the zone apex %s", cz->file,
				zone->origin);
	if (signer != NULL && read_ok)
		dnsd_build_geo_sign(b, zone, signer);
	dnsd_signer_free(signer);
	dnsd_zrr_list_free(&list);
}

/* The node whose A/AAAA answer for name (lower-case wire): the name's own, or, when it
 * does not exist, the wildcard of its closest encloser (*wild set), unless the encloser
 * is at or below a cut. NULL when neither. */
static const dnsd_node_t *target_node(const dnsd_zones_t *z, const uint8_t *name, size_t len,
				      bool *wild)
{
	const dnsd_node_t *t = dnsd_zones_find(z, name, len, dnsd_name_hash(name, len));
	if (t != NULL)
		return t;
	for (size_t p = 0; name[p] != 0;) {
		p += 1 + (size_t)name[p];
		const dnsd_node_t *up =
		    dnsd_zones_find(z, name + p, len - p, dnsd_name_hash(name + p, len - p));
		if (up == NULL)
			continue;
		if (up->cut != NULL || up->wildcard == NULL)
			return NULL;
		*wild = true;
		return up->wildcard;
	}
	return NULL;
}

/* Zone cuts, wildcards and additional-section targets, once every name is in place. */
static void nodes_link(build_t *b)
{
	dnsd_zones_t *z = b->z;

	for (uint32_t i = 0; i <= z->mask; i++) {
		dnsd_node_t *n = (dnsd_node_t *)z->slots[i].node;
		if (n == NULL)
			continue;
		if (n->flags & DNSD_NODE_DELEG)
			n->cut = n;
		/* the highest cut strictly above n inside its zone occludes it */
		const uint8_t *p = n->name;
		size_t len = n->name_len;
		for (unsigned l = n->labels; l > n->zone->apex->labels + 1u; l--) {
			len -= 1 + (size_t)p[0];
			p += 1 + p[0];
			const dnsd_node_t *up = dnsd_zones_find(z, p, len, dnsd_name_hash(p, len));
			if (up != NULL && (up->flags & DNSD_NODE_DELEG) && up->zone == n->zone) {
				n->flags |= DNSD_NODE_OCCLUDED;
				n->cut = up;
			}
		}
		if ((n->flags & DNSD_NODE_GEO) && n->cut != NULL) {
			char name[1024], cut[1024];
			dnsd_name_text(n->name, name, sizeof(name));
			dnsd_name_text(n->cut->name, cut, sizeof(cut));
			dnsd_errors_add(&b->errors, "records: %s: at or below the zone cut %s",
					name, cut);
		}
		/* RFC 6672 2.3: names below a DNAME are not answered, the DNAME is */
		p = n->name;
		len = n->name_len;
		for (unsigned l = n->labels; l > n->zone->apex->labels; l--) {
			len -= 1 + (size_t)p[0];
			p += 1 + p[0];
			const dnsd_node_t *up = dnsd_zones_find(z, p, len, dnsd_name_hash(p, len));
			if (up != NULL && up->zone == n->zone &&
			    dnsd_node_rrset(up, LDNS_RR_TYPE_DNAME) != NULL)
				n->flags |= DNSD_NODE_UNDER_DNAME;
		}
		if (n->name[0] == 1 && n->name[1] == '*' && !(n->flags & DNSD_NODE_APEX)) {
			const uint8_t *pn = n->name + 2;
			dnsd_node_t *parent = (dnsd_node_t *)dnsd_zones_find(
			    z, pn, n->name_len - 2u, dnsd_name_hash(pn, n->name_len - 2u));
			if (parent != NULL)
				parent->wildcard = n;
		}
	}
	for (uint32_t i = 0; i <= z->mask; i++) {
		const dnsd_node_t *n = z->slots[i].node;
		if (n == NULL)
			continue;
		for (unsigned s = 0; s < n->rrset_count; s++) {
			const dnsd_rrset_t *set = &n->rrsets[s];
			size_t field = set->type == LDNS_RR_TYPE_NS    ? 0
				       : set->type == LDNS_RR_TYPE_MX  ? 2
				       : set->type == LDNS_RR_TYPE_SRV ? 6
								       : 65536;
			for (unsigned r = 0; r < set->count && field < 65536; r++) {
				dnsd_rr_t *rr = (dnsd_rr_t *)&set->rrs[r];
				uint8_t target[255];
				size_t tl = 0;
				if (field >= rr->rdlen)
					continue;
				while (field + tl < rr->rdlen && rr->rdata[field + tl] != 0 &&
				       tl < 254)
					tl += 1 + (size_t)rr->rdata[field + tl];
				tl++;
				if (field + tl > rr->rdlen || tl > sizeof(target))
					continue;
				memcpy(target, rr->rdata + field, tl);
				lower_name(target, tl);
				bool wild = false;
				const dnsd_node_t *t = target_node(z, target, tl, &wild);
				if (t != NULL && (dnsd_node_rrset(t, LDNS_RR_TYPE_A) ||
						  dnsd_node_rrset(t, LDNS_RR_TYPE_AAAA))) {
					rr->target = t;
					rr->target_len = (uint8_t)tl;
					rr->target_wild = wild;
				}
			}
		}
	}
}

/* The node a CNAME at n leads to when the chain goes on inside n's zone (the target
 * exists, is not at or below a cut and owns a CNAME itself), else NULL. Wildcards are not
 * followed: their chains depend on the name asked, and the answer path stops those. */
static const dnsd_node_t *cname_next(const dnsd_zones_t *z, const dnsd_node_t *n)
{
	const dnsd_rrset_t *cname = dnsd_node_rrset(n, LDNS_RR_TYPE_CNAME);
	if (cname == NULL || n->cut != NULL)
		return NULL;
	const dnsd_rr_t *rr = &cname->rrs[0];
	const dnsd_node_t *t =
	    dnsd_zones_find(z, rr->rdata, rr->rdlen, dnsd_name_hash(rr->rdata, rr->rdlen));
	if (t == NULL || t->zone != n->zone || t->cut != NULL ||
	    dnsd_node_rrset(t, LDNS_RR_TYPE_CNAME) == NULL)
		return NULL;
	return t;
}

static uint32_t slot_of(const dnsd_zones_t *z, const dnsd_node_t *n)
{
	uint32_t i = n->hash & z->mask;
	while (z->slots[i].node != n)
		i = (i + 1) & z->mask;
	return i;
}

/* Warns about each CNAME loop inside a zone (a -> b -> a), once per loop, naming the
 * zone's file and the owners. A loop is legal data (other servers load it too), so the
 * zone is served; the answer path renders such a chain once and stops where a name
 * repeats. Each name is walked once: a walk ends at a name an earlier walk saw. */
static void cname_loops_warn(build_t *b, const conf_zone_t *czones)
{
	const dnsd_zones_t *z = b->z;
	uint32_t *seen = calloc((size_t)z->mask + 1, sizeof(*seen));
	uint32_t walk = 0;

	if (seen == NULL) {
		b->oom = true;
		return;
	}
	for (uint32_t i = 0; i <= z->mask; i++) {
		const dnsd_node_t *n = z->slots[i].node;
		if (n == NULL || seen[i] != 0 || cname_next(z, n) == NULL)
			continue;
		walk++;
		const dnsd_node_t *at = n;
		uint32_t s = i;
		while (seen[s] == 0) {
			seen[s] = walk;
			at = cname_next(z, at);
			if (at == NULL)
				break;
			s = slot_of(z, at);
		}
		if (at == NULL || seen[s] != walk)
			continue; /* the chain ends, or joins one walked before */
		/* at is on the loop: list it from there round to itself */
		char chain[2048], name[1024];
		size_t len = 0;
		const dnsd_node_t *c = at;
		do {
			dnsd_name_text(c->name, name, sizeof(name));
			int w = snprintf(chain + len, sizeof(chain) - len, "%s -> ", name);
			if (w < 0 || (size_t)w >= sizeof(chain) - len) {
				len = sizeof(chain) - 1;
				break;
			}
			len += (size_t)w;
			c = cname_next(z, c);
		} while (c != at);
		dnsd_name_text(at->name, name, sizeof(name));
		if (len < sizeof(chain) - 1)
			snprintf(chain + len, sizeof(chain) - len, "%s", name);
		log_warn("%s: CNAME loop %s (served as is; answers stop where a name repeats)",
			 czones[at->zone - z->zones].file, chain);
	}
	free(seen);
}

static void records_mark(build_t *b, const conf_record_t *records, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		ldns_rdf *d = NULL;
		if (ldns_str2rdf_dname(&d, records[i].name) != LDNS_STATUS_OK) {
			dnsd_errors_add(&b->errors, "records: %s: not a domain name",
					records[i].name);
			continue;
		}
		uint8_t name[255];
		size_t len = ldns_rdf_size(d);
		memcpy(name, ldns_rdf_data(d), len);
		ldns_rdf_deep_free(d);
		lower_name(name, len);
		dnsd_zone_t *zone = zone_of(b, name, len);
		if (zone == NULL) {
			dnsd_errors_add(&b->errors, "records: %s: not inside any zone served",
					records[i].name);
			continue;
		}
		dnsd_node_t *n = node_get(b, zone, name, len);
		if (n == NULL)
			return;
		if (dnsd_node_rrset(n, LDNS_RR_TYPE_CNAME) != NULL)
			dnsd_errors_add(&b->errors, "records: %s: the zone has a CNAME there",
					records[i].name);
		/* the geo answer would hide them: static A/AAAA there is a mistake, not a
		 * fallback (other types at the name are still served from the zone) */
		const char *family = NULL;
		if (dnsd_node_rrset(n, LDNS_RR_TYPE_A) != NULL)
			family = "A";
		else if (dnsd_node_rrset(n, LDNS_RR_TYPE_AAAA) != NULL)
			family = "AAAA";
		if (family != NULL)
			dnsd_errors_add(&b->errors,
					"records: %s: the zone has static %s data there (a geo "
					"record answers A and AAAA itself)",
					records[i].name, family);
		if (zone->signing == NULL &&
		    dnsd_node_rrset(zone->apex, LDNS_RR_TYPE_DNSKEY) != NULL)
			dnsd_errors_add(&b->errors, "records: %s: the zone %s is signed outside "
					"meridian-dnsd; geo answers are only signed in a zone signed "
					"at load (dns.zones[].dnssec)", records[i].name, zone->origin);
		n->flags |= DNSD_NODE_GEO;
		n->geo_record = (uint32_t)i;
	}
}

dnsd_zones_t *dnsd_zones_load(const conf_zone_t *zones, size_t zone_count,
			      const conf_record_t *records, size_t record_count, char **errors)
{
	return dnsd_zones_load_at(zones, zone_count, records, record_count, NULL, 0, time(NULL),
				  errors);
}

dnsd_zones_t *dnsd_zones_load_at(const conf_zone_t *zones, size_t zone_count,
				 const conf_record_t *records, size_t record_count,
				 const conf_datacenter_t *dcs, size_t dc_count, time_t now,
				 char **errors)
{
	build_t b = {.records = records,
		     .record_count = records != NULL ? record_count : 0,
		     .dcs = dcs,
		     .dc_count = dcs != NULL ? dc_count : 0,
		     .now = now};
	ldns_rdf **origins = calloc(zone_count + 1, sizeof(*origins));

	*errors = NULL;
	b.z = calloc(1, sizeof(*b.z));
	if (b.z == NULL || origins == NULL || table_grow(&b) != 0)
		goto oom;
	b.z->zones = calloc(zone_count + 1, sizeof(*b.z->zones));
	if (b.z->zones == NULL)
		goto oom;
	b.z->zone_count = zone_count;
	b.z->memory += sizeof(*b.z) + (zone_count + 1) * sizeof(*b.z->zones);
	/* every apex first, so each name can be given to the deepest zone that holds it */
	for (size_t i = 0; i < zone_count; i++) {
		dnsd_zone_t *zone = &b.z->zones[i];
		if (ldns_str2rdf_dname(&origins[i], zones[i].origin) != LDNS_STATUS_OK) {
			dnsd_errors_add(&b.errors, "%s: bad zone origin %s", zones[i].file,
					zones[i].origin);
			continue;
		}
		lower_name(ldns_rdf_data(origins[i]), ldns_rdf_size(origins[i]));
		char shown[1024];
		dnsd_name_text(ldns_rdf_data(origins[i]), shown, sizeof(shown));
		char *text = arena_alloc(&b, strlen(shown) + 1);
		if (text == NULL)
			goto oom;
		memcpy(text, shown, strlen(shown) + 1);
		zone->origin = text;
		dnsd_node_t *apex =
		    node_get(&b, zone, ldns_rdf_data(origins[i]), ldns_rdf_size(origins[i]));
		if (apex == NULL)
			goto oom;
		if (apex->flags & DNSD_NODE_APEX) {
			dnsd_errors_add(&b.errors, "%s: zone %s is listed twice", zones[i].file,
					text);
			continue;
		}
		apex->flags |= DNSD_NODE_APEX;
		apex->zone = zone;
		zone->apex = apex;
	}
	for (size_t i = 0; i < zone_count; i++)
		if (b.z->zones[i].apex != NULL)
			zone_build(&b, &b.z->zones[i], &zones[i], origins[i]);
	/* a child zone's apex makes its parent's names above it empty non-terminals */
	for (size_t i = 0; i < zone_count && b.errors.count == 0; i++) {
		const dnsd_node_t *apex = b.z->zones[i].apex;
		if (apex == NULL)
			continue;
		size_t skip = 1 + (size_t)apex->name[0];
		dnsd_zone_t *parent =
		    apex->labels ? zone_of(&b, apex->name + skip, apex->name_len - skip) : NULL;
		if (parent != NULL)
			(void)node_get(&b, parent, apex->name + skip, apex->name_len - skip);
	}
	if (b.errors.count == 0)
		records_mark(&b, records, record_count);
	if (b.oom)
		goto oom;
	if (b.errors.count == 0) {
		nodes_link(&b);
		if (dnsd_zones_sec_index(b.z) != 0)
			b.oom = true;
	}
	if (b.errors.count == 0 && !b.oom)
		cname_loops_warn(&b, zones);
	if (b.oom)
		goto oom;
	for (size_t i = 0; i < zone_count; i++)
		ldns_rdf_deep_free(origins[i]);
	free(origins);
	dnsd_build_release(&b); /* signing's ldns records are freed: give the heap back */
	if (b.errors.count > 0) {
		if (b.errors.count > 50) {
			size_t more = b.errors.count - 50;
			b.errors.count =
			    0; /* past the cap nothing is added: reopen for this line */
			dnsd_errors_add(&b.errors, "(%zu more problems)", more);
		}
		*errors = b.errors.text;
		dnsd_zones_free(b.z);
		return NULL;
	}
	return b.z;
oom:
	for (size_t i = 0; origins != NULL && i < zone_count; i++)
		ldns_rdf_deep_free(origins[i]);
	free(origins);
	free(b.errors.text);
	dnsd_zones_free(b.z);
	*errors = strdup("out of memory loading zones\n");
	return NULL;
}

void dnsd_zones_free(dnsd_zones_t *zones)
{
	if (zones == NULL)
		return;
	arena_block_t *blk = zones->arena;
	while (blk != NULL) {
		arena_block_t *next = blk->next;
		free(blk);
		blk = next;
	}
	free(zones->slots);
	free(zones->geo_sigs);
	for (size_t i = 0; zones->zones != NULL && i < zones->zone_count; i++)
		dnsd_zone_sec_free(&zones->zones[i]);
	free(zones->zones);
	free(zones);
}

size_t dnsd_zones_count(const dnsd_zones_t *zones)
{
	return zones->zone_count;
}

size_t dnsd_zones_names(const dnsd_zones_t *zones)
{
	return zones->node_count;
}

size_t dnsd_zones_memory(const dnsd_zones_t *zones)
{
	return zones->memory;
}

int64_t dnsd_zones_serial(const dnsd_zones_t *zones, const char *origin)
{
	for (size_t i = 0; i < zones->zone_count; i++)
		if (zones->zones[i].origin != NULL &&
		    strcasecmp(zones->zones[i].origin, origin) == 0)
			return zones->zones[i].serial;
	return -1;
}
