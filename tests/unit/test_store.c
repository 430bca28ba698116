/*
 * test_store.c — the SQLite store with real database files: creation
 * (mode 0600, WAL, migrations, identity), rows and outbox rows, noise
 * control, delivery outcomes, the stored form rebuilding Falco's JSON
 * byte for byte, and failure handling (a locked database: alerts kept in
 * memory, the loss counter exact at the bound, recovery).
 */
#include "autoconf.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "alert.h"
#include "notify/notice.h"
#include "store/db.h"
#include "store/store.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/aw-test-store.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/alerts.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct aw_alert *
mk(const char *rule, enum aw_priority p, const char *container,
    const char *file)
{
	struct aw_alert *a = aw_alert_new();

	a->time_ns = aw_db_now_ns();
	a->rule = strdup(rule);
	a->priority = p;
	a->source = strdup("syscall");
	a->hostname = strdup("node-1");
	a->output = strdup("something happened");
	a->output_fields = json_pack("{s:s, s:i, s:n}", "proc.name", "cat",
	    "user.uid", 0, "proc.tty");
	a->container_id = container ? strdup(container) : NULL;
	a->proc_name = strdup("cat");
	a->fd_name = file ? strdup(file) : NULL;
	a->tags = calloc(2, sizeof(char *));
	a->tags[0] = strdup("b");
	a->tags[1] = strdup("a");
	a->ntags = 2;
	return a;
}

static int64_t
q_int(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static struct aw_store *
open_store(struct aw_store_config *c)
{
	char err[256];
	struct aw_store *s;

	c->path = path;
	s = aw_store_open(c, err, sizeof(err));
	if (s == NULL)
		fail_msg("aw_store_open: %s", err);
	return s;
}

static void
test_create(void **state)
{
	struct aw_store_config c;
	struct aw_store *s;
	struct stat sb;
	sqlite3 *db;
	char id1[32], id2[32], err[256];

	(void)state;
	aw_store_config_defaults(&c);
	s = open_store(&c);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	aw_store_close(s, 1000);
	/* The -wal file, when present, has the main file's mode. */
	assert_int_equal(q_int("PRAGMA user_version"), aw_db_schema_latest());
	assert_int_equal(aw_db_open(path, AW_DB_WRITER, 1000, &db, err,
	    sizeof(err)), 0);
	assert_int_equal(aw_db_id(db, id1, sizeof(id1)), 0);
	assert_int_equal(strlen(id1), 24);
	sqlite3_close(db);
	/* Reopening migrates nothing and keeps the identity. */
	assert_int_equal(aw_db_open(path, AW_DB_WRITER, 1000, &db, err,
	    sizeof(err)), 0);
	assert_int_equal(aw_db_id(db, id2, sizeof(id2)), 0);
	assert_string_equal(id1, id2);
	/* A database from a newer auditwatch is refused, not damaged. */
	assert_int_equal(aw_db_exec(db, "PRAGMA user_version = 99"), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(aw_db_open(path, AW_DB_WRITER, 1000, &db, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "newer"));
	assert_int_equal(q_int("PRAGMA user_version"), 99);
	/* A reader on a file that is not ours says so. */
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(aw_db_exec(db, "CREATE TABLE x(y)"), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(aw_db_open(path, AW_DB_READER, 1000, &db, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not an auditwatch"));
	unlink(path);
}

static void
test_rows_and_outbox(void **state)
{
	struct aw_store_config c;
	struct aw_store_stats st;
	struct aw_store *s;

	(void)state;
	unlink(path);
	aw_store_config_defaults(&c);
	c.ndests = 2;
	strcpy(c.dests[0].name, "webhook");
	c.dests[0].min_priority = AW_PRIO_DEBUG;
	strcpy(c.dests[1].name, "slack");
	c.dests[1].min_priority = AW_PRIO_WARNING;
	s = open_store(&c);
	for (int i = 0; i < 10; i++) {
		char file[32];

		snprintf(file, sizeof(file), "/f%d", i);
		assert_int_equal(aw_store_submit(s, mk("r", i % 2 ?
		    AW_PRIO_DEBUG : AW_PRIO_ERROR, "abc", file), 0), 0);
	}
	assert_int_equal(aw_store_flush(s, 5000), 0);
	aw_store_stats(s, &st);
	assert_int_equal(st.stored, 10);
	assert_int_equal(st.outbox_rows, 15);
	assert_int_equal(st.queued, 0);
	assert_true(st.commit_latency.count == 10);
	assert_int_equal(q_int("SELECT count(*) FROM alerts"), 10);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE "
	    "destination = 'webhook' AND state = 'pending'"), 10);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE "
	    "destination = 'slack'"), 5);
	assert_int_equal(q_int("SELECT count(*) FROM outbox o JOIN alerts a "
	    "ON a.id = o.alert_id WHERE o.destination = 'slack' AND "
	    "a.priority_num > 4"), 0);
	/* Typed columns and JSON that sqlite3 users can query. */
	assert_int_equal(q_int("SELECT count(*) FROM alerts WHERE priority = "
	    "'Error' AND priority_num = 3 AND container_id = 'abc'"), 5);
	assert_int_equal(q_int("SELECT count(*) FROM alerts WHERE "
	    "json_extract(output_fields, '$.\"proc.name\"') = 'cat' AND "
	    "json_type(output_fields, '$.\"proc.tty\"') = 'null' AND "
	    "tags = '[\"a\",\"b\"]'"), 10);
	assert_int_equal(q_int("SELECT count(*) FROM alerts WHERE output LIKE "
	    "'__:__:__._________: Error something happened'"), 5);
	assert_int_equal(q_int("SELECT count(*) FROM last_24h_by_rule"), 2);

	/* Outcomes from the notifier are recorded by the writer. */
	{
		struct aw_delivery_result *r = calloc(1, sizeof(*r));
		struct aw_delivery_result *r2 = calloc(1, sizeof(*r2));

		strcpy(r->dest, "webhook");
		r->state = AW_DELIV_SENT;
		r->attempts = 1;
		r->updated_ns = aw_db_now_ns();
		r->nids = 3;
		r->ids = calloc(3, sizeof(int64_t));
		r->ids[0] = 1; r->ids[1] = 2; r->ids[2] = 3;
		strcpy(r2->dest, "webhook");
		r2->state = AW_DELIV_DEAD;
		r2->attempts = 1;
		r2->error = strdup("HTTP 400: invalid_payload");
		r2->updated_ns = aw_db_now_ns();
		r2->nids = 1;
		r2->ids = calloc(1, sizeof(int64_t));
		r2->ids[0] = 4;
		r->next = r2;
		aw_store_report(s, r);
	}
	for (int i = 0; i < 100 && q_int("SELECT count(*) FROM outbox WHERE "
	    "state != 'pending'") < 4; i++)
		usleep(20000);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE destination "
	    "= 'webhook' AND state = 'sent'"), 3);
	assert_int_equal(q_int("SELECT count(*) FROM dead_letters WHERE "
	    "last_error = 'HTTP 400: invalid_payload' AND alert_id = 4"), 1);
	assert_int_equal(q_int("SELECT sent FROM destinations WHERE name = "
	    "'webhook'"), 3);
	assert_int_equal(q_int("SELECT dead FROM destinations WHERE name = "
	    "'webhook'"), 1);
	assert_int_equal(q_int("SELECT last_sent_id FROM destinations"), 3);
	aw_store_close(s, 1000);
}

