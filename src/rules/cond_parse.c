/*
 * cond_parse.c — Falco condition text → struct aw_ast.
 *
 * A recursive-descent parser with the grammar of libsinsp's
 * filter/parser.h (libs 0.25):
 *
 *   Expr     := OrExpr
 *   OrExpr   := AndExpr ('or' (blank AndExpr | '(' Expr ')'))*
 *   AndExpr  := NotExpr ('and' (blank NotExpr | '(' Expr ')'))*
 *   NotExpr  := ('not' blank+)* ('not(' Expr ')' | Check)
 *   Check    := '(' Expr ')' | Field Cond | Transformer Cond | Identifier
 *   Cond     := 'exists' | NumOp (Number | ValOrTr) | StrOp (Str | ValOrTr)
 *             | StrOp Modifier List | ListOp (List | ValOrTr)
 *
 * `not` binds tightest, then `and`, then `or`; runs of one operator become
 * one n-ary node. Every node records its source position through the
 * caller's byte → file:line:column map, so compile errors inside macros
 * point into the macro. Depth is bounded (Falco uses 1000).
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

struct parser {
	struct clex l;
	const struct aw_srcpos *map;
	int depth, max_depth;
	struct aw_parse_error *err;
	int failed;
};

static const char *op_names[AW_OP__COUNT] = {
	[AW_OP_EQ] = "=", [AW_OP_NE] = "!=", [AW_OP_LT] = "<",
	[AW_OP_LE] = "<=", [AW_OP_GT] = ">", [AW_OP_GE] = ">=",
	[AW_OP_CONTAINS] = "contains", [AW_OP_ICONTAINS] = "icontains",
	[AW_OP_BCONTAINS] = "bcontains", [AW_OP_STARTSWITH] = "startswith",
	[AW_OP_BSTARTSWITH] = "bstartswith", [AW_OP_ENDSWITH] = "endswith",
	[AW_OP_GLOB] = "glob", [AW_OP_IGLOB] = "iglob",
	[AW_OP_REGEX] = "regex", [AW_OP_IN] = "in",
	[AW_OP_INTERSECTS] = "intersects", [AW_OP_PMATCH] = "pmatch",
	[AW_OP_EXISTS] = "exists",
};

const char *
aw_op_name(enum aw_op op)
{
	return (op >= 0 && op < AW_OP__COUNT) ? op_names[op] : "?";
}

static const struct {
	const char *open;	/* "tolower(" */
	enum aw_xform xf;
} transformers[] = {
	{ "tolower(", AW_XF_TOLOWER },
	{ "toupper(", AW_XF_TOUPPER },
	{ "b64(", AW_XF_B64 },
	{ "basename(", AW_XF_BASENAME },
	{ "len(", AW_XF_LEN },
	{ "join(", AW_XF_JOIN },
	{ "concat(", AW_XF_CONCAT },
	{ "getopt(", AW_XF_GETOPT },
};

static const char *
xform_name(enum aw_xform xf)
{
	static char buf[16];

	if (xf == AW_XF_VAL)
		return "val";
	for (size_t i = 0; i < sizeof(transformers) / sizeof(transformers[0]);
	    i++)
		if (transformers[i].xf == xf) {
			size_t n = strlen(transformers[i].open) - 1;
			memcpy(buf, transformers[i].open, n);
			buf[n] = '\0';
			return buf;
		}
	return "?";
}

/* ------------------------------------------------------------ tree */

void
aw_ast_operand_free(struct aw_ast_operand *o)
{
	if (o == NULL)
		return;
	for (int i = 0; i < o->nargs; i++)
		aw_ast_operand_free(o->args[i]);
	free(o->args);
	free(o->field);
	free(o->arg);
	free(o);
}

void
aw_ast_free(struct aw_ast *n)
{
	if (n == NULL)
		return;
	for (int i = 0; i < n->nkids; i++)
		aw_ast_free(n->kids[i]);
	free(n->kids);
	free(n->ident);
	aw_ast_operand_free(n->lhs);
	for (size_t i = 0; i < n->nvalues; i++)
		free(n->values[i].s);
	free(n->values);
	aw_ast_operand_free(n->rhs);
	free(n->listref);
	free(n);
}

