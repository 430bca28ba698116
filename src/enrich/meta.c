/*
 * meta.c — container and pod metadata, fetched in the background.
 *
 * Two threads meet here, and only through a mutex-protected request queue
 * and result list:
 *
 *   main thread (pipeline)                 worker thread
 *   aw_meta_request()  --- request ring --->  Docker Engine API over its
 *   aw_meta_gc/get/wait <--- result list ---  unix socket (libcurl
 *                                             CURLOPT_UNIX_SOCKET_PATH),
 *                                             kubelet GET /pods (HTTPS,
 *                                             service-account token)
 *
 * The cache of containers (id → immutable struct aw_container_meta) is
 * touched by the main thread only, so lookups take no lock and never wait
 * on the network. A result replaces a cache entry's metadata; the old one
 * is freed at the next aw_meta_gc(), i.e. after the rule engine is done
 * with the event that may still point at it.
 *
 * Docker answers for docker (and, on its own socket, podman) containers:
 * name, image, labels, privileged, and the pod of cri-dockerd containers
 * from their io.kubernetes.* labels. The kubelet answers for every
 * container of its node whatever the runtime: one /pods call lists all
 * pods, with container ids (runtime://<64 hex>) in their statuses. The
 * worker keeps that list and fetches it again only when an id is not in
 * it and kubelet_min_interval_ms has passed, so a burst of new containers
 * costs one call. A lookup that found nothing is retried after retry_ms.
 *
 * Alerts may wait for metadata (aw_meta_wait) but only until wait_ms after
 * the lookup was queued, so a slow or dead endpoint delays an alert by at
 * most that, once per container; the event path never waits.
 *
 * Endpoints that are not configured or whose socket does not exist are
 * skipped. Responses are bounded (MAX_DOCKER_BODY, MAX_KUBELET_BODY), the
 * token is re-read for every call (projected tokens rotate) and never
 * logged.
 */
#include "autoconf.h"
#include "enrich/meta.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <uthash.h>

#include "log.h"

#define ID_MAX 130
#define RING 256
#define MAX_DOCKER_BODY (1u << 20)
#define MAX_KUBELET_BODY (64u << 20)
#define LABEL_VALUE_MAX 100	/* as Falco's label_max_len default */
#define LABELS_MAX 4096

enum mstate { M_PENDING, M_DONE };

struct mentry {
	char id[ID_MAX];
	char full_id[ID_MAX], runtime[16], pod_uid[40];	/* to ask again */
	enum mstate state;
	uint64_t requested_ms, done_ms;
	struct aw_container_meta *meta;	/* NULL when nothing known */
	UT_hash_handle hh;
	struct mentry *lru_prev, *lru_next;
};

struct mreq {
	char id[ID_MAX], full_id[ID_MAX], runtime[16], pod_uid[40];
};

struct mresult {
	char id[ID_MAX];
	struct aw_container_meta *meta;
	struct mresult *next;
};

struct aw_meta_graveyard {
	struct aw_container_meta *meta;
	struct aw_meta_graveyard *next;
};

/* The worker's view of the kubelet: container id → what the pod says. */
struct kcontainer {
	char full_id[ID_MAX];
	char *name, *image, *pod_name, *pod_ns, *pod_labels, *runtime;
	int privileged;
	UT_hash_handle hh;
};

struct aw_meta {
	struct aw_meta_config cfg;
	char *docker_socket, *podman_socket, *kubelet_url, *token_file,
	    *ca_file;

	/* main thread only */
	struct mentry *cache, *head, *tail;
	struct aw_meta_graveyard *grave;
	struct aw_meta_stats st;
	uint64_t outstanding;	/* queued, result not drained yet */

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv_req, cv_res;
	struct mreq ring[RING];
	unsigned ring_head, ring_len;
	struct mresult *results;
	int stop;
	uint64_t w_docker_ok, w_docker_fail, w_kubelet_fetches, w_kubelet_fail;

