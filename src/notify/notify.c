/*
 * notify.c — the delivery thread (see notify.h).
 *
 * Per destination: a small buffer of notices fetched from the outbox in
 * alert order (cursor = highest id fetched), one request in flight, and
 * the time before which nothing may be sent (backoff, Retry-After, Slack
 * pacing). The head of the buffer is retried until it is sent or dead,
 * which keeps delivery in order. Outcomes go to the store writer as
 * struct aw_delivery_result; while the writer has too many unrecorded
 * outcomes (the disk is full), no new requests start.
 *
 * The thread sleeps in curl_multi_poll(); aw_notify_wakeup() (after a
 * commit) and shutdown wake it with curl_multi_wakeup(). A 2 s poll finds
 * rows even if a wakeup was missed.
 */
#include "autoconf.h"
#include "notify/notify.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>

#include "config.h"
#include "log.h"
#include "notify/notice.h"
#include "output/text.h"
#include "store/db.h"

#define FETCH_WEBHOOK 256
#define RESP_MAX 1024
#define SAFETY_POLL_MS 2000
#define BACKLOG_MAX 10000

struct dest {
	struct aw_dest_config c;
	struct aw_slack_opts slack;
	CURL *easy;
	struct curl_slist *req_headers;
	char *body;
	struct aw_buf resp;
	int busy;
	size_t inflight;		/* notices the request covers */
	struct aw_notice *buf;
	size_t nbuf, cap;
	int64_t cursor;
	int exhausted;			/* nothing beyond cursor, until dirty */
	uint64_t next_try_ms;
	struct aw_dest_stats st;	/* under n->lock */
	struct aw_ratelimit rl;
};

struct aw_notify {
	struct dest d[AW_MAX_DESTS];
	int nd;
	struct aw_store *store;
	sqlite3 *db;
	sqlite3_stmt *fetch;
	char db_id[32];
	CURLM *multi;
	pthread_t th;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t idle_cond;
	int stop, dirty, idle;
	uint64_t grace_deadline_ms;
	uint64_t rng;
};

/* ------------------------------------------------------------- config */

void
aw_dest_config_clear(struct aw_dest_config *d)
{
	if (d->url)
		memset(d->url, 0, strlen(d->url));	/* a secret */
	free(d->url);
	for (int i = 0; i < d->nheaders; i++) {
		memset(d->headers[i], 0, strlen(d->headers[i]));
		free(d->headers[i]);
	}
	free(d->headers);
	free(d->ca_file);
	free(d->ca_path);
	free(d->client_cert);
	free(d->client_key);
	free(d->user_agent);
	free(d->channel);
	free(d->username);
	free(d->icon_url);
	memset(d, 0, sizeof(*d));
}

static char *
dup_opt(const struct aw_config *cfg, const char *key)
{
	const char *v = aw_config_str(cfg, key, NULL);

	return v && *v ? strdup(v) : NULL;
}

/* A secret from a file: first line, trailing whitespace removed. */
static char *
read_secret_file(const char *path, char *err, size_t errsz, const char *key)
{
	char line[4096];
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL) {
		snprintf(err, errsz, "%s: %s: %s", key, path, strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	if (n == 0) {
		snprintf(err, errsz, "%s: %s is empty", key, path);
		return NULL;
	}
	return strdup(line);
}

static int
valid_header(const char *name, const char *value)
{
	static const char tok[] = "!#$%&'*+-.^_`|~";

	if (*name == '\0')
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr(tok, *p) == NULL)
			return 0;
	for (const char *p = value; *p; p++)
		if (*p == '\r' || *p == '\n')
			return 0;
	return 1;
}

static int
read_headers(const struct aw_config *cfg, const char *prefix,
    struct aw_dest_config *d, char *err, size_t errsz)
{
	size_t plen = strlen(prefix);
	char **nh;

