/* SPDX-License-Identifier: MIT */
/* geo_pick.c -- the one rule that turns a client's datacenter order into an answer */
#include "config.h"
#include "geo/geo_pick.h"

#include <string.h>
#include <sys/socket.h>

/* splitmix64's finaliser: a cheap 64-bit mix whose every output bit depends on every
 * input bit, enough for rendezvous scores (not for adversaries: a client cannot choose
 * its datacenter by this, only its network's place in a split). */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Bytes a[0..n) as a big-endian number in the top of 64 bits (n <= 8). */
static inline uint64_t load_be(const uint8_t *a, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v = v << 8 | (i < n ? a[i] : 0);
	return v;
}

/* The top bits of v kept (0..64), the rest cleared. */
static inline uint64_t keep_bits(uint64_t v, unsigned bits)
{
	return bits == 0 ? 0 : bits >= 64 ? v : v & ~(~UINT64_C(0) >> bits);
}

uint64_t geo_pick_client_hash(int family, const uint8_t *addr, unsigned prefix)
{
	uint64_t hi, lo = 0;

	/* The prefix is not hashed in: an ECS query for 10.0.0.0/16 carries the same bits as
	 * one from 10.0.0.7 inside the /24 its answer's scope names, so both must hash
	 * alike (bits past a source prefix are zero, RFC 7871). */
	if (family == AF_INET) {
		hi = keep_bits(load_be(addr, 4), prefix > 32 ? 32 : prefix);
	} else {
		hi = keep_bits(load_be(addr, 8), prefix);
		lo = keep_bits(load_be(addr + 8, 8), prefix > 64 ? prefix - 64 : 0);
	}
	return mix64(mix64(hi ^ ((uint64_t)family << 1)) ^ lo);
}

