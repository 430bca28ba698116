/*
 * test_rules_loader.c — rule files as Falco reads them: lists substituted
 * as text with Falco's boundary rules, macros resolved with the
 * visibility rule, redefinition keeping positions, append and override,
 * exceptions compiled to "and not (...)", skip-if-unknown-filter, type
 * checks, evt.type sets, and every error naming file:line:column.
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

#include "config.h"
#include "rules_testlib.h"

/* Load text; the engine is returned even when loading failed. */
static struct aw_engine *
load_any(const char *yaml, struct aw_diags *d)
{
	struct aw_engine_options o;
	struct aw_engine *e;

	aw_engine_options_default(&o);
	e = aw_engine_new_opts(&o);
	assert_non_null(e);
	aw_diags_init(d);
	aw_engine_add_string(e, "t.yaml", yaml, strlen(yaml), d);
	aw_engine_compile(e, d);
	return e;
}

static char *
cond_of(struct aw_engine *e, const char *rule)
{
	const struct aw_rule_info *r = aw_engine_rule_by_name(e, rule);

	assert_non_null(r);
	assert_non_null(r->condition);
	return aw_ast_to_string(r->condition);
}

static void
expect_cond(struct aw_engine *e, const char *rule, const char *want)
{
	char *s = cond_of(e, rule);

	assert_string_equal(s, want);
	free(s);
}

/* The first diagnostic of that level containing msg; NULL if none. */
static const struct aw_diag *
find_diag(const struct aw_diags *d, enum aw_diag_level lvl, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == lvl && strstr(d->v[i].msg, msg))
			return &d->v[i];
	return NULL;
}

static const struct aw_diag *
expect_diag(const struct aw_diags *d, enum aw_diag_level lvl,
    const char *msg, int line, int col)
{
	const struct aw_diag *g = find_diag(d, lvl, msg);

	if (g == NULL) {
		aw_diags_print(d, stderr);
		fail_msg("no %s containing '%s'", lvl == AW_DIAG_ERROR ?
		    "error" : "warning", msg);
	}
	assert_string_equal(g->file, "t.yaml");
	if (line)
		assert_int_equal(g->line, line);
	if (col)
		assert_int_equal(g->col, col);
	return g;
}

#define RULE(name, cond) \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n" \
	"  output: o\n  priority: WARNING\n"

static void
test_lists(void **state)
{
	struct aw_engine *e = tl_engine(
	    "- list: shells\n  items: [bash, sh]\n"
	    "- list: more\n  items: [shells, zsh]\n"
	    "- list: spaced\n  items: [\"my app\", '\"quoted x\"']\n"
	    "- list: empty\n  items: []\n"
	    "- list: bare\n  items: [v]\n"
	    RULE("a", "proc.name in (shells)")
	    RULE("b", "proc.name in (more)")
	    RULE("c", "proc.name in (spaced)")
	    RULE("d", "proc.name in (x, empty)")
	    RULE("e", "proc.name in (empty, x)")
	    RULE("f", "proc.name=bare")
	    RULE("g", "proc.name = \"bare\" or proc.name = bare_x"));

	(void)state;
	expect_cond(e, "a", "proc.name in (bash, sh)");
	expect_cond(e, "b", "proc.name in (bash, sh, zsh)");
	expect_cond(e, "c", "proc.name in (\"my app\", \"quoted x\")");
	expect_cond(e, "d", "proc.name in (x)");
	expect_cond(e, "e", "proc.name in (x)");
	/* Falco's issue #197: a bare value equal to a list name is
	 * substituted too (bounded by '=' and the end). */
	expect_cond(e, "f", "proc.name = v");
	/* ...but not inside quotes, nor as part of a longer word */
	expect_cond(e, "g", "(proc.name = bare or proc.name = bare_x)");
	aw_engine_free(e);
}

