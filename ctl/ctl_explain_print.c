/* SPDX-License-Identifier: MIT */
/* ctl_explain_print.c -- how `meridianctl explain` shows an explanation: table and --json */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "ctl/ctl_explain.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_state.h"

static const int families[CTL_EXPLAIN_FAMILIES] = {AF_INET, AF_INET6};
static const char *const qtypes[CTL_EXPLAIN_FAMILIES] = {"A", "AAAA"};
static const char *const family_words[CTL_EXPLAIN_FAMILIES] = {"IPv4", "IPv6"};

static bool has_family(const conf_datacenter_t *d, int family)
{
	for (size_t i = 0; i < d->address_count; i++)
		if (d->addresses[i].family == family)
			return true;
	return false;
}

/* "EU/GB/ENG": as much of continent/country/subdivision as the record has. */
static const char *place_text(const geo_loc_t *loc, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", loc->continent[0] != '\0' ? loc->continent : "?",
		 loc->country[0] != '\0' ? "/" : "", loc->country,
		 loc->subdivision[0] != '\0' ? "/" : "", loc->subdivision);
	return buf;
}

static void append(char *buf, size_t len, const char *phrase)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s%s", used > 0 ? "; " : "", phrase);
}

/* Why candidate i was or was not chosen, for each family. */
static const char *chosen_text(const conf_t *conf, const ctl_explanation_t *ex, size_t i, char *buf,
			       size_t len)
{
	const ctl_explain_candidate_t *c = &ex->cand[i];
	const conf_datacenter_t *d = &conf->datacenters[c->dc];
	bool picked[CTL_EXPLAIN_FAMILIES], fail_open = false;
	char phrase[96];

	buf[0] = '\0';
	for (size_t f = 0; f < CTL_EXPLAIN_FAMILIES; f++) {
		picked[f] = ex->pick[f] == (int)i;
		fail_open |= picked[f] && ex->fail_open[f];
	}
	if (picked[0] || picked[1]) {
		snprintf(phrase, sizeof(phrase), "answers %s%s",
			 picked[0] && picked[1] ? "A and AAAA"
			 : picked[0]		? "A"
						: "AAAA",
			 fail_open ? " (fail open)" : "");
		append(buf, len, phrase);
	}
	if (!c->serving) {
		snprintf(phrase, sizeof(phrase), "not serving (%s)",
			 state_dc_state_name(c->state));
		append(buf, len, phrase);
	}
	for (size_t f = 0; f < CTL_EXPLAIN_FAMILIES; f++) {
		/* Considered for this family before the pick (or with none picked) and passed
		 * over for want of addresses. */
		if (!picked[f] && (ex->pick[f] < 0 || ex->pick[f] > (int)i) &&
		    !has_family(d, families[f])) {
			snprintf(phrase, sizeof(phrase), "no %s addresses", family_words[f]);
			append(buf, len, phrase);
		}
	}
	if (buf[0] == '\0')
		append(buf, len, "lower preference");
	return buf;
}

/* The k-th address of family in d (the pick's index counts that family only). */
static const conf_ipaddr_t *family_address(const conf_datacenter_t *d, int family, unsigned k)
{
	for (size_t i = 0; i < d->address_count; i++)
		if (d->addresses[i].family == family && k-- == 0)
			return &d->addresses[i];
	return NULL;
}

/* The addresses the pick answers from datacenter d in one family, comma-separated. */
static const char *addresses_text(const conf_datacenter_t *d, int family,
				  const geo_pick_result_t *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < r->addr_count && used < len; i++) {
		const conf_ipaddr_t *a = family_address(d, family, geo_pick_addr_index(r, i));
		char text[INET6_ADDRSTRLEN];

		if (a == NULL)
			continue;
		inet_ntop(family, a->bytes, text, sizeof(text));
		used +=
		    (size_t)snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "", text);
	}
	return buf;
}

/* What the pick says beyond nearest and fail open: " (record weight 90 of 100, bucket
 * ...)", "" when nothing more. */
