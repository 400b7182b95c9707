# replicator/local.mk -- build fragment for replicator/
