/* SPDX-License-Identifier: MIT */
/* conf.h -- the parsed, validated Meridian configuration shared by every program */
#ifndef MERIDIAN_CONF_H
#define MERIDIAN_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/compiler.h"
#include "base/ipaddr.h"

/* A socket address written as "1.2.3.4:53", "[::1]:53" (or without a port where the
 * option allows it; the default port is then filled in). */
typedef struct {
	struct sockaddr_storage addr; /* AF_INET or AF_INET6, port in network order */
	socklen_t len;                /* sizeof(sockaddr_in) or sizeof(sockaddr_in6) */
	char text[64];                /* as written in the config, for messages */
} conf_sockaddr_t;

/* One address a geo answer hands to clients (base/ipaddr.h: the address type of every
 * floor). */
typedef ipaddr_t conf_ipaddr_t;

/* A CIDR prefix: "192.0.2.0/24", "2001:db8::/32"; an address alone is a full prefix. */
typedef struct {
	conf_ipaddr_t addr; /* bits past prefix are zero */
	uint8_t prefix;	    /* significant bits, 0..32 or 0..128 */
} conf_net_t;

/* An inclusive range of HTTP status codes that counts as healthy. */
typedef struct {
	uint16_t low;  /* 100..599 */
	uint16_t high; /* low..599 */
} conf_status_range_t;

typedef enum {
	CONF_CHECK_HTTP = 0,
	CONF_CHECK_HTTPS,
	CONF_CHECK_TCP,
	CONF_CHECK_DNS,
	CONF_CHECK_EXEC,
} conf_check_type_t;

/* One health check of a datacenter endpoint. */
typedef struct {
	conf_check_type_t type;          /* which probe runs it */
	char *url;                       /* http/https: the URL fetched */
	conf_sockaddr_t address;         /* tcp/dns: where to connect (dns: port 53 default) */
	conf_status_range_t expect[8];   /* http/https: healthy status codes; default 200-299 */
	size_t expect_count;             /* entries used in expect, >= 1 for http/https */
	char *body_contains;             /* http/https: text the first 5120 body bytes need, or NULL */
	char *host_header;               /* http/https: Host header, or NULL for the URL's host */
	char *sni;                       /* https: TLS server name, or NULL for the URL's host */
	bool verify_tls;                 /* https: verify certificate and name; default true */
	char *dns_qname;                 /* dns: the name asked, absolute */
	uint16_t dns_qtype;              /* dns: RR type asked; default A */
	int dns_expect_rcode;            /* dns: healthy rcode; default 0 (NOERROR) */
	conf_ipaddr_t *dns_answer;       /* dns (qtype A/AAAA): addresses the answer must all hold, or NULL */
	size_t dns_answer_count;         /* entries in dns_answer, 0..16; 0: only the rcode counts */
	char **exec_argv;                /* exec: NULL-terminated argv; exit status 0 is healthy */
	uint32_t interval_ms;            /* time between probes; default 1000, 100..3600000 */
	uint32_t fast_interval_ms;       /* interval while a transition is pending; default interval/2 */
	uint32_t timeout_ms;             /* whole probe deadline; default 500, < interval */
	uint32_t connect_timeout_ms;     /* connect phase deadline; default = timeout */
	uint32_t jitter_ms;              /* random start delay 0..jitter; default interval/4 */
	uint32_t fall;                   /* failures in a row to go down; default 3, 1..100 */
	uint32_t rise;                   /* successes in a row to come up; default 2, 1..100 */
} conf_check_t;

/* Where a datacenter's live load is read (issue 12): a number from an HTTP(S) page, either
 * a JSON document (json_path) or a Prometheus text exposition (metric). Exactly one of
 * json_path and metric is set. The number is in the unit of the datacenter's capacity. */
typedef struct {
	char *url;              /* http:// or https:// page fetched */
	char *json_path;        /* SQLite JSON path into the body ("$.load.current"), or NULL */
	char *metric;           /* Prometheus metric name, optionally {labels} ("conns{pool=\"a\"}"), or NULL */
	uint32_t interval_ms;   /* time between reads; default 5000, 100..3600000 */
	uint32_t timeout_ms;    /* deadline of one read; default 1000, < interval */
	uint32_t min_change;    /* percent the value must move before it is written again; default 5, 0..100 */
	uint32_t heartbeat_ms;  /* written at least this often even when unchanged; default 60000 */
} conf_load_t;

