/* SPDX-License-Identifier: MIT */
/* dnsd_zone_sign.c -- signing a zone when it loads, with ldns, and the geo answers it can give */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd/dnsd_zone_sign.h"

#define T_A 1
#define T_AAAA 28
#define T_RRSIG 46
#define T_NSEC 47
#define T_DNSKEY 48
#define T_NSEC3 50
#define T_NSEC3PARAM 51

struct dnsd_signer {
	ldns_key_list *keys;   /* every key, KSKs and ZSKs */
	ldns_key_list *zsks;   /* the keys that sign other sets than DNSKEY (shares keys) */
	ldns_rdf *origin;      /* the zone's name */
	bool nsec3;	       /* NSEC3 chain */
	dnsd_zone_signing_t info; /* for status */
};

/* The flags of the DNSKEY in PATH.key beside PATH.private; 256 (a ZSK) without one. */
static uint16_t key_flags(const char *private_path)
{
	char path[4096];
	size_t len = strlen(private_path);
	const char *suffix = ".private";
	uint16_t flags = 256;

	if (len < strlen(suffix) || strcmp(private_path + len - strlen(suffix), suffix) != 0 ||
	    len + 1 > sizeof(path))
		return flags;
	snprintf(path, sizeof(path), "%.*s.key", (int)(len - strlen(suffix)), private_path);
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return flags;
	ldns_rr *rr = NULL;
	if (ldns_rr_new_frm_fp(&rr, fp, NULL, NULL, NULL) == LDNS_STATUS_OK &&
	    ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY && ldns_rr_dnskey_flags(rr) != NULL)
		flags = ldns_rdf2native_int16(ldns_rr_dnskey_flags(rr));
	ldns_rr_free(rr);
	fclose(fp);
	return flags;
}

dnsd_signer_t *dnsd_signer_new(const conf_zone_t *cz, const ldns_rdf *origin, time_t now,
			       dnsd_errors_t *errors)
{
	dnsd_signer_t *s = calloc(1, sizeof(*s));
	bool failed = false;

	if (s == NULL || (s->keys = ldns_key_list_new()) == NULL ||
	    (s->zsks = ldns_key_list_new()) == NULL ||
	    (s->origin = ldns_rdf_clone(origin)) == NULL) {
		dnsd_errors_add(errors, "%s: out of memory reading the zone's keys", cz->file);
		dnsd_signer_free(s);
		return NULL;
	}
	s->nsec3 = cz->dnssec_nsec3;
	uint32_t inception = (uint32_t)(now - 3600);
	uint32_t expiration = (uint32_t)(now + cz->dnssec_validity_ms / 1000);
	for (size_t i = 0; cz->dnssec_keys != NULL && cz->dnssec_keys[i] != NULL; i++) {
		const char *path = cz->dnssec_keys[i];
		FILE *fp = fopen(path, "r");
		if (fp == NULL) {
			dnsd_errors_add(errors, "%s: cannot open: %s", path, strerror(errno));
			failed = true;
			continue;
		}
		ldns_key *k = NULL;
		int line = 0;
		ldns_status st = ldns_key_new_frm_fp_l(&k, fp, &line);
		fclose(fp);
		if (st != LDNS_STATUS_OK) {
			dnsd_errors_add(errors, "%s:%d: not a private key: %s", path, line,
					ldns_get_errorstr_by_id(st));
			failed = true;
			continue;
		}
		ldns_key_set_flags(k, key_flags(path));
		ldns_key_set_pubkey_owner(k, ldns_rdf_clone(origin));
		ldns_key_set_inception(k, inception);
		ldns_key_set_expiration(k, expiration);
		ldns_rr *dnskey = ldns_key2rr(k);
		if (dnskey == NULL) {
			dnsd_errors_add(errors, "%s: cannot make its DNSKEY", path);
			ldns_key_deep_free(k);
			failed = true;
			continue;
		}
		ldns_key_set_keytag(k, ldns_calc_keytag(dnskey));
		ldns_rr_free(dnskey);
		(void)ldns_key_list_push_key(s->keys, k);
		unsigned n = s->info.keys++;
		if (n < 8) {
			s->info.tags[n] = ldns_key_keytag(k);
			s->info.ksk[n] = (ldns_key_flags(k) & LDNS_KEY_SEP_KEY) != 0;
		}
		if (n == 0)
			s->info.algorithm = (uint8_t)ldns_key_algorithm(k);
		if (!(ldns_key_flags(k) & LDNS_KEY_SEP_KEY))
			(void)ldns_key_list_push_key(s->zsks, k);
	}
	if (failed) {
		dnsd_signer_free(s);
		return NULL;
	}
	if (ldns_key_list_key_count(s->zsks) == 0) /* KSKs alone: they sign everything */
		for (size_t i = 0; i < ldns_key_list_key_count(s->keys); i++)
			(void)ldns_key_list_push_key(s->zsks, ldns_key_list_key(s->keys, i));
	s->info.nsec3 = s->nsec3;
	s->info.expiration = (time_t)expiration;
	s->info.refresh_at = now + (time_t)((cz->dnssec_validity_ms - cz->dnssec_refresh_ms) / 1000);
	return s;
}

