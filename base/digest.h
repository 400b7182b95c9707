/* SPDX-License-Identifier: MIT */
/* digest.h -- SHA-256 of text and of files, as lower-case hex, for what a region runs */
#ifndef MERIDIAN_DIGEST_H
#define MERIDIAN_DIGEST_H

#include <stddef.h>

#include "base/compiler.h"

/* 64 hex digits and the NUL. */
#define DIGEST_HEX_LEN 65

/* SHA-256 of the len bytes at data into hex (DIGEST_HEX_LEN bytes). 0, or -1 when
 * OpenSSL fails (hex is then ""). */
int digest_sha256_hex(const void *data, size_t len, char hex[DIGEST_HEX_LEN]) M_NONNULL_ALL M_WUR;
/* SHA-256 of the file at path. 0, or -1 with "PATH: why" in err. */
int digest_sha256_file(const char *path, char hex[DIGEST_HEX_LEN], char *err,
		       size_t errlen) M_NONNULL_ALL M_WUR;

#endif
