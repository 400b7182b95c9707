/* SPDX-License-Identifier: MIT */
/* dnsd_rrl.h -- response rate limiting: token buckets per client network and class */
#ifndef MERIDIAN_DNSD_RRL_H
#define MERIDIAN_DNSD_RRL_H

#include <stddef.h>
#include <stdint.h>

#include "base/compiler.h"
#include "conf/conf.h"
#include "dnsd/dnsd_answer.h"

/* Concurrency: one table for the whole server, shared by every UDP worker without a
 * lock: each bucket is one 64-bit word updated with compare-and-swap (a GCRA "theoretical
 * arrival time", which is a token bucket in one number). A spoofed flood from one network
 * reaches every worker (SO_REUSEPORT hashes on the source port), so per-worker tables
 * would let it through once per worker; the shared word keeps the limit exact. */
typedef struct dnsd_rrl dnsd_rrl_t;

/* What to do with a response. */
typedef enum {
	DNSD_RRL_SEND = 0, /* within the rate (or exempt, or log-only) */
	DNSD_RRL_DROP,	   /* limited: send nothing */
	DNSD_RRL_SLIP,	   /* limited, but this one goes out truncated (TC, question only) */
} dnsd_rrl_verdict_t;

/* The table (fixed size, zeroed); NULL when out of memory. */
dnsd_rrl_t *dnsd_rrl_new(void) M_WUR;
void dnsd_rrl_free(dnsd_rrl_t *rrl);

/* Judges one UDP response of len bytes (len >= 12) to client, at now_us (a monotonic
 * clock in microseconds), under conf (rate > 0). *slip_seq is the caller's own count of
 * limited responses, for the slip. Counts into counters (rrl_*). Never blocks. */
dnsd_rrl_verdict_t dnsd_rrl_judge(dnsd_rrl_t *rrl, const conf_t *conf, const dnsd_client_t *client,
				  const uint8_t *resp, size_t len, uint64_t now_us,
				  uint32_t *slip_seq, dnsd_counters_t *counters) M_NONNULL_ALL;

/* Turns the response into its truncated form in place: header with TC and no records,
 * then the question. Returns the new length (len when it cannot be cut). */
size_t dnsd_rrl_truncate(uint8_t *resp, size_t len) M_NONNULL_ALL;

#endif
