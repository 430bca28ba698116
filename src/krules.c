/*
 * krules.c — kernel audit rules derived from the detection rules (see
 * krules.h for the contract and the limits of path pushdown).
 *
 * How a rule set is derived:
 *   1. For every enabled rule and every syscall in its evt.type set, the
 *      resolved condition is reduced to a DNF of kernel terms: what the
 *      condition implies about an event of that syscall. The reduction
 *      walks the tree in negation normal form; AND is a product, OR a
 *      union, and every check it does not understand is "true" (no
 *      constraint). Only evt.type checks can make a branch false. Too
 *      many terms collapse to "true" too: weaker is always safe.
 *   2. Terms are finalised per rule: path and exe filters are dropped
 *      unless the same term also requires success=1 and the rule is
 *      allowed path pushdown (container.id = host, audit.pushdown_paths),
 *      exe filters without the kernel feature.
 *   3. Per syscall, the terms of every rule needing it are united; one
 *      rule without a filter (or the enricher's lifecycle needs) makes
 *      the syscall plain. Paths are resolved to the host's real
 *      directories (realpath; the nearest existing ancestor for paths
 *      that do not exist yet), then subsumed terms are dropped and terms
 *      differing only in perm are merged.
 *   4. Syscalls with the same filter share a kernel rule, one per ABI.
 *      The never-rule for our own process comes first (prepended), then
 *      a never-rule for thread clones when clone is audited only for the
 *      enricher, then the always rules.
 *
 * Installing (aw_krules_apply) compares rules by their text: the kernel
 * lists a rule field by field as it was added, so the text of a rule we
 * built and of the same rule listed back are equal.
 */
#include "autoconf.h"
#include "krules.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/audit.h>
#include <libaudit.h>

#include "config.h"
#include "kaudit.h"
#include "event.h"
#include "log.h"
#include "rules/engine.h"

#define MAX_TERMS	32	/* per rule and syscall; more: no filter */
#define MAX_SC_TERMS	32	/* per syscall, all rules united */
#define MAX_CMP		4	/* uid comparisons in one term */
#define MAX_NOTES	256
#define TEXT_MAX	(PATH_MAX * 2 + 1024)

#define CLONE_THREAD_BIT 0x00010000u
#define UID_UNSET	0xffffffffu	/* auid of a process never logged in */

enum { LOC_NONE, LOC_DIR, LOC_PATH };

struct kcmp {
	uint32_t field;		/* AUDIT_EUID, AUDIT_LOGINUID */
	uint32_t op;		/* AUDIT_EQUAL... */
	uint32_t val;
};

/* One conjunction of kernel-checkable facts. */
struct kterm {
	uint8_t perm;		/* AUDIT_PERM_* bits; 0: none */
	int8_t success;		/* -1: none */
	uint8_t has_exit;
	uint8_t host, ctr;	/* implies container.id = host / != host */
	uint8_t lkind;		/* LOC_* */
	uint8_t ncmp;
	uint32_t exit;		/* exit=, as the kernel compares (u32) */
	const char *loc;	/* path of dir=/path= */
	const char *exe;
	const char *why;	/* the field the location came from */
	struct kcmp cmp[MAX_CMP];
};

/* A disjunction; n == 0 is "false", one empty term is "true". */
struct dnf {
	int n;
	struct kterm t[MAX_TERMS];
};

struct strpool {
	char **v;
	size_t n, cap;
};

/* One syscall some rule or the enricher needs. */
struct sysc {
	const char *name;
	int plain;		/* audited unfiltered */
	struct kterm *t;
	size_t n, cap;
};

struct dctx {
	const struct aw_krules_opts *o;
	const struct aw_rule_info *rule;
	const char *sc;		/* the syscall being reduced */
	struct strpool pool;
	struct sysc *sc_v;
	size_t sc_n, sc_cap;
	char **notes;
	size_t nnotes, capnotes;
	int enomem;
};

/* ------------------------------------------------------------ helpers */

static const char *const open_family[] = { "open", "openat", "openat2",
    "creat", NULL };
/* Syscalls that resolve a path argument and audit the inode they reach
 * (or its parent), so a dir=/path= filter sees them when they succeed. */
static const char *const path_family[] = { "open", "openat", "openat2",
    "creat", "chmod", "fchmodat", "fchmodat2", "chown", "lchown",
    "fchownat", "truncate", "mkdir", "mkdirat", "rmdir", "unlink",
    "unlinkat", "mknod", "mknodat", NULL };
/* fd.num is the return value of these (-1 on failure). */
static const char *const fd_returning[] = { "open", "openat", "openat2",
    "creat", "open_by_handle_at", "socket", "accept", "accept4", "dup",
    "dup2", "dup3", "memfd_create", "eventfd", "eventfd2", "signalfd",
    "signalfd4", "timerfd_create", "inotify_init", "inotify_init1",
    "epoll_create", "epoll_create1", "userfaultfd", "pidfd_open",
    "perf_event_open", "fanotify_init", "io_uring_setup", NULL };

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static const char *
pool_add(struct dctx *c, const char *s, size_t len)
{
	struct strpool *p = &c->pool;
	char *d;

	for (size_t i = 0; i < p->n; i++)
		if (strlen(p->v[i]) == len && memcmp(p->v[i], s, len) == 0)
			return p->v[i];
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		char **nv = realloc(p->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			c->enomem = 1;
			return NULL;
		}
		p->v = nv;
		p->cap = ncap;
	}
	if ((d = strndup(s, len)) == NULL) {
		c->enomem = 1;
		return NULL;
	}
	p->v[p->n++] = d;
	return d;
}

static void
pool_free(struct strpool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

static void
note(struct dctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct dctx *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < c->nnotes; i++)
		if (strcmp(c->notes[i], buf) == 0)
			return;
	if (c->nnotes >= MAX_NOTES)
		return;
	if (c->nnotes == c->capnotes) {
		size_t ncap = c->capnotes ? c->capnotes * 2 : 8;
		char **nv = realloc(c->notes, ncap * sizeof(*nv));

		if (nv == NULL) {
			c->enomem = 1;
			return;
		}
		c->notes = nv;
		c->capnotes = ncap;
	}
	if ((c->notes[c->nnotes] = strdup(buf)) == NULL) {
		c->enomem = 1;
		return;
	}
	c->nnotes++;
}

/* A syscall number, with the numbers old libaudit tables lack. */
static int
syscall_nr(uint32_t arch, const char *name)
{
	static const struct {
		uint32_t arch;
		const char *name;
		int nr;
	} newer[] = {
		{ AUDIT_ARCH_X86_64, "clone3", 435 },
		{ AUDIT_ARCH_I386, "clone3", 435 },
		{ AUDIT_ARCH_X86_64, "openat2", 437 },
		{ AUDIT_ARCH_I386, "openat2", 437 },
		{ AUDIT_ARCH_X86_64, "faccessat2", 439 },
		{ AUDIT_ARCH_I386, "faccessat2", 439 },
		{ AUDIT_ARCH_X86_64, "fchmodat2", 452 },
		{ AUDIT_ARCH_I386, "fchmodat2", 452 },
	};
	int nr = aw_krule_syscall_nr(arch, name);

	if (nr >= 0)
		return nr;
	for (size_t i = 0; i < sizeof(newer) / sizeof(newer[0]); i++)
		if (newer[i].arch == arch && strcmp(newer[i].name, name) == 0)
			return newer[i].nr;
	return -1;
}

static const char *
arch_label(uint32_t arch)
{
	switch (arch) {
	case AUDIT_ARCH_X86_64: return "b64";
	case AUDIT_ARCH_I386: return "b32";
	default: return (arch & __AUDIT_ARCH_64BIT) ? "b64" : "b32";
	}
}

/* ------------------------------------------------------------ terms */

static int
term_empty(const struct kterm *t)
{
	return t->perm == 0 && t->success < 0 && !t->has_exit &&
	    t->lkind == LOC_NONE && t->exe == NULL && t->ncmp == 0;
}

static void
term_init(struct kterm *t)
{
	memset(t, 0, sizeof(*t));
	t->success = -1;
}

static void
dnf_true(struct dnf *d)
{
	d->n = 1;
	term_init(&d->t[0]);
}

