/* SPDX-License-Identifier: MIT */
/* repl_codec.c -- the JSON wire format of pull requests, change batches and cursors */
#include "config.h"

#include "replicator/repl_codec.h"

#include "base/json_doc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool repl_origin_valid(const char *origin)
{
	size_t n = 0;
	for (; origin[n] != '\0'; n++) {
		char c = origin[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return n > 0 && n < STATE_NAME_MAX;
}

static int encode_cursors(repl_buf_t *out, const state_cursor_t *c, size_t n)
{
	int rc = repl_buf_append(out, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			rc |= repl_buf_append(out, ",", 1);
		rc |= repl_buf_json_string(out, c[i].origin);
		rc |= repl_buf_printf(out, ":%" PRIu64, c[i].seq);
	}
	rc |= repl_buf_append(out, "}", 1);
	return rc ? -1 : 0;
}

/* Reads {"origin": seq, ...} into c (at most REPL_ORIGINS_MAX, no duplicates). */
static int decode_cursors(const json_doc_t *doc, const json_node_t *obj, state_cursor_t *c,
			  size_t *count, const char *what, char *err, size_t errlen)
{
	*count = 0;
	if (obj->type != JSON_DOC_OBJECT) {
		snprintf(err, errlen, "%s: not an object", what);
		return -1;
	}
	if (obj->count / 2 > REPL_ORIGINS_MAX) {
		snprintf(err, errlen, "%s: more than %d origins", what, REPL_ORIGINS_MAX);
		return -1;
	}
	for (const json_node_t *k = json_doc_child(doc, obj); k != NULL;) {
		const json_node_t *v = json_doc_next(doc, k);
		state_cursor_t *cur = &c[*count];
		if (json_doc_string(doc, k, cur->origin, sizeof(cur->origin)) != 0 ||
		    !repl_origin_valid(cur->origin)) {
			snprintf(err, errlen, "%s: bad origin", what);
			return -1;
		}
		if (v == NULL || json_doc_u64(doc, v, &cur->seq) != 0) {
			snprintf(err, errlen, "%s.%s: not a sequence number", what, cur->origin);
			return -1;
		}
		for (size_t i = 0; i < *count; i++)
			if (strcmp(c[i].origin, cur->origin) == 0) {
				snprintf(err, errlen, "%s.%s: duplicate origin", what, cur->origin);
				return -1;
			}
		(*count)++;
		k = json_doc_next(doc, v);
	}
	return 0;
}

int repl_pull_encode(const repl_pull_t *pull, repl_buf_t *out)
{
	int rc = repl_buf_append(out, "{\"cursors\":", 11);
	rc |= encode_cursors(out, pull->cursors, pull->count);
	rc |= repl_buf_printf(out, ",\"max\":%" PRIu32 ",\"wait_ms\":%" PRIu32 "}", pull->max,
			      pull->wait_ms);
	return rc || out->overflow ? -1 : 0;
}

static int get_u64(const json_doc_t *doc, const json_node_t *obj, const char *key,
		   uint64_t min, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	const json_node_t *v = json_doc_get(doc, obj, key);
	if (v == NULL) {
		snprintf(err, errlen, "%s: missing", key);
		return -1;
	}
	if (json_doc_u64(doc, v, out) != 0 || *out < min || *out > max) {
		snprintf(err, errlen, "%s: not an integer in %" PRIu64 "..%" PRIu64, key, min, max);
		return -1;
	}
	return 0;
}

int repl_pull_decode(const char *text, size_t len, repl_pull_t *pull, char *err, size_t errlen)
{
	json_doc_t doc;
	char jerr[128];
	uint64_t v;
	int rc = -1;

	memset(pull, 0, sizeof(*pull));
	if (json_doc_parse(text, len, &doc, jerr, sizeof(jerr)) != 0) {
		snprintf(err, errlen, "malformed JSON: %s", jerr);
		return -1;
	}
	const json_node_t *root = &doc.nodes[0], *cur;
	if (root->type != JSON_DOC_OBJECT) {
		snprintf(err, errlen, "request is not a JSON object");
		goto out;
	}
	cur = json_doc_get(&doc, root, "cursors");
	if (cur == NULL) {
		snprintf(err, errlen, "cursors: missing");
		goto out;
	}
	if (decode_cursors(&doc, cur, pull->cursors, &pull->count, "cursors", err, errlen) != 0)
		goto out;
	if (get_u64(&doc, root, "max", 1, 100000, &v, err, errlen) != 0)
		goto out;
	pull->max = (uint32_t)v;
	if (get_u64(&doc, root, "wait_ms", 0, 600000, &v, err, errlen) != 0)
		goto out;
	pull->wait_ms = (uint32_t)v;
	rc = 0;
out:
	json_doc_free(&doc);
	return rc;
}

int repl_batch_encode_begin(repl_buf_t *out, const char *region, int64_t now_ms,
			    const state_cursor_t *heads, size_t head_count)
{
	int rc = repl_buf_append(out, "{\"region\":", 10);
	rc |= repl_buf_json_string(out, region);
	rc |= repl_buf_printf(out, ",\"now_ms\":%" PRId64 ",\"heads\":", now_ms);
	rc |= encode_cursors(out, heads, heads ? head_count : 0);
	rc |= repl_buf_append(out, ",\"entries\":[", 12);
	return rc ? -1 : 0;
}

int repl_batch_encode_entry(repl_buf_t *out, const state_change_t *c, bool first)
{
	int rc = 0;
	if (!first)
		rc |= repl_buf_append(out, ",", 1);
	rc |= repl_buf_append(out, "{\"origin\":", 10);
	rc |= repl_buf_json_string(out, c->origin);
	rc |= repl_buf_printf(out, ",\"seq\":%" PRIu64 ",\"hlc\":%" PRIu64 ",\"table\":", c->seq,
			      c->hlc);
	rc |= repl_buf_json_string(out, c->table);
	rc |= repl_buf_append(out, ",\"key\":", 7);
	rc |= repl_buf_json_string(out, c->key);
	rc |= repl_buf_append(out, ",\"row\":", 7);
	/* The row is JSON the state library wrote; an absent row is a null (tombstone). Text
	 * that is not UTF-8 goes out as \ufffd, which our parser accepts. */
	if (c->row_json != NULL && c->row_json[0] != '\0')
		rc |= repl_buf_json_text(out, c->row_json, strlen(c->row_json));
	else
		rc |= repl_buf_append(out, "null", 4);
	rc |= repl_buf_append(out, "}", 1);
	return rc ? -1 : 0;
}

int repl_batch_encode_end(repl_buf_t *out, bool more)
{
	int rc = repl_buf_printf(out, "],\"more\":%s}", more ? "true" : "false");
	return rc || out->overflow ? -1 : 0;
}

int repl_batch_encode_end_digests(repl_buf_t *out, bool more, const state_digest_t *d,
				  size_t count, const uint64_t *you)
{
	int rc = repl_buf_append(out, "],\"digests\":[", 13);
	for (size_t i = 0; i < count && i < REPL_DIGESTS_MAX; i++) {
		rc |= repl_buf_append(out, i ? ",[" : "[", i ? 2 : 1);
		rc |= repl_buf_json_string(out, d[i].table);
		rc |= repl_buf_append(out, ",", 1);
		rc |= repl_buf_json_string(out, d[i].origin);
		rc |= repl_buf_printf(out, ",%" PRIu64 ",%" PRIu64 "]",
				      (uint64_t)(d[i].rows < 0 ? 0 : d[i].rows), d[i].sum);
	}
	rc |= repl_buf_append(out, "]", 1);
	if (you != NULL)
		rc |= repl_buf_printf(out, ",\"you\":[%" PRIu64 ",%" PRIu64 "]", you[0], you[1]);
	rc |= repl_buf_printf(out, ",\"more\":%s}", more ? "true" : "false");
	return rc || out->overflow ? -1 : 0;
}

static int decode_digests(const json_doc_t *doc, const json_node_t *arr, repl_batch_t *b,
			  char *err, size_t errlen)
{
	if (arr->type != JSON_DOC_ARRAY || arr->count > REPL_DIGESTS_MAX) {
		snprintf(err, errlen, "digests: not an array of at most %d", REPL_DIGESTS_MAX);
		return -1;
	}
	b->has_digests = true;
	if (arr->count == 0)
		return 0;
	b->digests = calloc(arr->count, sizeof(*b->digests));
	if (b->digests == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (const json_node_t *e = json_doc_child(doc, arr); e != NULL;
	     e = json_doc_next(doc, e)) {
		repl_digest_t *d = &b->digests[b->digest_count];
		const json_node_t *t = json_doc_child(doc, e);
		const json_node_t *o = t ? json_doc_next(doc, t) : NULL;
		const json_node_t *r = o ? json_doc_next(doc, o) : NULL;
		const json_node_t *sum = r ? json_doc_next(doc, r) : NULL;
		if (e->type != JSON_DOC_ARRAY || e->count != 4 || sum == NULL ||
		    json_doc_string(doc, t, d->table, sizeof(d->table)) != 0 ||
		    json_doc_string(doc, o, d->origin, sizeof(d->origin)) != 0 ||
		    !repl_origin_valid(d->origin) || json_doc_u64(doc, r, &d->rows) != 0 ||
		    json_doc_u64(doc, sum, &d->sum) != 0) {
			snprintf(err, errlen, "digests[%zu]: not [table, origin, rows, sum]",
				 b->digest_count);
			return -1;
		}
		b->digest_count++;
	}
	return 0;
}

static int decode_entry(const json_doc_t *doc, const json_node_t *e, size_t idx,
			state_change_t *c, char *err, size_t errlen)
{
	char what[48];
	const json_node_t *v;
	snprintf(what, sizeof(what), "entries[%zu]", idx);
	if (e->type != JSON_DOC_OBJECT) {
		snprintf(err, errlen, "%s: not an object", what);
		return -1;
	}
	v = json_doc_get(doc, e, "origin");
	if (v == NULL || json_doc_string(doc, v, c->origin, sizeof(c->origin)) != 0 ||
	    !repl_origin_valid(c->origin)) {
		snprintf(err, errlen, "%s.origin: missing or invalid", what);
		return -1;
	}
	v = json_doc_get(doc, e, "seq");
	if (v == NULL || json_doc_u64(doc, v, &c->seq) != 0 || c->seq == 0 || c->seq > INT64_MAX) {
		snprintf(err, errlen, "%s.seq: missing or invalid", what);
		return -1;
	}
	v = json_doc_get(doc, e, "hlc");
	if (v == NULL || json_doc_u64(doc, v, &c->hlc) != 0 || c->hlc == 0 || c->hlc > INT64_MAX) {
		snprintf(err, errlen, "%s.hlc: missing or invalid", what);
		return -1;
	}
	v = json_doc_get(doc, e, "table");
	if (v == NULL || json_doc_string(doc, v, c->table, sizeof(c->table)) != 0 ||
	    c->table[0] == '\0') {
		snprintf(err, errlen, "%s.table: missing or invalid", what);
		return -1;
	}
	v = json_doc_get(doc, e, "key");
	if (v == NULL || json_doc_string(doc, v, c->key, sizeof(c->key)) != 0) {
		snprintf(err, errlen, "%s.key: missing or invalid", what);
		return -1;
	}
	v = json_doc_get(doc, e, "row");
	if (v == NULL || (v->type != JSON_DOC_OBJECT && v->type != JSON_DOC_NULL)) {
		snprintf(err, errlen, "%s.row: missing or not an object", what);
		return -1;
	}
	if (v->len > REPL_ROW_MAX) {
		snprintf(err, errlen, "%s.row: larger than %d bytes", what, REPL_ROW_MAX);
		return -1;
	}
	c->row_json = strndup(doc->text + v->start, v->len);
	if (c->row_json == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int repl_batch_decode(const char *text, size_t len, size_t max_entries, repl_batch_t *b, char *err,
		      size_t errlen)
{
	json_doc_t doc;
	char jerr[128];
	uint64_t v;
	const json_node_t *n;

	memset(b, 0, sizeof(*b));
	if (json_doc_parse(text, len, &doc, jerr, sizeof(jerr)) != 0) {
		snprintf(err, errlen, "malformed JSON: %s", jerr);
		return -1;
	}
	const json_node_t *root = &doc.nodes[0];
	if (root->type != JSON_DOC_OBJECT) {
		snprintf(err, errlen, "batch is not a JSON object");
		goto fail;
	}
	n = json_doc_get(&doc, root, "region");
	if (n == NULL || json_doc_string(&doc, n, b->region, sizeof(b->region)) != 0 ||
	    !repl_origin_valid(b->region)) {
		snprintf(err, errlen, "region: missing or invalid");
		goto fail;
	}
	if (get_u64(&doc, root, "now_ms", 1, INT64_MAX, &v, err, errlen) != 0)
		goto fail;
	b->now_ms = (int64_t)v;
	n = json_doc_get(&doc, root, "more");
	if (n == NULL || (n->type != JSON_DOC_TRUE && n->type != JSON_DOC_FALSE)) {
		snprintf(err, errlen, "more: missing or not a boolean");
		goto fail;
	}
	b->more = n->type == JSON_DOC_TRUE;
	n = json_doc_get(&doc, root, "heads");
	if (n == NULL) {
		snprintf(err, errlen, "heads: missing");
		goto fail;
	}
	if (decode_cursors(&doc, n, b->heads, &b->head_count, "heads", err, errlen) != 0)
		goto fail;
	n = json_doc_get(&doc, root, "entries");
	if (n == NULL || n->type != JSON_DOC_ARRAY) {
		snprintf(err, errlen, "entries: missing or not an array");
		goto fail;
	}
	if (n->count > max_entries) {
		snprintf(err, errlen, "entries: %u entries, more than the %zu asked for", n->count,
			 max_entries);
		goto fail;
	}
	if (n->count > 0) {
		b->entries = calloc(n->count, sizeof(*b->entries));
		if (b->entries == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	for (const json_node_t *e = json_doc_child(&doc, n); e != NULL;
	     e = json_doc_next(&doc, e)) {
		if (decode_entry(&doc, e, b->count, &b->entries[b->count], err, errlen) != 0)
			goto fail;
		b->count++;
	}
	n = json_doc_get(&doc, root, "digests");
	if (n != NULL && decode_digests(&doc, n, b, err, errlen) != 0)
		goto fail;
	n = json_doc_get(&doc, root, "you");
	if (n != NULL) {
		const json_node_t *sq = json_doc_child(&doc, n);
		const json_node_t *hl = sq ? json_doc_next(&doc, sq) : NULL;
		if (n->type != JSON_DOC_ARRAY || n->count != 2 || hl == NULL ||
		    json_doc_u64(&doc, sq, &b->you_seq) != 0 ||
		    json_doc_u64(&doc, hl, &b->you_hlc) != 0) {
			snprintf(err, errlen, "you: not [seq, hlc]");
			goto fail;
		}
		b->has_you = true;
	}
	json_doc_free(&doc);
	return 0;
fail:
	json_doc_free(&doc);
	repl_batch_free(b);
	return -1;
}

void repl_batch_free(repl_batch_t *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; b->entries != NULL && i < b->count; i++)
		free(b->entries[i].row_json);
	free(b->entries);
	b->entries = NULL;
	b->count = 0;
	free(b->digests);
	b->digests = NULL;
	b->digest_count = 0;
}
