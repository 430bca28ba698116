/*
 * enricher.c — the aw_enricher_* functions of enrich.h: what an audit
 * event means for the process table, and the lookups the rule engine uses.
 *
 * Process table policy (storage is proctable.c):
 *   - start: one scan of <host_proc> fills the table with the live
 *     processes (pid, ppid, exe, argv, cwd, ids, tty, start time, cgroup);
 *   - every event with a SYSCALL record updates its process: ppid, ids,
 *     comm, exe and tty as the kernel reported them at that moment. An
 *     unknown pid is loaded from /proc — but only if /proc/<pid> started
 *     no later than the event (else the pid was reused since) — or, when
 *     the process is already gone, built from the event itself, with the
 *     container of its parent (laurel's rule);
 *   - execve/execveat (successful): new argv (EXECVE record, since
 *     PROCTITLE is stale after exec and cut at 128 bytes), cwd, exec time,
 *     and the cgroup file is read: once per exec, never per event;
 *   - clone/clone3/fork/vfork (exit = child pid): the child starts as a
 *     copy of its parent, so a child that exits before anything reads
 *     /proc still has exe, argv and container. Threads (CLONE_THREAD, or
 *     for clone3 a tid listed under the parent's task/) are skipped, and
 *     so are callers in a nested pid namespace, whose clone() returns a
 *     pid of that namespace, not the host pid the table is keyed by.
 *     A child already seen by a newer event (it exec'd before the parent's
 *     clone event was processed) is left alone;
 *   - exit_group: the entry is marked exited but kept, so the events of
 *     its children, processed later, still find their parent and
 *     grandparent. Entries leave only by LRU eviction;
 *   - a pid whose entry exited and that shows up again later is a new
 *     process (pid reuse): the entry is rebuilt.
 *
 * Pointers returned by lookups stay valid until the next observe():
 * eviction and frees of retired user tables and metadata happen only at
 * the start of observe(). That is also what lets observe() keep the
 * entries of the event's process and of its parent for the rule engine's
 * aw_enricher_proc() and aw_enricher_parent() of the same event: they
 * cost an LRU touch, not a second lookup. (During an evaluation entries
 * are only added, or removed right after being added when /proc did not
 * know the pid; an existing entry never goes.)
 *
 * A process without a container takes its parent's (below), which costs
 * a lookup of the parent per event; for a replayed log, where no entry
 * ever gets a container, that lookup is pure waste. So the enricher
 * counts container attachments (ci_gen) and an entry remembers the ppid
 * and count at which its parent had none: nothing can have changed
 * until the count moves.
 *
 * With enrich.host_proc "none", or for events older than one minute
 * before the enricher started (a replayed log), /proc is not consulted:
 * the pids of an old log mean nothing on this machine.
 *
 * Configuration (all optional):
 *   enrich.proc_table_max        65536   processes kept (LRU)
 *   enrich.host_proc             /proc   the host's /proc; "none": never
 *   enrich.scan_proc             true    fill the table from /proc at start
 *   enrich.passwd_file, enrich.group_file
 *                                /etc/passwd, /etc/group (or under
 *                                <host_proc>/1/root when host_proc moved)
 *   enrich.users_check_interval  2s      re-stat cached passwd/group files
 *   enrich.containerd_namespaces [default]  "*": any, as Falco's plugin
 *   enrich.metadata              true    false: no endpoint is asked
 *   enrich.docker_socket         /var/run/docker.sock ("" : unused)
 *   enrich.podman_socket         /run/podman/podman.sock
 *   enrich.kubelet_url           ""      e.g. https://$NODE_IP:10250
 *   enrich.kubelet_token_file    /var/run/secrets/kubernetes.io/
 *                                serviceaccount/token
 *   enrich.kubelet_ca_file       ""      CA for the kubelet's certificate
 *                                        ("": the system's CAs)
 *   enrich.kubelet_insecure      false   do not verify that certificate
 *   enrich.metadata_wait         100ms   longest an alert waits
 *   enrich.metadata_timeout      2s      per HTTP request
 *   enrich.kubelet_min_interval  1s      between /pods calls
 *   enrich.metadata_retry        10s     ask again after "not found"
 *   enrich.metadata_max          4096    containers cached
 */
#include "autoconf.h"
#include "enrich.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "enrich/cgroup.h"
#include "enrich/meta.h"
#include "enrich/procfs.h"
#include "enrich/proctable.h"
#include "enrich/users.h"
#include "log.h"

