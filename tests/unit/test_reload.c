/*
 * test_reload.c — SIGHUP's configuration reload (reload.c) on real files:
 * rule keys take their new values, other keys keep the running ones, -o
 * and -r still apply, and a file or rule set that fails to load changes
 * nothing.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "reload.h"
#include "rules/engine.h"

static char dir[64], conf[128], rules[128];

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static const char rule_ok[] =
	"- rule: R1\n  desc: d\n  condition: evt.type = connect\n"
	"  output: o\n  priority: WARNING\n"
	"- rule: R2\n  desc: d\n  condition: evt.type = execve\n"
	"  output: o\n  priority: CRITICAL\n";

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/awreload.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/auditwatch.yaml", dir);
	snprintf(rules, sizeof(rules), "%s/rules.yaml", dir);
	put(rules, rule_ok);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(conf);
	unlink(rules);
	rmdir(dir);
	return 0;
}

static void
test_applies(void **state)
{
	(void)state;
	assert_true(aw_reload_key_applies("rules_files"));
	assert_true(aw_reload_key_applies("priority"));
	assert_true(aw_reload_key_applies("rules.0.disable.rule"));
	assert_true(aw_reload_key_applies("append_output.0.suggested_output"));
	assert_true(aw_reload_key_applies("audit.pushdown"));
	assert_false(aw_reload_key_applies("rules_filesx"));
	assert_false(aw_reload_key_applies("audit.rule_key"));
	assert_false(aw_reload_key_applies("sqlite.path"));
	assert_false(aw_reload_key_applies("json_output"));
}

/* The engine's enabled rules, as "name:state,..." */
static void
states(const struct aw_engine *e, char *buf, size_t sz)
{
	buf[0] = '\0';
	for (size_t i = 0; i < aw_engine_nrules(e); i++) {
		const struct aw_rule_info *ri = aw_engine_rule(e, i);
		size_t l = strlen(buf);
		snprintf(buf + l, sz - l, "%s%s:%d", l ? "," : "", ri->name,
		    ri->state == AW_RULE_DISABLED ? 0 : 1);
	}
}

static void
test_reload(void **state)
{
	struct aw_config cfg;
	const struct aw_config *cur;
	struct aw_engine *e;
	char err[256], buf[256];
	char *overrides[] = { "json_output=true" };

	(void)state;
	put(conf, "priority: debug\nsqlite:\n  path: /old/alerts.db\n"
	    "audit:\n  rule_key: oldkey\n");
	/* As main() does: file, then -o, then -r. */
	aw_config_init(&cfg);
	assert_int_equal(aw_config_load_file(&cfg, conf, err, sizeof(err)), 0);
	assert_int_equal(aw_config_override(&cfg, overrides[0], err,
	    sizeof(err)), 0);
	assert_int_equal(aw_config_add_rules_path(&cfg, rules), 0);
	aw_reload_set_origin(conf, 1, overrides, 1);
	cur = &cfg;

	/* New priority and selectors apply; sqlite.path and the rule key
	 * keep their running values; -o and -r still apply. */
	put(conf, "priority: error\nsqlite:\n  path: /new/alerts.db\n"
	    "audit:\n  rule_key: newkey\njson_output: false\n"
	    "rules:\n  - disable:\n      rule: R2\n");
	e = aw_reload_engine(&cur);
	assert_non_null(e);
	assert_ptr_not_equal(cur, &cfg);
	assert_string_equal(aw_config_str(cur, "priority", ""), "error");
	assert_string_equal(aw_config_str(cur, "sqlite.path", ""),
	    "/old/alerts.db");
	assert_string_equal(aw_config_str(cur, "audit.rule_key", ""),
	    "oldkey");
	assert_string_equal(aw_config_str(cur, "json_output", ""), "true");
	assert_int_equal(cur->nrules_override, 1);
	assert_string_equal(cur->rules_override[0], rules);
	states(e, buf, sizeof(buf));
	/* R1 (WARNING) is below priority error; R2 is disabled by name. */
	assert_string_equal(buf, "R1:0,R2:0");
	aw_engine_free(e);

	/* A file that does not parse: NULL, nothing changes. */
	{
		const struct aw_config *before = cur;
		put(conf, "priority: [error\n");
		assert_null(aw_reload_engine(&cur));
		assert_ptr_equal(cur, before);
		/* Rules that do not compile: the same. */
		put(conf, "priority: debug\n");
		put(rules, "- rule: Bad\n  desc: d\n  condition: evt.type in "
		    "(a and\n  output: o\n  priority: ERROR\n");
		assert_null(aw_reload_engine(&cur));
		assert_ptr_equal(cur, before);
		assert_string_equal(aw_config_str(cur, "priority", ""),
		    "error");
	}

	/* Fixed again: a second reload replaces the first merged one. */
	put(rules, rule_ok);
	e = aw_reload_engine(&cur);
	assert_non_null(e);
	assert_string_equal(aw_config_str(cur, "priority", ""), "debug");
	assert_null(aw_config_find(cur, "rules.0.disable.rule"));
	states(e, buf, sizeof(buf));
	assert_string_equal(buf, "R1:1,R2:1");
	aw_engine_free(e);
	aw_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_applies),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
