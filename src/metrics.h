/*
 * metrics.h — the daemon's counters for people and for Prometheus.
 *
 *   aw_metrics_open(cfg, &m, err, sizeof(err));    before touching the kernel
 *   ...every loop tick:  aw_metrics_tick(m, src, p, &stages, k, now);
 *   ...on reload:        aw_metrics_engine_retired(m, old) before freeing it,
 *                        or aw_metrics_reload_failed(m);
 *   ...at shutdown:      aw_metrics_free(m);
 *
 * Threads. Every counter lives in the stage that owns it and is read only
 * by the processing thread, in aw_metrics_tick(): once a second it copies
 * them into a snapshot, renders the snapshot as Prometheus text and swaps
 * that text in under a mutex. The HTTP thread (libmicrohttpd, metrics.listen)
 * serves a copy of the last text and never touches a stage. The same
 * text is written to metrics.stats_file (atomically, by rename) for
 * `auditwatch status`, which does not need the HTTP endpoint.
 *
 * /healthz answers 200 while snapshots keep coming (the processing thread
 * is alive), 503 before the first one, after AW_METRICS_STALE_MS without
 * one, and once shutdown has begun.
 *
 * Every function accepts m == NULL (metrics disabled) and does nothing.
 */
#ifndef AW_METRICS_H
#define AW_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alerts.h"
#include "enrich.h"
#include "pipeline.h"
#include "source_netlink.h"

struct aw_config;
struct aw_engine;
struct aw_kaudit;
struct aw_stages;

#define AW_METRICS_INTERVAL_MS	1000	/* snapshot period */
#define AW_METRICS_STALE_MS	10000	/* /healthz fails after this */
#define AW_METRICS_OUTBOX_MS	5000	/* outbox depth query period */
#define AW_METRICS_MAX_RULES	4096	/* rule series kept */

struct aw_metrics;

/* Reads metrics.listen ("" = no HTTP; "127.0.0.1:9376", "[::1]:9376",
 * port 0 = any free port) and metrics.stats_file ("" = none). Returns 0
 * with *out NULL when both are off; -1 with err set on an invalid value
 * or when the address cannot be bound. */
int aw_metrics_open(const struct aw_config *cfg, struct aw_metrics **out,
    char *err, size_t errsz);
/* The bound TCP port (for port 0), or 0 without HTTP. */
unsigned aw_metrics_port(const struct aw_metrics *m);

/* On the processing thread: take a snapshot if AW_METRICS_INTERVAL_MS
 * passed since the last one. Any source may be NULL. */
void aw_metrics_tick(struct aw_metrics *m, struct aw_nlsrc *src,
    const struct aw_pipeline *p, const struct aw_stages *st,
    struct aw_kaudit *k, uint64_t now_ms);
/* Same, now, whatever the interval. */
void aw_metrics_publish(struct aw_metrics *m, struct aw_nlsrc *src,
    const struct aw_pipeline *p, const struct aw_stages *st,
    struct aw_kaudit *k);
/* A reload replaced the engine: fold the old engine's counts into the
 * totals (so per-rule counters stay monotonic) before it is freed. */
void aw_metrics_engine_retired(struct aw_metrics *m,
    const struct aw_engine *old);
void aw_metrics_reload_failed(struct aw_metrics *m);
/* Stop serving (health turns 503 first), remove the stats file. */
void aw_metrics_free(struct aw_metrics *m);

/* ------------------------------------------------------------ snapshot */

struct aw_metrics_rule {
	const char *name;
	const char *priority;	/* "Warning" */
	uint64_t matches;	/* since start, across reloads */
};

struct aw_metrics_snapshot {
	uint64_t time_ms, start_ms;	/* wall clock */
	int have_src;
	const char *mode;		/* "unicast", "multicast" */
	struct aw_nlsrc_stats src;
	int have_kernel;
	uint32_t kernel_lost, kernel_backlog, kernel_backlog_limit;
	uint64_t kernel_lost_since_start;
	int have_pipeline;
	struct aw_pipeline_stats pipe;
	struct aw_reasm_stats reasm;
	int have_engine;
	size_t rules_by_state[4];	/* enum aw_rule_state */
	uint64_t engine_events;		/* evaluated, since start */
	const struct aw_metrics_rule *rules;
	size_t nrules;
	uint64_t reloads_ok, reloads_failed;
	int have_alerts;
	struct aw_alerts_stats alerts;
	int64_t outbox_pending[AW_MAX_DESTS];	/* -1: unknown */
	int have_enricher;
	struct aw_enricher_stats en;
	uint64_t seccomp_denied;	/* calls the seccomp filter refused */
};

/* The snapshot in Prometheus text exposition format 0.0.4 (malloc'd,
 * NUL-terminated; *len without the NUL). NULL when out of memory. */
char *aw_metrics_render(const struct aw_metrics_snapshot *s, size_t *len);

/* metrics.stats_file, or its default beside audit.state_file; NULL for
 * "none" (malloc'd). */
char *aw_metrics_stats_path(const struct aw_config *cfg);
/* `auditwatch status`: print the counters of the running daemon from
 * metrics.stats_file. 0, or -1 (printed why) when there is none. */
int aw_metrics_print_status(const struct aw_config *cfg, FILE *out);

/* ---------------------------------------------------------------- http */

struct aw_metrics_http;

/* Serve /metrics and /healthz from text the caller publishes. addr as
 * metrics.listen. NULL with err set on failure. */
struct aw_metrics_http *aw_metrics_http_start(const char *addr, char *err,
    size_t errsz);
unsigned aw_metrics_http_port(const struct aw_metrics_http *h);
/* Replace the text served (copied); now_ms (monotonic) is when it was
 * taken, for /healthz. */
int aw_metrics_http_publish(struct aw_metrics_http *h, const char *text,
    size_t len, uint64_t now_ms);
/* /healthz fails from now on (shutdown). */
void aw_metrics_http_stopping(struct aw_metrics_http *h);
void aw_metrics_http_stop(struct aw_metrics_http *h);

/* Parse "host:port" or "[v6]:port" into a socket address. */
struct sockaddr_storage;
int aw_metrics_parse_addr(const char *addr, struct sockaddr_storage *ss,
    size_t *sslen, char *err, size_t errsz);

#endif