static const char *pick_text(const geo_pick_result_t *r, char *buf, size_t len)
{
	char phrase[160];

	buf[0] = '\0';
	if (r->reasons & (GEO_PICK_WEIGHT | GEO_PICK_ENTRY_WEIGHT)) {
		snprintf(phrase, sizeof(phrase), "%s weight %u of %u",
			 r->reasons & GEO_PICK_WEIGHT ? "record" : "entry", r->weight,
			 r->weight_total);
		append(buf, len, phrase);
	}
	if (r->reasons & GEO_PICK_SPILL) {
		snprintf(phrase, sizeof(phrase),
			 "spilled: spare %u of %u taken for a demand of %llu%s", r->weight,
			 r->weight_total, (unsigned long long)r->demand,
			 r->reasons & GEO_PICK_CAPACITY_SHORT ? ", capacity short" : "");
		append(buf, len, phrase);
	}
	if (r->reasons & GEO_PICK_ADDR_CAPPED) {
		snprintf(phrase, sizeof(phrase), "%u addresses chosen for the network",
			 r->addr_count);
		append(buf, len, phrase);
	}
	if (r->reasons & GEO_PICK_ADDR_UNHEALTHY)
		append(buf, len, "unhealthy addresses left out");
	if (r->reasons & GEO_PICK_SHORT_TTL) {
		snprintf(phrase, sizeof(phrase), "ttl %u: in transition", r->ttl);
		append(buf, len, phrase);
	}
	if (r->reasons & GEO_PICK_HASHED) {
		snprintf(phrase, sizeof(phrase), "bucket %016llx", (unsigned long long)r->bucket);
		append(buf, len, phrase);
	}
	if (buf[0] != '\0') {
		/* "a; b" -> " (a, b)" */
		size_t n = strlen(buf);
		for (size_t i = 0; i < n; i++)
			if (buf[i] == ';')
				buf[i] = ',';
		if (n + 3 < len) {
			memmove(buf + 2, buf, n + 1);
			buf[0] = ' ';
			buf[1] = '(';
			buf[n + 2] = ')';
			buf[n + 3] = '\0';
		}
	}
	return buf;
}

static const char *ranked_by_text(const ctl_explain_candidate_t *c, char *buf, size_t len)
{
	if (c->rule != NULL)
		snprintf(buf, len, "%s %s", geo_why_name(c->why), c->rule);
	else
		snprintf(buf, len, "%s", geo_why_name(c->why));
	return buf;
}

