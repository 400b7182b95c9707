/* SPDX-License-Identifier: MIT */
/* log_repeat.c -- a warning that repeats: logged once, summarised every N s, its end logged */
#include "config.h"

#include "base/log_repeat.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/timefmt.h"

void log_repeat_init(log_repeat_t *r, const char *subject)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	snprintf(r->subject, sizeof(r->subject), "%s", subject);
}

void log_repeat_destroy(log_repeat_t *r)
{
	pthread_mutex_destroy(&r->lock);
}

/* "N more in the last D (last: TEXT)"; the caller holds the lock. */
static void summary(const log_repeat_t *r, log_repeat_kind_t *k, int64_t now_ms)
{
	char span[32];
	log_warn("%s: %llu more in the last %s (last: %s)", r->subject,
		 (unsigned long long)k->pending,
		 timefmt_duration(now_ms - k->last_line_ms, span, sizeof(span)), k->last);
	k->pending = 0;
	k->last_line_ms = now_ms;
}

static void key_of(const char *text, char *key, size_t len)
{
	size_t n = 0;
	for (; *text != '\0' && n + 1 < len; text++)
		if (!isdigit((unsigned char)*text))
			key[n++] = *text;
	key[n] = '\0';
}

void log_repeat_warn(log_repeat_t *r, int64_t now_ms, uint32_t every_ms, const char *fmt, ...)
{
	char text[256], key[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	key_of(text, key, sizeof(key));
	pthread_mutex_lock(&r->lock);
	log_repeat_kind_t *k = NULL, *oldest = &r->kinds[0];
	for (size_t i = 0; i < LOG_REPEAT_KINDS && k == NULL; i++) {
		log_repeat_kind_t *s = &r->kinds[i];
		if (s->key[0] != '\0' && strcmp(s->key, key) == 0)
			k = s;
		else if (s->key[0] == '\0' || (oldest->key[0] != '\0' && s->last_ms < oldest->last_ms))
			oldest = s;
	}
	if (k == NULL) {
		k = oldest;
		memset(k, 0, sizeof(*k));
		snprintf(k->key, sizeof(k->key), "%s", key);
		k->total = 1;
		k->first_ms = k->last_line_ms = k->last_ms = now_ms;
		snprintf(k->last, sizeof(k->last), "%s", text);
		log_warn("%s", text);
	} else {
		snprintf(k->last, sizeof(k->last), "%s", text);
		k->last_ms = now_ms;
		k->total++;
		k->pending++;
		if (now_ms - k->last_line_ms >= (int64_t)every_ms)
			summary(r, k, now_ms);
	}
	pthread_mutex_unlock(&r->lock);
}

void log_repeat_end(log_repeat_t *r, int64_t now_ms, const char *end)
{
	pthread_mutex_lock(&r->lock);
	uint64_t total = 0;
	int64_t first = now_ms;
	for (size_t i = 0; i < LOG_REPEAT_KINDS; i++) {
		log_repeat_kind_t *k = &r->kinds[i];
		if (k->key[0] == '\0')
			continue;
		total += k->total;
		if (k->first_ms < first)
			first = k->first_ms;
		memset(k, 0, sizeof(*k));
	}
	if (total > 0) {
		char span[32];
		log_info("%s %s (after %llu warning%s in %s)", r->subject, end,
			 (unsigned long long)total, total == 1 ? "" : "s",
			 timefmt_duration(now_ms - first, span, sizeof(span)));
	}
	pthread_mutex_unlock(&r->lock);
}

void log_repeat_tick(log_repeat_t *r, int64_t now_ms, uint32_t every_ms, bool quiet_end,
		     const char *end)
{
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < LOG_REPEAT_KINDS; i++) {
		log_repeat_kind_t *k = &r->kinds[i];
		if (k->key[0] == '\0')
			continue;
		if (k->pending > 0 && now_ms - k->last_line_ms >= (int64_t)every_ms)
			summary(r, k, now_ms);
		if (quiet_end && now_ms - k->last_ms >= (int64_t)every_ms) {
			char span[32];
			log_info("%s %s (after %llu warning%s in %s: %s)", r->subject, end,
				 (unsigned long long)k->total, k->total == 1 ? "" : "s",
				 timefmt_duration(now_ms - k->first_ms, span, sizeof(span)), k->last);
			memset(k, 0, sizeof(*k));
		}
	}
	pthread_mutex_unlock(&r->lock);
}