#define START_TOLERANCE_NS 50000000ull	/* 50 ms: tick and ms rounding */
#define REPLAY_HORIZON_NS 60000000000ull	/* events older: replay */
#define CGROUP_BUF 16384
#define MAX_NS 64

#define CLONE_PARENT_FLAG 0x00008000ull
#define CLONE_THREAD_FLAG 0x00010000ull

const char *const aw_enricher_syscalls[] = {
	"execve", "execveat", "clone", "clone3", "fork", "vfork", "exit_group",
	NULL
};

enum ev_kind { K_OTHER, K_EXEC, K_CLONE, K_CLONE3, K_EXIT };

struct aw_enricher {
	struct aw_procfs fs;
	int use_proc;
	uint64_t created_ns;
	struct aw_ptable *pt;
	struct aw_users *users;
	struct aw_meta *meta;
	struct aw_cgroup_opts cg_opts;
	char *ns_store[MAX_NS + 1];
	struct aw_procfs_info *scratch;
	char *cgbuf;
	uint64_t ci_gen;		/* containers attached so far */
	/* the last observed event's entries, valid until the next observe() */
	struct aw_pentry *cur, *cur_parent;
	struct aw_enricher_stats st;
};

static const struct aw_container_meta host_meta = {
	.name = "host", .privileged = -1,
};

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
event_ns(const struct aw_event *ev)
{
	return ev->sec * 1000000000ull + (uint64_t)ev->msec * 1000000ull;
}

/* ------------------------------------------------------------ config */

static int64_t
cfg_int(const struct aw_config *cfg, const char *key, int64_t dflt, int ms)
{
	char err[256];
	int64_t v = dflt;

	if (cfg == NULL)
		return dflt;
	if ((ms ? aw_config_ms(cfg, key, dflt, &v, err, sizeof(err)) :
	    aw_config_int(cfg, key, dflt, &v, err, sizeof(err))) < 0 || v < 0) {
		aw_warn("%s: %s; using the default", key, err);
		return dflt;
	}
	return v;
}

static const char *
cfg_str(const struct aw_config *cfg, const char *key, const char *dflt)
{
	return cfg ? aw_config_str(cfg, key, dflt) : dflt;
}

static int
cfg_bool(const struct aw_config *cfg, const char *key, int dflt)
{
	char err[256];
	int v = dflt;

	if (cfg && aw_config_bool(cfg, key, dflt, &v, err, sizeof(err)) < 0) {
		aw_warn("%s: %s; using the default", key, err);
		return dflt;
	}
	return v;
}

static void
setup_namespaces(struct aw_enricher *en, const struct aw_config *cfg)
{
	const char *list[MAX_NS];
	size_t n = cfg ? aw_config_list(cfg, "enrich.containerd_namespaces",
	    list, MAX_NS) : 0;

	if (n == 0) {
		en->cg_opts.containerd_namespaces = NULL;	/* "default" */
		return;
	}
	for (size_t i = 0; i < n; i++)
		en->ns_store[i] = strdup(list[i]);
	en->ns_store[n] = NULL;
	en->cg_opts.containerd_namespaces = (const char *const *)en->ns_store;
}

static void
setup_meta(struct aw_enricher *en, const struct aw_config *cfg)
{
	struct aw_meta_config mc;

	memset(&mc, 0, sizeof(mc));
	mc.docker_socket = cfg_str(cfg, "enrich.docker_socket",
	    "/var/run/docker.sock");
	mc.podman_socket = cfg_str(cfg, "enrich.podman_socket",
	    "/run/podman/podman.sock");
	mc.kubelet_url = cfg_str(cfg, "enrich.kubelet_url", "");
	mc.kubelet_token_file = cfg_str(cfg, "enrich.kubelet_token_file",
	    "/var/run/secrets/kubernetes.io/serviceaccount/token");
	mc.kubelet_ca_file = cfg_str(cfg, "enrich.kubelet_ca_file", "");
	mc.kubelet_insecure = cfg_bool(cfg, "enrich.kubelet_insecure", 0);
	mc.wait_ms = (uint64_t)cfg_int(cfg, "enrich.metadata_wait", 100, 1);
	mc.timeout_ms = (uint64_t)cfg_int(cfg, "enrich.metadata_timeout", 2000,
	    1);
	mc.kubelet_min_interval_ms = (uint64_t)cfg_int(cfg,
	    "enrich.kubelet_min_interval", 1000, 1);
	mc.retry_ms = (uint64_t)cfg_int(cfg, "enrich.metadata_retry", 10000, 1);
	mc.max_entries = (unsigned)cfg_int(cfg, "enrich.metadata_max", 4096, 0);
	if (!cfg_bool(cfg, "enrich.metadata", 1))
		mc.docker_socket = mc.podman_socket = mc.kubelet_url = "";
	en->meta = aw_meta_new(&mc);
}

