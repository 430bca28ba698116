/*
 * alerts.c — the alert stage facade (see alerts.h): reads the
 * configuration and wires outputs → store → delivery together.
 *
 * Ownership of an alert: the caller → aw_alerts_submit → the store queue
 * (or freed at once when there is no store). Outputs only borrow it.
 */
#include "autoconf.h"
#include "alerts.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert_json.h"
#include "config.h"
#include "log.h"

struct aw_alerts {
	char hostname[256];
	struct aw_outputs *outputs;
	struct aw_store *store;
	struct aw_notify *notify;
	int64_t shutdown_ms;
	atomic_ullong submitted;
};

static void
pick_hostname(const struct aw_config *cfg, char *buf, size_t sz)
{
	const char *v = aw_config_str(cfg, "hostname", NULL);

	if (v == NULL || *v == '\0')
		v = getenv("AUDITWATCH_HOSTNAME");
	if (v == NULL || *v == '\0')
		v = getenv("FALCO_HOSTNAME");
	if (v != NULL && *v != '\0') {
		snprintf(buf, sz, "%s", v);
		return;
	}
	if (gethostname(buf, sz) != 0)
		snprintf(buf, sz, "localhost");
	buf[sz - 1] = '\0';
}

static int
read_store_config(const struct aw_config *cfg, struct aw_store_config *sc,
    char *err, size_t errsz)
{
	int noise = 1;

	aw_store_config_defaults(sc);
	sc->path = aw_config_str(cfg, "sqlite.path", sc->path);
#define MS(k, f) aw_config_ms(cfg, k, sc->f, &sc->f, err, errsz)
#define INT(k, f) aw_config_int(cfg, k, sc->f, &sc->f, err, errsz)
	if (MS("sqlite.busy_timeout", busy_timeout_ms) ||
	    INT("sqlite.batch.max_rows", batch_max_rows) ||
	    MS("sqlite.batch.max_delay", batch_max_delay_ms) ||
	    INT("sqlite.queue.max_alerts", queue_max_alerts) ||
	    INT("sqlite.queue.max_bytes", queue_max_bytes) ||
	    MS("sqlite.retention.max_age", retention_max_age_ms) ||
	    INT("sqlite.retention.max_rows", retention_max_rows) ||
	    INT("sqlite.retention.max_size", retention_max_size) ||
	    MS("sqlite.retention.interval", retention_interval_ms) ||
	    INT("sqlite.retention.chunk", retention_chunk) ||
	    MS("sqlite.retry.max_backoff", retry_max_ms) ||
	    MS("noise_control.window", noise_window_ms) ||
	    INT("noise_control.max_fingerprints", noise_max_fingerprints) ||
	    aw_config_bool(cfg, "noise_control.enabled", 1, &noise, err,
	    errsz))
		return -1;
#undef MS
#undef INT
	if (sc->batch_max_rows < 1 || sc->batch_max_rows > 100000)
		return snprintf(err, errsz, "sqlite.batch.max_rows: must be "
		    "1..100000"), -1;
	if (!noise)
		sc->noise_window_ms = 0;
	return 0;
}

static void
on_internal(void *arg, const struct aw_alert *a)
{
	struct aw_alerts *al = arg;

	aw_outputs_emit(al->outputs, a);
}