	/* worker only */
	struct kcontainer *kpods;
	uint64_t kpods_fetched_ms;
	pthread_t thread;
	int thread_started;
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static void
meta_free(struct aw_container_meta *m)
{
	if (m == NULL)
		return;
	free((char *)m->name);
	free((char *)m->image);
	free((char *)m->image_repository);
	free((char *)m->image_tag);
	free((char *)m->pod_name);
	free((char *)m->pod_namespace);
	free((char *)m->pod_labels);
	free((char *)m->labels);
	free((char *)m->type);
	free(m);
}

void
aw_meta_split_image(const char *image, char *repo, size_t repo_sz, char *tag,
    size_t tag_sz)
{
	const char *at = strchr(image, '@');
	const char *end = at ? at : image + strlen(image);
	const char *slash = NULL, *colon = NULL;

	for (const char *p = image; p < end; p++) {
		if (*p == '/')
			slash = p;
		else if (*p == ':')
			colon = p;
	}
	/* a ':' before the last '/' is a registry port, not a tag */
	if (colon && slash && colon < slash)
		colon = NULL;
	snprintf(repo, repo_sz, "%.*s", (int)((colon ? colon : end) - image),
	    image);
	if (colon)
		snprintf(tag, tag_sz, "%.*s", (int)(end - colon - 1), colon + 1);
	else
		/* Docker's default tag; a digest-only reference has none */
		snprintf(tag, tag_sz, "%s", at ? "" : "latest");
}

static void
meta_set_image(struct aw_container_meta *m, const char *image)
{
	char repo[512], tag[256];

	if (image == NULL || *image == '\0' || m->image)
		return;
	aw_meta_split_image(image, repo, sizeof(repo), tag, sizeof(tag));
	m->image = strdup(image);
	m->image_repository = dup_or_null(repo);
	m->image_tag = strdup(tag);
}

/* ------------------------------------------------------------ HTTP */

struct body {
	char *buf;
	size_t len, max;
};

static size_t
body_write(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t add = size * n;
	char *nb;

	if (b->len + add > b->max)
		return 0;	/* too big: abort the transfer */
	if ((nb = realloc(b->buf, b->len + add + 1)) == NULL)
		return 0;
	b->buf = nb;
	memcpy(b->buf + b->len, p, add);
	b->len += add;
	b->buf[b->len] = '\0';
	return add;
}

/* GET url; returns the HTTP status (0 on transport error) and the body. */
static long
http_get(struct aw_meta *m, const char *url, const char *unix_socket,
    const char *auth, struct body *b, char *err, size_t errsz)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdr = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;

	if (c == NULL) {
		snprintf(err, errsz, "curl_easy_init failed");
		return 0;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)m->cfg.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)m->cfg.timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (unix_socket)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, unix_socket);
	if (auth)
		hdr = curl_slist_append(hdr, auth);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (m->ca_file && !unix_socket)
		curl_easy_setopt(c, CURLOPT_CAINFO, m->ca_file);
	if (m->cfg.kubelet_insecure && !unix_socket) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(err, errsz, "%s", ebuf[0] ? ebuf :
		    curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	/* the slist holds a copy of the token header: wipe it */
	for (struct curl_slist *h = hdr; h; h = h->next)
		memset(h->data, 0, strlen(h->data));
	curl_slist_free_all(hdr);
	return status;
}

/* "k1:v1, k2:v2", keys sorted, long values dropped (as Falco does). */
static char *
format_labels(json_t *obj)
{
	const char *keys[256];
	size_t n = 0, len = 0;
	const char *k;
	json_t *v;
	char *out;

	if (!json_is_object(obj))
		return NULL;
	json_object_foreach(obj, k, v) {
		if (n < 256 && json_is_string(v) &&
		    json_string_length(v) <= LABEL_VALUE_MAX)
			keys[n++] = k;
	}
	if (n == 0)
		return NULL;
	/* insertion sort: label sets are small */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *t = keys[j];

			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	if ((out = malloc(LABELS_MAX)) == NULL)
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *val = json_string_value(json_object_get(obj, keys[i]));
		int w = snprintf(out + len, LABELS_MAX - len, "%s%s:%s",
		    i ? ", " : "", keys[i], val);

		if (w < 0 || (size_t)w >= LABELS_MAX - len) {
			out[len] = '\0';	/* keep whole labels only */
			break;
		}
		len += (size_t)w;
	}
	return out;
}

