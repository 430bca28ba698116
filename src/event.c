/*
 * event.c — decode a reassembled event's records into struct aw_event.
 *
 * All decoded strings and arrays are carved from one arena per aw_event,
 * sized up front from the raw event (a decoded value is never longer than
 * its text), so building an event is a handful of passes over the record
 * bodies and at most one allocation when a bigger event than ever before
 * arrives.
 *
 * EXECVE arguments may be split: "aK_len=<hex chars>" announces a long
 * argument whose hex chunks follow as aK[0], aK[1]..., possibly in further
 * EXECVE records. Chunks are decoded into a buffer of the announced size;
 * an argument whose chunks do not add up is kept as far as it goes and the
 * event is marked argv_incomplete.
 */
#include "autoconf.h"
#include "event.h"
#include "record.h"

#include <arpa/inet.h>
#include <libaudit.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef AF_NETLINK
#define AF_NETLINK 16
#endif

void
aw_event_init(struct aw_event *ev)
{
	memset(ev, 0, sizeof(*ev));
}

void
aw_event_free(struct aw_event *ev)
{
	free(ev->arena);
	memset(ev, 0, sizeof(*ev));
}

/* ------------------------------------------------------------ arena */

static void *
arena_alloc(struct aw_event *ev, size_t n)
{
	size_t off = (ev->arena_used + 7) & ~(size_t)7;

	if (off + n > ev->arena_cap)
		return NULL;	/* cannot happen: the arena is sized up front */
	ev->arena_used = off + n;
	return ev->arena + off;
}

/* Strings need no alignment; keeping them packed is what makes the
 * up-front arena size a true bound. */
static char *
arena_bytes(struct aw_event *ev, size_t n)
{
	char *p;

	if (ev->arena_used + n > ev->arena_cap)
		return NULL;
	p = ev->arena + ev->arena_used;
	ev->arena_used += n;
	return p;
}

static int
arena_reserve(struct aw_event *ev, size_t need)
{
	char *na;

	ev->arena_used = 0;
	if (need <= ev->arena_cap)
		return 0;
	if ((na = malloc(need)) == NULL)
		return -1;
	free(ev->arena);
	ev->arena = na;
	ev->arena_cap = need;
	return 0;
}

/* Decode an encodable value into the arena. The decoded form is never
 * longer than the text, so take vallen+1 bytes, decode in one pass, and
 * give back what was not used (the arena is a bump allocator). */
static void
decode_str(struct aw_event *ev, const struct aw_kv *kv, struct aw_str *out)
{
	char *p = arena_bytes(ev, kv->vallen + 1);
	long n;
	int trunc;

	out->s = NULL;
	out->len = 0;
	if (p == NULL)
		return;
	n = aw_value_decode(kv, p, kv->vallen + 1, &trunc);
	if (n < 0) {
		ev->arena_used -= kv->vallen + 1;
		return;
	}
	ev->arena_used -= kv->vallen - (size_t)n;
	out->s = p;
	out->len = (size_t)n;
}

/* Copy a value verbatim (subj=, nametype=, dev=...). */
static void
copy_str(struct aw_event *ev, const struct aw_kv *kv, struct aw_str *out)
{
	char *p = arena_bytes(ev, kv->vallen + 1);

	if (p == NULL) {
		out->s = NULL;
		out->len = 0;
		return;
	}
	memcpy(p, kv->val, kv->vallen);
	p[kv->vallen] = '\0';
	out->s = p;
	out->len = kv->vallen;
}

static int
key_is(const struct aw_kv *kv, const char *name, size_t len)
{
	return kv->keylen == len && memcmp(kv->key, name, len) == 0;
}
#define KEY(kv, lit) key_is((kv), lit, sizeof(lit) - 1)

static int64_t
num_dec(const struct aw_kv *kv)
{
	int64_t v;

	return aw_parse_i64(kv->val, kv->vallen, &v) == 0 ? v : AW_NONE;
}

static uint64_t
num_hex(const struct aw_kv *kv)
{
	uint64_t v;

	return aw_parse_u64(kv->val, kv->vallen, 16, &v) == 0 ? v : 0;
}

/* ------------------------------------------------------------ SYSCALL */

