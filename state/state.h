/* SPDX-License-Identifier: MIT */
/* state.h -- the SQLite state store: open, typed reads and writes, change log, apply */
#ifndef MERIDIAN_STATE_H
#define MERIDIAN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "base/compiler.h"

/* Concurrency: a state_t is one SQLite connection, used by one thread at a time.
 * Several processes open the same file (WAL): writers serialise with BEGIN IMMEDIATE
 * and busy_timeout; readers never block writers. */
typedef struct state state_t;

#define STATE_NAME_MAX 64     /* region and datacenter ids, with NUL */
#define STATE_TEXT_MAX 256    /* reasons, details, actors, with NUL */
/* The largest seq a change-log entry or cursor may hold: far beyond any real log, and far
 * enough below INT64_MAX that the next seq never overflows. */
#define STATE_SEQ_MAX ((uint64_t)1 << 62)

/* Opens (creating if needed) the store at path for this region, runs forward migrations,
 * sets WAL, synchronous=NORMAL, busy_timeout (5 s), foreign keys. The first open records
 * the region; a store of another region is refused ("PATH: store belongs to region 'X',
 * not 'Y'"), as is a schema newer than this program. Returns NULL and fills err. */
state_t *state_open(const char *path, const char *region, char *err, size_t errlen) M_NONNULL(1, 2, 3) M_WUR;
/* Opens an existing store read-only (status pages, dnsd's snapshot builder need not write).
 * Never blocks writers; every read outside an explicit transaction sees the latest commit.
 * state_region() is the store's region. Writes fail with "store is open read-only".
 * A schema or node row that a writer is creating at this moment is waited for (the
 * busy timeout, 5 s). A file with no schema at all after that (empty: no writer has
 * opened it yet) fails with errno ENOENT ("PATH: no schema yet (...)"), so a follower
 * can treat it as a missing file; any other failure leaves errno EINVAL. */
state_t *state_open_readonly(const char *path, char *err, size_t errlen) M_NONNULL(1, 2) M_WUR;
void state_close(state_t *st);
/* The underlying connection, for views and ad-hoc reads. */
sqlite3 *state_db(state_t *st) M_NONNULL_ALL;
/* Region this connection writes as. */
const char *state_region(const state_t *st) M_NONNULL_ALL;
/* The last error message of this connection. */
const char *state_errmsg(const state_t *st) M_NONNULL_ALL;
/* PRAGMA data_version: changes whenever another connection commits (not on this
 * connection's own commits). Cheap; poll it. */
int state_data_version(state_t *st, int64_t *version) M_NONNULL_ALL M_WUR;
/* Wall clock in ms since the epoch; tests may replace it (the one mockable edge). */
typedef int64_t (*state_clock_fn)(void);
void state_set_clock(state_t *st, state_clock_fn clock) M_NONNULL(1);
int64_t state_now_ms(const state_t *st) M_NONNULL_ALL;

/* Observed health of one datacenter. */
typedef enum {
	STATE_HEALTH_UNKNOWN = 0, /* never probed yet: served (fail open) */
	STATE_HEALTH_UP,
	STATE_HEALTH_DOWN,
} state_health_t;
const char *state_health_name(state_health_t h) M_CONST;
int state_health_parse(const char *name) M_NONNULL_ALL M_PURE; /* -1 when unknown */

/* Longest address text an observation names ("2001:db8::1"), with NUL. */
#define STATE_ADDRESS_MAX 48

/* One region's view of one datacenter (address ""), or of one address of a datacenter
 * (datacenters.NAME.address_checks). Key: (checker, datacenter) in observations, or
 * (checker, datacenter, address) in address_observations. */
