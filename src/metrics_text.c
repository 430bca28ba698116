/*
 * metrics_text.c — a metrics snapshot as Prometheus text exposition
 * format 0.0.4, and that text read back for `auditwatch status`.
 *
 * Format rules kept here: every family has one HELP and one TYPE line
 * and its samples right after them; counters end in _total and only go
 * up (metrics.c makes sure); label values escape \, " and newline; a
 * family with no sample is left out. Rule names are user data: they are
 * only ever label values, escaped.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "metrics.h"

#define P "auditwatch_"

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP " P "%s %s\n# TYPE " P "%s %s\n", name, help, name,
	    type);
}

static void
escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* name{k1="v1",k2="v2"} v; k1/k2 NULL for fewer labels. */
static void
sample(FILE *f, const char *name, const char *k1, const char *v1,
    const char *k2, const char *v2, uint64_t v)
{
	fprintf(f, P "%s", name);
	if (k1 != NULL) {
		fprintf(f, "{%s=\"", k1);
		escaped(f, v1);
		if (k2 != NULL) {
			fprintf(f, "\",%s=\"", k2);
			escaped(f, v2);
		}
		fputs("\"}", f);
	}
	fprintf(f, " %" PRIu64 "\n", v);
}

static void
one(FILE *f, const char *name, const char *type, const char *help,
    uint64_t v)
{
	family(f, name, type, help);
	sample(f, name, NULL, NULL, NULL, NULL, v);
}

static void
seconds(FILE *f, const char *name, const char *help, uint64_t ms)
{
	family(f, name, "gauge", help);
	fprintf(f, P "%s %" PRIu64 ".%03u\n", name, ms / 1000,
	    (unsigned)(ms % 1000));
}

static void
render_source(FILE *f, const struct aw_metrics_snapshot *s)
{
	if (s->have_src) {
		family(f, "source_info", "gauge", "The netlink source in use "
		    "(mode: unicast, or multicast beside another daemon).");
		sample(f, "source_info", "mode", s->mode ? s->mode : "?",
		    NULL, NULL, 1);
		one(f, "records_received_total", "counter", "Audit records "
		    "received from the kernel.", s->src.datagrams);
		one(f, "record_bytes_received_total", "counter", "Bytes of "
		    "audit records received from the kernel.", s->src.bytes);
		one(f, "queue_records", "gauge", "Records waiting between the "
		    "socket reader and the processing thread.",
		    s->src.queue_records);
		one(f, "queue_bytes", "gauge", "Bytes waiting between the "
		    "socket reader and the processing thread.",
		    s->src.queue_bytes);
		one(f, "queue_peak_bytes", "gauge", "Most bytes ever waiting "
		    "in that queue.", s->src.queue_peak_bytes);
	}
	if (s->have_src || s->have_kernel) {
		family(f, "records_lost_total", "counter", "Audit records "
		    "lost, by where: kernel (its lost counter, since start), "
		    "queue_full, socket_overrun (ENOBUFS occurrences, each "
		    "one or more records), truncated.");
		if (s->have_kernel)
			sample(f, "records_lost_total", "reason", "kernel",
			    NULL, NULL, s->kernel_lost_since_start);
		if (s->have_src) {
			sample(f, "records_lost_total", "reason", "queue_full",
			    NULL, NULL, s->src.queue_drops);
			sample(f, "records_lost_total", "reason",
			    "socket_overrun", NULL, NULL, s->src.enobufs);
			sample(f, "records_lost_total", "reason", "truncated",
			    NULL, NULL, s->src.truncated);
		}
	}
	if (s->have_kernel) {
		one(f, "kernel_lost", "gauge", "The kernel's audit lost "
		    "counter as it reads now (since boot or its last reset).",
		    s->kernel_lost);
		one(f, "kernel_backlog", "gauge", "Records in the kernel's "
		    "audit backlog queue.", s->kernel_backlog);
		one(f, "kernel_backlog_limit", "gauge", "The kernel's audit "
		    "backlog limit.", s->kernel_backlog_limit);
	}
}

