/* SPDX-License-Identifier: MIT */
/* geo_mmdb.c -- libmaxminddb glue: opening an mmdb file, decoding a record's place */
#include "config.h"

#include <errno.h>
#include <maxminddb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "geo/geo_db.h"
#include "geo/geo_mmdb.h"

int geo_mmdb_open(const char *path, MMDB_s *mmdb, char *err, size_t errlen)
{
	memset(mmdb, 0, sizeof(*mmdb));
	/* MMDB_open's own message for a missing file does not say why */
	if (access(path, R_OK) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int status = MMDB_open(path, MMDB_MODE_MMAP, mmdb);
	if (status != MMDB_SUCCESS) {
		if (status == MMDB_IO_ERROR)
			snprintf(err, errlen, "%s: %s: %s", path, MMDB_strerror(status),
				 strerror(errno));
		else
			snprintf(err, errlen, "%s: %s", path, MMDB_strerror(status));
		memset(mmdb, 0, sizeof(*mmdb));
		return -1;
	}
	uint32_t nodes = mmdb->metadata.node_count;
	unsigned version = mmdb->metadata.ip_version;
	/* node indexes must leave room for GEO_TREE_LEAF in the decoded tree */
	if (nodes == 0 || nodes >= GEO_TREE_LEAF || (version != 4 && version != 6)) {
		snprintf(err, errlen, "%s: unsupported database (ip_version %u, %u nodes)", path,
			 version, nodes);
		MMDB_close(mmdb);
		memset(mmdb, 0, sizeof(*mmdb));
		return -1;
	}
	return 0;
}

const char *const geo_mmdb_path_continent[] = {"continent", "code", NULL};
const char *const geo_mmdb_path_country[] = {"country", "iso_code", NULL};
const char *const geo_mmdb_path_registered[] = {"registered_country", "iso_code", NULL};
const char *const geo_mmdb_path_subdivision[] = {"subdivisions", "0", "iso_code", NULL};
const char *const geo_mmdb_path_city[] = {"city", "names", "en", NULL};
static const char *const PATH_LATITUDE[] = {"location", "latitude", NULL};
static const char *const PATH_LONGITUDE[] = {"location", "longitude", NULL};

/* Copies a string field into out (size 4) unless out is already set, or leaves it
 * empty when absent. Returns 0, or an MMDB status for a decoding error. */
/* Reads the field at path into *value. A path the record does not have is no error:
 * value->has_data is then false. Returns 0, or an MMDB status for a decoding error. */
static int read_field(MMDB_entry_s *entry, const char *const *path, MMDB_entry_data_s *value)
{
	int status = MMDB_aget_value(entry, value, path);

	if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
	    status == MMDB_INVALID_LOOKUP_PATH_ERROR) {
		value->has_data = false;
		return 0;
	}
	return status; /* MMDB_SUCCESS is 0 */
}

static int read_code(MMDB_entry_s *entry, char *out, const char *const *path)
{
	MMDB_entry_data_s value;
	int status = read_field(entry, path, &value);

	if (status != 0)
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
	int status = read_field(entry, path, &value);

	*found = false;
	if (status != 0)
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

int geo_mmdb_decode(const MMDB_s *mmdb, uint32_t offset, geo_loc_t *loc)
{
	MMDB_entry_s entry = {.mmdb = mmdb, .offset = offset};
	bool has_lat, has_lon;
	int status;

	memset(loc, 0, sizeof(*loc));
	if ((status = read_code(&entry, loc->continent, geo_mmdb_path_continent)) != 0 ||
	    (status = read_code(&entry, loc->country, geo_mmdb_path_country)) != 0 ||
	    (status = read_code(&entry, loc->country, geo_mmdb_path_registered)) != 0 ||
	    (status = read_code(&entry, loc->subdivision, geo_mmdb_path_subdivision)) != 0 ||
	    (status = read_degrees(&entry, PATH_LATITUDE, &loc->latitude, &has_lat)) != 0 ||
	    (status = read_degrees(&entry, PATH_LONGITUDE, &loc->longitude, &has_lon)) != 0)
		return status;
	loc->has_location = has_lat && has_lon && loc->latitude >= -90.0 && loc->latitude <= 90.0 &&
			    loc->longitude >= -180.0 && loc->longitude <= 180.0;
	return 0;
}
