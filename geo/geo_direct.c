/* SPDX-License-Identifier: MIT */
/* geo_direct.c -- one client's datacenter order straight from the mapped mmdb file */

/*
 * Concurrency: the handle is written only by geo_direct_open(); lookups read the
 * mapping through libmaxminddb, which keeps no state between calls, so any number of
 * threads may look up at once without locks.
 *
 * Why the order is the trie's: the trie's leaf for an address holds geo_order() of what
 * decided there -- the nets rule, with the precedence geo_nets_deciding() states (it
 * serves the explain), else the database record
 * (geo_mmdb_decode() of the same record geo_db_open() decodes). The lookup below
 * calls the same functions on the same inputs.
 *
 * Why the scope is never wider than the trie's (never wrong): the compiler recurses
 * from the root along every nets rule and every IPv6 form carrying IPv4, and below that
 * copies the database tree; so a trie leaf never reaches over a rule or form the client
 * is not in, nor over the database network it is in. The scope here is the tightest
 * prefix with those same properties, before the compiler's merging of equal neighbours
 * (which only widens the trie's). */
#include "config.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "geo/geo_addr.h"
#include "geo/geo_db.h"
#include "geo/geo_direct.h"
#include "geo/geo_mmdb.h"

struct geo_direct {
	MMDB_s mmdb;	     /* the open file (mmap'd, read only) */
	char *path;	     /* as given to geo_direct_open */
	unsigned ip_version; /* 4 or 6: the search tree's address length is 32 or 128 bits */
};

geo_direct_t *geo_direct_open(const char *path, char *err, size_t errlen)
{
	geo_direct_t *d = calloc(1, sizeof(*d));

	if (!d || !(d->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(d);
		return NULL;
	}
	if (geo_mmdb_open(path, &d->mmdb, err, errlen) < 0) {
		free(d->path);
		free(d);
		return NULL;
	}
	d->ip_version = d->mmdb.metadata.ip_version;
	return d;
}

void geo_direct_free(geo_direct_t *d)
{
	if (!d)
		return;
	if (d->mmdb.file_size)
		MMDB_close(&d->mmdb);
	free(d->path);
	free(d);
}

/* Looks up a native address of family (IPv4 or IPv6 that carries no IPv4). In an IPv6
 * file the IPv4 space is ::/96 (where geo_db_open() finds it too), so an IPv4 address
 * is looked up as ::a.b.c.d and the network length taken back to IPv4 bits; an IPv6
 * address in an IPv4 file has no record, in a network of the whole space. */
static int locate_native(const geo_direct_t *d, int family, const uint8_t *a, geo_loc_t *loc,
			 bool *found, unsigned *netlen, char *err, size_t errlen)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const struct sockaddr *sa = (const struct sockaddr *)&sin6;
	unsigned skip = 0;
	int mmdb_error = MMDB_SUCCESS;

	memset(loc, 0, sizeof(*loc));
	*found = false;
	*netlen = 0;
	if (family == AF_INET && d->ip_version == 4) {
		memcpy(&sin.sin_addr, a, 4);
		sa = (const struct sockaddr *)&sin;
	} else if (family == AF_INET) {
		memcpy(sin6.sin6_addr.s6_addr + 12, a, 4);
		skip = 96;
	} else if (d->ip_version == 4) {
		return 0;
	} else {
		memcpy(sin6.sin6_addr.s6_addr, a, 16);
	}
	MMDB_lookup_result_s res = MMDB_lookup_sockaddr(&d->mmdb, sa, &mmdb_error);
	if (mmdb_error != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: %s", d->path, MMDB_strerror(mmdb_error));
		return -1;
	}
	*netlen = res.netmask > skip ? res.netmask - skip : 0;
	if (!res.found_entry)
		return 0;
	int status = geo_mmdb_decode(&d->mmdb, res.entry.offset, loc);
	if (status != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: data record at offset %u: %s", d->path, res.entry.offset,
			 MMDB_strerror(status));
		return -1;
	}
	*found = true;
	return 0;
}

int geo_direct_locate(const geo_direct_t *d, int family, const uint8_t *addr, geo_loc_t *loc,
		      bool *found, unsigned *netlen, char *err, size_t errlen)
{
	if (family == AF_INET)
		return locate_native(d, AF_INET, addr, loc, found, netlen, err, errlen);
	if (family != AF_INET6) {
		snprintf(err, errlen, "%s: unsupported address family %d", d->path, family);
		return -1;
	}
	geo_form_t f = geo_addr_form(addr);
	if (f == GEO_FORM_NATIVE)
		return locate_native(d, AF_INET6, addr, loc, found, netlen, err, errlen);
	uint8_t v4[4];
	geo_addr_embedded_v4(f, addr, v4);
	if (locate_native(d, AF_INET, v4, loc, found, netlen, err, errlen) < 0)
		return -1;
	*netlen += geo_forms[f].v4_offset;
	return 0;
}

