/*
 * cond_lex.c — tokens of Falco's condition language.
 *
 * The lexer is a cursor over the text with one function per token class,
 * each returning 1 and advancing when the token is at the cursor, 0 and
 * not moving otherwise — the shape of libsinsp's parser.cpp, whose token
 * definitions these follow (POSIX classes written out by hand):
 *
 *   Identifier  [a-zA-Z]+[a-zA-Z0-9_]*
 *   FieldName   Identifier ('.' Identifier)+       (at least one dot)
 *   FieldArg    [^][\"'[:space:]]+                 (inside [...])
 *   BareStr     [^()"'[:space:]=,]+
 *   Number      [+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?
 *   HexNumber   0[xX][0-9a-fA-F]+
 *   Blank       space \t \b \r \n  (\v \f too, as [:space:])
 * Quoted strings end at the first unescaped matching quote and are
 * unescaped with Falco's rules (cond_unescape).
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_ident_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

static int
cur(const struct clex *l, size_t ahead)
{
	return l->pos + ahead < l->len ? (unsigned char)l->s[l->pos + ahead] :
	    -1;
}

void
lex_tok_free(struct clex *l)
{
	free(l->tok);
	l->tok = NULL;
	l->toklen = 0;
	l->quoted = 0;
}

static int
set_tok(struct clex *l, size_t start, size_t end)
{
	lex_tok_free(l);
	if ((l->tok = xstrndup(l->s + start, end - start)) == NULL) {
		snprintf(l->err, sizeof(l->err), "out of memory");
		return -1;
	}
	l->toklen = end - start;
	l->pos = end;
	return 1;
}

int
lex_at_end(const struct clex *l)
{
	return l->pos >= l->len;
}

int
lex_blank(struct clex *l)
{
	size_t start = l->pos;

	while (l->pos < l->len && is_blank((unsigned char)l->s[l->pos]))
		l->pos++;
	return l->pos > start;
}

int
lex_peek(const struct clex *l, const char *lit)
{
	size_t n = strlen(lit);

	return l->len - l->pos >= n && memcmp(l->s + l->pos, lit, n) == 0;
}

int
lex_lit(struct clex *l, const char *lit)
{
	if (!lex_peek(l, lit))
		return 0;
	l->pos += strlen(lit);
	return 1;
}

/* A word operator: the word and then a blank (not consumed). */
int
lex_word(struct clex *l, const char *w)
{
	size_t n = strlen(w);

	if (!lex_peek(l, w) || !is_blank(cur(l, n)))
		return 0;
	l->pos += n;
	return 1;
}

static size_t
ident_end(const struct clex *l, size_t p)
{
	if (p >= l->len || !is_alpha((unsigned char)l->s[p]))
		return p;
	while (p < l->len && is_ident_char((unsigned char)l->s[p]))
		p++;
	return p;
}

int
lex_identifier(struct clex *l)
{
	size_t e = ident_end(l, l->pos);

	if (e == l->pos)
		return 0;
	return set_tok(l, l->pos, e);
}

int
lex_field_name(struct clex *l)
{
	size_t e = ident_end(l, l->pos), e2;
	int dots = 0;

	if (e == l->pos)
		return 0;
	while (e < l->len && l->s[e] == '.') {
		e2 = ident_end(l, e + 1);
		if (e2 == e + 1)
			break;
		e = e2;
		dots++;
	}
	if (dots == 0)
		return 0;
	return set_tok(l, l->pos, e);
}

int
lex_field_arg_bare(struct clex *l)
{
	size_t p = l->pos;

	while (p < l->len) {
		int c = (unsigned char)l->s[p];
		if (c == '[' || c == ']' || c == '"' || c == '\'' || is_blank(c))
			break;
		p++;
	}
	if (p == l->pos)
		return 0;
	return set_tok(l, l->pos, p);
}

