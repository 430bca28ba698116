/*
 * test_alert_json.c — struct aw_alert → Falco's JSON alert and text line.
 *
 * The reference is Falco's own alert for "Read sensitive file untrusted"
 * (falco-rules-language.md, section c): built field by field here, our
 * bytes must equal Falco's.
 */
#include "autoconf.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "alert.h"
#include "alert_json.h"
#include "output/output.h"
#include "output/text.h"

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static void
set_tags(struct aw_alert *a, int n, ...)
{
	va_list ap;

	a->tags = calloc((size_t)n, sizeof(char *));
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		a->tags[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	a->ntags = n;
}

static void
test_priorities(void **state)
{
	enum aw_priority p;

	(void)state;
	assert_int_equal(aw_priority_from_name("warning", &p), 0);
	assert_int_equal(p, AW_PRIO_WARNING);
	assert_int_equal(aw_priority_from_name("CRITICAL", &p), 0);
	assert_int_equal(p, AW_PRIO_CRITICAL);
	assert_int_equal(aw_priority_from_name("info", &p), 0);
	assert_int_equal(p, AW_PRIO_INFORMATIONAL);
	assert_int_equal(aw_priority_from_name("Informational", &p), 0);
	assert_int_equal(p, AW_PRIO_INFORMATIONAL);
	assert_int_equal(aw_priority_from_name("Emergency", &p), 0);
	assert_int_equal(p, AW_PRIO_EMERGENCY);
	assert_int_equal(aw_priority_from_name("severe", &p), -1);
	assert_int_equal(aw_priority_from_name("", &p), -1);
	assert_int_equal(aw_priority_from_name(NULL, &p), -1);
	assert_string_equal(aw_priority_name(AW_PRIO_INFORMATIONAL),
	    "Informational");
	assert_string_equal(aw_priority_name(AW_PRIO_EMERGENCY), "Emergency");
	assert_string_equal(aw_priority_name(AW_PRIO_DEBUG), "Debug");
	assert_string_equal(aw_priority_name((enum aw_priority)42), "Debug");
	/* Severity order is the syslog order: smaller is worse. */
	assert_true(AW_PRIO_ERROR < AW_PRIO_WARNING);
}

static void
test_time_format(void **state)
{
	char buf[40];

	(void)state;
	aw_format_time_ns(1743606903434319636ull, buf, sizeof(buf));
	assert_string_equal(buf, "2025-04-02T15:15:03.434319636Z");
	aw_format_time_ns(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000000000Z");
	aw_format_time_ns(1000000001ull, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:01.000000001Z");
	/* Leap day, end of a year. */
	aw_format_time_ns(951782400ull * 1000000000ull, buf, sizeof(buf));
	assert_string_equal(buf, "2000-02-29T00:00:00.000000000Z");
	aw_format_time_ns(1767225599999999999ull, buf, sizeof(buf));
	assert_string_equal(buf, "2025-12-31T23:59:59.999999999Z");
}

static const char falco_example[] =
    "{\"hostname\":\"node-1\","
    "\"output\":\"17:15:03.434319636: Warning Sensitive file opened for "
    "reading by non-trusted program | file=/etc/shadow gparent=sshd "
    "ggparent=systemd gggparent=<NA> evt_type=openat user=root user_uid=0 "
    "user_loginuid=1000 process=cat proc_exepath=/usr/bin/cat parent=bash "
    "command=cat /etc/shadow terminal=34816 container_id=host "
    "container_name=host\","
    "\"output_fields\":{\"container.id\":\"host\",\"container.name\":\"host\","
    "\"evt.time\":1743606903434319636,\"evt.type\":\"openat\","
    "\"fd.name\":\"/etc/shadow\",\"proc.aname[2]\":\"sshd\","
    "\"proc.aname[3]\":\"systemd\",\"proc.aname[4]\":null,"
    "\"proc.cmdline\":\"cat /etc/shadow\",\"proc.exepath\":\"/usr/bin/cat\","
    "\"proc.name\":\"cat\",\"proc.pname\":\"bash\",\"proc.tty\":34816,"
    "\"user.loginuid\":1000,\"user.name\":\"root\",\"user.uid\":0},"
    "\"priority\":\"Warning\",\"rule\":\"Read sensitive file untrusted\","
    "\"source\":\"syscall\",\"tags\":[\"T1555\",\"container\",\"filesystem\","
    "\"host\",\"maturity_stable\",\"mitre_credential_access\"],"
    "\"time\":\"2025-04-02T15:15:03.434319636Z\"}";

static struct aw_alert *
example_alert(void)
{
	struct aw_alert *a = aw_alert_new();
	json_t *f = json_object();

	assert_non_null(a);
	a->time_ns = 1743606903434319636ull;
	a->rule = xstrdup("Read sensitive file untrusted");
	a->priority = AW_PRIO_WARNING;
	a->source = xstrdup("syscall");
	a->hostname = xstrdup("node-1");
	a->output = xstrdup("Sensitive file opened for reading by "
	    "non-trusted program | file=/etc/shadow gparent=sshd "
	    "ggparent=systemd gggparent=<NA> evt_type=openat user=root "
	    "user_uid=0 user_loginuid=1000 process=cat "
	    "proc_exepath=/usr/bin/cat parent=bash command=cat /etc/shadow "
	    "terminal=34816 container_id=host container_name=host");
	/* Inserted out of order on purpose: the output must sort. */
	json_object_set_new(f, "user.uid", json_integer(0));
	json_object_set_new(f, "proc.tty", json_integer(34816));
	json_object_set_new(f, "container.id", json_string("host"));
	json_object_set_new(f, "container.name", json_string("host"));
	json_object_set_new(f, "evt.time",
	    json_integer((json_int_t)1743606903434319636ll));
	json_object_set_new(f, "evt.type", json_string("openat"));
	json_object_set_new(f, "fd.name", json_string("/etc/shadow"));
	json_object_set_new(f, "proc.aname[2]", json_string("sshd"));
	json_object_set_new(f, "proc.aname[3]", json_string("systemd"));
	json_object_set_new(f, "proc.aname[4]", json_null());
	json_object_set_new(f, "proc.cmdline", json_string("cat /etc/shadow"));
	json_object_set_new(f, "proc.exepath", json_string("/usr/bin/cat"));
	json_object_set_new(f, "proc.name", json_string("cat"));
	json_object_set_new(f, "proc.pname", json_string("bash"));
	json_object_set_new(f, "user.loginuid", json_integer(1000));
	json_object_set_new(f, "user.name", json_string("root"));
	a->output_fields = f;
	set_tags(a, 7, "mitre_credential_access", "filesystem", "T1555",
	    "host", "container", "maturity_stable", "filesystem");
	return a;
}

static int
setup_tz(void **state)
{
	(void)state;
	/* The text prefix is local time; Falco's example was UTC+2. */
	setenv("TZ", "UTC-2", 1);
	tzset();
	return 0;
}

static void
test_falco_example_bytes(void **state)
{
	struct aw_alert *a = example_alert();
	char *j;

	(void)state;
	j = aw_alert_to_falco_json(a, 1, 1);
	assert_non_null(j);
	assert_string_equal(j, falco_example);
	free(j);
	aw_alert_free(a);
}

static void
test_optional_properties(void **state)
{
	struct aw_alert *a = example_alert();
	json_t *o;
	char *j;

	(void)state;
	j = aw_alert_to_falco_json(a, 0, 0);
	assert_non_null(j);
	o = json_loads(j, 0, NULL);
	assert_non_null(o);
	assert_null(json_object_get(o, "output"));
	assert_null(json_object_get(o, "tags"));
	assert_int_equal(json_object_size(o), 6);
	assert_string_equal(json_string_value(json_object_get(o, "priority")),
	    "Warning");
	json_decref(o);
	free(j);
	aw_alert_free(a);
}

static void
test_missing_parts(void **state)
{
	struct aw_alert *a = aw_alert_new();
	json_t *o;
	char *j;

	(void)state;
	/* A fresh alert must not claim to be an emergency. */
	assert_int_equal(a->priority, AW_PRIO_DEBUG);
	a->time_ns = 5;
	j = aw_alert_to_falco_json(a, 1, 1);
	assert_non_null(j);
	o = json_loads(j, 0, NULL);
	assert_non_null(o);
	assert_true(json_is_object(json_object_get(o, "output_fields")));
	assert_int_equal(json_object_size(json_object_get(o, "output_fields")),
	    0);
	assert_string_equal(json_string_value(json_object_get(o, "source")),
	    "syscall");
	assert_string_equal(json_string_value(json_object_get(o, "hostname")),
	    "");
	assert_int_equal(json_array_size(json_object_get(o, "tags")), 0);
	json_decref(o);
	free(j);
	aw_alert_free(a);
}

static void
test_hostile_strings(void **state)
{
	struct aw_alert *a = aw_alert_new();
	json_t *o, *f;
	char *j;
	const char *v;

	(void)state;
	a->time_ns = 1;
	a->rule = xstrdup("bad \xff rule");
	a->output = xstrdup("cmd=\"x\"\n\x1b[2J \xc0\xaf end");
	a->hostname = xstrdup("h");
	f = json_object();
	/* The engine may build strings without checks. */
	json_object_set_new(f, "proc.cmdline",
	    json_stringn_nocheck("a\xfe" "b", 3));
	a->output_fields = f;
	j = aw_alert_to_falco_json(a, 1, 1);
	assert_non_null(j);
	assert_true(aw_utf8_valid(j, strlen(j)));
	/* Controls are escaped the way Falco's encoder writes them. */
	assert_non_null(strstr(j, "\\u001b[2J"));
	assert_null(strstr(j, "\\u001B"));
	assert_non_null(strstr(j, "\\n"));
	o = json_loads(j, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "rule")),
	    "bad \xef\xbf\xbd rule");
	v = json_string_value(json_object_get(json_object_get(o,
	    "output_fields"), "proc.cmdline"));
	assert_string_equal(v, "a\xef\xbf\xbd" "b");
	json_decref(o);
	free(j);
	aw_alert_free(a);
}

static void
test_output_line(void **state)
{
	struct aw_alert *a = aw_alert_new();
	char *line, *again, *text;

	(void)state;
	a->time_ns = 1743606903000000007ull;
	a->priority = AW_PRIO_ERROR;
	a->output = xstrdup("File below /etc opened for writing \"x\"\ty");
	line = aw_alert_output_line(a);
	assert_string_equal(line, "17:15:03.000000007: Error File below /etc "
	    "opened for writing \"x\"\ty");
	/* An output that already carries the prefix keeps one prefix. */
	free(a->output);
	a->output = line;
	again = aw_alert_output_line(a);
	assert_string_equal(again, line);
	/* Falco's text line: JSON string escaping without the quotes. */
	text = aw_alert_text_line(a);
	assert_string_equal(text, "17:15:03.000000007: Error File below /etc "
	    "opened for writing \\\"x\\\"\\ty");
	free(again);
	free(text);
	/* time_format_iso_8601: the prefix is the UTC time. */
	aw_alert_set_time_format_iso8601(1);
	free(a->output);
	a->output = xstrdup("x");
	line = aw_alert_output_line(a);
	aw_alert_set_time_format_iso8601(0);
	assert_string_equal(line, "2025-04-02T15:15:03.000000007Z: Error x");
	free(line);
	aw_alert_free(a);
}

static void
test_utf8_helpers(void **state)
{
	struct aw_buf b;
	char *s;

	(void)state;
	assert_true(aw_utf8_valid("\xc3\xa9t\xc3\xa9", 5));
	assert_false(aw_utf8_valid("\xc3", 1));
	assert_false(aw_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(aw_utf8_valid("\xc0\xaf", 2));		/* overlong */
	assert_false(aw_utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	s = aw_utf8_sanitize("a\xffz", 3);
	assert_string_equal(s, "a\xef\xbf\xbdz");
	free(s);
	assert_int_equal(aw_utf8_prefix("\xc3\xa9\xc3\xa9", 4, 3), 2);
	aw_buf_init(&b);
	aw_escape_terminal(&b, "ok\x1b]0;x\x07\n\xe2\x80\xae!\xff", 0);
	assert_string_equal(b.p, "ok\\x1b]0;x\\x07\\n\\u{202e}!\\xff");
	aw_buf_free(&b);
}

/* The direct writer gives jansson's bytes (compact, sorted keys). */
static void
test_writer_matches_jansson(void **state)
{
	json_t *v = json_pack("{s:i, s:s, s:n, s:b, s:b, s:[i, s, {s:i, s:i}],"
	    " s:{s:s, s:{}}, s:[], s:I, s:s}", "zeta", -5, "alpha", "a\"b\\c/d",
	    "nul", "t", 1, "f", 0, "arr", 1, "x", "k2", 2, "k1", 1, "obj", "b",
	    "\xc3\xa9", "a", "empty", "min", (json_int_t)INT64_MIN, "tab",
	    "x\ty\n");
	struct aw_buf b;
	char *ref;

	(void)state;
	assert_non_null(v);
	ref = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	aw_buf_init(&b);
	assert_int_equal(aw_json_write(&b, v), 0);
	assert_string_equal(b.p, ref);
	free(ref);
	aw_buf_free(&b);
	json_decref(v);
}

/* The hand-made UTC time agrees with gmtime_r, across days, years and
 * the per-second cache (same second twice, then another). */
static void
test_time_matches_gmtime(void **state)
{
	uint64_t x = 88172645463325252ull, ns = 0;
	char got[40], want[96];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		time_t sec;
		struct tm tm;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* up to 2200-01-01; every tenth in the second of the one
		 * before, so from the per-second cache */
		if (i % 10 == 9)
			ns = ns - ns % 1000000000u + 999999999u;
		else
			ns = x % (7258118400ull * 1000000000ull);
		sec = (time_t)(ns / 1000000000u);
		assert_non_null(gmtime_r(&sec, &tm));
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d."
		    "%09uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (unsigned)(ns % 1000000000u));
		aw_format_time_ns(ns, got, sizeof(got));
		assert_string_equal(got, want);
	}
	aw_format_time_ns(1743606903434319636ull, got, 8);
	assert_string_equal(got, "2025-04");	/* cut to the buffer */
}

/* aw_json_quote scans eight bytes at a time: specials at every offset of
 * a word must come out as jansson writes them (valid UTF-8, no controls
 * but the named ones, where the two agree). */
static void
test_quote_every_offset(void **state)
{
	static const char *const pieces[] = { "a", "bc", "\"", "\\", "\n",
	    "\t", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "/" };
	uint32_t x = 2463534242u;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		char in[128] = "";
		size_t len = 0;
		int n = i % 24;
		json_t *j;
		char *want;
		struct aw_buf b;

		for (int k = 0; k < n; k++) {
			const char *p;
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			p = pieces[x % 10];
			memcpy(in + len, p, strlen(p));
			len += strlen(p);
		}
		in[len] = '\0';
		assert_non_null(j = json_stringn(in, len));
		assert_non_null(want = json_dumps(j, JSON_ENCODE_ANY));
		aw_buf_init(&b);
		aw_json_quote(&b, in, len);
		assert_string_equal(b.p, want);
		aw_buf_free(&b);
		free(want);
		json_decref(j);
	}
}

/* An alert whose strings share one block (as the engine makes them):
 * replacing one frees only what is not in the block (ASan checks). */
static void
test_strbuf_ownership(void **state)
{
	struct aw_alert *a = aw_alert_new();

	(void)state;
	assert_non_null(a);
	a->strbuf_len = 12;
	assert_non_null(a->strbuf = malloc(a->strbuf_len));
	memcpy(a->strbuf, "rule\0output", 12);
	a->rule = a->strbuf;
	a->output = a->strbuf + 5;
	a->proc_name = xstrdup("heap");
	aw_alert_set_str(a, &a->rule, xstrdup("fixed rule"));
	aw_alert_set_str(a, &a->proc_name, xstrdup("other"));
	assert_string_equal(a->rule, "fixed rule");
	assert_string_equal(a->output, "output");
	assert_string_equal(a->proc_name, "other");
	aw_alert_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_falco_example_bytes),
		cmocka_unit_test(test_optional_properties),
		cmocka_unit_test(test_missing_parts),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_output_line),
		cmocka_unit_test(test_utf8_helpers),
		cmocka_unit_test(test_writer_matches_jansson),
		cmocka_unit_test(test_time_matches_gmtime),
		cmocka_unit_test(test_quote_every_offset),
		cmocka_unit_test(test_strbuf_ownership),
	};
	return cmocka_run_group_tests(tests, setup_tz, NULL);
}