static unsigned max_u(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

/* The shortest scope of at least `scope` bits whose prefix of a holds no nets rule of
 * family that does not hold a: the trie cuts every rule's CIDR in, so a scope reaching
 * over such a rule would be wrong for the addresses inside it. (Rules holding a are
 * either the deciding one or hold the whole prefix.) */
static unsigned past_rules(const geo_rules_t *rules, int family, const uint8_t *a, unsigned scope)
{
	for (size_t i = 0; i < rules->net_count; i++) {
		const geo_net_rule_t *n = &rules->nets[i];
		if (n->family != family)
			continue;
		unsigned common = geo_addr_common_bits(a, n->addr, n->prefix);
		if (common < n->prefix)
			scope = max_u(scope, common + 1);
	}
	return scope;
}

/* The same for the IPv6 forms carrying IPv4, for a native address outside ::/96: their
 * clients are answered as IPv4 clients, so no native scope may reach over them. */
static unsigned past_forms(const uint8_t *a, unsigned scope)
{
	for (int f = GEO_FORM_MAPPED; f < GEO_FORM_COUNT; f++) {
		unsigned common =
		    geo_addr_common_bits(a, geo_forms[f].prefix, geo_forms[f].prefix_len);
		if (common < geo_forms[f].prefix_len)
			scope = max_u(scope, common + 1);
	}
	return scope;
}

/* The order for the client decided by nets rule net, or else by its database record
 * (native family address a); *scope is lengthened to the rule's or the network's. */
static int decide(const geo_direct_t *d, const geo_dc_t *dcs, const geo_rules_t *rules, int family,
		  const uint8_t *a, const geo_net_rule_t *net, geo_choice_t *out, size_t *count,
		  unsigned *scope, char *err, size_t errlen)
{
	geo_loc_t loc;
	bool found;
	unsigned netlen;

	if (net) {
		*scope = max_u(*scope, net->prefix);
		*count = geo_order(dcs, rules, NULL, net, out);
		return 0;
	}
	if (locate_native(d, family, a, &loc, &found, &netlen, err, errlen) < 0)
		return -1;
	*scope = max_u(*scope, netlen);
	*count = geo_order(dcs, rules, found ? &loc : NULL, NULL, out);
	return 0;
}

static int lookup_v4(const geo_direct_t *d, const geo_dc_t *dcs, const geo_rules_t *rules,
		     const uint8_t *a, geo_choice_t *out, size_t *count, unsigned *scope, char *err,
		     size_t errlen)
{
	*scope = past_rules(rules, AF_INET, a, 0);
	return decide(d, dcs, rules, AF_INET, a, geo_nets_match(rules, AF_INET, a), out, count,
		      scope, err, errlen);
}

/* An IPv6 client inside a form carrying IPv4: IPv6 rules at least as long as the form's
 * prefix decide, else it is the IPv4 client it carries, its scope shifted by the offset
 * of the IPv4 bits (geo_trie_lookup() does the same). */
static int lookup_form(const geo_direct_t *d, const geo_dc_t *dcs, const geo_rules_t *rules,
		       geo_form_t form, const uint8_t *a, geo_choice_t *out, size_t *count,
		       unsigned *scope, char *err, size_t errlen)
{
	static const uint8_t zero[16];
	const geo_form_desc_t *desc = &geo_forms[form];
	unsigned s = past_rules(rules, AF_INET6, a, desc->prefix_len);

	/* ::/127 inside ::/96 is native, not IPv4 0.0.0.0/31 */
	if (form == GEO_FORM_COMPAT)
		s = max_u(s, geo_addr_common_bits(a, zero, 127) + 1);
	const geo_net_rule_t *net = geo_nets_match_from(rules, AF_INET6, a, desc->prefix_len);
	if (net) {
		*scope = max_u(s, net->prefix);
		*count = geo_order(dcs, rules, NULL, net, out);
		return 0;
	}
	uint8_t v4[4];
	unsigned s4;
	geo_addr_embedded_v4(form, a, v4);
	if (lookup_v4(d, dcs, rules, v4, out, count, &s4, err, errlen) < 0)
		return -1;
	*scope = max_u(s, s4 + desc->v4_offset);
	return 0;
}

/* geo_direct_lookup() but for its failure contract. */
static int lookup(const geo_direct_t *d, const geo_dc_t *dcs, const geo_rules_t *rules, int family,
		  const uint8_t *addr, unsigned source_prefix, geo_choice_t *out, size_t *count,
		  unsigned *scope, char *err, size_t errlen)
{
	uint8_t a[16];

	if (family == AF_INET) {
		geo_addr_mask(AF_INET, addr, source_prefix, a);
		return lookup_v4(d, dcs, rules, a, out, count, scope, err, errlen);
	}
	geo_addr_mask(AF_INET6, addr, source_prefix, a);
	geo_form_t form = geo_addr_form(a);
	if (form != GEO_FORM_NATIVE)
		return lookup_form(d, dcs, rules, form, a, out, count, scope, err, errlen);
	/* :: and ::1: only IPv6 rules from /96 on apply (the compiler entered ::/96 as
	 * IPv4 first), and the scope cannot be shorter than ::/127 */
	bool low = geo_addr_is_unspecified_or_loopback(a);
	unsigned s = past_rules(rules, AF_INET6, a, low ? 127 : 0);
	if (!low)
		s = past_forms(a, s);
	*scope = s;
	return decide(d, dcs, rules, AF_INET6, a,
		      geo_nets_match_from(rules, AF_INET6, a, low ? 96 : 0), out, count, scope, err,
		      errlen);
}

int geo_direct_lookup(const geo_direct_t *d, const geo_dc_t *dcs, const geo_rules_t *rules,
		      int family, const uint8_t *addr, unsigned source_prefix, geo_choice_t *out,
		      size_t *count, unsigned *scope, char *err, size_t errlen)
{
	*count = 0;
	*scope = 0;
	if (family != AF_INET && family != AF_INET6) {
		snprintf(err, errlen, "%s: unsupported address family %d", d->path, family);
		return -1;
	}
	if (lookup(d, dcs, rules, family, addr, source_prefix, out, count, scope, err, errlen) <
	    0) {
		*count = 0;
		*scope = family == AF_INET ? 32 : 128;
		return -1;
	}
	return 0;
}