typedef struct {
	char checker[STATE_NAME_MAX];    /* the region whose healthcheck observed it */
	char datacenter[STATE_NAME_MAX]; /* the datacenter observed */
	char address[STATE_ADDRESS_MAX]; /* the address observed, as inet_ntop writes it; ""
					  * for the datacenter as a whole */
	state_health_t status; /* up, down or unknown */
	state_health_t pending;          /* in transition towards this status (UP or DOWN):
					  * probes disagree with status but have not yet
					  * reached rise/fall; UNKNOWN when not in transition */
	int32_t change_in_ms;            /* pending: the earliest the status can change, ms
					  * after checked_ms (>= 0); 0 otherwise */
	int64_t since_ms;                /* when status last changed, ms since epoch */
	int64_t checked_ms;              /* last probe or heartbeat, ms since epoch */
	int32_t latency_ms;              /* last probe's latency, -1 when none */
	char detail[STATE_TEXT_MAX];     /* why: "HTTP 503", "connect refused", ... */
	uint64_t hlc;                    /* of the write that made this row */
	char origin[STATE_NAME_MAX];     /* region that wrote it */
	int64_t received_ms;             /* when this store wrote or applied the row, by this
					  * region's clock, ms since epoch; 0 unknown (read only:
					  * state_observation_put ignores it) */
} state_observation_t;

/* Writes this region's observation (checker is forced to this region), row + change log
 * in one transaction; an observation with an address goes to address_observations. */
int state_observation_put(state_t *st, const state_observation_t *obs) M_NONNULL_ALL M_WUR;
/* All datacenter observations (address ""); *out is malloc'd (caller frees), *count
 * entries. */
int state_observations_list(state_t *st, state_observation_t **out, size_t *count) M_NONNULL_ALL M_WUR;
/* All address observations (state_rows.c), by datacenter, address, checker;
 * *out is malloc'd (caller frees), NULL when none. */
int state_address_observations_list(state_t *st, state_observation_t **out, size_t *count)
    M_NONNULL_ALL M_WUR;

typedef enum {
	STATE_OVERRIDE_DRAIN = 0,  /* take no new clients */
	STATE_OVERRIDE_FORCE_DOWN, /* treat as down */
	STATE_OVERRIDE_FORCE_UP,   /* treat as up whatever the checks say */
} state_override_action_t;
const char *state_override_action_name(state_override_action_t a) M_CONST;
int state_override_action_parse(const char *name) M_NONNULL_ALL M_PURE; /* "drain", "force-down", "force-up"; -1 */

/* An operator's override of one datacenter. Key: datacenter: a datacenter holds one
 * override at a time, in effect now or scheduled (starts_ms in the future). */
typedef struct {
	char datacenter[STATE_NAME_MAX]; /* the datacenter overridden */
	state_override_action_t action; /* drain, force-down or force-up */
	char reason[STATE_TEXT_MAX]; /* the operator's words */
	char actor[STATE_TEXT_MAX]; /* who did it */
	int64_t created_ms; /* when it was set, ms since epoch */
	int64_t starts_ms; /* scheduled start, ms since epoch; 0: in effect from created_ms */
	int64_t expires_ms;              /* 0: never */
	bool deleted;                    /* tombstone: cleared */
	uint64_t hlc; /* of the write that made this row */
	char origin[STATE_NAME_MAX]; /* region that wrote it */
} state_override_t;

/* Is o in effect at now_ms: not cleared, started (starts_ms 0 or <= now_ms) and not expired.
 * The one rule every reader uses (the verdict, dnsd, meridianctl status and explain, the
 * healthcheck's status thread, the safety rule's window), so they cannot disagree. */
bool state_override_active(const state_override_t *o, int64_t now_ms) M_NONNULL_ALL M_PURE;
/* Is o scheduled: not cleared, not expired, and starting after now_ms. */
bool state_override_pending(const state_override_t *o, int64_t now_ms) M_NONNULL_ALL M_PURE;

/* Sets (replaces) the override of ov->datacenter and appends an audit event, one transaction. */
int state_override_put(state_t *st, const state_override_t *ov) M_NONNULL_ALL M_WUR;
/* Tombstones the override of datacenter (deleted = 1, replicated like any write) and appends
 * an audit event "clear" whose detail is the action cleared. 1, and nothing written, if there
 * was none live (never set, cleared, or expired). */
int state_override_clear(state_t *st, const char *datacenter, const char *actor, const char *reason) M_NONNULL_ALL M_WUR;
/* Overrides including tombstones (filter on deleted / expires_ms yourself). */
int state_overrides_list(state_t *st, state_override_t **out, size_t *count) M_NONNULL_ALL M_WUR;

