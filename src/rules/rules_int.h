/*
 * rules_int.h — internals shared by the files of the rule engine.
 *
 *   loader.c     YAML → collector (lists, macros, rules; append/override)
 *   cond_lex.c   condition tokens
 *   cond_parse.c condition text → struct aw_ast
 *   compile.c    lists/macros/exceptions → resolved AST → compiled form,
 *                evt.type index, audit availability of each rule
 *   fields.c     Falco's field table and the extractors over aw_event
 *   eval.c       evaluation of the compiled form
 *   output.c     %field output formats, text and typed JSON
 *   engine.c     public API, diagnostics
 *   util.c       string buffers, arena
 * Nothing here is visible outside src/rules/ except through engine.h.
 */
#ifndef AW_RULES_INT_H
#define AW_RULES_INT_H

#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "alert.h"
#include "event.h"
#include "output/text.h"
#include "rules/ast.h"
#include "rules/engine.h"

struct aw_enricher;
struct aw_proc;

/* ------------------------------------------------------------ util.c */

struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
};

void sb_init(struct sbuf *b);
void sb_free(struct sbuf *b);
void sb_addn(struct sbuf *b, const char *s, size_t n);
/* sb_addn for event text in output lines: NUL becomes U+FFFD. */
void sb_addtext(struct sbuf *b, const char *s, size_t n);
void sb_adds(struct sbuf *b, const char *s);
void sb_addc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_addi(struct sbuf *b, long long v);	/* decimal */
/* Take the string (NUL-terminated); the buffer is left empty. NULL on OOM. */
char *sb_take(struct sbuf *b);

/* Bump allocator for per-event strings; reset keeps the first chunk. */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
	size_t total;
};
void arena_init(struct arena *a);
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);

char *xstrndup(const char *s, size_t n);
char *xstrndup_text(const char *s, size_t n);	/* NUL -> U+FFFD */
int grow(void **v, size_t *cap, size_t need, size_t elsz);

/* -------------------------------------------------------- collector */

/* A condition's text and where each part of it came from, so an offset in
 * the text maps back to file:line:column. A part is a YAML scalar (mapped
 * through its source text) or generated text with one fixed position. */
struct rl_seg {
	size_t off, len;	/* in rl_cond.s */
	struct aw_srcpos pos;	/* scalar start (or the fixed position) */
	const char *src;	/* file text from the scalar start; NULL: fixed */
	size_t srclen;
	int block;		/* literal/folded: skip the indicator line */
};

struct rl_cond {
	char *s;
	size_t len;
	struct rl_seg *segs;
	int nsegs, capsegs;
};

struct rl_list {
	char *name;
	char **items;
	size_t nitems, capitems;
	struct aw_srcpos pos;
	int index, visibility;
	int used;
	/* compile.c: items with earlier lists expanded */
	char **exp;
	size_t nexp;
	UT_hash_handle hh;
};

struct rl_macro {
	char *name;
	struct rl_cond cond;
	struct aw_srcpos pos;
	int index, visibility;
	int used;
	struct aw_ast *ast;	/* compile.c */
	int failed;
	UT_hash_handle hh;
};

struct rl_exval {		/* one value: a scalar or a list of scalars */
	int is_list;
	char *item;
	char **items;
	size_t nitems;
};

struct rl_exentry {		/* one entry of `values` */
	int is_list;
	struct rl_exval *vals;	/* is_list: one per field */
	size_t nvals;
	struct rl_exval one;	/* !is_list */
};

struct rl_exception {
	char *name;
	int has_fields, fields_is_list;
	char **fields;
	size_t nfields;
	int has_comps, comps_is_list;
	char **comps;
	size_t ncomps;
	struct rl_exentry *values;
	size_t nvalues;
	struct aw_srcpos pos;
};