static void
render_pipeline(FILE *f, const struct aw_metrics_snapshot *s)
{
	static const char *const reasons[] = { "eoe", "single", "shape",
	    "timeout", "evicted", "flush" };

	if (!s->have_pipeline)
		return;
	one(f, "records_processed_total", "counter", "Audit records parsed "
	    "by the processing thread.", s->pipe.records_in);
	one(f, "record_parse_errors_total", "counter", "Audit records that "
	    "could not be parsed.", s->pipe.parse_errors);
	one(f, "events_total", "counter", "Audit events reassembled from "
	    "records.", s->pipe.events_out);
	one(f, "serial_gaps_total", "counter", "Audit event serial numbers "
	    "never seen (a hint of loss, not proof).", s->reasm.serial_gaps);
	one(f, "reassembly_inflight_events", "gauge", "Events being "
	    "reassembled now.", s->reasm.inflight);
	one(f, "reassembly_inflight_bytes", "gauge", "Record bytes held by "
	    "events being reassembled.", s->reasm.inflight_bytes);
	family(f, "reassembly_closed_total", "counter", "Events closed by "
	    "the reassembler, by reason (evicted: the in-flight bounds were "
	    "exceeded).");
	_Static_assert(sizeof(reasons) / sizeof(reasons[0]) ==
	    sizeof(s->reasm.closed) / sizeof(s->reasm.closed[0]),
	    "one name per reassembler close reason");
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		sample(f, "reassembly_closed_total", "reason", reasons[i], NULL,
		    NULL, s->reasm.closed[i]);
	one(f, "reassembly_late_records_total", "counter", "Records for an "
	    "event already closed.", s->reasm.late_records);
	one(f, "alerts_dropped_total", "counter", "Alerts produced with "
	    "nowhere to go.", s->pipe.alerts_dropped);
}

static void
render_rules(FILE *f, const struct aw_metrics_snapshot *s)
{
	static const char *const states[] = { "active", "partial",
	    "disabled", "skipped" };

	family(f, "rules_reloads_total", "counter", "Rule reloads (SIGHUP) "
	    "by result; a failed one keeps the running rules.");
	sample(f, "rules_reloads_total", "result", "success", NULL, NULL,
	    s->reloads_ok);
	sample(f, "rules_reloads_total", "result", "failure", NULL, NULL,
	    s->reloads_failed);
	if (!s->have_engine)
		return;
	family(f, "rules_loaded", "gauge", "Rules loaded, by state.");
	for (size_t i = 0; i < 4; i++)
		sample(f, "rules_loaded", "state", states[i], NULL, NULL,
		    s->rules_by_state[i]);
	one(f, "rules_events_evaluated_total", "counter", "Events the rules "
	    "were evaluated on.", s->engine_events);
	if (s->nrules == 0)
		return;
	family(f, "rule_matches_total", "counter", "Matches by rule and "
	    "priority, since start (enabled rules, and any that matched).");
	for (size_t i = 0; i < s->nrules; i++)
		sample(f, "rule_matches_total", "rule", s->rules[i].name,
		    "priority", s->rules[i].priority, s->rules[i].matches);
}