static int print_text(FILE *out, const conf_t *conf, const ctl_explanation_t *ex)
{
	char client[INET6_ADDRSTRLEN], place[32], row[8][320];
	ctl_table_t table;
	int rc;

	inet_ntop(ex->family, ex->addr, client, sizeof(client));
	fprintf(out, "%s for %s/%u\n", conf->records[ex->record].name, client, ex->source_prefix);
	if (ex->form != GEO_FORM_NATIVE) {
		char v4[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, ex->v4, v4, sizeof(v4));
		fprintf(out, "form:     %s, located as %s\n", geo_forms[ex->form].name, v4);
	}
	if (!ex->located)
		fprintf(out, "client:   not in the GeoIP database (network %s)\n", ex->network);
	else if (ex->loc.has_location)
		fprintf(out, "client:   %s at %.4f, %.4f (GeoIP network %s)\n",
			place_text(&ex->loc, place, sizeof(place)), ex->loc.latitude,
			ex->loc.longitude, ex->network);
	else
		fprintf(out, "client:   %s, no coordinates (GeoIP network %s)\n",
			place_text(&ex->loc, place, sizeof(place)), ex->network);
	if (ex->nets_rule != NULL)
		fprintf(out, "rule:     nets %s decides by address\n", ex->nets_rule);
	else if (ex->map_rule != NULL)
		fprintf(out, "rule:     map %s\n", ex->map_rule);
	else
		fprintf(out, "rule:     no nets or map rule matches\n");
	if (!ex->have_state)
		fprintf(out, "state:    no state store yet: every datacenter counts as serving\n");
	fputc('\n', out);

	ctl_table_init(&table, 6);
	ctl_table_row(&table, (const char *const[]){"#", "DATACENTER", "DISTANCE", "RANKED BY",
						    "STATE", "CHOSEN"});
	for (size_t i = 0; i < ex->count; i++) {
		const ctl_explain_candidate_t *c = &ex->cand[i];

		snprintf(row[0], sizeof(row[0]), "%zu", i + 1);
		if (c->distance_km >= 0)
			snprintf(row[2], sizeof(row[2]), "%.0f km", c->distance_km);
		else
			snprintf(row[2], sizeof(row[2]), "-");
		snprintf(row[4], sizeof(row[4]), "%s%s%s%s", ctl_dc_state_label((int)c->state),
			 c->held[0] ? " (" : "", c->held, c->held[0] ? ")" : "");
		ctl_table_row(&table, (const char *const[]){
					  row[0], conf->datacenters[c->dc].name, row[2],
					  ranked_by_text(c, row[3], sizeof(row[3])), row[4],
					  chosen_text(conf, ex, i, row[5], sizeof(row[5]))});
	}
	rc = ctl_table_print(&table, out);
	ctl_table_free(&table);

	fputc('\n', out);
	for (size_t f = 0; f < CTL_EXPLAIN_FAMILIES; f++) {
		const conf_datacenter_t *d;

		if (ex->pick[f] < 0) {
			fprintf(out, "answer %-4s  none: no candidate has %s addresses (NODATA)\n",
				qtypes[f], family_words[f]);
			continue;
		}
		d = &conf->datacenters[ex->cand[ex->pick[f]].dc];
		fprintf(out, "answer %-4s  %s from %s%s%s\n", qtypes[f],
			addresses_text(d, families[f], &ex->result[f], row[0], sizeof(row[0])),
			d->name,
			ex->fail_open[f] ? " (fail open: no serving candidate has such addresses)"
					 : "",
			pick_text(&ex->result[f], row[1], sizeof(row[1])));
	}
	/* why the TTL is short: the candidates in transition the answer depends on */
	const geo_pick_result_t *shortened = NULL;
	for (size_t f = 0; f < CTL_EXPLAIN_FAMILIES; f++)
		if (ex->pick[f] >= 0 && (ex->result[f].reasons & GEO_PICK_SHORT_TTL))
			shortened = &ex->result[f];
	if (shortened != NULL) {
		fprintf(out, "TTL          %u s, not %u: the answer could change soon\n",
			shortened->ttl, conf->records[ex->record].ttl);
		for (size_t i = 0; i < ex->count; i++)
			if (ex->cand[i].in_transition)
				fprintf(out, "             %s: %s\n",
					conf->datacenters[ex->cand[i].dc].name, ex->cand[i].transition);
	}
	for (size_t i = 0; i < ex->count; i++)
		if (ex->cand[i].addresses[0] != '\0')
			fprintf(out, "addresses    %s: %s\n", conf->datacenters[ex->cand[i].dc].name,
				ex->cand[i].addresses);
	if (!ex->varies)
		fprintf(out, "ECS scope    /0 (the record answers every client alike)\n");
	else if (ex->source_prefix == 0)
		fprintf(out,
			"ECS scope    /0 (source prefix 0: the resolver's own address decides)\n");
	else if (ex->result[0].scope != ex->scope || ex->result[1].scope != ex->scope)
		fprintf(out, "ECS scope    /%u (A), /%u (AAAA): the lookup's /%u, narrowed where "
			     "a hash decides\n",
			ex->result[0].scope, ex->result[1].scope, ex->scope);
	else
		fprintf(out, "ECS scope    /%u\n", ex->scope);
	if (!ex->trie_agrees)
		fprintf(out, "warning: the compiled trie orders this client differently (a geo "
			     "library bug; please report)\n");
	return rc;
}

