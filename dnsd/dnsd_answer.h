/* SPDX-License-Identifier: MIT */
/* dnsd_answer.h -- the query path: one wire query in, one wire response out */
#ifndef MERIDIAN_DNSD_ANSWER_H
#define MERIDIAN_DNSD_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "dnsd/dnsd_packet.h"
#include "dnsd/dnsd_zone.h"
#include "geo/geo_pick.h"

/* Concurrency: dnsd_answer() only reads the context (zones, geo view, options), which
 * the snapshot keeps immutable while any reader can see it, and writes the caller's
 * response buffer and the caller's per-thread counters. It allocates nothing, takes no
 * lock and makes no system call, so any number of threads call it at once. */

/* Query types counted apart (queries_total by qtype); the rest count as "other". */
typedef enum {
	DNSD_QTYPE_A = 0,
	DNSD_QTYPE_AAAA,
	DNSD_QTYPE_CNAME,
	DNSD_QTYPE_MX,
	DNSD_QTYPE_NS,
	DNSD_QTYPE_SOA,
	DNSD_QTYPE_TXT,
	DNSD_QTYPE_SRV,
	DNSD_QTYPE_PTR,
	DNSD_QTYPE_CAA,
	DNSD_QTYPE_ANY,
	DNSD_QTYPE_OTHER,
	DNSD_QTYPE_CLASSES, /* how many there are */
} dnsd_qtype_class_t;

/* The class of an RR type, and its name ("A", ..., "other"). */
dnsd_qtype_class_t dnsd_qtype_class(uint16_t qtype) M_CONST;
const char *dnsd_qtype_class_name(dnsd_qtype_class_t c) M_CONST;

/* Geo answers are counted per record and per datacenter index up to these (a config
 * with more counts the rest in the last slot: the label set stays bounded). */
#define DNSD_COUNTERS_RECORDS 64
#define DNSD_COUNTERS_DCS 32

/* Per-thread counters; each worker owns one and the server sums them for `status` and
 * /metrics. Plain integers: only the owning thread writes them; a scrape reads them
 * with relaxed atomic loads (a 64-bit aligned load never tears), so the query path
 * takes no lock and shares no cache line with another writer. */
typedef struct {
	uint64_t queries;   /* every message handed to dnsd_answer() */
	uint64_t dropped;   /* no response sent (QR set, shorter than a header) */
	uint64_t rcode[24]; /* responses by rcode (16 = BADVERS), 0..23 */
	uint64_t nodata;    /* NOERROR responses with an empty answer (not referrals) */
	uint64_t referrals; /* delegations answered as referrals */
	uint64_t truncated; /* responses sent with TC set because they did not fit */
	uint64_t edns;	    /* queries with an OPT record */
	uint64_t ecs;	    /* queries with a valid EDNS Client Subnet option */
	uint64_t nsid;	    /* responses carrying our NSID */
	uint64_t any;	    /* ANY queries answered minimally (RFC 8482) */
	uint64_t chaos;	    /* CHAOS class queries */
	uint64_t geo;	    /* A/AAAA answers computed from the geo view */
	uint64_t fail_open; /* geo answers where no candidate was serving */
	uint64_t capacity_short; /* geo answers spilled where spare capacity fell short */
	uint64_t tcp;	    /* queries that came over TCP */
	uint64_t rrl_dropped; /* UDP responses rate limited and not sent (dnsd_rrl.c) */
	uint64_t rrl_slipped; /* rate limited, sent truncated (the slip) */
	uint64_t rrl_logged;  /* would have been limited, sent (dns.rrl.log_only) */
	uint64_t cookie_good; /* queries with a valid server cookie (never rate limited) */
	uint64_t cookie_new;  /* queries with a client cookie only: a server cookie given */
	uint64_t cookie_bad;  /* invalid server cookies (BADCOOKIE over UDP) */
	uint64_t qtype[DNSD_QTYPE_CLASSES];	      /* parsed queries by dnsd_qtype_class_t */
	uint64_t geo_record[DNSD_COUNTERS_RECORDS]; /* geo answers by record index */
	uint64_t geo_dc[DNSD_COUNTERS_DCS];	      /* geo answers by datacenter index given */
} dnsd_counters_t;