/* What the notifier reads back must rebuild the very same Falco JSON. */
static void
test_stored_json_roundtrip(void **state)
{
	struct aw_store_config c;
	struct aw_store *s;
	struct aw_alert *a = mk("Write below etc", AW_PRIO_ERROR, "host",
	    "/etc/x\n\xff");
	char *want, *got, err[256];
	struct aw_notice n;
	sqlite3 *db;
	sqlite3_stmt *st;

	(void)state;
	unlink(path);
	json_object_set_new(a->output_fields, "evt.time",
	    json_integer((json_int_t)a->time_ns));
	json_object_set_new(a->output_fields, "fd.name",
	    json_stringn_nocheck("/etc/x\n\xff", 8));
	want = aw_alert_to_falco_json(a, 1, 1);
	aw_store_config_defaults(&c);
	s = open_store(&c);
	aw_store_submit(s, a, 0);
	assert_int_equal(aw_store_flush(s, 5000), 0);
	aw_store_close(s, 1000);
	assert_int_equal(aw_db_open(path, AW_DB_READER, 1000, &db, err,
	    sizeof(err)), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT time, hostname, rule,"
	    " priority_num, source, tags, output, output_fields FROM alerts",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	memset(&n, 0, sizeof(n));
	n.time = strdup((const char *)sqlite3_column_text(st, 0));
	n.hostname = strdup((const char *)sqlite3_column_text(st, 1));
	n.rule = strdup((const char *)sqlite3_column_text(st, 2));
	n.priority = (enum aw_priority)sqlite3_column_int(st, 3);
	n.source = strdup((const char *)sqlite3_column_text(st, 4));
	n.tags = strdup((const char *)sqlite3_column_text(st, 5));
	n.output = strdup((const char *)sqlite3_column_text(st, 6));
	n.output_fields = strdup((const char *)sqlite3_column_text(st, 7));
	sqlite3_finalize(st);
	sqlite3_close(db);
	got = aw_notice_falco_json(&n, 1, 1);
	assert_string_equal(got, want);
	aw_notice_clear(&n);
	free(want);
	free(got);
}

static void
test_noise_control(void **state)
{
	struct aw_store_config c;
	struct aw_store_stats st;
	struct aw_store *s;

	(void)state;
	unlink(path);
	aw_store_config_defaults(&c);
	c.noise_window_ms = 300;
	c.ndests = 2;
	strcpy(c.dests[0].name, "slack");
	c.dests[0].min_priority = AW_PRIO_DEBUG;
	c.dests[0].noise_control = 1;
	strcpy(c.dests[1].name, "webhook");
	c.dests[1].min_priority = AW_PRIO_DEBUG;
	s = open_store(&c);
	for (int i = 0; i < 5; i++)
		aw_store_submit(s, mk("shell", AW_PRIO_WARNING, "c1", "/x"), 0);
	/* A different file is a different fingerprint. */
	aw_store_submit(s, mk("shell", AW_PRIO_WARNING, "c1", "/y"), 0);
	assert_int_equal(aw_store_flush(s, 5000), 0);
	usleep(400000);
	aw_store_submit(s, mk("shell", AW_PRIO_WARNING, "c1", "/x"), 0);
	assert_int_equal(aw_store_flush(s, 5000), 0);
	aw_store_stats(s, &st);
	aw_store_close(s, 1000);
	/* Every alert is stored; the repeats are not notified to slack. */
	assert_int_equal(q_int("SELECT count(*) FROM alerts"), 7);
	assert_int_equal(st.suppressed, 4);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE destination "
	    "= 'slack'"), 3);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE destination "
	    "= 'webhook'"), 7);
	/* The first alert after the window carries the count. */
	assert_int_equal(q_int("SELECT repeats FROM outbox WHERE destination "
	    "= 'slack' AND alert_id = 7"), 4);
	assert_int_equal(q_int("SELECT sum(repeats) FROM outbox"), 4);
}

