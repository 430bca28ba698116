/*
 * metrics.c — snapshots of the daemon's counters, rendered as Prometheus
 * text, served over HTTP (metrics_http.c) and written to a stats file
 * for `auditwatch status` (see metrics.h for the threading).
 *
 * Counters that restart: a SIGHUP builds a new rule engine whose per-rule
 * match counts start from zero, and the kernel's `lost` counter counts
 * from boot (or from whoever reset it). Both are turned into totals since
 * this process started, so every *_total here only ever goes up:
 *   - per rule, the retired engine's counts are added to a base kept by
 *     rule name (aw_metrics_engine_retired, called before the old engine
 *     is freed, so nothing is missed between two snapshots);
 *   - the kernel's counter is sampled every snapshot and its increases
 *     summed (a decrease means someone reset it: the new value is new
 *     loss).
 *
 * The outbox depth (alerts not yet delivered, per destination) is only in
 * the database: a read-only connection counts the pending rows every
 * AW_METRICS_OUTBOX_MS, with no busy wait, and only when a webhook or
 * Slack destination is configured.
 *
 * The stats file holds the same text after one comment line naming the
 * writer's pid and the time, replaced by rename() so that a reader never
 * sees half of it; it is removed at exit.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <uthash.h>

#include "alert.h"
#include "config.h"
#include "kaudit.h"
#include "log.h"
#include "metrics.h"
#include "sandbox.h"
#include "rules/engine.h"
#include "stages.h"
#include "store/store.h"

#define STATS_HEADER	"# auditwatch stats"

/* One rule's total across engines, by name. */
struct rule_total {
	char *name;
	char priority[16];
	uint64_t base;		/* matches in retired engines */
	uint64_t cur;		/* the current engine's count, last seen */
	int live;		/* in the current engine, enabled or matched */
	UT_hash_handle hh;
};

struct aw_metrics {
	struct aw_metrics_http *http;
	char *stats_path;		/* NULL: no stats file */
	int stats_failed;		/* warned about a write failure */
	int stats_written;		/* ours to remove at exit */
	char *db_path;			/* for the outbox depth */
	sqlite3 *db;
	uint64_t last_outbox_ms;
	int64_t outbox_pending[AW_MAX_DESTS];
	char outbox_dest[AW_MAX_DESTS][AW_DEST_NAME_MAX];
	uint64_t start_ms;		/* wall */
	uint64_t last_tick_ms;		/* monotonic; 0 = never */
	/* kernel lost counter */
	int have_lost;
	uint32_t last_lost;
	uint64_t lost_total;
	/* engine totals across reloads */
	struct rule_total *rules;	/* uthash by name */
	size_t nrules;
	uint64_t base_events;
	uint64_t reloads_ok, reloads_failed;
	struct aw_metrics_rule *rule_view;	/* scratch for the snapshot */
	size_t rule_view_cap;
};

/* ---------------------------------------------------------------- setup */

int
aw_metrics_open(const struct aw_config *cfg, struct aw_metrics **out,
    char *err, size_t errsz)
{
	const char *listen = aw_config_str(cfg, "metrics.listen", "");
	const char *stats = aw_config_str(cfg, "metrics.stats_file", "");
	struct aw_store_config sc;
	struct aw_metrics *m;

	*out = NULL;
	if (*stats != '\0' && strcmp(stats, "none") != 0 && stats[0] != '/') {
		snprintf(err, errsz, "metrics.stats_file: must be an absolute "
		    "path or \"none\"");
		return -1;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	m->stats_path = aw_metrics_stats_path(cfg);
	if (*listen == '\0' && m->stats_path == NULL) {
		free(m);
		return 0;
	}
	aw_store_config_defaults(&sc);
	m->db_path = strdup(aw_config_str(cfg, "sqlite.path", sc.path));
	m->start_ms = aw_wall_ms();
	for (int i = 0; i < AW_MAX_DESTS; i++)
		m->outbox_pending[i] = -1;
	if (*listen != '\0') {
		if ((m->http = aw_metrics_http_start(listen, err, errsz)) ==
		    NULL) {
			aw_metrics_free(m);
			return -1;
		}
		aw_info("metrics: serving /metrics and /healthz on %s "
		    "(port %u)", listen, aw_metrics_http_port(m->http));
	}
	*out = m;
	return 0;
}

unsigned
aw_metrics_port(const struct aw_metrics *m)
{
	return m != NULL ? aw_metrics_http_port(m->http) : 0;
}

void
aw_metrics_free(struct aw_metrics *m)
{
	struct rule_total *r, *tmp;

	if (m == NULL)
		return;
	aw_metrics_http_stop(m->http);
	if (m->stats_path != NULL && m->stats_written)
		(void)unlink(m->stats_path);
	HASH_ITER(hh, m->rules, r, tmp) {
		HASH_DEL(m->rules, r);
		free(r->name);
		free(r);
	}
	if (m->db != NULL)
		sqlite3_close(m->db);
	free(m->rule_view);
	free(m->stats_path);
	free(m->db_path);
	free(m);
}

/* ----------------------------------------------------------- collection */

static void
collect_kernel(struct aw_metrics *m, struct aw_kaudit *k,
    struct aw_metrics_snapshot *s)
{
	struct aw_kstatus_reply ks;

	if (k == NULL || aw_kaudit_get_status(k, &ks) != 0)
		return;
	if (m->have_lost)
		m->lost_total += ks.s.lost >= m->last_lost ?
		    ks.s.lost - m->last_lost : ks.s.lost;
	m->last_lost = ks.s.lost;
	m->have_lost = 1;
	s->have_kernel = 1;
	s->kernel_lost = ks.s.lost;
	s->kernel_backlog = ks.s.backlog;
	s->kernel_backlog_limit = ks.s.backlog_limit;
	s->kernel_lost_since_start = m->lost_total;
}

static struct rule_total *
rule_get(struct aw_metrics *m, const char *name)
{
	struct rule_total *r;

	HASH_FIND_STR(m->rules, name, r);
	if (r != NULL || m->nrules >= AW_METRICS_MAX_RULES)
		return r;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = strdup(name)) == NULL) {
		free(r);
		return NULL;
	}
	HASH_ADD_KEYPTR(hh, m->rules, r->name, strlen(r->name), r);
	m->nrules++;
	return r;
}

