/*
 * compile.c — from the collector to rules ready to evaluate.
 *
 * Follows Falco's rule_loader_compiler step by step:
 *   1. lists: items naming an earlier list are expanded in place;
 *   2. lists are substituted into condition *text* (rules and macros),
 *      bounded by start/end or one of ` \t\n\r(),=`, items joined with
 *      ", ", items with a space quoted; never inside a quoted string;
 *   3. macros are parsed in definition order and resolved in the AST: a
 *      macro sees only macros first defined before its own last
 *      definition ("visibility"); rules see every macro;
 *   4. a rule's exceptions become "(cond) and not (...)" text first;
 *   5. the resolved AST is type-checked and compiled (fields bound to
 *      extractors and cache slots, values converted, regexes compiled,
 *      `in` sets hashed); identical checks - the same macro expanded in
 *      many rules - are compiled once and shared, so each is evaluated at
 *      most once per event. Outputs are compiled, and each rule gets its
 *      evt.type set (negation pushed to the leaves, so only evt.type
 *      checks narrow it), the proc.name values it needs (same analysis),
 *      and its audit availability (active/partial);
 *   6. the index: one bucket per syscall a rule names, holding each
 *      rule's condition specialised for that syscall (evt.type checks
 *      folded to constants, rules that fold to false left out) as jump
 *      code - a flat array of checks with true/false targets, no tree
 *      walking - plus a second level by process name.
 * Errors name the file:line:column of the offending text, inside the
 * macro or list where it is; compilation continues with the next rule so
 * one run reports them all.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <libaudit.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

#define MAX_DEPTH 1000
#define MAX_VISIBILITY 0x7fffffff

struct cctx {
	struct aw_engine *e;
	struct rl_collector *col;
	struct aw_diags *d;
	char item[300];
	int errors;
	struct aw_srcpos nawarned[64];	/* '<NA>' warnings already given */
	int nnawarned;
};

/* Warn once per source position, not once per rule using the macro. */
static int
first_na_warning(struct cctx *C, const struct aw_srcpos *p)
{
	for (int i = 0; i < C->nnawarned; i++)
		if (C->nawarned[i].file == p->file &&
		    C->nawarned[i].line == p->line &&
		    C->nawarned[i].col == p->col)
			return 0;
	if (C->nnawarned < 64)
		C->nawarned[C->nnawarned++] = *p;
	return 1;
}

