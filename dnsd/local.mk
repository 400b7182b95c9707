# dnsd/local.mk -- meridian-dnsd
sbin_PROGRAMS += meridian-dnsd
meridian_dnsd_SOURCES = dnsd/dnsd_main.c