static void
render_alerts(FILE *f, const struct aw_metrics_snapshot *s)
{
	const struct aw_alerts_stats *a = &s->alerts;
	const struct aw_output_stats *o[3] = { &a->outputs.out_stdout,
	    &a->outputs.out_file, &a->outputs.out_syslog };
	static const char *const oname[3] = { "stdout", "file", "syslog" };
	const struct aw_notify_stats *n = &a->notify;
	int any_pending = 0;

	if (!s->have_alerts)
		return;
	one(f, "alerts_submitted_total", "counter", "Alerts handed to the "
	    "alert stage.", a->submitted);
	family(f, "output_alerts_total", "counter", "Alerts by immediate "
	    "output and outcome (filtered: below the output's "
	    "min_priority).");
	for (int i = 0; i < 3; i++) {
		sample(f, "output_alerts_total", "output", oname[i], "outcome",
		    "written", o[i]->written);
		sample(f, "output_alerts_total", "output", oname[i], "outcome",
		    "filtered", o[i]->filtered);
		sample(f, "output_alerts_total", "output", oname[i], "outcome",
		    "error", o[i]->errors);
	}
	one(f, "output_reopens_total", "counter", "Output file reopens "
	    "(SIGUSR1).", a->outputs.reopens);
	if (a->store_enabled) {
		one(f, "alerts_stored_total", "counter", "Alerts committed to "
		    "the SQLite store.", a->store.stored);
		one(f, "alerts_store_lost_total", "counter", "Alerts dropped: "
		    "the store's memory bound was exceeded while writes "
		    "failed.", a->store.lost);
		one(f, "alerts_store_rejected_total", "counter", "Alerts "
		    "SQLite refused for good.", a->store.rejected);
		one(f, "store_queue_alerts", "gauge", "Alerts waiting to be "
		    "written.", a->store.queued);
		one(f, "store_write_errors_total", "counter", "Failed (rolled "
		    "back) store transactions.", a->store.write_errors);
		one(f, "store_failing", "gauge", "1 while store writes are "
		    "failing.", (uint64_t)(a->store.failing != 0));
		one(f, "notifications_suppressed_total", "counter",
		    "Notifications folded by noise control.",
		    a->store.suppressed);
	}
	if (n->ndests <= 0)
		return;
	family(f, "deliveries_total", "counter", "Alert deliveries by "
	    "destination and outcome (sent: accepted by the receiver; dead: "
	    "refused for good).");
	for (int i = 0; i < n->ndests && i < AW_MAX_DESTS; i++) {
		sample(f, "deliveries_total", "destination", n->d[i].name,
		    "outcome", "sent", n->d[i].sent);
		sample(f, "deliveries_total", "destination", n->d[i].name,
		    "outcome", "dead", n->d[i].dead);
	}
	family(f, "delivery_requests_total", "counter", "HTTP requests "
	    "started, by destination.");
	for (int i = 0; i < n->ndests && i < AW_MAX_DESTS; i++)
		sample(f, "delivery_requests_total", "destination",
		    n->d[i].name, NULL, NULL, n->d[i].requests);
	family(f, "delivery_retries_total", "counter", "Delivery attempts "
	    "that failed and will be retried (5xx, timeouts, network "
	    "errors, 429), by destination.");
	for (int i = 0; i < n->ndests && i < AW_MAX_DESTS; i++)
		sample(f, "delivery_retries_total", "destination",
		    n->d[i].name, NULL, NULL, n->d[i].failures);
	family(f, "delivery_rate_limited_total", "counter", "429 answers, "
	    "by destination.");
	for (int i = 0; i < n->ndests && i < AW_MAX_DESTS; i++)
		sample(f, "delivery_rate_limited_total", "destination",
		    n->d[i].name, NULL, NULL, n->d[i].rate_limited);
	for (int i = 0; i < n->ndests && i < AW_MAX_DESTS; i++)
		any_pending |= s->outbox_pending[i] >= 0;
	if (!any_pending)
		return;
	family(f, "outbox_pending", "gauge", "Alerts in the outbox not yet "
	    "delivered, by destination.");
	for (int i = 0; i < n->ndests && i < AW_MAX_DESTS; i++)
		if (s->outbox_pending[i] >= 0)
			sample(f, "outbox_pending", "destination",
			    n->d[i].name, NULL, NULL,
			    (uint64_t)s->outbox_pending[i]);
}

static void
render_enricher(FILE *f, const struct aw_metrics_snapshot *s)
{
	if (!s->have_enricher)
		return;
	one(f, "process_table_entries", "gauge", "Processes in the process "
	    "table.", s->en.procs);
	one(f, "process_table_bytes", "gauge", "Memory held by the process "
	    "table.", s->en.table_bytes);
	one(f, "process_table_evictions_total", "counter", "Processes "
	    "evicted from the full process table.", s->en.evictions);
	family(f, "process_table_lookups_total", "counter", "Process table "
	    "lookups by result.");
	sample(f, "process_table_lookups_total", "result", "hit", NULL, NULL,
	    s->en.hits);
	sample(f, "process_table_lookups_total", "result", "miss", NULL, NULL,
	    s->en.misses);
	one(f, "containers", "gauge", "Distinct containers known.",
	    s->en.containers);
	one(f, "container_metadata_entries", "gauge", "Containers in the "
	    "runtime metadata cache.", s->en.meta_entries);
	one(f, "container_metadata_evictions_total", "counter", "Containers "
	    "dropped from the full metadata cache (enrich.metadata_max).",
	    s->en.meta_evictions);
	one(f, "container_metadata_dropped_total", "counter", "Metadata "
	    "lookups not queued because the request queue was full.",
	    s->en.meta_dropped);
}

