/* SPDX-License-Identifier: MIT */
/* repl_fuzz.c -- libFuzzer harnesses: the replicator's pull request, batch and snapshot decoders */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replicator/repl_codec.h"
#include "state/state.h"

/* Built three times (-DREPL_FUZZ_PULL, _BATCH, _SNAPSHOT), one decoder each, so each has
 * its own corpus. A decoded pull or batch is encoded again and must decode to the same
 * thing (what a peer sends back is what we understood); a snapshot refused by the
 * importing engine must say why. */
static int repl_fuzz_one(const char *text, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The replicator hands its decoders NUL-terminated bodies (repl_buf_t, the HTTP
	 * upload buffer); so does the harness, or strndup under ASan's strict string checks
	 * reads past a body that ends without one. */
	char *text = malloc(size + 1);
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	int rc = repl_fuzz_one(text, size);
	free(text);
	return rc;
}

static int repl_fuzz_one(const char *text, size_t size)
{
	char err[256] = "";
#if defined(REPL_FUZZ_PULL)
	repl_pull_t pull, again;
	if (repl_pull_decode(text, size, &pull, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	repl_buf_t buf;
	repl_buf_init(&buf, REPL_REQUEST_BODY_MAX);
	if (repl_pull_encode(&pull, &buf) != 0 ||
	    repl_pull_decode(buf.data, buf.len, &again, err, sizeof(err)) != 0 ||
	    again.count != pull.count || again.max != pull.max || again.wait_ms != pull.wait_ms ||
	    memcmp(again.cursors, pull.cursors, pull.count * sizeof(pull.cursors[0])) != 0)
		abort();
	repl_buf_free(&buf);
#elif defined(REPL_FUZZ_BATCH)
	repl_batch_t batch, again;
	memset(&batch, 0, sizeof(batch));
	if (repl_batch_decode(text, size, 1000, &batch, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();
		repl_batch_free(&batch);
		return 0;
	}
	repl_buf_t buf;
	repl_buf_init(&buf, REPL_RESPONSE_BODY_MAX * 4);
	if (repl_batch_encode_begin(&buf, batch.region, batch.now_ms, batch.heads,
				    batch.head_count) != 0)
		abort();
	for (size_t i = 0; i < batch.count; i++)
		if (repl_batch_encode_entry(&buf, &batch.entries[i], i == 0) != 0)
			abort();
	if (repl_batch_encode_end(&buf, batch.more) != 0)
		abort();
	memset(&again, 0, sizeof(again));
	if (repl_batch_decode(buf.data, buf.len, 1000, &again, err, sizeof(err)) != 0 ||
	    again.count != batch.count || again.head_count != batch.head_count ||
	    again.more != batch.more || strcmp(again.region, batch.region) != 0)
		abort();
	repl_batch_free(&again);
	repl_batch_free(&batch);
	repl_buf_free(&buf);
#elif defined(REPL_FUZZ_SNAPSHOT)
	/* Snapshots are checked by the strict reader, then by the engine that imports them
	 * (SQLite's JSON functions, in the import transaction), into one store per process
	 * kept in a temp file. */
	(void)size;
	static state_t *st;
	if (st == NULL) {
		char path[] = "/tmp/repl-fuzz-XXXXXX";
		int fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		unlink(path);
		st = state_open(path, "eu-west", err, sizeof(err));
		if (st == NULL)
			abort();
	}
	int rc = state_snapshot_import_from(st, text, "us-east", 1700000000000);
	if (rc != 0 && state_errmsg(st)[0] == '\0')
		abort();
#else
#error "build with -DREPL_FUZZ_PULL, -DREPL_FUZZ_BATCH or -DREPL_FUZZ_SNAPSHOT"
#endif
	return 0;
}
