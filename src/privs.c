/*
 * privs.c — drop the capabilities `run` no longer needs (see privs.h).
 *
 * Linux keeps credentials per thread: capset() and prctl(PR_CAPBSET_DROP,
 * PR_SET_NO_NEW_PRIVS) change the calling thread only. By the time every
 * file and socket is open, the netlink drain thread, the SQLite writer and
 * checkpointer, and the delivery thread are already running with the full
 * set, and since threads share one address space, any of them holding a
 * capability is the process holding it. So the drop is done twice over:
 *
 *   1. the calling (main) thread drops with libcap-ng (capng_apply of the
 *      kept set, bounding set included when CAP_SETPCAP allows) and sets
 *      no_new_privs; its resulting state, read back from
 *      /proc/thread-self/status, is the target;
 *   2. every other thread is sent aw_privs_signal() (tgkill), whose handler
 *      applies the same target with raw system calls only (async-signal-
 *      safe: PR_CAPBSET_DROP, PR_CAP_AMBIENT_CLEAR_ALL, capset,
 *      PR_SET_NO_NEW_PRIVS) — the approach glibc takes for setuid() in
 *      threaded programs, and libpsx for capabilities;
 *   3. each thread's /proc/self/task/<tid>/status is checked against the
 *      target; threads that do not match yet (started meanwhile by a
 *      thread that had not dropped) are signalled again, a few rounds;
 *      any left over are named in the error.
 *
 * Threads created later inherit the dropped credentials of their creator.
 * The handler stays installed after the drop and does nothing, so a
 * stray signal of that number cannot kill the daemon.
 */
#include "autoconf.h"
#include "privs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "config.h"
#include "log.h"

#define ROUNDS		5
#define ACK_WAIT_MS	1000
#define BIT(c)		(UINT64_C(1) << (c))

/* The target for the other threads, set before they are signalled. */
static struct {
	struct aw_capstate target;
	int drop_bounding;
	int last_cap;
	atomic_int active;
	atomic_uint acked;
	atomic_uint failed;
	int handler_installed;
} bc;

int
aw_privs_signal(void)
{
	return SIGRTMIN + 5;
}

int
aw_privs_config_read(const struct aw_config *cfg, struct aw_privs_config *pc,
    char *err, size_t errsz)
{
	memset(pc, 0, sizeof(*pc));
	return aw_config_bool(cfg, "security.drop_capabilities", 1,
	    &pc->drop_capabilities, err, errsz);
}

uint64_t
aw_privs_keep_mask(const struct aw_config *cfg,
    const struct aw_privs_need *need)
{
	const char *host_proc = aw_config_str(cfg, "enrich.host_proc", "/proc");
	uint64_t m = 0;

	if (need->audit_control)
		m |= BIT(CAP_AUDIT_CONTROL);
	if (need->multicast)
		m |= BIT(CAP_AUDIT_READ);
	/* The same test the enricher makes for "never read /proc". */
	if (need->enricher && host_proc[0] != '\0' &&
	    strcmp(host_proc, "none") != 0)
		m |= BIT(CAP_SYS_PTRACE) | BIT(CAP_DAC_READ_SEARCH);
	return m;
}

/* ------------------------------------------------------------ status */

static int
parse_hex_line(const char *text, const char *name, uint64_t *out)
{
	const char *p = text;
	size_t nl = strlen(name);
	char *end;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[nl] == ':') {
			errno = 0;
			*out = strtoull(p + nl + 1, &end, 16);
			return errno == 0 && end != p + nl + 1 ? 0 : -1;
		}
		p += nl;
	}
	return -1;
}

int
aw_capstate_parse(const char *text, struct aw_capstate *out)
{
	uint64_t nnp;

	memset(out, 0, sizeof(*out));
	if (parse_hex_line(text, "CapInh", &out->inh) != 0 ||
	    parse_hex_line(text, "CapPrm", &out->prm) != 0 ||
	    parse_hex_line(text, "CapEff", &out->eff) != 0 ||
	    parse_hex_line(text, "CapBnd", &out->bnd) != 0)
		return -1;
	if (parse_hex_line(text, "CapAmb", &out->amb) != 0)
		out->amb = 0;		/* before 4.3: no ambient set */
	out->no_new_privs = parse_hex_line(text, "NoNewPrivs", &nnp) == 0 ?
	    nnp != 0 : -1;
	return 0;
}

