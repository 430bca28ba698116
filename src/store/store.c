/*
 * store.c — the alert store's writer thread, queue and retention (store.h).
 *
 * Threads and locks: producers (the pipeline, the store itself for
 * internal alerts) append to a FIFO under s->lock; the writer thread is
 * the only consumer and the only SQLite writer. It copies up to
 * batch_max_rows item pointers under the lock, writes them with the lock
 * released, and pops them only after COMMIT succeeded, so a failed
 * transaction leaves the queue as it was. Batches form by themselves:
 * while a commit runs, alerts pile up and go into the next transaction,
 * so the batch size follows the load with no timer (batch_max_delay_ms
 * can add a linger to trade latency for fewer commits).
 *
 * Per-alert work that must not change between retries (noise-control
 * decisions, serialised JSON, sanitised strings) is done once, the first
 * time an item is written, and kept in the item.
 *
 * A SQLITE_FULL caused by our own size cap (PRAGMA max_page_count) is not
 * a failure: it triggers size retention and an immediate retry. Any other
 * FULL/IOERR/BUSY is a failure episode: roll back, raise an internal
 * alert, retry with exponential backoff (100 ms doubling to retry_max_ms),
 * keep accepting alerts up to the queue bound and count what is dropped.
 */
#include "autoconf.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_json.h"
#include "log.h"
#include "notify/noise.h"
#include "output/text.h"
#include "store/db.h"

#define NOT_ELIGIBLE (-2)
#define SUPPRESSED (-1)
#define RESULTS_MAX_BACKLOG 20000

struct qitem {
	struct qitem *next;
	struct aw_alert *a;
	uint64_t seq;
	uint64_t t_submit_us;
	size_t bytes;
	int prepared, rejected;
	char *line, *fields_json, *tags_json;
	char time_text[40], fp_hex[17];
	int64_t repeats[AW_MAX_DESTS];
};

struct stmts {
	sqlite3_stmt *ins_alert, *ins_outbox, *upd_outbox, *upsert_dest;
};

enum ret_phase { RET_IDLE, RET_AGE, RET_ROWS, RET_SIZE };

struct aw_store {
	struct aw_store_config cfg;
	char *path, *hostname;
	sqlite3 *db;
	struct stmts st;
	struct aw_noise *noise;

	pthread_mutex_t lock;
	pthread_cond_t wake;		/* writer: work arrived / stop */
	pthread_cond_t drained;		/* flushers: items popped */
	pthread_t writer;
	int writer_waiting, stopping, started;
	uint64_t stop_deadline_ms;

	struct qitem *q_head, *q_tail;
	uint64_t q_count, q_bytes, next_seq;
	struct aw_delivery_result *results, *results_tail;
	size_t nresults;

	/* failure episode */
	int failing;
	unsigned consecutive_failures;
	uint64_t retry_at_ms, retry_delay_ms, episode_start_ms, episode_lost;
	uint64_t lost_at_commit;	/* stats.lost at the last good commit */

	/* retention, writer thread only */
	enum ret_phase phase;
	uint64_t next_retention_ms;
	int64_t row_count;
	int64_t page_size, max_pages;
	int size_trimming;

	/* checkpointer */
	pthread_t ckpt;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_wake;
	int ckpt_requested, ckpt_stop, ckpt_started;

	void (*commit_fn)(void *);
	void *commit_arg;
	void (*internal_fn)(void *, const struct aw_alert *);
	void *internal_arg;

	struct aw_store_stats stats;
	struct aw_ratelimit rl_err;
};

/* ------------------------------------------------------------ helpers */

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
deadline_ts(struct timespec *ts, uint64_t at_ms)
{
	/* Condition variables use CLOCK_MONOTONIC (see cond_init). */
	ts->tv_sec = (time_t)(at_ms / 1000);
	ts->tv_nsec = (long)(at_ms % 1000) * 1000000L;
}

static int
cond_init(pthread_cond_t *c)
{
	pthread_condattr_t at;
	int rc;

	pthread_condattr_init(&at);
	pthread_condattr_setclock(&at, CLOCK_MONOTONIC);
	rc = pthread_cond_init(c, &at);
	pthread_condattr_destroy(&at);
	return rc;
}

void
aw_latency_add(struct aw_latency *l, uint64_t us)
{
	unsigned i;

	/* 4 buckets per power of two: bucket upper bounds 1, 2, 3, 4, 5, 6,
	 * 7, 8, 10, 12, 14, 16, 20 ... µs (≤ 19 % error). */
	if (us < 8)
		i = (unsigned)us;
	else {
		unsigned lg = 63u - (unsigned)__builtin_clzll(us);
		i = 8 + (lg - 3) * 4 + (unsigned)((us >> (lg - 2)) & 3);
	}
	if (i >= AW_LAT_BUCKETS)
		i = AW_LAT_BUCKETS - 1;
	l->b[i]++;
	l->count++;
	l->sum_us += us;
	if (us > l->max_us)
		l->max_us = us;
}

static uint64_t
bucket_upper(unsigned i)
{
	unsigned lg, sub;

	if (i < 8)
		return i;
	lg = (i - 8) / 4 + 3;
	sub = (i - 8) % 4;
	return ((uint64_t)(4 + sub + 1) << (lg - 2)) - 1;
}

uint64_t
aw_latency_quantile(const struct aw_latency *l, double q)
{
	uint64_t want, seen = 0;

	if (l->count == 0)
		return 0;
	want = (uint64_t)(q * (double)l->count);
	if (want >= l->count)
		want = l->count - 1;
	for (unsigned i = 0; i < AW_LAT_BUCKETS; i++) {
		seen += l->b[i];
		if (seen > want) {
			uint64_t u = bucket_upper(i);
			if (i == AW_LAT_BUCKETS - 1)	/* overflow bucket */
				return l->max_us;
			return u < l->max_us ? u : l->max_us;
		}
	}
	return l->max_us;
}

