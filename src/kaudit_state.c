/*
 * kaudit_state.c — the state file and the restore (see kaudit_state.h).
 *
 * The file is plain "name=value" lines ending in "end", rewritten in place
 * with one pwrite (the lock lives on the inode, so no rename): a reader
 * that finds no "end" line treats the file as empty. /run is a tmpfs, and
 * kernel audit state does not survive a reboot either, so the file only
 * has to survive the death of the process, not of the machine.
 */
#include "autoconf.h"
#include "kaudit_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libaudit.h>

#include "log.h"

#define STATE_MAX 4096

struct aw_kstate_file {
	int fd;
	char *path;
};

/* mkdir -p of the directory holding path (mode 0700 for what we create). */
static int
make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

struct aw_kstate_file *
aw_kstate_open(const char *path, struct aw_kstate *prev, int *have_prev,
    char *err, size_t errsz)
{
	struct aw_kstate_file *f;
	char buf[STATE_MAX];
	ssize_t n;
	int rc;

	*have_prev = 0;
	if ((rc = make_parent(path)) != 0) {
		snprintf(err, errsz, "state file %s: cannot create its "
		    "directory: %s", path, strerror(-rc));
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->path = strdup(path)) == NULL) {
		free(f);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	f->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f->fd < 0) {
		snprintf(err, errsz, "state file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (flock(f->fd, LOCK_EX | LOCK_NB) != 0) {
		struct aw_kstate other;
		int lock_errno = errno;

		n = pread(f->fd, buf, sizeof(buf) - 1, 0);
		if (lock_errno == EWOULDBLOCK && n > 0 &&
		    aw_kstate_parse(buf, (size_t)n, &other) == 0)
			snprintf(err, errsz, "another auditwatch (pid %" PRIu32
			    ") is running with state file %s; a second "
			    "instance needs its own audit.state_file and "
			    "audit.rule_key", other.pid, path);
		else
			snprintf(err, errsz, "state file %s is locked by "
			    "another auditwatch; a second instance needs its "
			    "own audit.state_file and audit.rule_key", path);
		goto fail;
	}
	n = pread(f->fd, buf, sizeof(buf) - 1, 0);
	if (n > 0 && aw_kstate_parse(buf, (size_t)n, prev) == 0)
		*have_prev = 1;
	return f;
fail:
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
	return NULL;
}

int
aw_kstate_write(struct aw_kstate_file *f, const struct aw_kstate *st)
{
	char buf[STATE_MAX];
	int len = aw_kstate_format(st, buf, sizeof(buf));

	if (len < 0)
		return -EOVERFLOW;
	if (pwrite(f->fd, buf, (size_t)len, 0) != len)
		return -(errno ? errno : EIO);
	if (ftruncate(f->fd, len) != 0 || fsync(f->fd) != 0)
		return -errno;
	return 0;
}

void
aw_kstate_remove(struct aw_kstate_file *f)
{
	if (f == NULL)
		return;
	/* Unlink while still holding the lock: no one can read it half-way. */
	if (unlink(f->path) != 0 && errno != ENOENT)
		aw_warn("state file %s: %s", f->path, strerror(errno));
	aw_kstate_close(f);
}

void
aw_kstate_close(struct aw_kstate_file *f)
{
	if (f == NULL)
		return;
	close(f->fd);
	free(f->path);
	free(f);
}

/* ------------------------------------------------------------ text form */

int
aw_kstate_format(const struct aw_kstate *st, char *buf, size_t bufsz)
{
	int n = snprintf(buf, bufsz,
	    "# auditwatch: kernel audit settings a run changed; restored at its\n"
	    "# exit, or by the next start if it died.\n"
	    "pid=%" PRIu32 "\n"
	    "key=%s\n"
	    "registered=%d\n"
	    "changed=0x%" PRIx32 "\n"
	    "orig_enabled=%" PRIu32 "\n"
	    "orig_backlog_limit=%" PRIu32 "\n"
	    "orig_backlog_wait_time=%" PRIu32 "\n"
	    "set_enabled=%" PRIu32 "\n"
	    "set_backlog_limit=%" PRIu32 "\n"
	    "set_backlog_wait_time=%" PRIu32 "\n"
	    "end\n",
	    st->pid, st->key, st->registered, st->changed,
	    st->orig.enabled, st->orig.backlog_limit, st->orig.backlog_wait_time,
	    st->set.enabled, st->set.backlog_limit, st->set.backlog_wait_time);

	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return n;
}