uint64_t geo_pick_seed(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed */
	for (const char *p = name; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	h = mix64(h);
	return h != 0 ? h : 1;
}

static inline uint64_t dc_seed(const geo_pick_dc_t *dcs, uint16_t i)
{
	return dcs[i].seed != 0 ? dcs[i].seed : (uint64_t)i + 1;
}

/* -log2(u) of the uniform u = x / 2^53 in (0, 1) that the top 53 bits of h give (made
 * odd, so never 0): with x = 2^e (1 + f), -log2(u) = 53 - e - log2(1 + f), the last
 * by a degree-7 polynomial fitted on [0, 1) (error under 7e-7: far below what a split
 * over millions of networks could show). Integer steps and multiplications only: no
 * libm, no division on the query path, and the same bits in dnsd and explain. */
static inline double neg_log2_unit(uint64_t h)
{
	uint64_t x = (h >> 11) | 1;
	int e = 63 - __builtin_clzll(x);
	double f = (double)((x << (63 - e)) << 1 >> 12) * (1.0 / 4503599627370496.0); /* 2^-52 */
	double p = f * (1.4426592574441024 +
			f * (-0.7204583554384477 +
			     f * (0.47289368206238747 +
				  f * (-0.3242959605447739 +
				       f * (0.19230902466710287 +
					    f * (-0.07835853958669255 + f * 0.015251579259091257))))));
	double v = 53.0 - (double)e - p;
	return v > 1e-12 ? v : 1e-12;
}

/* Highest random weight: each choice i draws the exponential -ln(u_i) / w_i from the
 * hash of (client network, choice) and the smallest wins, which is choice i with
 * probability w_i / sum(w): the split holds its weights, and raising one weight lowers
 * only that choice's draws, so the only clients that move are those moving to it.
 * (log2 for ln: every draw scaled alike.) A candidate is kept as its draw's numerator
 * and weight, compared by cross-multiplying: no division. */
typedef struct {
	double num;    /* -log2(u) of the best so far */
	double weight; /* its weight; 0: none yet */
} hrw_best_t;

/* Offers choice seed with weight w; true when it becomes the best. */
static inline bool hrw_offer(hrw_best_t *best, uint64_t client, uint64_t seed, double w)
{
	double num = neg_log2_unit(mix64(client ^ seed));
	if (best->weight > 0 && num * best->weight >= best->num * w)
		return false;
	best->num = num;
	best->weight = w;
	return true;
}

/* An address's seed: its bytes mixed (4 or 16), so an address keeps its rank for a
 * client network whatever other addresses come and go. */
static inline uint64_t addr_seed(const uint8_t *a, unsigned alen)
{
	uint64_t hi = 0, lo = 0;
	if (alen == 4) {
		uint32_t v;
		memcpy(&v, a, 4);
		return mix64((uint64_t)v ^ 0x9e3779b97f4a7c15ULL);
	}
	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return mix64(mix64(hi) ^ lo);
}

static inline unsigned family_count(const geo_pick_dc_t *dc, int family)
{
	return family == AF_INET6 ? dc->aaaa_count : dc->a_count;
}

static unsigned granularity(const geo_pick_policy_t *p, int family)
{
	if (family == AF_INET)
		return p->granularity4 ? p->granularity4 : GEO_PICK_GRANULARITY4;
	return p->granularity6 ? p->granularity6 : GEO_PICK_GRANULARITY6;
}

/* The client network's hash, computed once per pick and only when something hashes. */
typedef struct {
	const geo_pick_record_t *rec; /* the record: its split granularity */
	const geo_pick_query_t *q;     /* the client network hashed */
	bool done;	/* value holds the hash */
	uint64_t value; /* geo_pick_client_hash() at the granularity */
} client_hash_t;

static uint64_t client_hash(client_hash_t *h)
{
	if (!h->done) {
		const geo_pick_query_t *q = h->q;
		unsigned g = granularity(&h->rec->policy, q->client_family);
		unsigned bits = q->source_prefix < g ? q->source_prefix : g;
		h->value = q->client == NULL ? 0 : geo_pick_client_hash(q->client_family, q->client, bits);
		h->done = true;
	}
	return h->value;
}

static inline bool usable(const geo_pick_dc_t *dcs, size_t dc_count, uint16_t i, int family)
{
	return i < dc_count && dcs[i].serving && family_count(&dcs[i], family) > 0;
}

/* The split's winner among its serving datacenters with the family, or -1. */
static int split_pick(const geo_pick_split_t *s, const geo_pick_dc_t *dcs, size_t dc_count,
		      int family, client_hash_t *h, geo_pick_result_t *out)
{
	hrw_best_t best = {0, 0};
	int win = -1;
	uint32_t win_w = 0;
	uint64_t total = 0;

	for (unsigned i = 0; i < s->count; i++) {
		uint16_t dc = s->dc[i];
		if (!usable(dcs, dc_count, dc, family) || s->weight[i] == 0)
			continue;
		total += s->weight[i];
		if (hrw_offer(&best, client_hash(h), dc_seed(dcs, dc), (double)s->weight[i])) {
			win = dc;
			win_w = s->weight[i];
		}
	}
	if (win >= 0) {
		out->weight = win_w;
		out->weight_total = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	}
	return win;
}

/* Capacity-aware spill: home (the first of the order with the family) is not serving
 * and declares a capacity. Its demand (live load, else its capacity) is covered by the
 * serving datacenters after it, in order, each adding its spare capacity (capacity
 * minus live load; one that declares none has room for all that is left), until the
 * spare taken covers the demand; the client goes to one of those, hashed with the
 * spare as weight, so each takes the demand in proportion to its spare and none past
 * it. When the whole order's spare falls short, all of it is taken and the result says
 * CAPACITY_SHORT. Returns the winner, or -1 (nothing serving after home). */
static int spill_pick(const geo_pick_dc_t *dcs, size_t dc_count, const geo_pick_query_t *q,
		      unsigned home_pos, client_hash_t *h, geo_pick_result_t *out)
{
	const geo_pick_dc_t *home = &dcs[q->order[home_pos]];
	uint64_t demand = home->has_load && home->load > 0 ? home->load : home->capacity;
	uint64_t taken = 0;
	uint16_t set[GEO_PICK_SET_MAX];
	uint64_t spare[GEO_PICK_SET_MAX];
	unsigned n = 0;

	for (unsigned i = home_pos + 1; i < q->count && n < GEO_PICK_SET_MAX && taken < demand;
	     i++) {
		uint16_t dc = q->order[i];
		if (!usable(dcs, dc_count, dc, q->family))
			continue;
		const geo_pick_dc_t *d = &dcs[dc];
		uint64_t room;
		if (d->capacity == 0)
			room = demand - taken;
		else if (d->has_load && d->load >= d->capacity)
			room = 0;
		else
			room = d->capacity - (d->has_load ? d->load : 0);
		if (room == 0)
			continue;
		set[n] = dc;
		spare[n++] = room;
		taken += room;
	}
	if (n == 0)
		return -1;
	out->demand = demand;
	out->spare = taken;
	out->reasons |= GEO_PICK_SPILL | (taken < demand ? GEO_PICK_CAPACITY_SHORT : 0);
	hrw_best_t best = {0, 0};
	int win = -1;
	for (unsigned i = 0; i < n; i++) {
		if (hrw_offer(&best, client_hash(h), dc_seed(dcs, set[i]), (double)spare[i])) {
			win = set[i];
			out->weight = spare[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)spare[i];
		}
	}
	out->weight_total = taken > UINT32_MAX ? UINT32_MAX : (uint32_t)taken;
	out->reasons |= GEO_PICK_HASHED;
	return win;
}

/* The addresses of dcs[out->dc] answered: the serving ones (all when none serves: the
 * datacenter answers as a whole, as fail open does), at most max_addresses of them,
 * those with the lowest rendezvous scores for the client network so that each network
 * keeps its addresses while others come and go. */
static void addresses(const geo_pick_record_t *rec, const geo_pick_dc_t *dc, int family,
		      client_hash_t *h, geo_pick_result_t *out)
{
	unsigned n = family_count(dc, family);
	const uint8_t *flags = family == AF_INET6 ? dc->aaaa_serving : dc->a_serving;
	unsigned cap = rec->policy.max_addresses;
	unsigned serving = n;

	out->addr_all = true;
	out->addr_count = n;
	if (flags != NULL) {
		serving = 0;
		for (unsigned i = 0; i < n; i++)
			serving += flags[i] != 0;
		if (serving == 0 || serving == n)
			flags = NULL;
	}
	if (flags == NULL && (cap == 0 || n <= cap))
		return;
	if (flags != NULL)
		out->reasons |= GEO_PICK_ADDR_UNHEALTHY;
	out->addr_all = false;
	if (cap == 0 || serving <= cap) {
		out->addr_count = 0;
		for (unsigned i = 0; i < n; i++)
			if (flags == NULL || flags[i])
				out->addr[out->addr_count++] = (uint8_t)i;
		return;
	}
	/* the cap lowest scores, kept in index order; an address's seed is its bytes, so
	 * adding or removing one address moves only the networks that had or get it (equal
	 * weights: the mixed hash itself is the score, no logarithm) */
	uint64_t score[GEO_PICK_ADDR_CAP_MAX];
	unsigned alen = family == AF_INET6 ? 16 : 4;
	const uint8_t *bytes = family == AF_INET6 ? dc->aaaa : dc->a;
	uint64_t c = client_hash(h);
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		if (flags != NULL && !flags[i])
			continue;
		uint64_t s = mix64(c ^ addr_seed(bytes + (size_t)i * alen, alen));
		if (k < cap) {
			out->addr[k] = (uint8_t)i;
			score[k++] = s;
			continue;
		}
		unsigned worst = 0;
		for (unsigned j = 1; j < k; j++)
			if (score[j] > score[worst])
				worst = j;
		if (s < score[worst]) {
			/* drop the worst, keep index order by shifting the rest down */
			for (unsigned j = worst; j + 1 < k; j++) {
				out->addr[j] = out->addr[j + 1];
				score[j] = score[j + 1];
			}
			out->addr[k - 1] = (uint8_t)i;
			score[k - 1] = s;
		}
	}
	out->addr_count = k;
	out->reasons |= GEO_PICK_ADDR_CAPPED | GEO_PICK_HASHED;
}

