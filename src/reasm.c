/*
 * reasm.c — records in, whole events out (see reasm.h for the rules).
 *
 * In-flight events live in a uthash table keyed by (sec, msec, serial,
 * node hash) and on a list ordered by last activity, so the head is always
 * the event to time out or evict first. Each in-flight event copies its
 * record bodies into one growable buffer; closed events go to a free list
 * and keep their buffers, so a steady stream allocates nothing.
 *
 * A direct-mapped table remembers recently closed keys, so that records
 * arriving after their event was closed (a late EOE after a shape close, a
 * straggler after a timeout) are recognised and counted instead of being
 * mistaken for a new event's serial.
 */
#include "autoconf.h"
#include "reasm.h"

#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#define RECENT_SLOTS 4096	/* recently closed keys remembered */
/* A closed event's buffers are kept for reuse only up to these sizes: the
 * byte bound counts what events in flight hold (len), not what their
 * buffers can hold (cap), so a reused oversized buffer would be memory
 * outside every bound (an event of max_bytes, closed, its entry taken by
 * a one-record event that stays in flight, and again...). */
#define KEEP_BUF 4096
#define KEEP_RECS 64

struct ev_key {
	uint64_t sec;
	uint64_t nodehash;
	uint32_t msec;
	uint32_t serial;
};

struct inflight {
	struct ev_key key;
	UT_hash_handle hh;
	struct inflight *prev, *next;	/* activity order; head = oldest */
	uint64_t last_ms;

	struct aw_rawrec *recs;
	int nrec, caprec;
	char *buf;
	size_t len, cap;
	size_t nodelen;		/* node name stored at buf[0..nodelen) + NUL */

	int late;		/* a piece of an event already closed */
	/* what shape_close needs to know */
	int has_syscall, has_proctitle;
	long items, npaths;
};

struct aw_reasm {
	struct aw_reasm_config cfg;
	aw_event_cb cb;
	void *cbarg;
	struct inflight *table;		/* uthash head */
	struct inflight *head, *tail;	/* activity list */
	struct inflight *freelist;
	struct aw_reasm_stats st;
	uint64_t event_now_ms;		/* latest event time seen */
	int seen_eoe;			/* this stream carries EOE records */
	int have_max_serial;
	uint32_t max_serial;
	struct ev_key recent[RECENT_SLOTS];
	struct inflight single;		/* scratch for single-record events */
};

void
aw_reasm_config_default(struct aw_reasm_config *cfg)
{
	cfg->max_events = 4096;
	cfg->max_bytes = 16u << 20;
	cfg->timeout_ms = 2000;
	cfg->shape_close = 1;
}

struct aw_reasm *
aw_reasm_new(const struct aw_reasm_config *cfg, aw_event_cb cb, void *arg)
{
	struct aw_reasm *ra = calloc(1, sizeof(*ra));

	if (ra == NULL)
		return NULL;
	if (cfg)
		ra->cfg = *cfg;
	else
		aw_reasm_config_default(&ra->cfg);
	if (ra->cfg.max_events == 0)
		ra->cfg.max_events = 1;
	ra->cb = cb;
	ra->cbarg = arg;
	return ra;
}

static void
inflight_destroy(struct inflight *e)
{
	free(e->recs);
	free(e->buf);
	free(e);
}

void
aw_reasm_free(struct aw_reasm *ra)
{
	struct inflight *e, *n;

	if (ra == NULL)
		return;
	HASH_CLEAR(hh, ra->table);
	for (e = ra->head; e; e = n) {
		n = e->next;
		inflight_destroy(e);
	}
	for (e = ra->freelist; e; e = n) {
		n = e->next;
		inflight_destroy(e);
	}
	free(ra->single.recs);
	free(ra->single.buf);
	free(ra);
}

const struct aw_reasm_stats *
aw_reasm_stats(const struct aw_reasm *ra)
{
	return &ra->st;
}

/* ------------------------------------------------------------ helpers */

static uint64_t
node_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void
make_key(const struct aw_record *r, struct ev_key *k)
{
	memset(k, 0, sizeof(*k));
	k->sec = r->sec;
	k->msec = r->msec;
	k->serial = r->serial;
	k->nodehash = r->node ? node_hash(r->node, r->nodelen) : 0;
}

static int
is_single_record_type(int type)
{
	/* Kernel syscall events span 1300-2099 (plus LOGIN, which the kernel
	 * emits inside a syscall); user-space, daemon and AUDIT_KERNEL
	 * records are whole events. */
	if (type == AW_T_LOGIN)
		return 0;
	if (type == AW_T_KERNEL)
		return 1;
	return type < 1300 || type >= 2100;
}

static uint64_t
record_ms(const struct aw_record *r)
{
	return r->sec * 1000 + r->msec;
}

