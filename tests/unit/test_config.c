/*
 * test_config.c — YAML configuration flattening, overrides, typed getters
 * and error positions.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

static const char doc[] =
	"rules_files:\n"
	"  - /etc/auditwatch/auditwatch_rules.yaml\n"
	"  - /etc/auditwatch/rules.d\n"
	"audit:\n"
	"  mode: auto\n"
	"  backlog_limit: 8k\n"
	"reassembly:\n"
	"  timeout: 2s\n"
	"  shape_close: yes\n"
	"webhook:\n"
	"  headers:\n"
	"    - name: X-Token\n"
	"      value: abc\n";

static void
test_flatten(void **state)
{
	struct aw_config c;
	char err[256];
	const char *list[4];
	int64_t v;
	int b;

	(void)state;
	aw_config_init(&c);
	assert_int_equal(aw_config_load_string(&c, "t.yaml", doc, strlen(doc),
	    err, sizeof(err)), 0);
	assert_int_equal(aw_config_list(&c, "rules_files", list, 4), 2);
	assert_string_equal(list[1], "/etc/auditwatch/rules.d");
	assert_string_equal(aw_config_str(&c, "audit.mode", "x"), "auto");
	assert_string_equal(aw_config_str(&c, "nope", "dflt"), "dflt");
	assert_int_equal(aw_config_int(&c, "audit.backlog_limit", 0, &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v, 8192);
	assert_int_equal(aw_config_ms(&c, "reassembly.timeout", 0, &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(aw_config_bool(&c, "reassembly.shape_close", 0, &b,
	    err, sizeof(err)), 0);
	assert_true(b);
	assert_string_equal(aw_config_str(&c, "webhook.headers.0.name", ""),
	    "X-Token");
	assert_int_equal(aw_config_find(&c, "audit.mode")->line, 5);
	aw_config_free(&c);
}

static void
test_overrides(void **state)
{
	struct aw_config c;
	char err[256];
	const char *list[4];

	(void)state;
	aw_config_init(&c);
	assert_int_equal(aw_config_load_string(&c, "t.yaml", doc, strlen(doc),
	    err, sizeof(err)), 0);
	assert_int_equal(aw_config_override(&c, "audit.mode=multicast", err,
	    sizeof(err)), 0);
	assert_string_equal(aw_config_str(&c, "audit.mode", ""), "multicast");
	assert_int_equal(aw_config_override(&c, "rules_files=[a.yaml, b.yaml,"
	    " c.yaml]", err, sizeof(err)), 0);
	assert_int_equal(aw_config_list(&c, "rules_files", list, 4), 3);
	assert_string_equal(list[2], "c.yaml");
	assert_int_equal(aw_config_override(&c, "novalue", err, sizeof(err)),
	    -1);
	assert_int_equal(aw_config_override(&c, "=x", err, sizeof(err)), -1);
	aw_config_free(&c);
}

static void
test_invalid_values(void **state)
{
	struct aw_config c;
	char err[256];
	int64_t v;
	int b;

	(void)state;
	aw_config_init(&c);
	assert_int_equal(aw_config_load_string(&c, "bad.yaml",
	    "a: 12x\nb: maybe\nc: -5s\n", 22, err, sizeof(err)), 0);
	assert_int_equal(aw_config_int(&c, "a", 0, &v, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad.yaml:1: a: invalid value '12x'"));
	assert_int_equal(aw_config_bool(&c, "b", 0, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad.yaml:2:"));
	assert_int_equal(aw_config_ms(&c, "c", 0, &v, err, sizeof(err)), -1);
	aw_config_free(&c);
}

static void
test_yaml_syntax_error_position(void **state)
{
	struct aw_config c;
	char err[256];
	static const char broken[] = "a: 1\nb: [1, 2\nc: 3\n";

	(void)state;
	aw_config_init(&c);
	assert_int_equal(aw_config_load_string(&c, "broken.yaml", broken,
	    strlen(broken), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "broken.yaml:"));
	assert_non_null(strstr(err, ":3:"));
	aw_config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flatten),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_yaml_syntax_error_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
