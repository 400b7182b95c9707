/* SPDX-License-Identifier: MIT */
/* dnsd_render.h -- writing records into a response buffer, with name compression */
#ifndef MERIDIAN_DNSD_RENDER_H
#define MERIDIAN_DNSD_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/compiler.h"
#include "dnsd/dnsd_db.h"

/* Names remembered for compression per response; later names are written in full. */
#define DNSD_COMP_MAX 48

/* A name written earlier in the response that later names may point to. */
typedef struct {
	const uint8_t *name; /* lower-case wire suffix (in the store or the parsed query) */
	uint16_t len;	     /* bytes of name */
	uint16_t off;	     /* its offset in the response, < 0x4000 */
} dnsd_comp_t;

/* One response being written. Lives on the worker's stack; nothing is allocated. */
typedef struct {
	uint8_t *buf;	     /* the response */
	size_t cap;	     /* bytes the records may use (the OPT record's room kept back) */
	size_t len;	     /* bytes written */
	unsigned comp_count; /* entries used in comp */
	dnsd_comp_t comp[DNSD_COMP_MAX]; /* names already written, for compression pointers */
} dnsd_render_t;

/* Owner of records written: the question name (a pointer to offset 12) when NULL. */
typedef struct {
	const uint8_t *name; /* lower-case wire, or NULL for the question name */
	uint16_t len;	     /* bytes of name */
} dnsd_owner_t;

/* Starts a response whose header and question (qname, lower-cased copy `qname` of
 * qname_len bytes, label offsets `label_off`) are already in buf[0..len). */
void dnsd_render_init(dnsd_render_t *r, uint8_t *buf, size_t cap, size_t len, const uint8_t *qname,
		      unsigned label_count, const uint8_t *label_off,
		      unsigned qname_len) M_NONNULL_ALL;

/* Writes a whole RRset (ttl replaces the set's TTL when not UINT32_MAX). Returns 0, or
 * -1 when it does not fit, in which case nothing of it is left in the buffer. */
int dnsd_render_rrset(dnsd_render_t *r, dnsd_owner_t owner, const dnsd_rrset_t *set, uint32_t ttl)
    M_NONNULL(1, 3) M_WUR;

/* Writes one record with verbatim rdata. Returns 0 or -1 (nothing written). */
int dnsd_render_raw(dnsd_render_t *r, dnsd_owner_t owner, uint16_t type, uint16_t rclass,
		    uint32_t ttl, const uint8_t *rdata, uint16_t rdlen) M_NONNULL(1) M_WUR;

/* Big-endian stores; one unaligned store each (the byte order is fixed by the shifts,
 * whatever the host's). */
static inline void dnsd_put16(uint8_t *p, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	memcpy(p, b, sizeof(b));
}

static inline void dnsd_put32(uint8_t *p, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	memcpy(p, b, sizeof(b));
}

#endif
