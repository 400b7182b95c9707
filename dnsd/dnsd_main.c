/* SPDX-License-Identifier: MIT */
/* dnsd_main.c -- meridian-dnsd: command line, signals, start-up (placeholder until dnsd lands) */
#include "config.h"
int main(void) { return 1; }
