/* SPDX-License-Identifier: MIT */
/* digest.c -- SHA-256 of text and of files, as lower-case hex, for what a region runs */
#include "config.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "base/digest.h"

static void hex_write(const unsigned char *md, unsigned len, char hex[DIGEST_HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < len && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[len < 32 ? 2 * len : 64] = '\0';
}

int digest_sha256_hex(const void *data, size_t len, char hex[DIGEST_HEX_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	hex[0] = '\0';
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	hex_write(md, mdlen, hex);
	return 0;
}

int digest_sha256_file(const char *path, char hex[DIGEST_HEX_LEN], char *err, size_t errlen)
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx;
	FILE *fp;
	size_t n;
	int ok;

	hex[0] = '\0';
	fp = fopen(path, "rb");
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	while (ok && (n = fread(buf, 1, sizeof(buf), fp)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, n) == 1;
	if (ok && ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		ok = 0;
	} else if (ok) {
		ok = EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32;
		if (!ok)
			snprintf(err, errlen, "%s: SHA-256 failed", path);
	} else {
		snprintf(err, errlen, "%s: SHA-256 failed", path);
	}
	EVP_MD_CTX_free(ctx);
	fclose(fp);
	if (!ok)
		return -1;
	hex_write(md, mdlen, hex);
	return 0;
}
