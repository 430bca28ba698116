/*
 * test_kaudit.c — the parts of the netlink source that need no kernel:
 * audit_rule_data building, key matching, validation and formatting; the
 * AUDIT_SET message for every audit_status size; feature names; the
 * crash-safety state file (text form, locking, recovery); and the drain
 * thread's bounded queue (wrap-around, bounds, drops, a real producer
 * thread against a reference sequence).
 */
#include "autoconf.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/audit.h>
#include <linux/netlink.h>

#include "kaudit.h"
#include "kaudit_state.h"
#include "nlqueue.h"
#include "source_netlink.h"

static struct audit_rule_data *
rd(const struct aw_krule *r)
{
	return (struct audit_rule_data *)r->data;
}

/* ---------------------------------------------------------------- rules */

static void
test_exec_rules(void **state)
{
	struct aw_krule **v;
	uint32_t arches[2];
	size_t n, narch = aw_krule_host_arches(arches);

	(void)state;
	assert_true(narch >= 1);
	assert_int_equal(aw_krules_build_exec("k1", 4242, &v, &n), 0);
	assert_int_equal(n, 1 + narch);

	/* First: never-rule for our pid, prepended, all syscalls, keyed. */
	assert_int_equal(rd(v[0])->action, AUDIT_NEVER);
	assert_int_equal(rd(v[0])->flags,
	    AUDIT_FILTER_EXIT | AUDIT_FILTER_PREPEND);
	assert_int_equal(rd(v[0])->mask[0], ~0U);
	assert_int_equal(rd(v[0])->fields[0], AUDIT_PID);
	assert_int_equal(rd(v[0])->fieldflags[0], AUDIT_EQUAL);
	assert_int_equal(rd(v[0])->values[0], 4242);
	assert_true(aw_krule_has_key(v[0], "k1"));

	/* Then one always,exit per ABI: arch first, execve's bit set. */
	for (size_t a = 0; a < narch; a++) {
		struct audit_rule_data *d = rd(v[1 + a]);
		int nr = aw_krule_syscall_nr(arches[a], "execve");

		assert_int_equal(d->action, AUDIT_ALWAYS);
		assert_int_equal(d->flags, AUDIT_FILTER_EXIT);
		assert_int_equal(d->fields[0], AUDIT_ARCH);
		assert_int_equal(d->values[0], arches[a]);
		assert_true(nr >= 0);
		assert_true(d->mask[AUDIT_WORD(nr)] & AUDIT_BIT(nr));
		assert_int_equal(d->buflen, 2);
		assert_int_equal(v[1 + a]->len,
		    offsetof(struct audit_rule_data, buf) + 2);
		assert_int_equal(aw_krule_validate(v[1 + a]->data,
		    v[1 + a]->len), 0);
	}
	aw_krules_free(v, n);
}

static void
test_syscall_numbers(void **state)
{
	(void)state;
	assert_int_equal(aw_krule_syscall_nr(AUDIT_ARCH_X86_64, "execve"), 59);
	assert_int_equal(aw_krule_syscall_nr(AUDIT_ARCH_X86_64, "execveat"),
	    322);
	assert_int_equal(aw_krule_syscall_nr(AUDIT_ARCH_I386, "execve"), 11);
	assert_int_equal(aw_krule_syscall_nr(AUDIT_ARCH_I386, "execveat"), 358);
	assert_int_equal(aw_krule_syscall_nr(AUDIT_ARCH_X86_64, "no_such"), -1);
}

static void
test_keys(void **state)
{
	struct aw_krule *r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_ALWAYS);

	(void)state;
	assert_non_null(r);
	assert_false(aw_krule_has_key(r, "a"));
	/* A watch path before the key: the key is the second string. */
	assert_int_equal(aw_krule_add_string(r, AUDIT_WATCH, AUDIT_EQUAL,
	    "/etc/passwd"), 0);
	assert_int_equal(aw_krule_add_field(r, AUDIT_PERM, AUDIT_EQUAL, 2), 0);
	/* auditctl joins several keys with \x01. */
	assert_int_equal(aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL,
	    "one\001auditwatch\001three"), 0);
	assert_true(aw_krule_has_key(r, "auditwatch"));
	assert_true(aw_krule_has_key(r, "one"));
	assert_true(aw_krule_has_key(r, "three"));
	assert_false(aw_krule_has_key(r, "audit"));
	assert_false(aw_krule_has_key(r, "/etc/passwd"));
	assert_int_equal(aw_krule_validate(r->data, r->len), 0);
	/* Keys are bounded like the kernel bounds them; empty is refused. */
	assert_int_equal(aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL,
	    ""), -EINVAL);
	{
		char big[300];

		memset(big, 'k', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(aw_krule_add_string(r, AUDIT_FILTERKEY,
		    AUDIT_EQUAL, big), -ENAMETOOLONG);
	}
	aw_krule_free(r);
}

