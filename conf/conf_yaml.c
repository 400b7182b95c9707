/* SPDX-License-Identifier: MIT */
/* conf_yaml.c -- reads a YAML file into a small node tree that keeps line and column */
#include "config.h"
#include "conf/conf_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* Nesting deeper than this is certainly not a Meridian config; it bounds recursion. */
#define CONF_YAML_MAX_DEPTH 64

static conf_node_t *node_new(conf_ctx_t *ctx, conf_node_kind_t kind, const yaml_mark_t *mark)
{
	conf_node_t *node = calloc(1, sizeof(*node));
	if (node == NULL) {
		ctx->oom = true;
		return NULL;
	}
	node->kind = kind;
	node->line = (uint32_t)mark->line + 1;
	node->col = (uint32_t)mark->column + 1;
	return node;
}

void conf_node_free(conf_node_t *node)
{
	if (node == NULL)
		return;
	size_t n = node->kind == CONF_NODE_MAP ? node->count * 2 : node->count;
	if (node->kind != CONF_NODE_SCALAR)
		for (size_t i = 0; i < n; i++)
			conf_node_free(node->items[i]);
	free(node->items);
	free(node->value);
	free(node);
}

/* Appends child; n counts items (a mapping has two per pair). The array is kept one
 * slot larger than n and zeroed so a half-built mapping frees cleanly. */
static int node_append(conf_ctx_t *ctx, conf_node_t *parent, conf_node_t *child, size_t *n,
		       size_t *cap)
{
	if (*n + 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		conf_node_t **items = realloc(parent->items, ncap * sizeof(conf_node_t *));
		if (items == NULL) {
			ctx->oom = true;
			return -1;
		}
		memset(items + *cap, 0, (ncap - *cap) * sizeof(conf_node_t *));
		parent->items = items;
		*cap = ncap;
	}
	parent->items[(*n)++] = child;
	parent->count = parent->kind == CONF_NODE_MAP ? (*n + 1) / 2 : *n;
	return 0;
}

/* Line and column of a byte offset in the file's text (reader errors carry only the
 * offset). */
static void offset_position(const conf_ctx_t *ctx, size_t offset, uint32_t *line, uint32_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && i < ctx->text_len; i++) {
		unsigned char c = (unsigned char)ctx->text[i];
		if (c == '\n') {
			++*line;
			*col = 1;
		} else if ((c & 0xc0) != 0x80) { /* count characters, not UTF-8 continuation bytes */
			++*col;
		}
	}
}

static void syntax_error(conf_ctx_t *ctx, const yaml_parser_t *parser, bool from_file)
{
	const char *problem = parser->problem ? parser->problem : "invalid YAML";
	uint32_t line = (uint32_t)parser->problem_mark.line + 1;
	uint32_t col = (uint32_t)parser->problem_mark.column + 1;
	if (parser->error == YAML_READER_ERROR) {
		/* bad encoding: the scanner never got there, so only the offset is known */
		if (from_file)
			offset_position(ctx, parser->problem_offset, &line, &col);
		conf_error_at(ctx, line, col, NULL, "invalid text: %s", problem);
		return;
	}
	if (parser->context != NULL)
		conf_error_at(ctx, line, col, NULL, "syntax error: %s %s", problem,
			      parser->context);
	else
		conf_error_at(ctx, line, col, NULL, "syntax error: %s", problem);
}

/* Builds one node from the event stream; the event that starts it is `event`. */
static conf_node_t *parse_node(conf_ctx_t *ctx, yaml_parser_t *parser, yaml_event_t *event,
			       int depth)
{
	conf_node_t *node = NULL;
	switch (event->type) {
	case YAML_SCALAR_EVENT:
		node = node_new(ctx, CONF_NODE_SCALAR, &event->start_mark);
		if (node == NULL)
			return NULL;
		node->value =
		    strndup((const char *)event->data.scalar.value, event->data.scalar.length);
		node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (node->value == NULL) {
			ctx->oom = true;
			conf_node_free(node);
			return NULL;
		}
		if (strlen(node->value) != event->data.scalar.length) {
			conf_error(ctx, node, NULL, "NUL byte inside a value");
			conf_node_free(node);
			return NULL;
		}
		return node;
	case YAML_ALIAS_EVENT:
		conf_error_at(ctx, (uint32_t)event->start_mark.line + 1,
			      (uint32_t)event->start_mark.column + 1, NULL,
			      "YAML aliases (*name) are not supported");
		return NULL;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		break;
	default:
		conf_error_at(ctx, (uint32_t)event->start_mark.line + 1,
			      (uint32_t)event->start_mark.column + 1, NULL,
			      "unexpected YAML event");
		return NULL;
	}
	if (depth > CONF_YAML_MAX_DEPTH) {
		conf_error_at(ctx, (uint32_t)event->start_mark.line + 1,
			      (uint32_t)event->start_mark.column + 1, NULL, "nesting is too deep");
		return NULL;
	}
	bool is_map = event->type == YAML_MAPPING_START_EVENT;
	yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
	node = node_new(ctx, is_map ? CONF_NODE_MAP : CONF_NODE_SEQ, &event->start_mark);
	if (node == NULL)
		return NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		yaml_event_t child_event;
		if (!yaml_parser_parse(parser, &child_event)) {
			syntax_error(ctx, parser, ctx->reading_file);
			conf_node_free(node);
			return NULL;
		}
		if (child_event.type == end) {
			yaml_event_delete(&child_event);
			return node;
		}
		conf_node_t *child = parse_node(ctx, parser, &child_event, depth + 1);
		yaml_event_delete(&child_event);
		if (child == NULL || node_append(ctx, node, child, &n, &cap) < 0) {
			conf_node_free(child);
			conf_node_free(node);
			return NULL;
		}
	}
}