static int
dnf_is_true(const struct dnf *d)
{
	for (int i = 0; i < d->n; i++)
		if (term_empty(&d->t[i]) && !d->t[i].host && !d->t[i].ctr)
			return 1;
	return 0;
}

static int
popcount8(uint8_t v)
{
	int n = 0;

	for (; v; v &= (uint8_t)(v - 1))
		n++;
	return n;
}

/* Is location a (kind ka) inside location b (kind kb)? A dir= covers its
 * whole subtree, itself included; a path= only itself. */
static int
loc_within(int ka, const char *a, int kb, const char *b)
{
	size_t lb = strlen(b);

	if (kb == LOC_PATH)
		return ka == LOC_PATH && strcmp(a, b) == 0;
	return strncmp(a, b, lb) == 0 && (a[lb] == '\0' || a[lb] == '/');
}

/* x AND y: every fact of both, keeping one of two facts the kernel can
 * hold only once per rule (dropping a fact only widens the term). */
static void
term_and(const struct kterm *x, const struct kterm *y, struct kterm *out)
{
	*out = *x;
	if (y->perm && (!out->perm ||
	    popcount8(y->perm) < popcount8(out->perm)))
		out->perm = y->perm;
	if (out->success < 0)
		out->success = y->success;
	if (!out->has_exit && y->has_exit) {
		out->has_exit = 1;
		out->exit = y->exit;
	}
	out->host |= y->host;
	out->ctr |= y->ctr;
	if (y->lkind != LOC_NONE && (out->lkind == LOC_NONE ||
	    loc_within(y->lkind, y->loc, out->lkind, out->loc))) {
		out->lkind = y->lkind;
		out->loc = y->loc;
		out->why = y->why;
	}
	if (out->exe == NULL)
		out->exe = y->exe;
	for (int i = 0; i < y->ncmp && out->ncmp < MAX_CMP; i++)
		out->cmp[out->ncmp++] = y->cmp[i];
}

/* a := a AND b. */
static void
dnf_and(struct dnf *a, const struct dnf *b)
{
	struct dnf *r;

	if (a->n == 0)
		return;
	if (b->n == 0) {
		a->n = 0;
		return;
	}
	if (a->n * b->n > MAX_TERMS) {
		/* a AND b implies either: keep the smaller. */
		if (b->n < a->n)
			*a = *b;
		return;
	}
	if ((r = malloc(sizeof(*r))) == NULL) {
		/* Out of memory: a alone is still implied. */
		return;
	}
	r->n = 0;
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++)
			term_and(&a->t[i], &b->t[j], &r->t[r->n++]);
	*a = *r;
	free(r);
}

/* a := a OR b. */
static void
dnf_or(struct dnf *a, const struct dnf *b)
{
	if (dnf_is_true(a))
		return;
	if (dnf_is_true(b) || a->n + b->n > MAX_TERMS) {
		dnf_true(a);
		return;
	}
	for (int j = 0; j < b->n; j++)
		a->t[a->n++] = b->t[j];
}

/* ------------------------------------------------------------ checks */

static int
valid_path(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || s[0] != '/' || len >= PATH_MAX - 1)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	if (strstr(s, "//") != NULL || strstr(s, "/./") != NULL ||
	    strstr(s, "/../") != NULL)
		return 0;
	if ((len >= 2 && strcmp(s + len - 2, "/.") == 0) ||
	    (len >= 3 && strcmp(s + len - 3, "/..") == 0))
		return 0;
	return 1;
}

/* The directory every path starting with prefix lies in ("/etc/" and
 * "/etc/pa" give "/etc"); NULL for the root. */
static const char *
prefix_dir(struct dctx *c, const char *prefix, size_t len)
{
	const char *slash;

	if (len > 0 && prefix[len - 1] == '/')
		len--;
	else if ((slash = memrchr(prefix, '/', len)) != NULL)
		len = (size_t)(slash - prefix);
	while (len > 0 && prefix[len - 1] == '/')
		len--;
	if (len == 0)
		return NULL;
	return pool_add(c, prefix, len);
}

/* Length of the part of a glob pattern before its first special
 * character. */
static size_t
literal_len(const char *s)
{
	return strcspn(s, "*?[\\");
}

static int
is_true_value(const struct aw_ast_value *v)
{
	return strcasecmp(v->s, "true") == 0;
}

static int
parse_int(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 0);
	return errno == 0 && end != s && *end == '\0';
}

/* op with "not" applied, for the comparisons that have a negation. */
static int
negate_op(enum aw_op op, enum aw_op *out)
{
	switch (op) {
	case AW_OP_EQ: *out = AW_OP_NE; return 1;
	case AW_OP_NE: *out = AW_OP_EQ; return 1;
	case AW_OP_LT: *out = AW_OP_GE; return 1;
	case AW_OP_LE: *out = AW_OP_GT; return 1;
	case AW_OP_GT: *out = AW_OP_LE; return 1;
	case AW_OP_GE: *out = AW_OP_LT; return 1;
	default: return 0;
	}
}

static uint32_t
kernel_op(enum aw_op op)
{
	switch (op) {
	case AW_OP_EQ: return AUDIT_EQUAL;
	case AW_OP_NE: return AUDIT_NOT_EQUAL;
	case AW_OP_LT: return AUDIT_LESS_THAN;
	case AW_OP_LE: return AUDIT_LESS_THAN_OR_EQUAL;
	case AW_OP_GT: return AUDIT_GREATER_THAN;
	default: return AUDIT_GREATER_THAN_OR_EQUAL;
	}
}

/* The values of a check: one, or a list. NULL when the right-hand side
 * is not constants. */
static const struct aw_ast_value *
check_values(const struct aw_ast *n, size_t *nv)
{
	if (n->rhs_kind == AW_RHS_VALUE && n->nvalues >= 1) {
		*nv = 1;
		return n->values;
	}
	if (n->rhs_kind == AW_RHS_LIST) {
		*nv = n->nvalues;
		return n->values;
	}
	return NULL;
}

/* evt.type: decided for the syscall at hand. */
static void
leaf_evttype(struct dctx *c, const struct aw_ast *n, int neg, struct dnf *out)
{
	const struct aw_ast_value *v;
	size_t nv;
	int hit = 0, truth;

	dnf_true(out);
	if ((n->op != AW_OP_EQ && n->op != AW_OP_NE && n->op != AW_OP_IN) ||
	    (v = check_values(n, &nv)) == NULL)
		return;
	for (size_t i = 0; i < nv; i++)
		if (strcmp(v[i].s, c->sc) == 0)
			hit = 1;
	truth = n->op == AW_OP_NE ? !hit : hit;
	if (neg)
		truth = !truth;
	if (!truth)
		out->n = 0;
}

/* A uid comparison: user.uid is euid, user.loginuid the auid with "unset"
 * shown as -1. */
static void
leaf_uid(struct dctx *c, const struct aw_ast *n, int neg, int login,
    struct dnf *out)
{
	const struct aw_ast_value *v;
	size_t nv;
	enum aw_op op = n->op;
	struct kcmp k[MAX_TERMS];
	size_t nk = 0;

	(void)c;
	dnf_true(out);
	if ((v = check_values(n, &nv)) == NULL || nv > MAX_TERMS)
		return;
	if (op == AW_OP_IN) {
		/* in: one of the values; not in: none of them. */
		op = neg ? AW_OP_NE : AW_OP_EQ;
	} else {
		enum aw_op negated;

		if (nv != 1 || !negate_op(op, &negated))
			return;		/* not a comparison */
		if (neg)
			op = negated;
	}
	for (size_t i = 0; i < nv; i++) {
		long long x;
		uint32_t val;

		if (!parse_int(v[i].s, &x))
			return;
		if (login && x == -1) {
			/* The kernel orders unset (4294967295) above every uid;
			 * the engine's -1 below: only = and != agree. */
			if (op != AW_OP_EQ && op != AW_OP_NE)
				return;
			val = UID_UNSET;
		} else if (x < 0 || x >= (long long)UID_UNSET)
			return;
		else
			val = (uint32_t)x;
		/* auid < x holds for unset in the engine, not in the kernel. */
		if (login && (op == AW_OP_LT || op == AW_OP_LE))
			return;
		k[nk].field = login ? AUDIT_LOGINUID : AUDIT_EUID;
		k[nk].op = kernel_op(op);
		k[nk].val = val;
		nk++;
	}
	if (nk == 0)
		return;
	if (op == AW_OP_EQ) {
		/* one term per value */
		out->n = 0;
		for (size_t i = 0; i < nk; i++) {
			term_init(&out->t[out->n]);
			out->t[out->n].cmp[0] = k[i];
			out->t[out->n].ncmp = 1;
			out->n++;
		}
		return;
	}
	/* all of them, as far as a term holds */
	for (size_t i = 0; i < nk && i < MAX_CMP; i++)
		out->t[0].cmp[out->t[0].ncmp++] = k[i];
}

