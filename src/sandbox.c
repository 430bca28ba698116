/*
 * sandbox.c — the seccomp system call allow-list of `auditwatch run` (sandbox.h).
 *
 * When: cmd_run.c calls aw_seccomp_apply() once everything is open and
 * the capabilities are dropped (privs.c), just before the main loop. The
 * netlink drain, SQLite writer and checkpointer, delivery, metadata and
 * libmicrohttpd threads already run, so the filter is loaded with
 * SECCOMP_FILTER_FLAG_TSYNC (SCMP_FLTATR_CTL_TSYNC): the kernel puts it on
 * every thread at once or fails; threads started later (libcurl's
 * resolver, libmicrohttpd's) inherit it. `replay` gets no filter.
 *
 * What is allowed: the calls of the steady state and of what signals
 * trigger — netlink send/receive and rule (re)installation on SIGHUP,
 * re-reading the configuration and rule files, SQLite file I/O (pread,
 * pwrite, fsync, fdatasync, ftruncate, fcntl locks, the WAL's shared
 * mapping, unlink/rename of journals), libcurl over TCP/TLS including
 * name resolution (files, DNS over UDP/TCP, the rtnetlink query of
 * AI_ADDRCONFIG), libmicrohttpd's accept4/epoll, /proc reading for the
 * enricher (openat, openat2 with RESOLVE_IN_ROOT, readlink, getdents64),
 * thread and memory management, signals, clocks and sleeps, syslog over
 * the /dev/log socket, and exit. Arguments are checked where that is
 * cheap and meaningful: socket() only for AF_UNIX, AF_INET, AF_INET6 and
 * netlink's AUDIT and ROUTE protocols; kill() only with signal 0; clone() only with CLONE_THREAD (a
 * thread, never a process); ioctl() only for the terminal/FIONREAD/FIONBIO
 * queries stdio and libcurl make; prctl() only for thread names and
 * reads. clone3() gets ENOSYS, as systemd and Chromium do: its flags are
 * in memory where a filter cannot see them, and glibc then falls back to
 * clone(). Nothing can exec, fork, ptrace, mount, load modules, change
 * credentials or namespaces, or open a socket of another family.
 *
 * The default action (security.seccomp: true) must never break detection
 * silently. A call outside the list raises SIGSYS (SCMP_ACT_TRAP); the
 * handler writes one line naming the call to stderr, with raw write(2)s
 * (async-signal-safe; names were resolved before the filter was loaded),
 * and makes the call return -EPERM, which the code around it already
 * handles as a failure: the store, delivery or enrichment reports its
 * error and goes on, and the log says why. A flood is rate limited (the
 * first 32 denials, then every power of two). Where the trap cannot set a
 * return value (architectures other than x86_64 and aarch64) the default
 * is plain SCMP_ACT_ERRNO(EPERM). security.seccomp: log makes the default
 * SCMP_ACT_LOG instead — everything works and the kernel logs each call
 * the list lacks (an AUDIT_SECCOMP record: `auditwatch run --events`
 * shows it, or dmesg when audit is off) — to find missing entries.
 *
 * Other ABIs: the filter is built for the native architecture only, and
 * libseccomp's bad-architecture action is SCMP_ACT_KILL_PROCESS: a call
 * through int $0x80 (i386) kills the process, and on x86_64 so does any
 * x32 system call number (>= 0x40000000; libseccomp adds that check when
 * the filter has no x32 arch). auditwatch makes neither, so either means
 * injected code; the supervisor sees the SIGSYS death and the restart
 * restores the kernel audit state from the state file.
 *
 * Sanitizer builds (ASan/LSan): LeakSanitizer checks for leaks at exit
 * from a tracer task (clone with CLONE_VM but not CLONE_THREAD, ptrace,
 * wait4, any prctl, sched_yield). Those are added to the list in
 * sanitizer builds only, and the start-up line says so; a release build
 * never allows them.
 */
#include "autoconf.h"
#include "sandbox.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#ifdef HAVE_SECCOMP
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <termios.h>
#include <linux/netlink.h>
#include <seccomp.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define AW_SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AW_SANITIZER_BUILD 1
#endif
#endif

