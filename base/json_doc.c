/* SPDX-License-Identifier: MIT */
/* json_doc.c -- a strict JSON reader: a bounded DOM over outside input, before SQLite sees it */
#include "config.h"

#include "base/json_doc.h"
#include "base/json_escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parser state for one document: a cursor over the input and the first error. */
typedef struct {
	json_doc_t *doc; /* the document being built; its nodes are what the parser returns */
	size_t pos;	 /* next byte to read */
	char *err;	 /* caller's buffer for the first error, "offset N: what" */
	size_t errlen;	 /* bytes in err */
	bool failed;	 /* an error is recorded; later ones are dropped, the first is the cause */
} parser_t;

static int fail(parser_t *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "offset %zu: %s", p->pos, what);
	p->failed = true;
	return -1;
}

static void skip_ws(parser_t *p)
{
	const char *t = p->doc->text;
	while (p->pos < p->doc->text_len &&
	       (t[p->pos] == ' ' || t[p->pos] == '\t' || t[p->pos] == '\n' || t[p->pos] == '\r'))
		p->pos++;
}

static int64_t new_node(parser_t *p, json_doc_type_t type)
{
	json_doc_t *d = p->doc;
	if (d->count == JSON_DOC_NODES_MAX)
		return fail(p, "too many values");
	if (d->count == d->alloc) {
		uint32_t n = d->alloc ? d->alloc * 2 : 64;
		json_node_t *nodes = realloc(d->nodes, n * sizeof(*nodes));
		if (nodes == NULL)
			return fail(p, "out of memory");
		d->nodes = nodes;
		d->alloc = n;
	}
	json_node_t *node = &d->nodes[d->count];
	memset(node, 0, sizeof(*node));
	node->type = type;
	node->start = (uint32_t)p->pos;
	return d->count++;
}

static int hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* Checks a string literal starting at the opening quote; leaves pos after the closing one. */
static int scan_string(parser_t *p)
{
	const char *t = p->doc->text;
	size_t n = p->doc->text_len;
	p->pos++;
	while (p->pos < n) {
		unsigned char c = (unsigned char)t[p->pos];
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c == '\\') {
			if (p->pos + 1 >= n)
				return fail(p, "truncated escape");
			char e = t[p->pos + 1];
			if (e == 'u') {
				uint32_t cp;
				if (p->pos + 6 > n || hex4(t + p->pos + 2, &cp) != 0)
					return fail(p, "bad \\u escape");
				if (cp == 0)
					return fail(p, "NUL in string");
				p->pos += 6;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return fail(p, "lone low surrogate");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					uint32_t lo;
					if (p->pos + 6 > n || t[p->pos] != '\\' ||
					    t[p->pos + 1] != 'u' ||
					    hex4(t + p->pos + 2, &lo) != 0 || lo < 0xdc00 ||
					    lo > 0xdfff)
						return fail(p, "lone high surrogate");
					p->pos += 6;
				}
				continue;
			}
			if (strchr("\"\\/bfnrt", e) == NULL || e == '\0')
				return fail(p, "bad escape");
			p->pos += 2;
			continue;
		}
		size_t l = json_utf8_len((const unsigned char *)t + p->pos, n - p->pos);
		if (l == 0)
			return fail(p, "invalid UTF-8");
		p->pos += l;
	}
	return fail(p, "unterminated string");
}

