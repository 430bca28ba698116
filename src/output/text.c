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

int
aw_buf_reserve(struct aw_buf *b, size_t extra)
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
aw_buf_add_grow(struct aw_buf *b, const void *p, size_t n)
{
	if (aw_buf_reserve(b, n) != 0)
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
aw_buf_printf(struct aw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || aw_buf_reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Two digits per division: an alert's evt.time alone has nineteen. */
void
aw_buf_addu64(struct aw_buf *b, uint64_t v)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char d[20], *p = d + sizeof(d);

	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else
		*--p = (char)('0' + v);
	aw_buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

void
aw_buf_addi64(struct aw_buf *b, int64_t v)
{
	if (v < 0) {
		aw_buf_addc(b, '-');
		aw_buf_addu64(b, 0 - (uint64_t)v);
	} else
		aw_buf_addu64(b, (uint64_t)v);
}

char *
aw_buf_take(struct aw_buf *b)
{
	char *p;

	if (b->oom) {
		aw_buf_free(b);
		return NULL;
	}
	if (b->p == NULL && aw_buf_reserve(b, 0) == 0)
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

/* The same escapes as a JSON string body, which is what Falco writes. */
void
aw_escape_line(struct aw_buf *b, const char *s)
{
	aw_json_escape(b, s, strlen(s));
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

/* Does the word hold a byte JSON must escape or that is not ASCII (< 0x20,
 * '"', '\\', >= 0x80)? The "has a byte less than n" and "has a zero
 * byte" bit tricks; exact for "is there one", which is all we ask. */
static int
word_needs_care(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t highs = 0x8080808080808080ull;
	uint64_t q = w ^ (ones * '"'), s = w ^ (ones * '\\');

	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
	    ((s - ones) & ~s) | w) & highs) != 0;
}

static int
byte_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void
aw_json_escape(struct aw_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, n;
	uint64_t w;
	uint32_t cp;
	int bad;

	while (i < len) {
		/* Copy runs of plain ASCII in one go, scanned eight bytes at
		 * a time: the common case, and alerts are mostly text. */
		for (run = i; len - run >= 8; run += 8) {
			memcpy(&w, p + run, 8);
			if (word_needs_care(w))
				break;
		}
		while (run < len && byte_plain(p[run]))
			run++;
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
			char u[6] = { '\\', 'u', '0', '0', hex[p[i] >> 4],
			    hex[p[i] & 15] };
			aw_buf_add(b, u, sizeof(u));
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
}

void
aw_json_quote(struct aw_buf *b, const char *s, size_t len)
{
	aw_buf_addc(b, '"');
	aw_json_escape(b, s, len);
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
		aw_buf_addi64(b, (int64_t)json_integer_value(v));
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
