/* SPDX-License-Identifier: MIT */
/* status_page.h -- the status page's data from the status_* views, as HTML and as JSON */
#ifndef MERIDIAN_STATUS_PAGE_H
#define MERIDIAN_STATUS_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#include "base/compiler.h"

/* A growing text buffer; failed is set (and the text incomplete) after an allocation
 * failure, so writers need not check each call. */
typedef struct {
	char *text;  /* NUL-terminated; NULL before the first write */
	size_t len;  /* bytes in text */
	size_t cap;  /* bytes allocated */
	bool failed; /* out of memory: incomplete */
} status_buf_t;

void status_buf_put(status_buf_t *b, const char *s, size_t n) M_NONNULL_ALL;
void status_buf_puts(status_buf_t *b, const char *s) M_NONNULL_ALL;
void status_buf_free(status_buf_t *b) M_NONNULL_ALL;
/* s with & < > " ' as character references: safe as element text and attribute value. */
void status_buf_html(status_buf_t *b, const char *s) M_NONNULL_ALL;

/* Renders the page from db (a read-only connection), every section read in one read
 * transaction: as HTML (refreshing itself every refresh_s seconds, no JavaScript) when
 * html, else as JSON with the same sections, rows and values. Every value that comes
 * from the database is escaped (HTML character references, JSON string escapes). 0, or
 * -1 with err filled (the database cannot be read). */
int status_page_render(sqlite3 *db, bool html, unsigned refresh_s, status_buf_t *out,
		       char *err, size_t errlen) M_NONNULL_ALL M_WUR;

#endif