struct aw_ast_operand *
aw_ast_operand_clone(const struct aw_ast_operand *o)
{
	struct aw_ast_operand *c;

	if (o == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->xform = o->xform;
	c->pos = o->pos;
	if ((o->field && (c->field = strdup(o->field)) == NULL) ||
	    (o->arg && (c->arg = strdup(o->arg)) == NULL))
		goto fail;
	if (o->nargs) {
		if ((c->args = calloc((size_t)o->nargs, sizeof(*c->args))) ==
		    NULL)
			goto fail;
		for (int i = 0; i < o->nargs; i++) {
			if ((c->args[i] = aw_ast_operand_clone(o->args[i])) ==
			    NULL)
				goto fail;
			c->nargs = i + 1;
		}
	}
	return c;
fail:
	aw_ast_operand_free(c);
	return NULL;
}

struct aw_ast *
aw_ast_clone(const struct aw_ast *n)
{
	struct aw_ast *c;

	if (n == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->kind = n->kind;
	c->pos = n->pos;
	c->op = n->op;
	c->mod = n->mod;
	c->rhs_kind = n->rhs_kind;
	if (n->nkids) {
		if ((c->kids = calloc((size_t)n->nkids, sizeof(*c->kids))) ==
		    NULL)
			goto fail;
		for (int i = 0; i < n->nkids; i++) {
			if ((c->kids[i] = aw_ast_clone(n->kids[i])) == NULL)
				goto fail;
			c->nkids = i + 1;
		}
	}
	if (n->ident && (c->ident = strdup(n->ident)) == NULL)
		goto fail;
	if (n->lhs && (c->lhs = aw_ast_operand_clone(n->lhs)) == NULL)
		goto fail;
	if (n->rhs && (c->rhs = aw_ast_operand_clone(n->rhs)) == NULL)
		goto fail;
	if (n->listref && (c->listref = strdup(n->listref)) == NULL)
		goto fail;
	if (n->nvalues) {
		if ((c->values = calloc(n->nvalues, sizeof(*c->values))) ==
		    NULL)
			goto fail;
		for (size_t i = 0; i < n->nvalues; i++) {
			c->values[i] = n->values[i];
			c->values[i].s = xstrndup(n->values[i].s,
			    n->values[i].len);
			if (c->values[i].s == NULL)
				goto fail;
			c->nvalues = i + 1;
		}
	}
	return c;
fail:
	aw_ast_free(c);
	return NULL;
}

/* ------------------------------------------------------------ printing */

static int
needs_quotes(const char *s, size_t len)
{
	if (len == 0)
		return 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == '(' || c == ')' || c == '"' ||
		    c == '\'' || c == '=' || c == ',' || c == '\\' || c >= 0x7f)
			return 1;
	}
	return 0;
}

static void
print_value(struct sbuf *b, const char *s, size_t len)
{
	if (!needs_quotes(s, len)) {
		sb_addn(b, s, len);
		return;
	}
	sb_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': sb_adds(b, "\\\""); break;
		case '\\': sb_adds(b, "\\\\"); break;
		case '\n': sb_adds(b, "\\n"); break;
		case '\t': sb_adds(b, "\\t"); break;
		case '\r': sb_adds(b, "\\r"); break;
		default:
			if (c < ' ')
				sb_printf(b, "\\x%02x", c);
			else
				sb_addc(b, (char)c);
		}
	}
	sb_addc(b, '"');
}

static void
print_operand(struct sbuf *b, const struct aw_ast_operand *o)
{
	if (o->xform == AW_XF_FIELD) {
		sb_adds(b, o->field);
		if (o->arg) {
			sb_addc(b, '[');
			sb_adds(b, o->arg);
			sb_addc(b, ']');
		}
		return;
	}
	if (o->xform == AW_XF_STRING) {
		print_value(b, o->field, strlen(o->field));
		return;
	}
	sb_adds(b, xform_name(o->xform));
	sb_addc(b, '(');
	for (int i = 0; i < o->nargs; i++) {
		if (i)
			sb_adds(b, ", ");
		print_operand(b, o->args[i]);
	}
	sb_addc(b, ')');
}