static void
on_internal(void *arg, const struct aw_alert *a)
{
	int *n = arg;

	if (strstr(a->rule, "alert store failure") && a->priority ==
	    AW_PRIO_ERROR && strcmp(a->source, "internal") == 0)
		n[0]++;
	if (strstr(a->rule, "alert store recovered"))
		n[1]++;
}

/* Another process holds the write lock: writes fail (SQLITE_BUSY), the
 * alerts wait in memory up to the bound, what exceeds it is counted. */
static void
test_failure_bound_and_recovery(void **state)
{
	struct aw_store_config c;
	struct aw_store_stats st;
	struct aw_store *s;
	sqlite3 *locker;
	int seen[2] = { 0, 0 };

	(void)state;
	unlink(path);
	aw_store_config_defaults(&c);
	c.busy_timeout_ms = 20;
	c.queue_max_alerts = 50;
	c.retry_max_ms = 100;
	s = open_store(&c);
	aw_store_on_internal(s, on_internal, seen);
	assert_int_equal(sqlite3_open(path, &locker), SQLITE_OK);
	assert_int_equal(aw_db_exec(locker, "BEGIN EXCLUSIVE"), SQLITE_OK);
	for (int i = 0; i < 80; i++)
		aw_store_submit(s, mk("r", AW_PRIO_NOTICE, NULL, NULL), 0);
	assert_int_equal(aw_store_flush(s, 300), -1);
	aw_store_stats(s, &st);
	assert_true(st.failing);
	assert_true(st.write_errors >= 1);
	assert_int_equal(st.lost, 30);
	/* 50 alerts + the forced internal alert about the failure. */
	assert_int_equal(st.queued, 51);
	assert_int_equal(seen[0], 1);
	assert_true(strlen(st.last_error) > 0);
	assert_int_equal(aw_db_exec(locker, "COMMIT"), SQLITE_OK);
	sqlite3_close(locker);
	assert_int_equal(aw_store_flush(s, 5000), 0);
	aw_store_stats(s, &st);
	assert_false(st.failing);
	for (int i = 0; i < 100 && seen[1] == 0; i++)
		usleep(10000);
	assert_int_equal(seen[1], 1);
	aw_store_close(s, 1000);
	assert_int_equal(q_int("SELECT count(*) FROM alerts WHERE source = "
	    "'syscall'"), 50);
	assert_int_equal(q_int("SELECT count(*) FROM alerts WHERE rule = "
	    "'auditwatch internal: alert store failure'"), 1);
	/* The recovery alert reports the exact loss. */
	assert_int_equal(q_int("SELECT json_extract(output_fields, "
	    "'$.\"store.lost\"') FROM alerts WHERE rule = "
	    "'auditwatch internal: alert store recovered'"), 30);
}

static void
test_latency_histogram(void **state)
{
	struct aw_latency l;

	(void)state;
	memset(&l, 0, sizeof(l));
	for (int i = 1; i <= 1000; i++)
		aw_latency_add(&l, (uint64_t)i * 10);
	/* Quantiles are bucket upper bounds: within ~20 % above. */
	assert_true(aw_latency_quantile(&l, 0.5) >= 5000);
	assert_true(aw_latency_quantile(&l, 0.5) <= 6000);
	assert_true(aw_latency_quantile(&l, 0.99) >= 9900);
	assert_true(aw_latency_quantile(&l, 0.99) <= 10000);
	assert_int_equal(l.max_us, 10000);
	aw_latency_add(&l, UINT64_C(1) << 62);
	assert_int_equal(aw_latency_quantile(&l, 1.0), UINT64_C(1) << 62);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_rows_and_outbox),
		cmocka_unit_test(test_stored_json_roundtrip),
		cmocka_unit_test(test_noise_control),
		cmocka_unit_test(test_failure_bound_and_recovery),
		cmocka_unit_test(test_latency_histogram),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