static int
rule_is_live(const struct aw_rule_info *ri)
{
	return ri->state == AW_RULE_ACTIVE || ri->state == AW_RULE_PARTIAL ||
	    ri->matches > 0;
}

/* Per-rule totals from the current engine; rules gone from it (and never
 * matched in it) are forgotten. */
static void
collect_engine(struct aw_metrics *m, const struct aw_engine *e,
    struct aw_metrics_snapshot *s)
{
	struct rule_total *r, *tmp;
	const struct aw_engine_stats *es = aw_engine_stats(e);
	size_t n = aw_engine_nrules(e), k = 0;

	s->have_engine = 1;
	s->engine_events = m->base_events + es->events;
	HASH_ITER(hh, m->rules, r, tmp)
		r->live = 0;
	for (size_t i = 0; i < n; i++) {
		const struct aw_rule_info *ri = aw_engine_rule(e, i);

		if (ri->state <= AW_RULE_SKIPPED)
			s->rules_by_state[ri->state]++;
		if (!rule_is_live(ri) || (r = rule_get(m, ri->name)) == NULL)
			continue;
		r->cur = ri->matches;
		r->live = 1;
		snprintf(r->priority, sizeof(r->priority), "%s",
		    aw_priority_name(ri->priority));
	}
	HASH_ITER(hh, m->rules, r, tmp) {
		if (!r->live && r->base == 0) {
			HASH_DEL(m->rules, r);
			free(r->name);
			free(r);
			m->nrules--;
		}
	}
	if (m->nrules > m->rule_view_cap) {
		void *nv = realloc(m->rule_view, m->nrules *
		    sizeof(*m->rule_view));
		if (nv == NULL)
			return;
		m->rule_view = nv;
		m->rule_view_cap = m->nrules;
	}
	HASH_ITER(hh, m->rules, r, tmp) {
		m->rule_view[k].name = r->name;
		m->rule_view[k].priority = r->priority[0] ? r->priority :
		    "Debug";
		m->rule_view[k].matches = r->base + (r->live ? r->cur : 0);
		k++;
	}
	s->rules = m->rule_view;
	s->nrules = k;
}

void
aw_metrics_engine_retired(struct aw_metrics *m, const struct aw_engine *old)
{
	const struct aw_engine_stats *es;
	struct rule_total *r, *tmp;
	size_t n;

	if (m == NULL)
		return;
	m->reloads_ok++;
	if (old == NULL)
		return;
	es = aw_engine_stats(old);
	m->base_events += es->events;
	HASH_ITER(hh, m->rules, r, tmp)
		r->cur = 0;
	n = aw_engine_nrules(old);
	for (size_t i = 0; i < n; i++) {
		const struct aw_rule_info *ri = aw_engine_rule(old, i);

		if (ri->matches > 0 && (r = rule_get(m, ri->name)) != NULL)
			r->base += ri->matches;
	}
}

void
aw_metrics_reload_failed(struct aw_metrics *m)
{
	if (m != NULL)
		m->reloads_failed++;
}