/* evt.res / evt.rawres / fd.num: success=1 or exit=-ERRNO. */
static void
leaf_result(struct dctx *c, const struct aw_ast *n, const char *f,
    struct dnf *out)
{
	const struct aw_ast_value *v;
	size_t nv;
	int res = strcmp(f, "evt.res") == 0;

	(void)c;
	dnf_true(out);
	if ((v = check_values(n, &nv)) == NULL)
		return;
	if (res && (n->op == AW_OP_EQ || n->op == AW_OP_IN) && nv <= MAX_TERMS) {
		struct dnf d;

		d.n = 0;
		for (size_t i = 0; i < nv; i++) {
			struct kterm *t = &d.t[d.n++];
			int e;

			term_init(t);
			if (strcmp(v[i].s, "SUCCESS") == 0)
				t->success = 1;
			else if ((e = audit_name_to_errno(v[i].s)) > 0 &&
			    e <= 4095) {
				t->has_exit = 1;
				t->exit = (uint32_t)-e;
			} else
				return;		/* a value we cannot filter */
		}
		*out = d;
		return;
	}
	if (!res && nv == 1) {
		long long x;

		if (!parse_int(v[0].s, &x))
			return;
		/* >= 0, > -1, = N>=0: the call returned >= 0, i.e. succeeded */
		if ((n->op == AW_OP_GE && x >= 0) || (n->op == AW_OP_GT &&
		    x >= -1) || (n->op == AW_OP_EQ && x >= 0))
			out->t[0].success = 1;
		else if (n->op == AW_OP_EQ && x < 0 && x >= -4095 &&
		    strcmp(f, "evt.rawres") == 0) {
			out->t[0].has_exit = 1;
			out->t[0].exit = (uint32_t)x;
		}
	}
}

/* A location from a path check on fd.name, fd.directory or fs.path.name. */
static void
leaf_path(struct dctx *c, const struct aw_ast *n, const char *f,
    struct dnf *out)
{
	const struct aw_ast_value *v;
	size_t nv;
	int dirfield = strcmp(f, "fd.directory") == 0;
	struct dnf d;

	dnf_true(out);
	if ((v = check_values(n, &nv)) == NULL || nv > MAX_TERMS)
		return;
	if (n->mod != AW_MOD_NONE && n->mod != AW_MOD_ANYOF)
		return;
	d.n = 0;
	for (size_t i = 0; i < nv; i++) {
		struct kterm *t = &d.t[d.n++];
		const char *loc = NULL;
		int kind = LOC_DIR;

		term_init(t);
		switch (n->op) {
		case AW_OP_EQ:
		case AW_OP_IN:
			if (!valid_path(v[i].s))
				return;
			loc = pool_add(c, v[i].s, strlen(v[i].s));
			kind = dirfield ? LOC_DIR : LOC_PATH;
			break;
		case AW_OP_STARTSWITH:
			if (v[i].s[0] != '/' || !valid_path(v[i].s))
				return;
			loc = prefix_dir(c, v[i].s, strlen(v[i].s));
			break;
		case AW_OP_GLOB:
		case AW_OP_PMATCH: {
			size_t l = literal_len(v[i].s);

			if (v[i].s[0] != '/')
				return;
			if (n->op == AW_OP_PMATCH && v[i].s[l] == '\0') {
				/* "/tmp" matches /tmp and what is below it */
				char tmp[PATH_MAX];

				if (l >= sizeof(tmp))
					return;
				memcpy(tmp, v[i].s, l + 1);
				while (l > 1 && tmp[l - 1] == '/')
					tmp[--l] = '\0';
				if (!valid_path(tmp))
					return;
				loc = l > 1 ? pool_add(c, tmp, l) : NULL;
			} else {
				char tmp[PATH_MAX];

				if (l >= sizeof(tmp))
					return;
				memcpy(tmp, v[i].s, l);
				tmp[l] = '\0';
				/* only the part up to its last '/' is a
				 * directory for sure */
				if (!valid_path(l > 1 ? tmp : "/"))
					return;
				loc = prefix_dir(c, tmp, l);
			}
			break;
		}
		default:
			return;
		}
		if (loc == NULL)
			return;		/* the root: no filter */
		t->lkind = (uint8_t)kind;
		t->loc = loc;
		t->why = f;
	}
	*out = d;
}

static void
leaf_exe(struct dctx *c, const struct aw_ast *n, struct dnf *out)
{
	const struct aw_ast_value *v;
	size_t nv;
	struct dnf d;

	dnf_true(out);
	if ((n->op != AW_OP_EQ && n->op != AW_OP_IN) ||
	    (v = check_values(n, &nv)) == NULL || nv > MAX_TERMS)
		return;
	d.n = 0;
	for (size_t i = 0; i < nv; i++) {
		if (!valid_path(v[i].s))
			return;
		term_init(&d.t[d.n]);
		if ((d.t[d.n].exe = pool_add(c, v[i].s, strlen(v[i].s))) ==
		    NULL)
			return;
		d.n++;
	}
	*out = d;
}

/* What one check implies (neg: what its negation implies). */
static void
leaf(struct dctx *c, const struct aw_ast *n, int neg, struct dnf *out)
{
	const struct aw_ast_operand *l = n->lhs;
	const char *f;
	const struct aw_ast_value *v;
	size_t nv;

	dnf_true(out);
	if (l == NULL || l->xform != AW_XF_FIELD || l->field == NULL ||
	    l->arg != NULL)
		return;
	f = l->field;
	if (strcmp(f, "evt.type") == 0) {
		leaf_evttype(c, n, neg, out);
		return;
	}
	if (strcmp(f, "user.uid") == 0 || strcmp(f, "user.loginuid") == 0) {
		leaf_uid(c, n, neg, f[5] == 'l', out);
		return;
	}
	if (strcmp(f, "container.id") == 0) {
		/* = host: a host process. Not the negation of != host: a
		 * process whose container is unknown has no container.id,
		 * and "not container" holds for it. */
		if ((v = check_values(n, &nv)) == NULL || neg)
			return;
		if (n->op == AW_OP_EQ || n->op == AW_OP_IN) {
			int host = 0;

			for (size_t i = 0; i < nv; i++)
				host += strcmp(v[i].s, "host") == 0;
			if (host == (int)nv)
				out->t[0].host = 1;
			else if (host == 0)
				out->t[0].ctr = 1;
		} else if (n->op == AW_OP_NE && nv == 1 &&
		    strcmp(v[0].s, "host") == 0)
			out->t[0].ctr = 1;
		return;
	}
	if (neg)
		return;
	if (strcmp(f, "evt.res") == 0 || strcmp(f, "evt.rawres") == 0) {
		leaf_result(c, n, f, out);
		return;
	}
	if (strcmp(f, "fd.num") == 0) {
		if (in_list(c->sc, fd_returning))
			leaf_result(c, n, f, out);
		return;
	}
	if (strcmp(f, "fd.typechar") == 0 || strcmp(f, "fd.type") == 0) {
		/* An open's fd type exists only when the open succeeded. */
		if (in_list(c->sc, open_family) && (n->op == AW_OP_EQ ||
		    n->op == AW_OP_IN))
			out->t[0].success = 1;
		return;
	}
	if (strcmp(f, "evt.is_open_write") == 0 ||
	    strcmp(f, "evt.is_open_read") == 0) {
		/* perm= checks the open flags' access mode; creat always
		 * writes, and other syscalls are not opens at all. */
		if (n->op != AW_OP_EQ || n->rhs_kind != AW_RHS_VALUE ||
		    !is_true_value(&n->values[0]) ||
		    !in_list(c->sc, open_family) || strcmp(c->sc, "creat") == 0)
			return;
		out->t[0].perm = f[12] == 'w' ? AUDIT_PERM_WRITE :
		    AUDIT_PERM_READ;
		return;
	}
	if (strcmp(f, "fd.name") == 0 || strcmp(f, "fd.directory") == 0) {
		if (in_list(c->sc, open_family))
			leaf_path(c, n, f, out);
		return;
	}
	if (strcmp(f, "fs.path.name") == 0) {
		if (in_list(c->sc, path_family))
			leaf_path(c, n, f, out);
		return;
	}
	if (strcmp(f, "proc.exepath") == 0) {
		leaf_exe(c, n, out);
		return;
	}
}

