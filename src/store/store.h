/*
 * store.h — the SQLite alert store: one writer thread and its queue.
 *
 * aw_store_submit() (pipeline thread) appends an alert to a bounded
 * in-memory queue and returns at once. The writer thread takes what is
 * queued, up to batch_max_rows, and writes it in one transaction (alert
 * rows, one outbox row per destination that should notify it, and the
 * delivery outcomes reported by the notifier), then commits and removes
 * it from the queue. A failed write (disk full, I/O error) is rolled back
 * and the alerts stay queued and are retried with backoff; the queue
 * bound is the only way an alert is lost, and each loss is counted.
 *
 * The writer also runs retention (age, rows, size; in chunks, between
 * batches). A second connection, on its own thread, checkpoints the WAL
 * so that the fsyncs of a checkpoint never delay a commit.
 */
#ifndef AW_STORE_H
#define AW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"

#define AW_MAX_DESTS 4
#define AW_DEST_NAME_MAX 32

struct aw_store_dest {
	char name[AW_DEST_NAME_MAX];	/* "webhook", "slack" */
	enum aw_priority min_priority;	/* notify alerts at least this severe */
	int noise_control;		/* fold repeats of a fingerprint */
};

struct aw_store_config {
	const char *path;
	const char *hostname;		/* for the store's internal alerts */
	int64_t busy_timeout_ms;	/* 5000 */
	int64_t batch_max_rows;		/* 1000 */
	int64_t batch_max_delay_ms;	/* 0: commit as soon as the queue is drained */
	int64_t queue_max_alerts;	/* 100000 */
	int64_t queue_max_bytes;	/* 64 MiB (approximate) */
	int64_t retention_max_age_ms;	/* 0 = keep */
	int64_t retention_max_rows;	/* 0 = no limit */
	int64_t retention_max_size;	/* bytes; 0 = no limit */
	int64_t retention_interval_ms;	/* 60000 */
	int64_t retention_chunk;	/* 5000 rows per transaction */
	int64_t retry_max_ms;		/* longest wait between write retries */
	int64_t noise_window_ms;	/* 60000 */
	int64_t noise_max_fingerprints;	/* 10000 */
	struct aw_store_dest dests[AW_MAX_DESTS];
	int ndests;
};

void aw_store_config_defaults(struct aw_store_config *c);

/* Log-scale latency histogram (µs), cheap enough for every alert. */
#define AW_LAT_BUCKETS 160	/* up to ~2^40 µs */
struct aw_latency {
	uint64_t count, max_us, sum_us;
	uint64_t b[AW_LAT_BUCKETS];
};
void aw_latency_add(struct aw_latency *l, uint64_t us);
/* Upper bound of the bucket holding quantile q (0..1), in µs. */
uint64_t aw_latency_quantile(const struct aw_latency *l, double q);

struct aw_store_stats {
	uint64_t submitted;	/* alerts handed to the store */
	uint64_t stored;	/* committed rows */
	uint64_t lost;		/* dropped: memory bound exceeded while failing */
	uint64_t rejected;	/* rows SQLite refused for good (logged) */
	uint64_t queued;	/* in memory now */
	uint64_t queued_bytes;
	uint64_t queue_peak;
	uint64_t batches;	/* committed transactions */
	uint64_t write_errors;	/* failed transactions (rolled back) */
	int failing;		/* writes are failing right now */
	uint64_t outbox_rows;	/* notifications queued for destinations */
	uint64_t suppressed;	/* notifications folded by noise control */
	uint64_t results_applied;	/* delivery outcomes written */
	uint64_t retention_deleted;
	uint64_t expired_undelivered;	/* deleted while still pending */
	uint64_t checkpoints;
	struct aw_latency commit_latency;	/* submit → commit */
	char last_error[160];
};

/* A delivery outcome for one or more alerts of one destination (a Slack
 * digest covers several). Sent from the delivery thread to the writer. */
enum aw_delivery_state { AW_DELIV_PENDING, AW_DELIV_SENT, AW_DELIV_DEAD };

struct aw_delivery_result {
	char dest[AW_DEST_NAME_MAX];
	enum aw_delivery_state state;
	int attempts;
	uint64_t next_attempt_ns;
	uint64_t updated_ns;
	char *error;		/* owned; NULL when none */
	size_t nids;
	int64_t *ids;		/* owned */
	struct aw_delivery_result *next;
};

struct aw_store;

/* Opens (creates 0600, migrates) the database and starts the threads. */
struct aw_store *aw_store_open(const struct aw_store_config *cfg, char *err,
    size_t errsz);
/* Stop: write what is queued (bounded by timeout_ms when writes fail; the
 * rest is counted as lost), stop the threads, close. */
void aw_store_close(struct aw_store *s, int64_t timeout_ms);

/* Takes ownership of a. Never blocks on the database. 0 queued, -1
 * dropped (queue bound exceeded; counted in lost). force: ignore the
 * bound (internal alerts about the store itself). */
int aw_store_submit(struct aw_store *s, struct aw_alert *a, int force);
/* Wait until everything submitted so far is committed (0) or timeout
 * (-1, e.g. while the disk is full). */
int aw_store_flush(struct aw_store *s, int64_t timeout_ms);
/* Hand delivery outcomes (a list, ownership taken) to the writer. */
void aw_store_report(struct aw_store *s, struct aw_delivery_result *r);
size_t aw_store_results_backlog(struct aw_store *s);
void aw_delivery_result_free(struct aw_delivery_result *r);

/* Called on the writer thread after a commit that added outbox rows. */
void aw_store_on_commit(struct aw_store *s, void (*fn)(void *), void *arg);
/* Called (any thread) with internal alerts the store raises about itself
 * (write failures, recovery, losses), before they are queued for storage;
 * the callee must not keep the pointer. */
void aw_store_on_internal(struct aw_store *s,
    void (*fn)(void *, const struct aw_alert *), void *arg);

void aw_store_stats(struct aw_store *s, struct aw_store_stats *out);
const char *aw_store_path(const struct aw_store *s);

#endif
