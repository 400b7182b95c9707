/* SPDX-License-Identifier: MIT */
/* repl_auth.h -- HMAC-SHA256 signing of replication requests and responses, replay cache */
#ifndef MERIDIAN_REPL_AUTH_H
#define MERIDIAN_REPL_AUTH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

/* Header names carried by every request and every response. */
#define REPL_HDR_REGION "X-Meridian-Region"
#define REPL_HDR_TIME "X-Meridian-Time"
#define REPL_HDR_NONCE "X-Meridian-Nonce"
#define REPL_HDR_SIGNATURE "X-Meridian-Signature"

#define REPL_KEY_MIN 16	  /* bytes; shorter keys are refused at load */
#define REPL_KEY_MAX 1024 /* bytes */
#define REPL_NONCE_HEX 32 /* a nonce is 16 random bytes in lower-case hex */
#define REPL_SIG_HEX 64	  /* an HMAC-SHA256 in lower-case hex */

/* The shared replication key, as read from replication.key_file. */
typedef struct {
	unsigned char bytes[REPL_KEY_MAX]; /* the secret, trailing whitespace removed */
	size_t len;			   /* REPL_KEY_MIN..REPL_KEY_MAX */
} repl_key_t;

/* What a signature covers. Requests sign (method, target), responses sign (status,
 * the request's nonce), so a response cannot be replayed onto another request. */
typedef struct {
	const char *kind;   /* "request" or "response" */
	const char *method; /* request: "GET"/"POST"; response: status code as text */
	const char *target; /* request: path and query; response: the request's nonce */
	const char *region; /* the signer's region id */
	int64_t time_ms;    /* signer's wall clock, ms since epoch */
	const char *nonce;  /* REPL_NONCE_HEX hex chars, fresh per message */
	const void *body;   /* may be NULL when body_len is 0 */
	size_t body_len;    /* bytes */
} repl_auth_msg_t;

/* Reads the key file. 0, or -1 with err naming the file and the problem. */
int repl_key_load(const char *path, repl_key_t *key, char *err, size_t errlen) M_NONNULL_ALL M_WUR;

/* Computes the signature of msg into out (REPL_SIG_HEX chars + NUL). 0 or -1. */
int repl_auth_sign(const repl_key_t *key, const repl_auth_msg_t *msg,
		   char out[REPL_SIG_HEX + 1]) M_NONNULL_ALL M_WUR;
/* Checks a received signature in constant time. 0 when it matches, -1 otherwise. */
int repl_auth_verify(const repl_key_t *key, const repl_auth_msg_t *msg, const char *signature)
    M_NONNULL(1, 2) M_WUR;
/* Fills out with a fresh random nonce (REPL_NONCE_HEX chars + NUL). 0 or -1. */
int repl_auth_nonce(char out[REPL_NONCE_HEX + 1]) M_NONNULL_ALL M_WUR;

/* Remembers nonces seen within the time window so a replay is refused. Memory is fixed
 * at creation: when the table is full of live nonces new ones are refused (fail closed)
 * rather than forgetting one that could then be replayed.
 * Concurrency: every call takes the cache's mutex; any thread may call. */
typedef struct repl_nonce_cache repl_nonce_cache_t;

typedef enum {
	REPL_NONCE_FRESH = 0, /* not seen: remembered now, accept */
	REPL_NONCE_REPLAY,    /* seen within the window: refuse */
	REPL_NONCE_MALFORMED, /* not REPL_NONCE_HEX lower-case hex chars */
	REPL_NONCE_FULL,      /* no room: refuse */
} repl_nonce_result_t;

/* capacity: slots (rounded up to a power of two, >= 64). */
repl_nonce_cache_t *repl_nonce_cache_new(size_t capacity) M_WUR;
void repl_nonce_cache_free(repl_nonce_cache_t *cache);
/* Records nonce as used until expires_ms; now_ms decides which old entries are dead. */
repl_nonce_result_t repl_nonce_cache_check(repl_nonce_cache_t *cache, const char *nonce,
					   int64_t now_ms, int64_t expires_ms) M_NONNULL_ALL M_WUR;

/* Checks a message time against the local clock: 0 when |now - time| <= window_ms. */
int repl_auth_time_ok(int64_t time_ms, int64_t now_ms, int64_t window_ms) M_CONST M_WUR;
/* Parses a decimal ms timestamp header; -1 when malformed. */
int repl_auth_parse_time(const char *text, int64_t *time_ms) M_NONNULL_ALL M_WUR;

#endif