/* How a datacenter's state follows from its checks. */
typedef enum {
	CONF_CHECK_RULE_ALL = 0, /* up when every check is up */
	CONF_CHECK_RULE_ANY,     /* up when any check is up */
	CONF_CHECK_RULE_PERCENT, /* up when at least rule_percent of the checks are up */
} conf_check_rule_t;

/* A health check of one address of a datacenter (datacenters.NAME.address_checks): the
 * address is answered only while it serves (docs/routing.md). */
typedef struct {
	conf_check_t check;	    /* first member: the check options fill it in place */
	char *address_text;	    /* the key as written in the config */
	conf_ipaddr_t address;	    /* the key, parsed */
	size_t address_index;	    /* index into the datacenter's addresses, < 64 */
} conf_address_check_t;

/* A place clients can be sent to. */
typedef struct {
	char *name;                  /* the datacenter id, [a-z0-9_-]+ */
	bool has_location;           /* false: only map/nets/default order can pick it */
	double latitude;             /* degrees, -90..90 */
	double longitude;            /* degrees, -180..180 */
	conf_ipaddr_t *addresses;    /* what clients are sent to; both families allowed */
	size_t address_count;        /* >= 1 */
	conf_check_t *checks;        /* from `check` (one) or `checks` (a list); may be empty */
	size_t check_count; /* entries in checks */
	conf_check_rule_t check_rule; /* default all */
	uint32_t check_percent;      /* 1..100 for CONF_CHECK_RULE_PERCENT */
	conf_address_check_t *address_checks; /* per-address checks, at most one per address */
	size_t address_check_count;  /* entries in address_checks; >0 needs <= 64 addresses */
	uint32_t min_serving_percent; /* 1..100: fewer serving addresses than this share of
				       * address_count fail the datacenter over; default 50 */
	uint32_t capacity;           /* load it takes at most (operator's unit); 0: not declared */
	conf_load_t *load;           /* `load`: where its live load is read; NULL: none */
	size_t load_count;           /* 0 or 1: entries in load */
} conf_datacenter_t;

/* One datacenter's weight in a split (`weights: {us-east: 90, eu-west: 10}`). */
typedef struct {
	size_t dc;       /* index into conf_t.datacenters */
	uint32_t weight; /* 0..1000000; 0 leaves it out of the split */
} conf_dc_weight_t;

/* One geo override: a key (continent code path or CIDR) and the datacenters it prefers. */
typedef struct {
	char *key;           /* "EU", "EU/IE", "NA/US/CA" for map; "10.0.0.0/8" for nets */
	size_t *datacenters; /* indexes into conf_t.datacenters, in preference order */
	size_t count;        /* >= 1 */
	conf_dc_weight_t *weights; /* the entry's clients split by these, or NULL */
	size_t weight_count; /* entries in weights; 0: the entry prefers in order */
} conf_geo_rule_t;

/* A name answered from the nearest serving datacenter. */
typedef struct {
	char *name;                 /* absolute, lower case, with the trailing dot */
	size_t *datacenters;        /* candidates: indexes into conf_t.datacenters */
	size_t datacenter_count;    /* >= 1 */
	uint32_t ttl;               /* seconds; default 30 */
	uint32_t transition_ttl;    /* seconds: what answers use at least while a candidate
				     * that could change the answer is in transition (then
				     * at most ttl); 0: off; default 5 */
	conf_geo_rule_t *map;       /* continent[/country[/subdivision]] rules */
	size_t map_count; /* entries in map */
	conf_geo_rule_t *nets;      /* CIDR rules, most specific wins */
	size_t net_count; /* entries in nets */
	conf_dc_weight_t *weights;  /* all its clients split by these (docs/routing.md), or NULL */
	size_t weight_count;        /* entries in weights */
	uint32_t split_ipv4_prefix; /* clients of one /N split alike; default 24, 1..32 */
	uint32_t split_ipv6_prefix; /* the same for IPv6; default 48, 1..128 */
	uint32_t max_addresses;     /* answer at most this many addresses, 1..8; 0: all */
} conf_record_t;

