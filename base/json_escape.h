/* SPDX-License-Identifier: MIT */
/* json_escape.h -- JSON string literals and UTF-8 validation shared by the JSON writers */
#ifndef MERIDIAN_JSON_ESCAPE_H
#define MERIDIAN_JSON_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/compiler.h"

/* How json_escape() treats what JSON allows either raw or escaped. '"', '\\' and the
 * control characters below 0x20 are always escaped (\u00XX unless JSON_ESCAPE_SHORT);
 * everything else is copied unless a flag says otherwise. Callers keep their own
 * long-standing output byte for byte, so each chooses its set once. */
enum {
	JSON_ESCAPE_SHORT = 1u << 0, /* \b \f \n \r \t as two-character escapes */
	JSON_ESCAPE_DEL = 1u << 1,   /* 0x7f as \u007f (it is legal raw) */
	/* Bytes that do not start a well-formed UTF-8 sequence become \ufffd, one per byte,
	 * so the output is valid UTF-8 whatever the input. Without it they are copied. */
	JSON_ESCAPE_UTF8 = 1u << 2,
};

/* Where json_escape() puts its output: n bytes at p (n may be 0). 0, or -1 to stop. */
typedef int (*json_escape_sink_t)(void *ctx, const char *p, size_t n);

/* Writes the NUL-terminated s as a quoted JSON string literal to sink, in runs.
 * flags: JSON_ESCAPE_* ORed together. 0, or -1 as soon as the sink refuses a run. */
int json_escape(const char *s, unsigned flags, json_escape_sink_t sink, void *ctx)
    M_NONNULL(1, 3) M_WUR;

/* Length (1..4) of the well-formed UTF-8 sequence at s, n > 0 bytes available, or 0 when
 * there is none: stray continuation bytes, truncation, overlong forms, surrogates and
 * code points past U+10FFFF are refused. A NUL ends a sequence like any non-continuation. */
size_t json_utf8_len(const unsigned char *s, size_t n) M_NONNULL_ALL M_PURE;

/* True when the n bytes at s are well-formed UTF-8 throughout (json_utf8_len's rule). */
bool json_utf8_valid(const char *s, size_t n) M_NONNULL_ALL M_PURE;

/* Replacements for json_utf8_repair(): U+FFFD as a JSON escape, and as UTF-8 bytes. */
#define JSON_UTF8_FFFD_ESCAPE "\\ufffd"
#define JSON_UTF8_FFFD "\xef\xbf\xbd"

/* Copies the n bytes at s to sink, each byte that does not start a well-formed UTF-8
 * sequence replaced by replacement: the rule of JSON_ESCAPE_UTF8 (one U+FFFD per bad
 * byte), so every writer turns the same bad bytes into the same text. With
 * JSON_UTF8_FFFD it repairs plain text. With JSON_UTF8_FFFD_ESCAPE it repairs JSON text
 * whose structure is ASCII (SQLite's json_object output, and every writer here): bad
 * bytes can then only sit inside string literals, never in an escape, so the result is
 * the same document, valid UTF-8. 0, or -1 as soon as the sink refuses a run. */
int json_utf8_repair(const char *s, size_t n, const char *replacement, json_escape_sink_t sink,
		     void *ctx) M_NONNULL(1, 3, 4) M_WUR;

#endif