void
aw_store_config_defaults(struct aw_store_config *c)
{
	memset(c, 0, sizeof(*c));
	c->path = "/var/lib/auditwatch/alerts.db";
	c->busy_timeout_ms = 5000;
	c->batch_max_rows = 1000;
	c->batch_max_delay_ms = 0;
	c->queue_max_alerts = 100000;
	c->queue_max_bytes = 64 << 20;
	c->retention_max_age_ms = 7LL * 86400 * 1000;
	c->retention_max_rows = 0;
	c->retention_max_size = 512LL << 20;
	c->retention_interval_ms = 60000;
	c->retention_chunk = 5000;
	c->retry_max_ms = 5000;
	c->noise_window_ms = 60000;
	c->noise_max_fingerprints = 10000;
}

static size_t
slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* What an alert costs in memory, roughly: its strings, its fields, and
 * the serialised copies made when it is written. */
static size_t
alert_bytes(const struct aw_alert *a)
{
	size_t n = sizeof(struct qitem) + sizeof(*a) + 256;

	n += 2 * (slen(a->rule) + slen(a->output) + slen(a->hostname));
	n += slen(a->container_id) + slen(a->container_name) +
	    slen(a->k8s_pod_name) + slen(a->k8s_ns_name) + slen(a->proc_name) +
	    2 * slen(a->proc_cmdline) + slen(a->user_name) + 2 * slen(a->fd_name);
	for (int i = 0; i < a->ntags; i++)
		n += 2 * slen(a->tags[i]) + 16;
	if (a->output_fields)
		n += 2 * 96 * json_object_size(a->output_fields);
	n += 2 * (a->fields_json_len + slen(a->tags_json));
	return n;
}

static void
qitem_free(struct qitem *q)
{
	aw_alert_free(q->a);
	free(q->line);
	free(q->fields_json);
	free(q->tags_json);
	free(q);
}

void
aw_delivery_result_free(struct aw_delivery_result *r)
{
	struct aw_delivery_result *n;

	for (; r != NULL; r = n) {
		n = r->next;
		free(r->error);
		free(r->ids);
		free(r);
	}
}

static void
set_last_error(struct aw_store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_last_error(struct aw_store *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->lock);
	va_start(ap, fmt);
	vsnprintf(s->stats.last_error, sizeof(s->stats.last_error), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------- internal alerts */

static struct aw_alert *
internal_alert(struct aw_store *s, const char *rule, enum aw_priority p,
    json_t *fields, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static struct aw_alert *
internal_alert(struct aw_store *s, const char *rule, enum aw_priority p,
    json_t *fields, const char *fmt, ...)
{
	struct aw_alert *a = aw_alert_new();
	char buf[512];
	va_list ap;

	if (a == NULL) {
		json_decref(fields);
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	a->time_ns = aw_db_now_ns();
	a->rule = strdup(rule);
	a->priority = p;
	a->source = strdup("internal");
	a->hostname = strdup(s->hostname ? s->hostname : "");
	a->output = strdup(buf);
	a->output_fields = fields;
	if ((a->tags = calloc(1, sizeof(char *))) != NULL &&
	    (a->tags[0] = strdup("auditwatch")) != NULL)
		a->ntags = 1;
	return a;
}

/* Show it now (outputs), store it when the store can. */
static void
raise_internal(struct aw_store *s, struct aw_alert *a)
{
	if (a == NULL)
		return;
	if (s->internal_fn)
		s->internal_fn(s->internal_arg, a);
	aw_store_submit(s, a, 1);
}

/* ----------------------------------------------------------- statements */

static const char sql_ins_alert[] =
	"INSERT INTO alerts(time_ns, time, hostname, rule, priority,"
	" priority_num, source, container_id, container_name, k8s_pod_name,"
	" k8s_ns_name, proc_name, proc_cmdline, user_name, fd_name, tags,"
	" output, output_fields, audit_serial, fingerprint, stored_ns)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	" ?15, ?16, ?17, ?18, ?19, ?20, ?21)";
static const char sql_ins_outbox[] =
	"INSERT INTO outbox(alert_id, destination, repeats) VALUES (?1, ?2, ?3)";
static const char sql_upd_outbox[] =
	"UPDATE outbox SET state = ?3, attempts = ?4, next_attempt_ns = ?5,"
	" last_error = ?6, updated_ns = ?7"
	" WHERE alert_id = ?1 AND destination = ?2";
static const char sql_upsert_dest[] =
	"INSERT INTO destinations(name, sent, dead, last_sent_id, last_ok_ns,"
	" last_error, last_error_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	" ON CONFLICT(name) DO UPDATE SET sent = sent + excluded.sent,"
	" dead = dead + excluded.dead,"
	" last_sent_id = coalesce(excluded.last_sent_id, last_sent_id),"
	" last_ok_ns = coalesce(excluded.last_ok_ns, last_ok_ns),"
	" last_error = coalesce(excluded.last_error, last_error),"
	" last_error_ns = coalesce(excluded.last_error_ns, last_error_ns)";

static void
stmts_finalize(struct stmts *st)
{
	sqlite3_finalize(st->ins_alert);
	sqlite3_finalize(st->ins_outbox);
	sqlite3_finalize(st->upd_outbox);
	sqlite3_finalize(st->upsert_dest);
	memset(st, 0, sizeof(*st));
}

static int
stmts_prepare(sqlite3 *db, struct stmts *st)
{
	unsigned f = SQLITE_PREPARE_PERSISTENT;

	if (sqlite3_prepare_v3(db, sql_ins_alert, -1, f, &st->ins_alert,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, sql_ins_outbox, -1, f, &st->ins_outbox,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, sql_upd_outbox, -1, f, &st->upd_outbox,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, sql_upsert_dest, -1, f, &st->upsert_dest,
	    NULL) != SQLITE_OK) {
		stmts_finalize(st);
		return -1;
	}
	return 0;
}

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int npages)
{
	struct aw_store *s = arg;

	(void)db;
	(void)name;
	if (npages >= 1000) {
		pthread_mutex_lock(&s->ckpt_lock);
		s->ckpt_requested = 1;
		pthread_cond_signal(&s->ckpt_wake);
		pthread_mutex_unlock(&s->ckpt_lock);
	}
	return SQLITE_OK;
}

static int64_t
pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
connect_writer(struct aw_store *s, char *err, size_t errsz)
{
	char sql[96];

	if (aw_db_open(s->path, AW_DB_WRITER, s->cfg.busy_timeout_ms, &s->db,
	    err, errsz) != 0)
		return -1;
	if (stmts_prepare(s->db, &s->st) != 0) {
		snprintf(err, errsz, "%s: %s", s->path, sqlite3_errmsg(s->db));
		sqlite3_close(s->db);
		s->db = NULL;
		return -1;
	}
	s->page_size = pragma_int(s->db, "PRAGMA page_size");
	if (s->page_size <= 0)
		s->page_size = 4096;
	if (s->cfg.retention_max_size > 0) {
		s->max_pages = s->cfg.retention_max_size / s->page_size;
		if (s->max_pages < 64)
			s->max_pages = 64;
		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
		    (long long)s->max_pages);
		aw_db_exec(s->db, sql);
	}
	sqlite3_wal_hook(s->db, wal_hook, s);
	return 0;
}

static void
disconnect_writer(struct aw_store *s)
{
	stmts_finalize(&s->st);
	if (s->db) {
		aw_db_exec(s->db, "PRAGMA optimize");
		sqlite3_close(s->db);
	}
	s->db = NULL;
}

/* ------------------------------------------------------------- writing */

static int
transient(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_BUSY:
	case SQLITE_LOCKED: case SQLITE_NOMEM: case SQLITE_CANTOPEN:
	case SQLITE_READONLY: case SQLITE_PROTOCOL: case SQLITE_CORRUPT:
	case SQLITE_NOTADB: case SQLITE_INTERRUPT: case SQLITE_ABORT:
	case SQLITE_ERROR: case SQLITE_MISUSE:
		return 1;
	default:
		return 0;
	}
}

