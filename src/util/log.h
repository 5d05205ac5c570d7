/*
 * log.h - leveled logging to stderr or syslog.
 *
 * Purpose: one line per event. Messages are lower case with variable parts in
 * single quotes. Nothing is logged per query at the default level; per-packet
 * events go through log_ratelimit_pass().
 * Threads: any thread may log. The level and sink are process-wide atomics
 * written only by the main thread (at start-up and on reload). Each line is
 * written with one write(2), so lines from workers never interleave.
 * Allocates nothing.
 */
#ifndef NIM_UTIL_LOG_H
#define NIM_UTIL_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

/* Sets the most verbose level that is written. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Sends lines to syslog (ident "nimbusd") instead of stderr. */
void log_use_syslog(bool use_syslog);

/* Parses "error", "warning", "info" or "debug". Returns NIM_OK or NIM_EINVAL. */
int log_level_parse(const char *text, enum log_level *out);

bool log_enabled(enum log_level level);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_write(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)

/*
 * A per-owner rate limit for events that hostile traffic can trigger.
 * Owned by one thread (a worker); not shared.
 */
struct log_ratelimit {
	int64_t window_start; /* seconds, monotonic */
	uint32_t n_in_window;
	uint32_t n_suppressed;
};

/*
 * Returns true when one more line may be logged in this second (at most
 * `per_second`); counts the suppressed ones and reports their number once
 * the next window opens.
 */
bool log_ratelimit_pass(struct log_ratelimit *rl, uint32_t per_second);

#endif
