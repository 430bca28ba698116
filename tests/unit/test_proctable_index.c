/*
 * test_proctable_index.c — the process table's storage alone (proctable.c):
 * the open-addressing pid index against a plain model under random
 * insertions, lookups, deletions and LRU trims (colliding, huge and
 * negative pids included), its growth and bound, and the blob byte count
 * kept per entry against a recount of what the entries hold.
 */
#include "autoconf.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "enrich/proctable.h"

/* ------------------------------------------------------------ model */

#define UNIVERSE 700

struct model {
	int64_t lru[UNIVERSE];	/* lru[0] most recent */
	size_t n;
	uint64_t hits, misses, evictions;
};

static int64_t universe[UNIVERSE];

static void
fill_universe(void)
{
	size_t i = 0;

	/* small pids, a stride that lands on few home slots, extremes */
	for (int64_t p = 1; p <= 400; p++)
		universe[i++] = p;
	for (int64_t k = 1; i < UNIVERSE - 6; k++)
		universe[i++] = k << 20;
	universe[i++] = INT64_MAX;
	universe[i++] = INT64_MAX - 1;
	universe[i++] = INT64_MIN;
	universe[i++] = -1;
	universe[i++] = -4194304;
	universe[i++] = (int64_t)1 << 40;
}

static ssize_t
model_find(const struct model *m, int64_t pid)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->lru[i] == pid)
			return (ssize_t)i;
	return -1;
}

static void
model_remove(struct model *m, size_t i)
{
	memmove(&m->lru[i], &m->lru[i + 1], (m->n - i - 1) * sizeof(m->lru[0]));
	m->n--;
}

static void
model_to_head(struct model *m, int64_t pid)
{
	ssize_t i = model_find(m, pid);

	if (i >= 0)
		model_remove(m, (size_t)i);
	memmove(&m->lru[1], &m->lru[0], m->n * sizeof(m->lru[0]));
	m->lru[0] = pid;
	m->n++;
}

static void
check_same(struct aw_ptable *t, const struct model *m)
{
	const struct aw_ptable_stats *st = aw_ptable_stats(t);

	assert_int_equal(st->entries, m->n);
	assert_int_equal(st->hits, m->hits);
	assert_int_equal(st->misses, m->misses);
	assert_int_equal(st->evictions, m->evictions);
	for (size_t i = 0; i < UNIVERSE; i++) {
		struct aw_pentry *e = aw_ptable_peek(t, universe[i]);

		if (model_find(m, universe[i]) >= 0) {
			assert_non_null(e);
			assert_true(e->pid == universe[i]);
			assert_true(e->pub.pid == universe[i]);
			assert_ptr_equal(aw_pentry_of(&e->pub), e);
		} else {
			assert_null(e);
		}
	}
}

static void
test_index_against_model(void **state)
{
	const size_t max = 150;
	struct aw_ptable *t = aw_ptable_new(max);
	struct model *m = calloc(1, sizeof(*m));
	unsigned seed = 12345;

	(void)state;
	assert_non_null(t);
	assert_non_null(m);
	fill_universe();
	for (int step = 0; step < 40000; step++) {
		int64_t pid = universe[rand_r(&seed) % UNIVERSE];
		unsigned op = (unsigned)rand_r(&seed) % 10;
		struct aw_pentry *e;

		if (op < 4) {			/* put */
			assert_non_null(aw_ptable_put(t, pid));
			model_to_head(m, pid);
		} else if (op < 7) {		/* get */
			e = aw_ptable_get(t, pid);
			if (model_find(m, pid) >= 0) {
				assert_non_null(e);
				m->hits++;
				model_to_head(m, pid);
			} else {
				assert_null(e);
				m->misses++;
			}
		} else if (op < 8) {		/* touch a kept pointer */
			if ((e = aw_ptable_peek(t, pid)) != NULL) {
				aw_ptable_touch(t, e);
				m->hits++;
				model_to_head(m, pid);
			}
		} else if (op < 9) {		/* delete */
			ssize_t i;

			if ((e = aw_ptable_peek(t, pid)) != NULL) {
				aw_ptable_del(t, e);
				i = model_find(m, pid);
				assert_true(i >= 0);
				model_remove(m, (size_t)i);
			}
		} else {			/* trim: LRU order decides */
			aw_ptable_trim(t);
			while (m->n > max) {
				m->n--;
				m->evictions++;
			}
		}
		if (step % 97 == 0)
			check_same(t, m);
	}
	check_same(t, m);
	aw_ptable_free(t);
	free(m);
}