/* ------------------------------------------------------------ helpers */

static int
proc_usable(const struct aw_enricher *en, uint64_t t)
{
	return en->use_proc && t + REPLAY_HORIZON_NS >= en->created_ns;
}

const char *
aw_enricher_live_proc(const struct aw_enricher *en, const struct aw_event *ev)
{
	if (en == NULL || ev == NULL || !proc_usable(en, event_ns(ev)))
		return NULL;
	return en->fs.root;
}

static struct aw_cinfo *
cinfo_from_cgroup(struct aw_enricher *en, const struct aw_cgroup_info *info)
{
	char key[200];
	struct aw_cinfo *ci;
	int created;

	if (info->matched)
		snprintf(key, sizeof(key), "%s", info->full_id);
	else if (info->pod_uid[0])	/* e.g. CRI-O conmon: host, in a pod */
		snprintf(key, sizeof(key), "host/pod/%s", info->pod_uid);
	else
		snprintf(key, sizeof(key), "host");
	if ((ci = aw_ptable_cinfo(en->pt, key, &created)) == NULL || !created)
		return ci;
	snprintf(ci->id, sizeof(ci->id), "%s", info->matched ? info->id :
	    "host");
	snprintf(ci->full_id, sizeof(ci->full_id), "%s", info->full_id);
	ci->runtime = info->runtime;
	ci->engine = info->engine;
	snprintf(ci->pod_uid, sizeof(ci->pod_uid), "%s", info->pod_uid);
	snprintf(ci->pod_config_hash, sizeof(ci->pod_config_hash), "%s",
	    info->pod_config_hash);
	if (info->matched) {
		aw_meta_request(en->meta, ci->id, ci->full_id, ci->runtime,
		    ci->pod_uid);
		ci->meta_requested = 1;
	}
	return ci;
}

static void
attach_cinfo(struct aw_enricher *en, struct aw_pentry *e, struct aw_cinfo *ci)
{
	if (ci && e->ci != ci)
		en->ci_gen++;
	aw_pentry_set_cinfo(en->pt, e, ci);
	e->pub.container_engine = ci ? ci->engine : NULL;
}

/*
 * The container of pid from its cgroup file, if pid is still the process
 * of time t (0: any): the file is read first, then stat says whether the
 * process was alive and not exiting (an exiting task is moved to the root
 * cgroup: its file would say "host") and started no later than t. NULL
 * otherwise. *start gets the start time.
 */
static struct aw_cinfo *
read_cgroup(struct aw_enricher *en, int64_t pid, uint64_t t, uint64_t *start)
{
	struct aw_cgroup_info info;
	ssize_t n = aw_procfs_cgroup(&en->fs, pid, en->cgbuf, CGROUP_BUF);

	if (n < 0)
		return NULL;
	en->st.cgroup_reads++;
	if (aw_procfs_start_ns(&en->fs, pid, start) < 0 ||
	    (t && *start > t + START_TOLERANCE_NS))
		return NULL;
	aw_cgroup_parse(en->cgbuf, (size_t)n, &en->cg_opts, &info);
	return cinfo_from_cgroup(en, &info);
}

/* Inherit the container of the parent when the process is gone. */
static void
inherit_parent_container(struct aw_enricher *en, struct aw_pentry *e)
{
	struct aw_pentry *parent;

	if (e->ci || e->pub.ppid <= 0 || e->pub.ppid == e->pid)
		return;
	/* no container attached anywhere since the parent had none */
	if (e->inherit_ppid == e->pub.ppid && e->inherit_gen == en->ci_gen)
		return;
	if ((parent = aw_ptable_peek(en->pt, e->pub.ppid)) != NULL) {
		en->cur_parent = parent;
		if (parent->ci) {
			attach_cinfo(en, e, parent->ci);
			return;
		}
	}
	e->inherit_ppid = e->pub.ppid;
	e->inherit_gen = en->ci_gen;
}

