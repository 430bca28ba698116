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
	uint64_t start_ns;	/* process start, ns since epoch: fork time when
				 * known (clone event, /proc starttime), as
				 * Falco's proc.duration uses; else exec or
				 * first-seen time */
	const char *container_id;	/* 12 hex chars, or "host"; NULL unknown */
	const char *container_full_id;	/* 64 hex, or "" for host */
	const char *container_type;	/* "docker", "containerd", "cri-o", "podman",
					 * "lxc", ..., "host" (as Falco); NULL unknown */
	const char *pod_uid;		/* NULL when not in a pod */
	int exited;
	/* additions (enrichment helper) */
	uint64_t exec_ns;		/* time of the last exec seen, 0 if none */
	int argv_truncated;		/* argv capped (4 KiB / 256 args) */
	const char *container_engine;	/* Falco plugin matcher name, or NULL */
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
	/* additions (enrichment helper) */
	const char *labels;		/* container labels, same format */
	const char *type;		/* runtime as the endpoint reports it */
};

struct aw_enricher_stats {
	uint64_t procs;		/* live entries */
	uint64_t hits, misses, evictions;
	uint64_t cgroup_reads;
	/* additions (enrichment helper) */
	uint64_t proc_reads;		/* /proc/<pid> loads */
	uint64_t table_bytes;		/* process table memory (entries + strings) */
	uint64_t containers;		/* distinct container identities held */
	uint64_t user_db_loads;		/* passwd/group files parsed */
	uint64_t meta_resolved, meta_unresolved, meta_wait_timeouts;
	/* additions (issue 8: bounded memory) */
	uint64_t meta_entries;		/* containers in the metadata cache */
	uint64_t meta_evictions;	/* dropped from it at enrich.metadata_max */
	uint64_t meta_dropped;		/* lookups not queued: request ring full */
};

struct aw_enricher;

struct aw_enricher *aw_enricher_new(const struct aw_config *cfg);
void aw_enricher_free(struct aw_enricher *en);
/* Update the tables from one event (exec, fork/clone, exit, setuid...).
 * ev NULL: housekeeping only (frees what lookups returned before). */
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

/* Additions (enrichment helper). */
/* The n-th ancestor (0: p itself, 1: parent...), NULL past the known tree. */
const struct aw_proc *aw_enricher_ancestor(struct aw_enricher *en,
    const struct aw_proc *p, int n);
/* For alerts: like aw_enricher_container(), but while the lookup is in
 * flight wait for it, at most enrich.metadata_wait after it started. */
const struct aw_container_meta *aw_enricher_container_wait(
    struct aw_enricher *en, const char *container_id);
/* Syscalls the process table follows (for the kernel rule derivation),
 * NULL-terminated: execve, execveat, clone, clone3, fork, vfork,
 * exit_group. */
extern const char *const aw_enricher_syscalls[];
/* Addition (evasion, issue 8): the host's /proc root ("/proc") when it
 * describes the processes of ev (a live event, enrich.host_proc not
 * "none"), else NULL: the rule engine then never asks the running system
 * about the event's pids and fds (a replayed log's pids mean nothing). */
const char *aw_enricher_live_proc(const struct aw_enricher *en,
    const struct aw_event *ev);

#endif
