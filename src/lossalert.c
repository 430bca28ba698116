/*
 * lossalert.c — internal alerts for lost events (see lossalert.h).
 *
 * One small state per kind of loss: the counter value seen last, what was
 * lost since the last alert of that kind (pending), the total since
 * start, and when that alert was raised. An update turns counter
 * movements into pending losses and raises, for each kind that is due,
 * one alert carrying them. Nothing is dropped by the rate limit: held
 * losses wait for the next alert of their kind, and shutdown (final)
 * reports every kind still holding some.
 *
 * All of it runs on the processing thread: aw_lossalert_poll() from the
 * loss poll of `run`, which also logs each loss (aw_nlsrc_report_loss);
 * the alert is what reaches SQLite, webhooks and Slack.
 */
#include "autoconf.h"
#include "lossalert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "config.h"
#include "kaudit.h"
#include "log.h"
#include "pipeline.h"
#include "source_netlink.h"

#define RULE	"auditwatch internal: events lost"

struct kind_info {
	const char *name;	/* loss.kind */
	const char *field;	/* its total in output_fields */
	enum aw_priority prio;
	const char *what;	/* "%" PRIu64 " ..." */
};

static const struct kind_info kinds[AW_LOSS_NKINDS] = {
	[AW_LOSS_KERNEL] = { "kernel_lost", "kernel.lost", AW_PRIO_CRITICAL,
	    "Events lost: the kernel dropped %" PRIu64 " audit records" },
	[AW_LOSS_OVERRUN] = { "socket_overrun", "netlink.socket_overruns",
	    AW_PRIO_CRITICAL, "Events lost: the audit event socket overran "
	    "%" PRIu64 " times (ENOBUFS), dropping records" },
	[AW_LOSS_QUEUE] = { "queue_full", "netlink.queue_drops",
	    AW_PRIO_CRITICAL, "Events lost: %" PRIu64 " audit records "
	    "dropped, processing queue full" },
	[AW_LOSS_OVERSIZE] = { "oversized", "netlink.oversized",
	    AW_PRIO_CRITICAL, "Events lost: %" PRIu64 " audit records larger "
	    "than the receive buffer dropped" },
	[AW_LOSS_EVICTED] = { "reassembly_evicted", "reasm.evicted",
	    AW_PRIO_CRITICAL, "Events lost: %" PRIu64 " events closed before "
	    "they were complete (reassembly bounds exceeded)" },
	[AW_LOSS_SERIAL_GAP] = { "serial_gap", "reasm.serial_gaps",
	    AW_PRIO_WARNING, "Events possibly lost: %" PRIu64 " audit serial "
	    "numbers never seen" },
	[AW_LOSS_STORE] = { "alert_store", "store.lost", AW_PRIO_CRITICAL,
	    "Alerts lost: %" PRIu64 " alerts not stored (alert store queue "
	    "full)" },
	[AW_LOSS_DELIVERY] = { "alert_delivery", "notify.lost",
	    AW_PRIO_CRITICAL, "Alerts lost: %" PRIu64 " notifications "
	    "dead-lettered or expired undelivered" },
};

struct kstate {
	int known;		/* last holds a value */
	uint64_t last;
	uint64_t pending;	/* lost since the last alert of this kind */
	uint64_t total;		/* lost since start */
	int alerted;
	uint64_t last_alert_ms;
};

struct aw_lossalert {
	struct aw_lossalert_config cfg;
	struct kstate k[AW_LOSS_NKINDS];
	uint64_t start_ms;
	int started;
	aw_lossalert_sink sink;
	void *sink_arg;
	/* `run`: where the counters come from (borrowed) */
	struct aw_nlsrc *src;
	struct aw_kaudit *kaudit;
	struct aw_pipeline *p;
	struct aw_alerts *al;
};

const char *
aw_loss_kind_name(enum aw_loss_kind k)
{
	return (unsigned)k < AW_LOSS_NKINDS ? kinds[k].name : "?";
}

int
aw_lossalert_config_read(const struct aw_config *cfg,
    struct aw_lossalert_config *lc, char *err, size_t errsz)
{
	memset(lc, 0, sizeof(*lc));
	if (aw_config_bool(cfg, "loss_alerts.enabled", 1, &lc->enabled, err,
	    errsz) != 0 ||
	    aw_config_ms(cfg, "loss_alerts.interval", 60000, &lc->interval_ms,
	    err, errsz) != 0 ||
	    aw_config_ms(cfg, "loss_alerts.serial_gap_interval", 600000,
	    &lc->serial_gap_interval_ms, err, errsz) != 0)
		return -1;
	if (lc->interval_ms < 100 || lc->serial_gap_interval_ms < 100) {
		snprintf(err, errsz, "loss_alerts.interval and "
		    "loss_alerts.serial_gap_interval: at least 100ms");
		return -1;
	}
	return 0;
}

