/*
 * fuzz_reasm.c — libFuzzer target: the reassembler (src/reasm.c) on its
 * own, driven by record sequences, with its invariants checked on every
 * step.
 *
 * The input is text, one operation a line, so that the audit logs of the
 * fixtures are seeds as they are and a crash file is readable:
 *   ~c E B T S L   configuration (first line only): max_events E (capped
 *                  at 256), max_bytes B, timeout_ms T, shape_close S, and
 *                  L = 1 for a live clock (the target's own, advanced by
 *                  ~t) or 0 for event time (replay);
 *   ~t N           advance the live clock by N ms, then tick;
 *   ~f             flush (end of input);
 *   anything else  an audit.log line, parsed by aw_record_parse_line and
 *                  added (lines that do not parse are skipped).
 * Without a ~c line the bounds are small (derived from the input size) so
 * that eviction and timeouts are reached, and the clock is event time.
 * Every record added gets "rid=N " in front of its body, so that the
 * target can recognise it when it is delivered.
 *
 * The target keeps a model of what must be in flight (per event key: its
 * records, bytes and last activity) and checks, aborting on a violation:
 *   - every record is delivered at most once, with the key it was added
 *     under, in arrival order, inside the one event its key has in flight;
 *     after the final flush every record but EOE was delivered exactly
 *     once, and nothing is in flight;
 *   - each close reason happens only where it may: EOE and SHAPE while
 *     adding a record of that event, SINGLE for the record just added,
 *     EVICTED only while adding, FLUSH only in a flush, TIMEOUT never in
 *     a flush; SHAPE only with shape_close on and before any EOE;
 *   - in-flight bounds: events <= max_events and bytes <= max_bytes after
 *     every add, the peak too; no event is left in flight past its timeout;
 *   - counters: records, events and closed[] match what the target saw;
 *     inflight and inflight_bytes match the model; late_records never
 *     exceeds records.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EVENTS_CAP 256
#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_reasm: invariant failed: %s "	\
		    "(line %d)\n", #c, __LINE__);			\
		abort();						\
	}								\
} while (0)

struct key {
	uint64_t sec;
	uint32_t msec, serial;
	const char *node;	/* points into the input; NULL if none */
	size_t nodelen;
};

struct rec {			/* one record added */
	struct key k;
	int type;
	int delivered;
};

struct pending {		/* the model of one event in flight */
	struct key k;
	int nrec;
	size_t bytes;
	uint64_t last_ms;
};

enum phase { PH_ADD, PH_TICK, PH_FLUSH };

struct fz {
	struct aw_reasm_config cfg;
	int live;
	uint64_t now;		/* live clock */
	uint64_t event_now;	/* latest record time (event-time clock) */
	enum phase phase;
	struct rec *recs;
	size_t nrecs, caprecs;
	size_t cur;		/* rid of the record being added */
	int seen_eoe;
	struct pending *pend;
	size_t npend, cappend;
	uint64_t events, closed[AW_CLOSE_FLUSH + 1];
};

static int
key_eq(const struct key *a, const struct key *b)
{
	if (a->sec != b->sec || a->msec != b->msec || a->serial != b->serial)
		return 0;
	if ((a->node == NULL) != (b->node == NULL))
		return 0;
	return a->node == NULL || (a->nodelen == b->nodelen &&
	    memcmp(a->node, b->node, a->nodelen) == 0);
}

static struct pending *
pend_find(struct fz *f, const struct key *k)
{
	for (size_t i = 0; i < f->npend; i++)
		if (key_eq(&f->pend[i].k, k))
			return &f->pend[i];
	return NULL;
}

static void
pend_remove(struct fz *f, struct pending *p)
{
	*p = f->pend[--f->npend];
}

/* Single-record types, as reasm.c defines them (its contract in reasm.h). */
static int
is_single(int type)
{
	if (type == AW_T_LOGIN)
		return 0;
	return type == AW_T_KERNEL || type < 1300 || type >= 2100;
}

static uint64_t
clock_now(const struct fz *f)
{
	return f->live ? f->now : f->event_now;
}