struct aw_alerts *
aw_alerts_new_stream(const struct aw_config *cfg, FILE *out, char *err,
    size_t errsz)
{
	struct aw_alerts *al = calloc(1, sizeof(*al));
	struct aw_dest_config dests[AW_MAX_DESTS];
	struct aw_store_config sc;
	int nd = 0, enabled, use_store = 1, noise_on, iso = 0;

	if (al == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	memset(dests, 0, sizeof(dests));
	pick_hostname(cfg, al->hostname, sizeof(al->hostname));
	if (aw_config_bool(cfg, "time_format_iso_8601", 0, &iso, err, errsz))
		goto fail;
	aw_alert_set_time_format_iso8601(iso);
	if ((al->outputs = aw_outputs_new(cfg, out, err, errsz)) == NULL)
		goto fail;
	if (aw_config_bool(cfg, "sqlite.enabled", 1, &use_store, err, errsz) ||
	    aw_config_ms(cfg, "sqlite.shutdown_timeout", 5000,
	    &al->shutdown_ms, err, errsz) ||
	    read_store_config(cfg, &sc, err, errsz))
		goto fail;
	noise_on = sc.noise_window_ms > 0;
	sc.hostname = al->hostname;
	for (int k = 0; k < 2; k++) {
		enum aw_dest_kind kind = k == 0 ? AW_DEST_WEBHOOK : AW_DEST_SLACK;

		if (aw_dest_from_config(cfg, kind, &dests[nd], &enabled, err,
		    errsz) != 0)
			goto fail;
		if (!enabled)
			continue;
		snprintf(sc.dests[nd].name, sizeof(sc.dests[nd].name), "%s",
		    dests[nd].name);
		sc.dests[nd].min_priority = dests[nd].min_priority;
		sc.dests[nd].noise_control = noise_on &&
		    dests[nd].noise_control;
		nd++;
	}
	sc.ndests = nd;
	if (nd > 0 && !use_store) {
		snprintf(err, errsz, "webhook and slack deliver from the alert "
		    "store: they need sqlite.enabled: true");
		goto fail;
	}
	if (use_store) {
		if ((al->store = aw_store_open(&sc, err, errsz)) == NULL)
			goto fail;
		aw_store_on_internal(al->store, on_internal, al);
	}
	if (nd > 0) {
		if ((al->notify = aw_notify_new(dests, nd, al->store,
		    aw_store_path(al->store), err, errsz)) == NULL)
			goto fail;
		aw_store_on_commit(al->store, aw_notify_wakeup, al->notify);
		/* Rows left pending by a previous run. */
		aw_notify_wakeup(al->notify);
	}
	return al;
fail:
	for (int i = 0; i < AW_MAX_DESTS; i++)
		aw_dest_config_clear(&dests[i]);
	aw_store_close(al->store, 0);
	aw_outputs_free(al->outputs);
	free(al);
	return NULL;
}

struct aw_alerts *
aw_alerts_new(const struct aw_config *cfg, char *err, size_t errsz)
{
	return aw_alerts_new_stream(cfg, NULL, err, errsz);
}

const char *
aw_alerts_hostname(const struct aw_alerts *al)
{
	return al->hostname;
}

void
aw_alerts_submit(struct aw_alerts *al, struct aw_alert *a)
{
	if (a == NULL)
		return;
	atomic_fetch_add(&al->submitted, 1);
	if (a->hostname == NULL)
		a->hostname = strdup(al->hostname);
	if (a->source == NULL)
		a->source = strdup("syscall");
	aw_outputs_emit(al->outputs, a);
	if (al->store != NULL)
		aw_store_submit(al->store, a, 0);
	else
		aw_alert_free(a);
}

void
aw_alerts_flush_outputs(struct aw_alerts *al)
{
	aw_outputs_flush(al->outputs);
}

int
aw_alerts_flush(struct aw_alerts *al, int64_t timeout_ms)
{
	uint64_t start = aw_now_ms(), spent;

	aw_outputs_flush(al->outputs);
	if (al->store && aw_store_flush(al->store, timeout_ms) != 0)
		return -1;
	spent = aw_now_ms() - start;
	if (al->notify && aw_notify_wait_idle(al->notify,
	    timeout_ms > (int64_t)spent ? timeout_ms - (int64_t)spent : 0) != 0)
		return -1;
	return 0;
}

void
aw_alerts_reopen(struct aw_alerts *al)
{
	aw_outputs_reopen(al->outputs);
}

void
aw_alerts_stats(struct aw_alerts *al, struct aw_alerts_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->submitted = atomic_load(&al->submitted);
	aw_outputs_stats(al->outputs, &out->outputs);
	if (al->store) {
		out->store_enabled = 1;
		aw_store_stats(al->store, &out->store);
	}
	if (al->notify)
		aw_notify_stats(al->notify, &out->notify);
}

static json_t *
latency_json(const struct aw_latency *l)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "count", (json_int_t)l->count,
	    "p50_us", (json_int_t)aw_latency_quantile(l, 0.50),
	    "p99_us", (json_int_t)aw_latency_quantile(l, 0.99),
	    "max_us", (json_int_t)l->max_us,
	    "mean_us", (json_int_t)(l->count ? l->sum_us / l->count : 0));
}