static void json_candidate(ctl_json_t *j, const conf_t *conf, const ctl_explanation_t *ex, size_t i)
{
	const ctl_explain_candidate_t *c = &ex->cand[i];
	const conf_datacenter_t *d = &conf->datacenters[c->dc];
	char text[320];

	ctl_json_object_begin(j);
	ctl_json_kv_uint(j, "rank", i + 1);
	ctl_json_kv_string(j, "datacenter", d->name);
	ctl_json_key(j, "distance_km");
	if (c->distance_km >= 0)
		ctl_json_double(j, c->distance_km);
	else
		ctl_json_null(j);
	ctl_json_kv_string(j, "ranked_by", geo_why_name(c->why));
	ctl_json_kv_string(j, "rule", c->rule);
	ctl_json_kv_string(j, "state", state_dc_state_name(c->state));
	ctl_json_kv_bool(j, "serving", c->serving);
	ctl_json_key(j, "chosen_for");
	ctl_json_array_begin(j);
	for (size_t f = 0; f < CTL_EXPLAIN_FAMILIES; f++)
		if (ex->pick[f] == (int)i)
			ctl_json_string(j, qtypes[f]);
	ctl_json_array_end(j);
	ctl_json_kv_string(j, "why", chosen_text(conf, ex, i, text, sizeof(text)));
	ctl_json_kv_string(j, "held", c->held);
	ctl_json_kv_bool(j, "in_transition", c->in_transition);
	ctl_json_kv_string(j, "transition", c->in_transition ? c->transition : NULL);
	ctl_json_kv_string(j, "addresses", c->addresses[0] ? c->addresses : NULL);
	ctl_json_object_end(j);
}

static void json_addresses(ctl_json_t *j, const conf_datacenter_t *d, int family,
			   const geo_pick_result_t *r)
{
	ctl_json_array_begin(j);
	for (unsigned i = 0; i < r->addr_count; i++) {
		const conf_ipaddr_t *a = family_address(d, family, geo_pick_addr_index(r, i));
		char text[INET6_ADDRSTRLEN];

		if (a == NULL)
			continue;
		inet_ntop(family, a->bytes, text, sizeof(text));
		ctl_json_string(j, text);
	}
	ctl_json_array_end(j);
}

/* The pick's own account of one family's answer: TTL, scope, reasons, the hash. */
static void json_pick(ctl_json_t *j, const geo_pick_result_t *r)
{
	char bucket[24];

	ctl_json_kv_uint(j, "ttl", r->ttl);
	ctl_json_kv_uint(j, "scope", r->scope);
	ctl_json_key(j, "reasons");
	ctl_json_array_begin(j);
	for (unsigned b = 0; b < GEO_PICK_REASONS; b++)
		if (r->reasons & (1u << b))
			ctl_json_string(j, geo_pick_reason_name(1u << b));
	ctl_json_array_end(j);
	snprintf(bucket, sizeof(bucket), "%016llx", (unsigned long long)r->bucket);
	ctl_json_kv_string(j, "bucket", r->reasons & GEO_PICK_HASHED ? bucket : NULL);
	ctl_json_kv_uint(j, "weight", r->weight);
	ctl_json_kv_uint(j, "weight_total", r->weight_total);
	ctl_json_kv_uint(j, "demand", r->demand);
	ctl_json_kv_uint(j, "spare", r->spare);
}

