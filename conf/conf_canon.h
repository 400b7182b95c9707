/* SPDX-License-Identifier: MIT */
/* conf_canon.h -- the canonical JSON of the shared part of a parsed config, for drift checks */
#ifndef MERIDIAN_CONF_CANON_H
#define MERIDIAN_CONF_CANON_H

#include "base/compiler.h"
#include "conf/conf.h"

/* The shared part of conf as canonical JSON: one object per section, keys sorted by byte
 * value, no white space, every option present with its parsed value (defaults and
 * derived defaults included, so `ttl: 30` and no ttl read the same, as do `1s` and
 * `1000ms`; durations are ms). Named maps (datacenters, records, map, nets) are objects
 * sorted by name; lists keep their order; `check` is read as a one-element `checks`.
 * Left out, because they differ between regions by nature or hold secrets: options
 * marked local in the option table (region, listen addresses, log_level, ...), every
 * path (state, geoip, zone files, key and TLS files: files count through their own
 * digests) and the replication peers. Two configs that answer alike give the same text
 * in every region. Returns a malloc'd string, or NULL when out of memory. */
char *conf_canonical_json(const conf_t *conf) M_NONNULL_ALL M_WUR;

#endif