/* *socketcall: the name is "socketcall" (decided once per cache entry). */
static const char *
syscall_name(uint32_t arch, int64_t sc, int *socketcall)
{
	/* A tiny cache: libaudit's lookup is not free and the same few
	 * syscalls repeat. */
	static __thread struct {
		uint32_t arch;
		int sock;
		int64_t sc;
		const char *n;
	} cache[64];
	unsigned slot = (unsigned)(sc ^ arch) & 63;
	int machine;

	*socketcall = 0;
	if (sc < 0 || sc > 100000)
		return NULL;
	if (!(cache[slot].n && cache[slot].arch == arch &&
	    cache[slot].sc == sc)) {
		if ((machine = audit_elf_to_machine(arch)) < 0)
			return NULL;
		cache[slot].arch = arch;
		cache[slot].sc = sc;
		cache[slot].n = audit_syscall_to_name((int)sc, machine);
		cache[slot].sock = cache[slot].n != NULL &&
		    strcmp(cache[slot].n, "socketcall") == 0;
	}
	*socketcall = cache[slot].sock;
	return cache[slot].n;
}

/*
 * socketcall(2) multiplexes the socket calls on 32-bit ABIs (glibc on
 * i386 still uses it): name the event after its sub-call so rules on
 * evt.type=connect see 32-bit connects too. Numbers from linux/net.h;
 * the kernel rule builder (krules.c) uses the same table the other way.
 */
static const char *const socketcall_names[] = { NULL, "socket", "bind",
    "connect", "listen", "accept", "getsockname", "getpeername",
    "socketpair", "send", "recv", "sendto", "recvfrom", "shutdown",
    "setsockopt", "getsockopt", "sendmsg", "recvmsg", "accept4",
    "recvmmsg", "sendmmsg" };
#define NSOCKETCALLS (sizeof(socketcall_names) / sizeof(socketcall_names[0]))

const char *
aw_socketcall_name(uint64_t call)
{
	return call < NSOCKETCALLS ? socketcall_names[call] : NULL;
}

uint32_t
aw_socketcall_number(const char *name)
{
	for (uint32_t i = 1; i < NSOCKETCALLS; i++)
		if (strcmp(socketcall_names[i], name) == 0)
			return i;
	return 0;
}

static void
demux_socketcall(struct aw_event *ev)
{
	const char *sub;

	if ((sub = aw_socketcall_name(ev->a[0])) == NULL)
		return;
	ev->syscall_name = sub;
	ev->args_indirect = 1;
}

static void
parse_syscall(struct aw_event *ev, const char *body, size_t len)
{
	struct aw_kv_iter it;
	struct aw_kv kv;

	ev->has_syscall = 1;
	aw_kv_init(&it, body, len);
	while (aw_kv_next(&it, &kv)) {
		switch (kv.key[0]) {
		case 'a':
			if (KEY(&kv, "arch"))
				ev->arch = (uint32_t)num_hex(&kv);
			else if (kv.keylen == 2 && kv.key[1] >= '0' &&
			    kv.key[1] <= '3')
				ev->a[kv.key[1] - '0'] = num_hex(&kv);
			else if (KEY(&kv, "auid"))
				ev->auid = num_dec(&kv);
			break;
		case 'c':
			if (KEY(&kv, "comm"))
				decode_str(ev, &kv, &ev->comm);
			break;
		case 'e':
			if (KEY(&kv, "exit"))
				ev->exit = num_dec(&kv);
			else if (KEY(&kv, "exe"))
				decode_str(ev, &kv, &ev->exe);
			else if (KEY(&kv, "euid"))
				ev->euid = num_dec(&kv);
			else if (KEY(&kv, "egid"))
				ev->egid = num_dec(&kv);
			break;
		case 'f':
			if (KEY(&kv, "fsuid"))
				ev->fsuid = num_dec(&kv);
			else if (KEY(&kv, "fsgid"))
				ev->fsgid = num_dec(&kv);
			break;
		case 'g':
			if (KEY(&kv, "gid"))
				ev->gid = num_dec(&kv);
			break;
		case 'i':
			if (KEY(&kv, "items"))
				ev->items = num_dec(&kv);
			break;
		case 'k':
			if (KEY(&kv, "key"))
				decode_str(ev, &kv, &ev->key);
			break;
		case 'p':
			if (KEY(&kv, "pid"))
				ev->pid = num_dec(&kv);
			else if (KEY(&kv, "ppid"))
				ev->ppid = num_dec(&kv);
			break;
		case 's':
			if (KEY(&kv, "syscall"))
				ev->syscall = num_dec(&kv);
			else if (KEY(&kv, "success"))
				ev->success = KEY(&kv, "success") &&
				    kv.vallen == 3 && memcmp(kv.val, "yes", 3) == 0;
			else if (KEY(&kv, "suid"))
				ev->suid = num_dec(&kv);
			else if (KEY(&kv, "sgid"))
				ev->sgid = num_dec(&kv);
			else if (KEY(&kv, "ses"))
				ev->ses = num_dec(&kv);
			else if (KEY(&kv, "subj"))
				copy_str(ev, &kv, &ev->subj);
			break;
		case 't':
			if (KEY(&kv, "tty"))
				copy_str(ev, &kv, &ev->tty);
			break;
		case 'u':
			if (KEY(&kv, "uid"))
				ev->uid = num_dec(&kv);
			break;
		}
	}
	if (ev->syscall != AW_NONE) {
		int socketcall;
		ev->syscall_name = syscall_name(ev->arch, ev->syscall,
		    &socketcall);
		if (socketcall)
			demux_socketcall(ev);
	}
}

