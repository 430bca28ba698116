/*
 * test_rules_parse.c — Falco's condition grammar: precedence, `not`
 * toggling, n-ary flattening, values (bare, quoted, escapes, lists), field
 * arguments, operators, transformers, val(), modifiers, and errors with
 * the offset where they happen.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules/rules_int.h"

/* Parse text and return its canonical form (or NULL, with err). */
static char *
canon(const char *text, struct aw_parse_error *err)
{
	struct aw_ast *a = aw_cond_parse(text, strlen(text), NULL, 1000, err);
	char *s;

	if (a == NULL)
		return NULL;
	s = aw_ast_to_string(a);
	aw_ast_free(a);
	return s;
}

static void
expect(const char *text, const char *want)
{
	struct aw_parse_error err;
	char *got = canon(text, &err);

	if (got == NULL)
		fail_msg("parse of '%s' failed: %s at %zu", text, err.msg,
		    err.off);
	assert_string_equal(got, want);
	free(got);
}

static void
expect_error(const char *text, const char *msg_part, size_t off)
{
	struct aw_parse_error err;
	char *got = canon(text, &err);

	if (got != NULL)
		fail_msg("'%s' parsed as '%s', expected an error", text, got);
	if (strstr(err.msg, msg_part) == NULL)
		fail_msg("'%s': error '%s' lacks '%s'", text, err.msg,
		    msg_part);
	assert_int_equal(err.off, off);
}

static void
test_precedence(void **state)
{
	(void)state;
	expect("a and b or c", "((a and b) or c)");
	expect("a or b and c", "(a or (b and c))");
	expect("not a and b", "(not a and b)");
	expect("a and (b or c)", "(a and (b or c))");
	expect("a and b and c", "(a and b and c)");
	expect("a or b or c and d", "(a or b or (c and d))");
	expect("(a)", "a");
	expect("a and(b or c)", "(a and (b or c))");
}

static void
test_not(void **state)
{
	(void)state;
	expect("not a", "not a");
	expect("not not a", "a");
	expect("not not not a", "not a");
	expect("not(a or b) and c", "(not (a or b) and c)");
	expect("not (a or b)", "not (a or b)");
	/* a macro whose name starts with "not" is an identifier */
	expect("notable and nothing", "(notable and nothing)");
	expect("android or oracle", "(android or oracle)");
}

static void
test_checks_and_values(void **state)
{
	(void)state;
	expect("proc.name=bash", "proc.name = bash");
	expect("proc.name==bash", "proc.name = bash");
	expect("fd.num>=0", "fd.num >= 0");
	expect("fd.num < -1", "fd.num < -1");
	expect("evt.arg.flags contains O_TRUNC",
	    "evt.arg.flags contains O_TRUNC");
	expect("proc.name = runc:[0:PARENT]", "proc.name = runc:[0:PARENT]");
	expect("fd.name startswith /etc/", "fd.name startswith /etc/");
	expect("evt.type in (open,openat, 'x y')",
	    "evt.type in (open, openat, \"x y\")");
	expect("evt.type in(open)", "evt.type in (open)");
	expect("evt.type in ()", "evt.type in ()");
	expect("proc.name in (  a ,b  )", "proc.name in (a, b)");
	expect("proc.pname exists", "proc.pname exists");
	expect("proc.aname[2] = sshd", "proc.aname[2] = sshd");
	expect("proc.aname[\"2\"] = sshd", "proc.aname[2] = sshd");
	expect("container.mount.dest[/var/run/docker.sock] exists",
	    "container.mount.dest[/var/run/docker.sock] exists");
	expect("fd.ip = 0x10", "fd.ip = 0x10");
	expect("proc.pid > 0x1F", "proc.pid > 0x1F");
	expect("user.uid <= 1.5e+3", "user.uid <= 1.5e+3");
	expect("fd.name pmatch (/var/run, /tmp)",
	    "fd.name pmatch (/var/run, /tmp)");
	expect("k8s.ns.name intersects (a)", "k8s.ns.name intersects (a)");
	expect("proc.name icontains Bash and proc.name iglob 'B*'",
	    "(proc.name icontains Bash and proc.name iglob B*)");
	expect("proc.name regex '[a-z]+'", "proc.name regex [a-z]+");
	expect("proc.name in shell_binaries", "proc.name in shell_binaries");
	expect("proc.cmdline = \"\"", "proc.cmdline = \"\"");
}

