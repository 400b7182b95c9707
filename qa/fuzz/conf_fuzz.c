/* SPDX-License-Identifier: MIT */
/* conf_fuzz.c -- libFuzzer harness: any bytes as the YAML config file */
#include "config.h"

#include "conf/conf.h"
#include "qa/fuzz/fuzz_file.h"

/* conf_load either returns a config or a non-empty error list whose lines name the file
 * ("meridian.yaml:LINE:COL: ..."), never both, never neither. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16384)
		return 0;
	const char *path = fuzz_file("meridian.yaml", data, size);
	char *errors = NULL;
	conf_t *conf = conf_load(path, &errors);
	if ((conf == NULL) == (errors == NULL))
		abort();
	if (errors != NULL && strstr(errors, "meridian.yaml") == NULL)
		abort();
	conf_free(conf);
	free(errors);
	return 0;
}