/* TTL from time to change: the answer could change soon when a datacenter it depends
 * on is in transition: the chosen one, one the client prefers to it (it may come back or
 * its addresses change), every one of the order when nothing serves (chosen -1) or when
 * a hash over several decided (a split or a spill moves with any of them). The TTL is
 * then the larger of short_ttl and the seconds to the earliest such change, never more
 * than the record's: a resolver keeps the answer no longer than it can stay right. */
static void short_ttl(const geo_pick_record_t *rec, const geo_pick_dc_t *dcs, size_t dc_count,
		      const geo_pick_query_t *q, int chosen, geo_pick_result_t *out)
{
	if (rec->policy.short_ttl == 0 || rec->policy.short_ttl >= out->ttl)
		return;
	bool all = chosen < 0 || (out->reasons & GEO_PICK_HASHED) != 0;
	bool moving = false;
	uint32_t soonest = UINT32_MAX;
	if (chosen >= 0 && dcs[chosen].in_transition) {
		moving = true;
		soonest = dcs[chosen].change_in_s;
	}
	for (unsigned i = 0; i < q->count && (all || q->order[i] != chosen); i++) {
		const geo_pick_dc_t *d = q->order[i] < dc_count ? &dcs[q->order[i]] : NULL;
		if (d != NULL && d->in_transition) {
			moving = true;
			soonest = d->change_in_s < soonest ? d->change_in_s : soonest;
		}
	}
	if (!moving)
		return;
	uint32_t ttl = soonest > rec->policy.short_ttl ? soonest : rec->policy.short_ttl;
	if (ttl < out->ttl) {
		out->ttl = ttl;
		out->reasons |= GEO_PICK_SHORT_TTL;
	}
}

