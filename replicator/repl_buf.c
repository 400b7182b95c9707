/* SPDX-License-Identifier: MIT */
/* repl_buf.c -- a capped output buffer for the replicator's JSON messages */
#include "config.h"

#include "base/json_escape.h"
#include "replicator/repl_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void repl_buf_init(repl_buf_t *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

void repl_buf_free(repl_buf_t *b)
{
	if (b == NULL)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static int reserve(repl_buf_t *b, size_t n)
{
	if (b->overflow || n > b->limit - b->len)
		return b->overflow = true, -1;
	if (b->len + n + 1 > b->alloc) {
		size_t a = b->alloc ? b->alloc : 256;
		while (a < b->len + n + 1)
			a *= 2;
		char *d = realloc(b->data, a);
		if (d == NULL)
			return b->overflow = true, -1;
		b->data = d;
		b->alloc = a;
	}
	return 0;
}

int repl_buf_append(repl_buf_t *b, const void *p, size_t n)
{
	if (reserve(b, n) != 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int repl_buf_printf(repl_buf_t *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(small))
		return b->overflow = true, -1; /* only short fragments are formatted */
	return repl_buf_append(b, small, (size_t)n);
}

static int buf_sink(void *ctx, const char *p, size_t n)
{
	return repl_buf_append(ctx, p, n);
}

int repl_buf_json_string(repl_buf_t *b, const char *s)
{
	/* What JSON requires (every control character as \u00XX) and invalid UTF-8 as
	 * \ufffd; other bytes as they are. The buffer's overflow flag is sticky, so stopping
	 * at the first refused run leaves it as appending the rest would have. */
	return json_escape(s, JSON_ESCAPE_UTF8, buf_sink, b);
}

int repl_buf_json_text(repl_buf_t *b, const char *json, size_t len)
{
	return json_utf8_repair(json, len, JSON_UTF8_FFFD_ESCAPE, buf_sink, b);
}
