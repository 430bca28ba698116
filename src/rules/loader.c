/*
 * loader.c — Falco rules files (YAML) → the collector.
 *
 * Each file is loaded with libyaml's document API (every document of the
 * stream in turn) and walked item by item, like Falco's rule_loader_reader
 * and rule_loader_collector:
 *   - list / macro / rule items, required_engine_version,
 *     required_plugin_versions; unknown items and keys are warnings;
 *   - redefining a name replaces it but keeps its original position;
 *   - `append: true` (deprecated) and `override: {key: append|replace}`;
 *   - one index counter over every item of every file gives the macro
 *     "visibility" compile.c needs.
 * Nothing is compiled here: conditions stay text, with a map back to the
 * YAML scalar they came from, so later errors can name file:line:column.
 * An error in one item is reported and the next item is still read, so a
 * check reports as much as it can in one run.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "rules/rules_int.h"

/* ------------------------------------------------------------ conditions */

void
rl_cond_free(struct rl_cond *c)
{
	free(c->s);
	free(c->segs);
	memset(c, 0, sizeof(*c));
}

static int
cond_add_seg(struct rl_cond *c, const struct rl_seg *seg)
{
	size_t cap = (size_t)c->capsegs;

	if (grow((void **)&c->segs, &cap, (size_t)c->nsegs + 1,
	    sizeof(*c->segs)) != 0)
		return -1;
	c->capsegs = (int)cap;
	c->segs[c->nsegs++] = *seg;
	return 0;
}

static int
cond_add_text(struct rl_cond *c, const char *s, size_t len)
{
	char *ns = realloc(c->s, c->len + len + 1);

	if (ns == NULL)
		return -1;
	memcpy(ns + c->len, s, len);
	c->s = ns;
	c->len += len;
	c->s[c->len] = '\0';
	return 0;
}

int
rl_cond_set(struct rl_cond *c, const char *s, size_t len,
    const struct rl_seg *seg)
{
	struct rl_seg sg = *seg;

	rl_cond_free(c);
	sg.off = 0;
	sg.len = len;
	if (cond_add_text(c, s, len) != 0 || cond_add_seg(c, &sg) != 0)
		return -1;
	return 0;
}

int
rl_cond_append_text(struct rl_cond *dst, const char *s, size_t len,
    const struct aw_srcpos *pos)
{
	struct rl_seg sg;

	memset(&sg, 0, sizeof(sg));
	sg.off = dst->len;
	sg.len = len;
	sg.pos = *pos;
	if (cond_add_text(dst, s, len) != 0)
		return -1;
	return cond_add_seg(dst, &sg);
}

/* dst += " " + src, keeping src's map. */
int
rl_cond_append(struct rl_cond *dst, const struct rl_cond *src)
{
	struct aw_srcpos sp = { NULL, 0, 0 };

	if (src->nsegs > 0)
		sp = src->segs[0].pos;
	if (rl_cond_append_text(dst, " ", 1, &sp) != 0)
		return -1;
	return rl_cond_cat(dst, src);
}

/* dst += src, keeping src's map. */
int
rl_cond_cat(struct rl_cond *dst, const struct rl_cond *src)
{
	size_t base;

	base = dst->len;
	if (cond_add_text(dst, src->s ? src->s : "", src->len) != 0)
		return -1;
	for (int i = 0; i < src->nsegs; i++) {
		struct rl_seg sg = src->segs[i];
		sg.off += base;
		if (cond_add_seg(dst, &sg) != 0)
			return -1;
	}
	return 0;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Map a scalar's value bytes to its source: non-blank characters of the
 * value appear in order in the source (folding only changes blanks), so
 * walking both in step gives each value byte a line and column. */
static void
map_scalar(const struct rl_cond *c, const struct rl_seg *sg,
    struct aw_srcpos *out)
{
	const char *src = sg->src, *end = sg->src + sg->srclen;
	int line = sg->pos.line, col = sg->pos.col;
	size_t i;

	if (sg->block) {
		while (src < end && *src != '\n')
			src++;
		if (src < end) {
			src++;
			line++;
			col = 1;
		}
	} else if (src < end && (*src == '"' || *src == '\'')) {
		src++;
		col++;
	}
	for (i = 0; i < sg->len; i++) {
		char v = c->s[sg->off + i];
		if (!is_space(v)) {
			while (src < end && is_space(*src)) {
				if (*src == '\n') {
					line++;
					col = 1;
				} else
					col++;
				src++;
			}
		}
		out[sg->off + i].file = sg->pos.file;
		out[sg->off + i].line = line;
		out[sg->off + i].col = col;
		if (!is_space(v) && src < end) {
			src++;
			col++;
		}
	}
}

struct aw_srcpos *
rl_cond_posmap(const struct rl_cond *c)
{
	struct aw_srcpos *m = calloc(c->len + 1, sizeof(*m));
	int i;

	if (m == NULL)
		return NULL;
	for (i = 0; i < c->nsegs; i++) {
		const struct rl_seg *sg = &c->segs[i];
		if (sg->off + sg->len > c->len)
			continue;
		if (sg->src == NULL) {
			for (size_t k = 0; k < sg->len; k++)
				m[sg->off + k] = sg->pos;
		} else
			map_scalar(c, sg, m);
	}
	/* The end position: just after the last byte. */
	if (c->len > 0) {
		m[c->len] = m[c->len - 1];
		m[c->len].col++;
	} else if (c->nsegs > 0)
		m[0] = c->segs[0].pos;
	return m;
}

/* ------------------------------------------------------------ collector */

void
rl_collector_init(struct rl_collector *c)
{
	memset(c, 0, sizeof(*c));
}

static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
exval_free(struct rl_exval *v)
{
	free(v->item);
	strv_free(v->items, v->nitems);
}

void
rl_exceptions_free(struct rl_exception *ex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ex[i].name);
		strv_free(ex[i].fields, ex[i].nfields);
		strv_free(ex[i].comps, ex[i].ncomps);
		for (size_t j = 0; j < ex[i].nvalues; j++) {
			struct rl_exentry *e = &ex[i].values[j];
			for (size_t k = 0; k < e->nvals; k++)
				exval_free(&e->vals[k]);
			free(e->vals);
			exval_free(&e->one);
		}
		free(ex[i].values);
	}
	free(ex);
}

