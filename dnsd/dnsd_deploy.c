/* SPDX-License-Identifier: MIT */
/* dnsd_deploy.c -- what meridian-dnsd serves (config, zones, GeoIP), recorded in state.db */
#include "config.h"
#include "dnsd/dnsd_deploy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/digest.h"
#include "conf/conf_canon.h"
#include "base/json_escape.h"
#include "dnsd/dnsd_db.h"
#include "geo/geo_ident.h"

/* One record as bytes that sort canonically: owner wire, type, TTL, rdlen, rdata. */
typedef struct {
	uint8_t *bytes; /* malloc'd */
	size_t len;	/* bytes used */
} canon_rr_t;

static int canon_rr_cmp(const void *a, const void *b)
{
	const canon_rr_t *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->bytes, y->bytes, n);

	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static canon_rr_t *rr_add(canon_rr_t **list, size_t *n, size_t *cap, size_t len)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		canon_rr_t *grown = realloc(*list, ncap * sizeof(**list));

		if (grown == NULL)
			return NULL;
		*list = grown;
		*cap = ncap;
	}
	(*list)[*n].bytes = malloc(len);
	if ((*list)[*n].bytes == NULL)
		return NULL;
	(*list)[*n].len = len;
	return &(*list)[(*n)++];
}

/* SHA-256 of zone's records in canonical order. */
static int zone_digest(const dnsd_zones_t *zones, const dnsd_zone_t *zone, char hex[DIGEST_HEX_LEN])
{
	canon_rr_t *list = NULL;
	size_t n = 0, cap = 0, total = 0;
	uint8_t *all = NULL;
	int rc = -1;

	for (uint32_t s = 0; s <= zones->mask; s++) {
		const dnsd_node_t *node = zones->slots[s].node;

		if (node == NULL || node->zone != zone)
			continue;
		for (unsigned t = 0; t < node->rrset_count; t++) {
			const dnsd_rrset_t *set = &node->rrsets[t];

			/* signatures made at load carry this load's times: every region has
			 * its own, so they would make equal zones differ */
			if (set->type == 46 && zone->signing != NULL)
				continue;
			for (unsigned i = 0; i < set->count; i++) {
				const dnsd_rr_t *rr = &set->rrs[i];
				size_t len = node->name_len + 8u + rr->rdlen;
				canon_rr_t *c = rr_add(&list, &n, &cap, len);
				uint8_t *p;

				if (c == NULL)
					goto out;
				p = c->bytes;
				memcpy(p, node->name, node->name_len);
				p += node->name_len;
				*p++ = (uint8_t)(set->type >> 8);
				*p++ = (uint8_t)set->type;
				*p++ = (uint8_t)(set->ttl >> 24);
				*p++ = (uint8_t)(set->ttl >> 16);
				*p++ = (uint8_t)(set->ttl >> 8);
				*p++ = (uint8_t)set->ttl;
				*p++ = (uint8_t)(rr->rdlen >> 8);
				*p++ = (uint8_t)rr->rdlen;
				memcpy(p, rr->rdata, rr->rdlen);
				total += len;
			}
		}
	}
	qsort(list, n, sizeof(*list), canon_rr_cmp);
	all = malloc(total ? total : 1);
	if (all == NULL)
		goto out;
	total = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(all + total, list[i].bytes, list[i].len);
		total += list[i].len;
	}
	rc = digest_sha256_hex(all, total, hex);
out:
	for (size_t i = 0; i < n; i++)
		free(list[i].bytes);
	free(list);
	free(all);
	return rc;
}

static int zone_origin_cmp(const void *a, const void *b)
{
	return strcmp((*(const dnsd_zone_t *const *)a)->origin,
		      (*(const dnsd_zone_t *const *)b)->origin);
}

/* Appends to a malloc'd string. */
static int sink(void *ctx, const char *p, size_t n)
{
	char **text = ctx;
	size_t len = *text ? strlen(*text) : 0;
	char *grown = realloc(*text, len + n + 1);

	if (grown == NULL)
		return -1;
	memcpy(grown + len, p, n);
	grown[len + n] = '\0';
	*text = grown;
	return 0;
}

char *dnsd_deploy_zones_json(const dnsd_zones_t *zones)
{
	const dnsd_zone_t **order = calloc(zones->zone_count ? zones->zone_count : 1,
					   sizeof(*order));
	char *text = NULL;
	int rc = 0;

	if (order == NULL)
		return NULL;
	for (size_t i = 0; i < zones->zone_count; i++)
		order[i] = &zones->zones[i];
	qsort(order, zones->zone_count, sizeof(*order), zone_origin_cmp);
	rc |= sink(&text, "[", 1);
	for (size_t i = 0; i < zones->zone_count && rc == 0; i++) {
		char hex[DIGEST_HEX_LEN], head[128], serial[32];

		if (zone_digest(zones, order[i], hex) < 0) {
			rc = -1;
			break;
		}
		snprintf(head, sizeof(head), "%s{\"digest\":\"%s\",\"origin\":", i > 0 ? "," : "",
			 hex);
		snprintf(serial, sizeof(serial), ",\"serial\":%u}", order[i]->serial);
		rc |= sink(&text, head, strlen(head));
		rc |= json_escape(order[i]->origin, JSON_ESCAPE_UTF8, sink, &text);
		rc |= sink(&text, serial, strlen(serial));
	}
	if (rc == 0)
		rc = sink(&text, "]", 1);
	free(order);
	if (rc != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int dnsd_deploy_build(const conf_t *conf, const dnsd_zones_t *zones, const char *geoip_path,
		      state_deployment_t *row, char *err, size_t errlen)
{
	geo_ident_t geo;

	if (state_deployment_init(row, conf->region, "dnsd", conf_canonical_json(conf), err,
				  errlen) < 0)
		return -1;
	if (zones != NULL) {
		free(row->zones);
		row->zones = dnsd_deploy_zones_json(zones);
		if (row->zones == NULL) {
			snprintf(err, errlen, "zone digest failed (out of memory?)");
			state_deployment_clear(row);
			return -1;
		}
	}
	if (geoip_path != NULL) {
		if (geo_ident_read(geoip_path, &geo, err, errlen) < 0) {
			state_deployment_clear(row);
			return -1;
		}
		snprintf(row->geoip_type, sizeof(row->geoip_type), "%s", geo.type);
		row->geoip_epoch = geo.build_epoch;
		snprintf(row->geoip_digest, sizeof(row->geoip_digest), "%s", geo.digest);
	}
	return 0;
}

int dnsd_deploy_write(const conf_t *conf, const state_deployment_t *row, char *err,
		      size_t errlen)
{
	state_t *st;
	int rc;

	if (conf->state_path == NULL || access(conf->state_path, F_OK) != 0)
		return 1;
	st = state_open(conf->state_path, conf->region, err, errlen);
	if (st == NULL)
		return -1;
	rc = state_deployment_put(st, row);
	if (rc < 0)
		snprintf(err, errlen, "%s", state_errmsg(st));
	state_close(st);
	return rc < 0 ? -1 : 0;
}
