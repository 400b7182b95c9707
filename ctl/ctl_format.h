/* SPDX-License-Identifier: MIT */
/* ctl_format.h -- human output of meridianctl: printable cells, aligned tables, errors */
#ifndef MERIDIAN_CTL_FORMAT_H
#define MERIDIAN_CTL_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/compiler.h"
#include "base/timefmt.h" /* durations and times: timefmt_duration, timefmt_iso */

/* Copies s into buf for a table cell: control characters become '?', so nothing an
 * operator typed (or a peer sent) can move the cursor or fake a line. Returns buf. */
const char *ctl_format_printable(const char *s, char *buf, size_t len) M_NONNULL_ALL;

#define CTL_TABLE_COLUMNS_MAX 8

/* An aligned text table: rows are collected, then printed with every column as wide as
 * its widest cell (the last column is not padded). Cells are copied. */
typedef struct {
	size_t columns;			     /* 1..CTL_TABLE_COLUMNS_MAX */
	char **cells;			     /* rows * columns strings, row-major */
	size_t rows;			     /* including the header row */
	size_t capacity;		     /* rows allocated */
	size_t width[CTL_TABLE_COLUMNS_MAX]; /* display width of each column so far */
	int failed;			     /* an allocation failed: print reports it */
} ctl_table_t;

void ctl_table_init(ctl_table_t *t, size_t columns) M_NONNULL_ALL;
/* Appends a row of t->columns cells; NULL cells print as "-", "" as nothing
 * (continuation rows). */
void ctl_table_row(ctl_table_t *t, const char *const *cells) M_NONNULL_ALL;
/* Prints with two spaces between columns. -1 when a row could not be stored. */
int ctl_table_print(const ctl_table_t *t, FILE *out) M_NONNULL_ALL M_WUR;
void ctl_table_free(ctl_table_t *t) M_NONNULL_ALL;

/* "meridianctl: message" on stderr. Commands report failures with this; it is not the
 * daemons' log format on purpose: an operator at a terminal reads these, not a collector. */
void ctl_error(const char *fmt, ...) M_PRINTF(1, 2);

#endif