static size_t
recent_slot(const struct ev_key *k)
{
	return (k->serial ^ (uint32_t)k->sec) % RECENT_SLOTS;
}

static int
recently_closed(const struct aw_reasm *ra, const struct ev_key *k)
{
	return memcmp(&ra->recent[recent_slot(k)], k, sizeof(*k)) == 0;
}

static void
list_unlink(struct aw_reasm *ra, struct inflight *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		ra->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		ra->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
list_append(struct aw_reasm *ra, struct inflight *e)
{
	e->prev = ra->tail;
	e->next = NULL;
	if (ra->tail)
		ra->tail->next = e;
	else
		ra->head = e;
	ra->tail = e;
}

static int
ensure_space(struct inflight *e, size_t more)
{
	if (e->nrec == e->caprec) {
		int ncap = e->caprec ? e->caprec * 2 : 8;
		void *nr = realloc(e->recs, (size_t)ncap * sizeof(*e->recs));
		if (nr == NULL)
			return -1;
		e->recs = nr;
		e->caprec = ncap;
	}
	if (e->len + more > e->cap) {
		size_t ncap = e->cap ? e->cap : 1024;
		char *nb;
		while (ncap < e->len + more)
			ncap *= 2;
		if ((nb = realloc(e->buf, ncap)) == NULL)
			return -1;
		e->buf = nb;
		e->cap = ncap;
	}
	return 0;
}

static void
inflight_reset(struct inflight *e, const struct ev_key *k,
    const struct aw_record *r)
{
	e->key = *k;
	e->nrec = 0;
	e->len = 0;
	e->nodelen = 0;
	e->has_syscall = e->has_proctitle = 0;
	e->items = -1;
	e->npaths = 0;
	if (r->node && ensure_space(e, r->nodelen + 1) == 0) {
		memcpy(e->buf, r->node, r->nodelen);
		e->buf[r->nodelen] = '\0';
		e->nodelen = r->nodelen;
		e->len = r->nodelen + 1;
	}
}

/* items=N of a SYSCALL body, or -1. */
static long
syscall_items(const struct aw_record *r)
{
	struct aw_kv kv;
	uint64_t v;

	if (aw_kv_find(r->body, r->bodylen, "items", &kv) &&
	    aw_parse_u64(kv.val, kv.vallen, 10, &v) == 0 && v < 1u << 20)
		return (long)v;
	return -1;
}

static int
append_record(struct inflight *e, const struct aw_record *r)
{
	if (ensure_space(e, r->bodylen) != 0)
		return -1;
	e->recs[e->nrec].type = r->type;
	e->recs[e->nrec].off = (uint32_t)e->len;
	e->recs[e->nrec].len = (uint32_t)r->bodylen;
	e->nrec++;
	if (r->bodylen != 0)	/* e->buf is still NULL for an empty first body */
		memcpy(e->buf + e->len, r->body, r->bodylen);
	e->len += r->bodylen;
	switch (r->type) {
	case AW_T_SYSCALL:
		e->has_syscall = 1;
		e->items = syscall_items(r);
		break;
	case AW_T_PATH:
		e->npaths++;
		break;
	case AW_T_PROCTITLE:
		e->has_proctitle = 1;
		break;
	}
	return 0;
}

static void
deliver(struct aw_reasm *ra, struct inflight *e, enum aw_close_reason why)
{
	struct aw_rawevent ev;

	ev.sec = e->key.sec;
	ev.msec = e->key.msec;
	ev.serial = e->key.serial;
	ev.node = e->nodelen ? e->buf : NULL;
	ev.nrec = e->nrec;
	ev.recs = e->recs;
	ev.buf = e->buf;
	ev.closed_by = why;
	ra->st.events++;
	ra->st.closed[why]++;
	ra->recent[recent_slot(&e->key)] = e->key;
	if (ra->cb)
		ra->cb(&ev, ra->cbarg);
}

/* What an event in flight holds, as the byte bound counts it: its record
 * bodies and one descriptor per record (records with empty bodies are
 * not free: a flood of them must be bounded too). */
static size_t
ev_bytes(const struct inflight *e)
{
	return e->len + (size_t)e->nrec * sizeof(struct aw_rawrec);
}

static void
close_event(struct aw_reasm *ra, struct inflight *e, enum aw_close_reason why)
{
	HASH_DELETE(hh, ra->table, e);
	list_unlink(ra, e);
	ra->st.inflight--;
	ra->st.inflight_bytes -= ev_bytes(e);
	deliver(ra, e, why);
	if (e->cap > KEEP_BUF) {
		free(e->buf);
		e->buf = NULL;
		e->cap = e->len = 0;
	}
	if (e->caprec > KEEP_RECS) {
		free(e->recs);
		e->recs = NULL;
		e->caprec = e->nrec = 0;
	}
	e->next = ra->freelist;
	ra->freelist = e;
}

static struct inflight *
inflight_get(struct aw_reasm *ra)
{
	struct inflight *e = ra->freelist;

	if (e != NULL) {
		ra->freelist = e->next;
		e->next = NULL;
		return e;
	}
	return calloc(1, sizeof(*e));
}

static void
count_serial(struct aw_reasm *ra, uint32_t serial)
{
	int32_t d;

	if (!ra->have_max_serial) {
		ra->have_max_serial = 1;
		ra->max_serial = serial;
		return;
	}
	/* Signed distance handles the 32-bit wrap-around. */
	d = (int32_t)(serial - ra->max_serial);
	if (d > 1)
		ra->st.serial_gaps += (uint64_t)(d - 1);
	if (d > 0)
		ra->max_serial = serial;
	else if (d < 0 && ra->st.serial_gaps > 0)
		ra->st.serial_gaps--;	/* an earlier hole was filled */
}

static int
shape_complete(const struct aw_reasm *ra, const struct inflight *e)
{
	return ra->cfg.shape_close && !ra->seen_eoe && e->has_syscall &&
	    e->has_proctitle && e->npaths >= e->items;
}

static void
enforce_bounds(struct aw_reasm *ra)
{
	while (ra->head && (ra->st.inflight > ra->cfg.max_events ||
	    ra->st.inflight_bytes > ra->cfg.max_bytes))
		close_event(ra, ra->head, AW_CLOSE_EVICTED);
}

/* A whole event in one record: deliver it without touching the table. */
static void
deliver_single(struct aw_reasm *ra, const struct ev_key *k,
    const struct aw_record *r)
{
	inflight_reset(&ra->single, k, r);
	if (append_record(&ra->single, r) == 0)
		deliver(ra, &ra->single, AW_CLOSE_SINGLE);
}

/* ------------------------------------------------------------ API */

void
aw_reasm_add(struct aw_reasm *ra, const struct aw_record *r, uint64_t now_ms)
{
	struct inflight *e;
	struct ev_key k;
	uint64_t clock;

	ra->st.records++;
	if (record_ms(r) > ra->event_now_ms)
		ra->event_now_ms = record_ms(r);
	clock = now_ms ? now_ms : ra->event_now_ms;
	make_key(r, &k);
	HASH_FIND(hh, ra->table, &k, sizeof(k), e);

	if (r->type == AW_T_EOE) {
		ra->seen_eoe = 1;
		if (e != NULL)
			close_event(ra, e, AW_CLOSE_EOE);
		else if (!recently_closed(ra, &k))
			ra->st.late_records++;	/* EOE of an unknown event */
		/* else: EOE after a shape close, before we knew the stream
		 * carries EOE: expected, nothing was lost. */
		goto timeouts;
	}
	if (e == NULL) {
		int late = recently_closed(ra, &k);

		if (!late)
			count_serial(ra, r->serial);
		if (is_single_record_type(r->type)) {
			ra->st.late_records += (uint64_t)late;
			deliver_single(ra, &k, r);
			goto timeouts;
		}
		if ((e = inflight_get(ra)) == NULL)
			goto timeouts;	/* out of memory: record dropped */
		inflight_reset(e, &k, r);
		e->late = late;
		HASH_ADD(hh, ra->table, key, sizeof(e->key), e);
		list_append(ra, e);
		ra->st.inflight++;
		ra->st.inflight_bytes += ev_bytes(e);
	} else {
		list_unlink(ra, e);
		list_append(ra, e);
	}
	ra->st.late_records += (uint64_t)e->late;
	ra->st.inflight_bytes -= ev_bytes(e);
	append_record(e, r);
	ra->st.inflight_bytes += ev_bytes(e);
	e->last_ms = clock;
	if (shape_complete(ra, e))
		close_event(ra, e, AW_CLOSE_SHAPE);
	enforce_bounds(ra);
	/* The peak after eviction: the bound, not the bound plus the event
	 * that was just evicted to make room (found by fuzz_reasm). */
	if (ra->st.inflight > ra->st.max_inflight)
		ra->st.max_inflight = ra->st.inflight;
timeouts:
	aw_reasm_tick(ra, now_ms);
}

void
aw_reasm_tick(struct aw_reasm *ra, uint64_t now_ms)
{
	uint64_t clock = now_ms ? now_ms : ra->event_now_ms;

	while (ra->head && ra->head->last_ms + ra->cfg.timeout_ms <= clock)
		close_event(ra, ra->head, AW_CLOSE_TIMEOUT);
}

void
aw_reasm_flush(struct aw_reasm *ra)
{
	while (ra->head)
		close_event(ra, ra->head, AW_CLOSE_FLUSH);
}
