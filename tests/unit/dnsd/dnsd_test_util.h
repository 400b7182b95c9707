/* SPDX-License-Identifier: MIT */
/* dnsd_test_util.h -- building zones and wire queries for the dnsd engine tests */
#ifndef MERIDIAN_DNSD_TEST_UTIL_H
#define MERIDIAN_DNSD_TEST_UTIL_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsd/dnsd_answer.h"
#include "dnsd/dnsd_zone.h"

/* A fresh directory under $TMPDIR for one test's files (removed by t_dir_remove). */
char *t_dir_new(void);
void t_dir_remove(char *dir);
/* Writes text to dir/name; returns the path (caller frees). */
char *t_file_write(const char *dir, const char *name, const char *text);

/* How a test query is made. */
typedef struct {
	const char *name;	  /* question name, presentation form */
	uint16_t type;		  /* question type */
	uint16_t qclass;	  /* 0 means IN */
	bool edns;		  /* add an OPT record */
	uint16_t udp_size;	  /* OPT class; 0 means 1232 */
	uint8_t version;	  /* EDNS version */
	bool nsid;		  /* ask for NSID */
	const uint8_t *opt_extra; /* raw options appended to the OPT rdata */
	size_t opt_extra_len;	  /* bytes in opt_extra */
} t_query_t;

/* Wire form of q into buf; returns its length. */
size_t t_query_wire(const t_query_t *q, uint8_t *buf, size_t cap);
/* An ECS option (code 8) for family/prefix/scope with the address bytes given. */
size_t t_ecs_option(uint8_t *out, uint16_t family, uint8_t source, uint8_t scope,
		    const uint8_t *addr, size_t addr_len);

/* Answers wire with ctx for a UDP (or TCP) client at 192.0.2.200; parses the response
 * with ldns (NULL when the engine sent nothing). *len gets the response length. */
ldns_pkt *t_answer(const dnsd_answer_ctx_t *ctx, const uint8_t *wire, size_t wire_len, bool tcp,
		   dnsd_counters_t *counters, size_t *len);

/* The last response t_answer() saw, raw. */
extern uint8_t t_resp[65535];
/* Finds EDNS option code in a raw response: its length and *data, or -1. */
int t_opt_find(const uint8_t *resp, size_t len, uint16_t code, const uint8_t **data);

/* The section's records as "owner ttl class type rdata" lines joined by '|' (caller frees). */
char *t_section(const ldns_rr_list *list);

#endif