static void
test_validate(void **state)
{
	struct aw_krule *r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_ALWAYS);
	struct audit_rule_data *d;

	(void)state;
	assert_int_equal(aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL,
	    "abc"), 0);
	d = rd(r);
	assert_int_equal(aw_krule_validate(r->data, r->len), 0);
	assert_int_equal(aw_krule_validate(r->data, r->len - 1), -EPROTO);
	assert_int_equal(aw_krule_validate(r->data, 10), -EPROTO);
	d->values[0] = 4;		/* string longer than the buffer */
	assert_int_equal(aw_krule_validate(r->data, r->len), -EPROTO);
	d->values[0] = 3;
	d->field_count = AUDIT_MAX_FIELDS + 1;
	assert_int_equal(aw_krule_validate(r->data, r->len), -EPROTO);
	d->field_count = 1;
	/* Too many fields cannot be built either. */
	for (int i = 1; i < AUDIT_MAX_FIELDS; i++)
		assert_int_equal(aw_krule_add_field(r, AUDIT_UID, AUDIT_EQUAL,
		    (uint32_t)i), 0);
	assert_int_equal(aw_krule_add_field(r, AUDIT_UID, AUDIT_EQUAL, 0),
	    -E2BIG);
	aw_krule_free(r);
}

static void
test_format(void **state)
{
	struct aw_krule *r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_ALWAYS);
	char buf[512];

	(void)state;
	aw_krule_add_field(r, AUDIT_ARCH, AUDIT_EQUAL, AUDIT_ARCH_X86_64);
	aw_krule_add_syscall(r, 59);
	aw_krule_add_syscall(r, 322);
	aw_krule_add_field(r, AUDIT_UID, AUDIT_NOT_EQUAL, 0);
	aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL, "auditwatch");
	assert_string_equal(aw_krule_format(r, buf, sizeof(buf)),
	    "-a always,exit -F arch=b64 -S execve,execveat -F uid!=0 "
	    "-F key=auditwatch");
	/* Truncation is safe and terminated. */
	aw_krule_format(r, buf, 10);
	assert_int_equal(strlen(buf), 9);
	aw_krule_free(r);

	/* A never-rule on all syscalls, as the kernel lists it (class bits
	 * of the last mask word cleared), key with a space → hex. */
	r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_NEVER);
	aw_krule_add_syscall(r, -1);
	rd(r)->mask[AUDIT_BITMASK_SIZE - 1] = 0x0000ffff;
	aw_krule_add_field(r, AUDIT_PID, AUDIT_EQUAL, 77);
	aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL, "a b");
	assert_string_equal(aw_krule_format(r, buf, sizeof(buf)),
	    "-a never,exit -S all -F pid=77 -F key=612062");
	aw_krule_free(r);
}

/* --------------------------------------------------------------- status */

