/*
 * proctable.h — the bounded process table (pid → struct aw_proc) and the
 * interned container identities its entries point to.
 *
 * Policy (what an event means for the table) lives in enricher.c; this
 * file only stores, finds, touches and evicts.
 */
#ifndef AW_ENRICH_PROCTABLE_H
#define AW_ENRICH_PROCTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <uthash.h>

#include "enrich.h"

#define AW_PT_ARGV_MAX_BYTES 4096	/* argv kept per process */
#define AW_PT_ARGV_MAX 256
#define AW_PT_STR_MAX 4096		/* exe, cwd */

/* One container identity, shared by every process in that container. */
struct aw_cinfo {
	char *key;		/* full id, or "host" */
	char id[130];		/* short id, "host" */
	char full_id[130];	/* "" for host */
	const char *runtime;	/* static string; NULL when unknown */
	const char *engine;	/* Falco matcher name, static */
	char pod_uid[40];
	char pod_config_hash[40];
	unsigned refs;
	int meta_requested;
	UT_hash_handle hh;
};

/*
 * A process: first 64 bytes of what every event reads or writes (the
 * lookup's pid, the LRU links, the enricher's per-event checks), then the
 * public part (nearly all of it written by every event), then what only
 * execs, clones, exits and /proc loads use. Hand out &e->pub, get back
 * with aw_pentry_of().
 */
struct aw_pentry {
	int64_t pid;
	struct aw_pentry *lru_prev, *lru_next;	/* head: most recent */
	struct aw_cinfo *ci;
	uint64_t last_ns;	/* time of the newest event applied */
	int64_t inherit_ppid;	/* parent found without a container at... */
	uint64_t inherit_gen;	/* ...this container generation (enricher.c) */
	uint16_t exe_len, comm_len, tty_len;	/* of pub's strings */
	uint8_t cgroup_read;	/* cgroup read since the last exec */
	uint8_t pidns;		/* 0 unknown, 1 initial, 2 nested */
	struct aw_proc pub;	/* what lookups return; strings in blob */
	/* colder */
	uint64_t exit_ns;
	char *blob;		/* argv pointers, then exe, comm, cwd, tty, args */
	int64_t parent_miss;	/* ppid that /proc did not know: don't retry */
	uint32_t blob_used;	/* bytes of strings and pointers in the blob */
	uint32_t argv_bytes;	/* of which the arguments (with their NULs) */
	uint16_t cwd_len;
	uint8_t argv_truncated;
};

/* The entry of a struct aw_proc this table handed out. */
static inline struct aw_pentry *
aw_pentry_of(const struct aw_proc *p)
{
	return (struct aw_pentry *)(uintptr_t)((const char *)p -
	    offsetof(struct aw_pentry, pub));
}

/* Strings for aw_pentry_set(); NULL keeps the current value. argv is
 * either an array of aw_str (argc entries) or a NUL-separated cmdline. */
struct aw_pstrings {
	const char *exe, *comm, *cwd, *tty;
	size_t exe_len, comm_len, cwd_len, tty_len;
	int set_argv;
	int argc;
	const struct aw_str *argv;
	const char *cmdline;
	size_t cmdline_len;
};

struct aw_ptable_stats {
	uint64_t entries, hits, misses, evictions;
	uint64_t blob_bytes;	/* bytes of strings held */
	uint64_t index_bytes;	/* the pid index */
};

struct aw_ptable;

struct aw_ptable *aw_ptable_new(size_t max_entries);
void aw_ptable_free(struct aw_ptable *t);
/* Find and touch (moves to the LRU head); counts a hit or a miss. */
struct aw_pentry *aw_ptable_get(struct aw_ptable *t, int64_t pid);
/* Find without touching or counting. */
struct aw_pentry *aw_ptable_peek(struct aw_ptable *t, int64_t pid);
/* What aw_ptable_get() does once it found e (a hit, moved to the head),
 * for a caller that kept e from an earlier lookup in the same event. */
void aw_ptable_touch(struct aw_ptable *t, struct aw_pentry *e);
/* A new, empty entry for pid (an existing one is reset). NULL on ENOMEM. */
struct aw_pentry *aw_ptable_put(struct aw_ptable *t, int64_t pid);
/* Replace the entry's strings (one allocation). -1 on ENOMEM. */
int aw_pentry_set(struct aw_ptable *t, struct aw_pentry *e,
    const struct aw_pstrings *s);
void aw_pentry_set_cinfo(struct aw_ptable *t, struct aw_pentry *e,
    struct aw_cinfo *ci);
/* Remove one entry (one that turned out not to exist). */
void aw_ptable_del(struct aw_ptable *t, struct aw_pentry *e);
/* Evict least recently used entries above the bound. */
void aw_ptable_trim(struct aw_ptable *t);
const struct aw_ptable_stats *aw_ptable_stats(const struct aw_ptable *t);
size_t aw_ptable_max(const struct aw_ptable *t);

/* Interned container identities: find or create by key (full id or
 * "host"). The table holds one reference per entry pointing at it. */
struct aw_cinfo *aw_ptable_cinfo(struct aw_ptable *t, const char *key,
    int *created);
size_t aw_ptable_ncinfo(const struct aw_ptable *t);

#endif
