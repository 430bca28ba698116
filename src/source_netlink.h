/*
 * source_netlink.h — live audit records from the kernel over netlink.
 *
 * The event socket is separate from the control socket (kaudit.h). It is
 * either the registered audit daemon's socket (unicast: every record,
 * reliable, one reader system-wide) or a member of multicast group 1
 * (best effort, read-only, beside another daemon; needs CAP_AUDIT_READ).
 * `auto` tries unicast and falls back to multicast when a live daemon
 * holds the pid.
 *
 * A thread does nothing but drain the socket into a bounded in-memory
 * queue, so a slow processing stage costs memory, not events; the socket
 * gets a large receive buffer on top. The processing thread peeks one
 * datagram at a time, processes it in place, and consumes it.
 *
 * Losses, wherever they happen, are counted and reported as log lines:
 * queue full (drops here), socket overrun (ENOBUFS), and the kernel's own
 * `lost` counter and backlog, polled on the control socket.
 */
#ifndef AW_SOURCE_NETLINK_H
#define AW_SOURCE_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "kaudit.h"

enum aw_nl_mode { AW_NL_AUTO, AW_NL_UNICAST, AW_NL_MULTICAST };

int aw_nl_mode_parse(const char *s, enum aw_nl_mode *out);
const char *aw_nl_mode_name(enum aw_nl_mode m);

struct aw_nlsrc_opts {
	enum aw_nl_mode mode;
	size_t rcvbuf;			/* SO_RCVBUFFORCE bytes */
	size_t queue_max_bytes;
	size_t queue_max_records;
};

struct aw_nlsrc_stats {
	uint64_t datagrams;		/* queued */
	uint64_t bytes;
	uint64_t queue_drops;		/* queue full */
	uint64_t enobufs;		/* socket receive buffer overruns */
	uint64_t truncated;		/* larger than the receive buffer */
	uint64_t foreign;		/* not from the kernel (nl_pid != 0) */
	uint64_t ignored;		/* AUDIT_REPLACE probes, runts, acks */
	size_t queue_records;		/* now */
	size_t queue_bytes;
	size_t queue_peak_bytes;
};

struct aw_nlsrc;

/* Open the event socket, start the drain thread and connect in the
 * requested mode. st is the status AUDIT_GET returned (NULL if control is
 * not available: multicast only). Returns NULL with err set; *refused = 1
 * when the reason is that unicast was required and a live daemon holds
 * the pid. */
struct aw_nlsrc *aw_nlsrc_open(const struct aw_nlsrc_opts *o,
    const struct aw_kstatus_reply *st, char *err, size_t errsz,
    int *refused);
/* The mode in use: AW_NL_UNICAST or AW_NL_MULTICAST. */
enum aw_nl_mode aw_nlsrc_mode(const struct aw_nlsrc *s);

/* Wait up to timeout_ms for a datagram. 1: *type, *payload, *len describe
 * it (valid until aw_nlsrc_consume); 0: nothing arrived. */
int aw_nlsrc_peek(struct aw_nlsrc *s, int *type, const char **payload,
    size_t *len, int timeout_ms);
void aw_nlsrc_consume(struct aw_nlsrc *s);

void aw_nlsrc_get_stats(struct aw_nlsrc *s, struct aw_nlsrc_stats *out);

/* Loss report: poll the kernel (k may be NULL) and log what was lost
 * since the last report. Call every audit.lost_poll_interval. */
void aw_nlsrc_report_loss(struct aw_nlsrc *s, struct aw_kaudit *k);

/* Unicast: send AUDIT_SET pid=0 without waiting for the ACK (the socket
 * may be full of events). No-op in multicast mode. */
void aw_nlsrc_release_pid(struct aw_nlsrc *s);
/* Stop the thread, close the socket, free the queue. */
void aw_nlsrc_close(struct aw_nlsrc *s);

#endif
