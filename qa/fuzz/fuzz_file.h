/* SPDX-License-Identifier: MIT */
/* fuzz_file.h -- for harnesses whose code under test reads a file: the input written to one */
#ifndef MERIDIAN_FUZZ_FILE_H
#define MERIDIAN_FUZZ_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A path in a private directory (made once per process) holding data; aborts on I/O
 * failure (the harness cannot go on without its file). name is the file's base name.
 * The directory is on tmpfs (/dev/shm) when there is one: rewriting a file on ext4
 * (truncate, write, close) starts its writeback at every close, which made these
 * harnesses wait on the disk for most of each input (500-1,700 inputs a second). */
static char fuzz_file_dir[64];  /* the private directory, "" until made */
static char fuzz_file_path[128]; /* the file in it last written */

/* At exit: the file and its directory go (a crash leaves them, with the crash input). */
static void fuzz_file_remove(void)
{
	unlink(fuzz_file_path);
	rmdir(fuzz_file_dir);
}

static const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	char *dir = fuzz_file_dir, *path = fuzz_file_path;
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(fuzz_file_dir), "/dev/shm/meridian-fuzz.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			snprintf(dir, sizeof(fuzz_file_dir), "/tmp/meridian-fuzz.XXXXXX");
			if (mkdtemp(dir) == NULL)
				abort();
		}
		atexit(fuzz_file_remove);
	}
	snprintf(path, sizeof(fuzz_file_path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

#endif