struct aw_lossalert *
aw_lossalert_new(const struct aw_lossalert_config *lc,
    const struct aw_loss_counters *base, aw_lossalert_sink sink,
    void *sink_arg)
{
	struct aw_lossalert *la = calloc(1, sizeof(*la));

	if (la == NULL)
		return NULL;
	la->cfg = *lc;
	la->sink = sink;
	la->sink_arg = sink_arg;
	if (base != NULL)
		for (int k = 0; k < AW_LOSS_NKINDS; k++)
			if (base->have & (1u << k)) {
				la->k[k].known = 1;
				la->k[k].last = base->v[k];
			}
	return la;
}

void
aw_lossalert_free(struct aw_lossalert *la)
{
	free(la);
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static json_t *
fields_for(const struct aw_lossalert *la, enum aw_loss_kind k,
    const struct aw_loss_counters *c, uint64_t count, double period_s)
{
	json_t *f = json_object();

	json_object_set_new(f, "loss.kind", json_string(kinds[k].name));
	json_object_set_new(f, "loss.count", json_integer((json_int_t)count));
	json_object_set_new(f, "loss.total",
	    json_integer((json_int_t)la->k[k].total));
	json_object_set_new(f, "loss.period_ms",
	    json_integer((json_int_t)(period_s * 1000.0 + 0.5)));
	/* Every counter as its source counts it, for context. */
	for (int i = 0; i < AW_LOSS_NKINDS; i++)
		if (c->have & (1u << i))
			json_object_set_new(f, kinds[i].field,
			    json_integer((json_int_t)c->v[i]));
	if (c->have_backlog) {
		json_object_set_new(f, "kernel.backlog",
		    json_integer(c->backlog));
		json_object_set_new(f, "kernel.backlog_limit",
		    json_integer(c->backlog_limit));
	}
	return f;
}

static struct aw_alert *
build_alert(const struct aw_lossalert *la, enum aw_loss_kind k,
    const struct aw_loss_counters *c, uint64_t count, double period_s)
{
	struct aw_alert *a = aw_alert_new();
	char what[256], out[512];

	if (a == NULL)
		return NULL;
	snprintf(what, sizeof(what), kinds[k].what, count);
	if (k == AW_LOSS_KERNEL && c->have_backlog)
		snprintf(out, sizeof(out), "%s in the last %.0f s (%" PRIu64
		    " since start; kernel backlog %" PRIu32 " of %" PRIu32
		    ") (loss.kind=%s)", what, period_s, la->k[k].total,
		    c->backlog, c->backlog_limit, kinds[k].name);
	else
		snprintf(out, sizeof(out), "%s in the last %.0f s (%" PRIu64
		    " since start) (loss.kind=%s)", what, period_s,
		    la->k[k].total, kinds[k].name);
	a->time_ns = wall_ns();
	a->rule = strdup(RULE);
	a->priority = kinds[k].prio;
	a->source = strdup("internal");
	a->output = strdup(out);
	a->output_fields = fields_for(la, k, c, count, period_s);
	if ((a->tags = calloc(2, sizeof(char *))) != NULL) {
		a->tags[0] = strdup("auditwatch");
		a->tags[1] = strdup("loss");
		a->ntags = a->tags[1] != NULL ? 2 : a->tags[0] != NULL;
	}
	if (a->rule == NULL || a->source == NULL || a->output == NULL ||
	    a->output_fields == NULL) {
		aw_alert_free(a);
		return NULL;
	}
	aw_warn("%s", out);
	return a;
}

static int
due(const struct aw_lossalert *la, enum aw_loss_kind k, uint64_t now_ms,
    int final)
{
	const struct kstate *s = &la->k[k];
	uint64_t iv = (uint64_t)(k == AW_LOSS_SERIAL_GAP ?
	    la->cfg.serial_gap_interval_ms : la->cfg.interval_ms);

	return s->pending > 0 && (final || !s->alerted ||
	    now_ms - s->last_alert_ms >= iv);
}

int
aw_lossalert_update(struct aw_lossalert *la, const struct aw_loss_counters *c,
    uint64_t now_ms, int final)
{
	int raised = 0;

	if (la == NULL)
		return 0;
	if (!la->started) {
		la->started = 1;
		la->start_ms = now_ms;
	}
	for (int k = 0; k < AW_LOSS_NKINDS; k++) {
		struct kstate *s = &la->k[k];
		uint64_t v, since;
		struct aw_alert *a;

		if (!(c->have & (1u << k)))
			continue;
		v = c->v[k];
		if (s->known && v < s->last) {
			s->last = v;	/* reset (or wrapped): new baseline */
			continue;
		}
		s->pending += v - (s->known ? s->last : 0);
		s->total += v - (s->known ? s->last : 0);
		s->last = v;
		s->known = 1;
		if (!la->cfg.enabled || !due(la, (enum aw_loss_kind)k, now_ms,
		    final))
			continue;
		since = s->alerted ? s->last_alert_ms : la->start_ms;
		a = build_alert(la, (enum aw_loss_kind)k, c, s->pending,
		    (double)(now_ms - since) / 1000.0);
		if (a == NULL)
			continue;	/* out of memory: try again next time */
		s->pending = 0;
		s->alerted = 1;
		s->last_alert_ms = now_ms;
		la->sink(la->sink_arg, a);
		raised++;
	}
	return raised;
}

/* ------------------------------------------------------------------ run */

void
aw_loss_gather(struct aw_loss_counters *c, struct aw_nlsrc *src,
    struct aw_kaudit *k, struct aw_pipeline *p, struct aw_alerts *al)
{
	memset(c, 0, sizeof(*c));
	if (src != NULL) {
		struct aw_nlsrc_stats ns;

		aw_nlsrc_get_stats(src, &ns);
		c->v[AW_LOSS_OVERRUN] = ns.enobufs;
		c->v[AW_LOSS_QUEUE] = ns.queue_drops;
		c->v[AW_LOSS_OVERSIZE] = ns.truncated;
		c->have |= 1u << AW_LOSS_OVERRUN | 1u << AW_LOSS_QUEUE |
		    1u << AW_LOSS_OVERSIZE;
	}
	if (k != NULL) {
		struct aw_kstatus_reply ks;

		if (aw_kaudit_get_status(k, &ks) == 0) {
			c->v[AW_LOSS_KERNEL] = ks.s.lost;
			c->have |= 1u << AW_LOSS_KERNEL;
			c->have_backlog = 1;
			c->backlog = ks.s.backlog;
			c->backlog_limit = ks.s.backlog_limit;
		}
	}
	if (p != NULL) {
		const struct aw_reasm_stats *rs = aw_pipeline_reasm_stats(p);

		c->v[AW_LOSS_EVICTED] = rs->closed[AW_CLOSE_EVICTED];
		c->v[AW_LOSS_SERIAL_GAP] = rs->serial_gaps;
		c->have |= 1u << AW_LOSS_EVICTED | 1u << AW_LOSS_SERIAL_GAP;
	}
	if (al != NULL) {
		struct aw_alerts_stats as;

		aw_alerts_stats(al, &as);
		if (as.store_enabled) {
			c->v[AW_LOSS_STORE] = as.store.lost;
			c->v[AW_LOSS_DELIVERY] = as.store.expired_undelivered;
			c->have |= 1u << AW_LOSS_STORE | 1u << AW_LOSS_DELIVERY;
		}
		for (int i = 0; i < as.notify.ndests; i++)
			c->v[AW_LOSS_DELIVERY] += as.notify.d[i].dead;
		if (as.notify.ndests > 0)
			c->have |= 1u << AW_LOSS_DELIVERY;
	}
}

static void
submit(void *arg, struct aw_alert *a)
{
	aw_alerts_submit(arg, a);
}

struct aw_lossalert *
aw_lossalert_start(const struct aw_config *cfg, struct aw_nlsrc *src,
    struct aw_kaudit *k, struct aw_pipeline *p, struct aw_alerts *al,
    int *bad)
{
	struct aw_lossalert_config lc;
	struct aw_loss_counters base;
	struct aw_lossalert *la;
	char err[256];

	*bad = 0;
	if (aw_lossalert_config_read(cfg, &lc, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		*bad = 1;
		return NULL;
	}
	if (!lc.enabled) {
		aw_warn("loss_alerts.enabled is false: losses are only logged");
		return NULL;
	}
	if (al == NULL)
		return NULL;
	aw_loss_gather(&base, src, k, p, al);
	if ((la = aw_lossalert_new(&lc, &base, submit, al)) == NULL) {
		aw_err("out of memory");
		*bad = 1;
		return NULL;
	}
	la->src = src;
	la->kaudit = k;
	la->p = p;
	la->al = al;
	la->start_ms = aw_now_ms();
	la->started = 1;
	return la;
}

void
aw_lossalert_poll(struct aw_lossalert *la, uint64_t now_ms, int final)
{
	struct aw_loss_counters c;

	if (la == NULL)
		return;
	aw_loss_gather(&c, la->src, la->kaudit, la->p, la->al);
	aw_lossalert_update(la, &c, now_ms, final);
}
