/*
 * test_notify_format.c — what the notifiers send: Slack escaping and
 * payloads (single and digest), sizes, noise-control windows, and the
 * destination configuration (secrets from env/file, header validation,
 * errors that never echo a secret).
 */
#include "autoconf.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "alert.h"
#include "config.h"
#include "notify/noise.h"
#include "notify/notice.h"
#include "notify/notify.h"
#include "notify/slack.h"
#include "output/text.h"

static char *
escaped(const char *s, size_t max)
{
	struct aw_buf b;

	aw_buf_init(&b);
	aw_buf_adds(&b, "");
	aw_slack_escape(&b, s, max);
	return aw_buf_take(&b);
}

static void
test_escape(void **state)
{
	char *e;

	(void)state;
	e = escaped("<!channel> <http://x|y> a&b", 0);
	assert_string_equal(e, "&lt;!channel&gt; &lt;http://x|y&gt; a&amp;b");
	free(e);
	e = escaped("line1\nline2\r\t\x1b[31m", 0);
	assert_string_equal(e, "line1\\nline2\\r\\t\\x1b[31m");
	free(e);
	e = escaped("bad\xff\xc0\xaf", 0);
	assert_string_equal(e, "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(e);
	e = escaped("rev\xe2\x80\xae" "esrever zw\xe2\x80\x8b" "sp \xc3\xa9", 0);
	assert_string_equal(e, "rev\\u{202e}esrever zw\\u{200b}sp \xc3\xa9");
	free(e);
	/* Truncation never cuts an entity or a character in half. */
	e = escaped("aaaaaaa<<<<<<<<", 12);
	assert_string_equal(e, "aaaaaaa\xe2\x80\xa6");
	free(e);
	e = escaped("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 9);
	assert_true(aw_utf8_valid(e, strlen(e)));
	assert_true(strlen(e) <= 9);
	free(e);
	/* Short enough: untouched. */
	e = escaped("abc", 9);
	assert_string_equal(e, "abc");
	free(e);
	/* Exactly max bytes once escaped: untouched too (the room kept for
	 * the ellipsis used to drop the last characters). Found by
	 * tests/alerts/roundtrip_outputs.sh. */
	e = escaped("abcdefghij", 10);
	assert_string_equal(e, "abcdefghij");
	free(e);
	e = escaped("x<!here>", 17);
	assert_string_equal(e, "x&lt;!here&gt;");
	free(e);
	e = escaped("abcdefghijk", 10);
	assert_string_equal(e, "abcdefg\xe2\x80\xa6");
	free(e);
}

static struct aw_notice
notice(const char *output)
{
	struct aw_notice n;

	memset(&n, 0, sizeof(n));
	n.id = 7;
	n.time_ns = 1767225600ull * 1000000000ull;
	n.priority = AW_PRIO_CRITICAL;
	n.rule = strdup("Terminal shell in container <!here>");
	n.hostname = strdup("node-1");
	n.output = strdup(output);
	n.container_id = strdup("3f1c2b0a9d8e");
	n.container_name = strdup("web");
	n.k8s_ns_name = strdup("prod");
	n.k8s_pod_name = strdup("api-7d9");
	n.proc_name = strdup("bash");
	n.proc_cmdline = strdup("bash -i");
	n.user_name = strdup("root");
	n.fd_name = strdup("/dev/pts/0");
	return n;
}

/* No string anywhere in the payload may carry a raw Slack control. */
static void
assert_clean(json_t *v)
{
	const char *k, *s;
	json_t *x;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		assert_null(strchr(s, '<'));
		assert_null(strchr(s, '>'));
		for (; *s; s++)
			assert_true((unsigned char)*s >= 0x20 || *s == '\n');
		break;
	case JSON_OBJECT:
		json_object_foreach(v, k, x)
			assert_clean(x);
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, x)
			assert_clean(x);
		break;
	default:
		break;
	}
}

static const char *
field(json_t *att, const char *title)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(att, "fields"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "title")),
		    title) == 0)
			return json_string_value(json_object_get(f, "value"));
	return NULL;
}