static void
test_macro_visibility(void **state)
{
	struct aw_diags d;
	struct aw_engine *e;

	(void)state;
	/* m2 uses m1, defined after m2: not visible to m2 */
	e = load_any(
	    "- macro: m2\n  condition: m1 and proc.name = x\n"
	    "- macro: m1\n  condition: evt.type = open\n"
	    RULE("r", "m2"), &d);
	expect_diag(&d, AW_DIAG_ERROR, "undefined macro 'm1'", 2, 14);
	aw_diags_free(&d);
	aw_engine_free(e);

	/* rules see every macro; a redefinition keeps the first index, so
	 * m2 still sees m1, and gets its last definition */
	e = tl_engine(
	    "- macro: m1\n  condition: evt.type = open\n"
	    "- macro: m2\n  condition: m1 and proc.name = x\n"
	    RULE("r", "m2 and m3")
	    "- macro: m3\n  condition: fd.num >= 0\n"
	    "- macro: m1\n  condition: evt.type = openat\n");
	expect_cond(e, "r", "((evt.type = openat and proc.name = x) and "
	    "fd.num >= 0)");
	aw_engine_free(e);

	e = load_any("- macro: a\n  condition: b\n- macro: b\n  condition: a\n"
	    RULE("r", "a"), &d);
	assert_true(d.nerrors > 0);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- macro: a\n  condition: a or proc.name = x\n"
	    RULE("r", "a"), &d);
	/* a macro cannot see itself: undefined when resolving a */
	expect_diag(&d, AW_DIAG_ERROR, "undefined macro 'a'", 2, 14);
	aw_diags_free(&d);
	aw_engine_free(e);
}

static void
test_redefinition_keeps_position(void **state)
{
	struct aw_engine *e = tl_engine(
	    RULE("first", "evt.type = open")
	    RULE("second", "evt.type = openat")
	    RULE("first", "evt.type = creat"));

	(void)state;
	assert_int_equal(aw_engine_nrules(e), 2);
	assert_string_equal(aw_engine_rule(e, 0)->name, "first");
	assert_string_equal(aw_engine_rule(e, 1)->name, "second");
	expect_cond(e, "first", "evt.type = creat");
	assert_int_equal(aw_engine_rule(e, 0)->pos.line, 11);
	aw_engine_free(e);
}

