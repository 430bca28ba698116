/*
 * stages.h — build the stages after reassembly (enricher, rule engine,
 * alert stage) from the configuration, for `run` and `replay` alike.
 */
#ifndef AW_STAGES_H
#define AW_STAGES_H

#include <stdio.h>

struct aw_config;
struct aw_pipeline;

enum {
	AW_STAGE_ENRICH = 1,
	AW_STAGE_RULES = 2,
	AW_STAGE_ALERTS = 4,
};

struct aw_stages {
	struct aw_enricher *enricher;
	struct aw_engine *engine;
	struct aw_alerts *alerts;
};

/* Open the stages named in `what`. Rule-file problems are printed on
 * stderr as file:line:column diagnostics. Returns 0, or -1 (nothing left
 * open) with the reason logged. */
int aw_stages_open(struct aw_stages *s, const struct aw_config *cfg,
    unsigned what);
void aw_stages_attach(struct aw_stages *s, struct aw_pipeline *p);
/* Load the configured rules into a new engine; NULL when any rule file
 * has errors (the caller keeps its old engine on reload). */
struct aw_engine *aw_stages_load_engine(const struct aw_config *cfg);
/* The counters of the open stages as space-separated key=value pairs
 * (no newline), for `replay --stats`: the process table and container
 * metadata bounds (entries, evictions) and the alert store queue. */
void aw_stages_print_stats(const struct aw_stages *s, FILE *fp);
/* Flush alerts (waiting up to timeout_ms for store and delivery), then
 * free everything. */
void aw_stages_close(struct aw_stages *s, long timeout_ms);

#endif
