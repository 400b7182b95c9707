# ctl/local.mk -- build fragment for ctl/