int
lex_bare_str(struct clex *l)
{
	size_t p = l->pos;

	while (p < l->len) {
		int c = (unsigned char)l->s[p];
		if (c == '(' || c == ')' || c == '"' || c == '\'' || c == '=' ||
		    c == ',' || is_blank(c))
			break;
		p++;
	}
	if (p == l->pos)
		return 0;
	return set_tok(l, l->pos, p);
}

int
lex_hex_number(struct clex *l)
{
	size_t p = l->pos;

	if (cur(l, 0) != '0' || (cur(l, 1) != 'x' && cur(l, 1) != 'X'))
		return 0;
	p += 2;
	if (p >= l->len || !isxdigit((unsigned char)l->s[p]))
		return 0;
	while (p < l->len && isxdigit((unsigned char)l->s[p]))
		p++;
	return set_tok(l, l->pos, p);
}

int
lex_number(struct clex *l)
{
	size_t p = l->pos, q;

	if (p < l->len && (l->s[p] == '+' || l->s[p] == '-'))
		p++;
	if (p >= l->len || !is_digit((unsigned char)l->s[p]))
		return 0;
	while (p < l->len && is_digit((unsigned char)l->s[p]))
		p++;
	if (p < l->len && l->s[p] == '.')
		p++;
	while (p < l->len && is_digit((unsigned char)l->s[p]))
		p++;
	if (p < l->len && (l->s[p] == 'e' || l->s[p] == 'E')) {
		q = p + 1;
		if (q < l->len && (l->s[q] == '+' || l->s[q] == '-') &&
		    q + 1 < l->len && is_digit((unsigned char)l->s[q + 1])) {
			q++;
			while (q < l->len && is_digit((unsigned char)l->s[q]))
				q++;
			p = q;
		}
	}
	return set_tok(l, l->pos, p);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Falco's unescape_str (filter/escaping.cpp): \b \f \n \r \t \\ \/ \xHH,
 * the quote character itself, and the quirk that "\ " is one backslash. */
char *
cond_unescape(const char *s, size_t len, char q, size_t *outlen, char *err,
    size_t errsz)
{
	char *out = malloc(len + 1);
	size_t i, o = 0;

	if (out == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];
		int h1, h2;

		if (c != '\\') {
			out[o++] = c;
			continue;
		}
		if (i + 1 >= len) {
			snprintf(err, errsz, "unterminated escape sequence");
			free(out);
			return NULL;
		}
		c = s[++i];
		switch (c) {
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case '\\': out[o++] = '\\'; break;
		case '/': out[o++] = '/'; break;
		case ' ': out[o++] = '\\'; break;
		case 'x':
			if (i + 2 >= len || (h1 = hexval((unsigned char)s[i + 1])) < 0 ||
			    (h2 = hexval((unsigned char)s[i + 2])) < 0) {
				snprintf(err, errsz,
				    "invalid \\x escape: two hex digits expected");
				free(out);
				return NULL;
			}
			out[o++] = (char)(h1 * 16 + h2);
			i += 2;
			break;
		default:
			if (c == q) {
				out[o++] = c;
				break;
			}
			snprintf(err, errsz, "invalid escape sequence '\\%c'", c);
			free(out);
			return NULL;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

int
lex_quoted(struct clex *l)
{
	char q;
	size_t p;
	char *v;
	size_t vlen;

	if (l->pos >= l->len)
		return 0;
	q = l->s[l->pos];
	if (q != '"' && q != '\'')
		return 0;
	for (p = l->pos + 1; p < l->len; p++) {
		if (l->s[p] == '\\') {
			p++;
			continue;
		}
		if (l->s[p] == q)
			break;
	}
	if (p >= l->len)
		return 0;	/* unterminated: not a quoted string */
	v = cond_unescape(l->s + l->pos + 1, p - l->pos - 1, q, &vlen, l->err,
	    sizeof(l->err));
	if (v == NULL)
		return -1;
	lex_tok_free(l);
	l->tok = v;
	l->toklen = vlen;
	l->quoted = 1;
	l->pos = p + 1;
	return 1;
}
