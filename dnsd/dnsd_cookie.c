/* SPDX-License-Identifier: MIT */
/* dnsd_cookie.c -- DNS cookies: RFC 9018 server cookies, their secrets, BADCOOKIE */
#include "config.h"
#include "dnsd/dnsd_cookie.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* RFC 9018 4: a server cookie is Version (1) | Reserved (3) | Timestamp (4, serial
 * seconds) | Hash (8), with Hash = SipHash-2-4 over Client Cookie | Version | Reserved |
 * Timestamp | Client IP under the 128-bit secret. Any server holding the secret can check
 * a cookie another one made (dns.cookies.secret_file shared between the nameservers). A
 * cookie is good for an hour and accepted up to five minutes from the future (clock
 * skew between the servers). Every response carries a fresh one. */
#define COOKIE_VERSION 1
#define COOKIE_MAX_AGE_S 3600
#define COOKIE_MAX_AHEAD_S 300
#define RCODE_BADCOOKIE 23

struct dnsd_cookie_mac {
	EVP_MAC *mac;	   /* the SIPHASH algorithm */
	EVP_MAC_CTX *ctx;  /* keyed again for every hash (init is cheap, no allocation) */
};

dnsd_cookie_mac_t *dnsd_cookie_mac_new(void)
{
	dnsd_cookie_mac_t *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	m->ctx = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
	if (m->ctx == NULL) {
		dnsd_cookie_mac_free(m);
		return NULL;
	}
	return m;
}

void dnsd_cookie_mac_free(dnsd_cookie_mac_t *m)
{
	if (m == NULL)
		return;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	free(m);
}

/* SipHash-2-4 with a 64-bit output of len bytes under key; false when OpenSSL fails. */
static bool cookie_siphash(dnsd_cookie_mac_t *m, const uint8_t key[DNSD_COOKIE_SECRET_LEN],
			   const uint8_t *in, size_t len, uint8_t out[8])
{
	size_t size = 8;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
			       OSSL_PARAM_construct_end()};
	size_t outl = 0;
	return EVP_MAC_init(m->ctx, key, DNSD_COOKIE_SECRET_LEN, params) == 1 &&
	       EVP_MAC_update(m->ctx, in, len) == 1 && EVP_MAC_final(m->ctx, out, &outl, 8) == 1 &&
	       outl == 8;
}

/* Writes the 16-byte server cookie for client cookie cc, header (version, reserved,
 * timestamp: 8 bytes) and client under key into out. */
static bool cookie_make(dnsd_cookie_mac_t *m, const uint8_t key[DNSD_COOKIE_SECRET_LEN],
			const uint8_t cc[8], const uint8_t head[8], const dnsd_client_t *client,
			uint8_t out[DNSD_COOKIE_SERVER_LEN])
{
	uint8_t in[8 + 8 + 16];
	size_t alen = client->family == AF_INET ? 4 : 16;
	memcpy(in, cc, 8);
	memcpy(in + 8, head, 8);
	memcpy(in + 16, client->addr, alen);
	memcpy(out, head, 8);
	return cookie_siphash(m, key, in, 16 + alen, out + 8);
}

static void cookie_head(uint32_t now_s, uint8_t head[8])
{
	head[0] = COOKIE_VERSION;
	head[1] = head[2] = head[3] = 0;
	head[4] = (uint8_t)(now_s >> 24);
	head[5] = (uint8_t)(now_s >> 16);
	head[6] = (uint8_t)(now_s >> 8);
	head[7] = (uint8_t)now_s;
}

dnsd_cookie_state_t dnsd_cookie_check(dnsd_cookie_mac_t *mac, const dnsd_cookie_keys_t *keys,
				      const uint8_t *query, const dnsd_query_t *q,
				      const dnsd_client_t *client, uint32_t now_s)
{
	if (q->cookie_len == 0)
		return DNSD_COOKIE_NONE;
	if (q->cookie_len == 8)
		return DNSD_COOKIE_CLIENT;
	const uint8_t *sc = query + q->cookie_off + 8;
	if (q->cookie_len != 8 + DNSD_COOKIE_SERVER_LEN || sc[0] != COOKIE_VERSION)
		return DNSD_COOKIE_BAD;
	uint32_t ts = (uint32_t)sc[4] << 24 | (uint32_t)sc[5] << 16 | (uint32_t)sc[6] << 8 | sc[7];
	int32_t age = (int32_t)(now_s - ts); /* serial arithmetic (RFC 1982) */
	if (age > COOKIE_MAX_AGE_S || age < -COOKIE_MAX_AHEAD_S)
		return DNSD_COOKIE_BAD;
	uint8_t want[DNSD_COOKIE_SERVER_LEN];
	if (cookie_make(mac, keys->current, q->cookie_client, sc, client, want) &&
	    CRYPTO_memcmp(want + 8, sc + 8, 8) == 0)
		return DNSD_COOKIE_GOOD;
	if (keys->has_previous &&
	    cookie_make(mac, keys->previous, q->cookie_client, sc, client, want) &&
	    CRYPTO_memcmp(want + 8, sc + 8, 8) == 0)
		return DNSD_COOKIE_GOOD;
	return DNSD_COOKIE_BAD;
}