/* One audit event. Append-only; key (origin, id). */
typedef struct {
	char origin[STATE_NAME_MAX]; /* region that wrote it */
	int64_t id;                      /* per origin, dense from 1; jumps with a new incarnation */
	uint64_t hlc; /* of the write that made this row */
	int64_t at_ms; /* when it happened, ms since epoch (writing region's clock) */
	char actor[STATE_TEXT_MAX]; /* who did it */
	char action[STATE_NAME_MAX];     /* "drain", "force-down", "force-up", "clear", ... */
	char datacenter[STATE_NAME_MAX]; /* may be empty */
	char reason[STATE_TEXT_MAX]; /* the operator's words */
	char detail[STATE_TEXT_MAX]; /* what else: expiry, action cleared, rule forced */
} state_event_t;

int state_event_append(state_t *st, const char *actor, const char *action, const char *datacenter,
		       const char *reason, const char *detail) M_NONNULL_ALL M_WUR;
/* Newest first, at most limit (0: all). */
int state_events_list(state_t *st, size_t limit, state_event_t **out, size_t *count) M_NONNULL_ALL M_WUR;

/* One change-log entry: the full row after the change, as JSON. Key (origin, seq). */
typedef struct {
	char origin[STATE_NAME_MAX]; /* region that wrote it */
	uint64_t seq;                    /* dense per origin from 1; one jump per new incarnation */
	uint64_t hlc;                    /* 48-bit ms << 16 | 16-bit counter */
	char table[32];                  /* "observations", "overrides", "events" */
	char key[STATE_TEXT_MAX];        /* primary key, e.g. "us-east/eu-west" */
	char *row_json;                  /* malloc'd */
} state_change_t;

void state_changes_free(state_change_t *changes, size_t count);
/* Entries of origin with seq > after_seq, in seq order, at most max. */
int state_changes_since(state_t *st, const char *origin, uint64_t after_seq, size_t max,
			state_change_t **out, size_t *count) M_NONNULL_ALL M_WUR;
/* Applies remote entries atomically: each entry is stored in the change log (relayable),
 * its row applied when it wins last-writer-wins by (hlc, origin), the per-origin cursor
 * advanced; entries at or below the cursor are skipped (idempotent). Entries of one origin
 * must be dense from cursor+1 (or start a new incarnation, state_seq_is_incarnation_start);
 * a gap refuses the whole batch (-1, message). Entries of our own origin are skipped. The local HLC
 * observes every applied hlc. Returns the number applied, or -1. */
int state_changes_apply(state_t *st, const state_change_t *changes, size_t count) M_NONNULL_ALL M_WUR;
/* Highest seq held for origin (own writes or applied), 0 when none. */
int state_cursor_get(state_t *st, const char *origin, uint64_t *seq) M_NONNULL_ALL M_WUR;

/* How far this store holds one origin's change log. */
typedef struct {
	char origin[STATE_NAME_MAX]; /* region that wrote it */
	uint64_t seq; /* highest seq held (own writes or applied), >= 1; 0 in a pull: none */
} state_cursor_t;
/* Every origin this store holds entries of (its own included), by origin; *out malloc'd. */
int state_cursors_list(state_t *st, state_cursor_t **out, size_t *count) M_NONNULL_ALL M_WUR;
/* Oldest and newest seq of origin still in the change log (0, 0 when none). A peer asking
 * for entries after a seq below first - 1 needs a snapshot: compaction removed them. */
int state_changelog_range(state_t *st, const char *origin, uint64_t *first, uint64_t *last)
	M_NONNULL_ALL M_WUR;
/* Compaction. Cursors are kept, so seqs stay dense and nothing is applied twice; rows and
 * tombstones are kept. By age: entries stored here more than older_than_ms ago. */
int state_changelog_compact(state_t *st, int64_t older_than_ms, uint64_t *removed) M_NONNULL_ALL M_WUR;
/* By seq: entries of origin with seq <= seq_floor (every peer has them). */
int state_changelog_compact_seq(state_t *st, const char *origin, uint64_t seq_floor, uint64_t *removed)
	M_NONNULL_ALL M_WUR;

