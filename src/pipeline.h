/*
 * pipeline.h — the processing stage: record → reassembler → event →
 * (enrichment → rules → alerts) → outputs.
 *
 * Sources (source_text.c, source_netlink.c) only produce records and call
 * aw_pipeline_record(); everything after that happens here, on the one
 * processing thread. Data flows one way.
 */
#ifndef AW_PIPELINE_H
#define AW_PIPELINE_H

#include <stdio.h>
#include <stdint.h>
#include "record.h"
#include "reasm.h"

struct aw_config;
struct aw_enricher;
struct aw_engine;
struct aw_alerts;

struct aw_pipeline_stats {
	uint64_t records_in;
	uint64_t parse_errors;
	uint64_t events_out;
	uint64_t alerts;		/* produced by the rules */
	uint64_t alerts_dropped;	/* produced with nowhere to go */
};

struct aw_pipeline;

/* events_out: where --events JSON lines go (NULL: not printed). */
struct aw_pipeline *aw_pipeline_new(const struct aw_config *cfg,
    FILE *events_out);
void aw_pipeline_free(struct aw_pipeline *p);

/* The later stages, each optional (NULL: stage skipped). The pipeline
 * borrows them: the caller owns them and may swap the engine between two
 * calls (reload); the previous one is returned. */
void aw_pipeline_set_enricher(struct aw_pipeline *p, struct aw_enricher *en);
struct aw_engine *aw_pipeline_set_engine(struct aw_pipeline *p,
    struct aw_engine *e);
void aw_pipeline_set_alerts(struct aw_pipeline *p, struct aw_alerts *al);

/* Feed one parsed record; now_ms as in aw_reasm_add (0 = event time). */
void aw_pipeline_record(struct aw_pipeline *p, const struct aw_record *r,
    uint64_t now_ms);
/* Feed raw text: one audit.log line, or one netlink payload with its type.
 * Parse errors are counted and logged (rate-limited), never fatal. */
void aw_pipeline_line(struct aw_pipeline *p, const char *line, size_t len,
    uint64_t now_ms);
void aw_pipeline_datagram(struct aw_pipeline *p, int type, const char *payload,
    size_t len, uint64_t now_ms);
void aw_pipeline_tick(struct aw_pipeline *p, uint64_t now_ms);
/* Write what the --events stream and the alert outputs buffered (a
 * source calls it after each block of input). */
void aw_pipeline_flush_outputs(struct aw_pipeline *p);
void aw_pipeline_flush(struct aw_pipeline *p);

const struct aw_pipeline_stats *aw_pipeline_stats(const struct aw_pipeline *p);
/* The counters as space-separated key=value pairs (no newline), as
 * `replay --stats` prints them: records, parse_errors, events, the close
 * reasons, late_records, serial_gaps, max_inflight. */
void aw_pipeline_print_stats(const struct aw_pipeline *p, FILE *fp);
const struct aw_reasm_stats *aw_pipeline_reasm_stats(const struct aw_pipeline *p);

#endif
