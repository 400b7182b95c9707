/* SPDX-License-Identifier: MIT */
/* json_doc.h -- a strict JSON reader: a bounded DOM over outside input, before SQLite sees it */
#ifndef MERIDIAN_JSON_DOC_H
#define MERIDIAN_JSON_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"

#define JSON_DOC_DEPTH_MAX 32	      /* deeper nesting is refused */
#define JSON_DOC_NODES_MAX (1u << 22) /* values per document (~96 MiB of nodes) */

typedef enum {
	JSON_DOC_NULL = 0,
	JSON_DOC_FALSE,
	JSON_DOC_TRUE,
	JSON_DOC_NUMBER,
	JSON_DOC_STRING,
	JSON_DOC_ARRAY,
	JSON_DOC_OBJECT,
} json_doc_type_t;

/* One value of a parsed document. Objects list their members as key, value, key,
 * value... children; a node's text is the raw span of the input it came from. */
typedef struct {
	json_doc_type_t type; /* which kind of value */
	uint32_t start;	      /* byte offset of the value in the input */
	uint32_t len;	      /* bytes of the value, quotes and brackets included */
	uint32_t first_child; /* node index, 0 when none (node 0 is the root, never a child) */
	uint32_t next;	      /* next sibling's index, 0 when last */
	uint32_t count;	      /* children: array elements, or 2 x object members */
} json_node_t;

/* A parsed document. It points into the input, which must outlive it. */
typedef struct {
	const char *text;   /* the input */
	size_t text_len;    /* bytes */
	json_node_t *nodes; /* nodes[0] is the root */
	uint32_t count;	    /* nodes used */
	uint32_t alloc;	    /* nodes allocated */
} json_doc_t;

/* Parses text (UTF-8, at most UINT32_MAX/2 bytes) strictly: one value, no trailing
 * garbage, valid UTF-8 and escapes, no NUL, nesting <= JSON_DOC_DEPTH_MAX, at most
 * JSON_DOC_NODES_MAX values, and no object with an escaped member name or one name
 * twice (readers disagree on both: SQLite takes the first and does not decode names).
 * 0, or -1 with err "offset N: what is wrong". Memory is O(len). */
int json_doc_parse(const char *text, size_t len, json_doc_t *doc, char *err, size_t errlen)
    M_NONNULL(1, 3, 4) M_WUR;
void json_doc_free(json_doc_t *doc);

/* The value of member key in object node obj, or NULL (also when obj is not an object). */
const json_node_t *json_doc_get(const json_doc_t *doc, const json_node_t *obj,
				const char *key) M_NONNULL_ALL;
/* The node after n among its siblings, or NULL. */
const json_node_t *json_doc_next(const json_doc_t *doc, const json_node_t *n) M_NONNULL_ALL;
/* The first child, or NULL. */
const json_node_t *json_doc_child(const json_doc_t *doc, const json_node_t *n) M_NONNULL_ALL;
/* Decodes a string node into out (NUL-terminated). -1 when not a string or it does not fit. */
int json_doc_string(const json_doc_t *doc, const json_node_t *n, char *out,
		    size_t outlen) M_NONNULL_ALL M_WUR;
/* A non-negative integer with no fraction or exponent that fits in 64 bits. 0 or -1. */
int json_doc_u64(const json_doc_t *doc, const json_node_t *n, uint64_t *out) M_NONNULL_ALL M_WUR;

#endif