#if defined(__x86_64__) || defined(__aarch64__)
#define AW_CAN_TRAP 1
#endif
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1		/* si_code of a seccomp SIGSYS (linux/signal.h) */
#endif

static atomic_ulong denied;

unsigned long
aw_seccomp_denied(void)
{
	return atomic_load(&denied);
}

int
aw_seccomp_config_read(const struct aw_config *cfg,
    enum aw_seccomp_mode *mode, char *err, size_t errsz)
{
	const char *s = aw_config_str(cfg, "security.seccomp", NULL);
	int on;

	if (s != NULL && strcasecmp(s, "log") == 0) {
		*mode = AW_SECCOMP_LOG;
		return 0;
	}
	if (aw_config_bool(cfg, "security.seccomp", 1, &on, err, errsz) != 0) {
		snprintf(err, errsz, "security.seccomp: invalid value '%s' "
		    "(expected true, false or log)", s != NULL ? s : "?");
		return -1;
	}
	*mode = on ? AW_SECCOMP_ENFORCE : AW_SECCOMP_OFF;
	return 0;
}

#ifndef HAVE_SECCOMP

int
aw_seccomp_supported(void)
{
	return 0;
}

int
aw_seccomp_install(enum aw_seccomp_mode mode, char *err, size_t errsz)
{
	(void)mode;
	snprintf(err, errsz, "built without libseccomp (configure found no "
	    "libseccomp-dev, or --disable-seccomp)");
	return -1;
}

#else /* HAVE_SECCOMP */

int
aw_seccomp_supported(void)
{
	return 1;
}

/* Allowed without argument checks. Names the native architecture lacks
 * (open, stat... on aarch64) are skipped. */
static const char *const allow_plain[] = {
	/* file descriptors and file I/O (SQLite, outputs, /proc, config) */
	"read", "write", "readv", "writev", "pread64", "pwrite64",
	"preadv", "pwritev", "preadv2", "pwritev2", "lseek", "close",
	"close_range", "dup", "dup2", "dup3", "fcntl", "flock",
	"open", "openat", "openat2", "stat", "fstat", "lstat",
	"newfstatat", "statx", "fstatfs", "statfs", "access", "faccessat",
	"faccessat2", "readlink", "readlinkat", "getdents64", "getcwd",
	"fsync", "fdatasync", "ftruncate", "fallocate", "fadvise64",
	"unlink", "unlinkat", "rename", "renameat", "renameat2",
	"mkdir", "mkdirat", "fchmod", "fchown", "umask",
	/* memory */
	"brk", "mmap", "munmap", "mprotect", "madvise", "mremap",
	/* threads */
	"futex", "set_robust_list", "get_robust_list", "rseq",
	"set_tid_address", "gettid", "getpid", "getppid", "tgkill", "tkill",
	"sched_yield", "sched_getaffinity", "exit", "exit_group",
	"restart_syscall",
	/* signals */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"rt_sigtimedwait", "rt_sigpending",
	/* clocks and sleeps */
	"clock_gettime", "clock_getres", "gettimeofday", "time",
	"nanosleep", "clock_nanosleep",
	/* waiting on descriptors (libcurl, libmicrohttpd, netlink) */
	"poll", "ppoll", "select", "pselect6", "epoll_create",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"epoll_pwait2", "eventfd2", "pipe", "pipe2",
	/* sockets already open or allowed by family (see allow_socket) */
	"connect", "bind", "accept", "accept4", "getsockname",
	"getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom",
	"sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown",
	"socketpair",
	/* identity and limits (queries only) */
	"getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "getgroups", "uname", "sysinfo", "getrusage",
	"getrlimit", "prlimit64", "getrandom",
	NULL,
};

#ifdef AW_SANITIZER_BUILD
/* LeakSanitizer's tracer at exit (see the top of this file). */
static const char *const allow_sanitizer[] = {
	"ptrace", "wait4", "waitid", "prctl", "sched_yield",
	"getdents", "process_vm_readv", "mincore", "sched_getparam",
	"getpriority",
	NULL,
};
#endif

/* Denial log: names resolved before the filter is loaded, so the SIGSYS
 * handler needs no allocation. */
#define NAMES_MAX	1024
static char *names[NAMES_MAX];

