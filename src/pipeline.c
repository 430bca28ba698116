/*
 * pipeline.c — the processing stage, from a record to its outputs.
 *
 * One pipeline runs on one thread. Records go into the reassembler; every
 * event it closes is decoded once into a reused struct aw_event, then
 * passed down the stages in order: the enricher observes it (process
 * table, containers), the rule engine evaluates it against the rules
 * indexed by its syscall, and each alert goes to the alert stage, which
 * prints, stores and delivers it. The `--events` stream is buffered and
 * written in large blocks (flushed on tick and at the end), because at a
 * million records a second stdio per event would be the bottleneck.
 */
#include "autoconf.h"
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "config.h"
#include "enrich.h"
#include "event.h"
#include "event_json.h"
#include "jsonw.h"
#include "log.h"
#include "rules/engine.h"

#define EVENTS_FLUSH_BYTES (256u << 10)

struct aw_pipeline {
	struct aw_reasm *reasm;
	struct aw_event ev;
	struct aw_pipeline_stats st;
	FILE *events_out;
	struct jsonw out;
	struct aw_enricher *enricher;	/* borrowed */
	struct aw_engine *engine;	/* borrowed */
	struct aw_alerts *alerts;	/* borrowed */
	struct aw_ratelimit parse_rl;
};

static void
events_flush(struct aw_pipeline *p)
{
	if (p->events_out == NULL || p->out.len == 0)
		return;
	if (fwrite(p->out.buf, 1, p->out.len, p->events_out) != p->out.len)
		aw_ratelimit_ok(&p->parse_rl, 1, 10000) &&
		    (aw_warn("writing events failed"), 1);
	fflush(p->events_out);
	jsonw_reset(&p->out);
}

static void
on_alert(struct aw_alert *a, void *arg)
{
	struct aw_pipeline *p = arg;

	p->st.alerts++;
	if (p->alerts != NULL)
		aw_alerts_submit(p->alerts, a);
	else {
		p->st.alerts_dropped++;
		aw_alert_free(a);
	}
}

/* The reassembler's callback: one whole event. */
static void
on_event(const struct aw_rawevent *raw, void *arg)
{
	struct aw_pipeline *p = arg;

	if (aw_event_build(&p->ev, raw) != 0) {
		aw_err("out of memory decoding event %u", raw->serial);
		return;
	}
	p->st.events_out++;
	if (p->enricher != NULL)
		aw_enricher_observe(p->enricher, &p->ev);
	if (p->events_out != NULL) {
		aw_event_to_json(&p->ev, &p->out);
		jsonw_end_line(&p->out);
		if (p->out.len >= EVENTS_FLUSH_BYTES)
			events_flush(p);
	}
	if (p->engine != NULL)
		aw_engine_eval(p->engine, &p->ev, p->enricher, on_alert, p);
}

static int
reasm_config(const struct aw_config *cfg, struct aw_reasm_config *rc)
{
	char err[256];
	int64_t v;
	int b;

	aw_reasm_config_default(rc);
	if (cfg == NULL)
		return 0;
	if (aw_config_int(cfg, "reassembly.max_events", (int64_t)rc->max_events,
	    &v, err, sizeof(err)) != 0 || v < 1)
		goto bad;
	rc->max_events = (size_t)v;
	if (aw_config_int(cfg, "reassembly.max_bytes", (int64_t)rc->max_bytes,
	    &v, err, sizeof(err)) != 0 || v < 1024)
		goto bad;
	rc->max_bytes = (size_t)v;
	if (aw_config_ms(cfg, "reassembly.timeout", rc->timeout_ms, &v, err,
	    sizeof(err)) != 0 || v < 1 || v > 600000)
		goto bad;
	rc->timeout_ms = (uint32_t)v;
	if (aw_config_bool(cfg, "reassembly.shape_close", rc->shape_close, &b,
	    err, sizeof(err)) != 0)
		goto bad;
	rc->shape_close = b;
	return 0;
bad:
	aw_err("%s", err[0] ? err : "reassembly: value out of range");
	return -1;
}

