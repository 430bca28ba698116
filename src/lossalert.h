/*
 * lossalert.h — loss is never silent: internal alerts for lost events.
 *
 * Every place where records, events or alerts can be lost keeps a
 * counter. The processing thread hands the current totals to
 * aw_lossalert_update() periodically; for each kind whose counter moved,
 * it raises an alert
 *
 *   rule      "auditwatch internal: events lost"
 *   priority  Critical (Warning for serial gaps, which are only a hint)
 *   source    "internal"
 *   output_fields  loss.kind, loss.count (since the previous alert of this
 *             kind), loss.total (since start), loss.period_ms, and the
 *             totals of every counter (kernel.lost is the kernel's own)
 *
 * which goes through aw_alerts_submit() like any alert: outputs, SQLite,
 * webhook/Slack. Per kind at most one alert per interval (serial gaps:
 * their own, longer interval): the first loss is reported at once, what
 * is lost while the kind is held back is added up and reported when the
 * interval has passed, and at shutdown (final) whatever is still held.
 * A counter that goes down (the kernel's lost counter reset by
 * `auditwatch status --reset-lost`) is a new baseline, not a loss.
 */
#ifndef AW_LOSSALERT_H
#define AW_LOSSALERT_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"

struct aw_config;
struct aw_alerts;
struct aw_kaudit;
struct aw_nlsrc;
struct aw_pipeline;
struct aw_stages;

enum aw_loss_kind {
	AW_LOSS_KERNEL,		/* kernel `lost` counter (backlog full, rate
				 * limit, out of memory) */
	AW_LOSS_OVERRUN,	/* event socket overrun (ENOBUFS) */
	AW_LOSS_QUEUE,		/* netlink queue full: dropped in user space */
	AW_LOSS_OVERSIZE,	/* datagram larger than the receive buffer */
	AW_LOSS_EVICTED,	/* reassembler bound: events closed early */
	AW_LOSS_SERIAL_GAP,	/* serial numbers never seen (a hint) */
	AW_LOSS_STORE,		/* alert store queue bound: alerts not stored */
	AW_LOSS_DELIVERY,	/* notifications dead-lettered or expired */
	AW_LOSS_NKINDS
};

/* "kernel_lost", "socket_overrun", ... as in loss.kind. */
const char *aw_loss_kind_name(enum aw_loss_kind k);

/* Totals as the sources count them. */
struct aw_loss_counters {
	uint64_t v[AW_LOSS_NKINDS];
	unsigned have;			/* bit k: v[k] is known */
	/* context for the kernel kind */
	int have_backlog;
	uint32_t backlog, backlog_limit;
};

struct aw_lossalert_config {
	int enabled;			/* loss_alerts.enabled (true) */
	int64_t interval_ms;		/* loss_alerts.interval (1m) */
	int64_t serial_gap_interval_ms;	/* loss_alerts.serial_gap_interval (10m) */
};

/* Where alerts go: aw_alerts_submit, or a test's collector. Takes
 * ownership of the alert. */
typedef void (*aw_lossalert_sink)(void *arg, struct aw_alert *a);

struct aw_lossalert;

int aw_lossalert_config_read(const struct aw_config *cfg,
    struct aw_lossalert_config *lc, char *err, size_t errsz);
/* base: the totals at start (a counter that was already non-zero, like
 * the kernel's, is not a loss of this run); NULL for all zero. */
struct aw_lossalert *aw_lossalert_new(const struct aw_lossalert_config *lc,
    const struct aw_loss_counters *base, aw_lossalert_sink sink,
    void *sink_arg);
void aw_lossalert_free(struct aw_lossalert *la);
/* Compare with the previous totals and raise what is due. final: ignore
 * the intervals (shutdown). Returns the number of alerts raised. */
int aw_lossalert_update(struct aw_lossalert *la,
    const struct aw_loss_counters *c, uint64_t now_ms, int final);

/* ------------------------------------------------ for `auditwatch run` */

/* The current totals: the netlink source (and the kernel through k, which
 * may be NULL), the pipeline's reassembler, the alert stage. */
void aw_loss_gather(struct aw_loss_counters *c, struct aw_nlsrc *src,
    struct aw_kaudit *k, struct aw_pipeline *p, struct aw_alerts *al);
/* Read the configuration, take the baseline now, submit to al. NULL when
 * disabled or when there is no alert stage (--events: the log lines of
 * aw_nlsrc_report_loss are all there is); *bad = 1 on a configuration
 * error (logged). */
struct aw_lossalert *aw_lossalert_start(const struct aw_config *cfg,
    struct aw_nlsrc *src, struct aw_kaudit *k, struct aw_pipeline *p,
    struct aw_alerts *al, int *bad);
/* Gather and update: call with every loss poll, and with final = 1 at
 * shutdown (after the last records were processed). No-op on NULL. */
void aw_lossalert_poll(struct aw_lossalert *la, uint64_t now_ms, int final);

#endif
