/* SPDX-License-Identifier: MIT */
/* conf_internal.h -- the YAML node tree, the option table types and the load context */
#ifndef MERIDIAN_CONF_INTERNAL_H
#define MERIDIAN_CONF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"

/* Longest key path an error message names; deeper paths are cut. */
#define CONF_PATH_MAX 512

typedef enum {
	CONF_NODE_SCALAR = 0,
	CONF_NODE_SEQ,
	CONF_NODE_MAP,
} conf_node_kind_t;

/* One YAML node with where it started in the file. A mapping keeps its pairs as
 * items[2*i] (key) and items[2*i+1] (value); a sequence keeps its entries in order. */
typedef struct conf_node {
	conf_node_kind_t kind; /* scalar, sequence or mapping */
	uint32_t line;		  /* 1-based */
	uint32_t col;		  /* 1-based */
	char *value;		  /* scalars: the text, never NULL */
	bool plain;		  /* scalars: written without quotes */
	bool skip;		  /* map keys: a duplicate or non-scalar key, already reported */
	struct conf_node **items; /* sequences and mappings */
	size_t count;		  /* entries (sequence) or pairs (mapping) */
} conf_node_t;

/* One collected error, sorted by position before they are joined. */
typedef struct {
	uint32_t line; /* 0 for errors about the whole file */
	uint32_t col; /* 1-based; 0 with line 0 */
	char *text; /* the whole line, "FILE:LINE:COL: path: message" */
} conf_error_t;

/* A datacenter name that must be resolved to an index once every datacenter is known. */
typedef struct {
	uint32_t line; /* 1-based; 0 for the whole file */
	uint32_t col; /* 1-based; 0 with line 0 */
	char *path;   /* key path of the list, for the message */
	char *name;   /* the datacenter name as written */
	size_t *slot; /* where the index goes (inside an array allocated once) */
} conf_ref_t;

/* Where a datacenter's or record's name was written, for cross-check messages. */
typedef struct {
	uint32_t line; /* 1-based; 0 for the whole file */
	uint32_t col; /* 1-based; 0 with line 0 */
	const char *key; /* as written; points into the node tree, valid while it lives */
} conf_pos_t;

/* State of one conf_load() call. */
typedef struct {
	const char *file; /* the path as given, used as message prefix */
	char *dir;	  /* absolute directory of the file, for relative paths */
	conf_t *conf;	  /* being filled */
	conf_error_t *errors; /* collected so far, error_count of error_cap */
	size_t error_count; /* entries used in errors */
	size_t error_cap; /* entries allocated in errors */
	conf_ref_t *refs; /* datacenter names to resolve, ref_count of ref_cap */
	size_t ref_count; /* entries used in refs */
	size_t ref_cap; /* entries allocated in refs */
	conf_pos_t *record_pos; /* one per conf->records entry */
	conf_pos_t *dc_pos;	/* one per conf->datacenters entry */
	bool oom;		/* an allocation failed; the result is an error */
	bool reading_file;	/* the YAML parser reads ctx->text (not a default's text) */
	const char *text;	/* the file's bytes, text_len of them (not NUL-terminated) */
	size_t text_len;	/* bytes in text */
} conf_ctx_t;

/* The value types an option can have; values are parsed in conf_values.c, containers in
 * conf_walk.c. */
typedef enum {
	CONF_T_STRING = 0, /* char *; any non-empty scalar */
	CONF_T_ID,	   /* char *; a name of a-z, 0-9, '-', '_', at most 63 characters */
	CONF_T_PATH,	   /* char *; relative ones resolved against the config's directory */
	CONF_T_ENUM,	   /* char *; one of the words in `choices` */
	CONF_T_BOOL,	   /* bool; true/false, yes/no, on/off */
	CONF_T_UINT,	   /* uint32_t in min..max */
	CONF_T_DURATION,   /* uint32_t milliseconds in min..max ("500ms", "1s", "2m", "1h", "7d") */
	CONF_T_SOCKADDR,   /* conf_sockaddr_t; `port` is the default port (0: required) */
	CONF_T_SOCKADDRS,  /* conf_sockaddr_t * + size_t count at aux; one address or a list */
	CONF_T_IPADDRS,	   /* conf_ipaddr_t * + size_t count at aux; one address or a list */
	CONF_T_NETS,	   /* conf_net_t * + size_t count at aux; CIDR prefixes, one or a list */
	CONF_T_COORDS,	   /* double latitude at offset, double longitude at aux */
	CONF_T_DC_LIST,	   /* size_t * + size_t count at aux; datacenter names */
	CONF_T_CHECK_TYPE, /* conf_check_type_t */
	CONF_T_CHECK_RULE, /* conf_check_rule_t + uint32_t percent at aux */
	CONF_T_EXPECT,	   /* conf_status_range_t[8] + size_t count at aux */
	CONF_T_ARGV,	   /* char **, NULL-terminated; a string split on spaces or a list */
	CONF_T_DNAME,	   /* char *; a domain name made absolute and lower case */
	CONF_T_URL,	   /* char *; starts with http:// or https:// */
	CONF_T_RRTYPE,	   /* uint16_t; A, AAAA, ... or TYPEnnn */
	CONF_T_RCODE,	   /* int; NOERROR, ... or 0..15 */
	CONF_T_SECTION,	   /* a nested mapping filling the same struct */
	CONF_T_MAP,	   /* elements * + size_t count at aux; a mapping name -> section */
	CONF_T_LIST,	   /* elements * + size_t count at aux; a sequence of sections */
	CONF_T_ONE,	   /* like CONF_T_LIST but one mapping; shares the list's array */
	CONF_T_PEERS,	   /* conf_peer_t * + size_t count at aux; a mapping region -> url */
	CONF_T_GEO_MAP,	   /* conf_geo_rule_t * + size_t count at aux; continent paths */
	CONF_T_GEO_NETS,   /* conf_geo_rule_t * + size_t count at aux; CIDR prefixes */
	CONF_T_DC_WEIGHTS, /* conf_dc_weight_t * + size_t count at aux; datacenter: weight */
} conf_type_t;

