/* SPDX-License-Identifier: MIT */
/* dnsd_zone_read.h -- reading master files with ldns into a flat list of records */
#ifndef MERIDIAN_DNSD_ZONE_READ_H
#define MERIDIAN_DNSD_ZONE_READ_H

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* Problems found while loading, one per line, "FILE:LINE: what". */
typedef struct {
	char *text;   /* NUL-terminated, or NULL while empty */
	size_t len;   /* bytes used */
	size_t count; /* problems recorded */
} dnsd_errors_t;

void dnsd_errors_add(dnsd_errors_t *e, const char *fmt, ...) M_NONNULL(1, 2) M_PRINTF(2, 3);

/* One record as read, with where it came from. The ldns record is converted at once
 * and freed, so a large zone costs its wire bytes plus this much per record. */
typedef struct {
	uint32_t owner;	      /* offset in the list's pool of the lower-case wire owner */
	uint32_t rdata;	      /* offset in the pool of the rdata (uncompressed wire) */
	uint32_t ttl;	      /* seconds */
	uint32_t line;	      /* line where the record ends */
	uint32_t file;	      /* index into the list's files */
	uint32_t seq;	      /* order of appearance, for stable sorting */
	uint16_t rdlen;	      /* bytes of rdata */
	uint16_t type;	      /* RR type */
	uint16_t name_off[2]; /* offsets in rdata of names we may compress (lower-cased), or
			       * 0xFFFF (RFC 3597 section 4 types: NS, CNAME, PTR, MX, SOA) */
	uint8_t owner_len;    /* 1..255 */
} dnsd_zrr_t;

/* Every record of one zone. */
typedef struct {
	dnsd_zrr_t *v; /* n entries */
	size_t n; /* entries used in v */
	size_t cap; /* entries allocated in v */
	uint8_t *pool;	 /* owners and rdata, referenced by offset */
	size_t pool_len; /* bytes used */
	size_t pool_cap; /* bytes allocated */
	char **files;	 /* names of the files read ($INCLUDEs), owned */
	size_t file_count; /* entries in files */
} dnsd_zrr_list_t;

/* Reads the master file `path` for zone `origin` (wire form, lower case) into list,
 * following $INCLUDE (relative to the including file's directory), checking that every
 * record is class IN and inside the zone. Problems go to errors; returns -1 if any. */
int dnsd_zone_read(const char *path, const ldns_rdf *origin, dnsd_zrr_list_t *list,
		   dnsd_errors_t *errors) M_NONNULL_ALL M_WUR;

/* Appends rr (class IN, converted and freed) to list as read from file index `file`,
 * line `line`. Returns 0, -1 out of memory, -2 too large. */
int dnsd_zrr_push(dnsd_zrr_list_t *list, ldns_rr *rr, uint32_t file, int line) M_NONNULL_ALL M_WUR;

/* Frees the records and file names of list. */
void dnsd_zrr_list_free(dnsd_zrr_list_t *list) M_NONNULL_ALL;

/* Wire name to presentation form (lower case, trailing dot) in out (>= 1024 bytes). */
void dnsd_name_text(const uint8_t *name, char *out, size_t cap) M_NONNULL_ALL;

#endif