/* Many entries, then half of them gone: every survivor still found
 * (deletion must not break probe chains), and the index stays within
 * its load bounds. */
static void
test_index_growth_and_bound(void **state)
{
	const int64_t n = 20000;
	struct aw_ptable *t = aw_ptable_new((size_t)n * 2);
	const struct aw_ptable_stats *st;

	(void)state;
	assert_non_null(t);
	for (int64_t i = 0; i < n; i++)
		assert_non_null(aw_ptable_put(t, (i & 1) ? i : i << 16));
	st = aw_ptable_stats(t);
	assert_int_equal(st->entries, (uint64_t)n);
	/* at most three quarters full, at most 8/3 slots per entry */
	assert_true(st->index_bytes / 16 * 3 >= (uint64_t)n * 4);
	assert_true(st->index_bytes / 16 * 3 <= (uint64_t)n * 8);
	for (int64_t i = 0; i < n; i += 2)
		aw_ptable_del(t, aw_ptable_peek(t, i << 16));
	for (int64_t i = 0; i < n; i++) {
		struct aw_pentry *e = aw_ptable_peek(t, (i & 1) ? i : i << 16);

		if (i & 1) {
			assert_non_null(e);
			assert_true(e->pid == i);
		} else {
			assert_null(e);
		}
	}
	/* the freed slots are reused: refilling does not grow the index */
	{
		uint64_t before = aw_ptable_stats(t)->index_bytes;

		for (int64_t i = 0; i < n; i += 2)
			assert_non_null(aw_ptable_put(t, -(i + 1)));
		assert_int_equal(aw_ptable_stats(t)->index_bytes, before);
		assert_int_equal(aw_ptable_stats(t)->entries, (uint64_t)n);
	}
	aw_ptable_free(t);
}

/* ------------------------------------------------------------ blob */

/* What the entries hold, counted from their strings. */
static uint64_t
recount(struct aw_ptable *t, const int64_t *pids, size_t n)
{
	uint64_t bytes = 0;

	for (size_t i = 0; i < n; i++) {
		struct aw_pentry *e = aw_ptable_peek(t, pids[i]);
		const struct aw_proc *p = &e->pub;

		if (e->blob == NULL)
			continue;
		bytes += (uint64_t)(p->argc + 1) * sizeof(char *);
		bytes += p->exe ? strlen(p->exe) + 1 : 0;
		bytes += strlen(p->comm) + 1;
		bytes += p->cwd ? strlen(p->cwd) + 1 : 0;
		bytes += p->tty ? strlen(p->tty) + 1 : 0;
		for (int k = 0; k < p->argc; k++)
			bytes += strlen(p->argv[k]) + 1;
	}
	return bytes;
}

