/*
 * nlqueue.c — the drain thread's bounded queue (see nlqueue.h).
 *
 * One byte ring holding entries {type, len, payload} aligned to 8 bytes.
 * An entry that does not fit before the end of the ring leaves a wrap
 * marker (there is always room for one: everything is 8-aligned) and
 * starts at 0; the wasted tail counts as used until the consumer skips
 * it. `used` tells full from empty when head == tail. The consumer reads
 * an entry in place: the producer only ever writes into unused space, so
 * a record is copied once, from the socket buffer into the ring.
 */
#include "autoconf.h"
#include "nlqueue.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WRAP_MARK	UINT32_MAX
#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)

struct ring_hdr {
	uint32_t type;
	uint32_t len;		/* payload bytes, or WRAP_MARK */
};

struct aw_nlq {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* became non-empty */
	unsigned char *ring;
	size_t cap, head, tail, used, count, max_count;
	int waiting;
	struct aw_nlq_stats st;
};

struct aw_nlq *
aw_nlq_new(size_t max_bytes, size_t max_records)
{
	struct aw_nlq *q;
	pthread_condattr_t ca;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->cap = max_bytes < AW_NLQ_MIN_BYTES ? AW_NLQ_MIN_BYTES :
	    max_bytes & ~(size_t)7;
	q->max_count = max_records ? max_records : 1;
	/* Pages are touched only as the queue fills. */
	if ((q->ring = malloc(q->cap)) == NULL ||
	    pthread_condattr_init(&ca) != 0) {
		free(q->ring);
		free(q);
		return NULL;
	}
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

void
aw_nlq_free(struct aw_nlq *q)
{
	if (q == NULL)
		return;
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q->ring);
	free(q);
}

/* Where an entry of `need` bytes goes, wrapping if needed; -1: full.
 * Called with the lock held. */
static int
reserve(struct aw_nlq *q, size_t need, size_t *at)
{
	struct ring_hdr *h;

	if (q->count >= q->max_count || need > q->cap - q->used)
		return -1;
	if (q->used == 0)
		q->head = q->tail = 0;
	if (q->head >= q->tail) {
		/* Free space: [head, cap), then [0, tail). */
		if (q->cap - q->head < need) {
			if (q->tail < need)
				return -1;
			h = (struct ring_hdr *)(q->ring + q->head);
			h->type = 0;
			h->len = WRAP_MARK;
			q->used += q->cap - q->head;
			q->head = 0;
		}
	} else if (q->tail - q->head < need) {
		return -1;
	}
	*at = q->head;
	return 0;
}

int
aw_nlq_push(struct aw_nlq *q, int type, const void *p, size_t len)
{
	size_t need = ALIGN8(sizeof(struct ring_hdr) + len), at;
	struct ring_hdr *h;

	pthread_mutex_lock(&q->mu);
	if (len >= WRAP_MARK || reserve(q, need, &at) != 0) {
		q->st.dropped++;
		pthread_mutex_unlock(&q->mu);
		return -1;
	}
	h = (struct ring_hdr *)(q->ring + at);
	h->type = (uint32_t)type;
	h->len = (uint32_t)len;
	memcpy(h + 1, p, len);
	q->head = at + need;
	if (q->head == q->cap)
		q->head = 0;
	q->used += need;
	q->count++;
	q->st.pushed++;
	q->st.pushed_bytes += len;
	if (q->used > q->st.peak_bytes)
		q->st.peak_bytes = q->used;
	if (q->waiting)
		pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

static void
wait_nonempty(struct aw_nlq *q, int timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	q->waiting = 1;
	while (q->used == 0 &&
	    pthread_cond_timedwait(&q->cv, &q->mu, &ts) == 0)
		;
	q->waiting = 0;
}

int
aw_nlq_peek(struct aw_nlq *q, int *type, const char **payload, size_t *len,
    int timeout_ms)
{
	struct ring_hdr *h;

	pthread_mutex_lock(&q->mu);
	if (q->used == 0 && timeout_ms > 0)
		wait_nonempty(q, timeout_ms);
	if (q->used == 0) {
		pthread_mutex_unlock(&q->mu);
		return 0;
	}
	h = (struct ring_hdr *)(q->ring + q->tail);
	if (h->len == WRAP_MARK) {
		q->used -= q->cap - q->tail;
		q->tail = 0;
		h = (struct ring_hdr *)q->ring;
	}
	pthread_mutex_unlock(&q->mu);
	*type = (int)h->type;
	*payload = (const char *)(h + 1);
	*len = h->len;
	return 1;
}

void
aw_nlq_consume(struct aw_nlq *q)
{
	struct ring_hdr *h;
	size_t need;

	pthread_mutex_lock(&q->mu);
	if (q->used != 0) {
		h = (struct ring_hdr *)(q->ring + q->tail);
		if (h->len == WRAP_MARK) {	/* consumed without a peek */
			q->used -= q->cap - q->tail;
			q->tail = 0;
			h = (struct ring_hdr *)q->ring;
		}
		need = ALIGN8(sizeof(*h) + h->len);
		q->tail += need;
		if (q->tail == q->cap)
			q->tail = 0;
		q->used -= need;
		q->count--;
	}
	pthread_mutex_unlock(&q->mu);
}

void
aw_nlq_get_stats(struct aw_nlq *q, struct aw_nlq_stats *out)
{
	pthread_mutex_lock(&q->mu);
	*out = q->st;
	out->records = q->count;
	out->bytes = q->used;
	pthread_mutex_unlock(&q->mu);
}
