/*
 * enrich_bench.c — what enrichment costs (issue 5 benchmark).
 *
 *   enrich_bench AUDIT_LOG [ROUNDS] [REPEAT]
 *
 * 1. Per-event cost. The log is replayed REPEAT times per measurement
 *    through the record parser, reassembler and event decoder (the peer:
 *    "without"), and the same plus the enricher (observe, then the lookups
 *    a rule evaluation makes: the process, its parent and grandparent,
 *    user and group names, container metadata: "with"). Both run in the
 *    same process, interleaved over ROUNDS rounds; medians are reported
 *    and the ratio with/without. Two enricher set-ups:
 *      replay  enrich.host_proc=none (what `replay` of an old log does);
 *      live    event times moved to now and the real /proc consulted for
 *              every pid the table does not know, as the daemon does
 *              (the log's pids are not this machine's processes: each
 *              miss costs a /proc lookup that fails or is rejected by the
 *              start-time check — the expensive path).
 *    Target: enrichment adds at most 20 % to the per-event cost.
 * 2. cgroup reads: in the live set-up, reads of /proc/<pid>/cgroup against
 *    exec events and all events (target: per process, not per event),
 *    and the same with a workload of real processes of this machine.
 * 3. Memory: the process table after 100,000 processes (exec events with
 *    typical argv/exe/cwd), as resident-set growth and as the table's own
 *    count, per process.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "enrich.h"
#include "event.h"
#include "reasm.h"
#include "record.h"

struct run {
	struct aw_enricher *en;	/* NULL: without enrichment */
	struct aw_event ev;
	int live;		/* move event times to now */
	uint64_t now_sec;
	uint64_t events, execs;
	volatile uint64_t sink;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static void
on_event(const struct aw_rawevent *raw, void *arg)
{
	struct run *r = arg;
	const struct aw_proc *p, *pp;

	if (aw_event_build(&r->ev, raw) != 0)
		return;
	r->events++;
	if (r->ev.syscall_name && strncmp(r->ev.syscall_name, "execve", 6) == 0)
		r->execs++;
	if (r->en == NULL)
		return;
	if (r->live)
		r->ev.sec = r->now_sec;
	aw_enricher_observe(r->en, &r->ev);
	if (!r->ev.has_syscall || (p = aw_enricher_proc(r->en, r->ev.pid)) == NULL)
		return;
	/* what evaluating a typical rule asks for */
	pp = aw_enricher_parent(r->en, p);
	r->sink += (uintptr_t)aw_enricher_ancestor(r->en, p, 2);
	r->sink += (uintptr_t)aw_enricher_user_name(r->en, p->euid, p);
	r->sink += (uintptr_t)aw_enricher_group_name(r->en, p->egid, p);
	r->sink += (uintptr_t)aw_enricher_user_name(r->en, p->auid, NULL);
	r->sink += (uintptr_t)aw_enricher_container(r->en, p->container_id);
	r->sink += pp ? (uintptr_t)pp->comm : 0;
}

/* One pass over the log; returns seconds. */
static double
replay(const char *buf, size_t len, struct run *r, int repeat)
{
	struct aw_reasm_config rc;
	double t0 = now_s();

	aw_reasm_config_default(&rc);
	for (int i = 0; i < repeat; i++) {
		struct aw_reasm *ra = aw_reasm_new(&rc, on_event, r);
		const char *p = buf, *end = buf + len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t l = (size_t)((nl ? nl : end) - p);
			struct aw_record rec;
			const char *err;

			if (aw_record_parse_line(p, l, &rec, &err) == 0)
				aw_reasm_add(ra, &rec, 0);
			p += l + 1;
		}
		aw_reasm_flush(ra);
		aw_reasm_free(ra);
	}
	return now_s() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct aw_enricher *
make_enricher(const char *host_proc, const char *table_max)
{
	struct aw_config cfg;
	char err[256], kv[300];
	struct aw_enricher *en;

	aw_config_init(&cfg);
	snprintf(kv, sizeof(kv), "enrich.host_proc=%s", host_proc);
	aw_config_override(&cfg, kv, err, sizeof(err));
	aw_config_override(&cfg, "enrich.metadata=false", err, sizeof(err));
	if (table_max) {
		snprintf(kv, sizeof(kv), "enrich.proc_table_max=%s", table_max);
		aw_config_override(&cfg, kv, err, sizeof(err));
	}
	en = aw_enricher_new(&cfg);
	aw_config_free(&cfg);
	return en;
}

