/* SPDX-License-Identifier: MIT */
/* dnsd_zone_read.c -- reading master files with ldns into a flat list of records */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/dnsd_zone_read.h"

/* Deeper $INCLUDE nesting than this is a loop, not a zone. */
#define INCLUDE_DEPTH_MAX 8
/* Stop collecting problems after this many: the first ones are what the operator needs. */
#define ERRORS_MAX 50

void dnsd_errors_add(dnsd_errors_t *e, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	e->count++;
	if (e->count > ERRORS_MAX)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	char *grown = realloc(e->text, e->len + (size_t)n + 2);
	if (grown == NULL)
		return;
	e->text = grown;
	memcpy(e->text + e->len, line, (size_t)n);
	e->len += (size_t)n;
	e->text[e->len++] = '\n';
	e->text[e->len] = '\0';
}

void dnsd_name_text(const uint8_t *name, char *out, size_t cap)
{
	size_t o = 0;
	size_t p = 0;

	if (name[0] == 0) {
		snprintf(out, cap, ".");
		return;
	}
	while (name[p] != 0 && o + 6 < cap) {
		uint8_t l = name[p++];
		for (uint8_t i = 0; i < l && o + 6 < cap; i++) {
			uint8_t c = name[p++];
			if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')')
				o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
			else if (c <= ' ' || c >= 0x7F)
				o += (size_t)snprintf(out + o, cap - o, "\\%03u", c);
			else
				out[o++] = (char)c;
		}
		out[o++] = '.';
	}
	out[o] = '\0';
}

static void rdf_text(const ldns_rdf *rdf, char *out, size_t cap)
{
	uint8_t wire[255];
	size_t len = ldns_rdf_size(rdf);

	if (len > sizeof(wire))
		len = sizeof(wire);
	memcpy(wire, ldns_rdf_data(rdf), len);
	for (size_t i = 0; i < len; i++)
		wire[i] = (uint8_t)((wire[i] >= 'A' && wire[i] <= 'Z') ? wire[i] | 0x20 : wire[i]);
	dnsd_name_text(wire, out, cap);
}

