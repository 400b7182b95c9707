/* SPDX-License-Identifier: MIT */
/* conf.c -- conf_load(): read, walk the option table, cross-check, collect every error */
#include "config.h"
#include "conf/conf_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#define FIELD(base, off, type) ((type *)(void *)((char *)(base) + (off)))

static void error_vadd(conf_ctx_t *ctx, uint32_t line, uint32_t col, const char *path,
		       const char *fmt, va_list ap) M_PRINTF(5, 0);
static void error_vadd(conf_ctx_t *ctx, uint32_t line, uint32_t col, const char *path,
		       const char *fmt, va_list ap)
{
	char msg[1024], text[2048];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	bool has_path = path != NULL && path[0] != '\0';
	if (line == 0)
		snprintf(text, sizeof(text), "%s: %s%s%s", ctx->file, has_path ? path : "",
			 has_path ? ": " : "", msg);
	else
		snprintf(text, sizeof(text), "%s:%u:%u: %s%s%s", ctx->file, line, col,
			 has_path ? path : "", has_path ? ": " : "", msg);
	if (ctx->error_count == ctx->error_cap) {
		size_t ncap = ctx->error_cap ? ctx->error_cap * 2 : 16;
		conf_error_t *errors = realloc(ctx->errors, ncap * sizeof(*errors));
		if (errors == NULL) {
			ctx->oom = true;
			return;
		}
		ctx->errors = errors;
		ctx->error_cap = ncap;
	}
	char *copy = strdup(text);
	if (copy == NULL) {
		ctx->oom = true;
		return;
	}
	conf_error_t *error = &ctx->errors[ctx->error_count++];
	error->line = line;
	error->col = col;
	error->text = copy;
}

void conf_error_at(conf_ctx_t *ctx, uint32_t line, uint32_t col, const char *path, const char *fmt,
		   ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vadd(ctx, line, col, path, fmt, ap);
	va_end(ap);
}

void conf_error(conf_ctx_t *ctx, const conf_node_t *node, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vadd(ctx, node ? node->line : 0, node ? node->col : 0, path, fmt, ap);
	va_end(ap);
}

int conf_ref_add(conf_ctx_t *ctx, const conf_node_t *node, const char *path, size_t *slot)
{
	if (ctx->ref_count == ctx->ref_cap) {
		size_t ncap = ctx->ref_cap ? ctx->ref_cap * 2 : 32;
		conf_ref_t *refs = realloc(ctx->refs, ncap * sizeof(*refs));
		if (refs == NULL) {
			ctx->oom = true;
			return -1;
		}
		ctx->refs = refs;
		ctx->ref_cap = ncap;
	}
	conf_ref_t ref = {node->line, node->col, strdup(path), strdup(node->value), slot};
	if (ref.path == NULL || ref.name == NULL) {
		free(ref.path);
		free(ref.name);
		ctx->oom = true;
		return -1;
	}
	ctx->refs[ctx->ref_count++] = ref;
	return 0;
}

static char *errors_join(conf_ctx_t *ctx)
{
	size_t n = ctx->error_count, len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(ctx->errors[i].text) + 1;
	for (size_t i = 1; i < n; i++) {
		/* file order; insertion sort keeps equal positions in discovery order */
		conf_error_t e = ctx->errors[i];
		size_t j = i;
		while (j > 0 &&
		       (ctx->errors[j - 1].line > e.line ||
			(ctx->errors[j - 1].line == e.line && ctx->errors[j - 1].col > e.col))) {
			ctx->errors[j] = ctx->errors[j - 1];
			j--;
		}
		ctx->errors[j] = e;
	}
	char *out = malloc(len);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	char *p = out;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(ctx->errors[i].text);
		memcpy(p, ctx->errors[i].text, l);
		p += l;
		if (i + 1 < n)
			*p++ = '\n';
		*p = '\0';
	}
	return out;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return NULL;
	/* canonical and absolute, so later chdir() cannot move relative paths */
	errno = 0;
	char *real = realpath(dir, NULL);
	if (real != NULL || errno == ENOMEM) {
		free(dir);
		return real;
	}
	if (dir[0] == '/')
		return dir;
	char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return dir;
	size_t len = strlen(cwd) + strlen(dir) + 2;
	char *full = malloc(len);
	if (full != NULL) {
		if (strcmp(dir, ".") == 0)
			snprintf(full, len, "%s", cwd);
		else
			snprintf(full, len, "%s/%s", cwd, dir);
	}
	free(dir);
	return full;
}

/* Does a LIST option of sec hold the same storage as opt? */
static bool shares_list(const conf_section_t *sec, const conf_option_t *opt)
{
	for (size_t k = 0; k < sec->option_count; k++)
		if (&sec->options[k] != opt && sec->options[k].type == CONF_T_LIST &&
		    sec->options[k].offset == opt->offset)
			return true;
	return false;
}

