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
 *
 * output_fields are written as JSON text, not built as a jansson object:
 * at compile time the format's keys are sorted (Falco's objects are
 * std::maps), deduplicated (the last token naming a key gives its value)
 * and quoted, and "evt.time", always present, is the alert's time; per
 * alert, cfmt_render_fields() only copies keys and writes values.
 *
 * "%tolower(proc.name)" (any transformer, nested, blanks allowed inside
 * the parentheses but not before '(') prints the transformed value; it is
 * parsed by the condition parser and compiled like a condition operand.
 * As libsinsp's formatter does (resolve_transformed_fields off, which is
 * how Falco runs it), output_fields then gets the plain fields inside the
 * transformer ("proc.name") and not the transformed value; with the
 * output_transformed_fields option it also gets "tolower(proc.name)",
 * keyed as libsinsp's as_string() spells it. An unknown transformer, val()
 * or a type error fails the load with the offending text quoted.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/text.h"
#include "rules/rules_int.h"

void
cfmt_free(struct cfmt *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->t[i].text);
		free(f->t[i].key);
		free(f->t[i].xkey);
		if (f->t[i].op) {
			coperand_free(f->t[i].op);
			free(f->t[i].op);
		}
	}
	free(f->t);
	for (int i = 0; i < f->nkeys; i++)
		free(f->keys[i].quoted);
	free(f->keys);
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

/* %<N>field: N is bounded (libsinsp pads to any N it can parse). */
#define AW_FMT_MAX_WIDTH 4096

struct xf_walk;
static int cfmt_compile_tokens(struct ccompiler *cc, const char *fmt,
    struct cfmt *out, struct xf_walk *w);

/* ------------------------------------------------------ transformers */

/* "%name(" starts a transformer token (no blank allowed before '('). */
static int
xform_start(const char *p)
{
	size_t i = 0;

	if (!isalpha((unsigned char)p[0]))
		return 0;
	while (isalnum((unsigned char)p[i]) || p[i] == '_')
		i++;
	return p[i] == '(';
}

/* libsinsp's as_string() of an operand: "toupper(evt.arg[1])",
 * "concat(proc.name,evt.arg.path)". */
static void
operand_key(struct sbuf *b, const struct aw_ast_operand *o)
{
	static const char *names[] = {
		[AW_XF_TOLOWER] = "tolower", [AW_XF_TOUPPER] = "toupper",
		[AW_XF_B64] = "b64", [AW_XF_BASENAME] = "basename",
		[AW_XF_LEN] = "len", [AW_XF_JOIN] = "join",
		[AW_XF_CONCAT] = "concat", [AW_XF_GETOPT] = "getopt",
		[AW_XF_VAL] = "val",
	};

	switch (o->xform) {
	case AW_XF_FIELD:
		sb_adds(b, o->field);
		if (o->arg) {
			sb_addc(b, '[');
			sb_adds(b, o->arg);
			sb_addc(b, ']');
		}
		return;
	case AW_XF_STRING:
		sb_adds(b, o->field);
		return;
	default:
		sb_adds(b, names[o->xform] ? names[o->xform] : "?");
		sb_addc(b, '(');
		for (int i = 0; i < o->nargs; i++) {
			if (i)
				sb_addc(b, ',');
			operand_key(b, o->args[i]);
		}
		sb_addc(b, ')');
	}
}

/* One output_fields entry inside a transformer token: a plain field
 * (libsinsp always resolves those) or an inner transformer. */
struct xf_entry {
	const struct aw_ast_operand *o;
	char *key;
	int is_xf;
};

struct xf_walk {
	struct xf_entry *v;
	int n, cap;
	int last_xf;		/* libsinsp's m_is_last_transformer */
	int floor;		/* entries of earlier tokens: never popped */
	int oom;
};

/* libsinsp's formatter_visitor: fields are registered as met; a
 * transformer registers after its arguments and replaces the entry just
 * before it when that entry was itself a transformer, so nesting keeps
 * only the outermost one ("tolower(toupper(x))": x and the outer call). */
static void
xf_visit(struct xf_walk *w, const struct aw_ast_operand *o)
{
	struct sbuf k;

	if (o->xform == AW_XF_STRING)
		return;
	for (int i = 0; i < o->nargs; i++)
		xf_visit(w, o->args[i]);
	if (o->xform != AW_XF_FIELD && w->last_xf && w->n > w->floor)
		free(w->v[--w->n].key);
	if (w->n == w->cap) {
		int nc = w->cap ? w->cap * 2 : 8;
		struct xf_entry *nv = realloc(w->v, (size_t)nc * sizeof(*nv));
		if (nv == NULL) {
			w->oom = 1;
			return;
		}
		w->v = nv;
		w->cap = nc;
	}
	sb_init(&k);
	operand_key(&k, o);
	if ((w->v[w->n].key = sb_take(&k)) == NULL) {
		w->oom = 1;
		return;
	}
	w->v[w->n].o = o;
	w->v[w->n].is_xf = o->xform != AW_XF_FIELD;
	w->n++;
	w->last_xf = o->xform != AW_XF_FIELD;
}