/* p is one of a's strings (which may share one block: alert.h). */
static void
fix_utf8(struct aw_alert *a, char **p)
{
	char *f;

	if (*p == NULL || aw_utf8_valid(*p, strlen(*p)))
		return;
	if ((f = aw_utf8_sanitize(*p, strlen(*p))) != NULL)
		aw_alert_set_str(a, p, f);
}

/* Once per item: sanitise, serialise, decide notifications. */
static int
prepare_item(struct aw_store *s, struct qitem *q)
{
	struct aw_alert *a = q->a;
	struct aw_buf b;
	uint64_t fp;
	int64_t decision = 0;

	fix_utf8(a, &a->rule);
	fix_utf8(a, &a->hostname);
	fix_utf8(a, &a->source);
	fix_utf8(a, &a->output);
	fix_utf8(a, &a->container_id);
	fix_utf8(a, &a->container_name);
	fix_utf8(a, &a->k8s_pod_name);
	fix_utf8(a, &a->k8s_ns_name);
	fix_utf8(a, &a->proc_name);
	fix_utf8(a, &a->proc_cmdline);
	fix_utf8(a, &a->user_name);
	fix_utf8(a, &a->fd_name);
	for (int i = 0; i < a->ntags; i++)
		fix_utf8(a, &a->tags[i]);
	aw_format_time_ns(a->time_ns, q->time_text, sizeof(q->time_text));
	q->line = aw_alert_output_line(a);
	/* The same bytes the Falco JSON carries (alert_json.h), so that a
	 * stored row rebuilds the alert's JSON exactly. */
	aw_buf_init(&b);
	if (aw_alert_write_tags(&b, a) != 0 ||
	    (q->tags_json = aw_buf_take(&b)) == NULL ||
	    aw_alert_write_fields(&b, a) != 0 ||
	    (q->fields_json = aw_buf_take(&b)) == NULL || q->line == NULL) {
		aw_buf_free(&b);
		return -1;
	}
	fp = aw_alert_fingerprint(a);
	snprintf(q->fp_hex, sizeof(q->fp_hex), "%016llx",
	    (unsigned long long)fp);
	if (s->noise != NULL)
		decision = aw_noise_check(s->noise, fp, q->t_submit_us / 1000);
	for (int d = 0; d < s->cfg.ndests; d++) {
		const struct aw_store_dest *dst = &s->cfg.dests[d];

		if (a->priority > dst->min_priority)
			q->repeats[d] = NOT_ELIGIBLE;
		else if (dst->noise_control)
			q->repeats[d] = decision;
		else
			q->repeats[d] = 0;
	}
	q->prepared = 1;
	return 0;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static int
step_reset(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
insert_item(struct aw_store *s, struct qitem *q, uint64_t now_ns,
    int *outbox_added, uint64_t *suppressed)
{
	sqlite3_stmt *st = s->st.ins_alert;
	struct aw_alert *a = q->a;
	int64_t id;
	int rc;

	bind_text(st, 1, NULL);
	sqlite3_bind_int64(st, 1, (int64_t)a->time_ns);
	bind_text(st, 2, q->time_text);
	bind_text(st, 3, a->hostname ? a->hostname : "");
	bind_text(st, 4, a->rule ? a->rule : "");
	bind_text(st, 5, aw_priority_name(a->priority));
	sqlite3_bind_int(st, 6, (int)a->priority);
	bind_text(st, 7, a->source ? a->source : "syscall");
	bind_text(st, 8, a->container_id);
	bind_text(st, 9, a->container_name);
	bind_text(st, 10, a->k8s_pod_name);
	bind_text(st, 11, a->k8s_ns_name);
	bind_text(st, 12, a->proc_name);
	bind_text(st, 13, a->proc_cmdline);
	bind_text(st, 14, a->user_name);
	bind_text(st, 15, a->fd_name);
	bind_text(st, 16, q->tags_json);
	bind_text(st, 17, q->line);
	bind_text(st, 18, q->fields_json);
	if (a->audit_serial)
		sqlite3_bind_int64(st, 19, a->audit_serial);
	else
		sqlite3_bind_null(st, 19);
	bind_text(st, 20, q->fp_hex);
	sqlite3_bind_int64(st, 21, (int64_t)now_ns);
	if ((rc = step_reset(st)) != SQLITE_OK)
		return rc;
	id = sqlite3_last_insert_rowid(s->db);
	for (int d = 0; d < s->cfg.ndests; d++) {
		if (q->repeats[d] == NOT_ELIGIBLE)
			continue;
		if (q->repeats[d] == SUPPRESSED) {
			(*suppressed)++;
			continue;
		}
		st = s->st.ins_outbox;
		sqlite3_bind_int64(st, 1, id);
		bind_text(st, 2, s->cfg.dests[d].name);
		sqlite3_bind_int64(st, 3, q->repeats[d]);
		if ((rc = step_reset(st)) != SQLITE_OK)
			return rc;
		(*outbox_added)++;
	}
	return SQLITE_OK;
}

static int
apply_result(struct aw_store *s, const struct aw_delivery_result *r)
{
	sqlite3_stmt *st = s->st.upd_outbox;
	const char *states[] = { "pending", "sent", "dead" };
	uint64_t applied = 0;
	int rc;

	for (size_t i = 0; i < r->nids; i++) {
		sqlite3_bind_int64(st, 1, r->ids[i]);
		bind_text(st, 2, r->dest);
		bind_text(st, 3, states[r->state]);
		sqlite3_bind_int(st, 4, r->attempts);
		sqlite3_bind_int64(st, 5, (int64_t)r->next_attempt_ns);
		bind_text(st, 6, r->error);
		sqlite3_bind_int64(st, 7, (int64_t)r->updated_ns);
		if ((rc = step_reset(st)) != SQLITE_OK)
			return rc;
		applied += (uint64_t)sqlite3_changes(s->db);
	}
	st = s->st.upsert_dest;
	bind_text(st, 1, r->dest);
	sqlite3_bind_int64(st, 2, r->state == AW_DELIV_SENT ?
	    (int64_t)applied : 0);
	sqlite3_bind_int64(st, 3, r->state == AW_DELIV_DEAD ?
	    (int64_t)applied : 0);
	if (r->state == AW_DELIV_SENT && r->nids > 0) {
		sqlite3_bind_int64(st, 4, r->ids[r->nids - 1]);
		sqlite3_bind_int64(st, 5, (int64_t)r->updated_ns);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	if (r->error != NULL && r->state != AW_DELIV_SENT) {
		bind_text(st, 6, r->error);
		sqlite3_bind_int64(st, 7, (int64_t)r->updated_ns);
	} else {
		sqlite3_bind_null(st, 6);
		sqlite3_bind_null(st, 7);
	}
	return step_reset(st);
}

struct batch_out {
	uint64_t stored, rejected, suppressed, results;
	int outbox_added;
};

/* One transaction: alerts, their outbox rows, delivery outcomes. */
static int
write_batch(struct aw_store *s, struct qitem **items, size_t n,
    const struct aw_delivery_result *res, struct batch_out *out)
{
	uint64_t now_ns = aw_db_now_ns();
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = aw_db_exec(s->db, "BEGIN IMMEDIATE")) != SQLITE_OK) {
		set_last_error(s, "%s (%s)", sqlite3_errmsg(s->db),
		    sqlite3_errstr(rc));
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		struct qitem *q = items[i];

		if (q->rejected)
			continue;
		if (!q->prepared && prepare_item(s, q) != 0) {
			q->rejected = 1;	/* out of memory for this one */
			continue;
		}
		rc = insert_item(s, q, now_ns, &out->outbox_added,
		    &out->suppressed);
		if (rc == SQLITE_OK) {
			out->stored++;
		} else if (!transient(rc)) {
			/* This row can never be written: skip it rather
			 * than block every alert behind it. */
			q->rejected = 1;
			if (aw_ratelimit_ok(&s->rl_err, 5, 60000))
				aw_err("alert store: alert '%s' rejected: %s",
				    q->a->rule ? q->a->rule : "",
				    sqlite3_errstr(rc));
		} else
			goto rollback;
	}
	for (; res != NULL; res = res->next) {
		if ((rc = apply_result(s, res)) != SQLITE_OK)
			goto rollback;
		out->results += res->nids;
	}
	if ((rc = aw_db_exec(s->db, "COMMIT")) != SQLITE_OK)
		goto rollback;
	for (size_t i = 0; i < n; i++)
		out->rejected += (uint64_t)items[i]->rejected;
	return SQLITE_OK;
rollback:
	set_last_error(s, "%s (%s)", sqlite3_errmsg(s->db),
	    sqlite3_errstr(rc));
	if (!sqlite3_get_autocommit(s->db))
		aw_db_exec(s->db, "ROLLBACK");
	return rc;
}

/* ----------------------------------------------------------- retention */

/* Delete one chunk of victims (a subquery of alert ids) in a
 * transaction. Returns rows deleted or -1. */
static int64_t
delete_chunk(struct aw_store *s, const char *victims, int64_t arg1,
    int64_t limit)
{
	char sql[512];
	sqlite3_stmt *st = NULL;
	int64_t deleted = -1, expired = 0;
	const char *tmpl[] = {
		"DELETE FROM outbox WHERE state = 'pending' AND alert_id IN (%s)",
		"DELETE FROM outbox WHERE alert_id IN (%s)",
		"DELETE FROM alerts WHERE id IN (%s)",
	};

	if (aw_db_exec(s->db, "BEGIN IMMEDIATE") != SQLITE_OK)
		return -1;
	for (int i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql), tmpl[i], victims);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, arg1);
		sqlite3_bind_int64(st, 2, limit);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
		if (i == 0)
			expired = sqlite3_changes(s->db);
		if (i == 2)
			deleted = sqlite3_changes(s->db);
	}
	if (aw_db_exec(s->db, "COMMIT") != SQLITE_OK)
		goto fail;
	s->row_count -= deleted;
	pthread_mutex_lock(&s->lock);
	s->stats.retention_deleted += (uint64_t)deleted;
	s->stats.expired_undelivered += (uint64_t)expired;
	pthread_mutex_unlock(&s->lock);
	return deleted;