static void
test_blob_bytes_exact(void **state)
{
	static const int64_t pids[] = { 10, 11, 12 };
	struct aw_ptable *t = aw_ptable_new(16);
	struct aw_pstrings s;
	struct aw_pentry *a, *b, *c;
	static char longexe[AW_PT_STR_MAX + 100];
	static const char nul_cmdline[] = "sh\0-c\0echo a\0";
	struct aw_str av[3] = {
		{ "python3", 7 }, { "x\0y", 3 }, { NULL, 0 },
	};

	(void)state;
	assert_non_null(t);
	memset(longexe, 'e', sizeof(longexe) - 1);
	a = aw_ptable_put(t, 10);
	b = aw_ptable_put(t, 11);
	c = aw_ptable_put(t, 12);
	assert_int_equal(aw_ptable_stats(t)->blob_bytes, 0);

	/* argv from the event's views, a NUL inside one, a NULL one */
	memset(&s, 0, sizeof(s));
	s.exe = "/usr/bin/python3";
	s.exe_len = strlen(s.exe);
	s.comm = "python3";
	s.comm_len = 7;
	s.set_argv = 1;
	s.argc = 3;
	s.argv = av;
	assert_int_equal(aw_pentry_set(t, a, &s), 0);
	assert_string_equal(a->pub.argv[1], "x y");
	assert_string_equal(a->pub.argv[2], "");
	assert_int_equal(aw_ptable_stats(t)->blob_bytes, recount(t, pids, 3));

	/* a cmdline, an over-long exe (capped), a tty with a NUL */
	memset(&s, 0, sizeof(s));
	s.exe = longexe;
	s.exe_len = sizeof(longexe) - 1;
	s.comm = "sh";
	s.comm_len = 2;
	s.tty = "pts\0/1";
	s.tty_len = 6;
	s.set_argv = 1;
	s.cmdline = nul_cmdline;
	s.cmdline_len = sizeof(nul_cmdline) - 2;	/* no trailing NUL */
	assert_int_equal(aw_pentry_set(t, b, &s), 0);
	assert_int_equal(strlen(b->pub.exe), AW_PT_STR_MAX);
	assert_string_equal(b->pub.tty, "pts /1");
	assert_int_equal(b->pub.argc, 3);
	assert_string_equal(b->pub.argv[2], "echo a");
	assert_int_equal(aw_ptable_stats(t)->blob_bytes, recount(t, pids, 3));

	/* keep argv and exe, change the rest: the arguments carried over */
	memset(&s, 0, sizeof(s));
	s.comm = "bash";
	s.comm_len = 4;
	s.cwd = "/root";
	s.cwd_len = 5;
	assert_int_equal(aw_pentry_set(t, b, &s), 0);
	assert_int_equal(b->pub.argc, 3);
	assert_string_equal(b->pub.argv[0], "sh");
	assert_string_equal(b->pub.argv[1], "-c");
	assert_string_equal(b->pub.argv[2], "echo a");
	assert_null(b->pub.argv[3]);
	assert_int_equal(strlen(b->pub.exe), AW_PT_STR_MAX);
	assert_string_equal(b->pub.tty, "pts /1");
	assert_string_equal(b->pub.comm, "bash");
	assert_int_equal(aw_ptable_stats(t)->blob_bytes, recount(t, pids, 3));

	/* no argv at all, then kept */
	memset(&s, 0, sizeof(s));
	s.comm = "kworker";
	s.comm_len = 7;
	assert_int_equal(aw_pentry_set(t, c, &s), 0);
	assert_int_equal(c->pub.argc, 0);
	assert_int_equal(aw_pentry_set(t, c, &s), 0);
	assert_int_equal(aw_ptable_stats(t)->blob_bytes, recount(t, pids, 3));

	/* a reset entry and a deleted one give their bytes back */
	assert_non_null(aw_ptable_put(t, 10));
	aw_ptable_del(t, c);
	assert_int_equal(aw_ptable_stats(t)->blob_bytes, recount(t, pids, 2));
	aw_ptable_del(t, aw_ptable_peek(t, 11));
	aw_ptable_del(t, aw_ptable_peek(t, 10));
	assert_int_equal(aw_ptable_stats(t)->blob_bytes, 0);
	aw_ptable_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_against_model),
		cmocka_unit_test(test_index_growth_and_bound),
		cmocka_unit_test(test_blob_bytes_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
