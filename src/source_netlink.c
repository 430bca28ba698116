/*
 * source_netlink.c — the live netlink source (see source_netlink.h).
 *
 * Threads: the drain thread owns the socket's receive side; the caller
 * (the processing thread) owns the send side and the queue's read end.
 * Besides the queue (which has its own lock) they share only the ACK slot
 * and the counters, under `mu`.
 *
 * The drain thread does one blocking recvfrom per datagram, like the
 * simplest possible reader, and pushes it to the queue (nlqueue.c),
 * bounded in bytes and records. When the queue is full the datagram is
 * dropped and counted: the drain thread never blocks, since a reader that
 * stops reading makes the kernel drop instead, and not always counted.
 * A receive timeout on the socket lets the thread notice it should stop.
 *
 * Framing: one datagram is one record. The kernel's nlmsg_len on event
 * records is unreliable (payload length only on the unicast path), so the
 * payload is "received length - 16", as go-libaudit does. Datagrams whose
 * sender is not the kernel (nl_pid != 0) are dropped, AUDIT_REPLACE
 * probes (another process asking whether we are alive) are ignored, and
 * NLMSG_ERROR is an ACK: it answers our daemon registration.
 */
#include "autoconf.h"
#include "source_netlink.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "log.h"
#include "nlqueue.h"
#include "privs.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define RECV_BUFSZ		(64 * 1024)
#define ACK_TIMEOUT_MS		5000
#define STOP_CHECK_MS		200

struct aw_nlsrc {
	struct nl_sock *sk;
	int fd;
	enum aw_nl_mode mode;		/* in use: UNICAST or MULTICAST */
	size_t status_size;		/* for AUDIT_SET */
	uint32_t seq;
	unsigned char *rbuf;		/* drain thread's receive buffer */
	pthread_t thread;
	int thread_started;
	int sync_init;
	_Atomic int stop;		/* set by close, read by the thread */

	struct aw_nlq *q;

	pthread_mutex_t mu;
	pthread_cond_t ack_cv;		/* ack_have became 1 */
	/* ACK slot, under mu */
	uint32_t ack_seq;
	int ack_have, ack_err;
	/* counters, under mu */
	struct aw_nlsrc_stats st;

	/* loss report state, processing thread only */
	struct aw_nlsrc_stats last;
	uint32_t last_lost;
	int have_lost;
	uint64_t last_report_ms;
};

int
aw_nl_mode_parse(const char *s, enum aw_nl_mode *out)
{
	if (strcmp(s, "auto") == 0)
		*out = AW_NL_AUTO;
	else if (strcmp(s, "unicast") == 0)
		*out = AW_NL_UNICAST;
	else if (strcmp(s, "multicast") == 0)
		*out = AW_NL_MULTICAST;
	else
		return -1;
	return 0;
}

const char *
aw_nl_mode_name(enum aw_nl_mode m)
{
	switch (m) {
	case AW_NL_AUTO: return "auto";
	case AW_NL_UNICAST: return "unicast";
	case AW_NL_MULTICAST: return "multicast";
	}
	return "?";
}

/* ------------------------------------------------------------------ queue */

int
aw_nlsrc_peek(struct aw_nlsrc *s, int *type, const char **payload,
    size_t *len, int timeout_ms)
{
	return aw_nlq_peek(s->q, type, payload, len, timeout_ms);
}

void
aw_nlsrc_consume(struct aw_nlsrc *s)
{
	aw_nlq_consume(s->q);
}

void
aw_nlsrc_get_stats(struct aw_nlsrc *s, struct aw_nlsrc_stats *out)
{
	struct aw_nlq_stats qs;

	aw_nlq_get_stats(s->q, &qs);
	pthread_mutex_lock(&s->mu);
	*out = s->st;
	pthread_mutex_unlock(&s->mu);
	out->datagrams = qs.pushed;
	out->bytes = qs.pushed_bytes;
	out->queue_drops = qs.dropped;
	out->queue_records = qs.records;
	out->queue_bytes = qs.bytes;
	out->queue_peak_bytes = qs.peak_bytes;
}

/* ------------------------------------------------------------ drain thread */

static void
count(struct aw_nlsrc *s, uint64_t *field)
{
	pthread_mutex_lock(&s->mu);
	(*field)++;
	pthread_mutex_unlock(&s->mu);
}

static void
handle_ack(struct aw_nlsrc *s, const struct nlmsghdr *nh, size_t n)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);

	if (n < NLMSG_HDRLEN + sizeof(*e)) {
		count(s, &s->st.ignored);
		return;
	}
	pthread_mutex_lock(&s->mu);
	if (nh->nlmsg_seq == s->ack_seq && !s->ack_have) {
		s->ack_err = e->error;
		s->ack_have = 1;
		pthread_cond_broadcast(&s->ack_cv);
	} else {
		s->st.ignored++;
	}
	pthread_mutex_unlock(&s->mu);
}

