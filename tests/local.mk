# tests/local.mk -- shared functional-test helpers; each module's local.mk lists its own tests
EXTRA_DIST += tests/functional/lib.sh tests/data/zones/example.com.zone \
	tests/data/configs/meridian.yaml tests/data/configs/east-west.yaml \
	tests/functional/lib/config.py

# qa/style-check.sh's include floors (docs/architecture.md), checked on fixture trees.
TESTS += tests/functional/050-style-floors/run.sh
EXTRA_DIST += tests/functional/050-style-floors/run.sh qa/style-check.sh
dist_doc_DATA += docs/architecture.md docs/fuzzing.md
# Short runs of every libFuzzer harness (qa/fuzz.sh; skipped without clang's fuzzer).
TESTS += tests/functional/340-fuzz-short/run.sh
EXTRA_DIST += tests/functional/340-fuzz-short/run.sh qa/fuzz.sh qa/fuzz/make-seeds.py \
	qa/fuzz/fuzz_dnsd_ctx.h qa/fuzz/fuzz_file.h qa/fuzz/ecs_fuzz.c qa/fuzz/tcp_fuzz.c \
	qa/fuzz/zone_fuzz.c qa/fuzz/conf_fuzz.c qa/fuzz/mmdb_fuzz.c qa/fuzz/repl_fuzz.c \
	qa/fuzz/hc_dns_fuzz.c qa/fuzz/hc_load_fuzz.c qa/fuzz/lsan.supp qa/fuzz/corpus
CLEANFILES += fuzz/*.log