static const char *list_file(dnsd_zrr_list_t *list, const char *path)
{
	char **grown = realloc(list->files, (list->file_count + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	list->files = grown;
	char *copy = strdup(path);
	if (copy == NULL)
		return NULL;
	list->files[list->file_count++] = copy;
	return copy;
}

static int list_push(dnsd_zrr_list_t *list, ldns_rr *rr, const char *file, int line)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 64;
		dnsd_zrr_t *grown = realloc(list->v, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		list->v = grown;
		list->cap = cap;
	}
	dnsd_zrr_t *z = &list->v[list->n];
	const ldns_rdf *owner = ldns_rr_owner(rr);
	z->rr = rr;
	z->file = file;
	z->line = line;
	z->owner_len = (uint8_t)ldns_rdf_size(owner);
	memcpy(z->owner, ldns_rdf_data(owner), z->owner_len);
	for (size_t i = 0; i < z->owner_len; i++)
		if (z->owner[i] >= 'A' && z->owner[i] <= 'Z')
			z->owner[i] |= 0x20;
	z->type = (uint16_t)ldns_rr_get_type(rr);
	z->seq = list->n;
	list->n++;
	return 0;
}

/* Re-reads the $INCLUDE line ldns recognised (it does not hand the file name back). */
static int include_args(FILE *fp, int *line, char *file, size_t fcap, char *origin, size_t ocap)
{
	char buf[4096];

	while (fgets(buf, sizeof(buf), fp) != NULL) {
		(*line)++;
		const char *p = buf + strspn(buf, " \t");
		if (strncasecmp(p, "$INCLUDE", 8) != 0)
			continue;
		/* "$INCLUDE file [origin] [; comment]" */
		p += 8;
		size_t n = 0;
		for (char *out = file; n < 2; n++, out = origin) {
			size_t cap = n == 0 ? fcap : ocap;
			p += strspn(p, " \t");
			size_t w = strcspn(p, " \t\r\n;");
			if (w >= cap)
				return -1;
			memcpy(out, p, w);
			out[w] = '\0';
			p += w;
		}
		return file[0] != '\0' ? 0 : -1;
	}
	return -1;
}

static int read_file(const char *path, const ldns_rdf *zone_origin, ldns_rdf *start_origin,
		     int depth, dnsd_zrr_list_t *list, dnsd_errors_t *errors)
{
	const char *name = list_file(list, path);
	char apex[1024];
	rdf_text(zone_origin, apex, sizeof(apex));
	if (name == NULL) {
		dnsd_errors_add(errors, "%s: out of memory", path);
		return -1;
	}
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		dnsd_errors_add(errors, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	int failed = 0;
	int line = 0;
	uint32_t ttl = 3600;
	ldns_rdf *origin = ldns_rdf_clone(start_origin);
	ldns_rdf *prev = NULL;

	while (!feof(fp)) {
		long before = ftell(fp);
		int line_before = line;
		ldns_rr *rr = NULL;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);

		if (s == LDNS_STATUS_OK) {
			char owner[1024];
			rdf_text(ldns_rr_owner(rr), owner, sizeof(owner));
			if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
				dnsd_errors_add(errors, "%s:%d: %s has class other than IN", path,
						line, owner);
				ldns_rr_free(rr);
				failed = -1;
			} else if (ldns_dname_compare(ldns_rr_owner(rr), zone_origin) != 0 &&
				   !ldns_dname_is_subdomain(ldns_rr_owner(rr), zone_origin)) {
				dnsd_errors_add(errors, "%s:%d: %s is outside the zone %s", path,
						line, owner, apex);
				ldns_rr_free(rr);
				failed = -1;
			} else if (list_push(list, rr, name, line) != 0) {
				dnsd_errors_add(errors, "%s:%d: out of memory", path, line);
				ldns_rr_free(rr);
				failed = -1;
				break;
			}
		} else if (s == LDNS_STATUS_SYNTAX_INCLUDE) {
			char file[1024], inc_origin[1024], full[2048];
			ldns_rdf *o = NULL;
			fseek(fp, before, SEEK_SET);
			line = line_before;
			if (include_args(fp, &line, file, sizeof(file), inc_origin,
					 sizeof(inc_origin)) != 0) {
				dnsd_errors_add(errors, "%s:%d: $INCLUDE without a file name", path,
						line);
				failed = -1;
				continue;
			}
			if (depth >= INCLUDE_DEPTH_MAX) {
				dnsd_errors_add(errors, "%s:%d: $INCLUDE nested too deep", path,
						line);
				failed = -1;
				continue;
			}
			if (file[0] != '/' && strchr(path, '/') != NULL)
				snprintf(full, sizeof(full), "%.*s/%s",
					 (int)(strrchr(path, '/') - path), path, file);
			else
				snprintf(full, sizeof(full), "%s", file);
			if (inc_origin[0] != '\0' &&
			    ldns_str2rdf_dname(&o, inc_origin) != LDNS_STATUS_OK) {
				dnsd_errors_add(errors, "%s:%d: bad $INCLUDE origin %s", path, line,
						inc_origin);
				failed = -1;
				continue;
			}
			if (o != NULL && !ldns_dname_str_absolute(inc_origin)) {
				ldns_rdf *abs = ldns_dname_cat_clone(o, origin);
				ldns_rdf_deep_free(o);
				o = abs;
			}
			if (read_file(full, zone_origin, o ? o : origin, depth + 1, list, errors) !=
			    0)
				failed = -1;
			ldns_rdf_deep_free(o);
		} else if (s != LDNS_STATUS_SYNTAX_EMPTY && s != LDNS_STATUS_SYNTAX_TTL &&
			   s != LDNS_STATUS_SYNTAX_ORIGIN) {
			/* ldns counts the newlines it consumed: an error before the end of a line
			 * leaves the count one short */
			dnsd_errors_add(errors, "%s:%d: %s", path,
					line > line_before ? line : line + 1,
					ldns_get_errorstr_by_id(s));
			failed = -1;
		}
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(fp);
	return failed;
}

int dnsd_zone_read(const char *path, const ldns_rdf *origin, dnsd_zrr_list_t *list,
		   dnsd_errors_t *errors)
{
	ldns_rdf *start = ldns_rdf_clone(origin);
	if (start == NULL) {
		dnsd_errors_add(errors, "%s: out of memory", path);
		return -1;
	}
	int rc = read_file(path, origin, start, 0, list, errors);
	ldns_rdf_deep_free(start);
	return rc;
}

void dnsd_zrr_list_free(dnsd_zrr_list_t *list)
{
	for (size_t i = 0; i < list->n; i++)
		ldns_rr_free(list->v[i].rr);
	free(list->v);
	for (size_t i = 0; i < list->file_count; i++)
		free(list->files[i]);
	free(list->files);
	memset(list, 0, sizeof(*list));
}