struct rl_rule {
	char *name;
	struct aw_srcpos pos;
	char *desc;
	struct rl_cond cond;
	char *output;
	struct aw_srcpos output_pos;
	enum aw_priority priority;
	int enabled;
	char **tags;
	size_t ntags;
	char *source;
	struct rl_exception *ex;
	size_t nex;
	int skip_unknown;
	int warn_evttypes;
	int index;
	int broken;		/* the loader reported an error for it */
	UT_hash_handle hh;
};

struct rl_file {
	char *name;
	char *buf;
	size_t len;
};

struct rl_collector {
	struct rl_list **lists;
	size_t nlists, caplists;
	struct rl_list *list_by_name;
	struct rl_macro **macros;
	size_t nmacros, capmacros;
	struct rl_macro *macro_by_name;
	struct rl_rule **rules;
	size_t nrules, caprules;
	struct rl_rule *rule_by_name;
	int cur_index;		/* one counter for all items, as Falco */
	struct rl_file *files;	/* text kept until compile for positions */
	size_t nfiles, capfiles;
};

void rl_collector_init(struct rl_collector *c);
void rl_collector_free(struct rl_collector *c);
/* Parse one rules file's text into the collector. name is the persistent
 * file name used in positions (owned by the engine). Returns 0, or -1 when
 * errors were reported. The collector keeps buf. */
int rl_load_text(struct rl_collector *c, const char *name, char *buf,
    size_t len, struct aw_diags *d);

void rl_cond_free(struct rl_cond *c);
int rl_cond_set(struct rl_cond *c, const char *s, size_t len,
    const struct rl_seg *seg);
int rl_cond_append(struct rl_cond *dst, const struct rl_cond *src);
int rl_cond_cat(struct rl_cond *dst, const struct rl_cond *src);
int rl_cond_append_text(struct rl_cond *dst, const char *s, size_t len,
    const struct aw_srcpos *pos);
/* Position of every byte of c->s (len+1 entries). */
struct aw_srcpos *rl_cond_posmap(const struct rl_cond *c);
void rl_exceptions_free(struct rl_exception *ex, size_t n);

/* ------------------------------------------------------------ parser */

struct aw_parse_error {
	char msg[256];
	size_t off;		/* offset of the error in the text */
};

/* Parse a condition. map gives the source position of every byte (len+1
 * entries; NULL: positions are file:1:offset+1 with file == NULL). */
struct aw_ast *aw_cond_parse(const char *text, size_t len,
    const struct aw_srcpos *map, int max_depth, struct aw_parse_error *err);

/* Parse one transformer ("tolower(proc.name)", nested, with blanks inside
 * the parentheses) at the start of text, for %transformer(...) in outputs.
 * *used gets the bytes consumed. NULL + err (offset into text) when text
 * does not start with a known transformer or the call is malformed. */
struct aw_ast_operand *aw_xform_parse(const char *text, size_t len,
    size_t *used, struct aw_parse_error *err);

/* cond_lex.c: the cursor and token helpers the parser uses. */
struct clex {
	const char *s;
	size_t len, pos;
	char *tok;		/* last token (malloc'd for strings) */
	size_t toklen;
	int quoted;
	char err[200];		/* set by lexers that fail hard (bad escape) */
};

int lex_blank(struct clex *l);
int lex_lit(struct clex *l, const char *lit);
int lex_peek(const struct clex *l, const char *lit);
int lex_word(struct clex *l, const char *w);	/* w followed by blank */
int lex_identifier(struct clex *l);
int lex_field_name(struct clex *l);
int lex_field_arg_bare(struct clex *l);
int lex_quoted(struct clex *l);		/* -1 on bad escape (l->err set) */
int lex_bare_str(struct clex *l);
int lex_number(struct clex *l);
int lex_hex_number(struct clex *l);
int lex_at_end(const struct clex *l);
void lex_tok_free(struct clex *l);
/* Falco's unescape_str for quoted strings; NULL + err on a bad escape. */
char *cond_unescape(const char *s, size_t len, char q, size_t *outlen,
    char *err, size_t errsz);