/* What node n (negated if neg) implies for an event of syscall c->sc. */
static void
imply(struct dctx *c, const struct aw_ast *n, int neg, struct dnf *out)
{
	struct dnf *k;
	int conj;

	switch (n->kind) {
	case AW_AST_CHECK:
		leaf(c, n, neg, out);
		return;
	case AW_AST_NOT:
		if (n->nkids != 1) {
			dnf_true(out);
			return;
		}
		imply(c, n->kids[0], !neg, out);
		return;
	case AW_AST_AND:
	case AW_AST_OR:
		break;
	default:
		dnf_true(out);
		return;
	}
	/* De Morgan: a negated AND is an OR of negations, and so on. */
	conj = (n->kind == AW_AST_AND) != neg;
	if ((k = malloc(sizeof(*k))) == NULL) {
		c->enomem = 1;
		dnf_true(out);
		return;
	}
	if (conj)
		dnf_true(out);
	else
		out->n = 0;
	for (int i = 0; i < n->nkids; i++) {
		imply(c, n->kids[i], neg, k);
		if (conj)
			dnf_and(out, k);
		else
			dnf_or(out, k);
	}
	free(k);
}

/* ------------------------------------------------------------ syscalls */

static struct sysc *
sysc_get(struct dctx *c, const char *name)
{
	struct sysc *s;

	for (size_t i = 0; i < c->sc_n; i++)
		if (strcmp(c->sc_v[i].name, name) == 0)
			return &c->sc_v[i];
	if (c->sc_n == c->sc_cap) {
		size_t ncap = c->sc_cap ? c->sc_cap * 2 : 32;
		struct sysc *nv = realloc(c->sc_v, ncap * sizeof(*nv));

		if (nv == NULL) {
			c->enomem = 1;
			return NULL;
		}
		c->sc_v = nv;
		c->sc_cap = ncap;
	}
	s = &c->sc_v[c->sc_n++];
	memset(s, 0, sizeof(*s));
	if ((s->name = pool_add(c, name, strlen(name))) == NULL) {
		c->sc_n--;
		return NULL;
	}
	return s;
}

static void
sysc_add_term(struct dctx *c, struct sysc *s, const struct kterm *t)
{
	if (s->plain)
		return;
	if (s->n >= MAX_SC_TERMS) {
		note(c, "%s: more than %d different filters: audited "
		    "unfiltered", s->name, MAX_SC_TERMS);
		s->plain = 1;
		return;
	}
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4;
		struct kterm *nv = realloc(s->t, ncap * sizeof(*nv));

		if (nv == NULL) {
			c->enomem = 1;
			s->plain = 1;
			return;
		}
		s->t = nv;
		s->cap = ncap;
	}
	s->t[s->n++] = *t;
}

/* Filters a rule may not push down, by reason, for one note each. */
#define MAX_REFUSALS 4

struct refusals {
	int n;
	struct {
		const char *why;
		char what[400];
		int count;
	} r[MAX_REFUSALS];
};

static void
refuse(struct refusals *rf, const char *why, const char *field,
    const char *what)
{
	char item[PATH_MAX + 32];
	int i;

	for (i = 0; i < rf->n; i++)
		if (rf->r[i].why == why)
			break;
	if (i == rf->n) {
		if (rf->n == MAX_REFUSALS)
			return;
		rf->n++;
		rf->r[i].why = why;
		rf->r[i].what[0] = '\0';
		rf->r[i].count = 0;
	}
	snprintf(item, sizeof(item), "%s %s", field, what);
	if (strstr(rf->r[i].what, item) != NULL)
		return;
	rf->r[i].count++;
	if (strlen(rf->r[i].what) + strlen(item) + 8 <
	    sizeof(rf->r[i].what)) {
		if (rf->r[i].what[0] != '\0')
			strcat(rf->r[i].what, ", ");
		strcat(rf->r[i].what, item);
	} else if (strstr(rf->r[i].what, ", ...") == NULL)
		strcat(rf->r[i].what, ", ...");
}

static void
refusal_notes(struct dctx *c, const struct refusals *rf)
{
	for (int i = 0; i < rf->n; i++)
		note(c, "rule '%s': not filtered in the kernel on %s: %s",
		    c->rule->name, rf->r[i].what, rf->r[i].why);
}

/* Step 2: drop what the rule may not push down. */
static void
finalize(struct dctx *c, struct kterm *t, struct refusals *rf)
{
	const struct aw_krules_opts *o = c->o;
	const char *what = t->lkind != LOC_NONE ? t->loc : t->exe;
	const char *field = t->lkind != LOC_NONE ? t->why : "proc.exepath";

	if (t->lkind != LOC_NONE || t->exe != NULL) {
		const char *why = NULL;

		if (o->paths == AW_KPATHS_OFF)
			why = "audit.pushdown_paths is off";
		else if (t->ctr)
			why = "the rule is about containers, whose files "
			    "the host's paths do not name";
		else if (o->paths == AW_KPATHS_HOST && !t->host)
			why = "the rule can match processes in containers, "
			    "whose files the host's paths do not name "
			    "(require container.id = host, or set "
			    "audit.pushdown_paths: all)";
		if (why != NULL) {
			refuse(rf, why, field, what);
			t->lkind = LOC_NONE;
			t->loc = NULL;
			t->exe = NULL;
		}
	}
	if (t->lkind != LOC_NONE && t->success != 1) {
		refuse(rf, "the rule does not require success (evt.res = "
		    "SUCCESS or fd.num >= 0), and a failed lookup never "
		    "reaches the inode the kernel compares", t->why, t->loc);
		t->lkind = LOC_NONE;
		t->loc = NULL;
	}
	if (t->exe != NULL && !(o->features & AW_KFEAT_EXECUTABLE_PATH)) {
		refuse(rf, "the kernel has no exe= filter (feature "
		    "executable_path)", "proc.exepath", t->exe);
		t->exe = NULL;
	}
	t->host = t->ctr = 0;
}

/* Step 1-2 for one rule. */
static void
add_rule(struct dctx *c, const struct aw_rule_info *r)
{
	struct dnf *d;
	struct refusals rf;

	rf.n = 0;
	c->rule = r;
	if (r->evttypes_all) {
		note(c, "rule '%s' is not restricted by evt.type: it is not "
		    "audited for; it sees only the events other rules and "
		    "the enricher need (warn_evttypes)", r->name);
		return;
	}
	if ((d = malloc(sizeof(*d))) == NULL) {
		c->enomem = 1;
		return;
	}
	for (size_t i = 0; i < r->nevttypes; i++) {
		struct sysc *s;

		if ((s = sysc_get(c, r->evttypes[i])) == NULL)
			break;
		if (!c->o->pushdown || r->condition == NULL) {
			s->plain = 1;
			continue;
		}
		c->sc = s->name;
		imply(c, r->condition, 0, d);
		if (d->n == 0)
			note(c, "rule '%s' can never match %s: not audited for "
			    "it", r->name, s->name);
		for (int j = 0; j < d->n; j++) {
			finalize(c, &d->t[j], &rf);
			if (term_empty(&d->t[j])) {
				s->plain = 1;
				break;
			}
		}
		for (int j = 0; !s->plain && j < d->n; j++)
			sysc_add_term(c, s, &d->t[j]);
	}
	refusal_notes(c, &rf);
	free(d);
}

/* ------------------------------------------------------------ paths */

/* The real path of p, or of its nearest existing ancestor (*exact = 0).
 * NULL for the root. */