static void
test_build_set(void **state)
{
	unsigned char buf[128];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct aw_kstatus v;
	const uint32_t *p = (const uint32_t *)(buf + NLMSG_HDRLEN);
	static const size_t sizes[] = { 32, 40, 44 };

	(void)state;
	memset(&v, 0, sizeof(v));
	v.pid = 1234;
	v.backlog_wait_time = 99;
	for (size_t i = 0; i < 3; i++) {
		size_t len = aw_kaudit_build_set(buf, sizeof(buf), 7, 1,
		    AUDIT_STATUS_PID, &v, sizes[i]);

		assert_int_equal(len, NLMSG_SPACE(sizes[i]));
		assert_int_equal(nh->nlmsg_len, NLMSG_LENGTH(sizes[i]));
		assert_int_equal(nh->nlmsg_type, AUDIT_SET);
		assert_int_equal(nh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
		assert_int_equal(nh->nlmsg_seq, 7);
		assert_int_equal(p[0], AUDIT_STATUS_PID);	/* mask */
		assert_int_equal(p[3], 1234);			/* pid */
		if (sizes[i] >= 40)
			assert_int_equal(p[9], 99);
	}
	/* Out-of-range sizes are clamped; a small buffer is refused. */
	assert_int_equal(aw_kaudit_build_set(buf, sizeof(buf), 1, 0,
	    AUDIT_STATUS_PID, &v, 8), NLMSG_SPACE(32));
	assert_int_equal(nh->nlmsg_flags, NLM_F_REQUEST);
	assert_int_equal(aw_kaudit_build_set(buf, sizeof(buf), 1, 0,
	    AUDIT_STATUS_PID, &v, 4096), NLMSG_SPACE(sizeof(v)));
	assert_int_equal(aw_kaudit_build_set(buf, 20, 1, 0, AUDIT_STATUS_PID,
	    &v, 32), 0);
}

static void
test_features(void **state)
{
	char buf[256];
	struct aw_kstatus_reply r;

	(void)state;
	assert_string_equal(aw_kfeatures_format(0, buf, sizeof(buf)), "none");
	assert_string_equal(aw_kfeatures_format(0x7f, buf, sizeof(buf)),
	    "backlog_limit,backlog_wait_time,executable_path,exclude_extend,"
	    "sessionid_filter,lost_reset,filter_fs");
	assert_string_equal(aw_kfeatures_format(0x22 | 0x100, buf,
	    sizeof(buf)), "backlog_wait_time,lost_reset,0x100");
	memset(&r, 0, sizeof(r));
	r.size = 32;
	r.s.feature_bitmap = 0x3;
	assert_false(aw_kstatus_can_set_wait_time(&r));	/* 3.10 size */
	r.size = 40;
	assert_true(aw_kstatus_can_set_wait_time(&r));
	r.s.feature_bitmap = 0x1;
	assert_false(aw_kstatus_can_set_wait_time(&r));
}

static void
test_modes(void **state)
{
	enum aw_nl_mode m;

	(void)state;
	assert_int_equal(aw_nl_mode_parse("multicast", &m), 0);
	assert_int_equal(m, AW_NL_MULTICAST);
	assert_string_equal(aw_nl_mode_name(m), "multicast");
	assert_int_equal(aw_nl_mode_parse("unicast", &m), 0);
	assert_int_equal(m, AW_NL_UNICAST);
	assert_int_equal(aw_nl_mode_parse("auto", &m), 0);
	assert_int_equal(m, AW_NL_AUTO);
	assert_int_equal(aw_nl_mode_parse("Unicast", &m), -1);
	assert_int_equal(aw_nl_mode_parse("", &m), -1);
}

/* ----------------------------------------------------------- state file */

static void
sample_state(struct aw_kstate *st)
{
	memset(st, 0, sizeof(*st));
	st->pid = 31337;
	strcpy(st->key, "auditwatch");
	st->registered = 1;
	st->changed = AUDIT_STATUS_ENABLED | AUDIT_STATUS_BACKLOG_LIMIT;
	st->orig.enabled = 0;
	st->orig.backlog_limit = 64;
	st->orig.backlog_wait_time = 15000;
	st->set.enabled = 1;
	st->set.backlog_limit = 8192;
	st->set.backlog_wait_time = 0;
}

static void
test_state_text(void **state)
{
	struct aw_kstate a, b;
	char buf[4096];
	int len;
	char *end;

	(void)state;
	sample_state(&a);
	len = aw_kstate_format(&a, buf, sizeof(buf));
	assert_true(len > 0);
	assert_int_equal(aw_kstate_parse(buf, (size_t)len, &b), 0);
	assert_int_equal(b.pid, 31337);
	assert_string_equal(b.key, "auditwatch");
	assert_int_equal(b.registered, 1);
	assert_int_equal(b.changed, a.changed);
	assert_int_equal(b.orig.backlog_limit, 64);
	assert_int_equal(b.orig.backlog_wait_time, 15000);
	assert_int_equal(b.set.backlog_limit, 8192);
	/* Torn write (no "end"), missing field, bad number: not a state. */
	end = strstr(buf, "end\n");
	assert_int_not_equal(aw_kstate_parse(buf, (size_t)(end - buf), &b), 0);
	assert_int_not_equal(aw_kstate_parse("pid=1\nend\n", 10, &b), 0);
	{
		char bad[4096];
		char *p;

		memcpy(bad, buf, (size_t)len + 1);
		p = strstr(bad, "orig_backlog_limit=64");
		memcpy(p, "orig_backlog_limit=6x", 21);
		assert_int_not_equal(aw_kstate_parse(bad, (size_t)len, &b), 0);
	}
	/* Trailing garbage after "end" (shorter rewrite) is ignored. */
	memcpy(buf + len, "garbage=1\n", 11);
	assert_int_equal(aw_kstate_parse(buf, (size_t)len + 10, &b), 0);
	/* A buffer too small to format into is reported. */
	assert_int_equal(aw_kstate_format(&a, buf, 16), -1);
}

static void
test_state_file(void **state)
{
	char dir[] = "/tmp/aw-kstate-XXXXXX", path[256], err[256];
	struct aw_kstate a, prev;
	struct aw_kstate_file *f, *g;
	int have;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/dir/state", dir);

	/* First start: directories created, nothing to recover. */
	f = aw_kstate_open(path, &prev, &have, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(have, 0);
	sample_state(&a);
	assert_int_equal(aw_kstate_write(f, &a), 0);

	/* A second instance on the same file is refused, naming the pid. */
	g = aw_kstate_open(path, &prev, &have, err, sizeof(err));
	assert_null(g);
	assert_non_null(strstr(err, "31337"));

	/* The first one dies (lock released, file kept): recovered. */
	aw_kstate_close(f);
	f = aw_kstate_open(path, &prev, &have, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(have, 1);
	assert_int_equal(prev.pid, 31337);
	assert_int_equal(prev.set.backlog_limit, 8192);

	/* A shorter rewrite leaves no stale tail behind. */
	strcpy(a.key, "k");
	assert_int_equal(aw_kstate_write(f, &a), 0);
	aw_kstate_close(f);
	f = aw_kstate_open(path, &prev, &have, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(have, 1);
	assert_string_equal(prev.key, "k");

	/* Clean exit: file gone, next start has nothing to recover. */
	aw_kstate_remove(f);
	assert_int_equal(access(path, F_OK), -1);
	f = aw_kstate_open(path, &prev, &have, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(have, 0);
	aw_kstate_remove(f);

	snprintf(path, sizeof(path), "%s/sub/dir", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

/* ---------------------------------------------------------------- queue */

/* Deterministic record i: type and length derived from i, bytes too. */
static size_t
rec_len(uint32_t i)
{
	return (i * 7919u) % 3001u;	/* 0..3000, includes empty */
}

static void
rec_fill(uint32_t i, unsigned char *buf, size_t len)
{
	for (size_t j = 0; j < len; j++)
		buf[j] = (unsigned char)(i * 31u + j);
}

static void
check_rec(uint32_t i, int type, const char *p, size_t len)
{
	unsigned char want[3001];

	assert_int_equal(type, 1300 + (int)(i % 50));
	assert_int_equal(len, rec_len(i));
	rec_fill(i, want, len);
	assert_memory_equal(p, want, len);
}

static void
test_queue_wrap(void **state)
{
	struct aw_nlq *q = aw_nlq_new(AW_NLQ_MIN_BYTES, 1000000);
	unsigned char buf[3001];
	uint32_t pushed = 0, popped = 0;
	struct aw_nlq_stats st;
	const char *p;
	size_t len;
	int type;

	(void)state;
	assert_non_null(q);
	/* Keep the ring between a third and fully full for many laps, so
	 * every wrap position is hit; every record comes back intact and in
	 * order. */
	while (popped < 20000) {
		while (1) {
			size_t l = rec_len(pushed);

			rec_fill(pushed, buf, l);
			if (aw_nlq_push(q, 1300 + (int)(pushed % 50), buf, l) != 0)
				break;
			pushed++;
		}
		for (int k = 0; k < 40 && popped < pushed; k++) {
			assert_int_equal(aw_nlq_peek(q, &type, &p, &len, 0), 1);
			check_rec(popped, type, p, len);
			aw_nlq_consume(q);
			popped++;
		}
	}
	while (aw_nlq_peek(q, &type, &p, &len, 0)) {
		check_rec(popped++, type, p, len);
		aw_nlq_consume(q);
	}
	assert_int_equal(popped, pushed);
	aw_nlq_get_stats(q, &st);
	assert_int_equal(st.pushed, pushed);
	assert_true(st.dropped > 0);		/* it was full, often */
	assert_int_equal(st.records, 0);
	assert_int_equal(st.bytes, 0);
	assert_true(st.peak_bytes <= AW_NLQ_MIN_BYTES);
	assert_true(st.peak_bytes > AW_NLQ_MIN_BYTES - 3100);
	aw_nlq_free(q);
}

static void
test_queue_bounds(void **state)
{
	struct aw_nlq *q = aw_nlq_new(1, 3);	/* min bytes, 3 records */
	struct aw_nlq_stats st;
	static unsigned char big[70000];
	const char *p;
	size_t len;
	int type;

	(void)state;
	assert_int_equal(aw_nlq_push(q, 1, "a", 1), 0);
	assert_int_equal(aw_nlq_push(q, 2, "bb", 2), 0);
	assert_int_equal(aw_nlq_push(q, 3, "ccc", 3), 0);
	assert_int_equal(aw_nlq_push(q, 4, "d", 1), -1);	/* count bound */
	aw_nlq_get_stats(q, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.records, 3);
	assert_int_equal(aw_nlq_peek(q, &type, &p, &len, 0), 1);
	assert_int_equal(type, 1);
	assert_int_equal(len, 1);
	aw_nlq_consume(q);
	assert_int_equal(aw_nlq_push(q, 4, "d", 1), 0);
	/* Byte bound: a 64 KiB datagram fits; four of them do not. */
	aw_nlq_free(q);
	q = aw_nlq_new(1, 100);
	for (int i = 0; i < 3; i++)
		assert_int_equal(aw_nlq_push(q, 5, big, sizeof(big)), 0);
	assert_int_equal(aw_nlq_push(q, 5, big, sizeof(big)), -1);
	/* Empty queue: peek times out with nothing. */
	while (aw_nlq_peek(q, &type, &p, &len, 0))
		aw_nlq_consume(q);
	assert_int_equal(aw_nlq_peek(q, &type, &p, &len, 20), 0);
	aw_nlq_free(q);
}

struct producer_arg {
	struct aw_nlq *q;
	uint32_t n;
};

static void *
producer(void *arg)
{
	struct producer_arg *a = arg;
	unsigned char buf[3001];

	for (uint32_t i = 0; i < a->n; i++) {
		size_t l = rec_len(i);

		rec_fill(i, buf, l);
		/* Retry instead of dropping: this test is about order. */
		while (aw_nlq_push(a->q, 1300 + (int)(i % 50), buf, l) != 0)
			usleep(50);
	}
	return NULL;
}

static void
test_queue_threads(void **state)
{
	struct producer_arg a;
	pthread_t t;
	const char *p;
	size_t len;
	int type;
	uint32_t got = 0;

	(void)state;
	a.q = aw_nlq_new(AW_NLQ_MIN_BYTES, 1000);
	a.n = 50000;
	assert_int_equal(pthread_create(&t, NULL, producer, &a), 0);
	while (got < a.n) {
		if (!aw_nlq_peek(a.q, &type, &p, &len, 1000))
			fail_msg("consumer starved at %u", got);
		check_rec(got, type, p, len);
		aw_nlq_consume(a.q);
		got++;
	}
	pthread_join(t, NULL);
	aw_nlq_free(a.q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_rules),
		cmocka_unit_test(test_syscall_numbers),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_build_set),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_state_text),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_queue_wrap),
		cmocka_unit_test(test_queue_bounds),
		cmocka_unit_test(test_queue_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
