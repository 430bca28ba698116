/*
 * eval.c — evaluation of compiled conditions against one event.
 *
 * A compiled check holds its field reference (bound to a cache slot), the
 * operator and the right-hand side already converted to the field's type:
 * numbers parsed, `in` sets sorted for binary search, regexes compiled by
 * PCRE2 (anchored at both ends, like RE2's full match), pmatch paths split
 * into components. Nothing is parsed per event. Rules run as jump code
 * (eval_program): each instruction is one check and where to go when it
 * is true or false; a check's result is kept for the rest of the event.
 *
 * Falco's missing-field semantics: a check whose field cannot be
 * extracted is false, whatever the operator (`!=` included), so `not` of
 * it is true; `exists` is the only way to ask. Fields with several values
 * follow libsinsp: proc.aname (no index) matches if any ancestor matches;
 * list fields match `in` if every value is in the set, `intersects` if
 * any is.
 */
#include "autoconf.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "rules/rules_int.h"

/* ------------------------------------------------------------ free */

void
ccheck_free(struct ccheck *c)
{
	if (c == NULL)
		return;
	coperand_free(&c->lhs);
	if (c->rhs) {
		coperand_free(c->rhs);
		free(c->rhs);
	}
	free(c->vals);
	free(c->sorted);
	free(c->htab);
	if (c->md)
		pcre2_match_data_free(c->md);
	if (c->mctx)
		pcre2_match_context_free(c->mctx);
	if (c->re)
		pcre2_code_free(c->re);
	for (size_t i = 0; i < c->npm; i++) {
		for (int k = 0; k < c->pm[i].ncomp; k++)
			free(c->pm[i].comp[k]);
		free(c->pm[i].comp);
		free(c->pm[i].clen);
	}
	free(c->pm);
	for (size_t i = 0; i < c->nstore; i++)
		free(c->store[i]);
	free(c->store);
	free(c->key);
	free(c);
}

void
cnode_free(struct cnode *n)
{
	if (n == NULL)
		return;
	for (int i = 0; i < n->nkids; i++)
		cnode_free(n->kids[i]);
	free(n->kids);
	/* checks are shared: the compiler's table frees them */
	free(n);
}

/* ------------------------------------------------------------ strings */

/* Substring search for the short haystacks and needles of rule checks:
 * memchr() finds the candidates (SIMD in libc), memcmp() confirms. For
 * these sizes it beats memmem(), whose per-call setup dominates. */
static const char *
fast_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
	const char *p = h, *end;

	if (nl == 0)
		return h;
	if (nl > hl)
		return NULL;
	end = h + (hl - nl) + 1;	/* one past the last possible start */
	while ((p = memchr(p, (unsigned char)n[0], (size_t)(end - p))) !=
	    NULL) {
		if (memcmp(p + 1, n + 1, nl - 1) == 0)
			return p;
		if (++p >= end)
			break;
	}
	return NULL;
}

/* The next candidate start at or after p holding byte c, or NULL. */
static const char *
next_byte(const char *p, const char *end, unsigned char c)
{
	return p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
}

/* Case-insensitive (ASCII, the C locale) search: the candidates for the
 * first byte in either case come from memchr(), in increasing order, so
 * the first match is found as a byte-by-byte scan would find it. */
static const char *
ci_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
	unsigned char lo, up;
	const char *end, *pl, *pu;

	if (nl == 0)
		return h;
	if (nl > hl)
		return NULL;
	lo = (unsigned char)tolower((unsigned char)n[0]);
	up = (unsigned char)toupper((unsigned char)n[0]);
	end = h + (hl - nl) + 1;
	pl = next_byte(h, end, lo);
	pu = lo == up ? NULL : next_byte(h, end, up);
	while (pl != NULL || pu != NULL) {
		const char *p = pu == NULL || (pl != NULL && pl < pu) ? pl : pu;
		size_t k;
		for (k = 1; k < nl; k++)
			if (tolower((unsigned char)p[k]) !=
			    tolower((unsigned char)n[k]))
				break;
		if (k == nl)
			return p;
		if (p == pl)
			pl = next_byte(p + 1, end, lo);
		else
			pu = next_byte(p + 1, end, up);
	}
	return NULL;
}

