/* SPDX-License-Identifier: MIT */
/* repl_auth.c -- HMAC-SHA256 signing of replication requests and responses, replay cache */
#include "config.h"

#include "replicator/repl_auth.h"

#include <errno.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

static const char hex_digits[] = "0123456789abcdef";

static void hex_encode(const unsigned char *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int repl_key_load(const char *path, repl_key_t *key, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open key file: %s", path, strerror(errno));
		return -1;
	}
	size_t n = fread(key->bytes, 1, sizeof(key->bytes), f);
	int extra = fgetc(f);
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		snprintf(err, errlen, "%s: cannot read key file", path);
		return -1;
	}
	if (extra != EOF) {
		snprintf(err, errlen, "%s: key file longer than %d bytes", path, REPL_KEY_MAX);
		return -1;
	}
	/* A trailing newline from an editor or `echo` is not part of the secret. */
	while (n > 0 && (key->bytes[n - 1] == '\n' || key->bytes[n - 1] == '\r' ||
			 key->bytes[n - 1] == ' ' || key->bytes[n - 1] == '\t'))
		n--;
	if (n < REPL_KEY_MIN) {
		snprintf(err, errlen, "%s: key shorter than %d bytes", path, REPL_KEY_MIN);
		memset(key->bytes, 0, sizeof(key->bytes));
		return -1;
	}
	key->len = n;
	return 0;
}

/* The canonical text signed: one field per line, the body by its SHA-256, so a field
 * can never be shifted into its neighbour (fields hold no newlines: checked). */
static int canonical(const repl_auth_msg_t *msg, char *out, size_t outlen)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char dhex[2 * EVP_MAX_MD_SIZE + 1];
	const char *fields[] = {msg->kind, msg->method, msg->target, msg->region, msg->nonce};

	for (size_t i = 0; i < M_ARRAY_LEN(fields); i++)
		if (fields[i] == NULL || strchr(fields[i], '\n') != NULL)
			return -1;
	if (EVP_Digest(msg->body_len ? msg->body : "", msg->body_len, digest, &dlen, EVP_sha256(),
		       NULL) != 1)
		return -1;
	hex_encode(digest, dlen, dhex);
	int n = snprintf(out, outlen, "meridian-repl-v1\n%s\n%s\n%s\n%s\n%lld\n%s\n%s", msg->kind,
			 msg->method, msg->target, msg->region, (long long)msg->time_ms, msg->nonce,
			 dhex);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

static int mac(const repl_key_t *key, const repl_auth_msg_t *msg, unsigned char out[32])
{
	char text[8192];
	int n = canonical(msg, text, sizeof(text));
	if (n < 0)
		return -1;
	unsigned int len = 0;
	if (HMAC(EVP_sha256(), key->bytes, (int)key->len, (const unsigned char *)text, (size_t)n,
		 out, &len) == NULL ||
	    len != 32)
		return -1;
	return 0;
}

int repl_auth_sign(const repl_key_t *key, const repl_auth_msg_t *msg, char out[REPL_SIG_HEX + 1])
{
	unsigned char m[32];
	if (mac(key, msg, m) != 0)
		return -1;
	hex_encode(m, sizeof(m), out);
	return 0;
}

int repl_auth_verify(const repl_key_t *key, const repl_auth_msg_t *msg, const char *signature)
{
	unsigned char want[32], got[32];
	if (signature == NULL || strlen(signature) != REPL_SIG_HEX)
		return -1;
	for (size_t i = 0; i < 32; i++) {
		int hi = hex_value(signature[2 * i]), lo = hex_value(signature[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	if (mac(key, msg, want) != 0)
		return -1;
	return CRYPTO_memcmp(want, got, sizeof(want)) == 0 ? 0 : -1;
}

int repl_auth_nonce(char out[REPL_NONCE_HEX + 1])
{
	unsigned char raw[REPL_NONCE_HEX / 2];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	hex_encode(raw, sizeof(raw), out);
	return 0;
}

int repl_auth_time_ok(int64_t time_ms, int64_t now_ms, int64_t window_ms)
{
	int64_t d = time_ms - now_ms;
	return (d <= window_ms && d >= -window_ms) ? 0 : -1;
}

int repl_auth_parse_time(const char *text, int64_t *time_ms)
{
	int64_t v = 0;
	size_t i = 0;
	for (; text[i] != '\0'; i++) {
		if (text[i] < '0' || text[i] > '9' || i >= 15)
			return -1;
		v = v * 10 + (text[i] - '0');
	}
	if (i == 0)
		return -1;
	*time_ms = v;
	return 0;
}

/* Open addressing with a bounded probe run: a nonce can only live in the PROBE slots
 * after its hash, so lookups and inserts cost at most PROBE comparisons and a live
 * nonce is never displaced. Dead (expired) slots are reused. */
#define PROBE 64

typedef struct {
	unsigned char nonce[REPL_NONCE_HEX / 2]; /* raw bytes */
	int64_t expires_ms;			 /* 0: never used; dead when <= now */
} nonce_slot_t;

struct repl_nonce_cache {
	pthread_mutex_t lock; /* guards slots */
	nonce_slot_t *slots;  /* mask + 1 entries */
	size_t mask;	      /* capacity - 1, capacity a power of two */
};

repl_nonce_cache_t *repl_nonce_cache_new(size_t capacity)
{
	size_t cap = PROBE;
	while (cap < capacity)
		cap <<= 1;
	repl_nonce_cache_t *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->slots = calloc(cap, sizeof(*c->slots));
	if (c->slots == NULL) {
		free(c);
		return NULL;
	}
	c->mask = cap - 1;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void repl_nonce_cache_free(repl_nonce_cache_t *cache)
{
	if (cache == NULL)
		return;
	pthread_mutex_destroy(&cache->lock);
	free(cache->slots);
	free(cache);
}

repl_nonce_result_t repl_nonce_cache_check(repl_nonce_cache_t *cache, const char *nonce,
					   int64_t now_ms, int64_t expires_ms)
{
	unsigned char raw[REPL_NONCE_HEX / 2];
	if (strlen(nonce) != REPL_NONCE_HEX)
		return REPL_NONCE_MALFORMED;
	for (size_t i = 0; i < sizeof(raw); i++) {
		int hi = hex_value(nonce[2 * i]), lo = hex_value(nonce[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return REPL_NONCE_MALFORMED;
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	/* The nonce is random, so its first bytes are a good enough hash. */
	uint64_t h = 0;
	memcpy(&h, raw, sizeof(h));
	repl_nonce_result_t result = REPL_NONCE_FULL;
	ssize_t free_slot = -1;

	pthread_mutex_lock(&cache->lock);
	for (size_t i = 0; i < PROBE; i++) {
		nonce_slot_t *s = &cache->slots[(h + i) & cache->mask];
		if (s->expires_ms > now_ms) {
			if (memcmp(s->nonce, raw, sizeof(raw)) == 0) {
				result = REPL_NONCE_REPLAY;
				goto out;
			}
		} else if (free_slot < 0) {
			free_slot = (ssize_t)((h + i) & cache->mask);
		}
	}
	if (free_slot >= 0) {
		memcpy(cache->slots[free_slot].nonce, raw, sizeof(raw));
		cache->slots[free_slot].expires_ms = expires_ms;
		result = REPL_NONCE_FRESH;
	}
out:
	pthread_mutex_unlock(&cache->lock);
	return result;
}
