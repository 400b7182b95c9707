/* SPDX-License-Identifier: MIT */
/* state_deploy_build.c -- a daemon's deployment row from its canonical config */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "state/state_deploy.h"

/* Apart from state_deploy.c so that programs which only read deployments need no
 * OpenSSL. */

int state_deployment_init(state_deployment_t *d, const char *region, const char *component,
			  char *config, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->region, sizeof(d->region), "%s", region);
	snprintf(d->component, sizeof(d->component), "%s", component);
	snprintf(d->version, sizeof(d->version), "%s", PACKAGE_VERSION);
	d->config = config;
	d->zones = strdup("[]");
	if (d->config == NULL || d->zones == NULL) {
		snprintf(err, errlen, "deployment: out of memory");
		state_deployment_clear(d);
		return -1;
	}
	if (digest_sha256_hex(d->config, strlen(d->config), d->config_digest) < 0) {
		snprintf(err, errlen, "deployment: SHA-256 failed");
		state_deployment_clear(d);
		return -1;
	}
	return 0;
}
