/*
 * jsonw.h — a small append-only JSON writer into a growable buffer.
 *
 * Used on the hot path (`--events`, one object per event) where building a
 * jansson tree per event would cost more than the parsing itself; jansson
 * stays the choice for anything that parses JSON or builds documents
 * off the hot path.
 *
 * Strings are bytes from the kernel: any byte that is not part of a valid
 * UTF-8 sequence is written as the escape \udcXX (PEP 383 "surrogateescape"
 * convention), so the exact bytes can be recovered — in Python:
 * json.loads(line)[k].encode("utf-8", "surrogateescape") — and valid text
 * is unchanged. Control characters, '"' and '\\' get JSON escapes.
 */
#ifndef AW_JSONW_H
#define AW_JSONW_H

#include <stddef.h>
#include <stdint.h>

struct jsonw {
	char *buf;
	size_t len, cap;
	int need_comma;		/* a value was written at this level */
	int oom;		/* allocation failed: output is incomplete */
};

void jsonw_init(struct jsonw *w);
void jsonw_free(struct jsonw *w);
void jsonw_reset(struct jsonw *w);

void jsonw_obj_open(struct jsonw *w);
void jsonw_obj_close(struct jsonw *w);
void jsonw_arr_open(struct jsonw *w);
void jsonw_arr_close(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);	/* key is trusted ASCII */

void jsonw_str(struct jsonw *w, const char *s, size_t len);
void jsonw_cstr(struct jsonw *w, const char *s);	/* NULL → null */
void jsonw_i64(struct jsonw *w, int64_t v);
void jsonw_u64(struct jsonw *w, uint64_t v);
void jsonw_bool(struct jsonw *w, int v);
void jsonw_null(struct jsonw *w);
void jsonw_raw(struct jsonw *w, const char *s, size_t len);	/* pre-encoded */
/* End a top-level document with a newline (JSON lines). */
void jsonw_end_line(struct jsonw *w);

/* Escape bytes as the inside of a JSON string (no quotes) and append. */
void jsonw_escape(struct jsonw *w, const char *s, size_t len);

#endif
