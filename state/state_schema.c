/* SPDX-License-Identifier: MIT */
/* state_schema.c -- the schema as forward migrations, one SQL step per user_version */
#include "state/state_internal.h"

/* Step i runs inside one BEGIN IMMEDIATE transaction that also sets user_version to i + 1,
 * so a crash leaves the file at one version or the next, never between. Never edit a
 * step that has shipped: append a new one. Tables may change between versions; the
 * status_* views are the stable interface (docs/schema.md) and a step that changes a
 * table they read drops and recreates them with the same columns.
 *
 * Times are INTEGER ms since the epoch (UTC); hlc is 48-bit ms << 16 | 16-bit counter;
 * origin is the region that made the write. */
/* clang-format off */
static const char schema_v1[] =
	"CREATE TABLE node ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  region TEXT NOT NULL,"
	"  hlc INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE observations ("
	"  checker TEXT NOT NULL,"
	"  datacenter TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('unknown', 'up', 'down')),"
	"  since INTEGER NOT NULL,"
	"  checked INTEGER NOT NULL,"
	"  latency INTEGER NOT NULL DEFAULT -1,"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  hlc INTEGER NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  PRIMARY KEY (checker, datacenter)"
	") WITHOUT ROWID;"
	"CREATE TABLE overrides ("
	"  datacenter TEXT PRIMARY KEY,"
	"  action TEXT NOT NULL CHECK (action IN ('drain', 'force-down', 'force-up')),"
	"  reason TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL DEFAULT 0,"
	"  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),"
	"  hlc INTEGER NOT NULL,"
	"  origin TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE events ("
	"  origin TEXT NOT NULL,"
	"  id INTEGER NOT NULL CHECK (id >= 1),"
	"  hlc INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  datacenter TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (origin, id)"
	");"
	"CREATE INDEX events_at ON events (at);"
	"CREATE TABLE changelog ("
	"  origin TEXT NOT NULL,"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),"
	"  hlc INTEGER NOT NULL,"
	"  tbl TEXT NOT NULL CHECK (tbl IN ('observations', 'overrides', 'events')),"
	"  key TEXT NOT NULL,"
	"  row TEXT NOT NULL CHECK (json_valid(row)),"
	"  stored INTEGER NOT NULL,"
	"  PRIMARY KEY (origin, seq)"
	") WITHOUT ROWID;"
	"CREATE INDEX changelog_stored ON changelog (stored);"
	"CREATE TABLE cursors ("
	"  origin TEXT PRIMARY KEY,"
	"  seq INTEGER NOT NULL CHECK (seq >= 0)"
	") WITHOUT ROWID;"
	"CREATE TABLE peers ("
	"  region TEXT PRIMARY KEY,"
	"  url TEXT NOT NULL DEFAULT '',"
	"  last_contact INTEGER NOT NULL DEFAULT 0,"
	"  last_error_at INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  errors INTEGER NOT NULL DEFAULT 0,"
	"  lag INTEGER NOT NULL DEFAULT -1"
	") WITHOUT ROWID;";

/* The stable views. They use SQLite's wall clock ('now') for ages, and show raw inputs:
 * the verdict also needs the config (quorum, staleness), so `meridianctl status --json`
 * is the authority on what answers use. */
