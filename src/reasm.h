/*
 * reasm.h — the reassembler: records in, whole events out.
 *
 * Records of one event share (timestamp, serial[, node]). The reassembler
 * keeps events in flight in a hash table and a list ordered by first
 * arrival, and closes an event when:
 *   - its EOE record arrives;
 *   - it is a record type that is a whole event on its own;
 *   - (shape_close, for logs without EOE) its SYSCALL, all `items` PATH
 *     records, the EXECVE arguments it announces and its PROCTITLE were
 *     seen — only while the stream has not shown any EOE;
 *   - nothing arrived for it for timeout_ms (clock given by the caller:
 *     wall clock live, event time in replay);
 *   - the in-flight bounds (events, bytes) are exceeded: oldest first,
 *     counted as evictions.
 * It never closes event N because N+1 arrived. Records arriving for an
 * event already closed are delivered as a late event of their own and
 * counted.
 */
#ifndef AW_REASM_H
#define AW_REASM_H

#include <stddef.h>
#include <stdint.h>
#include "record.h"
#include "event.h"

struct aw_reasm_config {
	size_t max_events;	/* in-flight events (default 4096) */
	size_t max_bytes;	/* in-flight bytes: record bodies plus a
				 * descriptor per record (default 16 MiB) */
	uint32_t timeout_ms;	/* default 2000 */
	int shape_close;	/* default 1 */
};

struct aw_reasm_stats {
	uint64_t records;
	uint64_t events;
	uint64_t closed[AW_CLOSE_FLUSH + 1];	/* by enum aw_close_reason */
	uint64_t late_records;	/* records for an event already closed */
	uint64_t serial_gaps;	/* serials never seen (a hint, not loss) */
	uint64_t inflight;	/* events in flight now */
	uint64_t inflight_bytes;
	uint64_t max_inflight;
};

typedef void (*aw_event_cb)(const struct aw_rawevent *ev, void *arg);

struct aw_reasm;

void aw_reasm_config_default(struct aw_reasm_config *cfg);
struct aw_reasm *aw_reasm_new(const struct aw_reasm_config *cfg,
    aw_event_cb cb, void *arg);
void aw_reasm_free(struct aw_reasm *ra);
/* Add one record. now_ms is the caller's clock for timeouts; pass 0 to use
 * event time (the record timestamps), as replay does. */
void aw_reasm_add(struct aw_reasm *ra, const struct aw_record *r,
    uint64_t now_ms);
/* Close events whose timeout passed. */
void aw_reasm_tick(struct aw_reasm *ra, uint64_t now_ms);
/* Close everything (end of input). */
void aw_reasm_flush(struct aw_reasm *ra);
const struct aw_reasm_stats *aw_reasm_stats(const struct aw_reasm *ra);

#endif