void dnsd_signer_free(dnsd_signer_t *s)
{
	if (s == NULL)
		return;
	if (s->zsks != NULL) {
		/* shares its keys with s->keys: free only the list itself (a count of 0
		 * leaves the keys alone; popping the last key would free the array twice) */
		ldns_key_list_set_key_count(s->zsks, 0);
		ldns_key_list_free(s->zsks);
	}
	if (s->keys != NULL)
		ldns_key_list_free(s->keys);
	ldns_rdf_deep_free(s->origin);
	free(s);
}

void dnsd_signer_info(const dnsd_signer_t *s, dnsd_zone_signing_t *info)
{
	*info = s->info;
}

/* The record at index i of list as an ldns_rr (caller frees), or NULL. */
static ldns_rr *zrr_to_ldns(const dnsd_zrr_list_t *list, const dnsd_zrr_t *z)
{
	uint8_t wire[255 + 10 + 65535];
	size_t len = 0, pos = 0;
	memcpy(wire, list->pool + z->owner, z->owner_len);
	len = z->owner_len;
	wire[len++] = (uint8_t)(z->type >> 8);
	wire[len++] = (uint8_t)z->type;
	wire[len++] = 0;
	wire[len++] = 1;
	for (int i = 24; i >= 0; i -= 8)
		wire[len++] = (uint8_t)(z->ttl >> i);
	wire[len++] = (uint8_t)(z->rdlen >> 8);
	wire[len++] = (uint8_t)z->rdlen;
	memcpy(wire + len, list->pool + z->rdata, z->rdlen);
	len += z->rdlen;
	ldns_rr *rr = NULL;
	if (ldns_wire2rr(&rr, wire, len, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
		return NULL;
	return rr;
}

/* Whether list holds rr's type with rr's rdata (DNSKEY: no names, so bytes compare). */
static bool in_list(const dnsd_zrr_list_t *list, const ldns_rr *rr)
{
	uint8_t rdata[4096];
	size_t len = 0;
	for (size_t f = 0; f < ldns_rr_rd_count(rr); f++) {
		const ldns_rdf *d = ldns_rr_rdf(rr, f);
		if (len + ldns_rdf_size(d) > sizeof(rdata))
			return false;
		memcpy(rdata + len, ldns_rdf_data(d), ldns_rdf_size(d));
		len += ldns_rdf_size(d);
	}
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i].type == ldns_rr_get_type(rr) && list->v[i].rdlen == len &&
		    memcmp(list->pool + list->v[i].rdata, rdata, len) == 0)
			return true;
	return false;
}

static bool is_denial_or_sig(uint16_t type)
{
	return type == T_RRSIG || type == T_NSEC || type == T_NSEC3 || type == T_NSEC3PARAM;
}