#define ISO(ms) "strftime('%Y-%m-%dT%H:%M:%SZ', (" ms ") / 1000, 'unixepoch')"
#define NOW_MS "(CAST(strftime('%s', 'now') AS INTEGER) * 1000)"
static const char views_v1[] =
	"CREATE VIEW status_overrides AS"
	" SELECT datacenter, action, reason, actor,"
	"  " ISO("created") " AS created, created AS created_ms,"
	"  CASE WHEN expires = 0 THEN NULL ELSE " ISO("expires") " END AS expires,"
	"  expires AS expires_ms,"
	"  CASE WHEN expires = 0 THEN NULL ELSE (expires - " NOW_MS ") / 1000 END AS seconds_left,"
	"  origin"
	" FROM overrides"
	" WHERE deleted = 0 AND (expires = 0 OR expires > " NOW_MS ");"
	"CREATE VIEW status_datacenters AS"
	" WITH names(datacenter) AS ("
	"  SELECT datacenter FROM observations UNION SELECT datacenter FROM status_overrides)"
	" SELECT n.datacenter AS datacenter, ob.checker AS checker,"
	"  COALESCE(ob.status, 'unknown') AS status,"
	"  " ISO("ob.since") " AS since, ob.since AS since_ms,"
	"  " ISO("ob.checked") " AS checked, ob.checked AS checked_ms,"
	"  (" NOW_MS " - ob.checked) / 1000 AS age_s,"
	"  CASE WHEN ob.latency < 0 THEN NULL ELSE ob.latency END AS latency_ms,"
	"  ob.detail AS detail,"
	"  so.action AS override_action, so.reason AS override_reason,"
	"  so.actor AS override_actor, so.expires AS override_expires,"
	"  so.seconds_left AS override_seconds_left"
	" FROM names n"
	" LEFT JOIN observations ob ON ob.datacenter = n.datacenter"
	" LEFT JOIN status_overrides so ON so.datacenter = n.datacenter"
	" ORDER BY n.datacenter, ob.checker;"
	"CREATE VIEW status_events AS"
	" SELECT " ISO("at") " AS at, at AS at_ms, actor, action, datacenter, reason, detail,"
	"  origin, id"
	" FROM events ORDER BY at DESC, hlc DESC;"
	"CREATE VIEW status_peers AS"
	" SELECT region, url,"
	"  CASE WHEN last_contact = 0 THEN NULL ELSE " ISO("last_contact") " END AS last_contact,"
	"  CASE WHEN last_contact = 0 THEN NULL ELSE (" NOW_MS " - last_contact) / 1000 END"
	"   AS contact_age_s,"
	"  CASE WHEN last_error_at = 0 THEN NULL ELSE " ISO("last_error_at") " END AS last_error_at,"
	"  NULLIF(last_error, '') AS last_error, errors,"
	"  CASE WHEN lag < 0 THEN NULL ELSE lag END AS lag_ms"
	" FROM peers ORDER BY region;"
	"CREATE VIEW status_replication AS"
	" SELECT c.origin AS origin, c.seq AS seq,"
	"  (SELECT MIN(seq) FROM changelog l WHERE l.origin = c.origin) AS oldest_seq,"
	"  (SELECT COUNT(*) FROM changelog l WHERE l.origin = c.origin) AS entries,"
	"  (SELECT MAX(hlc) FROM changelog l WHERE l.origin = c.origin) AS newest_hlc,"
	"  " ISO("((SELECT MAX(hlc) FROM changelog l WHERE l.origin = c.origin) >> 16)")
	"   AS newest_at,"
	"  c.origin = (SELECT region FROM node) AS local"
	" FROM cursors c ORDER BY c.origin;";

/* Version 3: replication progress per (peer, origin). The peers row keeps only the worst
 * origin's lag; these rows say which origin is behind and by how much. Local like peers:
 * never replicated, rewritten by the replicator at most once a second per peer. */
static const char peer_origins_v3[] =
	"CREATE TABLE peer_origins ("
	"  peer TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  peer_seq INTEGER NOT NULL DEFAULT 0 CHECK (peer_seq >= 0),"
	"  local_seq INTEGER NOT NULL DEFAULT 0 CHECK (local_seq >= 0),"
	"  behind INTEGER NOT NULL DEFAULT 0 CHECK (behind >= 0),"
	"  newest_hlc INTEGER NOT NULL DEFAULT 0 CHECK (newest_hlc >= 0),"
	"  lag INTEGER NOT NULL DEFAULT -1,"
	"  updated INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (peer, origin)"
	") WITHOUT ROWID;"
	"CREATE VIEW status_peer_origins AS"
	" SELECT peer, origin, peer_seq, local_seq, behind,"
	"  CASE WHEN newest_hlc = 0 THEN NULL ELSE newest_hlc END AS newest_hlc,"
	"  CASE WHEN newest_hlc = 0 THEN NULL ELSE " ISO("(newest_hlc >> 16)") " END AS newest_at,"
	"  CASE WHEN lag < 0 THEN NULL ELSE lag END AS lag_ms,"
	"  CASE WHEN updated = 0 THEN NULL ELSE " ISO("updated") " END AS updated,"
	"  updated AS updated_ms,"
	"  CASE WHEN updated = 0 THEN NULL ELSE (" NOW_MS " - updated) / 1000 END AS age_s"
	" FROM peer_origins ORDER BY peer, origin;";