/* ------------------------------------------------------------ fields */

enum aw_ftype {
	FT_STR,
	FT_BYTES,
	FT_INT,
	FT_BOOL,
	FT_IPADDR,
	FT_IPNET,
	FT_ABSTIME,	/* ns since the epoch, printed as a number */
	FT_RELTIME,	/* ns */
	FT_DYN,		/* evt.rawarg: type depends on the argument */
};

enum aw_avail {
	AV_YES,		/* audit (+ process table, /proc, cgroup) supplies it */
	AV_PARTIAL,	/* heuristic, racy or needs container-runtime data */
	AV_NO,		/* audit can never supply it */
};

#define FF_ARG_REQ	0x001	/* argument required */
#define FF_ARG_OPT	0x002	/* argument allowed */
#define FF_ARG_INDEX	0x004	/* argument is a non-negative index */
#define FF_ARG_DOT	0x008	/* argument may follow a dot: evt.arg.flags */
#define FF_LIST		0x010	/* list-valued field */
#define FF_ANCESTORS	0x020	/* no argument: true if any ancestor matches */
#define FF_FILTER_ONLY	0x040	/* not allowed in outputs */
#define FF_TIME_TEXT	0x080	/* text is a local time, JSON the ns */

struct aw_field {
	const char *name;
	uint16_t id;
	uint8_t type;
	uint8_t avail;
	uint16_t flags;
	const char *why;	/* when avail != AV_YES */
};

const struct aw_field *aw_field_find(const char *name, size_t len);
/* Availability and value type of a field with its argument (evt.arg.X
 * differs per X). */
enum aw_avail aw_field_avail(const struct aw_field *f, const char *arg,
    const char **why);
int aw_field_type(const struct aw_field *f, const char *arg);
/* Validate an argument; 0 ok, -1 with err. idx gets a numeric argument. */
int aw_field_check_arg(const struct aw_field *f, const char *arg,
    int64_t *idx, char *err, size_t errsz);
size_t aw_field_count(void);
const struct aw_field *aw_field_at(size_t i);
/* Is name a syscall/event type known to Falco or the audit tables? */
int aw_evttype_known(const char *name);

struct fval {
	const char *s;		/* FT_STR, FT_BYTES */
	size_t len;
	int64_t i;		/* numbers, bools, times */
	uint8_t ip[16];		/* FT_IPADDR */
	uint8_t iplen;		/* 4 or 16 */
	uint8_t hashed;		/* h is valid (set lazily by eval.c) */
	uint64_t h;		/* hash of s for `in` sets */
	const char *lower;	/* s lowercased, in the arena (set lazily by
				 * eval.c for icontains on long values) */
};

/* A compiled reference to a field: the definition, its argument, and the
 * cache slot shared by every reference to the same field+argument. */
struct cfield {
	const struct aw_field *def;
	char *arg;
	int64_t idx;		/* numeric argument, -1 when none */
	int argcode;		/* evt.arg.X resolved name, -1 when none */
	int type;		/* value type (FT_DYN resolved when possible) */
	int slot;
};

struct xslot {
	uint64_t gen;
	int n;			/* 0: missing */
	struct fval *v;
	struct fval one;
};