static void
print_node(struct sbuf *b, const struct aw_ast *n)
{
	switch (n->kind) {
	case AW_AST_AND:
	case AW_AST_OR:
		sb_addc(b, '(');
		for (int i = 0; i < n->nkids; i++) {
			if (i)
				sb_adds(b, n->kind == AW_AST_AND ? " and " :
				    " or ");
			print_node(b, n->kids[i]);
		}
		sb_addc(b, ')');
		break;
	case AW_AST_NOT:
		sb_adds(b, "not ");
		print_node(b, n->kids[0]);
		break;
	case AW_AST_MACRO:
		sb_adds(b, n->ident);
		break;
	case AW_AST_CHECK:
		print_operand(b, n->lhs);
		sb_addc(b, ' ');
		sb_adds(b, aw_op_name(n->op));
		if (n->mod != AW_MOD_NONE)
			sb_adds(b, n->mod == AW_MOD_ONEOF ? " oneof" :
			    n->mod == AW_MOD_ANYOF ? " anyof" : " allof");
		switch (n->rhs_kind) {
		case AW_RHS_NONE:
			break;
		case AW_RHS_VALUE:
			sb_addc(b, ' ');
			print_value(b, n->values[0].s, n->values[0].len);
			break;
		case AW_RHS_LIST:
			sb_adds(b, " (");
			for (size_t i = 0; i < n->nvalues; i++) {
				if (i)
					sb_adds(b, ", ");
				print_value(b, n->values[i].s,
				    n->values[i].len);
			}
			sb_addc(b, ')');
			break;
		case AW_RHS_OPERAND:
			sb_addc(b, ' ');
			if (n->rhs->xform == AW_XF_VAL) {
				sb_adds(b, "val(");
				print_operand(b, n->rhs->args[0]);
				sb_addc(b, ')');
			} else
				print_operand(b, n->rhs);
			break;
		case AW_RHS_LISTREF:
			sb_addc(b, ' ');
			sb_adds(b, n->listref);
			break;
		}
		break;
	}
}

char *
aw_ast_to_string(const struct aw_ast *n)
{
	struct sbuf b;

	sb_init(&b);
	print_node(&b, n);
	return sb_take(&b);
}

/* ------------------------------------------------------------ parser */

static struct aw_srcpos
pos_at(const struct parser *p, size_t off)
{
	struct aw_srcpos pos = { NULL, 1, (int)off + 1 };

	if (off > p->l.len)
		off = p->l.len;
	if (p->map)
		pos = p->map[off];
	return pos;
}

