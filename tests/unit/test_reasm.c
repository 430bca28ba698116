/*
 * test_reasm.c — the reassembler's grouping and closing rules.
 *
 * Each test feeds audit.log lines and records which events come out, with
 * which records, in which order and why they were closed.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "reasm.h"
#include "record.h"

#define MAXOUT 64

struct out {
	int n;
	uint32_t serial[MAXOUT];
	int nrec[MAXOUT];
	int first_type[MAXOUT];
	enum aw_close_reason why[MAXOUT];
};

static void
collect(const struct aw_rawevent *ev, void *arg)
{
	struct out *o = arg;

	if (o->n >= MAXOUT)
		return;
	o->serial[o->n] = ev->serial;
	o->nrec[o->n] = ev->nrec;
	o->first_type[o->n] = ev->nrec ? ev->recs[0].type : 0;
	o->why[o->n] = ev->closed_by;
	o->n++;
}

static void
feed(struct aw_reasm *ra, const char *line, uint64_t now)
{
	struct aw_record r;
	const char *err;

	assert_int_equal(aw_record_parse_line(line, strlen(line), &r, &err), 0);
	aw_reasm_add(ra, &r, now);
}

static struct aw_reasm *
mk(struct out *o, size_t max_events, int shape)
{
	struct aw_reasm_config c;

	memset(o, 0, sizeof(*o));
	aw_reasm_config_default(&c);
	c.max_events = max_events;
	c.shape_close = shape;
	return aw_reasm_new(&c, collect, o);
}

static void
test_eoe_closes_interleaved(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 1);

	(void)state;
	feed(ra, "type=SYSCALL msg=audit(10.000:1): items=0 pid=1", 1);
	feed(ra, "type=SYSCALL msg=audit(10.000:2): items=0 pid=2", 1);
	feed(ra, "type=CWD msg=audit(10.000:1): cwd=\"/\"", 1);
	/* N+1 arriving must not close N. */
	assert_int_equal(o.n, 0);
	feed(ra, "type=EOE msg=audit(10.000:2): ", 1);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.serial[0], 2);
	assert_int_equal(o.nrec[0], 1);
	assert_int_equal(o.why[0], AW_CLOSE_EOE);
	feed(ra, "type=EOE msg=audit(10.000:1): ", 1);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.serial[1], 1);
	assert_int_equal(o.nrec[1], 2);
	assert_int_equal(aw_reasm_stats(ra)->inflight, 0);
	aw_reasm_free(ra);
}

static void
test_out_of_order_records(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 1);

	(void)state;
	/* PROCTITLE before the PATH records: shape must wait for them. */
	feed(ra, "type=SYSCALL msg=audit(10.000:5): items=2 pid=1", 0);
	feed(ra, "type=PROCTITLE msg=audit(10.000:5): proctitle=6C73", 0);
	assert_int_equal(o.n, 0);
	feed(ra, "type=PATH msg=audit(10.000:5): item=0 name=\"/a\"", 0);
	assert_int_equal(o.n, 0);
	feed(ra, "type=PATH msg=audit(10.000:5): item=1 name=\"/b\"", 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.nrec[0], 4);
	assert_int_equal(o.why[0], AW_CLOSE_SHAPE);
	aw_reasm_free(ra);
}

static void
test_shape_off_once_eoe_seen(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 1);

	(void)state;
	feed(ra, "type=SYSCALL msg=audit(10.000:1): items=0", 0);
	feed(ra, "type=EOE msg=audit(10.000:1): ", 0);
	assert_int_equal(o.n, 1);
	/* The stream carries EOE: a complete-looking event waits for it. */
	feed(ra, "type=SYSCALL msg=audit(10.000:2): items=0", 0);
	feed(ra, "type=PROCTITLE msg=audit(10.000:2): proctitle=6C73", 0);
	assert_int_equal(o.n, 1);
	feed(ra, "type=EOE msg=audit(10.000:2): ", 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.nrec[1], 2);
	assert_int_equal(o.why[1], AW_CLOSE_EOE);
	aw_reasm_free(ra);
}

