/* SPDX-License-Identifier: MIT */
/* dnsd_render.c -- writing records into a response buffer, with name compression */
#include "config.h"

#include <string.h>

#include "dnsd/dnsd_render.h"

void dnsd_render_init(dnsd_render_t *r, uint8_t *buf, size_t cap, size_t len, const uint8_t *qname,
		      unsigned label_count, const uint8_t *label_off, unsigned qname_len)
{
	M_ASSERT(len <= cap && qname_len <= 255);
	r->buf = buf;
	r->cap = cap;
	r->len = len;
	r->comp_count = 0;
	/* every suffix of the question name (at offset 12) is a pointer target; this is
	 * what makes the apex and names under it compress */
	for (unsigned i = 0; i < label_count && i < DNSD_COMP_MAX; i++) {
		r->comp[i].name = qname + label_off[i];
		r->comp[i].len = (uint16_t)(qname_len - label_off[i]);
		r->comp[i].off = (uint16_t)(12 + label_off[i]);
		r->comp_count++;
	}
}

/* Writes name compressed against earlier names and remembers its new suffixes. */
static int write_name(dnsd_render_t *r, const uint8_t *name, size_t len)
{
	size_t p = 0;
	int found = -1;

	for (; name[p] != 0; p += 1 + (size_t)name[p]) {
		size_t sl = len - p;
		for (unsigned i = 0; i < r->comp_count; i++) {
			if (r->comp[i].len == sl && memcmp(r->comp[i].name, name + p, sl) == 0) {
				found = (int)i;
				break;
			}
		}
		if (found >= 0)
			break;
	}
	size_t need = p + (found >= 0 ? 2 : 1);
	if (unlikely(r->len + need > r->cap))
		return -1;
	size_t start = r->len;
	memcpy(r->buf + start, name, p);
	for (size_t q = 0; q < p && r->comp_count < DNSD_COMP_MAX; q += 1 + (size_t)name[q]) {
		if (start + q >= 0x4000)
			break;
		dnsd_comp_t *c = &r->comp[r->comp_count++];
		c->name = name + q;
		c->len = (uint16_t)(len - q);
		c->off = (uint16_t)(start + q);
	}
	if (found >= 0) {
		M_ASSERT(r->comp[found].off < 0x4000); /* dnsd_comp_t: a pointer's 14 bits */
		dnsd_put16(r->buf + start + p, (uint16_t)(0xC000 | r->comp[found].off));
	} else {
		r->buf[start + p] = 0;
	}
	r->len += need;
	M_ASSERT(r->len <= r->cap);
	return 0;
}

static int write_owner(dnsd_render_t *r, dnsd_owner_t owner)
{
	if (owner.name == NULL) {
		if (unlikely(r->len + 2 > r->cap))
			return -1;
		r->buf[r->len] = 0xC0;
		r->buf[r->len + 1] = 0x0C;
		r->len += 2;
		return 0;
	}
	return write_name(r, owner.name, owner.len);
}

static size_t name_len(const uint8_t *p, size_t max)
{
	size_t n = 0;
	while (n < max && p[n] != 0)
		n += 1 + (size_t)p[n];
	return n + 1;
}

/* Owner and fixed fields, then rdata with its compressible names compressed. */
static int write_rr(dnsd_render_t *r, dnsd_owner_t owner, uint16_t type, uint32_t ttl,
		    const dnsd_rr_t *rr)
{
	if (write_owner(r, owner) != 0 || r->len + 10 > r->cap)
		return -1;
	uint8_t *fixed = r->buf + r->len;
	dnsd_put16(fixed, type);
	dnsd_put16(fixed + 2, 1);
	dnsd_put32(fixed + 4, ttl);
	r->len += 10;
	size_t rd_start = r->len;
	size_t at = 0;
	for (int i = 0; i < 2; i++) {
		uint16_t off = rr->name_off[i];
		if (off == DNSD_NO_NAME)
			continue;
		if (r->len + (off - at) > r->cap)
			return -1;
		memcpy(r->buf + r->len, rr->rdata + at, off - at);
		r->len += off - at;
		size_t nl = name_len(rr->rdata + off, rr->rdlen - off);
		if (write_name(r, rr->rdata + off, nl) != 0)
			return -1;
		at = off + nl;
	}
	if (r->len + (rr->rdlen - at) > r->cap)
		return -1;
	memcpy(r->buf + r->len, rr->rdata + at, rr->rdlen - at);
	r->len += rr->rdlen - at;
	dnsd_put16(fixed + 8, (uint16_t)(r->len - rd_start));
	return 0;
}

int dnsd_render_rrset(dnsd_render_t *r, dnsd_owner_t owner, const dnsd_rrset_t *set, uint32_t ttl)
{
	if (owner.name == NULL && set->wire != NULL && ttl == UINT32_MAX) {
		if (unlikely(r->len + set->wire_len > r->cap))
			return -1;
		memcpy(r->buf + r->len, set->wire, set->wire_len);
		r->len += set->wire_len;
		return 0;
	}
	size_t len = r->len;
	unsigned comp = r->comp_count;
	for (unsigned i = 0; i < set->count; i++) {
		if (write_rr(r, owner, set->type, ttl == UINT32_MAX ? set->ttl : ttl,
			     &set->rrs[i]) != 0) {
			r->len = len;
			r->comp_count = comp;
			return -1;
		}
	}
	return 0;
}

int dnsd_render_raw(dnsd_render_t *r, dnsd_owner_t owner, uint16_t type, uint16_t rclass,
		    uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	size_t len = r->len;
	unsigned comp = r->comp_count;

	if (write_owner(r, owner) != 0 || r->len + 10u + rdlen > r->cap) {
		r->len = len;
		r->comp_count = comp;
		return -1;
	}
	uint8_t *p = r->buf + r->len;
	dnsd_put16(p, type);
	dnsd_put16(p + 2, rclass);
	dnsd_put32(p + 4, ttl);
	dnsd_put16(p + 8, rdlen);
	if (rdlen > 0)
		memcpy(p + 10, rdata, rdlen);
	r->len += 10u + rdlen;
	return 0;
}