static void
bench_cost(const char *buf, size_t len, int rounds, int repeat)
{
	double *t_none = calloc((size_t)rounds, sizeof(double));
	double *t_replay = calloc((size_t)rounds, sizeof(double));
	double *t_live = calloc((size_t)rounds, sizeof(double));
	struct run r;
	uint64_t events = 0;
	const struct aw_enricher_stats *st;
	struct aw_enricher *live_en = NULL;

	for (int i = 0; i < rounds; i++) {
		memset(&r, 0, sizeof(r));
		aw_event_init(&r.ev);
		t_none[i] = replay(buf, len, &r, repeat);
		events = r.events;
		aw_event_free(&r.ev);

		memset(&r, 0, sizeof(r));
		aw_event_init(&r.ev);
		r.en = make_enricher("none", NULL);
		t_replay[i] = replay(buf, len, &r, repeat);
		aw_enricher_free(r.en);
		aw_event_free(&r.ev);

		memset(&r, 0, sizeof(r));
		aw_event_init(&r.ev);
		r.en = make_enricher("/proc", NULL);	/* includes its scan */
		r.live = 1;
		r.now_sec = (uint64_t)time(NULL);
		t_live[i] = replay(buf, len, &r, repeat);
		if (i == rounds - 1)
			live_en = r.en;
		else
			aw_enricher_free(r.en);
		aw_event_free(&r.ev);
	}
	qsort(t_none, (size_t)rounds, sizeof(double), cmp_double);
	qsort(t_replay, (size_t)rounds, sizeof(double), cmp_double);
	qsort(t_live, (size_t)rounds, sizeof(double), cmp_double);
	{
		double n = t_none[rounds / 2], rp = t_replay[rounds / 2],
		    lv = t_live[rounds / 2];

		printf("per-event cost (%llu events x %d rounds, medians)\n",
		    (unsigned long long)events, rounds);
		printf("  without enrichment     %8.3f us/event\n",
		    n / (double)events * 1e6);
		printf("  with, replay (no /proc) %7.3f us/event  +%.1f %%\n",
		    rp / (double)events * 1e6, (rp / n - 1) * 100);
		printf("  with, live (/proc)     %8.3f us/event  +%.1f %%\n",
		    lv / (double)events * 1e6, (lv / n - 1) * 100);
	}
	st = aw_enricher_stats(live_en);
	printf("  live set-up, last round: %llu events, %llu execs, "
	    "%llu cgroup reads (the /proc scan included), %llu /proc loads,"
	    " table hits %llu misses %llu\n",
	    (unsigned long long)r.events, (unsigned long long)r.execs,
	    (unsigned long long)st->cgroup_reads,
	    (unsigned long long)st->proc_reads, (unsigned long long)st->hits,
	    (unsigned long long)st->misses);
	aw_enricher_free(live_en);
	free(t_none);
	free(t_replay);
	free(t_live);
}

/*
 * Real processes of this machine: NKIDS children, each seen through one
 * exec event (a new pid: its start time and cgroup are read from /proc)
 * and 99 other events. Counts the cgroup reads and times both kinds.
 */
#define NKIDS 200

static void
bench_live_processes(void)
{
	struct aw_enricher *en = make_enricher("/proc", NULL);
	const struct aw_enricher_stats *st = aw_enricher_stats(en);
	uint64_t reads0 = st->cgroup_reads, scanned = st->procs;
	struct aw_event ev;
	struct aw_str argv[2] = { { "sleep", 5 }, { "30", 2 } };
	static pid_t kids[NKIDS];
	double t_exec = 0, t_other = 0;
	int n = 0;

	for (int i = 0; i < NKIDS; i++) {
		pid_t p = fork();

		if (p == 0) {
			execlp("sleep", "sleep", "30", (char *)NULL);
			_exit(127);
		}
		if (p > 0)
			kids[n++] = p;
	}
	usleep(300000);
	memset(&ev, 0, sizeof(ev));
	ev.has_syscall = 1;
	ev.syscall = AW_NONE;
	ev.success = 1;
	ev.uid = ev.euid = ev.gid = ev.egid = 0;
	ev.auid = ev.ses = AW_NONE;
	ev.comm = (struct aw_str){ "sleep", 5 };
	ev.exe = (struct aw_str){ "/usr/bin/sleep", 14 };
	ev.ppid = getpid();
	for (int round = 0; round < 100; round++) {
		double t0 = now_s();

		for (int i = 0; i < n; i++) {
			struct timespec ts;
			const struct aw_proc *p;

			clock_gettime(CLOCK_REALTIME, &ts);
			ev.sec = (uint64_t)ts.tv_sec;
			ev.msec = (uint32_t)(ts.tv_nsec / 1000000);
			ev.pid = kids[i];
			ev.syscall_name = round == 0 ? "execve" : "openat";
			ev.argv = round == 0 ? argv : NULL;
			ev.nargv = round == 0 ? 2 : 0;
			aw_enricher_observe(en, &ev);
			p = aw_enricher_proc(en, ev.pid);
			(void)aw_enricher_parent(en, p);
			(void)aw_enricher_user_name(en, p->euid, p);
			(void)aw_enricher_container(en, p->container_id);
		}
		if (round == 0)
			t_exec += now_s() - t0;
		else
			t_other += now_s() - t0;
	}
	st = aw_enricher_stats(en);
	printf("live processes: %d real processes started after the enricher's "
	    "scan (%llu), 1 exec + 99 other events each:\n"
	    "  %llu cgroup reads for %d events; enrichment %.2f us for the exec "
	    "of a new process (start time + cgroup from /proc), %.2f us for "
	    "each later event\n", n, (unsigned long long)scanned,
	    (unsigned long long)(st->cgroup_reads - reads0), n * 100,
	    t_exec / n * 1e6, t_other / ((double)n * 99) * 1e6);
	for (int i = 0; i < n; i++)
		kill(kids[i], 9);
	while (n-- > 0)
		wait(NULL);
	aw_enricher_free(en);
}