static void
test_single_record_types(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 1);

	(void)state;
	feed(ra, "type=USER_LOGIN msg=audit(10.000:9): pid=1 msg='op=login "
	    "res=success'", 0);
	feed(ra, "type=DAEMON_START msg=audit(10.000:10): op=start", 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.why[0], AW_CLOSE_SINGLE);
	assert_int_equal(o.first_type[1], 1200);
	/* LOGIN comes inside a syscall event: not single. */
	feed(ra, "type=LOGIN msg=audit(10.000:11): pid=1 auid=0", 0);
	assert_int_equal(o.n, 2);
	feed(ra, "type=SYSCALL msg=audit(10.000:11): items=0", 0);
	feed(ra, "type=EOE msg=audit(10.000:11): ", 0);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.nrec[2], 2);
	assert_int_equal(o.first_type[2], 1006);
	aw_reasm_free(ra);
}

static void
test_timeout_event_time(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 0);

	(void)state;
	/* No EOE, shape off: event time drives the timeout (2 s). */
	feed(ra, "type=SYSCALL msg=audit(10.000:1): items=0", 0);
	feed(ra, "type=SYSCALL msg=audit(11.000:2): items=0", 0);
	assert_int_equal(o.n, 0);
	feed(ra, "type=SYSCALL msg=audit(12.000:3): items=0", 0);
	assert_int_equal(o.n, 1);	/* 1 is 2 s old */
	assert_int_equal(o.serial[0], 1);
	assert_int_equal(o.why[0], AW_CLOSE_TIMEOUT);
	aw_reasm_flush(ra);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.why[2], AW_CLOSE_FLUSH);
	aw_reasm_free(ra);
}

static void
test_timeout_wall_clock(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 0);

	(void)state;
	feed(ra, "type=SYSCALL msg=audit(10.000:1): items=0", 5000);
	aw_reasm_tick(ra, 6999);
	assert_int_equal(o.n, 0);
	aw_reasm_tick(ra, 7000);
	assert_int_equal(o.n, 1);
	aw_reasm_free(ra);
}

static void
test_eviction_bounds(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 3, 0);
	char line[128];

	(void)state;
	for (int i = 1; i <= 5; i++) {
		snprintf(line, sizeof(line),
		    "type=SYSCALL msg=audit(10.000:%d): items=0", i);
		feed(ra, line, 1);
	}
	assert_int_equal(o.n, 2);
	assert_int_equal(o.serial[0], 1);	/* oldest first */
	assert_int_equal(o.serial[1], 2);
	assert_int_equal(o.why[0], AW_CLOSE_EVICTED);
	assert_int_equal(aw_reasm_stats(ra)->closed[AW_CLOSE_EVICTED], 2);
	assert_int_equal(aw_reasm_stats(ra)->inflight, 3);
	aw_reasm_free(ra);
}

static void
test_byte_bound(void **state)
{
	struct aw_reasm_config c;
	struct out o;
	struct aw_reasm *ra;
	char line[2200];

	(void)state;
	memset(&o, 0, sizeof(o));
	aw_reasm_config_default(&c);
	c.max_bytes = 4096;
	c.shape_close = 0;
	ra = aw_reasm_new(&c, collect, &o);
	for (int i = 1; i <= 4; i++) {
		int n = snprintf(line, sizeof(line),
		    "type=SYSCALL msg=audit(10.000:%d): x=", i);
		memset(line + n, 'A', 1500);
		line[n + 1500] = '\0';
		feed(ra, line, 1);
	}
	assert_true(aw_reasm_stats(ra)->inflight_bytes <= 4096);
	assert_int_equal(o.n, 2);
	aw_reasm_free(ra);
}

/* Records with empty bodies are not free: each holds a descriptor, and a
 * flood of them used to grow memory with nothing evicted. */