	for (size_t i = 0; i < cfg->n; i++) {
		const char *path = cfg->v[i].path, *name = path + plen;
		char *line;

		if (strncmp(path, prefix, plen) != 0)
			continue;
		/* A later definition of the same header replaces it. */
		if (aw_config_find(cfg, path) != &cfg->v[i])
			continue;
		if (!valid_header(name, cfg->v[i].value)) {
			snprintf(err, errsz, "%s:%d: %s: invalid header name "
			    "or value", cfg->v[i].file, cfg->v[i].line, path);
			return -1;
		}
		if (asprintf(&line, "%s: %s", name, cfg->v[i].value) < 0)
			return snprintf(err, errsz, "out of memory"), -1;
		nh = realloc(d->headers, (size_t)(d->nheaders + 1) *
		    sizeof(*nh));
		if (nh == NULL) {
			free(line);
			return snprintf(err, errsz, "out of memory"), -1;
		}
		d->headers = nh;
		d->headers[d->nheaders++] = line;
	}
	return 0;
}

static int
read_priority(const struct aw_config *cfg, const char *key,
    const char *dflt, enum aw_priority *out, char *err, size_t errsz)
{
	const char *v = aw_config_str(cfg, key, dflt);

	if (aw_priority_from_name(v, out) != 0)
		return snprintf(err, errsz, "%s: unknown priority '%s'", key,
		    v), -1;
	return 0;
}

int
aw_dest_from_config(const struct aw_config *cfg, enum aw_dest_kind kind,
    struct aw_dest_config *d, int *enabled, char *err, size_t errsz)
{
	const int slack = kind == AW_DEST_SLACK;
	const char *p = slack ? "slack" : "webhook";
	const char *urlkey = slack ? "slack.webhook_url" : "webhook.url";
	const char *env = slack ? "AUDITWATCH_SLACK_WEBHOOK_URL" :
	    "AUDITWATCH_WEBHOOK_URL";
	char key[128];
	const char *v;
	int64_t iv;

	memset(d, 0, sizeof(*d));
	*enabled = 0;
	d->kind = kind;
	snprintf(d->name, sizeof(d->name), "%s", p);

	/* The URL: inline, else a file (a mounted secret), else the env. */
	snprintf(key, sizeof(key), "%s_file", urlkey);
	if ((v = aw_config_str(cfg, urlkey, NULL)) != NULL && *v)
		d->url = strdup(v);
	else if ((v = aw_config_str(cfg, key, NULL)) != NULL && *v) {
		if ((d->url = read_secret_file(v, err, errsz, key)) == NULL)
			goto fail;
	} else if ((v = getenv(env)) != NULL && *v)
		d->url = strdup(v);
	if (d->url == NULL)
		return 0;
	if (strncmp(d->url, "http://", 7) != 0 &&
	    strncmp(d->url, "https://", 8) != 0) {
		/* Do not echo the value: it is a secret. */
		snprintf(err, errsz, "%s: the URL must start with http:// or "
		    "https://", urlkey);
		goto fail;
	}
	snprintf(key, sizeof(key), "%s.min_priority", p);
	if (read_priority(cfg, key, slack ? "warning" : "debug",
	    &d->min_priority, err, errsz))
		goto fail;
	snprintf(key, sizeof(key), "%s.noise_control", p);
	if (aw_config_bool(cfg, key, slack, &d->noise_control, err, errsz))
		goto fail;
#define MS(k, dflt, dst) do { snprintf(key, sizeof(key), "%s." k, p); \
	if (aw_config_ms(cfg, key, dflt, &iv, err, errsz)) goto fail; \
	(dst) = iv; } while (0)
	MS("timeout", 10000, d->timeout_ms);
	MS("connect_timeout", 5000, d->connect_timeout_ms);
	MS("backoff.initial", 1000, d->backoff_initial_ms);
	MS("backoff.max", 60000, d->backoff_max_ms);
	MS("retry_after_max", 3600000, d->retry_after_max_ms);
	MS("min_interval", slack ? 1000 : 0, d->min_interval_ms);
#undef MS
	if (d->backoff_initial_ms < 10)
		d->backoff_initial_ms = 10;
	if (d->backoff_max_ms < d->backoff_initial_ms)
		d->backoff_max_ms = d->backoff_initial_ms;
	snprintf(key, sizeof(key), "%s.digest_max", p);
	if (aw_config_int(cfg, key, 500, &d->digest_max, err, errsz))
		goto fail;
	if (d->digest_max < 1)
		d->digest_max = 1;
	if (d->digest_max > 5000)
		d->digest_max = 5000;
	if (aw_config_bool(cfg, "json_include_output_property", 1,
	    &d->include_output, err, errsz) ||
	    aw_config_bool(cfg, "json_include_tags_property", 1,
	    &d->include_tags, err, errsz))
		goto fail;
	snprintf(key, sizeof(key), "%s.tls.insecure", p);
	if (aw_config_bool(cfg, key, 0, &d->insecure, err, errsz))
		goto fail;
