/* SPDX-License-Identifier: MIT */
/* dnsd_zone_read.c -- reading master files with ldns into a flat list of records */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	uint8_t wire[256];
	size_t len = ldns_rdf_size(rdf);

	if (len > 255)
		len = 255;
	memcpy(wire, ldns_rdf_data(rdf), len);
	for (size_t i = 0; i < len; i++)
		wire[i] = (uint8_t)((wire[i] >= 'A' && wire[i] <= 'Z') ? wire[i] | 0x20 : wire[i]);
	/* dnsd_name_text walks labels to a zero one: end the copy at the last label wholly
	 * inside it (ldns can hand a name longer than 255 bytes; found by qa/fuzz zone) */
	size_t p = 0;
	while (p < len && wire[p] != 0 && p + 1 + wire[p] < len)
		p += 1 + (size_t)wire[p];
	wire[p] = 0;
	dnsd_name_text(wire, out, cap);
}

/* Remembers path; returns its index in list->files, or -1. */
static int list_file(dnsd_zrr_list_t *list, const char *path)
{
	char **grown = realloc(list->files, (list->file_count + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	list->files = grown;
	char *copy = strdup(path);
	if (copy == NULL)
		return -1;
	list->files[list->file_count++] = copy;
	return (int)list->file_count - 1;
}

/* Rdata fields (by index) holding names we compress on output (RFC 3597 section 4). */
static void compressible(uint16_t type, int *first, int *second)
{
	*first = -1;
	*second = -1;
	switch (type) {
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_PTR:
		*first = 0;
		break;
	case LDNS_RR_TYPE_MX:
		*first = 1;
		break;
	case LDNS_RR_TYPE_SOA:
		*first = 0;
		*second = 1;
		break;
	default:
		break;
	}
}

static void lower_name(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] |= 0x20;
}

static int pool_reserve(dnsd_zrr_list_t *list, size_t len)
{
	if (list->pool_len + len <= list->pool_cap)
		return 0;
	size_t cap = list->pool_cap ? list->pool_cap : 65536;
	while (cap < list->pool_len + len)
		cap *= 2;
	if (cap > UINT32_MAX)
		return -1;
	uint8_t *grown = realloc(list->pool, cap);
	if (grown == NULL)
		return -1;
	list->pool = grown;
	list->pool_cap = cap;
	return 0;
}

/* Converts rr into the list (and frees it). Returns 0, -1 out of memory, -2 too large. */
static int list_push(dnsd_zrr_list_t *list, ldns_rr *rr, uint32_t file, int line)
{
	const ldns_rdf *owner = ldns_rr_owner(rr);
	size_t olen = ldns_rdf_size(owner);
	size_t rdlen = 0;
	int rc = -1;

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		rdlen += ldns_rdf_size(ldns_rr_rdf(rr, i));
	if (rdlen > 65535 || olen > 255) {
		ldns_rr_free(rr);
		return -2;
	}
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 64;
		dnsd_zrr_t *grown = realloc(list->v, cap * sizeof(*grown));
		if (grown == NULL)
			goto out;
		list->v = grown;
		list->cap = cap;
	}
	if (pool_reserve(list, olen + rdlen) != 0)
		goto out;
	dnsd_zrr_t *z = &list->v[list->n];
	z->type = (uint16_t)ldns_rr_get_type(rr);
	z->ttl = ldns_rr_ttl(rr);
	z->file = file;
	z->line = (uint32_t)line;
	z->seq = (uint32_t)list->n;
	z->owner_len = (uint8_t)olen;
	/* consecutive records of one owner (the usual case) share its bytes */
	const dnsd_zrr_t *prev = list->n ? &list->v[list->n - 1] : NULL;
	uint8_t lowered[255];
	memcpy(lowered, ldns_rdf_data(owner), olen);
	lower_name(lowered, olen);
	if (prev != NULL && prev->owner_len == olen &&
	    memcmp(list->pool + prev->owner, lowered, olen) == 0) {
		z->owner = prev->owner;
	} else {
		z->owner = (uint32_t)list->pool_len;
		memcpy(list->pool + list->pool_len, lowered, olen);
		list->pool_len += olen;
	}
	int c1, c2;
	compressible(z->type, &c1, &c2);
	z->name_off[0] = 0xFFFF;
	z->name_off[1] = 0xFFFF;
	z->rdata = (uint32_t)list->pool_len;
	z->rdlen = (uint16_t)rdlen;
	uint8_t *rd = list->pool + list->pool_len;
	size_t off = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		memcpy(rd + off, ldns_rdf_data(f), ldns_rdf_size(f));
		if ((int)i == c1 || (int)i == c2) {
			lower_name(rd + off, ldns_rdf_size(f));
			z->name_off[(int)i == c1 ? 0 : 1] = (uint16_t)off;
		}
		off += ldns_rdf_size(f);
	}
	list->pool_len += rdlen;
	list->n++;
	rc = 0;
out:
	ldns_rr_free(rr);
	return rc;
}

int dnsd_zrr_push(dnsd_zrr_list_t *list, ldns_rr *rr, uint32_t file, int line)
{
	return list_push(list, rr, file, line);
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

static int read_file(const char *path, const ldns_rdf *zone_origin, const ldns_rdf *start_origin,
		     int depth, dnsd_zrr_list_t *list, dnsd_errors_t *errors)
{
	int file_index = list_file(list, path);
	char apex[1024];
	rdf_text(zone_origin, apex, sizeof(apex));
	if (file_index < 0) {
		dnsd_errors_add(errors, "%s: out of memory", path);
		return -1;
	}
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		dnsd_errors_add(errors, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	/* A directory opens, then every read fails without reaching end of file: the read
	 * loop below would never end (found by qa/fuzz zone: "$INCLUDE /"). */
	struct stat st;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		dnsd_errors_add(errors, "%s: cannot read: not a regular file", path);
		fclose(fp);
		return -1;
	}
	int failed = 0;
	int line = 0;
	uint32_t ttl = 3600;
	ldns_rdf *origin = ldns_rdf_clone(start_origin);
	ldns_rdf *prev = NULL;

	while (!feof(fp) && !ferror(fp)) {
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
			} else {
				int pushed = list_push(list, rr, (uint32_t)file_index, line);
				if (pushed == -2) {
					dnsd_errors_add(errors, "%s:%d: %s: record too large", path,
							line, owner);
					failed = -1;
				} else if (pushed != 0) {
					dnsd_errors_add(errors, "%s:%d: out of memory", path, line);
					failed = -1;
					break;
				}
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
				/* origin is NULL after a $ORIGIN ldns refused (already an error):
				 * ldns asserts on a NULL name (found by qa/fuzz zone) */
				ldns_rdf *abs = origin ? ldns_dname_cat_clone(o, origin) : NULL;
				ldns_rdf_deep_free(o);
				if (abs == NULL) {
					dnsd_errors_add(errors, "%s:%d: bad $INCLUDE origin %s", path,
							line, inc_origin);
					failed = -1;
					continue;
				}
				o = abs;
			}
			const ldns_rdf *inc_start = o ? o : origin ? origin : zone_origin;
			if (read_file(full, zone_origin, inc_start, depth + 1, list, errors) !=
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
	if (ferror(fp)) {
		dnsd_errors_add(errors, "%s: read error: %s", path, strerror(errno));
		failed = -1;
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
	free(list->v);
	free(list->pool);
	for (size_t i = 0; i < list->file_count; i++)
		free(list->files[i]);
	free(list->files);
	memset(list, 0, sizeof(*list));
}
