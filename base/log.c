/* SPDX-License-Identifier: MIT */
/* log.c -- one line per event on stderr, with a level */
#include "config.h"
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *log_program = "meridian";
static log_level_t log_max_level = LOG_LEVEL_INFO;
static const char *const log_level_names[] = {"error", "warn", "info", "debug"};

void log_init(const char *program, log_level_t max_level)
{
	log_program = program;
	log_max_level = max_level;
}

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < M_ARRAY_LEN(log_level_names); i++)
		if (strcasecmp(name, log_level_names[i]) == 0)
			return (int)i;
	return -1;
}

void log_vmsg(log_level_t level, const char *from, const char *fmt, va_list ap)
{
	if (level > log_max_level)
		return;
	char line[2048];
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	int len = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: %s%s",
			   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			   tm.tm_sec, now.tv_nsec / 1000000, log_program, log_level_names[level],
			   from ? from : "", from ? ": " : "");
	if (len < 0 || (size_t)len > sizeof(line) - 2)
		len = 0;
	int body = vsnprintf(line + len, sizeof(line) - (size_t)len - 1, fmt, ap);
	if (body < 0)
		body = 0;
	len += body;
	if ((size_t)len > sizeof(line) - 2)
		len = (int)sizeof(line) - 2;
	/* A library's message may end in its own newline: dropped, not folded. */
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	/* One event, one line: fold any newline the message carried. */
	for (int i = 0; i < len; i++)
		if (line[i] == '\n')
			line[i] = ' ';
	line[len++] = '\n';
	ssize_t unused = write(STDERR_FILENO, line, (size_t)len);
	(void)unused;
}

void log_msg(log_level_t level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, NULL, fmt, ap);
	va_end(ap);
}

void m_assert_fail(const char *expr, const char *file, int line)
{
	log_msg(LOG_LEVEL_ERROR, "assertion failed: %s (%s:%d)", expr, file, line);
	abort();
}
