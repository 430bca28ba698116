/*
 * test_lossalert.c — internal "events lost" alerts: one per kind at once,
 * then at most one per interval with the held losses added up, nothing
 * dropped by the rate limit (final reports what is held), counter resets
 * are baselines, serial gaps are Warnings on their own interval, the
 * configuration keys; and an alert through the real alert stage, printed
 * as Falco JSON and stored in a real SQLite file.
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

#include <jansson.h>
#include <sqlite3.h>

#include "alert.h"
#include "alerts.h"
#include "config.h"
#include "lossalert.h"

#define MAXA 32

struct sink {
	struct aw_alert *a[MAXA];
	int n;
};

static void
collect(void *arg, struct aw_alert *a)
{
	struct sink *s = arg;

	assert_true(s->n < MAXA);
	s->a[s->n++] = a;
}

static void
sink_clear(struct sink *s)
{
	for (int i = 0; i < s->n; i++)
		aw_alert_free(s->a[i]);
	s->n = 0;
}

static struct aw_lossalert_config
cfg_default(void)
{
	struct aw_lossalert_config lc = { 1, 60000, 600000 };

	return lc;
}

static void
set(struct aw_loss_counters *c, enum aw_loss_kind k, uint64_t v)
{
	c->v[k] = v;
	c->have |= 1u << k;
}

static json_int_t
ifield(const struct aw_alert *a, const char *name)
{
	json_t *v = json_object_get(a->output_fields, name);

	assert_non_null(v);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *
sfield(const struct aw_alert *a, const char *name)
{
	json_t *v = json_object_get(a->output_fields, name);

	assert_non_null(v);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void
test_first_loss_at_once(void **state)
{
	struct aw_lossalert_config lc = cfg_default();
	struct aw_loss_counters c = { 0 };
	struct sink s = { 0 };
	struct aw_lossalert *la = aw_lossalert_new(&lc, NULL, collect, &s);

	(void)state;
	set(&c, AW_LOSS_QUEUE, 0);
	set(&c, AW_LOSS_OVERRUN, 0);
	assert_int_equal(aw_lossalert_update(la, &c, 1000, 0), 0);
	set(&c, AW_LOSS_QUEUE, 17);
	assert_int_equal(aw_lossalert_update(la, &c, 6000, 0), 1);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.a[0]->rule, "auditwatch internal: events lost");
	assert_int_equal(s.a[0]->priority, AW_PRIO_CRITICAL);
	assert_string_equal(s.a[0]->source, "internal");
	assert_string_equal(sfield(s.a[0], "loss.kind"), "queue_full");
	assert_int_equal(ifield(s.a[0], "loss.count"), 17);
	assert_int_equal(ifield(s.a[0], "loss.total"), 17);
	assert_int_equal(ifield(s.a[0], "netlink.queue_drops"), 17);
	assert_int_equal(ifield(s.a[0], "netlink.socket_overruns"), 0);
	/* only the kinds the counters had */
	assert_null(json_object_get(s.a[0]->output_fields, "kernel.lost"));
	assert_int_equal(ifield(s.a[0], "loss.period_ms"), 5000);
	assert_non_null(strstr(s.a[0]->output, "17 audit records dropped"));
	assert_non_null(strstr(s.a[0]->output, "loss.kind=queue_full"));
	assert_true(s.a[0]->ntags == 2);
	assert_string_equal(s.a[0]->tags[0], "auditwatch");
	assert_true(s.a[0]->time_ns > 1600000000ull * 1000000000ull);
	sink_clear(&s);
	aw_lossalert_free(la);
}

