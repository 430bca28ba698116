/*
 * record.c — in-place parser for audit record text.
 *
 * Two framings reach us: auditd's log line
 *     [node=N ]type=SYSCALL msg=audit(1700000000.123:4567): k=v ...[\x1d...]
 * and the netlink payload, where the type is in the nlmsg header:
 *     audit(1700000000.123:4567): k=v ...
 * Both end at "): " followed by the body. The body is space-separated
 * key=value pairs whose values are bare, "double-quoted" (no escapes: the
 * kernel hex-encodes anything that would need one) or, for user-space
 * records, a nested msg='...'. Anything that is not a pair (AVC's
 * "avc:  denied  { read } for") is skipped. Nothing here allocates.
 */
#include "autoconf.h"
#include "record.h"

#include <libaudit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

/* ------------------------------------------------------------ type names */

struct type_name {
	const char *name;
	int type;
	UT_hash_handle hh;
};

static struct type_name *type_by_name;
static pthread_once_t type_once = PTHREAD_ONCE_INIT;

/* Build a name → number table once from libaudit's own table, so the hot
 * path does a hash lookup instead of libaudit's linear search. */
static void
type_table_build(void)
{
	for (int t = 1000; t < 3000; t++) {
		const char *n = audit_msg_type_to_name(t);
		struct type_name *e, *old;

		if (n == NULL)
			continue;
		HASH_FIND(hh, type_by_name, n, strlen(n), old);
		if (old != NULL)
			continue;
		if ((e = malloc(sizeof(*e))) == NULL)
			return;
		e->name = n;
		e->type = t;
		HASH_ADD_KEYPTR(hh, type_by_name, e->name, strlen(e->name), e);
	}
}

int
aw_record_type_from_name(const char *name, size_t len)
{
	struct type_name *e;

	if (len > 8 && memcmp(name, "UNKNOWN[", 8) == 0) {
		uint64_t v;
		if (name[len - 1] == ']' &&
		    aw_parse_u64(name + 8, len - 9, 10, &v) == 0 && v < 65536)
			return (int)v;
		return 0;
	}
	pthread_once(&type_once, type_table_build);
	HASH_FIND(hh, type_by_name, name, len, e);
	return e ? e->type : 0;
}

const char *
aw_record_type_name(int type, char *buf, size_t bufsz)
{
	const char *n = audit_msg_type_to_name(type);

	if (n != NULL)
		return n;
	snprintf(buf, bufsz, "UNKNOWN[%d]", type);
	return buf;
}

/* ------------------------------------------------------------ numbers */

int
aw_parse_u64(const char *s, size_t len, int base, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return -1;
	/* Fast paths: 19 decimal or 16 hex digits cannot overflow. */
	if (base == 10 && len <= 19) {
		for (size_t i = 0; i < len; i++) {
			unsigned d = (unsigned)(unsigned char)s[i] - '0';
			if (d > 9)
				return -1;
			v = v * 10 + d;
		}
		*out = v;
		return 0;
	}
	if (base == 16 && len <= 16) {
		for (size_t i = 0; i < len; i++) {
			unsigned c = (unsigned char)s[i], d;
			if (c - '0' <= 9)
				d = c - '0';
			else if ((c | 0x20) - 'a' <= 5)
				d = (c | 0x20) - 'a' + 10;
			else
				return -1;
			v = v << 4 | d;
		}
		*out = v;
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v))
			return -1;
	}
	*out = v;
	return 0;
}

int
aw_parse_i64(const char *s, size_t len, int64_t *out)
{
	uint64_t v;
	int neg = 0;

	if (len > 0 && s[0] == '-') {
		neg = 1;
		s++;
		len--;
	}
	if (aw_parse_u64(s, len, 10, &v) != 0)
		return -1;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -1;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)v;
	}
	return 0;
}

/* ------------------------------------------------------------ header */

/* Parse "audit(SEC.MSEC:SERIAL): " at p; on success fill r and return a
 * pointer to the body. */