static void
cerr(struct cctx *C, const struct aw_srcpos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cerr(struct cctx *C, const struct aw_srcpos *pos, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	aw_diags_add(C->d, AW_DIAG_ERROR, pos, C->item[0] ? C->item : NULL,
	    "%s", msg);
	C->errors++;
}

static void
cwarn(struct cctx *C, const struct aw_srcpos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cwarn(struct cctx *C, const struct aw_srcpos *pos, const char *fmt, ...)
{
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	aw_diags_add(C->d, AW_DIAG_WARNING, pos, C->item[0] ? C->item : NULL,
	    "%s", msg);
}

/* ------------------------------------------------------------ lists */

static void
expand_lists(struct cctx *C)
{
	struct rl_collector *col = C->col;

	for (size_t i = 0; i < col->nlists; i++) {
		struct rl_list *l = col->lists[i];
		size_t cap = 0;
		for (size_t k = 0; k < l->nitems; k++) {
			struct rl_list *ref;
			HASH_FIND_STR(col->list_by_name, l->items[k], ref);
			if (ref != NULL && ref != l && ref->index < l->index &&
			    ref->index < l->visibility) {
				ref->used = 1;
				for (size_t j = 0; j < ref->nexp; j++) {
					if (grow((void **)&l->exp, &cap,
					    l->nexp + 1, sizeof(char *)) != 0)
						return;
					l->exp[l->nexp++] = strdup(ref->exp[j]);
				}
				continue;
			}
			if (grow((void **)&l->exp, &cap, l->nexp + 1,
			    sizeof(char *)) != 0)
				return;
			l->exp[l->nexp++] = strdup(l->items[k]);
		}
	}
}

static int
is_delim(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' ||
	    c == ')' || c == ',' || c == '=';
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct subst {
	struct sbuf out;
	size_t *map;
	size_t mapcap;
};

static void
emit(struct subst *S, const char *s, size_t n, size_t from)
{
	size_t need = S->out.len + n + 1;

	if (grow((void **)&S->map, &S->mapcap, need, sizeof(size_t)) != 0) {
		S->out.oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++)
		S->map[S->out.len + i] = from;
	sb_addn(&S->out, s, n);
}

static void
emit_src(struct subst *S, const char *s, size_t n, size_t from)
{
	size_t need = S->out.len + n + 1;

	if (grow((void **)&S->map, &S->mapcap, need, sizeof(size_t)) != 0) {
		S->out.oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++)
		S->map[S->out.len + i] = from + i;
	sb_addn(&S->out, s, n);
}

/* Substitute list names in text. map[i] = source offset of output byte i
 * (len+1 entries). Returns 0, -1 on OOM. */
static int
subst_lists(struct cctx *C, const char *s, size_t len, char **out,
    size_t *outlen, size_t **map)
{
	struct subst S;
	size_t i = 0;

	memset(&S, 0, sizeof(S));
	sb_init(&S.out);
	while (i < len) {
		char c = s[i];
		size_t j;
		struct rl_list *l;
		if (c == '"' || c == '\'') {
			j = i + 1;
			while (j < len && s[j] != c) {
				if (s[j] == '\\' && j + 1 < len)
					j++;
				j++;
			}
			if (j < len)
				j++;
			emit_src(&S, s + i, j - i, i);
			i = j;
			continue;
		}
		if (is_delim(c)) {
			emit_src(&S, s + i, 1, i);
			i++;
			continue;
		}
		j = i;
		while (j < len && !is_delim(s[j]) && s[j] != '"' &&
		    s[j] != '\'')
			j++;
		l = NULL;
		if ((i == 0 || is_delim(s[i - 1])) &&
		    (j == len || is_delim(s[j])))
			HASH_FIND(hh, C->col->list_by_name, s + i, j - i, l);
		if (l == NULL) {
			emit_src(&S, s + i, j - i, i);
			i = j;
			continue;
		}
		/* Falco: consume the blanks around the name, then write
		 * " " items " " (no leading blank at the very start). */
		l->used = 1;
		while (S.out.len > 0 && is_blank(S.out.s[S.out.len - 1]))
			S.out.len--;
		while (j < len && is_blank(s[j]))
			j++;
		if (l->nexp == 0) {
			if (S.out.len > 0 && S.out.s[S.out.len - 1] == ',')
				S.out.len--;
			else if (j < len && s[j] == ',')
				j++;
		}
		if (S.out.len > 0)
			emit(&S, " ", 1, i);
		for (size_t k = 0; k < l->nexp; k++) {
			const char *it = l->exp[k];
			int q = strchr(it, ' ') != NULL && it[0] != '"' &&
			    it[0] != '\'';
			if (k)
				emit(&S, ", ", 2, i);
			if (q)
				emit(&S, "\"", 1, i);
			emit(&S, it, strlen(it), i);
			if (q)
				emit(&S, "\"", 1, i);
		}
		emit(&S, " ", 1, i);
		i = j;
	}
	if (grow((void **)&S.map, &S.mapcap, S.out.len + 1, sizeof(size_t)) !=
	    0)
		S.out.oom = 1;
	if (S.out.oom) {
		sb_free(&S.out);
		free(S.map);
		return -1;
	}
	S.map[S.out.len] = len;
	*outlen = S.out.len;
	if (S.out.s == NULL)
		sb_addn(&S.out, "", 0);
	*out = sb_take(&S.out);
	*map = S.map;
	return *out ? 0 : -1;
}

/* Parse a condition: substitute lists, map positions, parse. */
static struct aw_ast *
parse_cond(struct cctx *C, const struct rl_cond *cond,
    const struct aw_srcpos *fallback)
{
	struct aw_srcpos *raw = NULL, *map = NULL;
	struct aw_parse_error perr;
	struct aw_ast *ast = NULL;
	char *text = NULL;
	size_t len = 0, *omap = NULL;

	if (subst_lists(C, cond->s ? cond->s : "", cond->len, &text, &len,
	    &omap) != 0 || (raw = rl_cond_posmap(cond)) == NULL ||
	    (map = calloc(len + 1, sizeof(*map))) == NULL) {
		cerr(C, fallback, "out of memory");
		goto out;
	}
	for (size_t i = 0; i <= len; i++)
		map[i] = raw[omap[i] <= cond->len ? omap[i] : cond->len];
	ast = aw_cond_parse(text, len, map, MAX_DEPTH, &perr);
	if (ast == NULL) {
		size_t off = perr.off <= len ? perr.off : len;
		cerr(C, &map[off], "condition: %s", perr.msg);
	}
out:
	free(text);
	free(omap);
	free(raw);
	free(map);
	return ast;
}

/* ------------------------------------------------------------ macros */

struct mstack {
	const char *names[MAX_DEPTH];
	int n;
};

static int
resolve(struct cctx *C, struct aw_ast **np, int visibility,
    struct mstack *st)
{
	struct aw_ast *n = *np, *clone;
	struct rl_macro *m;
	int rc = 0;

	switch (n->kind) {
	case AW_AST_AND:
	case AW_AST_OR:
	case AW_AST_NOT:
		for (int i = 0; i < n->nkids; i++)
			if (resolve(C, &n->kids[i], visibility, st) != 0)
				rc = -1;
		return rc;
	case AW_AST_CHECK:
		return 0;
	case AW_AST_MACRO:
		break;
	}
	HASH_FIND_STR(C->col->macro_by_name, n->ident, m);
	if (m == NULL || m->index >= visibility) {
		cerr(C, &n->pos, "undefined macro '%s' used in filter",
		    n->ident);
		return -1;
	}
	if (m->failed || m->ast == NULL)
		return -1;	/* reported where the macro is */
	for (int i = 0; i < st->n; i++)
		if (strcmp(st->names[i], m->name) == 0) {
			cerr(C, &n->pos, "reference loop in macro '%s'",
			    m->name);
			return -1;
		}
	if (st->n >= MAX_DEPTH) {
		cerr(C, &n->pos, "macros nested too deeply");
		return -1;
	}
	if ((clone = aw_ast_clone(m->ast)) == NULL) {
		cerr(C, &n->pos, "out of memory");
		return -1;
	}
	st->names[st->n++] = m->name;
	rc = resolve(C, &clone, visibility, st);
	st->n--;
	m->used = 1;
	aw_ast_free(n);
	*np = clone;
	return rc;
}

static void
compile_macros(struct cctx *C)
{
	struct rl_collector *col = C->col;
	struct mstack *st;
	size_t i;

	for (i = 0; i < col->nmacros; i++) {
		struct rl_macro *m = col->macros[i];
		snprintf(C->item, sizeof(C->item), "macro '%s'", m->name);
		m->ast = parse_cond(C, &m->cond, &m->pos);
		m->failed = m->ast == NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		cerr(C, NULL, "out of memory");
		return;
	}
	/* Index order = order of first definition, as Falco's vector. */
	for (i = 0; i < col->nmacros; i++) {
		struct rl_macro *m = col->macros[i];
		if (m->failed)
			continue;
		snprintf(C->item, sizeof(C->item), "macro '%s'", m->name);
		st->n = 0;
		st->names[st->n++] = m->name;
		if (resolve(C, &m->ast, m->visibility, st) != 0)
			m->failed = 1;
	}
	free(st);
	C->item[0] = '\0';
}

/* ------------------------------------------------------------ exceptions */

static int
is_list_op(const char *op)
{
	return strcmp(op, "in") == 0 || strcmp(op, "intersects") == 0 ||
	    strcmp(op, "pmatch") == 0 || strstr(op, "oneof") ||
	    strstr(op, "anyof") || strstr(op, "allof");
}

static void
quote_item(struct sbuf *b, const char *s)
{
	if (strchr(s, ' ') && s[0] != '"' && s[0] != '\'') {
		sb_addc(b, '"');
		sb_adds(b, s);
		sb_addc(b, '"');
	} else
		sb_adds(b, s);
}

static int
valid_operator(const char *op)
{
	static const char *ops[] = { "=", "==", "!=", "<", "<=", ">", ">=",
	    "contains", "icontains", "bcontains", "startswith", "bstartswith",
	    "endswith", "glob", "iglob", "regex", "in", "intersects",
	    "pmatch", "exists", NULL };
	char first[32];
	size_t n = strcspn(op, " ");

	if (n >= sizeof(first))
		return 0;
	memcpy(first, op, n);
	first[n] = '\0';
	for (int i = 0; ops[i]; i++)
		if (strcmp(ops[i], first) == 0) {
			const char *mod = op + n;
			while (*mod == ' ')
				mod++;
			return *mod == '\0' || strcmp(mod, "oneof") == 0 ||
			    strcmp(mod, "anyof") == 0 ||
			    strcmp(mod, "allof") == 0;
		}
	return 0;
}

static int
valid_lhs_field(const char *f)
{
	const char *br = strchr(f, '[');
	size_t n = br ? (size_t)(br - f) : strlen(f);

	if (aw_field_find(f, n))
		return 1;
	/* evt.arg.NAME and friends */
	for (size_t i = n; i > 0; i--)
		if (f[i - 1] == '.') {
			const struct aw_field *d = aw_field_find(f, i - 1);
			return d != NULL && (d->flags & FF_ARG_DOT);
		}
	return 0;
}

/* build_rule_exception_infos: "(cond) and not (...)" */
static int
exception_text(struct cctx *C, const struct rl_exception *ex,
    struct sbuf *b)
{
	size_t i, k;

	if (ex->fields_is_list) {
		for (i = 0; i < ex->ncomps; i++)
			if (!valid_operator(ex->comps[i])) {
				cerr(C, &ex->pos, "exception '%s': '%s' is not "
				    "a supported comparison operator",
				    ex->name, ex->comps[i]);
				return -1;
			}
		for (i = 0; i < ex->nfields; i++)
			if (!valid_lhs_field(ex->fields[i])) {
				cerr(C, &ex->pos, "exception '%s': '%s' is not "
				    "a supported filter field", ex->name,
				    ex->fields[i]);
				return -1;
			}
		if (ex->nvalues == 0)
			return 0;
		sb_adds(b, " and not (");
		for (i = 0; i < ex->nvalues; i++) {
			const struct rl_exentry *en = &ex->values[i];
			if (!en->is_list || en->nvals != ex->nfields) {
				cerr(C, &ex->pos, "exception '%s': fields and "
				    "values lists must have equal length",
				    ex->name);
				return -1;
			}
			if (i)
				sb_adds(b, " or ");
			sb_addc(b, '(');
			for (k = 0; k < ex->nfields; k++) {
				const struct rl_exval *v = &en->vals[k];
				if (k)
					sb_adds(b, " and ");
				sb_printf(b, " %s %s ", ex->fields[k],
				    ex->comps[k]);
				if (v->is_list) {
					sb_addc(b, '(');
					for (size_t j = 0; j < v->nitems; j++) {
						if (j)
							sb_adds(b, ", ");
						quote_item(b, v->items[j]);
					}
					sb_addc(b, ')');
				} else if (is_list_op(ex->comps[k]) &&
				    v->item[0] != '(') {
					sb_addc(b, '(');
					sb_adds(b, v->item);
					sb_addc(b, ')');
				} else if (is_list_op(ex->comps[k]))
					sb_adds(b, v->item);
				else
					quote_item(b, v->item);
			}
			sb_addc(b, ')');
		}
		sb_addc(b, ')');
		return 0;
	}
	if (strcmp(ex->comps[0], "in") != 0 &&
	    strcmp(ex->comps[0], "pmatch") != 0 &&
	    strcmp(ex->comps[0], "intersects") != 0) {
		cerr(C, &ex->pos, "exception '%s': when fields is a single "
		    "value, comps must be one of (in, pmatch, intersects)",
		    ex->name);
		return -1;
	}
	if (!valid_lhs_field(ex->fields[0])) {
		cerr(C, &ex->pos, "exception '%s': '%s' is not a supported "
		    "filter field", ex->name, ex->fields[0]);
		return -1;
	}
	if (ex->nvalues == 0)
		return 0;
	sb_printf(b, " and not (%s %s (", ex->fields[0], ex->comps[0]);
	for (i = 0; i < ex->nvalues; i++) {
		if (ex->values[i].is_list || ex->values[i].one.item == NULL) {
			cerr(C, &ex->pos, "exception '%s': expected values "
			    "array to contain a list of strings", ex->name);
			return -1;
		}
		if (i)
			sb_adds(b, ", ");
		quote_item(b, ex->values[i].one.item);
	}
	sb_adds(b, "))");
	return 0;
}

/* The rule's condition with its exceptions, as one rl_cond. */
static int
rule_condition(struct cctx *C, const struct rl_rule *r, struct rl_cond *out)
{
	struct aw_srcpos p = r->cond.nsegs ? r->cond.segs[0].pos : r->pos;
	struct sbuf b;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (r->nex == 0)
		return rl_cond_cat(out, &r->cond);
	if (rl_cond_append_text(out, "(", 1, &p) != 0 ||
	    rl_cond_cat(out, &r->cond) != 0 ||
	    rl_cond_append_text(out, ")", 1, &p) != 0)
		return -1;
	for (i = 0; i < r->nex; i++) {
		sb_init(&b);
		if (exception_text(C, &r->ex[i], &b) != 0) {
			sb_free(&b);
			return 1;
		}
		if (b.oom || (b.len && rl_cond_append_text(out, b.s, b.len,
		    &r->ex[i].pos) != 0)) {
			sb_free(&b);
			return -1;
		}
		sb_free(&b);
	}
	return 0;
}

/* ------------------------------------------------------------ fields */

static struct aw_srcpos nopos;

static void
cc_error(struct ccompiler *cc, const struct aw_srcpos *pos, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
cc_error(struct ccompiler *cc, const struct aw_srcpos *pos, const char *fmt,
    ...)
{
	va_list ap;

	if (cc->err[0])
		return;		/* keep the first error */
	va_start(ap, fmt);
	vsnprintf(cc->err, sizeof(cc->err), fmt, ap);
	va_end(ap);
	cc->errpos = pos ? *pos : nopos;
}

static int
slot_for(struct ccompiler *cc, const char *name, const char *arg)
{
	struct slotkey *k;
	size_t nl = strlen(name), al = arg ? strlen(arg) : 0;
	char *key = malloc(nl + al + 2);

	if (key == NULL)
		return -1;
	memcpy(key, name, nl);
	key[nl] = '\x1f';
	if (al)
		memcpy(key + nl + 1, arg, al);
	key[nl + 1 + al] = '\0';
	HASH_FIND_STR(cc->slots, key, k);
	if (k != NULL) {
		free(key);
		return k->slot;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		free(key);
		return -1;
	}
	k->key = key;
	k->slot = cc->nslots++;
	HASH_ADD_KEYPTR(hh, cc->slots, k->key, strlen(k->key), k);
	return k->slot;
}

int
cc_field(struct ccompiler *cc, const char *name, const char *arg,
    const struct aw_srcpos *pos, struct cfield *out)
{
	const struct aw_field *def = aw_field_find(name, strlen(name));
	const char *dotarg = NULL;
	char err[256];
	int64_t idx;

	memset(out, 0, sizeof(*out));
	out->slot = -1;
	out->idx = -1;
	out->argcode = -1;
	if (def == NULL) {
		const char *dot = strrchr(name, '.');
		if (dot != NULL) {
			const struct aw_field *d = aw_field_find(name,
			    (size_t)(dot - name));
			if (d != NULL && (d->flags & FF_ARG_DOT)) {
				def = d;
				dotarg = dot + 1;
			}
		}
	}
	if (def == NULL) {
		cc_error(cc, pos, "unknown field '%s'", name);
		cc->unknown = 1;
		return -1;
	}
	if (dotarg != NULL) {
		if (arg != NULL) {
			cc_error(cc, pos, "field '%s' has two arguments", name);
			return -1;
		}
		arg = dotarg;
	}
	if (aw_field_check_arg(def, arg, &idx, err, sizeof(err)) != 0) {
		cc_error(cc, pos, "%s", err);
		return -1;
	}
	out->def = def;
	out->idx = idx;
	if (arg && (out->arg = strdup(arg)) == NULL) {
		cc_error(cc, pos, "out of memory");
		return -1;
	}
	if ((def->flags & FF_ARG_DOT) && arg)
		out->argcode = aw_evt_argcode(arg);
	out->type = aw_field_type(def, arg);
	if ((out->slot = slot_for(cc, def->name, arg)) < 0) {
		cc_error(cc, pos, "out of memory");
		return -1;
	}
	return 0;
}

void
coperand_free(struct coperand *o)
{
	if (o == NULL)
		return;
	free(o->f.arg);
	for (int i = 0; i < o->nargs; i++) {
		coperand_free(o->args[i]);
		free(o->args[i]);
	}
	free(o->args);
	free(o->lit);
	memset(o, 0, sizeof(*o));
}

static int
is_strtype(int t)
{
	return t == FT_STR || t == FT_BYTES;
}

static int
type_class(int t)
{
	switch (t) {
	case FT_STR:
	case FT_BYTES:
		return 0;
	case FT_INT:
	case FT_ABSTIME:
	case FT_RELTIME:
		return 1;
	case FT_BOOL:
		return 2;
	default:
		return 3;
	}
}

static const char *
type_name(int t)
{
	static const char *n[] = { "string", "bytes", "number", "bool",
	    "ipaddr", "ipnet", "abstime", "reltime", "dynamic" };

	return t >= 0 && t <= FT_DYN ? n[t] : "?";
}

int
cc_operand(struct ccompiler *cc, const struct aw_ast_operand *o,
    struct coperand *out, int rhs)
{
	memset(out, 0, sizeof(*out));
	out->xform = o->xform;
	switch (o->xform) {
	case AW_XF_FIELD:
		if (cc_field(cc, o->field, o->arg, &o->pos, &out->f) != 0)
			return -1;
		out->type = out->f.type;
		out->multi = (out->f.def->flags & FF_LIST) ||
		    ((out->f.def->flags & FF_ANCESTORS) && out->f.idx < 0);
		return 0;
	case AW_XF_STRING:
		out->type = FT_STR;
		out->litlen = strlen(o->field);
		if ((out->lit = strdup(o->field)) == NULL)
			return -1;
		return 0;
	case AW_XF_GETOPT:
		cc_error(cc, &o->pos, "transformer 'getopt' is not supported");
		return -1;
	default:
		break;
	}
	if (o->nargs < 1 || (o->xform != AW_XF_CONCAT &&
	    o->xform != AW_XF_JOIN && o->nargs != 1) ||
	    (o->xform == AW_XF_JOIN && o->nargs != 2) ||
	    (o->xform == AW_XF_CONCAT && o->nargs < 2)) {
		cc_error(cc, &o->pos, "wrong number of arguments to a "
		    "transformer");
		return -1;
	}
	if ((out->args = calloc((size_t)o->nargs, sizeof(*out->args))) ==
	    NULL) {
		cc_error(cc, &o->pos, "out of memory");
		return -1;
	}
	for (int i = 0; i < o->nargs; i++) {
		if ((out->args[i] = calloc(1, sizeof(*out->args[i]))) == NULL) {
			cc_error(cc, &o->pos, "out of memory");
			return -1;
		}
		out->nargs = i + 1;
		if (o->args[i]->xform == AW_XF_STRING && o->xform != AW_XF_JOIN &&
		    o->xform != AW_XF_CONCAT) {
			cc_error(cc, &o->args[i]->pos, "expected a field as "
			    "the argument of a transformer");
			return -1;
		}
		if (cc_operand(cc, o->args[i], out->args[i], rhs) != 0)
			return -1;
		out->multi |= out->args[i]->multi;
	}
	switch (o->xform) {
	case AW_XF_VAL:
		out->type = out->args[0]->type;
		out->multi = out->args[0]->multi;
		return 0;
	case AW_XF_LEN:
		out->type = FT_INT;
		out->multi = 0;
		return 0;
	case AW_XF_JOIN:
		if (o->args[0]->xform != AW_XF_STRING) {
			cc_error(cc, &o->pos, "join() takes a separator "
			    "string first");
			return -1;
		}
		out->type = FT_STR;
		out->multi = 0;
		return 0;
	case AW_XF_CONCAT:
		out->type = FT_STR;
		out->multi = 0;
		for (int i = 0; i < o->nargs; i++)
			if (!is_strtype(out->args[i]->type)) {
				cc_error(cc, &o->pos, "concat() takes string "
				    "arguments");
				return -1;
			}
		return 0;
	default:
		if (!is_strtype(out->args[0]->type)) {
			cc_error(cc, &o->pos, "transformer expects a string "
			    "field, got %s", type_name(out->args[0]->type));
			return -1;
		}
		out->type = FT_STR;
		return 0;
	}
}

/* ------------------------------------------------------------ checks */

static int
op_allowed(int t, int op)
{
	switch (t) {
	case FT_STR:
		return op != AW_OP_BCONTAINS && op != AW_OP_BSTARTSWITH;
	case FT_BYTES:
		return op == AW_OP_EQ || op == AW_OP_NE ||
		    op == AW_OP_CONTAINS || op == AW_OP_BCONTAINS ||
		    op == AW_OP_STARTSWITH || op == AW_OP_BSTARTSWITH ||
		    op == AW_OP_ENDSWITH || op == AW_OP_IN ||
		    op == AW_OP_INTERSECTS || op == AW_OP_EXISTS;
	case FT_INT:
	case FT_ABSTIME:
	case FT_RELTIME:
		return op == AW_OP_EQ || op == AW_OP_NE || op == AW_OP_LT ||
		    op == AW_OP_LE || op == AW_OP_GT || op == AW_OP_GE ||
		    op == AW_OP_IN || op == AW_OP_INTERSECTS ||
		    op == AW_OP_EXISTS;
	default:
		return op == AW_OP_EQ || op == AW_OP_NE || op == AW_OP_IN ||
		    op == AW_OP_INTERSECTS || op == AW_OP_EXISTS;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *
keep(struct ccheck *c, char *s)
{
	char **ns;

	if (s == NULL)
		return NULL;
	if ((ns = realloc(c->store, (c->nstore + 1) * sizeof(*ns))) == NULL) {
		free(s);
		return NULL;
	}
	c->store = ns;
	c->store[c->nstore++] = s;
	return s;
}

static int
parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;
	unsigned long long u;

	if (*s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (*end == '\0' && errno == 0) {
		*out = v;
		return 0;
	}
	errno = 0;
	u = strtoull(s, &end, 0);
	if (*end == '\0' && errno == 0 && s[0] != '-') {
		*out = (int64_t)u;
		return 0;
	}
	return -1;
}

static int
parse_ip(const char *s, struct cconst *k, int net)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	long pfx;
	char *end;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, k->ip) == 1)
		k->iplen = 4;
	else if (inet_pton(AF_INET6, buf, k->ip) == 1)
		k->iplen = 16;
	else
		return -1;
	k->prefix = (uint8_t)(k->iplen * 8);
	if (slash) {
		pfx = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || pfx < 0 ||
		    pfx > k->iplen * 8)
			return -1;
		k->prefix = (uint8_t)pfx;
		k->isnet = 1;
	} else if (net)
		k->isnet = 1;
	return 0;
}

/* How common a byte is in command lines and paths (lower: rarer), for
 * picking the byte a long text is scanned for (eval.c). A guess, not a
 * measurement: digits, separators and frequent English letters are
 * everywhere, punctuation such as '_' or '+' and letters such as k, q, x
 * much less. Only the speed of a search depends on it. */
static int
byte_rank(unsigned char c)
{
	static const char common[] = "etaoinsrhl";
	static const char middle[] = "dcumfpgwyb";

	if (c >= 0x80)
		return 0;
	if (c >= 'a' && c <= 'z')
		return strchr(common, c) ? 8 : strchr(middle, c) ? 5 : 2;
	if (c >= 'A' && c <= 'Z')
		return 3;
	if (c >= '0' && c <= '9')
		return 6;
	if (c == ' ' || c == '/' || c == '.' || c == '-' || c == '=')
		return 7;
	return 1;
}

static size_t
rarest_byte(const char *s, size_t len)
{
	size_t best = 0;

	for (size_t i = 1; i < len; i++)
		if (byte_rank((unsigned char)s[i]) <
		    byte_rank((unsigned char)s[best]))
			best = i;
	return best;
}

static int
convert_value(struct ccompiler *cc, struct ccheck *c,
    const struct aw_ast_value *v, struct cconst *k,
    const struct aw_srcpos *pos, const char *fname)
{
	memset(k, 0, sizeof(*k));
	k->s = v->s;
	k->len = v->len;
	switch (c->cmptype) {
	case FT_STR:
		if (c->op == AW_OP_ICONTAINS) {
			char *l = keep(c, xstrndup(v->s, v->len));
			if (l == NULL)
				return -1;
			for (size_t i = 0; i < v->len; i++)
				l[i] = (char)tolower((unsigned char)l[i]);
			k->lower = l;
			k->anchor = rarest_byte(l, v->len);
		} else if (c->op == AW_OP_CONTAINS)
			k->anchor = rarest_byte(v->s, v->len);
		return 0;
	case FT_BYTES:
		if (c->op == AW_OP_BCONTAINS || c->op == AW_OP_BSTARTSWITH) {
			char *b;
			if (v->len % 2 != 0)
				goto badhex;
			if ((b = keep(c, malloc(v->len / 2 + 1))) == NULL)
				return -1;
			for (size_t i = 0; i < v->len; i += 2) {
				int h = hexval((unsigned char)v->s[i]);
				int l = hexval((unsigned char)v->s[i + 1]);
				if (h < 0 || l < 0)
					goto badhex;
				b[i / 2] = (char)(h * 16 + l);
			}
			k->s = b;
			k->len = v->len / 2;
		}
		return 0;
badhex:
		cc_error(cc, pos, "'%s' is not a valid hex string for "
		    "operator '%s'", v->s, aw_op_name(c->op));
		return -1;
	case FT_INT:
	case FT_ABSTIME:
	case FT_RELTIME:
		if (parse_int(v->s, &k->i) != 0) {
			cc_error(cc, pos, "'%s' is not a valid number for "
			    "field '%s'", v->s, fname);
			return -1;
		}
		return 0;
	case FT_BOOL:
		if (strcmp(v->s, "true") == 0 || strcmp(v->s, "1") == 0)
			k->i = 1;
		else if (strcmp(v->s, "false") == 0 || strcmp(v->s, "0") == 0)
			k->i = 0;
		else {
			cc_error(cc, pos, "'%s' is not a valid boolean for "
			    "field '%s' (true or false)", v->s, fname);
			return -1;
		}
		return 0;
	case FT_IPADDR:
	case FT_IPNET:
		if (parse_ip(v->s, k, c->cmptype == FT_IPNET) != 0) {
			cc_error(cc, pos, "'%s' is not a valid IP address or "
			    "network for field '%s'", v->s, fname);
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

static int
cmp_const_str(const void *a, const void *b)
{
	const struct cconst *x = *(const struct cconst *const *)a;
	const struct cconst *y = *(const struct cconst *const *)b;
	int r;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	r = memcmp(x->s, y->s, x->len);
	return r;
}

static int
cmp_const_int(const void *a, const void *b)
{
	const struct cconst *x = *(const struct cconst *const *)a;
	const struct cconst *y = *(const struct cconst *const *)b;

	return x->i < y->i ? -1 : x->i > y->i;
}

static int
build_pmatch(struct ccheck *c)
{
	if ((c->pm = calloc(c->nvals, sizeof(*c->pm))) == NULL)
		return -1;
	c->npm = c->nvals;
	for (size_t i = 0; i < c->nvals; i++) {
		const char *p = c->vals[i].s;
		struct pm_entry *e = &c->pm[i];
		while (*p) {
			const char *q;
			char **nc;
			while (*p == '/')
				p++;
			if (*p == '\0')
				break;
			q = p;
			while (*q && *q != '/')
				q++;
			size_t *nl;
			if ((nc = realloc(e->comp, (size_t)(e->ncomp + 1) *
			    sizeof(*nc))) == NULL)
				return -1;
			e->comp = nc;
			if ((nl = realloc(e->clen, (size_t)(e->ncomp + 1) *
			    sizeof(*nl))) == NULL)
				return -1;
			e->clen = nl;
			nl[e->ncomp] = (size_t)(q - p);
			if ((e->comp[e->ncomp] = xstrndup(p, (size_t)(q - p))) ==
			    NULL)
				return -1;
			if (strpbrk(e->comp[e->ncomp], "*?["))
				e->glob = 1;
			e->ncomp++;
			p = q;
		}
	}
	return 0;
}

static struct ccheck *
cc_check(struct ccompiler *cc, struct aw_engine *e, struct cctx *C,
    const struct aw_ast *n)
{
	struct ccheck *c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
	const char *fname;
	int t;

	if (c == NULL) {
		cc_error(cc, &n->pos, "out of memory");
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->op = n->op;
	c->mod = n->mod;
	c->rhs_kind = n->rhs_kind;
	if (cc_operand(cc, n->lhs, &c->lhs, 0) != 0)
		goto fail;
	fname = n->lhs->xform == AW_XF_FIELD ? n->lhs->field : "transformer";
	t = c->cmptype = c->lhs.type;
	c->list = c->lhs.xform == AW_XF_FIELD &&
	    (c->lhs.f.def->flags & FF_LIST) != 0;
	c->slot = c->lhs.xform == AW_XF_FIELD ? c->lhs.f.slot : -1;
	if (c->lhs.xform == AW_XF_FIELD &&
	    (c->lhs.f.def->flags & FF_LIST) && c->op != AW_OP_EXISTS &&
	    c->op != AW_OP_IN && c->op != AW_OP_INTERSECTS &&
	    c->op != AW_OP_EQ && c->op != AW_OP_NE &&
	    c->op != AW_OP_CONTAINS && c->op != AW_OP_ICONTAINS &&
	    c->op != AW_OP_STARTSWITH && c->op != AW_OP_ENDSWITH) {
		cc_error(cc, &n->pos, "operator '%s' is not supported on the "
		    "list field '%s'", aw_op_name(c->op), fname);
		goto fail;
	}
	if (!op_allowed(t, c->op)) {
		cc_error(cc, &n->pos, "operator '%s' is not supported for "
		    "field '%s' of type %s", aw_op_name(c->op), fname,
		    type_name(t));
		goto fail;
	}
	if (c->mod != AW_MOD_NONE && (!is_strtype(t) || c->op == AW_OP_IN ||
	    c->op == AW_OP_INTERSECTS || c->op == AW_OP_PMATCH ||
	    c->op == AW_OP_EXISTS)) {
		cc_error(cc, &n->pos, "modifiers oneof/anyof/allof need a "
		    "string operator on a string field");
		goto fail;
	}
	switch (n->rhs_kind) {
	case AW_RHS_NONE:
		if (c->op != AW_OP_EXISTS) {
			cc_error(cc, &n->pos, "operator '%s' needs a value",
			    aw_op_name(c->op));
			goto fail;
		}
		c->evttype = n->lhs->xform == AW_XF_FIELD &&
		    strcmp(c->lhs.f.def->name, "evt.type") == 0;
		return c;
	case AW_RHS_LISTREF:
		cc_error(cc, &n->pos, "'%s' is not a defined list (lists must "
		    "be defined, or written as (a, b))", n->listref);
		goto fail;
	case AW_RHS_OPERAND:
		if (c->op == AW_OP_REGEX || c->op == AW_OP_PMATCH ||
		    t == FT_IPNET) {
			cc_error(cc, &n->pos, "operator '%s' on field '%s' "
			    "cannot compare against a field",
			    aw_op_name(c->op), fname);
			goto fail;
		}
		if ((c->rhs = calloc(1, sizeof(*c->rhs))) == NULL ||
		    cc_operand(cc, n->rhs, c->rhs, 1) != 0)
			goto fail;
		if (type_class(c->rhs->type) != type_class(t)) {
			cc_error(cc, &n->pos, "cannot compare %s field '%s' "
			    "with a %s value", type_name(t), fname,
			    type_name(c->rhs->type));
			goto fail;
		}
		return c;
	case AW_RHS_VALUE:
	case AW_RHS_LIST:
		break;
	}
	if (n->rhs_kind == AW_RHS_VALUE && n->nvalues != 1) {
		cc_error(cc, &n->pos, "internal error: value count");
		goto fail;
	}
	if ((c->vals = calloc(n->nvalues ? n->nvalues : 1,
	    sizeof(*c->vals))) == NULL)
		goto fail;
	for (size_t i = 0; i < n->nvalues; i++) {
		if (convert_value(cc, c, &n->values[i], &c->vals[i], &n->pos,
		    fname) != 0)
			goto fail;
		c->nvals++;
		if (strcmp(n->values[i].s, "<NA>") == 0 && C != NULL &&
		    first_na_warning(C, &n->pos))
			cwarn(C, &n->pos, "comparison with '<NA>' is unsafe: "
			    "a missing field makes the whole check false");
	}
	if (c->op == AW_OP_REGEX) {
		int ec;
		PCRE2_SIZE eo;
		c->re = pcre2_compile((PCRE2_SPTR)c->vals[0].s, c->vals[0].len,
		    PCRE2_ANCHORED | PCRE2_ENDANCHORED, &ec, &eo, NULL);
		if (c->re == NULL) {
			PCRE2_UCHAR msg[160];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			cc_error(cc, &n->pos, "invalid regular expression "
			    "'%s': %s at offset %zu", c->vals[0].s,
			    (char *)msg, (size_t)eo);
			goto fail;
		}
		pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
		if ((c->md = pcre2_match_data_create_from_pattern(c->re,
		    NULL)) == NULL ||
		    (c->mctx = pcre2_match_context_create(NULL)) == NULL)
			goto fail;
		/* Event strings are attacker-controlled: a pathological
		 * pattern must not stall the pipeline (no match, then). */
		pcre2_set_match_limit(c->mctx, 100000);
		pcre2_set_depth_limit(c->mctx, 10000);
	}
	if (c->op == AW_OP_PMATCH && build_pmatch(c) != 0)
		goto fail;
	if ((c->op == AW_OP_IN || c->op == AW_OP_INTERSECTS) &&
	    c->nvals > 0 && is_strtype(t)) {
		uint32_t cap = 8;
		while (cap < c->nvals * 2)
			cap *= 2;
		if ((c->htab = calloc(cap, sizeof(*c->htab))) == NULL)
			goto fail;
		c->hmask = cap - 1;
		for (size_t i = 0; i < c->nvals; i++) {
			uint64_t h = aw_hash(c->vals[i].s, c->vals[i].len);
			uint32_t k = (uint32_t)h & c->hmask;
			while (c->htab[k])
				k = (k + 1) & c->hmask;
			c->htab[k] = (h >> 32) << 32 | ((uint32_t)i + 1);
		}
	} else if ((c->op == AW_OP_IN || c->op == AW_OP_INTERSECTS) &&
	    c->nvals > 0 && type_class(t) == 1) {
		if ((c->sorted = calloc(c->nvals, sizeof(*c->sorted))) == NULL)
			goto fail;
		for (size_t i = 0; i < c->nvals; i++)
			c->sorted[i] = &c->vals[i];
		qsort(c->sorted, c->nvals, sizeof(*c->sorted),
		    is_strtype(t) ? cmp_const_str : cmp_const_int);
	}
	(void)e;
	c->evttype = n->lhs->xform == AW_XF_FIELD &&
	    strcmp(c->lhs.f.def->name, "evt.type") == 0 && c->lhs.f.arg == NULL;
	return c;
fail:
	if (!cc->err[0])
		cc_error(cc, &n->pos, "out of memory");
	ccheck_free(c);
	return NULL;
}

/*
 * `or` of comparisons of one string field with constants, as Falco's
 * rules write them (proc.cmdline contains "a" or proc.cmdline contains
 * "b" ..., proc.name = x or proc.name = y), becomes one check: `in` for
 * = and in, `anyof` for contains, icontains, startswith and endswith.
 * The value is the same for every event (each side is false when the
 * field is missing, and so is the merged check; `or` needs no order),
 * and the event pays one check where it paid one per constant: the
 * crypto-miner rule alone ran four on every exec. Fields with several
 * values stay apart when `in` would mean "all values" (FF_LIST), and so
 * does evt.type, which the index folds per syscall anyway.
 */
enum { MERGE_NONE = -1, MERGE_IN = AW_OP__COUNT };

static int
merge_class(const struct aw_ast *k)
{
	const struct aw_field *def;

	if (k->kind != AW_AST_CHECK || k->lhs->xform != AW_XF_FIELD ||
	    k->mod != AW_MOD_NONE || strcmp(k->lhs->field, "evt.type") == 0 ||
	    !(k->rhs_kind == AW_RHS_VALUE || (k->rhs_kind == AW_RHS_LIST &&
	    k->op == AW_OP_IN)))
		return MERGE_NONE;
	for (size_t i = 0; i < k->nvalues; i++)
		if (strcmp(k->values[i].s, "<NA>") == 0)
			return MERGE_NONE;	/* keep its own warning */
	def = aw_field_find(k->lhs->field, strlen(k->lhs->field));
	if (def == NULL || (def->flags & FF_LIST) ||
	    aw_field_type(def, k->lhs->arg) != FT_STR)
		return MERGE_NONE;
	switch (k->op) {
	case AW_OP_EQ:
	case AW_OP_IN:
		return MERGE_IN;
	case AW_OP_CONTAINS:
	case AW_OP_ICONTAINS:
	case AW_OP_STARTSWITH:
	case AW_OP_ENDSWITH:
		return k->op;
	default:
		return MERGE_NONE;
	}
}

static int
same_lhs(const struct aw_ast *a, const struct aw_ast *b)
{
	return strcmp(a->lhs->field, b->lhs->field) == 0 &&
	    (a->lhs->arg == NULL ? b->lhs->arg == NULL :
	    b->lhs->arg != NULL && strcmp(a->lhs->arg, b->lhs->arg) == 0);
}

static struct cnode *cc_node(struct ccompiler *, struct aw_engine *,
    struct cctx *, const struct aw_ast *);

/* kids[i] and the later kids of its class and field (marked in used),
 * compiled as one check. NULL with cc->err set, or on OOM. */
static struct cnode *
cc_merged(struct ccompiler *cc, struct aw_engine *e, struct cctx *C,
    const struct aw_ast *n, int i, char *used)
{
	const struct aw_ast *first = n->kids[i];
	int cls = merge_class(first);
	struct aw_ast m = *first;
	struct cnode *r;
	size_t nv = 0;

	for (int j = i; j < n->nkids; j++)
		if (!used[j] && merge_class(n->kids[j]) == cls &&
		    same_lhs(first, n->kids[j]))
			nv += n->kids[j]->nvalues;
	/* nv is 0 for `f in () or f in ()`: still one element */
	if ((m.values = calloc(nv ? nv : 1, sizeof(*m.values))) == NULL) {
		cc_error(cc, &first->pos, "out of memory");
		return NULL;
	}
	nv = 0;
	for (int j = i; j < n->nkids; j++) {
		const struct aw_ast *k = n->kids[j];
		if (used[j] || merge_class(k) != cls || !same_lhs(first, k))
			continue;
		used[j] = 1;
		for (size_t v = 0; v < k->nvalues; v++)
			m.values[nv++] = k->values[v];	/* borrowed */
	}
	m.nvalues = nv;
	m.rhs_kind = AW_RHS_LIST;
	m.op = cls == MERGE_IN ? AW_OP_IN : (enum aw_op)cls;
	m.mod = cls == MERGE_IN ? AW_MOD_NONE : AW_MOD_ANYOF;
	r = cc_node(cc, e, C, &m);
	free(m.values);
	return r;
}

/* How many checks kids[i] would merge with (itself included). */
static int
merge_count(const struct aw_ast *n, int i, const char *used)
{
	int cls = merge_class(n->kids[i]), k = 0;

	if (cls == MERGE_NONE)
		return 1;
	for (int j = i; j < n->nkids; j++)
		k += !used[j] && merge_class(n->kids[j]) == cls &&
		    same_lhs(n->kids[i], n->kids[j]);
	return k;
}

static struct cnode *
cc_or(struct ccompiler *cc, struct aw_engine *e, struct cctx *C,
    const struct aw_ast *n, struct cnode *c)
{
	char *used = calloc((size_t)n->nkids, 1);

	c->kind = CN_OR;
	if (used == NULL ||
	    (c->kids = calloc((size_t)n->nkids, sizeof(*c->kids))) == NULL) {
		free(used);
		free(c);
		return NULL;
	}
	for (int i = 0; i < n->nkids; i++) {
		struct cnode *k;
		if (used[i])
			continue;
		if (merge_count(n, i, used) > 1)
			k = cc_merged(cc, e, C, n, i, used);
		else
			k = cc_node(cc, e, C, n->kids[i]);
		if (k == NULL) {
			free(used);
			cnode_free(c);
			return NULL;
		}
		c->kids[c->nkids++] = k;
	}
	free(used);
	return c;
}

static struct cnode *
cc_node(struct ccompiler *cc, struct aw_engine *e, struct cctx *C,
    const struct aw_ast *n)
{
	struct cnode *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		cc_error(cc, &n->pos, "out of memory");
		return NULL;
	}
	switch (n->kind) {
	case AW_AST_OR:
		return cc_or(cc, e, C, n, c);
	case AW_AST_AND:
	case AW_AST_NOT:
		c->kind = n->kind == AW_AST_AND ? CN_AND : n->kind == AW_AST_OR ?
		    CN_OR : CN_NOT;
		if ((c->kids = calloc((size_t)n->nkids, sizeof(*c->kids))) ==
		    NULL) {
			free(c);
			return NULL;
		}
		for (int i = 0; i < n->nkids; i++) {
			if ((c->kids[i] = cc_node(cc, e, C, n->kids[i])) ==
			    NULL) {
				cnode_free(c);
				return NULL;
			}
			c->nkids = i + 1;
		}
		return c;
	case AW_AST_CHECK: {
		char *key = aw_ast_to_string(n);
		c->kind = CN_CHECK;
		if (key == NULL) {
			cc_error(cc, &n->pos, "out of memory");
			free(c);
			return NULL;
		}
		HASH_FIND_STR(cc->checks, key, c->chk);
		if (c->chk != NULL) {
			free(key);
			return c;
		}
		if ((c->chk = cc_check(cc, e, C, n)) == NULL) {
			free(key);
			free(c);
			return NULL;
		}
		c->chk->key = key;
		c->chk->id = cc->nchecks++;
		HASH_ADD_KEYPTR(hh, cc->checks, key, strlen(key), c->chk);
		return c;
	}
	case AW_AST_MACRO:
		cc_error(cc, &n->pos, "undefined macro '%s' used in filter",
		    n->ident);
		free(c);
		return NULL;
	}
	free(c);
	return NULL;
}

/* ------------------------------------------------------------ evt.type */

/* A set of event type names in insertion order (the order rules list
 * them, which aw_rule_info shows); names are not copied. Sets of a few
 * names are scanned; larger ones (a rule that is "not evt.type in (...)"
 * of long lists, unions over many macros) also get a hash index, so
 * building them is not quadratic. */
struct tset {
	int all;		/* all event types except names */
	const char **names;
	size_t n, cap;
	uint32_t *h;		/* index+1 into names, 0 empty; NULL: scan */
	uint32_t hmask;
};

#define TS_SCAN_MAX 8

static void
ts_free(struct tset *s)
{
	free(s->names);
	free(s->h);
	memset(s, 0, sizeof(*s));
}

static uint32_t *
ts_slot(const struct tset *s, const char *name)
{
	uint32_t k = (uint32_t)aw_hash(name, strlen(name)) & s->hmask;

	while (s->h[k] != 0 && strcmp(s->names[s->h[k] - 1], name) != 0)
		k = (k + 1) & s->hmask;
	return &s->h[k];
}

static int
ts_has(const struct tset *s, const char *name)
{
	if (s->h != NULL)
		return *ts_slot(s, name) != 0;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return 1;
	return 0;
}

/* (Re)build the hash index for at least twice n entries. */
static int
ts_index(struct tset *s)
{
	uint32_t cap = 16, *nh;

	while (cap < s->n * 2 + 2)
		cap *= 2;
	if ((nh = calloc(cap, sizeof(*nh))) == NULL)
		return -1;
	free(s->h);
	s->h = nh;
	s->hmask = cap - 1;
	for (size_t i = 0; i < s->n; i++)
		*ts_slot(s, s->names[i]) = (uint32_t)i + 1;
	return 0;
}

static void
ts_add(struct tset *s, const char *name)
{
	if (ts_has(s, name))
		return;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		const char **nv = realloc(s->names, nc * sizeof(*nv));
		if (nv == NULL)
			return;
		s->names = nv;
		s->cap = nc;
	}
	s->names[s->n++] = name;
	if (s->n <= TS_SCAN_MAX)
		return;
	if (s->h == NULL || s->n * 2 > s->hmask) {
		if (ts_index(s) != 0) {	/* out of memory: scan instead */
			free(s->h);
			s->h = NULL;
		}
		return;
	}
	*ts_slot(s, name) = (uint32_t)s->n;
}

/* a = a ∩ b (b consumed) */
static void
ts_inter(struct tset *a, struct tset *b)
{
	struct tset r;

	memset(&r, 0, sizeof(r));
	if (!a->all && !b->all) {
		for (size_t i = 0; i < a->n; i++)
			if (ts_has(b, a->names[i]))
				ts_add(&r, a->names[i]);
	} else if (!a->all || !b->all) {
		struct tset *set = a->all ? b : a, *co = a->all ? a : b;
		for (size_t i = 0; i < set->n; i++)
			if (!ts_has(co, set->names[i]))
				ts_add(&r, set->names[i]);
	} else {
		r.all = 1;
		for (size_t i = 0; i < a->n; i++)
			ts_add(&r, a->names[i]);
		for (size_t i = 0; i < b->n; i++)
			ts_add(&r, b->names[i]);
	}
	ts_free(a);
	ts_free(b);
	*a = r;
}

/* a = a ∪ b (b consumed) */
static void
ts_union(struct tset *a, struct tset *b)
{
	struct tset r;

	memset(&r, 0, sizeof(r));
	if (!a->all && !b->all) {
		for (size_t i = 0; i < a->n; i++)
			ts_add(&r, a->names[i]);
		for (size_t i = 0; i < b->n; i++)
			ts_add(&r, b->names[i]);
	} else if (!a->all || !b->all) {
		struct tset *set = a->all ? b : a, *co = a->all ? a : b;
		r.all = 1;
		for (size_t i = 0; i < co->n; i++)
			if (!ts_has(set, co->names[i]))
				ts_add(&r, co->names[i]);
	} else {
		r.all = 1;
		for (size_t i = 0; i < a->n; i++)
			if (ts_has(b, a->names[i]))
				ts_add(&r, a->names[i]);
	}
	ts_free(a);
	ts_free(b);
	*a = r;
}

/* Negation is pushed to the leaves: only evt.type checks narrow the set,
 * any other check may be true or false on any event. */
static void
ts_field(const struct aw_ast *n, int neg, const char *field,
    struct tset *out)
{
	memset(out, 0, sizeof(*out));
	switch (n->kind) {
	case AW_AST_NOT:
		ts_field(n->kids[0], !neg, field, out);
		return;
	case AW_AST_AND:
	case AW_AST_OR: {
		int inter = (n->kind == AW_AST_AND) != neg;
		ts_field(n->kids[0], neg, field, out);
		for (int i = 1; i < n->nkids; i++) {
			struct tset k;
			ts_field(n->kids[i], neg, field, &k);
			if (inter)
				ts_inter(out, &k);
			else
				ts_union(out, &k);
		}
		return;
	}
	case AW_AST_CHECK:
		if (n->lhs->xform == AW_XF_FIELD &&
		    strcmp(n->lhs->field, field) == 0 &&
		    n->lhs->arg == NULL &&
		    (n->rhs_kind == AW_RHS_VALUE ||
		    n->rhs_kind == AW_RHS_LIST) && n->mod == AW_MOD_NONE) {
			int positive;
			if (n->op == AW_OP_EQ || n->op == AW_OP_IN ||
			    n->op == AW_OP_INTERSECTS)
				positive = 1;
			else if (n->op == AW_OP_NE)
				positive = 0;
			else
				break;
			for (size_t i = 0; i < n->nvalues; i++)
				ts_add(out, n->values[i].s);
			out->all = positive == neg;
			return;
		}
		break;
	case AW_AST_MACRO:
		break;
	}
	out->all = 1;
}

static void
ts_compute(const struct aw_ast *n, int neg, struct tset *out)
{
	ts_field(n, neg, "evt.type", out);
}

/* ------------------------------------------------------------ availability */

struct avail {
	enum aw_avail worst;
	struct sbuf why;
	char seen[32][64];
	int nseen;
};

static void
avail_field(struct avail *a, const char *field, const char *arg)
{
	const struct aw_field *f = aw_field_find(field, strlen(field));
	const char *why, *dotarg = NULL, *dot;
	enum aw_avail av;
	char key[64];

	if (f == NULL && (dot = strrchr(field, '.')) != NULL) {
		f = aw_field_find(field, (size_t)(dot - field));
		dotarg = dot + 1;
	}
	if (f == NULL)
		return;
	av = aw_field_avail(f, arg ? arg : dotarg, &why);
	if (av == AV_YES)
		return;
	if (arg)
		snprintf(key, sizeof(key), "%s[%s]", field, arg);
	else
		snprintf(key, sizeof(key), "%s", field);
	for (int i = 0; i < a->nseen; i++)
		if (strcmp(a->seen[i], key) == 0)
			return;
	if (a->nseen < 32)
		snprintf(a->seen[a->nseen++], sizeof(a->seen[0]), "%s", key);
	if (av > a->worst)
		a->worst = av;
	if (a->why.len)
		sb_adds(&a->why, "; ");
	sb_printf(&a->why, "%s%s: %s", key, av == AV_NO ?
	    " (never available)" : "", why ? why : "not fully supplied by "
	    "audit");
}

static void
avail_operand(struct avail *a, const struct aw_ast_operand *o)
{
	if (o == NULL)
		return;
	if (o->xform == AW_XF_FIELD)
		avail_field(a, o->field, o->arg);
	for (int i = 0; i < o->nargs; i++)
		avail_operand(a, o->args[i]);
}

static void
avail_walk(struct avail *a, const struct aw_ast *n)
{
	for (int i = 0; i < n->nkids; i++)
		avail_walk(a, n->kids[i]);
	if (n->kind == AW_AST_CHECK) {
		avail_operand(a, n->lhs);
		avail_operand(a, n->rhs);
	}
}

/*
 * Fields the audit source never records on some syscalls. The field table
 * says what a field can supply in general; on these syscalls the kernel
 * logs one side of the connection only (connect: the server's address;
 * accept: the client's), so a rule that uses one of these fields and can
 * match only these syscalls is reported: its checks on it are always
 * false there, which must not go unsaid.
 */
static const char *const sc_client[] = { "connect", "sendto", "sendmsg",
    NULL };
static const char *const sc_server[] = { "accept", "accept4", NULL };
static const struct {
	const char *field;
	const char *const *sc;
} never_on[] = {
	{ "fd.name", sc_client }, { "fd.cip", sc_client },
	{ "fd.cport", sc_client }, { "fd.lip", sc_client },
	{ "fd.lport", sc_client }, { "fd.l4proto", sc_client },
	{ "fd.name", sc_server }, { "fd.sip", sc_server },
	{ "fd.lport", sc_server },
};

static int
operand_uses(const struct aw_ast_operand *o, const char *field)
{
	if (o == NULL)
		return 0;
	if (o->xform == AW_XF_FIELD)
		return strcmp(o->field, field) == 0;
	for (int i = 0; i < o->nargs; i++)
		if (operand_uses(o->args[i], field))
			return 1;
	return 0;
}

static int
ast_uses(const struct aw_ast *n, const char *field)
{
	for (int i = 0; i < n->nkids; i++)
		if (ast_uses(n->kids[i], field))
			return 1;
	return n->kind == AW_AST_CHECK && (operand_uses(n->lhs, field) ||
	    operand_uses(n->rhs, field));
}

static int
in_list(const char *s, const char *const *l)
{
	if (s == NULL)
		return 0;
	for (; *l != NULL; l++)
		if (strcmp(s, *l) == 0)
			return 1;
	return 0;
}

static void
warn_never_on(struct cctx *C, const struct rl_rule *r, const struct crule *cr)
{
	for (size_t k = 0; k < sizeof(never_on) / sizeof(never_on[0]); k++) {
		size_t i;

		if (cr->evttypes_all || cr->nevttypes == 0)
			return;
		for (i = 0; i < cr->nevttypes; i++)
			if (!in_list(cr->evttypes[i], never_on[k].sc))
				break;
		if (i < cr->nevttypes || !ast_uses(cr->ast, never_on[k].field))
			continue;
		cwarn(C, &r->pos, "%s is never recorded by audit on %s, "
		    "and this rule matches no other syscall: checks on it "
		    "are always false", never_on[k].field,
		    never_on[k].sc == sc_client ? "connect, sendto or "
		    "sendmsg" : "accept or accept4");
	}
}

/* Names of evt.type values in a tree that no table knows. */
static void
unknown_evttypes(const struct aw_ast *n, struct sbuf *b)
{
	for (int i = 0; i < n->nkids; i++)
		unknown_evttypes(n->kids[i], b);
	if (n->kind != AW_AST_CHECK || n->lhs->xform != AW_XF_FIELD ||
	    strcmp(n->lhs->field, "evt.type") != 0)
		return;
	for (size_t i = 0; i < n->nvalues; i++)
		if (!aw_evttype_known(n->values[i].s)) {
			if (b->len)
				sb_adds(b, ", ");
			sb_adds(b, n->values[i].s);
		}
}

/* ------------------------------------------------------------ rules */

/* Falco's append_output suggested_output: the container plugin's
 * suggested fields, unless the output already prints them. */
static char *
with_suggested(const struct aw_engine *e, const char *out)
{
	static const char *const sugg[][2] = {
		{ "container_id", "container.id" },
		{ "container_name", "container.name" },
	};
	struct sbuf b;

	sb_init(&b);
	if (out == NULL)
		out = "";	/* strstr() below must not get NULL */
	sb_adds(&b, out);
	if (e->opts.suggested_output) {
		for (size_t i = 0; i < 2; i++) {
			char tok[64];
			const char *p;
			int found = 0;
			snprintf(tok, sizeof(tok), "%%%s", sugg[i][1]);
			for (p = strstr(out, tok); p; p = strstr(p + 1, tok)) {
				char nx = p[strlen(tok)];
				if (!isalnum((unsigned char)nx) && nx != '_' &&
				    !(nx == '.' && isalpha((unsigned char)
				    p[strlen(tok) + 1])))
					found = 1;
			}
			if (!found)
				sb_printf(&b, " %s=%%%s", sugg[i][0],
				    sugg[i][1]);
		}
	}
	return sb_take(&b);
}

static char **
strv_dup(char **v, size_t n)
{
	char **c = calloc(n + 1, sizeof(*c));

	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((c[i] = strdup(v[i])) == NULL)
			return c;	/* partial copy: freed by caller */
	return c;
}

static void
set_state(struct crule *cr, enum aw_rule_state st, const char *why)
{
	cr->info.state = st;
	free(cr->reason);
	cr->reason = why ? strdup(why) : NULL;
}

static int
skip_or_fail(struct cctx *C, struct rl_rule *r, struct crule *cr,
    const struct aw_srcpos *fallback)
{
	struct ccompiler *cc = &C->e->cc;
	const struct aw_srcpos *pos = cc->errpos.line ? &cc->errpos : fallback;

	if (cc->unknown && r->skip_unknown) {
		cwarn(C, pos, "%s (rule skipped: skip-if-unknown-filter)",
		    cc->err);
		set_state(cr, AW_RULE_SKIPPED, cc->err);
		return 0;
	}
	cerr(C, pos, "%s", cc->err[0] ? cc->err : "cannot compile");
	return -1;
}

static int
compile_rule(struct cctx *C, struct rl_rule *r, struct crule *cr,
    struct mstack *st)
{
	struct aw_engine *e = C->e;
	struct ccompiler *cc = &e->cc;
	struct rl_cond cond;
	struct sbuf b;
	struct tset ts;
	struct avail av;
	int rc;

	snprintf(C->item, sizeof(C->item), "rule '%s'", r->name);
	cr->name = strdup(r->name);
	cr->desc = strdup(r->desc ? r->desc : "");
	cr->source = strdup(r->source ? r->source : "syscall");
	cr->tags = strv_dup(r->tags, r->ntags);
	cr->ntags = cr->tags ? r->ntags : 0;
	cr->index = r->index;
	cr->file_enabled = r->enabled;
	cr->info.pos = r->pos;
	cr->info.priority = r->priority;
	cr->info.state = AW_RULE_ACTIVE;
	if (!cr->name || !cr->desc || !cr->source || !cr->tags) {
		cerr(C, &r->pos, "out of memory");
		return -1;
	}
	if (r->broken)
		return -1;	/* its error was reported by the loader */
	if (strcmp(cr->source, "syscall") != 0) {
		char why[200];
		snprintf(why, sizeof(why), "source '%s' is not supported",
		    cr->source);
		cwarn(C, &r->pos, "%s; rule skipped", why);
		set_state(cr, AW_RULE_SKIPPED, why);
		return 0;
	}
	if ((rc = rule_condition(C, r, &cond)) != 0) {
		rl_cond_free(&cond);
		if (rc < 0)
			cerr(C, &r->pos, "out of memory");
		return -1;
	}
	cr->ast = parse_cond(C, &cond, &r->pos);
	rl_cond_free(&cond);
	if (cr->ast == NULL)
		return -1;
	st->n = 0;
	if (resolve(C, &cr->ast, MAX_VISIBILITY, st) != 0)
		return -1;

	sb_init(&b);
	unknown_evttypes(cr->ast, &b);
	if (b.len) {
		if (r->skip_unknown) {
			char why[300];
			snprintf(why, sizeof(why), "unknown event type(s): %s",
			    b.s);
			cwarn(C, &r->pos, "%s (rule skipped: "
			    "skip-if-unknown-filter)", why);
			set_state(cr, AW_RULE_SKIPPED, why);
			sb_free(&b);
			return 0;
		}
		cwarn(C, &r->pos, "unknown event type(s) %s will never match",
		    b.s);
	}
	sb_free(&b);

	cc->err[0] = '\0';
	cc->unknown = 0;
	cc->errpos = nopos;
	if ((cr->root = cc_node(cc, e, C, cr->ast)) == NULL)
		return skip_or_fail(C, r, cr, &r->pos);
	if ((cr->output = with_suggested(e, r->output)) == NULL) {
		cerr(C, &r->pos, "out of memory");
		return -1;
	}
	cc->err[0] = '\0';
	cc->unknown = 0;
	cc->errpos = nopos;
	if (cfmt_compile(cc, cr->output, &cr->fmt) != 0) {
		cc->errpos = r->output_pos;
		return skip_or_fail(C, r, cr, &r->output_pos);
	}

	ts_compute(cr->ast, 0, &ts);
	cr->evttypes_all = ts.all;
	cr->evttypes = calloc(ts.n + 1, sizeof(char *));
	for (size_t i = 0; cr->evttypes && i < ts.n; i++)
		if ((cr->evttypes[cr->nevttypes] = strdup(ts.names[i])) != NULL)
			cr->nevttypes++;
	ts_free(&ts);
	if (cr->evttypes == NULL) {
		cerr(C, &r->pos, "out of memory");
		return -1;
	}
	ts_field(cr->ast, 0, "proc.name", &ts);
	cr->pnames_all = ts.all;
	if (!ts.all && (cr->pnames = calloc(ts.n + 1, sizeof(char *))) ==
	    NULL)
		cr->pnames_all = 1;
	for (size_t i = 0; !cr->pnames_all && i < ts.n; i++)
		if ((cr->pnames[cr->npnames] = strdup(ts.names[i])) != NULL)
			cr->npnames++;
	ts_free(&ts);
	if (cr->evttypes_all && r->warn_evttypes && r->enabled)
		cwarn(C, &r->pos, "rule matches too many evt.type values; it "
		    "runs on every event (a significant performance penalty)");
	if (r->enabled)
		warn_never_on(C, r, cr);

	memset(&av, 0, sizeof(av));
	sb_init(&av.why);
	avail_walk(&av, cr->ast);
	if (av.worst == AV_NO && r->skip_unknown) {
		cwarn(C, &r->pos, "condition uses fields audit can never "
		    "supply (rule skipped: skip-if-unknown-filter): %s",
		    av.why.s);
		set_state(cr, AW_RULE_SKIPPED, av.why.s);
	} else if (av.worst != AV_YES) {
		set_state(cr, AW_RULE_PARTIAL, av.why.s);
		cr->partial_reason = av.why.s ? strdup(av.why.s) : NULL;
		if (r->enabled)
			cwarn(C, &r->pos, "loaded as partial: %s", av.why.s);
	}
	sb_free(&av.why);
	if (cr->info.state == AW_RULE_SKIPPED)
		return 0;
	if (!r->enabled)
		set_state(cr, AW_RULE_DISABLED, "enabled: false");
	else if ((int)r->priority > (int)e->opts.min_priority) {
		cr->below_priority = 1;
		set_state(cr, AW_RULE_DISABLED, "priority below the "
		    "configured minimum");
	}
	return 0;
}

void
aw_fill_info(struct crule *cr)
{
	struct aw_rule_info *i = &cr->info;

	i->name = cr->name;
	i->desc = cr->desc;
	i->output = cr->output ? cr->output : "";
	i->source = cr->source;
	i->reason = cr->reason;
	i->tags = (const char *const *)cr->tags;
	i->ntags = cr->ntags;
	i->evttypes = (const char *const *)cr->evttypes;
	i->nevttypes = cr->nevttypes;
	i->evttypes_all = cr->evttypes_all;
	i->condition = cr->ast;
}

static void
crule_free(struct crule *cr)
{
	free(cr->name);
	free(cr->desc);
	free(cr->output);
	free(cr->source);
	free(cr->reason);
	free(cr->partial_reason);
	for (size_t i = 0; cr->tags && cr->tags[i]; i++)
		free(cr->tags[i]);
	free(cr->tags);
	for (size_t i = 0; i < cr->nevttypes; i++)
		free(cr->evttypes[i]);
	free(cr->evttypes);
	for (size_t i = 0; i < cr->npnames; i++)
		free(cr->pnames[i]);
	free(cr->pnames);
	aw_ast_free(cr->ast);
	cnode_free(cr->root);
	cfmt_free(&cr->fmt);
	free(cr->tags_json);
	memset(cr, 0, sizeof(*cr));
}

static void
bucket_clear(struct bucket *b)
{
	struct pname_idx *p, *ptmp;

	HASH_ITER(hh, b->byname, p, ptmp) {
		HASH_DEL(b->byname, p);
		free(p->name);
		free(p->pos);
		free(p);
	}
	free(b->rules);
	free(b->entry);
	free(b->code);
	free(b->generic);
	free(b->name);
	memset(b, 0, sizeof(*b));
}

static void
free_buckets(struct aw_engine *e)
{
	struct bucket *b, *tmp;

	HASH_ITER(hh, e->buckets, b, tmp) {
		HASH_DEL(e->buckets, b);
		bucket_clear(b);
		free(b);
	}
	bucket_clear(&e->universal);
	bucket_clear(&e->nosys);
	for (size_t i = 0; i < e->nsyscalls; i++)
		free(e->syscalls[i]);
	free(e->syscalls);
	e->syscalls = NULL;
	e->nsyscalls = 0;
	e->all_syscalls = 0;
}

void
aw_rules_free(struct aw_engine *e)
{
	struct slotkey *k, *tmp;

	free_buckets(e);
	for (size_t i = 0; i < e->nrules; i++)
		crule_free(&e->rules[i]);
	free(e->rules);
	e->rules = NULL;
	e->nrules = 0;
	for (int i = 0; i < COL__COUNT; i++)
		free(e->cols[i].arg);
	memset(e->cols, 0, sizeof(e->cols));
	HASH_ITER(hh, e->cc.slots, k, tmp) {
		HASH_DEL(e->cc.slots, k);
		free(k->key);
		free(k);
	}
	e->cc.nslots = 0;
	{
		struct ccheck *c, *ctmp;
		HASH_ITER(hh, e->cc.checks, c, ctmp) {
			HASH_DEL(e->cc.checks, c);
			ccheck_free(c);
		}
		free(e->cc.byid);
		e->cc.byid = NULL;
		e->cc.nchecks = 0;
	}
}

/* Add r to b with its condition folded for b's syscall; a rule that can
 * never match there is left out. */
static int
bucket_push(struct aw_engine *e, struct bucket *b, struct crule *r, int fold)
{
	struct cnode *root = fold ? cnode_fold(r->root, &e->x, b->name) :
	    r->root;
	size_t cap = b->cap;
	int32_t entry;

	if (root == NULL)
		return -1;
	if (root->kind == CN_FALSE)
		return 0;
	entry = cnode_gen(b, root, PC_ACCEPT, PC_REJECT);
	cnode_free_folded(root);
	if (entry == INT32_MIN ||
	    grow((void **)&b->rules, &cap, b->n + 1, sizeof(*b->rules)) !=
	    0 || grow((void **)&b->entry, &b->cap, b->n + 1,
	    sizeof(*b->entry)) != 0)
		return -1;
	b->rules[b->n] = r;
	b->entry[b->n] = entry;
	if (r->pnames_all) {
		if (grow((void **)&b->generic, &b->capgeneric, b->ngeneric + 1,
		    sizeof(*b->generic)) != 0)
			return -1;
		b->generic[b->ngeneric++] = (int32_t)b->n;
	}
	for (size_t i = 0; !r->pnames_all && i < r->npnames; i++) {
		struct pname_idx *p;
		HASH_FIND_STR(b->byname, r->pnames[i], p);
		if (p == NULL) {
			if ((p = calloc(1, sizeof(*p))) == NULL ||
			    (p->name = strdup(r->pnames[i])) == NULL) {
				free(p);
				return -1;
			}
			HASH_ADD_KEYPTR(hh, b->byname, p->name,
			    strlen(p->name), p);
		}
		if (p->n > 0 && p->pos[p->n - 1] == (int32_t)b->n)
			continue;
		if (grow((void **)&p->pos, &p->cap, p->n + 1,
		    sizeof(*p->pos)) != 0)
			return -1;
		p->pos[p->n++] = (int32_t)b->n;
	}
	b->n++;
	return 0;
}

static int
rule_runs(const struct crule *r)
{
	return r->info.state == AW_RULE_ACTIVE ||
	    r->info.state == AW_RULE_PARTIAL;
}

static int
has_name(const struct crule *r, const char *name)
{
	for (size_t i = 0; i < r->nevttypes; i++)
		if (strcmp(r->evttypes[i], name) == 0)
			return 1;
	return 0;
}

static int
is_syscall_name(const char *name)
{
	static const int machines[] = { MACH_86_64, MACH_X86, MACH_AARCH64,
	    MACH_ARM, MACH_PPC64, MACH_S390X };

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (audit_name_to_syscall(name, machines[i]) >= 0)
			return 1;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
aw_build_index(struct aw_engine *e)
{
	struct bucket *b, *tmp;
	size_t i, cap = 0;

	free_buckets(e);
	memset(e->bcache, 0, sizeof(e->bcache));
	/* Checks by id, for the programs. */
	free(e->cc.byid);
	if ((e->cc.byid = calloc((size_t)e->cc.nchecks + 1,
	    sizeof(*e->cc.byid))) == NULL)
		return -1;
	{
		struct ccheck *c, *ctmp;
		HASH_ITER(hh, e->cc.checks, c, ctmp)
			e->cc.byid[c->id] = c;
	}
	/* One bucket per name any running rule lists. */
	for (i = 0; i < e->nrules; i++) {
		struct crule *r = &e->rules[i];
		if (!rule_runs(r))
			continue;
		/* Without a syscall evt.type is missing: fold exactly. */
		if (bucket_push(e, &e->nosys, r, 1) != 0)
			return -1;
		if (r->evttypes_all) {
			e->all_syscalls = 1;
			/* A syscall no rule names: evt.type checks cannot be
			 * decided in advance, keep the whole condition. */
			if (bucket_push(e, &e->universal, r, 0) != 0)
				return -1;
		}
		for (size_t k = 0; k < r->nevttypes; k++) {
			HASH_FIND_STR(e->buckets, r->evttypes[k], b);
			if (b != NULL)
				continue;
			if ((b = calloc(1, sizeof(*b))) == NULL ||
			    (b->name = strdup(r->evttypes[k])) == NULL) {
				free(b);
				return -1;
			}
			HASH_ADD_KEYPTR(hh, e->buckets, b->name,
			    strlen(b->name), b);
		}
	}
	/* Fill each bucket in rule order. */
	HASH_ITER(hh, e->buckets, b, tmp) {
		int needed = 0;
		for (i = 0; i < e->nrules; i++) {
			struct crule *r = &e->rules[i];
			if (!rule_runs(r))
				continue;
			if (!r->evttypes_all && has_name(r, b->name))
				needed = 1;
			if (r->evttypes_all ? !has_name(r, b->name) :
			    has_name(r, b->name))
				if (bucket_push(e, b, r, 1) != 0)
					return -1;
		}
		if (needed && is_syscall_name(b->name)) {
			if (grow((void **)&e->syscalls, &cap, e->nsyscalls + 1,
			    sizeof(char *)) != 0 ||
			    (e->syscalls[e->nsyscalls] = strdup(b->name)) ==
			    NULL)
				return -1;
			e->nsyscalls++;
		}
	}
	if (e->nsyscalls)
		qsort(e->syscalls, e->nsyscalls, sizeof(char *), cmp_str);
	return 0;
}

static int
compile_columns(struct cctx *C)
{
	static const char *names[COL__COUNT] = {
		[COL_CT_ID] = "container.id", [COL_CT_NAME] = "container.name",
		[COL_POD] = "k8s.pod.name", [COL_NS] = "k8s.ns.name",
		[COL_PROC] = "proc.name", [COL_CMDLINE] = "proc.cmdline",
		[COL_USER] = "user.name", [COL_FD] = "fd.name",
	};

	for (int i = 0; i < COL__COUNT; i++)
		if (cc_field(&C->e->cc, names[i], NULL, NULL,
		    &C->e->cols[i]) != 0) {
			cerr(C, NULL, "internal: column %s", names[i]);
			return -1;
		}
	return 0;
}

int
aw_compile(struct aw_engine *e, struct aw_diags *d)
{
	struct cctx C;
	struct rl_collector *col = &e->col;
	struct mstack *st;
	size_t i;

	memset(&C, 0, sizeof(C));
	C.e = e;
	C.col = col;
	C.d = d;
	aw_rules_free(e);
	expand_lists(&C);
	compile_macros(&C);
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (e->rules = calloc(col->nrules + 1, sizeof(*e->rules))) == NULL) {
		free(st);
		cerr(&C, NULL, "out of memory");
		return -1;
	}
	compile_columns(&C);
	for (i = 0; i < col->nrules; i++) {
		struct crule *cr = &e->rules[e->nrules++];
		if (compile_rule(&C, col->rules[i], cr, st) != 0)
			cr->info.state = AW_RULE_SKIPPED;
		aw_fill_info(cr);
	}
	free(st);
	C.item[0] = '\0';
	for (i = 0; i < col->nmacros; i++)
		if (!col->macros[i]->used) {
			snprintf(C.item, sizeof(C.item), "macro '%s'",
			    col->macros[i]->name);
			cwarn(&C, &col->macros[i]->pos, "macro not referred to "
			    "by any rule or macro");
		}
	for (i = 0; i < col->nlists; i++)
		if (!col->lists[i]->used) {
			snprintf(C.item, sizeof(C.item), "list '%s'",
			    col->lists[i]->name);
			cwarn(&C, &col->lists[i]->pos, "list not referred to by "
			    "any rule, macro or list");
		}
	e->nmacros = col->nmacros;
	e->nlists = col->nlists;
	if (C.errors == 0 && aw_build_index(e) != 0) {
		C.item[0] = '\0';
		cerr(&C, NULL, "out of memory building the evt.type index");
	}
	if (C.errors == 0 && xctx_prepare(&e->x, (size_t)e->cc.nslots,
	    (size_t)e->cc.nchecks) != 0)
		cerr(&C, NULL, "out of memory");
	if (C.errors) {
		/* Keep the rule list for the summary, but nothing runs. */
		free_buckets(e);
		e->failed = 1;
	}
	e->compiled = 1;
	return C.errors ? -1 : 0;
}