/* Fill e from /proc/<pid> if it is the process that existed at time t
 * (0: any). Returns 0 when used, -1 otherwise. */
static int
load_from_proc(struct aw_enricher *en, struct aw_pentry *e, int64_t pid,
    uint64_t t)
{
	struct aw_procfs_info *pi = en->scratch;
	struct aw_pstrings s;
	struct aw_cgroup_info info;
	ssize_t n;

	if (!en->use_proc)
		return -1;
	/* the cgroup first: stat, read after it, vouches for it */
	if ((n = aw_procfs_cgroup(&en->fs, pid, en->cgbuf, CGROUP_BUF)) < 0)
		return -1;
	en->st.cgroup_reads++;
	if (aw_procfs_read(&en->fs, pid, pi) < 0)
		return -1;
	if (t && pi->start_ns > t + START_TOLERANCE_NS)
		return -1;	/* started after the event: pid reused */
	en->st.proc_reads++;
	memset(&s, 0, sizeof(s));
	s.exe = pi->exe[0] ? pi->exe : NULL;
	s.exe_len = strlen(pi->exe);
	s.comm = pi->comm;
	s.comm_len = strlen(pi->comm);
	s.cwd = pi->cwd[0] ? pi->cwd : NULL;
	s.cwd_len = strlen(pi->cwd);
	s.tty = pi->tty;
	s.tty_len = strlen(pi->tty);
	s.set_argv = 1;
	s.cmdline = pi->cmdline;
	s.cmdline_len = pi->cmdline_len;
	if (aw_pentry_set(en->pt, e, &s) < 0)
		return -1;
	e->pub.ppid = pi->ppid;
	e->pub.uid = pi->uid;
	e->pub.euid = pi->euid;
	e->pub.gid = pi->gid;
	e->pub.egid = pi->egid;
	e->pub.auid = pi->auid;
	e->pub.ses = pi->ses;
	e->pub.start_ns = pi->start_ns;
	e->pidns = (uint8_t)pi->pidns;
	aw_cgroup_parse(en->cgbuf, (size_t)n, &en->cg_opts, &info);
	attach_cinfo(en, e, cinfo_from_cgroup(en, &info));
	return 0;
}

static void
str_from_event(const struct aw_str *in, const char **s, size_t *len)
{
	if (in->s) {
		*s = in->s;
		*len = in->len;
	}
}

/*
 * Build a new entry for an unknown pid. An exec event carries everything
 * but the start time and the cgroup, so only those two small files are
 * read (cheaper than a whole /proc load for exec-heavy streams); any
 * other event loads the process from /proc once. Either way /proc is used
 * only if it still shows the process of the event (started no later);
 * otherwise the strings come from the event (update_event) and the
 * container from the parent.
 */
static struct aw_pentry *
new_entry(struct aw_enricher *en, int64_t pid, const struct aw_event *ev,
    uint64_t t, int exec)
{
	struct aw_pentry *e = aw_ptable_put(en->pt, pid);
	struct aw_cinfo *ci;
	uint64_t start;

	if (e == NULL)
		return NULL;
	/* no second look at /proc for this event: it was read just now, or
	 * it is not this process's */
	e->cgroup_read = 1;
	e->pub.ppid = ev->ppid;
	e->pub.start_ns = t;
	if (!proc_usable(en, t))
		return e;
	if (!exec) {
		load_from_proc(en, e, pid, t);
		return e;
	}
	if ((ci = read_cgroup(en, pid, t, &start)) != NULL) {
		e->pub.start_ns = start;
		attach_cinfo(en, e, ci);
	}
	return e;
}

static int
str_differs(const struct aw_str *in, const char *cur, size_t cur_len)
{
	return in->s && (cur == NULL || cur_len != in->len ||
	    memcmp(cur, in->s, in->len) != 0);
}

/*
 * What the event says about its process: ids, ppid, and the strings —
 * comm, exe and tty always; for a successful exec also argv (EXECVE, or
 * PROCTITLE when EXECVE is missing) and cwd; for an entry with no argv
 * yet, PROCTITLE. All strings change in one aw_pentry_set().
 */