int
aw_capstate_read_task(int tid, struct aw_capstate *out)
{
	char path[64], buf[4096];
	ssize_t n;
	size_t got = 0;
	int fd;

	if (tid == 0)
		snprintf(path, sizeof(path), "/proc/thread-self/status");
	else
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while (got < sizeof(buf) - 1 &&
	    (n = read(fd, buf + got, sizeof(buf) - 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return aw_capstate_parse(buf, out);
}

const char *
aw_capmask_names(uint64_t mask, char *buf, size_t bufsz)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int c = 0; c < 64; c++) {
		const char *name;
		char up[48];
		size_t i;
		int n;

		if (!(mask & BIT(c)))
			continue;
		if ((name = capng_capability_to_name((unsigned)c)) == NULL)
			snprintf(up, sizeof(up), "CAP_%d", c);
		else {
			snprintf(up, sizeof(up), "CAP_%s", name);
			for (i = 0; up[i]; i++)
				up[i] = (char)toupper((unsigned char)up[i]);
		}
		n = snprintf(buf + len, bufsz - len, "%s%s", len ? "," : "",
		    up);
		if (n < 0 || (size_t)n >= bufsz - len)
			break;
		len += (size_t)n;
	}
	if (len == 0)
		snprintf(buf, bufsz, "none");
	return buf;
}

/* ------------------------------------------------------------- apply */

static int
last_cap(void)
{
	char buf[16];
	ssize_t n;
	int fd, v = CAP_LAST_CAP;

	if ((fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY |
	    O_CLOEXEC)) >= 0) {
		if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
			buf[n] = '\0';
			v = atoi(buf);
		}
		close(fd);
	}
	return v > 0 && v < 64 ? v : CAP_LAST_CAP;
}

/* The calling thread to bc.target. Raw system calls only: this runs in a
 * signal handler. The target is intersected with what the thread has, so
 * a thread that already holds less never fails for it. */
static int
apply_target(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t eff, prm, inh;
	int rc = 0;

	if (bc.drop_bounding)
		for (int c = 0; c <= bc.last_cap; c++)
			if (!(bc.target.bnd & BIT(c)) &&
			    prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
			    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0)
				rc = -1;
	/* EINVAL before 4.3, where there is no ambient set to clear. */
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	prm = (((uint64_t)d[1].permitted << 32) | d[0].permitted) &
	    bc.target.prm;
	eff = (((uint64_t)d[1].effective << 32) | d[0].effective) &
	    bc.target.eff & prm;
	inh = (((uint64_t)d[1].inheritable << 32) | d[0].inheritable) &
	    bc.target.inh;
	d[0].permitted = (uint32_t)prm;
	d[1].permitted = (uint32_t)(prm >> 32);
	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].inheritable = (uint32_t)inh;
	d[1].inheritable = (uint32_t)(inh >> 32);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	h.pid = 0;
	if (syscall(SYS_capset, &h, d) != 0)
		rc = -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		rc = -1;
	return rc;
}

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (atomic_load(&bc.active)) {
		if (apply_target() != 0)
			atomic_fetch_add(&bc.failed, 1);
		atomic_fetch_add(&bc.acked, 1);
	}
	errno = saved;
}