/* Version 4 (issue 15): what each region's daemons run, replicated like observations
 * (key region/component), and the views that show it and where it drifts. The change
 * log is rebuilt without its list of table names: which tables replicate is the code's
 * table (state_tables[]), checked by apply, so a new table needs no rebuild again.
 * status_replication reads the change log, so it is dropped and made again as it was. */
static const char deployments_v4[] =
	"CREATE TABLE deployments ("
	"  region TEXT NOT NULL,"
	"  component TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  config_digest TEXT NOT NULL,"
	"  config TEXT NOT NULL CHECK (json_valid(config)),"
	"  zones TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(zones)),"
	"  geoip_type TEXT NOT NULL DEFAULT '',"
	"  geoip_epoch INTEGER NOT NULL DEFAULT 0,"
	"  geoip_digest TEXT NOT NULL DEFAULT '',"
	"  since INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  hlc INTEGER NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  PRIMARY KEY (region, component)"
	") WITHOUT ROWID;"
	"DROP VIEW status_replication;"
	"CREATE TABLE changelog_v4 ("
	"  origin TEXT NOT NULL,"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),"
	"  hlc INTEGER NOT NULL,"
	"  tbl TEXT NOT NULL CHECK (tbl <> ''),"
	"  key TEXT NOT NULL,"
	"  row TEXT NOT NULL CHECK (json_valid(row)),"
	"  stored INTEGER NOT NULL,"
	"  PRIMARY KEY (origin, seq)"
	") WITHOUT ROWID;"
	"INSERT INTO changelog_v4 (origin, seq, hlc, tbl, key, row, stored)"
	" SELECT origin, seq, hlc, tbl, key, row, stored FROM changelog;"
	"DROP TABLE changelog;"
	"ALTER TABLE changelog_v4 RENAME TO changelog;"
	"CREATE INDEX changelog_stored ON changelog (stored);"
	"CREATE VIEW status_replication AS"
	" SELECT c.origin AS origin, c.seq AS seq,"
	"  (SELECT MIN(seq) FROM changelog l WHERE l.origin = c.origin) AS oldest_seq,"
	"  (SELECT COUNT(*) FROM changelog l WHERE l.origin = c.origin) AS entries,"
	"  (SELECT MAX(hlc) FROM changelog l WHERE l.origin = c.origin) AS newest_hlc,"
	"  " ISO("((SELECT MAX(hlc) FROM changelog l WHERE l.origin = c.origin) >> 16)")
	"   AS newest_at,"
	"  c.origin = (SELECT region FROM node) AS local"
	" FROM cursors c ORDER BY c.origin;"
	"CREATE VIEW status_deployments AS"
	" SELECT region, component, version, config_digest,"
	"  (SELECT json_group_array(json_object('origin', json_extract(z.value, '$.origin'),"
	"    'serial', json_extract(z.value, '$.serial')))"
	"   FROM json_each(d.zones) z) AS zone_serials,"
	"  zones, NULLIF(geoip_type, '') AS geoip_type,"
	"  CASE WHEN geoip_epoch = 0 THEN NULL ELSE geoip_epoch END AS geoip_epoch,"
	"  NULLIF(geoip_digest, '') AS geoip_digest,"
	"  " ISO("since") " AS since, since AS since_ms,"
	"  " ISO("updated") " AS updated, updated AS updated_ms,"
	"  region = (SELECT region FROM node) AS local"
	" FROM deployments d ORDER BY region, component;"
	"CREATE VIEW status_drift AS"
	" SELECT d.region AS region, d.component AS component,"
	"  d.config_digest <> l.config_digest AS config,"
	"  d.zones <> l.zones AS zones,"
	"  (d.geoip_type <> l.geoip_type OR d.geoip_epoch <> l.geoip_epoch"
	"   OR d.geoip_digest <> l.geoip_digest) AS geoip,"
	"  d.version <> l.version AS version,"
	"  " ISO("max(d.since, l.since)") " AS since, max(d.since, l.since) AS since_ms,"
	"  (" NOW_MS " - max(d.since, l.since)) / 1000 AS age_s,"
	"  d.config_digest AS config_digest, l.config_digest AS local_config_digest,"
	"  d.version AS version_there, l.version AS version_here"
	" FROM deployments d JOIN deployments l"
	"  ON l.component = d.component AND l.region = (SELECT region FROM node)"
	" WHERE d.region <> l.region"
	"  AND (d.config_digest <> l.config_digest OR d.zones <> l.zones"
	"   OR d.geoip_type <> l.geoip_type OR d.geoip_epoch <> l.geoip_epoch"
	"   OR d.geoip_digest <> l.geoip_digest OR d.version <> l.version)"
	" ORDER BY d.region, d.component;";

