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
	uint32_t *keys; /* offset + 1; 0 = empty slot */
	uint32_t *vals; /* location index */
	size_t cap;	/* power of two */
	size_t used; /* slots holding a key */
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

/* Lookup paths into a GeoIP2 record (NULL-terminated, for MMDB_aget_value). */
static const char *const PATH_CONTINENT[] = {"continent", "code", NULL};
static const char *const PATH_COUNTRY[] = {"country", "iso_code", NULL};
static const char *const PATH_REGISTERED[] = {"registered_country", "iso_code", NULL};
static const char *const PATH_SUBDIVISION[] = {"subdivisions", "0", "iso_code", NULL};
static const char *const PATH_CITY[] = {"city", "names", "en", NULL};
static const char *const PATH_LATITUDE[] = {"location", "latitude", NULL};
static const char *const PATH_LONGITUDE[] = {"location", "longitude", NULL};

/* Copies a string field into out (size 4) unless out is already set, or leaves it
 * empty when absent. Returns 0, or an MMDB status for a decoding error. */
static int read_code(MMDB_entry_s *entry, char *out, const char *const *path)
{
	MMDB_entry_data_s value;
	int status = MMDB_aget_value(entry, &value, path);

	if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
	    status == MMDB_INVALID_LOOKUP_PATH_ERROR)
		return 0;
	if (status != MMDB_SUCCESS)
		return status;
	if (value.has_data && value.type == MMDB_DATA_TYPE_UTF8_STRING && value.data_size > 0 &&
	    value.data_size < 4 && out[0] == '\0') {
		memcpy(out, value.utf8_string, value.data_size);
		out[value.data_size] = '\0';
	}
	return 0;
}

static int read_degrees(MMDB_entry_s *entry, const char *const *path, double *out, bool *found)
{
	MMDB_entry_data_s value;
	int status = MMDB_aget_value(entry, &value, path);

	*found = false;
	if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
	    status == MMDB_INVALID_LOOKUP_PATH_ERROR)
		return 0;
	if (status != MMDB_SUCCESS)
		return status;
	if (!value.has_data)
		return 0;
	if (value.type == MMDB_DATA_TYPE_DOUBLE)
		*out = value.double_value;
	else if (value.type == MMDB_DATA_TYPE_FLOAT)
		*out = value.float_value;
	else
		return 0;
	*found = true;
	return 0;
}

