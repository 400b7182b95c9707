/* SPDX-License-Identifier: MIT */
/* ctl_format.c -- human output of meridianctl: printable cells, aligned tables, errors */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_format.h"

const char *ctl_format_printable(const char *s, char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return buf;
	for (i = 0; s[i] != '\0' && i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			buf[i] = '?';
		else
			buf[i] = s[i];
	}
	buf[i] = '\0';
	return buf;
}

/* Display width: UTF-8 continuation bytes take no column. Good enough for the names,
 * reasons and addresses a table holds; wide CJK glyphs would be counted as one. */
static size_t display_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void ctl_table_init(ctl_table_t *t, size_t columns)
{
	memset(t, 0, sizeof(*t));
	t->columns = columns > CTL_TABLE_COLUMNS_MAX ? CTL_TABLE_COLUMNS_MAX : columns;
}

void ctl_table_row(ctl_table_t *t, const char *const *cells)
{
	if (t->failed)
		return;
	if (t->rows == t->capacity) {
		size_t cap = t->capacity ? t->capacity * 2 : 16;
		char **grown = realloc(t->cells, cap * t->columns * sizeof(*grown));

		if (grown == NULL) {
			t->failed = 1;
			return;
		}
		t->cells = grown;
		t->capacity = cap;
	}
	for (size_t c = 0; c < t->columns; c++) {
		const char *text = cells[c] != NULL ? cells[c] : "-";
		size_t room = strlen(text) + 1;
		char *copy = malloc(room);

		if (copy == NULL) {
			t->failed = 1;
			for (size_t k = 0; k < c; k++)
				free(t->cells[t->rows * t->columns + k]);
			return;
		}
		ctl_format_printable(text, copy, room);
		t->cells[t->rows * t->columns + c] = copy;
		if (display_width(copy) > t->width[c])
			t->width[c] = display_width(copy);
	}
	t->rows++;
}

int ctl_table_print(const ctl_table_t *t, FILE *out)
{
	if (t->failed) {
		ctl_error("out of memory while formatting a table");
		return -1;
	}
	for (size_t r = 0; r < t->rows; r++) {
		size_t last = t->columns;

		/* No padding after the last non-empty cell: no trailing blanks. */
		while (last > 1 && t->cells[r * t->columns + last - 1][0] == '\0')
			last--;
		for (size_t c = 0; c < last; c++) {
			const char *cell = t->cells[r * t->columns + c];

			fputs(cell, out);
			if (c + 1 < last)
				fprintf(out, "%*s", (int)(t->width[c] - display_width(cell) + 2),
					"");
		}
		fputc('\n', out);
	}
	return 0;
}

void ctl_table_free(ctl_table_t *t)
{
	for (size_t i = 0; i < t->rows * t->columns; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void ctl_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "meridianctl: %s\n", line);
}
