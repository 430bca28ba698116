/*
 * output.c — Falco's output format: "%field" / "%field[arg]" tokens in
 * text, compiled once per rule and rendered per alert.
 *
 * Token parsing follows libsinsp's eventformatter: a token is the longest
 * prefix of the text after '%' that names a known field (so "%proc.name)"
 * and "%fd.name." end at the field), optionally "%<N>field" to pad or cut
 * to N characters, and "%field[arg]" for fields with arguments. A leading
 * '*' on the whole format is accepted and dropped: Falco adds it to every
 * rule output anyway, so a missing value always prints "<NA>" in the text
 * and null in output_fields. Values go into output_fields with Falco's
 * JSON types (numbers stay numbers; evt.time is the integer ns).
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

void
cfmt_free(struct cfmt *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->t[i].text);
		free(f->t[i].key);
		if (f->t[i].op) {
			coperand_free(f->t[i].op);
			free(f->t[i].op);
		}
	}
	free(f->t);
	memset(f, 0, sizeof(*f));
}

static struct fmt_token *
new_token(struct cfmt *f)
{
	struct fmt_token *nt = realloc(f->t, (size_t)(f->n + 1) * sizeof(*nt));

	if (nt == NULL)
		return NULL;
	f->t = nt;
	memset(&f->t[f->n], 0, sizeof(f->t[0]));
	return &f->t[f->n++];
}

static int
add_text(struct cfmt *f, const char *s, size_t n)
{
	struct fmt_token *t;

	if (n == 0)
		return 0;
	if ((t = new_token(f)) == NULL || (t->text = xstrndup(s, n)) == NULL)
		return -1;
	t->len = n;
	return 0;
}

static int
field_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

/* Longest prefix of s[0..n) naming a field; *dotarg set for evt.arg.X. */
static size_t
longest_field(const char *s, size_t n, const struct aw_field **def,
    size_t *dotarg)
{
	for (size_t l = n; l > 0; l--) {
		const char *dot;
		*dotarg = 0;
		if ((*def = aw_field_find(s, l)) != NULL)
			return l;
		dot = memrchr(s, '.', l);
		if (dot != NULL && (size_t)(dot - s) + 1 < l) {
			const struct aw_field *d = aw_field_find(s,
			    (size_t)(dot - s));
			if (d != NULL && (d->flags & FF_ARG_DOT)) {
				*def = d;
				*dotarg = (size_t)(dot - s) + 1;
				return l;
			}
		}
	}
	*def = NULL;
	return 0;
}

int
cfmt_compile(struct ccompiler *cc, const char *fmt, struct cfmt *out)
{
	const char *p = fmt, *lit;
	size_t n = strlen(fmt);

	memset(out, 0, sizeof(*out));
	if (*p == '*')
		p++;
	lit = p;
	while (*p) {
		const struct aw_field *def;
		struct fmt_token *t;
		size_t run, flen, dotarg;
		char *name = NULL, *arg = NULL;
		int width = 0;

		if (*p != '%') {
			p++;
			continue;
		}
		if (add_text(out, lit, (size_t)(p - lit)) != 0)
			goto oom;
		p++;
		while (isdigit((unsigned char)*p))
			width = width * 10 + (*p++ - '0');
		if (*p == '\0') {
			snprintf(cc->err, sizeof(cc->err), "invalid output "
			    "format: '%%' at the end of '%s'", fmt);
			goto fail;
		}
		for (run = 0; p[run] && field_char((unsigned char)p[run]);
		    run++)
			;
		if ((flen = longest_field(p, run, &def, &dotarg)) == 0) {
			snprintf(cc->err, sizeof(cc->err), "invalid output "
			    "format: unknown field at '%%%.40s'", p);
			cc->unknown = 1;
			goto fail;
		}
		if (def->flags & FF_FILTER_ONLY) {
			snprintf(cc->err, sizeof(cc->err), "field '%s' can only "
			    "be used in conditions, not in outputs",
			    def->name);
			goto fail;
		}
		if (dotarg)
			arg = xstrndup(p + dotarg, flen - dotarg);
		name = xstrndup(p, dotarg ? dotarg - 1 : flen);
		p += flen;
		if (!dotarg && (def->flags & (FF_ARG_REQ | FF_ARG_OPT)) &&
		    *p == '[') {
			const char *e = strchr(p, ']');
			if (e == NULL) {
				free(name);
				snprintf(cc->err, sizeof(cc->err), "invalid "
				    "output format: missing ']' after '%s['",
				    def->name);
				goto fail;
			}
			arg = xstrndup(p + 1, (size_t)(e - p - 1));
			p = e + 1;
		}
		if ((t = new_token(out)) == NULL ||
		    (t->op = calloc(1, sizeof(*t->op))) == NULL) {
			free(name);
			free(arg);
			goto oom;
		}
		t->width = width;
		if (cc_field(cc, name ? name : def->name, arg, NULL,
		    &t->op->f) != 0) {
			free(name);
			free(arg);
			goto fail;
		}
		t->op->xform = AW_XF_FIELD;
		t->op->type = t->op->f.type;
		t->op->multi = (def->flags & FF_LIST) ||
		    ((def->flags & FF_ANCESTORS) && t->op->f.idx < 0);
		{
			struct sbuf k;
			sb_init(&k);
			sb_adds(&k, def->name);
			if (arg && dotarg) {
				sb_addc(&k, '.');
				sb_adds(&k, arg);
			} else if (arg) {
				sb_addc(&k, '[');
				sb_adds(&k, arg);
				sb_addc(&k, ']');
			}
			t->key = sb_take(&k);
		}
		free(name);
		free(arg);
		if (t->key == NULL)
			goto oom;
		lit = p;
	}
	if (add_text(out, lit, (size_t)(p - lit)) != 0)
		goto oom;
	(void)n;
	return 0;
oom:
	snprintf(cc->err, sizeof(cc->err), "out of memory");
fail:
	cfmt_free(out);
	return -1;
}