/* Evaluation context of one event. */
struct xctx {
	const struct aw_event *ev;
	struct aw_enricher *en;
	const struct aw_engine_options *opts;
	uint64_t gen;		/* event generation (never wraps) */
	struct xslot *slots;
	size_t nslots;
	struct arena arena;
	uint32_t *memo;		/* per check id: memo_gen << 1 | result */
	uint32_t memo_gen;	/* gen in 31 bits, never 0 (memo cleared
				 * when it wraps); half the cache lines of
				 * a 64-bit memo over thousands of checks */
	size_t nmemo;
	uint64_t checks_run;	/* memo misses, for the statistics */
	int proc_done;
	const struct aw_proc *proc;
#define XCTX_ANC 8
	const struct aw_proc *anc[XCTX_ANC];	/* 0: proc, 1: parent... */
	int nanc;
	int fd_done;		/* fd facts computed */
	int fdkind;		/* -1 until computed */
	int fd_path;		/* PATH item used for fd.name, -1 */
	const char *fd_name;	/* resolved, arena */
	size_t fd_namelen;
	int cmd_done;		/* proc.cmdline/proc.args built (fields.c) */
	const char *cmd_line, *cmd_args;	/* arena; NULL: missing */
	size_t cmd_llen, cmd_alen;
};

void xctx_init(struct xctx *x);
void xctx_free(struct xctx *x);
int xctx_prepare(struct xctx *x, size_t nslots, size_t nchecks);
void xctx_begin(struct xctx *x, const struct aw_event *ev,
    struct aw_enricher *en);
/* Extract f for the current event, cached per slot. Returns the number of
 * values (0: missing); *out points to them. */
int xget(struct xctx *x, const struct cfield *f, const struct fval **out);
/* Uncached extraction (fields.c). */
int aw_field_extract(struct xctx *x, const struct cfield *f,
    struct xslot *out);
/* Resolve evt.arg names to codes at compile time (-1 unknown name). */
int aw_evt_argcode(const char *name);
int aw_evt_argtype(int argcode);

/* ------------------------------------------------------------ compiled */

struct coperand {
	int xform;		/* enum aw_xform */
	int type;		/* result type */
	int multi;		/* may yield several values */
	struct cfield f;	/* FIELD, VAL */
	struct coperand **args;
	int nargs;
	char *lit;		/* STRING */
	size_t litlen;
};

struct cconst {
	const char *s;
	size_t len;
	int64_t i;
	uint8_t ip[16];
	uint8_t iplen;
	uint8_t prefix;		/* IPNET, or IPADDR given as CIDR (0: exact) */
	uint8_t isnet;
	const char *lower;	/* icontains: s lowercased (ASCII) */
	size_t anchor;		/* contains/icontains: index of the byte of
				 * s (lower) that long texts are scanned for */
};

struct pm_entry {		/* pmatch: one path split in components */
	char **comp;
	size_t *clen;
	int ncomp;
	int glob;		/* some component has glob characters */
};

struct ccheck {
	/* What evaluating a plain check reads comes first, in the one
	 * cache line the struct is aligned to (cc_check allocates it on a
	 * 64-byte boundary): a rule set of thousands of checks does not fit
	 * the L1 cache, so each line a check touches is a likely miss. The
	 * field reference (lhs.f.slot) is the second line. */
	int16_t op;
	int16_t mod;
	int16_t cmptype;	/* type the comparison is done in */
	uint8_t list;		/* lhs is a list-valued field (FF_LIST) */
	int32_t slot;		/* lhs.f.slot of a plain field, else -1 */
	uint32_t hmask;
	int id;
	struct cconst *vals;
	size_t nvals;
	uint64_t *htab;		/* in/intersects on strings: open addressing,
				 * index+1 into vals (0 empty) in the low 32
				 * bits, the value's hash's high 32 bits above:
				 * a miss rarely reads vals or their strings */
	struct coperand *rhs;
	pcre2_code *re;
	struct coperand lhs;
	pcre2_match_data *md;
	pcre2_match_context *mctx;	/* bounded backtracking */
	struct cconst **sorted;	/* in/intersects: sorted for bsearch */
	struct pm_entry *pm;
	size_t npm;
	int rhs_kind;		/* AW_RHS_NONE, VALUE/LIST (consts), OPERAND */
	int evttype;		/* lhs is plain evt.type: foldable per bucket */
	/* Identical checks are compiled once and shared by every rule and
	 * macro expansion using them (id above); the result is kept per
	 * event in the context's memo array, at that id. */
	UT_hash_handle hh;
	char *key;
	char **store;		/* owned strings of vals */
	size_t nstore;
};

