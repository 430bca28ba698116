/*
 * proctable.c — the bounded process table and interned container ids.
 *
 * Entries are found by pid through an open-addressing index (below) and
 * sit on a doubly linked LRU list (head = most recently used). Every
 * lookup through aw_ptable_get() moves the entry to the head;
 * aw_ptable_trim() (called by the enricher once per event, never in the
 * middle of a rule evaluation, so pointers handed to the rule engine stay
 * valid) drops entries from the tail while the table is over its bound.
 * Exited processes are not removed on exit: they age out like any other
 * entry, which is what lets the events of their children, processed
 * later, still find them (a walk up the tree touches them again).
 *
 * The pid index. Every event looks up its process and usually its
 * parent, in a table of thousands of entries of ~300 bytes: the cost is
 * cache misses, not instructions. uthash (the project's hash library,
 * still used here for container identities) lets a bucket chain reach
 * ten entries before it doubles, and the chain runs through the entries
 * themselves: cachegrind counted ~3 missed lines per pid lookup. The
 * index is instead an array of { pid, entry } slots of 16 bytes, linear
 * probing from a Fibonacci hash of the pid, at most three quarters full:
 * a lookup reads one or two neighbouring slots, about one missed line,
 * before the entry itself. Deletion shifts the following slots back (no
 * tombstones), so probes stay short however many processes came and
 * went. The index doubles when three quarters full and never shrinks:
 * at most 8/3 slots (43 bytes) per entry of the most the table held,
 * which the table's bound caps (entries exceed max only by what one
 * event adds before the next trim).
 *
 * All strings of an entry are in one allocation (the "blob"): the argv
 * pointer array first, then exe, comm, cwd, tty and the arguments, so an
 * entry costs one malloc besides the entry itself. argv is capped at
 * AW_PT_ARGV_MAX_BYTES / AW_PT_ARGV_MAX arguments (the rule engine takes
 * the current event's own argv from the event; the table's copy is for
 * ancestors, proc.pcmdline and friends). The arguments are stored last
 * and contiguous, so carrying them over to a new blob is one memcpy.
 *
 * Container identities are interned by full id and reference counted, so
 * a process costs a pointer, not a copy of a 64-character id.
 */
#include "autoconf.h"
#include "enrich/proctable.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"

struct pslot {
	int64_t pid;
	struct aw_pentry *e;	/* NULL: free */
};

#define INDEX_MIN_BITS 6

struct aw_ptable {
	struct pslot *slots;
	unsigned bits;		/* 1 << bits slots */
	size_t n;		/* entries */
	struct aw_pentry *head, *tail;
	struct aw_cinfo *cinfos;
	size_t max;
	struct aw_ptable_stats st;
	size_t blob_bytes;
};

/* ------------------------------------------------------------ index */

static inline size_t
slot_home(const struct aw_ptable *t, int64_t pid)
{
	/* Fibonacci hashing: the top bits of pid * 2^64/phi */
	return (size_t)(((uint64_t)pid * 0x9e3779b97f4a7c15ull) >>
	    (64 - t->bits));
}

static inline size_t
slot_mask(const struct aw_ptable *t)
{
	return ((size_t)1 << t->bits) - 1;
}

/* The slot holding pid, or the free slot that ends its probe. */
static inline struct pslot *
slot_find(const struct aw_ptable *t, int64_t pid)
{
	size_t mask = slot_mask(t), i = slot_home(t, pid);

	while (t->slots[i].e && t->slots[i].pid != pid)
		i = (i + 1) & mask;
	return &t->slots[i];
}

static int
index_grow(struct aw_ptable *t)
{
	struct pslot *old = t->slots;
	size_t nold = old ? slot_mask(t) + 1 : 0;
	unsigned bits = old ? t->bits + 1 : INDEX_MIN_BITS;
	struct pslot *slots = calloc((size_t)1 << bits, sizeof(*slots));

	if (slots == NULL)
		return -1;
	t->slots = slots;
	t->bits = bits;
	for (size_t i = 0; i < nold; i++)
		if (old[i].e)
			*slot_find(t, old[i].pid) = old[i];
	free(old);
	return 0;
}

/* Room for one more entry, at most three quarters full. */
static int
index_reserve(struct aw_ptable *t)
{
	if (t->slots && (t->n + 1) * 4 <= (slot_mask(t) + 1) * 3)
		return 0;
	return index_grow(t);
}

/* Remove pid's slot; shift back the slots whose probe crossed it. */
static void
index_del(struct aw_ptable *t, int64_t pid)
{
	size_t mask = slot_mask(t);
	struct pslot *s = slot_find(t, pid);
	size_t hole = (size_t)(s - t->slots), j = hole;

	if (s->e == NULL)
		return;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (t->slots[j].e == NULL)
			break;
		home = slot_home(t, t->slots[j].pid);
		/* j's entry may move to the hole unless its home lies
		 * cyclically in (hole, j] */
		if (((j - home) & mask) >= ((j - hole) & mask)) {
			t->slots[hole] = t->slots[j];
			hole = j;
		}
	}
	t->slots[hole].e = NULL;
	t->slots[hole].pid = 0;
}

/* ------------------------------------------------------------ table */

