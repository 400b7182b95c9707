/* SPDX-License-Identifier: MIT */
/* ipaddr.h -- one IPv4 or IPv6 address, and the one parser of its text form */
#ifndef MERIDIAN_IPADDR_H
#define MERIDIAN_IPADDR_H

#include <stdint.h>

#include "base/compiler.h"

/* An IPv4 or IPv6 address (no port, no prefix). */
typedef struct {
	int family;	   /* AF_INET or AF_INET6 */
	uint8_t bytes[16]; /* 4 or 16 bytes in network order */
} ipaddr_t;

/* Parses one IPv4 or IPv6 address ("192.0.2.1", "2001:db8::1"; no port, no prefix):
 * the one address parser of config values, geo nets and meridianctl's CLIENT-IP.
 * 0, or -1 (out untouched). */
int ipaddr_parse(const char *text, ipaddr_t *out) M_NONNULL_ALL M_WUR;

#endif