static const char *
parse_stamp(const char *p, const char *end, struct aw_record *r,
    const char **err)
{
	const char *q;
	uint64_t v;

	if ((size_t)(end - p) < 6 || memcmp(p, "audit(", 6) != 0) {
		*err = "expected 'audit(' timestamp";
		return NULL;
	}
	p += 6;
	for (q = p; q < end && *q != '.'; q++)
		;
	if (q == end || aw_parse_u64(p, (size_t)(q - p), 10, &r->sec) != 0) {
		*err = "bad timestamp seconds";
		return NULL;
	}
	p = q + 1;
	for (q = p; q < end && *q != ':'; q++)
		;
	if (q == end || aw_parse_u64(p, (size_t)(q - p), 10, &v) != 0 ||
	    v > 999) {
		*err = "bad timestamp milliseconds";
		return NULL;
	}
	r->msec = (uint32_t)v;
	p = q + 1;
	for (q = p; q < end && *q != ')'; q++)
		;
	if (q == end || aw_parse_u64(p, (size_t)(q - p), 10, &v) != 0 ||
	    v > UINT32_MAX) {
		*err = "bad serial";
		return NULL;
	}
	r->serial = (uint32_t)v;
	p = q + 1;
	/* "): " normally; some old user-space records omit the colon. */
	if (p < end && *p == ':')
		p++;
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* Set body and enriched parts from [p, end), trimming the line ending. */
static void
set_body(struct aw_record *r, const char *p, const char *end)
{
	const char *gs;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == '\0'))
		end--;
	gs = memchr(p, '\x1d', (size_t)(end - p));
	if (gs != NULL) {
		r->enriched = gs + 1;
		r->enrichedlen = (size_t)(end - gs - 1);
		end = gs;
	} else {
		r->enriched = NULL;
		r->enrichedlen = 0;
	}
	r->body = p;
	r->bodylen = (size_t)(end - p);
}

int
aw_record_parse_line(const char *line, size_t len, struct aw_record *r,
    const char **err)
{
	const char *p = line, *end = line + len, *q;

	r->node = NULL;
	r->nodelen = 0;
	if (len >= 5 && memcmp(p, "node=", 5) == 0) {
		p += 5;
		for (q = p; q < end && *q != ' '; q++)
			;
		/* Consumers get the node as a C string: a NUL in it would
		 * make two nodes one name (found by fuzz_reasm). */
		if (memchr(p, '\0', (size_t)(q - p)) != NULL) {
			*err = "NUL byte in node name";
			return -1;
		}
		if (q > p) {	/* an empty "node=" names no node */
			r->node = p;
			r->nodelen = (size_t)(q - p);
		}
		p = q;
		while (p < end && *p == ' ')
			p++;
	}
	if ((size_t)(end - p) < 5 || memcmp(p, "type=", 5) != 0) {
		*err = "expected 'type='";
		return -1;
	}
	p += 5;
	for (q = p; q < end && *q != ' '; q++)
		;
	r->type = aw_record_type_from_name(p, (size_t)(q - p));
	if (r->type == 0) {
		uint64_t v;
		/* Some writers print the number itself. */
		if (aw_parse_u64(p, (size_t)(q - p), 10, &v) == 0 && v < 65536)
			r->type = (int)v;
		else {
			*err = "unknown record type";
			return -1;
		}
	}
	p = q;
	while (p < end && *p == ' ')
		p++;
	if ((size_t)(end - p) < 4 || memcmp(p, "msg=", 4) != 0) {
		*err = "expected 'msg='";
		return -1;
	}
	p += 4;
	if ((p = parse_stamp(p, end, r, err)) == NULL)
		return -1;
	set_body(r, p, end);
	return 0;
}

int
aw_record_parse_wire(int type, const char *payload, size_t len,
    struct aw_record *r, const char **err)
{
	const char *p, *end = payload + len;

	r->type = type;
	r->node = NULL;
	r->nodelen = 0;
	if ((p = parse_stamp(payload, end, r, err)) == NULL)
		return -1;
	set_body(r, p, end);
	return 0;
}

/* ------------------------------------------------------------ key=value */

void
aw_kv_init(struct aw_kv_iter *it, const char *body, size_t len)
{
	it->p = body;
	it->end = body + len;
}