#define OPT(k, dst) do { snprintf(key, sizeof(key), "%s." k, p); \
	(dst) = dup_opt(cfg, key); } while (0)
	OPT("tls.ca_file", d->ca_file);
	OPT("tls.ca_path", d->ca_path);
	OPT("tls.client_cert", d->client_cert);
	OPT("tls.client_key", d->client_key);
	OPT("user_agent", d->user_agent);
	OPT("channel", d->channel);
	OPT("username", d->username);
	OPT("icon_url", d->icon_url);
#undef OPT
	if (d->user_agent == NULL)
		d->user_agent = strdup("auditwatch/" PACKAGE_VERSION);
	snprintf(key, sizeof(key), "%s.headers.", p);
	if (read_headers(cfg, key, d, err, errsz) != 0)
		goto fail;
	*enabled = 1;
	return 0;
fail:
	aw_dest_config_clear(d);
	return -1;
}

/* ----------------------------------------------------------- helpers */

static uint64_t
rnd(struct aw_notify *n)
{
	/* xorshift64*: jitter only, no security role. */
	n->rng ^= n->rng >> 12;
	n->rng ^= n->rng << 25;
	n->rng ^= n->rng >> 27;
	return n->rng * 0x2545f4914f6cdd1dull;
}

/* Exponential backoff with "equal jitter": half fixed, half random. */
static uint64_t
backoff_ms(struct aw_notify *n, const struct dest *d, int attempts)
{
	uint64_t base = (uint64_t)d->c.backoff_initial_ms;

	for (int i = 1; i < attempts && base < (uint64_t)d->c.backoff_max_ms;
	    i++)
		base *= 2;
	if (base > (uint64_t)d->c.backoff_max_ms)
		base = (uint64_t)d->c.backoff_max_ms;
	return base / 2 + rnd(n) % (base / 2 + 1);
}

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct dest *d = arg;
	size_t n = size * nmemb;

	if (d->resp.len < RESP_MAX)
		aw_buf_add(&d->resp, ptr, n < RESP_MAX - d->resp.len ? n :
		    RESP_MAX - d->resp.len);
	return n;
}

static int
setup_easy(struct dest *d, char *err, size_t errsz)
{
	CURL *e = curl_easy_init();
	const struct aw_dest_config *c = &d->c;

	if (e == NULL)
		return snprintf(err, errsz, "curl_easy_init failed"), -1;
	d->easy = e;
	if (curl_easy_setopt(e, CURLOPT_URL, c->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK) {
		snprintf(err, errsz, "%s: unusable URL", c->name);
		return -1;
	}
	curl_easy_setopt(e, CURLOPT_PRIVATE, d);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)c->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, d);
	if (c->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	if (c->ca_path)
		curl_easy_setopt(e, CURLOPT_CAPATH, c->ca_path);
	if (c->client_cert)
		curl_easy_setopt(e, CURLOPT_SSLCERT, c->client_cert);
	if (c->client_key)
		curl_easy_setopt(e, CURLOPT_SSLKEY, c->client_key);
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return 0;
}

/* ------------------------------------------------------------ fetching */

static const char sql_fetch[] =
	"SELECT o.alert_id, o.attempts, o.repeats, a.time_ns, a.time,"
	" a.hostname, a.rule, a.priority_num, a.source, a.tags, a.output,"
	" a.output_fields, a.container_id, a.container_name, a.k8s_pod_name,"
	" a.k8s_ns_name, a.proc_name, a.proc_cmdline, a.user_name, a.fd_name"
	" FROM outbox o JOIN alerts a ON a.id = o.alert_id"
	" WHERE o.destination = ?1 AND o.state = 'pending' AND o.alert_id > ?2"
	" ORDER BY o.alert_id LIMIT ?3";

static char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

