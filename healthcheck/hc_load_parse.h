/* SPDX-License-Identifier: MIT */
/* hc_load_parse.h -- the live load number out of a JSON document or a Prometheus page */
#ifndef MERIDIAN_HC_LOAD_PARSE_H
#define MERIDIAN_HC_LOAD_PARSE_H

#include <stddef.h>

#include "base/compiler.h"

/* The number at path (SQLite JSON path syntax, "$.load.current") in the JSON document
 * body (len bytes, need not be NUL-terminated), which must be strict JSON (base/json_doc.h)
 * before SQLite reads it. 0 and *value, or -1 with why ("no number at $.load: it is
 * text", "body is not JSON: offset N: what"). A negative or infinite number is refused:
 * a load is finite and >= 0. */
int hc_load_parse_json(const char *body, size_t len, const char *path, double *value, char *why,
		       size_t whylen) M_NONNULL_ALL M_WUR;

/* The value of metric in a Prometheus text exposition (body, len bytes): the sum of every
 * series of that name, or, when metric carries a label set ("conns{pool=\"web\"}"), of
 * the series whose label set is written exactly so. 0 and *value, or -1 with why ("no
 * series of conns"). NaN, infinite and negative values are refused, and a sum that
 * overflows to infinity. */
int hc_load_parse_metric(const char *body, size_t len, const char *metric, double *value,
			 char *why, size_t whylen) M_NONNULL_ALL M_WUR;

#endif
