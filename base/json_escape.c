/* SPDX-License-Identifier: MIT */
/* json_escape.c -- JSON string literals and UTF-8 validation shared by the JSON writers */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/json_escape.h"

size_t json_utf8_len(const unsigned char *s, size_t n)
{
	static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool json_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	while (n > 0) {
		size_t step = json_utf8_len(s, n);

		if (step == 0)
			return false;
		s += step;
		n -= step;
	}
	return true;
}

int json_utf8_repair(const char *str, size_t n, const char *replacement, json_escape_sink_t sink,
		     void *ctx)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *run = s; /* start of the bytes copied as they are */
	size_t rlen = strlen(replacement);

	while (n > 0) {
		size_t step = *s < 0x80 ? 1 : json_utf8_len(s, n);

		if (step > 0) {
			s += step;
			n -= step;
			continue;
		}
		if (sink(ctx, (const char *)run, (size_t)(s - run)) != 0 ||
		    sink(ctx, replacement, rlen) != 0)
			return -1;
		s++;
		n--;
		run = s;
	}
	return sink(ctx, (const char *)run, (size_t)(s - run));
}

/* The escape for byte c under flags into e (at least 7 bytes), or 0 when c is copied. */
static size_t escape_byte(unsigned char c, unsigned flags, char *e)
{
	char short_form = '\0';

	switch (c) {
	case '"':
	case '\\':
		short_form = (char)c;
		break;
	case '\b':
		short_form = (flags & JSON_ESCAPE_SHORT) ? 'b' : '\0';
		break;
	case '\f':
		short_form = (flags & JSON_ESCAPE_SHORT) ? 'f' : '\0';
		break;
	case '\n':
		short_form = (flags & JSON_ESCAPE_SHORT) ? 'n' : '\0';
		break;
	case '\r':
		short_form = (flags & JSON_ESCAPE_SHORT) ? 'r' : '\0';
		break;
	case '\t':
		short_form = (flags & JSON_ESCAPE_SHORT) ? 't' : '\0';
		break;
	default:
		break;
	}
	if (short_form != '\0') {
		e[0] = '\\';
		e[1] = short_form;
		return 2;
	}
	if (c < 0x20 || (c == 0x7f && (flags & JSON_ESCAPE_DEL)))
		return (size_t)snprintf(e, 7, "\\u%04x", c);
	return 0;
}

int json_escape(const char *str, unsigned flags, json_escape_sink_t sink, void *ctx)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = strlen(str);
	const unsigned char *run = s; /* start of the bytes copied as they are */
	char e[8];

	if (sink(ctx, "\"", 1) != 0)
		return -1;
	while (left > 0) {
		size_t elen = escape_byte(*s, flags, e);
		size_t step = 1;

		if (elen == 0 && *s >= 0x80 && (flags & JSON_ESCAPE_UTF8)) {
			step = json_utf8_len(s, left);
			if (step == 0) {
				memcpy(e, "\\ufffd", 6);
				elen = 6;
				step = 1;
			}
		}
		if (elen == 0) {
			s += step;
			left -= step;
			continue;
		}
		if (sink(ctx, (const char *)run, (size_t)(s - run)) != 0 || sink(ctx, e, elen) != 0)
			return -1;
		s += step;
		left -= step;
		run = s;
	}
	if (sink(ctx, (const char *)run, (size_t)(s - run)) != 0 || sink(ctx, "\"", 1) != 0)
		return -1;
	return 0;
}