/* ------------------------------------------------------------ EXECVE */

struct argstate {
	int64_t *expect;	/* announced decoded length, -1 if unsplit */
	int max;		/* slots allocated */
	size_t split_budget;	/* bytes split arguments may still claim */
};

/* Parse "aK", "aK_len", "aK[i]" keys: returns K (or -1) and the form. */
enum argform { ARG_PLAIN, ARG_LEN, ARG_CHUNK };

static long
arg_index(const struct aw_kv *kv, enum argform *form)
{
	size_t i = 1;
	long k = 0;

	if (kv->keylen < 2 || kv->key[0] != 'a')
		return -1;
	while (i < kv->keylen && kv->key[i] >= '0' && kv->key[i] <= '9') {
		if (k > 10000000)
			return -1;
		k = k * 10 + (kv->key[i] - '0');
		i++;
	}
	if (i == 1)
		return -1;
	if (i == kv->keylen)
		*form = ARG_PLAIN;
	else if (kv->keylen - i == 4 && memcmp(kv->key + i, "_len", 4) == 0)
		*form = ARG_LEN;
	else if (kv->key[i] == '[')
		*form = ARG_CHUNK;
	else
		return -1;
	return k;
}

static void
execve_pair(struct aw_event *ev, struct argstate *as, const struct aw_kv *kv)
{
	enum argform form;
	long k = arg_index(kv, &form);
	struct aw_str *a;
	char *p;
	int trunc;
	uint64_t n;

	if (k < 0 || k >= as->max)
		return;
	a = &ev->argv[k];
	if (k >= ev->nargv)
		ev->nargv = (int)k + 1;
	switch (form) {
	case ARG_PLAIN:
		decode_str(ev, kv, a);
		break;
	case ARG_LEN:
		/* Announced length is in hex characters: bytes = len / 2. */
		/* A hostile aK_len must not claim more than the EXECVE text
		 * could ever fill. */
		if (aw_parse_u64(kv->val, kv->vallen, 10, &n) != 0 ||
		    a->s != NULL || n / 2 + 1 > as->split_budget ||
		    (p = arena_bytes(ev, (size_t)(n / 2) + 1)) == NULL)
			return;
		as->split_budget -= (size_t)(n / 2) + 1;
		a->s = p;
		a->len = 0;
		p[0] = '\0';
		as->expect[k] = (int64_t)(n / 2);
		break;
	case ARG_CHUNK:
		if (a->s == NULL || as->expect[k] < 0)
			return;	/* chunk without a length: ignore */
		n = (uint64_t)aw_value_decoded_len(kv);
		if (a->len + n > (uint64_t)as->expect[k])
			n = (uint64_t)as->expect[k] - a->len;
		a->len += (size_t)aw_value_decode(kv, (char *)a->s + a->len,
		    (size_t)n + 1, &trunc);
		break;
	}
}