void geo_pick(const geo_pick_record_t *rec, const geo_pick_dc_t *dcs, size_t dc_count,
	      const geo_pick_query_t *q, geo_pick_result_t *out)
{
	client_hash_t h = {.rec = rec, .q = q};
	int family = q->family;
	int pick = -1;
	int open = -1;
	int home = -1; /* position in order of the first datacenter with the family */
	bool any_serving = false;
	const geo_pick_split_t *entry = q->split;

	out->dc = -1;
	out->reasons = 0;
	out->ttl = rec->ttl;
	out->scope = q->scope;
	out->weight = out->weight_total = 0;
	out->demand = out->spare = 0;
	out->bucket = 0;
	out->addr_all = true;
	out->addr_count = 0;

	/* One walk of the order: the first serving datacenter with the family, the
	 * fail-open choice, and whether anything serves at all. */
	for (unsigned i = 0; i < q->count; i++) {
		uint16_t dc = q->order[i];
		if (unlikely(dc >= dc_count)) {
			/* a weighted entry's mark (first in its clients' orders) */
			unsigned e = (unsigned)dc - GEO_PICK_SPLIT_MARK - 1;
			if (dc > GEO_PICK_SPLIT_MARK && e < rec->entry_split_count && entry == NULL)
				entry = &rec->entry_splits[e];
			continue;
		}
		const geo_pick_dc_t *d = &dcs[dc];
		bool has = family_count(d, family) > 0;
		any_serving |= d->serving;
		if (has && home < 0)
			home = (int)i;
		if (has && d->serving) {
			pick = dc;
			break;
		}
		if (has && (open < 0 || d->fail_open_rank < dcs[open].fail_open_rank))
			open = dc;
	}
	if (pick < 0 && !any_serving) {
		/* the walk went to the end: nothing serves; fail open */
		out->any_serving = false;
		if (open < 0) {
			out->reasons = GEO_PICK_NODATA;
			return;
		}
		out->dc = open;
		out->reasons = GEO_PICK_FAIL_OPEN;
		addresses(rec, &dcs[open], family, &h, out);
		short_ttl(rec, dcs, dc_count, q, -1, out);
		return;
	}
	out->any_serving = true;

	const geo_pick_split_t *split = entry;
	uint32_t split_reason = GEO_PICK_ENTRY_WEIGHT;
	if (split == NULL || split->count == 0) {
		split = &rec->policy.weights;
		split_reason = GEO_PICK_WEIGHT;
	}
	int chosen = -1;
	if (split->count > 0) {
		chosen = split_pick(split, dcs, dc_count, family, &h, out);
		if (chosen >= 0)
			out->reasons |= split_reason | GEO_PICK_HASHED;
	}
	if (chosen < 0 && pick >= 0 && home >= 0 && q->order[home] != pick &&
	    dcs[q->order[home]].capacity > 0)
		chosen = spill_pick(dcs, dc_count, q, (unsigned)home, &h, out);
	if (chosen < 0 && pick >= 0) {
		chosen = pick;
		out->reasons |= home >= 0 && q->order[home] != pick ? GEO_PICK_FAILOVER
								     : GEO_PICK_NEAREST;
	} else if (chosen >= 0 && (out->reasons & GEO_PICK_SPILL)) {
		out->reasons |= GEO_PICK_FAILOVER;
	}
	if (chosen < 0) {
		/* some datacenter serves, none with the family: the client asks the other */
		out->reasons = GEO_PICK_NODATA | GEO_PICK_OTHER_FAMILY;
		return;
	}
	out->dc = chosen;
	addresses(rec, &dcs[chosen], family, &h, out);

	short_ttl(rec, dcs, dc_count, q, chosen, out);
	if (out->reasons & GEO_PICK_HASHED) {
		unsigned g = granularity(&rec->policy, q->client_family);
		out->bucket = client_hash(&h);
		if (out->scope < g)
			out->scope = g;
	}
}

const char *geo_pick_reason_name(uint32_t bit)
{
	static const char *const names[GEO_PICK_REASONS] = {
	    "nearest", "failover",     "fail_open",	 "nodata",     "other_family",
	    "weight",  "entry_weight", "spill",		 "capacity_short", "addr_capped",
	    "addr_unhealthy", "short_ttl", "hashed",
	};
	for (unsigned i = 0; i < GEO_PICK_REASONS; i++)
		if (bit == 1u << i)
			return names[i];
	return NULL;
}