/* Frees what the table says a section owns. */
static void section_free(const conf_section_t *sec, void *base)
{
	for (size_t o = 0; o < sec->option_count; o++) {
		const conf_option_t *opt = &sec->options[o];
		void *field = FIELD(base, opt->offset, void);
		switch (opt->type) {
		case CONF_T_STRING:
		case CONF_T_ID:
		case CONF_T_PATH:
		case CONF_T_ENUM:
		case CONF_T_DNAME:
		case CONF_T_URL:
		case CONF_T_SOCKADDRS:
		case CONF_T_IPADDRS:
		case CONF_T_NETS:
		case CONF_T_DC_LIST:
		case CONF_T_DC_WEIGHTS:
			free(*(void **)field);
			break;
		case CONF_T_ARGV: {
			char **argv = *(char ***)field;
			for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
				free(argv[i]);
			free(argv);
			break;
		}
		case CONF_T_SECTION:
			section_free(opt->child, base);
			break;
		case CONF_T_ONE:
			/* `check` shares its storage with the list `checks`, which frees it;
			 * a ONE of its own (`load`) is freed here. */
			if (shares_list(sec, opt))
				break;
			/* fall through */
		case CONF_T_MAP:
		case CONF_T_LIST: {
			char *elems = *(char **)field;
			size_t count = *FIELD(base, opt->aux, size_t);
			for (size_t i = 0; elems != NULL && i < count; i++) {
				char *elem = elems + i * opt->child->elem_size;
				if (opt->type == CONF_T_MAP)
					free(*FIELD(elem, opt->child->name_offset, char *));
				section_free(opt->child, elem);
			}
			free(elems);
			break;
		}
		case CONF_T_PEERS: {
			conf_peer_t *peers = *(conf_peer_t **)field;
			size_t count = *FIELD(base, opt->aux, size_t);
			for (size_t i = 0; peers != NULL && i < count; i++) {
				free(peers[i].region);
				free(peers[i].url);
			}
			free(peers);
			break;
		}
		case CONF_T_GEO_MAP:
		case CONF_T_GEO_NETS: {
			conf_geo_rule_t *rules = *(conf_geo_rule_t **)field;
			size_t count = *FIELD(base, opt->aux, size_t);
			for (size_t i = 0; rules != NULL && i < count; i++) {
				free(rules[i].key);
				free(rules[i].datacenters);
				free(rules[i].weights);
			}
			free(rules);
			break;
		}
		default: /* ONE shares the LIST's array; the rest are values */
			break;
		}
	}
}

void conf_free(conf_t *conf)
{
	if (conf == NULL)
		return;
	section_free(&conf_root_section, conf);
	free(conf->path);
	free(conf);
}

static void ctx_clear(conf_ctx_t *ctx)
{
	for (size_t i = 0; i < ctx->error_count; i++)
		free(ctx->errors[i].text);
	free(ctx->errors);
	for (size_t i = 0; i < ctx->ref_count; i++) {
		free(ctx->refs[i].path);
		free(ctx->refs[i].name);
	}
	free(ctx->refs);
	free(ctx->record_pos);
	free(ctx->dc_pos);
	free(ctx->dir);
}

/* conf_load and conf_load_buffer: with text NULL, the file at path is read first. */
static conf_t *load(const char *path, const char *text, size_t len, char **errors)
{
	conf_ctx_t ctx = {.file = path, .text = text, .text_len = len};
	char *owned = NULL;
	*errors = NULL;
	ctx.conf = calloc(1, sizeof(*ctx.conf));
	ctx.dir = dir_of(path);
	if (ctx.conf == NULL || ctx.dir == NULL || (ctx.conf->path = strdup(path)) == NULL) {
		ctx.oom = true;
	} else {
		if (ctx.text == NULL)
			ctx.text = owned = conf_yaml_slurp(&ctx, &ctx.text_len);
		conf_node_t *root = ctx.text != NULL ? conf_yaml_read(&ctx) : NULL;
		if (root != NULL && root->kind != CONF_NODE_MAP) {
			conf_error(&ctx, root, NULL,
				   "the file must hold a mapping of keys (region:, state:, ...), "
				   "not %s",
				   conf_node_kind_name(root));
		} else if (root != NULL) {
			conf_yaml_check_keys(&ctx, root, "");
			(void)conf_section_parse(&ctx, &conf_root_section, root, "", ctx.conf);
			if (!ctx.oom)
				conf_cross_check(&ctx, root);
		}
		conf_node_free(root);
		free(owned);
	}
	if (ctx.oom)
		conf_error_at(&ctx, 0, 0, NULL, "out of memory");
	conf_t *conf = ctx.conf;
	if (ctx.error_count > 0 || ctx.oom) {
		*errors = errors_join(&ctx);
		if (*errors == NULL)
			*errors = strdup("out of memory");
		conf_free(conf);
		conf = NULL;
	}
	ctx_clear(&ctx);
	return conf;
}

conf_t *conf_load(const char *path, char **errors)
{
	return load(path, NULL, 0, errors);
}

conf_t *conf_load_buffer(const char *path, const char *text, size_t len, char **errors)
{
	return load(path, text, len, errors);
}

int conf_datacenter_find(const conf_t *conf, const char *name)
{
	for (size_t i = 0; i < conf->datacenter_count; i++)
		if (conf->datacenters[i].name != NULL &&
		    strcmp(conf->datacenters[i].name, name) == 0)
			return (int)i;
	return -1;
}

int conf_record_find(const conf_t *conf, const char *name)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < conf->record_count; i++) {
		const char *rec = conf->records[i].name;
		if (rec != NULL && strlen(rec) == len + 1 && strncasecmp(rec, name, len) == 0)
			return (int)i;
	}
	return -1;
}