static void
parse_execve(struct aw_event *ev, const struct aw_rawevent *raw, size_t total)
{
	struct argstate as = { NULL, 0, 0 };
	struct aw_kv_iter it;
	struct aw_kv kv;
	int first = 1;

	for (int r = 0; r < raw->nrec; r++) {
		if (raw->recs[r].type != AW_T_EXECVE)
			continue;
		aw_kv_init(&it, raw->buf + raw->recs[r].off, raw->recs[r].len);
		while (aw_kv_next(&it, &kv)) {
			if (first && KEY(&kv, "argc")) {
				/* Bound the slots by what the text can hold:
				 * a hostile argc must not size the arrays. */
				int64_t argc = num_dec(&kv);
				size_t cap = total / 4 + 1;

				as.split_budget = total;

				first = 0;
				ev->argc = argc;
				as.max = argc < 0 ? 0 : argc > (int64_t)cap ?
				    (int)cap : (int)argc;
				ev->argv = arena_alloc(ev, (size_t)as.max *
				    sizeof(*ev->argv));
				as.expect = arena_alloc(ev, (size_t)as.max *
				    sizeof(*as.expect));
				if (ev->argv == NULL || as.expect == NULL)
					return;
				memset(ev->argv, 0, (size_t)as.max *
				    sizeof(*ev->argv));
				for (int i = 0; i < as.max; i++)
					as.expect[i] = -1;
				continue;
			}
			if (!first)
				execve_pair(ev, &as, &kv);
		}
	}
	if (first)
		return;
	if (ev->nargv != ev->argc)
		ev->argv_incomplete = 1;
	for (int i = 0; i < ev->nargv; i++) {
		if (ev->argv[i].s == NULL ||
		    (as.expect[i] >= 0 && (int64_t)ev->argv[i].len !=
		    as.expect[i]))
			ev->argv_incomplete = 1;
		if (ev->argv[i].s == NULL) {
			ev->argv[i].s = "";
			ev->argv[i].len = 0;
		}
	}
}

/* ------------------------------------------------------------ PATH */

static void
parse_path(struct aw_event *ev, const char *body, size_t len)
{
	struct aw_path *p = &ev->paths[ev->npaths++];
	struct aw_kv_iter it;
	struct aw_kv kv;
	uint64_t v;

	memset(p, 0, sizeof(*p));
	p->item = -1;
	p->inode = p->mode = p->ouid = p->ogid = AW_NONE;
	aw_kv_init(&it, body, len);
	while (aw_kv_next(&it, &kv)) {
		if (KEY(&kv, "item"))
			p->item = (int)num_dec(&kv);
		else if (KEY(&kv, "name"))
			decode_str(ev, &kv, &p->name);
		else if (KEY(&kv, "inode"))
			p->inode = num_dec(&kv);
		else if (KEY(&kv, "dev"))
			copy_str(ev, &kv, &p->dev);
		else if (KEY(&kv, "mode")) {
			if (aw_parse_u64(kv.val, kv.vallen, 8, &v) == 0)
				p->mode = (int64_t)v;
		} else if (KEY(&kv, "ouid"))
			p->ouid = num_dec(&kv);
		else if (KEY(&kv, "ogid"))
			p->ogid = num_dec(&kv);
		else if (KEY(&kv, "nametype") || KEY(&kv, "objtype"))
			copy_str(ev, &kv, &p->nametype);
	}
}

/* ------------------------------------------------------------ SOCKADDR */

static void
parse_sockaddr(struct aw_event *ev, const char *body, size_t len)
{
	struct aw_sockaddr *sa = &ev->sockaddr;
	struct aw_kv kv;
	unsigned char b[256];
	size_t n = 0;
	int trunc;
	long dl;

	if (!aw_kv_find(body, len, "saddr", &kv))
		return;
	dl = aw_value_decode(&kv, (char *)b, sizeof(b), &trunc);
	if (dl < 2)
		return;
	n = (size_t)dl;
	ev->has_sockaddr = 1;
	memset(sa, 0, sizeof(*sa));
	sa->port = -1;
	/* The family is in host byte order; other fields in network order.
	 * Families fit in one byte, so the non-zero byte tells the order. */
	sa->family = b[0] ? b[0] : b[1];
	switch (sa->family) {
	case AF_INET:
		if (n < 8)
			break;
		sa->port = b[2] << 8 | b[3];
		inet_ntop(AF_INET, b + 4, sa->addr, sizeof(sa->addr));
		break;
	case AF_INET6:
		if (n < 24)
			break;
		sa->port = b[2] << 8 | b[3];
		inet_ntop(AF_INET6, b + 8, sa->addr, sizeof(sa->addr));
		break;
	case AF_UNIX: {
		const char *path = (const char *)b + 2;
		size_t plen = n - 2;
		char *p;

		if (plen == 0)
			break;		/* unnamed */
		if (path[0] == '\0') {
			/* abstract: name runs to addrlen; shown as @name */
			size_t e = plen;
			while (e > 1 && path[e - 1] == '\0')
				e--;
			if ((p = arena_bytes(ev, e + 1)) == NULL)
				break;
			p[0] = '@';
			memcpy(p + 1, path + 1, e - 1);
			p[e] = '\0';
			sa->path.s = p;
			sa->path.len = e;
		} else {
			size_t e = strnlen(path, plen);
			if ((p = arena_bytes(ev, e + 1)) == NULL)
				break;
			memcpy(p, path, e);
			p[e] = '\0';
			sa->path.s = p;
			sa->path.len = e;
		}
		break;
	}
	case AF_NETLINK:
		if (n >= 12) {
			memcpy(&sa->nl_pid, b + 4, 4);
			memcpy(&sa->nl_groups, b + 8, 4);
		}
		break;
	}
}

