/*
 * proctable.c — the bounded process table and interned container ids.
 *
 * Entries live in a uthash table keyed by pid and on a doubly linked LRU
 * list (head = most recently used). Every lookup through aw_ptable_get()
 * moves the entry to the head; aw_ptable_trim() (called by the enricher
 * once per event, never in the middle of a rule evaluation, so pointers
 * handed to the rule engine stay valid) drops entries from the tail while
 * the table is over its bound. Exited processes are not removed on exit:
 * they age out like any other entry, which is what lets the events of
 * their children, processed later, still find them (a walk up the tree
 * touches them again).
 *
 * All strings of an entry are in one allocation (the "blob"): the argv
 * pointer array first, then exe, comm, cwd, tty and the arguments, so an
 * entry costs one malloc besides the entry itself. argv is capped at
 * AW_PT_ARGV_MAX_BYTES / AW_PT_ARGV_MAX arguments (the rule engine takes
 * the current event's own argv from the event; the table's copy is for
 * ancestors, proc.pcmdline and friends).
 *
 * Container identities are interned by full id and reference counted, so
 * a process costs a pointer, not a copy of a 64-character id.
 */
#include "autoconf.h"
#include "enrich/proctable.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"

struct aw_ptable {
	struct aw_pentry *by_pid;
	struct aw_pentry *head, *tail;
	struct aw_cinfo *cinfos;
	size_t max;
	struct aw_ptable_stats st;
	size_t blob_bytes;
};

struct aw_ptable *
aw_ptable_new(size_t max_entries)
{
	struct aw_ptable *t = calloc(1, sizeof(*t));

	if (t)
		t->max = max_entries ? max_entries : 1;
	return t;
}