static int print_json(FILE *out, const conf_t *conf, const ctl_explanation_t *ex)
{
	char client[INET6_ADDRSTRLEN];
	ctl_json_t j;

	inet_ntop(ex->family, ex->addr, client, sizeof(client));
	ctl_json_init(&j, out);
	ctl_json_object_begin(&j);
	ctl_json_kv_string(&j, "name", conf->records[ex->record].name);
	ctl_json_kv_string(&j, "client", client);
	ctl_json_kv_uint(&j, "source_prefix", ex->source_prefix);
	ctl_json_key(&j, "location");
	ctl_json_object_begin(&j);
	ctl_json_kv_bool(&j, "found", ex->located);
	ctl_json_kv_string(&j, "network", ex->network);
	ctl_json_kv_string(&j, "continent", ex->loc.continent);
	ctl_json_kv_string(&j, "country", ex->loc.country);
	ctl_json_kv_string(&j, "subdivision", ex->loc.subdivision);
	ctl_json_key(&j, "latitude");
	if (ex->loc.has_location)
		ctl_json_double(&j, ex->loc.latitude);
	else
		ctl_json_null(&j);
	ctl_json_key(&j, "longitude");
	if (ex->loc.has_location)
		ctl_json_double(&j, ex->loc.longitude);
	else
		ctl_json_null(&j);
	ctl_json_object_end(&j);
	ctl_json_kv_string(&j, "nets_rule", ex->nets_rule);
	ctl_json_kv_string(&j, "map_rule", ex->map_rule);
	ctl_json_key(&j, "located_as");
	if (ex->form != GEO_FORM_NATIVE) {
		char v4[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, ex->v4, v4, sizeof(v4));
		ctl_json_string(&j, v4);
	} else {
		ctl_json_null(&j);
	}
	ctl_json_kv_string(&j, "form",
			   ex->form != GEO_FORM_NATIVE ? geo_forms[ex->form].name : NULL);
	ctl_json_kv_bool(&j, "state_known", ex->have_state);
	ctl_json_key(&j, "candidates");
	ctl_json_array_begin(&j);
	for (size_t i = 0; i < ex->count; i++)
		json_candidate(&j, conf, ex, i);
	ctl_json_array_end(&j);
	ctl_json_key(&j, "answer");
	ctl_json_object_begin(&j);
	for (size_t f = 0; f < CTL_EXPLAIN_FAMILIES; f++) {
		const conf_datacenter_t *d;

		ctl_json_key(&j, qtypes[f]);
		if (ex->pick[f] < 0) {
			ctl_json_null(&j);
			continue;
		}
		d = &conf->datacenters[ex->cand[ex->pick[f]].dc];
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "datacenter", d->name);
		ctl_json_key(&j, "addresses");
		json_addresses(&j, d, families[f], &ex->result[f]);
		ctl_json_kv_bool(&j, "fail_open", ex->fail_open[f]);
		json_pick(&j, &ex->result[f]);
		ctl_json_object_end(&j);
	}
	ctl_json_object_end(&j);
	ctl_json_kv_bool(&j, "varies", ex->varies);
	ctl_json_kv_uint(&j, "scope", ex->scope);
	ctl_json_kv_bool(&j, "trie_agrees", ex->trie_agrees);
	ctl_json_object_end(&j);
	return ctl_json_finish(&j);
}

int ctl_explain_print(FILE *out, bool json, const conf_t *conf, const ctl_explanation_t *ex)
{
	return json ? print_json(out, conf, ex) : print_text(out, conf, ex);
}

int ctl_explain_print_line(FILE *out, const conf_t *conf, const ctl_explanation_t *ex)
{
	char client[INET6_ADDRSTRLEN];

	/* by hand, compact: thousands of lines are compared with a running server */
	inet_ntop(ex->family, ex->addr, client, sizeof(client));
	fprintf(out, "{\"client\":\"%s\",\"source_prefix\":%u", client, ex->source_prefix);
	for (size_t f = 0; f < CTL_EXPLAIN_FAMILIES; f++) {
		const geo_pick_result_t *r = &ex->result[f];
		const conf_datacenter_t *d;

		fprintf(out, ",\"%s\":", qtypes[f]);
		if (ex->pick[f] < 0) {
			fputs("null", out);
			continue;
		}
		d = &conf->datacenters[ex->cand[ex->pick[f]].dc];
		fprintf(out, "{\"datacenter\":\"%s\",\"addresses\":[", d->name);
		for (unsigned i = 0; i < r->addr_count; i++) {
			const conf_ipaddr_t *a = family_address(d, families[f], geo_pick_addr_index(r, i));
			char text[INET6_ADDRSTRLEN];

			if (a == NULL)
				continue;
			inet_ntop(families[f], a->bytes, text, sizeof(text));
			fprintf(out, "%s\"%s\"", i > 0 ? "," : "", text);
		}
		fprintf(out, "],\"ttl\":%u,\"scope\":%u,\"reasons\":[", r->ttl, r->scope);
		for (unsigned b = 0, n = 0; b < GEO_PICK_REASONS; b++)
			if (r->reasons & (1u << b))
				fprintf(out, "%s\"%s\"", n++ > 0 ? "," : "",
					geo_pick_reason_name(1u << b));
		fputs("]}", out);
	}
	fputs("}\n", out);
	return ferror(out) ? -1 : 0;
}