static const char *
jstr(json_t *o, const char *path)
{
	/* dotted path of objects: "Config.Image" */
	char key[64];
	const char *p = path, *dot;

	while (o && (dot = strchr(p, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
		o = json_object_get(o, key);
		p = dot + 1;
	}
	o = o ? json_object_get(o, p) : NULL;
	return json_is_string(o) ? json_string_value(o) : NULL;
}

static int
valid_id(const char *id)
{
	if (*id == '\0')
		return 0;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '.')
			return 0;
	return 1;
}

static int
docker_fetch(struct aw_meta *m, const char *socket, const char *id,
    struct aw_container_meta *out)
{
	static struct aw_ratelimit rl;
	struct body b = { NULL, 0, MAX_DOCKER_BODY };
	char url[300], err[CURL_ERROR_SIZE + 64] = "";
	struct stat st;
	json_t *root, *hc, *labels;
	const char *name;
	long status;
	int ok = 0;

	if (socket == NULL || stat(socket, &st) < 0 || !valid_id(id))
		return 0;
	snprintf(url, sizeof(url), "http://localhost/containers/%s/json", id);
	status = http_get(m, url, socket, NULL, &b, err, sizeof(err));
	if (status != 200) {
		if (status != 404 && aw_ratelimit_ok(&rl, 5, 60000))
			aw_warn("container metadata: %s: %s", socket,
			    status ? "unexpected HTTP status" : err);
		free(b.buf);
		return 0;
	}
	if ((root = json_loadb(b.buf, b.len, 0, NULL)) != NULL &&
	    json_is_object(root)) {
		name = jstr(root, "Name");
		if (name && *name == '/')
			name++;
		out->name = dup_or_null(name);
		meta_set_image(out, jstr(root, "Config.Image"));
		hc = json_object_get(root, "HostConfig");
		if (json_is_boolean(json_object_get(hc, "Privileged")))
			out->privileged = json_is_true(json_object_get(hc,
			    "Privileged"));
		labels = json_object_get(json_object_get(root, "Config"),
		    "Labels");
		out->labels = format_labels(labels);
		/* cri-dockerd containers carry their pod in labels */
		if (json_is_object(labels)) {
			json_t *pn = json_object_get(labels,
			    "io.kubernetes.pod.name");
			json_t *pns = json_object_get(labels,
			    "io.kubernetes.pod.namespace");

			if (json_is_string(pn))
				out->pod_name = strdup(json_string_value(pn));
			if (json_is_string(pns))
				out->pod_namespace =
				    strdup(json_string_value(pns));
		}
		ok = 1;
	}
	json_decref(root);
	free(b.buf);
	return ok;
}

static void
kpods_clear(struct aw_meta *m)
{
	struct kcontainer *k, *tmp;

	HASH_ITER(hh, m->kpods, k, tmp) {
		HASH_DEL(m->kpods, k);
		free(k->name);
		free(k->image);
		free(k->pod_name);
		free(k->pod_ns);
		free(k->pod_labels);
		free(k->runtime);
		free(k);
	}
}

static int
read_token(const char *path, char *buf, size_t bufsz)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, bufsz - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return n ? 0 : -1;
}

/* privileged of container `name` in spec.containers (and init/ephemeral) */
static int
spec_privileged(json_t *spec, const char *name)
{
	static const char *const lists[] = { "containers", "initContainers",
	    "ephemeralContainers", NULL };

	for (int l = 0; lists[l]; l++) {
		json_t *arr = json_object_get(spec, lists[l]), *c;
		size_t i;

		json_array_foreach(arr, i, c) {
			const char *n = jstr(c, "name");
			json_t *p;

			if (n == NULL || strcmp(n, name) != 0)
				continue;
			p = json_object_get(json_object_get(c,
			    "securityContext"), "privileged");
			return json_is_true(p) ? 1 : 0;
		}
	}
	return 0;
}

