/* SPDX-License-Identifier: MIT */
/* geo_db.c -- opening an mmdb file and decoding its search tree into locations */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "geo/geo_addr.h"
#include "geo/geo_db.h"
#include "geo/geo_mmdb.h"

struct geo_db {
	MMDB_s mmdb;	     /* the open file (mmap'd, read only) */
	char *path;	     /* as given to geo_db_open */
	struct stat st;	     /* identity of the file when opened, for reload */
	struct stat refused; /* identity of the last file reload refused */
	bool refused_valid;  /* refused is set; only the reloading thread touches these */
	uint32_t *nodes;     /* 2 * node_count children, see GEO_TREE_LEAF */
	uint32_t node_count; /* search tree nodes */
	uint32_t root4;	     /* IPv4 space: node index or leaf */
	uint32_t root6;	     /* IPv6 space: node index or leaf */
	geo_loc_t *locs;     /* decoded records; [0] is "no record" */
	size_t loc_count;    /* entries in locs, >= 1 */
	size_t networks;     /* leaves with a record reached from the roots */
};

/* Data-section offset -> location index, open addressing; only alive during open. */
typedef struct {
	uint32_t *keys;	      /* offset + 1; 0 = empty slot */
	uint32_t *vals;	      /* location index */
	size_t cap;	      /* power of two */
	size_t used;	      /* slots holding a key */
	uint64_t last_offset; /* the offset looked up last, or UINT64_MAX */
	uint32_t last_leaf;   /* its tree leaf */
} offset_map_t;

static void fail(char *err, size_t errlen, const char *path, const char *fmt, ...) M_PRINTF(4, 5);
static void fail(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", path, msg);
}

