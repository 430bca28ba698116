/*
 * text.h — byte buffers and the escaping rules alert text goes through.
 *
 * Alert strings come from audited processes: any byte but NUL, invalid
 * UTF-8, control characters, terminal escapes. Every place that shows or
 * sends them picks one of the escapers below; none of them trusts input.
 */
#ifndef AW_TEXT_H
#define AW_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>

/* A growable byte buffer, always NUL-terminated once anything was added.
 * Allocation failure is sticky (oom set) so callers check once at the end. */
struct aw_buf {
	char *p;
	size_t len, cap;
	int oom;
};

void aw_buf_init(struct aw_buf *b);
void aw_buf_free(struct aw_buf *b);
void aw_buf_reset(struct aw_buf *b);
void aw_buf_adds(struct aw_buf *b, const char *s);
/* Appends that need to grow the buffer (the inline ones below call it). */
void aw_buf_add_grow(struct aw_buf *b, const void *p, size_t n);

/* Inline because alerts are made of many short pieces: when the bytes
 * fit, an append is a copy. */
static inline void
aw_buf_add(struct aw_buf *b, const void *p, size_t n)
{
	if (b->len + n < b->cap) {
		if (n > 0)	/* p may be NULL then */
			memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else
		aw_buf_add_grow(b, p, n);
}

static inline void
aw_buf_addc(struct aw_buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->p[b->len++] = c;
		b->p[b->len] = '\0';
	} else
		aw_buf_add_grow(b, &c, 1);
}
void aw_buf_printf(struct aw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Decimal integers, without printf: alerts write many of them. */
void aw_buf_addi64(struct aw_buf *b, int64_t v);
void aw_buf_addu64(struct aw_buf *b, uint64_t v);
/* Room for n more bytes, so a writer that knows its size grows once;
 * -1 (and oom set) on allocation failure. */
int aw_buf_reserve(struct aw_buf *b, size_t n);
/* Hand the string over to the caller (NULL on oom); b is reset. */
char *aw_buf_take(struct aw_buf *b);

/* Decode one UTF-8 sequence at s (len > 0). Returns its length; for an
 * invalid or truncated sequence returns 1 and sets *cp to 0xFFFD and
 * *bad to 1. Overlongs, surrogates and > U+10FFFF are invalid. */
size_t aw_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp,
    int *bad);
int aw_utf8_valid(const char *s, size_t len);
/* Encode cp as UTF-8 into b. */
void aw_utf8_put(struct aw_buf *b, uint32_t cp);
/* Copy with every invalid sequence replaced by U+FFFD (malloc'd). */
char *aw_utf8_sanitize(const char *s, size_t len);
/* Longest prefix of s of at most max bytes that ends on a character
 * boundary (s assumed valid UTF-8). */
size_t aw_utf8_prefix(const char *s, size_t len, size_t max);

/* Falco's text line escaping: the string as a JSON string body without
 * the quotes (\" \\ \n \t \uXXXX for controls), invalid UTF-8 → U+FFFD. */
void aw_escape_line(struct aw_buf *b, const char *s);
/* For a terminal: C0/C1 controls, DEL, invalid bytes, line/paragraph
 * separators and bidi overrides become visible escapes (\n, \x1b,
 * \u{202e}). At most max output bytes then "…" (0 = no limit). */
void aw_escape_terminal(struct aw_buf *b, const char *s, size_t max);

/* A JSON string (with quotes) as Falco's encoder writes it: \" \\ \b \f
 * \n \r \t, other controls as \u00xx (lowercase), UTF-8 kept, invalid
 * UTF-8 replaced by U+FFFD, so the result is always valid JSON. */
void aw_json_quote(struct aw_buf *b, const char *s, size_t len);
/* The same without the surrounding quotes (a string body). */
void aw_json_escape(struct aw_buf *b, const char *s, size_t len);
/* Compact JSON with object keys sorted (bytewise), strings as above: the
 * bytes jansson's JSON_COMPACT|JSON_SORT_KEYS gives, with lowercase \u
 * escapes and repaired UTF-8. -1 on allocation failure. */
int aw_json_write(struct aw_buf *b, const json_t *v);

#endif
