/*
 * enrich.h — the enrichment stage: process table, users and groups,
 * container identity and container/pod metadata.
 *
 * The pipeline calls aw_enricher_observe() for every reassembled event (so
 * the process table follows execve/clone/exit), then the rule engine reads
 * what it needs through the lookups below while it evaluates that event.
 * Lookups never block on I/O to remote endpoints: metadata is fetched in
 * the background and returned when known (NULL meanwhile).
 *
 * Ownership: every pointer returned is owned by the enricher and valid
 * until the next aw_enricher_observe() call.
 */
#ifndef AW_ENRICH_H
#define AW_ENRICH_H

#include <stdint.h>
#include "event.h"

struct aw_config;

struct aw_proc {
	int64_t pid, ppid;
	const char *exe;	/* NULL when unknown */
	const char *comm;
	const char *const *argv;	/* argc entries */
	int argc;
	const char *cwd;
	int64_t uid, euid, gid, egid, auid, ses;	/* AW_NONE if unknown */
	const char *tty;
	uint64_t start_ns;	/* exec (or first seen) time, ns since epoch */
	const char *container_id;	/* 12 hex chars, or "host" */
	const char *container_full_id;	/* 64 hex, or "" for host */
	const char *container_type;	/* "docker", "containerd", "cri-o", "podman", ... or NULL */
	const char *pod_uid;		/* NULL when not in a pod */
	int exited;
};

struct aw_container_meta {
	const char *name;
	const char *image;		/* "docker.io/library/nginx:1.25" */
	const char *image_repository;	/* "docker.io/library/nginx" */
	const char *image_tag;		/* "1.25" */
	int privileged;			/* -1 unknown */
	const char *pod_name;
	const char *pod_namespace;
	const char *pod_labels;		/* "k1:v1, k2:v2" as Falco prints */
};

struct aw_enricher_stats {
	uint64_t procs;		/* live entries */
	uint64_t hits, misses, evictions;
	uint64_t cgroup_reads;
};

struct aw_enricher;

struct aw_enricher *aw_enricher_new(const struct aw_config *cfg);
void aw_enricher_free(struct aw_enricher *en);
/* Update the tables from one event (exec, fork/clone, exit, setuid...). */
void aw_enricher_observe(struct aw_enricher *en, const struct aw_event *ev);
/* The process of the event's pid (built from the event if unknown). */
const struct aw_proc *aw_enricher_proc(struct aw_enricher *en, int64_t pid);
/* The parent of p, or NULL when unknown. */
const struct aw_proc *aw_enricher_parent(struct aw_enricher *en,
    const struct aw_proc *p);
/* uid/gid → name; ctx selects the container's /etc/passwd if any. */
const char *aw_enricher_user_name(struct aw_enricher *en, int64_t uid,
    const struct aw_proc *ctx);
const char *aw_enricher_group_name(struct aw_enricher *en, int64_t gid,
    const struct aw_proc *ctx);
/* Metadata for a container id, NULL until known (never blocks). */
const struct aw_container_meta *aw_enricher_container(struct aw_enricher *en,
    const char *container_id);
const struct aw_enricher_stats *aw_enricher_stats(const struct aw_enricher *en);

#endif
