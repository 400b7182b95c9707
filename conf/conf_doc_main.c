/* SPDX-License-Identifier: MIT */
/* conf_doc_main.c -- conf-doc: prints docs/config.md, or with --man the page meridian.yaml(5) */
#include "config.h"
#include "conf/conf_doc.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	/* conf-doc --man SYSCONFDIR: the manual page for a build installing there. */
	int rc = argc == 3 && strcmp(argv[1], "--man") == 0 ? conf_doc_man_write(stdout, argv[2])
							    : conf_doc_write(stdout);
	if (rc < 0 || fflush(stdout) != 0) {
		perror("conf-doc: write");
		return 1;
	}
	return 0;
}