static void
handle_datagram(struct aw_nlsrc *s, size_t n)
{
	const struct nlmsghdr *nh = (const struct nlmsghdr *)s->rbuf;

	if (n < NLMSG_HDRLEN) {
		count(s, &s->st.ignored);
		return;
	}
	if (nh->nlmsg_type == NLMSG_ERROR) {
		handle_ack(s, nh, n);
		return;
	}
	if (nh->nlmsg_type < NLMSG_MIN_TYPE || nh->nlmsg_type == AUDIT_REPLACE) {
		count(s, &s->st.ignored);
		return;
	}
	/* A full queue counts the drop itself. */
	(void)aw_nlq_push(s->q, nh->nlmsg_type, s->rbuf + NLMSG_HDRLEN,
	    n - NLMSG_HDRLEN);
}

/* No poll before the recv: per datagram, the drain costs no more system
 * calls than a reader that does nothing else. */
static void *
drain_main(void *arg)
{
	struct aw_nlsrc *s = arg;
	struct aw_ratelimit rl = { 0, 0, 0 };

	while (!s->stop) {
		/* zeroed: the analyzer cannot see recvfrom() fill it */
		struct sockaddr_nl from = { .nl_family = 0 };
		socklen_t fromlen = sizeof(from);
		ssize_t n;

		n = recvfrom(s->fd, s->rbuf, RECV_BUFSZ, MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* The kernel dropped records for us. */
				count(s, &s->st.enobufs);
				continue;
			}
			if (aw_ratelimit_ok(&rl, 5, 10000))
				aw_err("event socket: recv: %s",
				    strerror(errno));
			/* no busy loop on a broken socket */
			nanosleep(&(struct timespec){ .tv_nsec = 10000000 },
			    NULL);
			continue;
		}
		if (fromlen < sizeof(from) || from.nl_family != AF_NETLINK ||
		    from.nl_pid != 0) {
			count(s, &s->st.foreign);
			continue;
		}
		if (n > RECV_BUFSZ) {
			count(s, &s->st.truncated);
			continue;
		}
		handle_datagram(s, (size_t)n);
	}
	return NULL;
}

/* ---------------------------------------------------------- registration */

/* Send AUDIT_SET pid on the event socket and wait for the drain thread to
 * see its ACK. 0 or -errno. */
static int
set_pid(struct aw_nlsrc *s, uint32_t pid)
{
	unsigned char msg[NLMSG_SPACE(sizeof(struct aw_kstatus))];
	struct aw_kstatus vals;
	struct timespec ts;
	size_t len;
	int rc;

	memset(&vals, 0, sizeof(vals));
	vals.pid = pid;
	pthread_mutex_lock(&s->mu);
	s->ack_seq = ++s->seq;
	s->ack_have = 0;
	pthread_mutex_unlock(&s->mu);
	len = aw_kaudit_build_set(msg, sizeof(msg), s->seq, 1,
	    AUDIT_STATUS_PID, &vals, s->status_size);
	if (len == 0)
		return -EINVAL;
	if (nl_sendto(s->sk, msg, len) < 0)
		return -EIO;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ACK_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&s->mu);
	rc = 0;
	while (!s->ack_have && rc == 0)
		rc = pthread_cond_timedwait(&s->ack_cv, &s->mu, &ts);
	rc = s->ack_have ? s->ack_err : -ETIMEDOUT;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int
pid_alive(uint32_t pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* "1234 (auditd)" for messages. */
static const char *
describe_pid(uint32_t pid, char *buf, size_t bufsz)
{
	char path[64], comm[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/comm", pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(comm, sizeof(comm), f) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (comm[0])
		snprintf(buf, bufsz, "%" PRIu32 " (%s)", pid, comm);
	else
		snprintf(buf, bufsz, "%" PRIu32, pid);
	return buf;
}

/* Become the audit daemon. -EEXIST: a live daemon holds the pid. */
static int
try_unicast(struct aw_nlsrc *s, const struct aw_kstatus_reply *st)
{
	uint32_t self = (uint32_t)getpid();

	/* Kernels before 4.6 let anyone take the pid from a live auditd
	 * without a word (no AUDIT_REPLACE probe). The exclude_extend
	 * feature (4.9) proves a kernel that refuses with EEXIST; without
	 * it, a live holder is left alone. */
	if (st->s.pid != 0 && st->s.pid != self &&
	    !(st->s.feature_bitmap & AW_KFEAT_EXCLUDE_EXTEND) &&
	    pid_alive(st->s.pid))
		return -EEXIST;
	return set_pid(s, self);
}

static int
join_multicast(struct aw_nlsrc *s, char *err, size_t errsz)
{
	int grp = AUDIT_NLGRP_READLOG;

	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) == 0)
		return 0;
	if (errno == EPERM)
		snprintf(err, errsz, "cannot join the audit multicast group: "
		    "needs CAP_AUDIT_READ in the initial user namespace");
	else if (errno == EINVAL || errno == ENOENT)
		snprintf(err, errsz, "cannot join the audit multicast group: "
		    "kernel has none (needs 3.16 or later): %s",
		    strerror(errno));
	else
		snprintf(err, errsz, "cannot join the audit multicast group: "
		    "%s", strerror(errno));
	return -1;
}