static void
list_free(struct rl_list *l)
{
	free(l->name);
	strv_free(l->items, l->nitems);
	strv_free(l->exp, l->nexp);
	free(l);
}

static void
macro_free(struct rl_macro *m)
{
	free(m->name);
	rl_cond_free(&m->cond);
	aw_ast_free(m->ast);
	free(m);
}

static void
rule_fields_free(struct rl_rule *r)
{
	free(r->desc);
	rl_cond_free(&r->cond);
	free(r->output);
	strv_free(r->tags, r->ntags);
	free(r->source);
	rl_exceptions_free(r->ex, r->nex);
	r->desc = r->output = r->source = NULL;
	r->tags = NULL;
	r->ntags = 0;
	r->ex = NULL;
	r->nex = 0;
}

static void
rule_free(struct rl_rule *r)
{
	free(r->name);
	rule_fields_free(r);
	free(r);
}

void
rl_collector_free(struct rl_collector *c)
{
	size_t i;

	HASH_CLEAR(hh, c->list_by_name);
	HASH_CLEAR(hh, c->macro_by_name);
	HASH_CLEAR(hh, c->rule_by_name);
	for (i = 0; i < c->nlists; i++)
		list_free(c->lists[i]);
	free(c->lists);
	for (i = 0; i < c->nmacros; i++)
		macro_free(c->macros[i]);
	free(c->macros);
	for (i = 0; i < c->nrules; i++)
		rule_free(c->rules[i]);
	free(c->rules);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i].buf);
	free(c->files);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------ reading */

struct ld {
	struct rl_collector *c;
	const char *file;
	const char *buf;
	size_t len;
	yaml_document_t *doc;
	struct aw_diags *d;
	int errors;
	char item[300];		/* "rule 'x'" for messages */
};

static struct aw_srcpos
npos(const struct ld *L, const yaml_node_t *n)
{
	struct aw_srcpos p = { L->file, 0, 0 };

	if (n != NULL) {
		p.line = (int)n->start_mark.line + 1;
		p.col = (int)n->start_mark.column + 1;
	}
	return p;
}

/* One diagnostic at node n, for the item being loaded. */
static void
ldiag(struct ld *L, enum aw_diag_level lvl, const yaml_node_t *n,
    const char *fmt, va_list ap)
{
	char msg[600];
	struct aw_srcpos p = npos(L, n);

	vsnprintf(msg, sizeof(msg), fmt, ap);
	aw_diags_add(L->d, lvl, &p, L->item[0] ? L->item : NULL, "%s", msg);
}

static void
lerr(struct ld *L, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
lerr(struct ld *L, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ldiag(L, AW_DIAG_ERROR, n, fmt, ap);
	va_end(ap);
	L->errors++;
}

static void
lwarn(struct ld *L, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
lwarn(struct ld *L, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ldiag(L, AW_DIAG_WARNING, n, fmt, ap);
	va_end(ap);
}

static yaml_node_t *
node(struct ld *L, int idx)
{
	return yaml_document_get_node(L->doc, idx);
}

static int
is_scalar(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE;
}

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static size_t
slen(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

/* A YAML null: empty plain scalar, ~ or null. */
static int
is_null(const yaml_node_t *n)
{
	if (n == NULL)
		return 1;
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return slen(n) == 0 || strcmp(sval(n), "~") == 0 ||
	    strcasecmp(sval(n), "null") == 0;
}

static yaml_node_t *
map_get(struct ld *L, yaml_node_t *map, const char *key, yaml_node_t **keynode)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = node(L, p->key);
		if (is_scalar(k) && strcmp(sval(k), key) == 0) {
			if (keynode)
				*keynode = k;
			return node(L, p->value);
		}
	}
	return NULL;
}

/* Warn about keys not in `allowed` (NULL-terminated). */
static void
check_keys(struct ld *L, yaml_node_t *map, const char *const *allowed,
    const char *what)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = node(L, p->key);
		const char *const *a;
		if (!is_scalar(k)) {
			lwarn(L, k, "non-scalar key in %s ignored", what);
			continue;
		}
		for (a = allowed; *a; a++)
			if (strcmp(*a, sval(k)) == 0)
				break;
		if (*a == NULL)
			lwarn(L, k, "unknown key '%s' in %s (will be ignored)",
			    sval(k), what);
	}
}