static void
update_event(struct aw_enricher *en, struct aw_pentry *e,
    const struct aw_event *ev, uint64_t t, int exec)
{
	struct aw_pstrings s;

	if (t < e->last_ns)
		return;		/* an older event, delivered late */
	e->last_ns = t;
	if (ev->ppid != AW_NONE)
		e->pub.ppid = ev->ppid;
	if (ev->uid != AW_NONE)
		e->pub.uid = ev->uid;
	if (ev->euid != AW_NONE)
		e->pub.euid = ev->euid;
	if (ev->gid != AW_NONE)
		e->pub.gid = ev->gid;
	if (ev->egid != AW_NONE)
		e->pub.egid = ev->egid;
	if (ev->auid != AW_NONE)
		e->pub.auid = ev->auid;
	if (ev->ses != AW_NONE)
		e->pub.ses = ev->ses;
	memset(&s, 0, sizeof(s));
	if (exec && ev->nargv > 0 && ev->argv) {
		s.set_argv = 1;
		s.argc = ev->nargv;
		s.argv = ev->argv;
	} else if ((exec || e->pub.argc == 0) && ev->proctitle.s) {
		s.set_argv = 1;
		s.cmdline = ev->proctitle.s;
		s.cmdline_len = ev->proctitle.len;
	}
	if (exec && ev->cwd.s) {
		s.cwd = ev->cwd.s;
		s.cwd_len = ev->cwd.len;
	}
	if (str_differs(&ev->comm, e->pub.comm, e->comm_len) ||
	    str_differs(&ev->exe, e->pub.exe, e->exe_len) ||
	    str_differs(&ev->tty, e->pub.tty, e->tty_len)) {
		str_from_event(&ev->comm, &s.comm, &s.comm_len);
		str_from_event(&ev->exe, &s.exe, &s.exe_len);
		str_from_event(&ev->tty, &s.tty, &s.tty_len);
	}
	if (s.set_argv || s.cwd || s.comm || s.exe || s.tty)
		aw_pentry_set(en->pt, e, &s);
	if (exec && ev->argv_incomplete)
		e->pub.argv_truncated = 1;
}

static void
on_exec(struct aw_enricher *en, struct aw_pentry *e, uint64_t t)
{
	struct aw_cinfo *ci;
	uint64_t start;

	e->pub.exec_ns = t;
	if (e->pub.start_ns == 0)
		e->pub.start_ns = t;
	e->pub.exited = 0;
	/* The container is decided at exec: runc execs the workload after
	 * moving itself into the container's cgroup. An entry loaded from
	 * /proc for this very event has read it already. */
	if (!e->cgroup_read && proc_usable(en, t) &&
	    (ci = read_cgroup(en, e->pid, t, &start)) != NULL)
		attach_cinfo(en, e, ci);
}

static void
on_clone(struct aw_enricher *en, struct aw_pentry *parent,
    const struct aw_event *ev, enum ev_kind kind, uint64_t t)
{
	int64_t child = ev->exit;
	struct aw_pentry *c;
	struct aw_pstrings s;
	struct aw_str av[AW_PT_ARGV_MAX];
	int64_t ppid = parent->pid;

	if (child <= 0 || child == parent->pid)
		return;
	if (kind == K_CLONE && (ev->a[0] & CLONE_THREAD_FLAG))
		return;
	if (kind == K_CLONE && (ev->a[0] & CLONE_PARENT_FLAG))
		ppid = parent->pub.ppid;
	/* clone3 hides its flags behind a pointer: ask /proc */
	if (kind == K_CLONE3 && proc_usable(en, t) &&
	    aw_procfs_is_thread_of(&en->fs, parent->pid, child))
		return;
	/* in a nested pid namespace clone() returns that namespace's pid */
	if (parent->pidns == 0 && proc_usable(en, t))
		parent->pidns = (uint8_t)aw_procfs_pidns(&en->fs, parent->pid);
	if (parent->pidns == 2 || (parent->pidns == 0 && parent->ci &&
	    parent->ci->full_id[0]))
		return;
	c = aw_ptable_peek(en->pt, child);
	if (c && !c->pub.exited && c->last_ns >= t) {
		/* the child's own events got here first */
		if (c->pub.ppid == AW_NONE)
			c->pub.ppid = ppid;
		if (c->ci == NULL && parent->ci)
			attach_cinfo(en, c, parent->ci);
		return;
	}
	if ((c = aw_ptable_put(en->pt, child)) == NULL)
		return;
	/* the child is a copy of its parent until it execs */
	memset(&s, 0, sizeof(s));
	s.exe = parent->pub.exe;
	s.exe_len = parent->exe_len;
	s.comm = parent->pub.comm;
	s.comm_len = parent->comm_len;
	s.cwd = parent->pub.cwd;
	s.cwd_len = parent->cwd_len;
	s.tty = parent->pub.tty;
	s.tty_len = parent->tty_len;
	/* the parent's argv, as views (its table copy is already capped) */
	s.set_argv = 1;
	s.argc = parent->pub.argc < AW_PT_ARGV_MAX ? parent->pub.argc :
	    AW_PT_ARGV_MAX;
	for (int i = 0; i < s.argc; i++)
		av[i] = (struct aw_str){ parent->pub.argv[i],
		    strlen(parent->pub.argv[i]) };
	s.argv = av;
	aw_pentry_set(en->pt, c, &s);
	c->pub.argv_truncated = parent->pub.argv_truncated;
	c->pub.ppid = ppid;
	c->pub.uid = parent->pub.uid;
	c->pub.euid = parent->pub.euid;
	c->pub.gid = parent->pub.gid;
	c->pub.egid = parent->pub.egid;
	c->pub.auid = parent->pub.auid;
	c->pub.ses = parent->pub.ses;
	c->pub.start_ns = t;
	c->pub.exec_ns = parent->pub.exec_ns;
	c->last_ns = t;
	c->pidns = parent->pidns;
	attach_cinfo(en, c, parent->ci);
}

