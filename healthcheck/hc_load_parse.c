/* SPDX-License-Identifier: MIT */
/* hc_load_parse.c -- the live load number out of a JSON document or a Prometheus page */
#include "config.h"
#include "healthcheck/hc_load_parse.h"

#include "base/json_doc.h"

#include <math.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON through SQLite's own parser and path syntax (the one docs/schema.md readers know),
 * on a private in-memory connection: a read every few seconds, never on a query path.
 * The strict reader sees the body first: SQLite 3.40 takes an object whose member name
 * is not a string ({{...}:1}) as valid and its path lookups then read through a wild
 * pointer, and the body comes from whatever answers at the load URL. */
int hc_load_parse_json(const char *body, size_t len, const char *path, double *value, char *why,
		       size_t whylen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	json_doc_t doc;
	char err[160];
	int rc = -1;

	if (json_doc_parse(body, len, &doc, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "body is not JSON: %s", err);
		return -1;
	}
	json_doc_free(&doc);
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) !=
		SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT json_type(?1, ?2), json_extract(?1, ?2)", -1, &stmt,
			       NULL) != SQLITE_OK) {
		snprintf(why, whylen, "JSON: %s", db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		snprintf(why, whylen, "JSON path %s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	const char *type = (const char *)sqlite3_column_text(stmt, 0);
	if (type == NULL) {
		snprintf(why, whylen, "nothing at %s", path);
		goto out;
	}
	if (strcmp(type, "integer") != 0 && strcmp(type, "real") != 0) {
		snprintf(why, whylen, "no number at %s: it is %s", path, type);
		goto out;
	}
	*value = sqlite3_column_double(stmt, 1);
	if (!(*value >= 0)) {
		snprintf(why, whylen, "negative load %g at %s", *value, path);
		goto out;
	}
	if (!isfinite(*value)) { /* 1e999 reads as infinity */
		snprintf(why, whylen, "load %g at %s is not finite", *value, path);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return rc;
}

/* One line of the exposition: "name{labels} value [timestamp]". Sets the name's and the
 * label set's spans and the value; false for comments, blank and malformed lines. */
static bool metric_line(const char *p, const char *end, size_t *name_len, const char **labels,
			size_t *labels_len, double *value)
{
	const char *q = p;
	char num[64];
	size_t n;

	while (q < end && *q != '{' && *q != ' ' && *q != '\t')
		q++;
	*name_len = (size_t)(q - p);
	*labels = q;
	if (q < end && *q == '{') {
		bool quoted = false;

		/* Label values may hold '}' inside quotes (with \" escapes). */
		for (; q < end; q++) {
			if (quoted && *q == '\\' && q + 1 < end)
				q++;
			else if (*q == '"')
				quoted = !quoted;
			else if (!quoted && *q == '}')
				break;
		}
		if (q == end)
			return false;
		q++;
	}
	*labels_len = (size_t)(q - *labels);
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	n = 0;
	while (q + n < end && q[n] != ' ' && q[n] != '\t' && n < sizeof(num) - 1)
		n++;
	if (*name_len == 0 || n == 0 || n >= sizeof(num) - 1)
		return false;
	memcpy(num, q, n);
	num[n] = '\0';
	char *stop;
	*value = strtod(num, &stop);
	return *stop == '\0';
}

int hc_load_parse_metric(const char *body, size_t len, const char *metric, double *value,
			 char *why, size_t whylen)
{
	const char *brace = strchr(metric, '{');
	size_t want_name = brace ? (size_t)(brace - metric) : strlen(metric);
	const char *end = body + len, *p = body;
	double sum = 0;
	unsigned found = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;
		size_t name_len, labels_len;
		const char *labels;
		double v;

		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if (p < line_end && *p != '#' &&
		    metric_line(p, line_end, &name_len, &labels, &labels_len, &v) &&
		    name_len == want_name && memcmp(p, metric, want_name) == 0 &&
		    (brace == NULL ||
		     (labels_len == strlen(brace) && memcmp(labels, brace, labels_len) == 0))) {
			if (!isfinite(v) || v < 0) {
				snprintf(why, whylen, "%s is %g, not a load", metric, v);
				return -1;
			}
			sum += v;
			found++;
		}
		p = eol ? eol + 1 : end;
	}
	if (found == 0) {
		snprintf(why, whylen, "no series of %s", metric);
		return -1;
	}
	if (!isfinite(sum)) {
		snprintf(why, whylen, "the sum of %s is not finite", metric);
		return -1;
	}
	*value = sum;
	return 0;
}