static void
test_append_override(void **state)
{
	struct aw_diags d;
	struct aw_engine *e;

	(void)state;
	e = load_any(
	    "- list: l\n  items: [a]\n"
	    "- list: l\n  items: [b]\n  append: true\n"
	    "- macro: m\n  condition: proc.name in (l)\n"
	    "- macro: m\n  condition: or proc.name = c\n"
	    "  override:\n    condition: append\n"
	    RULE("r", "evt.type = open and m")
	    "- rule: r\n  condition: and fd.num > 2\n  append: true\n"
	    "- rule: r\n  output: more\n  priority: ERROR\n"
	    "  tags: [t2]\n"
	    "  override:\n    output: append\n    priority: replace\n"
	    "    tags: append\n", &d);
	assert_int_equal(d.nerrors, 0);
	expect_diag(&d, AW_DIAG_WARNING, "'append' key is deprecated", 0, 0);
	expect_cond(e, "r", "(evt.type = open and (proc.name in (a, b) or "
	    "proc.name = c) and fd.num > 2)");
	assert_string_equal(aw_engine_rule_by_name(e, "r")->output,
	    "o more container_id=%container.id "
	    "container_name=%container.name");
	assert_int_equal(aw_engine_rule_by_name(e, "r")->priority,
	    AW_PRIO_ERROR);
	assert_int_equal(aw_engine_rule_by_name(e, "r")->ntags, 1);
	aw_diags_free(&d);
	aw_engine_free(e);

	/* an overridable key present but not named under override */
	e = load_any(RULE("r", "evt.type = open")
	    "- rule: r\n  condition: and fd.num > 2\n  desc: x\n"
	    "  override:\n    condition: append\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "unexpected key 'desc'", 8, 3);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- rule: nope\n  condition: x\n  override:\n"
	    "    condition: append\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "no rule by that name", 1, 9);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- list: nope\n  items: [a]\n  append: true\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "no list by that name", 1, 9);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any(RULE("r", "evt.type = open")
	    "- rule: r\n  priority: NOTICE\n  override:\n"
	    "    priority: append\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "cannot be appended to", 9, 5);
	aw_diags_free(&d);
	aw_engine_free(e);

	/* legacy enable/disable */
	e = tl_engine(RULE("r", "evt.type = open")
	    "- rule: r\n  enabled: false\n");
	assert_int_equal(aw_engine_rule_by_name(e, "r")->state,
	    AW_RULE_DISABLED);
	aw_engine_free(e);
}

static void
test_exceptions(void **state)
{
	struct aw_engine *e = tl_engine(
	    "- rule: w\n  desc: d\n"
	    "  condition: evt.type = open and fd.name startswith /etc\n"
	    "  output: o\n  priority: ERROR\n"
	    "  exceptions:\n"
	    "    - name: writers\n"
	    "      fields: [proc.name, fd.directory]\n"
	    "      comps: [=, in]\n"
	    "      values:\n"
	    "        - [nginx, [/var/log, /tmp]]\n"
	    "        - [\"my app\", [/srv]]\n"
	    "    - name: images\n"
	    "      fields: container.image.repository\n"
	    "      values: [docker.io/foo, \"quay.io/bar baz\"]\n"
	    "    - name: unused\n"
	    "      fields: [proc.name]\n"
	    "- rule: w\n"
	    "  exceptions:\n"
	    "    - name: writers\n"
	    "      values:\n"
	    "        - [vim, [/etc]]\n"
	    "  override:\n    exceptions: append\n");

	(void)state;
	expect_cond(e, "w", "((evt.type = open and fd.name startswith /etc) "
	    "and not ((proc.name = nginx and fd.directory in (/var/log, "
	    "/tmp)) or (proc.name = \"my app\" and fd.directory in (/srv)) "
	    "or (proc.name = vim and fd.directory in (/etc))) and not "
	    "container.image.repository in (docker.io/foo, "
	    "\"quay.io/bar baz\"))");
	aw_engine_free(e);
}

static void
test_exception_errors(void **state)
{
	struct aw_diags d;
	struct aw_engine *e;

	(void)state;
	e = load_any("- rule: w\n  desc: d\n  condition: evt.type = open\n"
	    "  output: o\n  priority: ERROR\n  exceptions:\n"
	    "    - name: x\n      fields: [proc.name, fd.name]\n"
	    "      values:\n        - [a]\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "equal length", 0, 0);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- rule: w\n  desc: d\n  condition: evt.type = open\n"
	    "  output: o\n  priority: ERROR\n  exceptions:\n"
	    "    - name: x\n      fields: [proc.nope]\n"
	    "      values:\n        - [a]\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "'proc.nope' is not a supported filter "
	    "field", 7, 7);
	aw_diags_free(&d);
	aw_engine_free(e);
}

static void
test_error_positions(void **state)
{
	struct aw_diags d;
	struct aw_engine *e;

	(void)state;
	/* syntax error inside a folded condition, third line */
	e = load_any("- rule: r\n  desc: d\n  condition: >\n"
	    "    evt.type = open and\n"
	    "    proc.name in (a, b) and\n"
	    "    fd.name bogus x\n"
	    "  output: o\n  priority: WARNING\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "valid check operator", 6, 13);
	aw_diags_free(&d);
	aw_engine_free(e);

	/* unknown field inside a macro: the macro's line */
	e = load_any("- macro: m\n  condition: proc.nosuch = 1\n"
	    RULE("r", "evt.type = open and m"), &d);
	expect_diag(&d, AW_DIAG_ERROR, "unknown field 'proc.nosuch'", 2, 14);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any(RULE("r", "proc.pid contains 1"), &d);
	expect_diag(&d, AW_DIAG_ERROR, "not supported for field 'proc.pid'",
	    3, 14);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any(RULE("r", "proc.pid = abc"), &d);
	expect_diag(&d, AW_DIAG_ERROR, "not a valid number", 3, 14);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any(RULE("r", "proc.name regex 'a('"), &d);
	expect_diag(&d, AW_DIAG_ERROR, "invalid regular expression", 3, 14);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any(RULE("r", "evt.is_open_read = maybe"), &d);
	expect_diag(&d, AW_DIAG_ERROR, "not a valid boolean", 3, 14);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- rule: r\n  desc: d\n  condition: evt.type=open\n"
	    "  output: \"%proc.name %nope.x\"\n  priority: WARNING\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "unknown field", 4, 11);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- rule: r\n  desc: d\n  condition: evt.type=open\n"
	    "  output: o %fd.ip\n  priority: WARNING\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "only be used in conditions", 4, 11);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- rule: r\n  desc: d\n  condition: evt.type=open\n"
	    "  output: o\n  priority: LOUD\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "invalid priority level: LOUD", 5, 13);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- rule: r\n  desc: d\n  output: o\n"
	    "  priority: INFO\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "no mapping for key 'condition'", 1,
	    3);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- rule: r\n  desc: [unclosed\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "YAML syntax error", 0, 0);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- required_engine_version: 0.99.0\n", &d);
	expect_diag(&d, AW_DIAG_ERROR, "engine version", 1, 28);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- required_engine_version: 57\n"
	    "- required_engine_version: 0.57.0\n", &d);
	assert_int_equal(d.nerrors, 0);
	aw_diags_free(&d);
	aw_engine_free(e);

	e = load_any("- required_engine_version: 1.0.0\n", &d);
	assert_int_equal(d.nerrors, 1);
	aw_diags_free(&d);
	aw_engine_free(e);
}