static int
install_handler(void)
{
	struct sigaction sa;

	if (bc.handler_installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (sigaction(aw_privs_signal(), &sa, NULL) != 0)
		return -1;
	bc.handler_installed = 1;
	return 0;
}

/* A thread is done when it holds nothing beyond the target and has
 * no_new_privs. A thread that is gone is done too. */
static int
task_done(int tid)
{
	struct aw_capstate s;

	if (aw_capstate_read_task(tid, &s) != 0)
		return 1;
	return (s.eff & ~bc.target.eff) == 0 &&
	    (s.prm & ~bc.target.prm) == 0 &&
	    (s.inh & ~bc.target.inh) == 0 &&
	    (s.bnd & ~bc.target.bnd) == 0 && s.amb == 0 &&
	    s.no_new_privs != 0;
}

static void
wait_acks(unsigned sent)
{
	struct timespec ts = { 0, 1000000L };

	for (int i = 0; i < ACK_WAIT_MS && atomic_load(&bc.acked) < sent; i++)
		nanosleep(&ts, NULL);
}

/* Signal the threads that are not done. Returns how many were signalled
 * (-1: /proc/self/task unreadable). With report, names them in err. */
static int
signal_pending(int self, unsigned *sent, char *err, size_t errsz,
    int report)
{
	struct dirent *de;
	DIR *d;
	int pending = 0;
	size_t len = 0;

	if ((d = opendir("/proc/self/task")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		int tid = atoi(de->d_name);

		if (tid <= 0 || tid == self || task_done(tid))
			continue;
		pending++;
		if (report) {
			char path[64], comm[32] = "?";
			FILE *f;
			int n;

			snprintf(path, sizeof(path), "/proc/self/task/%d/comm",
			    tid);
			if ((f = fopen(path, "re")) != NULL) {
				if (fgets(comm, sizeof(comm), f) != NULL)
					comm[strcspn(comm, "\n")] = '\0';
				fclose(f);
			}
			n = snprintf(err + len, errsz - len, "%sthread %d (%s)",
			    len ? ", " : "", tid, comm);
			if (n > 0 && (size_t)n < errsz - len)
				len += (size_t)n;
		} else if (syscall(SYS_tgkill, getpid(), tid,
		    aw_privs_signal()) == 0) {
			(*sent)++;
		}
	}
	closedir(d);
	return pending;
}

/* Step 1: the calling thread, with libcap-ng. */
static int
drop_self(uint64_t keep, int bounding, char *err, size_t errsz)
{
	int rc;

	capng_clear(CAPNG_SELECT_ALL);
	for (int c = 0; c <= bc.last_cap; c++)
		if ((keep & BIT(c)) && capng_update(CAPNG_ADD,
		    CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
		    (unsigned)c) != 0) {
			snprintf(err, errsz, "capng_update(%d) failed", c);
			return -1;
		}
	rc = capng_apply(bounding ? CAPNG_SELECT_ALL :
	    (capng_select_t)(CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT));
	if (rc != 0) {
		snprintf(err, errsz, "capng_apply failed (%d)", rc);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errsz, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
aw_privs_drop(uint64_t keep, struct aw_capstate *out, char *err,
    size_t errsz)
{
	struct aw_capstate now;
	unsigned sent = 0;
	int self = (int)syscall(SYS_gettid), bounding, pending = 0;

	err[0] = '\0';
	bc.last_cap = last_cap();
	if (aw_capstate_read_task(0, &now) != 0) {
		snprintf(err, errsz, "cannot read /proc/thread-self/status");
		return -1;
	}
	keep &= now.prm;
	/* Without CAP_SETPCAP the bounding set stays; no_new_privs still
	 * keeps an exec from gaining anything. */
	bounding = (now.eff & BIT(CAP_SETPCAP)) != 0;
	if (drop_self(keep, bounding, err, errsz) != 0)
		return -1;
	if (aw_capstate_read_task(0, &bc.target) != 0) {
		snprintf(err, errsz, "cannot read /proc/thread-self/status");
		return -1;
	}
	if ((bc.target.prm & ~keep) || (bc.target.eff & ~keep) ||
	    bc.target.inh || bc.target.amb) {
		snprintf(err, errsz, "capabilities still held after the drop "
		    "(permitted %" PRIx64 ", wanted %" PRIx64 ")",
		    bc.target.prm, keep);
		return -1;
	}
	bc.drop_bounding = bounding;
	if (install_handler() != 0) {
		snprintf(err, errsz, "sigaction: %s", strerror(errno));
		return -1;
	}
	atomic_store(&bc.acked, 0);
	atomic_store(&bc.failed, 0);
	atomic_store(&bc.active, 1);
	for (int round = 0; round < ROUNDS; round++) {
		if ((pending = signal_pending(self, &sent, NULL, 0, 0)) <= 0)
			break;
		wait_acks(sent);
	}
	if (pending > 0)
		pending = signal_pending(self, &sent, err, errsz, 1);
	atomic_store(&bc.active, 0);
	if (out != NULL)
		*out = bc.target;
	if (pending < 0) {
		snprintf(err, errsz, "cannot list /proc/self/task: %s",
		    strerror(errno));
		return -1;
	}
	if (pending > 0) {
		size_t l = strlen(err);

		snprintf(err + l, errsz - l, " kept capabilities (blocking "
		    "signal %d?)", aw_privs_signal());
		return -1;
	}
	return 0;
}

int
aw_privs_apply(const struct aw_config *cfg, const struct aw_privs_need *need)
{
	struct aw_privs_config pc;
	struct aw_capstate st;
	char err[512], kept[256], bnd[256];
	uint64_t keep;

	if (aw_privs_config_read(cfg, &pc, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		return -1;
	}
	if (!pc.drop_capabilities) {
		aw_warn("security.drop_capabilities is false: keeping every "
		    "capability for the whole run");
		return 0;
	}
	keep = aw_privs_keep_mask(cfg, need);
	if (aw_privs_drop(keep, &st, err, sizeof(err)) != 0) {
		aw_warn("dropping capabilities: %s", err);
		return 0;
	}
	aw_info("capabilities: kept %s; bounding set %s; no_new_privs set "
	    "in every thread", aw_capmask_names(st.prm, kept, sizeof(kept)),
	    bc.drop_bounding ? aw_capmask_names(st.bnd, bnd, sizeof(bnd)) :
	    "left as it was (no CAP_SETPCAP)");
	return 0;
}