static uint32_t offset_hash(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static int offset_map_grow(offset_map_t *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	uint32_t *keys = calloc(cap, sizeof(*keys));
	uint32_t *vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = offset_hash(m->keys[i]) & (cap - 1);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

/* Location index for a data offset, decoding the record the first time it is seen. */
static int location_for(geo_db_t *db, offset_map_t *m, uint32_t offset, uint32_t *index, char *err,
			size_t errlen)
{
	uint32_t key = offset + 1;

	if ((m->used + 1) * 2 > m->cap && offset_map_grow(m) < 0)
		goto nomem;
	size_t j = offset_hash(key) & (m->cap - 1);
	while (m->keys[j]) {
		if (m->keys[j] == key) {
			*index = m->vals[j];
			return 0;
		}
		j = (j + 1) & (m->cap - 1);
	}
	if ((db->loc_count & (db->loc_count - 1)) == 0) { /* grow at powers of two */
		geo_loc_t *locs = realloc(db->locs, db->loc_count * 2 * sizeof(*locs));
		if (!locs)
			goto nomem;
		db->locs = locs;
	}
	if (db->loc_count >= (GEO_TREE_LEAF >> 1)) {
		fail(err, errlen, db->path, "too many distinct records");
		return -1;
	}
	int status = geo_mmdb_decode(&db->mmdb, offset, &db->locs[db->loc_count]);
	if (status != 0) {
		fail(err, errlen, db->path, "data record at offset %u: %s", offset,
		     MMDB_strerror(status));
		return -1;
	}
	m->keys[j] = key;
	m->vals[j] = (uint32_t)db->loc_count;
	m->used++;
	*index = (uint32_t)db->loc_count++;
	return 0;
nomem:
	fail(err, errlen, db->path, "out of memory");
	return -1;
}

/* Reading the search tree: one depth-first walk over the mapped file that proves the
 * tree is a tree where the compiler will walk it (a corrupt file whose nodes share
 * children would otherwise make every later walk exponential), decodes each reachable
 * data record once, counts networks, and writes the nodes it reaches into db->nodes in
 * the order of the walk (a node, then its whole left subtree, then its right one). The
 * compiler walks the tree in that same order, so it reads db->nodes almost sequentially
 * instead of jumping around the file's order. */
typedef struct {
	geo_db_t *db;	      /* the database being opened */
	offset_map_t map;     /* data offset -> location index */
	uint64_t *seen;	      /* one bit per file node: reached already */
	const uint8_t *tree;  /* the file's search tree */
	unsigned record_size; /* bits per record: 24, 28 or 32 */
	uint32_t count;	      /* nodes written to db->nodes */
	uint8_t path[16];     /* IPv6 walk: the bits so far (the rest zero) */
	uint32_t compat;      /* where the walk puts ::/96: root4 (an alias of it) */
	char *err;	      /* the caller's error buffer */
	size_t errlen;	      /* its size */
} walk_t;

/* File node i's record (0 left, 1 right): big-endian, 24, 28 or 32 bits; a 28-bit pair
 * keeps the left record's top nibble in the middle byte's high half. */
static uint32_t file_record(const walk_t *w, uint32_t i, unsigned right)
{
	const uint8_t *p = w->tree + (size_t)i * (w->record_size / 4);

	switch (w->record_size) {
	case 24:
		p += 3 * right;
		return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	case 28:
		if (right)
			return (uint32_t)(p[3] & 0x0f) << 24 | (uint32_t)p[4] << 16 |
			       (uint32_t)p[5] << 8 | p[6];
		return (uint32_t)(p[3] & 0xf0) << 20 | (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 |
		       p[2];
	default:
		p += 4 * right;
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
}

/* A record that is not a node, as a leaf. The record's meaning is libmaxminddb's: below
 * node_count a node, node_count itself empty, the next 15 values the separator, then
 * data-section offsets up to the section's size. */
static int leaf_value(walk_t *w, uint32_t node, uint32_t record, uint32_t *out)
{
	geo_db_t *db = w->db;
	uint32_t index;

	if (record == db->node_count) {
		*out = GEO_TREE_LEAF;
		return 0;
	}
	uint64_t offset = (uint64_t)record - db->node_count - 16;
	/* the 16 bytes after the tree are a separator, not data */
	if ((uint64_t)record < (uint64_t)db->node_count + 16 ||
	    offset >= db->mmdb.data_section_size) {
		fail(w->err, w->errlen, db->path, "search tree node %u points outside the file",
		     node);
		return -1;
	}
	/* neighbouring networks often share a record: skip the hash for a repeat */
	if (offset == w->map.last_offset) {
		*out = w->map.last_leaf;
	} else {
		if (location_for(db, &w->map, (uint32_t)offset, &index, w->err, w->errlen) < 0)
			return -1;
		w->map.last_offset = offset;
		w->map.last_leaf = *out = GEO_TREE_LEAF | index;
	}
	db->networks++;
	return 0;
}

static void corrupt(walk_t *w)
{
	fail(w->err, w->errlen, w->db->path,
	     "corrupt search tree (a node is reached twice or too deep)");
}

/* Walks file node i at depth (of max) and below; *out is its index in db->nodes.
 * path6: the IPv6 walk, which leaves out the regions carrying IPv4 (aliases of the IPv4
 * tree in most databases; the compiler reads them through root4). */
static int walk_node(walk_t *w, uint32_t i, unsigned depth, unsigned max, bool path6, uint32_t *out)
{
	geo_db_t *db = w->db;

	if (depth == max || (w->seen[i / 64] >> (i % 64)) & 1) {
		corrupt(w);
		return -1;
	}
	w->seen[i / 64] |= (uint64_t)1 << (i % 64);
	uint32_t me = w->count++;
	for (unsigned b = 0; b < 2; b++) {
		uint8_t bit = (uint8_t)(0x80 >> (depth % 8));
		uint32_t record = file_record(w, i, b), child = GEO_TREE_LEAF;
		int form = GEO_FORM_NATIVE;
		if (path6 && b)
			w->path[depth / 8] |= bit;
		if (path6 && depth + 1 >= 16 && depth + 1 <= 96)
			for (int f = GEO_FORM_MAPPED; f < GEO_FORM_COUNT; f++)
				if (geo_forms[f].prefix_len == depth + 1 &&
				    memcmp(w->path, geo_forms[f].prefix, 16) == 0)
					form = f;
		int rc = 0;
		if (form == GEO_FORM_COMPAT)
			child = w->compat; /* ::/96 is root4 itself */
		else if (form != GEO_FORM_NATIVE)
			child = GEO_TREE_LEAF; /* never read: lookups go through root4 */
		else if (record < db->node_count)
			rc = walk_node(w, record, depth + 1, max, path6, &child);
		else
			rc = leaf_value(w, i, record, &child);
		if (path6 && b)
			w->path[depth / 8] &= (uint8_t)~bit;
		if (rc < 0)
			return -1;
		db->nodes[(size_t)2 * me + b] = child;
	}
	*out = me;
	return 0;
}

/* A root: a node to walk, or a record that is a leaf already. */
static int walk_root(walk_t *w, uint32_t record, unsigned max, bool path6, uint32_t *out)
{
	if (record < w->db->node_count)
		return walk_node(w, record, 0, max, path6, out);
	return leaf_value(w, 0, record, out);
}

static int read_tree(geo_db_t *db, char *err, size_t errlen)
{
	walk_t w = {.db = db, .map = {.last_offset = UINT64_MAX}, .err = err, .errlen = errlen};
	int rc = -1;

	w.record_size = db->mmdb.metadata.record_size;
	w.tree = db->mmdb.file_content;
	if ((w.record_size != 24 && w.record_size != 28 && w.record_size != 32) ||
	    (uint64_t)db->node_count * (w.record_size / 4) > (uint64_t)db->mmdb.file_size) {
		fail(err, errlen, db->path, "unsupported database (record size %u, %u nodes)",
		     w.record_size, db->node_count);
		return -1;
	}
	/* at most every node once; what the walk does not reach is given back below */
	db->nodes = malloc((size_t)db->node_count * 2 * sizeof(*db->nodes));
	db->locs = calloc(1, sizeof(*db->locs));
	w.seen = calloc(db->node_count / 64 + 1, sizeof(*w.seen));
	db->loc_count = 1;
	if (!db->nodes || !db->locs || !w.seen) {
		fail(err, errlen, db->path, "out of memory");
		goto out;
	}
	if (db->mmdb.metadata.ip_version == 4) {
		if (walk_root(&w, 0, 32, false, &db->root4) < 0)
			goto out;
		db->root6 = GEO_TREE_LEAF;
	} else {
		/* the IPv4 space is ::/96: follow 96 zero bits in the file */
		uint32_t record = 0;
		for (unsigned d = 0; d < 96 && record < db->node_count; d++)
			record = file_record(&w, record, 0);
		if (walk_root(&w, record, 32, false, &db->root4) < 0)
			goto out;
		w.compat = db->root4;
		if (walk_root(&w, 0, 128, true, &db->root6) < 0)
			goto out;
	}
	if (w.count < db->node_count) {
		uint32_t *nodes = realloc(db->nodes, ((size_t)w.count + 1) * 2 * sizeof(*nodes));
		if (nodes)
			db->nodes = nodes;
	}
	rc = 0;
out:
	free(w.seen);
	free(w.map.keys);
	free(w.map.vals);
	return rc;
}

geo_db_t *geo_db_open(const char *path, char *err, size_t errlen)
{
	geo_db_t *db = calloc(1, sizeof(*db));

	if (!db || !(db->path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(db);
		return NULL;
	}
	if (stat(path, &db->st) < 0) {
		fail(err, errlen, path, "%s", strerror(errno));
		free(db->path);
		free(db);
		return NULL;
	}
	if (geo_mmdb_open(path, &db->mmdb, err, errlen) < 0) {
		free(db->path);
		free(db);
		return NULL;
	}
	db->node_count = db->mmdb.metadata.node_count;
	if (read_tree(db, err, errlen) < 0) {
		geo_db_free(db);
		return NULL;
	}
	return db;
}

void geo_db_free(geo_db_t *db)
{
	if (!db)
		return;
	if (db->mmdb.file_size)
		MMDB_close(&db->mmdb);
	free(db->nodes);
	free(db->locs);
	free(db->path);
	free(db);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int geo_db_reload(geo_db_t *db, geo_db_t **fresh, char *err, size_t errlen)
{
	struct stat st;

	*fresh = NULL;
	if (stat(db->path, &st) < 0) {
		fail(err, errlen, db->path, "%s", strerror(errno));
		return -1;
	}
	if (same_file(&st, &db->st) || (db->refused_valid && same_file(&st, &db->refused)))
		return 0;
	*fresh = geo_db_open(db->path, err, errlen);
	if (!*fresh) {
		/* remember it, so polling does not parse the same broken file again */
		db->refused = st;
		db->refused_valid = true;
		return -1;
	}
	return 1;
}

const char *geo_db_path(const geo_db_t *db)
{
	return db->path;
}

const char *geo_db_type(const geo_db_t *db)
{
	return db->mmdb.metadata.database_type ? db->mmdb.metadata.database_type : "";
}

size_t geo_db_network_count(const geo_db_t *db)
{
	return db->networks;
}

const uint32_t *geo_db_tree(const geo_db_t *db, uint32_t *root4, uint32_t *root6)
{
	*root4 = db->root4;
	*root6 = db->root6;
	return db->nodes;
}

const geo_loc_t *geo_db_locations(const geo_db_t *db, size_t *count)
{
	*count = db->loc_count;
	return db->locs;
}

/* Follows addr's bits from ref to a leaf; returns the leaf, *depth its depth. */
static uint32_t walk(const geo_db_t *db, uint32_t ref, const uint8_t *addr, unsigned max,
		     unsigned *depth)
{
	unsigned d = 0;

	while (!(ref & GEO_TREE_LEAF) && d < max) {
		ref = db->nodes[(size_t)2 * ref + geo_bit(addr, d)];
		d++;
	}
	*depth = d;
	return (ref & GEO_TREE_LEAF) ? ref : GEO_TREE_LEAF;
}

int geo_db_locate(const geo_db_t *db, int family, const uint8_t *addr, geo_loc_t *loc,
		  unsigned *netlen)
{
	uint32_t leaf;
	unsigned depth;

	if (family == AF_INET) {
		leaf = walk(db, db->root4, addr, 32, &depth);
	} else if (family == AF_INET6) {
		geo_form_t f = geo_addr_form(addr);
		if (f != GEO_FORM_NATIVE) {
			uint8_t v4[4];
			geo_addr_embedded_v4(f, addr, v4);
			leaf = walk(db, db->root4, v4, 32, &depth);
			depth += geo_forms[f].v4_offset;
		} else {
			leaf = walk(db, db->root6, addr, 128, &depth);
		}
	} else {
		return -1;
	}
	*loc = db->locs[leaf & ~GEO_TREE_LEAF];
	*netlen = depth;
	return 0;
}

/* Appends "key: value\n" for one string field of entry when present. */
static size_t describe_string(MMDB_entry_s *entry, char *buf, size_t len, size_t pos,
			      const char *key, const char *const *path)
{
	MMDB_entry_data_s value;
	int status = MMDB_aget_value(entry, &value, path);

	if (status != MMDB_SUCCESS || !value.has_data || value.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    pos >= len)
		return pos;
	int n = snprintf(buf + pos, len - pos, "%s: %.*s\n", key, (int)value.data_size,
			 value.utf8_string);
	return n > 0 ? pos + (size_t)n : pos;
}

int geo_db_describe(const geo_db_t *db, int family, const uint8_t *addr, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	uint8_t v4[4];
	char text[INET6_ADDRSTRLEN], net[80];
	geo_form_t form = GEO_FORM_NATIVE;
	int mmdb_error = 0;
	size_t pos;

	memset(&ss, 0, sizeof(ss));
	if (family != AF_INET && family != AF_INET6) {
		snprintf(buf, len, "unsupported address family %d", family);
		return -1;
	}
	inet_ntop(family, addr, text, sizeof(text));
	pos = (size_t)snprintf(buf, len, "address: %s\n", text);
	if (family == AF_INET6 && (form = geo_addr_form(addr)) != GEO_FORM_NATIVE) {
		geo_addr_embedded_v4(form, addr, v4);
		inet_ntop(AF_INET, v4, text, sizeof(text));
		if (pos < len)
			pos += (size_t)snprintf(buf + pos, len - pos, "form: %s, looked up as %s\n",
						geo_forms[form].name, text);
		family = AF_INET;
		addr = v4;
	}
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
	}
	if (family == AF_INET6 && db->mmdb.metadata.ip_version == 4) {
		if (pos < len)
			snprintf(buf + pos, len - pos, "record: none (IPv4-only database)\n");
		return 0;
	}
	MMDB_lookup_result_s res =
	    MMDB_lookup_sockaddr(&db->mmdb, (struct sockaddr *)&ss, &mmdb_error);
	if (mmdb_error != MMDB_SUCCESS) {
		snprintf(buf, len, "%s: lookup of %s: %s", db->path, text,
			 MMDB_strerror(mmdb_error));
		return -1;
	}
	unsigned netlen = res.netmask;
	/* An IPv4 lookup in an IPv6 tree reports the netmask in IPv6 terms. */
	if (family == AF_INET && db->mmdb.metadata.ip_version == 6)
		netlen = netlen >= 96 ? netlen - 96 : 0;
	uint8_t masked[16];
	geo_addr_mask(family, addr, netlen, masked);
	geo_net_format(family, masked, netlen, net, sizeof(net));
	if (pos < len)
		pos += (size_t)snprintf(buf + pos, len - pos, "network: %s\n", net);
	if (!res.found_entry) {
		if (pos < len)
			snprintf(buf + pos, len - pos, "record: none\n");
		return 0;
	}
	pos = describe_string(&res.entry, buf, len, pos, "continent", geo_mmdb_path_continent);
	pos = describe_string(&res.entry, buf, len, pos, "country", geo_mmdb_path_country);
	pos = describe_string(&res.entry, buf, len, pos, "registered_country",
			      geo_mmdb_path_registered);
	pos = describe_string(&res.entry, buf, len, pos, "subdivision", geo_mmdb_path_subdivision);
	pos = describe_string(&res.entry, buf, len, pos, "city", geo_mmdb_path_city);
	geo_loc_t loc;
	if (geo_mmdb_decode(&db->mmdb, res.entry.offset, &loc) == 0 && loc.has_location &&
	    pos < len)
		snprintf(buf + pos, len - pos, "latitude: %.4f\nlongitude: %.4f\n", loc.latitude,
			 loc.longitude);
	else if (pos < len)
		snprintf(buf + pos, len - pos, "location: none\n");
	return 0;
}