static void
xf_walk_free(struct xf_walk *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->v[i].key);
	free(w->v);
}

/* Compile an operand of a transformer token; errors quote the token. */
static int
xf_operand(struct ccompiler *cc, const struct aw_ast_operand *o,
    const char *tok, struct fmt_token *t)
{
	char msg[380];

	if ((t->op = calloc(1, sizeof(*t->op))) == NULL) {
		snprintf(cc->err, sizeof(cc->err), "out of memory");
		return -1;
	}
	if (cc_operand(cc, o, t->op, 0) != 0) {
		snprintf(msg, sizeof(msg), "%.379s", cc->err);
		snprintf(cc->err, sizeof(cc->err), "invalid output format: "
		    "%.380s at '%%%.60s'", msg, tok);
		return -1;
	}
	if (o->xform == AW_XF_FIELD &&
	    (t->op->f.def->flags & FF_FILTER_ONLY)) {
		snprintf(cc->err, sizeof(cc->err), "field '%s' can only be "
		    "used in conditions, not in outputs", t->op->f.def->name);
		return -1;
	}
	return 0;
}

/* "%[N]transformer(...)" at p (after the width): the text token plus
 * json-only tokens for what libsinsp puts in output_fields. */
static int
add_xform(struct ccompiler *cc, struct cfmt *out, const char **pp,
    int width, struct xf_walk *w)
{
	const char *p = *pp;
	struct aw_parse_error perr;
	struct aw_ast_operand *ast;
	struct fmt_token *t;
	size_t used;
	int first, rc = -1;

	if ((ast = aw_xform_parse(p, strlen(p), &used, &perr)) == NULL) {
		snprintf(cc->err, sizeof(cc->err), "invalid output format: "
		    "%s at '%%%.60s'", perr.msg, p);
		return -1;
	}
	first = w->floor = w->n;
	xf_visit(w, ast);
	if (w->oom)
		goto oom;
	/* every entry but the last (the token itself) is json-only */
	for (int i = first; i < w->n - 1; i++) {
		if ((t = new_token(out)) == NULL)
			goto oom;
		t->json_only = 1;
		if (xf_operand(cc, w->v[i].o, p, t) != 0)
			goto done;
		if (w->v[i].is_xf)
			t->xkey = w->v[i].key;
		else
			t->key = w->v[i].key;
		w->v[i].key = NULL;
	}
	if ((t = new_token(out)) == NULL)
		goto oom;
	t->width = width;
	if (xf_operand(cc, ast, p, t) != 0)
		goto done;
	/* w->n > 0: aw_xform_parse() returns a transformer, never a bare
	 * string, and xf_visit() registered it (or set oom, handled above) */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	t->xkey = w->v[w->n - 1].key;
	w->v[w->n - 1].key = NULL;
	*pp = p + used;
	rc = 0;
	goto done;
oom:
	snprintf(cc->err, sizeof(cc->err), "out of memory");
done:
	aw_ast_operand_free(ast);
	return rc;
}

/* ------------------------------------------------------ output_fields */

/* The key a token gives output_fields: a plain field's always, a
 * transformer's only with output_transformed_fields (*xonly set). */
static const char *
token_key(const struct fmt_token *t, int *xonly)
{
	*xonly = t->key == NULL;
	return t->key ? t->key : t->xkey;
}

struct key_plan {
	const char *name;	/* borrowed from the token */
	struct fmt_key k;
};

static int
cmp_plan(const void *a, const void *b)
{
	return strcmp(((const struct key_plan *)a)->name,
	    ((const struct key_plan *)b)->name);
}

/* The keys output_fields will have, in the order Falco writes them (its
 * JSON objects are std::maps: bytewise order), each already quoted, so
 * rendering only copies keys and writes values. A key named twice keeps
 * its last token; "evt.time" is always there and is the alert's time. */
static int
cfmt_plan_keys(struct cfmt *f)
{
	struct key_plan *p;
	int n = 0, rc = -1;

	/* at most one key per token, plus evt.time */
	if ((p = calloc((size_t)f->n + 1, sizeof(*p))) == NULL)
		return -1;
	p[n].name = "evt.time";
	p[n].k.tok = p[n].k.xtok = -1;
	p[n++].k.is_time = 1;
	for (int i = 0; i < f->n; i++) {
		int xonly, j;
		const char *name = token_key(&f->t[i], &xonly);

		if (name == NULL)
			continue;
		for (j = 0; j < n && strcmp(p[j].name, name) != 0; j++)
			;
		if (j == n) {
			p[n].name = name;
			p[n].k.tok = p[n].k.xtok = -1;
			n++;
		}
		if (p[j].k.is_time)
			continue;
		p[j].k.xtok = i;
		if (!xonly)
			p[j].k.tok = i;
	}
	qsort(p, (size_t)n, sizeof(*p), cmp_plan);
	if ((f->keys = calloc((size_t)n, sizeof(*f->keys))) == NULL)
		goto done;
	f->nkeys = n;
	for (int i = 0; i < n; i++) {
		struct aw_buf b;

		aw_buf_init(&b);
		aw_buf_addc(&b, ',');
		aw_json_quote(&b, p[i].name, strlen(p[i].name));
		aw_buf_addc(&b, ':');
		f->keys[i] = p[i].k;
		f->keys[i].len = b.len;
		if ((f->keys[i].quoted = aw_buf_take(&b)) == NULL)
			goto done;
	}
	rc = 0;
done:
	free(p);
	return rc;
}