static void
set_rcvbuf(struct aw_nlsrc *s, size_t want)
{
	int v = want > (size_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)want;
	socklen_t vl = sizeof(v);

	/* FORCE needs CAP_NET_ADMIN and ignores net.core.rmem_max. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) != 0 &&
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) != 0)
		aw_warn("event socket: cannot set receive buffer: %s",
		    strerror(errno));
	if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &v, &vl) == 0) {
		/* The kernel reports twice what it accounts for payload. */
		if ((size_t)v / 2 < want)
			aw_warn("event socket: receive buffer is %d KiB, not "
			    "the %zu KiB asked (no CAP_NET_ADMIN?)", v / 2048,
			    want / 1024);
		else
			aw_debug("event socket: receive buffer %d KiB",
			    v / 2048);
	}
}

/* ------------------------------------------------------------ open/close */

static int
set_stop_timeout(struct aw_nlsrc *s)
{
	struct timeval tv;

	tv.tv_sec = 0;
	tv.tv_usec = STOP_CHECK_MS * 1000;
	return setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int
start_thread(struct aw_nlsrc *s)
{
	sigset_t all, old;
	int rc;

	/* Signals belong to the processing thread; privs.c's signal makes
	 * this thread drop its capabilities too. */
	sigfillset(&all);
	sigdelset(&all, aw_privs_signal());
	sigdelset(&all, SIGSYS);	/* sandbox.c: seccomp denial report */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, drain_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		s->thread_started = 1;
	return rc;
}

static int
init_sync(struct aw_nlsrc *s)
{
	pthread_condattr_t ca;

	if (pthread_condattr_init(&ca) != 0)
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->ack_cv, &ca);
	pthread_condattr_destroy(&ca);
	s->sync_init = 1;
	return 0;
}

