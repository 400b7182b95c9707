# base/local.mk -- libbase: compiler contracts and logging shared by every program
noinst_LIBRARIES += base/libbase.a
base_libbase_a_SOURCES = base/compiler.h base/log.c base/log.h base/timefmt.c base/timefmt.h
