/* SPDX-License-Identifier: MIT */
/* log.h -- one line per event on stderr, with a level */
#ifndef MERIDIAN_LOG_H
#define MERIDIAN_LOG_H

#include <stdarg.h>

#include "base/compiler.h"

/* Severity of one log line; lower is more severe. */
typedef enum {
	LOG_LEVEL_ERROR = 0, /* the program or a request failed */
	LOG_LEVEL_WARN,      /* something is wrong but we carry on */
	LOG_LEVEL_INFO,      /* a state change an operator wants to see */
	LOG_LEVEL_DEBUG,     /* detail for developers */
} log_level_t;

/* Sets the program name printed on each line and the most verbose level shown.
 * Not thread-safe: call once at start-up before threads exist. */
void log_init(const char *program, log_level_t max_level) M_NONNULL(1);
/* Parses "error", "warn", "info" or "debug"; returns -1 when unknown. */
int log_level_parse(const char *name) M_NONNULL_ALL M_PURE;
/* Writes one line "TIME PROGRAM LEVEL: message" to stderr with one write(2),
 * so lines from several threads never interleave. */
void log_msg(log_level_t level, const char *fmt, ...) M_PRINTF(2, 3);
/* The same for a message another library formats through a callback (libmicrohttpd's
 * logger): "from: " before it (none when NULL), its own trailing newline dropped. */
void log_vmsg(log_level_t level, const char *from, const char *fmt, va_list ap)
    M_NONNULL(3) M_PRINTF(3, 0);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
