/*
 * users.h — uid/gid → name from passwd/group files, the host's and each
 * container's own (through /proc/<pid>/root), cached with invalidation.
 */
#ifndef AW_ENRICH_USERS_H
#define AW_ENRICH_USERS_H

#include <stdint.h>

struct aw_procfs;

struct aw_users_stats {
	uint64_t loads;		/* files (re)read */
	uint64_t dbs;		/* container databases cached */
	uint64_t evictions;
};

struct aw_users;

/* passwd/group: the host's files. check_ms: how often a cached file is
 * stat()ed for changes. max_dbs bounds the container databases. */
struct aw_users *aw_users_new(const char *passwd, const char *group,
    const struct aw_procfs *fs, uint64_t check_ms, unsigned max_dbs);
void aw_users_free(struct aw_users *u);
/* The name of uid (group: gid). container: NULL for the host, else the
 * container's key; pid: a process of that container, whose root holds the
 * files. NULL when unknown. The string stays valid until the next
 * aw_users_gc(): a reload or eviction only retires old tables. */
const char *aw_users_user(struct aw_users *u, int64_t uid,
    const char *container, int64_t pid, uint64_t now_ms);
const char *aw_users_group(struct aw_users *u, int64_t gid,
    const char *container, int64_t pid, uint64_t now_ms);
/* Free the tables retired since the last call (enricher: per event). */
void aw_users_gc(struct aw_users *u);
const struct aw_users_stats *aw_users_stats(const struct aw_users *u);

#endif
