# state/local.mk -- build fragment for state/
