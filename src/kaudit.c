/*
 * kaudit.c — kernel audit control: AUDIT_GET/SET, rules (see kaudit.h).
 *
 * Requests go out with NLM_F_ACK and a fresh sequence number; the reply
 * loop collects, for that sequence only, the ACK (NLMSG_ERROR) and the
 * data replies. The kernel sends data replies of AUDIT_GET and
 * AUDIT_LIST_RULES from a kernel thread after the ACK, so a request is
 * complete when the ACK says error, or when the ACK and the data (one
 * reply, or NLMSG_DONE for lists) have both arrived. Datagrams not from
 * the kernel (nl_pid != 0) and answers to older sequence numbers (a
 * request that timed out) are dropped.
 *
 * Control replies carry a correct nlmsg_len (only event records have the
 * length quirk), so several messages in one datagram are walked with
 * NLMSG_NEXT; anything inconsistent is -EPROTO, never a read past the end.
 */
#include "autoconf.h"
#include "kaudit.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <libaudit.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "log.h"

#define KAUDIT_BUFSZ		(64 * 1024)
#define KAUDIT_TIMEOUT_MS	5000
#define RULE_HDR_LEN		offsetof(struct audit_rule_data, buf)
#define RULE_MAX_BUF		(64 * 1024)

struct aw_kaudit {
	struct nl_sock *sk;
	int fd;
	uint32_t seq;
	size_t status_size;		/* from the last AUDIT_GET */
	unsigned char *buf;		/* KAUDIT_BUFSZ receive buffer */
};

/* ------------------------------------------------------------- features */

static const struct {
	uint32_t bit;
	const char *name;
} feature_names[] = {
	{ AW_KFEAT_BACKLOG_LIMIT, "backlog_limit" },
	{ AW_KFEAT_BACKLOG_WAIT_TIME, "backlog_wait_time" },
	{ AW_KFEAT_EXECUTABLE_PATH, "executable_path" },
	{ AW_KFEAT_EXCLUDE_EXTEND, "exclude_extend" },
	{ AW_KFEAT_SESSIONID_FILTER, "sessionid_filter" },
	{ AW_KFEAT_LOST_RESET, "lost_reset" },
	{ AW_KFEAT_FILTER_FS, "filter_fs" },
};

const char *
aw_kfeatures_format(uint32_t bitmap, char *buf, size_t bufsz)
{
	size_t off = 0;
	uint32_t known = 0;

	if (bufsz == 0)
		return buf;
	buf[0] = '\0';
	if (bitmap == 0) {
		snprintf(buf, bufsz, "none");
		return buf;
	}
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]);
	    i++) {
		known |= feature_names[i].bit;
		if (!(bitmap & feature_names[i].bit))
			continue;
		off += (size_t)snprintf(buf + off, off < bufsz ? bufsz - off : 0,
		    "%s%s", off ? "," : "", feature_names[i].name);
	}
	if ((bitmap & ~known) && off < bufsz)
		snprintf(buf + off, bufsz - off, "%s0x%x", off ? "," : "",
		    bitmap & ~known);
	return buf;
}

int
aw_kstatus_can_set_wait_time(const struct aw_kstatus_reply *r)
{
	return r->size >= 40 &&
	    (r->s.feature_bitmap & AW_KFEAT_BACKLOG_WAIT_TIME) != 0;
}

/* --------------------------------------------------------------- socket */

struct aw_kaudit *
aw_kaudit_open(char *err, size_t errsz)
{
	struct aw_kaudit *k;
	int rc;

	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->buf = malloc(KAUDIT_BUFSZ)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if ((k->sk = nl_socket_alloc()) == NULL) {
		snprintf(err, errsz, "nl_socket_alloc failed");
		goto fail;
	}
	nl_socket_disable_seq_check(k->sk);
	if ((rc = nl_connect(k->sk, NETLINK_AUDIT)) < 0) {
		snprintf(err, errsz, "netlink audit socket: %s",
		    nl_geterror(rc));
		goto fail;
	}
	k->fd = nl_socket_get_fd(k->sk);
	k->seq = (uint32_t)time(NULL);
	k->status_size = AW_KSTATUS_MAX_SIZE;
	return k;
fail:
	aw_kaudit_close(k);
	return NULL;
}

