/* SPDX-License-Identifier: MIT */
/* test_geo_db.c -- opening, refusing broken files, reload, describe, locate */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <maxminddb.h>

#include "tests/unit/geo/geo_test_util.h"

static char workdir[] = "/tmp/meridian-geo-test.XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void read_file(const char *path, uint8_t **bytes, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	*len = (size_t)ftell(f);
	rewind(f);
	*bytes = malloc(*len);
	assert_non_null(*bytes);
	assert_int_equal(fread(*bytes, 1, *len, f), *len);
	fclose(f);
}

/* Writes bytes to dir/name through a temporary file and rename, as geoipupdate does. */
static const char *install(const char *name, const uint8_t *bytes, size_t len)
{
	static char path[512];
	char tmp[520];

	snprintf(path, sizeof(path), "%s/%s", workdir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
	return path;
}

static void test_open_reads_city_database(void **state)
{
	char err[256];
	(void)state;
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	assert_non_null(db);
	assert_string_equal(geo_db_type(db), "Meridian-Test-City");
	/* 12 IPv4 + 6 IPv6 networks, as make-test-mmdb.pl documents */
	assert_int_equal(geo_db_network_count(db), 18);
	geo_db_free(db);
}

static void test_open_missing_file_names_it(void **state)
{
	char err[256], want[512];
	(void)state;
	snprintf(want, sizeof(want), "%s/absent.mmdb: No such file or directory", workdir);
	snprintf(err, sizeof(err), "%s/absent.mmdb", workdir);
	char path[256];
	snprintf(path, sizeof(path), "%s", err);
	assert_null(geo_db_open(path, err, sizeof(err)));
	assert_string_equal(err, want);
}

static void test_open_refuses_garbage(void **state)
{
	uint8_t junk[4096];
	char err[512], want[600];
	(void)state;
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7 + 13);
	const char *path = install("garbage.mmdb", junk, sizeof(junk));
	assert_null(geo_db_open(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: The MaxMind DB file contains invalid metadata", path);
	assert_string_equal(err, want);
}

static void test_open_refuses_truncated_file(void **state)
{
	uint8_t *bytes;
	size_t len;
	char err[512], want[600];
	(void)state;
	read_file(test_db_path("test-city.mmdb"), &bytes, &len);
	const char *path = install("truncated.mmdb", bytes, len / 2);
	free(bytes);
	assert_null(geo_db_open(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: The MaxMind DB file contains invalid metadata", path);
	assert_string_equal(err, want);
}

static void test_open_refuses_corrupt_search_tree(void **state)
{
	uint8_t *bytes;
	size_t len;
	char err[512], want[600];
	(void)state;
	read_file(test_db_path("test-city.mmdb"), &bytes, &len);
	/* the search tree starts the file; all-ones records point past the data section */
	memset(bytes, 0xff, 64);
	const char *path = install("corrupt-tree.mmdb", bytes, len);
	free(bytes);
	assert_null(geo_db_open(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: search tree node 0 points outside the file", path);
	assert_string_equal(err, want);
}

static void test_reload_keeps_old_on_broken_file(void **state)
{
	uint8_t *city, *country;
	size_t city_len, country_len;
	char err[512], want[600];
	geo_db_t *fresh = (geo_db_t *)1;
	(void)state;
	read_file(test_db_path("test-city.mmdb"), &city, &city_len);
	read_file(test_db_path("test-country.mmdb"), &country, &country_len);
	const char *path = install("reload.mmdb", city, city_len);
	geo_db_t *db = geo_db_open(path, err, sizeof(err));
	assert_non_null(db);

	assert_int_equal(geo_db_reload(db, &fresh, err, sizeof(err)), 0);
	assert_null(fresh);

	install("reload.mmdb", city, city_len / 3);
	assert_int_equal(geo_db_reload(db, &fresh, err, sizeof(err)), -1);
	assert_null(fresh);
	snprintf(want, sizeof(want), "%s: The MaxMind DB file contains invalid metadata", path);
	assert_string_equal(err, want);
	/* the same broken file is not parsed again, and is not news */
	assert_int_equal(geo_db_reload(db, &fresh, err, sizeof(err)), 0);
	assert_null(fresh);
	/* the old database still answers */
	assert_string_equal(geo_db_type(db), "Meridian-Test-City");
	geo_loc_t loc;
	unsigned netlen;
	uint8_t london[4] = {81, 2, 69, 1};
	assert_int_equal(geo_db_locate(db, AF_INET, london, &loc, &netlen), 0);
	assert_string_equal(loc.country, "GB");

	install("reload.mmdb", country, country_len);
	assert_int_equal(geo_db_reload(db, &fresh, err, sizeof(err)), 1);
	assert_non_null(fresh);
	assert_string_equal(geo_db_type(fresh), "Meridian-Test-Country");
	geo_db_free(db);
	assert_int_equal(geo_db_reload(fresh, &db, err, sizeof(err)), 0);
	geo_db_free(fresh);
	free(city);
	free(country);
}

/* Node i's two 28-bit records, as make-test-mmdb.pl writes them (record_size 28). */
static void put_node28(uint8_t *tree, uint32_t i, uint32_t left, uint32_t right)
{
	uint8_t *n = tree + 7 * (size_t)i;
	n[0] = (uint8_t)(left >> 16);
	n[1] = (uint8_t)(left >> 8);
	n[2] = (uint8_t)left;
	n[3] = (uint8_t)(((left >> 24) & 0xf) << 4 | ((right >> 24) & 0xf));
	n[4] = (uint8_t)(right >> 16);
	n[5] = (uint8_t)(right >> 8);
	n[6] = (uint8_t)right;
}

static void test_open_refuses_search_tree_that_is_not_a_tree(void **state)
{
	uint8_t *bytes;
	size_t len;
	char err[512], want[600];
	(void)state;
	read_file(test_db_path("test-city-v4.mmdb"), &bytes, &len);
	/* both children of nodes 0..30 are the next node: 2^31 paths through 32 nodes */
	for (uint32_t i = 0; i < 31; i++)
		put_node28(bytes, i, i + 1, i + 1);
	const char *path = install("dag.mmdb", bytes, len);
	free(bytes);
	assert_null(geo_db_open(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "%s: corrupt search tree (a node is reached twice or too deep)", path);
	assert_string_equal(err, want);
}

static void test_open_refuses_one_shared_subtree(void **state)
{
	uint8_t *bytes;
	size_t len;
	char err[512], want[600];
	(void)state;
	read_file(test_db_path("test-city-v4.mmdb"), &bytes, &len);
	/* both children of the root are node 1: its subtree is reached twice, once too often */
	put_node28(bytes, 0, 1, 1);
	const char *path = install("shared.mmdb", bytes, len);
	free(bytes);
	assert_null(geo_db_open(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "%s: corrupt search tree (a node is reached twice or too deep)", path);
	assert_string_equal(err, want);
}

/* Rewrites the 28-bit test database with record_size bits per record (24 or 32): the
 * tree re-encoded, the rest of the file as is but for the metadata's record_size. */
static uint8_t *recode_tree(const uint8_t *in, size_t len, uint32_t nodes, unsigned bits,
			    size_t *out_len)
{
	static const char key[] = "\x4brecord_size\xa1\x1c"; /* "record_size": uint16 28 */
	size_t bytes = bits / 4, old_tree = (size_t)nodes * 7;
	uint8_t *out = malloc(len - old_tree + (size_t)nodes * bytes);
	assert_non_null(out);
	for (uint32_t i = 0; i < nodes; i++) {
		const uint8_t *n = in + 7 * (size_t)i;
		uint32_t rec[2] = {(uint32_t)(n[3] >> 4) << 24 | (uint32_t)n[0] << 16 |
				       (uint32_t)n[1] << 8 | n[2],
				   (uint32_t)(n[3] & 0xf) << 24 | (uint32_t)n[4] << 16 |
				       (uint32_t)n[5] << 8 | n[6]};
		uint8_t *o = out + bytes * i;
		for (unsigned r = 0; r < 2; r++)
			for (unsigned k = 0; k < bytes / 2; k++)
				o[r * (bytes / 2) + k] =
				    (uint8_t)(rec[r] >> (8 * (bytes / 2 - 1 - k)));
	}
	memcpy(out + (size_t)nodes * bytes, in + old_tree, len - old_tree);
	*out_len = len - old_tree + (size_t)nodes * bytes;
	uint8_t *meta = memmem(out, *out_len, key, sizeof(key) - 1);
	assert_non_null(meta);
	meta[sizeof(key) - 2] = (uint8_t)bits;
	return out;
}

static void test_open_reads_24_and_32_bit_records(void **state)
{
	static const char *const addresses[] = {"81.2.69.1",	   "81.2.69.200",  "217.65.48.7",
						"2001:218::1",	   "2c0f:ff40::1", "192.0.2.1",
						"::ffff:81.2.69.1"};
	char err[512];
	uint8_t *bytes;
	size_t len;
	MMDB_s mmdb;
	(void)state;
	assert_int_equal(MMDB_open(test_db_path("test-city.mmdb"), MMDB_MODE_MMAP, &mmdb),
			 MMDB_SUCCESS);
	uint32_t nodes = mmdb.metadata.node_count;
	assert_int_equal(mmdb.metadata.record_size, 28);
	MMDB_close(&mmdb);
	read_file(test_db_path("test-city.mmdb"), &bytes, &len);
	geo_db_t *ref = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	assert_non_null(ref);
	for (unsigned bits = 24; bits <= 32; bits += 8) {
		size_t n;
		uint8_t *recoded = recode_tree(bytes, len, nodes, bits, &n);
		const char *path = install(bits == 24 ? "r24.mmdb" : "r32.mmdb", recoded, n);
		free(recoded);
		assert_int_equal(MMDB_open(path, MMDB_MODE_MMAP, &mmdb), MMDB_SUCCESS);
		assert_int_equal(mmdb.metadata.record_size, bits);
		MMDB_close(&mmdb);
		geo_db_t *db = geo_db_open(path, err, sizeof(err));
		if (!db)
			fail_msg("%s", err);
		assert_int_equal(geo_db_network_count(db), geo_db_network_count(ref));
		for (size_t i = 0; i < M_ARRAY_LEN(addresses); i++) {
			uint8_t addr[16];
			int family = strchr(addresses[i], ':') ? AF_INET6 : AF_INET;
			geo_loc_t want, got;
			unsigned want_len, got_len;
			assert_int_equal(inet_pton(family, addresses[i], addr), 1);
			assert_int_equal(geo_db_locate(ref, family, addr, &want, &want_len), 0);
			assert_int_equal(geo_db_locate(db, family, addr, &got, &got_len), 0);
			assert_string_equal(got.country, want.country);
			assert_string_equal(got.subdivision, want.subdivision);
			assert_int_equal(got.has_location, want.has_location);
			assert_int_equal(got_len, want_len);
		}
		geo_db_free(db);
	}
	geo_db_free(ref);
	free(bytes);
}

static void test_open_refuses_record_into_separator(void **state)
{
	uint8_t *bytes;
	size_t len;
	char err[512], want[600];
	MMDB_s mmdb;
	(void)state;
	assert_int_equal(MMDB_open(test_db_path("test-city-v4.mmdb"), MMDB_MODE_MMAP, &mmdb),
			 MMDB_SUCCESS);
	uint32_t nodes = mmdb.metadata.node_count;
	MMDB_close(&mmdb);
	read_file(test_db_path("test-city-v4.mmdb"), &bytes, &len);
	/* values node_count+1 .. node_count+15 land in the 16-byte separator, not data */
	put_node28(bytes, 0, nodes + 5, nodes + 5);
	const char *path = install("separator.mmdb", bytes, len);
	free(bytes);
	assert_null(geo_db_open(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: search tree node 0 points outside the file", path);
	assert_string_equal(err, want);
}

static void test_open_refuses_undecodable_record(void **state)
{
	uint8_t *bytes;
	size_t len;
	char err[512], want[600];
	MMDB_s mmdb;
	(void)state;
	assert_int_equal(MMDB_open(test_db_path("test-city-v4.mmdb"), MMDB_MODE_MMAP, &mmdb),
			 MMDB_SUCCESS);
	size_t data = (size_t)mmdb.metadata.node_count * 7 + 16;
	MMDB_close(&mmdb);
	read_file(test_db_path("test-city-v4.mmdb"), &bytes, &len);
	/* the first value of the data section becomes extended type 7 + 255: no such type */
	bytes[data] = 0x00;
	bytes[data + 1] = 0xff;
	const char *path = install("bad-record.mmdb", bytes, len);
	free(bytes);
	assert_null(geo_db_open(path, err, sizeof(err)));
	/* which record trips over it depends on the writer's layout; the form does not */
	snprintf(want, sizeof(want), "%s: data record at offset ", path);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	const char *tail = ": The MaxMind DB file's data section contains bad data (unknown data "
			   "type or corrupt data)";
	assert_true(strlen(err) > strlen(tail));
	assert_string_equal(err + strlen(err) - strlen(tail), tail);
}

static void test_reload_of_vanished_file_keeps_old(void **state)
{
	uint8_t *city;
	size_t len;
	char err[512], want[600];
	geo_db_t *fresh = (geo_db_t *)1;
	(void)state;
	read_file(test_db_path("test-city.mmdb"), &city, &len);
	const char *path = install("vanish.mmdb", city, len);
	free(city);
	geo_db_t *db = geo_db_open(path, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(geo_db_reload(db, &fresh, err, sizeof(err)), -1);
	assert_null(fresh);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	geo_db_free(db);
}

static void test_describe_rejects_bad_family(void **state)
{
	char err[256], buf[256];
	uint8_t addr[16] = {0};
	(void)state;
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(geo_db_describe(db, AF_UNIX, addr, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "unsupported address family 1");
	geo_loc_t loc;
	unsigned netlen;
	assert_int_equal(geo_db_locate(db, AF_UNIX, addr, &loc, &netlen), -1);
	geo_db_free(db);
}

static void test_describe_ipv6_in_ipv4_database(void **state)
{
	char err[256], buf[256];
	uint8_t addr[16];
	(void)state;
	geo_db_t *db = geo_db_open(test_db_path("test-city-v4.mmdb"), err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(inet_pton(AF_INET6, "2001:218::1", addr), 1);
	assert_int_equal(geo_db_describe(db, AF_INET6, addr, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "address: 2001:218::1\nrecord: none (IPv4-only database)\n");
	geo_db_free(db);
}

/* Random damage anywhere must give a clean refusal or a database that works. */
static void test_open_survives_random_corruption(void **state)
{
	uint8_t *orig, *bytes;
	size_t len;
	uint64_t seed = 0x2545f4914f6cdd1du;
	int refused = 0;
	(void)state;
	read_file(test_db_path("test-city.mmdb"), &orig, &len);
	bytes = malloc(len);
	assert_non_null(bytes);
	for (int round = 0; round < 300; round++) {
		char err[512];
		memcpy(bytes, orig, len);
		for (int k = 0; k < 1 + round % 8; k++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			bytes[(seed >> 16) % len] = (uint8_t)seed;
		}
		const char *path = install("damaged.mmdb", bytes, len);
		geo_db_t *db = geo_db_open(path, err, sizeof(err));
		if (!db) {
			assert_true(strncmp(err, path, strlen(path)) == 0);
			refused++;
			continue;
		}
		static const size_t all[] = {US_EAST, EU_WEST, AP_SOUTH};
		geo_rules_t r = {all, 3, NULL, 0, NULL, 0, NULL, 0};
		geo_trie_t *t = geo_trie_build(db, test_dcs, DC_COUNT, &r, err, sizeof(err));
		assert_non_null(t);
		uint8_t addr[16] = {81, 2, 69, 1};
		const geo_list_t *list;
		unsigned scope;
		char buf[1024];
		assert_int_equal(geo_trie_lookup(t, AF_INET, addr, 32, &list, &scope), 0);
		assert_int_equal(list->count, 3);
		(void)geo_db_describe(db, AF_INET, addr, buf, sizeof(buf));
		geo_trie_free(t);
		geo_db_free(db);
	}
	print_message("%d of 300 damaged files refused\n", refused);
	free(bytes);
	free(orig);
}

typedef struct {
	const char *address;			       /* the client address looked up */
	const char *continent, *country, *subdivision; /* codes the record must give */
	bool has_location;			       /* the record has coordinates */
	double latitude, longitude;		       /* degrees, when has_location */
	unsigned netlen;			       /* prefix length of the record's network */
} locate_row_t;

static void test_locate_reads_record_fields(void **state)
{
	static const locate_row_t rows[] = {
	    {"81.2.69.1", "EU", "GB", "ENG", true, 51.5142, -0.0931, 25},
	    {"81.2.69.200", "EU", "GB", "ENG", true, 53.4808, -2.2426, 25},
	    {"217.65.48.7", "EU", "GI", "", false, 0, 0, 24},
	    {"2001:218::1", "AS", "JP", "13", true, 35.6895, 139.6917, 32},
	    {"::ffff:81.2.69.1", "EU", "GB", "ENG", true, 51.5142, -0.0931, 121},
	    {"2002:5102:4501::", "EU", "GB", "ENG", true, 51.5142, -0.0931, 41},
	    {"2001:0:4136:e378:8000:63bf:aefd:bafe", "EU", "GB", "ENG", true, 51.5142, -0.0931,
	     121},
	    {"192.0.2.1", "", "", "", false, 0, 0, 0},
	};
	char err[256];
	(void)state;
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	assert_non_null(db);
	for (size_t i = 0; i < M_ARRAY_LEN(rows); i++) {
		uint8_t addr[16];
		int family = strchr(rows[i].address, ':') ? AF_INET6 : AF_INET;
		geo_loc_t loc;
		unsigned netlen;
		assert_int_equal(inet_pton(family, rows[i].address, addr), 1);
		assert_int_equal(geo_db_locate(db, family, addr, &loc, &netlen), 0);
		assert_string_equal(loc.continent, rows[i].continent);
		assert_string_equal(loc.country, rows[i].country);
		assert_string_equal(loc.subdivision, rows[i].subdivision);
		assert_int_equal(loc.has_location, rows[i].has_location);
		if (rows[i].has_location) {
			assert_true(loc.latitude == rows[i].latitude);
			assert_true(loc.longitude == rows[i].longitude);
		}
		if (rows[i].netlen)
			assert_int_equal(netlen, rows[i].netlen);
	}
	geo_db_free(db);
}

static void test_describe_prints_raw_record(void **state)
{
	char err[256], buf[1024];
	uint8_t addr[16];
	(void)state;
	geo_db_t *db = geo_db_open(test_db_path("test-city.mmdb"), err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:81.2.69.200", addr), 1);
	assert_int_equal(geo_db_describe(db, AF_INET6, addr, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "address: ::ffff:81.2.69.200\n"
				 "form: ipv4-mapped, looked up as 81.2.69.200\n"
				 "network: 81.2.69.128/25\n"
				 "continent: EU\n"
				 "country: GB\n"
				 "subdivision: ENG\n"
				 "city: Manchester\n"
				 "latitude: 53.4808\n"
				 "longitude: -2.2426\n");
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", addr), 1);
	assert_int_equal(geo_db_describe(db, AF_INET, addr, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "record: none\n"));
	geo_db_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_reads_city_database),
	    cmocka_unit_test(test_open_missing_file_names_it),
	    cmocka_unit_test(test_open_refuses_garbage),
	    cmocka_unit_test(test_open_refuses_truncated_file),
	    cmocka_unit_test(test_open_refuses_corrupt_search_tree),
	    cmocka_unit_test(test_open_refuses_search_tree_that_is_not_a_tree),
	    cmocka_unit_test(test_open_refuses_record_into_separator),
	    cmocka_unit_test(test_open_refuses_undecodable_record),
	    cmocka_unit_test(test_open_survives_random_corruption),
	    cmocka_unit_test(test_open_refuses_one_shared_subtree),
	    cmocka_unit_test(test_open_reads_24_and_32_bit_records),
	    cmocka_unit_test(test_reload_of_vanished_file_keeps_old),
	    cmocka_unit_test(test_describe_rejects_bad_family),
	    cmocka_unit_test(test_describe_ipv6_in_ipv4_database),
	    cmocka_unit_test(test_reload_keeps_old_on_broken_file),
	    cmocka_unit_test(test_locate_reads_record_fields),
	    cmocka_unit_test(test_describe_prints_raw_record),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