static void
resolve_names(void)
{
	for (int nr = 0; nr < NAMES_MAX; nr++)
		if (names[nr] == NULL)
			names[nr] = seccomp_syscall_resolve_num_arch(
			    SCMP_ARCH_NATIVE, nr);
}

static size_t
put_str(char *buf, size_t len, size_t cap, const char *s)
{
	while (*s != '\0' && len < cap)
		buf[len++] = *s++;
	return len;
}

static size_t
put_num(char *buf, size_t len, size_t cap, unsigned long v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0 && len < cap)
		buf[len++] = tmp[--n];
	return len;
}

#ifdef AW_CAN_TRAP
static void
on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int saved = errno, nr;
	unsigned long count;
	char buf[320];
	size_t len = 0, cap = sizeof(buf) - 1;

	(void)sig;
	if (si->si_code != SYS_SECCOMP)
		return;		/* sent by someone: nothing to answer */
	nr = si->si_syscall;
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#else
	uc->uc_mcontext.regs[0] = (unsigned long long)-EPERM;
#endif
	count = atomic_fetch_add(&denied, 1) + 1;
	if (count > 32 && (count & (count - 1)) != 0) {
		errno = saved;
		return;
	}
	len = put_str(buf, len, cap, "auditwatch: ERROR: seccomp: denied "
	    "system call ");
	len = put_str(buf, len, cap, nr >= 0 && nr < NAMES_MAX &&
	    names[nr] != NULL ? names[nr] : "?");
	len = put_str(buf, len, cap, " (");
	len = put_num(buf, len, cap, (unsigned long)nr);
	len = put_str(buf, len, cap, ") in thread ");
	len = put_num(buf, len, cap, (unsigned long)syscall(SYS_gettid));
	len = put_str(buf, len, cap, ": it failed with EPERM (denial ");
	len = put_num(buf, len, cap, count);
	len = put_str(buf, len, cap, "; report it, or run with "
	    "security.seccomp: log)\n");
	buf[len] = '\0';
	(void)!write(STDERR_FILENO, buf, len);
	errno = saved;
}

static int
install_sigsys(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL);
}
#endif

static int
add_plain(scmp_filter_ctx ctx, const char *const *list, char *err,
    size_t errsz)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		int nr = seccomp_syscall_resolve_name(list[i]), rc;

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;	/* not a call of this architecture */
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0) {
			snprintf(err, errsz, "allowing %s: %s", list[i],
			    strerror(-rc));
			return -1;
		}
	}
	return 0;
}

#define ADD(ctx, name, n, ...) do {					\
	int rc_ = seccomp_rule_add((ctx), SCMP_ACT_ALLOW,		\
	    SCMP_SYS(name), (n), __VA_ARGS__);				\
	if (rc_ != 0) {							\
		snprintf(err, errsz, "allowing %s: %s", #name,		\
		    strerror(-rc_));					\
		return -1;						\
	}								\
} while (0)

static struct scmp_arg_cmp
arg_cmp(unsigned arg, enum scmp_compare op, uint64_t a, uint64_t b)
{
	struct scmp_arg_cmp c = { arg, op, a, b };

	return c;
}

static struct scmp_arg_cmp
arg_eq(unsigned arg, uint64_t v)
{
	return arg_cmp(arg, SCMP_CMP_EQ, v, 0);
}