/* A zone served from an RFC 1035 master file. */
typedef struct {
	char *origin; /* absolute, lower case, with the trailing dot */
	char *file;   /* path, relative ones resolved against the config file's directory */
	/* dnssec: signing at load; dnssec_keys NULL: the zone is served as it is */
	char **dnssec_keys;	     /* BIND/ldns .private key files, resolved, NULL-terminated */
	bool dnssec_nsec3;	     /* NSEC3 (SHA-1, no salt, 0 iterations, RFC 9276) over NSEC */
	uint32_t dnssec_validity_ms; /* signature lifetime from signing, ms (default 14d) */
	uint32_t dnssec_refresh_ms;  /* re-signed when this much of it is left, ms (default 7d) */
} conf_zone_t;

/* A replication peer: another region's replicator. */
typedef struct {
	char *region; /* the peer's region id */
	char *url;    /* base URL, http:// or https:// */
} conf_peer_t;

/* The whole configuration. Built by conf_load(), immutable afterwards, freed by conf_free(). */
typedef struct {
	char *path;              /* the file it came from, as given */
	char *region;            /* this node's region id */
	char *state_path;        /* state.db, resolved against the config's directory */
	char *geoip_path;        /* GeoIP2 database, or NULL; required when records exist */
	char *log_level;         /* error, warn, info or debug; default info */
	char *user;              /* started as root: become this user once bound, or NULL */
	char *group;             /* with user: this group instead of the user's own, or NULL */

	struct {
		conf_sockaddr_t *listen;  /* default 127.0.0.1:53 and [::1]:53 */
		size_t listen_count; /* entries in listen, >= 1 */
		char *nsid;               /* RFC 5001 NSID payload, or NULL */
		char *identity;           /* CHAOS id.server/hostname.bind; default region */
		char *version;            /* CHAOS version.bind, or NULL (refused) */
		uint32_t udp_payload;     /* our EDNS UDP size; default 1232, 512..4096 */
		uint32_t threads;         /* UDP workers; 0 (default) = one per core */
		uint32_t tcp_idle_timeout_ms; /* default 10000 */
		uint32_t tcp_max_connections; /* default 1024 */
		conf_zone_t *zones; /* zones served, in file order */
		size_t zone_count; /* entries in zones */
		struct {
			uint32_t rate;        /* responses per second per network and class; 0 = off */
			uint32_t slip;        /* every Nth limited response goes out truncated; 0 = none */
			uint32_t ipv4_prefix; /* client networks are /N for IPv4; default 24 */
			uint32_t ipv6_prefix; /* and /N for IPv6; default 56 */
			bool log_only;        /* count what would be limited, send everything */
			conf_net_t *exempt;   /* networks never limited */
			size_t exempt_count;  /* entries in exempt */
		} rrl; /* dns.rrl: response rate limiting (UDP only) */
		struct {
			bool enabled;      /* answer DNS cookies (RFC 7873/9018); default true */
			char *secret_file; /* shared secrets (hex lines: current, previous), or NULL */
		} cookies; /* dns.cookies */
	} dns; /* the `dns` section: meridian-dnsd */

	conf_datacenter_t *datacenters; /* in file order */
	size_t datacenter_count; /* entries in datacenters, >= 1 */
	conf_record_t *records;         /* in file order */
	size_t record_count; /* entries in records */
	/* geo fallback when a client network has no location: datacenter indexes */
	size_t *default_order;
	size_t default_order_count;     /* 0: use each record's candidate order */

	struct {
		uint32_t quorum;          /* configured regions whose fresh votes must say down;
					   * 0 = a majority of them */
		uint32_t stale_after_ms;  /* observations heard longer ago do not vote; default 30000 */
		uint32_t override_default_ms; /* default --for of overrides; default 3600000 */
		uint32_t poll_ms;         /* PRAGMA data_version polling; default 20 */
		char *isolated;           /* too few fresh votes to decide: "hold" (the last
					   * verdict, bounded by hold_ms; default) or "alone" */
		uint32_t hold_ms;         /* longest a verdict is held undecided, then fail open;
					   * default 300000 */
		bool flap_damping;        /* penalise transitions, hold flapping ones down */
		uint32_t flap_penalty;    /* penalty added per transition; default 1000 */
		uint32_t flap_suppress;   /* held down above this penalty; default 1500 */
		uint32_t flap_reuse;      /* released below this penalty; default 750 */
		uint32_t flap_half_life_ms; /* the penalty halves in this time; default 60000 */
		uint32_t flap_max_hold_ms;  /* held down this long at most after the last
					     * transition; default 600000 */
	} health; /* the `health` section: verdicts and overrides */

	struct {
		conf_sockaddr_t listen;   /* where this region's replicator listens */
		bool has_listen; /* listen was configured (the replicator needs it) */
		char *key_file;           /* shared HMAC key, resolved against the config's dir */
		char *tls_cert;           /* optional TLS certificate (PEM) to serve HTTPS */
		char *tls_key;            /* optional TLS key (PEM) */
		char *tls_ca;             /* optional CA file to verify https peers */
		char *source_address;     /* IP address pulls leave from; NULL: the kernel's choice */
		conf_peer_t *peers; /* other regions pulled from, in file order */
		size_t peer_count; /* entries in peers */
		uint32_t max_clock_skew_ms; /* refuse HLCs / request times further off; default 30000 */
		uint32_t batch_max;         /* entries per response; default 500 */
		uint32_t long_poll_ms;      /* how long a pull waits for news; default 2000 */
		uint32_t retention_ms;      /* keep shipped log entries this long; default 7 days */
		uint32_t isolated_after_ms; /* no peer heard from this long: isolated; default 60000 */
		uint32_t warn_every_ms;     /* a repeated warning is summarised this often; default 60000 */
		uint32_t drift_grace_ms;    /* deployment drift tolerated this long; default 10 min */
		uint32_t connections_per_address; /* connections one non-peer address may hold; default 8 */
		uint32_t peer_connections;  /* connection slots kept for peers' addresses; default 16 */
		uint32_t request_timeout_ms; /* a whole request (headers and body) within this; default 10000 */
		uint32_t refusal_log_interval_ms; /* refusals past the first: one summary line per this; default 10000 */
		uint32_t digest_check_ms;   /* digests recomputed from the tables this often; default 30000 */
	} replication; /* the `replication` section: meridian-replicator */

	struct {
		conf_sockaddr_t dnsd;        /* meridian-dnsd's /metrics address */
		bool has_dnsd;               /* dnsd was set (off otherwise) */
		conf_sockaddr_t healthcheck; /* meridian-healthcheck's /metrics address */
		bool has_healthcheck;        /* healthcheck was set (off otherwise) */
		conf_sockaddr_t replicator;  /* meridian-replicator's /metrics address */
		bool has_replicator;         /* replicator was set (off otherwise) */
	} metrics; /* the `metrics` section: Prometheus endpoints, each off unless set */
} conf_t;

