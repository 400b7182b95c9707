/* SPDX-License-Identifier: MIT */
/* geo_mmdb.h -- libmaxminddb glue: opening an mmdb file, decoding a record's place */
#ifndef MERIDIAN_GEO_MMDB_H
#define MERIDIAN_GEO_MMDB_H

#include <maxminddb.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "geo/geo_order.h"

/* Maps path into *mmdb (MMDB_MODE_MMAP) with libmaxminddb's checks (metadata, sizes of
 * the search tree and data section) plus what every reader here relies on: IP version
 * 4 or 6, 1..2^31-1 nodes. Walks no tree. Returns 0, or -1 with "PATH: reason" in err
 * (*mmdb then holds nothing to close). */
int geo_mmdb_open(const char *path, MMDB_s *mmdb, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

/* Lookup paths into a GeoIP2 City/Country record (NULL-terminated, for MMDB_aget_value).
 * The country falls back to registered_country when the record has no country. */
extern const char *const geo_mmdb_path_continent[];   /* continent.code */
extern const char *const geo_mmdb_path_country[];     /* country.iso_code */
extern const char *const geo_mmdb_path_registered[];  /* registered_country.iso_code */
extern const char *const geo_mmdb_path_subdivision[]; /* subdivisions[0].iso_code */
extern const char *const geo_mmdb_path_city[];	      /* city.names.en */

/* Decodes the data record at data-section offset `offset` of mmdb (as in
 * MMDB_entry_s.offset) into loc: continent, country (or registered country), first
 * subdivision, and latitude/longitude when both are present and in range. Absent fields
 * are empty. Read-only on mmdb: any number of threads may decode at once. Returns 0, or
 * the MMDB status (MMDB_strerror) of a decoding error. */
int geo_mmdb_decode(const MMDB_s *mmdb, uint32_t offset, geo_loc_t *loc) M_NONNULL_ALL M_WUR;

#endif
