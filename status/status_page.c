/* SPDX-License-Identifier: MIT */
/* status_page.c -- the status page's data from the status_* views, as HTML and as JSON */
#include "config.h"

#include "status/status_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json_escape.h"

/* The page is a list of sections, each one query over the stable views (docs/schema.md):
 * the HTML shows each as a table, the JSON as an array of objects keyed by column name.
 * Both come from the same rows, so the two always say the same. */
typedef struct {
	const char *key;   /* JSON member and HTML id */
	const char *title; /* HTML heading */
	const char *sql;   /* the query */
	const char *empty; /* HTML text when it has no rows */
} status_section_t;

static const status_section_t sections[] = {
    {"datacenters", "Datacenters",
     "SELECT datacenter, state, observed AS real_state, CASE WHEN forced THEN 'forced' ELSE "
     "'real' END AS decided_by, serving, reason, since, age_s, override_action, "
     "override_reason, override_actor, override_origin, override_expires FROM status_effective",
     "no datacenter computed yet (is meridian-healthcheck running?)"},
    {"records", "Records",
     "SELECT record, CASE WHEN fail_open THEN 'fail-open' ELSE 'serving' END AS answer, "
     "serving AS serving_datacenters, since FROM status_records",
     "no geo records"},
    {"capacity", "Capacity shortfalls",
     "SELECT record, datacenter, demand, spare, demand - spare AS shortfall, since FROM "
     "status_capacity",
     "none"},
    {"votes", "Votes per region",
     "SELECT datacenter, checker AS region, status, age_s, latency_ms, detail FROM "
     "status_datacenters WHERE checker IS NOT NULL",
     "no observations yet"},
    {"addresses", "Address health per region",
     "SELECT datacenter, address, checker AS region, status, pending, age_s, latency_ms, "
     "detail FROM status_addresses",
     "no checked address"},
    {"loads", "Live load per region",
     "SELECT datacenter, checker AS region, load, CASE WHEN ok THEN 'ok' ELSE 'failed' END "
     "AS read, error, measured, age_s FROM status_loads",
     "no live load read"},
    {"overrides", "Overrides",
     "SELECT datacenter, action, reason, actor, origin, created, starts, expires, "
     "seconds_left FROM status_overrides",
     "no override in force"},
    {"scheduled", "Scheduled maintenance",
     "SELECT datacenter, action, reason, actor, origin, created, starts, seconds_to_start, "
     "expires FROM status_scheduled",
     "none"},
    {"weights", "Run-time weights",
     "SELECT target, datacenter, weight, reason, actor, origin, created, expires, "
     "seconds_left FROM status_weights",
     "none"},
    {"transitions", "Recent transitions",
     "SELECT at, kind, subject, from_state, to_state, reason FROM status_transitions LIMIT 20",
     "none"},
    {"events", "Recent events",
     "SELECT at, origin, actor, action, datacenter, reason FROM status_events LIMIT 20", "none"},
    {"replication", "Replication",
     "SELECT p.region AS peer, p.last_contact, p.contact_age_s, p.errors, p.last_error, "
     "o.origin, o.behind, o.lag_ms FROM status_peers p LEFT JOIN status_peer_origins o ON "
     "o.peer = p.region ORDER BY p.region, o.origin",
     "no replication peer"},
};

void status_buf_put(status_buf_t *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 8192;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *t = realloc(b->text, cap);
		if (t == NULL) {
			b->failed = true;
			return;
		}
		b->text = t;
		b->cap = cap;
	}
	memcpy(b->text + b->len, s, n);
	b->len += n;
	b->text[b->len] = '\0';
}

void status_buf_puts(status_buf_t *b, const char *s)
{
	status_buf_put(b, s, strlen(s));
}

void status_buf_free(status_buf_t *b)
{
	free(b->text);
	*b = (status_buf_t){0};
}

void status_buf_html(status_buf_t *b, const char *s)
{
	const char *run = s;
	for (; *s != '\0'; s++) {
		const char *ref = NULL;
		switch (*s) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		default:
			continue;
		}
		status_buf_put(b, run, (size_t)(s - run));
		status_buf_puts(b, ref);
		run = s + 1;
	}
	status_buf_put(b, run, (size_t)(s - run));
}

static int json_sink(void *ctx, const char *p, size_t n)
{
	status_buf_put(ctx, p, n);
	return 0;
}

