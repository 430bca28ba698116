/*
 * stages.c — construct the post-reassembly stages from the config.
 *
 * Kept apart from the commands so that `run`, `replay` and a SIGHUP
 * reload build the engine the same way, with the same diagnostics.
 */
#include "autoconf.h"
#include "stages.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "alerts.h"
#include "config.h"
#include "enrich.h"
#include "log.h"
#include "pipeline.h"
#include "rules/engine.h"

#define MAX_RULE_PATHS 256

/* rules/auditwatch_rules.yaml, compiled in (rules/embed.sh). */
extern const char aw_default_rules[];
extern const size_t aw_default_rules_len;

/* With neither -r nor rules_files, the default paths apply. Those that do
 * not exist are simply not there (no warning), and when the main default
 * file is missing — running from the build tree, or installed without data
 * files — the built-in copy of the default rules is used instead. */
static size_t
default_rule_paths(struct aw_engine *e, const char **paths, size_t n,
    struct aw_diags *d)
{
	size_t kept = 0;
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		if (stat(paths[i], &st) == 0)
			paths[kept++] = paths[i];
		else if (i == 0 && errno == ENOENT) {
			aw_info("%s not found: using the built-in default rules",
			    paths[0]);
			aw_engine_add_string(e, "<built-in>/auditwatch_rules.yaml",
			    aw_default_rules, aw_default_rules_len, d);
		}
	}
	return kept;
}

struct aw_engine *
aw_stages_load_engine(const struct aw_config *cfg)
{
	const char *paths[MAX_RULE_PATHS];
	struct aw_diags d;
	struct aw_engine *e;
	int explicit = 0;
	size_t n;

	if ((e = aw_engine_new(cfg)) == NULL) {
		aw_err("cannot create the rule engine");
		return NULL;
	}
	n = aw_engine_rules_paths(cfg, paths, MAX_RULE_PATHS, &explicit);
	aw_diags_init(&d);
	if (!explicit && aw_config_find(cfg, "rules_files") == NULL)
		n = default_rule_paths(e, paths, n, &d);
	if (aw_engine_load(e, paths, n, !explicit, &d) != 0) {
		aw_diags_print(&d, stderr);
		aw_err("rules not loaded: %zu error(s)", d.nerrors);
		aw_diags_free(&d);
		aw_engine_free(e);
		return NULL;
	}
	aw_diags_print(&d, stderr);
	aw_diags_free(&d);
	aw_engine_apply_config(e, cfg);
	return e;
}

int
aw_stages_open(struct aw_stages *s, const struct aw_config *cfg,
    unsigned what)
{
	char err[512];

	memset(s, 0, sizeof(*s));
	if ((what & AW_STAGE_ENRICH) &&
	    (s->enricher = aw_enricher_new(cfg)) == NULL) {
		aw_err("cannot start enrichment");
		goto fail;
	}
	if ((what & AW_STAGE_RULES) &&
	    (s->engine = aw_stages_load_engine(cfg)) == NULL)
		goto fail;
	if (what & AW_STAGE_ALERTS) {
		err[0] = '\0';
		if ((s->alerts = aw_alerts_new(cfg, err, sizeof(err))) == NULL) {
			aw_err("alerts: %s", err[0] ? err : "cannot start");
			goto fail;
		}
	}
	return 0;
fail:
	aw_stages_close(s, 0);
	return -1;
}

void
aw_stages_attach(struct aw_stages *s, struct aw_pipeline *p)
{
	aw_pipeline_set_enricher(p, s->enricher);
	aw_pipeline_set_engine(p, s->engine);
	aw_pipeline_set_alerts(p, s->alerts);
}

#define U(x) ((unsigned long long)(x))

void
aw_stages_print_stats(const struct aw_stages *s, FILE *fp)
{
	struct aw_alerts_stats as;

	if (s->enricher != NULL) {
		const struct aw_enricher_stats *es =
		    aw_enricher_stats(s->enricher);

		fprintf(fp, " procs=%llu proc_evictions=%llu"
		    " proc_table_bytes=%llu containers=%llu cgroup_reads=%llu"
		    " meta_entries=%llu meta_evictions=%llu meta_dropped=%llu",
		    U(es->procs),
		    U(es->evictions), U(es->table_bytes), U(es->containers),
		    U(es->cgroup_reads), U(es->meta_entries),
		    U(es->meta_evictions), U(es->meta_dropped));
	}
	if (s->alerts != NULL) {
		aw_alerts_stats(s->alerts, &as);
		fprintf(fp, " alerts_submitted=%llu", U(as.submitted));
		if (as.store_enabled)
			fprintf(fp, " store_stored=%llu store_lost=%llu"
			    " store_queued=%llu store_queue_peak=%llu"
			    " outbox_rows=%llu expired_undelivered=%llu",
			    U(as.store.stored), U(as.store.lost),
			    U(as.store.queued), U(as.store.queue_peak),
			    U(as.store.outbox_rows),
			    U(as.store.expired_undelivered));
	}
}

#undef U

void
aw_stages_close(struct aw_stages *s, long timeout_ms)
{
	if (s->alerts != NULL) {
		if (timeout_ms > 0 && aw_alerts_flush(s->alerts, timeout_ms))
			aw_warn("alerts not fully stored/delivered within "
			    "%ld ms; they stay in the outbox", timeout_ms);
		aw_alerts_free(s->alerts);
	}
	aw_engine_free(s->engine);
	aw_enricher_free(s->enricher);
	memset(s, 0, sizeof(*s));
}
