/* SPDX-License-Identifier: MIT */
/* hc_test_origin.h -- real loopback origins (HTTP, DNS over UDP) for probe tests */
#ifndef MERIDIAN_HC_TEST_ORIGIN_H
#define MERIDIAN_HC_TEST_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A server on 127.0.0.1 with a port of its own, run by one thread until stopped. */
typedef struct hc_test_origin hc_test_origin_t;

/* HTTP/1.1 origin answering every request with the current status and body. */
hc_test_origin_t *hc_test_http_origin_start(void);
/* DNS origin answering every query with the current rcode (status field). */
hc_test_origin_t *hc_test_dns_origin_start(void);
uint16_t hc_test_origin_port(const hc_test_origin_t *o);
/* What to answer from now on: status (HTTP code or DNS rcode), body (HTTP), or hang:
 * read the request and never answer. */
void hc_test_origin_set(hc_test_origin_t *o, int status, const char *body, bool hang);
/* DNS: the addresses answered from now on, space-separated ("192.0.2.1 2001:db8::1"), one
 * A or AAAA record each whatever the question (records of the other type are for the probe
 * to skip); "" answers none. */
void hc_test_dns_origin_answer(hc_test_origin_t *o, const char *addresses);
/* Host header of the last HTTP request ("" before any). */
void hc_test_origin_last_host(hc_test_origin_t *o, char *out, size_t outlen);
/* Requests or queries seen. */
unsigned hc_test_origin_hits(hc_test_origin_t *o);
void hc_test_origin_stop(hc_test_origin_t *o);

#endif