/* Version 5: when this region stored each observation row, by this region's clock. Votes
 * are fresh by this time (state_observation_fresh), so two regions' clocks need not agree.
 * Local like peers: never replicated; written in the transaction that writes or applies
 * the observation row it times. */
static const char observations_received_v5[] =
	"CREATE TABLE observations_received ("
	"  checker TEXT NOT NULL,"
	"  datacenter TEXT NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  PRIMARY KEY (checker, datacenter)"
	") WITHOUT ROWID;";

/* Version 6 (issue 11), status tables: the effective state of every configured datacenter and
 * record, the region's isolation, and their transitions, as meridian-healthcheck's
 * status thread computes them from the config and the store (state_status_update()).
 * Local like peers: never replicated; each region says what it itself concludes. */
static const char status_tables_v6[] =
	"CREATE TABLE IF NOT EXISTS dc_state ("
	"  datacenter TEXT PRIMARY KEY,"
	"  state TEXT NOT NULL,"
	"  observed TEXT NOT NULL,"
	"  forced INTEGER NOT NULL DEFAULT 0 CHECK (forced IN (0, 1)),"
	"  serving INTEGER NOT NULL CHECK (serving IN (0, 1)),"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  since INTEGER NOT NULL,"
	"  votes_up INTEGER NOT NULL DEFAULT 0,"
	"  votes_down INTEGER NOT NULL DEFAULT 0,"
	"  votes_stale INTEGER NOT NULL DEFAULT 0,"
	"  position INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS record_state ("
	"  record TEXT PRIMARY KEY,"
	"  fail_open INTEGER NOT NULL CHECK (fail_open IN (0, 1)),"
	"  serving TEXT NOT NULL DEFAULT '',"
	"  since INTEGER NOT NULL,"
	"  position INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS region_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  region TEXT NOT NULL,"
	"  level TEXT NOT NULL,"
	"  isolated INTEGER NOT NULL CHECK (isolated IN (0, 1)),"
	"  last_peer_contact INTEGER NOT NULL DEFAULT 0,"
	"  isolated_after INTEGER NOT NULL,"
	"  peers INTEGER NOT NULL DEFAULT 0,"
	"  computed INTEGER NOT NULL"
	");"
	"CREATE TABLE IF NOT EXISTS transitions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  from_state TEXT NOT NULL DEFAULT '',"
	"  to_state TEXT NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX IF NOT EXISTS transitions_at ON transitions (at);"
	"CREATE VIEW IF NOT EXISTS status_effective AS"
	" SELECT d.datacenter AS datacenter, d.state AS state, d.observed AS observed,"
	"  d.forced AS forced, d.serving AS serving, d.reason AS reason,"
	"  " ISO("d.since") " AS since, d.since AS since_ms,"
	"  (" NOW_MS " - d.since) / 1000 AS age_s,"
	"  d.votes_up AS votes_up, d.votes_down AS votes_down, d.votes_stale AS votes_stale,"
	"  so.action AS override_action, so.reason AS override_reason,"
	"  so.actor AS override_actor, so.origin AS override_origin,"
	"  so.expires AS override_expires, so.seconds_left AS override_seconds_left"
	" FROM dc_state d LEFT JOIN status_overrides so ON so.datacenter = d.datacenter"
	" ORDER BY d.position, d.datacenter;"
	"CREATE VIEW IF NOT EXISTS status_records AS"
	" SELECT record, fail_open, NULLIF(serving, '') AS serving,"
	"  " ISO("since") " AS since, since AS since_ms"
	" FROM record_state ORDER BY position, record;"
	"CREATE VIEW IF NOT EXISTS status_region AS"
	" SELECT region, level, isolated,"
	"  CASE WHEN last_peer_contact = 0 THEN NULL ELSE " ISO("last_peer_contact") " END"
	"   AS last_peer_contact,"
	"  NULLIF(last_peer_contact, 0) AS last_peer_contact_ms,"
	"  CASE WHEN last_peer_contact = 0 THEN NULL"
	"   ELSE (" NOW_MS " - last_peer_contact) / 1000 END AS contact_age_s,"
	"  isolated_after AS isolated_after_ms, peers,"
	"  " ISO("computed") " AS computed, computed AS computed_ms,"
	"  (" NOW_MS " - computed) / 1000 AS computed_age_s"
	" FROM region_state;"
	"CREATE VIEW IF NOT EXISTS status_transitions AS"
	" SELECT " ISO("at") " AS at, at AS at_ms, kind, subject,"
	"  NULLIF(from_state, '') AS from_state, to_state, reason, id"
	" FROM transitions ORDER BY at DESC, id DESC;";