static enum ev_kind
classify(const struct aw_event *ev)
{
	static const struct {
		uint32_t arch;
		int64_t execve, execveat, clone, fork, vfork, clone3, exit_group;
	} nums[] = {
		{ 0xc000003eu, 59, 322, 56, 57, 58, 435, 231 },	/* x86_64 */
		{ 0x40000003u, 11, 358, 120, 2, 190, 435, 252 },	/* i386 */
		{ 0xc00000b7u, 221, 281, 220, -1, -1, 435, 94 },	/* aarch64 */
	};
	const char *n = ev->syscall_name;

	if (n) {
		/* most syscalls are none of these: one byte tells */
		switch (n[0]) {
		case 'c': case 'e': case 'f': case 'v':
			break;
		default:
			return K_OTHER;
		}
		if (strcmp(n, "execve") == 0 || strcmp(n, "execveat") == 0)
			return K_EXEC;
		if (strcmp(n, "clone") == 0 || strcmp(n, "fork") == 0 ||
		    strcmp(n, "vfork") == 0)
			return K_CLONE;
		if (strcmp(n, "clone3") == 0)
			return K_CLONE3;
		if (strcmp(n, "exit_group") == 0)
			return K_EXIT;
		return K_OTHER;
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		int64_t s = ev->syscall;

		if (nums[i].arch != ev->arch || s == AW_NONE)
			continue;
		if (s == nums[i].execve || s == nums[i].execveat)
			return K_EXEC;
		if (s == nums[i].clone || s == nums[i].fork ||
		    s == nums[i].vfork)
			return K_CLONE;
		if (s == nums[i].clone3)
			return K_CLONE3;
		if (s == nums[i].exit_group)
			return K_EXIT;
	}
	return K_OTHER;
}

/* ------------------------------------------------------------ API */

static void
scan_proc(struct aw_enricher *en)
{
	DIR *d = opendir(en->fs.root);
	struct dirent *de;
	size_t n = 0, max = aw_ptable_max(en->pt);

	if (d == NULL) {
		aw_warn("enrich: cannot scan %s; the process table starts empty",
		    en->fs.root);
		return;
	}
	while ((de = readdir(d)) != NULL && n < max) {
		char *end;
		long long pid = strtoll(de->d_name, &end, 10);
		struct aw_pentry *e;

		if (*end != '\0' || pid <= 0)
			continue;
		if ((e = aw_ptable_put(en->pt, pid)) == NULL)
			break;
		if (load_from_proc(en, e, pid, 0) < 0) {
			aw_ptable_del(en->pt, e);	/* gone meanwhile */
			continue;
		}
		n++;
	}
	closedir(d);
}

