/* SPDX-License-Identifier: MIT */
/* geo_ident.h -- which GeoIP database a file is: its type, build epoch and digest */
#ifndef MERIDIAN_GEO_IDENT_H
#define MERIDIAN_GEO_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "base/digest.h"

/* What tells two GeoIP databases apart, for comparing regions. */
typedef struct {
	char type[128];		     /* metadata database_type, e.g. "GeoLite2-City" */
	int64_t build_epoch;	     /* metadata build_epoch, seconds since the epoch */
	char digest[DIGEST_HEX_LEN]; /* SHA-256 of the whole file, hex */
} geo_ident_t;

/* Reads path's metadata and digests the file. 0, or -1 with "PATH: why" in err. */
int geo_ident_read(const char *path, geo_ident_t *out, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

#endif
