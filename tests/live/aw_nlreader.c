/*
 * aw_nlreader.c — a minimal audit netlink reader for the live tests and
 * the live benchmark. It is the "peer" auditwatch is measured against:
 * it drains its socket and counts, nothing else.
 *
 *   aw_nlreader [--mode unicast|multicast] [--rules KEY] [--match TEXT]
 *               [--rcvbuf BYTES]
 *
 * unicast (default) registers as the audit daemon (exit 3 if a live one
 * holds the pid); multicast joins group 1. --rules installs the same
 * fixed rule set as `auditwatch run` (execve/execveat per ABI and a
 * never-rule for our pid, carrying KEY) and enables audit with
 * backlog_limit 8192 and backlog_wait_time 0, all undone at exit.
 * --match counts SYSCALL records whose text contains TEXT.
 *
 * Prints "ready" once receiving, and "datagrams=N matched=M" on SIGINT or
 * SIGTERM, then releases the pid and exits 0.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/netlink.h>

#include "kaudit.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* AUDIT_SET pid on fd; wait for the ACK, skipping anything else. */
static int
set_pid(int fd, uint32_t pid, int ack, size_t status_size)
{
	unsigned char msg[NLMSG_SPACE(sizeof(struct aw_kstatus))];
	unsigned char buf[16384];
	struct aw_kstatus v;
	size_t len;

	memset(&v, 0, sizeof(v));
	v.pid = pid;
	len = aw_kaudit_build_set(msg, sizeof(msg), 77, ack, AUDIT_STATUS_PID,
	    &v, status_size);
	if (send(fd, msg, len, 0) < 0)
		return -errno;
	while (ack) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
		    nh->nlmsg_type == NLMSG_ERROR && nh->nlmsg_seq == 77)
			return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "rules", required_argument, NULL, 'r' },
		{ "match", required_argument, NULL, 'x' },
		{ "rcvbuf", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode = "unicast", *key = NULL, *match = NULL;
	int rcvbuf = 64 << 20, c, fd, rc;
	unsigned long long datagrams = 0, matched = 0, enobufs = 0;
	struct sockaddr_nl sa;
	struct sigaction act;
	struct aw_kaudit *k = NULL;
	struct aw_kstatus_reply st;
	struct aw_krule **rules = NULL;
	size_t nrules = 0, mlen = 0;
	char err[256];
	static unsigned char buf[65536];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': mode = optarg; break;
		case 'r': key = optarg; break;
		case 'x': match = optarg; mlen = strlen(match); break;
		case 'b': rcvbuf = atoi(optarg); break;
		default: return 2;
		}
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_stop;	/* no SA_RESTART: recv returns EINTR */
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);

	if ((k = aw_kaudit_open(err, sizeof(err))) == NULL ||
	    aw_kaudit_get_status(k, &st) != 0) {
		fprintf(stderr, "aw_nlreader: no audit control\n");
		return 1;
	}
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_AUDIT)) < 0) {
		perror("socket");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("bind");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) != 0)
		perror("SO_RCVBUFFORCE");
	if (strcmp(mode, "multicast") == 0) {
		int grp = AUDIT_NLGRP_READLOG;

		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		    sizeof(grp)) != 0) {
			perror("NETLINK_ADD_MEMBERSHIP");
			return 1;
		}
	} else if ((rc = set_pid(fd, (uint32_t)getpid(), 1, st.size)) != 0) {
		fprintf(stderr, "aw_nlreader: AUDIT_SET pid: %s\n",
		    strerror(-rc));
		return rc == -EEXIST ? 3 : 1;
	}
	if (key != NULL) {
		if (st.s.enabled == 0)
			aw_kaudit_set(k, AUDIT_STATUS_ENABLED, 1);
		aw_kaudit_set(k, AUDIT_STATUS_BACKLOG_LIMIT, 8192);
		aw_kaudit_set(k, AUDIT_STATUS_BACKLOG_WAIT_TIME, 0);
		aw_krules_build_exec(key, (uint32_t)getpid(), &rules, &nrules);
		for (size_t i = 0; i < nrules; i++)
			aw_kaudit_add_rule(k, rules[i]);
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;

		if (n < 0) {
			if (errno == ENOBUFS)
				enobufs++;
			else if (errno != EINTR)
				break;
			continue;
		}
		if (n < NLMSG_HDRLEN)
			continue;
		datagrams++;
		if (match != NULL && nh->nlmsg_type == AUDIT_SYSCALL &&
		    memmem(buf + NLMSG_HDRLEN, (size_t)n - NLMSG_HDRLEN, match,
		    mlen) != NULL)
			matched++;
	}
	if (key != NULL) {
		aw_kaudit_del_keyed(k, key, NULL);
		aw_krules_free(rules, nrules);
		aw_kaudit_set(k, AUDIT_STATUS_BACKLOG_WAIT_TIME,
		    st.s.backlog_wait_time);
		aw_kaudit_set(k, AUDIT_STATUS_BACKLOG_LIMIT,
		    st.s.backlog_limit);
		aw_kaudit_set(k, AUDIT_STATUS_ENABLED, st.s.enabled);
	}
	if (strcmp(mode, "multicast") != 0)
		set_pid(fd, 0, 0, st.size);
	printf("datagrams=%llu matched=%llu enobufs=%llu\n", datagrams,
	    matched, enobufs);
	close(fd);
	aw_kaudit_close(k);
	return 0;
}