struct aw_enricher *
aw_enricher_new(const struct aw_config *cfg)
{
	struct aw_enricher *en = calloc(1, sizeof(*en));
	const char *host_proc, *passwd, *group;
	char dflt_pw[600], dflt_gr[600];

	if (en == NULL)
		return NULL;
	en->created_ns = wall_ns();
	host_proc = cfg_str(cfg, "enrich.host_proc", "/proc");
	en->use_proc = strcmp(host_proc, "none") != 0 && *host_proc != '\0';
	aw_procfs_init(&en->fs, en->use_proc ? host_proc : "/proc");
	/* With the host's /proc mounted elsewhere, its files are under
	 * <host_proc>/1/root (needs hostPID). */
	if (!en->use_proc || strcmp(host_proc, "/proc") == 0) {
		snprintf(dflt_pw, sizeof(dflt_pw), "/etc/passwd");
		snprintf(dflt_gr, sizeof(dflt_gr), "/etc/group");
	} else {
		snprintf(dflt_pw, sizeof(dflt_pw), "%s/1/root/etc/passwd",
		    host_proc);
		snprintf(dflt_gr, sizeof(dflt_gr), "%s/1/root/etc/group",
		    host_proc);
	}
	passwd = cfg_str(cfg, "enrich.passwd_file", dflt_pw);
	group = cfg_str(cfg, "enrich.group_file", dflt_gr);
	en->pt = aw_ptable_new((size_t)cfg_int(cfg, "enrich.proc_table_max",
	    65536, 0));
	en->users = aw_users_new(passwd, group, &en->fs,
	    (uint64_t)cfg_int(cfg, "enrich.users_check_interval", 2000, 1),
	    256);
	en->scratch = malloc(sizeof(*en->scratch));
	en->cgbuf = malloc(CGROUP_BUF);
	if (en->pt == NULL || en->users == NULL || en->scratch == NULL ||
	    en->cgbuf == NULL) {
		aw_enricher_free(en);
		return NULL;
	}
	setup_namespaces(en, cfg);
	setup_meta(en, cfg);
	if (en->use_proc && cfg_bool(cfg, "enrich.scan_proc", 1))
		scan_proc(en);
	return en;
}

void
aw_enricher_free(struct aw_enricher *en)
{
	if (en == NULL)
		return;
	aw_meta_free(en->meta);
	aw_users_free(en->users);
	aw_ptable_free(en->pt);
	for (int i = 0; en->ns_store[i]; i++)
		free(en->ns_store[i]);
	free(en->scratch);
	free(en->cgbuf);
	free(en);
}

void
aw_enricher_observe(struct aw_enricher *en, const struct aw_event *ev)
{
	struct aw_pentry *e;
	enum ev_kind kind;
	uint64_t t;
	int exec;

	/* What the previous event's evaluation may have pointed at is free
	 * to go now. */
	en->cur = en->cur_parent = NULL;
	aw_ptable_trim(en->pt);
	aw_users_gc(en->users);
	aw_meta_gc(en->meta);
	if (ev == NULL || !ev->has_syscall || ev->pid == AW_NONE || ev->pid <= 0)
		return;
	t = event_ns(ev);
	kind = classify(ev);
	exec = kind == K_EXEC && ev->success != 0;
	e = aw_ptable_get(en->pt, ev->pid);
	if (e && e->pub.exited && t > e->exit_ns)
		e = NULL;	/* the pid was reused */
	if (e == NULL && (e = new_entry(en, ev->pid, ev, t, exec)) == NULL)
		return;
	update_event(en, e, ev, t, exec);
	switch (kind) {
	case K_EXEC:
		if (exec)
			on_exec(en, e, t);
		break;
	case K_CLONE:
	case K_CLONE3:
		if (ev->success != 0 && ev->exit != AW_NONE && ev->exit > 0)
			on_clone(en, e, ev, kind, t);
		break;
	case K_EXIT:
		e->pub.exited = 1;
		e->exit_ns = t;
		break;
	case K_OTHER:
		break;
	}
	/* gone before we could read its cgroup: its parent's container */
	inherit_parent_container(en, e);
	e->cgroup_read = 0;
	en->cur = e;
}

const struct aw_proc *
aw_enricher_proc(struct aw_enricher *en, int64_t pid)
{
	struct aw_pentry *e;

	if (en->cur && en->cur->pid == pid) {
		aw_ptable_touch(en->pt, en->cur);
		return &en->cur->pub;
	}
	if ((e = aw_ptable_get(en->pt, pid)) != NULL)
		return &e->pub;
	if (pid <= 0 || !en->use_proc || (e = aw_ptable_put(en->pt, pid)) == NULL)
		return NULL;
	if (load_from_proc(en, e, pid, 0) < 0) {
		aw_ptable_del(en->pt, e);
		return NULL;
	}
	e->last_ns = wall_ns();
	return &e->pub;
}