static int decode_location(const MMDB_s *mmdb, uint32_t offset, geo_loc_t *loc)
{
	MMDB_entry_s entry = {.mmdb = mmdb, .offset = offset};
	bool has_lat, has_lon;
	int status;

	memset(loc, 0, sizeof(*loc));
	if ((status = read_code(&entry, loc->continent, PATH_CONTINENT)) != 0 ||
	    (status = read_code(&entry, loc->country, PATH_COUNTRY)) != 0 ||
	    (status = read_code(&entry, loc->country, PATH_REGISTERED)) != 0 ||
	    (status = read_code(&entry, loc->subdivision, PATH_SUBDIVISION)) != 0 ||
	    (status = read_degrees(&entry, PATH_LATITUDE, &loc->latitude, &has_lat)) != 0 ||
	    (status = read_degrees(&entry, PATH_LONGITUDE, &loc->longitude, &has_lon)) != 0)
		return status;
	loc->has_location = has_lat && has_lon && loc->latitude >= -90.0 && loc->latitude <= 90.0 &&
			    loc->longitude >= -180.0 && loc->longitude <= 180.0;
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
	int status = decode_location(&db->mmdb, offset, &db->locs[db->loc_count]);
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

/* Turns one search-tree record into a location-tree child. The record's meaning is
 * libmaxminddb's: below node_count a node, node_count itself empty, the next 15 values
 * the separator, then data-section offsets up to the section's size. */
static int child_value(geo_db_t *db, offset_map_t *m, uint32_t node, uint32_t record,
		       uint32_t *out, char *err, size_t errlen)
{
	uint32_t index;

	if (record < db->node_count) {
		*out = record;
		return 0;
	}
	if (record == db->node_count) {
		*out = GEO_TREE_LEAF;
		return 0;
	}
	uint64_t offset = (uint64_t)record - db->node_count - 16;
	/* the 16 bytes after the tree are a separator, not data */
	if ((uint64_t)record < (uint64_t)db->node_count + 16 ||
	    offset >= db->mmdb.data_section_size) {
		fail(err, errlen, db->path, "search tree node %u points outside the file", node);
		return -1;
	}
	/* neighbouring networks often share a record: skip the hash for a repeat */
	if (offset == m->last_offset) {
		*out = m->last_leaf;
		return 0;
	}
	if (location_for(db, m, (uint32_t)offset, &index, err, errlen) < 0)
		return -1;
	m->last_offset = offset;
	m->last_leaf = *out = GEO_TREE_LEAF | index;
	return 0;
}

/* Reads every node's two records straight from the mapped file (big-endian, 24, 28 or 32
 * bits; a 28-bit record pair keeps the left record's top nibble in the middle byte's
 * high half). Much faster than MMDB_read_node, which fills a struct per node. */
static int read_tree(geo_db_t *db, char *err, size_t errlen)
{
	offset_map_t map = {.last_offset = UINT64_MAX};
	unsigned record_size = db->mmdb.metadata.record_size;
	size_t node_bytes = record_size / 4;
	const uint8_t *p = db->mmdb.file_content;
	int rc = -1;

	if ((record_size != 24 && record_size != 28 && record_size != 32) ||
	    (uint64_t)db->node_count * node_bytes > (uint64_t)db->mmdb.file_size) {
		fail(err, errlen, db->path, "unsupported database (record size %u, %u nodes)",
		     record_size, db->node_count);
		return -1;
	}
	db->nodes = malloc((size_t)db->node_count * 2 * sizeof(*db->nodes));
	db->locs = calloc(1, sizeof(*db->locs));
	db->loc_count = 1;
	if (!db->nodes || !db->locs) {
		fail(err, errlen, db->path, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < db->node_count; i++, p += node_bytes) {
		uint32_t left, right;
		if (record_size == 24) {
			left = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
			right = (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
		} else if (record_size == 28) {
			left = (uint32_t)(p[3] & 0xf0) << 20 | (uint32_t)p[0] << 16 |
			       (uint32_t)p[1] << 8 | p[2];
			right = (uint32_t)(p[3] & 0x0f) << 24 | (uint32_t)p[4] << 16 |
				(uint32_t)p[5] << 8 | p[6];
		} else {
			left = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
			       p[3];
			right = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 |
				p[7];
		}
		if (child_value(db, &map, i, left, &db->nodes[(size_t)2 * i], err, errlen) < 0 ||
		    child_value(db, &map, i, right, &db->nodes[(size_t)2 * i + 1], err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	free(map.keys);
	free(map.vals);
	return rc;
}

/* The walk that proves the tree is a tree where the compiler will walk it: a corrupt file
 * whose nodes share children would otherwise make every later walk exponential. */
typedef struct {
	uint64_t *seen;	 /* one bit per node: reached already */
	uint8_t path[16]; /* IPv6 walk: the bits so far (the rest zero) */
	uint8_t form_len[129]; /* 1 at the prefix lengths where an IPv6 form carrying IPv4 starts */
} shape_t;

/* Counts networks below ref and fails when a node is reached twice or lies deeper than
 * the address. path6: the IPv6 walk, which leaves out the regions carrying IPv4 (aliases
 * of the IPv4 tree in most databases; the compiler reads them through root4). */
static int count_networks(geo_db_t *db, shape_t *sh, uint32_t ref, unsigned depth,
			  unsigned max_depth, bool path6)
{
	if (ref & GEO_TREE_LEAF) {
		db->networks += (ref & ~GEO_TREE_LEAF) != 0;
		return 0;
	}
	if (depth == max_depth || (sh->seen[ref / 64] >> (ref % 64)) & 1)
		return -1;
	sh->seen[ref / 64] |= (uint64_t)1 << (ref % 64);
	for (unsigned b = 0; b < 2; b++) {
		uint8_t bit = (uint8_t)(0x80 >> (depth % 8));
		if (path6 && b)
			sh->path[depth / 8] |= bit;
		bool skip = false;
		if (path6 && sh->form_len[depth + 1])
			for (int f = GEO_FORM_MAPPED; f < GEO_FORM_COUNT; f++)
				if (geo_forms[f].prefix_len == depth + 1 &&
				    memcmp(sh->path, geo_forms[f].prefix, 16) == 0)
					skip = true;
		int rc = skip ? 0
			      : count_networks(db, sh, db->nodes[(size_t)2 * ref + b], depth + 1,
					       max_depth, path6);
		if (path6 && b)
			sh->path[depth / 8] &= (uint8_t)~bit;
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int find_roots(geo_db_t *db, char *err, size_t errlen)
{
	shape_t sh = {0};
	int rc = 0;

	if (db->mmdb.metadata.ip_version == 4) {
		db->root4 = 0;
		db->root6 = GEO_TREE_LEAF;
	} else {
		uint32_t ref = 0;
		for (unsigned i = 0; i < 96 && !(ref & GEO_TREE_LEAF); i++)
			ref = db->nodes[(size_t)2 * ref];
		db->root4 = ref;
		db->root6 = 0;
	}
	sh.seen = calloc(db->node_count / 64 + 1, sizeof(*sh.seen));
	if (!sh.seen) {
		fail(err, errlen, db->path, "out of memory");
		return -1;
	}
	for (int f = GEO_FORM_MAPPED; f < GEO_FORM_COUNT; f++)
		sh.form_len[geo_forms[f].prefix_len] = 1;
	if (count_networks(db, &sh, db->root4, 0, 32, false) < 0 ||
	    count_networks(db, &sh, db->root6, 0, 128, true) < 0) {
		fail(err, errlen, db->path,
		     "corrupt search tree (a node is reached twice or too deep)");
		rc = -1;
	}
	free(sh.seen);
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
	int status = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
	if (status != MMDB_SUCCESS) {
		if (status == MMDB_IO_ERROR)
			fail(err, errlen, path, "%s: %s", MMDB_strerror(status), strerror(errno));
		else
			fail(err, errlen, path, "%s", MMDB_strerror(status));
		free(db->path);
		free(db);
		return NULL;
	}
	db->node_count = db->mmdb.metadata.node_count;
	if (db->node_count == 0 || db->node_count >= GEO_TREE_LEAF ||
	    (db->mmdb.metadata.ip_version != 4 && db->mmdb.metadata.ip_version != 6)) {
		fail(err, errlen, path, "unsupported database (ip_version %u, %u nodes)",
		     db->mmdb.metadata.ip_version, db->node_count);
		geo_db_free(db);
		return NULL;
	}
	if (read_tree(db, err, errlen) < 0 || find_roots(db, err, errlen) < 0) {
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
	pos = describe_string(&res.entry, buf, len, pos, "continent", PATH_CONTINENT);
	pos = describe_string(&res.entry, buf, len, pos, "country", PATH_COUNTRY);
	pos = describe_string(&res.entry, buf, len, pos, "registered_country", PATH_REGISTERED);
	pos = describe_string(&res.entry, buf, len, pos, "subdivision", PATH_SUBDIVISION);
	pos = describe_string(&res.entry, buf, len, pos, "city", PATH_CITY);
	geo_loc_t loc;
	if (decode_location(&db->mmdb, res.entry.offset, &loc) == 0 && loc.has_location &&
	    pos < len)
		snprintf(buf + pos, len - pos, "latitude: %.4f\nlongitude: %.4f\n", loc.latitude,
			 loc.longitude);
	else if (pos < len)
		snprintf(buf + pos, len - pos, "location: none\n");
	return 0;
}
