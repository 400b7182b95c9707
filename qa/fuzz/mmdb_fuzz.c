/* SPDX-License-Identifier: MIT */
/* mmdb_fuzz.c -- libFuzzer harness: any bytes as the GeoIP2/DB-IP database file */
#include "config.h"

#include <sys/socket.h>

#include "geo/geo_db.h"
#include "geo/geo_direct.h"
#include "qa/fuzz/fuzz_file.h"

/* Both ways a database is read: opened and decoded whole (geo_db_open, what the tries
 * are compiled from), and mapped for direct lookups at start-up (geo_direct_open and
 * geo_direct_locate on a few addresses). A refusal must come with a reason. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("geo.mmdb", data, size);
	char err[512] = "";
	geo_db_t *db = geo_db_open(path, err, sizeof(err));
	if (db == NULL && err[0] == '\0')
		abort();
	geo_db_free(db);
	err[0] = '\0';
	geo_direct_t *d = geo_direct_open(path, err, sizeof(err));
	if (d == NULL) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	static const uint8_t v4[] = {81, 2, 69, 142};
	static const uint8_t v6[16] = {0x20, 0x01, 0x02, 0x18, [15] = 1};
	geo_loc_t loc;
	bool found;
	unsigned netlen;
	(void)geo_direct_locate(d, AF_INET, v4, &loc, &found, &netlen, err, sizeof(err));
	(void)geo_direct_locate(d, AF_INET6, v6, &loc, &found, &netlen, err, sizeof(err));
	geo_direct_free(d);
	return 0;
}
