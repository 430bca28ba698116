/*
 * jsonw.c — append-only JSON writer (see jsonw.h for the encoding rules).
 *
 * Commas are handled with one flag: every value sets need_comma, opening
 * an object/array clears it, a key consumes the comma for its value. This
 * works because we only ever write well-nested documents in order.
 */
#include "autoconf.h"
#include "jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jsonw_free(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void
jsonw_reset(struct jsonw *w)
{
	w->len = 0;
	w->need_comma = 0;
	w->oom = 0;
}

static int
reserve(struct jsonw *w, size_t more)
{
	size_t ncap;
	char *nb;

	if (w->len + more <= w->cap)
		return 0;
	ncap = w->cap ? w->cap : 4096;
	while (ncap < w->len + more)
		ncap *= 2;
	if ((nb = realloc(w->buf, ncap)) == NULL) {
		w->oom = 1;
		return -1;
	}
	w->buf = nb;
	w->cap = ncap;
	return 0;
}

static inline void
put(struct jsonw *w, const char *s, size_t n)
{
	if (w->len + n > w->cap && reserve(w, n) != 0)
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void
putc1(struct jsonw *w, char c)
{
	if (w->len + 1 > w->cap && reserve(w, 1) != 0)
		return;
	w->buf[w->len++] = c;
}

static void
value_prefix(struct jsonw *w)
{
	if (w->need_comma)
		putc1(w, ',');
	w->need_comma = 1;
}

void
jsonw_obj_open(struct jsonw *w)
{
	value_prefix(w);
	putc1(w, '{');
	w->need_comma = 0;
}

void
jsonw_obj_close(struct jsonw *w)
{
	putc1(w, '}');
	w->need_comma = 1;
}

void
jsonw_arr_open(struct jsonw *w)
{
	value_prefix(w);
	putc1(w, '[');
	w->need_comma = 0;
}

void
jsonw_arr_close(struct jsonw *w)
{
	putc1(w, ']');
	w->need_comma = 1;
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	value_prefix(w);
	putc1(w, '"');
	put(w, key, strlen(key));
	put(w, "\":", 2);
	w->need_comma = 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static const unsigned char plain[256] = {
#define P4(x) x, x, x, x
#define P16(x) P4(x), P4(x), P4(x), P4(x)
	P16(0), P16(0),				/* 0x00-0x1f: controls */
	1, 1, 0, P4(1), 1,			/* 0x20-0x27: '"' */
	P4(1), P4(1),				/* 0x28-0x2f */
	P16(1),					/* 0x30-0x3f */
	P16(1),					/* 0x40-0x4f */
	P4(1), P4(1), P4(1),			/* 0x50-0x5b */
	0, 1, 1, 1,				/* 0x5c '\\' - 0x5f */
	P16(1), P16(1),				/* 0x60-0x7f */
};

void
jsonw_escape(struct jsonw *w, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	if (reserve(w, len + 2) != 0)
		return;
	while (i < len) {
		unsigned char c;
		size_t sl;
		char esc[8];

		/* plain ASCII: the common case, one table lookup per byte */
		while (i < len && plain[s[i]])
			i++, run++;
		if (i >= len)
			break;
		c = s[i];
		if (c >= 0x80 && (sl = utf8_seq_len(s + i, len - i)) > 0) {
			i += sl;
			run += sl;
			continue;
		}
		put(w, (const char *)s + i - run, run);
		run = 0;
		switch (c) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\t': put(w, "\\t", 2); break;
		case '\r': put(w, "\\r", 2); break;
		default:
			/* control char, or a byte outside valid UTF-8 */
			memcpy(esc, c < 0x80 ? "\\u00" : "\\udc", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(w, esc, 6);
		}
		i++;
	}
	put(w, (const char *)s + i - run, run);
}

void
jsonw_str(struct jsonw *w, const char *s, size_t len)
{
	value_prefix(w);
	putc1(w, '"');
	jsonw_escape(w, s, len);
	putc1(w, '"');
}

void
jsonw_cstr(struct jsonw *w, const char *s)
{
	if (s == NULL)
		jsonw_null(w);
	else
		jsonw_str(w, s, strlen(s));
}

void
jsonw_i64(struct jsonw *w, int64_t v)
{
	char b[24], *p = b + sizeof(b);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	value_prefix(w);
	put(w, p, (size_t)(b + sizeof(b) - p));
}

void
jsonw_u64(struct jsonw *w, uint64_t v)
{
	char b[24], *p = b + sizeof(b);

	/* Hand-rolled: this is the hottest formatting call. */
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	value_prefix(w);
	put(w, p, (size_t)(b + sizeof(b) - p));
}

void
jsonw_bool(struct jsonw *w, int v)
{
	value_prefix(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void
jsonw_null(struct jsonw *w)
{
	value_prefix(w);
	put(w, "null", 4);
}

void
jsonw_raw(struct jsonw *w, const char *s, size_t len)
{
	value_prefix(w);
	put(w, s, len);
}

void
jsonw_end_line(struct jsonw *w)
{
	putc1(w, '\n');
	w->need_comma = 0;
}