fail:
	sqlite3_finalize(st);
	if (!sqlite3_get_autocommit(s->db))
		aw_db_exec(s->db, "ROLLBACK");
	return -1;
}

static int64_t
used_bytes(struct aw_store *s)
{
	int64_t pages = pragma_int(s->db, "PRAGMA page_count");
	int64_t fl = pragma_int(s->db, "PRAGMA freelist_count");

	if (pages < 0 || fl < 0)
		return -1;
	return (pages - fl) * s->page_size;
}

/* One step of retention; returns 1 while there is more to do. */
static int
retention_step(struct aw_store *s)
{
	int64_t chunk = s->cfg.retention_chunk > 0 ? s->cfg.retention_chunk :
	    5000, n, used;

	switch (s->phase) {
	case RET_IDLE:
		return 0;
	case RET_AGE:
		if (s->cfg.retention_max_age_ms > 0) {
			int64_t cutoff = (int64_t)aw_db_now_ns() -
			    s->cfg.retention_max_age_ms * 1000000;
			n = delete_chunk(s, "SELECT id FROM alerts WHERE "
			    "time_ns < ?1 ORDER BY time_ns LIMIT ?2", cutoff,
			    chunk);
			if (n == chunk)
				return 1;
		}
		s->phase = RET_ROWS;
		return 1;
	case RET_ROWS:
		if (s->cfg.retention_max_rows > 0 &&
		    s->row_count > s->cfg.retention_max_rows) {
			int64_t excess = s->row_count - s->cfg.retention_max_rows;
			n = delete_chunk(s, "SELECT id FROM alerts WHERE "
			    "?1 = ?1 ORDER BY id LIMIT ?2", 0,
			    excess < chunk ? excess : chunk);
			if (n > 0)
				return 1;
		}
		s->phase = RET_SIZE;
		return 1;
	case RET_SIZE:
		if (s->cfg.retention_max_size > 0 &&
		    (used = used_bytes(s)) >= 0) {
			int64_t cap = s->max_pages * s->page_size;
			/* Trim from 95 % of the cap down to 85 %, so that
			 * the cap itself is rarely hit. */
			if (used > cap * 95 / 100)
				s->size_trimming = 1;
			if (s->size_trimming && used > cap * 85 / 100) {
				n = delete_chunk(s, "SELECT id FROM alerts "
				    "WHERE ?1 = ?1 ORDER BY id LIMIT ?2", 0,
				    chunk);
				if (n > 0)
					return 1;
			}
			s->size_trimming = 0;
		}
		s->phase = RET_IDLE;
		return 0;
	}
	return 0;
}

