/*
 * sandbox.h — a system call allow-list for `auditwatch run` (libseccomp).
 *
 * After start-up (sockets, database, outputs open, capabilities dropped)
 * the daemon only reads netlink, /proc and its configuration, writes
 * SQLite files, speaks HTTP(S) and syslog, and serves /metrics. The
 * filter allows the system calls those need, in every thread (TSYNC), and
 * nothing else: no execve, fork, ptrace, mount, module or keyring calls,
 * no new namespace, no int $0x80 or x32 entry.
 *
 * security.seccomp (see sandbox.c for the actions and why):
 *   true   (default) a call outside the list fails with EPERM and is
 *          logged on stderr by name (SIGSYS handler), so a missing entry
 *          shows instead of silently breaking detection;
 *   log    allowed, but the kernel logs it (SCMP_ACT_LOG): to find
 *          missing entries;
 *   false  no filter.
 * A call through another ABI (i386 int $0x80, x32) kills the process in
 * every mode but false: auditwatch never makes one.
 */
#ifndef AW_SANDBOX_H
#define AW_SANDBOX_H

#include <stddef.h>

struct aw_config;

enum aw_seccomp_mode {
	AW_SECCOMP_OFF,
	AW_SECCOMP_ENFORCE,	/* denied: EPERM, logged by name */
	AW_SECCOMP_LOG,		/* allowed, logged by the kernel */
};

/* security.seccomp: 0, or -1 with err set. */
int aw_seccomp_config_read(const struct aw_config *cfg,
    enum aw_seccomp_mode *mode, char *err, size_t errsz);

/* 1 when built with libseccomp for an architecture the filter supports. */
int aw_seccomp_supported(void);

/* Load the allow-list into every thread of the process (TSYNC). 0, or -1
 * with err set (nothing loaded). Sets no_new_privs. */
int aw_seccomp_install(enum aw_seccomp_mode mode, char *err, size_t errsz);

/* How many calls the filter denied so far (ENFORCE mode). */
unsigned long aw_seccomp_denied(void);

/* For `run`: read the configuration, install, log the outcome. 0, or -1
 * on a configuration error (a filter that cannot be loaded is logged and
 * is not fatal: detection goes on). */
int aw_seccomp_apply(const struct aw_config *cfg);

#endif