void dnsd_cookie_fill(dnsd_cookie_mac_t *mac, const dnsd_cookie_keys_t *keys, const dnsd_query_t *q,
		      const dnsd_client_t *client, uint32_t now_s, uint8_t *resp, size_t len)
{
	if (q->cookie_len == 0 || len < 12 + DNSD_COOKIE_OPT_LEN)
		return;
	uint8_t *o = resp + len - DNSD_COOKIE_OPT_LEN;
	if (o[0] != 0 || o[1] != DNSD_OPT_COOKIE || o[2] != 0 || o[3] != 8 + DNSD_COOKIE_SERVER_LEN ||
	    memcmp(o + 4, q->cookie_client, 8) != 0)
		return;
	uint8_t head[8];
	cookie_head(now_s, head);
	if (!cookie_make(mac, keys->current, q->cookie_client, head, client, o + 12))
		memset(o + 12, 0, DNSD_COOKIE_SERVER_LEN); /* an invalid cookie: asked again */
}

size_t dnsd_cookie_badcookie(dnsd_cookie_mac_t *mac, const dnsd_cookie_keys_t *keys,
			     const dnsd_query_t *q, const dnsd_client_t *client, uint32_t now_s,
			     uint16_t udp_payload, uint8_t *resp, size_t len, size_t cap)
{
	size_t at = q->question_end;
	if (!q->has_question || at > len || at + 11 + DNSD_COOKIE_OPT_LEN > cap)
		return len;
	uint8_t *p = resp + at;
	p[0] = 0;
	p[1] = 0;
	p[2] = 41; /* OPT */
	p[3] = (uint8_t)(udp_payload >> 8);
	p[4] = (uint8_t)udp_payload;
	p[5] = RCODE_BADCOOKIE >> 4; /* extended rcode, upper 8 bits */
	p[6] = 0;
	p[7] = q->do_bit ? 0x80 : 0;
	p[8] = 0;
	p[9] = 0;
	p[10] = DNSD_COOKIE_OPT_LEN;
	p[11] = 0;
	p[12] = DNSD_OPT_COOKIE;
	p[13] = 0;
	p[14] = 8 + DNSD_COOKIE_SERVER_LEN;
	memcpy(p + 15, q->cookie_client, 8);
	uint8_t head[8];
	cookie_head(now_s, head);
	if (!cookie_make(mac, keys->current, q->cookie_client, head, client, p + 23))
		memset(p + 23, 0, DNSD_COOKIE_SERVER_LEN);
	resp[2] &= (uint8_t)~0x06; /* no AA, no TC */
	resp[3] = (uint8_t)((resp[3] & 0xF0) | (RCODE_BADCOOKIE & 0x0F));
	resp[4] = 0;
	resp[5] = 1;
	memset(resp + 6, 0, 4);
	resp[10] = 0;
	resp[11] = 1;
	return at + 11 + DNSD_COOKIE_OPT_LEN;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads up to two secrets from path into out. */
static int keys_read(const char *path, dnsd_cookie_keys_t *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[256];
	unsigned lineno = 0, found = 0;
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t n = strcspn(s, " \t\r\n#");
		if (n == 0)
			continue; /* blank or comment */
		uint8_t secret[DNSD_COOKIE_SECRET_LEN];
		bool ok = n == 2 * DNSD_COOKIE_SECRET_LEN;
		for (size_t i = 0; ok && i < DNSD_COOKIE_SECRET_LEN; i++) {
			int hi = hex_value((unsigned char)s[2 * i]);
			int lo = hex_value((unsigned char)s[2 * i + 1]);
			ok = hi >= 0 && lo >= 0;
			secret[i] = (uint8_t)(hi << 4 | lo);
		}
		if (!ok) {
			snprintf(err, errlen, "%s:%u: expected 32 hex digits (a 128-bit secret)", path,
				 lineno);
			rc = -1;
		} else if (found == 0) {
			memcpy(out->current, secret, sizeof(secret));
			found = 1;
		} else if (found == 1) {
			memcpy(out->previous, secret, sizeof(secret));
			out->has_previous = true;
			found = 2;
		} else {
			snprintf(err, errlen, "%s:%u: more than two secrets (current, previous)",
				 path, lineno);
			rc = -1;
		}
	}
	fclose(f);
	if (rc == 0 && found == 0) {
		snprintf(err, errlen, "%s: no secret (32 hex digits on a line)", path);
		rc = -1;
	}
	return rc;
}

int dnsd_cookie_keys_load(const conf_t *conf, const dnsd_cookie_keys_t *old,
			  dnsd_cookie_keys_t *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (conf->dns.cookies.secret_file != NULL)
		return keys_read(conf->dns.cookies.secret_file, out, err, errlen);
	if (RAND_bytes(out->current, DNSD_COOKIE_SECRET_LEN) != 1) {
		snprintf(err, errlen, "cookies: no random bytes for a secret");
		return -1;
	}
	if (old != NULL) {
		memcpy(out->previous, old->current, DNSD_COOKIE_SECRET_LEN);
		out->has_previous = true;
	}
	return 0;
}
