/*
 * kaudit.h — kernel audit control over NETLINK_AUDIT: status, settings,
 * daemon registration messages, and audit rules.
 *
 * One struct aw_kaudit is one control socket (libnl-3, used from one
 * thread). Events never arrive on it: the event socket is
 * source_netlink.c's. Every request asks for an ACK and waits for it (and
 * for its data, which the kernel sends after the ACK) with a deadline.
 *
 * struct audit_status grew over the years (32 bytes up to 3.13, 40 from
 * 3.14, 44 from 5.9); aw_kstatus always has every field, zero when the
 * kernel did not send it, and remembers the size the kernel used so a SET
 * is sent in the size the kernel expects.
 *
 * Rules are flat struct audit_rule_data built here, not with libaudit's
 * builders (those keep process-global state between calls).
 */
#ifndef AW_KAUDIT_H
#define AW_KAUDIT_H

#include <stddef.h>
#include <stdint.h>

/* struct audit_status as the kernel lays it out, every field u32. */
struct aw_kstatus {
	uint32_t mask;
	uint32_t enabled;		/* 0 off, 1 on, 2 locked */
	uint32_t failure;
	uint32_t pid;			/* registered audit daemon, 0 none */
	uint32_t rate_limit;
	uint32_t backlog_limit;
	uint32_t lost;
	uint32_t backlog;
	uint32_t feature_bitmap;	/* "version" on 3.14-3.18 */
	uint32_t backlog_wait_time;	/* jiffies */
	uint32_t backlog_wait_time_actual;
};
#define AW_KSTATUS_MIN_SIZE	32	/* up to 3.13 */
#define AW_KSTATUS_MAX_SIZE	((size_t)sizeof(struct aw_kstatus))

/* Result of AUDIT_GET: the fields, and how many bytes the kernel sent. */
struct aw_kstatus_reply {
	struct aw_kstatus s;
	size_t size;
};

/* Feature bits (status.feature_bitmap), named for messages. */
#define AW_KFEAT_BACKLOG_LIMIT		0x01
#define AW_KFEAT_BACKLOG_WAIT_TIME	0x02
#define AW_KFEAT_EXECUTABLE_PATH	0x04
#define AW_KFEAT_EXCLUDE_EXTEND		0x08
#define AW_KFEAT_SESSIONID_FILTER	0x10
#define AW_KFEAT_LOST_RESET		0x20
#define AW_KFEAT_FILTER_FS		0x40
/* "backlog_limit,backlog_wait_time,..." ("none" for 0; unknown bits as
 * hex). Returns buf. */
const char *aw_kfeatures_format(uint32_t bitmap, char *buf, size_t bufsz);

/* Can the backlog wait time be set on this kernel? */
int aw_kstatus_can_set_wait_time(const struct aw_kstatus_reply *r);

struct aw_kaudit;

/* Open the control socket. NULL with a message in err on failure. */
struct aw_kaudit *aw_kaudit_open(char *err, size_t errsz);
void aw_kaudit_close(struct aw_kaudit *k);

/* All requests return 0 or -errno (-ETIMEDOUT when the kernel does not
 * answer in time, -EPROTO on a malformed answer). */
int aw_kaudit_get_status(struct aw_kaudit *k, struct aw_kstatus_reply *out);
/* AUDIT_SET one field (mask is one AUDIT_STATUS_* bit); the status struct
 * is sent in the size the last AUDIT_GET returned. */
int aw_kaudit_set(struct aw_kaudit *k, uint32_t mask, uint32_t value);
/* Reset `lost` to 0 (feature LOST_RESET); *old gets the value it had. */
int aw_kaudit_reset_lost(struct aw_kaudit *k, uint32_t *old);

/* Build an AUDIT_SET message into buf (for sockets this module does not
 * own, e.g. registering the event socket as the daemon). status_size is
 * what AUDIT_GET reported. Returns the message length, 0 if too small. */
size_t aw_kaudit_build_set(void *buf, size_t bufsz, uint32_t seq,
    int want_ack, uint32_t mask, const struct aw_kstatus *vals,
    size_t status_size);

/* ---------------------------------------------------------------- rules */

/* One rule: a struct audit_rule_data with its string buffer, flat. */
struct aw_krule {
	size_t len;			/* bytes of data, header + buflen */
	unsigned char *data;		/* struct audit_rule_data */
};

/* list: AUDIT_FILTER_EXIT etc. (| AUDIT_FILTER_PREPEND); action:
 * AUDIT_ALWAYS or AUDIT_NEVER. NULL on allocation failure. */
struct aw_krule *aw_krule_new(uint32_t list, uint32_t action);
void aw_krule_free(struct aw_krule *r);
/* Syscall number nr into the mask; nr < 0 means all syscalls. */
int aw_krule_add_syscall(struct aw_krule *r, int nr);
/* Integer field (AUDIT_ARCH, AUDIT_PID...) with operator AUDIT_EQUAL... */
int aw_krule_add_field(struct aw_krule *r, uint32_t field, uint32_t op,
    uint32_t value);
/* String field (AUDIT_FILTERKEY, AUDIT_WATCH, AUDIT_EXE...). */
int aw_krule_add_string(struct aw_krule *r, uint32_t field, uint32_t op,
    const char *s);
/* 1 if the rule has a key equal to key (multi-key values are split on
 * \x01 as auditctl joins them). */
int aw_krule_has_key(const struct aw_krule *r, const char *key);
/* auditctl-like text: "-a always,exit -F arch=b64 -S execve -F key=k". */
const char *aw_krule_format(const struct aw_krule *r, char *buf,
    size_t bufsz);
/* Check a rule the kernel sent (lengths consistent). 0 or -EPROTO. */
int aw_krule_validate(const unsigned char *data, size_t len);

/* Architectures whose syscalls a rule must cover on this host: the native
 * one first, then the 32-bit compat one where it exists (x86_64: i386).
 * Returns the count (≤ 2) of AUDIT_ARCH_* values in out. */
size_t aw_krule_host_arches(uint32_t out[2]);
/* Syscall number by name for an AUDIT_ARCH_* value; -1 if unknown. */
int aw_krule_syscall_nr(uint32_t arch, const char *name);

int aw_kaudit_add_rule(struct aw_kaudit *k, const struct aw_krule *r);
int aw_kaudit_del_rule(struct aw_kaudit *k, const struct aw_krule *r);
/* Every rule the kernel has, in kernel order; caller frees with
 * aw_krules_free. */
int aw_kaudit_list_rules(struct aw_kaudit *k, struct aw_krule ***out,
    size_t *n);
void aw_krules_free(struct aw_krule **v, size_t n);
/* Delete every rule carrying key; *ndeleted (may be NULL) counts them. */
int aw_kaudit_del_keyed(struct aw_kaudit *k, const char *key,
    size_t *ndeleted);

/* The fixed minimal rule set `run` installs until the rule engine exists:
 * a never-rule for our own pid (prepended), then execve+execveat
 * always,exit for each host architecture, all carrying key. Rules are
 * returned in installation order; caller frees with aw_krules_free. */
int aw_krules_build_exec(const char *key, uint32_t self_pid,
    struct aw_krule ***out, size_t *n);

#endif