static int scan_number(parser_t *p)
{
	const char *t = p->doc->text;
	size_t n = p->doc->text_len;
	size_t digits;
	if (p->pos < n && t[p->pos] == '-')
		p->pos++;
	if (p->pos < n && t[p->pos] == '0') {
		p->pos++;
	} else {
		for (digits = 0; p->pos < n && t[p->pos] >= '0' && t[p->pos] <= '9'; digits++)
			p->pos++;
		if (digits == 0)
			return fail(p, "bad number");
	}
	if (p->pos < n && t[p->pos] == '.') {
		p->pos++;
		for (digits = 0; p->pos < n && t[p->pos] >= '0' && t[p->pos] <= '9'; digits++)
			p->pos++;
		if (digits == 0)
			return fail(p, "bad fraction");
	}
	if (p->pos < n && (t[p->pos] == 'e' || t[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < n && (t[p->pos] == '+' || t[p->pos] == '-'))
			p->pos++;
		for (digits = 0; p->pos < n && t[p->pos] >= '0' && t[p->pos] <= '9'; digits++)
			p->pos++;
		if (digits == 0)
			return fail(p, "bad exponent");
	}
	return 0;
}

static int64_t parse_value(parser_t *p, int depth);

/* Sorting member names by their raw bytes (names carry no escapes, so raw bytes are the
 * name): the document being sorted, for the comparison function. */
static _Thread_local const json_doc_t *sort_doc;

static int name_cmp(const void *a, const void *b)
{
	const json_node_t *x = &sort_doc->nodes[*(const uint32_t *)a];
	const json_node_t *y = &sort_doc->nodes[*(const uint32_t *)b];
	int c = memcmp(sort_doc->text + x->start, sort_doc->text + y->start,
		       x->len < y->len ? x->len : y->len);
	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

/* Refuses an object naming one member twice: SQLite's JSON functions take the first,
 * other readers the last, so the value applied would depend on who reads it. Small
 * objects compare pairwise; large ones sort their names (O(n log n) whatever a peer
 * sends). */
static int check_duplicates(parser_t *p, int64_t self)
{
	json_doc_t *d = p->doc;
	uint32_t n = d->nodes[self].count / 2, i = 0;
	uint32_t small[16], *names = n <= 16 ? small : malloc(n * sizeof(*names));
	int rc = 0;

	if (names == NULL)
		return fail(p, "out of memory");
	for (uint32_t k = d->nodes[self].first_child; k != 0 && i < n;
	     k = d->nodes[d->nodes[k].next].next)
		names[i++] = k;
	sort_doc = d;
	if (n <= 16) {
		for (uint32_t a = 0; a < n && rc == 0; a++)
			for (uint32_t b = a + 1; b < n && rc == 0; b++)
				if (name_cmp(&names[a], &names[b]) == 0)
					rc = -1;
	} else {
		qsort(names, n, sizeof(*names), name_cmp);
		for (uint32_t a = 1; a < n && rc == 0; a++)
			if (name_cmp(&names[a - 1], &names[a]) == 0)
				rc = -1;
	}
	if (names != small)
		free(names);
	return rc == 0 ? 0 : fail(p, "duplicate member name");
}

/* Links child after last (0: none yet) among the children of container self. */
static void append_child(json_doc_t *d, int64_t self, uint32_t *last, int64_t child)
{
	if (*last)
		d->nodes[*last].next = (uint32_t)child;
	else
		d->nodes[self].first_child = (uint32_t)child;
	*last = (uint32_t)child;
	d->nodes[self].count++;
}

/* Parses the members or elements of an object/array whose opening bracket is at pos. */
static int parse_container(parser_t *p, int64_t self, int depth)
{
	json_doc_t *d = p->doc;
	bool object = d->nodes[self].type == JSON_DOC_OBJECT;
	char close = object ? '}' : ']';
	uint32_t last = 0;

	if (depth >= JSON_DOC_DEPTH_MAX)
		return fail(p, "nesting too deep");
	p->pos++;
	skip_ws(p);
	if (p->pos < d->text_len && d->text[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		int64_t child;
		skip_ws(p);
		if (object) {
			if (p->pos >= d->text_len || d->text[p->pos] != '"')
				return fail(p, "expected member name");
			child = parse_value(p, depth + 1);
			if (child < 0)
				return -1;
			/* A member name is its raw bytes: an escaped name could read as one
			 * key here and another in SQLite's JSON functions, which apply it. */
			if (memchr(d->text + d->nodes[child].start, '\\', d->nodes[child].len))
				return fail(p, "escaped member name");
			append_child(d, self, &last, child);
			skip_ws(p);
			if (p->pos >= d->text_len || d->text[p->pos] != ':')
				return fail(p, "expected ':'");
			p->pos++;
			skip_ws(p);
		}
		child = parse_value(p, depth + 1);
		if (child < 0)
			return -1;
		append_child(d, self, &last, child);
		skip_ws(p);
		if (p->pos >= d->text_len)
			return fail(p, "truncated document");
		if (d->text[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (d->text[p->pos] == close) {
			p->pos++;
			return object ? check_duplicates(p, self) : 0;
		}
		return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int64_t parse_value(parser_t *p, int depth)
{
	json_doc_t *d = p->doc;
	int64_t self;
	int rc;

	skip_ws(p);
	if (p->pos >= d->text_len)
		return fail(p, "truncated document");
	char c = d->text[p->pos];
	size_t rest = d->text_len - p->pos;
	switch (c) {
	case '{':
	case '[':
		self = new_node(p, c == '{' ? JSON_DOC_OBJECT : JSON_DOC_ARRAY);
		if (self < 0)
			return -1;
		rc = parse_container(p, self, depth);
		break;
	case '"':
		self = new_node(p, JSON_DOC_STRING);
		if (self < 0)
			return -1;
		rc = scan_string(p);
		break;
	case 't':
	case 'f':
	case 'n': {
		static const struct {
			const char *word;
			json_doc_type_t type;
		} words[] = {
		    {"true", JSON_DOC_TRUE}, {"false", JSON_DOC_FALSE}, {"null", JSON_DOC_NULL}};
		for (size_t i = 0; i < M_ARRAY_LEN(words); i++) {
			size_t l = strlen(words[i].word);
			if (words[i].word[0] == c && rest >= l &&
			    memcmp(d->text + p->pos, words[i].word, l) == 0) {
				self = new_node(p, words[i].type);
				if (self < 0)
					return -1;
				p->pos += l;
				d->nodes[self].len = (uint32_t)l;
				return self;
			}
		}
		return fail(p, "unexpected word");
	}
	default:
		if (c != '-' && (c < '0' || c > '9'))
			return fail(p, "unexpected character");
		self = new_node(p, JSON_DOC_NUMBER);
		if (self < 0)
			return -1;
		rc = scan_number(p);
		break;
	}
	if (rc != 0)
		return -1;
	d->nodes[self].len = (uint32_t)(p->pos - d->nodes[self].start);
	return self;
}

int json_doc_parse(const char *text, size_t len, json_doc_t *doc, char *err, size_t errlen)
{
	parser_t p = {.doc = doc, .err = err, .errlen = errlen};
	memset(doc, 0, sizeof(*doc));
	doc->text = text;
	doc->text_len = len;
	if (len > UINT32_MAX / 2) {
		snprintf(err, errlen, "document too large");
		return -1;
	}
	if (parse_value(&p, 0) < 0) {
		json_doc_free(doc);
		return -1;
	}
	skip_ws(&p);
	if (p.pos != len) {
		fail(&p, "trailing data after document");
		json_doc_free(doc);
		return -1;
	}
	return 0;
}

void json_doc_free(json_doc_t *doc)
{
	if (doc == NULL)
		return;
	free(doc->nodes);
	doc->nodes = NULL;
	doc->count = doc->alloc = 0;
}

const json_node_t *json_doc_child(const json_doc_t *doc, const json_node_t *n)
{
	return n->first_child ? &doc->nodes[n->first_child] : NULL;
}

const json_node_t *json_doc_next(const json_doc_t *doc, const json_node_t *n)
{
	return n->next ? &doc->nodes[n->next] : NULL;
}

const json_node_t *json_doc_get(const json_doc_t *doc, const json_node_t *obj, const char *key)
{
	char name[128];
	if (obj->type != JSON_DOC_OBJECT)
		return NULL;
	for (const json_node_t *k = json_doc_child(doc, obj); k != NULL;) {
		const json_node_t *v = json_doc_next(doc, k);
		if (v == NULL)
			return NULL;
		if (json_doc_string(doc, k, name, sizeof(name)) == 0 && strcmp(name, key) == 0)
			return v;
		k = json_doc_next(doc, v);
	}
	return NULL;
}

static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The parser has validated the literal, so escapes here are well formed. */
int json_doc_string(const json_doc_t *doc, const json_node_t *n, char *out, size_t outlen)
{
	if (n->type != JSON_DOC_STRING || outlen == 0)
		return -1;
	const char *s = doc->text + n->start + 1;
	const char *end = doc->text + n->start + n->len - 1;
	size_t o = 0;
	while (s < end) {
		char buf[4];
		size_t l = 1;
		if (*s != '\\') {
			buf[0] = *s++;
		} else if (s[1] == 'u') {
			uint32_t cp, lo;
			if (hex4(s + 2, &cp) != 0)
				return -1;
			s += 6;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (hex4(s + 2, &lo) != 0)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			}
			l = utf8_put(cp, buf);
		} else {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *e = strchr(from, s[1]);
			if (e == NULL)
				return -1;
			buf[0] = to[e - from];
			s += 2;
		}
		if (o + l >= outlen)
			return -1;
		memcpy(out + o, buf, l);
		o += l;
	}
	out[o] = '\0';
	return 0;
}

int json_doc_u64(const json_doc_t *doc, const json_node_t *n, uint64_t *out)
{
	if (n->type != JSON_DOC_NUMBER)
		return -1;
	uint64_t v = 0;
	for (uint32_t i = 0; i < n->len; i++) {
		char c = doc->text[n->start + i];
		if (c < '0' || c > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(c - '0');
	}
	*out = v;
	return 0;
}