/* Reads and validates a config file. On success returns a conf_t and *errors is NULL.
 * On failure returns NULL and *errors holds every problem found, one per line, each
 * "FILE:LINE:COL: key.path: what is wrong" (caller frees). */
conf_t *conf_load(const char *path, char **errors) M_NONNULL_ALL M_WUR;
/* The same from the file's text already in memory (len bytes, not NUL-terminated; what
 * conf_load does once it has read the file): path names it in errors and is where
 * relative paths start. */
conf_t *conf_load_buffer(const char *path, const char *text, size_t len, char **errors)
    M_NONNULL_ALL M_WUR;
/* Frees a conf_t; NULL is fine. */
void conf_free(conf_t *conf);

/* Index of the datacenter called name, or -1. */
int conf_datacenter_find(const conf_t *conf, const char *name) M_NONNULL_ALL M_PURE;
/* Index of the record whose name equals name (case-insensitive, trailing dot optional), or -1. */
int conf_record_find(const conf_t *conf, const char *name) M_NONNULL_ALL M_PURE;

/* Parses a duration "500ms", "1s", "2m", "1h", "7d" into milliseconds. 0 or -1 on error. */
int conf_duration_parse(const char *text, uint64_t *ms) M_NONNULL_ALL M_WUR;
/* Parses "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53"; default_port when absent (0: port required). */
int conf_sockaddr_parse(const char *text, uint16_t default_port, conf_sockaddr_t *out) M_NONNULL_ALL M_WUR;
/* Like conf_sockaddr_parse, for an address to listen on: port 0 is allowed too (the
 * kernel picks a free port when the socket is bound; the program logs the one it got). */
int conf_listen_parse(const char *text, uint16_t default_port, conf_sockaddr_t *out) M_NONNULL_ALL M_WUR;
/* ipaddr_parse (base/ipaddr.h) under conf's name, for conf's callers. 0 or -1. */
int conf_ipaddr_parse(const char *text, conf_ipaddr_t *out) M_NONNULL_ALL M_WUR;

#endif
