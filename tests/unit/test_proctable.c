/*
 * test_proctable.c — the enricher's process table, users and container
 * identity, driven by hand-built struct aw_event values against a fake
 * /proc tree (enrich.host_proc points at a temporary directory).
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

#include "config.h"
#include "enrich.h"
#include "enrich/meta.h"
#include "event.h"

#define DOCKER_ID "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define DOCKER_ID2 "2b45249a1a21d3806efd98e2eb93c7dc319c645a27e7cd85362227becc68ca44"

struct fx {
	char root[256];		/* fake /proc */
	char etc[300];		/* fake host passwd/group dir */
	struct aw_config cfg;
	struct aw_enricher *en;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void
writef(const char *dir, const char *name, const char *fmt, ...)
{
	char path[600], buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, buf, (size_t)n);
}

static unsigned long long
ticks_now(void)
{
	FILE *f = fopen("/proc/uptime", "r");
	double up = 0;

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lf", &up), 1);
	fclose(f);
	return (unsigned long long)(up * (double)sysconf(_SC_CLK_TCK));
}

/* A fake /proc/<pid>. argv: NULL-terminated. start_ticks: since boot. */
static void
fake_proc(struct fx *f, int pid, int ppid, const char *comm, const char *exe,
    const char *const *argv, int uid, unsigned long long start_ticks,
    int tty_nr, const char *cgroup)
{
	char dir[400], path[600], cmd[1024];
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/%d", f->root, pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	writef(dir, "stat", "%d (%s) S %d %d %d %d -1 4194560 0 0 0 0 0 0 0 0 "
	    "20 0 1 0 %llu 1000 100 0\n", pid, comm, ppid, pid, pid, tty_nr,
	    start_ticks);
	writef(dir, "status", "Name:\t%s\nUid:\t%d\t%d\t%d\t%d\n"
	    "Gid:\t%d\t%d\t%d\t%d\nNSpid:\t%d\n", comm, uid, uid, uid, uid,
	    uid, uid, uid, uid, pid);
	for (int i = 0; argv && argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(cmd + n, argv[i], l);
		n += l;
	}
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	write_file(path, cmd, n);
	writef(dir, "cgroup", "%s", cgroup ? cgroup : "0::/user.slice\n");
	writef(dir, "loginuid", "1000");
	writef(dir, "sessionid", "3");
	snprintf(path, sizeof(path), "%s/exe", dir);
	assert_int_equal(symlink(exe, path), 0);
	snprintf(path, sizeof(path), "%s/cwd", dir);
	assert_int_equal(symlink("/home/alice", path), 0);
	snprintf(path, sizeof(path), "%s/root", dir);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void