/* --------------------------------------------------------- checkpoints */

static void *
ckpt_main(void *arg)
{
	struct aw_store *s = arg;
	sqlite3 *db = NULL;
	int stop, logn, done;

	pthread_setname_np(pthread_self(), "aw-checkpoint");
	if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		aw_warn("alert store: checkpointer: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		db = NULL;
	} else
		sqlite3_busy_timeout(db, 1000);
	pthread_mutex_lock(&s->ckpt_lock);
	for (;;) {
		while (!s->ckpt_requested && !s->ckpt_stop)
			pthread_cond_wait(&s->ckpt_wake, &s->ckpt_lock);
		stop = s->ckpt_stop;
		s->ckpt_requested = 0;
		pthread_mutex_unlock(&s->ckpt_lock);
		/* A connection that has never read does not know the file is
		 * in WAL mode, and SQLite before 3.41 then makes the checkpoint
		 * a no-op that returns SQLITE_OK: the WAL grew without bound
		 * (tests/stress/flood_alerts.sh). One read opens the WAL. */
		if (db != NULL)
			sqlite3_exec(db, "SELECT 1 FROM sqlite_master LIMIT 1",
			    NULL, NULL, NULL);
		if (db != NULL && sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &logn, &done) == SQLITE_OK) {
			pthread_mutex_lock(&s->lock);
			s->stats.checkpoints++;
			pthread_mutex_unlock(&s->lock);
		}
		pthread_mutex_lock(&s->ckpt_lock);
		if (stop)
			break;
	}
	pthread_mutex_unlock(&s->ckpt_lock);
	sqlite3_close(db);
	return NULL;
}

/* ----------------------------------------------------------- the writer */