void
aw_kaudit_close(struct aw_kaudit *k)
{
	if (k == NULL)
		return;
	if (k->sk != NULL)
		nl_socket_free(k->sk);	/* closes the fd */
	free(k->buf);
	free(k);
}

/* --------------------------------------------------------------- request */

enum expect {
	EXPECT_ACK,		/* only the ACK */
	EXPECT_ONE,		/* the ACK and one data reply */
	EXPECT_LIST,		/* the ACK, replies, NLMSG_DONE */
};

/* Called for each data reply; nonzero return aborts with that value. */
typedef int (*reply_fn)(void *arg, const struct nlmsghdr *nh,
    const void *data, size_t len);

struct request {
	uint16_t type;
	const void *data;
	size_t len;
	enum expect expect;
	reply_fn on_reply;
	void *arg;
	int ack_value;		/* positive error field of the ACK (lost) */
};

static int
send_msg(struct aw_kaudit *k, uint16_t type, uint16_t flags, uint32_t seq,
    const void *data, size_t len)
{
	unsigned char *msg;
	struct nlmsghdr *nh;
	size_t total = NLMSG_SPACE(len);
	int rc;

	if ((msg = calloc(1, total)) == NULL)
		return -ENOMEM;
	nh = (struct nlmsghdr *)msg;
	nh->nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = flags;
	nh->nlmsg_seq = seq;
	if (len)
		memcpy(NLMSG_DATA(nh), data, len);
	rc = nl_sendto(k->sk, msg, total);
	free(msg);
	if (rc < 0)
		return -(errno ? errno : EIO);
	return 0;
}

/* Wait up to the deadline for one datagram from the kernel. Returns its
 * length, or -errno. */
static ssize_t
recv_kernel(struct aw_kaudit *k, uint64_t deadline)
{
	struct sockaddr_nl from;
	socklen_t fromlen;
	struct pollfd pfd;
	ssize_t n;

	for (;;) {
		uint64_t now = aw_now_ms();
		int prc;

		if (now >= deadline)
			return -ETIMEDOUT;
		pfd.fd = k->fd;
		pfd.events = POLLIN;
		prc = poll(&pfd, 1, (int)(deadline - now));
		if (prc < 0 && errno == EINTR)
			continue;
		if (prc < 0)
			return -errno;
		if (prc == 0)
			return -ETIMEDOUT;
		fromlen = sizeof(from);
		/* zeroed: the analyzer cannot see recvfrom() fill it */
		memset(&from, 0, sizeof(from));
		n = recvfrom(k->fd, k->buf, KAUDIT_BUFSZ, MSG_TRUNC | MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n > KAUDIT_BUFSZ) {
			aw_warn("kernel audit: control reply of %zd bytes "
			    "truncated, dropped", n);
			continue;
		}
		if (fromlen < sizeof(from) || from.nl_family != AF_NETLINK ||
		    from.nl_pid != 0)
			continue;	/* not from the kernel */
		return n;
	}
}

/* One message of the answer to req (sequence seq). Returns 0, or the
 * -errno that ends the request. */
static int
answer_msg(struct request *req, uint32_t seq, const struct nlmsghdr *nh,
    int *have_ack, int *have_data)
{
	size_t plen = nh->nlmsg_len - NLMSG_HDRLEN;
	const struct nlmsgerr *e;

	if (nh->nlmsg_seq != seq)
		return 0;		/* stale answer */
	if (nh->nlmsg_type == NLMSG_ERROR) {
		e = NLMSG_DATA(nh);
		if (plen < sizeof(*e))
			return -EPROTO;
		if (e->error < 0)
			return e->error;
		req->ack_value = e->error;
		*have_ack = 1;
	} else if (nh->nlmsg_type == NLMSG_DONE) {
		*have_data = 1;
	} else if (nh->nlmsg_type == req->type && req->expect != EXPECT_ACK) {
		if (req->on_reply != NULL) {
			int rc = req->on_reply(req->arg, nh, NLMSG_DATA(nh),
			    plen);

			if (rc != 0)
				return rc;
		}
		if (req->expect == EXPECT_ONE)
			*have_data = 1;
	}
	return 0;
}