/* The calls allowed only with some arguments. */
static int
add_checked(scmp_filter_ctx ctx, char *err, size_t errsz)
{
	static const unsigned long ioctls[] = {
		TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX,
	};
	static const int prctls[] = {
		PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_CAPBSET_READ,
		PR_GET_NO_NEW_PRIVS,
	};
	int rc;

	ADD(ctx, socket, 1, arg_eq(0, AF_UNIX));
	ADD(ctx, socket, 1, arg_eq(0, AF_INET));
	ADD(ctx, socket, 1, arg_eq(0, AF_INET6));
	ADD(ctx, socket, 2, arg_eq(0, AF_NETLINK),
	    arg_eq(2, NETLINK_AUDIT));
	ADD(ctx, socket, 2, arg_eq(0, AF_NETLINK),
	    arg_eq(2, NETLINK_ROUTE));
	/* kill(pid, 0) only: is a process alive (source_netlink.c) */
	ADD(ctx, kill, 1, arg_eq(1, 0));
	/* A thread, never a new process. */
	ADD(ctx, clone, 1, arg_cmp(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD,
	    CLONE_THREAD));
	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		ADD(ctx, ioctl, 1, arg_eq(1, ioctls[i]));
	for (size_t i = 0; i < sizeof(prctls) / sizeof(prctls[0]); i++)
		ADD(ctx, prctl, 1, arg_eq(0, (uint64_t)prctls[i]));
	/* glibc falls back to clone() on ENOSYS (see the top). */
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
	    SCMP_SYS(clone3), 0)) != 0) {
		snprintf(err, errsz, "clone3: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

#ifdef AW_SANITIZER_BUILD
/* LSan's tracer: clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_UNTRACED),
 * sharing memory, so never a fork. */
static int
add_sanitizer_clone(scmp_filter_ctx ctx, char *err, size_t errsz)
{
	ADD(ctx, clone, 1, arg_cmp(0, SCMP_CMP_MASKED_EQ, CLONE_VM, CLONE_VM));
	return 0;
}
#endif

static uint32_t
default_action(enum aw_seccomp_mode mode)
{
	if (mode == AW_SECCOMP_LOG)
		return SCMP_ACT_LOG;
#ifdef AW_CAN_TRAP
	return SCMP_ACT_TRAP;
#else
	return SCMP_ACT_ERRNO(EPERM);
#endif
}

int
aw_seccomp_install(enum aw_seccomp_mode mode, char *err, size_t errsz)
{
	scmp_filter_ctx ctx;
	int rc;

	err[0] = '\0';
	if (mode == AW_SECCOMP_OFF)
		return 0;
	if ((ctx = seccomp_init(default_action(mode))) == NULL) {
		snprintf(err, errsz, "seccomp_init failed");
		return -1;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) != 0) {
		snprintf(err, errsz, "seccomp_attr_set: %s", strerror(-rc));
		goto fail;
	}
	if (add_plain(ctx, allow_plain, err, errsz) != 0 ||
	    add_checked(ctx, err, errsz) != 0)
		goto fail;
#ifdef AW_SANITIZER_BUILD
	if (add_plain(ctx, allow_sanitizer, err, errsz) != 0 ||
	    add_sanitizer_clone(ctx, err, errsz) != 0)
		goto fail;
#endif
	resolve_names();
#ifdef AW_CAN_TRAP
	if (mode == AW_SECCOMP_ENFORCE && install_sigsys() != 0) {
		snprintf(err, errsz, "sigaction(SIGSYS): %s", strerror(errno));
		goto fail;
	}
#endif
	if ((rc = seccomp_load(ctx)) != 0) {
		/* With TSYNC, a positive value is a thread that could not be
		 * synchronised (another filter stack). */
		if (rc > 0)
			snprintf(err, errsz, "seccomp_load: thread %d could "
			    "not take the filter", rc);
		else
			snprintf(err, errsz, "seccomp_load: %s",
			    strerror(-rc));
		goto fail;
	}
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
}

#endif /* HAVE_SECCOMP */

/* Said in the start-up line: sanitizer builds allow a little more. */
#ifdef AW_SANITIZER_BUILD
static const char sanitizer_note[] = "; sanitizer build: ptrace, wait4, "
    "prctl, clone(CLONE_VM) allowed for LeakSanitizer";
#else
static const char sanitizer_note[] = "";
#endif

int
aw_seccomp_apply(const struct aw_config *cfg)
{
	enum aw_seccomp_mode mode;
	char err[512];

	if (aw_seccomp_config_read(cfg, &mode, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		return -1;
	}
	if (mode == AW_SECCOMP_OFF) {
		aw_warn("security.seccomp is false: no system call filter");
		return 0;
	}
	if (aw_seccomp_install(mode, err, sizeof(err)) != 0) {
		aw_warn("seccomp: no system call filter: %s", err);
		return 0;
	}
	aw_info("seccomp: system call allow-list loaded in every thread "
	    "(%s; other ABIs kill the process)%s",
	    mode == AW_SECCOMP_LOG ? "log mode: calls outside it are "
	    "allowed and logged by the kernel" : "calls outside it are "
	    "refused and named in this log", sanitizer_note);
	return 0;
}