static void
episode_begin(struct aw_store *s, int rc)
{
	json_t *f = json_object();
	char err[160];

	pthread_mutex_lock(&s->lock);
	snprintf(err, sizeof(err), "%s", s->stats.last_error);
	json_object_set_new(f, "store.path", json_string(s->path));
	json_object_set_new(f, "store.error", json_string(err));
	json_object_set_new(f, "store.queued", json_integer((json_int_t)
	    s->q_count));
	json_object_set_new(f, "store.queue_max", json_integer((json_int_t)
	    s->cfg.queue_max_alerts));
	pthread_mutex_unlock(&s->lock);
	aw_err("alert store: writes failing (%s); keeping alerts in memory "
	    "and retrying", err);
	raise_internal(s, internal_alert(s, "auditwatch internal: alert "
	    "store failure", AW_PRIO_ERROR, f, "Alert store writes are "
	    "failing (%s: %s); alerts are kept in memory (up to %lld) and "
	    "retried", sqlite3_errstr(rc), err,
	    (long long)s->cfg.queue_max_alerts));
}

static void
episode_end(struct aw_store *s, uint64_t lost, uint64_t secs)
{
	json_t *f = json_object();

	json_object_set_new(f, "store.path", json_string(s->path));
	json_object_set_new(f, "store.lost", json_integer((json_int_t)lost));
	json_object_set_new(f, "store.failure_seconds",
	    json_integer((json_int_t)secs));
	aw_info("alert store: writes resumed after %llus; %llu alerts lost",
	    (unsigned long long)secs, (unsigned long long)lost);
	raise_internal(s, internal_alert(s, "auditwatch internal: alert "
	    "store recovered", lost ? AW_PRIO_ERROR : AW_PRIO_NOTICE, f,
	    "Alert store writes resumed after %llu s; %llu alerts were lost "
	    "(memory bound exceeded)", (unsigned long long)secs,
	    (unsigned long long)lost));
}

/* Is this SQLITE_FULL our own max_page_count rather than the disk? It
 * is when the rolled-back batch (batch_bytes, with its index entries)
 * would not have fit under the cap. Deleting history because the disk
 * is full for other reasons would be wrong, so anything else is not. */
static int
at_size_cap(struct aw_store *s, int rc, uint64_t batch_bytes)
{
	int64_t pages, fl, need;

	if ((rc & 0xff) != SQLITE_FULL || s->max_pages <= 0)
		return 0;
	pages = pragma_int(s->db, "PRAGMA page_count");
	fl = pragma_int(s->db, "PRAGMA freelist_count");
	if (pages < 0 || fl < 0)
		return 0;
	need = (int64_t)(batch_bytes * 2) / s->page_size + 16;
	return pages - fl + need >= s->max_pages;
}

static void
reconnect(struct aw_store *s)
{
	char err[256];

	disconnect_writer(s);
	if (connect_writer(s, err, sizeof(err)) != 0)
		set_last_error(s, "%s", err);
}

/* After a failed batch (lock not held). */
static void
batch_failed(struct aw_store *s, int rc, struct aw_delivery_result *res,
    uint64_t batch_bytes)
{
	uint64_t now = aw_now_ms();
	int begin = 0;

	if (at_size_cap(s, rc, batch_bytes) && delete_chunk(s, "SELECT id FROM alerts "
	    "WHERE ?1 = ?1 ORDER BY id LIMIT ?2", 0, s->cfg.retention_chunk) >
	    0) {
		/* Our own cap: trim the oldest and retry at once. If nothing
		 * can be deleted, the cap is too small: a real failure. */
		s->size_trimming = 1;
		s->phase = RET_SIZE;
		pthread_mutex_lock(&s->lock);
		goto requeue;
	}
	pthread_mutex_lock(&s->lock);
	s->stats.write_errors++;
	s->consecutive_failures++;
	if (!s->failing) {
		s->failing = 1;
		s->stats.failing = 1;
		s->episode_start_ms = now;
		/* Losses since the last good commit belong to this episode:
		 * they happened while the failing write was being tried. */
		s->episode_lost = s->lost_at_commit;
		s->retry_delay_ms = 100;
		begin = 1;
	} else if (s->retry_delay_ms < (uint64_t)s->cfg.retry_max_ms)
		s->retry_delay_ms *= 2;
	if (s->retry_delay_ms > (uint64_t)s->cfg.retry_max_ms)
		s->retry_delay_ms = (uint64_t)s->cfg.retry_max_ms;
	s->retry_at_ms = now + s->retry_delay_ms;
requeue:
	/* Outcomes go back in front of any that arrived meanwhile. */
	if (res != NULL) {
		struct aw_delivery_result *t = res;
		size_t k = 1;

		while (t->next) {
			t = t->next;
			k++;
		}
		t->next = s->results;
		if (s->results == NULL)
			s->results_tail = t;
		s->results = res;
		s->nresults += k;
	}
	pthread_mutex_unlock(&s->lock);
	if (begin)
		episode_begin(s, rc);
	/* A connection that failed to open is retried at every attempt; a
	 * working one is replaced now and then (the file may have moved). */
	if (s->db == NULL || s->consecutive_failures % 8 == 0)
		reconnect(s);
}