static void *
perr(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void *
perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return NULL;
	p->failed = 1;
	p->err->off = p->l.pos;
	if (p->l.err[0]) {
		snprintf(p->err->msg, sizeof(p->err->msg), "%s", p->l.err);
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

static int
depth_push(struct parser *p)
{
	if (++p->depth > p->max_depth) {
		perr(p, "exceeded max depth limit of %d", p->max_depth);
		return -1;
	}
	return 0;
}

static struct aw_ast *
node_new(struct parser *p, enum aw_ast_kind k, size_t off)
{
	struct aw_ast *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return perr(p, "out of memory");
	n->kind = k;
	n->pos = pos_at(p, off);
	return n;
}

static int
add_kid(struct parser *p, struct aw_ast *n, struct aw_ast *kid)
{
	struct aw_ast **nk = realloc(n->kids, (size_t)(n->nkids + 1) *
	    sizeof(*nk));

	if (nk == NULL) {
		aw_ast_free(kid);
		perr(p, "out of memory");
		return -1;
	}
	n->kids = nk;
	n->kids[n->nkids++] = kid;
	return 0;
}

static struct aw_ast *parse_or(struct parser *p);

/* After '(' was consumed: Expr ')' */
static struct aw_ast *
parse_embedded_remainder(struct parser *p)
{
	struct aw_ast *n = parse_or(p);

	if (n == NULL)
		return NULL;
	lex_blank(&p->l);
	if (!lex_lit(&p->l, ")")) {
		aw_ast_free(n);
		return perr(p, "expected a ')' token");
	}
	return n;
}

static struct aw_ast_operand *
operand_new(struct parser *p, enum aw_xform xf, size_t off)
{
	struct aw_ast_operand *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return perr(p, "out of memory");
	o->xform = xf;
	o->pos = pos_at(p, off);
	return o;
}

/* Field name already lexed into tok; optional [arg]. */
static struct aw_ast_operand *
finish_field(struct parser *p, size_t off)
{
	struct aw_ast_operand *o = operand_new(p, AW_XF_FIELD, off);
	int r;

	if (o == NULL)
		return NULL;
	o->field = p->l.tok;
	p->l.tok = NULL;
	if (lex_lit(&p->l, "[")) {
		if ((r = lex_quoted(&p->l)) == 0)
			r = lex_field_arg_bare(&p->l);
		if (r <= 0) {
			aw_ast_operand_free(o);
			return perr(p, "expected a valid field argument: a "
			    "quoted string or a bare string");
		}
		o->arg = p->l.tok;
		p->l.tok = NULL;
		if (!lex_lit(&p->l, "]")) {
			aw_ast_operand_free(o);
			return perr(p, "expected a ']' token");
		}
	}
	return o;
}

static int
lex_transformer(struct parser *p)
{
	for (size_t i = 0; i < sizeof(transformers) / sizeof(transformers[0]);
	    i++)
		if (lex_lit(&p->l, transformers[i].open))
			return (int)transformers[i].xf;
	return -1;
}

static struct aw_ast_operand *parse_transformer(struct parser *p,
    enum aw_xform xf, size_t off);

/* An identifier directly followed by '(' where a field, a transformer or a
 * value was expected: a transformer we do not know (or val() where it is
 * not allowed). Falco rejects these too; say which name it was. Returns 1
 * after reporting, 0 when the text here is not of that shape. */
static int
bad_transformer(struct parser *p)
{
	size_t s = p->l.pos, e = s;
	const char *t = p->l.s;

	while (e < p->l.len && ((t[e] >= 'a' && t[e] <= 'z') ||
	    (t[e] >= 'A' && t[e] <= 'Z') || t[e] == '_' ||
	    (e > s && t[e] >= '0' && t[e] <= '9')))
		e++;
	if (e == s || e >= p->l.len || t[e] != '(')
		return 0;
	if (e - s == 3 && memcmp(t + s, "val", 3) == 0)
		perr(p, "val() is only allowed on the right-hand side of a "
		    "check");
	else
		perr(p, "unknown transformer '%.*s' (expected one of tolower, "
		    "toupper, b64, basename, len, join, concat)", (int)(e - s),
		    t + s);
	return 1;
}

/* An argument of a transformer: transformer, field, or literal string. */
static struct aw_ast_operand *
parse_xf_arg(struct parser *p)
{
	size_t off;
	int xf, r;
	struct aw_ast_operand *o;

	lex_blank(&p->l);
	off = p->l.pos;
	if ((xf = lex_transformer(p)) >= 0)
		return parse_transformer(p, (enum aw_xform)xf, off);
	if (lex_field_name(&p->l))
		return finish_field(p, off);
	if (bad_transformer(p))
		return NULL;
	if ((r = lex_quoted(&p->l)) == 0)
		r = lex_bare_str(&p->l);
	if (r > 0) {
		if ((o = operand_new(p, AW_XF_STRING, off)) == NULL)
			return NULL;
		o->field = p->l.tok;
		p->l.tok = NULL;
		return o;
	}
	return perr(p, "expected a field, a transformer or a string "
	    "argument");
}

/* After "name(" was consumed. */
static struct aw_ast_operand *
parse_transformer(struct parser *p, enum aw_xform xf, size_t off)
{
	struct aw_ast_operand *o, *a, **na;

	if (depth_push(p) != 0)
		return NULL;
	if ((o = operand_new(p, xf, off)) == NULL)
		return NULL;
	for (;;) {
		if ((a = parse_xf_arg(p)) == NULL) {
			aw_ast_operand_free(o);
			return NULL;
		}
		na = realloc(o->args, (size_t)(o->nargs + 1) * sizeof(*na));
		if (na == NULL) {
			aw_ast_operand_free(a);
			aw_ast_operand_free(o);
			return perr(p, "out of memory");
		}
		o->args = na;
		o->args[o->nargs++] = a;
		lex_blank(&p->l);
		if (lex_lit(&p->l, ","))
			continue;
		if (lex_lit(&p->l, ")"))
			break;
		aw_ast_operand_free(o);
		return perr(p, "expected ',' or ')' in transformer arguments");
	}
	p->depth--;
	return o;
}

/* val(field) or a transformer, when one starts here; NULL otherwise (and
 * p->failed set if it started but was malformed). */
static struct aw_ast_operand *
try_val_or_transformer(struct parser *p)
{
	size_t off = p->l.pos;
	struct aw_ast_operand *o, *f;
	int xf;

	if (lex_lit(&p->l, "val(")) {
		lex_blank(&p->l);
		if (!lex_field_name(&p->l))
			return perr(p, "expected a field name in val()");
		if ((f = finish_field(p, p->l.pos - p->l.toklen)) == NULL)
			return NULL;
		lex_blank(&p->l);
		if (!lex_lit(&p->l, ")")) {
			aw_ast_operand_free(f);
			return perr(p, "expected a ')' token");
		}
		if ((o = operand_new(p, AW_XF_VAL, off)) == NULL ||
		    (o->args = calloc(1, sizeof(*o->args))) == NULL) {
			aw_ast_operand_free(o);
			aw_ast_operand_free(f);
			return perr(p, "out of memory");
		}
		o->args[0] = f;
		o->nargs = 1;
		return o;
	}
	if ((xf = lex_transformer(p)) >= 0)
		return parse_transformer(p, (enum aw_xform)xf, off);
	bad_transformer(p);
	return NULL;
}

static int
add_value(struct parser *p, struct aw_ast *n)
{
	struct aw_ast_value *nv = realloc(n->values, (n->nvalues + 1) *
	    sizeof(*nv));

	if (nv == NULL) {
		perr(p, "out of memory");
		return -1;
	}
	n->values = nv;
	nv[n->nvalues].s = p->l.tok;
	nv[n->nvalues].len = p->l.toklen;
	nv[n->nvalues].quoted = p->l.quoted;
	n->nvalues++;
	p->l.tok = NULL;
	return 0;
}

static int
parse_str_value(struct parser *p, struct aw_ast *n)
{
	int r;

	if ((r = lex_quoted(&p->l)) == 0)
		r = lex_bare_str(&p->l);
	if (r < 0) {
		perr(p, "invalid string");
		return -1;
	}
	if (r == 0)
		return 0;
	return add_value(p, n) == 0 ? 1 : -1;
}

/* '(' [value (',' value)*] ')' */
static int
parse_list(struct parser *p, struct aw_ast *n)
{
	int r;

	n->rhs_kind = AW_RHS_LIST;
	lex_blank(&p->l);
	if (lex_lit(&p->l, ")"))
		return 0;
	for (;;) {
		lex_blank(&p->l);
		if ((r = parse_str_value(p, n)) <= 0) {
			if (r == 0)
				perr(p, "expected a list value");
			return -1;
		}
		lex_blank(&p->l);
		if (lex_lit(&p->l, ","))
			continue;
		if (lex_lit(&p->l, ")"))
			return 0;
		perr(p, "expected ',' or ')' in a list");
		return -1;
	}
}

static int
parse_list_rhs(struct parser *p, struct aw_ast *n)
{
	lex_blank(&p->l);
	if ((n->rhs = try_val_or_transformer(p)) != NULL) {
		n->rhs_kind = AW_RHS_OPERAND;
		return 0;
	}
	if (p->failed)
		return -1;
	if (lex_lit(&p->l, "("))
		return parse_list(p, n);
	if (lex_identifier(&p->l)) {
		n->rhs_kind = AW_RHS_LISTREF;
		n->listref = p->l.tok;
		p->l.tok = NULL;
		return 0;
	}
	perr(p, "expected a list, a list name, val() or a transformer");
	return -1;
}

static const struct {
	const char *text;
	enum aw_op op;
	int word;		/* needs a blank after it */
} str_ops[] = {
	{ "==", AW_OP_EQ, 0 }, { "=", AW_OP_EQ, 0 }, { "!=", AW_OP_NE, 0 },
	{ "glob", AW_OP_GLOB, 1 }, { "iglob", AW_OP_IGLOB, 1 },
	{ "contains", AW_OP_CONTAINS, 1 },
	{ "icontains", AW_OP_ICONTAINS, 1 },
	{ "bcontains", AW_OP_BCONTAINS, 1 },
	{ "startswith", AW_OP_STARTSWITH, 1 },
	{ "bstartswith", AW_OP_BSTARTSWITH, 1 },
	{ "endswith", AW_OP_ENDSWITH, 1 }, { "regex", AW_OP_REGEX, 1 },
}, num_ops[] = {
	{ "<=", AW_OP_LE, 0 }, { "<", AW_OP_LT, 0 }, { ">=", AW_OP_GE, 0 },
	{ ">", AW_OP_GT, 0 },
}, list_ops[] = {
	{ "intersects", AW_OP_INTERSECTS, 0 }, { "in", AW_OP_IN, 0 },
	{ "pmatch", AW_OP_PMATCH, 0 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
lex_modifier(struct parser *p)
{
	static const struct {
		const char *w;
		enum aw_modifier m;
	} mods[] = { { "oneof", AW_MOD_ONEOF }, { "anyof", AW_MOD_ANYOF },
	    { "allof", AW_MOD_ALLOF } };

	for (size_t i = 0; i < NELEM(mods); i++) {
		size_t n = strlen(mods[i].w);
		if (lex_peek(&p->l, mods[i].w)) {
			const char *after = p->l.s + p->l.pos + n;
			if (p->l.pos + n < p->l.len && (*after == '(' ||
			    *after == ' ' || *after == '\t' || *after == '\n' ||
			    *after == '\r')) {
				p->l.pos += n;
				return (int)mods[i].m;
			}
		}
	}
	return AW_MOD_NONE;
}

/* lhs parsed; now the operator and right-hand side. */
static struct aw_ast *
parse_condition(struct parser *p, struct aw_ast_operand *lhs, size_t off)
{
	struct aw_ast *n = node_new(p, AW_AST_CHECK, off);
	size_t i;
	int r;

	if (n == NULL) {
		aw_ast_operand_free(lhs);
		return NULL;
	}
	n->lhs = lhs;
	lex_blank(&p->l);
	if (lex_peek(&p->l, "exists")) {
		size_t e = p->l.pos + 6;
		char c = e < p->l.len ? p->l.s[e] : ' ';
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_')) {
			p->l.pos = e;
			n->op = AW_OP_EXISTS;
			n->rhs_kind = AW_RHS_NONE;
			return n;
		}
	}
	for (i = 0; i < NELEM(num_ops); i++) {
		if (!lex_lit(&p->l, num_ops[i].text))
			continue;
		n->op = num_ops[i].op;
		lex_blank(&p->l);
		if ((n->rhs = try_val_or_transformer(p)) != NULL) {
			n->rhs_kind = AW_RHS_OPERAND;
			return n;
		}
		if (p->failed)
			goto fail;
		if (lex_hex_number(&p->l) || lex_number(&p->l)) {
			n->rhs_kind = AW_RHS_VALUE;
			if (add_value(p, n) != 0)
				goto fail;
			return n;
		}
		perr(p, "expected a number, val() or a transformer after "
		    "'%s'", num_ops[i].text);
		goto fail;
	}
	for (i = 0; i < NELEM(str_ops); i++) {
		if (str_ops[i].word ? !lex_word(&p->l, str_ops[i].text) :
		    !lex_lit(&p->l, str_ops[i].text))
			continue;
		n->op = str_ops[i].op;
		lex_blank(&p->l);
		if ((n->mod = lex_modifier(p)) != AW_MOD_NONE) {
			lex_blank(&p->l);
			if (!lex_lit(&p->l, "(")) {
				perr(p, "expected a list after the modifier");
				goto fail;
			}
			if (parse_list(p, n) != 0)
				goto fail;
			return n;
		}
		if ((n->rhs = try_val_or_transformer(p)) != NULL) {
			n->rhs_kind = AW_RHS_OPERAND;
			return n;
		}
		if (p->failed)
			goto fail;
		n->rhs_kind = AW_RHS_VALUE;
		if ((r = parse_str_value(p, n)) <= 0) {
			if (r == 0)
				perr(p, "expected a string value, val() or a "
				    "transformer after '%s'",
				    str_ops[i].text);
			goto fail;
		}
		return n;
	}
	for (i = 0; i < NELEM(list_ops); i++) {
		if (!lex_lit(&p->l, list_ops[i].text))
			continue;
		n->op = list_ops[i].op;
		if (parse_list_rhs(p, n) != 0)
			goto fail;
		return n;
	}
	perr(p, "expected a valid check operator: one of exists, =, ==, !=, "
	    "<, <=, >, >=, contains, icontains, bcontains, startswith, "
	    "bstartswith, endswith, glob, iglob, regex, in, intersects, "
	    "pmatch");
fail:
	aw_ast_free(n);
	return NULL;
}

static struct aw_ast *
parse_check(struct parser *p)
{
	struct aw_ast_operand *lhs;
	struct aw_ast *n;
	size_t off;
	int xf;

	if (depth_push(p) != 0)
		return NULL;
	lex_blank(&p->l);
	off = p->l.pos;
	if (lex_lit(&p->l, "(")) {
		n = parse_embedded_remainder(p);
		p->depth--;
		return n;
	}
	if ((xf = lex_transformer(p)) >= 0) {
		if ((lhs = parse_transformer(p, (enum aw_xform)xf, off)) ==
		    NULL)
			return NULL;
		n = parse_condition(p, lhs, off);
		p->depth--;
		return n;
	}
	if (lex_field_name(&p->l)) {
		if ((lhs = finish_field(p, off)) == NULL)
			return NULL;
		n = parse_condition(p, lhs, off);
		p->depth--;
		return n;
	}
	if (bad_transformer(p))
		return NULL;
	if (lex_identifier(&p->l)) {
		if ((n = node_new(p, AW_AST_MACRO, off)) == NULL)
			return NULL;
		n->ident = p->l.tok;
		p->l.tok = NULL;
		p->depth--;
		return n;
	}
	return perr(p, "expected a '(' token, a field check, or an "
	    "identifier");
}

/* "kw" followed by a blank or '(' (the '(' is not consumed). */
static int
lex_keyword(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);
	char c;

	if (!lex_peek(&p->l, kw))
		return 0;
	if (p->l.pos + n >= p->l.len)
		return 0;
	c = p->l.s[p->l.pos + n];
	if (c != '(' && c != ' ' && c != '\t' && c != '\n' && c != '\r' &&
	    c != '\b' && c != '\v' && c != '\f')
		return 0;
	p->l.pos += n;
	return 1;
}

static struct aw_ast *
parse_not(struct parser *p)
{
	struct aw_ast *child = NULL, *n;
	size_t off;
	int neg = 0;

	if (depth_push(p) != 0)
		return NULL;
	lex_blank(&p->l);
	off = p->l.pos;
	while (lex_keyword(p, "not")) {
		neg = !neg;
		if (lex_lit(&p->l, "(")) {
			if ((child = parse_embedded_remainder(p)) == NULL)
				return NULL;
			break;
		}
		lex_blank(&p->l);
	}
	if (child == NULL && (child = parse_check(p)) == NULL)
		return NULL;
	p->depth--;
	if (!neg)
		return child;
	if ((n = node_new(p, AW_AST_NOT, off)) == NULL) {
		aw_ast_free(child);
		return NULL;
	}
	if (add_kid(p, n, child) != 0) {
		aw_ast_free(n);
		return NULL;
	}
	return n;
}

typedef struct aw_ast *(*sub_parser)(struct parser *);

/* Shared shape of parse_and/parse_or. */
static struct aw_ast *
parse_nary(struct parser *p, const char *kw, enum aw_ast_kind kind,
    sub_parser sub)
{
	struct aw_ast *first, *kid, *n = NULL;
	size_t off;

	if (depth_push(p) != 0)
		return NULL;
	lex_blank(&p->l);
	off = p->l.pos;
	if ((first = sub(p)) == NULL)
		return NULL;
	lex_blank(&p->l);
	while (lex_keyword(p, kw)) {
		if (lex_lit(&p->l, "("))
			kid = parse_embedded_remainder(p);
		else {
			lex_blank(&p->l);
			kid = sub(p);
		}
		if (kid == NULL)
			goto fail;
		if (n == NULL) {
			if ((n = node_new(p, kind, off)) == NULL) {
				aw_ast_free(kid);
				goto fail;
			}
			/* add_kid() owns first from here, freed on failure */
			if (add_kid(p, n, first) != 0) {
				first = NULL;
				aw_ast_free(kid);
				goto fail;
			}
			first = NULL;
		}
		if (add_kid(p, n, kid) != 0)
			goto fail;
		lex_blank(&p->l);
	}
	p->depth--;
	return n ? n : first;
fail:
	aw_ast_free(first);
	aw_ast_free(n);
	return NULL;
}

static struct aw_ast *
parse_and(struct parser *p)
{
	return parse_nary(p, "and", AW_AST_AND, parse_not);
}

static struct aw_ast *
parse_or(struct parser *p)
{
	return parse_nary(p, "or", AW_AST_OR, parse_and);
}

struct aw_ast *
aw_cond_parse(const char *text, size_t len, const struct aw_srcpos *map,
    int max_depth, struct aw_parse_error *err)
{
	struct parser p;
	struct aw_ast *n;

	memset(&p, 0, sizeof(p));
	memset(err, 0, sizeof(*err));
	p.l.s = text;
	p.l.len = len;
	p.map = map;
	p.max_depth = max_depth > 0 ? max_depth : 1000;
	p.err = err;
	lex_blank(&p.l);
	if (lex_at_end(&p.l)) {
		perr(&p, "empty condition");
		return NULL;
	}
	n = parse_or(&p);
	if (n != NULL) {
		lex_blank(&p.l);
		if (!lex_at_end(&p.l)) {
			perr(&p, "unexpected token after the condition, "
			    "expecting 'and', 'or' or the end");
			aw_ast_free(n);
			n = NULL;
		}
	}
	lex_tok_free(&p.l);
	return n;
}

struct aw_ast_operand *
aw_xform_parse(const char *text, size_t len, size_t *used,
    struct aw_parse_error *err)
{
	struct parser p;
	struct aw_ast_operand *o = NULL;
	int xf;

	memset(&p, 0, sizeof(p));
	memset(err, 0, sizeof(*err));
	p.l.s = text;
	p.l.len = len;
	p.max_depth = 1000;
	p.err = err;
	if ((xf = lex_transformer(&p)) >= 0)
		o = parse_transformer(&p, (enum aw_xform)xf, 0);
	else if (!bad_transformer(&p))
		perr(&p, "expected a transformer");
	*used = p.l.pos;
	lex_tok_free(&p.l);
	return o;
}
