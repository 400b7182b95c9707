/* SPDX-License-Identifier: MIT */
/* geo_direct.h -- one client's datacenter order straight from the mapped mmdb file */

/*
 * The compiled tries (geo_set.h) answer in a few memory reads, but compiling them
 * means decoding the whole database first: a few hundred milliseconds on a large City
 * file. A direct database is only libmaxminddb's MMDB_open (an mmap and a metadata
 * check), and answers one address at a time: a search-tree walk in the file, the
 * record decoded, the rules applied (geo_order.h). It gives the same order the trie of
 * the same rules gives, and an ECS scope at least as long as the trie's (never a wider,
 * wrong one), so a server can answer with it while the tries compile. */
#ifndef MERIDIAN_GEO_DIRECT_H
#define MERIDIAN_GEO_DIRECT_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "geo/geo_order.h"

/* An open database file. Immutable after geo_direct_open(): any number of threads may
 * look up at once (libmaxminddb lookups only read the mapping). */
typedef struct geo_direct geo_direct_t;

/* Maps path and checks what libmaxminddb checks on open (metadata, search tree and data
 * section sizes), plus an IP version and node count the lookups can use. Does not walk
 * the tree: a corrupt node deep in the file is found by geo_db_open(), not here.
 * Returns NULL with "PATH: reason" in err. */
geo_direct_t *geo_direct_open(const char *path, char *err, size_t errlen) M_NONNULL_ALL M_WUR;
/* Unmaps and frees d; NULL is fine. */
void geo_direct_free(geo_direct_t *d);

/* Finds addr (4 or 16 bytes by family; IPv6 forms carrying IPv4 are looked up as that
 * IPv4, as geo_db_locate() does) in the file: *loc is the record (all empty if none),
 * *found whether there is one, *netlen the network's prefix length in the query's
 * family. Returns 0, or -1 with "PATH: reason" in err (bad family, corrupt file). */
int geo_direct_locate(const geo_direct_t *d, int family, const uint8_t *addr, geo_loc_t *loc,
		      bool *found, unsigned *netlen, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

/* Looks up a client for one record's rules, as geo_trie_lookup() would in the trie
 * compiled from the same file, dcs and rules: addr (4 or 16 bytes by family) with only
 * its first source_prefix bits used (clamped to the family's length); the order goes to
 * out (geo_order_max(rules) entries), its length to *count. *scope is an ECS scope that
 * holds for every address sharing its first *scope bits, at least the trie's scope (a
 * longer prefix when the direct walk cannot tell the trie's merges) and at most 32/128:
 * the database network's, lengthened past every nets rule (and IPv6 form carrying IPv4)
 * the network holds but the client is not in. Returns 0, or -1 with "PATH: reason" in
 * err (bad family: *scope 0; corrupt file: *scope 32/128, so that a caller answering
 * anyway does not let the answer stand for other clients); *count is then 0. No
 * allocation, no lock; err is only written on error. */
int geo_direct_lookup(const geo_direct_t *d, const geo_dc_t *dcs, const geo_rules_t *rules,
		      int family, const uint8_t *addr, unsigned source_prefix, geo_choice_t *out,
		      size_t *count, unsigned *scope, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

#endif