static void
batch_done(struct aw_store *s, size_t n, const struct batch_out *o,
    struct aw_delivery_result *res)
{
	struct qitem *done = NULL, *q;
	uint64_t now_us = mono_us(), lost = 0, secs = 0;
	int ended = 0;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < n; i++) {
		q = s->q_head;
		s->q_head = q->next;
		if (s->q_head == NULL)
			s->q_tail = NULL;
		s->q_count--;
		s->q_bytes -= q->bytes;
		if (!q->rejected)
			aw_latency_add(&s->stats.commit_latency,
			    now_us - q->t_submit_us);
		q->next = done;
		done = q;
	}
	s->stats.stored += o->stored;
	s->stats.rejected += o->rejected;
	s->stats.suppressed += o->suppressed;
	s->stats.outbox_rows += (uint64_t)o->outbox_added;
	s->stats.results_applied += o->results;
	if (n > 0 || o->results)
		s->stats.batches++;
	s->stats.queued = s->q_count;
	s->stats.queued_bytes = s->q_bytes;
	s->consecutive_failures = 0;
	s->lost_at_commit = s->stats.lost;
	if (s->failing) {
		s->failing = 0;
		s->stats.failing = 0;
		ended = 1;
		lost = s->stats.lost - s->episode_lost;
		secs = (aw_now_ms() - s->episode_start_ms) / 1000;
	}
	/* Wake the notifier before the flushers, so that a flush followed
	 * by "wait until delivered" cannot miss these rows. */
	if (o->outbox_added && s->commit_fn)
		s->commit_fn(s->commit_arg);
	pthread_cond_broadcast(&s->drained);
	pthread_mutex_unlock(&s->lock);
	s->row_count += (int64_t)o->stored;
	while (done) {
		q = done->next;
		qitem_free(done);
		done = q;
	}
	aw_delivery_result_free(res);
	if (ended)
		episode_end(s, lost, secs);
}

static void *
writer_main(void *arg)
{
	struct aw_store *s = arg;
	size_t max = (size_t)s->cfg.batch_max_rows, n;
	struct qitem **batch = calloc(max, sizeof(*batch));
	struct aw_delivery_result *res;
	struct batch_out out;
	struct timespec ts;
	uint64_t now, wake_at;
	int rc, work, retention_now;

	pthread_setname_np(pthread_self(), "aw-store");
	if (batch == NULL) {
		aw_err("alert store: out of memory");
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	for (;;) {
		now = aw_now_ms();
		if (s->stopping && s->q_count == 0 && s->results == NULL)
			break;
		if (s->stopping && s->failing && now >= s->stop_deadline_ms)
			break;
		work = s->q_count > 0 || s->results != NULL;
		if (s->failing && now < s->retry_at_ms)
			work = 0;
		retention_now = !s->failing && !s->stopping &&
		    (s->phase != RET_IDLE || now >= s->next_retention_ms);
		if (work && !s->failing && !s->stopping &&
		    s->cfg.batch_max_delay_ms > 0 && s->q_count > 0 &&
		    s->q_count < max && s->results == NULL) {
			wake_at = s->q_head->t_submit_us / 1000 +
			    (uint64_t)s->cfg.batch_max_delay_ms;
			if (now < wake_at)
				work = 0;
		} else
			wake_at = UINT64_MAX;
		if (!work && !retention_now) {
			if (s->failing && s->retry_at_ms < wake_at)
				wake_at = s->retry_at_ms;
			if (!s->failing && s->next_retention_ms < wake_at)
				wake_at = s->next_retention_ms;
			if (s->stopping && s->stop_deadline_ms < wake_at)
				wake_at = s->stop_deadline_ms;
			s->writer_waiting = 1;
			if (wake_at == UINT64_MAX)
				pthread_cond_wait(&s->wake, &s->lock);
			else {
				deadline_ts(&ts, wake_at);
				pthread_cond_timedwait(&s->wake, &s->lock, &ts);
			}
			s->writer_waiting = 0;
			continue;
		}
		n = 0;
		res = NULL;
		if (work) {
			for (struct qitem *q = s->q_head; q && n < max;
			    q = q->next)
				batch[n++] = q;
			res = s->results;
			s->results = s->results_tail = NULL;
			s->nresults = 0;
		}
		pthread_mutex_unlock(&s->lock);

		if (work) {
			rc = s->db ? write_batch(s, batch, n, res, &out) :
			    SQLITE_CANTOPEN;
			if (rc == SQLITE_OK)
				batch_done(s, n, &out, res);
			else {
				uint64_t bytes = 0;

				for (size_t i = 0; i < n; i++)
					bytes += batch[i]->bytes;
				batch_failed(s, rc, res, bytes);
			}
		}
		if (retention_now && s->db != NULL) {
			if (s->phase == RET_IDLE) {
				s->phase = RET_AGE;
				s->next_retention_ms = aw_now_ms() +
				    (uint64_t)s->cfg.retention_interval_ms;
			}
			retention_step(s);
		}
		pthread_mutex_lock(&s->lock);
	}
	/* Whatever is left could not be written before the deadline. */
	s->stats.lost += s->q_count;
	if (s->q_count)
		aw_err("alert store: %llu alerts could not be written before "
		    "shutdown", (unsigned long long)s->q_count);
	pthread_mutex_unlock(&s->lock);
	free(batch);
	return NULL;
}

/* ----------------------------------------------------------- public API */

struct aw_store *
aw_store_open(const struct aw_store_config *cfg, char *err, size_t errsz)
{
	struct aw_store *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	if (s->cfg.batch_max_rows < 1)
		s->cfg.batch_max_rows = 1;
	if (s->cfg.queue_max_alerts < 1)
		s->cfg.queue_max_alerts = 1;
	if (s->cfg.retry_max_ms < 100)
		s->cfg.retry_max_ms = 100;
	if (s->cfg.retention_interval_ms < 1000)
		s->cfg.retention_interval_ms = 1000;
	if (s->cfg.retention_chunk < 1)
		s->cfg.retention_chunk = 5000;
	s->path = strdup(cfg->path);
	s->hostname = strdup(cfg->hostname ? cfg->hostname : "");
	if (s->path == NULL || s->hostname == NULL)
		goto oom;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->ckpt_lock, NULL);
	cond_init(&s->wake);
	cond_init(&s->drained);
	cond_init(&s->ckpt_wake);
	for (int d = 0; d < s->cfg.ndests; d++)
		if (s->cfg.dests[d].noise_control && s->noise == NULL &&
		    (s->noise = aw_noise_new((uint64_t)s->cfg.noise_window_ms,
		    (size_t)s->cfg.noise_max_fingerprints)) == NULL)
			goto oom;
	if (connect_writer(s, err, errsz) != 0)
		goto fail;
	s->row_count = pragma_int(s->db, "SELECT count(*) FROM alerts");
	/* First retention pass soon after start, not at once: startup is
	 * busy enough, and an old backlog is trimmed in chunks anyway. */
	s->next_retention_ms = aw_now_ms() + 1000;
	if (pthread_create(&s->ckpt, NULL, ckpt_main, s) != 0)
		goto fail_threads;
	s->ckpt_started = 1;
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0)
		goto fail_threads;
	s->started = 1;
	return s;
