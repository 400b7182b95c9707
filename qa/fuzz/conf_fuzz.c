/* SPDX-License-Identifier: MIT */
/* conf_fuzz.c -- libFuzzer harness: any bytes as the YAML config file */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

/* conf_load_buffer (what conf_load does once it has read the file: the same parse, walk
 * and cross-checks, without a file written per input) either returns a config or a
 * non-empty error list whose lines name the file ("meridian.yaml:LINE:COL: ..."), never
 * both, never neither. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	char *errors = NULL;
	conf_t *conf = conf_load_buffer("meridian.yaml", size > 0 ? (const char *)data : "", size,
					&errors);
	if ((conf == NULL) == (errors == NULL))
		abort();
	if (errors != NULL && strstr(errors, "meridian.yaml") == NULL)
		abort();
	conf_free(conf);
	free(errors);
	return 0;
}
