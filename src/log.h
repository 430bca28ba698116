/*
 * log.h — diagnostics on stderr (alerts go to stdout, never here).
 *
 * One line per message: "auditwatch: LEVEL: text". aw_log_ratelimited()
 * keeps hostile input from flooding the log: per call site, at most a
 * burst per interval, then a count of what was suppressed.
 */
#ifndef AW_LOG_H
#define AW_LOG_H

#include <stdint.h>

enum aw_log_level { AW_LOG_DEBUG, AW_LOG_INFO, AW_LOG_WARN, AW_LOG_ERR };

void aw_log_set_level(enum aw_log_level lvl);
void aw_log(enum aw_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct aw_ratelimit {
	uint64_t window_start_ms;
	unsigned count;
	uint64_t suppressed;
};
/* Returns 1 if the caller may log now (max `burst` per `interval_ms`). */
int aw_ratelimit_ok(struct aw_ratelimit *rl, unsigned burst,
    uint64_t interval_ms);

uint64_t aw_now_ms(void);	/* CLOCK_MONOTONIC in ms */
uint64_t aw_wall_ms(void);	/* CLOCK_REALTIME in ms */

#define aw_info(...) aw_log(AW_LOG_INFO, __VA_ARGS__)
#define aw_warn(...) aw_log(AW_LOG_WARN, __VA_ARGS__)
#define aw_err(...) aw_log(AW_LOG_ERR, __VA_ARGS__)
#define aw_debug(...) aw_log(AW_LOG_DEBUG, __VA_ARGS__)

#endif
