/* SPDX-License-Identifier: MIT */
/* dnsd_cookie.h -- DNS cookies: RFC 9018 server cookies, their secrets, BADCOOKIE */
#ifndef MERIDIAN_DNSD_COOKIE_H
#define MERIDIAN_DNSD_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_answer.h"

/* Concurrency: the secrets live in the published snapshot (immutable, RCU); each query
 * thread owns one dnsd_cookie_mac_t (an OpenSSL SipHash context) and uses it alone. The
 * answer path (dnsd_answer.c) leaves room for the server cookie at the response's end;
 * the server thread fills it in here, with no allocation and no lock. */

#define DNSD_COOKIE_SECRET_LEN 16

/* The secrets server cookies are made and checked with. */
typedef struct {
	uint8_t current[DNSD_COOKIE_SECRET_LEN];  /* new cookies are made with this one */
	uint8_t previous[DNSD_COOKIE_SECRET_LEN]; /* still accepted (rotation), if any */
	bool has_previous;			  /* previous holds a secret */
} dnsd_cookie_keys_t;

/* What a query's cookie is. */
typedef enum {
	DNSD_COOKIE_NONE = 0, /* no COOKIE option */
	DNSD_COOKIE_CLIENT,   /* a client cookie alone: answered with a fresh server cookie */
	DNSD_COOKIE_GOOD,     /* a server cookie we made, for this client, not expired */
	DNSD_COOKIE_BAD,      /* a server cookie we cannot vouch for */
} dnsd_cookie_state_t;

typedef struct dnsd_cookie_mac dnsd_cookie_mac_t;

/* A SipHash-2-4 context (OpenSSL EVP_MAC "SIPHASH"); NULL when OpenSSL has none. */
dnsd_cookie_mac_t *dnsd_cookie_mac_new(void) M_WUR;
void dnsd_cookie_mac_free(dnsd_cookie_mac_t *mac);

/* The secrets for conf: from dns.cookies.secret_file when set (32 hex digits per line,
 * current first, then optionally the previous one; '#' comments), else a random secret
 * with old's current as the previous one (old may be NULL: the first load). 0, or -1
 * with err naming the file and line. */
int dnsd_cookie_keys_load(const conf_t *conf, const dnsd_cookie_keys_t *old,
			  dnsd_cookie_keys_t *out, char *err, size_t errlen) M_NONNULL(1, 3, 4) M_WUR;

/* Judges the cookie of query (parsed into q) from client at now_s (wall clock seconds). */
dnsd_cookie_state_t dnsd_cookie_check(dnsd_cookie_mac_t *mac, const dnsd_cookie_keys_t *keys,
				      const uint8_t *query, const dnsd_query_t *q,
				      const dnsd_client_t *client, uint32_t now_s) M_NONNULL_ALL;

/* Fills the server cookie's room at the end of a response of len bytes rendered with
 * ctx.cookies for q (no room found: nothing done). */
void dnsd_cookie_fill(dnsd_cookie_mac_t *mac, const dnsd_cookie_keys_t *keys, const dnsd_query_t *q,
		      const dnsd_client_t *client, uint32_t now_s, uint8_t *resp, size_t len)
    M_NONNULL_ALL;

/* Rewrites a response of len bytes (header and question kept) into BADCOOKIE (RFC 7873
 * 5.2.3): no records, an OPT with the extended rcode and a fresh server cookie. Returns
 * the new length, or len when there is no room (cap bytes) or no question. */
size_t dnsd_cookie_badcookie(dnsd_cookie_mac_t *mac, const dnsd_cookie_keys_t *keys,
			     const dnsd_query_t *q, const dnsd_client_t *client, uint32_t now_s,
			     uint16_t udp_payload, uint8_t *resp, size_t len, size_t cap) M_NONNULL_ALL;

#endif