/* Long values (execve arguments of tens of KB, which several rules search:
 * Falco's private_aws_credentials has five icontains on proc.args) are
 * searched differently: memchr() for the needle's rarest byte (chosen at
 * load time, struct cconst anchor) rather than its first, and icontains on
 * a copy lowercased once per event rather than with tolower() per
 * candidate. A text made of one repeated letter costs a memchr() call per
 * byte with the first-byte loops above; here one call when the needle has
 * another byte. When a text still yields too many candidates, libc's
 * memmem() (two-way: linear in the text whatever it holds) finishes the
 * search, so a crafted argument cannot make it quadratic. */
#define LONG_TEXT 256

static const char *
anchored_memmem(const char *h, size_t hl, const char *n, size_t nl,
    size_t a)
{
	const char *p, *end;
	size_t budget = 16 + hl / 64;

	if (nl == 0)
		return h;
	if (nl > hl || a >= nl)
		return NULL;
	p = h + a;
	end = h + (hl - nl) + a + 1;	/* one past the last anchor position */
	while ((p = memchr(p, (unsigned char)n[a], (size_t)(end - p))) !=
	    NULL) {
		const char *start = p - a;
		if (memcmp(start, n, nl) == 0)
			return start;
		if (--budget == 0) {
			/* every start before start + 1 has been decided */
			start++;
			return memmem(start, hl - (size_t)(start - h), n, nl);
		}
		if (++p >= end)
			break;
	}
	return NULL;
}

/* A value lowercased once per event for all the icontains checks on it
 * (kept in the value's cache slot, like its hash); NULL on OOM. */
static const char *
lowered(struct xctx *x, const struct fval *v)
{
	struct fval *w = (struct fval *)v;	/* cache slot */
	char *l;

	if (w->lower != NULL)
		return w->lower;
	if ((l = arena_alloc(&x->arena, v->len + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < v->len; i++)
		l[i] = (char)tolower((unsigned char)v->s[i]);
	l[v->len] = '\0';
	return w->lower = l;
}

static int
memcmp_len(const char *a, size_t al, const char *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);

	if (r != 0)
		return r;
	return al < bl ? -1 : al > bl;
}

/* A NUL-terminated copy when s is not already terminated at len. */
static const char *
cstr(struct xctx *x, const char *s, size_t len)
{
	if (s[len] == '\0' && strlen(s) == len)
		return s;
	return arena_strndup(&x->arena, s, len);
}

static int
glob_match(struct xctx *x, const char *pat, size_t plen, const char *s,
    size_t len, int fold)
{
	const char *p = cstr(x, pat, plen), *v = cstr(x, s, len);

	if (p == NULL || v == NULL)
		return 0;
	return fnmatch(p, v, fold ? FNM_CASEFOLD : 0) == 0;
}

static int
str_op(struct xctx *x, int op, const char *a, size_t al, const char *b,
    size_t bl)
{
	switch (op) {
	case AW_OP_EQ:
		return al == bl && memcmp(a, b, al) == 0;
	case AW_OP_NE:
		return !(al == bl && memcmp(a, b, al) == 0);
	case AW_OP_LT:
		return memcmp_len(a, al, b, bl) < 0;
	case AW_OP_LE:
		return memcmp_len(a, al, b, bl) <= 0;
	case AW_OP_GT:
		return memcmp_len(a, al, b, bl) > 0;
	case AW_OP_GE:
		return memcmp_len(a, al, b, bl) >= 0;
	case AW_OP_CONTAINS:
	case AW_OP_BCONTAINS:
		return bl == 0 || fast_memmem(a, al, b, bl) != NULL;
	case AW_OP_ICONTAINS:
		return ci_memmem(a, al, b, bl) != NULL;
	case AW_OP_STARTSWITH:
	case AW_OP_BSTARTSWITH:
		return al >= bl && memcmp(a, b, bl) == 0;
	case AW_OP_ENDSWITH:
		return al >= bl && memcmp(a + al - bl, b, bl) == 0;
	case AW_OP_GLOB:
		return glob_match(x, b, bl, a, al, 0);
	case AW_OP_IGLOB:
		return glob_match(x, b, bl, a, al, 1);
	case AW_OP_IN:
	case AW_OP_INTERSECTS:
		return al == bl && memcmp(a, b, al) == 0;
	default:
		return 0;
	}
}

static int
num_op(int op, int64_t a, int64_t b)
{
	switch (op) {
	case AW_OP_EQ:
	case AW_OP_IN:
	case AW_OP_INTERSECTS:
		return a == b;
	case AW_OP_NE:
		return a != b;
	case AW_OP_LT:
		return a < b;
	case AW_OP_LE:
		return a <= b;
	case AW_OP_GT:
		return a > b;
	case AW_OP_GE:
		return a >= b;
	default:
		return 0;
	}
}

static int
ip_in_net(const uint8_t *ip, int iplen, const struct cconst *k)
{
	int bits = k->prefix, full, rest;

	if (iplen != k->iplen)
		return 0;
	full = bits / 8;
	rest = bits % 8;
	if (memcmp(ip, k->ip, (size_t)full) != 0)
		return 0;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((ip[full] & mask) != (k->ip[full] & mask))
			return 0;
	}
	return 1;
}