/* Option flags. */
#define CONF_F_REQUIRED 0x1u /* missing is an error */
#define CONF_F_PRESENT 0x2u  /* a bool at present_offset is set when the option is given */
#define CONF_F_PORT0 0x4u    /* sockaddr(s): port 0 allowed (the kernel picks one; the daemon logs it) */
#define CONF_F_LOCAL 0x8u    /* differs between regions by nature: not in the config digest */

typedef struct conf_section conf_section_t;

/* One option: everything parsing, validation, defaults and the docs need. */
typedef struct {
	const char *key; /* the key inside its section */
	conf_type_t type; /* how the value is parsed and stored */
	size_t offset;	       /* of the value in the section's struct */
	size_t aux;	       /* second field (count, longitude, percent), by type */
	size_t present_offset; /* with CONF_F_PRESENT: a bool set when given */
	int64_t min;	       /* UINT/DURATION: smallest allowed; lists: fewest entries */
	int64_t max;	       /* UINT/DURATION: largest allowed; lists: most entries, 0 any */
	uint16_t port;	       /* SOCKADDR(S): default port, 0 when one must be written */
	unsigned flags;	       /* CONF_F_* */
	const char *def;       /* default as YAML text (parsed like a written value), or NULL */
	const char *def_doc;   /* default as the docs show it when derived, or NULL */
	const char *choices;   /* ENUM: space-separated words */
	const conf_section_t *child; /* SECTION/MAP/LIST/ONE: the nested section */
	const char *doc;	     /* one line for docs/config.md */
} conf_option_t;

/* What the file did with one option of a section. */
typedef enum {
	CONF_ABSENT = 0, /* not written; the default applies */
	CONF_GIVEN,	 /* written and valid */
	CONF_INVALID,	 /* written but wrong (already reported) */
} conf_given_t;

/* Checks and derived defaults after a section's options were read; `given` says per
 * option (same index as options[]) what the file did. Returns 0 or -1 (reported). */
typedef int (*conf_finish_fn)(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
			      const char *path, const conf_given_t *given, void *base);

/* A mapping with a fixed set of keys, filling one C struct. */
struct conf_section {
	const char *title; /* heading in the docs, e.g. "datacenters.NAME" */
	const char *doc;   /* a paragraph for the docs */
	const conf_option_t *options; /* the keys this section takes */
	size_t option_count; /* entries in options */
	size_t elem_size;      /* MAP/LIST elements: sizeof the element struct */
	size_t name_offset;    /* MAP elements: char * the key goes to */
	conf_type_t name_type; /* MAP elements: CONF_T_ID or CONF_T_DNAME */
	conf_finish_fn finish; /* may be NULL */
};

/* The top of the table (conf_options.c). */
extern const conf_section_t conf_root_section;

/* conf_yaml.c: reads the whole of ctx->file into memory (*len bytes, caller frees); NULL
 * when it cannot be opened or read (reported). */
char *conf_yaml_slurp(conf_ctx_t *ctx, size_t *len) M_NONNULL_ALL M_WUR;
/* conf_yaml.c: parses ctx->text into a tree; NULL on error (reported). */
conf_node_t *conf_yaml_read(conf_ctx_t *ctx) M_NONNULL_ALL M_WUR;
/* Parses YAML text (a default value) into a tree, or NULL. */
conf_node_t *conf_yaml_read_string(conf_ctx_t *ctx, const char *text) M_NONNULL_ALL M_WUR;
void conf_node_free(conf_node_t *node);
/* Marks duplicate and non-scalar keys in every mapping below node, reporting each. */
void conf_yaml_check_keys(conf_ctx_t *ctx, conf_node_t *node, const char *path) M_NONNULL_ALL;
/* The value of key in a mapping, or NULL. */
const conf_node_t *conf_node_get(const conf_node_t *map, const char *key) M_NONNULL_ALL M_PURE;
/* "a mapping", "a list", "a string": for messages. */
const char *conf_node_kind_name(const conf_node_t *node) M_NONNULL_ALL;
/* True for an unquoted "", "~" or "null". */
bool conf_node_is_null(const conf_node_t *node) M_NONNULL_ALL M_PURE;