/* Version 7: what this region remembers of each datacenter's verdict between evaluations
 * (state_verdict_memory_t): the last decided state, how long it has been held undecided,
 * the flap penalty, and counters. Local like peers: never replicated; written by
 * meridian-dnsd when it changes, read by meridianctl. */
static const char verdict_memory_v7[] =
	"CREATE TABLE verdict_memory ("
	"  datacenter TEXT PRIMARY KEY,"
	"  decided TEXT NOT NULL DEFAULT 'unknown' CHECK (decided IN ('unknown', 'up', 'down')),"
	"  decided_at INTEGER NOT NULL DEFAULT 0,"
	"  undecided_since INTEGER NOT NULL DEFAULT 0,"
	"  expired INTEGER NOT NULL DEFAULT 0 CHECK (expired IN (0, 1)),"
	"  penalty REAL NOT NULL DEFAULT 0 CHECK (penalty >= 0),"
	"  penalty_at INTEGER NOT NULL DEFAULT 0,"
	"  suppressed INTEGER NOT NULL DEFAULT 0 CHECK (suppressed IN (0, 1)),"
	"  transitions INTEGER NOT NULL DEFAULT 0,"
	"  holds INTEGER NOT NULL DEFAULT 0,"
	"  isolated INTEGER NOT NULL DEFAULT 0,"
	"  expiries INTEGER NOT NULL DEFAULT 0,"
	"  suppressions INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;";

/* Version 8, store identity and anti-entropy digests (issue 10). incarnation: random, made when the
 * store is created and again whenever it starts a new incarnation (a store found to be
 * new or restored behind what its peers hold of its origin); own_confirmed: the highest
 * seq of our own origin a peer has reported holding with our numbering, so entries above
 * it are the ones renumbered if our numbering turns out to collide. Existing stores trust
 * their own cursor. digests: per replicated table and row origin, the row count and the
 * XOR of a 64-bit hash of each row's JSON, kept in the write transaction through
 * row_hashes (each row's current hash, so an update subtracts the old one in O(1)).
 * Local like peers: never replicated. */
