/* SPDX-License-Identifier: MIT */
/* fuzz_file.h -- for harnesses whose code under test reads a file: the input written to one */
#ifndef MERIDIAN_FUZZ_FILE_H
#define MERIDIAN_FUZZ_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A path in a private directory (made once per process) holding data; aborts on I/O
 * failure (the harness cannot go on without its file). name is the file's base name. */
static const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char dir[64];
	static char path[128];
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/meridian-fuzz.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

#endif
