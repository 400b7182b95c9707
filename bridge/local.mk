# bridge/local.mk -- libbridge: what joins the config to the state floor (state_params_t from a conf_t)
noinst_LIBRARIES += bridge/libbridge.a
bridge_libbridge_a_SOURCES = bridge/bridge_state.c bridge/bridge_state.h