static void json_string(status_buf_t *b, const char *s)
{
	/* U+2028/2029 and '<' stay raw: this JSON is served as application/json, never
	 * inlined into a page. Bytes that are not UTF-8 become U+FFFD. */
	if (json_escape(s, JSON_ESCAPE_SHORT | JSON_ESCAPE_UTF8, json_sink, b) != 0)
		b->failed = true;
}

/* One value of a row, as JSON. */
static void json_value(status_buf_t *b, sqlite3_stmt *stmt, int col)
{
	char num[32];
	switch (sqlite3_column_type(stmt, col)) {
	case SQLITE_NULL:
		status_buf_puts(b, "null");
		break;
	case SQLITE_INTEGER:
		snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(stmt, col));
		status_buf_puts(b, num);
		break;
	case SQLITE_FLOAT:
		snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(stmt, col));
		status_buf_puts(b, num);
		break;
	default:
		json_string(b, (const char *)sqlite3_column_text(stmt, col));
	}
}

/* Columns whose values get a CSS class of their own (state colours). */
static bool styled(const char *column)
{
	return strcmp(column, "state") == 0 || strcmp(column, "real_state") == 0 ||
	       strcmp(column, "status") == 0 || strcmp(column, "answer") == 0 ||
	       strcmp(column, "to_state") == 0 || strcmp(column, "read") == 0;
}

static void html_cell(status_buf_t *b, sqlite3_stmt *stmt, int col)
{
	const char *v = (const char *)sqlite3_column_text(stmt, col);
	const char *name = sqlite3_column_name(stmt, col);
	if (v != NULL && styled(name)) {
		status_buf_puts(b, "<td class=\"s-");
		status_buf_html(b, v);
		status_buf_puts(b, "\">");
	} else {
		status_buf_puts(b, "<td>");
	}
	if (v == NULL)
		status_buf_puts(b, "<span class=\"none\">-</span>");
	else
		status_buf_html(b, v);
	status_buf_puts(b, "</td>");
}

/* The table's head: the section's heading and its column names. */
static void html_table_head(status_buf_t *b, const status_section_t *sec, sqlite3_stmt *stmt)
{
	status_buf_puts(b, "<table class=\"");
	status_buf_puts(b, sec->key);
	status_buf_puts(b, "\"><tr>");
	for (int c = 0; c < sqlite3_column_count(stmt); c++) {
		status_buf_puts(b, "<th>");
		status_buf_html(b, sqlite3_column_name(stmt, c));
		status_buf_puts(b, "</th>");
	}
	status_buf_puts(b, "</tr>\n");
}

static int section(sqlite3 *db, const status_section_t *sec, bool html, status_buf_t *b,
		   char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sec->sql, -1, &stmt, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", sec->key, sqlite3_errmsg(db));
		return -1;
	}
	int cols = sqlite3_column_count(stmt);
	if (html) {
		/* key and title are constants of this file, never from the database */
		status_buf_puts(b, "<h2 id=\"");
		status_buf_puts(b, sec->key);
		status_buf_puts(b, "\">");
		status_buf_puts(b, sec->title);
		status_buf_puts(b, "</h2>\n");
	} else {
		json_string(b, sec->key);
		status_buf_puts(b, ":[");
	}
	int rc, rows = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (html) {
			/* the table only once a row exists: an empty section is one line */
			if (rows == 0)
				html_table_head(b, sec, stmt);
			status_buf_puts(b, "<tr>");
			for (int c = 0; c < cols; c++)
				html_cell(b, stmt, c);
			status_buf_puts(b, "</tr>\n");
		} else {
			status_buf_puts(b, rows ? ",{" : "{");
			for (int c = 0; c < cols; c++) {
				if (c > 0)
					status_buf_puts(b, ",");
				json_string(b, sqlite3_column_name(stmt, c));
				status_buf_puts(b, ":");
				json_value(b, stmt, c);
			}
			status_buf_puts(b, "}");
		}
		rows++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", sec->key, sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	if (html) {
		if (rows == 0) {
			status_buf_puts(b, "<p class=\"none empty\" id=\"");
			status_buf_puts(b, sec->key);
			status_buf_puts(b, "-none\">");
			status_buf_puts(b, sec->empty);
			status_buf_puts(b, "</p>\n");
		} else {
			status_buf_puts(b, "</table>\n");
		}
	} else {
		status_buf_puts(b, "]");
	}
	return 0;
}

