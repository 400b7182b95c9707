/* SPDX-License-Identifier: MIT */
/* geo_distance.h -- great-circle distance between two points on the Earth */
#ifndef MERIDIAN_GEO_DISTANCE_H
#define MERIDIAN_GEO_DISTANCE_H

#include "base/compiler.h"

/* Mean Earth radius (IUGG), km. */
#define GEO_EARTH_RADIUS_KM 6371.0088

/* Haversine distance in km between (lat1, lon1) and (lat2, lon2), all in degrees
 * (latitude -90..90, longitude -180..180; values outside wrap as the trigonometry does).
 * Result is 0..~20015 km. Accurate to ~0.5% (the Earth is not a sphere), which is
 * plenty to rank datacenters. */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2) M_CONST;

#endif
