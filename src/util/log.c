#include "util/log.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Written by the main thread only; read by every thread (see log.h). */
static _Atomic int current_level = LOG_LEVEL_INFO;
static _Atomic bool to_syslog = false;

void log_set_level(enum log_level level)
{
	atomic_store(&current_level, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&current_level);
}

void log_use_syslog(bool use_syslog)
{
	if (use_syslog && !atomic_load(&to_syslog))
		openlog("nimbusd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	atomic_store(&to_syslog, use_syslog);
}

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int log_level_parse(const char *text, enum log_level *out)
{
	for (int i = 0; i <= LOG_LEVEL_DEBUG; i++) {
		if (strcasecmp(text, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return NIM_OK;
		}
	}
	return NIM_EINVAL;
}

bool log_enabled(enum log_level level)
{
	return (int)level <= atomic_load(&current_level);
}

void log_write(enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	if (atomic_load(&to_syslog)) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
		vsnprintf(line, sizeof(line), fmt, ap);
		syslog(prio[level], "%s", line);
		va_end(ap);
		return;
	}
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, now.tv_nsec / 1000000, level_names[level]);
	if (n < 0)
		n = 0;
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* One write per line keeps lines from different threads whole. */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

bool log_ratelimit_pass(struct log_ratelimit *rl, uint32_t per_second)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec != rl->window_start) {
		if (rl->n_suppressed > 0)
			log_write(LOG_LEVEL_INFO, "%u similar messages suppressed", rl->n_suppressed);
		rl->window_start = now.tv_sec;
		rl->n_in_window = 0;
		rl->n_suppressed = 0;
	}
	if (rl->n_in_window < per_second) {
		rl->n_in_window++;
		return true;
	}
	rl->n_suppressed++;
	return false;
}