static void
test_warnings(void **state)
{
	struct aw_diags d;
	struct aw_engine *e;

	(void)state;
	e = load_any("- macro: unused\n  condition: proc.name = x\n"
	    "- list: lonely\n  items: [a]\n"
	    "- rule: r\n  desc: d\n  condition: proc.name = x\n"
	    "  output: o\n  priority: NOTICE\n  colour: blue\n"
	    "- something: else\n", &d);
	assert_int_equal(d.nerrors, 0);
	expect_diag(&d, AW_DIAG_WARNING, "unknown key 'colour'", 10, 3);
	expect_diag(&d, AW_DIAG_WARNING, "macro not referred", 1, 10);
	expect_diag(&d, AW_DIAG_WARNING, "list not referred", 3, 9);
	expect_diag(&d, AW_DIAG_WARNING, "unknown top level item", 11, 3);
	expect_diag(&d, AW_DIAG_WARNING, "too many evt.type values", 5, 9);
	aw_diags_free(&d);
	aw_engine_free(e);
}

static void
test_availability_and_skip(void **state)
{
	struct aw_diags d;
	struct aw_engine *e;
	const struct aw_rule_info *r;
	struct aw_engine_summary s;

	(void)state;
	e = load_any(
	    RULE("full", "evt.type = connect and fd.sport = 22")
	    RULE("partial", "evt.type = connect and fd.connected = true")
	    RULE("img", "evt.type = execve and container.image.repository = "
		"x")
	    "- rule: skipped_no\n  desc: d\n  condition: evt.type = connect "
	    "and fd.name_changed = true\n  output: o\n  priority: WARNING\n"
	    "  skip-if-unknown-filter: true\n"
	    "- rule: skipped_unknown\n  desc: d\n  condition: proc.future = 1\n"
	    "  output: o\n  priority: WARNING\n  skip-if-unknown-filter: true\n"
	    "- rule: other_source\n  desc: d\n  condition: ka.verb = get\n"
	    "  output: o\n  priority: WARNING\n  source: k8s_audit\n"
	    "- rule: off\n  desc: d\n  condition: evt.type = open\n"
	    "  output: o\n  priority: WARNING\n  enabled: false\n", &d);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(aw_engine_rule_by_name(e, "full")->state,
	    AW_RULE_ACTIVE);
	r = aw_engine_rule_by_name(e, "partial");
	assert_int_equal(r->state, AW_RULE_PARTIAL);
	assert_non_null(strstr(r->reason, "fd.connected"));
	assert_int_equal(aw_engine_rule_by_name(e, "img")->state,
	    AW_RULE_PARTIAL);
	r = aw_engine_rule_by_name(e, "skipped_no");
	assert_int_equal(r->state, AW_RULE_SKIPPED);
	assert_non_null(strstr(r->reason, "fd.name_changed"));
	assert_int_equal(aw_engine_rule_by_name(e, "skipped_unknown")->state,
	    AW_RULE_SKIPPED);
	assert_int_equal(aw_engine_rule_by_name(e, "other_source")->state,
	    AW_RULE_SKIPPED);
	assert_int_equal(aw_engine_rule_by_name(e, "off")->state,
	    AW_RULE_DISABLED);
	expect_diag(&d, AW_DIAG_WARNING, "loaded as partial", 6, 9);
	expect_diag(&d, AW_DIAG_WARNING, "unknown field 'proc.future'", 24,
	    14);
	aw_engine_summary(e, &s);
	assert_int_equal(s.rules, 7);
	assert_int_equal(s.active, 1);
	assert_int_equal(s.partial, 2);
	assert_int_equal(s.skipped, 3);
	assert_int_equal(s.disabled, 1);
	assert_int_equal(s.nsyscalls, 2);
	assert_string_equal(s.syscalls[0], "connect");
	assert_string_equal(s.syscalls[1], "execve");
	assert_false(s.all_syscalls);
	aw_diags_free(&d);
	aw_engine_free(e);

	/* without skip-if-unknown-filter an unknown field is an error */
	e = load_any(RULE("r", "proc.future = 1"), &d);
	expect_diag(&d, AW_DIAG_ERROR, "unknown field 'proc.future'", 3, 14);
	aw_diags_free(&d);
	aw_engine_free(e);
}

