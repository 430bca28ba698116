/*
 * noise.c — fingerprint windows for notification noise control (noise.h).
 *
 * uthash table keyed by the 64-bit fingerprint. Used by the store writer
 * thread only (decisions are made once, when an alert is first written),
 * so there is no locking here.
 */
#include "autoconf.h"
#include "notify/noise.h"

#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "alert.h"

struct fp_entry {
	uint64_t fp;
	uint64_t window_start_ms;
	uint64_t suppressed;
	UT_hash_handle hh;
};

struct aw_noise {
	struct fp_entry *table;
	uint64_t window_ms;
	uint64_t last_expire_ms;	/* scans are O(n): at most one a second */
	size_t max_entries, n;
};

static uint64_t
fnv1a(uint64_t h, const char *s)
{
	if (s == NULL)
		s = "\x01";	/* unknown differs from "" */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	h ^= 0xff;	/* separator: ("ab","c") != ("a","bc") */
	h *= 0x100000001b3ull;
	return h;
}

uint64_t
aw_alert_fingerprint(const struct aw_alert *a)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv1a(h, a->rule);
	h = fnv1a(h, a->container_id);
	h = fnv1a(h, a->proc_name);
	h = fnv1a(h, a->fd_name);
	return h;
}

struct aw_noise *
aw_noise_new(uint64_t window_ms, size_t max_entries)
{
	struct aw_noise *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->window_ms = window_ms;
	n->max_entries = max_entries ? max_entries : 1;
	return n;
}

void
aw_noise_free(struct aw_noise *n)
{
	struct fp_entry *e, *tmp;

	if (n == NULL)
		return;
	HASH_ITER(hh, n->table, e, tmp) {
		HASH_DEL(n->table, e);
		free(e);
	}
	free(n);
}

size_t
aw_noise_size(const struct aw_noise *n)
{
	return n->n;
}

/* Drop windows that have closed. Their pending repeat counts are lost,
 * which only matters if that fingerprint never fires again. */
static void
expire(struct aw_noise *n, uint64_t now_ms)
{
	struct fp_entry *e, *tmp;

	HASH_ITER(hh, n->table, e, tmp) {
		if (now_ms - e->window_start_ms >= n->window_ms) {
			HASH_DEL(n->table, e);
			free(e);
			n->n--;
		}
	}
}

int64_t
aw_noise_check(struct aw_noise *n, uint64_t fp, uint64_t now_ms)
{
	struct fp_entry *e;
	int64_t repeats;

	HASH_FIND(hh, n->table, &fp, sizeof(fp), e);
	if (e != NULL) {
		if (now_ms - e->window_start_ms < n->window_ms) {
			e->suppressed++;
			return -1;
		}
		repeats = (int64_t)e->suppressed;
		e->window_start_ms = now_ms;
		e->suppressed = 0;
		return repeats;
	}
	if (n->n >= n->max_entries && now_ms - n->last_expire_ms >= 1000) {
		n->last_expire_ms = now_ms;
		expire(n, now_ms);
	}
	if (n->n >= n->max_entries)
		return 0;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return 0;
	e->fp = fp;
	e->window_start_ms = now_ms;
	HASH_ADD(hh, n->table, fp, sizeof(e->fp), e);
	n->n++;
	return 0;
}
