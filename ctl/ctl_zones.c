/* SPDX-License-Identifier: MIT */
/* ctl_zones.c -- `meridianctl zones`: each zone's file and DNSSEC signing state */
#include "config.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_zones.h"

/* One key file as the signer reads it. */
typedef struct {
	const char *path; /* the .private file */
	bool ok;	  /* its .key file was read */
	uint16_t tag;	  /* key tag */
	uint8_t algorithm; /* DNSSEC algorithm number */
	bool ksk;	  /* SEP flag: signs the DNSKEY set */
} key_info_t;

/* Reads PATH.key beside PATH.private: the DNSKEY gives tag, algorithm and flags. */
static void key_read(const char *private_path, key_info_t *k)
{
	char path[4096];
	size_t len = strlen(private_path);
	const char *suffix = ".private";

	*k = (key_info_t){.path = private_path};
	if (len < strlen(suffix) || strcmp(private_path + len - strlen(suffix), suffix) != 0 ||
	    len + 1 > sizeof(path))
		return;
	snprintf(path, sizeof(path), "%.*s.key", (int)(len - strlen(suffix)), private_path);
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return;
	ldns_rr *rr = NULL;
	if (ldns_rr_new_frm_fp(&rr, fp, NULL, NULL, NULL) == LDNS_STATUS_OK &&
	    ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY && ldns_rr_rd_count(rr) == 4) {
		k->ok = true;
		k->tag = ldns_calc_keytag(rr);
		k->algorithm = ldns_rdf2native_int8(ldns_rr_dnskey_algorithm(rr));
		k->ksk = (ldns_rdf2native_int16(ldns_rr_dnskey_flags(rr)) & LDNS_KEY_SEP_KEY) != 0;
	}
	ldns_rr_free(rr);
	fclose(fp);
}

/* What the server serves for origin: the earliest expiration of its SOA's RRSIGs
 * (0: answered unsigned, -1: no answer; *why says what failed). */
static time_t served_expiration(const conf_t *conf, const char *origin, char *why, size_t cap)
{
	if (conf->dns.listen_count == 0) {
		snprintf(why, cap, "no dns.listen address");
		return -1;
	}
	const conf_sockaddr_t *l = &conf->dns.listen[0];
	ldns_rdf *server = NULL;
	uint16_t port;
	if (l->addr.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&l->addr;
		struct in_addr a = in->sin_addr;
		if (a.s_addr == htonl(INADDR_ANY))
			a.s_addr = htonl(INADDR_LOOPBACK);
		server = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, &a);
		port = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&l->addr;
		struct in6_addr a = in6->sin6_addr;
		if (IN6_IS_ADDR_UNSPECIFIED(&a))
			a = in6addr_loopback;
		server = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, &a);
		port = ntohs(in6->sin6_port);
	}
	ldns_resolver *res = ldns_resolver_new();
	ldns_rdf *name = ldns_dname_new_frm_str(origin);
	time_t exp = -1;
	if (res == NULL || server == NULL || name == NULL ||
	    ldns_resolver_push_nameserver(res, server) != LDNS_STATUS_OK) {
		snprintf(why, cap, "out of memory");
		goto out;
	}
	ldns_resolver_set_port(res, port);
	ldns_resolver_set_dnssec(res, true);
	ldns_resolver_set_recursive(res, false);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_timeout(res, (struct timeval){.tv_sec = 2});
	ldns_pkt *pkt = NULL;
	ldns_status st = ldns_resolver_send(&pkt, res, name, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
	if (st != LDNS_STATUS_OK || pkt == NULL) {
		snprintf(why, cap, "no answer from %s: %s", l->text, ldns_get_errorstr_by_id(st));
		goto out;
	}
	ldns_rr_list *sigs =
	    ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER);
	exp = 0;
	for (size_t i = 0; sigs != NULL && i < ldns_rr_list_rr_count(sigs); i++) {
		time_t e = ldns_rdf2native_time_t(ldns_rr_rrsig_expiration(ldns_rr_list_rr(sigs, i)));
		if (exp == 0 || e < exp)
			exp = e;
	}
	ldns_rr_list_deep_free(sigs);
	ldns_pkt_free(pkt);
