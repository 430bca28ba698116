/*
 * nlqueue.h — the bounded queue between the netlink drain thread and the
 * processing thread: one producer, one consumer, records {type, bytes}.
 *
 * Bounded by bytes (the ring's size) and by record count; a push that
 * does not fit is dropped and counted, never waited for. The consumer
 * peeks a record in place and consumes it when done with it.
 */
#ifndef AW_NLQUEUE_H
#define AW_NLQUEUE_H

#include <stddef.h>
#include <stdint.h>

struct aw_nlq_stats {
	uint64_t pushed;
	uint64_t pushed_bytes;
	uint64_t dropped;
	size_t records;		/* now */
	size_t bytes;		/* now, ring bytes in use */
	size_t peak_bytes;
};

struct aw_nlq;

/* max_bytes is rounded down to 8 and at least AW_NLQ_MIN_BYTES. */
#define AW_NLQ_MIN_BYTES	(256 * 1024)
struct aw_nlq *aw_nlq_new(size_t max_bytes, size_t max_records);
void aw_nlq_free(struct aw_nlq *q);

/* Producer. Returns 0, or -1 if the record was dropped (queue full). */
int aw_nlq_push(struct aw_nlq *q, int type, const void *p, size_t len);

/* Consumer. Waits up to timeout_ms (0: no wait) for a record; 1 with the
 * record (valid until aw_nlq_consume), 0 if none. */
int aw_nlq_peek(struct aw_nlq *q, int *type, const char **payload,
    size_t *len, int timeout_ms);
void aw_nlq_consume(struct aw_nlq *q);

void aw_nlq_get_stats(struct aw_nlq *q, struct aw_nlq_stats *out);

#endif
