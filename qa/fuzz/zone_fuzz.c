/* SPDX-License-Identifier: MIT */
/* zone_fuzz.c -- libFuzzer harness: any bytes as an RFC 1035 master file for the zone loader */
#include "config.h"

#include "dnsd/dnsd_zone.h"
#include "qa/fuzz/fuzz_file.h"

/* The input is the zone file of example.com. with a geo name in it; the loader must
 * either load it or refuse it with an error (naming a file: this one, or the one an
 * $INCLUDE could not open), never crash or leak. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	const char *path = fuzz_file("example.com.zone", data, size);
	static char origin[] = "example.com.";
	static char name[] = "geo.example.com.";
	static size_t dcs[] = {0};
	conf_zone_t zone = {.origin = origin, .file = (char *)path};
	conf_record_t rec = {.name = name, .datacenters = dcs, .datacenter_count = 1, .ttl = 30};
	char *errors = NULL;
	dnsd_zones_t *zones = dnsd_zones_load(&zone, 1, &rec, 1, &errors);
	if (zones == NULL && (errors == NULL || errors[0] != '/'))
		abort(); /* a refusal must say why, starting with a path */
	dnsd_zones_free(zones);
	free(errors);
	return 0;
}