static const char identity_v8[] =
	"ALTER TABLE node ADD COLUMN incarnation TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE node ADD COLUMN own_confirmed INTEGER NOT NULL DEFAULT 0"
	"  CHECK (own_confirmed >= 0);"
	"UPDATE node SET incarnation = lower(hex(randomblob(8))),"
	"  own_confirmed = COALESCE((SELECT seq FROM cursors WHERE origin = node.region), 0);"
	"CREATE TABLE digests ("
	"  tbl TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  rows INTEGER NOT NULL DEFAULT 0,"
	"  sum INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (tbl, origin)"
	") WITHOUT ROWID;"
	"CREATE TABLE row_hashes ("
	"  tbl TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  hash INTEGER NOT NULL,"
	"  PRIMARY KEY (tbl, key)"
	") WITHOUT ROWID;"
	"CREATE TABLE divergences ("
	"  peer TEXT NOT NULL,"
	"  tbl TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  local_digest TEXT NOT NULL DEFAULT '',"
	"  peer_digest TEXT NOT NULL DEFAULT '',"
	"  detected INTEGER NOT NULL DEFAULT 0,"
	"  repaired INTEGER NOT NULL DEFAULT 0,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (peer, tbl, origin)"
	") WITHOUT ROWID;"
	"CREATE VIEW status_divergences AS"
	" SELECT peer, tbl AS table_name, origin, local_digest, peer_digest,"
	"  CASE WHEN detected = 0 THEN NULL ELSE " ISO("detected") " END AS detected,"
	"  CASE WHEN repaired = 0 THEN NULL ELSE " ISO("repaired") " END AS repaired,"
	"  repaired >= detected AS resolved, count"
	" FROM divergences ORDER BY peer, tbl, origin;";

/* Version 9 (issue 12), scheduled maintenance: an override may start at a future time.
 * starts: ms since the epoch it takes effect; 0, as for every older row, means from its
 * creation. The views that read overrides are recreated with the same columns (and a
 * start column added at the end of status_overrides): an override not yet started is
 * not in status_overrides, so status_datacenters and status_effective never show it as
 * in effect; status_scheduled lists those waiting for their start. */
static const char scheduled_overrides_v9[] =
	"ALTER TABLE overrides ADD COLUMN starts INTEGER NOT NULL DEFAULT 0 CHECK (starts >= 0);"
	"DROP VIEW IF EXISTS status_effective;"
	"DROP VIEW IF EXISTS status_datacenters;"
	"DROP VIEW IF EXISTS status_overrides;"
	"CREATE VIEW status_overrides AS"
	" SELECT datacenter, action, reason, actor,"
	"  " ISO("created") " AS created, created AS created_ms,"
	"  CASE WHEN expires = 0 THEN NULL ELSE " ISO("expires") " END AS expires,"
	"  expires AS expires_ms,"
	"  CASE WHEN expires = 0 THEN NULL ELSE (expires - " NOW_MS ") / 1000 END AS seconds_left,"
	"  origin,"
	"  " ISO("CASE WHEN starts = 0 THEN created ELSE starts END") " AS starts,"
	"  CASE WHEN starts = 0 THEN created ELSE starts END AS starts_ms"
	" FROM overrides"
	" WHERE deleted = 0 AND (expires = 0 OR expires > " NOW_MS ")"
	"  AND starts <= " NOW_MS ";"
	"CREATE VIEW status_scheduled AS"
	" SELECT datacenter, action, reason, actor,"
	"  " ISO("created") " AS created, created AS created_ms,"
	"  " ISO("starts") " AS starts, starts AS starts_ms,"
	"  (starts - " NOW_MS ") / 1000 AS seconds_to_start,"
	"  CASE WHEN expires = 0 THEN NULL ELSE " ISO("expires") " END AS expires,"
	"  expires AS expires_ms,"
	"  origin"
	" FROM overrides"
	" WHERE deleted = 0 AND starts > " NOW_MS
	" ORDER BY starts, datacenter;"
	"CREATE VIEW status_datacenters AS"
	" WITH names(datacenter) AS ("
	"  SELECT datacenter FROM observations UNION SELECT datacenter FROM status_overrides)"
	" SELECT n.datacenter AS datacenter, ob.checker AS checker,"
	"  COALESCE(ob.status, 'unknown') AS status,"
	"  " ISO("ob.since") " AS since, ob.since AS since_ms,"
	"  " ISO("ob.checked") " AS checked, ob.checked AS checked_ms,"
	"  (" NOW_MS " - ob.checked) / 1000 AS age_s,"
	"  CASE WHEN ob.latency < 0 THEN NULL ELSE ob.latency END AS latency_ms,"
	"  ob.detail AS detail,"
	"  so.action AS override_action, so.reason AS override_reason,"
	"  so.actor AS override_actor, so.expires AS override_expires,"
	"  so.seconds_left AS override_seconds_left"
	" FROM names n"
	" LEFT JOIN observations ob ON ob.datacenter = n.datacenter"
	" LEFT JOIN status_overrides so ON so.datacenter = n.datacenter"
	" ORDER BY n.datacenter, ob.checker;"
	"CREATE VIEW status_effective AS"
	" SELECT d.datacenter AS datacenter, d.state AS state, d.observed AS observed,"
	"  d.forced AS forced, d.serving AS serving, d.reason AS reason,"
	"  " ISO("d.since") " AS since, d.since AS since_ms,"
	"  (" NOW_MS " - d.since) / 1000 AS age_s,"
	"  d.votes_up AS votes_up, d.votes_down AS votes_down, d.votes_stale AS votes_stale,"
	"  so.action AS override_action, so.reason AS override_reason,"
	"  so.actor AS override_actor, so.origin AS override_origin,"
	"  so.expires AS override_expires, so.seconds_left AS override_seconds_left"
	" FROM dc_state d LEFT JOIN status_overrides so ON so.datacenter = d.datacenter"
	" ORDER BY d.position, d.datacenter;";