static const char *
resolve_dir(struct dctx *c, const char *p, int *exact, int *isdir)
{
	char tmp[PATH_MAX], real[PATH_MAX];
	size_t len = strlen(p);
	struct stat st;

	if (len >= sizeof(tmp))
		return NULL;
	memcpy(tmp, p, len + 1);
	*exact = 1;
	for (;;) {
		if (realpath(tmp, real) != NULL)
			break;
		*exact = 0;
		char *slash = strrchr(tmp, '/');
		if (slash == NULL || slash == tmp)
			return NULL;
		*slash = '\0';
	}
	if (strcmp(real, "/") == 0)
		return NULL;
	*isdir = stat(real, &st) == 0 && S_ISDIR(st.st_mode);
	return pool_add(c, real, strlen(real));
}

/* Step 3a: the host's real directory for a location; LOC_NONE when
 * nothing below the root can stand for it. */
static void
resolve_loc(struct dctx *c, struct kterm *t)
{
	const char *r;
	int exact, isdir;

	if (t->lkind == LOC_NONE)
		return;
	if (t->lkind == LOC_PATH) {
		/* A watch follows a name in an existing directory. */
		char par[PATH_MAX];
		const char *slash = strrchr(t->loc, '/');
		size_t pl = (size_t)(slash - t->loc);

		if ((r = resolve_dir(c, t->loc, &exact, &isdir)) != NULL &&
		    exact) {
			t->loc = r;
			return;
		}
		if (pl > 0 && pl < sizeof(par)) {
			memcpy(par, t->loc, pl);
			par[pl] = '\0';
			if ((r = resolve_dir(c, par, &exact, &isdir)) != NULL &&
			    exact && isdir) {
				char full[PATH_MAX];

				snprintf(full, sizeof(full), "%s%s", r, slash);
				t->loc = pool_add(c, full, strlen(full));
				return;
			}
		} else if (pl == 0) {
			return;		/* a name in "/" */
		}
		/* No parent yet: its nearest existing ancestor's tree. */
		note(c, "%s does not exist: filtering on its nearest existing "
		    "ancestor", t->loc);
		t->lkind = LOC_DIR;
		t->loc = r;
		if (r == NULL)
			t->lkind = LOC_NONE;
		return;
	}
	if ((r = resolve_dir(c, t->loc, &exact, &isdir)) == NULL) {
		note(c, "%s: nothing below / to filter on", t->loc);
		t->lkind = LOC_NONE;
		t->loc = NULL;
		return;
	}
	if (!exact)
		note(c, "%s does not exist: filtering on %s", t->loc, r);
	else if (strcmp(r, t->loc) != 0)
		note(c, "%s is %s on this host: filtering on %s", t->loc, r,
		    r);
	t->loc = r;
	if (!isdir)
		t->lkind = LOC_PATH;
}

/* Does every event a satisfies also satisfy b? */
static int
term_implies(const struct kterm *a, const struct kterm *b)
{
	if (b->perm && (!a->perm || (a->perm & ~b->perm)))
		return 0;
	if (b->success >= 0 && a->success != b->success)
		return 0;
	if (b->has_exit && (!a->has_exit || a->exit != b->exit))
		return 0;
	if (b->lkind != LOC_NONE && (a->lkind == LOC_NONE ||
	    !loc_within(a->lkind, a->loc, b->lkind, b->loc)))
		return 0;
	if (b->exe != NULL && (a->exe == NULL || strcmp(a->exe, b->exe) != 0))
		return 0;
	for (int i = 0; i < b->ncmp; i++) {
		int found = 0;

		for (int j = 0; j < a->ncmp; j++)
			if (memcmp(&a->cmp[j], &b->cmp[i], sizeof(b->cmp[i])) ==
			    0)
				found = 1;
		if (!found)
			return 0;
	}
	return 1;
}

/* Equal but for perm? */
static int
term_same_but_perm(const struct kterm *a, const struct kterm *b)
{
	struct kterm x = *a, y = *b;

	x.perm = y.perm = 0;
	return term_implies(&x, &y) && term_implies(&y, &x);
}

/* Step 3b: drop subsumed terms, merge perm-only differences. */
static void
simplify(struct sysc *s)
{
	const uint8_t rw = AUDIT_PERM_READ | AUDIT_PERM_WRITE;
	int changed = 1;

	while (changed) {
		changed = 0;
		for (size_t i = 0; i < s->n && !changed; i++)
			for (size_t j = 0; j < s->n && !changed; j++) {
				if (i == j)
					continue;
				if (term_implies(&s->t[i], &s->t[j])) {
					s->t[i] = s->t[--s->n];
					changed = 1;
				} else if (s->t[i].perm && s->t[j].perm &&
				    term_same_but_perm(&s->t[i], &s->t[j])) {
					s->t[j].perm |= s->t[i].perm;
					/* An open's access mode always has r
					 * or w: perm=rw filters nothing. */
					if ((s->t[j].perm & rw) == rw)
						s->t[j].perm = 0;
					s->t[i] = s->t[--s->n];
					changed = 1;
				}
			}
	}
	for (size_t i = 0; i < s->n; i++)
		if (term_empty(&s->t[i]))
			s->plain = 1;
}

/* ------------------------------------------------------------ building */

struct group {
	struct kterm t;		/* empty: the unfiltered rules */
	const char **sc;
	size_t n, cap;
};

struct build {
	struct aw_krule **v, **fb;
	size_t n, cap;
};

static int
build_push(struct build *b, struct aw_krule *r, struct aw_krule *fb)
{
	if (r == NULL) {
		aw_krule_free(fb);
		return -ENOMEM;
	}
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 16;
		struct aw_krule **nv = realloc(b->v, ncap * sizeof(*nv));
		struct aw_krule **nf;

		if (nv == NULL)
			goto fail;
		b->v = nv;
		if ((nf = realloc(b->fb, ncap * sizeof(*nf))) == NULL)
			goto fail;
		b->fb = nf;
		b->cap = ncap;
	}
	b->v[b->n] = r;
	b->fb[b->n] = fb;
	b->n++;
	return 0;
fail:
	aw_krule_free(r);
	aw_krule_free(fb);
	return -ENOMEM;
}

static int
term_equal(const struct kterm *a, const struct kterm *b)
{
	return term_implies(a, b) && term_implies(b, a) && a->perm == b->perm;
}

static int
group_add(struct group **gv, size_t *ng, const struct kterm *t,
    const char *sc)
{
	struct group *g = NULL;

	for (size_t i = 0; i < *ng; i++)
		if (term_equal(&(*gv)[i].t, t))
			g = &(*gv)[i];
	if (g == NULL) {
		struct group *nv = realloc(*gv, (*ng + 1) * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		*gv = nv;
		g = &nv[(*ng)++];
		memset(g, 0, sizeof(*g));
		g->t = *t;
	}
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->sc[i], sc) == 0)
			return 0;
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 8;
		const char **nv = realloc(g->sc, ncap * sizeof(*nv));

		if (nv == NULL)
			return -ENOMEM;
		g->sc = nv;
		g->cap = ncap;
	}
	g->sc[g->n++] = sc;
	return 0;
}

/* An exit-list rule for arch with the syscalls of g; with_filter 0 gives
 * its unfiltered form. NULL (and *rc 0) when no syscall exists there. */