static json_t *
output_json(const struct aw_output_stats *o)
{
	return json_pack("{s:I, s:I, s:I}", "written", (json_int_t)o->written,
	    "filtered", (json_int_t)o->filtered, "errors", (json_int_t)o->errors);
}

char *
aw_alerts_stats_json(const struct aw_alerts_stats *st)
{
	const struct aw_store_stats *s = &st->store;
	json_t *o = json_object(), *dests = json_object();
	char *txt;

	json_object_set_new(o, "submitted", json_integer((json_int_t)
	    st->submitted));
	json_object_set_new(o, "outputs", json_pack("{s:o, s:o, s:o, s:I}",
	    "stdout", output_json(&st->outputs.out_stdout),
	    "file", output_json(&st->outputs.out_file),
	    "syslog", output_json(&st->outputs.out_syslog),
	    "reopens", (json_int_t)st->outputs.reopens));
	if (st->store_enabled)
		json_object_set_new(o, "store", json_pack("{s:I, s:I, s:I, s:I,"
		    " s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I,"
		    " s:I, s:o, s:s}",
		    "submitted", (json_int_t)s->submitted,
		    "stored", (json_int_t)s->stored,
		    "lost", (json_int_t)s->lost,
		    "rejected", (json_int_t)s->rejected,
		    "queued", (json_int_t)s->queued,
		    "queued_bytes", (json_int_t)s->queued_bytes,
		    "queue_peak", (json_int_t)s->queue_peak,
		    "batches", (json_int_t)s->batches,
		    "write_errors", (json_int_t)s->write_errors,
		    "failing", s->failing,
		    "outbox_rows", (json_int_t)s->outbox_rows,
		    "suppressed", (json_int_t)s->suppressed,
		    "results_applied", (json_int_t)s->results_applied,
		    "retention_deleted", (json_int_t)s->retention_deleted,
		    "expired_undelivered", (json_int_t)s->expired_undelivered,
		    "checkpoints", (json_int_t)s->checkpoints,
		    "commit_latency", latency_json(&s->commit_latency),
		    "last_error", s->last_error));
	for (int i = 0; i < st->notify.ndests; i++) {
		const struct aw_dest_stats *d = &st->notify.d[i];

		json_object_set_new(dests, d->name, json_pack("{s:I, s:I, s:I,"
		    " s:I, s:I, s:I, s:I, s:o, s:s}",
		    "sent", (json_int_t)d->sent,
		    "dead", (json_int_t)d->dead,
		    "requests", (json_int_t)d->requests,
		    "failures", (json_int_t)d->failures,
		    "rate_limited", (json_int_t)d->rate_limited,
		    "digests", (json_int_t)d->digests,
		    "buffered", (json_int_t)d->buffered,
		    "latency", latency_json(&d->latency),
		    "last_error", d->last_error));
	}
	json_object_set_new(o, "destinations", dests);
	txt = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return txt;
}

void
aw_alerts_free(struct aw_alerts *al)
{
	if (al == NULL)
		return;
	aw_notify_free(al->notify, 2000);
	aw_store_close(al->store, al->shutdown_ms);
	aw_outputs_free(al->outputs);
	free(al);
}