/* Version 10 (issue 12), live load: each region's last reading of each datacenter's load
 * (datacenters.NAME.load), replicated like observations (key checker/datacenter, last
 * writer wins). value_milli is the load times 1000 (integers travel exactly). */
static const char loads_v10[] =
	"CREATE TABLE loads ("
	"  checker TEXT NOT NULL,"
	"  datacenter TEXT NOT NULL,"
	"  value_milli INTEGER NOT NULL DEFAULT 0 CHECK (value_milli >= 0),"
	"  ok INTEGER NOT NULL DEFAULT 0 CHECK (ok IN (0, 1)),"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  measured INTEGER NOT NULL,"
	"  hlc INTEGER NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  PRIMARY KEY (checker, datacenter)"
	") WITHOUT ROWID;"
	"CREATE VIEW status_loads AS"
	" SELECT datacenter, checker,"
	"  CASE WHEN ok = 1 THEN value_milli / 1000.0 END AS load,"
	"  ok, NULLIF(detail, '') AS error,"
	"  " ISO("measured") " AS measured, measured AS measured_ms,"
	"  (" NOW_MS " - measured) / 1000 AS age_s, origin"
	" FROM loads ORDER BY datacenter, checker;";

/* Version 11 (issue 12), run-time weights: an operator's weight of one datacenter in one
 * configured split (`meridianctl weight`), replicated like overrides (last writer wins,
 * clears are tombstones), in effect until it expires. target is the record, or
 * record@entry for a map or nets entry. */
static const char weights_v11[] =
	"CREATE TABLE weights ("
	"  target TEXT NOT NULL,"
	"  datacenter TEXT NOT NULL,"
	"  weight INTEGER NOT NULL CHECK (weight >= 0 AND weight <= 1000000),"
	"  reason TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL DEFAULT 0,"
	"  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),"
	"  hlc INTEGER NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  PRIMARY KEY (target, datacenter)"
	") WITHOUT ROWID;"
	"CREATE VIEW status_weights AS"
	" SELECT target, datacenter, weight, reason, actor,"
	"  " ISO("created") " AS created, created AS created_ms,"
	"  CASE WHEN expires = 0 THEN NULL ELSE " ISO("expires") " END AS expires,"
	"  expires AS expires_ms,"
	"  CASE WHEN expires = 0 THEN NULL ELSE (expires - " NOW_MS ") / 1000 END AS seconds_left,"
	"  origin"
	" FROM weights"
	" WHERE deleted = 0 AND (expires = 0 OR expires > " NOW_MS ")"
	" ORDER BY target, datacenter;";

