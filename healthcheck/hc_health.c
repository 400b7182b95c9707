/* SPDX-License-Identifier: MIT */
/* hc_health.c -- from probe results to a check's state (rise/fall) to a datacenter's (rule) */
#include "config.h"
#include "healthcheck/hc_health.h"

const char *hc_health_name(state_health_t h)
{
	switch (h) {
	case STATE_HEALTH_UP:
		return "up";
	case STATE_HEALTH_DOWN:
		return "down";
	default:
		return "unknown";
	}
}

void hc_hysteresis_init(hc_hysteresis_t *h, state_health_t state)
{
	h->state = state;
	h->successes = 0;
	h->failures = 0;
}

bool hc_hysteresis_feed(hc_hysteresis_t *h, bool ok, uint32_t rise, uint32_t fall)
{
	if (ok) {
		h->failures = 0;
		if (h->successes < UINT32_MAX)
			h->successes++;
		if (h->state != STATE_HEALTH_UP && h->successes >= (rise ? rise : 1)) {
			h->state = STATE_HEALTH_UP;
			return true;
		}
	} else {
		h->successes = 0;
		if (h->failures < UINT32_MAX)
			h->failures++;
		if (h->state != STATE_HEALTH_DOWN && h->failures >= (fall ? fall : 1)) {
			h->state = STATE_HEALTH_DOWN;
			return true;
		}
	}
	return false;
}

bool hc_hysteresis_pending(const hc_hysteresis_t *h)
{
	switch (h->state) {
	case STATE_HEALTH_UP:
		return h->failures > 0;
	case STATE_HEALTH_DOWN:
		return h->successes > 0;
	default:
		return true;
	}
}

state_health_t hc_rule_apply(conf_check_rule_t rule, uint32_t percent, const state_health_t *checks,
			     size_t count)
{
	if (count == 0)
		return STATE_HEALTH_UNKNOWN;
	size_t up = 0, down = 0;
	for (size_t i = 0; i < count; i++) {
		if (checks[i] == STATE_HEALTH_UP)
			up++;
		else if (checks[i] == STATE_HEALTH_DOWN)
			down++;
	}
	size_t undecided = count - up - down;
	switch (rule) {
	case CONF_CHECK_RULE_ANY:
		if (up > 0)
			return STATE_HEALTH_UP;
		return undecided == 0 ? STATE_HEALTH_DOWN : STATE_HEALTH_UNKNOWN;
	case CONF_CHECK_RULE_PERCENT: {
		uint64_t need = (uint64_t)percent * count; /* up * 100 >= need */
		if ((uint64_t)up * 100 >= need)
			return STATE_HEALTH_UP;
		/* Down only when even every undecided check coming up would not be enough. */
		if ((uint64_t)(up + undecided) * 100 < need)
			return STATE_HEALTH_DOWN;
		return STATE_HEALTH_UNKNOWN;
	}
	case CONF_CHECK_RULE_ALL:
	default:
		if (down > 0)
			return STATE_HEALTH_DOWN;
		return undecided == 0 ? STATE_HEALTH_UP : STATE_HEALTH_UNKNOWN;
	}
}
