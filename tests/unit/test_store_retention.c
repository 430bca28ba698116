/*
 * test_store_retention.c — retention on a real database file: by age (with
 * the outbox rows of deleted alerts, and undelivered ones counted), by
 * row count (oldest first), and by size (the max_page_count cap trims the
 * oldest instead of failing writes).
 */
#include "autoconf.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "alert.h"
#include "store/db.h"
#include "store/store.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/aw-test-ret.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/alerts.db", dir);
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

static int
reset(void **state)
{
	char p[160];

	(void)state;
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	return 0;
}

static struct aw_alert *
mk(uint64_t time_ns, size_t out_len)
{
	struct aw_alert *a = aw_alert_new();

	a->time_ns = time_ns;
	a->rule = strdup("r");
	a->priority = AW_PRIO_WARNING;
	a->output = malloc(out_len + 1);
	memset(a->output, 'x', out_len);
	a->output[out_len] = '\0';
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
	if ((s = aw_store_open(c, err, sizeof(err))) == NULL)
		fail_msg("aw_store_open: %s", err);
	return s;
}

/* Retention first runs one second after start, then every interval. */
static void
wait_retention(struct aw_store *s, uint64_t deleted)
{
	struct aw_store_stats st;

	for (int i = 0; i < 400; i++) {
		aw_store_stats(s, &st);
		if (st.retention_deleted >= deleted)
			return;
		usleep(10000);
	}
	fail_msg("retention deleted %llu, expected %llu",
	    (unsigned long long)st.retention_deleted,
	    (unsigned long long)deleted);
}

static void
test_by_age(void **state)
{
	struct aw_store_config c;
	struct aw_store_stats st;
	struct aw_store *s;
	uint64_t now = aw_db_now_ns(), hour = 3600ull * 1000000000ull;

	(void)state;
	aw_store_config_defaults(&c);
	c.retention_max_age_ms = 3600 * 1000;
	c.retention_chunk = 7;	/* several chunks */
	c.ndests = 1;
	strcpy(c.dests[0].name, "webhook");
	c.dests[0].min_priority = AW_PRIO_DEBUG;
	s = open_store(&c);
	for (int i = 0; i < 30; i++)
		aw_store_submit(s, mk(now - 2 * hour + (uint64_t)i, 10), 0);
	for (int i = 0; i < 20; i++)
		aw_store_submit(s, mk(now - hour / 2, 10), 0);
	assert_int_equal(aw_store_flush(s, 5000), 0);
	wait_retention(s, 30);
	aw_store_stats(s, &st);
	aw_store_close(s, 1000);
	assert_int_equal(st.retention_deleted, 30);
	assert_int_equal(st.expired_undelivered, 30);
	assert_int_equal(q_int("SELECT count(*) FROM alerts"), 20);
	assert_int_equal(q_int("SELECT min(id) FROM alerts"), 31);
	assert_int_equal(q_int("SELECT count(*) FROM outbox"), 20);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE alert_id "
	    "NOT IN (SELECT id FROM alerts)"), 0);
}

static void
test_by_rows(void **state)
{
	struct aw_store_config c;
	struct aw_store *s;
	uint64_t now = aw_db_now_ns();

	(void)state;
	aw_store_config_defaults(&c);
	c.retention_max_rows = 100;
	c.retention_chunk = 40;
	s = open_store(&c);
	for (int i = 0; i < 250; i++)
		aw_store_submit(s, mk(now + (uint64_t)i, 10), 0);
	assert_int_equal(aw_store_flush(s, 5000), 0);
	wait_retention(s, 150);
	aw_store_close(s, 1000);
	assert_int_equal(q_int("SELECT count(*) FROM alerts"), 100);
	assert_int_equal(q_int("SELECT min(id) FROM alerts"), 151);
	/* Ids are never reused after deletes (AUTOINCREMENT). */
	s = open_store(&c);
	aw_store_submit(s, mk(now, 10), 0);
	assert_int_equal(aw_store_flush(s, 5000), 0);
	aw_store_close(s, 1000);
	assert_int_equal(q_int("SELECT max(id) FROM alerts"), 251);
}

static void
test_by_size(void **state)
{
	struct aw_store_config c;
	struct aw_store_stats st;
	struct aw_store *s;
	uint64_t now = aw_db_now_ns();
	int64_t pages, cap = 512 * 1024;

	(void)state;
	aw_store_config_defaults(&c);
	c.retention_max_size = cap;
	c.retention_chunk = 50;
	c.batch_max_rows = 50;
	s = open_store(&c);
	/* ~3 MB of alerts through a 512 KiB database. */
	for (int i = 0; i < 1500; i++) {
		aw_store_submit(s, mk(now + (uint64_t)i, 2000), 0);
		if (i % 100 == 99)
			assert_int_equal(aw_store_flush(s, 5000), 0);
	}
	assert_int_equal(aw_store_flush(s, 5000), 0);
	aw_store_stats(s, &st);
	aw_store_close(s, 1000);
	/* Nothing failed or was lost: the cap trimmed the oldest rows. */
	assert_int_equal(st.stored, 1500);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.write_errors, 0);
	assert_true(st.retention_deleted > 500);
	pages = q_int("PRAGMA page_count");
	assert_true(pages * 4096 <= cap + 4096);
	/* The newest alert is there, the oldest are gone. */
	assert_int_equal(q_int("SELECT max(id) FROM alerts"), 1500);
	assert_true(q_int("SELECT min(id) FROM alerts") > 500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_by_age, reset),
		cmocka_unit_test_setup(test_by_rows, reset),
		cmocka_unit_test_setup(test_by_size, reset),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
