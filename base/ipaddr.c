/* SPDX-License-Identifier: MIT */
/* ipaddr.c -- one IPv4 or IPv6 address, and the one parser of its text form */
#include "config.h"
#include "base/ipaddr.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

int ipaddr_parse(const char *text, ipaddr_t *out)
{
	ipaddr_t a;
	memset(&a, 0, sizeof(a));
	if (strchr(text, ':') == NULL && inet_pton(AF_INET, text, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, a.bytes) == 1)
		a.family = AF_INET6;
	else
		return -1;
	*out = a;
	return 0;
}