struct aw_pipeline *
aw_pipeline_new(const struct aw_config *cfg, FILE *events_out)
{
	struct aw_reasm_config rc;
	struct aw_pipeline *p;

	if (reasm_config(cfg, &rc) != 0)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	aw_event_init(&p->ev);
	jsonw_init(&p->out);
	p->events_out = events_out;
	if ((p->reasm = aw_reasm_new(&rc, on_event, p)) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

void
aw_pipeline_free(struct aw_pipeline *p)
{
	if (p == NULL)
		return;
	events_flush(p);
	aw_reasm_free(p->reasm);
	aw_event_free(&p->ev);
	jsonw_free(&p->out);
	free(p);
}

void
aw_pipeline_set_enricher(struct aw_pipeline *p, struct aw_enricher *en)
{
	p->enricher = en;
}

struct aw_engine *
aw_pipeline_set_engine(struct aw_pipeline *p, struct aw_engine *e)
{
	struct aw_engine *old = p->engine;

	p->engine = e;
	return old;
}

void
aw_pipeline_set_alerts(struct aw_pipeline *p, struct aw_alerts *al)
{
	p->alerts = al;
}

void
aw_pipeline_record(struct aw_pipeline *p, const struct aw_record *r,
    uint64_t now_ms)
{
	p->st.records_in++;
	aw_reasm_add(p->reasm, r, now_ms);
}

/* Report a record we could not parse, with a bounded, escaped excerpt:
 * the text is attacker-controlled and must not reach the log raw. */
static void
parse_error(struct aw_pipeline *p, const char *why, const char *text,
    size_t len)
{
	struct jsonw w;

	p->st.parse_errors++;
	if (!aw_ratelimit_ok(&p->parse_rl, 10, 10000))
		return;
	jsonw_init(&w);
	jsonw_escape(&w, text, len > 120 ? 120 : len);
	aw_warn("unparsable audit record (%s): \"%.*s\"%s", why,
	    (int)w.len, w.buf ? w.buf : "", len > 120 ? "..." : "");
	jsonw_free(&w);
}

void
aw_pipeline_line(struct aw_pipeline *p, const char *line, size_t len,
    uint64_t now_ms)
{
	struct aw_record r;
	const char *err;

	if (aw_record_parse_line(line, len, &r, &err) != 0) {
		parse_error(p, err, line, len);
		return;
	}
	aw_pipeline_record(p, &r, now_ms);
}

void
aw_pipeline_datagram(struct aw_pipeline *p, int type, const char *payload,
    size_t len, uint64_t now_ms)
{
	struct aw_record r;
	const char *err;

	if (aw_record_parse_wire(type, payload, len, &r, &err) != 0) {
		parse_error(p, err, payload, len);
		return;
	}
	aw_pipeline_record(p, &r, now_ms);
}

void
aw_pipeline_tick(struct aw_pipeline *p, uint64_t now_ms)
{
	aw_reasm_tick(p->reasm, now_ms);
	events_flush(p);
}

void
aw_pipeline_flush_outputs(struct aw_pipeline *p)
{
	events_flush(p);
	if (p->alerts != NULL)
		aw_alerts_flush_outputs(p->alerts);
}

void
aw_pipeline_flush(struct aw_pipeline *p)
{
	aw_reasm_flush(p->reasm);
	events_flush(p);
}

const struct aw_pipeline_stats *
aw_pipeline_stats(const struct aw_pipeline *p)
{
	return &p->st;
}

void
aw_pipeline_print_stats(const struct aw_pipeline *p, FILE *fp)
{
	const struct aw_reasm_stats *rs = aw_reasm_stats(p->reasm);

	fprintf(fp, "records=%llu parse_errors=%llu events=%llu eoe=%llu "
	    "single=%llu shape=%llu timeout=%llu evicted=%llu flush=%llu "
	    "late_records=%llu serial_gaps=%llu max_inflight=%llu",
	    (unsigned long long)p->st.records_in,
	    (unsigned long long)p->st.parse_errors,
	    (unsigned long long)rs->events,
	    (unsigned long long)rs->closed[AW_CLOSE_EOE],
	    (unsigned long long)rs->closed[AW_CLOSE_SINGLE],
	    (unsigned long long)rs->closed[AW_CLOSE_SHAPE],
	    (unsigned long long)rs->closed[AW_CLOSE_TIMEOUT],
	    (unsigned long long)rs->closed[AW_CLOSE_EVICTED],
	    (unsigned long long)rs->closed[AW_CLOSE_FLUSH],
	    (unsigned long long)rs->late_records,
	    (unsigned long long)rs->serial_gaps,
	    (unsigned long long)rs->max_inflight);
}

const struct aw_reasm_stats *
aw_pipeline_reasm_stats(const struct aw_pipeline *p)
{
	return aw_reasm_stats(p->reasm);
}