enricher_start(struct fx *f, const char *const *overrides)
{
	char err[256], kv[600];

	aw_config_init(&f->cfg);
	snprintf(kv, sizeof(kv), "enrich.host_proc=%s", f->root);
	assert_int_equal(aw_config_override(&f->cfg, kv, err, sizeof(err)), 0);
	snprintf(kv, sizeof(kv), "enrich.passwd_file=%s/passwd", f->etc);
	assert_int_equal(aw_config_override(&f->cfg, kv, err, sizeof(err)), 0);
	snprintf(kv, sizeof(kv), "enrich.group_file=%s/group", f->etc);
	assert_int_equal(aw_config_override(&f->cfg, kv, err, sizeof(err)), 0);
	assert_int_equal(aw_config_override(&f->cfg, "enrich.metadata=false",
	    err, sizeof(err)), 0);
	for (int i = 0; overrides && overrides[i]; i++)
		assert_int_equal(aw_config_override(&f->cfg, overrides[i], err,
		    sizeof(err)), 0);
	f->en = aw_enricher_new(&f->cfg);
	assert_non_null(f->en);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	static const char *const a_init[] = { "/sbin/init", NULL };
	static const char *const a_sshd[] = { "sshd: alice [priv]", NULL };
	static const char *const a_bash[] = { "-bash", NULL };

	snprintf(f->root, sizeof(f->root), "/tmp/aw-test-proc.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->etc, sizeof(f->etc), "%s/etc", f->root);
	assert_int_equal(mkdir(f->etc, 0755), 0);
	writef(f->etc, "passwd", "root:x:0:0:root:/root:/bin/sh\n"
	    "alice:x:1000:1000::/home/alice:/bin/bash\n");
	writef(f->etc, "group", "root:x:0:\nstaff:x:50:alice\n");
	fake_proc(f, 1, 0, "systemd", "/usr/lib/systemd/systemd", a_init, 0,
	    1, 0, "0::/init.scope\n");
	fake_proc(f, 100, 1, "sshd", "/usr/sbin/sshd", a_sshd, 0, 50, 0,
	    "0::/system.slice/ssh.service\n");
	/* tty_nr 34816 = pts/0 */
	fake_proc(f, 200, 100, "bash", "/usr/bin/bash", a_bash, 1000, 90,
	    34816, NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[400];

	aw_enricher_free(f->en);
	aw_config_free(&f->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->root);
	free(f);
	return 0;
}

/* ------------------------------------------------------------ events */

struct evbuf {
	struct aw_event ev;
	struct aw_str argv[1100];
};

static struct aw_str
S(const char *s)
{
	return (struct aw_str){ s, s ? strlen(s) : 0 };
}

static struct aw_event *
mkev(struct evbuf *b, const char *syscall, int64_t pid, int64_t ppid,
    int64_t exit, const char *comm, const char *exe, uint64_t t_ms)
{
	struct aw_event *ev = &b->ev;

	memset(b, 0, sizeof(*b));
	ev->sec = t_ms / 1000;
	ev->msec = (uint32_t)(t_ms % 1000);
	ev->has_syscall = 1;
	ev->arch = 0xc000003eu;
	ev->syscall = AW_NONE;
	ev->syscall_name = syscall;
	ev->success = 1;
	ev->exit = exit;
	ev->pid = pid;
	ev->ppid = ppid;
	ev->uid = ev->euid = ev->suid = ev->fsuid = 0;
	ev->gid = ev->egid = ev->sgid = ev->fsgid = 0;
	ev->auid = 1000;
	ev->ses = 3;
	ev->comm = S(comm);
	ev->exe = S(exe);
	ev->tty = S("pts0");
	ev->argc = AW_NONE;
	ev->items = 0;
	return ev;
}

static struct aw_event *
mkexec(struct evbuf *b, int64_t pid, int64_t ppid, const char *comm,
    const char *exe, const char *const *argv, uint64_t t_ms)
{
	struct aw_event *ev = mkev(b, "execve", pid, ppid, 0, comm, exe, t_ms);
	int n = 0;

	while (argv[n]) {
		b->argv[n] = S(argv[n]);
		n++;
	}
	ev->argv = b->argv;
	ev->nargv = n;
	ev->argc = n;
	ev->cwd = S("/tmp");
	return ev;
}

static void
observe(struct fx *f, struct aw_event *ev)
{
	aw_enricher_observe(f->en, ev);
}

/* ------------------------------------------------------------ tests */

static void
test_scan_and_ancestors(void **state)
{
	struct fx *f = *state;
	const struct aw_proc *p, *pp;
	const struct aw_enricher_stats *st;

	enricher_start(f, NULL);
	st = aw_enricher_stats(f->en);
	assert_int_equal(st->procs, 3);
	assert_int_equal(st->cgroup_reads, 3);
	p = aw_enricher_proc(f->en, 200);
	assert_non_null(p);
	assert_string_equal(p->comm, "bash");
	assert_string_equal(p->exe, "/usr/bin/bash");
	assert_int_equal(p->argc, 1);
	assert_string_equal(p->argv[0], "-bash");
	assert_string_equal(p->tty, "pts0");
	assert_string_equal(p->cwd, "/home/alice");
	assert_int_equal(p->uid, 1000);
	assert_int_equal(p->auid, 1000);
	assert_string_equal(p->container_id, "host");
	assert_string_equal(p->container_type, "host");
	assert_null(p->pod_uid);
	pp = aw_enricher_parent(f->en, p);
	assert_non_null(pp);
	assert_string_equal(pp->comm, "sshd");
	assert_string_equal(pp->argv[0], "sshd: alice [priv]");
	assert_string_equal(aw_enricher_ancestor(f->en, p, 2)->comm, "systemd");
	assert_null(aw_enricher_ancestor(f->en, p, 3));
	/* start times come from stat's starttime: parents are older */
	assert_true(pp->start_ns < p->start_ns);
	assert_int_equal(aw_enricher_stats(f->en)->misses, 0);
	assert_null(aw_enricher_proc(f->en, 4242));	/* no such process */
	assert_int_equal(aw_enricher_stats(f->en)->procs, 3);
}

/* sh -c 'sh -c "cat /etc/shadow"' from bash (200); the two shells exit
 * before the event of cat is processed, and none of them is in /proc. */
static void
run_chain(struct fx *f, int with_clone, int child_exec_first)
{
	static const char *const a300[] = { "sh", "-c",
	    "sh -c \"cat /etc/shadow\"", NULL };
	static const char *const a301[] = { "sh", "-c", "cat /etc/shadow",
	    NULL };
	static const char *const a302[] = { "cat", "/etc/shadow", NULL };
	struct evbuf b;
	uint64_t t = now_ms();

	if (with_clone)
		observe(f, mkev(&b, "clone", 200, 100, 300, "bash",
		    "/usr/bin/bash", t));
	observe(f, mkexec(&b, 300, 200, "sh", "/usr/bin/dash", a300, t + 1));
	if (with_clone)
		observe(f, mkev(&b, "clone", 300, 200, 301, "sh",
		    "/usr/bin/dash", t + 2));
	observe(f, mkexec(&b, 301, 300, "sh", "/usr/bin/dash", a301, t + 3));
	if (child_exec_first) {
		observe(f, mkexec(&b, 302, 301, "cat", "/usr/bin/cat", a302,
		    t + 4));
		observe(f, mkev(&b, "clone", 301, 300, 302, "sh",
		    "/usr/bin/dash", t + 4));
	} else {
		if (with_clone)
			observe(f, mkev(&b, "clone", 301, 300, 302, "sh",
			    "/usr/bin/dash", t + 4));
		observe(f, mkexec(&b, 302, 301, "cat", "/usr/bin/cat", a302,
		    t + 5));
	}
	observe(f, mkev(&b, "exit_group", 301, 300, AW_NONE, "sh",
	    "/usr/bin/dash", t + 6));
	observe(f, mkev(&b, "exit_group", 300, 200, AW_NONE, "sh",
	    "/usr/bin/dash", t + 7));
	observe(f, mkev(&b, "openat", 302, 301, 3, "cat", "/usr/bin/cat",
	    t + 8));
}

static void
check_chain(struct fx *f)
{
	const struct aw_proc *p = aw_enricher_proc(f->en, 302), *pp, *gp;

	assert_non_null(p);
	assert_string_equal(p->comm, "cat");
	assert_string_equal(p->exe, "/usr/bin/cat");
	assert_int_equal(p->argc, 2);
	assert_string_equal(p->argv[1], "/etc/shadow");
	assert_string_equal(p->cwd, "/tmp");
	assert_int_equal(p->exited, 0);
	pp = aw_enricher_parent(f->en, p);
	assert_non_null(pp);
	assert_int_equal(pp->pid, 301);
	assert_string_equal(pp->comm, "sh");
	assert_string_equal(pp->argv[2], "cat /etc/shadow");
	assert_int_equal(pp->exited, 1);
	gp = aw_enricher_ancestor(f->en, p, 2);
	assert_non_null(gp);
	assert_int_equal(gp->pid, 300);
	assert_string_equal(gp->argv[2], "sh -c \"cat /etc/shadow\"");
	assert_int_equal(gp->exited, 1);
	assert_string_equal(aw_enricher_ancestor(f->en, p, 3)->comm, "bash");
	assert_string_equal(aw_enricher_ancestor(f->en, p, 4)->comm, "sshd");
	/* gone from /proc: the container is the parent's (host) */
	assert_string_equal(p->container_id, "host");
	assert_string_equal(pp->container_id, "host");
}

static void
test_chain_with_clone_events(void **state)
{
	struct fx *f = *state;

	enricher_start(f, NULL);
	run_chain(f, 1, 0);
	check_chain(f);
	/* none of 300..302 had a cgroup file to read */
	assert_int_equal(aw_enricher_stats(f->en)->cgroup_reads, 3);
}

static void
test_chain_exec_only(void **state)
{
	struct fx *f = *state;

	enricher_start(f, NULL);
	run_chain(f, 0, 0);
	check_chain(f);
}

static void
test_chain_child_exec_before_clone(void **state)
{
	struct fx *f = *state;

	enricher_start(f, NULL);
	run_chain(f, 1, 1);
	check_chain(f);	/* the late clone event did not overwrite cat */
}

static void
test_container_cgroup_read_once(void **state)
{
	struct fx *f = *state;
	static const char *const argv[] = { "nginx", "-g", "daemon off;",
	    NULL };
	struct evbuf b;
	uint64_t t = now_ms();
	const struct aw_proc *p, *c;
	uint64_t reads;

	enricher_start(f, NULL);
	reads = aw_enricher_stats(f->en)->cgroup_reads;
	/* appears after the scan, in a Docker container (cgroup v1 hybrid) */
	fake_proc(f, 400, 1, "nginx", "/usr/sbin/nginx", argv, 101, 100, 0,
	    "9:name=systemd:/\n4:memory:/docker/" DOCKER_ID "\n0::/\n");
	observe(f, mkexec(&b, 400, 1, "nginx", "/usr/sbin/nginx", argv, t));
	p = aw_enricher_proc(f->en, 400);
	assert_string_equal(p->container_id, "7951fb549ab9");
	assert_string_equal(p->container_full_id, DOCKER_ID);
	assert_string_equal(p->container_type, "docker");
	assert_string_equal(p->container_engine, "docker");
	assert_int_equal(aw_enricher_stats(f->en)->cgroup_reads, reads + 1);
	for (int i = 0; i < 100; i++)
		observe(f, mkev(&b, "openat", 400, 1, 5, "nginx",
		    "/usr/sbin/nginx", t + 1));
	assert_int_equal(aw_enricher_stats(f->en)->cgroup_reads, reads + 1);
	/* a worker forked and gone before we look: inherits the container */
	observe(f, mkev(&b, "clone", 400, 1, 401, "nginx", "/usr/sbin/nginx",
	    t + 2));
	observe(f, mkev(&b, "openat", 401, 400, 5, "nginx", "/usr/sbin/nginx",
	    t + 3));
	c = aw_enricher_proc(f->en, 401);
	assert_non_null(c);
	assert_string_equal(c->container_id, "7951fb549ab9");
	assert_string_equal(c->argv[2], "daemon off;");
	assert_int_equal(c->ppid, 400);
	assert_int_equal(aw_enricher_stats(f->en)->cgroup_reads, reads + 1);
	/* one identity shared by both */
	assert_ptr_equal(c->container_id, aw_enricher_proc(f->en, 400)->container_id);
}

static void
test_pid_reuse(void **state)
{
	struct fx *f = *state;
	static const char *const a1[] = { "old", NULL };
	static const char *const a2[] = { "new", "--flag", NULL };
	struct evbuf b;
	uint64_t t = now_ms();
	const struct aw_proc *p;
	uint64_t reads;

	enricher_start(f, NULL);
	/* /proc/500 started an hour after the event: another process */
	fake_proc(f, 500, 1, "impostor", "/bin/impostor", a1, 0,
	    ticks_now() + 3600ull * (unsigned long long)sysconf(_SC_CLK_TCK), 0,
	    "0::/system.slice/docker-" DOCKER_ID2 ".scope\n");
	reads = aw_enricher_stats(f->en)->proc_reads;
	observe(f, mkexec(&b, 500, 200, "real", "/bin/real", a1, t));
	p = aw_enricher_proc(f->en, 500);
	assert_string_equal(p->exe, "/bin/real");
	assert_int_equal(aw_enricher_stats(f->en)->proc_reads, reads);
	assert_string_equal(p->container_id, "host");	/* from bash, 200 */

	/* exit, then the pid is reused by a new exec */
	observe(f, mkev(&b, "exit_group", 500, 200, AW_NONE, "real",
	    "/bin/real", t + 1));
	assert_int_equal(aw_enricher_proc(f->en, 500)->exited, 1);
	observe(f, mkexec(&b, 500, 1, "new", "/bin/new", a2, t + 10));
	p = aw_enricher_proc(f->en, 500);
	assert_int_equal(p->exited, 0);
	assert_string_equal(p->exe, "/bin/new");
	assert_int_equal(p->argc, 2);
	assert_int_equal(p->ppid, 1);
}

/* Rewrite the state and flags of a fake process's stat. */
static void
fake_state(struct fx *f, int pid, int ppid, char st, unsigned long flags)
{
	char dir[400];

	snprintf(dir, sizeof(dir), "%s/%d", f->root, pid);
	writef(dir, "stat", "%d (x) %c %d %d %d 0 -1 %lu 0 0 0 0 0 0 0 0 "
	    "20 0 1 0 100 1000 100 0\n", pid, st, ppid, pid, pid, flags);
}

/* A zombie's (or an exiting task's) cgroup file shows the root cgroup:
 * it must not make a container process "host". */
static void
test_dying_process_keeps_parent_container(void **state)
{
	struct fx *f = *state;
	static const char *const argv[] = { "worker", NULL };
	struct evbuf b;
	uint64_t t = now_ms();
	const struct aw_proc *p;

	enricher_start(f, NULL);
	fake_proc(f, 440, 1, "app", "/app", argv, 0, 100, 0,
	    "0::/system.slice/docker-" DOCKER_ID ".scope\n");
	observe(f, mkexec(&b, 440, 1, "app", "/app", argv, t));
	assert_string_equal(aw_enricher_proc(f->en, 440)->container_id,
	    "7951fb549ab9");
	/* a zombie child, and a child in do_exit (PF_EXITING), both with
	 * the root cgroup as the kernel shows it by then */
	fake_proc(f, 441, 440, "worker", "/worker", argv, 0, 100, 0,
	    "4:pids:/\n0::/\n");
	fake_state(f, 441, 440, 'Z', 0x400100);
	fake_proc(f, 442, 440, "worker", "/worker", argv, 0, 100, 0,
	    "4:pids:/\n0::/\n");
	fake_state(f, 442, 440, 'R', 0x400104);
	observe(f, mkexec(&b, 441, 440, "worker", "/worker", argv, t + 1));
	observe(f, mkexec(&b, 442, 440, "worker", "/worker", argv, t + 2));
	p = aw_enricher_proc(f->en, 441);
	assert_string_equal(p->container_id, "7951fb549ab9");
	p = aw_enricher_proc(f->en, 442);
	assert_string_equal(p->container_id, "7951fb549ab9");
	/* the same child alive: its own cgroup wins */
	fake_state(f, 442, 440, 'S', 0x400100);
	observe(f, mkexec(&b, 442, 440, "worker", "/worker", argv, t + 3));
	assert_string_equal(aw_enricher_proc(f->en, 442)->container_id, "host");
}

/* A gone process takes its parent's container; while no container was
 * attached anywhere the enricher skips re-checking the parent, but one
 * attached since (here: the parent's own exec) is seen at once. */
static void
test_inherit_after_parent_gets_container(void **state)
{
	struct fx *f = *state;
	static const char *const argv[] = { "app", NULL };
	struct evbuf b;
	uint64_t t = now_ms();

	enricher_start(f, NULL);
	/* 451 has no /proc entry (gone), its parent 450 is not known yet */
	observe(f, mkev(&b, "openat", 451, 450, 3, "worker", "/worker", t));
	assert_null(aw_enricher_proc(f->en, 451)->container_id);
	observe(f, mkev(&b, "openat", 451, 450, 3, "worker", "/worker", t + 1));
	assert_null(aw_enricher_proc(f->en, 451)->container_id);
	fake_proc(f, 450, 1, "app", "/app", argv, 0, 100, 0,
	    "0::/system.slice/docker-" DOCKER_ID ".scope\n");
	observe(f, mkexec(&b, 450, 1, "app", "/app", argv, t + 2));
	assert_string_equal(aw_enricher_proc(f->en, 450)->container_id,
	    "7951fb549ab9");
	observe(f, mkev(&b, "openat", 451, 450, 3, "worker", "/worker", t + 3));
	assert_string_equal(aw_enricher_proc(f->en, 451)->container_id,
	    "7951fb549ab9");
}

/* The rule engine's lookups of the event's process and parent reuse what
 * observe() found, but count and reorder the LRU exactly as lookups do. */
static void
test_event_lookups_count_and_touch(void **state)
{
	struct fx *f = *state;
	static const char *const ov[] = { "enrich.proc_table_max=4", NULL };
	const struct aw_enricher_stats *st;
	const struct aw_proc *p, *pp;
	struct evbuf b;
	uint64_t t = now_ms(), hits0, misses0;

	enricher_start(f, ov);	/* the scan loads 1, 100 and 200 */
	st = aw_enricher_stats(f->en);
	hits0 = st->hits;
	misses0 = st->misses;
	/* 200 forks 210: the child is now the most recent entry */
	observe(f, mkev(&b, "clone", 200, 100, 210, "bash", "/usr/bin/bash",
	    t));
	p = aw_enricher_proc(f->en, 200);
	assert_non_null(p);
	assert_int_equal(p->pid, 200);
	assert_ptr_equal(aw_enricher_proc(f->en, 200), p);
	pp = aw_enricher_parent(f->en, p);
	assert_non_null(pp);
	assert_int_equal(pp->pid, 100);
	st = aw_enricher_stats(f->en);
	assert_int_equal(st->hits - hits0, 4);	/* observe, proc x2, parent */
	assert_int_equal(st->misses - misses0, 0);
	assert_int_equal(st->procs, 4);
	/* LRU now 100, 200, 210, 1: two new processes push out 1, then
	 * 210 (200 was touched after its child was added) */
	observe(f, mkev(&b, "openat", 900, 1, 3, "x", "/x", t + 1));
	observe(f, mkev(&b, "openat", 901, 1, 3, "x", "/x", t + 2));
	aw_enricher_observe(f->en, NULL);
	st = aw_enricher_stats(f->en);
	assert_int_equal(st->procs, 4);
	misses0 = st->misses;
	assert_non_null(aw_enricher_proc(f->en, 200));
	assert_non_null(aw_enricher_proc(f->en, 100));
	assert_int_equal(aw_enricher_stats(f->en)->misses, misses0);
	assert_null(aw_enricher_proc(f->en, 210));	/* evicted, no /proc */
	assert_int_equal(aw_enricher_stats(f->en)->misses, misses0 + 1);
}

static void
test_lru_bound_and_counters(void **state)
{
	struct fx *f = *state;
	static const char *const ov[] = { "enrich.proc_table_max=8", NULL };
	static const char *const argv[] = { "x", NULL };
	const struct aw_enricher_stats *st;
	struct evbuf b;
	uint64_t t = now_ms();
	uint64_t misses0, ev0;

	enricher_start(f, ov);
	st = aw_enricher_stats(f->en);
	misses0 = st->misses;
	ev0 = st->evictions;
	for (int pid = 1000; pid < 1050; pid++) {
		observe(f, mkexec(&b, pid, 200, "x", "/bin/x", argv, t));
		/* keep 1000 hot */
		observe(f, mkev(&b, "openat", 1000, 200, 3, "x", "/bin/x", t));
	}
	aw_enricher_observe(f->en, NULL);	/* housekeeping only */
	st = aw_enricher_stats(f->en);
	assert_int_equal(st->procs, 8);
	assert_int_equal(st->misses - misses0, 50);
	assert_int_equal(st->evictions - ev0, 50 + 3 - 8);
	assert_true(st->hits >= 49);
	assert_non_null(aw_enricher_proc(f->en, 1000));
	assert_non_null(aw_enricher_proc(f->en, 1049));
	assert_true(aw_enricher_stats(f->en)->table_bytes > 8 * 100);
}

static void
test_threads_not_processes(void **state)
{
	struct fx *f = *state;
	struct evbuf b;
	struct aw_event *ev;
	uint64_t procs;

	enricher_start(f, NULL);
	procs = aw_enricher_stats(f->en)->procs;
	ev = mkev(&b, "clone", 200, 100, 777, "bash", "/usr/bin/bash", now_ms());
	ev->a[0] = 0x3d0f00;	/* glibc pthread_create: CLONE_THREAD|... */
	observe(f, ev);
	assert_int_equal(aw_enricher_stats(f->en)->procs, procs);
	/* a failed fork creates nothing either */
	ev = mkev(&b, "fork", 200, 100, -11, "bash", "/usr/bin/bash", now_ms());
	ev->success = 0;
	observe(f, ev);
	aw_enricher_observe(f->en, NULL);
	assert_int_equal(aw_enricher_stats(f->en)->procs, procs);
}

static void
test_argv_capped(void **state)
{
	struct fx *f = *state;
	static char args[1000][16];
	const char *argv[1001];
	struct evbuf b;
	const struct aw_proc *p;
	size_t total = 0;

	enricher_start(f, NULL);
	for (int i = 0; i < 1000; i++) {
		snprintf(args[i], sizeof(args[i]), "argument-%04d", i);
		argv[i] = args[i];
	}
	argv[1000] = NULL;
	observe(f, mkexec(&b, 600, 200, "big", "/bin/big", argv, now_ms()));
	p = aw_enricher_proc(f->en, 600);
	assert_true(p->argc > 10 && p->argc < 1000);
	assert_int_equal(p->argv_truncated, 1);
	for (int i = 0; i < p->argc; i++) {
		assert_string_equal(p->argv[i], args[i]);
		total += strlen(p->argv[i]) + 1;
	}
	assert_true(total <= 4096);
	assert_null(p->argv[p->argc]);
}

static void
test_users_host_and_container(void **state)
{
	struct fx *f = *state;
	static const char *const ov[] = { "enrich.users_check_interval=0ms",
	    NULL };
	static const char *const argv[] = { "nginx", NULL };
	char dir[600], path[700], outside[600];
	struct evbuf b;
	const struct aw_proc *p, *q;
	uint64_t t = now_ms();
	uint64_t loads;

	enricher_start(f, ov);
	p = aw_enricher_proc(f->en, 200);
	assert_string_equal(aw_enricher_user_name(f->en, 1000, p), "alice");
	assert_string_equal(aw_enricher_user_name(f->en, 0, NULL), "root");
	assert_string_equal(aw_enricher_group_name(f->en, 50, p), "staff");
	assert_null(aw_enricher_user_name(f->en, 4242, p));
	assert_null(aw_enricher_user_name(f->en, AW_UNSET_ID, NULL));
	/* the host file changes: the next lookup sees it */
	loads = aw_enricher_stats(f->en)->user_db_loads;
	writef(f->etc, "passwd", "root:x:0:0:root:/root:/bin/sh\n"
	    "bob:x:1000:1000::/home/bob:/bin/bash\n");
	aw_enricher_observe(f->en, NULL);
	assert_string_equal(aw_enricher_user_name(f->en, 1000, p), "bob");
	assert_true(aw_enricher_stats(f->en)->user_db_loads > loads);

	/* a container process: names from its own /etc/passwd */
	fake_proc(f, 400, 1, "nginx", "/usr/sbin/nginx", argv, 101, 100, 0,
	    "0::/system.slice/docker-" DOCKER_ID ".scope\n");
	snprintf(dir, sizeof(dir), "%s/400/root/etc", f->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	writef(dir, "passwd", "root:x:0:0::/root:/bin/sh\n"
	    "nginx:x:101:101::/nonexistent:/bin/false\n");
	writef(dir, "group", "nginx:x:101:\n");
	observe(f, mkexec(&b, 400, 1, "nginx", "/usr/sbin/nginx", argv, t));
	p = aw_enricher_proc(f->en, 400);
	assert_string_equal(p->container_id, "7951fb549ab9");
	assert_string_equal(aw_enricher_user_name(f->en, 101, p), "nginx");
	assert_string_equal(aw_enricher_group_name(f->en, 101, p), "nginx");
	assert_null(aw_enricher_user_name(f->en, 101, NULL));	/* host */

	/* a hostile container: /etc/passwd is an absolute symlink to a
	 * file outside its root. It must resolve inside the root. */
	snprintf(outside, sizeof(outside), "%s/outside-passwd", f->root);
	writef(f->root, "outside-passwd", "evil:x:102:102::/:/bin/sh\n");
	fake_proc(f, 700, 1, "app", "/app", argv, 102, 100, 0,
	    "0::/system.slice/docker-" DOCKER_ID2 ".scope\n");
	snprintf(dir, sizeof(dir), "%s/700/root/etc", f->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/passwd", dir);
	assert_int_equal(symlink(outside, path), 0);
	observe(f, mkexec(&b, 700, 1, "app", "/app", argv, t));
	q = aw_enricher_proc(f->en, 700);
	assert_string_equal(q->container_id, "2b45249a1a21");
	assert_null(aw_enricher_user_name(f->en, 102, q));
	/* a FIFO as /etc/group must not block */
	snprintf(path, sizeof(path), "%s/group", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_null(aw_enricher_group_name(f->en, 102, q));
}

static void
test_replayed_events_ignore_proc(void **state)
{
	struct fx *f = *state;
	static const char *const argv[] = { "live", NULL };
	static const char *const old[] = { "historic", NULL };
	struct evbuf b;
	const struct aw_proc *p;
	uint64_t reads;

	enricher_start(f, NULL);
	fake_proc(f, 250, 1, "live", "/bin/live", argv, 0, 100, 0,
	    "0::/system.slice/docker-" DOCKER_ID ".scope\n");
	reads = aw_enricher_stats(f->en)->proc_reads;
	/* an event from a day-old log for a pid that exists here now */
	observe(f, mkexec(&b, 250, 1, "historic", "/bin/historic", old,
	    now_ms() - 86400000ull));
	p = aw_enricher_proc(f->en, 250);
	assert_string_equal(p->exe, "/bin/historic");
	assert_int_equal(aw_enricher_stats(f->en)->proc_reads, reads);
	/* the parent's (host), not the docker cgroup /proc/250 shows now */
	assert_string_equal(p->container_id, "host");
}

static void
test_syscall_numbers_without_names(void **state)
{
	struct fx *f = *state;
	static const char *const argv[] = { "true", NULL };
	struct evbuf b;
	struct aw_event *ev;

	enricher_start(f, NULL);
	ev = mkev(&b, NULL, 200, 100, 900, "bash", "/usr/bin/bash", now_ms());
	ev->syscall = 57;	/* x86_64 fork */
	observe(f, ev);
	ev = mkexec(&b, 900, 200, "true", "/bin/true", argv, now_ms());
	ev->syscall_name = NULL;
	ev->syscall = 59;	/* x86_64 execve */
	observe(f, ev);
	ev = mkev(&b, NULL, 900, 200, AW_NONE, "true", "/bin/true", now_ms());
	ev->syscall = 231;	/* exit_group */
	observe(f, ev);
	assert_int_equal(aw_enricher_proc(f->en, 900)->exited, 1);
	assert_string_equal(aw_enricher_proc(f->en, 900)->argv[0], "true");
	assert_int_equal(aw_enricher_proc(f->en, 900)->ppid, 200);
}

static void
test_host_container_meta(void **state)
{
	struct fx *f = *state;
	const struct aw_container_meta *m;

	enricher_start(f, NULL);
	m = aw_enricher_container(f->en, "host");
	assert_non_null(m);
	assert_string_equal(m->name, "host");
	assert_null(aw_enricher_container(f->en, "7951fb549ab9"));
	assert_null(aw_enricher_container_wait(f->en, "7951fb549ab9"));
	assert_null(aw_enricher_container(f->en, NULL));
}

/* container.image.repository / .tag, Falco style but registry-port and
 * digest aware */
static void
test_image_split(void **state)
{
	static const struct {
		const char *image, *repo, *tag;
	} cases[] = {
		{ "nginx", "nginx", "latest" },
		{ "nginx:1.25", "nginx", "1.25" },
		{ "docker.io/library/nginx:1.25", "docker.io/library/nginx", "1.25" },
		{ "registry.local:5000/shop/app", "registry.local:5000/shop/app",
		    "latest" },
		{ "registry.local:5000/shop/app:v2", "registry.local:5000/shop/app",
		    "v2" },
		{ "app@sha256:0123abcd", "app", "" },
		{ "quay.io/x/y:1.0@sha256:0123abcd", "quay.io/x/y", "1.0" },
		{ "localhost:5000/app@sha256:ff", "localhost:5000/app", "" },
	};
	char repo[256], tag[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aw_meta_split_image(cases[i].image, repo, sizeof(repo), tag,
		    sizeof(tag));
		assert_string_equal(repo, cases[i].repo);
		assert_string_equal(tag, cases[i].tag);
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scan_and_ancestors),
		T(test_chain_with_clone_events),
		T(test_chain_exec_only),
		T(test_chain_child_exec_before_clone),
		T(test_container_cgroup_read_once),
		T(test_pid_reuse),
		T(test_dying_process_keeps_parent_container),
		T(test_inherit_after_parent_gets_container),
		T(test_event_lookups_count_and_touch),
		T(test_lru_bound_and_counters),
		T(test_threads_not_processes),
		T(test_argv_capped),
		T(test_users_host_and_container),
		T(test_replayed_events_ignore_proc),
		T(test_syscall_numbers_without_names),
		T(test_host_container_meta),
		cmocka_unit_test(test_image_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
