/*
 * test_config_keys.c — unknown configuration keys: which paths are known
 * (lists, list indexes, header wildcards), one report per unknown key
 * with its file:line or -o origin, and the hints.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "config_keys.h"

struct seen {
	char path[16][128];
	char where[16][160];
	char hint[16][256];
	size_t n;
};

static void
record(const struct aw_config_entry *e, const char *hint, void *arg)
{
	struct seen *s = arg;

	assert_true(s->n < 16);
	snprintf(s->path[s->n], sizeof(s->path[0]), "%s", e->path);
	snprintf(s->where[s->n], sizeof(s->where[0]), "%s:%d", e->file,
	    e->line);
	snprintf(s->hint[s->n], sizeof(s->hint[0]), "%s", hint);
	s->n++;
}

static void
test_known_patterns(void **state)
{
	(void)state;
	assert_true(aw_config_key_known("audit.mode"));
	assert_true(aw_config_key_known("rules_files"));
	assert_true(aw_config_key_known("append_output.0.suggested_output"));
	assert_true(aw_config_key_known("append_output.12.suggested_output"));
	assert_true(aw_config_key_known("rules.3.disable.tag"));
	assert_true(aw_config_key_known("webhook.headers.Authorization"));
	assert_true(aw_config_key_known("slack.headers.X.Dotted"));
	assert_true(aw_config_key_known("metrics.listen"));
	/* An index must be digits; a wildcard needs a component. */
	assert_false(aw_config_key_known("append_output.x.suggested_output"));
	assert_false(aw_config_key_known("append_output.suggested_output"));
	assert_false(aw_config_key_known("webhook.headers"));
	assert_false(aw_config_key_known("webhook.headers."));
	/* Whole components only: no prefixes, no extensions. */
	assert_false(aw_config_key_known("audit"));
	assert_false(aw_config_key_known("audit.mod"));
	assert_false(aw_config_key_known("audit.mode.x"));
	assert_false(aw_config_key_known("audit..mode"));
	assert_false(aw_config_key_known(""));
}

static const char doc[] =
	"audit:\n"				/* 1 */
	"  mode: auto\n"			/* 2 */
	"  backlog_limt: 10\n"			/* 3 */
	"stdout_output:\n"			/* 4 */
	"json_output: true\n"			/* 5 */
	"webhook:\n"				/* 6 */
	"  headers:\n"				/* 7 */
	"    X-Token: abc\n"			/* 8 */
	"append_output:\n"			/* 9 */
	"  - suggested_output: true\n"		/* 10 */
	"  - extra_output: x\n"			/* 11 */
	"program_output:\n"			/* 12 */
	"  enabled: false\n"			/* 13 */
	"frobnicate: [1, 2, 3]\n"		/* 14 */
	"rules_files: [/a, /b]\n";		/* 15 */

static void
test_unknown_with_positions(void **state)
{
	struct aw_config c;
	struct seen s;
	char err[256];

	(void)state;
	memset(&s, 0, sizeof(s));
	aw_config_init(&c);
	assert_int_equal(aw_config_load_string(&c, "t.yaml", doc, strlen(doc),
	    err, sizeof(err)), 0);
	assert_int_equal(aw_config_override(&c, "metrics.lisen=1", err,
	    sizeof(err)), 0);
	assert_int_equal(aw_config_override(&c, "audit.rule_key=x", err,
	    sizeof(err)), 0);
	assert_int_equal(aw_config_each_unknown(&c, record, &s), 6);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.path[0], "audit.backlog_limt");
	assert_string_equal(s.where[0], "t.yaml:3");
	assert_non_null(strstr(s.hint[0], "did you mean 'audit.backlog_limit'"));
	/* A section left empty is a key with no known name. */
	assert_string_equal(s.path[1], "stdout_output");
	assert_string_equal(s.where[1], "t.yaml:4");
	assert_non_null(strstr(s.hint[1], "is a section"));
	assert_string_equal(s.path[2], "append_output.1.extra_output");
	assert_string_equal(s.where[2], "t.yaml:11");
	assert_string_equal(s.path[3], "program_output.enabled");
	assert_string_equal(s.where[3], "t.yaml:13");
	assert_string_equal(s.hint[3], "");
	/* A list: one report, at its first item. */
	assert_string_equal(s.path[4], "frobnicate");
	assert_string_equal(s.where[4], "t.yaml:14");
	/* -o: no line. */
	assert_string_equal(s.path[5], "metrics.lisen");
	assert_string_equal(s.where[5], "-o:0");
	assert_non_null(strstr(s.hint[5], "'metrics.listen'"));
	aw_config_free(&c);
}

static void
test_nothing_unknown(void **state)
{
	static const char ok[] =
	    "priority: warning\n"
	    "rules:\n"
	    "  - disable:\n"
	    "      rule: [\"A*\", B]\n"
	    "  - enable:\n"
	    "      tag: T1059\n"
	    "sqlite:\n"
	    "  retention:\n"
	    "    max_age: 7d\n"
	    "slack:\n"
	    "  headers: {}\n"
	    "  tls:\n"
	    "    insecure: false\n";
	struct aw_config c;
	char err[256];

	(void)state;
	aw_config_init(&c);
	assert_int_equal(aw_config_load_string(&c, "ok.yaml", ok, strlen(ok),
	    err, sizeof(err)), 0);
	assert_int_equal(aw_config_each_unknown(&c, NULL, NULL), 0);
	assert_int_equal(aw_config_warn_unknown(&c), 0);
	aw_config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_patterns),
		cmocka_unit_test(test_unknown_with_positions),
		cmocka_unit_test(test_nothing_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