static void
on_event(const struct aw_rawevent *ev, void *arg)
{
	struct fz *f = arg;
	struct key k = { ev->sec, ev->msec, ev->serial, ev->node,
	    ev->node ? strlen(ev->node) : 0 };
	const struct rec *adding = f->phase == PH_ADD ? &f->recs[f->cur] : NULL;
	struct pending *p = pend_find(f, &k);
	size_t prev = 0;

	CHECK(ev->nrec >= 1);
	CHECK(ev->closed_by <= AW_CLOSE_FLUSH);
	f->events++;
	f->closed[ev->closed_by]++;
	for (int i = 0; i < ev->nrec; i++) {
		const char *b = ev->buf + ev->recs[i].off;
		size_t len = ev->recs[i].len;
		char num[24];
		size_t j = 0;
		unsigned long rid;

		CHECK(len > 4 && memcmp(b, "rid=", 4) == 0);
		while (4 + j < len && j < sizeof(num) - 1 &&
		    b[4 + j] >= '0' && b[4 + j] <= '9') {
			num[j] = b[4 + j];
			j++;
		}
		num[j] = '\0';
		CHECK(j > 0);
		rid = strtoul(num, NULL, 10);
		CHECK(rid < f->nrecs);
		CHECK(!f->recs[rid].delivered);		/* at most once */
		CHECK(f->recs[rid].type == ev->recs[i].type);
		if (!key_eq(&f->recs[rid].k, &k))
			fprintf(stderr, "record %lu: added as %llu.%u:%u node "
			    "%zu bytes, delivered as %llu.%u:%u node %zu\n",
			    rid, (unsigned long long)f->recs[rid].k.sec,
			    f->recs[rid].k.msec, f->recs[rid].k.serial,
			    f->recs[rid].k.nodelen, (unsigned long long)k.sec,
			    k.msec, k.serial, k.nodelen);
		CHECK(key_eq(&f->recs[rid].k, &k));	/* its own event */
		CHECK(i == 0 || rid > prev);		/* arrival order */
		f->recs[rid].delivered = 1;
		prev = rid;
	}
	switch (ev->closed_by) {
	case AW_CLOSE_SINGLE:
		CHECK(adding != NULL && ev->nrec == 1 && prev == f->cur);
		CHECK(is_single(adding->type) && p == NULL);
		return;
	case AW_CLOSE_EOE:
		CHECK(adding != NULL && adding->type == AW_T_EOE);
		CHECK(key_eq(&adding->k, &k));
		break;
	case AW_CLOSE_SHAPE:
		CHECK(adding != NULL && key_eq(&adding->k, &k));
		CHECK(f->cfg.shape_close && !f->seen_eoe);
		break;
	case AW_CLOSE_EVICTED:
		CHECK(f->phase == PH_ADD);
		break;
	case AW_CLOSE_TIMEOUT:
		CHECK(f->phase != PH_FLUSH);
		CHECK(p != NULL && p->last_ms + f->cfg.timeout_ms <=
		    clock_now(f));
		break;
	case AW_CLOSE_FLUSH:
		CHECK(f->phase == PH_FLUSH);
		break;
	}
	CHECK(p != NULL);			/* it was in flight */
	CHECK(p->nrec == ev->nrec);		/* all of it, nothing else */
	pend_remove(f, p);
}

/* What the model says after a step; the reassembler must agree. */
static void
check_state(struct fz *f, const struct aw_reasm *ra)
{
	const struct aw_reasm_stats *st = aw_reasm_stats(ra);
	uint64_t sum = 0, bytes = 0;

	CHECK(st->records == f->nrecs);
	CHECK(st->events == f->events);
	for (int i = 0; i <= AW_CLOSE_FLUSH; i++) {
		CHECK(st->closed[i] == f->closed[i]);
		sum += st->closed[i];
	}
	CHECK(sum == st->events);
	CHECK(st->late_records <= st->records);
	CHECK(st->inflight == f->npend);
	for (size_t i = 0; i < f->npend; i++) {
		bytes += f->pend[i].bytes;
		/* nothing lingers past its timeout */
		CHECK(f->pend[i].last_ms + f->cfg.timeout_ms > clock_now(f));
	}
	CHECK(st->inflight_bytes == bytes);
	CHECK(st->inflight <= f->cfg.max_events);
	CHECK(st->inflight_bytes <= f->cfg.max_bytes);
	CHECK(st->max_inflight >= st->inflight);
	CHECK(st->max_inflight <= f->cfg.max_events);
}

