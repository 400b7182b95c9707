/* SPDX-License-Identifier: MIT */
/* conf_doc_main.c -- conf-doc: prints the config reference (docs/config.md) to stdout */
#include "config.h"
#include "conf/conf_doc.h"

#include <stdio.h>

int main(void)
{
	if (conf_doc_write(stdout) < 0 || fflush(stdout) != 0) {
		perror("conf-doc: write");
		return 1;
	}
	return 0;
}
