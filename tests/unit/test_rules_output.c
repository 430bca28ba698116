/*
 * test_rules_output.c — transformers in rule outputs
 * ("%tolower(proc.name)", nested, with a width, over missing fields) and
 * what output_fields gets for them (libsinsp's formatter: the plain fields
 * inside, the transformed value only when asked), plus the load errors for
 * unknown transformers, val() and type mismatches, with file:line:column,
 * in outputs and in conditions. Events come from audit.log lines through
 * the real parser, reassembler and decoder; no enricher.
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

#include "output/text.h"
#include "rules_testlib.h"

/* touch ../passwd from /etc/ssh (openat, O_WRONLY|O_CREAT), on pts0 */
static const char *const ev_open[] = {
	"type=SYSCALL msg=audit(1796412499.817:793): arch=c000003e "
	"syscall=257 success=yes exit=3 a0=ffffff9c a1=7fff9a2c19b0 a2=941 "
	"a3=1b6 items=1 ppid=10562 pid=10613 auid=4294967295 uid=0 gid=0 "
	"euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 "
	"ses=4294967295 comm=\"Touch\" exe=\"/usr/bin/touch\" "
	"key=\"fs_write_etc\"",
	"type=CWD msg=audit(1796412499.817:793): cwd=\"/etc/ssh\"",
	"type=PATH msg=audit(1796412499.817:793): item=0 name=\"../passwd\" "
	"inode=409604 dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 "
	"nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
};

/* echo aGVsbG8gd29ybGQ= : one base64 argument ("hello world") */
static const char *const ev_exec_b64[] = {
	"type=SYSCALL msg=audit(1796412499.813:792): arch=c000003e "
	"syscall=59 success=yes exit=0 a0=56259105e5a0 a1=56259105e4c0 "
	"a2=56259105b4f0 a3=fe50189800a70e44 items=1 ppid=10562 pid=10613 "
	"auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
	"fsgid=0 tty=(none) ses=3 comm=\"echo\" exe=\"/usr/bin/echo\" "
	"key=\"exec\"",
	"type=EXECVE msg=audit(1796412499.813:792): argc=2 a0=\"echo\" "
	"a1=\"aGVsbG8gd29ybGQ=\"",
	"type=CWD msg=audit(1796412499.813:792): cwd=\"/tmp\"",
	"type=PATH msg=audit(1796412499.813:792): item=0 "
	"name=\"/usr/bin/echo\" inode=248135 dev=fe:00 mode=0100755 ouid=0 "
	"ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
	"cap_fver=0 cap_frootid=0",
};

#define EV(ev, arr) do { aw_event_init(ev); \
	tl_event((ev), (arr), sizeof(arr) / sizeof((arr)[0])); } while (0)

/* Render fmt for ev; *fields (when non-NULL) gets output_fields as sorted
 * compact JSON. xfields: the output_transformed_fields option. */
static char *
render(const char *fmt, const struct aw_event *ev, char **fields, int xfields)
{
	char yaml[4096];
	struct tl_alerts al = { .n = 0 };
	struct aw_engine_options o;
	struct aw_diags d;
	struct aw_engine *e;
	char *out;

	aw_engine_options_default(&o);
	o.suggested_output = 0;
	o.output_transformed_fields = xfields;
	snprintf(o.hostname, sizeof(o.hostname), "h1");
	snprintf(yaml, sizeof(yaml), "- rule: r\n  desc: d\n  condition: "
	    "evt.num > 0\n  output: |-\n    %s\n  priority: WARNING\n"
	    "  warn_evttypes: false\n", fmt);
	aw_diags_init(&d);
	e = tl_engine_opts(yaml, &d, &o);
	if (e == NULL) {
		tl_print_diags(&d);
		fail_msg("format did not compile: %s", fmt);
	}
	aw_diags_free(&d);
	assert_int_equal(tl_eval(e, ev, NULL, &al), 1);
	out = strdup(al.a[0]->output);
	if (fields) {
		/* evt.time is always there; drop it to keep expectations
		 * short */
		json_t *of = aw_alert_fields(al.a[0]);
		struct aw_buf raw;

		assert_non_null(of);
		/* the engine's text is what the generic writer makes of
		 * the same object: sorted, each key once, same values */
		aw_buf_init(&raw);
		assert_int_equal(aw_json_write(&raw, of), 0);
		assert_string_equal(al.a[0]->fields_json, raw.p);
		aw_buf_free(&raw);
		json_object_del(of, "evt.time");
		*fields = json_dumps(of, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(of);
	}
	tl_alerts_clear(&al);
	aw_engine_free(e);
	return out;
}

static void
expect(const char *fmt, const struct aw_event *ev, const char *want)
{
	char *got = render(fmt, ev, NULL, 0);

	if (strcmp(got, want) != 0)
		fail_msg("format '%s': got '%s', want '%s'", fmt, got, want);
	free(got);
}

static void
expect_fields(const char *fmt, const struct aw_event *ev, int xfields,
    const char *want)
{
	char *fields = NULL, *out = render(fmt, ev, &fields, xfields);

	if (strcmp(fields, want) != 0)
		fail_msg("format '%s' (xfields %d): output_fields %s, want %s",
		    fmt, xfields, fields, want);
	free(out);
	free(fields);
}

/* Load yaml; it must fail, and the first error, formatted, must contain
 * every string in want (NULL-terminated). */
static void
expect_error(const char *yaml, ...)
{
	struct aw_diags d;
	struct aw_engine *e;
	char buf[2048];
	const char *w;
	va_list ap;

	aw_diags_init(&d);
	e = tl_engine_opts(yaml, &d, NULL);
	if (e != NULL) {
		aw_engine_free(e);
		fail_msg("loaded, but should not have:\n%s", yaml);
	}
	assert_true(d.nerrors >= 1);
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].level == AW_DIAG_ERROR) {
			aw_diag_format(&d.v[i], buf, sizeof(buf));
			break;
		}
	va_start(ap, yaml);
	while ((w = va_arg(ap, const char *)) != NULL)
		if (strstr(buf, w) == NULL)
			fail_msg("error '%s' lacks '%s'", buf, w);
	va_end(ap);
	aw_diags_free(&d);
}

