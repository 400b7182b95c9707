/* SPDX-License-Identifier: MIT */
/* conf_doc.h -- the markdown reference of every config option, generated from the table */
#ifndef MERIDIAN_CONF_DOC_H
#define MERIDIAN_CONF_DOC_H

#include <stdio.h>

#include "base/compiler.h"

/* Writes docs/config.md's text to out. Returns 0, or -1 when writing failed. */
int conf_doc_write(FILE *out) M_NONNULL_ALL M_WUR;
/* Writes the same reference as the manual page meridian.yaml(5) (man(7) macros), naming
 * sysconfdir/meridian/meridian.yaml as the default file. 0, or -1 when writing failed. */
int conf_doc_man_write(FILE *out, const char *sysconfdir) M_NONNULL_ALL M_WUR;

#endif
