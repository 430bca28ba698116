/*
 * event_json.c — write a decoded event as the `--events` JSON object.
 *
 * Keys are always present so consumers need no existence checks; a value
 * the records did not carry is null. Byte strings follow jsonw's rules
 * (invalid UTF-8 as \udcXX escapes, recoverable exactly).
 */
#include "autoconf.h"
#include "event_json.h"

#include <stdio.h>
#include <sys/socket.h>
#include <libaudit.h>

#include "record.h"

static void
put_num(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	if (v == AW_NONE)
		jsonw_null(w);
	else
		jsonw_i64(w, v);
}

static void
put_str(struct jsonw *w, const char *key, const struct aw_str *s)
{
	jsonw_key(w, key);
	if (s->s == NULL)
		jsonw_null(w);
	else
		jsonw_str(w, s->s, s->len);
}

static void
put_time(struct jsonw *w, const struct aw_event *ev)
{
	char b[32], *p = b + sizeof(b);
	uint64_t sec = ev->sec;
	unsigned ms = ev->msec % 1000;

	*--p = (char)('0' + ms % 10);
	*--p = (char)('0' + ms / 10 % 10);
	*--p = (char)('0' + ms / 100);
	*--p = '.';
	do {
		*--p = (char)('0' + sec % 10);
		sec /= 10;
	} while (sec);
	jsonw_key(w, "time");
	jsonw_raw(w, p, (size_t)(b + sizeof(b) - p));
}

static void
put_types(struct jsonw *w, const struct aw_event *ev)
{
	char buf[32];

	jsonw_key(w, "types");
	jsonw_arr_open(w);
	for (int i = 0; i < ev->nrecords; i++)
		jsonw_cstr(w, aw_record_type_name(ev->types[i], buf,
		    sizeof(buf)));
	jsonw_arr_close(w);
}

static void
put_paths(struct jsonw *w, const struct aw_event *ev)
{
	jsonw_key(w, "paths");
	jsonw_arr_open(w);
	for (int i = 0; i < ev->npaths; i++) {
		const struct aw_path *p = &ev->paths[i];

		jsonw_obj_open(w);
		put_str(w, "name", &p->name);
		put_str(w, "nametype", &p->nametype);
		put_num(w, "inode", p->inode);
		jsonw_key(w, "mode");
		if (p->mode == AW_NONE)
			jsonw_null(w);
		else {
			char b[32], *q = b + sizeof(b);
			uint64_t m = (uint64_t)p->mode;

			*--q = '"';
			do {
				*--q = (char)('0' + (m & 7));
				m >>= 3;
			} while (m);
			while (b + sizeof(b) - q < 7)	/* %06o */
				*--q = '0';
			*--q = '"';
			jsonw_raw(w, q, (size_t)(b + sizeof(b) - q));
		}
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static const char *
family_name(int family)
{
	switch (family) {
	case AF_UNIX: return "unix";
	case AF_INET: return "inet";
	case AF_INET6: return "inet6";
	case 16: return "netlink";
	default: return NULL;
	}
}

static void
put_sockaddr(struct jsonw *w, const struct aw_event *ev)
{
	const struct aw_sockaddr *sa = &ev->sockaddr;
	const char *fam;

	jsonw_key(w, "sockaddr");
	if (!ev->has_sockaddr) {
		jsonw_null(w);
		return;
	}
	jsonw_obj_open(w);
	jsonw_key(w, "family");
	if ((fam = family_name(sa->family)) != NULL)
		jsonw_cstr(w, fam);
	else
		jsonw_i64(w, sa->family);
	if (sa->family == AF_INET || sa->family == AF_INET6) {
		jsonw_key(w, "addr");
		jsonw_cstr(w, sa->addr[0] ? sa->addr : NULL);
		put_num(w, "port", sa->port >= 0 ? sa->port : AW_NONE);
	} else if (sa->family == AF_UNIX) {
		put_str(w, "path", &sa->path);
	} else if (sa->family == 16) {
		put_num(w, "nl_pid", sa->nl_pid);
		put_num(w, "nl_groups", sa->nl_groups);
	}
	jsonw_obj_close(w);
}

void
aw_event_to_json(const struct aw_event *ev, struct jsonw *w)
{
	jsonw_obj_open(w);
	jsonw_key(w, "serial");
	jsonw_u64(w, ev->serial);
	put_time(w, ev);
	if (ev->node.s)
		put_str(w, "node", &ev->node);
	jsonw_key(w, "records");
	jsonw_i64(w, ev->nrecords);
	put_types(w, ev);
	jsonw_key(w, "syscall");
	if (ev->syscall_name)
		jsonw_cstr(w, ev->syscall_name);
	else if (ev->syscall != AW_NONE)
		jsonw_i64(w, ev->syscall);
	else
		jsonw_null(w);
	jsonw_key(w, "arch");
	jsonw_cstr(w, ev->has_syscall ? aw_arch_name(ev->arch) : NULL);
	jsonw_key(w, "success");
	if (ev->success < 0)
		jsonw_null(w);
	else
		jsonw_bool(w, ev->success);
	put_num(w, "exit", ev->exit);
	jsonw_key(w, "errno");
	jsonw_cstr(w, ev->success == 0 && ev->exit != AW_NONE ?
	    aw_errno_name(ev->exit) : NULL);
	put_num(w, "pid", ev->pid);
	put_num(w, "ppid", ev->ppid);
	put_num(w, "uid", ev->uid);
	put_num(w, "gid", ev->gid);
	put_num(w, "euid", ev->euid);
	put_num(w, "auid", ev->auid);
	put_num(w, "ses", ev->ses);
	put_str(w, "tty", &ev->tty);
	put_str(w, "comm", &ev->comm);
	put_str(w, "exe", &ev->exe);
	jsonw_key(w, "argv");
	if (ev->argc == AW_NONE)
		jsonw_null(w);
	else {
		jsonw_arr_open(w);
		for (int i = 0; i < ev->nargv; i++)
			jsonw_str(w, ev->argv[i].s, ev->argv[i].len);
		jsonw_arr_close(w);
	}
	if (ev->argv_incomplete) {
		jsonw_key(w, "argv_incomplete");
		jsonw_bool(w, 1);
	}
	put_str(w, "cwd", &ev->cwd);
	put_paths(w, ev);
	put_sockaddr(w, ev);
	put_str(w, "proctitle", &ev->proctitle);
	put_str(w, "key", &ev->key);
	jsonw_key(w, "closed_by");
	jsonw_cstr(w, aw_close_reason_name(ev->closed_by));
	jsonw_obj_close(w);
}