/* Reads the single document of a stream; an empty stream gives an empty mapping. */
static conf_node_t *parse_stream(conf_ctx_t *ctx, yaml_parser_t *parser)
{
	conf_node_t *root = NULL;
	bool done = false;
	while (!done) {
		yaml_event_t event;
		if (!yaml_parser_parse(parser, &event)) {
			syntax_error(ctx, parser, ctx->reading_file);
			conf_node_free(root);
			return NULL;
		}
		switch (event.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			if (root != NULL) {
				conf_error_at(ctx, (uint32_t)event.start_mark.line + 1,
					      (uint32_t)event.start_mark.column + 1, NULL,
					      "only one YAML document is allowed");
				yaml_event_delete(&event);
				conf_node_free(root);
				return NULL;
			}
			root = parse_node(ctx, parser, &event, 0);
			if (root == NULL) {
				yaml_event_delete(&event);
				return NULL;
			}
			break;
		}
		yaml_event_delete(&event);
	}
	if (root == NULL) {
		yaml_mark_t start = {0, 0, 0};
		root = node_new(ctx, CONF_NODE_MAP, &start);
	}
	return root;
}

char *conf_yaml_slurp(conf_ctx_t *ctx, size_t *len)
{
	*len = 0;
	int fd = open(ctx->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		conf_error_at(ctx, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct stat st;
	bool stat_ok = fstat(fd, &st) == 0;
	if (stat_ok && S_ISDIR(st.st_mode)) {
		conf_error_at(ctx, 0, 0, NULL, "cannot open: %s", strerror(EISDIR));
		close(fd);
		return NULL;
	}
	/* the size is a hint (a pipe has none, a file may grow): read until end of file */
	size_t cap = stat_ok && S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096, n = 0;
	char *buf = malloc(cap);
	int read_errno = 0;
	while (buf != NULL) {
		if (n == cap) {
			char *bigger = realloc(buf, cap * 2);
			if (bigger == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			read_errno = errno;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (buf == NULL) {
		ctx->oom = true;
	} else if (read_errno != 0) {
		conf_error_at(ctx, 0, 0, NULL, "cannot read: %s", strerror(read_errno));
		free(buf);
		buf = NULL;
	}
	*len = n;
	return buf;
}

conf_node_t *conf_yaml_read(conf_ctx_t *ctx)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		ctx->oom = true;
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)ctx->text, ctx->text_len);
	ctx->reading_file = true;
	conf_node_t *root = parse_stream(ctx, &parser);
	ctx->reading_file = false;
	yaml_parser_delete(&parser);
	return root;
}

conf_node_t *conf_yaml_read_string(conf_ctx_t *ctx, const char *text)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		ctx->oom = true;
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	conf_node_t *root = parse_stream(ctx, &parser);
	yaml_parser_delete(&parser);
	return root;
}

void conf_yaml_check_keys(conf_ctx_t *ctx, conf_node_t *node, const char *path)
{
	char sub[CONF_PATH_MAX];
	if (node->kind == CONF_NODE_SEQ) {
		for (size_t i = 0; i < node->count; i++) {
			conf_path_join(sub, sizeof(sub), path, NULL, i);
			conf_yaml_check_keys(ctx, node->items[i], sub);
		}
		return;
	}
	if (node->kind != CONF_NODE_MAP)
		return;
	for (size_t i = 0; i < node->count; i++) {
		conf_node_t *key = node->items[2 * i];
		if (key->kind != CONF_NODE_SCALAR) {
			conf_error(ctx, key, path, "a key must be a plain value, not %s",
				   conf_node_kind_name(key));
			key->skip = true;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			const conf_node_t *prev = node->items[2 * j];
			if (!prev->skip && strcmp(prev->value, key->value) == 0) {
				conf_path_join(sub, sizeof(sub), path, key->value, 0);
				conf_error(ctx, key, sub, "duplicate key (first at line %u)",
					   prev->line);
				key->skip = true;
				break;
			}
		}
		if (!key->skip) {
			conf_path_join(sub, sizeof(sub), path, key->value, 0);
			conf_yaml_check_keys(ctx, node->items[2 * i + 1], sub);
		}
	}
}

const conf_node_t *conf_node_get(const conf_node_t *map, const char *key)
{
	if (map->kind != CONF_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->count; i++) {
		const conf_node_t *k = map->items[2 * i];
		if (!k->skip && k->kind == CONF_NODE_SCALAR && strcmp(k->value, key) == 0)
			return map->items[2 * i + 1];
	}
	return NULL;
}

const char *conf_node_kind_name(const conf_node_t *node)
{
	switch (node->kind) {
	case CONF_NODE_MAP:
		return "a mapping";
	case CONF_NODE_SEQ:
		return "a list";
	default:
		return "a single value";
	}
}

bool conf_node_is_null(const conf_node_t *node)
{
	if (node->kind != CONF_NODE_SCALAR || !node->plain)
		return false;
	return node->value[0] == '\0' || strcmp(node->value, "~") == 0 ||
	       strcmp(node->value, "null") == 0 || strcmp(node->value, "Null") == 0 ||
	       strcmp(node->value, "NULL") == 0;
}
