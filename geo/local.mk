# geo/local.mk -- libgeo: mmdb lookup, distance, rules compiled into ECS-aware tries
noinst_LIBRARIES += geo/libgeo.a
geo_libgeo_a_CPPFLAGS = $(AM_CPPFLAGS) $(MAXMINDDB_CFLAGS)
geo_libgeo_a_SOURCES = \
	geo/geo.h \
	geo/geo_addr.c geo/geo_addr.h \
	geo/geo_compile.c geo/geo_compile.h \
	geo/geo_db.c geo/geo_db.h \
	geo/geo_distance.c geo/geo_distance.h \
	geo/geo_order.c geo/geo_order.h \
	geo/geo_trie.c geo/geo_trie.h geo/geo_trie_internal.h