static void
test_message(void **state)
{
	struct aw_slack_opts o;
	struct aw_notice n = notice("12:00:00.000000000: Critical shell "
	    "<!channel> <http://evil|safe>\nfake line");
	json_t *m, *att;
	char *p;

	(void)state;
	aw_slack_opts_defaults(&o);
	o.username = "auditwatch";
	n.repeats = 41;
	p = aw_slack_message(&o, &n);
	assert_non_null(p);
	m = json_loads(p, 0, NULL);
	assert_non_null(m);
	assert_clean(m);
	assert_true(json_is_false(json_object_get(m, "link_names")));
	assert_true(json_is_false(json_object_get(m, "unfurl_links")));
	assert_string_equal(json_string_value(json_object_get(m, "username")),
	    "auditwatch");
	assert_null(json_object_get(m, "channel"));
	att = json_array_get(json_object_get(m, "attachments"), 0);
	assert_non_null(att);
	assert_null(json_object_get(att, "mrkdwn_in"));
	assert_string_equal(json_string_value(json_object_get(att, "color")),
	    "#ff5400");
	assert_non_null(strstr(json_string_value(json_object_get(att, "text")),
	    "&lt;!channel&gt; &lt;http://evil|safe&gt;\\nfake line"));
	assert_non_null(strstr(json_string_value(json_object_get(att, "text")),
	    "repeated 41 times"));
	assert_string_equal(field(att, "priority"), "Critical");
	assert_string_equal(field(att, "container"), "web (3f1c2b0a9d8e)");
	assert_string_equal(field(att, "pod"), "prod/api-7d9");
	assert_string_equal(field(att, "process"), "bash: bash -i");
	assert_string_equal(field(att, "user"), "root");
	assert_string_equal(field(att, "file"), "/dev/pts/0");
	assert_string_equal(field(att, "rule"),
	    "Terminal shell in container &lt;!here&gt;");
	assert_string_equal(field(att, "repeated"), "41");
	assert_true(json_array_size(json_object_get(att, "fields")) <= 10);
	assert_int_equal(json_integer_value(json_object_get(att, "ts")),
	    1767225600);
	json_decref(m);
	free(p);
	aw_notice_clear(&n);
}

static void
test_sizes(void **state)
{
	struct aw_slack_opts o;
	struct aw_notice n;
	char *big = malloc(200001), *p;
	json_t *m, *att;

	(void)state;
	for (int i = 0; i < 200000; i++)
		big[i] = "<&x\n"[i % 4];
	big[200000] = '\0';
	n = notice(big);
	free(n.proc_cmdline);
	n.proc_cmdline = strdup(big);
	aw_slack_opts_defaults(&o);
	p = aw_slack_message(&o, &n);
	assert_non_null(p);
	/* Well under Slack's limits whatever the event carried. */
	assert_true(strlen(p) < 8000);
	m = json_loads(p, 0, NULL);
	att = json_array_get(json_object_get(m, "attachments"), 0);
	assert_true(strlen(json_string_value(json_object_get(att, "text"))) <=
	    3000);
	assert_true(strlen(field(att, "process")) <= 300);
	json_decref(m);
	free(p);
	aw_notice_clear(&n);
	free(big);
}

static void
test_digest(void **state)
{
	struct aw_slack_opts o;
	struct aw_notice ns[30];
	json_t *m, *att;
	const char *text;
	char *p;

	(void)state;
	aw_slack_opts_defaults(&o);
	for (int i = 0; i < 30; i++) {
		ns[i] = notice("x");
		ns[i].priority = i == 17 ? AW_PRIO_EMERGENCY : AW_PRIO_NOTICE;
		if (i % 3 == 0) {
			free(ns[i].rule);
			ns[i].rule = strdup("Other <rule>");
		}
	}
	p = aw_slack_digest(&o, ns, 30);
	assert_non_null(p);
	m = json_loads(p, 0, NULL);
	assert_non_null(m);
	assert_clean(m);
	att = json_array_get(json_object_get(m, "attachments"), 0);
	/* Coloured by the worst alert it covers. */
	assert_string_equal(json_string_value(json_object_get(att, "color")),
	    "#e20b0b");
	assert_non_null(strstr(json_string_value(json_object_get(att,
	    "title")), "30 alerts"));
	text = json_string_value(json_object_get(att, "text"));
	assert_non_null(strstr(text, "and 10 more"));
	assert_non_null(strstr(field(att, "by rule"), "20 \xc3\x97 Terminal "
	    "shell in container &lt;!here&gt;"));
	assert_non_null(strstr(field(att, "by rule"), "10 \xc3\x97 Other "
	    "&lt;rule&gt;"));
	json_decref(m);
	free(p);
	for (int i = 0; i < 30; i++)
		aw_notice_clear(&ns[i]);
}

static void
test_noise_windows(void **state)
{
	struct aw_noise *n = aw_noise_new(1000, 2);

	(void)state;
	assert_int_equal(aw_noise_check(n, 1, 0), 0);
	assert_int_equal(aw_noise_check(n, 1, 10), -1);
	assert_int_equal(aw_noise_check(n, 1, 999), -1);
	assert_int_equal(aw_noise_check(n, 2, 20), 0);
	/* Full of live windows: a new fingerprint is notified, untracked. */
	assert_int_equal(aw_noise_check(n, 3, 30), 0);
	assert_int_equal(aw_noise_check(n, 3, 31), 0);
	assert_int_equal(aw_noise_size(n), 2);
	/* The window closed: notified with the repeats it folded. */
	assert_int_equal(aw_noise_check(n, 1, 1000), 2);
	assert_int_equal(aw_noise_check(n, 1, 1001), -1);
	/* Expired windows make room for new fingerprints. */
	assert_int_equal(aw_noise_check(n, 4, 2500), 0);
	assert_int_equal(aw_noise_check(n, 4, 2501), -1);
	aw_noise_free(n);
}

