/* SPDX-License-Identifier: MIT */
/* ctl_json.c -- a small streaming JSON writer for meridianctl's --json output */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "ctl/ctl_json.h"

void ctl_json_init(ctl_json_t *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

int ctl_json_finish(ctl_json_t *j)
{
	fputc('\n', j->out);
	if (j->depth != 0 || j->key_pending)
		j->broken = true;
	return j->broken ? -1 : 0;
}

static void json_indent(ctl_json_t *j)
{
	fputc('\n', j->out);
	for (unsigned i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Everything that starts a value goes through here: it places the separator the
 * position needs and refuses a value where a key is due. */
static void json_value_start(ctl_json_t *j)
{
	if (j->key_pending) {
		j->key_pending = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->in_object[j->depth - 1]) {
		j->broken = true;
		return;
	}
	if (j->count[j->depth - 1]++ > 0)
		fputc(',', j->out);
	json_indent(j);
}

static void json_open(ctl_json_t *j, bool object)
{
	json_value_start(j);
	fputc(object ? '{' : '[', j->out);
	if (j->depth >= CTL_JSON_DEPTH_MAX) {
		j->broken = true;
		return;
	}
	j->in_object[j->depth] = object;
	j->count[j->depth] = 0;
	j->depth++;
}

static void json_close(ctl_json_t *j, bool object)
{
	if (j->depth == 0 || j->in_object[j->depth - 1] != object || j->key_pending) {
		j->broken = true;
		return;
	}
	j->depth--;
	if (j->count[j->depth] > 0)
		json_indent(j);
	fputc(object ? '}' : ']', j->out);
}

void ctl_json_object_begin(ctl_json_t *j)
{
	json_open(j, true);
}
void ctl_json_object_end(ctl_json_t *j)
{
	json_close(j, true);
}
void ctl_json_array_begin(ctl_json_t *j)
{
	json_open(j, false);
}
void ctl_json_array_end(ctl_json_t *j)
{
	json_close(j, false);
}

void ctl_json_key(ctl_json_t *j, const char *key)
{
	if (j->depth == 0 || !j->in_object[j->depth - 1] || j->key_pending) {
		j->broken = true;
		return;
	}
	if (j->count[j->depth - 1]++ > 0)
		fputc(',', j->out);
	json_indent(j);
	ctl_json_escape(j->out, key);
	fputs(": ", j->out);
	j->key_pending = true;
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when it is not one:
 * overlong forms, surrogates and code points above U+10FFFF are refused. */
static size_t utf8_sequence_len(const unsigned char *s)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void ctl_json_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s != '\0') {
		size_t len;

		switch (*s) {
		case '"':
			fputs("\\\"", out);
			s++;
			continue;
		case '\\':
			fputs("\\\\", out);
			s++;
			continue;
		case '\n':
			fputs("\\n", out);
			s++;
			continue;
		case '\r':
			fputs("\\r", out);
			s++;
			continue;
		case '\t':
			fputs("\\t", out);
			s++;
			continue;
		case '\b':
			fputs("\\b", out);
			s++;
			continue;
		case '\f':
			fputs("\\f", out);
			s++;
			continue;
		default:
			break;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s);
			s++;
			continue;
		}
		len = utf8_sequence_len(s);
		if (len == 0) {
			fputs("\\ufffd", out);
			s++;
			continue;
		}
		fwrite(s, 1, len, out);
		s += len;
	}
	fputc('"', out);
}

void ctl_json_string(ctl_json_t *j, const char *s)
{
	json_value_start(j);
	if (s == NULL)
		fputs("null", j->out);
	else
		ctl_json_escape(j->out, s);
}

void ctl_json_int(ctl_json_t *j, int64_t v)
{
	json_value_start(j);
	fprintf(j->out, "%" PRId64, v);
}

void ctl_json_uint(ctl_json_t *j, uint64_t v)
{
	json_value_start(j);
	fprintf(j->out, "%" PRIu64, v);
}

void ctl_json_double(ctl_json_t *j, double v)
{
	json_value_start(j);
	if (!isfinite(v)) {
		fputs("null", j->out);
		return;
	}
	/* %.10g can print "1e+20", which is valid JSON; it never prints "inf" here. */
	fprintf(j->out, "%.10g", v);
}

void ctl_json_bool(ctl_json_t *j, bool v)
{
	json_value_start(j);
	fputs(v ? "true" : "false", j->out);
}

void ctl_json_null(ctl_json_t *j)
{
	json_value_start(j);
	fputs("null", j->out);
}

void ctl_json_kv_string(ctl_json_t *j, const char *key, const char *s)
{
	ctl_json_key(j, key);
	ctl_json_string(j, s);
}

void ctl_json_kv_int(ctl_json_t *j, const char *key, int64_t v)
{
	ctl_json_key(j, key);
	ctl_json_int(j, v);
}

void ctl_json_kv_uint(ctl_json_t *j, const char *key, uint64_t v)
{
	ctl_json_key(j, key);
	ctl_json_uint(j, v);
}

void ctl_json_kv_double(ctl_json_t *j, const char *key, double v)
{
	ctl_json_key(j, key);
	ctl_json_double(j, v);
}

void ctl_json_kv_bool(ctl_json_t *j, const char *key, bool v)
{
	ctl_json_key(j, key);
	ctl_json_bool(j, v);
}
