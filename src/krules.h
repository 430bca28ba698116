/*
 * krules.h — kernel audit rules derived from the detection rules.
 *
 * From a loaded rule engine, compute the smallest set of exit-list rules
 * that still delivers every event an enabled rule could match, plus the
 * process lifecycle the enricher follows, for every ABI of the host
 * (b64 and b32 on x86_64), all tagged with our key; then install it next
 * to whatever else the kernel has, and swap it on reload.
 *
 *   aw_krules_opts_from_config(&o, cfg, ...);   key, pushdown, lifecycle
 *   aw_krules_derive(engine, &o, &set);        pure: no kernel access
 *   aw_krules_apply(k, set, key, &res);        add new, then delete stale
 *   aw_krset_free(set);
 *
 * `run` (start and SIGHUP) only needs aw_krules_install_for().
 *
 * Pushdown. For each syscall an enabled rule needs, the rule's resolved
 * condition is reduced to what it *implies* about an event of that
 * syscall, in kernel-filterable terms (a disjunction of conjunctions of
 * success=, exit=, perm=, euid/auid comparisons, dir=/path=, exe=). If
 * every rule needing the syscall implies a filter, the union of those
 * filters is installed instead of the bare syscall. Anything the
 * reduction does not understand counts as "no constraint", so a rule can
 * only ever widen what is audited: the union never drops an event a rule
 * could match, within the limits below.
 *
 * Paths are where this stops being exact. The kernel's dir=/path=/exe=
 * match inodes in the host's directory tree (resolved when the rule is
 * added); fd.name is the path string the process used. They agree for
 * processes that see the host's root, except through symlinks inside the
 * watched directory that lead out of it, mounts placed there later, and a
 * watched directory renamed away and recreated (root only). A container
 * sees its own root: its /etc is not the host's /etc, and a dir=/etc
 * filter would drop every container write a "write below /etc" rule is
 * about. So by default (audit.pushdown_paths: host) paths and exe are
 * pushed down only for rules that require container.id = host;
 * "all" pushes them for every rule that does not require a container
 * (accepting the loss of container and chroot events), "off" never.
 * Path filters are also only used together with success=1 (a failed
 * lookup never reaches the inode the kernel compares).
 *
 * Ownership: a set owns its rules; everything else is the caller's.
 */
#ifndef AW_KRULES_H
#define AW_KRULES_H

#include <stddef.h>
#include <stdint.h>

struct aw_config;
struct aw_engine;
struct aw_kaudit;
struct aw_krule;

enum aw_kpaths {
	AW_KPATHS_OFF,		/* never push path or exe filters down */
	AW_KPATHS_HOST,		/* only for rules requiring container.id = host */
	AW_KPATHS_ALL,		/* for every rule not requiring a container */
};

enum aw_klife {
	AW_KLIFE_EXEC,		/* execve, execveat */
	AW_KLIFE_FORK,		/* + fork, vfork, clone without CLONE_THREAD */
	AW_KLIFE_ALL,		/* + clone3 (every thread too), exit_group */
};

struct aw_krules_opts {
	const char *key;	/* audit.rule_key ("auditwatch") */
	int pushdown;		/* audit.pushdown (true) */
	enum aw_kpaths paths;	/* audit.pushdown_paths (host) */
	enum aw_klife lifecycle;	/* audit.lifecycle (fork) */
	uint32_t features;	/* status.feature_bitmap (exe= needs 0x4) */
	uint32_t self_pid;	/* never-rule for this pid; 0: none */
	const char *self_exe;	/* ...and this executable, if features allow */
	uint32_t arches[2];	/* AUDIT_ARCH_* to cover; narches 0: host's */
	size_t narches;
};

/* Defaults, then the audit.* keys of cfg (NULL: defaults only). Returns 0,
 * or -1 with a message in err for a bad value. features, self_pid and
 * self_exe are left for the caller. */
int aw_krules_opts_from_config(struct aw_krules_opts *o,
    const struct aw_config *cfg, char *err, size_t errsz);

/* A derived rule set, in installation order. */
struct aw_krset {
	struct aw_krule **v;
	struct aw_krule **fallback;	/* per rule: the unfiltered form to
					 * add if the kernel refuses v[i]
					 * (missing path, old kernel); or NULL */
	size_t n;
	char **notes;		/* why something was not pushed down, rules
				 * that see only what others audit... */
	size_t nnotes;
	size_t nrules;		/* enabled detection rules considered */
	size_t npushed;		/* syscalls installed in filtered form */
	size_t nplain;		/* syscalls installed unfiltered */
};

/* Derive the set for the enabled rules of e (NULL: lifecycle only).
 * Touches no kernel state; reads the file system only to resolve the
 * directories of path filters. Returns 0 or -errno. */
int aw_krules_derive(const struct aw_engine *e,
    const struct aw_krules_opts *o, struct aw_krset **out);
void aw_krset_free(struct aw_krset *s);

struct aw_krules_result {
	size_t added;		/* new rules the kernel accepted */
	size_t kept;		/* already installed (ours, identical) */
	size_t fell_back;	/* refused; the unfiltered form went in */
	size_t failed;		/* refused, nothing went in for it */
	size_t deleted;		/* stale rules with our key removed */
	size_t others;		/* rules without our key, left alone */
	int locked;		/* enabled == 2: nothing could change */
	int first_err;		/* first -errno of a refused rule */
};

/* Make the kernel's rules carrying key exactly s: add what is missing
 * first, then delete rules carrying key that s does not have (stale ones
 * from a killed run, or the previous set on reload), so at no moment is
 * neither set installed. Rules without key are never touched. EEXIST is
 * success. With audit locked (enabled 2) nothing changes and res->locked
 * is set. Returns 0, or -errno when the kernel could not be asked at all
 * (individual refusals are counted in res). */
int aw_krules_apply(struct aw_kaudit *k, const struct aw_krset *s,
    const char *key, struct aw_krules_result *res);

/* For `run`, at start and on SIGHUP: options from cfg, features from
 * AUDIT_GET, the never-rule for self_pid (and /proc/self/exe), derive,
 * log the notes, apply, log the outcome ("installed N kernel audit rules
 * (key "K")"). e may be NULL (lifecycle only). *ninstalled (may be NULL)
 * gets the number of our rules in the kernel afterwards. Returns 0, or
 * -errno when nothing could be installed. */
int aw_krules_install_for(const struct aw_config *cfg,
    const struct aw_engine *e, struct aw_kaudit *k, uint32_t self_pid,
    size_t *ninstalled);

/* auditctl-like text of a rule as krules prints it (perm as letters, exit
 * as -ERRNO). Returns buf. */
const char *aw_krules_format(const struct aw_krule *r, char *buf,
    size_t bufsz);

#endif