static void
expect_types(struct aw_engine *e, const char *rule, int all,
    const char *names)
{
	const struct aw_rule_info *r = aw_engine_rule_by_name(e, rule);
	char buf[256] = "";

	assert_non_null(r);
	for (size_t i = 0; i < r->nevttypes; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, r->evttypes[i]);
	}
	if (r->evttypes_all != all || strcmp(buf, names) != 0)
		fail_msg("%s: all=%d names=%s, want all=%d names=%s", rule,
		    r->evttypes_all, buf, all, names);
}

static void
test_evttype_sets(void **state)
{
	struct aw_engine *e = tl_engine(
	    RULE("a", "evt.type in (open, openat) and not proc.name = x")
	    RULE("b", "not evt.type = open")
	    RULE("c", "evt.type = open or proc.name = x")
	    RULE("d", "not (evt.type = open and proc.name = x)")
	    RULE("e", "evt.type != ptrace and evt.type != kill")
	    RULE("f", "(evt.type = open or evt.type = connect) and "
		"evt.type in (connect, socket)")
	    RULE("g", "evt.type in ()")
	    RULE("h", "not (evt.type != open)"));

	(void)state;
	expect_types(e, "a", 0, "open,openat");
	expect_types(e, "b", 1, "open");
	expect_types(e, "c", 1, "");
	expect_types(e, "d", 1, "");
	expect_types(e, "e", 1, "ptrace,kill");
	expect_types(e, "f", 0, "connect");
	expect_types(e, "g", 0, "");
	expect_types(e, "h", 0, "open");
	aw_engine_free(e);
}

static void
test_min_priority(void **state)
{
	struct aw_engine_options o;
	struct aw_diags d;
	struct aw_engine *e;

	(void)state;
	aw_engine_options_default(&o);
	o.min_priority = AW_PRIO_WARNING;
	aw_diags_init(&d);
	e = tl_engine_opts("- rule: hi\n  desc: d\n  condition: evt.type=open\n"
	    "  output: o\n  priority: ERROR\n"
	    "- rule: lo\n  desc: d\n  condition: evt.type=open\n"
	    "  output: o\n  priority: notice\n", &d, &o);
	assert_non_null(e);
	assert_int_equal(aw_engine_rule_by_name(e, "hi")->state,
	    AW_RULE_ACTIVE);
	assert_int_equal(aw_engine_rule_by_name(e, "lo")->state,
	    AW_RULE_DISABLED);
	/* selectors cannot revive a rule below the minimum priority */
	assert_int_equal(aw_engine_set_enabled(e, "*", NULL, 1), 0);
	assert_int_equal(aw_engine_set_enabled(e, "h?", NULL, 0), 1);
	assert_int_equal(aw_engine_rule_by_name(e, "hi")->state,
	    AW_RULE_DISABLED);
	aw_diags_free(&d);
	aw_engine_free(e);
}