/* Send req and collect its answer. 0 or -errno. */
static int
request(struct aw_kaudit *k, struct request *req)
{
	uint32_t seq = ++k->seq;
	int have_ack = 0, have_data = 0, rc;
	uint64_t deadline;

	if ((rc = send_msg(k, req->type, NLM_F_REQUEST | NLM_F_ACK, seq,
	    req->data, req->len)) != 0)
		return rc;
	deadline = aw_now_ms() + KAUDIT_TIMEOUT_MS;
	while (!have_ack || (req->expect != EXPECT_ACK && !have_data)) {
		ssize_t n = recv_kernel(k, deadline);
		size_t off = 0, len;

		if (n < 0)
			return (int)n;
		len = (size_t)n;
		/* Walk the messages; a length that does not fit ends it. */
		while (len - off >= NLMSG_HDRLEN) {
			const struct nlmsghdr *nh =
			    (const struct nlmsghdr *)(k->buf + off);

			if (nh->nlmsg_len < NLMSG_HDRLEN ||
			    nh->nlmsg_len > len - off)
				break;
			if ((rc = answer_msg(req, seq, nh, &have_ack,
			    &have_data)) != 0)
				return rc;
			off += NLMSG_ALIGN(nh->nlmsg_len);
			if (off > len)
				break;
		}
	}
	return 0;
}

/* --------------------------------------------------------------- status */

static int
on_status(void *arg, const struct nlmsghdr *nh, const void *data, size_t len)
{
	struct aw_kstatus_reply *out = arg;

	(void)nh;
	if (len < AW_KSTATUS_MIN_SIZE)
		return -EPROTO;
	memset(&out->s, 0, sizeof(out->s));
	out->size = len < AW_KSTATUS_MAX_SIZE ? len : AW_KSTATUS_MAX_SIZE;
	memcpy(&out->s, data, out->size);
	out->size = len;	/* what the kernel uses, even if larger */
	return 0;
}

int
aw_kaudit_get_status(struct aw_kaudit *k, struct aw_kstatus_reply *out)
{
	struct request req = {
		.type = AUDIT_GET, .expect = EXPECT_ONE,
		.on_reply = on_status, .arg = out,
	};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = request(k, &req)) != 0)
		return rc;
	/* 3.14-3.18 name the bitmap "version" and set it to 1 or 2: same
	 * bits. A reply shorter than 40 bytes has no bitmap at all. */
	k->status_size = out->size < AW_KSTATUS_MAX_SIZE ? out->size :
	    AW_KSTATUS_MAX_SIZE;
	return 0;
}

size_t
aw_kaudit_build_set(void *buf, size_t bufsz, uint32_t seq, int want_ack,
    uint32_t mask, const struct aw_kstatus *vals, size_t status_size)
{
	struct nlmsghdr *nh = buf;
	struct aw_kstatus s;
	size_t total;

	if (status_size < AW_KSTATUS_MIN_SIZE)
		status_size = AW_KSTATUS_MIN_SIZE;
	if (status_size > AW_KSTATUS_MAX_SIZE)
		status_size = AW_KSTATUS_MAX_SIZE;
	total = NLMSG_SPACE(status_size);
	if (bufsz < total)
		return 0;
	memset(buf, 0, total);
	s = *vals;
	s.mask = mask;
	nh->nlmsg_len = (uint32_t)NLMSG_LENGTH(status_size);
	nh->nlmsg_type = AUDIT_SET;
	nh->nlmsg_flags = NLM_F_REQUEST | (want_ack ? NLM_F_ACK : 0);
	nh->nlmsg_seq = seq;
	memcpy(NLMSG_DATA(nh), &s, status_size);
	return total;
}

static int
set_status(struct aw_kaudit *k, const struct aw_kstatus *s, int *ack_value)
{
	struct request req = {
		.type = AUDIT_SET, .data = s, .len = k->status_size,
		.expect = EXPECT_ACK,
	};
	int rc = request(k, &req);

	if (ack_value != NULL)
		*ack_value = req.ack_value;
	return rc;
}

int
aw_kaudit_set(struct aw_kaudit *k, uint32_t mask, uint32_t value)
{
	struct aw_kstatus s;

	memset(&s, 0, sizeof(s));
	s.mask = mask;
	switch (mask) {
	case AUDIT_STATUS_ENABLED: s.enabled = value; break;
	case AUDIT_STATUS_FAILURE: s.failure = value; break;
	case AUDIT_STATUS_PID: s.pid = value; break;
	case AUDIT_STATUS_RATE_LIMIT: s.rate_limit = value; break;
	case AUDIT_STATUS_BACKLOG_LIMIT: s.backlog_limit = value; break;
	case AUDIT_STATUS_BACKLOG_WAIT_TIME:
		if (k->status_size < 40)
			return -EOPNOTSUPP;
		s.backlog_wait_time = value;
		break;
	default:
		return -EINVAL;
	}
	return set_status(k, &s, NULL);
}