/* conf.c: collects one error about node at path. */
void conf_error(conf_ctx_t *ctx, const conf_node_t *node, const char *path, const char *fmt, ...)
    M_NONNULL(1) M_PRINTF(4, 5);
/* Same with an explicit position (line 0: none). */
void conf_error_at(conf_ctx_t *ctx, uint32_t line, uint32_t col, const char *path, const char *fmt,
		   ...) M_NONNULL(1) M_PRINTF(5, 6);
/* Adds a datacenter reference to resolve later; -1 on allocation failure. */
int conf_ref_add(conf_ctx_t *ctx, const conf_node_t *node, const char *path,
		 size_t *slot) M_NONNULL_ALL M_WUR;

/* conf_walk.c: fills base from a mapping node following sec, then applies defaults.
 * -1 when something was refused; every error is already in ctx, which the caller reports
 * once at the end (no M_WUR: the root's caller rightly ignores the result). */
int conf_section_parse(conf_ctx_t *ctx, const conf_section_t *sec, const conf_node_t *map,
		       const char *path, void *base) M_NONNULL(1, 2, 4, 5);
/* conf_values.c: parses one non-container value of opt into base. */
int conf_value_parse(conf_ctx_t *ctx, const conf_option_t *opt, const conf_node_t *node,
		     const char *path, void *base) M_NONNULL_ALL M_WUR;
/* strdup() that flags ctx->oom on failure. */
char *conf_strdup(conf_ctx_t *ctx, const char *text) M_NONNULL_ALL M_MALLOC;
/* What the file did with option `key` of sec (for finish hooks). */
conf_given_t conf_given(const conf_section_t *sec, const conf_given_t *given,
			const char *key) M_NONNULL_ALL;
/* Joins prefix and key into out ("a.b"), or prefix and index ("a[3]") when key is NULL. */
void conf_path_join(char *out, size_t size, const char *prefix, const char *key, size_t index)
    M_NONNULL(1, 3);

/* conf_types.c: typed scalar parsers shared with the walker; each 0 or -1. */
int conf_uint_parse(const char *text, uint64_t *out) M_NONNULL_ALL M_WUR;
int conf_bool_parse(const char *text, bool *out) M_NONNULL_ALL M_WUR;
int conf_double_parse(const char *text, double *out) M_NONNULL_ALL M_WUR;
/* "10.0.0.0/8", "2001:db8::/32"; host bits must be zero. */
int conf_cidr_parse(const char *text, conf_ipaddr_t *addr, unsigned *prefix) M_NONNULL_ALL M_WUR;
/* "EU", "EU/IE", "NA/US/CA"; writes a reason on failure. */
int conf_geo_key_check(const char *text, const char **why) M_NONNULL_ALL M_WUR;
/* Lower-cases and appends the root dot; NULL when not a valid name (why says why). */
char *conf_dname_normalize(const char *text, const char **why) M_NONNULL_ALL M_WUR;
/* Whether the name a (normalized) is at or below origin (normalized). */
bool conf_dname_is_below(const char *name, const char *origin) M_NONNULL_ALL M_PURE;
/* "200", "200-299". */
int conf_status_range_parse(const char *text, conf_status_range_t *out) M_NONNULL_ALL M_WUR;
/* Writes ms as the largest exact unit ("1500ms", "2s", "7d"). */
void conf_duration_format(uint64_t ms, char *out, size_t size) M_NONNULL_ALL;
/* Edit distance with adjacent transpositions, for "did you mean"; SIZE_MAX when either
 * string is longer than 31 characters. */
size_t conf_edit_distance(const char *a, const char *b) M_NONNULL_ALL M_PURE;
/* Whether a sockaddr text carried a port. */
bool conf_sockaddr_has_port(const char *text) M_NONNULL_ALL M_PURE;

/* conf_cross.c: checks that need the whole configuration. */
void conf_cross_check(conf_ctx_t *ctx, const conf_node_t *root) M_NONNULL_ALL;

/* conf_sockaddr_parse(), with port 0 accepted when zero_ok (CONF_F_PORT0). */
int conf_sockaddr_parse_port0(const char *text, uint16_t default_port, bool zero_ok,
			      conf_sockaddr_t *out) M_NONNULL_ALL M_WUR;

#endif