char *
aw_metrics_render(const struct aw_metrics_snapshot *s, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &sz)) == NULL)
		return NULL;
	family(f, "build_info", "gauge", "auditwatch's version.");
	sample(f, "build_info", "version", PACKAGE_VERSION, NULL, NULL, 1);
	seconds(f, "start_time_seconds", "When this process started, in "
	    "seconds since the epoch.", s->start_ms);
	seconds(f, "snapshot_time_seconds", "When these values were taken, "
	    "in seconds since the epoch.", s->time_ms);
	render_source(f, s);
	render_pipeline(f, s);
	render_rules(f, s);
	render_alerts(f, s);
	render_enricher(f, s);
	one(f, "seccomp_denied_total", "counter", "System calls the seccomp "
	    "filter refused (security.seccomp); each is also logged.",
	    s->seccomp_denied);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = sz;
	return buf;
}

/* --------------------------------------------------------------- status */

/* The default: "stats" beside audit.state_file, so that the lock on the
 * state file (one instance per file) covers it too. */
char *
aw_metrics_stats_path(const struct aw_config *cfg)
{
	const char *v = aw_config_str(cfg, "metrics.stats_file", "");
	const char *state, *slash;
	char *out;

	if (strcmp(v, "none") == 0)
		return NULL;
	if (*v != '\0')
		return strdup(v);
	state = aw_config_str(cfg, "audit.state_file", "");
	if (*state == '\0')
		state = "/run/auditwatch/state";
	if ((slash = strrchr(state, '/')) == NULL)
		return strdup("stats");
	if (asprintf(&out, "%.*s/stats", (int)(slash - state), state) < 0)
		return NULL;
	return out;
}

/* One sample line, "auditwatch_name{labels} value", printed without the
 * prefix; per-rule lines only when the rule matched. */
static void
print_sample(FILE *out, const char *line)
{
	const char *sp = strrchr(line, ' ');

	if (sp == NULL)
		return;
	if (strncmp(line, P, strlen(P)) == 0)
		line += strlen(P);
	if (strncmp(line, "rule_matches_total{", 19) == 0 &&
	    strcmp(sp + 1, "0") == 0)
		return;
	fprintf(out, "  %-*.*s %s\n", 52, (int)(sp - line), line, sp + 1);
}

int
aw_metrics_print_status(const struct aw_config *cfg, FILE *out)
{
	char *path = aw_metrics_stats_path(cfg), *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long pid = 0;
	uint64_t when = 0;
	FILE *f;
	int first = 1, alive;

	if (path == NULL) {
		fprintf(out, "daemon                   (metrics.stats_file is "
		    "none: no counters)\n");
		return -1;
	}
	if ((f = fopen(path, "re")) == NULL) {
		fprintf(out, "daemon                   not running (no %s: %s)\n",
		    path, strerror(errno));
		free(path);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (first) {
			first = 0;
			if (sscanf(line, "# auditwatch stats pid=%ld time_ms=%"
			    SCNu64, &pid, &when) != 2)
				break;
			alive = pid > 0 && (kill((pid_t)pid, 0) == 0 ||
			    errno == EPERM);
			fprintf(out, "daemon                   pid %ld%s, "
			    "counters %.1f s old (%s)\n", pid, alive ? "" :
			    " (not running: stale file)",
			    (double)(aw_wall_ms() - when) / 1000.0, path);
			continue;
		}
		if (line[0] != '#' && line[0] != '\0')
			print_sample(out, line);
	}
	free(line);
	fclose(f);
	if (first || pid == 0) {
		fprintf(out, "daemon                   %s is not a stats file\n",
		    path);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}
