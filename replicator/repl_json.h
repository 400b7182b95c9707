/* SPDX-License-Identifier: MIT */
/* repl_json.h -- a small strict JSON reader (bounded DOM over the input) and a capped writer */
#ifndef MERIDIAN_REPL_JSON_H
#define MERIDIAN_REPL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

#define REPL_JSON_DEPTH_MAX 32	       /* deeper nesting is refused */
#define REPL_JSON_NODES_MAX (1u << 22) /* values per document (~96 MiB of nodes) */

typedef enum {
	REPL_JSON_NULL = 0,
	REPL_JSON_FALSE,
	REPL_JSON_TRUE,
	REPL_JSON_NUMBER,
	REPL_JSON_STRING,
	REPL_JSON_ARRAY,
	REPL_JSON_OBJECT,
} repl_json_type_t;

/* One value of a parsed document. Objects list their members as key, value, key,
 * value... children; a node's text is the raw span of the input it came from. */
typedef struct {
	repl_json_type_t type; /* which kind of value */
	uint32_t start;	       /* byte offset of the value in the input */
	uint32_t len;	       /* bytes of the value, quotes and brackets included */
	uint32_t first_child;  /* node index, 0 when none (node 0 is the root, never a child) */
	uint32_t next;	       /* next sibling's index, 0 when last */
	uint32_t count;	       /* children: array elements, or 2 x object members */
} repl_json_node_t;

/* A parsed document. It points into the input, which must outlive it. */
typedef struct {
	const char *text;	 /* the input */
	size_t text_len;	 /* bytes */
	repl_json_node_t *nodes; /* nodes[0] is the root */
	uint32_t count;		 /* nodes used */
	uint32_t alloc;		 /* nodes allocated */
} repl_json_t;

/* Parses text (UTF-8, at most UINT32_MAX/2 bytes) strictly: one value, no trailing
 * garbage, valid UTF-8 and escapes, no NUL, nesting <= REPL_JSON_DEPTH_MAX, at most
 * REPL_JSON_NODES_MAX values, and no object with an escaped member name or one name
 * twice (readers disagree on both: SQLite takes the first and does not decode names).
 * 0, or -1 with err "offset N: what is wrong". Memory is O(len). */
int repl_json_parse(const char *text, size_t len, repl_json_t *doc, char *err, size_t errlen)
    M_NONNULL(1, 3, 4) M_WUR;
void repl_json_free(repl_json_t *doc);

/* The value of member key in object node obj, or NULL (also when obj is not an object). */
const repl_json_node_t *repl_json_get(const repl_json_t *doc, const repl_json_node_t *obj,
				      const char *key) M_NONNULL_ALL;
/* The node after n among its siblings, or NULL. */
const repl_json_node_t *repl_json_next(const repl_json_t *doc,
				       const repl_json_node_t *n) M_NONNULL_ALL;
/* The first child, or NULL. */
const repl_json_node_t *repl_json_child(const repl_json_t *doc,
					const repl_json_node_t *n) M_NONNULL_ALL;
/* Decodes a string node into out (NUL-terminated). -1 when not a string or it does not fit. */
int repl_json_string(const repl_json_t *doc, const repl_json_node_t *n, char *out,
		     size_t outlen) M_NONNULL_ALL M_WUR;
/* A non-negative integer with no fraction or exponent that fits in 64 bits. 0 or -1. */
int repl_json_u64(const repl_json_t *doc, const repl_json_node_t *n,
		  uint64_t *out) M_NONNULL_ALL M_WUR;

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
