/*
 * util.c — small helpers of the rule engine: a growable string buffer that
 * remembers allocation failure instead of failing each call, an arena for
 * per-event strings (reset between events, so evaluation does not call
 * malloc/free per string), and array growth.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

void
sb_init(struct sbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void
sb_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static int
sb_reserve(struct sbuf *b, size_t more)
{
	size_t need, ncap;
	char *ns;

	if (b->oom)
		return -1;
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	if ((ns = realloc(b->s, ncap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->s = ns;
	b->cap = ncap;
	return 0;
}

void
sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (sb_reserve(b, n) != 0)
		return;
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/*
 * Event text for an output line, which is a C string from here on (the
 * text output, syslog, Slack, the SQLite columns): a NUL byte, possible
 * only in a forged log, would end it and hide what follows. Each one
 * becomes U+FFFD, as invalid UTF-8 does later.
 */
void
sb_addtext(struct sbuf *b, const char *s, size_t n)
{
	const char *z;

	while (n > 0 && (z = memchr(s, '\0', n)) != NULL) {
		sb_addn(b, s, (size_t)(z - s));
		sb_addn(b, "\xEF\xBF\xBD", 3);
		n -= (size_t)(z - s) + 1;
		s = z + 1;
	}
	sb_addn(b, s, n);
}

/* xstrndup with sb_addtext's NUL rule. */
char *
xstrndup_text(const char *s, size_t n)
{
	struct sbuf b;

	if (memchr(s, '\0', n) == NULL)
		return xstrndup(s, n);
	sb_init(&b);
	sb_addtext(&b, s, n);
	return sb_take(&b);
}

void
sb_adds(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void
sb_addc(struct sbuf *b, char c)
{
	sb_addn(b, &c, 1);
}

/* Formats straight into the free space (one vsnprintf() call for the
 * short texts rules print); only a longer result is formatted twice. */
void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (sb_reserve(b, 64) != 0)
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->s[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		if (sb_reserve(b, (size_t)n) != 0) {
			b->s[b->len] = '\0';
			return;
		}
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* A decimal integer, without printf: alert fields are full of them. */
void
sb_addi(struct sbuf *b, long long v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	sb_addn(b, p, (size_t)(buf + sizeof(buf) - p));
}

char *
sb_take(struct sbuf *b)
{
	char *s;

	if (b->oom) {
		sb_free(b);
		return NULL;
	}
	if (b->s == NULL && sb_reserve(b, 0) != 0)
		return NULL;
	if (b->s == NULL)
		return NULL;
	s = b->s;
	memset(b, 0, sizeof(*b));
	return s;
}

/* ------------------------------------------------------------ arena */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_CHUNK 8192

void
arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (a->head == NULL)
		return;
	/* Keep only the largest (last allocated is the head) chunk. */
	for (c = a->head->next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head->next = NULL;
	a->head->used = 0;
	a->total = a->head->cap;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t al = sizeof(max_align_t);
	void *p;

	n = (n + al - 1) / al * al;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = ARENA_CHUNK;
		if (c != NULL && c->cap * 2 > cap)
			cap = c->cap * 2;
		while (cap < n)
			cap *= 2;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->total += cap;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Make room for `need` elements in *v (capacity *cap). */
int
grow(void **v, size_t *cap, size_t need, size_t elsz)
{
	size_t ncap;
	void *nv;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	if ((nv = realloc(*v, ncap * elsz)) == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}
