# healthcheck/local.mk -- build fragment for healthcheck/