static void
kpods_add_pod(struct aw_meta *m, json_t *pod)
{
	static const char *const lists[] = { "containerStatuses",
	    "initContainerStatuses", "ephemeralContainerStatuses", NULL };
	json_t *md = json_object_get(pod, "metadata");
	json_t *status = json_object_get(pod, "status");
	json_t *spec = json_object_get(pod, "spec");
	char *labels = format_labels(json_object_get(md, "labels"));

	for (int l = 0; lists[l]; l++) {
		json_t *arr = json_object_get(status, lists[l]), *cs;
		size_t i;

		json_array_foreach(arr, i, cs) {
			const char *cid = jstr(cs, "containerID");
			const char *sep = cid ? strstr(cid, "://") : NULL;
			struct kcontainer *k, *old;

			if (sep == NULL || !valid_id(sep + 3) ||
			    strlen(sep + 3) >= ID_MAX)
				continue;
			if ((k = calloc(1, sizeof(*k))) == NULL)
				continue;
			snprintf(k->full_id, sizeof(k->full_id), "%s", sep + 3);
			k->runtime = strndup(cid, (size_t)(sep - cid));
			k->name = dup_or_null(jstr(cs, "name"));
			k->image = dup_or_null(jstr(cs, "image"));
			k->pod_name = dup_or_null(jstr(md, "name"));
			k->pod_ns = dup_or_null(jstr(md, "namespace"));
			k->pod_labels = labels ? strdup(labels) : NULL;
			k->privileged = k->name ? spec_privileged(spec, k->name) :
			    -1;
			HASH_FIND_STR(m->kpods, k->full_id, old);
			if (old) {	/* duplicate id in the list: keep first */
				free(k->runtime);
				free(k->name);
				free(k->image);
				free(k->pod_name);
				free(k->pod_ns);
				free(k->pod_labels);
				free(k);
				continue;
			}
			HASH_ADD_STR(m->kpods, full_id, k);
		}
	}
	free(labels);
}

static void
kubelet_fetch(struct aw_meta *m)
{
	static struct aw_ratelimit rl;
	struct body b = { NULL, 0, MAX_KUBELET_BODY };
	char url[1100], token[8192], auth[8300], err[CURL_ERROR_SIZE + 64] = "";
	const char *u = m->kubelet_url;
	size_t ul = strlen(u);
	json_t *root, *items, *pod;
	long status;
	size_t i;

	while (ul > 0 && u[ul - 1] == '/')
		ul--;
	snprintf(url, sizeof(url), "%.*s%s", (int)ul, u,
	    ul >= 5 && memcmp(u + ul - 5, "/pods", 5) == 0 ? "" : "/pods");
	auth[0] = '\0';
	if (m->token_file && read_token(m->token_file, token, sizeof(token)) == 0)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	memset(token, 0, sizeof(token));
	status = http_get(m, url, NULL, auth[0] ? auth : NULL, &b, err,
	    sizeof(err));
	memset(auth, 0, sizeof(auth));
	m->kpods_fetched_ms = mono_ms();
	pthread_mutex_lock(&m->mu);
	m->w_kubelet_fetches++;
	pthread_mutex_unlock(&m->mu);
	if (status != 200) {
		if (aw_ratelimit_ok(&rl, 5, 60000)) {
			if (status)
				aw_warn("kubelet %.*s/pods: HTTP %ld", (int)ul, u,
				    status);
			else
				aw_warn("kubelet %.*s/pods: %s", (int)ul, u, err);
		}
		pthread_mutex_lock(&m->mu);
		m->w_kubelet_fail++;
		pthread_mutex_unlock(&m->mu);
		free(b.buf);
		return;
	}
	if ((root = json_loadb(b.buf, b.len, 0, NULL)) == NULL) {
		if (aw_ratelimit_ok(&rl, 5, 60000))
			aw_warn("kubelet %.*s/pods: response is not JSON",
			    (int)ul, u);
		free(b.buf);
		return;
	}
	kpods_clear(m);
	items = json_object_get(root, "items");
	json_array_foreach(items, i, pod)
		kpods_add_pod(m, pod);
	json_decref(root);
	free(b.buf);
}

static struct kcontainer *
kubelet_find(struct aw_meta *m, const char *full_id, const char *id)
{
	struct kcontainer *k, *tmp;
	size_t idl = strlen(id);

	if (full_id[0]) {
		HASH_FIND_STR(m->kpods, full_id, k);
		if (k)
			return k;
	}
	/* only a short id: prefix match */
	HASH_ITER(hh, m->kpods, k, tmp)
		if (strncmp(k->full_id, id, idl) == 0)
			return k;
	return NULL;
}