enum { CN_AND, CN_OR, CN_NOT, CN_CHECK, CN_TRUE, CN_FALSE };

struct cnode {
	int kind;
	int nkids;
	struct cnode **kids;
	struct ccheck *chk;
	int folded;		/* made by the index: frees only itself */
};

struct fmt_token {
	char *text;		/* literal text (NULL for a field) */
	size_t len;
	struct coperand *op;	/* field or transformer */
	char *key;		/* output_fields key; NULL for transformers */
	int width;		/* %<N>field, 0 none */
	int json_only;		/* a field inside %transformer(...): only
				 * its output_fields entry, no text */
	char *xkey;		/* transformer's key ("tolower(proc.name)"),
				 * used when opts->output_transformed_fields */
};

/* One output_fields key of a format. The value is the last token naming
 * the key (as setting a JSON object's key again replaces it). */
struct fmt_key {
	char *quoted;		/* ",\"proc.name\":", ready to copy */
	size_t len;
	int tok;		/* last token with this key; -1: none */
	int xtok;		/* the same with output_transformed_fields */
	int is_time;		/* "evt.time": the alert's time */
};

struct cfmt {
	struct fmt_token *t;
	int n;
	struct fmt_key *keys;	/* output_fields, sorted bytewise, unique */
	int nkeys;
};

struct slotkey {
	char *key;		/* "name\x1farg" */
	int slot;
	UT_hash_handle hh;
};

/* Compile-time state shared by compile.c and output.c. */
struct ccompiler {
	struct slotkey *slots;
	int nslots;
	struct ccheck *checks;	/* shared checks by canonical text */
	int nchecks;
	struct ccheck **byid;
	char err[512];
	struct aw_srcpos errpos;
	int unknown;		/* the error is an unknown field/evttype */
};

int cc_operand(struct ccompiler *cc, const struct aw_ast_operand *o,
    struct coperand *out, int rhs);
void coperand_free(struct coperand *o);
int cc_field(struct ccompiler *cc, const char *name, const char *arg,
    const struct aw_srcpos *pos, struct cfield *out);

int cfmt_compile(struct ccompiler *cc, const char *fmt, struct cfmt *out);
void cfmt_free(struct cfmt *f);
/* Render the text into sb. */
int cfmt_render(struct xctx *x, const struct cfmt *f, struct sbuf *sb);
/* Append output_fields as compact JSON with sorted keys (Falco's bytes),
 * with "evt.time" set to time_ns. -1 on allocation failure. */
int cfmt_render_fields(struct xctx *x, const struct cfmt *f,
    int64_t time_ns, struct aw_buf *b);
/* Text of one value of an operand (for outputs); 0 when missing. */
int operand_text(struct xctx *x, const struct coperand *o, struct sbuf *sb);

struct bucket;
struct insn;

/* eval.c */
int eval_node(struct xctx *x, const struct cnode *n);
uint64_t aw_hash(const char *s, size_t len);
/* Value of an evt.type check for events of syscall `name` (NULL: events
 * without a syscall, where evt.type is missing). */
int eval_evttype_check(struct xctx *x, const struct ccheck *c,
    const char *name);
struct cnode *cnode_fold(const struct cnode *n, struct xctx *x,
    const char *name);
void cnode_free_folded(struct cnode *n);
/* Append n's jump code to b->code; returns the entry (or PC_*), or
 * INT32_MIN on OOM. */
int32_t cnode_gen(struct bucket *b, const struct cnode *n, int32_t t,
    int32_t f);
/* Run one rule's program. */
int eval_program(struct xctx *x, struct ccheck *const *byid,
    const struct insn *code, int32_t pc);
int eval_operand(struct xctx *x, const struct coperand *o,
    const struct fval **out, int *type);