static void
test_byte_bound_empty_records(void **state)
{
	struct aw_reasm_config c;
	struct out o;
	struct aw_reasm *ra;
	char line[64];

	(void)state;
	memset(&o, 0, sizeof(o));
	aw_reasm_config_default(&c);
	c.max_bytes = 4096;
	c.shape_close = 0;
	ra = aw_reasm_new(&c, collect, &o);
	for (int ev = 1; ev <= 8; ev++)
		for (int i = 0; i < 500; i++) {
			snprintf(line, sizeof(line),
			    "type=PATH msg=audit(10.000:%d): ", ev);
			feed(ra, line, 1);
			assert_true(aw_reasm_stats(ra)->inflight_bytes <= 4096);
		}
	assert_true(aw_reasm_stats(ra)->closed[AW_CLOSE_EVICTED] > 0);
	assert_true(o.n > 0);
	aw_reasm_free(ra);
}

static void
test_serial_wrap_and_gaps(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 1);

	(void)state;
	feed(ra, "type=SYSCALL msg=audit(10.000:4294967294): items=0", 1);
	feed(ra, "type=SYSCALL msg=audit(10.000:4294967295): items=0", 1);
	feed(ra, "type=SYSCALL msg=audit(10.000:0): items=0", 1);
	feed(ra, "type=SYSCALL msg=audit(10.000:1): items=0", 1);
	assert_int_equal(aw_reasm_stats(ra)->serial_gaps, 0);
	feed(ra, "type=SYSCALL msg=audit(10.000:4): items=0", 1);
	assert_int_equal(aw_reasm_stats(ra)->serial_gaps, 2);
	feed(ra, "type=SYSCALL msg=audit(10.000:3): items=0", 1);
	assert_int_equal(aw_reasm_stats(ra)->serial_gaps, 1);
	/* Same serial, different time: different events. */
	feed(ra, "type=SYSCALL msg=audit(11.000:3): items=0", 1);
	assert_int_equal(aw_reasm_stats(ra)->inflight, 7);
	aw_reasm_free(ra);
}

static void
test_nodes_are_separate(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 1);

	(void)state;
	feed(ra, "node=a type=SYSCALL msg=audit(10.000:1): items=0", 1);
	feed(ra, "node=b type=SYSCALL msg=audit(10.000:1): items=0", 1);
	assert_int_equal(aw_reasm_stats(ra)->inflight, 2);
	feed(ra, "node=a type=EOE msg=audit(10.000:1): ", 1);
	assert_int_equal(o.n, 1);
	assert_int_equal(aw_reasm_stats(ra)->inflight, 1);
	aw_reasm_free(ra);
}

static void
test_late_records_counted(void **state)
{
	struct out o;
	struct aw_reasm *ra = mk(&o, 100, 0);

	(void)state;
	feed(ra, "type=SYSCALL msg=audit(10.000:1): items=0", 1000);
	aw_reasm_tick(ra, 10000);
	assert_int_equal(o.n, 1);
	feed(ra, "type=CWD msg=audit(10.000:1): cwd=\"/\"", 10000);
	assert_int_equal(aw_reasm_stats(ra)->late_records, 1);
	/* Every straggler counts, not only the first of its event. */
	feed(ra, "type=PATH msg=audit(10.000:1): item=0 name=\"/\"", 10000);
	assert_int_equal(aw_reasm_stats(ra)->late_records, 2);
	/* An EOE for something we never saw is counted too. */
	feed(ra, "type=EOE msg=audit(10.000:77): ", 10000);
	assert_int_equal(aw_reasm_stats(ra)->late_records, 3);
	aw_reasm_free(ra);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eoe_closes_interleaved),
		cmocka_unit_test(test_out_of_order_records),
		cmocka_unit_test(test_shape_off_once_eoe_seen),
		cmocka_unit_test(test_single_record_types),
		cmocka_unit_test(test_timeout_event_time),
		cmocka_unit_test(test_timeout_wall_clock),
		cmocka_unit_test(test_eviction_bounds),
		cmocka_unit_test(test_byte_bound),
		cmocka_unit_test(test_byte_bound_empty_records),
		cmocka_unit_test(test_serial_wrap_and_gaps),
		cmocka_unit_test(test_nodes_are_separate),
		cmocka_unit_test(test_late_records_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
