/*
 * meta.h — container and pod metadata from the Docker Engine API and the
 * kubelet, fetched by a background thread, never on the event path.
 */
#ifndef AW_ENRICH_META_H
#define AW_ENRICH_META_H

#include <stdint.h>

#include "enrich.h"

struct aw_meta_config {
	const char *docker_socket;	/* "" or NULL: not used */
	const char *podman_socket;
	const char *kubelet_url;	/* "https://node:10250"; "": not used */
	const char *kubelet_token_file;
	const char *kubelet_ca_file;	/* "": the system's CAs */
	int kubelet_insecure;		/* skip certificate verification */
	uint64_t wait_ms;		/* how long an alert may wait */
	uint64_t timeout_ms;		/* per HTTP request */
	uint64_t kubelet_min_interval_ms;	/* between /pods fetches */
	uint64_t retry_ms;		/* retry after "not found" */
	unsigned max_entries;		/* containers cached */
};

struct aw_meta_stats {
	uint64_t requests;		/* lookups queued */
	uint64_t dropped;		/* queue full */
	uint64_t docker_ok, docker_fail;
	uint64_t kubelet_fetches, kubelet_fail;
	uint64_t resolved;		/* containers with some metadata */
	uint64_t unresolved;		/* lookups that found nothing */
	uint64_t waits, wait_timeouts;
	uint64_t entries;
	uint64_t evictions;		/* oldest entries dropped at the bound */
};

struct aw_meta;

/* Starts the worker thread when at least one endpoint is configured. */
struct aw_meta *aw_meta_new(const struct aw_meta_config *cfg);
void aw_meta_free(struct aw_meta *m);
/* Ask for a container's metadata (once; repeated calls are cheap). */
void aw_meta_request(struct aw_meta *m, const char *id, const char *full_id,
    const char *runtime, const char *pod_uid);
/* What is known now (NULL meanwhile). Never blocks. */
const struct aw_container_meta *aw_meta_get(struct aw_meta *m, const char *id);
/* Like aw_meta_get, but while a lookup is in flight wait for it, at most
 * until wait_ms after it was requested. */
const struct aw_container_meta *aw_meta_wait(struct aw_meta *m,
    const char *id);
/* Once per event: free what the previous event may have used, take the
 * worker's results, evict above the bound. */
void aw_meta_gc(struct aw_meta *m);
const struct aw_meta_stats *aw_meta_stats(struct aw_meta *m);

/* Split "registry:5000/ns/name:tag@sha256:..." (exposed for tests). */
void aw_meta_split_image(const char *image, char *repo, size_t repo_sz,
    char *tag, size_t tag_sz);

#endif