/* Version 12 (issue 12), capacity shortfalls: records whose failed datacenter's clients
 * spill past the others' spare capacity, as meridian-healthcheck's status thread finds
 * them with the pick (state_capacity.c). Local like dc_state: never replicated. */
static const char capacity_v12[] =
	"CREATE TABLE capacity_state ("
	"  record TEXT NOT NULL,"
	"  datacenter TEXT NOT NULL,"
	"  demand INTEGER NOT NULL,"
	"  spare INTEGER NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  PRIMARY KEY (record, datacenter)"
	") WITHOUT ROWID;"
	"CREATE VIEW status_capacity AS"
	" SELECT record, datacenter, demand, spare,"
	"  " ISO("since") " AS since, since AS since_ms"
	" FROM capacity_state ORDER BY record, datacenter;";

/* Version 13 (issue 12): address health and time to change. observations gain what a
 * checker's rise/fall counters say is coming (pending: the status probes head to, ''
 * none; change_in: the earliest it can change, ms after checked), so answers that could
 * change soon carry a short TTL. address_observations: one region's view of one address
 * of a datacenter (datacenters.NAME.address_checks), replicated like observations (key
 * checker/datacenter/address); address_observations_received is its local received
 * time, like observations_received. status_addresses is the stable view. */
static const char address_health_v13[] =
	"ALTER TABLE observations ADD COLUMN pending TEXT NOT NULL DEFAULT ''"
	"  CHECK (pending IN ('', 'up', 'down'));"
	"ALTER TABLE observations ADD COLUMN change_in INTEGER NOT NULL DEFAULT 0"
	"  CHECK (change_in >= 0);"
	"CREATE TABLE address_observations ("
	"  checker TEXT NOT NULL,"
	"  datacenter TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('unknown', 'up', 'down')),"
	"  since INTEGER NOT NULL,"
	"  checked INTEGER NOT NULL,"
	"  latency INTEGER NOT NULL DEFAULT -1,"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  pending TEXT NOT NULL DEFAULT '' CHECK (pending IN ('', 'up', 'down')),"
	"  change_in INTEGER NOT NULL DEFAULT 0 CHECK (change_in >= 0),"
	"  hlc INTEGER NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  PRIMARY KEY (checker, datacenter, address)"
	") WITHOUT ROWID;"
	"CREATE TABLE address_observations_received ("
	"  checker TEXT NOT NULL,"
	"  datacenter TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  PRIMARY KEY (checker, datacenter, address)"
	") WITHOUT ROWID;"
	"CREATE VIEW status_addresses AS"
	" SELECT datacenter, address, checker, status,"
	"  " ISO("since") " AS since, since AS since_ms,"
	"  " ISO("checked") " AS checked, checked AS checked_ms,"
	"  (" NOW_MS " - checked) / 1000 AS age_s,"
	"  CASE WHEN latency < 0 THEN NULL ELSE latency END AS latency_ms,"
	"  detail, NULLIF(pending, '') AS pending,"
	"  CASE WHEN pending = '' THEN NULL ELSE change_in END AS change_in_ms, origin"
	" FROM address_observations ORDER BY datacenter, address, checker;";

const char *const state_migrations[] = {
	schema_v1,
	views_v1,
	peer_origins_v3,
	deployments_v4,
	observations_received_v5,
	status_tables_v6,
	verdict_memory_v7,
	identity_v8,
	scheduled_overrides_v9,
	loads_v10,
	weights_v11,
	capacity_v12,
	address_health_v13,
};
const size_t state_migration_count = M_ARRAY_LEN(state_migrations);
/* clang-format on */
