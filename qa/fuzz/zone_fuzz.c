/* SPDX-License-Identifier: MIT */
/* zone_fuzz.c -- libFuzzer harness: any bytes as an RFC 1035 master file for the zone loader */
#include "config.h"

#include <stdbool.h>
#include <strings.h>

#include "dnsd/dnsd_zone.h"
#include "qa/fuzz/fuzz_file.h"

/* Whether the n bytes at p name CERT in any case. ldns 1.8.3 (Debian 12) leaks the
 * rdf of a CERT record's algorithm 0 (ldns_str2rdf_cert_alg makes it, then returns an
 * error and ldns_rdf_new_frm_str drops it). An LSan suppression cannot name that
 * function: libldns has no frame pointers, so the allocation's stack ends at
 * ldns_rdf_new_frm_data, and suppressing that would hide our own leaked rdfs too. The
 * loader treats every type alike, so inputs with CERT records are skipped instead. */
static bool names_cert(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++)
		if (strncasecmp((const char *)p + i, "cert", 4) == 0)
			return true;
	return false;
}

/* The input is the zone file of example.com. with a geo name in it; the loader must
 * either load it or refuse it with an error (naming a file: this one, or the one an
 * $INCLUDE could not open), never crash or leak. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384 || names_cert(data, size))
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
