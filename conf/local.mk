# conf/local.mk -- build fragment for conf/
