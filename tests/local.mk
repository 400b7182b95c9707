# tests/local.mk -- shared functional-test helpers; each module's local.mk lists its own tests
EXTRA_DIST += tests/functional/lib.sh