static void
kubelet_lookup(struct aw_meta *m, const struct mreq *r,
    struct aw_container_meta *out)
{
	struct kcontainer *k = kubelet_find(m, r->full_id, r->id);

	if (k == NULL && (m->kpods_fetched_ms == 0 ||
	    mono_ms() - m->kpods_fetched_ms >= m->cfg.kubelet_min_interval_ms)) {
		kubelet_fetch(m);
		k = kubelet_find(m, r->full_id, r->id);
	}
	if (k == NULL)
		return;
	if (out->name == NULL)
		out->name = dup_or_null(k->name);
	meta_set_image(out, k->image);
	if (out->privileged < 0)
		out->privileged = k->privileged;
	if (out->pod_name == NULL)
		out->pod_name = dup_or_null(k->pod_name);
	if (out->pod_namespace == NULL)
		out->pod_namespace = dup_or_null(k->pod_ns);
	if (out->pod_labels == NULL && k->pod_labels)
		out->pod_labels = strdup(k->pod_labels);
	if (out->type == NULL && k->runtime)
		out->type = strdup(k->runtime);
}

static int
meta_empty(const struct aw_container_meta *x)
{
	return !x->name && !x->image && !x->pod_name && !x->labels &&
	    x->privileged < 0;
}

static struct aw_container_meta *
resolve(struct aw_meta *m, const struct mreq *r)
{
	struct aw_container_meta *out = calloc(1, sizeof(*out));
	const char *id = r->full_id[0] ? r->full_id : r->id;
	int ok = 0;

	if (out == NULL)
		return NULL;
	out->privileged = -1;
	if (strcmp(r->runtime, "podman") == 0)
		ok = docker_fetch(m, m->podman_socket, id, out);
	if (!ok && (strcmp(r->runtime, "docker") == 0 ||
	    strcmp(r->runtime, "podman") == 0))
		ok = docker_fetch(m, m->docker_socket, id, out);
	if (ok && out->type == NULL)
		out->type = strdup(r->runtime);
	pthread_mutex_lock(&m->mu);
	if (ok)
		m->w_docker_ok++;
	else if (strcmp(r->runtime, "docker") == 0 && m->docker_socket)
		m->w_docker_fail++;
	pthread_mutex_unlock(&m->mu);
	if (m->kubelet_url && (r->pod_uid[0] || !ok || !out->pod_name))
		kubelet_lookup(m, r, out);
	if (meta_empty(out)) {
		meta_free(out);
		return NULL;
	}
	return out;
}

static void *
worker(void *arg)
{
	struct aw_meta *m = arg;

	pthread_mutex_lock(&m->mu);
	for (;;) {
		struct mreq r;
		struct mresult *res;

		while (!m->stop && m->ring_len == 0)
			pthread_cond_wait(&m->cv_req, &m->mu);
		if (m->stop)
			break;
		r = m->ring[m->ring_head];
		m->ring_head = (m->ring_head + 1) % RING;
		m->ring_len--;
		pthread_mutex_unlock(&m->mu);

		res = calloc(1, sizeof(*res));
		if (res) {
			snprintf(res->id, sizeof(res->id), "%s", r.id);
			res->meta = resolve(m, &r);
		}
		pthread_mutex_lock(&m->mu);
		if (res) {
			res->next = m->results;
			m->results = res;
		}
		pthread_cond_broadcast(&m->cv_res);
	}
	pthread_mutex_unlock(&m->mu);
	kpods_clear(m);
	return NULL;
}