static void
fetch(struct aw_notify *n, struct dest *d)
{
	sqlite3_stmt *st = n->fetch;
	size_t want = d->c.kind == AW_DEST_SLACK ? (size_t)d->c.digest_max :
	    FETCH_WEBHOOK, got = 0;
	int rc;

	if (d->nbuf >= want)
		return;
	want -= d->nbuf;
	if (d->cap < d->nbuf + want) {
		struct aw_notice *nb = realloc(d->buf, (d->nbuf + want) *
		    sizeof(*nb));
		if (nb == NULL)
			return;
		d->buf = nb;
		d->cap = d->nbuf + want;
	}
	sqlite3_bind_text(st, 1, d->c.name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, d->cursor);
	sqlite3_bind_int64(st, 3, (int64_t)want);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct aw_notice *x = &d->buf[d->nbuf];
		int p;

		memset(x, 0, sizeof(*x));
		x->id = sqlite3_column_int64(st, 0);
		x->attempts = sqlite3_column_int(st, 1);
		x->repeats = sqlite3_column_int64(st, 2);
		x->time_ns = (uint64_t)sqlite3_column_int64(st, 3);
		x->time = col(st, 4);
		x->hostname = col(st, 5);
		x->rule = col(st, 6);
		p = sqlite3_column_int(st, 7);
		x->priority = p >= 0 && p <= AW_PRIO_DEBUG ?
		    (enum aw_priority)p : AW_PRIO_DEBUG;
		x->source = col(st, 8);
		x->tags = col(st, 9);
		x->output = col(st, 10);
		x->output_fields = col(st, 11);
		x->container_id = col(st, 12);
		x->container_name = col(st, 13);
		x->k8s_pod_name = col(st, 14);
		x->k8s_ns_name = col(st, 15);
		x->proc_name = col(st, 16);
		x->proc_cmdline = col(st, 17);
		x->user_name = col(st, 18);
		x->fd_name = col(st, 19);
		d->cursor = x->id;
		d->nbuf++;
		got++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		/* Busy or I/O: try again at the next poll. */
		if (aw_ratelimit_ok(&d->rl, 3, 60000))
			aw_warn("%s: reading the outbox: %s", d->c.name,
			    sqlite3_errmsg(n->db));
		return;
	}
	if (got < want)
		d->exhausted = 1;
}

static void
drop_head(struct dest *d, size_t k)
{
	for (size_t i = 0; i < k; i++)
		aw_notice_clear(&d->buf[i]);
	memmove(d->buf, d->buf + k, (d->nbuf - k) * sizeof(*d->buf));
	d->nbuf -= k;
}

/* ------------------------------------------------------------ requests */

