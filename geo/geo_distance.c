/* SPDX-License-Identifier: MIT */
/* geo_distance.c -- haversine great-circle distance */
#include "config.h"

#include <math.h>

#include "geo/geo_distance.h"

static double radians(double degrees)
{
	return degrees * (M_PI / 180.0);
}

double geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	double dlat = radians(lat2 - lat1);
	double dlon = radians(lon2 - lon1);
	double s1 = sin(dlat / 2.0);
	double s2 = sin(dlon / 2.0);
	double h = s1 * s1 + cos(radians(lat1)) * cos(radians(lat2)) * s2 * s2;

	/* Rounding can push h a hair past 1 for antipodal points; asin would give NaN. */
	if (h > 1.0)
		h = 1.0;
	return 2.0 * GEO_EARTH_RADIUS_KM * asin(sqrt(h));
}