struct aw_meta *
aw_meta_new(const struct aw_meta_config *cfg)
{
	struct aw_meta *m = calloc(1, sizeof(*m));
	pthread_condattr_t ca;

	if (m == NULL)
		return NULL;
	m->cfg = *cfg;
	if (m->cfg.timeout_ms == 0)
		m->cfg.timeout_ms = 2000;
	if (m->cfg.max_entries == 0)
		m->cfg.max_entries = 4096;
	m->docker_socket = dup_or_null(cfg->docker_socket);
	m->podman_socket = dup_or_null(cfg->podman_socket);
	m->kubelet_url = dup_or_null(cfg->kubelet_url);
	m->token_file = dup_or_null(cfg->kubelet_token_file);
	m->ca_file = dup_or_null(cfg->kubelet_ca_file);
	m->cfg.docker_socket = m->cfg.podman_socket = m->cfg.kubelet_url = NULL;
	m->cfg.kubelet_token_file = m->cfg.kubelet_ca_file = NULL;
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv_res, &ca);
	pthread_cond_init(&m->cv_req, &ca);
	pthread_condattr_destroy(&ca);
	if (m->docker_socket || m->podman_socket || m->kubelet_url) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if (pthread_create(&m->thread, NULL, worker, m) == 0)
			m->thread_started = 1;
		else
			aw_warn("container metadata: cannot start thread");
	}
	return m;
}

static void
grave_free(struct aw_meta *m)
{
	while (m->grave) {
		struct aw_meta_graveyard *g = m->grave;

		m->grave = g->next;
		meta_free(g->meta);
		free(g);
	}
}

void
aw_meta_free(struct aw_meta *m)
{
	struct mentry *e, *tmp;

	if (m == NULL)
		return;
	if (m->thread_started) {
		pthread_mutex_lock(&m->mu);
		m->stop = 1;
		pthread_cond_broadcast(&m->cv_req);
		pthread_mutex_unlock(&m->mu);
		pthread_join(m->thread, NULL);
		curl_global_cleanup();
	}
	while (m->results) {
		struct mresult *r = m->results;

		m->results = r->next;
		meta_free(r->meta);
		free(r);
	}
	HASH_ITER(hh, m->cache, e, tmp) {
		HASH_DEL(m->cache, e);
		meta_free(e->meta);
		free(e);
	}
	grave_free(m);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cv_req);
	pthread_cond_destroy(&m->cv_res);
	free(m->docker_socket);
	free(m->podman_socket);
	free(m->kubelet_url);
	free(m->token_file);
	free(m->ca_file);
	free(m);
}

