# geo/local.mk -- build fragment for geo/