/* Text of one value. */
static void
value_text(const struct coperand *o, const struct fval *v, struct sbuf *sb)
{
	switch (o->type) {
	case FT_STR:
	case FT_BYTES:
	case FT_IPADDR:
	case FT_IPNET:
		sb_addn(sb, v->s ? v->s : "", v->s ? v->len : 0);
		break;
	case FT_BOOL:
		sb_adds(sb, v->i ? "true" : "false");
		break;
	default:
		sb_printf(sb, "%lld", (long long)v->i);
		break;
	}
}

int
operand_text(struct xctx *x, const struct coperand *o, struct sbuf *sb)
{
	const struct fval *v;
	int t, n = eval_operand(x, o, &v, &t);

	if (n <= 0)
		return 0;
	if (n == 1 && !o->multi) {
		value_text(o, &v[0], sb);
		return 1;
	}
	/* several values: libsinsp prints lists as (a,b) */
	sb_addc(sb, '(');
	for (int i = 0; i < n; i++) {
		if (i)
			sb_addc(sb, ',');
		value_text(o, &v[i], sb);
	}
	sb_addc(sb, ')');
	return 1;
}

static json_t *
value_json(const struct coperand *o, const struct fval *v, int n)
{
	if (n == 1 && !o->multi) {
		if (o->xform == AW_XF_FIELD &&
		    (o->f.def->flags & FF_TIME_TEXT))
			return json_integer(v->i);
		switch (o->type) {
		case FT_STR:
		case FT_BYTES:
		case FT_IPADDR:
		case FT_IPNET:
			return json_stringn_nocheck(v->s ? v->s : "",
			    v->s ? v->len : 0);
		case FT_BOOL:
			return json_boolean(v->i);
		default:
			return json_integer(v->i);
		}
	}
	{
		struct sbuf b;
		json_t *j;
		sb_init(&b);
		sb_addc(&b, '(');
		for (int i = 0; i < n; i++) {
			if (i)
				sb_addc(&b, ',');
			value_text(o, &v[i], &b);
		}
		sb_addc(&b, ')');
		j = b.oom ? NULL : json_stringn_nocheck(b.s, b.len);
		sb_free(&b);
		return j;
	}
}

int
cfmt_render(struct xctx *x, const struct cfmt *f, struct sbuf *sb,
    json_t *obj)
{
	for (int i = 0; i < f->n; i++) {
		const struct fmt_token *t = &f->t[i];
		const struct fval *v;
		size_t start = sb->len;
		int n, ty;

		if (t->text) {
			sb_addn(sb, t->text, t->len);
			continue;
		}
		n = eval_operand(x, t->op, &v, &ty);
		if (n <= 0)
			sb_adds(sb, "<NA>");
		else if (n == 1 && !t->op->multi)
			value_text(t->op, &v[0], sb);
		else {
			sb_addc(sb, '(');
			for (int k = 0; k < n; k++) {
				if (k)
					sb_addc(sb, ',');
				value_text(t->op, &v[k], sb);
			}
			sb_addc(sb, ')');
		}
		if (t->width > 0 && !sb->oom) {
			size_t w = (size_t)t->width, got = sb->len - start;
			if (got > w) {
				sb->len = start + w;
				sb->s[sb->len] = '\0';
			} else
				while (got++ < w)
					sb_addc(sb, ' ');
		}
		if (obj != NULL && t->key != NULL)
			json_object_set_new_nocheck(obj, t->key, n > 0 ?
			    value_json(t->op, v, n) : json_null());
	}
	return sb->oom ? -1 : 0;
}
