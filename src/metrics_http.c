/*
 * metrics_http.c — the HTTP endpoint of the metrics (see metrics.h):
 * GET /metrics and GET /healthz, served by libmicrohttpd's own thread.
 *
 * The thread only ever sees a text buffer: the processing thread renders
 * the snapshot and hands it over with aw_metrics_http_publish(); a request
 * copies the current buffer under the mutex and answers with the copy. So
 * a slow or hostile client can hold a connection, never a lock the
 * pipeline needs. Connections are bounded in number, per client address
 * and in time; request bodies are refused.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "log.h"
#include "metrics.h"

#define MAX_CONNECTIONS		32
#define MAX_PER_CLIENT		8
#define CONNECTION_TIMEOUT_S	10

#define CONTENT_TYPE_METRICS	"text/plain; version=0.0.4; charset=utf-8"

static const char index_html[] =
    "<html><body><a href=\"/metrics\">/metrics</a> "
    "<a href=\"/healthz\">/healthz</a></body></html>\n";

struct aw_metrics_http {
	struct MHD_Daemon *d;
	unsigned port;
	pthread_mutex_t mu;
	char *text;		/* the last snapshot, rendered */
	size_t len;
	uint64_t published_ms;	/* monotonic; 0 = never */
	int stopping;
};

/* ------------------------------------------------------------- address */

int
aw_metrics_parse_addr(const char *addr, struct sockaddr_storage *ss,
    size_t *sslen, char *err, size_t errsz)
{
	struct addrinfo hints, *res = NULL;
	char host[256];
	const char *colon, *port, *h;
	size_t hlen;
	char *end;
	unsigned long pnum;
	int rc;

	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');
		if (rb == NULL || rb[1] != ':')
			goto bad;
		h = addr + 1;
		hlen = (size_t)(rb - h);
		port = rb + 2;
	} else {
		if ((colon = strrchr(addr, ':')) == NULL ||
		    memchr(addr, ':', (size_t)(colon - addr)) != NULL)
			goto bad;	/* no port, or a bare IPv6 address */
		h = addr;
		hlen = (size_t)(colon - addr);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host) || *port == '\0')
		goto bad;
	errno = 0;
	pnum = strtoul(port, &end, 10);
	if (errno != 0 || *end != '\0' || pnum > 65535 || *port == '-' ||
	    *port == '+')
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errsz, "metrics.listen: \"%s\": %s", addr,
		    gai_strerror(rc));
		return -1;
	}
	if (res->ai_addrlen > sizeof(*ss) || (res->ai_family != AF_INET &&
	    res->ai_family != AF_INET6)) {
		freeaddrinfo(res);
		goto bad;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, errsz, "metrics.listen: \"%s\" is not ADDRESS:PORT "
	    "(for example 127.0.0.1:9376 or [::1]:9376)", addr);
	return -1;
}

/* ------------------------------------------------------------- answers */

/* Answer with body; mode says whether MHD copies it or frees it. */
static enum MHD_Result
answer_mode(struct MHD_Connection *c, unsigned status, const char *type,
    void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if ((r = MHD_create_response_from_buffer(len, body, mode)) == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
answer_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return answer_mode(c, status, "text/plain; charset=utf-8",
	    (void *)msg, strlen(msg), MHD_RESPMEM_MUST_COPY);
}

/* A copy of the last snapshot: the lock is held for a memcpy only. */
static enum MHD_Result
serve_metrics(struct aw_metrics_http *h, struct MHD_Connection *c)
{
	char *copy = NULL;
	size_t len = 0;

	pthread_mutex_lock(&h->mu);
	if (h->text != NULL && (copy = malloc(h->len + 1)) != NULL) {
		memcpy(copy, h->text, h->len);
		len = h->len;
	}
	pthread_mutex_unlock(&h->mu);
	if (copy == NULL)
		return answer_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "no metrics yet: auditwatch is starting\n");
	return answer_mode(c, MHD_HTTP_OK, CONTENT_TYPE_METRICS, copy, len,
	    MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result
serve_health(struct aw_metrics_http *h, struct MHD_Connection *c)
{
	uint64_t now = aw_now_ms(), at;
	int stopping;
	char msg[128];

	pthread_mutex_lock(&h->mu);
	at = h->published_ms;
	stopping = h->stopping;
	pthread_mutex_unlock(&h->mu);
	if (stopping)
		return answer_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "stopping\n");
	if (at == 0)
		return answer_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "starting\n");
	if (now - at > AW_METRICS_STALE_MS) {
		snprintf(msg, sizeof(msg), "stalled: the processing thread "
		    "has not reported for %llu s\n",
		    (unsigned long long)((now - at) / 1000));
		return answer_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
	}
	return answer_text(c, MHD_HTTP_OK, "ok\n");
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct aw_metrics_http *h = cls;

	(void)version;
	(void)upload_data;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		*upload_data_size = 0;	/* the body is not read */
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "only GET and HEAD\n");
	}
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(h, c);
	if (strcmp(url, "/healthz") == 0)
		return serve_health(h, c);
	if (strcmp(url, "/") == 0)
		return answer_mode(c, MHD_HTTP_OK, "text/html; charset=utf-8",
		    (void *)index_html, sizeof(index_html) - 1,
		    MHD_RESPMEM_PERSISTENT);
	return answer_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	aw_debug("metrics http: %s", buf);
}

/* --------------------------------------------------------------- server */

struct aw_metrics_http *
aw_metrics_http_start(const char *addr, char *err, size_t errsz)
{
	struct aw_metrics_http *h;
	struct sockaddr_storage ss;
	size_t sslen;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	int e;

	if (aw_metrics_parse_addr(addr, &ss, &sslen, err, errsz) != 0)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&h->mu, NULL);
	errno = 0;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)MAX_PER_CLIENT,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT_S,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_END);
	if (h->d == NULL) {
		e = errno;
		snprintf(err, errsz, "metrics.listen: cannot serve on %s%s%s",
		    addr, e ? ": " : "", e ? strerror(e) : "");
		pthread_mutex_destroy(&h->mu);
		free(h);
		return NULL;
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di != NULL ? di->port : 0;
	return h;
}

unsigned
aw_metrics_http_port(const struct aw_metrics_http *h)
{
	return h != NULL ? h->port : 0;
}

int
aw_metrics_http_publish(struct aw_metrics_http *h, const char *text,
    size_t len, uint64_t now_ms)
{
	char *copy;

	if (h == NULL)
		return 0;
	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&h->mu);
	free(h->text);
	h->text = copy;
	h->len = len;
	h->published_ms = now_ms ? now_ms : 1;
	pthread_mutex_unlock(&h->mu);
	return 0;
}

void
aw_metrics_http_stopping(struct aw_metrics_http *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	h->stopping = 1;
	pthread_mutex_unlock(&h->mu);
}

void
aw_metrics_http_stop(struct aw_metrics_http *h)
{
	if (h == NULL)
		return;
	aw_metrics_http_stopping(h);
	MHD_stop_daemon(h->d);
	pthread_mutex_destroy(&h->mu);
	free(h->text);
	free(h);
}
