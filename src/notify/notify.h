/*
 * notify.h — delivery of stored alerts to webhooks and Slack.
 *
 * One thread drives every destination with libcurl's multi interface.
 * It reads pending outbox rows from the database (its own read-only
 * connection), in alert order, one request in flight per destination, and
 * reports each outcome to the store writer, which records it. So an alert
 * is committed before it is sent, a restart resumes from the outbox, and
 * delivery never blocks detection or the writer.
 *
 *   2xx            sent
 *   429            wait Retry-After (else backoff), retry the same alert
 *   5xx, 408,      exponential backoff with jitter, retry the same alert
 *   timeouts, network errors
 *   other          dead letter (error kept in the outbox), next alert
 *
 * Webhook: Falco's JSON alert, as Falco's http_output posts it, plus
 * custom headers and an Idempotency-Key header (stable across restarts)
 * so a receiver can drop the repeats that at-least-once delivery allows.
 * Slack: at most one message per min_interval per webhook; alerts that
 * pile up meanwhile go out as one digest.
 */
#ifndef AW_NOTIFY_H
#define AW_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "notify/slack.h"
#include "store/store.h"

struct aw_config;

enum aw_dest_kind { AW_DEST_WEBHOOK, AW_DEST_SLACK };

struct aw_dest_config {
	enum aw_dest_kind kind;
	char name[AW_DEST_NAME_MAX];
	char *url;			/* a secret: never logged */
	char **headers;			/* "Name: value" */
	int nheaders;
	enum aw_priority min_priority;
	int noise_control;
	int64_t timeout_ms, connect_timeout_ms;
	char *ca_file, *ca_path, *client_cert, *client_key, *user_agent;
	int insecure;
	int64_t backoff_initial_ms, backoff_max_ms, retry_after_max_ms;
	int64_t min_interval_ms;	/* pacing between requests */
	int64_t digest_max;		/* alerts one Slack digest may cover */
	int include_output, include_tags;
	char *channel, *username, *icon_url;
};

/* Read webhook.* or slack.* (and the URL from *_file or the environment).
 * *enabled is 0 when no URL is configured. */
int aw_dest_from_config(const struct aw_config *cfg, enum aw_dest_kind kind,
    struct aw_dest_config *d, int *enabled, char *err, size_t errsz);
void aw_dest_config_clear(struct aw_dest_config *d);

struct aw_dest_stats {
	char name[AW_DEST_NAME_MAX];
	uint64_t sent;		/* alerts accepted by the receiver */
	uint64_t dead;		/* alerts dead-lettered */
	uint64_t requests;	/* HTTP requests started */
	uint64_t failures;	/* attempts that will be retried */
	uint64_t rate_limited;	/* 429 answers */
	uint64_t digests;	/* Slack digest messages */
	uint64_t buffered;	/* fetched, not yet done */
	struct aw_latency latency;	/* event time → accepted (µs) */
	char last_error[160];
};

struct aw_notify_stats {
	int ndests;
	struct aw_dest_stats d[AW_MAX_DESTS];
};

struct aw_notify;

/* Takes the destination configs (moved: cleared in *dests). The store
 * must be open; db_path is its database. */
struct aw_notify *aw_notify_new(struct aw_dest_config *dests, int ndests,
    struct aw_store *store, const char *db_path, char *err, size_t errsz);
/* New outbox rows are committed (any thread). */
void aw_notify_wakeup(void *n);
/* Wait until nothing is pending or in backoff: 0, or -1 on timeout. */
int aw_notify_wait_idle(struct aw_notify *n, int64_t timeout_ms);
void aw_notify_stats(struct aw_notify *n, struct aw_notify_stats *out);
/* Stop: in-flight requests get up to grace_ms to finish. */
void aw_notify_free(struct aw_notify *n, int64_t grace_ms);

#endif
