/*
 * alerts.h — the alert stage: what the pipeline calls once it has an alert.
 *
 *   struct aw_alerts *al = aw_alerts_new(cfg, err, sizeof(err));
 *   ...for each rule match:  aw_alerts_submit(al, alert);  (ownership passes)
 *   ...on SIGUSR1:          aw_alerts_reopen(al);
 *   ...end of a replay:     aw_alerts_flush(al, 10000);
 *   ...shutdown:            aw_alerts_free(al);
 *
 * aw_alerts_submit() prints the alert on the configured immediate outputs
 * (stdout, file, syslog) at once, then queues it for the SQLite store and
 * returns; it never waits for the database or the network. The store
 * commits it and, in the same transaction, queues a notification for each
 * webhook/Slack destination that wants it; the delivery thread sends it.
 */
#ifndef AW_ALERTS_H
#define AW_ALERTS_H

#include <stdint.h>
#include <stdio.h>

#include "alert.h"
#include "notify/notify.h"
#include "output/output.h"
#include "store/store.h"

struct aw_config;

struct aw_alerts_stats {
	uint64_t submitted;
	struct aw_outputs_stats outputs;
	int store_enabled;
	struct aw_store_stats store;
	struct aw_notify_stats notify;
};

struct aw_alerts;

/* Reads hostname, json_output and json_include_*, buffered_outputs,
 * stdout_output.*, file_output.*, syslog_output.*, sqlite.*,
 * noise_control.*, webhook.*, slack.*. Opens (creates) the database. */
struct aw_alerts *aw_alerts_new(const struct aw_config *cfg, char *err,
    size_t errsz);
/* Same, with the text/JSON lines going to out instead of stdout. */
struct aw_alerts *aw_alerts_new_stream(const struct aw_config *cfg,
    FILE *out, char *err, size_t errsz);
/* Takes ownership. Fills hostname and source when the engine left them
 * NULL. Thread-safe, non-blocking. */
void aw_alerts_submit(struct aw_alerts *al, struct aw_alert *a);
/* Flush outputs, wait until everything submitted is committed and every
 * destination is idle: 0, or -1 if timeout_ms passed first. */
int aw_alerts_flush(struct aw_alerts *al, int64_t timeout_ms);
/* Write what the outputs buffered (buffered_outputs); nothing else. */
void aw_alerts_flush_outputs(struct aw_alerts *al);
void aw_alerts_reopen(struct aw_alerts *al);
void aw_alerts_stats(struct aw_alerts *al, struct aw_alerts_stats *out);
/* Print the counters as one JSON object (for status, tests, benches). */
char *aw_alerts_stats_json(const struct aw_alerts_stats *st);
const char *aw_alerts_hostname(const struct aw_alerts *al);
/* Stop delivery (in-flight requests get 2 s), write what is queued (up to
 * sqlite.shutdown_timeout when writes fail), close everything. */
void aw_alerts_free(struct aw_alerts *al);

#endif
