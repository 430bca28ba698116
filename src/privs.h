/*
 * privs.h — least privilege for `auditwatch run`.
 *
 * Once the netlink sockets, the alert database and the output files are
 * open, the daemon needs few capabilities for the rest of its run:
 *
 *   CAP_AUDIT_CONTROL    AUDIT_GET (lost counter), AUDIT_SET (restore at
 *                        exit, pid release), rule add/delete (SIGHUP, exit)
 *   CAP_AUDIT_READ       multicast mode (kept as asked, although the kernel
 *                        checks it only when the group is joined)
 *   CAP_SYS_PTRACE       the enricher's /proc/<pid>/{exe,cwd,root} of other
 *                        users' processes (ptrace_may_access)
 *   CAP_DAC_READ_SEARCH  the enricher's reads inside container roots
 *                        (/proc/<pid>/root/etc/passwd) and hidepid /proc
 *
 * aw_privs_drop() keeps those (only the ones the process has), drops every
 * other capability from the effective, permitted, inheritable, ambient
 * and bounding sets, and sets no_new_privs — in every thread: credentials
 * are per thread in Linux, and the store, delivery and netlink threads
 * exist before the drop. See privs.c for how.
 */
#ifndef AW_PRIVS_H
#define AW_PRIVS_H

#include <stddef.h>
#include <stdint.h>

struct aw_config;

/* What the rest of the run will do. */
struct aw_privs_need {
	int audit_control;	/* a kernel audit control socket is in use */
	int multicast;		/* reading the multicast group */
	int enricher;		/* the enrichment stage runs */
};

struct aw_privs_config {
	int drop_capabilities;	/* security.drop_capabilities, default true */
};

/* The thread state /proc/<pid>/task/<tid>/status shows. */
struct aw_capstate {
	uint64_t inh, prm, eff, bnd, amb;
	int no_new_privs;	/* -1: the kernel does not say */
};

int aw_privs_config_read(const struct aw_config *cfg,
    struct aw_privs_config *pc, char *err, size_t errsz);

/* Capabilities to keep, as a mask (bit n = capability n); reads
 * enrich.host_proc ("none": no /proc reading, no /proc capabilities). */
uint64_t aw_privs_keep_mask(const struct aw_config *cfg,
    const struct aw_privs_need *need);

/* Keep only `keep` (intersected with what the process has) in every
 * thread, clear the bounding set of the rest (when CAP_SETPCAP allows),
 * set no_new_privs. 0, or -1 with err set; what could be dropped is
 * dropped either way. *out: the resulting state (may be NULL). */
int aw_privs_drop(uint64_t keep, struct aw_capstate *out, char *err,
    size_t errsz);

/* Parse the Cap* and NoNewPrivs lines of a status file. 0 or -1. */
int aw_capstate_parse(const char *text, struct aw_capstate *out);
/* Read /proc/self/task/<tid>/status (tid 0: the calling thread). */
int aw_capstate_read_task(int tid, struct aw_capstate *out);

/* "cap_audit_control,cap_sys_ptrace" (or "none"), into buf. */
const char *aw_capmask_names(uint64_t mask, char *buf, size_t bufsz);

/* The signal aw_privs_drop() sends to the other threads. A thread that
 * blocks every signal must leave this one unblocked, or it keeps its
 * capabilities (and aw_privs_drop() fails, naming it). */
int aw_privs_signal(void);

/* For `run`: read the configuration, drop, log what was kept. 0, or -1
 * on a configuration error (a failed drop is logged and is not fatal:
 * detection goes on). */
int aw_privs_apply(const struct aw_config *cfg,
    const struct aw_privs_need *need);

#endif
