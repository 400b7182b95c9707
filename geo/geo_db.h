/* SPDX-License-Identifier: MIT */
/* geo_db.h -- a GeoIP2/GeoLite2/DB-IP mmdb file, decoded once into a location tree */
#ifndef MERIDIAN_GEO_DB_H
#define MERIDIAN_GEO_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "geo/geo_order.h"

/* An open database. Immutable after geo_db_open() (but for geo_db_reload's memory of a
 * refused file): any number of threads may read it.
 * Tries compiled from it do not point into it, so it may be freed while they live. */
typedef struct geo_db geo_db_t;

/* A child value in the location tree with this bit set is a leaf; the other bits are a
 * location index (0 = no record). Without it, the value is a node index. */
#define GEO_TREE_LEAF 0x80000000u

/* Opens path (City, Country, or DB-IP compatible), reads the search tree where lookups
 * go (one depth-first walk of the mapped file, which also proves it is a tree) and
 * decodes every distinct data record reached (continent, country, first subdivision,
 * latitude, longitude) once. A database without coordinates is fine. Returns NULL with
 * "PATH: reason" in err when the file is missing, not an mmdb, or corrupt anywhere. */
geo_db_t *geo_db_open(const char *path, char *err, size_t errlen) M_NONNULL_ALL M_WUR;
/* Frees db; NULL is fine. */
void geo_db_free(geo_db_t *db);

/* Checks whether the file at db's path was replaced or rewritten (inode, size or mtime
 * changed: geoipupdate writes a new file and renames it over the old). Returns 0 when
 * unchanged, 1 with *fresh set to the newly opened database when changed, or -1 with
 * "PATH: reason" in err when the new file cannot be used: the caller keeps db. A refused
 * file is remembered in db and not parsed again (0) until it changes once more. The
 * caller compiles new tries from *fresh and swaps them in. Call from one thread at a
 * time; lookups in tries and other readers of db are not disturbed. */
int geo_db_reload(geo_db_t *db, geo_db_t **fresh, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

const char *geo_db_path(const geo_db_t *db) M_NONNULL_ALL M_PURE;
/* The metadata's database_type, e.g. "GeoLite2-City". */
const char *geo_db_type(const geo_db_t *db) M_NONNULL_ALL M_PURE;
/* Networks with a record (IPv4 and native IPv6), as found when opening. */
size_t geo_db_network_count(const geo_db_t *db) M_NONNULL_ALL M_PURE;

/* The location tree for the compiler: nodes[2*i] and nodes[2*i+1] are node i's children
 * (bit 0 and bit 1). root4 is the IPv4 space (32 bits deep), root6 the IPv6 space; either
 * may be a leaf. IPv6 regions that carry IPv4 (geo_addr.h) must not be read from root6:
 * the database may alias them to the IPv4 tree. */
const uint32_t *geo_db_tree(const geo_db_t *db, uint32_t *root4, uint32_t *root6) M_NONNULL_ALL;
/* Location i for a leaf's index; index 0 is "no record". */
const geo_loc_t *geo_db_locations(const geo_db_t *db, size_t *count) M_NONNULL_ALL;

/* Finds addr (4 or 16 bytes by family; IPv6 forms that carry IPv4 are looked up as that
 * IPv4) in the tree: *loc is the record (all empty if none), *netlen the network's prefix
 * length in the query's family. Returns 0, or -1 for a bad family. */
int geo_db_locate(const geo_db_t *db, int family, const uint8_t *addr, geo_loc_t *loc,
		  unsigned *netlen) M_NONNULL_ALL M_WUR;

/* Writes the raw record behind addr, one "key: value" per line: address, form, network,
 * continent, country, subdivision, city, latitude, longitude (for `meridianctl geo`).
 * Returns 0, or -1 with the reason in buf. */
int geo_db_describe(const geo_db_t *db, int family, const uint8_t *addr, char *buf,
		    size_t len) M_NONNULL_ALL;

#endif
