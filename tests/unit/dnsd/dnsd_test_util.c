/* SPDX-License-Identifier: MIT */
/* dnsd_test_util.c -- building zones and wire queries for the dnsd engine tests */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/dnsd/dnsd_test_util.h"

char *t_dir_new(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/dnsd-test-XXXXXX", tmp ? tmp : "/tmp");
	char *dir = mkdtemp(path);
	return dir ? strdup(dir) : NULL;
}

void t_dir_remove(char *dir)
{
	char cmd[600];
	if (dir == NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(dir);
}

char *t_file_write(const char *dir, const char *name, const char *text)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	FILE *fp = fopen(path, "w");
	if (fp == NULL) {
		free(path);
		return NULL;
	}
	fputs(text, fp);
	fclose(fp);
	return path;
}

size_t t_ecs_option(uint8_t *out, uint16_t family, uint8_t source, uint8_t scope,
		    const uint8_t *addr, size_t addr_len)
{
	out[0] = 0;
	out[1] = 8;
	out[2] = (uint8_t)((4 + addr_len) >> 8);
	out[3] = (uint8_t)(4 + addr_len);
	out[4] = (uint8_t)(family >> 8);
	out[5] = (uint8_t)family;
	out[6] = source;
	out[7] = scope;
	if (addr_len > 0)
		memcpy(out + 8, addr, addr_len);
	return 8 + addr_len;
}

size_t t_query_wire(const t_query_t *q, uint8_t *buf, size_t cap)
{
	ldns_rdf *name = ldns_dname_new_frm_str(q->name);
	ldns_pkt *pkt = ldns_pkt_query_new(name, (ldns_rr_type)q->type,
					   (ldns_rr_class)(q->qclass ? q->qclass : 1), LDNS_RD);
	uint8_t *wire = NULL;
	size_t len = 0;

	ldns_pkt_set_id(pkt, 0x1234);
	if (ldns_pkt2wire(&wire, pkt, &len) != LDNS_STATUS_OK || len > cap) {
		ldns_pkt_free(pkt);
		return 0;
	}
	memcpy(buf, wire, len);
	free(wire);
	ldns_pkt_free(pkt);
	if (!q->edns)
		return len;
	size_t rdlen = (q->nsid ? 4 : 0) + q->opt_extra_len;
	uint8_t *p = buf + len;
	uint16_t udp = q->udp_size ? q->udp_size : 1232;
	p[0] = 0;
	p[1] = 0;
	p[2] = 41;
	p[3] = (uint8_t)(udp >> 8);
	p[4] = (uint8_t)udp;
	p[5] = 0;
	p[6] = q->version;
	p[7] = 0;
	p[8] = 0;
	p[9] = (uint8_t)(rdlen >> 8);
	p[10] = (uint8_t)rdlen;
	p += 11;
	if (q->nsid) {
		memcpy(p, "\0\3\0\0", 4);
		p += 4;
	}
	if (q->opt_extra_len)
		memcpy(p, q->opt_extra, q->opt_extra_len);
	len += 11 + rdlen;
	buf[11] = (uint8_t)(buf[11] + 1); /* ARCOUNT */
	return len;
}

uint8_t t_resp[65535];

static size_t skip_name(const uint8_t *p, size_t len, size_t at)
{
	while (at < len) {
		if (p[at] == 0)
			return at + 1;
		if ((p[at] & 0xC0) == 0xC0)
			return at + 2;
		at += 1u + p[at];
	}
	return len;
}

int t_opt_find(const uint8_t *resp, size_t len, uint16_t code, const uint8_t **data)
{
	size_t at = skip_name(resp, len, 12) + 4;
	unsigned rrs = (unsigned)((resp[6] << 8) | resp[7]) + (unsigned)((resp[8] << 8) | resp[9]) +
		       (unsigned)((resp[10] << 8) | resp[11]);
	for (unsigned i = 0; i < rrs && at < len; i++) {
		at = skip_name(resp, len, at);
		if (at + 10 > len)
			return -1;
		uint16_t type = (uint16_t)((resp[at] << 8) | resp[at + 1]);
		size_t rdlen = (size_t)((resp[at + 8] << 8) | resp[at + 9]);
		at += 10;
		if (type == 41) {
			for (size_t o = at; o + 4 <= at + rdlen;) {
				uint16_t c = (uint16_t)((resp[o] << 8) | resp[o + 1]);
				uint16_t olen = (uint16_t)((resp[o + 2] << 8) | resp[o + 3]);
				if (c == code) {
					*data = resp + o + 4;
					return olen;
				}
				o += 4u + olen;
			}
			return -1;
		}
		at += rdlen;
	}
	return -1;
}

ldns_pkt *t_answer(const dnsd_answer_ctx_t *ctx, const uint8_t *wire, size_t wire_len, bool tcp,
		   dnsd_counters_t *counters, size_t *len)
{
	uint8_t *resp = t_resp;
	dnsd_client_t client = {.family = AF_INET, .tcp = tcp};
	ldns_pkt *pkt = NULL;

	if (inet_pton(AF_INET, "192.0.2.200", client.addr) != 1)
		return NULL;
	*len = dnsd_answer(ctx, wire, wire_len, &client, resp, sizeof(t_resp), counters);
	if (*len == 0)
		return NULL;
	if (ldns_wire2pkt(&pkt, resp, *len) != LDNS_STATUS_OK)
		return NULL;
	return pkt;
}

char *t_section(const ldns_rr_list *list)
{
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);
	for (size_t i = 0; list && i < ldns_rr_list_rr_count(list); i++) {
		char *s = ldns_rr2str(ldns_rr_list_rr(list, i));
		for (char *t = s; *t; t++)
			if (*t == '\t')
				*t = ' ';
		size_t sl = strlen(s);
		while (sl > 0 && s[sl - 1] == '\n')
			s[--sl] = '\0';
		if (len + sl + 2 > cap) {
			cap = (len + sl + 2) * 2;
			out = realloc(out, cap);
		}
		if (len > 0)
			out[len++] = '|';
		memcpy(out + len, s, sl + 1);
		len += sl;
		free(s);
	}
	return out;
}