static int
ip_eq(const struct fval *v, const struct cconst *k)
{
	if (k->isnet)
		return ip_in_net(v->ip, v->iplen, k);
	return v->iplen == k->iplen && memcmp(v->ip, k->ip, v->iplen) == 0;
}

/* ------------------------------------------------------------ pmatch */

static int
pmatch(struct xctx *x, const struct ccheck *c, const char *s, size_t len)
{
	for (size_t i = 0; i < c->npm; i++) {
		const struct pm_entry *e = &c->pm[i];
		const char *p = s, *end = s + len;
		int k;
		for (k = 0; k < e->ncomp; k++) {
			const char *q;
			size_t cl;
			while (p < end && *p == '/')
				p++;
			if (p >= end)
				break;
			q = p;
			while (q < end && *q != '/')
				q++;
			cl = (size_t)(q - p);
			if (e->glob) {
				const char *comp = arena_strndup(&x->arena, p,
				    cl);
				if (comp == NULL || fnmatch(e->comp[k], comp,
				    0) != 0)
					break;
			} else if (e->clen[k] != cl ||
			    memcmp(e->comp[k], p, cl) != 0)
				break;
			p = q;
		}
		if (k == e->ncomp)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ checks */

static int
cmp_key_str(const void *key, const void *elem)
{
	const struct cconst *k = key;
	const struct cconst *e = *(const struct cconst *const *)elem;

	if (k->len != e->len)
		return k->len < e->len ? -1 : 1;
	return memcmp(k->s, e->s, k->len);
}

static int
cmp_key_int(const void *key, const void *elem)
{
	const struct cconst *k = key;
	const struct cconst *e = *(const struct cconst *const *)elem;

	return k->i < e->i ? -1 : k->i > e->i;
}

static int
is_str(int t)
{
	return t == FT_STR || t == FT_BYTES;
}

static int
is_num(int t)
{
	return t == FT_INT || t == FT_ABSTIME || t == FT_RELTIME;
}

/* One value against one constant. */
static int
match_const(struct xctx *x, const struct ccheck *c, int op,
    const struct fval *v, const struct cconst *k)
{
	int t = c->cmptype;
	const char *l;

	if (v->len >= LONG_TEXT && is_str(t)) {
		if (op == AW_OP_CONTAINS || op == AW_OP_BCONTAINS)
			return anchored_memmem(v->s, v->len, k->s, k->len,
			    k->anchor) != NULL;
		if (op == AW_OP_ICONTAINS && k->lower != NULL &&
		    (l = lowered(x, v)) != NULL)
			return anchored_memmem(l, v->len, k->lower, k->len,
			    k->anchor) != NULL;
	}
	if (is_str(t))
		return str_op(x, op, v->s, v->len, k->s, k->len);
	if (is_num(t) || t == FT_BOOL)
		return num_op(op, v->i, k->i);
	if (t == FT_IPADDR || t == FT_IPNET) {
		int eq = ip_eq(v, k);
		return op == AW_OP_NE ? !eq : eq;
	}
	return 0;
}

/* One value against the check's right-hand side constants. */
static int
match_value(struct xctx *x, const struct ccheck *c, const struct fval *v)
{
	int t = c->cmptype, hits = 0;
	struct cconst key;

	switch (c->op) {
	case AW_OP_REGEX:
		return pcre2_match(c->re, (PCRE2_SPTR)v->s, v->len, 0, 0,
		    c->md, c->mctx) >= 0;
	case AW_OP_PMATCH:
		return pmatch(x, c, v->s, v->len);
	case AW_OP_IN:
	case AW_OP_INTERSECTS:
		if (c->htab != NULL) {
			struct fval *w = (struct fval *)v;	/* cache slot */
			uint32_t k;
			if (!w->hashed) {
				w->h = aw_hash(v->s, v->len);
				w->hashed = 1;
			}
			for (k = (uint32_t)w->h & c->hmask; c->htab[k];
			    k = (k + 1) & c->hmask) {
				const struct cconst *e;
				if ((c->htab[k] >> 32) != (w->h >> 32))
					continue;	/* not without reading it */
				e = &c->vals[(uint32_t)c->htab[k] - 1];
				if (e->len == v->len &&
				    memcmp(e->s, v->s, v->len) == 0)
					return 1;
			}
			return 0;
		}
		if (c->sorted != NULL) {
			memset(&key, 0, sizeof(key));
			key.s = v->s;
			key.len = v->len;
			key.i = v->i;
			return bsearch(&key, c->sorted, c->nvals,
			    sizeof(*c->sorted), is_str(t) ? cmp_key_str :
			    cmp_key_int) != NULL;
		}
		for (size_t i = 0; i < c->nvals; i++)
			if (match_const(x, c, AW_OP_EQ, v, &c->vals[i]))
				return 1;
		return 0;
	default:
		break;
	}
	if (c->mod == AW_MOD_NONE)
		return c->nvals > 0 && match_const(x, c, c->op, v, &c->vals[0]);
	for (size_t i = 0; i < c->nvals; i++)
		hits += match_const(x, c, c->op, v, &c->vals[i]);
	switch (c->mod) {
	case AW_MOD_ONEOF:
		return hits == 1;
	case AW_MOD_ANYOF:
		return hits > 0;
	default:
		return (size_t)hits == c->nvals;
	}
}

/* Field vs field (val() or a transformer on the right). */
static int
match_operand(struct xctx *x, const struct ccheck *c, const struct fval *v,
    const struct fval *r, int nr)
{
	int t = c->cmptype;

	for (int i = 0; i < nr; i++) {
		const struct fval *w = &r[i];
		int ok;
		if (is_str(t))
			ok = str_op(x, c->op, v->s, v->len, w->s, w->len);
		else if (is_num(t) || t == FT_BOOL)
			ok = num_op(c->op, v->i, w->i);
		else {
			int eq = v->iplen == w->iplen &&
			    memcmp(v->ip, w->ip, v->iplen) == 0;
			ok = c->op == AW_OP_NE ? !eq : eq;
		}
		if (ok)
			return 1;
		if (c->op != AW_OP_IN && c->op != AW_OP_INTERSECTS)
			break;	/* scalar ops compare with the first value */
	}
	return 0;
}

static int
eval_check_now(struct xctx *x, const struct ccheck *c)
{
	const struct fval *v, *r = NULL;
	int n, nr = 0, t, list;

	if (c->slot >= 0 && (size_t)c->slot < x->nslots &&
	    x->slots[c->slot].gen == x->gen) {
		/* extracted by an earlier check: no need to reach the field
		 * reference in the check's second cache line */
		const struct xslot *s = &x->slots[c->slot];
		v = s->n == 1 && s->v == NULL ? &s->one : s->v;
		n = s->n;
	} else if (c->lhs.xform == AW_XF_FIELD)
		n = xget(x, &c->lhs.f, &v);
	else
		n = eval_operand(x, &c->lhs, &v, &t);
	if (c->op == AW_OP_EXISTS)
		return n > 0;
	if (n <= 0)
		return 0;
	if (c->rhs != NULL) {
		nr = eval_operand(x, c->rhs, &r, &t);
		if (nr <= 0)
			return 0;
	}
	list = c->list;
	if (list && c->op == AW_OP_IN) {
		/* every value must be in the set */
		for (int i = 0; i < n; i++)
			if (!(c->rhs ? match_operand(x, c, &v[i], r, nr) :
			    match_value(x, c, &v[i])))
				return 0;
		return 1;
	}
	for (int i = 0; i < n; i++)
		if (c->rhs ? match_operand(x, c, &v[i], r, nr) :
		    match_value(x, c, &v[i]))
			return 1;
	return 0;
}

/* FNV-1a, 64 bits: short strings, one pass, no setup. */
uint64_t
aw_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static inline int
eval_check(struct xctx *x, struct ccheck *c)
{
	uint32_t *m = &x->memo[c->id];

	if ((*m >> 1) != x->memo_gen)
		*m = x->memo_gen << 1 | (uint32_t)eval_check_now(x, c);
	return (int)(*m & 1);
}

/* The memo is looked up by the instruction's id, so a check already
 * decided for this event costs no access to the check itself. */
int
eval_program(struct xctx *x, struct ccheck *const *byid,
    const struct insn *code, int32_t pc)
{
	const uint32_t gen = x->memo_gen;

	while (pc >= 0) {
		const struct insn *i = &code[pc];
		uint32_t *m = &x->memo[i->id];
		if ((*m >> 1) != gen) {
			*m = gen << 1 | (uint32_t)eval_check_now(x,
			    byid[i->id]);
			x->checks_run++;
		}
		pc = (*m & 1) ? i->t : i->f;
	}
	return pc == PC_ACCEPT;
}

static int32_t
emit_insn(struct bucket *b, int32_t id, int32_t t, int32_t f)
{
	if (b->ncode >= (size_t)INT32_MAX ||
	    grow((void **)&b->code, &b->capcode, b->ncode + 1,
	    sizeof(*b->code)) != 0)
		return INT32_MIN;
	b->code[b->ncode].id = id;
	b->code[b->ncode].t = t;
	b->code[b->ncode].f = f;
	return (int32_t)b->ncode++;
}

/* Jump code for a tree: every check becomes one instruction that goes to
 * t or f; `not` swaps the targets, `and`/`or` chain their children (built
 * from the last child backwards, so targets are known). */
int32_t
cnode_gen(struct bucket *b, const struct cnode *n, int32_t t, int32_t f)
{
	int32_t e;

	switch (n->kind) {
	case CN_TRUE:
		return t;
	case CN_FALSE:
		return f;
	case CN_CHECK:
		return emit_insn(b, n->chk->id, t, f);
	case CN_NOT:
		return cnode_gen(b, n->kids[0], f, t);
	case CN_AND:
		e = t;
		for (int i = n->nkids - 1; i >= 0 && e != INT32_MIN; i--)
			e = cnode_gen(b, n->kids[i], e, f);
		return e;
	case CN_OR:
		e = f;
		for (int i = n->nkids - 1; i >= 0 && e != INT32_MIN; i--)
			e = cnode_gen(b, n->kids[i], t, e);
		return e;
	default:
		return f;
	}
}

int
eval_evttype_check(struct xctx *x, const struct ccheck *c, const char *name)
{
	struct fval v;

	if (name == NULL)
		return 0;	/* missing field: every check is false */
	if (c->op == AW_OP_EXISTS)
		return 1;
	memset(&v, 0, sizeof(v));
	v.s = name;
	v.len = strlen(name);
	return match_value(x, c, &v);
}

static struct cnode const_true = { CN_TRUE, 0, NULL, NULL, 0 };
static struct cnode const_false = { CN_FALSE, 0, NULL, NULL, 0 };

void
cnode_free_folded(struct cnode *n)
{
	if (n == NULL || !n->folded)
		return;
	for (int i = 0; i < n->nkids; i++)
		cnode_free_folded(n->kids[i]);
	free(n->kids);
	free(n);
}

/* Specialise a tree for one syscall: evt.type checks become constants,
 * and/or/not simplify around them. Unchanged subtrees are shared with the
 * rule's tree; new nodes are marked folded. NULL on OOM. */
struct cnode *
cnode_fold(const struct cnode *n, struct xctx *x, const char *name)
{
	struct cnode **kids, *r;
	int nk = 0, changed = 0, is_and;

	switch (n->kind) {
	case CN_CHECK:
		if (!n->chk->evttype)
			return (struct cnode *)n;
		return eval_evttype_check(x, n->chk, name) ? &const_true :
		    &const_false;
	case CN_NOT:
		if ((r = cnode_fold(n->kids[0], x, name)) == NULL)
			return NULL;
		if (r == &const_true)
			return &const_false;
		if (r == &const_false)
			return &const_true;
		if (r == n->kids[0])
			return (struct cnode *)n;
		if ((kids = calloc(1, sizeof(*kids))) == NULL ||
		    (n = calloc(1, sizeof(*n))) == NULL) {
			free(kids);
			cnode_free_folded(r);
			return NULL;
		}
		kids[0] = r;
		r = (struct cnode *)n;
		r->kind = CN_NOT;
		r->kids = kids;
		r->nkids = 1;
		r->folded = 1;
		return r;
	case CN_AND:
	case CN_OR:
		break;
	default:
		return (struct cnode *)n;
	}
	is_and = n->kind == CN_AND;
	if ((kids = calloc((size_t)n->nkids, sizeof(*kids))) == NULL)
		return NULL;
	for (int i = 0; i < n->nkids; i++) {
		struct cnode *k = cnode_fold(n->kids[i], x, name);
		if (k == NULL)
			goto oom;
		if (k != n->kids[i])
			changed = 1;
		if (k == (is_and ? &const_true : &const_false))
			continue;	/* neutral element */
		if (k == (is_and ? &const_false : &const_true)) {
			for (int j = 0; j < nk; j++)
				cnode_free_folded(kids[j]);
			free(kids);
			return is_and ? &const_false : &const_true;
		}
		kids[nk++] = k;
	}
	if (!changed) {
		free(kids);
		return (struct cnode *)n;
	}
	if (nk == 0) {
		free(kids);
		return is_and ? &const_true : &const_false;
	}
	if (nk == 1) {
		r = kids[0];
		free(kids);
		return r;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto oom;
	r->kind = n->kind;
	r->kids = kids;
	r->nkids = nk;
	r->folded = 1;
	return r;
oom:
	for (int j = 0; j < nk; j++)
		cnode_free_folded(kids[j]);
	free(kids);
	return NULL;
}

int
eval_node(struct xctx *x, const struct cnode *n)
{
	switch (n->kind) {
	case CN_AND:
		for (int i = 0; i < n->nkids; i++)
			if (!eval_node(x, n->kids[i]))
				return 0;
		return 1;
	case CN_OR:
		for (int i = 0; i < n->nkids; i++)
			if (eval_node(x, n->kids[i]))
				return 1;
		return 0;
	case CN_NOT:
		return !eval_node(x, n->kids[0]);
	case CN_CHECK:
		return eval_check(x, n->chk);
	case CN_TRUE:
		return 1;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------ transformers */

static const unsigned char b64tab[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27,
	['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
	['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37,
	['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47,
	['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52,
	['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62,
	['+'] = 63, ['/'] = 64,
};

/* Base64 decode (padding optional); -1 on invalid input. */
static long
b64_decode(const char *in, size_t len, char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	long o = 0;

	while (len > 0 && in[len - 1] == '=')
		len--;
	for (size_t i = 0; i < len; i++) {
		int v = b64tab[(unsigned char)in[i]];
		if (v == 0)
			return -1;
		acc = (acc << 6) | (uint32_t)(v - 1);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

static int
xf_one(struct xctx *x, int xf, const struct fval *in, struct fval *out)
{
	char *s;
	long n;
	const char *slash;

	memset(out, 0, sizeof(*out));
	switch (xf) {
	case AW_XF_TOLOWER:
	case AW_XF_TOUPPER:
		if ((s = arena_strndup(&x->arena, in->s, in->len)) == NULL)
			return 0;
		for (size_t i = 0; i < in->len; i++)
			s[i] = (char)(xf == AW_XF_TOLOWER ?
			    tolower((unsigned char)s[i]) :
			    toupper((unsigned char)s[i]));
		out->s = s;
		out->len = in->len;
		return 1;
	case AW_XF_B64:
		if ((s = arena_alloc(&x->arena, in->len + 1)) == NULL ||
		    (n = b64_decode(in->s, in->len, s)) < 0)
			return 0;
		s[n] = '\0';
		out->s = s;
		out->len = (size_t)n;
		return 1;
	case AW_XF_BASENAME:
		slash = memrchr(in->s, '/', in->len);
		out->s = slash ? slash + 1 : in->s;
		out->len = slash ? in->len - (size_t)(slash + 1 - in->s) :
		    in->len;
		if ((out->s = arena_strndup(&x->arena, out->s, out->len)) ==
		    NULL)
			return 0;
		return 1;
	default:
		return 0;
	}
}

int
eval_operand(struct xctx *x, const struct coperand *o,
    const struct fval **out, int *type)
{
	const struct fval *in;
	struct fval *res;
	struct sbuf b;
	int n, t, k;

	*type = o->type;
	switch (o->xform) {
	case AW_XF_FIELD:
		return xget(x, &o->f, out);
	case AW_XF_VAL:
		return eval_operand(x, o->args[0], out, type);
	case AW_XF_STRING:
		if ((res = arena_alloc(&x->arena, sizeof(*res))) == NULL)
			return 0;
		memset(res, 0, sizeof(*res));
		res->s = o->lit;
		res->len = o->litlen;
		*out = res;
		return 1;
	case AW_XF_LEN:
		n = eval_operand(x, o->args[0], &in, &t);
		if (n <= 0 || (res = arena_alloc(&x->arena, sizeof(*res))) ==
		    NULL)
			return 0;
		memset(res, 0, sizeof(*res));
		res->i = o->args[0]->multi ? n : (int64_t)in[0].len;
		*out = res;
		return 1;
	case AW_XF_JOIN:
	case AW_XF_CONCAT:
		sb_init(&b);
		for (int i = o->xform == AW_XF_JOIN ? 1 : 0; i < o->nargs;
		    i++) {
			n = eval_operand(x, o->args[i], &in, &t);
			if (n <= 0) {
				sb_free(&b);
				return 0;
			}
			for (k = 0; k < (o->xform == AW_XF_JOIN ? n : 1);
			    k++) {
				if (k > 0)
					sb_addn(&b, o->args[0]->lit,
					    o->args[0]->litlen);
				sb_addn(&b, in[k].s, in[k].len);
			}
		}
		res = arena_alloc(&x->arena, sizeof(*res));
		if (res == NULL || b.oom) {
			sb_free(&b);
			return 0;
		}
		memset(res, 0, sizeof(*res));
		res->len = b.len;
		res->s = arena_strndup(&x->arena, b.s ? b.s : "", b.len);
		sb_free(&b);
		if (res->s == NULL)
			return 0;
		*out = res;
		return 1;
	default:
		n = eval_operand(x, o->args[0], &in, &t);
		if (n <= 0 || (res = arena_alloc(&x->arena, sizeof(*res) *
		    (size_t)n)) == NULL)
			return 0;
		k = 0;
		for (int i = 0; i < n; i++)
			if (xf_one(x, o->xform, &in[i], &res[k]))
				k++;
		*out = res;
		return k;
	}
}