static struct aw_krule *
make_rule(struct dctx *c, const struct group *g, uint32_t arch,
    int with_filter, int *rc)
{
	const struct kterm *t = &g->t;
	struct aw_krule *r;
	size_t nsc = 0;

	*rc = -ENOMEM;
	if ((r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_ALWAYS)) == NULL)
		return NULL;
	if ((*rc = aw_krule_add_field(r, AUDIT_ARCH, AUDIT_EQUAL, arch)))
		goto fail;
	for (size_t i = 0; i < g->n; i++) {
		int nr = syscall_nr(arch, g->sc[i]);

		if (nr < 0) {
			note(c, "%s: no such syscall on %s: not audited there",
			    g->sc[i], arch_label(arch));
			continue;
		}
		if ((*rc = aw_krule_add_syscall(r, nr)) != 0)
			goto fail;
		nsc++;
	}
	*rc = 0;
	if (nsc == 0) {
		aw_krule_free(r);
		return NULL;
	}
	if (with_filter) {
		if (t->success >= 0 && (*rc = aw_krule_add_field(r,
		    AUDIT_SUCCESS, AUDIT_EQUAL, (uint32_t)t->success)))
			goto fail;
		if (t->has_exit && (*rc = aw_krule_add_field(r, AUDIT_EXIT,
		    AUDIT_EQUAL, t->exit)))
			goto fail;
		if (t->perm && (*rc = aw_krule_add_field(r, AUDIT_PERM,
		    AUDIT_EQUAL, t->perm)))
			goto fail;
		for (int i = 0; i < t->ncmp; i++)
			if ((*rc = aw_krule_add_field(r, t->cmp[i].field,
			    t->cmp[i].op, t->cmp[i].val)))
				goto fail;
		if (t->exe != NULL && (*rc = aw_krule_add_string(r,
		    AUDIT_EXE, AUDIT_EQUAL, t->exe)))
			goto fail;
		if (t->lkind != LOC_NONE && (*rc = aw_krule_add_string(r,
		    t->lkind == LOC_DIR ? AUDIT_DIR : AUDIT_WATCH,
		    AUDIT_EQUAL, t->loc)))
			goto fail;
	}
	if ((*rc = aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL,
	    c->o->key)) != 0)
		goto fail;
	return r;
fail:
	aw_krule_free(r);
	return NULL;
}

/*
 * socketcall(2): on i386 (and other 32-bit ABIs), glibc still reaches
 * connect, bind, accept... through socketcall with the call number in a0,
 * so a rule on the direct syscall alone misses 32-bit programs. Its
 * arguments are behind a pointer, so the only filter that can apply is
 * a0 itself: the socketcall rule is the unfiltered form (a superset).
 * The sub-call numbers come from aw_socketcall_number() (event.c), the
 * table the decoder names events with.
 */
/* One socketcall rule per sub-call of g on arch (if arch has socketcall),
 * each sub-call once per arch (*done: bit per sub-call). */
static int
build_socketcall(struct dctx *c, struct build *b, const struct group *g,
    uint32_t arch, uint32_t *done)
{
	int nr = syscall_nr(arch, "socketcall"), rc;

	if (nr < 0)
		return 0;
	for (size_t i = 0; i < g->n; i++) {
		uint32_t sub = aw_socketcall_number(g->sc[i]);
		struct aw_krule *r;

		if (sub == 0 || (*done & (1u << sub)))
			continue;
		*done |= 1u << sub;
		if ((r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_ALWAYS)) == NULL)
			return -ENOMEM;
		if ((rc = aw_krule_add_field(r, AUDIT_ARCH, AUDIT_EQUAL,
		    arch)) || (rc = aw_krule_add_syscall(r, nr)) ||
		    (rc = aw_krule_add_field(r, AUDIT_ARG0, AUDIT_EQUAL, sub)) ||
		    (rc = aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL,
		    c->o->key))) {
			aw_krule_free(r);
			return rc;
		}
		if ((rc = build_push(b, r, NULL)) != 0)	/* frees r */
			return rc;
	}
	return 0;
}

/* Never audit ourselves: our pid, and our executable where the kernel
 * can check it (so a stale rule of a killed run does not hide another
 * program that gets its pid). Prepended: first match wins. */
static int
build_self(struct dctx *c, struct build *b)
{
	const struct aw_krules_opts *o = c->o;
	struct aw_krule *r, *with_exe = NULL;
	int rc, use_exe = o->self_exe != NULL && o->self_exe[0] == '/' &&
	    (o->features & AW_KFEAT_EXECUTABLE_PATH);

	/* pass 0: pid and exe (kept in with_exe); pass 1: pid only, the
	 * rule itself or the fallback of the first. */
	for (int pass = use_exe ? 0 : 1; pass < 2; pass++) {
		r = aw_krule_new(AUDIT_FILTER_EXIT | AUDIT_FILTER_PREPEND,
		    AUDIT_NEVER);
		if (r == NULL) {
			aw_krule_free(with_exe);
			return -ENOMEM;
		}
		if ((rc = aw_krule_add_syscall(r, -1)) != 0 ||
		    (rc = aw_krule_add_field(r, AUDIT_PID, AUDIT_EQUAL,
		    o->self_pid)) != 0 ||
		    (pass == 0 && (rc = aw_krule_add_string(r, AUDIT_EXE,
		    AUDIT_EQUAL, o->self_exe)) != 0) ||
		    (rc = aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL,
		    o->key)) != 0) {
			aw_krule_free(r);
			aw_krule_free(with_exe);
			return rc;
		}
		if (pass == 0)
			with_exe = r;
		else if (with_exe != NULL)
			return build_push(b, with_exe, r);
		else
			return build_push(b, r, NULL);
	}
	return 0;
}

/* clone with CLONE_THREAD is a thread, not a process: not for us. */
static int
build_thread_never(struct dctx *c, struct build *b, uint32_t arch)
{
	struct aw_krule *r;
	int nr = syscall_nr(arch, "clone"), rc;

	if (nr < 0)
		return 0;
	if ((r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_NEVER)) == NULL)
		return -ENOMEM;
	if ((rc = aw_krule_add_field(r, AUDIT_ARCH, AUDIT_EQUAL, arch)) ||
	    (rc = aw_krule_add_syscall(r, nr)) ||
	    (rc = aw_krule_add_field(r, AUDIT_ARG0, AUDIT_BIT_MASK,
	    CLONE_THREAD_BIT)) ||
	    (rc = aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL,
	    c->o->key))) {
		aw_krule_free(r);
		return rc;
	}
	return build_push(b, r, NULL);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_sysc(const void *a, const void *b)
{
	return strcmp(((const struct sysc *)a)->name,
	    ((const struct sysc *)b)->name);
}

static void
add_lifecycle(struct dctx *c)
{
	static const char *const exec[] = { "execve", "execveat", NULL };
	static const char *const fork[] = { "fork", "vfork", "clone", NULL };
	static const char *const all[] = { "clone3", "exit_group", NULL };
	const char *const *lists[3] = { exec, fork, all };

	for (int l = 0; l <= (int)c->o->lifecycle && l < 3; l++)
		for (const char *const *p = lists[l]; *p != NULL; p++) {
			struct sysc *s = sysc_get(c, *p);

			if (s != NULL)
				s->plain = 1;
		}
}

int
aw_krules_derive(const struct aw_engine *e, const struct aw_krules_opts *o,
    struct aw_krset **out)
{
	struct dctx c;
	struct build b = { NULL, NULL, 0, 0 };
	struct group *gv = NULL;
	size_t ng = 0;
	uint32_t arches[2];
	uint32_t sockcall_done[2] = { 0, 0 };
	size_t narch;
	struct aw_krset *s;
	int rc = 0, thread_never;
	struct sysc *clone;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.o = o;
	if (o->key == NULL || o->key[0] == '\0')
		return -EINVAL;
	if (o->narches > 0) {
		narch = o->narches > 2 ? 2 : o->narches;
		memcpy(arches, o->arches, narch * sizeof(arches[0]));
	} else
		narch = aw_krule_host_arches(arches);
	if (narch == 0)
		return -ENOSYS;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;

	/* 1-2: what each enabled rule needs */
	for (size_t i = 0; e != NULL && i < aw_engine_nrules(e); i++) {
		const struct aw_rule_info *r = aw_engine_rule(e, i);

		if (r->state != AW_RULE_ACTIVE && r->state != AW_RULE_PARTIAL)
			continue;
		s->nrules++;
		add_rule(&c, r);
	}
	clone = NULL;
	for (size_t i = 0; i < c.sc_n; i++)
		if (strcmp(c.sc_v[i].name, "clone") == 0)
			clone = &c.sc_v[i];
	thread_never = o->lifecycle >= AW_KLIFE_FORK && clone == NULL;
	add_lifecycle(&c);

	/* 3: unite, resolve, simplify */
	qsort(c.sc_v, c.sc_n, sizeof(*c.sc_v), cmp_sysc);
	for (size_t i = 0; i < c.sc_n; i++) {
		struct sysc *sc = &c.sc_v[i];

		for (size_t j = 0; !sc->plain && j < sc->n; j++)
			resolve_loc(&c, &sc->t[j]);
		if (!sc->plain)
			simplify(sc);
		if (sc->plain)
			s->nplain++;
		else
			s->npushed++;
	}

