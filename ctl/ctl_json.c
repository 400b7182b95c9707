/* SPDX-License-Identifier: MIT */
/* ctl_json.c -- a small streaming JSON writer for meridianctl's --json output */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "base/json_escape.h"
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

/* The writer has never reported write errors per string: the stream keeps its own
 * error state, and meridianctl checks stdout when it flushes it. So never stop. */
static int file_sink(void *ctx, const char *p, size_t n)
{
	if (n > 0)
		fwrite(p, 1, n, ctx);
	return 0;
}

void ctl_json_escape(FILE *out, const char *str)
{
	/* Short escapes for readability; DEL and invalid UTF-8 escaped so the output is
	 * always valid UTF-8 whatever a database column holds. */
	if (json_escape(str, JSON_ESCAPE_SHORT | JSON_ESCAPE_DEL | JSON_ESCAPE_UTF8, file_sink,
			out) != 0)
		return; /* not reached: file_sink never refuses */
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

void ctl_json_raw(ctl_json_t *j, const char *json)
{
	json_value_start(j);
	fputs(json, j->out);
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
