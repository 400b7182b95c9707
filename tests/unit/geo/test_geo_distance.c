/* SPDX-License-Identifier: MIT */
/* test_geo_distance.c -- haversine distances against known values */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "geo/geo_distance.h"

typedef struct {
	const char *name;	       /* the case, for failure messages */
	double lat1, lon1, lat2, lon2; /* the two points, degrees */
	double km;		       /* expected */
	double tolerance;	       /* km */
} distance_row_t;

static void test_distance_matches_known_values(void **state)
{
	static const distance_row_t rows[] = {
	    {"same point", 51.5, -0.12, 51.5, -0.12, 0.0, 1e-9},
	    {"london-paris", 51.5074, -0.1278, 48.8566, 2.3522, 343.56, 0.5},
	    {"new york-los angeles", 40.7128, -74.0060, 34.0522, -118.2437, 3935.7, 2.0},
	    {"quarter meridian", 0.0, 0.0, 90.0, 0.0, M_PI / 2 * GEO_EARTH_RADIUS_KM, 1e-6},
	    {"antipodes", 0.0, 0.0, 0.0, 180.0, M_PI * GEO_EARTH_RADIUS_KM, 1e-6},
	    {"across the date line", 0.0, 179.5, 0.0, -179.5, M_PI / 180 * GEO_EARTH_RADIUS_KM,
	     1e-6},
	    {"pole to pole", 90.0, 0.0, -90.0, 0.0, M_PI * GEO_EARTH_RADIUS_KM, 1e-6},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double got =
		    geo_distance_km(rows[i].lat1, rows[i].lon1, rows[i].lat2, rows[i].lon2);
		if (fabs(got - rows[i].km) > rows[i].tolerance)
			fail_msg("%s: want %.3f km, got %.3f km", rows[i].name, rows[i].km, got);
	}
}

static void test_distance_is_symmetric(void **state)
{
	(void)state;
	assert_true(geo_distance_km(10, -20, 10, 0) == geo_distance_km(10, 0, 10, -20));
	assert_true(geo_distance_km(10, 0, 10, -20) == geo_distance_km(10, 0, 10, 20));
}

static void test_distance_near_antipodes_is_not_nan(void **state)
{
	(void)state;
	double d = geo_distance_km(45.0, 0.0, -45.0, 180.0);
	assert_false(isnan(d));
	assert_true(fabs(d - M_PI * GEO_EARTH_RADIUS_KM) < 1e-3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_distance_matches_known_values),
	    cmocka_unit_test(test_distance_is_symmetric),
	    cmocka_unit_test(test_distance_near_antipodes_is_not_nan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