int
aw_kaudit_reset_lost(struct aw_kaudit *k, uint32_t *old)
{
	struct aw_kstatus s;
	int rc, val = 0;

	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_LOST;
	if ((rc = set_status(k, &s, &val)) != 0)
		return rc;
	if (old != NULL)
		*old = (uint32_t)val;
	return 0;
}

/* ---------------------------------------------------------------- rules */

static struct audit_rule_data *
rule_hdr(const struct aw_krule *r)
{
	return (struct audit_rule_data *)r->data;
}

struct aw_krule *
aw_krule_new(uint32_t list, uint32_t action)
{
	struct aw_krule *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->data = calloc(1, RULE_HDR_LEN)) == NULL) {
		free(r);
		return NULL;
	}
	r->len = RULE_HDR_LEN;
	rule_hdr(r)->flags = list;
	rule_hdr(r)->action = action;
	return r;
}

void
aw_krule_free(struct aw_krule *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r);
}

int
aw_krule_add_syscall(struct aw_krule *r, int nr)
{
	struct audit_rule_data *d = rule_hdr(r);

	if (nr < 0) {
		for (int i = 0; i < AUDIT_BITMASK_SIZE; i++)
			d->mask[i] = ~0U;
		return 0;
	}
	if (nr >= AUDIT_BITMASK_SIZE * 32)
		return -EINVAL;
	d->mask[AUDIT_WORD(nr)] |= AUDIT_BIT(nr);
	return 0;
}

int
aw_krule_add_field(struct aw_krule *r, uint32_t field, uint32_t op,
    uint32_t value)
{
	struct audit_rule_data *d = rule_hdr(r);

	if (d->field_count >= AUDIT_MAX_FIELDS)
		return -E2BIG;
	d->fields[d->field_count] = field;
	d->fieldflags[d->field_count] = op;
	d->values[d->field_count] = value;
	d->field_count++;
	return 0;
}

int
aw_krule_add_string(struct aw_krule *r, uint32_t field, uint32_t op,
    const char *s)
{
	struct audit_rule_data *d = rule_hdr(r);
	size_t slen = strlen(s);
	unsigned char *nd;
	int rc;

	if (slen == 0 || slen > RULE_MAX_BUF ||
	    d->buflen + slen > RULE_MAX_BUF)
		return -EINVAL;
	if (field == AUDIT_FILTERKEY && slen > AUDIT_MAX_KEY_LEN)
		return -ENAMETOOLONG;
	if ((nd = realloc(r->data, r->len + slen)) == NULL)
		return -ENOMEM;
	r->data = nd;
	d = rule_hdr(r);
	if ((rc = aw_krule_add_field(r, field, op, (uint32_t)slen)) != 0)
		return rc;
	memcpy(r->data + r->len, s, slen);
	r->len += slen;
	d->buflen += (uint32_t)slen;
	return 0;
}

/* Fields whose value is a length into buf (kernel audit_data_to_entry). */
static int
field_is_string(uint32_t f)
{
	switch (f) {
	case AUDIT_SUBJ_USER: case AUDIT_SUBJ_ROLE: case AUDIT_SUBJ_TYPE:
	case AUDIT_SUBJ_SEN: case AUDIT_SUBJ_CLR:
	case AUDIT_OBJ_USER: case AUDIT_OBJ_ROLE: case AUDIT_OBJ_TYPE:
	case AUDIT_OBJ_LEV_LOW: case AUDIT_OBJ_LEV_HIGH:
	case AUDIT_WATCH: case AUDIT_DIR: case AUDIT_FILTERKEY:
	case AUDIT_EXE:
		return 1;
	default:
		return 0;
	}
}