static int
start(struct aw_notify *n, struct dest *d)
{
	struct curl_slist *h = NULL;
	char line[160];
	size_t k = 1;

	free(d->body);
	d->body = NULL;
	if (d->c.kind == AW_DEST_WEBHOOK) {
		d->body = aw_notice_falco_json(&d->buf[0], d->c.include_output,
		    d->c.include_tags);
		h = curl_slist_append(h, "Content-Type: application/json");
		snprintf(line, sizeof(line), "Idempotency-Key: aw-%s-%lld",
		    n->db_id, (long long)d->buf[0].id);
		h = curl_slist_append(h, line);
		if (d->buf[0].repeats > 0) {
			snprintf(line, sizeof(line), "X-Auditwatch-Repeats: "
			    "%lld", (long long)d->buf[0].repeats);
			h = curl_slist_append(h, line);
		}
		for (int i = 0; i < d->c.nheaders; i++)
			h = curl_slist_append(h, d->c.headers[i]);
	} else {
		k = d->nbuf;
		d->body = k == 1 ? aw_slack_message(&d->slack, &d->buf[0]) :
		    aw_slack_digest(&d->slack, d->buf, k);
		h = curl_slist_append(h, "Content-Type: application/json");
	}
	/* Drop "Expect: 100-continue": one round trip less per alert. */
	h = curl_slist_append(h, "Expect:");
	if (d->body == NULL || h == NULL) {
		curl_slist_free_all(h);
		return -1;
	}
	curl_slist_free_all(d->req_headers);
	d->req_headers = h;
	aw_buf_reset(&d->resp);
	curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(d->easy, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(d->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(d->body));
	if (curl_multi_add_handle(n->multi, d->easy) != CURLM_OK)
		return -1;
	d->busy = 1;
	d->inflight = k;
	pthread_mutex_lock(&n->lock);
	d->st.requests++;
	if (k > 1)
		d->st.digests++;
	pthread_mutex_unlock(&n->lock);
	return 0;
}

static struct aw_delivery_result *
result_for(struct dest *d, enum aw_delivery_state state, int attempts,
    uint64_t next_ns, const char *error)
{
	struct aw_delivery_result *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	/* at least 1: calloc(0) may return NULL, which is not out of memory */
	if ((r->ids = calloc(d->inflight ? d->inflight : 1,
	    sizeof(*r->ids))) == NULL) {
		free(r);
		return NULL;
	}
	snprintf(r->dest, sizeof(r->dest), "%s", d->c.name);
	r->state = state;
	r->attempts = attempts;
	r->next_attempt_ns = next_ns;
	r->updated_ns = aw_db_now_ns();
	r->error = error ? strdup(error) : NULL;
	r->nids = d->inflight;
	for (size_t i = 0; i < d->inflight; i++)
		r->ids[i] = d->buf[i].id;
	return r;
}

/* The receiver's answer, printable and short, for last_error. */
static void
describe(struct dest *d, long http, CURLcode res, char *out, size_t sz)
{
	size_t o;

	if (res != CURLE_OK) {
		snprintf(out, sz, "%s", curl_easy_strerror(res));
		return;
	}
	o = (size_t)snprintf(out, sz, "HTTP %ld", http);
	if (d->resp.len > 0 && o + 3 < sz) {
		out[o++] = ':';
		out[o++] = ' ';
		for (size_t i = 0; i < d->resp.len && o + 1 < sz; i++) {
			unsigned char c = (unsigned char)d->resp.p[i];
			out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
		out[o] = '\0';
	}
}

static void
complete(struct aw_notify *n, struct dest *d, CURLcode res)
{
	struct aw_delivery_result *r;
	uint64_t now = aw_now_ms(), wall = aw_db_now_ns(), delay;
	curl_off_t retry_after = 0;
	long http = 0;
	char err[160];
	int attempts = 0;

	curl_multi_remove_handle(n->multi, d->easy);
	d->busy = 0;
	curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &http);
	for (size_t i = 0; i < d->inflight; i++) {
		d->buf[i].attempts++;
		if (d->buf[i].attempts > attempts)
			attempts = d->buf[i].attempts;
	}
	describe(d, http, res, err, sizeof(err));
	if (res == CURLE_OK && http >= 200 && http < 300) {
		r = result_for(d, AW_DELIV_SENT, attempts, 0, NULL);
		pthread_mutex_lock(&n->lock);
		d->st.sent += d->inflight;
		for (size_t i = 0; i < d->inflight; i++)
			aw_latency_add(&d->st.latency, wall > d->buf[i].time_ns ?
			    (wall - d->buf[i].time_ns) / 1000 : 0);
		pthread_mutex_unlock(&n->lock);
		drop_head(d, d->inflight);
		d->next_try_ms = now + (uint64_t)d->c.min_interval_ms;
	} else if (res == CURLE_OK && http >= 300 && http < 500 &&
	    http != 429 && http != 408) {
		/* 4xx: the receiver will never take it. 3xx: redirects are
		 * not followed (a secret URL must not leak elsewhere). */
		r = result_for(d, AW_DELIV_DEAD, attempts, 0, err);
		if (aw_ratelimit_ok(&d->rl, 5, 60000))
			aw_err("%s: alert %lld refused (HTTP %ld): "
			    "dead-lettered", d->c.name,
			    (long long)d->buf[0].id, http);
		pthread_mutex_lock(&n->lock);
		d->st.dead += d->inflight;
		snprintf(d->st.last_error, sizeof(d->st.last_error), "%s", err);
		pthread_mutex_unlock(&n->lock);
		drop_head(d, d->inflight);
		d->next_try_ms = now + (uint64_t)d->c.min_interval_ms;
	} else {
		if (res == CURLE_OK && http == 429) {
			curl_easy_getinfo(d->easy, CURLINFO_RETRY_AFTER,
			    &retry_after);
			delay = retry_after > 0 ? (uint64_t)retry_after * 1000 :
			    backoff_ms(n, d, attempts);
			if (delay > (uint64_t)d->c.retry_after_max_ms)
				delay = (uint64_t)d->c.retry_after_max_ms;
		} else
			delay = backoff_ms(n, d, attempts);
		/* Pacing holds for retries too (Slack: one a second). */
		if (delay < (uint64_t)d->c.min_interval_ms)
			delay = (uint64_t)d->c.min_interval_ms;
		d->next_try_ms = now + delay;
		r = result_for(d, AW_DELIV_PENDING, attempts,
		    wall + delay * 1000000u, err);
		if (aw_ratelimit_ok(&d->rl, 5, 60000))
			aw_warn("%s: delivery failed (%s); retrying in %llu ms",
			    d->c.name, res == CURLE_OK ? (http == 429 ?
			    "rate limited" : "server error") :
			    curl_easy_strerror(res), (unsigned long long)delay);
		pthread_mutex_lock(&n->lock);
		d->st.failures++;
		if (http == 429)
			d->st.rate_limited++;
		snprintf(d->st.last_error, sizeof(d->st.last_error), "%s", err);
		pthread_mutex_unlock(&n->lock);
	}
	d->inflight = 0;
	if (r != NULL)
		aw_store_report(n->store, r);
}

/* ----------------------------------------------------------- the thread */

static int
all_idle(struct aw_notify *n)
{
	for (int i = 0; i < n->nd; i++)
		if (n->d[i].busy || n->d[i].nbuf > 0 || !n->d[i].exhausted)
			return 0;
	return 1;
}

static void *
notify_main(void *arg)
{
	struct aw_notify *n = arg;
	uint64_t now, last_poll = aw_now_ms(), timeout;
	int stop, dirty, running, q, backlog, busy;
	CURLMsg *msg;

	pthread_setname_np(pthread_self(), "aw-notify");
	for (;;) {
		now = aw_now_ms();
		pthread_mutex_lock(&n->lock);
		stop = n->stop;
		dirty = n->dirty || now - last_poll >= SAFETY_POLL_MS;
		n->dirty = 0;
		pthread_mutex_unlock(&n->lock);
		busy = 0;
		for (int i = 0; i < n->nd; i++)
			busy |= n->d[i].busy;
		if (stop && (!busy || now >= n->grace_deadline_ms))
			break;
		if (dirty) {
			last_poll = now;
			for (int i = 0; i < n->nd; i++)
				n->d[i].exhausted = 0;
		}
		backlog = aw_store_results_backlog(n->store) > BACKLOG_MAX;
		timeout = SAFETY_POLL_MS;
		for (int i = 0; i < n->nd && !stop; i++) {
			struct dest *d = &n->d[i];

			if (d->busy)
				continue;
			if (!d->exhausted)
				fetch(n, d);
			if (d->nbuf == 0)
				continue;
			if (now < d->next_try_ms) {
				if (d->next_try_ms - now < timeout)
					timeout = d->next_try_ms - now;
				continue;
			}
			if (backlog) {
				timeout = 50;
				continue;
			}
			if (start(n, d) != 0) {
				aw_err("%s: cannot build a request", d->c.name);
				d->next_try_ms = now + 1000;
			}
		}
		pthread_mutex_lock(&n->lock);
		for (int i = 0; i < n->nd; i++)
			n->d[i].st.buffered = n->d[i].nbuf;
		n->idle = all_idle(n) && !n->dirty;
		if (n->idle)
			pthread_cond_broadcast(&n->idle_cond);
		pthread_mutex_unlock(&n->lock);
		if (stop)
			timeout = 50;
		curl_multi_poll(n->multi, NULL, 0, (int)timeout, NULL);
		curl_multi_perform(n->multi, &running);
		while ((msg = curl_multi_info_read(n->multi, &q)) != NULL) {
			struct dest *d = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&d);
			if (d != NULL)
				complete(n, d, msg->data.result);
		}
	}
	/* Requests still running are abandoned; their alerts stay pending
	 * and are sent again after a restart (at least once). */
	for (int i = 0; i < n->nd; i++)
		if (n->d[i].busy) {
			curl_multi_remove_handle(n->multi, n->d[i].easy);
			n->d[i].busy = 0;
		}
	pthread_mutex_lock(&n->lock);
	n->idle = 1;
	pthread_cond_broadcast(&n->idle_cond);
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

/* ----------------------------------------------------------- public API */

void
aw_notify_wakeup(void *arg)
{
	struct aw_notify *n = arg;

	pthread_mutex_lock(&n->lock);
	n->dirty = 1;
	n->idle = 0;
	pthread_mutex_unlock(&n->lock);
	curl_multi_wakeup(n->multi);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
notify_destroy(struct aw_notify *n)
{
	for (int i = 0; i < n->nd; i++) {
		struct dest *d = &n->d[i];

		if (d->easy)
			curl_easy_cleanup(d->easy);
		curl_slist_free_all(d->req_headers);
		free(d->body);
		aw_buf_free(&d->resp);
		for (size_t k = 0; k < d->nbuf; k++)
			aw_notice_clear(&d->buf[k]);
		free(d->buf);
		aw_dest_config_clear(&d->c);
	}
	if (n->multi)
		curl_multi_cleanup(n->multi);
	sqlite3_finalize(n->fetch);
	sqlite3_close(n->db);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->idle_cond);
	free(n);
}

struct aw_notify *
aw_notify_new(struct aw_dest_config *dests, int ndests,
    struct aw_store *store, const char *db_path, char *err, size_t errsz)
{
	struct aw_notify *n = calloc(1, sizeof(*n));
	pthread_condattr_t at;

	if (n == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	pthread_once(&curl_once, curl_init_once);
	pthread_mutex_init(&n->lock, NULL);
	pthread_condattr_init(&at);
	pthread_condattr_setclock(&at, CLOCK_MONOTONIC);
	pthread_cond_init(&n->idle_cond, &at);
	pthread_condattr_destroy(&at);
	n->store = store;
	n->rng = aw_db_now_ns() | 1;
	for (int i = 0; i < ndests && i < AW_MAX_DESTS; i++) {
		struct dest *d = &n->d[n->nd++];

		d->c = dests[i];
		memset(&dests[i], 0, sizeof(dests[i]));
		aw_slack_opts_defaults(&d->slack);
		d->slack.channel = d->c.channel;
		d->slack.username = d->c.username;
		d->slack.icon_url = d->c.icon_url;
		memcpy(d->st.name, d->c.name, sizeof(d->st.name));
		if (setup_easy(d, err, errsz) != 0)
			goto fail;
	}
	if ((n->multi = curl_multi_init()) == NULL) {
		snprintf(err, errsz, "curl_multi_init failed");
		goto fail;
	}
	if (aw_db_open(db_path, AW_DB_READER, 5000, &n->db, err, errsz) != 0)
		goto fail;
	if (sqlite3_prepare_v3(n->db, sql_fetch, -1,
	    SQLITE_PREPARE_PERSISTENT, &n->fetch, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", db_path, sqlite3_errmsg(n->db));
		goto fail;
	}
	if (aw_db_id(n->db, n->db_id, sizeof(n->db_id)) != 0)
		snprintf(n->db_id, sizeof(n->db_id), "0");
	if (pthread_create(&n->th, NULL, notify_main, n) != 0) {
		snprintf(err, errsz, "cannot start the delivery thread");
		goto fail;
	}
	n->started = 1;
	return n;
fail:
	notify_destroy(n);
	return NULL;
}

int
aw_notify_wait_idle(struct aw_notify *n, int64_t timeout_ms)
{
	uint64_t at = aw_now_ms() + (uint64_t)timeout_ms;
	struct timespec ts;
	int rc = 0;

	ts.tv_sec = (time_t)(at / 1000);
	ts.tv_nsec = (long)(at % 1000) * 1000000L;
	pthread_mutex_lock(&n->lock);
	while (!n->idle || n->dirty) {
		if (pthread_cond_timedwait(&n->idle_cond, &n->lock, &ts) ==
		    ETIMEDOUT) {
			rc = -1;
			break;
		}
	}
	pthread_mutex_unlock(&n->lock);
	return rc;
}

void
aw_notify_stats(struct aw_notify *n, struct aw_notify_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&n->lock);
	out->ndests = n->nd;
	for (int i = 0; i < n->nd; i++)
		out->d[i] = n->d[i].st;
	pthread_mutex_unlock(&n->lock);
}

void
aw_notify_free(struct aw_notify *n, int64_t grace_ms)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	n->stop = 1;
	n->grace_deadline_ms = aw_now_ms() + (uint64_t)(grace_ms > 0 ?
	    grace_ms : 0);
	pthread_mutex_unlock(&n->lock);
	curl_multi_wakeup(n->multi);
	if (n->started)
		pthread_join(n->th, NULL);
	notify_destroy(n);
}
