/* SPDX-License-Identifier: MIT */
/* dnsd_rrl.c -- response rate limiting: token buckets per client network and class */
#include "config.h"
#include "dnsd/dnsd_rrl.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Each bucket is a GCRA cell: the "theoretical arrival time" (TAT) of the next response
 * allowed, in microseconds since the table was made. A response at `now` is within the
 * rate when TAT - now <= one second's burst; sending it moves TAT on by 1/rate. That is a
 * token bucket holding `rate` tokens refilled at `rate` per second, kept in one number.
 * The word holds a 16-bit tag of the key (another network hashing to the same slot
 * takes the slot over, starting full) and the 48-bit TAT (8.9 years). */
#define RRL_SLOTS (1u << 16)
#define RRL_TAT_BITS 48
#define RRL_TAT_MASK ((UINT64_C(1) << RRL_TAT_BITS) - 1)
#define RRL_CAS_TRIES 4

/* Response classes, each with its own buckets. */
enum { RRL_ANSWER, RRL_NXDOMAIN, RRL_ERROR, RRL_REFERRAL };

struct dnsd_rrl {
	_Atomic uint64_t slots[RRL_SLOTS]; /* tag << 48 | TAT, 0: empty */
};

dnsd_rrl_t *dnsd_rrl_new(void)
{
	dnsd_rrl_t *rrl = calloc(1, sizeof(*rrl));
	return rrl;
}

void dnsd_rrl_free(dnsd_rrl_t *rrl)
{
	free(rrl);
}

static unsigned rrl_class(const uint8_t *resp)
{
	unsigned rcode = resp[3] & 0x0F;
	bool aa = resp[2] & 0x04;
	unsigned ancount = (unsigned)resp[6] << 8 | resp[7];
	unsigned nscount = (unsigned)resp[8] << 8 | resp[9];
	if (rcode == 3)
		return RRL_NXDOMAIN;
	if (rcode != 0)
		return RRL_ERROR;
	if (!aa && ancount == 0 && nscount > 0)
		return RRL_REFERRAL;
	return RRL_ANSWER;
}

static bool rrl_net_match(const conf_net_t *net, const dnsd_client_t *client)
{
	if (net->addr.family != client->family)
		return false;
	unsigned full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr.bytes, client->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xFF00u >> rest);
	return (client->addr[full] & mask) == net->addr.bytes[full];
}

/* A 64-bit hash of (family, network, class): the slot from the low bits, the tag from
 * the high ones. */
static uint64_t rrl_key(const dnsd_client_t *client, unsigned prefix, unsigned cls)
{
	uint8_t net[16] = {0};
	unsigned len = client->family == AF_INET ? 4 : 16;
	memcpy(net, client->addr, len);
	for (unsigned bit = prefix; bit < len * 8; bit++)
		net[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	uint64_t h = 0x9E3779B97F4A7C15u ^ ((uint64_t)client->family << 8 | cls);
	for (unsigned i = 0; i < 16; i += 8) {
		uint64_t w;
		memcpy(&w, net + i, 8);
		h ^= w;
		h *= 0xFF51AFD7ED558CCDu;
		h ^= h >> 33;
	}
	h *= 0xC4CEB9FE1A85EC53u;
	h ^= h >> 33;
	return h;
}

dnsd_rrl_verdict_t dnsd_rrl_judge(dnsd_rrl_t *rrl, const conf_t *conf, const dnsd_client_t *client,
				  const uint8_t *resp, size_t len, uint64_t now_us,
				  uint32_t *slip_seq, dnsd_counters_t *counters)
{
	if (len < 12)
		return DNSD_RRL_SEND;
	for (size_t i = 0; i < conf->dns.rrl.exempt_count; i++)
		if (rrl_net_match(&conf->dns.rrl.exempt[i], client))
			return DNSD_RRL_SEND;
	unsigned prefix =
	    client->family == AF_INET ? conf->dns.rrl.ipv4_prefix : conf->dns.rrl.ipv6_prefix;
	uint64_t h = rrl_key(client, prefix, rrl_class(resp));
	_Atomic uint64_t *slot = &rrl->slots[h & (RRL_SLOTS - 1)];
	uint64_t tag = (h >> 48) | 1; /* never 0: an empty slot matches no key */
	uint64_t rate = conf->dns.rrl.rate ? conf->dns.rrl.rate : 1;
	uint64_t interval = 1000000 / rate ? 1000000 / rate : 1; /* us per response */
	uint64_t burst = 1000000 - interval;			   /* one second's worth */
	uint64_t now = now_us & RRL_TAT_MASK;
	bool limited = false;
	uint64_t old = atomic_load_explicit(slot, memory_order_relaxed);
	for (int tries = 0; tries < RRL_CAS_TRIES; tries++) {
		uint64_t tat = old >> RRL_TAT_BITS == tag ? old & RRL_TAT_MASK : now;
		if (tat < now)
			tat = now;
		if (tat - now > burst) {
			limited = true;
			break;
		}
		uint64_t next = tag << RRL_TAT_BITS | ((tat + interval) & RRL_TAT_MASK);
		if (atomic_compare_exchange_weak_explicit(slot, &old, next, memory_order_relaxed,
							  memory_order_relaxed))
			break;
	}
	if (!limited)
		return DNSD_RRL_SEND;
	if (conf->dns.rrl.log_only) {
		counters->rrl_logged++;
		return DNSD_RRL_SEND;
	}
	uint32_t slip = conf->dns.rrl.slip;
	if (slip > 0 && ++*slip_seq % slip == 0) {
		counters->rrl_slipped++;
		return DNSD_RRL_SLIP;
	}
	counters->rrl_dropped++;
	return DNSD_RRL_DROP;
}

size_t dnsd_rrl_truncate(uint8_t *resp, size_t len)
{
	if (len < 12)
		return len;
	unsigned qdcount = (unsigned)resp[4] << 8 | resp[5];
	size_t at = 12;
	if (qdcount == 1) {
		while (at < len && resp[at] != 0) {
			if (resp[at] & 0xC0)
				return len; /* a pointer in the question: not ours to cut */
			at += 1u + resp[at];
		}
		at += 1 + 4;
		if (at > len)
			return len;
	} else if (qdcount != 0) {
		return len;
	}
	resp[2] |= 0x02; /* TC */
	memset(resp + 6, 0, 6);
	return at;
}