static void
bench_memory(void)
{
	static const char *const exes[] = { "/usr/bin/python3.11",
	    "/usr/sbin/nginx", "/usr/bin/bash", "/usr/local/bin/node",
	    "/usr/lib/jvm/java-17-openjdk-amd64/bin/java" };
	struct aw_enricher *en;
	const struct aw_enricher_stats *st;
	struct aw_event ev;
	struct aw_str argv[5];
	char a1[32], a2[64], cwd[64];
	long rss0, rss1;
	double t0, t1;
	uint64_t now = (uint64_t)time(NULL);

	rss0 = rss_kib();
	en = make_enricher("none", "200000");
	memset(&ev, 0, sizeof(ev));
	ev.has_syscall = 1;
	ev.syscall = AW_NONE;
	ev.syscall_name = "execve";
	ev.success = 1;
	ev.uid = ev.euid = ev.gid = ev.egid = 1000;
	ev.auid = 1000;
	ev.ses = 7;
	ev.tty = (struct aw_str){ "(none)", 6 };
	ev.argv = argv;
	ev.nargv = 4;
	t0 = now_s();
	for (int i = 0; i < 100000; i++) {
		const char *exe = exes[i % 5];
		const char *base = strrchr(exe, '/') + 1;

		snprintf(a1, sizeof(a1), "--worker=%d", i);
		snprintf(a2, sizeof(a2), "/srv/app-%d/config/settings.yaml",
		    i % 97);
		snprintf(cwd, sizeof(cwd), "/srv/app-%d", i % 97);
		argv[0] = (struct aw_str){ base, strlen(base) };
		argv[1] = (struct aw_str){ a1, strlen(a1) };
		argv[2] = (struct aw_str){ "-c", 2 };
		argv[3] = (struct aw_str){ a2, strlen(a2) };
		ev.pid = 100000 + i;
		ev.ppid = i < 100 ? 1 : 100000 + i / 100;
		ev.comm = (struct aw_str){ base, strlen(base) > 15 ? 15 :
		    strlen(base) };
		ev.exe = (struct aw_str){ exe, strlen(exe) };
		ev.cwd = (struct aw_str){ cwd, strlen(cwd) };
		ev.sec = now;
		ev.serial = (uint32_t)i;
		aw_enricher_observe(en, &ev);
	}
	aw_enricher_observe(en, NULL);
	t1 = now_s();
	rss1 = rss_kib();
	st = aw_enricher_stats(en);
	printf("process table, 100,000 processes (argv of 4, typical exe and "
	    "cwd): %llu entries, RSS +%.1f MiB (%.0f bytes/process), table's "
	    "own count %.1f MiB; %.2f us per exec event\n",
	    (unsigned long long)st->procs, (double)(rss1 - rss0) / 1024,
	    (double)(rss1 - rss0) * 1024 / 100000,
	    (double)st->table_bytes / 1048576, (t1 - t0) / 100000 * 1e6);
	aw_enricher_free(en);
}

int
main(int argc, char **argv)
{
	FILE *f;
	struct stat st;
	char *buf;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	int repeat = argc > 3 ? atoi(argv[3]) : 20;

	if (argc < 2) {
		fprintf(stderr, "usage: enrich_bench AUDIT_LOG [ROUNDS] [REPEAT]\n");
		return 2;
	}
	if ((f = fopen(argv[1], "r")) == NULL || fstat(fileno(f), &st) != 0) {
		perror(argv[1]);
		return 1;
	}
	buf = malloc((size_t)st.st_size);
	if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		perror("read");
		return 1;
	}
	fclose(f);
	bench_memory();
	bench_cost(buf, (size_t)st.st_size, rounds, repeat);
	bench_live_processes();
	free(buf);
	return 0;
}