static void
test_render(void **state)
{
	struct aw_event ev;

	(void)state;
	EV(&ev, ev_open);
	expect("%tolower(proc.name) %toupper(proc.name) %proc.name", &ev,
	    "touch TOUCH Touch");
	expect("%basename(proc.exepath)|%len(proc.name)|%len(fd.name)", &ev,
	    "touch|5|11");
	/* nesting, blanks inside the parentheses, text right after ')' */
	expect("%toupper(basename(proc.exepath)):%tolower(toupper(proc.name))",
	    &ev, "TOUCH:touch");
	expect("x%toupper( tolower( proc.name ) ))y", &ev, "xTOUCH)y");
	expect("%toupper(fd.name)%proc.pid", &ev, "/ETC/PASSWD10613");
	/* width pads or cuts the transformed value */
	expect("[%2toupper(proc.name)|%8tolower(proc.name)]", &ev,
	    "[TO|touch   ]");
	/* missing inside a transformer: <NA>, like a plain field */
	expect("p=%toupper(proc.pname) a=%len(proc.aname[2]) "
	    "n=%basename(proc.pexepath)", &ev, "p=<NA> a=<NA> n=<NA>");
	/* not base64: missing */
	expect("%b64(audit.key)", &ev, "<NA>");
	expect("%concat(proc.name, fd.name)", &ev, "Touch/etc/passwd");
	aw_event_free(&ev);

	EV(&ev, ev_exec_b64);
	expect("decoded=%b64(proc.args) len=%len(b64(proc.args))", &ev,
	    "decoded=hello world len=11");
	aw_event_free(&ev);
}

static void
test_output_fields(void **state)
{
	struct aw_event ev;

	(void)state;
	EV(&ev, ev_open);
	/* As Falco: the fields inside, typed, not the transformed value */
	expect_fields("%toupper(proc.name)", &ev, 0,
	    "{\"proc.name\":\"Touch\"}");
	expect_fields("%len(proc.exepath) %toupper(proc.pname)", &ev, 0,
	    "{\"proc.exepath\":\"/usr/bin/touch\",\"proc.pname\":null}");
	expect_fields("%tolower(toupper(proc.name)) %proc.tty", &ev, 0,
	    "{\"proc.name\":\"Touch\",\"proc.tty\":34816}");
	/* With the option: also the transformer under libsinsp's
	 * as_string() name; nesting keeps the outermost; len is a number */
	expect_fields("%toupper(proc.name) %len(proc.name)", &ev, 1,
	    "{\"len(proc.name)\":5,\"proc.name\":\"Touch\","
	    "\"toupper(proc.name)\":\"TOUCH\"}");
	expect_fields("%tolower(toupper(proc.name))", &ev, 1,
	    "{\"proc.name\":\"Touch\","
	    "\"tolower(toupper(proc.name))\":\"touch\"}");
	/* an inner transformer followed by a field stays (libsinsp) */
	expect_fields("%concat(toupper(proc.name), fd.name)", &ev, 1,
	    "{\"concat(toupper(proc.name),fd.name)\":\"TOUCH/etc/passwd\","
	    "\"fd.name\":\"/etc/passwd\",\"proc.name\":\"Touch\","
	    "\"toupper(proc.name)\":\"TOUCH\"}");
	/* a transformer of literals only does not drop the token before */
	expect_fields("%toupper(proc.name) %concat(\"a\", \"b\")", &ev, 1,
	    "{\"concat(a,b)\":\"ab\",\"proc.name\":\"Touch\","
	    "\"toupper(proc.name)\":\"TOUCH\"}");
	expect_fields("%toupper(proc.pname) %toupper(proc.aname[3])", &ev, 1,
	    "{\"proc.aname[3]\":null,\"proc.pname\":null,"
	    "\"toupper(proc.aname[3])\":null,\"toupper(proc.pname)\":null}");
	aw_event_free(&ev);
}