static void
test_quoting(void **state)
{
	struct aw_parse_error err;
	struct aw_ast *a;

	(void)state;
	a = aw_cond_parse("proc.name = \"a\\\"b\\x41\\n\"", 24, NULL, 100,
	    &err);
	assert_non_null(a);
	assert_int_equal(a->rhs_kind, AW_RHS_VALUE);
	assert_string_equal(a->values[0].s, "a\"bA\n");
	assert_int_equal(a->values[0].quoted, 1);
	aw_ast_free(a);
	/* single quotes: \' escapes; a double quote is literal */
	a = aw_cond_parse("proc.name = 'it\\'s \"x\"'", 23, NULL, 100, &err);
	assert_non_null(a);
	assert_string_equal(a->values[0].s, "it's \"x\"");
	aw_ast_free(a);
	/* Falco's quirk: backslash-space is one backslash */
	a = aw_cond_parse("proc.name = 'a\\ b'", 18, NULL, 100, &err);
	assert_non_null(a);
	assert_string_equal(a->values[0].s, "a\\b");
	aw_ast_free(a);
	expect_error("proc.name = \"a\\qb\"", "invalid escape", 12);
	expect_error("proc.name = \"\\x4\"", "\\x escape", 12);
}

static void
test_transformers(void **state)
{
	struct aw_parse_error err;
	struct aw_ast *a;

	(void)state;
	expect("tolower(proc.name) = bash", "tolower(proc.name) = bash");
	expect("proc.name = val(proc.pname)", "proc.name = val(proc.pname)");
	expect("proc.name != toupper(proc.pname)",
	    "proc.name != toupper(proc.pname)");
	expect("basename(tolower(proc.exepath)) in (sh)",
	    "basename(tolower(proc.exepath)) in (sh)");
	expect("len(proc.args) > 3", "len(proc.args) > 3");
	expect("proc.pid > val(proc.ppid)", "proc.pid > val(proc.ppid)");
	expect("proc.name startswith anyof (py, java)",
	    "proc.name startswith anyof (py, java)");
	a = aw_cond_parse("b64(proc.args) contains x", 25, NULL, 100, &err);
	assert_non_null(a);
	assert_int_equal(a->lhs->xform, AW_XF_B64);
	assert_int_equal(a->lhs->nargs, 1);
	assert_string_equal(a->lhs->args[0]->field, "proc.args");
	aw_ast_free(a);
}

static void
test_errors(void **state)
{
	char deep[4200];
	int i;

	(void)state;
	expect_error("", "empty condition", 0);
	expect_error("   ", "empty condition", 3);
	expect_error("proc.name =", "expected a string value", 11);
	expect_error("proc.name = bash and", "unexpected token", 17);
	expect_error("(a and b", "expected a ')'", 8);
	expect_error("proc.name bogus x", "valid check operator", 10);
	expect_error("proc.name containsx y", "valid check operator", 10);
	expect_error("proc.pid > abc", "expected a number", 11);
	expect_error("evt.type in (a, b", "expected ',' or ')'", 17);
	expect_error("evt.type in (a,, b)", "expected a list value", 15);
	expect_error("proc.aname[2 = x", "expected a ']'", 12);
	expect_error("a b", "unexpected token", 2);
	expect_error("tolower(proc.name", "expected ',' or ')'", 17);
	/* depth limit */
	for (i = 0; i < 1500; i++)
		deep[i] = '(';
	strcpy(deep + i, "a");
	for (int k = 0; k < 1500; k++)
		strcat(deep, ")");
	{
		struct aw_parse_error err;
		assert_null(aw_cond_parse(deep, strlen(deep), NULL, 1000,
		    &err));
		assert_non_null(strstr(err.msg, "max depth"));
	}
}

static void
test_positions(void **state)
{
	const char *text = "a and\n  proc.name =";
	struct aw_srcpos map[32];
	struct aw_parse_error err;
	struct aw_ast *a;
	size_t len = strlen(text);
	int line = 5, col = 3;

	(void)state;
	for (size_t i = 0; i <= len; i++) {
		map[i].file = "f.yaml";
		map[i].line = line;
		map[i].col = col++;
		if (i < len && text[i] == '\n') {
			line++;
			col = 1;
		}
	}
	a = aw_cond_parse(text, len, map, 100, &err);
	assert_null(a);
	assert_int_equal(err.off, len);
	assert_int_equal(map[err.off].line, 6);
	/* node positions come from the map */
	a = aw_cond_parse("a and\n  proc.name = x", 21, map, 100, &err);
	assert_non_null(a);
	assert_int_equal(a->kids[1]->pos.line, 6);
	assert_int_equal(a->kids[1]->pos.col, 3);
	assert_string_equal(a->kids[1]->pos.file, "f.yaml");
	aw_ast_free(a);
}

static void
test_clone(void **state)
{
	struct aw_parse_error err;
	const char *t = "not (proc.name in (a, b) or tolower(fd.name) = "
	    "val(proc.pname)) and m";
	struct aw_ast *a = aw_cond_parse(t, strlen(t), NULL, 100, &err), *c;
	char *s1, *s2;

	(void)state;
	assert_non_null(a);
	c = aw_ast_clone(a);
	assert_non_null(c);
	s1 = aw_ast_to_string(a);
	aw_ast_free(a);
	s2 = aw_ast_to_string(c);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	aw_ast_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_not),
		cmocka_unit_test(test_checks_and_values),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_transformers),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_clone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
