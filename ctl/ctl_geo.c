/* SPDX-License-Identifier: MIT */
/* ctl_geo.c -- `meridianctl geo`: what the GeoIP database says of an address */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctl/ctl_geo.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_state.h"

int ctl_geo_client_parse(const char *command, const char *text, int *family, uint8_t addr[16])
{
	conf_ipaddr_t ip;

	if (conf_ipaddr_parse(text, &ip) == 0) {
		*family = ip.family;
		memcpy(addr, ip.bytes, 16);
		return 0;
	}
	ctl_error("%s: \"%s\" is not an IPv4 or IPv6 address", command, text);
	return -1;
}

geo_db_t *ctl_geo_db_open(const char *command, const conf_t *conf)
{
	char err[512];
	geo_db_t *db;

	if (conf->geoip_path == NULL) {
		ctl_error("%s: the config names no GeoIP database (geoip)", command);
		return NULL;
	}
	db = geo_db_open(conf->geoip_path, err, sizeof(err));
	if (db == NULL)
		ctl_error("%s: cannot open the GeoIP database: %s", command, err);
	return db;
}

int ctl_geo_run(const ctl_args_t *args, const conf_t *conf)
{
	char text[4096];
	uint8_t addr[16];
	geo_db_t *db;
	int family;

	if (ctl_geo_client_parse("geo", args->positional[0], &family, addr) != 0)
		return CTL_EXIT_USAGE;
	db = ctl_geo_db_open("geo", conf);
	if (db == NULL)
		return CTL_EXIT_FAIL;
	if (geo_db_describe(db, family, addr, text, sizeof(text)) != 0) {
		ctl_error("geo: %s", text);
		geo_db_free(db);
		return CTL_EXIT_FAIL;
	}
	if (!args->json) {
		printf("database: %s (%s)\n%s", geo_db_path(db), geo_db_type(db), text);
	} else {
		ctl_json_t j;

		/* geo_db_describe's "key: value" lines become members, in order. */
		ctl_json_init(&j, stdout);
		ctl_json_object_begin(&j);
		ctl_json_kv_string(&j, "database", geo_db_path(db));
		ctl_json_kv_string(&j, "database_type", geo_db_type(db));
		for (char *line = text, *next; *line != '\0'; line = next) {
			char *colon;

			next = line + strcspn(line, "\n");
			if (*next == '\n')
				*next++ = '\0';
			colon = strstr(line, ": ");
			if (colon == NULL)
				continue;
			*colon = '\0';
			ctl_json_kv_string(&j, line, colon + 2);
		}
		ctl_json_object_end(&j);
		if (ctl_json_finish(&j) != 0)
			ctl_error("internal error: malformed JSON output");
	}
	geo_db_free(db);
	return CTL_EXIT_OK;
}