	/* 4: group by filter, then build */
	for (size_t i = 0; rc == 0 && i < c.sc_n; i++) {
		struct sysc *sc = &c.sc_v[i];
		struct kterm none;

		term_init(&none);
		if (sc->plain)
			rc = group_add(&gv, &ng, &none, sc->name);
		for (size_t j = 0; rc == 0 && !sc->plain && j < sc->n; j++)
			rc = group_add(&gv, &ng, &sc->t[j], sc->name);
	}
	if (rc == 0 && o->self_pid != 0)
		rc = build_self(&c, &b);
	for (size_t a = 0; rc == 0 && thread_never && a < narch; a++)
		rc = build_thread_never(&c, &b, arches[a]);
	for (size_t gi = 0; rc == 0 && gi < ng; gi++) {
		struct group *g = &gv[gi];
		int filtered = !term_empty(&g->t);

		qsort(g->sc, g->n, sizeof(*g->sc), cmp_str);
		for (size_t a = 0; rc == 0 && a < narch; a++) {
			struct aw_krule *r, *fb = NULL;

			r = make_rule(&c, g, arches[a], 1, &rc);
			if (r == NULL)
				continue;
			if (filtered && (fb = make_rule(&c, g, arches[a], 0,
			    &rc)) == NULL && rc != 0) {
				aw_krule_free(r);
				break;
			}
			rc = build_push(&b, r, fb);
			if (rc == 0)
				rc = build_socketcall(&c, &b, g, arches[a],
				    &sockcall_done[a]);
		}
	}
	if (rc == 0 && c.enomem)
		rc = -ENOMEM;
	for (size_t i = 0; i < ng; i++)
		free(gv[i].sc);
	free(gv);
	for (size_t i = 0; i < c.sc_n; i++)
		free(c.sc_v[i].t);
	free(c.sc_v);
	pool_free(&c.pool);
	s->v = b.v;
	s->fallback = b.fb;
	s->n = b.n;
	s->notes = c.notes;
	s->nnotes = c.nnotes;
	if (rc != 0) {
		aw_krset_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void
aw_krset_free(struct aw_krset *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		aw_krule_free(s->v[i]);
		aw_krule_free(s->fallback[i]);
	}
	free(s->v);
	free(s->fallback);
	for (size_t i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	free(s->notes);
	free(s);
}

/* ------------------------------------------------------------ options */

int
aw_krules_opts_from_config(struct aw_krules_opts *o,
    const struct aw_config *cfg, char *err, size_t errsz)
{
	const char *v;
	int b;

	memset(o, 0, sizeof(*o));
	o->key = "auditwatch";
	o->pushdown = 1;
	o->paths = AW_KPATHS_HOST;
	o->lifecycle = AW_KLIFE_FORK;
	if (cfg == NULL)
		return 0;
	o->key = aw_config_str(cfg, "audit.rule_key", "auditwatch");
	if (o->key[0] == '\0' || strlen(o->key) > AUDIT_MAX_KEY_LEN ||
	    strchr(o->key, '\001') != NULL) {
		snprintf(err, errsz, "audit.rule_key: must be 1 to %d bytes "
		    "without \\x01", AUDIT_MAX_KEY_LEN);
		return -1;
	}
	if (aw_config_bool(cfg, "audit.pushdown", 1, &b, err, errsz) != 0)
		return -1;
	o->pushdown = b;
	v = aw_config_str(cfg, "audit.pushdown_paths", "host");
	if (strcmp(v, "host") == 0)
		o->paths = AW_KPATHS_HOST;
	else if (strcmp(v, "all") == 0)
		o->paths = AW_KPATHS_ALL;
	else if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0)
		o->paths = AW_KPATHS_OFF;
	else {
		snprintf(err, errsz, "audit.pushdown_paths: \"%s\" is not "
		    "host, all or off", v);
		return -1;
	}
	v = aw_config_str(cfg, "audit.lifecycle", "fork");
	if (strcmp(v, "exec") == 0)
		o->lifecycle = AW_KLIFE_EXEC;
	else if (strcmp(v, "fork") == 0)
		o->lifecycle = AW_KLIFE_FORK;
	else if (strcmp(v, "all") == 0)
		o->lifecycle = AW_KLIFE_ALL;
	else {
		snprintf(err, errsz, "audit.lifecycle: \"%s\" is not exec, "
		    "fork or all", v);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ text */

const char *
aw_krules_format(const struct aw_krule *r, char *buf, size_t bufsz)
{
	char *raw, *p, *q;
	size_t off = 0;

	if (bufsz == 0)
		return buf;
	if ((raw = malloc(bufsz)) == NULL) {
		aw_krule_format(r, buf, bufsz);
		return buf;
	}
	aw_krule_format(r, raw, bufsz);
	buf[0] = '\0';
	/* Tokens are separated by single spaces (strings with spaces are
	 * printed in hex); rewrite the two auditctl spells differently. */
	for (p = raw; *p != '\0'; p = q) {
		char tok[64];
		unsigned long v;
		char *end;
		size_t tl;

		q = strchr(p + 1, ' ');
		if (q == NULL)
			q = p + strlen(p);
		tl = (size_t)(q - p);
		tok[0] = '\0';
		if (tl > 6 && tl < 40 && strncmp(p, " perm=", 6) == 0) {
			v = strtoul(p + 6, &end, 10);
			if (end == q && v > 0 && v < 16)
				snprintf(tok, sizeof(tok), " perm=%s%s%s%s",
				    (v & AUDIT_PERM_READ) ? "r" : "",
				    (v & AUDIT_PERM_WRITE) ? "w" : "",
				    (v & AUDIT_PERM_EXEC) ? "x" : "",
				    (v & AUDIT_PERM_ATTR) ? "a" : "");
		} else if (tl > 6 && tl < 40 && strncmp(p, " exit", 5) == 0) {
			size_t ol = strspn(p + 5, "!=<>&");

			v = strtoul(p + 5 + ol, &end, 10);
			if (ol > 0 && ol <= 2 && end == q && v > 0xfffff000UL &&
			    v <= 0xffffffffUL) {
				int e = (int)(0x100000000UL - v);
				const char *n = audit_errno_to_name(e);

				if (n != NULL)
					snprintf(tok, sizeof(tok),
					    " exit%.*s-%s", (int)ol, p + 5, n);
				else
					snprintf(tok, sizeof(tok),
					    " exit%.*s-%d", (int)ol, p + 5, e);
			}
		}
		if (tok[0] != '\0') {
			if (off + strlen(tok) < bufsz) {
				memcpy(buf + off, tok, strlen(tok) + 1);
				off += strlen(tok);
			}
		} else if (off + tl < bufsz) {
			memcpy(buf + off, p, tl);
			off += tl;
			buf[off] = '\0';
		}
	}
	free(raw);
	return buf;
}

/* ------------------------------------------------------------ install */

static const struct audit_rule_data *
hdr(const struct aw_krule *r)
{
	return (const struct audit_rule_data *)(const void *)r->data;
}

static uint32_t
rule_arch(const struct aw_krule *r)
{
	const struct audit_rule_data *d = hdr(r);

	for (uint32_t i = 0; i < d->field_count; i++)
		if (d->fields[i] == AUDIT_ARCH)
			return d->values[i];
	return 0;
}

/* Do two rules share a syscall on the same ABI? */
static int
masks_overlap(const struct aw_krule *a, const struct aw_krule *b)
{
	const struct audit_rule_data *x = hdr(a), *y = hdr(b);

	if (rule_arch(a) != rule_arch(b))
		return 0;
	for (int i = 0; i < AUDIT_BITMASK_SIZE; i++)
		if (x->mask[i] & y->mask[i])
			return 1;
	return 0;
}

struct installed {
	struct aw_krule **v;
	char **text;
	int *ours, *wanted;
	size_t n;
};

static void
installed_free(struct installed *in)
{
	for (size_t i = 0; in->text != NULL && i < in->n; i++)
		free(in->text[i]);	/* text is NULL if its calloc failed */
	free(in->text);
	free(in->ours);
	free(in->wanted);
	aw_krules_free(in->v, in->n);
	memset(in, 0, sizeof(*in));
}

static int
installed_load(struct aw_kaudit *k, const char *key, struct installed *in)
{
	char *buf;
	int rc;

	memset(in, 0, sizeof(*in));
	if ((rc = aw_kaudit_list_rules(k, &in->v, &in->n)) != 0)
		return rc;
	in->text = calloc(in->n + 1, sizeof(*in->text));
	in->ours = calloc(in->n + 1, sizeof(*in->ours));
	in->wanted = calloc(in->n + 1, sizeof(*in->wanted));
	if ((buf = malloc(TEXT_MAX)) == NULL || in->text == NULL ||
	    in->ours == NULL || in->wanted == NULL) {
		free(buf);
		installed_free(in);
		return -ENOMEM;
	}
	for (size_t i = 0; i < in->n; i++) {
		in->ours[i] = aw_krule_has_key(in->v[i], key);
		aw_krules_format(in->v[i], buf, TEXT_MAX);
		if ((in->text[i] = strdup(buf)) == NULL) {
			free(buf);
			installed_free(in);
			return -ENOMEM;
		}
	}
	free(buf);
	return 0;
}

static ssize_t
installed_find(const struct installed *in, const char *text)
{
	for (size_t i = 0; i < in->n; i++)
		if (in->ours[i] && strcmp(in->text[i], text) == 0)
			return (ssize_t)i;
	return -1;
}

int
aw_krules_apply(struct aw_kaudit *k, const struct aw_krset *s,
    const char *key, struct aw_krules_result *res)
{
	struct aw_kstatus_reply st;
	struct installed in;
	struct aw_krule **never_added = NULL;
	size_t nnever = 0;
	char *text = NULL;
	int rc, uncertain = 0;

	memset(res, 0, sizeof(*res));
	if ((rc = aw_kaudit_get_status(k, &st)) != 0)
		return rc;
	if ((rc = installed_load(k, key, &in)) != 0)
		return rc;
	for (size_t i = 0; i < in.n; i++)
		if (!in.ours[i])
			res->others++;
	if (st.s.enabled == 2) {
		res->locked = 1;
		for (size_t i = 0; i < in.n; i++)
			res->kept += in.ours[i];
		installed_free(&in);
		return 0;
	}
	if ((text = malloc(TEXT_MAX)) == NULL ||
	    (never_added = calloc(s->n + 1, sizeof(*never_added))) == NULL) {
		free(text);
		installed_free(&in);
		return -ENOMEM;
	}

	/* Add what is missing, in order. */
	for (size_t j = 0; j < s->n; j++) {
		const struct aw_krule *r = s->v[j];
		ssize_t idx;
		int reposition = 0;

		aw_krules_format(r, text, TEXT_MAX);
		idx = installed_find(&in, text);
		/* A never-rule added now lands after the always rules
		 * already there; those it must precede go in again. */
		if (idx >= 0 && hdr(r)->action == AUDIT_ALWAYS)
			for (size_t i = 0; i < nnever; i++)
				if (masks_overlap(never_added[i], r))
					reposition = 1;
		if (idx >= 0 && !reposition) {
			in.wanted[idx] = 1;
			res->kept++;
			continue;
		}
		if (idx >= 0) {
			(void)aw_kaudit_del_rule(k, in.v[idx]);
			in.ours[idx] = 0;	/* gone, not to be deleted */
		}
		rc = aw_kaudit_add_rule(k, r);
		if (rc == 0 || rc == -EEXIST) {
			if (rc == 0)
				res->added++;
			else {
				/* identical to a rule we could not match by
				 * text: be careful with deletions */
				uncertain = 1;
				res->kept++;
			}
			if (rc == 0 && hdr(r)->action == AUDIT_NEVER &&
			    !(hdr(r)->flags & AUDIT_FILTER_PREPEND))
				never_added[nnever++] = (struct aw_krule *)r;
			continue;
		}
		if (s->fallback[j] != NULL) {
			int rc2 = aw_kaudit_add_rule(k, s->fallback[j]);

			if (rc2 == 0 || rc2 == -EEXIST) {
				res->fell_back++;
				aw_krules_format(s->fallback[j], text,
				    TEXT_MAX);
				if ((idx = installed_find(&in, text)) >= 0)
					in.wanted[idx] = 1;
				aw_krules_format(r, text, TEXT_MAX);
				aw_warn("kernel refused \"%s\" (%s): installed "
				    "it without its filter", text,
				    strerror(-rc));
				if (res->first_err == 0)
					res->first_err = rc;
				continue;
			}
		}
		aw_err("adding kernel audit rule \"%s\": %s", text,
		    strerror(-rc));
		res->failed++;
		if (res->first_err == 0)
			res->first_err = rc;
	}

	/* Then delete ours that the set does not have: always rules
	 * first, never-rules last. Fallback forms we installed are kept
	 * (wanted); text of the set's rules is checked again in case a
	 * fallback equals one of them. */
	if (uncertain)
		aw_warn("kernel audit rules: an installed rule did not match "
		    "its expected text; stale rules are left in place");
	for (int pass = 0; !uncertain && pass < 2; pass++)
		for (size_t i = 0; i < in.n; i++) {
			int never = hdr(in.v[i])->action == AUDIT_NEVER;
			int keep = 0;

			if (!in.ours[i] || in.wanted[i] || never != pass)
				continue;
			for (size_t j = 0; j < s->n && !keep; j++) {
				aw_krules_format(s->v[j], text, TEXT_MAX);
				keep = strcmp(text, in.text[i]) == 0;
			}
			if (keep)
				continue;
			rc = aw_kaudit_del_rule(k, in.v[i]);
			if (rc == 0)
				res->deleted++;
			else if (rc != -ENOENT)
				aw_warn("deleting stale kernel audit rule "
				    "\"%s\": %s", in.text[i], strerror(-rc));
		}
	free(never_added);
	free(text);
	installed_free(&in);
	return 0;
}

int
aw_krules_install_for(const struct aw_config *cfg,
    const struct aw_engine *e, struct aw_kaudit *k, uint32_t self_pid,
    size_t *ninstalled)
{
	struct aw_krules_opts o;
	struct aw_kstatus_reply st;
	struct aw_krules_result res;
	struct aw_krset *s;
	char err[256], exe[PATH_MAX];
	ssize_t len;
	int rc;

	if (ninstalled != NULL)
		*ninstalled = 0;
	if (aw_krules_opts_from_config(&o, cfg, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		return -EINVAL;
	}
	if ((rc = aw_kaudit_get_status(k, &st)) != 0) {
		aw_err("kernel audit control (AUDIT_GET): %s", strerror(-rc));
		return rc;
	}
	o.features = st.s.feature_bitmap;
	o.self_pid = self_pid;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		if (strstr(exe, " (deleted)") == NULL)
			o.self_exe = exe;
	}
	if ((rc = aw_krules_derive(e, &o, &s)) != 0) {
		aw_err("deriving kernel audit rules: %s", strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < s->nnotes; i++)
		aw_info("kernel rules: %s", s->notes[i]);
	for (size_t i = 0; i < s->n; i++) {
		char text[1024];

		aw_krules_format(s->v[i], text, sizeof(text));
		aw_debug("kernel audit rule: %s", text);
	}
	rc = aw_krules_apply(k, s, o.key, &res);
	if (rc != 0) {
		aw_err("installing kernel audit rules: %s", strerror(-rc));
		aw_krset_free(s);
		return rc;
	}
	if (res.locked)
		aw_warn("kernel audit is locked (enabled=2, immutable until "
		    "reboot): kernel audit rules cannot change; running with "
		    "the %zu rules installed (%zu with key \"%s\")",
		    res.kept + res.others, res.kept, o.key);
	else
		aw_info("installed %zu kernel audit rules (key \"%s\"): %zu new,"
		    " %zu kept, %zu without their filter, %zu failed, %zu "
		    "stale deleted; %zu syscalls filtered in the kernel, %zu "
		    "unfiltered; %zu rules of others left alone",
		    res.added + res.kept + res.fell_back, o.key, res.added,
		    res.kept, res.fell_back, res.failed, res.deleted,
		    s->npushed, s->nplain, res.others);
	if (ninstalled != NULL)
		*ninstalled = res.added + res.kept + res.fell_back;
	aw_krset_free(s);
	if (!res.locked && res.added + res.kept + res.fell_back == 0)
		return res.first_err ? res.first_err : -EINVAL;
	return 0;
}