/* A placeholder A or AAAA record at a geo name, so the chain shows the type there. */
static ldns_rr *placeholder(const dnsd_sign_geo_t *g, ldns_rr_type type, uint32_t ttl)
{
	ldns_rr *rr = ldns_rr_new_frm_type(type);
	if (rr == NULL)
		return NULL;
	ldns_rr_set_owner(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, g->len, g->name));
	ldns_rr_set_ttl(rr, ttl);
	uint8_t zero[16] = {0};
	ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(type == LDNS_RR_TYPE_A ? LDNS_RDF_TYPE_A
									   : LDNS_RDF_TYPE_AAAA,
						  type == LDNS_RR_TYPE_A ? 4 : 16, zero));
	return rr;
}

/* Whether rr is a signature of a placeholder (an A/AAAA RRSIG at a geo name). */
static bool placeholder_sig(const ldns_rr *rr, const dnsd_sign_geo_t *geo, size_t geo_count)
{
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG)
		return false;
	ldns_rr_type covered = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr));
	if (covered != LDNS_RR_TYPE_A && covered != LDNS_RR_TYPE_AAAA)
		return false;
	const ldns_rdf *owner = ldns_rr_owner(rr);
	for (size_t i = 0; i < geo_count; i++)
		if (ldns_rdf_size(owner) == geo[i].len &&
		    strncasecmp((const char *)ldns_rdf_data(owner), (const char *)geo[i].name,
				geo[i].len) == 0)
			return true;
	return false;
}

int dnsd_signer_sign_zone(dnsd_signer_t *s, const char *file, dnsd_zrr_list_t *list,
			  const dnsd_sign_geo_t *geo, size_t geo_count, dnsd_errors_t *errors)
{
	ldns_dnssec_zone *dz = ldns_dnssec_zone_new();
	ldns_rr_list *added = ldns_rr_list_new();
	int rc = -1;
	uint32_t ttl = 3600;

	if (dz == NULL || added == NULL)
		goto out;
	/* the file's data, without the old signatures and chains */
	size_t kept = 0;
	for (size_t i = 0; i < list->n; i++) {
		const dnsd_zrr_t *z = &list->v[i];
		if (is_denial_or_sig(z->type))
			continue;
		list->v[kept++] = *z;
		ldns_rr *rr = zrr_to_ldns(list, z);
		if (rr == NULL || ldns_dnssec_zone_add_rr(dz, rr) != LDNS_STATUS_OK) {
			ldns_rr_free(rr);
			dnsd_errors_add(errors, "%s:%u: cannot be signed", list->files[z->file],
					z->line);
			goto out;
		}
		if (z->type == LDNS_RR_TYPE_SOA)
			ttl = z->ttl;
	}
	list->n = kept;
	/* the keys' DNSKEYs, unless the file has them */
	for (size_t i = 0; i < ldns_key_list_key_count(s->keys); i++) {
		ldns_rr *dnskey = ldns_key2rr(ldns_key_list_key(s->keys, i));
		if (dnskey == NULL)
			goto out;
		ldns_rr_set_ttl(dnskey, ttl);
		if (in_list(list, dnskey)) {
			ldns_rr_free(dnskey); /* pre-published in the file already */
			continue;
		}
		ldns_rr *copy = ldns_rr_clone(dnskey);
		if (ldns_dnssec_zone_add_rr(dz, dnskey) != LDNS_STATUS_OK) {
			ldns_rr_free(dnskey);
			ldns_rr_free(copy);
			goto out;
		}
		if (copy == NULL || dnsd_zrr_push(list, copy, 0, 0) != 0)
			goto out;
	}
	for (size_t i = 0; i < geo_count; i++) {
		ldns_rr *a = geo[i].a ? placeholder(&geo[i], LDNS_RR_TYPE_A, ttl) : NULL;
		ldns_rr *aaaa = geo[i].aaaa ? placeholder(&geo[i], LDNS_RR_TYPE_AAAA, ttl) : NULL;
		if (a != NULL && ldns_dnssec_zone_add_rr(dz, a) != LDNS_STATUS_OK)
			ldns_rr_free(a);
		if (aaaa != NULL && ldns_dnssec_zone_add_rr(dz, aaaa) != LDNS_STATUS_OK)
			ldns_rr_free(aaaa);
	}
	ldns_status st;
	if (s->nsec3) {
		/* RFC 9276: SHA-1, no extra iterations, no salt, no opt-out */
		ldns_rr *param = NULL;
		char text[1100], origin[1024];
		char *o = ldns_rdf2str(s->origin);
		snprintf(origin, sizeof(origin), "%s", o ? o : ".");
		free(o);
		snprintf(text, sizeof(text), "%s 0 IN NSEC3PARAM 1 0 0 -", origin);
		if (ldns_rr_new_frm_str(&param, text, 0, NULL, NULL) != LDNS_STATUS_OK)
			goto out;
		ldns_rr *copy = ldns_rr_clone(param);
		if (ldns_dnssec_zone_add_rr(dz, param) != LDNS_STATUS_OK) {
			ldns_rr_free(param);
			ldns_rr_free(copy);
			goto out;
		}
		if (copy == NULL || dnsd_zrr_push(list, copy, 0, 0) != 0)
			goto out;
		st = ldns_dnssec_zone_sign_nsec3(dz, added, s->keys,
						 ldns_dnssec_default_replace_signatures, NULL, 1, 0,
						 0, 0, NULL);
	} else {
		st = ldns_dnssec_zone_sign(dz, added, s->keys, ldns_dnssec_default_replace_signatures,
					   NULL);
	}
	if (st != LDNS_STATUS_OK) {
		dnsd_errors_add(errors, "%s: signing failed: %s", file, ldns_get_errorstr_by_id(st));
		goto out;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(added); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(added, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC3PARAM ||
		    placeholder_sig(rr, geo, geo_count))
			continue;
		ldns_rr *copy = ldns_rr_clone(rr);
		if (copy == NULL || dnsd_zrr_push(list, copy, 0, 0) != 0)
			goto out;
	}
	rc = 0;
out:
	if (rc != 0 && errors->count == 0)
		dnsd_errors_add(errors, "%s: out of memory signing the zone", file);
	ldns_rr_list_free(added);
	ldns_dnssec_zone_deep_free(dz);
	return rc;
}