static void
lru_unlink(struct aw_meta *m, struct mentry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		m->head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		m->tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
lru_push(struct aw_meta *m, struct mentry *e)
{
	e->lru_next = m->head;
	if (m->head)
		m->head->lru_prev = e;
	m->head = e;
	if (m->tail == NULL)
		m->tail = e;
}

/* Move the worker's results into the cache (main thread). */
static void
drain(struct aw_meta *m)
{
	struct mresult *r;

	/* Every result answers a queued request, and the worker's counters
	 * move only while it serves one, before its result is posted: with
	 * nothing outstanding there is nothing to take (and no lock to take
	 * on every event). */
	if (m->outstanding == 0)
		return;
	pthread_mutex_lock(&m->mu);
	r = m->results;
	m->results = NULL;
	m->st.docker_ok = m->w_docker_ok;
	m->st.docker_fail = m->w_docker_fail;
	m->st.kubelet_fetches = m->w_kubelet_fetches;
	m->st.kubelet_fail = m->w_kubelet_fail;
	pthread_mutex_unlock(&m->mu);
	while (r) {
		struct mresult *next = r->next;
		struct mentry *e;

		m->outstanding--;
		HASH_FIND_STR(m->cache, r->id, e);
		if (e == NULL) {
			meta_free(r->meta);	/* evicted meanwhile */
		} else {
			if (r->meta) {
				if (e->meta) {
					struct aw_meta_graveyard *g =
					    malloc(sizeof(*g));

					if (g) {
						g->meta = e->meta;
						g->next = m->grave;
						m->grave = g;
					}
				}
				e->meta = r->meta;
				m->st.resolved++;
			} else {
				m->st.unresolved++;
			}
			e->state = M_DONE;
			e->done_ms = mono_ms();
		}
		free(r);
		r = next;
	}
}

/* Queue a lookup for e (main thread). */
static void
enqueue(struct aw_meta *m, struct mentry *e, uint64_t now)
{
	int queued = 0;

	pthread_mutex_lock(&m->mu);
	if (m->ring_len < RING) {
		struct mreq *r = &m->ring[(m->ring_head + m->ring_len) % RING];

		memcpy(r->id, e->id, sizeof(r->id));
		memcpy(r->full_id, e->full_id, sizeof(r->full_id));
		memcpy(r->runtime, e->runtime, sizeof(r->runtime));
		memcpy(r->pod_uid, e->pod_uid, sizeof(r->pod_uid));
		m->ring_len++;
		queued = 1;
		pthread_cond_signal(&m->cv_req);
	}
	pthread_mutex_unlock(&m->mu);
	e->requested_ms = now;
	if (queued) {
		e->state = M_PENDING;
		m->st.requests++;
		m->outstanding++;
	} else {
		e->state = M_DONE;	/* retried after retry_ms */
		e->done_ms = now;
		m->st.dropped++;
	}
}

/* Nothing found last time: ask again once retry_ms has passed. */
static void
maybe_retry(struct aw_meta *m, struct mentry *e)
{
	uint64_t now;

	if (e->state != M_DONE || e->meta != NULL)
		return;
	now = mono_ms();
	if (now - e->done_ms >= m->cfg.retry_ms)
		enqueue(m, e, now);
}

void
aw_meta_request(struct aw_meta *m, const char *id, const char *full_id,
    const char *runtime, const char *pod_uid)
{
	struct mentry *e;

	if (m == NULL || !m->thread_started || id == NULL || *id == '\0' ||
	    strlen(id) >= ID_MAX)
		return;
	HASH_FIND_STR(m->cache, id, e);
	if (e) {
		maybe_retry(m, e);
		return;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->full_id, sizeof(e->full_id), "%s", full_id ? full_id : "");
	snprintf(e->runtime, sizeof(e->runtime), "%s", runtime ? runtime : "");
	snprintf(e->pod_uid, sizeof(e->pod_uid), "%s", pod_uid ? pod_uid : "");
	HASH_ADD_STR(m->cache, id, e);
	lru_push(m, e);
	enqueue(m, e, mono_ms());
}

const struct aw_container_meta *
aw_meta_get(struct aw_meta *m, const char *id)
{
	struct mentry *e;

	if (m == NULL || id == NULL)
		return NULL;
	drain(m);
	HASH_FIND_STR(m->cache, id, e);
	if (e == NULL)
		return NULL;
	lru_unlink(m, e);
	lru_push(m, e);
	maybe_retry(m, e);
	return e->meta;
}

const struct aw_container_meta *
aw_meta_wait(struct aw_meta *m, const char *id)
{
	struct mentry *e;
	uint64_t deadline;

	if (m == NULL || id == NULL)
		return NULL;
	drain(m);
	HASH_FIND_STR(m->cache, id, e);
	if (e == NULL)
		return NULL;
	maybe_retry(m, e);
	if (e->state == M_DONE)
		return e->meta;
	m->st.waits++;
	deadline = e->requested_ms + m->cfg.wait_ms;
	while (e->state == M_PENDING) {
		uint64_t now = mono_ms();
		struct timespec ts;

		if (now >= deadline) {
			m->st.wait_timeouts++;
			break;
		}
		ts.tv_sec = (time_t)(deadline / 1000);
		ts.tv_nsec = (long)(deadline % 1000) * 1000000;
		pthread_mutex_lock(&m->mu);
		if (m->results == NULL)
			pthread_cond_timedwait(&m->cv_res, &m->mu, &ts);
		pthread_mutex_unlock(&m->mu);
		drain(m);
	}
	return e->meta;
}

void
aw_meta_gc(struct aw_meta *m)
{
	if (m == NULL)
		return;
	grave_free(m);
	drain(m);
	while (HASH_COUNT(m->cache) > m->cfg.max_entries && m->tail) {
		struct mentry *e = m->tail;

		lru_unlink(m, e);
		HASH_DEL(m->cache, e);
		meta_free(e->meta);
		free(e);
		m->st.evictions++;
	}
}

const struct aw_meta_stats *
aw_meta_stats(struct aw_meta *m)
{
	if (m)
		m->st.entries = HASH_COUNT(m->cache);
	return &m->st;
}