out:
	ldns_rdf_deep_free(name);
	if (res != NULL)
		ldns_resolver_deep_free(res);
	else
		ldns_rdf_deep_free(server);
	return exp;
}

static void time_text(time_t t, char *out, size_t cap)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ctl_zones_run(const ctl_args_t *args, const conf_t *conf)
{
	ctl_json_t j;

	if (args->json) {
		ctl_json_init(&j, stdout);
		ctl_json_array_begin(&j);
	}
	for (size_t i = 0; i < conf->dns.zone_count; i++) {
		const conf_zone_t *z = &conf->dns.zones[i];
		char why[512] = "", until[32] = "", next[32] = "";
		time_t exp = served_expiration(conf, z->origin, why, sizeof(why));
		bool at_load = z->dnssec_keys != NULL;
		time_t renew = exp > 0 && at_load ? exp - (time_t)(z->dnssec_refresh_ms / 1000) : 0;
		if (exp > 0)
			time_text(exp, until, sizeof(until));
		if (renew > 0)
			time_text(renew, next, sizeof(next));
		const char *signing = at_load ? "at load" : exp > 0 ? "pre-signed" : exp == 0 ? "unsigned" : "unknown";
		if (args->json) {
			ctl_json_object_begin(&j);
			ctl_json_kv_string(&j, "zone", z->origin);
			ctl_json_kv_string(&j, "file", z->file);
			ctl_json_kv_string(&j, "signing", signing);
			if (at_load) {
				ctl_json_kv_string(&j, "denial", z->dnssec_nsec3 ? "NSEC3" : "NSEC");
				ctl_json_kv_uint(&j, "signature_validity_s", z->dnssec_validity_ms / 1000);
				ctl_json_kv_uint(&j, "refresh_s", z->dnssec_refresh_ms / 1000);
				ctl_json_key(&j, "keys");
				ctl_json_array_begin(&j);
				for (size_t k = 0; z->dnssec_keys[k] != NULL; k++) {
					key_info_t key;
					key_read(z->dnssec_keys[k], &key);
					ctl_json_object_begin(&j);
					ctl_json_kv_string(&j, "file", key.path);
					if (key.ok) {
						ctl_json_kv_uint(&j, "tag", key.tag);
						ctl_json_kv_uint(&j, "algorithm", key.algorithm);
						ctl_json_kv_string(&j, "role", key.ksk ? "KSK" : "ZSK");
					}
					ctl_json_object_end(&j);
				}
				ctl_json_array_end(&j);
			}
			ctl_json_kv_string(&j, "signatures_until", exp > 0 ? until : NULL);
			ctl_json_kv_string(&j, "next_renewal", renew > 0 ? next : NULL);
			ctl_json_kv_string(&j, "server_problem", exp < 0 ? why : NULL);
			ctl_json_object_end(&j);
			continue;
		}
		printf("%s  %s\n  signing: %s", z->origin, z->file, signing);
		if (at_load)
			printf(", %s, signatures valid %us, renewed when %us are left",
			       z->dnssec_nsec3 ? "NSEC3" : "NSEC", z->dnssec_validity_ms / 1000,
			       z->dnssec_refresh_ms / 1000);
		printf("\n");
		for (size_t k = 0; at_load && z->dnssec_keys[k] != NULL; k++) {
			key_info_t key;
			key_read(z->dnssec_keys[k], &key);
			if (key.ok)
				printf("  key %u algorithm %u %s  %s\n", key.tag, key.algorithm,
				       key.ksk ? "KSK" : "ZSK", key.path);
			else
				printf("  key ? (no readable .key beside it)  %s\n", key.path);
		}
		if (exp > 0)
			printf("  served: signatures valid until %s%s%s\n", until,
			       renew > 0 ? ", next renewal " : "", renew > 0 ? next : "");
		else if (exp == 0)
			printf("  served: unsigned\n");
		else
			printf("  served: unknown (%s)\n", why);
	}
	if (args->json) {
		ctl_json_array_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
	}
	return CTL_EXIT_OK;
}