/* Snapshot for bootstrapping a region: one consistent JSON document of every replicated
 * row (tombstones included), every cursor and the HLC high-water mark, read in one read
 * transaction. *json is malloc'd (caller frees). Format in docs/schema.md. */
int state_snapshot_export(state_t *st, char **json) M_NONNULL_ALL M_WUR;
/* Imports a snapshot in one transaction: rows merge last-writer-wins (events: insert if
 * absent), each cursor becomes the higher of ours and the snapshot's, the HLC observes the
 * snapshot's. Pull after_seq = state_cursor_get() afterwards. Malformed: -1, nothing done.
 * Checked here, by the engine that applies it: the members of the document, of each
 * cursor and of each row (none unknown, escaped or repeated), origin names, seqs
 * (0..STATE_SEQ_MAX). Our own region's cursor is never taken from a snapshot (what
 * peers hold of our origin is state_identity's business). Where a cursor moves forward,
 * our change log of that origin is cut at the new cursor: entries below a hole are never
 * served onward as if the log were whole. */
int state_snapshot_import(state_t *st, const char *json) M_NONNULL_ALL M_WUR;
/* The same, from a peer: the document must name region as its exporter and no HLC (the
 * document's or any row's) may be stamped after max_ms. -2 (nothing done) when an HLC is
 * too far ahead, -1 when malformed. */
int state_snapshot_import_from(state_t *st, const char *json, const char *region, int64_t max_ms)
	M_NONNULL_ALL M_WUR;
/* A region or datacenter id as the change log accepts it: 1..63 bytes of [A-Za-z0-9_.-]. */
bool state_name_valid(const char *name) M_NONNULL_ALL M_PURE;

/* Store identity (state_identity.c): no two different entries ever share (origin, seq). */
typedef struct {
	char incarnation[24]; /* random hex, new with each store and each new incarnation */
	uint64_t seq;	      /* our own origin's cursor */
	uint64_t confirmed;   /* highest own seq a peer reported holding with our numbering */
} state_identity_t;
int state_identity_get(state_t *st, state_identity_t *id) M_NONNULL_ALL M_WUR;
/* A peer reported holding our origin up to seq (at most our cursor): raise own_confirmed. */
int state_identity_confirm(state_t *st, uint64_t seq) M_NONNULL_ALL M_WUR;
/* A peer holds our origin up to peer_seq, beyond our own cursor, or (collided) holds an
 * entry of ours at a seq we numbered differently: this store is new or restored. Moves our
 * entries above own_confirmed (and their event ids) to a new incarnation starting at
 * *base + 1 (the next multiple of 65536 above both), sets our cursor after them and a new
 * incarnation id, in one transaction. 1 moved (*moved entries), 0 nothing to do (peer_seq
 * not beyond our cursor and no collision), -1 error. */
int state_identity_renumber(state_t *st, uint64_t peer_seq, bool collided, uint64_t *base,
			    uint64_t *moved) M_NONNULL_ALL M_WUR;
/* True for the first seq of an incarnation (65536 * k + 1, k >= 1): the one gap an
 * origin's log may have, since the seqs skipped were never used. */
bool state_seq_is_incarnation_start(uint64_t seq) M_CONST;

/* Anti-entropy digest of one replicated table's rows written by one origin. */
typedef struct {
	char table[32];		     /* replicated table */
	char origin[STATE_NAME_MAX]; /* the rows' origin column */
	int64_t rows;		     /* how many rows */
	uint64_t sum;		     /* XOR of a 64-bit hash of each row's JSON */
} state_digest_t;
/* Every digest with rows, by table then origin; *out malloc'd. */
int state_digests_list(state_t *st, state_digest_t **out, size_t *count) M_NONNULL_ALL M_WUR;
/* Recomputes every digest from the tables; *bad (malloc'd) lists the (table, origin)
 * whose stored digest differs: rows changed behind the library's back. Stored when all
 * agree (or none was ever stored); otherwise the stored ones stay, being what the rows
 * should be. */
int state_digest_verify(state_t *st, state_digest_t **bad, size_t *bad_count) M_NONNULL_ALL M_WUR;
/* Records that the digest of (table, origin) differs from peer's ("(local)": from our own
 * tables, rows changed behind the library's back); digests as "ROWS:SUMHEX". */