static void
test_fingerprint(void **state)
{
	struct aw_alert *a = aw_alert_new(), *b = aw_alert_new();
	uint64_t fa;

	(void)state;
	a->rule = strdup("r");
	a->container_id = strdup("ab");
	a->proc_name = strdup("c");
	b->rule = strdup("r");
	b->container_id = strdup("a");
	b->proc_name = strdup("bc");
	fa = aw_alert_fingerprint(a);
	assert_true(fa != aw_alert_fingerprint(b));
	/* Output text and time do not matter, the file does. */
	a->output = strdup("anything");
	a->time_ns = 99;
	assert_true(fa == aw_alert_fingerprint(a));
	a->fd_name = strdup("/etc/passwd");
	assert_true(fa != aw_alert_fingerprint(a));
	aw_alert_free(a);
	aw_alert_free(b);
}

static int
load(struct aw_config *c, const char *yaml)
{
	char err[256];

	aw_config_init(c);
	return aw_config_load_string(c, "test.yaml", yaml, strlen(yaml), err,
	    sizeof(err));
}

static void
test_dest_config(void **state)
{
	struct aw_dest_config d;
	struct aw_config c;
	char err[256], secret[] = "/tmp/aw-test-secret.XXXXXX";
	int en, fd;

	(void)state;
	unsetenv("AUDITWATCH_SLACK_WEBHOOK_URL");
	unsetenv("AUDITWATCH_WEBHOOK_URL");
	/* Nothing configured: disabled, not an error. */
	assert_int_equal(load(&c, "stdout_output: {enabled: true}\n"), 0);
	assert_int_equal(aw_dest_from_config(&c, AW_DEST_SLACK, &d, &en, err,
	    sizeof(err)), 0);
	assert_int_equal(en, 0);
	/* From the environment, with Slack's defaults. */
	setenv("AUDITWATCH_SLACK_WEBHOOK_URL",
	    "https://hooks.slack.com/services/T/B/SECRETTOKEN", 1);
	assert_int_equal(aw_dest_from_config(&c, AW_DEST_SLACK, &d, &en, err,
	    sizeof(err)), 0);
	assert_int_equal(en, 1);
	assert_string_equal(d.url,
	    "https://hooks.slack.com/services/T/B/SECRETTOKEN");
	assert_int_equal(d.min_priority, AW_PRIO_WARNING);
	assert_int_equal(d.min_interval_ms, 1000);
	assert_int_equal(d.noise_control, 1);
	aw_dest_config_clear(&d);
	/* A bad URL is refused without echoing it. */
	setenv("AUDITWATCH_SLACK_WEBHOOK_URL", "ftp://SECRETTOKEN", 1);
	assert_int_equal(aw_dest_from_config(&c, AW_DEST_SLACK, &d, &en, err,
	    sizeof(err)), -1);
	assert_null(strstr(err, "SECRETTOKEN"));
	unsetenv("AUDITWATCH_SLACK_WEBHOOK_URL");
	aw_config_free(&c);

	/* From a file (a mounted secret), with headers and TLS. */
	fd = mkstemp(secret);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "http://127.0.0.1:9/x\n", 21), 21);
	close(fd);
	{
		char yaml[512];

		snprintf(yaml, sizeof(yaml),
		    "webhook:\n  url_file: %s\n  min_priority: error\n"
		    "  headers:\n    Authorization: Bearer abc\n"
		    "    X-Team: sec\n  tls:\n    insecure: true\n"
		    "    ca_file: /etc/ca.pem\n", secret);
		assert_int_equal(load(&c, yaml), 0);
	}
	assert_int_equal(aw_dest_from_config(&c, AW_DEST_WEBHOOK, &d, &en, err,
	    sizeof(err)), 0);
	assert_int_equal(en, 1);
	assert_string_equal(d.url, "http://127.0.0.1:9/x");
	assert_int_equal(d.min_priority, AW_PRIO_ERROR);
	assert_int_equal(d.nheaders, 2);
	assert_string_equal(d.headers[0], "Authorization: Bearer abc");
	assert_string_equal(d.headers[1], "X-Team: sec");
	assert_int_equal(d.insecure, 1);
	assert_string_equal(d.ca_file, "/etc/ca.pem");
	assert_int_equal(d.noise_control, 0);
	assert_int_equal(d.min_interval_ms, 0);
	aw_dest_config_clear(&d);
	aw_config_free(&c);
	unlink(secret);

	/* Header injection through a value is refused. */
	assert_int_equal(load(&c, "webhook:\n  url: http://h/\n  headers:\n"
	    "    X-A: \"a\\r\\nX-Evil: 1\"\n"), 0);
	assert_int_equal(aw_dest_from_config(&c, AW_DEST_WEBHOOK, &d, &en, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "header"));
	aw_config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_noise_windows),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_dest_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