static void
test_load_paths(void **state)
{
	char dir[] = "/tmp/aw_rules_testXXXXXX", path[300];
	const char *paths[2];
	struct aw_diags d;
	struct aw_engine *e;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/20-b.yaml", dir);
	fp = fopen(path, "w");
	fputs("- rule: r\n  desc: d\n  condition: evt.type=open and m\n"
	    "  output: o\n  priority: INFO\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/10-a.yml", dir);
	fp = fopen(path, "w");
	fputs("- macro: m\n  condition: proc.name = x\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	fp = fopen(path, "w");
	fputs("not yaml: [\n", fp);
	fclose(fp);
	paths[0] = dir;
	paths[1] = "/nonexistent/rules.yaml";
	aw_diags_init(&d);
	e = aw_engine_new_opts(NULL);
	/* missing path is a warning when missing_ok */
	assert_int_equal(aw_engine_load(e, paths, 2, 1, &d), 0);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.nwarnings, 1);
	assert_int_equal(aw_engine_rule_by_name(e, "r")->state,
	    AW_RULE_ACTIVE);
	aw_engine_free(e);
	aw_diags_free(&d);
	aw_diags_init(&d);
	e = aw_engine_new_opts(NULL);
	assert_int_equal(aw_engine_load(e, paths, 2, 0, &d), -1);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.v[0].file, "/nonexistent/rules.yaml");
	aw_engine_free(e);
	aw_diags_free(&d);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static void
test_config_selectors(void **state)
{
	static const char cfgtext[] =
	    "rules:\n"
	    "  - disable:\n      rule: \"*\"\n"
	    "  - enable:\n      tag: [net]\n"
	    "  - enable:\n      rule: [\"Write*\"]\n"
	    "  - disable:\n      rule: Write below root\n";
	struct aw_config cfg;
	struct aw_engine *e;
	char err[256];

	(void)state;
	aw_config_init(&cfg);
	assert_int_equal(aw_config_load_string(&cfg, "c.yaml", cfgtext,
	    strlen(cfgtext), err, sizeof(err)), 0);
	e = tl_engine(
	    "- rule: Write below etc\n  desc: d\n  condition: evt.type=open\n"
	    "  output: o\n  priority: ERROR\n"
	    "- rule: Write below root\n  desc: d\n  condition: evt.type=open\n"
	    "  output: o\n  priority: ERROR\n"
	    "- rule: Net\n  desc: d\n  condition: evt.type=connect\n"
	    "  output: o\n  priority: ERROR\n  tags: [net]\n  enabled: false\n"
	    "- rule: Other\n  desc: d\n  condition: evt.type=connect\n"
	    "  output: o\n  priority: ERROR\n");
	assert_true(aw_engine_apply_config(e, &cfg) > 0);
	assert_int_equal(aw_engine_rule_by_name(e, "Write below etc")->state,
	    AW_RULE_ACTIVE);
	assert_int_equal(aw_engine_rule_by_name(e, "Write below root")->state,
	    AW_RULE_DISABLED);
	assert_int_equal(aw_engine_rule_by_name(e, "Net")->state,
	    AW_RULE_ACTIVE);
	assert_int_equal(aw_engine_rule_by_name(e, "Other")->state,
	    AW_RULE_DISABLED);
	aw_engine_free(e);
	aw_config_free(&cfg);
}

static void
test_diag_format(void **state)
{
	struct aw_diags d;
	struct aw_srcpos p = { "f.yaml", 3, 14 };
	char buf[256];

	(void)state;
	aw_diags_init(&d);
	aw_diags_add(&d, AW_DIAG_ERROR, &p, "rule 'x'", "bad %s", "thing");
	aw_diag_format(&d.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "f.yaml:3:14: error: rule 'x': bad thing");
	aw_diags_add(&d, AW_DIAG_WARNING, NULL, NULL, "plain");
	aw_diag_format(&d.v[1], buf, sizeof(buf));
	assert_string_equal(buf, "warning: plain");
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.nwarnings, 1);
	aw_diags_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_macro_visibility),
		cmocka_unit_test(test_redefinition_keeps_position),
		cmocka_unit_test(test_append_override),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_exception_errors),
		cmocka_unit_test(test_error_positions),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_availability_and_skip),
		cmocka_unit_test(test_evttype_sets),
		cmocka_unit_test(test_min_priority),
		cmocka_unit_test(test_load_paths),
		cmocka_unit_test(test_config_selectors),
		cmocka_unit_test(test_diag_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
