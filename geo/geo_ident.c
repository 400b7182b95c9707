/* SPDX-License-Identifier: MIT */
/* geo_ident.c -- which GeoIP database a file is: its type, build epoch and digest */
#include "config.h"

#include <maxminddb.h>
#include <stdio.h>
#include <string.h>

#include "geo/geo_ident.h"
#include "geo/geo_mmdb.h"

int geo_ident_read(const char *path, geo_ident_t *out, char *err, size_t errlen)
{
	MMDB_s mmdb;

	memset(out, 0, sizeof(*out));
	if (geo_mmdb_open(path, &mmdb, err, errlen) < 0)
		return -1;
	snprintf(out->type, sizeof(out->type), "%s",
		 mmdb.metadata.database_type ? mmdb.metadata.database_type : "");
	out->build_epoch = (int64_t)mmdb.metadata.build_epoch;
	MMDB_close(&mmdb);
	/* A file replaced between the two reads gives a digest of the newer one; the next
	 * reload records the pair again. */
	return digest_sha256_file(path, out->digest, err, errlen);
}