static int
parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end != '\0' || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int
aw_kstate_parse(const char *text, size_t len, struct aw_kstate *st)
{
	char buf[STATE_MAX];
	char *line, *save = NULL;
	unsigned seen = 0;
	int ended = 0;
	static const char *const names[] = {
		"pid", "key", "registered", "changed", "orig_enabled",
		"orig_backlog_limit", "orig_backlog_wait_time", "set_enabled",
		"set_backlog_limit", "set_backlog_wait_time",
	};
	uint32_t *u32[10];

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(st, 0, sizeof(*st));
	u32[0] = &st->pid;
	u32[1] = NULL;
	u32[2] = NULL;
	u32[3] = &st->changed;
	u32[4] = &st->orig.enabled;
	u32[5] = &st->orig.backlog_limit;
	u32[6] = &st->orig.backlog_wait_time;
	u32[7] = &st->set.enabled;
	u32[8] = &st->set.backlog_limit;
	u32[9] = &st->set.backlog_wait_time;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *eq;
		size_t i;

		if (line[0] == '#')
			continue;
		if (strcmp(line, "end") == 0) {
			ended = 1;
			break;
		}
		if ((eq = strchr(line, '=')) == NULL)
			return -1;
		*eq++ = '\0';
		for (i = 0; i < 10; i++)
			if (strcmp(line, names[i]) == 0)
				break;
		if (i == 10)
			continue;	/* a newer version's field */
		if (i == 1) {
			if (strlen(eq) >= sizeof(st->key))
				return -1;
			strcpy(st->key, eq);
		} else if (i == 2) {
			uint32_t v;

			if (parse_u32(eq, &v) != 0)
				return -1;
			st->registered = v != 0;
		} else if (parse_u32(eq, u32[i]) != 0) {
			return -1;
		}
		seen |= 1U << i;
	}
	if (!ended || seen != (1U << 10) - 1 || st->key[0] == '\0' ||
	    st->pid == 0)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- restore */

static int
restore_field(struct aw_kaudit *k, const struct aw_kstatus_reply *now,
    uint32_t bit, const char *name, uint32_t cur, uint32_t set,
    uint32_t orig)
{
	int rc;

	if (cur == orig)
		return 0;
	if (cur != set) {
		aw_info("kernel audit %s is %" PRIu32 ", not the %" PRIu32
		    " we set: someone else changed it, leaving it", name,
		    cur, set);
		return 0;
	}
	if (bit == AUDIT_STATUS_ENABLED && now->s.enabled == 2) {
		aw_warn("kernel audit is locked (enabled=2): cannot restore "
		    "%s", name);
		return -EPERM;
	}
	if ((rc = aw_kaudit_set(k, bit, orig)) != 0) {
		aw_warn("kernel audit: cannot restore %s to %" PRIu32 ": %s",
		    name, orig, strerror(-rc));
		return rc;
	}
	aw_debug("kernel audit %s restored to %" PRIu32, name, orig);
	return 0;
}

int
aw_kstate_restore(struct aw_kaudit *k, const struct aw_kstate *st)
{
	struct aw_kstatus_reply now;
	size_t ndel = 0;
	int rc, first = 0;

	if ((rc = aw_kaudit_get_status(k, &now)) != 0) {
		aw_warn("kernel audit: AUDIT_GET: %s", strerror(-rc));
		return rc;
	}
	/* Locked, the kernel refuses (and audits) every deletion: rules
	 * stay until reboot whatever we do, which is not a failure. */
	if (now.s.enabled == 2) {
		aw_info("kernel audit is locked (enabled=2): rules with key "
		    "\"%s\" stay until reboot", st->key);
	} else if ((rc = aw_kaudit_del_keyed(k, st->key, &ndel)) != 0) {
		aw_warn("kernel audit: deleting rules with key \"%s\": %s",
		    st->key, strerror(-rc));
		first = rc;
	} else if (ndel) {
		aw_debug("kernel audit: deleted %zu rules with key \"%s\"",
		    ndel, st->key);
	}
	if (st->registered && now.s.pid == st->pid) {
		/* Ours (clean exit) or dead (crash): in both cases the kernel
		 * allows pid 0; for a dead socket its probe fails first. */
		if ((rc = aw_kaudit_set(k, AUDIT_STATUS_PID, 0)) != 0) {
			aw_warn("kernel audit: releasing daemon pid %" PRIu32
			    ": %s", st->pid, strerror(-rc));
			if (!first)
				first = rc;
		}
	}
	if (st->changed & AUDIT_STATUS_BACKLOG_WAIT_TIME &&
	    (rc = restore_field(k, &now, AUDIT_STATUS_BACKLOG_WAIT_TIME,
	    "backlog_wait_time", now.s.backlog_wait_time,
	    st->set.backlog_wait_time, st->orig.backlog_wait_time)) && !first)
		first = rc;
	if (st->changed & AUDIT_STATUS_BACKLOG_LIMIT &&
	    (rc = restore_field(k, &now, AUDIT_STATUS_BACKLOG_LIMIT,
	    "backlog_limit", now.s.backlog_limit, st->set.backlog_limit,
	    st->orig.backlog_limit)) && !first)
		first = rc;
	if (st->changed & AUDIT_STATUS_ENABLED &&
	    (rc = restore_field(k, &now, AUDIT_STATUS_ENABLED, "enabled",
	    now.s.enabled, st->set.enabled, st->orig.enabled)) && !first)
		first = rc;
	return first;
}