static void
lru_unlink(struct aw_ptable *t, struct aw_pentry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		t->head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		t->tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
lru_push_head(struct aw_ptable *t, struct aw_pentry *e)
{
	e->lru_prev = NULL;
	e->lru_next = t->head;
	if (t->head)
		t->head->lru_prev = e;
	t->head = e;
	if (t->tail == NULL)
		t->tail = e;
}

static void
cinfo_unref(struct aw_ptable *t, struct aw_cinfo *ci)
{
	if (ci == NULL || --ci->refs > 0)
		return;
	HASH_DEL(t->cinfos, ci);
	free(ci->key);
	free(ci);
}

static size_t
blob_size(const struct aw_pentry *e)
{
	/* what the blob holds, for the memory statistic */
	size_t n = 0;
	const struct aw_proc *p = &e->pub;

	if (e->blob == NULL)
		return 0;
	n += (size_t)(p->argc + 1) * sizeof(char *);
	n += p->exe ? strlen(p->exe) + 1 : 0;
	n += strlen(p->comm) + 1;
	n += p->cwd ? strlen(p->cwd) + 1 : 0;
	n += p->tty ? strlen(p->tty) + 1 : 0;
	for (int i = 0; i < p->argc; i++)
		n += strlen(p->argv[i]) + 1;
	return n;
}

static void
entry_clear(struct aw_ptable *t, struct aw_pentry *e)
{
	t->blob_bytes -= blob_size(e);
	free(e->blob);
	e->blob = NULL;
	cinfo_unref(t, e->ci);
	e->ci = NULL;
}

static void
entry_free(struct aw_ptable *t, struct aw_pentry *e)
{
	HASH_DEL(t->by_pid, e);
	lru_unlink(t, e);
	entry_clear(t, e);
	free(e);
}

void
aw_ptable_free(struct aw_ptable *t)
{
	struct aw_cinfo *ci, *tmp;

	if (t == NULL)
		return;
	while (t->head)
		entry_free(t, t->head);
	/* identities created but never attached to an entry */
	HASH_ITER(hh, t->cinfos, ci, tmp) {
		HASH_DEL(t->cinfos, ci);
		free(ci->key);
		free(ci);
	}
	free(t);
}

struct aw_pentry *
aw_ptable_peek(struct aw_ptable *t, int64_t pid)
{
	struct aw_pentry *e;

	HASH_FIND(hh, t->by_pid, &pid, sizeof(pid), e);
	return e;
}

struct aw_pentry *
aw_ptable_get(struct aw_ptable *t, int64_t pid)
{
	struct aw_pentry *e = aw_ptable_peek(t, pid);

	if (e == NULL) {
		t->st.misses++;
		return NULL;
	}
	t->st.hits++;
	if (t->head != e) {
		lru_unlink(t, e);
		lru_push_head(t, e);
	}
	return e;
}

static void
entry_init(struct aw_pentry *e, int64_t pid)
{
	memset(&e->pub, 0, sizeof(e->pub));
	e->pub.pid = pid;
	e->pub.ppid = AW_NONE;
	e->pub.uid = e->pub.euid = e->pub.gid = e->pub.egid = AW_NONE;
	e->pub.auid = e->pub.ses = AW_NONE;
	e->pub.comm = "";
	e->pub.argv = NULL;
	e->last_ns = e->exec_ns = e->exit_ns = 0;
	e->parent_miss = 0;
	e->pidns = 0;
	e->argv_truncated = 0;
	e->cgroup_read = 0;
}

struct aw_pentry *
aw_ptable_put(struct aw_ptable *t, int64_t pid)
{
	struct aw_pentry *e = aw_ptable_peek(t, pid);

	if (e) {
		entry_clear(t, e);
		entry_init(e, pid);
		lru_unlink(t, e);
		lru_push_head(t, e);
		return e;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->pid = pid;
	entry_init(e, pid);
	HASH_ADD(hh, t->by_pid, pid, sizeof(e->pid), e);
	lru_push_head(t, e);
	return e;
}

static size_t
cap_len(const char *s, size_t len)
{
	return len > AW_PT_STR_MAX ? AW_PT_STR_MAX : len;
}

/* Copy s[0..len) into *pp as a C string (NUL bytes inside become ' '). */
static char *
put_str(char **pp, const char *s, size_t len)
{
	char *out = *pp;

	for (size_t i = 0; i < len; i++)
		out[i] = s[i] ? s[i] : ' ';
	out[len] = '\0';
	*pp += len + 1;
	return out;
}

struct argv_view {
	int argc;
	size_t bytes;
	int truncated;
};

/* How many arguments (and bytes) fit under the caps. */
static struct argv_view
argv_measure(const struct aw_pstrings *s)
{
	struct argv_view v = { 0, 0, 0 };

	if (s->argv) {
		for (int i = 0; i < s->argc; i++) {
			size_t l = s->argv[i].s ? s->argv[i].len : 0;

			if (v.argc == AW_PT_ARGV_MAX ||
			    v.bytes + l + 1 > AW_PT_ARGV_MAX_BYTES) {
				v.truncated = 1;
				break;
			}
			v.argc++;
			v.bytes += l + 1;
		}
	} else if (s->cmdline && s->cmdline_len) {
		const char *p = s->cmdline, *end = s->cmdline + s->cmdline_len;

		while (p <= end) {
			const char *z = memchr(p, '\0', (size_t)(end - p));
			size_t l = (size_t)((z ? z : end) - p);

			if (v.argc == AW_PT_ARGV_MAX ||
			    v.bytes + l + 1 > AW_PT_ARGV_MAX_BYTES) {
				v.truncated = 1;
				break;
			}
			v.argc++;
			v.bytes += l + 1;
			p += l + 1;
		}
	}
	return v;
}

int
aw_pentry_set(struct aw_ptable *t, struct aw_pentry *e,
    const struct aw_pstrings *s)
{
	const struct aw_proc *old = &e->pub;
	const char *exe = s->exe ? s->exe : old->exe;
	const char *comm = s->comm ? s->comm : old->comm;
	const char *cwd = s->cwd ? s->cwd : old->cwd;
	const char *tty = s->tty ? s->tty : old->tty;
	size_t exe_len = s->exe ? cap_len(exe, s->exe_len) : exe ? strlen(exe) : 0;
	size_t comm_len = s->comm ? cap_len(comm, s->comm_len) : strlen(comm);
	size_t cwd_len = s->cwd ? cap_len(cwd, s->cwd_len) : cwd ? strlen(cwd) : 0;
	size_t tty_len = s->tty ? cap_len(tty, s->tty_len) : tty ? strlen(tty) : 0;
	struct argv_view av;
	size_t ptrs, size;
	char *blob, *p;
	const char **argv;

	if (s->set_argv) {
		av = argv_measure(s);
	} else {
		av.argc = old->argc;
		av.bytes = 0;
		av.truncated = e->argv_truncated;
		for (int i = 0; i < old->argc; i++)
			av.bytes += strlen(old->argv[i]) + 1;
	}
	ptrs = (size_t)(av.argc + 1) * sizeof(char *);
	size = ptrs + exe_len + comm_len + cwd_len + tty_len + 4 + av.bytes;
	if ((blob = malloc(size)) == NULL)
		return -1;
	argv = (const char **)(void *)blob;
	p = blob + ptrs;
	e->pub.exe = exe ? put_str(&p, exe, exe_len) : NULL;
	e->pub.comm = put_str(&p, comm, comm_len);
	e->pub.cwd = cwd ? put_str(&p, cwd, cwd_len) : NULL;
	e->pub.tty = tty ? put_str(&p, tty, tty_len) : NULL;
	if (!s->set_argv) {
		for (int i = 0; i < av.argc; i++)
			argv[i] = put_str(&p, old->argv[i],
			    strlen(old->argv[i]));
	} else if (s->argv) {
		for (int i = 0; i < av.argc; i++)
			argv[i] = put_str(&p, s->argv[i].s ? s->argv[i].s : "",
			    s->argv[i].s ? s->argv[i].len : 0);
	} else {
		const char *c = s->cmdline;

		for (int i = 0; i < av.argc; i++) {
			size_t l = strnlen(c, (size_t)(s->cmdline + s->cmdline_len - c));

			argv[i] = put_str(&p, c, l);
			c += l + 1;
		}
	}
	argv[av.argc] = NULL;
	/* the old blob may hold the strings we just copied: free it last */
	t->blob_bytes -= blob_size(e);
	free(e->blob);
	e->blob = blob;
	e->pub.argv = argv;
	e->pub.argc = av.argc;
	e->argv_truncated = (uint8_t)av.truncated;
	e->pub.argv_truncated = av.truncated;
	t->blob_bytes += blob_size(e);
	return 0;
}

void
aw_pentry_set_cinfo(struct aw_ptable *t, struct aw_pentry *e,
    struct aw_cinfo *ci)
{
	if (e->ci == ci)
		return;
	if (ci)
		ci->refs++;
	cinfo_unref(t, e->ci);
	e->ci = ci;
	e->pub.container_id = ci ? ci->id : NULL;
	e->pub.container_full_id = ci ? ci->full_id : NULL;
	e->pub.container_type = ci ? ci->runtime : NULL;
	e->pub.pod_uid = ci && ci->pod_uid[0] ? ci->pod_uid : NULL;
}

void
aw_ptable_del(struct aw_ptable *t, struct aw_pentry *e)
{
	entry_free(t, e);
}

void
aw_ptable_trim(struct aw_ptable *t)
{
	while (HASH_COUNT(t->by_pid) > t->max && t->tail) {
		entry_free(t, t->tail);
		t->st.evictions++;
	}
}

const struct aw_ptable_stats *
aw_ptable_stats(const struct aw_ptable *t)
{
	struct aw_ptable *mt = (struct aw_ptable *)(uintptr_t)t;

	mt->st.entries = HASH_COUNT(t->by_pid);
	mt->st.blob_bytes = t->blob_bytes;
	return &t->st;
}

size_t
aw_ptable_max(const struct aw_ptable *t)
{
	return t->max;
}

struct aw_cinfo *
aw_ptable_cinfo(struct aw_ptable *t, const char *key, int *created)
{
	struct aw_cinfo *ci;
	size_t klen = strlen(key);

	*created = 0;
	HASH_FIND(hh, t->cinfos, key, klen, ci);
	if (ci)
		return ci;
	if ((ci = calloc(1, sizeof(*ci))) == NULL ||
	    (ci->key = strdup(key)) == NULL) {
		free(ci);
		return NULL;
	}
	HASH_ADD_KEYPTR(hh, t->cinfos, ci->key, klen, ci);
	*created = 1;
	return ci;
}

size_t
aw_ptable_ncinfo(const struct aw_ptable *t)
{
	return HASH_COUNT(t->cinfos);
}
