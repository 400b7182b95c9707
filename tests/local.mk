# tests/local.mk -- shared functional-test helpers; each module's local.mk lists its own tests
EXTRA_DIST += tests/functional/lib.sh

# qa/style-check.sh's include floors (docs/architecture.md), checked on fixture trees.
TESTS += tests/functional/050-style-floors/run.sh
EXTRA_DIST += tests/functional/050-style-floors/run.sh qa/style-check.sh
dist_doc_DATA += docs/architecture.md
