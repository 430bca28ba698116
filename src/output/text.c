/*
 * text.c — byte buffers, UTF-8 checks and escapers (see text.h).
 *
 * The decoder follows the Unicode "maximal subpart" rule loosely: a bad
 * lead or continuation byte costs one U+FFFD and decoding restarts at the
 * next byte, which is what Falco's JSON encoder (nlohmann, replace mode)
 * and browsers do, so the same hostile input renders the same everywhere.
 */
#include "autoconf.h"
#include "output/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
aw_buf_init(struct aw_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
aw_buf_free(struct aw_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
aw_buf_reset(struct aw_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static int
buf_reserve(struct aw_buf *b, size_t extra)
{
	size_t ncap;
	char *np;

	if (b->oom)
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < b->len + extra + 1) {
		if (ncap > SIZE_MAX / 2) {
			b->oom = 1;
			return -1;
		}
		ncap *= 2;
	}
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

void
aw_buf_add(struct aw_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
aw_buf_adds(struct aw_buf *b, const char *s)
{
	aw_buf_add(b, s, strlen(s));
}

void
aw_buf_addc(struct aw_buf *b, char c)
{
	aw_buf_add(b, &c, 1);
}

void
aw_buf_printf(struct aw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
aw_buf_take(struct aw_buf *b)
{
	char *p;

	if (b->oom) {
		aw_buf_free(b);
		return NULL;
	}
	if (b->p == NULL && buf_reserve(b, 0) == 0)
		b->p[0] = '\0';
	p = b->p;
	memset(b, 0, sizeof(*b));
	return p;
}

size_t
aw_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp, int *bad)
{
	uint32_t c = s[0], min;
	size_t n;

	*bad = 0;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		goto invalid;
	if (len < n)
		goto invalid;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto invalid;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto invalid;
	*cp = c;
	return n;
invalid:
	*cp = 0xfffd;
	*bad = 1;
	return 1;
}

int
aw_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	int bad;

	for (size_t i = 0; i < len;) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		i += aw_utf8_decode(p + i, len - i, &cp, &bad);
		if (bad)
			return 0;
	}
	return 1;
}

void
aw_utf8_put(struct aw_buf *b, uint32_t cp)
{
	char o[4];

	if (cp < 0x80) {
		aw_buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		aw_buf_add(b, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		aw_buf_add(b, o, 3);
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		aw_buf_add(b, o, 4);
	}
}

char *
aw_utf8_sanitize(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct aw_buf b;
	uint32_t cp;
	size_t n;
	int bad;

	aw_buf_init(&b);
	aw_buf_add(&b, "", 0);
	for (size_t i = 0; i < len; i += n) {
		n = aw_utf8_decode(p + i, len - i, &cp, &bad);
		if (bad || cp == 0)
			aw_utf8_put(&b, 0xfffd);
		else
			aw_buf_add(&b, p + i, n);
	}
	return aw_buf_take(&b);
}

size_t
aw_utf8_prefix(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	/* Step back over continuation bytes to a lead byte. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

void
aw_escape_line(struct aw_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n;
	uint32_t cp;
	int bad;

	for (size_t i = 0; i < len; i += n) {
		n = aw_utf8_decode(p + i, len - i, &cp, &bad);
		switch (cp) {
		case '"': aw_buf_adds(b, "\\\""); continue;
		case '\\': aw_buf_adds(b, "\\\\"); continue;
		case '\b': aw_buf_adds(b, "\\b"); continue;
		case '\f': aw_buf_adds(b, "\\f"); continue;
		case '\n': aw_buf_adds(b, "\\n"); continue;
		case '\r': aw_buf_adds(b, "\\r"); continue;
		case '\t': aw_buf_adds(b, "\\t"); continue;
		}
		if (cp < 0x20)
			aw_buf_printf(b, "\\u%04x", (unsigned)cp);
		else if (bad)
			aw_utf8_put(b, 0xfffd);
		else
			aw_buf_add(b, p + i, n);
	}
}

/* Code points that change how a terminal shows the rest of the line. */
static int
terminal_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	    cp == 0xfeff;
}

void
aw_escape_terminal(struct aw_buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n, start = b->len;
	uint32_t cp;
	int bad;

	for (size_t i = 0; i < len; i += n) {
		if (max && b->len - start >= max) {
			aw_buf_adds(b, "\xe2\x80\xa6");
			return;
		}
		n = aw_utf8_decode(p + i, len - i, &cp, &bad);
		if (bad)
			aw_buf_printf(b, "\\x%02x", p[i]);
		else if (cp == '\n')
			aw_buf_adds(b, "\\n");
		else if (cp == '\t')
			aw_buf_adds(b, "\\t");
		else if (cp == '\r')
			aw_buf_adds(b, "\\r");
		else if (cp < 0x80 && terminal_unsafe(cp))
			aw_buf_printf(b, "\\x%02x", (unsigned)cp);
		else if (terminal_unsafe(cp))
			aw_buf_printf(b, "\\u{%x}", (unsigned)cp);
		else
			aw_buf_add(b, p + i, n);
	}
}

void
aw_json_quote(struct aw_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, n;
	uint32_t cp;
	int bad;

	aw_buf_addc(b, '"');
	while (i < len) {
		/* Copy runs of plain ASCII in one go: the common case. */
		for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x80 &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		if (run > i) {
			aw_buf_add(b, p + i, run - i);
			i = run;
			continue;
		}
		switch (p[i]) {
		case '"': aw_buf_adds(b, "\\\""); i++; continue;
		case '\\': aw_buf_adds(b, "\\\\"); i++; continue;
		case '\b': aw_buf_adds(b, "\\b"); i++; continue;
		case '\f': aw_buf_adds(b, "\\f"); i++; continue;
		case '\n': aw_buf_adds(b, "\\n"); i++; continue;
		case '\r': aw_buf_adds(b, "\\r"); i++; continue;
		case '\t': aw_buf_adds(b, "\\t"); i++; continue;
		}
		if (p[i] < 0x20) {
			aw_buf_printf(b, "\\u%04x", p[i]);
			i++;
			continue;
		}
		n = aw_utf8_decode(p + i, len - i, &cp, &bad);
		if (bad)
			aw_buf_adds(b, "\xef\xbf\xbd");
		else
			aw_buf_add(b, p + i, n);
		i += n;
	}
	aw_buf_addc(b, '"');
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
aw_json_write(struct aw_buf *b, const json_t *v)
{
	const char **keys, *k;
	char *real;
	json_t *x;
	size_t n, i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		n = json_object_size(v);
		if (n == 0) {
			aw_buf_adds(b, "{}");
			return 0;
		}
		if ((keys = malloc(n * sizeof(*keys))) == NULL)
			return -1;
		i = 0;
		json_object_foreach((json_t *)v, k, x)
			keys[i++] = k;
		qsort(keys, n, sizeof(*keys), cmp_cstr);
		aw_buf_addc(b, '{');
		for (i = 0; i < n; i++) {
			if (i)
				aw_buf_addc(b, ',');
			aw_json_quote(b, keys[i], strlen(keys[i]));
			aw_buf_addc(b, ':');
			if (aw_json_write(b, json_object_get(v, keys[i])) != 0) {
				free(keys);
				return -1;
			}
		}
		aw_buf_addc(b, '}');
		free(keys);
		break;
	case JSON_ARRAY:
		aw_buf_addc(b, '[');
		json_array_foreach(v, i, x) {
			if (i)
				aw_buf_addc(b, ',');
			if (aw_json_write(b, x) != 0)
				return -1;
		}
		aw_buf_addc(b, ']');
		break;
	case JSON_STRING:
		aw_json_quote(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		aw_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		/* Rare in alerts: let jansson format it as it always has. */
		if ((real = json_dumps(v, JSON_ENCODE_ANY)) == NULL)
			return -1;
		aw_buf_adds(b, real);
		free(real);
		break;
	case JSON_TRUE:
		aw_buf_adds(b, "true");
		break;
	case JSON_FALSE:
		aw_buf_adds(b, "false");
		break;
	default:
		aw_buf_adds(b, "null");
		break;
	}
	return b->oom ? -1 : 0;
}