void cnode_free(struct cnode *n);
void ccheck_free(struct ccheck *c);

/* ------------------------------------------------------------ engine */

/* Typed alert columns (alert.h), extracted for every alert. */
enum { COL_CT_ID, COL_CT_NAME, COL_POD, COL_NS, COL_PROC, COL_CMDLINE,
	COL_USER, COL_FD, COL__COUNT };

struct crule {
	struct aw_rule_info info;	/* public view; strings below */
	char *name, *desc, *output, *source, *reason;
	char **tags;
	size_t ntags;
	char **evttypes;
	size_t nevttypes;
	int evttypes_all;
	struct aw_ast *ast;
	struct cnode *root;
	struct cfmt fmt;
	char *tags_json;	/* tags as Falco's JSON array (sorted, no
				 * repeats), made at the first alert */
	int index;
	char **pnames;		/* proc.name values the rule needs... */
	size_t npnames;
	int pnames_all;		/* ...or any */
	int file_enabled;	/* enabled: in the rules file */
	int below_priority;
	char *partial_reason;	/* set when the condition is partial */
};

/* The rules an event of one syscall meets, in rule order, each with its
 * condition specialised for that syscall (evt.type checks folded to
 * constants; rules that fold to false are left out). */
struct insn {			/* jump code: check id, then where to go */
	int32_t id;
	int32_t t, f;		/* next insn, or PC_ACCEPT / PC_REJECT */
};

#define PC_ACCEPT (-1)
#define PC_REJECT (-2)

/* Second-level index: rules that can only match a few process names. */
struct pname_idx {
	char *name;
	int32_t *pos;		/* positions in the bucket, ascending */
	size_t n, cap;
	UT_hash_handle hh;
};

struct bucket {
	char *name;		/* NULL for the universal bucket */
	struct crule **rules;
	int32_t *entry;		/* per rule: first insn, or PC_* */
	size_t n, cap;
	struct insn *code;	/* every rule's program, one array */
	size_t ncode, capcode;
	/* Rules whose condition needs proc.name in a finite set are only
	 * tried for those names (byname); the others always (generic). */
	int32_t *generic;
	size_t ngeneric, capgeneric;
	struct pname_idx *byname;
	UT_hash_handle hh;
};

struct aw_engine {
	struct aw_engine_options opts;
	struct rl_collector col;
	char **files;		/* file names used in positions */
	size_t nfiles, capfiles;
	struct crule *rules;
	size_t nrules;
	struct ccompiler cc;
	struct cfield cols[COL__COUNT];
	struct bucket *buckets;
	struct bucket universal;	/* syscalls no rule names (unfolded) */
	struct bucket nosys;		/* events without a syscall */
	/* Bucket by syscall name, cached by the name's address (names are
	 * static strings): events alternate between a few syscalls, each
	 * a hash of its name otherwise. Direct-mapped, BUCKET_CACHE slots. */
#define BUCKET_CACHE 16
	struct {
		const char *name;
		struct bucket *b;
	} bcache[BUCKET_CACHE];
	struct xctx x;
	struct sbuf alert_text;		/* emit(): an alert's output, */
	struct aw_buf alert_fields;	/* output_fields and typed columns,
					 * built here, then copied into the */
	struct sbuf alert_cols;		/* alert's one block of strings */
	struct aw_engine_stats stats;
	char **syscalls;
	size_t nsyscalls;
	int all_syscalls;
	size_t nmacros, nlists;
	int compiled;
	int failed;
};

/* compile.c: the whole collector → e->rules, index, summary data. */
int aw_compile(struct aw_engine *e, struct aw_diags *d);
/* Rebuild the evt.type index and the syscall set (after enable/disable). */
int aw_build_index(struct aw_engine *e);
void aw_rules_free(struct aw_engine *e);
void aw_fill_info(struct crule *cr);

#endif