int dnsd_signer_sign_set(dnsd_signer_t *s, const uint8_t *owner, size_t owner_len, uint16_t type,
			 uint32_t ttl, const uint8_t *addrs, unsigned count, unsigned alen,
			 int (*put)(void *arg, const uint8_t *rdata, size_t rdlen), void *arg)
{
	ldns_rr_list *set = ldns_rr_list_new();
	ldns_rr_list *sigs = NULL;
	int rc = -1;

	if (set == NULL)
		return -1;
	for (unsigned i = 0; i < count; i++) {
		ldns_rr *rr = ldns_rr_new_frm_type((ldns_rr_type)type);
		if (rr == NULL)
			goto out;
		ldns_rr_set_owner(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, owner_len, owner));
		ldns_rr_set_ttl(rr, ttl);
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(alen == 4 ? LDNS_RDF_TYPE_A
								     : LDNS_RDF_TYPE_AAAA,
							   alen, addrs + (size_t)i * alen));
		ldns_rr_list_push_rr(set, rr);
	}
	sigs = ldns_sign_public(set, s->zsks);
	if (sigs == NULL)
		goto out;
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
		const ldns_rr *sig = ldns_rr_list_rr(sigs, i);
		uint8_t rdata[4096];
		size_t len = 0;
		for (size_t f = 0; f < ldns_rr_rd_count(sig); f++) {
			const ldns_rdf *d = ldns_rr_rdf(sig, f);
			if (len + ldns_rdf_size(d) > sizeof(rdata))
				goto out;
			memcpy(rdata + len, ldns_rdf_data(d), ldns_rdf_size(d));
			len += ldns_rdf_size(d);
		}
		if (put(arg, rdata, len) != 0)
			goto out;
	}
	rc = 0;
out:
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_deep_free(set);
	return rc;
}