/* A datacenter and a geo record as the answer path reads them are the pick's own
 * inputs (geo/geo_pick.h): dnsd answers with exactly what geo_pick() chooses, and so
 * does `meridianctl explain`. */
typedef geo_pick_dc_t dnsd_geo_dc_t;
typedef geo_pick_record_t dnsd_geo_record_t;

/* Maximum length of a preference list a lookup may return. */
#define DNSD_GEO_ORDER_MAX 64

/* Finds the client's datacenter preference list for record record_index: the client is
 * `family` (AF_INET or AF_INET6) address `addr` (4 or 16 bytes, bits past source_prefix
 * are zero) with source_prefix significant bits (32/128 for a resolver address). Writes
 * up to order_cap datacenter indexes (into dnsd_geo_t.dcs), most preferred first, and
 * the ECS scope prefix length for the answer into *scope. Returns the number written
 * (0: no opinion, the record's candidate order is used). Must not block or allocate. */
typedef unsigned (*dnsd_geo_lookup_fn)(const void *lookup_ctx, size_t record_index, int family,
				       const uint8_t *addr, unsigned source_prefix, uint16_t *order,
				       unsigned order_cap, unsigned *scope);

/* The geo side of a snapshot: records indexed like conf_t.records (and like the
 * record indexes given to dnsd_zones_load), datacenters like conf_t.datacenters. */
typedef struct {
	const dnsd_geo_record_t *records; /* one per geo record, by record index */
	size_t record_count; /* entries in records */
	const dnsd_geo_dc_t *dcs; /* one per datacenter, by datacenter index */
	size_t dc_count; /* entries in dcs */
	dnsd_geo_lookup_fn lookup; /* NULL: every record answers its candidate order */
	const void *lookup_ctx;	   /* passed to lookup */
} dnsd_geo_t;

/* Longest CHAOS TXT rdata we build; a longer text is cut at a 255-byte string. */
#define DNSD_CHAOS_TXT_MAX 512

/* A CHAOS TXT answer's rdata, built once by dnsd_answer_ctx_init(). */
typedef struct {
	uint8_t rdata[DNSD_CHAOS_TXT_MAX]; /* the text as character-strings of <= 255 bytes */
	uint16_t len; /* bytes in rdata, 1..512; 0: no text (the name is REFUSED) */
} dnsd_chaos_txt_t;

/* Everything dnsd_answer() reads; built once per snapshot. */
typedef struct {
	const dnsd_zones_t *zones; /* NULL: every IN query is REFUSED */
	const dnsd_geo_t *geo;	   /* NULL: geo names answer NODATA for A/AAAA */
	const uint8_t *nsid;	   /* RFC 5001 payload, or NULL */
	uint16_t nsid_len;	   /* bytes in nsid, 0..512 */
	const char *identity;	   /* CHAOS id.server./hostname.bind. TXT, or NULL (REFUSED) */
	const char *version;	   /* CHAOS version.bind./version.server. TXT, or NULL (REFUSED) */
	uint16_t udp_payload;	   /* our EDNS UDP size, 512..4096; 0 means 1232 */
	/* identity and version as rdata, from dnsd_answer_ctx_init(); the answer path reads
	 * only these (all zero: every CHAOS name is REFUSED) */
	dnsd_chaos_txt_t identity_txt;
	dnsd_chaos_txt_t version_txt;
	/* DNS cookies on: a query's client cookie is echoed as the OPT's last option, with
	 * DNSD_COOKIE_SERVER_LEN zero bytes after it that the server fills in (dnsd_cookie.c,
	 * which holds the secrets); the room is reserved like any other option's */
	bool cookies;
} dnsd_answer_ctx_t;

/* The server cookie we give (RFC 9018: version, reserved, timestamp, SipHash-2-4). */
#define DNSD_COOKIE_SERVER_LEN 16
/* The COOKIE option we write: code, length, client cookie, server cookie. */
#define DNSD_COOKIE_OPT_LEN (4 + 8 + DNSD_COOKIE_SERVER_LEN)