int
aw_krule_validate(const unsigned char *data, size_t len)
{
	const struct audit_rule_data *d = (const void *)data;
	size_t used = 0;

	if (len < RULE_HDR_LEN || d->field_count > AUDIT_MAX_FIELDS ||
	    d->buflen != len - RULE_HDR_LEN)
		return -EPROTO;
	for (uint32_t i = 0; i < d->field_count; i++) {
		if (!field_is_string(d->fields[i]))
			continue;
		if (d->values[i] > d->buflen - used)
			return -EPROTO;
		used += d->values[i];
	}
	return 0;
}

/* The string of field i (NULL if not a string field); *slen its length.
 * The rule must have passed aw_krule_validate (or been built here). */
static const char *
field_string(const struct aw_krule *r, uint32_t i, size_t *slen)
{
	const struct audit_rule_data *d = rule_hdr(r);
	size_t off = 0;

	for (uint32_t j = 0; j < i; j++)
		if (field_is_string(d->fields[j]))
			off += d->values[j];
	if (!field_is_string(d->fields[i]))
		return NULL;
	*slen = d->values[i];
	return (const char *)r->data + RULE_HDR_LEN + off;
}

int
aw_krule_has_key(const struct aw_krule *r, const char *key)
{
	const struct audit_rule_data *d = rule_hdr(r);
	size_t klen = strlen(key);

	for (uint32_t i = 0; i < d->field_count; i++) {
		const char *s, *end, *p;
		size_t slen;

		if (d->fields[i] != AUDIT_FILTERKEY)
			continue;
		if ((s = field_string(r, i, &slen)) == NULL)
			continue;
		/* auditctl joins several -k values with \x01. */
		for (end = s + slen; s <= end; s = p + 1) {
			if ((p = memchr(s, '\001', (size_t)(end - s))) == NULL)
				p = end;
			if ((size_t)(p - s) == klen && memcmp(s, key, klen) == 0)
				return 1;
		}
	}
	return 0;
}

size_t
aw_krule_host_arches(uint32_t out[2])
{
	int mach = audit_detect_machine();
	size_t n = 0;

	if (mach < 0) {
#if defined(__x86_64__)
		mach = MACH_86_64;
#elif defined(__i386__)
		mach = MACH_X86;
#endif
	}
	if (mach >= 0 && audit_machine_to_elf(mach) != 0)
		out[n++] = audit_machine_to_elf(mach);
	if (mach == MACH_86_64)
		out[n++] = AUDIT_ARCH_I386;
	return n;
}

int
aw_krule_syscall_nr(uint32_t arch, const char *name)
{
	/* Old libaudit tables lack newer syscalls: numbers we rely on. */
	static const struct {
		uint32_t arch;
		const char *name;
		int nr;
	} fallback[] = {
		{ AUDIT_ARCH_X86_64, "execve", 59 },
		{ AUDIT_ARCH_X86_64, "execveat", 322 },
		{ AUDIT_ARCH_I386, "execve", 11 },
		{ AUDIT_ARCH_I386, "execveat", 358 },
	};
	int mach = audit_elf_to_machine(arch);
	int nr = mach >= 0 ? audit_name_to_syscall(name, mach) : -1;

	if (nr >= 0)
		return nr;
	for (size_t i = 0; i < sizeof(fallback) / sizeof(fallback[0]); i++)
		if (fallback[i].arch == arch &&
		    strcmp(fallback[i].name, name) == 0)
			return fallback[i].nr;
	return -1;
}

/* Append printf output at *off, never past bufsz. */
static void
appendf(char *buf, size_t bufsz, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
appendf(char *buf, size_t bufsz, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= bufsz)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, bufsz - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
	if (*off >= bufsz)
		*off = bufsz;
}

static const char *
arch_name(uint32_t arch, char *buf, size_t bufsz)
{
	uint32_t arches[2];
	size_t n = aw_krule_host_arches(arches);

	if (n > 0 && arch == arches[0])
		return (arch & __AUDIT_ARCH_64BIT) ? "b64" : "b32";
	if (n > 1 && arch == arches[1])
		return "b32";
	snprintf(buf, bufsz, "0x%x", arch);
	return buf;
}

/* Print a string value: plain when it is printable without spaces,
 * otherwise as hex (auditctl prints multi-key values that way). */
static void
append_string(char *buf, size_t bufsz, size_t *off, const char *s,
    size_t slen)
{
	int plain = 1;

	for (size_t i = 0; i < slen; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    s[i] == '"')
			plain = 0;
	if (plain) {
		appendf(buf, bufsz, off, "%.*s", (int)slen, s);
		return;
	}
	for (size_t i = 0; i < slen; i++)
		appendf(buf, bufsz, off, "%02X", (unsigned char)s[i]);
}