struct aw_ptable *
aw_ptable_new(size_t max_entries)
{
	struct aw_ptable *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->max = max_entries ? max_entries : 1;
	if (index_grow(t) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

static void
lru_unlink(struct aw_ptable *t, struct aw_pentry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	/* by head and tail themselves, not by the missing neighbour: the
	 * same when the list is sound, and what lets the analyzer see that
	 * aw_ptable_trim() never frees the tail twice */
	if (t->head == e)
		t->head = e->lru_next;
	if (t->tail == e)
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

static void
entry_clear(struct aw_ptable *t, struct aw_pentry *e)
{
	t->blob_bytes -= e->blob_used;
	free(e->blob);
	e->blob = NULL;
	e->blob_used = e->argv_bytes = 0;
	cinfo_unref(t, e->ci);
	e->ci = NULL;
}

static void
entry_free(struct aw_ptable *t, struct aw_pentry *e)
{
	index_del(t, e->pid);
	t->n--;
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
	free(t->slots);
	free(t);
}

struct aw_pentry *
aw_ptable_peek(struct aw_ptable *t, int64_t pid)
{
	return slot_find(t, pid)->e;
}

void
aw_ptable_touch(struct aw_ptable *t, struct aw_pentry *e)
{
	t->st.hits++;
	if (t->head != e) {
		lru_unlink(t, e);
		lru_push_head(t, e);
	}
}

struct aw_pentry *
aw_ptable_get(struct aw_ptable *t, int64_t pid)
{
	struct aw_pentry *e = aw_ptable_peek(t, pid);

	if (e == NULL) {
		t->st.misses++;
		return NULL;
	}
	aw_ptable_touch(t, e);
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
	e->last_ns = e->exit_ns = 0;
	e->parent_miss = 0;
	e->exe_len = e->comm_len = e->cwd_len = e->tty_len = 0;
	e->inherit_ppid = 0;
	e->inherit_gen = 0;
	e->pidns = 0;
	e->argv_truncated = 0;
	e->cgroup_read = 0;
}

/* The per-event fields fill the entry's first 64 bytes exactly. */
_Static_assert(offsetof(struct aw_pentry, pub) == 64,
    "struct aw_pentry: hot header is 64 bytes");

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
	if (index_reserve(t) < 0 || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->pid = pid;
	entry_init(e, pid);
	*slot_find(t, pid) = (struct pslot){ pid, e };
	t->n++;
	lru_push_head(t, e);
	return e;
}

/* the lengths kept in an entry are 16 bits */
_Static_assert(AW_PT_STR_MAX <= UINT16_MAX, "AW_PT_STR_MAX fits uint16_t");

static size_t
cap_len(const char *s, size_t len)
{
	return len > AW_PT_STR_MAX ? AW_PT_STR_MAX : len;
}

/* Copy s[0..len) into *pp as a C string (NUL bytes inside become ' '). */
static char *
put_str(char **pp, const char *s, size_t len)
{
	char *out = *pp, *z = out, *end = out + len;

	memcpy(out, s, len);
	while ((z = memchr(z, '\0', (size_t)(end - z))) != NULL)
		*z++ = ' ';
	*end = '\0';
	*pp = end + 1;
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
	size_t exe_len = s->exe ? cap_len(exe, s->exe_len) : e->exe_len;
	size_t comm_len = s->comm ? cap_len(comm, s->comm_len) : e->comm_len;
	size_t cwd_len = s->cwd ? cap_len(cwd, s->cwd_len) : e->cwd_len;
	size_t tty_len = s->tty ? cap_len(tty, s->tty_len) : e->tty_len;
	struct argv_view av;
	size_t ptrs, size, used;
	char *blob, *p;
	const char **argv;

	if (s->set_argv) {
		av = argv_measure(s);
	} else {
		av.argc = old->argc;
		av.bytes = e->argv_bytes;
		av.truncated = e->argv_truncated;
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
	/* what blob_bytes counts: the blob less the unused NULs of absent
	 * strings */
	used = ptrs + (exe ? exe_len + 1 : 0) + comm_len + 1 +
	    (cwd ? cwd_len + 1 : 0) + (tty ? tty_len + 1 : 0) + av.bytes;
	if (!s->set_argv) {
		/* the old arguments are contiguous NUL-terminated strings:
		 * one copy, pointers rebased */
		if (av.argc > 0) {
			const char *base = old->argv[0];

			memcpy(p, base, av.bytes);
			for (int i = 0; i < av.argc; i++)
				argv[i] = p + (old->argv[i] - base);
		}
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
	t->blob_bytes -= e->blob_used;
	free(e->blob);
	e->blob = blob;
	e->blob_used = (uint32_t)used;
	e->argv_bytes = (uint32_t)av.bytes;
	e->exe_len = (uint16_t)exe_len;
	e->comm_len = (uint16_t)comm_len;
	e->cwd_len = (uint16_t)cwd_len;
	e->tty_len = (uint16_t)tty_len;
	e->pub.argv = argv;
	e->pub.argc = av.argc;
	e->argv_truncated = (uint8_t)av.truncated;
	e->pub.argv_truncated = av.truncated;
	t->blob_bytes += used;
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
	while (t->n > t->max && t->tail) {
		entry_free(t, t->tail);
		t->st.evictions++;
	}
}

const struct aw_ptable_stats *
aw_ptable_stats(const struct aw_ptable *t)
{
	struct aw_ptable *mt = (struct aw_ptable *)(uintptr_t)t;

	mt->st.entries = t->n;
	mt->st.blob_bytes = t->blob_bytes;
	mt->st.index_bytes = t->slots ? (slot_mask(t) + 1) * sizeof(struct pslot) :
	    0;
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