/* output_fields as written: keys sorted bytewise, a key named twice once
 * (its last value), evt.time always the event time in ns. */
static void
test_output_fields_bytes(void **state)
{
	struct tl_alerts al = { .n = 0 };
	struct aw_engine *e;
	struct aw_event ev;

	(void)state;
	EV(&ev, ev_open);
	e = tl_engine("- rule: r\n  desc: d\n  condition: evt.num > 0\n"
	    "  output: \"%proc.name %fd.name %proc.name %evt.time %proc.tty "
	    "%proc.aname[3] %evt.type\"\n  priority: WARNING\n"
	    "  warn_evttypes: false\n");
	assert_int_equal(tl_eval(e, &ev, NULL, &al), 1);
	assert_null(al.a[0]->output_fields);
	assert_string_equal(al.a[0]->fields_json,
	    "{\"container.id\":null,\"container.name\":null,"
	    "\"evt.time\":1796412499817000000,\"evt.type\":\"openat\","
	    "\"fd.name\":\"/etc/passwd\",\"proc.aname[3]\":null,"
	    "\"proc.name\":\"Touch\",\"proc.tty\":34816}");
	assert_int_equal(al.a[0]->fields_json_len,
	    strlen(al.a[0]->fields_json));
	tl_alerts_clear(&al);
	aw_engine_free(e);
	aw_event_free(&ev);
}

#define RULE(out) "- rule: r\n  desc: d\n  condition: evt.num > 0\n" \
	"  priority: WARNING\n  warn_evttypes: false\n  output: \"" out "\"\n"

static void
test_output_errors(void **state)
{
	(void)state;
	/* the output scalar is on line 6, column 11 */
	expect_error(RULE("a %foo(proc.name) b"), "test.yaml:6:11: error: ",
	    "rule 'r'", "unknown transformer 'foo'", "at '%foo(proc.name) b",
	    NULL);
	expect_error(RULE("%val(proc.name)"), "test.yaml:6:11:",
	    "val() is only allowed", NULL);
	expect_error(RULE("%toupper(val(proc.name))"), "val() is only allowed",
	    NULL);
	expect_error(RULE("%toupper(evt.num)"), "test.yaml:6:11:",
	    "transformer expects a string field, got number", NULL);
	expect_error(RULE("%toupper(proc.name"), "invalid output format",
	    "expected ',' or ')'", NULL);
	expect_error(RULE("%toupper(tolower)"), "invalid output format",
	    "expected a field as the argument", NULL);
	expect_error(RULE("%toupper(no.such_field)"), "unknown field "
	    "'no.such_field'", NULL);
	/* no blank allowed between the name and '(' (as libsinsp) */
	expect_error(RULE("%toupper (proc.name)"), "unknown field", NULL);
	expect_error(RULE("%tolower(proc.name) %bogus(x)"),
	    "unknown transformer 'bogus'", NULL);
	/* a width is bounded (found by fuzz_rules: it overflowed an int) */
	expect_error(RULE("%6666666666666proc.name"), "width above 4096",
	    NULL);
	expect_error(RULE("%4097toupper(proc.name)"), "width above 4096",
	    NULL);
}

static void
test_condition_errors(void **state)
{
	(void)state;
	/* the condition is on line 3; 'foo' starts at column 34 */
	expect_error("- rule: r\n  desc: d\n"
	    "  condition: evt.type = open and foo(proc.name) = x\n"
	    "  output: o\n  priority: WARNING\n",
	    "test.yaml:3:34: error: ", "unknown transformer 'foo'", NULL);
	expect_error("- rule: r\n  desc: d\n"
	    "  condition: evt.type = open and val(proc.name) = x\n"
	    "  output: o\n  priority: WARNING\n",
	    "test.yaml:3:34: error: ", "val() is only allowed", NULL);
	expect_error("- rule: r\n  desc: d\n"
	    "  condition: toupper(bad(proc.name)) = X\n"
	    "  output: o\n  priority: WARNING\n",
	    "test.yaml:3:22: error: ", "unknown transformer 'bad'", NULL);
	expect_error("- rule: r\n  desc: d\n"
	    "  condition: proc.name = nope(proc.name)\n"
	    "  output: o\n  priority: WARNING\n",
	    "test.yaml:3:26: error: ", "unknown transformer 'nope'", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_output_fields),
		cmocka_unit_test(test_output_fields_bytes),
		cmocka_unit_test(test_output_errors),
		cmocka_unit_test(test_condition_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
