/*
 * event.h — a reassembled audit event, decoded into typed fields.
 *
 * The reassembler hands over a struct aw_rawevent: the record bodies of one
 * (timestamp, serial), in arrival order, copied into one buffer it owns.
 * aw_event_build() decodes those records into struct aw_event: the SYSCALL
 * fields, EXECVE argv (joined across split records), PROCTITLE, CWD, PATH
 * items and SOCKADDR. Every string of an aw_event lives in the event's own
 * arena and stays valid until the next aw_event_build()/aw_event_reset()
 * on the same struct; strings are NUL-terminated and carry their length
 * because decoded bytes may be anything but NUL.
 *
 * Missing values are explicit: a numeric field that was not in the records
 * is AW_NONE (or has its has_ flag cleared), a missing string has s == NULL.
 * The rule engine relies on this for Falco's missing-field semantics.
 */
#ifndef AW_EVENT_H
#define AW_EVENT_H

#include <stddef.h>
#include <stdint.h>

#define AW_NONE INT64_MIN	/* numeric field not present */
#define AW_UNSET_ID 4294967295u	/* auid/ses "unset" as the kernel prints it */

struct aw_str {
	const char *s;		/* NULL when absent */
	size_t len;
};

/* One record of a raw event: its type and its body inside buf. */
struct aw_rawrec {
	int type;
	uint32_t off;
	uint32_t len;
};

/* Why the reassembler closed an event. */
enum aw_close_reason {
	AW_CLOSE_EOE,		/* EOE record */
	AW_CLOSE_SINGLE,	/* a record type that is a whole event */
	AW_CLOSE_SHAPE,		/* log without EOE: every expected record seen */
	AW_CLOSE_TIMEOUT,	/* no record for timeout_ms */
	AW_CLOSE_EVICTED,	/* in-flight bounds exceeded: oldest evicted */
	AW_CLOSE_FLUSH,		/* end of input / shutdown */
};

struct aw_rawevent {
	uint64_t sec;
	uint32_t msec;
	uint32_t serial;
	const char *node;	/* NUL-terminated, NULL if none */
	int nrec;
	const struct aw_rawrec *recs;
	const char *buf;	/* record bodies (not NUL-separated) */
	enum aw_close_reason closed_by;
};

struct aw_path {
	int item;
	struct aw_str name;	/* decoded; may be relative to cwd */
	struct aw_str nametype;	/* NORMAL PARENT CREATE DELETE UNKNOWN, or objtype */
	int64_t inode;		/* AW_NONE when absent */
	int64_t mode;		/* AW_NONE when absent */
	int64_t ouid, ogid;
	struct aw_str dev;
};

struct aw_sockaddr {
	int family;		/* AF_* value, -1 if undecodable */
	char addr[48];		/* textual address for inet/inet6, "" otherwise */
	int port;		/* -1 when not inet */
	struct aw_str path;	/* AF_UNIX path ("@name" for abstract) */
	uint32_t nl_pid;	/* AF_NETLINK */
	uint32_t nl_groups;
};

struct aw_event {
	uint64_t sec;
	uint32_t msec;
	uint32_t serial;
	struct aw_str node;
	enum aw_close_reason closed_by;

	int nrecords;
	int *types;		/* record types in arrival order */

	/* SYSCALL record */
	int has_syscall;
	uint32_t arch;		/* AUDIT_ARCH_* value */
	int64_t syscall;	/* number, AW_NONE if absent */
	const char *syscall_name;	/* static string, or NULL */
	int success;		/* 1 yes, 0 no, -1 absent */
	int64_t exit;		/* AW_NONE if absent */
	uint64_t a[4];
	/* socketcall(2) (i386 and other 32-bit ABIs) shown as its sub-call:
	 * syscall_name is "connect" etc., a[0] still the call number and
	 * the real arguments behind the pointer in a[1]: not available. */
	int args_indirect;
	int64_t items;
	int64_t pid, ppid;
	int64_t uid, gid, euid, suid, fsuid, egid, sgid, fsgid;
	int64_t auid, ses;
	struct aw_str tty, comm, exe, key, subj;

	/* EXECVE */
	int64_t argc;		/* argc= as the kernel reported it */
	int nargv;		/* arguments actually recovered */
	struct aw_str *argv;
	int argv_incomplete;	/* some aN missing or aN_len mismatch */

	struct aw_str proctitle;	/* raw bytes, NUL-separated argv */
	struct aw_str cwd;

	int npaths;
	struct aw_path *paths;

	int has_sockaddr;
	struct aw_sockaddr sockaddr;

	/* arena for the strings above; owned by the event */
	char *arena;
	size_t arena_used, arena_cap;
	size_t slots_cap;	/* capacity of argv/paths/types arrays */
};

void aw_event_init(struct aw_event *ev);
void aw_event_free(struct aw_event *ev);
/* Decode raw into ev (reusing ev's memory). Returns 0, -1 on ENOMEM. */
int aw_event_build(struct aw_event *ev, const struct aw_rawevent *raw);

/* Names for output. */
const char *aw_close_reason_name(enum aw_close_reason r);
const char *aw_errno_name(int64_t exit);	/* "ENOENT" for -2, or NULL */
const char *aw_arch_name(uint32_t arch);		/* "x86_64", "i386", ... */
/* socketcall(2) sub-calls (linux/net.h): 3 -> "connect" (NULL if none),
 * and back ("connect" -> 3, 0 if not a socket call). */
const char *aw_socketcall_name(uint64_t call);
uint32_t aw_socketcall_number(const char *name);

#endif
