/*
 * log.c — stderr diagnostics and rate limiting (see log.h).
 */
#include "autoconf.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum aw_log_level log_level = AW_LOG_INFO;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

void
aw_log_set_level(enum aw_log_level lvl)
{
	log_level = lvl;
}

void
aw_log(enum aw_log_level lvl, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (lvl < log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One write per line so concurrent threads do not interleave. */
	fprintf(stderr, "auditwatch: %s: %s\n", level_names[lvl], buf);
}

int
aw_ratelimit_ok(struct aw_ratelimit *rl, unsigned burst, uint64_t interval_ms)
{
	uint64_t now = aw_now_ms();

	if (now - rl->window_start_ms >= interval_ms) {
		if (rl->suppressed)
			aw_warn("%llu similar messages suppressed",
			    (unsigned long long)rl->suppressed);
		rl->window_start_ms = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count < burst) {
		rl->count++;
		return 1;
	}
	rl->suppressed++;
	return 0;
}

static uint64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
aw_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

uint64_t
aw_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}