static void
append_syscalls(char *buf, size_t bufsz, size_t *off,
    const struct audit_rule_data *d, int mach)
{
	int all = 1, first = 1;

	/* The kernel clears the top (syscall class) bits of an all-ones
	 * mask when it stores the rule: the last word does not count. */
	for (int i = 0; i < AUDIT_BITMASK_SIZE - 1; i++)
		if (d->mask[i] != ~0U)
			all = 0;
	if (all) {
		appendf(buf, bufsz, off, " -S all");
		return;
	}
	for (int nr = 0; nr < AUDIT_BITMASK_SIZE * 32; nr++) {
		const char *name;

		if (!(d->mask[AUDIT_WORD(nr)] & AUDIT_BIT(nr)))
			continue;
		name = mach >= 0 ? audit_syscall_to_name(nr, mach) : NULL;
		appendf(buf, bufsz, off, "%s", first ? " -S " : ",");
		first = 0;
		if (name != NULL)
			appendf(buf, bufsz, off, "%s", name);
		else
			appendf(buf, bufsz, off, "%d", nr);
	}
}

const char *
aw_krule_format(const struct aw_krule *r, char *buf, size_t bufsz)
{
	const struct audit_rule_data *d = rule_hdr(r);
	const char *action, *list, *name, *op;
	char tmp[32];
	size_t off = 0;
	int mach = audit_detect_machine(), has_mask = 0;

	if (bufsz == 0)
		return buf;
	buf[0] = '\0';
	action = audit_action_to_name((int)d->action);
	list = audit_flag_to_name((int)(d->flags & ~AUDIT_FILTER_PREPEND));
	appendf(buf, bufsz, &off, "-a %s,%s", action ? action : "?",
	    list ? list : "?");
	for (int i = 0; i < AUDIT_BITMASK_SIZE; i++)
		if (d->mask[i] != 0)
			has_mask = 1;
	/* As auditctl: arch first, then the syscalls, then the fields. */
	for (uint32_t i = 0; i < d->field_count; i++)
		if (d->fields[i] == AUDIT_ARCH) {
			appendf(buf, bufsz, &off, " -F arch=%s",
			    arch_name(d->values[i], tmp, sizeof(tmp)));
			mach = audit_elf_to_machine(d->values[i]);
		}
	if (has_mask && !(d->flags == AUDIT_FILTER_EXCLUDE ||
	    d->flags == AUDIT_FILTER_USER)) {
		append_syscalls(buf, bufsz, &off, d, mach);
	}
	for (uint32_t i = 0; i < d->field_count; i++) {
		const char *s;
		size_t slen;

		if (d->fields[i] == AUDIT_ARCH)
			continue;
		name = audit_field_to_name((int)d->fields[i]);
		op = audit_operator_to_symbol((int)d->fieldflags[i]);
		if (name == NULL) {
			snprintf(tmp, sizeof(tmp), "f%u", d->fields[i]);
			name = tmp;
		}
		appendf(buf, bufsz, &off, " -F %s%s", name, op ? op : "?");
		if ((s = field_string(r, i, &slen)) != NULL)
			append_string(buf, bufsz, &off, s, slen);
		else
			appendf(buf, bufsz, &off, "%u", d->values[i]);
	}
	return buf;
}

static int
rule_request(struct aw_kaudit *k, uint16_t type, const struct aw_krule *r)
{
	struct request req = {
		.type = type, .data = r->data, .len = r->len,
		.expect = EXPECT_ACK,
	};

	return request(k, &req);
}

int
aw_kaudit_add_rule(struct aw_kaudit *k, const struct aw_krule *r)
{
	return rule_request(k, AUDIT_ADD_RULE, r);
}

int
aw_kaudit_del_rule(struct aw_kaudit *k, const struct aw_krule *r)
{
	return rule_request(k, AUDIT_DEL_RULE, r);
}

struct rule_list {
	struct aw_krule **v;
	size_t n, cap;
};