/* Builds the CHAOS TXT rdata of ctx from ctx->identity and ctx->version, once, when the
 * context is made (and again whenever either changes), so no query builds it. */
void dnsd_answer_ctx_init(dnsd_answer_ctx_t *ctx) M_NONNULL_ALL;

/* Who asked: the resolver's source address. */
typedef struct {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* 4 or 16 bytes, network order */
	bool tcp;	  /* true: over TCP (65535-byte limit, no truncation) */
} dnsd_client_t;

/* Answers one query of qlen bytes into resp (resp_cap bytes; 65535 is enough for any
 * response, 512 is the least accepted). Returns the response length, or 0 when nothing
 * must be sent (QR set, shorter than a header). The response never exceeds resp_cap nor
 * what the client can take (512 without EDNS, its EDNS size capped by ours, 65535 over
 * TCP); a response that does not fit is sent as the question (and OPT) with TC set. */
size_t dnsd_answer(const dnsd_answer_ctx_t *ctx, const uint8_t *query, size_t qlen,
		   const dnsd_client_t *client, uint8_t *resp, size_t resp_cap,
		   dnsd_counters_t *counters) M_NONNULL(1, 2, 4, 5, 7) M_WUR;

/* A geo lookup made ahead of the answer, so that a server holding several queries (one
 * recvmmsg batch) can look them up together (dnsd_geodb_lookup_batch()). The lookup is a
 * pure function of (record, family, addr, source_prefix), so its result is used for any
 * name of the query whose geo record is `record`; any other is looked up as usual. */
typedef struct {
	size_t record;		/* geo record index; SIZE_MAX: no lookup wanted */
	int family;		/* AF_INET or AF_INET6: the client the answer path would use */
	const uint8_t *addr;	/* 4 or 16 bytes; points into the prepared query or client */
	unsigned source_prefix; /* 0..32 or 0..128 */
	bool done;		/* out: order/count/scope hold the lookup's result */
	const uint16_t *order;	/* out: datacenter indexes, most preferred first */
	unsigned count;		/* out: entries in order, 0..DNSD_GEO_ORDER_MAX (0: no opinion) */
	unsigned scope;		/* out: ECS scope of the lookup */
} dnsd_geo_pre_t;

/* A query parsed ahead of its answer: dnsd_answer_prepare() then, after any batch geo
 * lookup, dnsd_answer_prepared(). Lives in the worker's batch (no allocation); the
 * query bytes and the client must stay unchanged in between. */
typedef struct {
	dnsd_query_t q;		 /* the parsed query */
	dnsd_parse_t parsed;	 /* the parser's verdict */
	dnsd_geo_pre_t geo;	 /* the geo lookup the answer will need, if any */
	bool looked_up;		 /* node holds the question name's exact lookup in ctx->zones */
	const dnsd_node_t *node; /* when looked_up: the question name's node, NULL: none */
} dnsd_prepared_t;

/* Parses a query, looks its question name up (class IN, not a transfer, zones loaded)
 * and keeps the node for the answer, so the name is hashed and found once per query;
 * finds whether it is a geo name that needs a lookup (exact name, no cut, A/AAAA/ANY, a
 * record that varies): sets p->geo.record (SIZE_MAX when none) and the client to look
 * up. Reads only; counts nothing. Returns true when p->geo wants a lookup. The answer
 * must use the same ctx (the node points into its zones). */
bool dnsd_answer_prepare(const dnsd_answer_ctx_t *ctx, const uint8_t *query, size_t qlen,
			 const dnsd_client_t *client, dnsd_prepared_t *p) M_NONNULL_ALL;

/* dnsd_answer() for a prepared query: byte for byte the same response and counters, with
 * the question name's node taken from p->node and the geo lookup from p->geo when it was
 * done. p->geo.addr must still be valid. */
size_t dnsd_answer_prepared(const dnsd_answer_ctx_t *ctx, const dnsd_prepared_t *p,
			    const uint8_t *query, const dnsd_client_t *client, uint8_t *resp,
			    size_t resp_cap, dnsd_counters_t *counters) M_NONNULL_ALL M_WUR;

#endif
