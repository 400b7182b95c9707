/* SPDX-License-Identifier: MIT */
/* hc_load_fuzz.c -- libFuzzer harness: any bytes as the page a load URL answers with */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "healthcheck/hc_load_parse.h"

/* The first byte picks the reading (bit 0: a JSON path, else a Prometheus metric) and
 * one of the names below (the path is the operator's, checked when the config loads;
 * the body is whatever answers at the URL); the rest is the body. A reading is a finite
 * number >= 0, or a refusal that says why. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"$.load", "$.a.b[1]", "$.cursors", "$[0]", "$.c"};
	static const char *const metrics[] = {"conns", "conns{pool=\"web\"}", "q", "a_b"};
	if (size < 1 || size > 65536)
		return 0;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	char why[256] = "";
	double value = -1;
	int rc;

	if (data[0] & 1)
		rc = hc_load_parse_json(body, len, paths[(data[0] >> 1) % 5], &value, why,
					sizeof(why));
	else
		rc = hc_load_parse_metric(body, len, metrics[(data[0] >> 1) % 4], &value, why,
					  sizeof(why));
	if (rc == 0 && !(isfinite(value) && value >= 0))
		abort();
	if (rc != 0 && why[0] == '\0')
		abort();
	return 0;
}
