/*
 * procfs.h — what the enricher reads from the host's /proc.
 *
 * The root is configurable (enrich.host_proc) so that a containerised
 * auditwatch can read the host's /proc mounted elsewhere, and so that
 * tests can point it at a fake tree. Every read is bounded.
 */
#ifndef AW_ENRICH_PROCFS_H
#define AW_ENRICH_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AW_PROCFS_CMDLINE_MAX 4096

struct aw_procfs {
	char root[512];		/* "/proc" */
	uint64_t boot_ns;	/* wall-clock time of boot, ns since epoch */
	long hz;		/* clock ticks per second (stat starttime) */
};

struct aw_procfs_info {
	int64_t pid, ppid;
	uint64_t start_ns;	/* fork time, ns since epoch */
	char comm[64];
	char tty[32];		/* "pts0", "tty1", "(none)" */
	char exe[4096];		/* "" when unreadable */
	char cwd[4096];
	char cmdline[AW_PROCFS_CMDLINE_MAX];	/* NUL-separated */
	size_t cmdline_len;
	int64_t uid, euid, gid, egid, auid, ses;	/* AW_NONE if unknown */
	int pidns;		/* 1 initial pid namespace, 2 nested, 0 unknown */
	char state;		/* stat field 3: R, S, D, Z... */
	unsigned long flags;	/* stat field 9: PF_* */
};

void aw_procfs_init(struct aw_procfs *fs, const char *root);
/* Read everything about pid. Returns 0, or -1 when the process is gone,
 * a zombie, or exiting: the kernel moves an exiting task to the root
 * cgroup (cgroup_exit) before it becomes a zombie, so what /proc shows of
 * it then is not the process any more. */
int aw_procfs_read(const struct aw_procfs *fs, int64_t pid,
    struct aw_procfs_info *out);
/* Only the start time (one small read). 0, or -1 as aw_procfs_read. Read
 * it AFTER the cgroup file to know that file was of a live process. */
int aw_procfs_start_ns(const struct aw_procfs *fs, int64_t pid,
    uint64_t *start_ns);
/* 1: pid is in the initial pid namespace, 2: nested, 0: unknown. */
int aw_procfs_pidns(const struct aw_procfs *fs, int64_t pid);
/* The cgroup file, NUL-terminated. Returns its length, or -1. */
ssize_t aw_procfs_cgroup(const struct aw_procfs *fs, int64_t pid, char *buf,
    size_t bufsz);
/* Is tid a thread of pid (other than its leader)? */
int aw_procfs_is_thread_of(const struct aw_procfs *fs, int64_t pid,
    int64_t tid);
/* "pts3" for a tty_nr device number. */
void aw_procfs_tty_name(int64_t tty_nr, char *buf, size_t bufsz);

#endif