struct aw_nlsrc *
aw_nlsrc_open(const struct aw_nlsrc_opts *o, const struct aw_kstatus_reply *st,
    char *err, size_t errsz, int *refused)
{
	struct aw_nlsrc *s;
	char who[96];
	int rc;

	*refused = 0;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->fd = -1;
	s->status_size = st != NULL ? st->size : AW_KSTATUS_MIN_SIZE;
	s->seq = (uint32_t)time(NULL) ^ 0x5a5a0000U;
	if (st != NULL) {
		s->last_lost = st->s.lost;
		s->have_lost = 1;
	}
	s->last_report_ms = aw_now_ms();
	if (init_sync(s) != 0 ||
	    (s->q = aw_nlq_new(o->queue_max_bytes,
	    o->queue_max_records)) == NULL ||
	    (s->rbuf = malloc(RECV_BUFSZ)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	if ((s->sk = nl_socket_alloc()) == NULL) {
		snprintf(err, errsz, "nl_socket_alloc failed");
		goto fail;
	}
	nl_socket_disable_seq_check(s->sk);
	if ((rc = nl_connect(s->sk, NETLINK_AUDIT)) < 0) {
		snprintf(err, errsz, "netlink audit event socket: %s",
		    nl_geterror(rc));
		goto fail;
	}
	s->fd = nl_socket_get_fd(s->sk);
	set_rcvbuf(s, o->rcvbuf);
	if (set_stop_timeout(s) != 0) {
		snprintf(err, errsz, "event socket: SO_RCVTIMEO: %s",
		    strerror(errno));
		goto fail;
	}
	if ((rc = start_thread(s)) != 0) {
		snprintf(err, errsz, "cannot start the drain thread: %s",
		    strerror(rc));
		goto fail;
	}

	if (o->mode != AW_NL_MULTICAST && st == NULL) {
		if (o->mode == AW_NL_UNICAST) {
			snprintf(err, errsz, "unicast needs kernel audit "
			    "control (AUDIT_GET failed)");
			goto fail;
		}
		/* auto: start_control has said why already. */
	} else if (o->mode != AW_NL_MULTICAST) {
		rc = try_unicast(s, st);
		if (rc == 0) {
			s->mode = AW_NL_UNICAST;
			aw_info("registered as the audit daemon (unicast)");
			return s;
		}
		describe_pid(st->s.pid, who, sizeof(who));
		if (o->mode == AW_NL_UNICAST) {
			if (rc == -EEXIST) {
				snprintf(err, errsz, "audit.mode is unicast but "
				    "a live audit daemon, pid %s, holds the "
				    "kernel audit connection; stop it or use "
				    "--mode auto|multicast", who);
				*refused = 1;
			} else {
				snprintf(err, errsz, "cannot register as the "
				    "audit daemon: %s", strerror(-rc));
			}
			goto fail;
		}
		if (rc == -EEXIST)
			aw_warn("audit daemon pid %s holds the kernel audit "
			    "connection: falling back to the multicast group "
			    "(read-only, best effort)", who);
		else
			aw_warn("cannot register as the audit daemon (%s): "
			    "falling back to the multicast group",
			    strerror(-rc));
	}
	if (join_multicast(s, err, errsz) != 0)
		goto fail;
	s->mode = AW_NL_MULTICAST;
	aw_info("reading the audit multicast group");
	return s;
fail:
	aw_nlsrc_close(s);
	return NULL;
}

enum aw_nl_mode
aw_nlsrc_mode(const struct aw_nlsrc *s)
{
	return s->mode;
}

void
aw_nlsrc_release_pid(struct aw_nlsrc *s)
{
	unsigned char msg[NLMSG_SPACE(sizeof(struct aw_kstatus))];
	struct aw_kstatus vals;
	size_t len;

	if (s == NULL || s->mode != AW_NL_UNICAST)
		return;
	memset(&vals, 0, sizeof(vals));
	/* No NLM_F_ACK: the socket may be full of events and nothing waits
	 * for the answer (auditd's clean_exit does the same). */
	len = aw_kaudit_build_set(msg, sizeof(msg), ++s->seq, 0,
	    AUDIT_STATUS_PID, &vals, s->status_size);
	if (len == 0 || nl_sendto(s->sk, msg, len) < 0)
		aw_warn("event socket: releasing the audit daemon pid failed");
	s->mode = AW_NL_MULTICAST;	/* released: nothing more to do */
}

void
aw_nlsrc_close(struct aw_nlsrc *s)
{
	if (s == NULL)
		return;
	if (s->thread_started) {
		s->stop = 1;	/* seen within STOP_CHECK_MS */
		pthread_join(s->thread, NULL);
	}
	if (s->sk != NULL)
		nl_socket_free(s->sk);
	if (s->sync_init) {
		pthread_cond_destroy(&s->ack_cv);
		pthread_mutex_destroy(&s->mu);
	}
	aw_nlq_free(s->q);
	free(s->rbuf);
	free(s);
}

/* ------------------------------------------------------------- loss report */

void
aw_nlsrc_report_loss(struct aw_nlsrc *s, struct aw_kaudit *k)
{
	struct aw_nlsrc_stats now;
	struct aw_kstatus_reply ks;
	uint64_t t = aw_now_ms();
	double secs = (double)(t - s->last_report_ms) / 1000.0;

	aw_nlsrc_get_stats(s, &now);
	if (now.queue_drops > s->last.queue_drops)
		aw_warn("lost %" PRIu64 " audit records in the last %.0fs: "
		    "processing queue full (%zu records, %zu KiB queued)",
		    now.queue_drops - s->last.queue_drops, secs,
		    now.queue_records, now.queue_bytes / 1024);
	if (now.enobufs > s->last.enobufs)
		aw_warn("lost audit records in the last %.0fs: event socket "
		    "receive buffer overran %" PRIu64 " times (ENOBUFS)", secs,
		    now.enobufs - s->last.enobufs);
	if (now.truncated > s->last.truncated)
		aw_warn("dropped %" PRIu64 " audit records larger than %d "
		    "bytes", now.truncated - s->last.truncated, RECV_BUFSZ);
	if (now.foreign > s->last.foreign)
		aw_warn("dropped %" PRIu64 " netlink datagrams not sent by the "
		    "kernel", now.foreign - s->last.foreign);
	if (k != NULL && aw_kaudit_get_status(k, &ks) == 0) {
		if (s->have_lost && ks.s.lost > s->last_lost)
			aw_warn("kernel audit lost %" PRIu32 " records in the "
			    "last %.0fs (kernel lost counter %" PRIu32 ", "
			    "backlog %" PRIu32 " of %" PRIu32 ")",
			    ks.s.lost - s->last_lost, secs, ks.s.lost,
			    ks.s.backlog, ks.s.backlog_limit);
		else if (ks.s.backlog_limit &&
		    ks.s.backlog > ks.s.backlog_limit / 2)
			aw_warn("kernel audit backlog is %" PRIu32 " of %"
			    PRIu32, ks.s.backlog, ks.s.backlog_limit);
		/* A reset by someone else makes the counter go down. */
		s->last_lost = ks.s.lost;
		s->have_lost = 1;
	}
	s->last = now;
	s->last_report_ms = t;
}