static void
test_rate_limit_adds_up(void **state)
{
	struct aw_lossalert_config lc = cfg_default();
	struct aw_loss_counters c = { 0 };
	struct sink s = { 0 };
	struct aw_lossalert *la = aw_lossalert_new(&lc, NULL, collect, &s);

	(void)state;
	set(&c, AW_LOSS_EVICTED, 5);
	assert_int_equal(aw_lossalert_update(la, &c, 0, 0), 1);
	/* held: within the 60 s interval */
	set(&c, AW_LOSS_EVICTED, 8);
	assert_int_equal(aw_lossalert_update(la, &c, 10000, 0), 0);
	set(&c, AW_LOSS_EVICTED, 10);
	assert_int_equal(aw_lossalert_update(la, &c, 59999, 0), 0);
	/* due: everything held, in one alert */
	assert_int_equal(aw_lossalert_update(la, &c, 60000, 0), 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(ifield(s.a[1], "loss.count"), 5);
	assert_int_equal(ifield(s.a[1], "loss.total"), 10);
	assert_int_equal(ifield(s.a[1], "reasm.evicted"), 10);
	assert_int_equal(ifield(s.a[1], "loss.period_ms"), 60000);
	/* nothing new: nothing raised, however much time passes */
	assert_int_equal(aw_lossalert_update(la, &c, 500000, 0), 0);
	/* a new loss after a quiet interval: at once */
	set(&c, AW_LOSS_EVICTED, 11);
	assert_int_equal(aw_lossalert_update(la, &c, 500001, 0), 1);
	assert_int_equal(ifield(s.a[2], "loss.count"), 1);
	assert_int_equal(ifield(s.a[2], "loss.total"), 11);
	sink_clear(&s);
	aw_lossalert_free(la);
}

static void
test_final_reports_held(void **state)
{
	struct aw_lossalert_config lc = cfg_default();
	struct aw_loss_counters c = { 0 };
	struct sink s = { 0 };
	struct aw_lossalert *la = aw_lossalert_new(&lc, NULL, collect, &s);

	(void)state;
	set(&c, AW_LOSS_STORE, 1);
	assert_int_equal(aw_lossalert_update(la, &c, 0, 0), 1);
	set(&c, AW_LOSS_STORE, 4);
	assert_int_equal(aw_lossalert_update(la, &c, 1000, 0), 0);
	/* shutdown: held losses go out whatever the interval */
	assert_int_equal(aw_lossalert_update(la, &c, 2000, 1), 1);
	assert_string_equal(sfield(s.a[1], "loss.kind"), "alert_store");
	assert_int_equal(ifield(s.a[1], "loss.count"), 3);
	/* and final with nothing held raises nothing */
	assert_int_equal(aw_lossalert_update(la, &c, 3000, 1), 0);
	sink_clear(&s);
	aw_lossalert_free(la);
}

static void
test_kinds_independent(void **state)
{
	struct aw_lossalert_config lc = cfg_default();
	struct aw_loss_counters c = { 0 };
	struct sink s = { 0 };
	struct aw_lossalert *la = aw_lossalert_new(&lc, NULL, collect, &s);

	(void)state;
	set(&c, AW_LOSS_KERNEL, 3);
	assert_int_equal(aw_lossalert_update(la, &c, 0, 0), 1);
	/* the kernel kind is held; a first queue loss is not */
	set(&c, AW_LOSS_KERNEL, 4);
	set(&c, AW_LOSS_QUEUE, 2);
	assert_int_equal(aw_lossalert_update(la, &c, 1000, 0), 1);
	assert_string_equal(sfield(s.a[1], "loss.kind"), "queue_full");
	assert_int_equal(ifield(s.a[1], "kernel.lost"), 4);
	sink_clear(&s);
	aw_lossalert_free(la);
}

static void
test_kernel_baseline_and_reset(void **state)
{
	struct aw_lossalert_config lc = cfg_default();
	struct aw_loss_counters base = { 0 }, c = { 0 };
	struct sink s = { 0 };
	struct aw_lossalert *la;

	(void)state;
	/* the kernel had lost 100 before we started: not our loss */
	set(&base, AW_LOSS_KERNEL, 100);
	la = aw_lossalert_new(&lc, &base, collect, &s);
	set(&c, AW_LOSS_KERNEL, 100);
	c.have_backlog = 1;
	c.backlog = 64;
	c.backlog_limit = 64;
	assert_int_equal(aw_lossalert_update(la, &c, 0, 0), 0);
	set(&c, AW_LOSS_KERNEL, 103);
	assert_int_equal(aw_lossalert_update(la, &c, 1000, 0), 1);
	assert_int_equal(ifield(s.a[0], "loss.count"), 3);
	assert_int_equal(ifield(s.a[0], "loss.total"), 3);
	assert_int_equal(ifield(s.a[0], "kernel.lost"), 103);
	assert_int_equal(ifield(s.a[0], "kernel.backlog"), 64);
	assert_int_equal(ifield(s.a[0], "kernel.backlog_limit"), 64);
	assert_non_null(strstr(s.a[0]->output, "kernel backlog 64 of 64"));
	/* `status --reset-lost`: the counter goes down, a new baseline */
	set(&c, AW_LOSS_KERNEL, 0);
	assert_int_equal(aw_lossalert_update(la, &c, 100000, 0), 0);
	set(&c, AW_LOSS_KERNEL, 2);
	assert_int_equal(aw_lossalert_update(la, &c, 200000, 0), 1);
	assert_int_equal(ifield(s.a[1], "loss.count"), 2);
	assert_int_equal(ifield(s.a[1], "loss.total"), 5);
	sink_clear(&s);
	aw_lossalert_free(la);
}

static void
test_serial_gap_warning(void **state)
{
	struct aw_lossalert_config lc = cfg_default();
	struct aw_loss_counters c = { 0 };
	struct sink s = { 0 };
	struct aw_lossalert *la = aw_lossalert_new(&lc, NULL, collect, &s);

	(void)state;
	set(&c, AW_LOSS_SERIAL_GAP, 2);
	assert_int_equal(aw_lossalert_update(la, &c, 0, 0), 1);
	assert_int_equal(s.a[0]->priority, AW_PRIO_WARNING);
	assert_string_equal(sfield(s.a[0], "loss.kind"), "serial_gap");
	/* the ordinary interval is not enough for serial gaps */
	set(&c, AW_LOSS_SERIAL_GAP, 9);
	assert_int_equal(aw_lossalert_update(la, &c, 60000, 0), 0);
	assert_int_equal(aw_lossalert_update(la, &c, 599999, 0), 0);
	assert_int_equal(aw_lossalert_update(la, &c, 600000, 0), 1);
	assert_int_equal(ifield(s.a[1], "loss.count"), 7);
	sink_clear(&s);
	aw_lossalert_free(la);
}

static void
test_disabled_and_missing(void **state)
{
	struct aw_lossalert_config lc = cfg_default();
	struct aw_loss_counters c = { 0 };
	struct sink s = { 0 };
	struct aw_lossalert *la;

	(void)state;
	lc.enabled = 0;
	la = aw_lossalert_new(&lc, NULL, collect, &s);
	set(&c, AW_LOSS_QUEUE, 50);
	assert_int_equal(aw_lossalert_update(la, &c, 0, 1), 0);
	aw_lossalert_free(la);
	/* a kind without its `have` bit is not read */
	lc.enabled = 1;
	la = aw_lossalert_new(&lc, NULL, collect, &s);
	memset(&c, 0, sizeof(c));
	c.v[AW_LOSS_OVERRUN] = 99;
	assert_int_equal(aw_lossalert_update(la, &c, 0, 1), 0);
	assert_int_equal(s.n, 0);
	aw_lossalert_free(la);
	assert_int_equal(aw_lossalert_update(NULL, &c, 0, 1), 0);
}

static void
test_config(void **state)
{
	struct aw_lossalert_config lc;
	struct aw_config cfg;
	char err[256];

	(void)state;
	aw_config_init(&cfg);
	assert_int_equal(aw_lossalert_config_read(&cfg, &lc, err, sizeof(err)),
	    0);
	assert_int_equal(lc.enabled, 1);
	assert_int_equal(lc.interval_ms, 60000);
	assert_int_equal(lc.serial_gap_interval_ms, 600000);
	assert_int_equal(aw_config_override(&cfg, "loss_alerts.interval=5s",
	    err, sizeof(err)), 0);
	assert_int_equal(aw_config_override(&cfg, "loss_alerts.enabled=false",
	    err, sizeof(err)), 0);
	assert_int_equal(aw_lossalert_config_read(&cfg, &lc, err, sizeof(err)),
	    0);
	assert_int_equal(lc.interval_ms, 5000);
	assert_int_equal(lc.enabled, 0);
	assert_int_equal(aw_config_override(&cfg,
	    "loss_alerts.serial_gap_interval=10ms", err, sizeof(err)), 0);
	assert_int_equal(aw_lossalert_config_read(&cfg, &lc, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "at least"));
	assert_int_equal(aw_config_override(&cfg,
	    "loss_alerts.serial_gap_interval=often", err, sizeof(err)), 0);
	assert_int_equal(aw_lossalert_config_read(&cfg, &lc, err, sizeof(err)),
	    -1);
	aw_config_free(&cfg);
	for (int k = 0; k < AW_LOSS_NKINDS; k++)
		assert_string_not_equal(aw_loss_kind_name(
		    (enum aw_loss_kind)k), "?");
}

/* Through the real alert stage: Falco JSON on the stream, a row in a
 * real SQLite file. */
static void
submit(void *arg, struct aw_alert *a)
{
	aw_alerts_submit(arg, a);
}

static void
test_through_alert_stage(void **state)
{
	char dir[] = "/tmp/aw-test-loss.XXXXXX", kv[256], err[256], line[4096];
	struct aw_lossalert_config lc = cfg_default();
	struct aw_loss_counters c = { 0 };
	struct aw_config cfg;
	struct aw_alerts *al;
	struct aw_lossalert *la;
	json_t *j, *of;
	FILE *out;
	sqlite3 *db;
	sqlite3_stmt *st;
	int found = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	aw_config_init(&cfg);
	snprintf(kv, sizeof(kv), "sqlite.path=%s/a.db", dir);
	assert_int_equal(aw_config_override(&cfg, kv, err, sizeof(err)), 0);
	assert_int_equal(aw_config_override(&cfg, "json_output=true", err,
	    sizeof(err)), 0);
	assert_int_equal(aw_config_override(&cfg, "hostname=node-7", err,
	    sizeof(err)), 0);
	assert_non_null(out = tmpfile());
	al = aw_alerts_new_stream(&cfg, out, err, sizeof(err));
	assert_non_null(al);
	la = aw_lossalert_new(&lc, NULL, submit, al);
	set(&c, AW_LOSS_OVERRUN, 4);
	assert_int_equal(aw_lossalert_update(la, &c, 0, 0), 1);
	assert_int_equal(aw_alerts_flush(al, 10000), 0);
	aw_alerts_free(al);
	aw_lossalert_free(la);

	rewind(out);
	while (fgets(line, sizeof(line), out) != NULL) {
		assert_non_null(j = json_loads(line, 0, NULL));
		assert_string_equal(json_string_value(json_object_get(j,
		    "rule")), "auditwatch internal: events lost");
		assert_string_equal(json_string_value(json_object_get(j,
		    "priority")), "Critical");
		assert_string_equal(json_string_value(json_object_get(j,
		    "source")), "internal");
		assert_string_equal(json_string_value(json_object_get(j,
		    "hostname")), "node-7");
		of = json_object_get(j, "output_fields");
		assert_string_equal(json_string_value(json_object_get(of,
		    "loss.kind")), "socket_overrun");
		assert_int_equal(json_integer_value(json_object_get(of,
		    "loss.count")), 4);
		json_decref(j);
		found++;
	}
	fclose(out);
	assert_int_equal(found, 1);

	snprintf(kv, sizeof(kv), "%s/a.db", dir);
	assert_int_equal(sqlite3_open_v2(kv, &db, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT priority, source, "
	    "json_extract(output_fields, '$.\"loss.count\"'), "
	    "json_extract(output_fields, '$.\"loss.kind\"') FROM alerts "
	    "WHERE rule = 'auditwatch internal: events lost'", -1, &st, NULL),
	    SQLITE_OK);
	found = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_string_equal((const char *)sqlite3_column_text(st, 0),
		    "Critical");
		assert_string_equal((const char *)sqlite3_column_text(st, 1),
		    "internal");
		assert_int_equal(sqlite3_column_int64(st, 2), 4);
		assert_string_equal((const char *)sqlite3_column_text(st, 3),
		    "socket_overrun");
		found++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	assert_int_equal(found, 1);
	aw_config_free(&cfg);
	snprintf(line, sizeof(line), "rm -rf '%s'", dir);
	assert_int_equal(system(line), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_loss_at_once),
		cmocka_unit_test(test_rate_limit_adds_up),
		cmocka_unit_test(test_final_reports_held),
		cmocka_unit_test(test_kinds_independent),
		cmocka_unit_test(test_kernel_baseline_and_reset),
		cmocka_unit_test(test_serial_gap_warning),
		cmocka_unit_test(test_disabled_and_missing),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_through_alert_stage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