oom:
	snprintf(err, errsz, "out of memory");
	goto fail;
fail_threads:
	snprintf(err, errsz, "cannot start the alert store threads");
fail:
	if (s->ckpt_started) {
		pthread_mutex_lock(&s->ckpt_lock);
		s->ckpt_stop = 1;
		pthread_cond_signal(&s->ckpt_wake);
		pthread_mutex_unlock(&s->ckpt_lock);
		pthread_join(s->ckpt, NULL);
	}
	disconnect_writer(s);
	aw_noise_free(s->noise);
	free(s->path);
	free(s->hostname);
	free(s);
	return NULL;
}

int
aw_store_submit(struct aw_store *s, struct aw_alert *a, int force)
{
	struct qitem *q;
	size_t bytes;

	if (a == NULL)
		return -1;
	bytes = alert_bytes(a);
	pthread_mutex_lock(&s->lock);
	s->stats.submitted++;
	if (!force && (s->q_count >= (uint64_t)s->cfg.queue_max_alerts ||
	    s->q_bytes + bytes > (uint64_t)s->cfg.queue_max_bytes)) {
		s->stats.lost++;
		pthread_mutex_unlock(&s->lock);
		aw_alert_free(a);
		return -1;
	}
	pthread_mutex_unlock(&s->lock);
	/* Allocate outside the lock. Producers racing between the check and
	 * the append can overshoot the bound by at most one item each. */
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		pthread_mutex_lock(&s->lock);
		s->stats.lost++;
		pthread_mutex_unlock(&s->lock);
		aw_alert_free(a);
		return -1;
	}
	q->a = a;
	q->bytes = bytes;
	q->t_submit_us = mono_us();
	pthread_mutex_lock(&s->lock);
	q->seq = ++s->next_seq;
	if (s->q_tail)
		s->q_tail->next = q;
	else
		s->q_head = q;
	s->q_tail = q;
	s->q_count++;
	s->q_bytes += bytes;
	s->stats.queued = s->q_count;
	s->stats.queued_bytes = s->q_bytes;
	if (s->q_count > s->stats.queue_peak)
		s->stats.queue_peak = s->q_count;
	if (s->writer_waiting && (s->cfg.batch_max_delay_ms == 0 ||
	    s->q_count == 1 || s->q_count >= (uint64_t)s->cfg.batch_max_rows))
		pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int
aw_store_flush(struct aw_store *s, int64_t timeout_ms)
{
	uint64_t target, deadline = aw_now_ms() + (uint64_t)timeout_ms;
	struct timespec ts;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	target = s->next_seq;
	deadline_ts(&ts, deadline);
	while (s->q_head != NULL && s->q_head->seq <= target) {
		if (pthread_cond_timedwait(&s->drained, &s->lock, &ts) ==
		    ETIMEDOUT) {
			rc = -1;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void
aw_store_report(struct aw_store *s, struct aw_delivery_result *r)
{
	struct aw_delivery_result *t;
	size_t k = 0;

	if (r == NULL)
		return;
	for (t = r; t->next; t = t->next)
		k++;
	pthread_mutex_lock(&s->lock);
	if (s->results_tail)
		s->results_tail->next = r;
	else
		s->results = r;
	s->results_tail = t;
	s->nresults += k + 1;
	if (s->writer_waiting)
		pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

size_t
aw_store_results_backlog(struct aw_store *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->nresults;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void
aw_store_on_commit(struct aw_store *s, void (*fn)(void *), void *arg)
{
	s->commit_fn = fn;
	s->commit_arg = arg;
}

void
aw_store_on_internal(struct aw_store *s,
    void (*fn)(void *, const struct aw_alert *), void *arg)
{
	s->internal_fn = fn;
	s->internal_arg = arg;
}

void
aw_store_stats(struct aw_store *s, struct aw_store_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	out->queued = s->q_count;
	out->queued_bytes = s->q_bytes;
	pthread_mutex_unlock(&s->lock);
}

const char *
aw_store_path(const struct aw_store *s)
{
	return s->path;
}

void
aw_store_close(struct aw_store *s, int64_t timeout_ms)
{
	struct qitem *q;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	s->stop_deadline_ms = aw_now_ms() + (uint64_t)(timeout_ms > 0 ?
	    timeout_ms : 0);
	if (s->failing && s->retry_at_ms > s->stop_deadline_ms)
		s->retry_at_ms = aw_now_ms();
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	if (s->started)
		pthread_join(s->writer, NULL);
	pthread_mutex_lock(&s->ckpt_lock);
	s->ckpt_stop = 1;
	pthread_cond_signal(&s->ckpt_wake);
	pthread_mutex_unlock(&s->ckpt_lock);
	if (s->ckpt_started)
		pthread_join(s->ckpt, NULL);
	disconnect_writer(s);
	while ((q = s->q_head) != NULL) {
		s->q_head = q->next;
		qitem_free(q);
	}
	aw_delivery_result_free(s->results);
	aw_noise_free(s->noise);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->ckpt_lock);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->drained);
	pthread_cond_destroy(&s->ckpt_wake);
	free(s->path);
	free(s->hostname);
	free(s);
}
