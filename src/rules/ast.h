/*
 * ast.h — the syntax tree of a Falco condition.
 *
 * cond_parse.c builds it from condition text (after list substitution);
 * compile.c resolves macro identifiers in it, type-checks it and compiles
 * it to the evaluator's form. The resolved tree of every rule stays
 * reachable through aw_engine_rule() so other stages (kernel rule
 * derivation) can walk the evt.type set and the fd.name / fd.directory
 * constraints of each rule without reparsing anything.
 *
 * Shape: AND/OR nodes are n-ary (runs of the same operator are flattened,
 * as libsinsp does), NOT has one child, CHECK is "lhs op rhs", MACRO is an
 * identifier that has not been resolved yet (none remain after compile).
 */
#ifndef AW_RULES_AST_H
#define AW_RULES_AST_H

#include <stddef.h>

/* Where a node came from: file name (owned by the engine), 1-based line and
 * column. line 0 means unknown. */
struct aw_srcpos {
	const char *file;
	int line;
	int col;
};

enum aw_ast_kind {
	AW_AST_AND,
	AW_AST_OR,
	AW_AST_NOT,
	AW_AST_CHECK,
	AW_AST_MACRO,
};

enum aw_op {
	AW_OP_EQ,		/* = and == */
	AW_OP_NE,
	AW_OP_LT,
	AW_OP_LE,
	AW_OP_GT,
	AW_OP_GE,
	AW_OP_CONTAINS,
	AW_OP_ICONTAINS,
	AW_OP_BCONTAINS,
	AW_OP_STARTSWITH,
	AW_OP_BSTARTSWITH,
	AW_OP_ENDSWITH,
	AW_OP_GLOB,
	AW_OP_IGLOB,
	AW_OP_REGEX,
	AW_OP_IN,
	AW_OP_INTERSECTS,
	AW_OP_PMATCH,
	AW_OP_EXISTS,
	AW_OP__COUNT
};

/* "proc.name startswith anyof (a, b)" (libs 0.25). */
enum aw_modifier {
	AW_MOD_NONE,
	AW_MOD_ONEOF,
	AW_MOD_ANYOF,
	AW_MOD_ALLOF,
};

/* An operand is a field (with optional argument) or a transformer applied
 * to operands; val(f) on the right-hand side is AW_XF_VAL. */
enum aw_xform {
	AW_XF_FIELD,
	AW_XF_VAL,
	AW_XF_TOLOWER,
	AW_XF_TOUPPER,
	AW_XF_B64,
	AW_XF_BASENAME,
	AW_XF_LEN,
	AW_XF_JOIN,
	AW_XF_CONCAT,
	AW_XF_GETOPT,
	AW_XF_STRING,		/* a literal argument of join/concat/getopt */
};

struct aw_ast_operand {
	enum aw_xform xform;
	char *field;		/* AW_XF_FIELD: "proc.aname"; AW_XF_STRING: text */
	char *arg;		/* "2" for proc.aname[2], "flags" for
				 * evt.arg.flags; NULL when none */
	struct aw_ast_operand **args;	/* transformer arguments */
	int nargs;
	struct aw_srcpos pos;
};

enum aw_rhs_kind {
	AW_RHS_NONE,		/* exists */
	AW_RHS_VALUE,		/* one value */
	AW_RHS_LIST,		/* (v1, v2, ...) */
	AW_RHS_OPERAND,		/* val(f) or a transformer */
	AW_RHS_LISTREF,		/* bare identifier where a list was expected */
};

struct aw_ast_value {
	char *s;		/* unescaped, NUL-terminated */
	size_t len;
	int quoted;
};

struct aw_ast {
	enum aw_ast_kind kind;
	struct aw_srcpos pos;

	/* AND, OR: nkids >= 2; NOT: nkids == 1 */
	struct aw_ast **kids;
	int nkids;

	/* MACRO */
	char *ident;

	/* CHECK */
	struct aw_ast_operand *lhs;
	enum aw_op op;
	enum aw_modifier mod;
	enum aw_rhs_kind rhs_kind;
	struct aw_ast_value *values;	/* VALUE: 1, LIST: nvalues */
	size_t nvalues;
	struct aw_ast_operand *rhs;	/* OPERAND */
	char *listref;			/* LISTREF */
};

void aw_ast_free(struct aw_ast *n);
void aw_ast_operand_free(struct aw_ast_operand *o);
struct aw_ast *aw_ast_clone(const struct aw_ast *n);
struct aw_ast_operand *aw_ast_operand_clone(const struct aw_ast_operand *o);

/* Canonical text of a tree (fully parenthesised, values quoted when
 * needed): for tests and diagnostics. Returns malloc'd string. */
char *aw_ast_to_string(const struct aw_ast *n);

const char *aw_op_name(enum aw_op op);

#endif