int
cfmt_compile(struct ccompiler *cc, const char *fmt, struct cfmt *out)
{
	struct xf_walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	rc = cfmt_compile_tokens(cc, fmt, out, &w);
	xf_walk_free(&w);
	if (rc == 0 && cfmt_plan_keys(out) != 0) {
		snprintf(cc->err, sizeof(cc->err), "out of memory");
		cfmt_free(out);
		rc = -1;
	}
	return rc;
}

static int
cfmt_compile_tokens(struct ccompiler *cc, const char *fmt, struct cfmt *out,
    struct xf_walk *w)
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
		while (isdigit((unsigned char)*p)) {
			width = width * 10 + (*p++ - '0');
			if (width > AW_FMT_MAX_WIDTH) {
				/* every alert would carry the padding */
				snprintf(cc->err, sizeof(cc->err), "invalid "
				    "output format: width above %d",
				    AW_FMT_MAX_WIDTH);
				goto fail;
			}
		}
		if (*p == '\0') {
			snprintf(cc->err, sizeof(cc->err), "invalid output "
			    "format: '%%' at the end of '%s'", fmt);
			goto fail;
		}
		if (xform_start(p)) {
			if (add_xform(cc, out, &p, width, w) != 0)
				goto fail;
			lit = p;
			continue;
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
		w->last_xf = 0;
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
		sb_addtext(sb, v->s ? v->s : "", v->s ? v->len : 0);
		break;
	case FT_BOOL:
		sb_adds(sb, v->i ? "true" : "false");
		break;
	default:
		sb_addi(sb, (long long)v->i);
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

/* One output_fields value as JSON, typed as Falco types it: numbers stay
 * numbers (evt.time the integer ns), several values one "(a,b)" string,
 * a missing value null. */
static void
value_json(struct aw_buf *b, const struct coperand *o, const struct fval *v,
    int n)
{
	struct sbuf t;

	if (n <= 0) {
		aw_buf_add(b, "null", 4);
		return;
	}
	if (n == 1 && !o->multi) {
		if (o->xform == AW_XF_FIELD &&
		    (o->f.def->flags & FF_TIME_TEXT)) {
			aw_buf_addi64(b, v->i);
			return;
		}
		switch (o->type) {
		case FT_STR:
		case FT_BYTES:
		case FT_IPADDR:
		case FT_IPNET:
			aw_json_quote(b, v->s ? v->s : "", v->s ? v->len : 0);
			return;
		case FT_BOOL:
			aw_buf_adds(b, v->i ? "true" : "false");
			return;
		default:
			aw_buf_addi64(b, v->i);
			return;
		}
	}
	sb_init(&t);
	sb_addc(&t, '(');
	for (int i = 0; i < n; i++) {
		if (i)
			sb_addc(&t, ',');
		value_text(o, &v[i], &t);
	}
	sb_addc(&t, ')');
	if (t.oom)
		b->oom = 1;
	else
		aw_json_quote(b, t.s, t.len);
	sb_free(&t);
}

int
cfmt_render(struct xctx *x, const struct cfmt *f, struct sbuf *sb)
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
		if (t->json_only)
			continue;
		n = eval_operand(x, t->op, &v, &ty);
		if (n <= 0)
			sb_addn(sb, "<NA>", 4);
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
	}
	return sb->oom ? -1 : 0;
}

/* Field values are cached per event (xctx), so evaluating a token again
 * here costs a lookup; transformers are recomputed, rare in outputs. */
int
cfmt_render_fields(struct xctx *x, const struct cfmt *f, int64_t time_ns,
    struct aw_buf *b)
{
	int xf = x->opts && x->opts->output_transformed_fields, first = 1;

	aw_buf_addc(b, '{');
	for (int i = 0; i < f->nkeys; i++) {
		const struct fmt_key *k = &f->keys[i];
		int tok = xf ? k->xtok : k->tok;
		const struct fval *v;
		int n, ty;

		if (!k->is_time && tok < 0)
			continue;
		/* the first key without its leading comma */
		aw_buf_add(b, k->quoted + first, k->len - (size_t)first);
		first = 0;
		if (k->is_time) {
			aw_buf_addi64(b, time_ns);
			continue;
		}
		n = eval_operand(x, f->t[tok].op, &v, &ty);
		value_json(b, f->t[tok].op, v, n);
	}
	aw_buf_addc(b, '}');
	return b->oom ? -1 : 0;
}
