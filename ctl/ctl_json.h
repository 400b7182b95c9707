/* SPDX-License-Identifier: MIT */
/* ctl_json.h -- a small streaming JSON writer for meridianctl's --json output */
#ifndef MERIDIAN_CTL_JSON_H
#define MERIDIAN_CTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/compiler.h"

#define CTL_JSON_DEPTH_MAX 16

/* One JSON document being written to a stream. The writer inserts commas, colons,
 * newlines and two-space indentation itself, so callers only say what comes next.
 * Strings are escaped so that the output is always valid JSON and valid UTF-8: control
 * characters become \uXXXX and bytes that are not UTF-8 become U+FFFD. Misuse (a value
 * where a key is due, nesting deeper than CTL_JSON_DEPTH_MAX) sets `broken`, which the
 * caller checks once at the end with ctl_json_finish(). */
typedef struct {
	FILE *out;			    /* where the document goes */
	unsigned depth;			    /* open objects/arrays, 0..CTL_JSON_DEPTH_MAX */
	bool in_object[CTL_JSON_DEPTH_MAX]; /* per level: object (true) or array */
	unsigned count[CTL_JSON_DEPTH_MAX]; /* per level: members written so far */
	bool key_pending;		    /* a key was written; its value comes next */
	bool broken;			    /* misuse seen; the document is invalid */
} ctl_json_t;

void ctl_json_init(ctl_json_t *j, FILE *out) M_NONNULL_ALL;
/* Ends the document with a newline. 0 when it is complete and well formed, -1 otherwise. */
int ctl_json_finish(ctl_json_t *j) M_NONNULL_ALL M_WUR;

void ctl_json_object_begin(ctl_json_t *j) M_NONNULL_ALL;
void ctl_json_object_end(ctl_json_t *j) M_NONNULL_ALL;
void ctl_json_array_begin(ctl_json_t *j) M_NONNULL_ALL;
void ctl_json_array_end(ctl_json_t *j) M_NONNULL_ALL;
/* The key of the next member of the current object. */
void ctl_json_key(ctl_json_t *j, const char *key) M_NONNULL_ALL;

/* Values: in an array, or after ctl_json_key(). A NULL string is written as null. */
void ctl_json_string(ctl_json_t *j, const char *s) M_NONNULL(1);
void ctl_json_int(ctl_json_t *j, int64_t v) M_NONNULL_ALL;
void ctl_json_uint(ctl_json_t *j, uint64_t v) M_NONNULL_ALL;
/* Finite values with up to 10 significant digits; NaN and infinities become null. */
void ctl_json_double(ctl_json_t *j, double v) M_NONNULL_ALL;
void ctl_json_bool(ctl_json_t *j, bool v) M_NONNULL_ALL;
void ctl_json_null(ctl_json_t *j) M_NONNULL_ALL;
/* A value that is already JSON text (from SQLite's json()), written as it is; the
 * caller vouches for it. */
void ctl_json_raw(ctl_json_t *j, const char *json) M_NONNULL_ALL;

/* Shorthands for one member of the current object. */
void ctl_json_kv_string(ctl_json_t *j, const char *key, const char *s) M_NONNULL(1, 2);
void ctl_json_kv_int(ctl_json_t *j, const char *key, int64_t v) M_NONNULL_ALL;
void ctl_json_kv_uint(ctl_json_t *j, const char *key, uint64_t v) M_NONNULL_ALL;
void ctl_json_kv_double(ctl_json_t *j, const char *key, double v) M_NONNULL_ALL;
void ctl_json_kv_bool(ctl_json_t *j, const char *key, bool v) M_NONNULL_ALL;

/* Writes s as a quoted, escaped JSON string (no structure bookkeeping). */
void ctl_json_escape(FILE *out, const char *s) M_NONNULL_ALL;

#endif