int state_divergence_note(state_t *st, const char *peer, const char *table, const char *origin,
			  const char *local_digest, const char *peer_digest) M_NONNULL_ALL M_WUR;
/* Every open divergence with peer is repaired (its digests agree again). */
int state_divergence_resolved(state_t *st, const char *peer) M_NONNULL_ALL M_WUR;
/* A targeted re-sync: imports a peer's snapshot (as state_snapshot_import_from: rows
 * merge last-writer-wins); for the (table, origin) pairs in replace, the peer's row also
 * wins a tie (same key, hlc and origin, other content: a row edited by hand), and in an
 * insert-only table (events) it replaces ours of the same key whatever its hlc when they
 * differ (two entries numbered alike). replaced, when not NULL, is set to how many of
 * our rows went so. */
int state_snapshot_import_replace(state_t *st, const char *json, const char *region,
				  int64_t max_ms, const state_digest_t *replace, size_t count,
				  size_t *replaced) M_NONNULL(1, 2, 3) M_WUR;
/* One consistent read over several calls (BEGIN DEFERRED ... end). */
int state_read_begin(state_t *st) M_NONNULL_ALL M_WUR;
void state_read_end(state_t *st) M_NONNULL_ALL;

/* A replication peer's health as seen from here. */
typedef struct {
	char region[STATE_NAME_MAX]; /* the peer's region */
	char url[STATE_TEXT_MAX]; /* where it was pulled from */
	int64_t last_contact_ms;  /* 0: never */
	int64_t last_error_ms; /* ms since epoch, 0: never */
	char last_error[STATE_TEXT_MAX]; /* the last failure, "" when none */
	int64_t errors;           /* count since creation */
	int64_t lag_ms;           /* newest entry it sent vs. now, -1 unknown */
} state_peer_t;
int state_peer_update(state_t *st, const state_peer_t *peer) M_NONNULL_ALL M_WUR;
int state_peers_list(state_t *st, state_peer_t **out, size_t *count) M_NONNULL_ALL M_WUR;

/* How far this region has followed one origin's change log through one peer, as of the
 * last pull from it. Key (peer, origin). Local like state_peer_t: never replicated. */
typedef struct {
	char peer[STATE_NAME_MAX];   /* the peer's region */
	char origin[STATE_NAME_MAX]; /* whose change log */
	uint64_t peer_seq;	     /* the peer's cursor for origin as it last reported, >= 0 */
	uint64_t local_seq;	     /* our cursor for origin at that moment, >= 0 */
	uint64_t behind;	     /* entries the peer holds that we did not: peer_seq - local_seq, or 0 */
	uint64_t newest_hlc;	     /* newest entry of origin received from this peer, 0: none yet */
	int64_t lag_ms;		     /* now minus newest_hlc's time at the last pull, 0 caught up, -1 unknown */
	int64_t updated_ms;	     /* when this row was last reported, ms since epoch */
} state_peer_origin_t;
/* Replaces every row of peer with rows[0..count) (each rows[i].peer must be peer; origins
 * distinct) in one transaction; count 0 removes the peer's rows. */
int state_peer_origins_update(state_t *st, const char *peer, const state_peer_origin_t *rows,
			      size_t count) M_NONNULL(1, 2) M_WUR;
/* Every row, by peer then origin; *out malloc'd (caller frees), NULL when none. */
int state_peer_origins_list(state_t *st, state_peer_origin_t **out, size_t *count) M_NONNULL_ALL M_WUR;

/* Isolation: a region with peer_count peers is isolated when the newest contact with
 * any of them (or, when none came since, the start of the one judging, started_ms) is
 * more than bound_ms before now_ms (replication.isolated_after). A region without
 * peers is never isolated. */
bool state_region_isolated(size_t peer_count, int64_t newest_contact_ms, int64_t started_ms,
			   int64_t now_ms, uint32_t bound_ms) M_CONST;
/* Entries in the change log, every origin. */
int state_changelog_size(state_t *st, uint64_t *entries) M_NONNULL_ALL M_WUR;

#endif
