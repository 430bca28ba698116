/*
 * cgroup.h — container identity and pod UID from /proc/<pid>/cgroup text.
 *
 * Pure parsing, no I/O: enricher.c reads the file (once per process, at
 * exec) and hands the text here. See cgroup.c for the matching rules and
 * where they differ from Falco's container plugin.
 */
#ifndef AW_ENRICH_CGROUP_H
#define AW_ENRICH_CGROUP_H

#include <stddef.h>

#define AW_CGROUP_ID_MAX 128	/* longest container name we keep */

struct aw_cgroup_opts {
	/* containerd namespaces accepted by the `/<ns>/<name>` matcher;
	 * NULL-terminated; {"*", NULL} accepts any (Falco plugin
	 * behaviour); NULL means the default {"default", NULL}. */
	const char *const *containerd_namespaces;
};

struct aw_cgroup_info {
	int matched;		/* 1: in a container; 0: host */
	/* Falco container-plugin matcher that claimed the path ("docker",
	 * "cri", "containerd", "podman", "lxc", "libvirt-lxc", "bpm"),
	 * "host" when none did. */
	const char *engine;
	/* Runtime the path names ("docker", "containerd", "cri-o",
	 * "podman", "lxc", "libvirt-lxc", "bpm"), "host" when none. */
	const char *runtime;
	char id[AW_CGROUP_ID_MAX + 1];	/* 12-char short id, or the name */
	char full_id[AW_CGROUP_ID_MAX + 1];	/* 64 hex, or the name */
	char pod_uid[40];		/* "" when none */
	char pod_config_hash[40];	/* static pod: kubelet config hash */
};

/* Parse the whole text of a /proc/<pid>/cgroup file (any number of
 * "hier:controllers:path" lines, v1, v2 or hybrid). Never fails: text it
 * does not understand is host. Returns info->matched. */
int aw_cgroup_parse(const char *text, size_t len,
    const struct aw_cgroup_opts *opts, struct aw_cgroup_info *info);

/* Match one cgroup path (the third field of a line). Returns 1 when a
 * container was found (info filled), 0 otherwise (info untouched). */
int aw_cgroup_match_path(const char *path, size_t len,
    const struct aw_cgroup_opts *opts, struct aw_cgroup_info *info);

/* Pod UID (Kubernetes k8smeta rule) from a path: 1 if found. */
int aw_cgroup_pod_uid(const char *path, size_t len, char *uid, size_t uidsz,
    char *hash, size_t hashsz);

#endif