const struct aw_proc *
aw_enricher_parent(struct aw_enricher *en, const struct aw_proc *p)
{
	struct aw_pentry *child, *e;
	uint64_t limit;

	if (p == NULL || p->ppid <= 0 || p->ppid == p->pid)
		return NULL;
	/* every aw_proc we hand out is part of a table entry */
	child = aw_pentry_of(p);
	limit = p->start_ns ? p->start_ns + START_TOLERANCE_NS : 0;
	if (child == en->cur && (e = en->cur_parent) != NULL &&
	    e->pid == p->ppid)
		aw_ptable_touch(en->pt, e);
	else
		e = aw_ptable_get(en->pt, p->ppid);
	if (e != NULL) {
		/* a parent younger than its child is a reused pid */
		if (limit && e->pub.start_ns > limit)
			return NULL;
		return &e->pub;
	}
	if (!en->use_proc || child->parent_miss == p->ppid ||
	    (limit && !proc_usable(en, limit)))
		return NULL;
	if ((e = aw_ptable_put(en->pt, p->ppid)) == NULL)
		return NULL;
	if (load_from_proc(en, e, p->ppid, limit) < 0) {
		aw_ptable_del(en->pt, e);
		child->parent_miss = p->ppid;	/* once per child and ppid */
		return NULL;
	}
	return &e->pub;
}

const struct aw_proc *
aw_enricher_ancestor(struct aw_enricher *en, const struct aw_proc *p, int n)
{
	for (int i = 0; i < n && p; i++)
		p = aw_enricher_parent(en, p);
	return p;
}

static const char *
user_container(const struct aw_proc *ctx)
{
	if (ctx == NULL || ctx->container_full_id == NULL ||
	    ctx->container_full_id[0] == '\0')
		return NULL;
	return ctx->container_full_id;
}

const char *
aw_enricher_user_name(struct aw_enricher *en, int64_t uid,
    const struct aw_proc *ctx)
{
	if (uid == AW_NONE || uid < 0 || uid == (int64_t)AW_UNSET_ID)
		return NULL;
	return aw_users_user(en->users, uid, user_container(ctx),
	    ctx ? ctx->pid : 0, aw_now_ms());
}

const char *
aw_enricher_group_name(struct aw_enricher *en, int64_t gid,
    const struct aw_proc *ctx)
{
	if (gid == AW_NONE || gid < 0 || gid == (int64_t)AW_UNSET_ID)
		return NULL;
	return aw_users_group(en->users, gid, user_container(ctx),
	    ctx ? ctx->pid : 0, aw_now_ms());
}

const struct aw_container_meta *
aw_enricher_container(struct aw_enricher *en, const char *container_id)
{
	if (container_id == NULL)
		return NULL;
	if (strcmp(container_id, "host") == 0)
		return &host_meta;
	return aw_meta_get(en->meta, container_id);
}

const struct aw_container_meta *
aw_enricher_container_wait(struct aw_enricher *en, const char *container_id)
{
	if (container_id == NULL)
		return NULL;
	if (strcmp(container_id, "host") == 0)
		return &host_meta;
	return aw_meta_wait(en->meta, container_id);
}

const struct aw_enricher_stats *
aw_enricher_stats(const struct aw_enricher *cen)
{
	struct aw_enricher *en = (struct aw_enricher *)(uintptr_t)cen;
	const struct aw_ptable_stats *ps = aw_ptable_stats(en->pt);
	const struct aw_meta_stats *ms = aw_meta_stats(en->meta);

	en->st.procs = ps->entries;
	en->st.hits = ps->hits;
	en->st.misses = ps->misses;
	en->st.evictions = ps->evictions;
	en->st.containers = aw_ptable_ncinfo(en->pt);
	en->st.table_bytes = ps->entries * (sizeof(struct aw_pentry) + 16) +
	    ps->index_bytes + ps->blob_bytes +
	    en->st.containers * sizeof(struct aw_cinfo);
	en->st.user_db_loads = aw_users_stats(en->users)->loads;
	en->st.meta_resolved = ms->resolved;
	en->st.meta_unresolved = ms->unresolved;
	en->st.meta_wait_timeouts = ms->wait_timeouts;
	en->st.meta_entries = ms->entries;
	en->st.meta_evictions = ms->evictions;
	en->st.meta_dropped = ms->dropped;
	return &en->st;
}