static const char css[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.4em}"
    "table{border-collapse:collapse;font-size:0.9em}"
    "th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left;vertical-align:top}"
    "th{background:#f2f2f2}.none{color:#999}p.empty{margin:0.2em 0}"
    ".level{display:inline-block;padding:0.2em 0.8em;border-radius:0.3em;color:#fff}"
    ".l-OK{background:#2e7d32}.l-WARNING{background:#ef6c00}.l-CRITICAL{background:#c62828}"
    ".l-UNKNOWN{background:#616161}"
    ".s-up,.s-serving,.s-forced-up{color:#2e7d32;font-weight:bold}"
    ".s-down,.s-forced-down,.s-fail-open{color:#c62828;font-weight:bold}"
    ".s-drained{color:#ef6c00;font-weight:bold}.s-unknown{color:#616161}"
    ".s-failed{color:#c62828}";

/* The head of the page: the region, its level, when the data was computed. */
static int header(sqlite3 *db, bool html, unsigned refresh_s, status_buf_t *b, char *err,
		  size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT region, level, isolated, computed, computed_age_s, "
			       "last_peer_contact, contact_age_s FROM status_region",
			       -1, &stmt, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "region: %s", sqlite3_errmsg(db));
		return -1;
	}
	bool have = sqlite3_step(stmt) == SQLITE_ROW;
	const char *region = have ? (const char *)sqlite3_column_text(stmt, 0) : NULL;
	const char *level = have ? (const char *)sqlite3_column_text(stmt, 1) : "UNKNOWN";
	char now[32];
	time_t t = time(NULL);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (html) {
		char refresh[16];
		snprintf(refresh, sizeof(refresh), "%u", refresh_s);
		status_buf_puts(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
				   "<meta http-equiv=\"refresh\" content=\"");
		status_buf_puts(b, refresh);
		status_buf_puts(b, "\"><title>Meridian status</title><style>");
		status_buf_puts(b, css);
		status_buf_puts(b, "</style></head><body>\n<h1>Meridian region <span id=\"region\">");
		status_buf_html(b, region ? region : "?");
		status_buf_puts(b, "</span> <span class=\"level l-");
		status_buf_html(b, level);
		status_buf_puts(b, "\" id=\"level\">");
		status_buf_html(b, level);
		status_buf_puts(b, "</span></h1>\n<p>");
		if (!have) {
			status_buf_puts(b, "No status computed yet: meridian-healthcheck writes it.");
		} else {
			if (sqlite3_column_int(stmt, 2))
				status_buf_puts(b, "<strong class=\"s-down\">Isolated: no peer heard "
						   "from within replication.isolated_after.</strong> ");
			status_buf_puts(b, "Computed ");
			status_buf_html(b, (const char *)sqlite3_column_text(stmt, 3));
			status_buf_puts(b, " (");
			status_buf_html(b, (const char *)sqlite3_column_text(stmt, 4));
			status_buf_puts(b, " s ago); last peer contact ");
			const char *contact = (const char *)sqlite3_column_text(stmt, 5);
			status_buf_html(b, contact ? contact : "never");
			status_buf_puts(b, ".");
		}
		status_buf_puts(b, " Page generated ");
		status_buf_puts(b, now);
		status_buf_puts(b, "; it reloads itself every ");
		status_buf_puts(b, refresh);
		status_buf_puts(b, " s. <a href=\"status.json\">JSON</a></p>\n");
	} else {
		status_buf_puts(b, "{\"generated\":");
		json_string(b, now);
		status_buf_puts(b, ",\"region\":");
		if (!have) {
			status_buf_puts(b, "null");
		} else {
			status_buf_puts(b, "{");
			for (int c = 0; c < sqlite3_column_count(stmt); c++) {
				if (c > 0)
					status_buf_puts(b, ",");
				json_string(b, sqlite3_column_name(stmt, c));
				status_buf_puts(b, ":");
				json_value(b, stmt, c);
			}
			status_buf_puts(b, "}");
		}
	}
	sqlite3_finalize(stmt);
	return 0;
}

int status_page_render(sqlite3 *db, bool html, unsigned refresh_s, status_buf_t *out,
		       char *err, size_t errlen)
{
	/* one read transaction: every section from the same commit */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	int rc = header(db, html, refresh_s, out, err, errlen);
	for (size_t i = 0; rc == 0 && i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!html)
			status_buf_puts(out, ",");
		rc = section(db, &sections[i], html, out, err, errlen);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	status_buf_puts(out, html ? "</body></html>\n" : "}\n");
	if (rc == 0 && out->failed) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	return rc;
}
