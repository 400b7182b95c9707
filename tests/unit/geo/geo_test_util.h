/* SPDX-License-Identifier: MIT */
/* geo_test_util.h -- shared fixtures of the geo unit tests: datacenters, databases */
#ifndef MERIDIAN_GEO_TEST_UTIL_H
#define MERIDIAN_GEO_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "geo/geo.h"

enum { US_EAST, EU_WEST, AP_SOUTH, TIE_WEST, TIE_EAST, LAB, DC_COUNT };

/* The test datacenters; tie-west and tie-east are equidistant from 10,0 (a network in
 * the test database); lab has no location. */
static const geo_dc_t test_dcs[DC_COUNT] = {
    [US_EAST] = {"us-east", true, 38.9, -77.4},	  [EU_WEST] = {"eu-west", true, 53.3, -6.3},
    [AP_SOUTH] = {"ap-south", true, 1.35, 103.8}, [TIE_WEST] = {"tie-west", true, 10.0, -20.0},
    [TIE_EAST] = {"tie-east", true, 10.0, 20.0},  [LAB] = {"lab", false, 0, 0},
};

/* Path of a generated test database (tests/data/ of the build directory). */
static inline const char *test_db_path(const char *name)
{
	static char path[4][1024];
	static unsigned next;
	const char *dir = getenv("MERIDIAN_BUILDDIR");
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/tests/data/%s", dir ? dir : ".", name);
	return p;
}

#endif