/* A nested msg='...' ends at a quote followed by a space or the end. */
static const char *
find_single_close(const char *p, const char *end)
{
	const char *last = NULL;

	for (; p < end; p++) {
		if (*p != '\'')
			continue;
		if (p + 1 == end || p[1] == ' ')
			return p;
		last = p;
	}
	return last;
}

int
aw_kv_next(struct aw_kv_iter *it, struct aw_kv *kv)
{
	const char *p = it->p, *end = it->end;

	for (;;) {
		const char *k, *eq, *v, *ve;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
			p++;
		if (p >= end) {
			it->p = p;
			return 0;
		}
		k = p;
		while (p < end && *p != '=' && *p != ' ')
			p++;
		if (p >= end || *p == ' ' || p == k) {
			/* A word that is not a pair: skip it. */
			while (p < end && *p != ' ')
				p++;
			continue;
		}
		eq = p;
		v = eq + 1;
		if (v < end && *v == '"') {
			ve = memchr(v + 1, '"', (size_t)(end - v - 1));
			if (ve == NULL)
				ve = end;	/* unterminated: take the rest */
			kv->quote = '"';
			kv->val = v + 1;
			kv->vallen = (size_t)(ve - v - 1);
			p = ve < end ? ve + 1 : end;
		} else if (v < end && *v == '\'') {
			ve = find_single_close(v + 1, end);
			if (ve == NULL)
				ve = end;
			kv->quote = '\'';
			kv->val = v + 1;
			kv->vallen = (size_t)(ve - v - 1);
			p = ve < end ? ve + 1 : end;
		} else {
			ve = v;
			while (ve < end && *ve != ' ')
				ve++;
			kv->quote = 0;
			kv->val = v;
			kv->vallen = (size_t)(ve - v);
			p = ve;
		}
		kv->key = k;
		kv->keylen = (size_t)(eq - k);
		it->p = p;
		return 1;
	}
}

int
aw_kv_find(const char *body, size_t len, const char *key, struct aw_kv *kv)
{
	struct aw_kv_iter it;
	size_t klen = strlen(key);

	aw_kv_init(&it, body, len);
	while (aw_kv_next(&it, kv))
		if (kv->keylen == klen && memcmp(kv->key, key, klen) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ values */

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
is_hex_string(const char *s, size_t len)
{
	if (len == 0 || len % 2 != 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (hexval((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

static int
is_null_value(const struct aw_kv *kv)
{
	return kv->quote == 0 && kv->vallen == 6 &&
	    memcmp(kv->val, "(null)", 6) == 0;
}

long
aw_value_decoded_len(const struct aw_kv *kv)
{
	if (is_null_value(kv))
		return -1;
	if (kv->quote == 0 && is_hex_string(kv->val, kv->vallen))
		return (long)(kv->vallen / 2);
	return (long)kv->vallen;
}

/* Hex-decode in one pass; returns -1 (and leaves out undefined) as soon as
 * the text turns out not to be hex, so the caller can copy it raw. */
static long
hex_decode(const char *s, size_t len, char *out, size_t outsz, int *truncated)
{
	size_t n = 0;

	if (len == 0 || len % 2 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval((unsigned char)s[i]);
		int lo = hexval((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		if (n + 1 >= outsz) {
			/* keep validating: the answer (hex or not) must not
			 * depend on the buffer size */
			*truncated = 1;
			continue;
		}
		out[n++] = (char)(hi << 4 | lo);
	}
	out[n] = '\0';
	return (long)n;
}

long
aw_value_decode(const struct aw_kv *kv, char *out, size_t outsz,
    int *truncated)
{
	size_t n;
	long h;

	*truncated = 0;
	if (is_null_value(kv))
		return -1;
	if (outsz == 0) {
		*truncated = 1;
		return 0;
	}
	if (kv->quote == 0 &&
	    (h = hex_decode(kv->val, kv->vallen, out, outsz, truncated)) >= 0)
		return h;
	*truncated = 0;
	n = kv->vallen;
	if (n + 1 > outsz) {
		n = outsz - 1;
		*truncated = 1;
	}
	memcpy(out, kv->val, n);
	out[n] = '\0';
	return (long)n;
}