static int
parse_bool(const char *s, int *out)
{
	static const char *t[] = { "true", "yes", "on", "y" };
	static const char *f[] = { "false", "no", "off", "n" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, t[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, f[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Read an optional boolean key; returns 1 if present and valid, 0 if
 * absent, -1 on error (reported). */
static int
get_bool(struct ld *L, yaml_node_t *map, const char *key, int *out)
{
	yaml_node_t *v = map_get(L, map, key, NULL);

	if (v == NULL)
		return 0;
	if (!is_scalar(v) || parse_bool(sval(v), out) != 0) {
		lerr(L, v, "value of '%s' must be a boolean (true or false)",
		    key);
		return -1;
	}
	return 1;
}

/* Required or optional scalar string. */
static int
get_str(struct ld *L, yaml_node_t *map, const char *key, yaml_node_t **vn)
{
	yaml_node_t *v = map_get(L, map, key, NULL);

	*vn = NULL;
	if (v == NULL)
		return 0;
	if (!is_scalar(v)) {
		lerr(L, v, "value of '%s' must be a string", key);
		return -1;
	}
	*vn = v;
	return 1;
}

static char *
trimmed(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* Condition scalar → rl_cond with its source map. */
static int
cond_from_node(struct ld *L, yaml_node_t *v, struct rl_cond *c)
{
	struct rl_seg sg;

	memset(&sg, 0, sizeof(sg));
	sg.pos = npos(L, v);
	if (v->start_mark.index <= L->len) {
		sg.src = L->buf + v->start_mark.index;
		sg.srclen = L->len - v->start_mark.index;
		if (v->end_mark.index >= v->start_mark.index &&
		    v->end_mark.index <= L->len)
			sg.srclen = v->end_mark.index - v->start_mark.index;
	}
	sg.block = v->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
	    v->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
	if (rl_cond_set(c, sval(v), slen(v), &sg) != 0) {
		lerr(L, v, "out of memory");
		return -1;
	}
	return 0;
}

/* Sequence of scalars → string vector. */
static int
get_strv(struct ld *L, yaml_node_t *v, const char *key, char ***out,
    size_t *n)
{
	yaml_node_item_t *it;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (v->type != YAML_SEQUENCE_NODE) {
		lerr(L, v, "value of '%s' must be a sequence", key);
		return -1;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++) {
		yaml_node_t *e = node(L, *it);
		if (!is_scalar(e)) {
			lerr(L, e, "items of '%s' must be strings", key);
			strv_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		if (grow((void **)out, &cap, *n + 1, sizeof(**out)) != 0 ||
		    ((*out)[*n] = xstrndup(sval(e), slen(e))) == NULL) {
			lerr(L, e, "out of memory");
			strv_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static int
strv_append(char ***v, size_t *n, char **add, size_t nadd, int unique)
{
	for (size_t i = 0; i < nadd; i++) {
		size_t j;
		char **nv;
		if (unique) {
			for (j = 0; j < *n; j++)
				if (strcmp((*v)[j], add[i]) == 0)
					break;
			if (j < *n)
				continue;
		}
		if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		if ((nv[*n] = strdup(add[i])) == NULL)
			return -1;
		(*n)++;
	}
	return 0;
}

/* ------------------------------------------------------------ override */

enum { OV_NONE, OV_APPEND, OV_REPLACE };

struct ovspec {
	const char *key;
	int can_append, can_replace;
	int mode;		/* what the item asks for */
};

/* Read `override:`; fill spec[].mode. -1 on error. */
static int
read_override(struct ld *L, yaml_node_t *item, yaml_node_t *ov,
    struct ovspec *spec, size_t nspec)
{
	yaml_node_pair_t *p;
	size_t i;
	int bad = 0;

	if (ov->type != YAML_MAPPING_NODE) {
		lerr(L, ov, "value of 'override' must be a map of keys to "
		    "'append' or 'replace'");
		return -1;
	}
	for (p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *k = node(L, p->key), *v = node(L, p->value);
		int mode;
		if (!is_scalar(k) || !is_scalar(v)) {
			lerr(L, k, "override entries must be 'key: append' or "
			    "'key: replace'");
			bad = 1;
			continue;
		}
		if (strcmp(sval(v), "append") == 0)
			mode = OV_APPEND;
		else if (strcmp(sval(v), "replace") == 0)
			mode = OV_REPLACE;
		else {
			lerr(L, v, "invalid override '%s' for key '%s': "
			    "expected 'append' or 'replace'", sval(v),
			    sval(k));
			bad = 1;
			continue;
		}
		for (i = 0; i < nspec; i++)
			if (strcmp(spec[i].key, sval(k)) == 0)
				break;
		if (i == nspec || (mode == OV_APPEND && !spec[i].can_append) ||
		    (mode == OV_REPLACE && !spec[i].can_replace)) {
			lerr(L, k, "key '%s' cannot be %s", sval(k),
			    mode == OV_APPEND ? "appended to" : "replaced");
			bad = 1;
			continue;
		}
		spec[i].mode = mode;
		if (map_get(L, item, spec[i].key, NULL) == NULL) {
			lerr(L, k, "an %s override for '%s' was specified but "
			    "'%s' is not defined", sval(v), spec[i].key,
			    spec[i].key);
			bad = 1;
		}
	}
	/* Every overridable key present must be named under override. */
	for (i = 0; i < nspec; i++) {
		yaml_node_t *kn = NULL;
		if (spec[i].mode == OV_NONE &&
		    map_get(L, item, spec[i].key, &kn) != NULL) {
			lerr(L, kn, "unexpected key '%s': no corresponding "
			    "entry under 'override'", spec[i].key);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------ lists */

static int
valid_list_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (strchr("()\"'=, \t\n\r\v\f", *s))
			return 0;
	return 1;
}

static int
valid_macro_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static void
load_list(struct ld *L, yaml_node_t *item)
{
	static const char *const keys[] = { "list", "items", "append",
	    "override", NULL };
	struct ovspec spec[] = { { "items", 1, 1, OV_NONE } };
	yaml_node_t *nn, *items, *ov;
	struct rl_list *l, *prev;
	char **v = NULL;
	size_t n = 0;
	int append = 0, replace = 0;

	if (get_str(L, item, "list", &nn) <= 0 || slen(nn) == 0) {
		if (nn && slen(nn) == 0)
			lerr(L, nn, "list name is empty");
		return;
	}
	snprintf(L->item, sizeof(L->item), "list '%s'", sval(nn));
	check_keys(L, item, keys, "a list");
	if (!valid_list_name(sval(nn)))
		lwarn(L, nn, "list has an invalid name; list names should "
		    "match the regular expression [^()\"'\\s=,]+");
	if (get_bool(L, item, "append", &append) < 0)
		return;
	if ((ov = map_get(L, item, "override", NULL)) != NULL) {
		if (append) {
			lerr(L, ov, "keys 'override' and 'append: true' "
			    "cannot be used together");
			return;
		}
		if (read_override(L, item, ov, spec, 1) != 0)
			return;
		append = spec[0].mode == OV_APPEND;
		replace = spec[0].mode == OV_REPLACE;
	} else if (append)
		lwarn(L, item, "'append' key is deprecated; use 'override' "
		    "instead");
	if ((items = map_get(L, item, "items", NULL)) == NULL) {
		lerr(L, item, "item has no mapping for key 'items'");
		return;
	}
	if (!is_null(items) || items->type != YAML_SCALAR_NODE) {
		if (get_strv(L, items, "items", &v, &n) != 0)
			return;
	}
	HASH_FIND_STR(L->c->list_by_name, sval(nn), prev);
	if (append || replace) {
		if (prev == NULL) {
			lerr(L, nn, "list has 'append' key or an override, but "
			    "no list by that name already exists");
			strv_free(v, n);
			return;
		}
		if (replace) {
			strv_free(prev->items, prev->nitems);
			prev->items = NULL;
			prev->nitems = 0;
		}
		if (strv_append(&prev->items, &prev->nitems, v, n, 0) != 0)
			lerr(L, nn, "out of memory");
		prev->visibility = L->c->cur_index++;
		strv_free(v, n);
		return;
	}
	if (prev != NULL) {
		/* Redefinition: replace, keep the original position. */
		strv_free(prev->items, prev->nitems);
		prev->items = v;
		prev->nitems = n;
		prev->pos = npos(L, nn);
		prev->visibility = L->c->cur_index++;
		return;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->name = strdup(sval(nn))) == NULL ||
	    grow((void **)&L->c->lists, &L->c->caplists, L->c->nlists + 1,
	    sizeof(*L->c->lists)) != 0) {
		if (l)
			free(l->name);
		free(l);
		strv_free(v, n);
		lerr(L, nn, "out of memory");
		return;
	}
	l->items = v;
	l->nitems = n;
	l->pos = npos(L, nn);
	l->index = l->visibility = L->c->cur_index++;
	L->c->lists[L->c->nlists++] = l;
	HASH_ADD_KEYPTR(hh, L->c->list_by_name, l->name, strlen(l->name), l);
}

/* ------------------------------------------------------------ macros */

static void
load_macro(struct ld *L, yaml_node_t *item)
{
	static const char *const keys[] = { "macro", "condition", "append",
	    "override", NULL };
	struct ovspec spec[] = { { "condition", 1, 1, OV_NONE } };
	yaml_node_t *nn, *cn, *ov;
	struct rl_macro *m, *prev;
	struct rl_cond cond;
	int append = 0, replace = 0;

	if (get_str(L, item, "macro", &nn) <= 0 || slen(nn) == 0) {
		if (nn && slen(nn) == 0)
			lerr(L, nn, "macro name is empty");
		return;
	}
	snprintf(L->item, sizeof(L->item), "macro '%s'", sval(nn));
	check_keys(L, item, keys, "a macro");
	if (!valid_macro_name(sval(nn)))
		lwarn(L, nn, "macro has an invalid name; macro names should "
		    "match the regular expression ^[a-zA-Z_][a-zA-Z0-9_]*$");
	if (get_bool(L, item, "append", &append) < 0)
		return;
	if ((ov = map_get(L, item, "override", NULL)) != NULL) {
		if (append) {
			lerr(L, ov, "keys 'override' and 'append: true' "
			    "cannot be used together");
			return;
		}
		if (read_override(L, item, ov, spec, 1) != 0)
			return;
		append = spec[0].mode == OV_APPEND;
		replace = spec[0].mode == OV_REPLACE;
	} else if (append)
		lwarn(L, item, "'append' key is deprecated; use 'override' "
		    "instead");
	if (get_str(L, item, "condition", &cn) <= 0) {
		if (cn == NULL && map_get(L, item, "condition", NULL) == NULL)
			lerr(L, item, "item has no mapping for key "
			    "'condition'");
		return;
	}
	memset(&cond, 0, sizeof(cond));
	if (cond_from_node(L, cn, &cond) != 0)
		return;
	HASH_FIND_STR(L->c->macro_by_name, sval(nn), prev);
	if (append || replace) {
		if (prev == NULL) {
			lerr(L, nn, "macro has 'append' key or an override, "
			    "but no macro by that name already exists");
			rl_cond_free(&cond);
			return;
		}
		if (replace) {
			rl_cond_free(&prev->cond);
			prev->cond = cond;
		} else {
			if (rl_cond_append(&prev->cond, &cond) != 0)
				lerr(L, nn, "out of memory");
			rl_cond_free(&cond);
		}
		prev->visibility = L->c->cur_index++;
		return;
	}
	if (prev != NULL) {
		rl_cond_free(&prev->cond);
		prev->cond = cond;
		prev->pos = npos(L, nn);
		prev->visibility = L->c->cur_index++;
		return;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->name = strdup(sval(nn))) == NULL ||
	    grow((void **)&L->c->macros, &L->c->capmacros, L->c->nmacros + 1,
	    sizeof(*L->c->macros)) != 0) {
		if (m)
			free(m->name);
		free(m);
		rl_cond_free(&cond);
		lerr(L, nn, "out of memory");
		return;
	}
	m->cond = cond;
	m->pos = npos(L, nn);
	m->index = m->visibility = L->c->cur_index++;
	L->c->macros[L->c->nmacros++] = m;
	HASH_ADD_KEYPTR(hh, L->c->macro_by_name, m->name, strlen(m->name), m);
}

/* ------------------------------------------------------------ exceptions */

static int
read_exval(struct ld *L, yaml_node_t *v, struct rl_exval *out)
{
	memset(out, 0, sizeof(*out));
	if (is_scalar(v)) {
		if ((out->item = xstrndup(sval(v), slen(v))) == NULL)
			return -1;
		return 0;
	}
	out->is_list = 1;
	return get_strv(L, v, "values", &out->items, &out->nitems);
}

/* Scalar or sequence of scalars. */
static int
read_str_or_list(struct ld *L, yaml_node_t *v, const char *key, int *is_list,
    char ***out, size_t *n)
{
	if (is_scalar(v)) {
		*is_list = 0;
		*n = 1;
		if ((*out = calloc(1, sizeof(**out))) == NULL ||
		    ((*out)[0] = xstrndup(sval(v), slen(v))) == NULL)
			return -1;
		return 0;
	}
	*is_list = 1;
	return get_strv(L, v, key, out, n);
}

static int
read_exception(struct ld *L, yaml_node_t *e, struct rl_exception *ex)
{
	static const char *const keys[] = { "name", "fields", "comps",
	    "values", NULL };
	yaml_node_t *nn, *f, *c, *vals;
	yaml_node_item_t *it;
	size_t cap = 0;

	memset(ex, 0, sizeof(*ex));
	ex->pos = npos(L, e);
	if (e->type != YAML_MAPPING_NODE) {
		lerr(L, e, "exceptions must be maps with name, fields, comps "
		    "and values");
		return -1;
	}
	check_keys(L, e, keys, "an exception");
	if (get_str(L, e, "name", &nn) <= 0) {
		if (map_get(L, e, "name", NULL) == NULL)
			lerr(L, e, "item has no mapping for key 'name'");
		return -1;
	}
	if ((ex->name = xstrndup(sval(nn), slen(nn))) == NULL)
		return -1;
	if ((f = map_get(L, e, "fields", NULL)) != NULL) {
		ex->has_fields = 1;
		if (read_str_or_list(L, f, "fields", &ex->fields_is_list,
		    &ex->fields, &ex->nfields) != 0)
			return -1;
	}
	if ((c = map_get(L, e, "comps", NULL)) != NULL) {
		ex->has_comps = 1;
		if (read_str_or_list(L, c, "comps", &ex->comps_is_list,
		    &ex->comps, &ex->ncomps) != 0)
			return -1;
	}
	if ((vals = map_get(L, e, "values", NULL)) == NULL || is_null(vals))
		return 0;
	if (vals->type != YAML_SEQUENCE_NODE) {
		lerr(L, vals, "exception values must be a sequence");
		return -1;
	}
	for (it = vals->data.sequence.items.start;
	    it < vals->data.sequence.items.top; it++) {
		yaml_node_t *v = node(L, *it);
		struct rl_exentry *en;
		if (grow((void **)&ex->values, &cap, ex->nvalues + 1,
		    sizeof(*ex->values)) != 0)
			return -1;
		en = &ex->values[ex->nvalues++];
		memset(en, 0, sizeof(*en));
		if (is_scalar(v)) {
			if (read_exval(L, v, &en->one) != 0)
				return -1;
			continue;
		}
		if (v->type != YAML_SEQUENCE_NODE) {
			lerr(L, v, "exception values must be strings or "
			    "lists");
			return -1;
		}
		en->is_list = 1;
		for (yaml_node_item_t *j = v->data.sequence.items.start;
		    j < v->data.sequence.items.top; j++) {
			struct rl_exval *nv = realloc(en->vals, (en->nvals +
			    1) * sizeof(*nv));
			if (nv == NULL)
				return -1;
			en->vals = nv;
			if (read_exval(L, node(L, *j), &en->vals[en->nvals]) !=
			    0)
				return -1;
			en->nvals++;
		}
	}
	return 0;
}

static int
read_exceptions(struct ld *L, yaml_node_t *v, struct rl_exception **out,
    size_t *n)
{
	yaml_node_item_t *it;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE) {
		lerr(L, v, "value of 'exceptions' must be a sequence");
		return -1;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++) {
		if (grow((void **)out, &cap, *n + 1, sizeof(**out)) != 0)
			goto fail;
		(*n)++;
		if (read_exception(L, node(L, *it), &(*out)[*n - 1]) != 0)
			goto fail;
		for (size_t k = 0; k + 1 < *n; k++)
			if (strcmp((*out)[k].name, (*out)[*n - 1].name) == 0)
				lwarn(L, node(L, *it), "multiple exceptions "
				    "named '%s'", (*out)[k].name);
	}
	return 0;
fail:
	if (L->errors == 0)
		lerr(L, v, "out of memory");
	rl_exceptions_free(*out, *n);
	*out = NULL;
	*n = 0;
	return -1;
}

/* Fill default comps and check the shapes (validate_exception_info). */
static int
validate_exception(struct ld *L, yaml_node_t *at, struct rl_exception *ex)
{
	size_t i;

	if (!ex->has_fields)
		return 0;
	if (ex->fields_is_list) {
		if (!ex->has_comps) {
			ex->has_comps = ex->comps_is_list = 1;
			ex->ncomps = ex->nfields;
			if ((ex->comps = calloc(ex->nfields + 1,
			    sizeof(char *))) == NULL)
				return -1;
			for (i = 0; i < ex->nfields; i++)
				if ((ex->comps[i] = strdup("=")) == NULL)
					return -1;
		}
		if (!ex->comps_is_list || ex->ncomps != ex->nfields) {
			lerr(L, at, "exception '%s': fields and comps lists "
			    "must have equal length", ex->name);
			return -1;
		}
		for (i = 0; i < ex->nvalues; i++) {
			if (!ex->values[i].is_list ||
			    ex->values[i].nvals != ex->nfields) {
				lerr(L, at, "exception '%s': fields and values "
				    "lists must have equal length", ex->name);
				return -1;
			}
		}
	} else {
		if (!ex->has_comps) {
			ex->has_comps = 1;
			ex->ncomps = 1;
			if ((ex->comps = calloc(1, sizeof(char *))) == NULL ||
			    (ex->comps[0] = strdup("in")) == NULL)
				return -1;
		}
		if (ex->comps_is_list) {
			lerr(L, at, "exception '%s': fields and comps must "
			    "both be strings", ex->name);
			return -1;
		}
		for (i = 0; i < ex->nvalues; i++) {
			if (ex->values[i].is_list) {
				lerr(L, at, "exception '%s': expected values "
				    "array to contain a list of strings",
				    ex->name);
				return -1;
			}
		}
	}
	return 0;
}

/* Add `add` to `dst` by name (rule append / override append). */
static int
append_exceptions(struct ld *L, yaml_node_t *at, struct rl_rule *dst,
    struct rl_exception *add, size_t nadd)
{
	for (size_t i = 0; i < nadd; i++) {
		struct rl_exception *ex = NULL;
		for (size_t k = 0; k < dst->nex; k++)
			if (strcmp(dst->ex[k].name, add[i].name) == 0)
				ex = &dst->ex[k];
		if (ex == NULL) {
			struct rl_exception *nv;
			if (!add[i].has_fields) {
				lerr(L, at, "rule exception '%s' must have a "
				    "'fields' property", add[i].name);
				return -1;
			}
			if (validate_exception(L, at, &add[i]) != 0)
				return -1;
			nv = realloc(dst->ex, (dst->nex + 1) * sizeof(*nv));
			if (nv == NULL)
				return -1;
			dst->ex = nv;
			dst->ex[dst->nex++] = add[i];
			memset(&add[i], 0, sizeof(add[i]));
			continue;
		}
		if (add[i].has_fields || add[i].has_comps) {
			lerr(L, at, "cannot append exception fields or comps "
			    "to existing exception '%s', only values",
			    add[i].name);
			return -1;
		}
		for (size_t k = 0; k < add[i].nvalues; k++) {
			struct rl_exentry *nv = realloc(ex->values,
			    (ex->nvalues + 1) * sizeof(*nv));
			if (nv == NULL)
				return -1;
			ex->values = nv;
			ex->values[ex->nvalues++] = add[i].values[k];
		}
		free(add[i].values);
		add[i].values = NULL;
		add[i].nvalues = 0;
		if (validate_exception(L, at, ex) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ rules */

static int
read_priority(struct ld *L, yaml_node_t *v, enum aw_priority *out)
{
	if (!is_scalar(v) || aw_priority_from_name(sval(v), out) != 0) {
		lerr(L, v, "invalid priority level: %s",
		    is_scalar(v) ? sval(v) : "(not a string)");
		return -1;
	}
	return 0;
}

static struct rl_rule *
rule_new(struct ld *L, yaml_node_t *nn)
{
	struct rl_rule *r;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = xstrndup(sval(nn), slen(nn))) == NULL ||
	    grow((void **)&L->c->rules, &L->c->caprules, L->c->nrules + 1,
	    sizeof(*L->c->rules)) != 0) {
		if (r)
			free(r->name);
		free(r);
		lerr(L, nn, "out of memory");
		return NULL;
	}
	r->pos = npos(L, nn);
	r->enabled = 1;
	r->warn_evttypes = 1;
	r->priority = AW_PRIO_DEBUG;
	r->index = L->c->cur_index++;
	L->c->rules[L->c->nrules++] = r;
	HASH_ADD_KEYPTR(hh, L->c->rule_by_name, r->name, strlen(r->name), r);
	return r;
}

/* The keys every rule form may carry, read into a scratch rule. */
struct rule_parts {
	yaml_node_t *cond, *output, *desc, *prio, *tags, *ex, *enabled;
	yaml_node_t *source, *skip, *warn;
};

static void
find_parts(struct ld *L, yaml_node_t *item, struct rule_parts *p)
{
	p->cond = map_get(L, item, "condition", NULL);
	p->output = map_get(L, item, "output", NULL);
	p->desc = map_get(L, item, "desc", NULL);
	p->prio = map_get(L, item, "priority", NULL);
	p->tags = map_get(L, item, "tags", NULL);
	p->ex = map_get(L, item, "exceptions", NULL);
	p->enabled = map_get(L, item, "enabled", NULL);
	p->source = map_get(L, item, "source", NULL);
	p->skip = map_get(L, item, "skip-if-unknown-filter", NULL);
	p->warn = map_get(L, item, "warn_evttypes", NULL);
}

static int
need_scalar(struct ld *L, yaml_node_t *v, const char *key)
{
	if (!is_scalar(v)) {
		lerr(L, v, "value of '%s' must be a string", key);
		return -1;
	}
	return 0;
}

static int want_key(const struct ovspec *spec, size_t n, const char *k);
static int app_key(const struct ovspec *spec, size_t n, const char *k);

/* Apply replace-style keys present in p (all keys when mask is NULL). */
static int
set_parts(struct ld *L, yaml_node_t *item, struct rl_rule *r,
    struct rule_parts *p, const struct ovspec *spec, size_t nspec)
{
	int b;

#define WANT(k) (spec == NULL || want_key(spec, nspec, k))
	(void)item;
	if (p->cond && WANT("condition")) {
		if (need_scalar(L, p->cond, "condition") != 0)
			return -1;
		rl_cond_free(&r->cond);
		if (cond_from_node(L, p->cond, &r->cond) != 0)
			return -1;
	}
	if (p->output && WANT("output")) {
		if (need_scalar(L, p->output, "output") != 0)
			return -1;
		free(r->output);
		r->output = trimmed(sval(p->output), slen(p->output));
		r->output_pos = npos(L, p->output);
	}
	if (p->desc && WANT("desc")) {
		if (need_scalar(L, p->desc, "desc") != 0)
			return -1;
		free(r->desc);
		r->desc = xstrndup(sval(p->desc), slen(p->desc));
	}
	if (p->prio && WANT("priority") &&
	    read_priority(L, p->prio, &r->priority) != 0)
		return -1;
	if (p->tags && WANT("tags")) {
		strv_free(r->tags, r->ntags);
		r->tags = NULL;
		r->ntags = 0;
		if (!is_null(p->tags) &&
		    get_strv(L, p->tags, "tags", &r->tags, &r->ntags) != 0)
			return -1;
	}
	if (p->ex && WANT("exceptions")) {
		rl_exceptions_free(r->ex, r->nex);
		if (read_exceptions(L, p->ex, &r->ex, &r->nex) != 0)
			return -1;
		for (size_t i = 0; i < r->nex; i++) {
			if (!r->ex[i].has_fields) {
				lerr(L, p->ex, "rule exception '%s' must have "
				    "a 'fields' property", r->ex[i].name);
				return -1;
			}
			if (validate_exception(L, p->ex, &r->ex[i]) != 0)
				return -1;
		}
	}
	if (p->enabled && WANT("enabled")) {
		if (!is_scalar(p->enabled) || parse_bool(sval(p->enabled),
		    &b) != 0) {
			lerr(L, p->enabled, "value of 'enabled' must be a "
			    "boolean");
			return -1;
		}
		r->enabled = b;
	}
	if (p->source && WANT("source")) {
		if (need_scalar(L, p->source, "source") != 0)
			return -1;
		free(r->source);
		r->source = xstrndup(sval(p->source), slen(p->source));
	}
	if (p->skip && WANT("skip-if-unknown-filter")) {
		if (!is_scalar(p->skip) || parse_bool(sval(p->skip), &b) != 0) {
			lerr(L, p->skip, "value of 'skip-if-unknown-filter' "
			    "must be a boolean");
			return -1;
		}
		r->skip_unknown = b;
	}
	if (p->warn && WANT("warn_evttypes")) {
		if (!is_scalar(p->warn) || parse_bool(sval(p->warn), &b) != 0) {
			lerr(L, p->warn, "value of 'warn_evttypes' must be a "
			    "boolean");
			return -1;
		}
		r->warn_evttypes = b;
	}
#undef WANT
	return 0;
}

static int
want_key(const struct ovspec *spec, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(spec[i].key, k) == 0)
			return spec[i].mode == OV_REPLACE;
	return 0;
}

static int
append_parts(struct ld *L, struct rl_rule *r, struct rule_parts *p,
    const struct ovspec *spec, size_t nspec, int legacy)
{
	struct rl_exception *ex = NULL;
	size_t nex = 0;
	int rc;

#define APP(k) (legacy || app_key(spec, nspec, k))
	if (p->cond && APP("condition")) {
		struct rl_cond c;
		memset(&c, 0, sizeof(c));
		if (need_scalar(L, p->cond, "condition") != 0 ||
		    cond_from_node(L, p->cond, &c) != 0)
			return -1;
		rc = r->cond.s ? rl_cond_append(&r->cond, &c) : 0;
		if (r->cond.s == NULL) {
			r->cond = c;
			memset(&c, 0, sizeof(c));
		}
		rl_cond_free(&c);
		if (rc != 0)
			return -1;
	}
	if (!legacy && p->output && APP("output")) {
		char *ns;
		if (need_scalar(L, p->output, "output") != 0)
			return -1;
		if ((ns = malloc(strlen(r->output ? r->output : "") +
		    slen(p->output) + 2)) == NULL)
			return -1;
		sprintf(ns, "%s %s", r->output ? r->output : "",
		    sval(p->output));
		free(r->output);
		r->output = trimmed(ns, strlen(ns));
		free(ns);
	}
	if (!legacy && p->desc && APP("desc")) {
		char *ns;
		if (need_scalar(L, p->desc, "desc") != 0)
			return -1;
		if ((ns = malloc(strlen(r->desc ? r->desc : "") +
		    slen(p->desc) + 2)) == NULL)
			return -1;
		sprintf(ns, "%s %s", r->desc ? r->desc : "", sval(p->desc));
		free(r->desc);
		r->desc = ns;
	}
	if (!legacy && p->tags && APP("tags")) {
		char **t = NULL;
		size_t nt = 0;
		if (get_strv(L, p->tags, "tags", &t, &nt) != 0)
			return -1;
		rc = strv_append(&r->tags, &r->ntags, t, nt, 1);
		strv_free(t, nt);
		if (rc != 0)
			return -1;
	}
	if (p->ex && APP("exceptions")) {
		if (read_exceptions(L, p->ex, &ex, &nex) != 0)
			return -1;
		rc = append_exceptions(L, p->ex, r, ex, nex);
		rl_exceptions_free(ex, nex);
		if (rc != 0)
			return -1;
	}
#undef APP
	return 0;
}

static int
app_key(const struct ovspec *spec, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(spec[i].key, k) == 0)
			return spec[i].mode == OV_APPEND;
	return 0;
}

static void
load_rule(struct ld *L, yaml_node_t *item)
{
	static const char *const keys[] = { "rule", "desc", "condition",
	    "output", "priority", "enabled", "tags", "source", "exceptions",
	    "append", "override", "skip-if-unknown-filter", "warn_evttypes",
	    "capture", "capture_duration", NULL };
	struct ovspec spec[] = {
		{ "condition", 1, 1, OV_NONE }, { "output", 1, 1, OV_NONE },
		{ "desc", 1, 1, OV_NONE }, { "tags", 1, 1, OV_NONE },
		{ "exceptions", 1, 1, OV_NONE }, { "priority", 0, 1, OV_NONE },
		{ "enabled", 0, 1, OV_NONE },
		{ "warn_evttypes", 0, 1, OV_NONE },
		{ "skip-if-unknown-filter", 0, 1, OV_NONE },
		{ "capture", 0, 1, OV_NONE },
		{ "capture_duration", 0, 1, OV_NONE },
	};
	const size_t nspec = sizeof(spec) / sizeof(spec[0]);
	struct rule_parts p;
	yaml_node_t *nn, *ov;
	struct rl_rule *r, *prev;
	int append = 0;

	if (get_str(L, item, "rule", &nn) <= 0 || slen(nn) == 0) {
		if (nn && slen(nn) == 0)
			lerr(L, nn, "rule name is empty");
		return;
	}
	snprintf(L->item, sizeof(L->item), "rule '%s'", sval(nn));
	check_keys(L, item, keys, "a rule");
	find_parts(L, item, &p);
	HASH_FIND_STR(L->c->rule_by_name, sval(nn), prev);
	if (get_bool(L, item, "append", &append) < 0)
		return;

	if ((ov = map_get(L, item, "override", NULL)) != NULL) {
		int any_append = 0, any_replace = 0;
		if (append) {
			lerr(L, ov, "keys 'override' and 'append: true' "
			    "cannot be used together");
			return;
		}
		if (read_override(L, item, ov, spec, nspec) != 0)
			return;
		if (prev == NULL) {
			lerr(L, nn, "rule has an override, but no rule by that "
			    "name already exists");
			return;
		}
		for (size_t i = 0; i < nspec; i++) {
			any_append |= spec[i].mode == OV_APPEND;
			any_replace |= spec[i].mode == OV_REPLACE;
		}
		if ((any_append && append_parts(L, prev, &p, spec, nspec, 0) !=
		    0) || (any_replace && set_parts(L, item, prev, &p, spec,
		    nspec) != 0)) {
			prev->broken = 1;
			goto oom;
		}
		return;
	}
	if (append) {
		lwarn(L, item, "'append' key is deprecated; use 'override' "
		    "instead");
		if (prev == NULL) {
			lerr(L, nn, "rule has 'append' key but no rule by that "
			    "name already exists");
			return;
		}
		if (p.cond == NULL && p.ex == NULL) {
			lerr(L, item, "appended rule must have exceptions or "
			    "condition property");
			return;
		}
		if (append_parts(L, prev, &p, NULL, 0, 1) != 0) {
			prev->broken = 1;
			goto oom;
		}
		return;
	}
	if (!p.cond && !p.output && !p.desc && !p.prio) {
		/* Legacy form: only enables or disables an existing rule. */
		int b;
		if (p.enabled == NULL) {
			lerr(L, item, "rule must have properties 'condition', "
			    "'output', 'desc', and 'priority'");
			return;
		}
		lwarn(L, item, "using 'enabled' alone to enable or disable a "
		    "rule is deprecated; use 'override'");
		if (prev == NULL) {
			lerr(L, nn, "rule has 'enabled' key but no rule by that "
			    "name already exists");
			return;
		}
		if (!is_scalar(p.enabled) || parse_bool(sval(p.enabled), &b)) {
			lerr(L, p.enabled, "value of 'enabled' must be a "
			    "boolean");
			return;
		}
		prev->enabled = b;
		return;
	}
	{
		static const char *req[] = { "condition", "output", "desc",
		    "priority" };
		const yaml_node_t *const have[] = { p.cond, p.output,
		    p.desc, p.prio };
		int missing = 0;
		for (int i = 0; i < 4; i++)
			if (have[i] == NULL) {
				lerr(L, item, "item has no mapping for key "
				    "'%s'", req[i]);
				missing = 1;
			}
		if (missing)
			return;
	}
	if (prev != NULL) {
		/* Redefinition: replace everything, keep the position. */
		r = prev;
		rule_fields_free(r);
		r->pos = npos(L, nn);
		r->enabled = 1;
		r->warn_evttypes = 1;
		r->skip_unknown = 0;
	} else if ((r = rule_new(L, nn)) == NULL)
		return;
	if (set_parts(L, item, r, &p, NULL, 0) != 0) {
		r->broken = 1;
		goto oom;
	}
	r->broken = 0;
	if (r->source == NULL && (r->source = strdup("syscall")) == NULL)
		goto oom;
	return;
oom:
	if (L->errors == 0)
		lerr(L, item, "out of memory");
}

/* ------------------------------------------------------------ versions */

static int
parse_semver(const char *s, int v[3])
{
	char *end;
	long x;

	v[0] = v[1] = v[2] = 0;
	if (strchr(s, '.') == NULL) {
		x = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || x < 0)
			return -1;
		v[1] = (int)x;		/* N means 0.N.0 */
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		x = strtol(s, &end, 10);
		if (end == s || x < 0)
			return -1;
		v[i] = (int)x;
		if (i < 2) {
			if (*end != '.')
				return -1;
			s = end + 1;
		} else if (*end != '\0' && *end != '-' && *end != '+')
			return -1;
	}
	return 0;
}

static void
load_engine_version(struct ld *L, yaml_node_t *v)
{
	int req[3], have[3] = { AW_ENGINE_VERSION_MAJOR,
	    AW_ENGINE_VERSION_MINOR, AW_ENGINE_VERSION_PATCH };

	snprintf(L->item, sizeof(L->item), "required_engine_version");
	if (!is_scalar(v) || parse_semver(sval(v), req) != 0) {
		lerr(L, v, "invalid required_engine_version: expected a "
		    "number or a version x.y.z");
		return;
	}
	if (req[0] != have[0] || req[1] > have[1] ||
	    (req[1] == have[1] && req[2] > have[2]))
		lerr(L, v, "rules require engine version %s, but engine "
		    "version is %d.%d.%d", sval(v), have[0], have[1],
		    have[2]);
}

/* Plugins: the container plugin's fields are built in; anything else is
 * not available here, and rules of its source will be skipped. */
static void
load_plugin_versions(struct ld *L, yaml_node_t *v)
{
	yaml_node_item_t *it;

	snprintf(L->item, sizeof(L->item), "required_plugin_versions");
	if (is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		lerr(L, v, "value of required_plugin_versions must be a "
		    "sequence");
		return;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++) {
		yaml_node_t *e = node(L, *it), *nn, *alts;
		int ok = 0;
		if (e->type != YAML_MAPPING_NODE ||
		    (nn = map_get(L, e, "name", NULL)) == NULL ||
		    !is_scalar(nn) || map_get(L, e, "version", NULL) == NULL) {
			lerr(L, e, "required_plugin_versions entries must have "
			    "'name' and 'version'");
			continue;
		}
		ok = strcmp(sval(nn), "container") == 0;
		alts = map_get(L, e, "alternatives", NULL);
		if (!ok && alts && alts->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *j = alts->data.sequence.items.start;
			    j < alts->data.sequence.items.top; j++) {
				yaml_node_t *a = node(L, *j), *an;
				if (a->type == YAML_MAPPING_NODE &&
				    (an = map_get(L, a, "name", NULL)) &&
				    is_scalar(an) &&
				    strcmp(sval(an), "container") == 0)
					ok = 1;
			}
		}
		if (!ok)
			lwarn(L, nn, "plugin '%s' is not available in "
			    "auditwatch; rules that need it will be skipped",
			    sval(nn));
	}
}

/* ------------------------------------------------------------ files */

static void
load_item(struct ld *L, yaml_node_t *item)
{
	yaml_node_t *v;

	L->item[0] = '\0';
	if (item->type != YAML_MAPPING_NODE) {
		lerr(L, item, "unexpected element: rules files are a sequence "
		    "of maps (rule, macro, list)");
		return;
	}
	if ((v = map_get(L, item, "required_engine_version", NULL)) != NULL)
		load_engine_version(L, v);
	else if ((v = map_get(L, item, "required_plugin_versions", NULL)) !=
	    NULL)
		load_plugin_versions(L, v);
	else if (map_get(L, item, "list", NULL) != NULL)
		load_list(L, item);
	else if (map_get(L, item, "macro", NULL) != NULL)
		load_macro(L, item);
	else if (map_get(L, item, "rule", NULL) != NULL)
		load_rule(L, item);
	else
		lwarn(L, item, "unknown top level item (will be ignored)");
	L->item[0] = '\0';
}

int
rl_load_text(struct rl_collector *c, const char *name, char *buf, size_t len,
    struct aw_diags *d)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ld L;
	int rc = 0;

	if (grow((void **)&c->files, &c->capfiles, c->nfiles + 1,
	    sizeof(*c->files)) != 0) {
		free(buf);
		aw_diags_add(d, AW_DIAG_ERROR, NULL, NULL, "out of memory");
		return -1;
	}
	c->files[c->nfiles].name = (char *)name;
	c->files[c->nfiles].buf = buf;
	c->files[c->nfiles].len = len;
	c->nfiles++;

	memset(&L, 0, sizeof(L));
	L.c = c;
	L.file = name;
	L.buf = buf;
	L.len = len;
	L.d = d;
	if (!yaml_parser_initialize(&parser)) {
		aw_diags_add(d, AW_DIAG_ERROR, NULL, NULL, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root;
		if (!yaml_parser_load(&parser, &doc)) {
			struct aw_srcpos p = { name,
			    (int)parser.problem_mark.line + 1,
			    (int)parser.problem_mark.column + 1 };
			aw_diags_add(d, AW_DIAG_ERROR, &p, NULL,
			    "YAML syntax error: %s%s%s",
			    parser.problem ? parser.problem : "unknown",
			    parser.context ? " " : "",
			    parser.context ? parser.context : "");
			rc = -1;
			break;
		}
		if ((root = yaml_document_get_root_node(&doc)) == NULL) {
			yaml_document_delete(&doc);
			break;
		}
		L.doc = &doc;
		if (root->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *it = root->data.sequence.items.start;
			    it < root->data.sequence.items.top; it++)
				load_item(&L, node(&L, *it));
		} else if (!is_null(root)) {
			lerr(&L, root, "rules content is not a YAML sequence "
			    "of maps");
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return (rc != 0 || L.errors) ? -1 : 0;
}