/* Pending outbox rows per destination, from the database. */
static void
collect_outbox(struct aw_metrics *m, struct aw_metrics_snapshot *s,
    uint64_t now_ms)
{
	const struct aw_notify_stats *ns = &s->alerts.notify;
	sqlite3_stmt *st = NULL;
	int64_t pending[AW_MAX_DESTS];

	s->seccomp_denied = aw_seccomp_denied();
	for (int i = 0; i < AW_MAX_DESTS; i++)
		s->outbox_pending[i] = -1;
	if (!s->alerts.store_enabled || ns->ndests == 0 || m->db_path == NULL)
		return;
	if (m->last_outbox_ms == 0 || now_ms - m->last_outbox_ms >=
	    AW_METRICS_OUTBOX_MS) {
		m->last_outbox_ms = now_ms;
		if (m->db == NULL && sqlite3_open_v2(m->db_path, &m->db,
		    SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
			sqlite3_close(m->db);
			m->db = NULL;
			return;
		}
		sqlite3_busy_timeout(m->db, 50);
		for (int i = 0; i < ns->ndests && i < AW_MAX_DESTS; i++)
			pending[i] = 0;
		if (sqlite3_prepare_v2(m->db, "SELECT destination, count(*) "
		    "FROM outbox WHERE state = 'pending' GROUP BY destination",
		    -1, &st, NULL) != SQLITE_OK)
			return;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 0);
			for (int i = 0; d != NULL && i < ns->ndests &&
			    i < AW_MAX_DESTS; i++)
				if (strcmp(d, ns->d[i].name) == 0)
					pending[i] = sqlite3_column_int64(st, 1);
		}
		if (sqlite3_finalize(st) != SQLITE_OK)
			return;		/* busy: keep the last counts */
		for (int i = 0; i < ns->ndests && i < AW_MAX_DESTS; i++) {
			m->outbox_pending[i] = pending[i];
			snprintf(m->outbox_dest[i], sizeof(m->outbox_dest[i]),
			    "%s", ns->d[i].name);
		}
	}
	for (int i = 0; i < ns->ndests && i < AW_MAX_DESTS; i++)
		if (strcmp(m->outbox_dest[i], ns->d[i].name) == 0)
			s->outbox_pending[i] = m->outbox_pending[i];
}

static void
collect(struct aw_metrics *m, struct aw_nlsrc *src,
    const struct aw_pipeline *p, const struct aw_stages *st,
    struct aw_kaudit *k, struct aw_metrics_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->time_ms = aw_wall_ms();
	s->start_ms = m->start_ms;
	s->reloads_ok = m->reloads_ok;
	s->reloads_failed = m->reloads_failed;
	if (src != NULL) {
		s->have_src = 1;
		s->mode = aw_nl_mode_name(aw_nlsrc_mode(src));
		aw_nlsrc_get_stats(src, &s->src);
	}
	collect_kernel(m, k, s);
	if (p != NULL) {
		s->have_pipeline = 1;
		s->pipe = *aw_pipeline_stats(p);
		s->reasm = *aw_pipeline_reasm_stats(p);
	}
	if (st != NULL && st->engine != NULL)
		collect_engine(m, st->engine, s);
	if (st != NULL && st->enricher != NULL) {
		s->have_enricher = 1;
		s->en = *aw_enricher_stats(st->enricher);
	}
	for (int i = 0; i < AW_MAX_DESTS; i++)
		s->outbox_pending[i] = -1;
	if (st != NULL && st->alerts != NULL) {
		s->have_alerts = 1;
		aw_alerts_stats(st->alerts, &s->alerts);
		collect_outbox(m, s, aw_now_ms());
	}
}

/* ------------------------------------------------------------ stats file */

static int
make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(dir, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int
write_stats(const char *path, const char *text, size_t len, uint64_t wall)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) < 0 && errno == ENOENT && make_parent(path) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	fprintf(f, STATS_HEADER " pid=%ld time_ms=%" PRIu64 "\n",
	    (long)getpid(), wall);
	fwrite(text, 1, len, f);
	ok = !ferror(f);
	if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

void
aw_metrics_publish(struct aw_metrics *m, struct aw_nlsrc *src,
    const struct aw_pipeline *p, const struct aw_stages *st,
    struct aw_kaudit *k)
{
	struct aw_metrics_snapshot s;
	char *text;
	size_t len;

	if (m == NULL)
		return;
	m->last_tick_ms = aw_now_ms();
	collect(m, src, p, st, k, &s);
	if ((text = aw_metrics_render(&s, &len)) == NULL)
		return;
	aw_metrics_http_publish(m->http, text, len, m->last_tick_ms);
	if (m->stats_path != NULL) {
		if (write_stats(m->stats_path, text, len, s.time_ms) != 0) {
			if (!m->stats_failed)
				aw_warn("metrics.stats_file %s: %s (`auditwatch "
				    "status` will not show counters)",
				    m->stats_path, strerror(errno));
			m->stats_failed = 1;
		} else {
			m->stats_failed = 0;
			m->stats_written = 1;
		}
	}
	free(text);
}

void
aw_metrics_tick(struct aw_metrics *m, struct aw_nlsrc *src,
    const struct aw_pipeline *p, const struct aw_stages *st,
    struct aw_kaudit *k, uint64_t now_ms)
{
	if (m == NULL || (m->last_tick_ms != 0 &&
	    now_ms - m->last_tick_ms < AW_METRICS_INTERVAL_MS))
		return;
	aw_metrics_publish(m, src, p, st, k);
}
