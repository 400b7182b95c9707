/* SPDX-License-Identifier: MIT */
/* geo.h -- the geo library in one include: database, rules, compiled tries, lookup */

/*
 * Typical use (a loader thread, then many query threads):
 *   db = geo_db_open(path, err, len);                     open and decode the mmdb once
 *   set = geo_set_build_threads(db, dcs, ndc, rules, n, 0, err, len);  compile records
 *                                   (geo_conf.h turns a conf_t into dcs and rules)
 *   publish set (RCU); query threads call
 *   geo_trie_lookup(geo_set_trie(set, i), family, addr, source_prefix, &list, &scope);
 *   periodically geo_db_reload(db, &fresh, ...): 1 -> build a new set from fresh, swap,
 *   free the old set and db after readers are gone; -1 -> log err, keep the old ones.
 * To answer before the compile (start-up): d = geo_direct_open(path, err, len) maps the
 * file only; geo_direct_lookup(d, dcs, rules, ...) gives the trie's order and a scope no
 * wider than the trie's, one client at a time; swap to the set once it is built.
 * The library does no DNS and no SQL, and never logs: errors come back as messages. */
#ifndef MERIDIAN_GEO_H
#define MERIDIAN_GEO_H

#include "geo/geo_addr.h"
#include "geo/geo_set.h"
#include "geo/geo_db.h"
#include "geo/geo_direct.h"
#include "geo/geo_distance.h"
#include "geo/geo_explain.h"
#include "geo/geo_order.h"
#include "geo/geo_trie.h"

#endif