/* ------------------------------------------------------------ build */

static void
reset_fields(struct aw_event *ev)
{
	char *arena = ev->arena;
	size_t cap = ev->arena_cap, used = ev->arena_used;

	memset(ev, 0, sizeof(*ev));
	ev->arena = arena;
	ev->arena_cap = cap;
	ev->arena_used = used;
	ev->syscall = ev->exit = ev->items = AW_NONE;
	ev->pid = ev->ppid = AW_NONE;
	ev->uid = ev->gid = ev->euid = ev->suid = ev->fsuid = AW_NONE;
	ev->egid = ev->sgid = ev->fsgid = ev->auid = ev->ses = AW_NONE;
	ev->argc = AW_NONE;
	ev->success = -1;
}

int
aw_event_build(struct aw_event *ev, const struct aw_rawevent *raw)
{
	size_t total = 0, execve = 0, need;
	int npath = 0;

	for (int i = 0; i < raw->nrec; i++) {
		total += raw->recs[i].len;
		npath += raw->recs[i].type == AW_T_PATH;
		if (raw->recs[i].type == AW_T_EXECVE)
			execve += raw->recs[i].len;
	}
	/* Strings: each decoded value plus its NUL fits in its "k=v " text.
	 * Split arguments: at most the EXECVE text again. Arrays: types,
	 * paths, and argv slots bounded by the EXECVE text (parse_execve). */
	need = 2 * total + execve + 64 + (size_t)raw->nrec * sizeof(int) +
	    (size_t)npath * sizeof(struct aw_path) + 32 +
	    (execve ? (execve / 4 + 2) * (sizeof(struct aw_str) +
	    sizeof(int64_t)) + 16 : 0) +
	    (raw->node ? strlen(raw->node) + 1 : 0);
	if (arena_reserve(ev, need) != 0)
		return -1;
	reset_fields(ev);
	ev->sec = raw->sec;
	ev->msec = raw->msec;
	ev->serial = raw->serial;
	ev->closed_by = raw->closed_by;
	if (raw->node) {
		size_t n = strlen(raw->node);
		char *p = arena_bytes(ev, n + 1);
		memcpy(p, raw->node, n + 1);
		ev->node.s = p;
		ev->node.len = n;
	}
	ev->nrecords = raw->nrec;
	ev->types = arena_alloc(ev, (size_t)raw->nrec * sizeof(int));
	ev->paths = arena_alloc(ev, (size_t)npath * sizeof(struct aw_path));

	for (int i = 0; i < raw->nrec; i++) {
		const char *body = raw->buf + raw->recs[i].off;
		size_t len = raw->recs[i].len;
		struct aw_kv kv;

		ev->types[i] = raw->recs[i].type;
		switch (raw->recs[i].type) {
		case AW_T_SYSCALL:
			if (!ev->has_syscall)
				parse_syscall(ev, body, len);
			break;
		case AW_T_PATH:
			parse_path(ev, body, len);
			break;
		case AW_T_CWD:
			if (aw_kv_find(body, len, "cwd", &kv))
				decode_str(ev, &kv, &ev->cwd);
			break;
		case AW_T_PROCTITLE:
			if (aw_kv_find(body, len, "proctitle", &kv))
				decode_str(ev, &kv, &ev->proctitle);
			break;
		case AW_T_SOCKADDR:
			if (!ev->has_sockaddr)
				parse_sockaddr(ev, body, len);
			break;
		}
	}
	/* EXECVE last: its pairs may span records. */
	for (int i = 0; i < raw->nrec; i++) {
		if (raw->recs[i].type == AW_T_EXECVE) {
			parse_execve(ev, raw, execve);
			break;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ names */

const char *
aw_close_reason_name(enum aw_close_reason r)
{
	static const char *const names[] = { "eoe", "single", "shape",
	    "timeout", "evicted", "flush" };

	return (unsigned)r <= AW_CLOSE_FLUSH ? names[r] : "?";
}

const char *
aw_errno_name(int64_t exit)
{
	if (exit >= 0 || exit < -4095)
		return NULL;
	return audit_errno_to_name((int)-exit);
}

const char *
aw_arch_name(uint32_t arch)
{
	int m = audit_elf_to_machine(arch);

	return m < 0 ? NULL : audit_machine_to_name(m);
}
