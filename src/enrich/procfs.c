/*
 * procfs.c — bounded reads of /proc/<pid>/{stat,status,cmdline,exe,cwd,
 * loginuid,sessionid,cgroup} under a configurable root.
 *
 * Audit pids are pids of the initial pid namespace, so the root must be
 * the host's /proc. Start times come from stat's starttime (clock ticks
 * since boot) plus the wall-clock time of boot, computed once from
 * CLOCK_REALTIME - CLOCK_BOOTTIME (btime in /proc/stat is rounded to the
 * second, too coarse to tell a reused pid from the process an event
 * was about).
 */
#include "autoconf.h"
#include "enrich/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event.h"

#define PF_EXITING_FLAG 0x00000004ul	/* include/linux/sched.h */

void
aw_procfs_init(struct aw_procfs *fs, const char *root)
{
	struct timespec rt, bt;

	memset(fs, 0, sizeof(*fs));
	snprintf(fs->root, sizeof(fs->root), "%s", root && *root ? root :
	    "/proc");
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	fs->boot_ns = ((uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec) -
	    ((uint64_t)bt.tv_sec * 1000000000ull + (uint64_t)bt.tv_nsec);
	fs->hz = sysconf(_SC_CLK_TCK);
	if (fs->hz <= 0)
		fs->hz = 100;
}

/* Read at most bufsz-1 bytes of a small file; NUL-terminates. */
static ssize_t
read_small(const char *path, char *buf, size_t bufsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < bufsz - 1) {
		ssize_t n = read(fd, buf + got, bufsz - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				close(fd);
				return -1;
			}
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

static int
pid_path(const struct aw_procfs *fs, int64_t pid, const char *file,
    char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%lld/%s", fs->root, (long long)pid,
	    file);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static void
read_link(const struct aw_procfs *fs, int64_t pid, const char *file,
    char *out, size_t outsz)
{
	char path[600];
	ssize_t n;

	out[0] = '\0';
	if (pid_path(fs, pid, file, path, sizeof(path)) < 0)
		return;
	n = readlink(path, out, outsz - 1);
	out[n > 0 ? n : 0] = '\0';
}

static int64_t
read_id_file(const struct aw_procfs *fs, int64_t pid, const char *file)
{
	char path[600], buf[32];
	char *end;
	long long v;

	if (pid_path(fs, pid, file, path, sizeof(path)) < 0 ||
	    read_small(path, buf, sizeof(buf)) <= 0)
		return AW_NONE;
	v = strtoll(buf, &end, 10);
	return end == buf ? AW_NONE : v;
}

void
aw_procfs_tty_name(int64_t tty_nr, char *buf, size_t bufsz)
{
	/* new_encode_dev(): minor bits 0-7 and 20-31, major bits 8-19 */
	unsigned major = (unsigned)((tty_nr >> 8) & 0xfff);
	unsigned minor = (unsigned)((tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));

	if (tty_nr == 0)
		snprintf(buf, bufsz, "(none)");
	else if (major >= 136 && major <= 143)
		snprintf(buf, bufsz, "pts%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(buf, bufsz, "tty%u", minor);
	else if (major == 4)
		snprintf(buf, bufsz, "ttyS%u", minor - 64);
	else
		snprintf(buf, bufsz, "tty%u:%u", major, minor);
}

/* Parse stat: comm, ppid, tty_nr, starttime. */
static int
read_stat(const struct aw_procfs *fs, int64_t pid, struct aw_procfs_info *out,
    int64_t *tty_nr)
{
	char path[600], buf[1024];
	char *open_paren, *close_paren, *p, *end;
	unsigned long long start_ticks = 0;
	int field;

	if (pid_path(fs, pid, "stat", path, sizeof(path)) < 0 ||
	    read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	/* comm may hold spaces and ')': it ends at the LAST ')' */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (open_paren == NULL || close_paren == NULL ||
	    close_paren < open_paren)
		return -1;
	if (out) {
		size_t n = (size_t)(close_paren - open_paren - 1);

		if (n >= sizeof(out->comm))
			n = sizeof(out->comm) - 1;
		memcpy(out->comm, open_paren + 1, n);
		out->comm[n] = '\0';
	}
	/* field 3 (state) follows ") " */
	p = close_paren + 2;
	if (out)
		out->state = *p;
	for (field = 3; *p && field <= 22; field++) {
		long long v = strtoll(p, &end, 10);

		if (field == 9 && out)
			out->flags = strtoul(p, &end, 10);
		else if (field == 4 && out)
			out->ppid = v;
		else if (field == 7 && tty_nr)
			*tty_nr = v;
		else if (field == 22)
			start_ticks = strtoull(p, &end, 10);
		p = strchr(p, ' ');
		if (p == NULL)
			break;
		p++;
	}
	if (field < 22)
		return -1;
	if (out)
		out->start_ns = fs->boot_ns +
		    start_ticks * (1000000000ull / (unsigned long long)fs->hz);
	if (out && (out->state == 'Z' || out->state == 'X' ||
	    (out->flags & PF_EXITING_FLAG)))
		return -1;	/* dead or dying: not the process any more */
	return 0;
}

int
aw_procfs_start_ns(const struct aw_procfs *fs, int64_t pid, uint64_t *start_ns)
{
	struct aw_procfs_info tmp;

	if (read_stat(fs, pid, &tmp, NULL) < 0)
		return -1;
	*start_ns = tmp.start_ns;
	return 0;
}

static void
parse_ids(const char *line, int64_t *real, int64_t *eff)
{
	long long r, e;

	if (sscanf(line, "%lld %lld", &r, &e) == 2) {
		*real = r;
		*eff = e;
	}
}

static void
read_status(const struct aw_procfs *fs, int64_t pid, struct aw_procfs_info *out)
{
	char path[600], buf[4096];
	char *line, *save = NULL;

	if (pid_path(fs, pid, "status", path, sizeof(path)) < 0 ||
	    read_small(path, buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "Uid:", 4) == 0)
			parse_ids(line + 4, &out->uid, &out->euid);
		else if (strncmp(line, "Gid:", 4) == 0)
			parse_ids(line + 4, &out->gid, &out->egid);
		else if (strncmp(line, "NSpid:", 6) == 0) {
			/* one pid per nesting level */
			long long a, b;

			out->pidns = sscanf(line + 6, "%lld %lld", &a, &b) == 2 ?
			    2 : 1;
		}
	}
}

int
aw_procfs_pidns(const struct aw_procfs *fs, int64_t pid)
{
	struct aw_procfs_info *tmp = calloc(1, sizeof(*tmp));
	int ns;

	if (tmp == NULL)
		return 0;
	read_status(fs, pid, tmp);
	ns = tmp->pidns;
	free(tmp);
	return ns;
}

int
aw_procfs_read(const struct aw_procfs *fs, int64_t pid,
    struct aw_procfs_info *out)
{
	char path[600];
	int64_t tty_nr = 0;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->ppid = out->uid = out->euid = out->gid = out->egid = AW_NONE;
	if (pid <= 0 || read_stat(fs, pid, out, &tty_nr) < 0)
		return -1;
	aw_procfs_tty_name(tty_nr, out->tty, sizeof(out->tty));
	read_status(fs, pid, out);
	out->auid = read_id_file(fs, pid, "loginuid");
	out->ses = read_id_file(fs, pid, "sessionid");
	read_link(fs, pid, "exe", out->exe, sizeof(out->exe));
	read_link(fs, pid, "cwd", out->cwd, sizeof(out->cwd));
	if (pid_path(fs, pid, "cmdline", path, sizeof(path)) == 0 &&
	    (n = read_small(path, out->cmdline, sizeof(out->cmdline))) > 0) {
		out->cmdline_len = (size_t)n;
		/* drop the trailing NUL so arguments split cleanly */
		if (out->cmdline[n - 1] == '\0')
			out->cmdline_len--;
	}
	return 0;
}

ssize_t
aw_procfs_cgroup(const struct aw_procfs *fs, int64_t pid, char *buf,
    size_t bufsz)
{
	char path[600];

	if (pid_path(fs, pid, "cgroup", path, sizeof(path)) < 0)
		return -1;
	return read_small(path, buf, bufsz);
}

int
aw_procfs_is_thread_of(const struct aw_procfs *fs, int64_t pid, int64_t tid)
{
	char path[600];
	struct stat st;
	int n;

	if (pid == tid)
		return 0;
	n = snprintf(path, sizeof(path), "%s/%lld/task/%lld", fs->root,
	    (long long)pid, (long long)tid);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	return stat(path, &st) == 0;
}