static int
on_rule(void *arg, const struct nlmsghdr *nh, const void *data, size_t len)
{
	struct rule_list *l = arg;
	struct aw_krule *r;

	(void)nh;
	if (aw_krule_validate(data, len) != 0)
		return -EPROTO;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		void *nv = realloc(l->v, ncap * sizeof(*l->v));

		if (nv == NULL)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->data = malloc(len)) == NULL) {
		free(r);
		return -ENOMEM;
	}
	memcpy(r->data, data, len);
	r->len = len;
	l->v[l->n++] = r;
	return 0;
}

int
aw_kaudit_list_rules(struct aw_kaudit *k, struct aw_krule ***out, size_t *n)
{
	struct rule_list l = { NULL, 0, 0 };
	struct request req = {
		.type = AUDIT_LIST_RULES, .expect = EXPECT_LIST,
		.on_reply = on_rule, .arg = &l,
	};
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = request(k, &req)) != 0) {
		aw_krules_free(l.v, l.n);
		return rc;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

void
aw_krules_free(struct aw_krule **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		aw_krule_free(v[i]);
	free(v);
}

int
aw_kaudit_del_keyed(struct aw_kaudit *k, const char *key, size_t *ndeleted)
{
	struct aw_krule **v;
	size_t n, del = 0;
	int rc, first_err = 0;

	if (ndeleted != NULL)
		*ndeleted = 0;
	if ((rc = aw_kaudit_list_rules(k, &v, &n)) != 0)
		return rc;
	/* Never-rules last: while the one excluding our own pid exists, our
	 * own deletions are not audited. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			int never = rule_hdr(v[i])->action == AUDIT_NEVER;

			if (never != pass || !aw_krule_has_key(v[i], key))
				continue;
			/* The kernel needs the rule byte for byte as listed. */
			rc = aw_kaudit_del_rule(k, v[i]);
			if (rc == 0 || rc == -ENOENT)
				del += rc == 0;
			else if (first_err == 0)
				first_err = rc;
		}
	}
	aw_krules_free(v, n);
	if (ndeleted != NULL)
		*ndeleted = del;
	return first_err;
}

/* -------------------------------------------------------- the exec rules */

static int
push_rule(struct rule_list *l, struct aw_krule *r)
{
	if (r == NULL)
		return -ENOMEM;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		void *nv = realloc(l->v, ncap * sizeof(*l->v));

		if (nv == NULL) {
			aw_krule_free(r);
			return -ENOMEM;
		}
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = r;
	return 0;
}

int
aw_krules_build_exec(const char *key, uint32_t self_pid,
    struct aw_krule ***out, size_t *n)
{
	static const char *const calls[] = { "execve", "execveat" };
	struct rule_list l = { NULL, 0, 0 };
	struct aw_krule *r;
	uint32_t arches[2];
	size_t narch = aw_krule_host_arches(arches);
	int rc;

	*out = NULL;
	*n = 0;
	if (narch == 0)
		return -ENOSYS;
	/* Our own activity first: never audit it, whatever rule follows. */
	r = aw_krule_new(AUDIT_FILTER_EXIT | AUDIT_FILTER_PREPEND, AUDIT_NEVER);
	if (r != NULL && ((rc = aw_krule_add_syscall(r, -1)) != 0 ||
	    (rc = aw_krule_add_field(r, AUDIT_PID, AUDIT_EQUAL, self_pid)) ||
	    (rc = aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL, key)))) {
		aw_krule_free(r);
		goto fail;
	}
	if ((rc = push_rule(&l, r)) != 0)
		goto fail;
	for (size_t a = 0; a < narch; a++) {
		r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_ALWAYS);
		if (r == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		/* Syscall numbers are per ABI: the arch field scopes them. */
		rc = aw_krule_add_field(r, AUDIT_ARCH, AUDIT_EQUAL, arches[a]);
		for (size_t c = 0; rc == 0 && c < 2; c++) {
			int nr = aw_krule_syscall_nr(arches[a], calls[c]);

			if (nr >= 0)
				rc = aw_krule_add_syscall(r, nr);
		}
		if (rc == 0)
			rc = aw_krule_add_string(r, AUDIT_FILTERKEY,
			    AUDIT_EQUAL, key);
		if (rc != 0) {
			aw_krule_free(r);
			goto fail;
		}
		if ((rc = push_rule(&l, r)) != 0)
			goto fail;
	}
	*out = l.v;
	*n = l.n;
	return 0;
fail:
	aw_krules_free(l.v, l.n);
	return rc;
}