static int
grow(void **p, size_t *cap, size_t n, size_t sz)
{
	void *np;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if ((np = realloc(*p, ncap * sz)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static void
add_record(struct fz *f, struct aw_reasm *ra, struct aw_record *r)
{
	static char body[70000];
	struct rec *rc;
	struct pending *p;
	uint64_t ms = r->sec * 1000 + r->msec;
	int n;

	if (grow((void **)&f->recs, &f->caprecs, f->nrecs, sizeof(*rc)) ||
	    grow((void **)&f->pend, &f->cappend, f->npend, sizeof(*p)))
		return;
	n = snprintf(body, sizeof(body), "rid=%zu ", f->nrecs);
	if (r->bodylen > sizeof(body) - (size_t)n)
		r->bodylen = sizeof(body) - (size_t)n;
	memcpy(body + n, r->body, r->bodylen);
	r->body = body;
	r->bodylen += (size_t)n;

	f->cur = f->nrecs++;
	rc = &f->recs[f->cur];
	rc->k = (struct key){ r->sec, r->msec, r->serial, r->node,
	    r->node ? r->nodelen : 0 };
	rc->type = r->type;
	rc->delivered = 0;
	if (ms > f->event_now)
		f->event_now = ms;

	/* The model before the call: where this record goes. */
	p = pend_find(f, &rc->k);
	if (r->type != AW_T_EOE && (p != NULL || !is_single(r->type))) {
		if (p == NULL) {
			p = &f->pend[f->npend++];
			memset(p, 0, sizeof(*p));
			p->k = rc->k;
			if (r->node)
				p->bytes = r->nodelen + 1;
		}
		p->nrec++;
		p->bytes += r->bodylen + sizeof(struct aw_rawrec);
		p->last_ms = clock_now(f);
	}
	f->phase = PH_ADD;
	aw_reasm_add(ra, r, f->live ? f->now : 0);
	if (r->type == AW_T_EOE) {
		f->seen_eoe = 1;
		rc->delivered = 1;	/* EOE closes; it is not a record kept */
	}
	check_state(f, ra);
}

static uint64_t
num(const char **s, const char *end)
{
	uint64_t v = 0;

	while (*s < end && **s == ' ')
		(*s)++;
	while (*s < end && **s >= '0' && **s <= '9' && v < UINT64_MAX / 20)
		v = v * 10 + (uint64_t)(*(*s)++ - '0');
	return v;
}

static void
configure(struct fz *f, const char *s, const char *end, size_t size)
{
	aw_reasm_config_default(&f->cfg);
	f->cfg.max_events = 2 + size % 7;
	f->cfg.max_bytes = 512 + size % 4096;
	f->live = 0;
	if (end - s >= 2 && s[0] == '~' && s[1] == 'c') {
		s += 2;
		f->cfg.max_events = (size_t)num(&s, end) % MAX_EVENTS_CAP + 1;
		f->cfg.max_bytes = (size_t)num(&s, end) % (1u << 24);
		f->cfg.timeout_ms = (uint32_t)num(&s, end) % 100000;
		f->cfg.shape_close = num(&s, end) != 0;
		f->live = num(&s, end) != 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *nl;
	struct fz f;
	struct aw_reasm *ra;

	memset(&f, 0, sizeof(f));
	f.now = 1;
	configure(&f, s, end, size);
	if ((ra = aw_reasm_new(&f.cfg, on_event, &f)) == NULL)
		return 0;
	for (; s < end; s = nl + 1) {
		struct aw_record r;
		const char *err, *q;
		size_t len;

		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		len = (size_t)(nl - s);
		if (len >= 2 && s[0] == '~') {
			q = s + 2;
			if (s[1] == 't') {
				f.now += num(&q, nl);
				f.phase = PH_TICK;
				aw_reasm_tick(ra, f.live ? f.now : 0);
				check_state(&f, ra);
			} else if (s[1] == 'f') {
				f.phase = PH_FLUSH;
				aw_reasm_flush(ra);
				CHECK(f.npend == 0);
				check_state(&f, ra);
			}
			/* ~c: read by configure(), first line only */
		} else if (aw_record_parse_line(s, len, &r, &err) == 0)
			add_record(&f, ra, &r);
		if (nl == end)
			break;
	}
	f.phase = PH_FLUSH;
	aw_reasm_flush(ra);
	CHECK(f.npend == 0);
	check_state(&f, ra);
	for (size_t i = 0; i < f.nrecs; i++)
		CHECK(f.recs[i].delivered);	/* nothing lost */
	aw_reasm_free(ra);
	free(f.recs);
	free(f.pend);
	return 0;
}
