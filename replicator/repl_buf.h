/* SPDX-License-Identifier: MIT */
/* repl_buf.h -- a capped output buffer for the replicator's JSON messages */
#ifndef MERIDIAN_REPL_BUF_H
#define MERIDIAN_REPL_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/compiler.h"

/* An output buffer that refuses to grow past limit bytes: once full, appends fail and
 * overflow stays set, so a caller checks once at the end. */
typedef struct {
	char *data;    /* NUL-terminated when len > 0 */
	size_t len;    /* bytes used, NUL excluded */
	size_t alloc;  /* bytes allocated */
	size_t limit;  /* most bytes it may hold */
	bool overflow; /* an append failed (limit or out of memory) */
} repl_buf_t;

void repl_buf_init(repl_buf_t *b, size_t limit) M_NONNULL_ALL;
void repl_buf_free(repl_buf_t *b);
int repl_buf_append(repl_buf_t *b, const void *p, size_t n) M_NONNULL_ALL;
int repl_buf_printf(repl_buf_t *b, const char *fmt, ...) M_NONNULL(1, 2) M_PRINTF(2, 3);
/* Appends s as a JSON string literal with the needed escapes; bytes that are not UTF-8
 * become \ufffd (one per byte, as meridianctl writes them), so the parser at the other end,
 * which refuses invalid UTF-8, always accepts what was written. */
int repl_buf_json_string(repl_buf_t *b, const char *s) M_NONNULL_ALL;
/* Appends JSON text another writer produced (the state library's rows and snapshots),
 * each byte that is not UTF-8 written as \ufffd (json_utf8_repair): a row stored before
 * the write path repaired text, or by hand, must not wedge every peer's pull. */
int repl_buf_json_text(repl_buf_t *b, const char *json, size_t len) M_NONNULL_ALL;

#endif
