/*
 * test_metrics.c — the metrics module without the kernel: Prometheus text
 * of a snapshot (escaping, HELP/TYPE, counters named *_total), the HTTP
 * endpoint on 127.0.0.1 fetched with libcurl (status codes, content type,
 * /healthz before, during and after), listen address parsing, the stats
 * file and `status` printing it, and per-rule totals across an engine
 * reload.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "stages.h"
#include "rules_testlib.h"

/* ---------------------------------------------------------------- render */

static void
check_structure(const char *text)
{
	char *copy = strdup(text), *save = NULL, *line;
	char family[128] = "";

	assert_non_null(copy);
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char name[128], type[32];

		if (sscanf(line, "# TYPE %127s %31s", name, type) == 2) {
			assert_string_equal(name, family);
			if (strcmp(type, "counter") == 0)
				assert_non_null(strstr(name, "_total"));
			continue;
		}
		if (sscanf(line, "# HELP %127s", family) == 1)
			continue;
		/* A sample of the family just declared. */
		assert_int_equal(strncmp(line, family, strlen(family)), 0);
		assert_true(line[strlen(family)] == ' ' ||
		    line[strlen(family)] == '{');
	}
	free(copy);
}

static void
test_render(void **state)
{
	struct aw_metrics_snapshot s;
	struct aw_metrics_rule rules[2] = {
		{ "Write below \"etc\"\\x\nnext", "Error", 7 },
		{ "Plain", "Notice", 0 },
	};
	char *text;
	size_t len;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.start_ms = 1700000000123;
	s.time_ms = 1700000001005;
	text = aw_metrics_render(&s, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	check_structure(text);
	/* Nothing was collected: no source, pipeline or rule families. */
	assert_null(strstr(text, "records_lost_total"));
	assert_null(strstr(text, "events_total"));
	assert_null(strstr(text, "rule_matches_total"));
	assert_non_null(strstr(text, "\nauditwatch_start_time_seconds "
	    "1700000000.123\n"));
	assert_non_null(strstr(text, "\nauditwatch_rules_reloads_total{"
	    "result=\"failure\"} 0\n"));
	free(text);

	s.have_src = 1;
	s.mode = "multicast";
	s.src.datagrams = 42;
	s.src.queue_drops = 3;
	s.have_kernel = 1;
	s.kernel_lost_since_start = 5;
	s.have_pipeline = 1;
	s.pipe.events_out = 9;
	s.reasm.closed[4] = 2;		/* AW_CLOSE_EVICTED */
	s.have_engine = 1;
	s.rules = rules;
	s.nrules = 2;
	s.have_enricher = 1;
	s.en.procs = 11;
	s.en.meta_evictions = 13;
	s.seccomp_denied = 2;
	text = aw_metrics_render(&s, &len);
	assert_non_null(text);
	check_structure(text);
	assert_non_null(strstr(text, "\nauditwatch_source_info{mode="
	    "\"multicast\"} 1\n"));
	assert_non_null(strstr(text, "\nauditwatch_records_received_total 42\n"));
	assert_non_null(strstr(text, "\nauditwatch_records_lost_total{reason="
	    "\"kernel\"} 5\n"));
	assert_non_null(strstr(text, "\nauditwatch_records_lost_total{reason="
	    "\"queue_full\"} 3\n"));
	assert_non_null(strstr(text, "\nauditwatch_reassembly_closed_total{"
	    "reason=\"evicted\"} 2\n"));
	assert_non_null(strstr(text, "\nauditwatch_events_total 9\n"));
	assert_non_null(strstr(text, "\nauditwatch_process_table_entries 11\n"));
	assert_non_null(strstr(text,
	    "\nauditwatch_container_metadata_evictions_total 13\n"));
	assert_non_null(strstr(text, "\nauditwatch_seccomp_denied_total 2\n"));
	/* User text in a label value: \, " and newline escaped. */
	assert_non_null(strstr(text, "\nauditwatch_rule_matches_total{rule="
	    "\"Write below \\\"etc\\\"\\\\x\\nnext\",priority=\"Error\"} 7\n"));
	assert_non_null(strstr(text, "{rule=\"Plain\",priority=\"Notice\"} 0\n"));
	free(text);
}

/* ------------------------------------------------------------------ http */

struct reply {
	long status;
	char body[8192];
	size_t len;
	char ctype[128];
};

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t k = sz * n;

	if (k > sizeof(r->body) - 1 - r->len)
		k = sizeof(r->body) - 1 - r->len;
	memcpy(r->body + r->len, p, k);
	r->len += k;
	r->body[r->len] = '\0';
	return sz * n;
}

static int
fetch(unsigned port, const char *path, const char *method, struct reply *r)
{
	CURL *c = curl_easy_init();
	char url[128];
	char *ct = NULL;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	assert_non_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (method != NULL && strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (method != NULL) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		if (strcmp(method, "POST") == 0)
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		if (ct != NULL)
			snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
	}
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

static void
test_http(void **state)
{
	struct aw_metrics_http *h, *h2;
	struct reply r;
	char err[256], addr[64];
	const char text[] = "# HELP auditwatch_x X.\n# TYPE auditwatch_x "
	    "gauge\nauditwatch_x 1\n";
	unsigned port;

	(void)state;
	h = aw_metrics_http_start("127.0.0.1:0", err, sizeof(err));
	assert_non_null(h);
	port = aw_metrics_http_port(h);
	assert_true(port > 0);

	/* Before the first snapshot. */
	assert_int_equal(fetch(port, "/healthz", NULL, &r), 0);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body, "starting\n");
	assert_int_equal(fetch(port, "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 503);

	assert_int_equal(aw_metrics_http_publish(h, text, strlen(text),
	    aw_now_ms()), 0);
	assert_int_equal(fetch(port, "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, text);
	assert_string_equal(r.ctype, "text/plain; version=0.0.4; "
	    "charset=utf-8");
	assert_int_equal(fetch(port, "/metrics", "HEAD", &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(fetch(port, "/healthz", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	assert_int_equal(fetch(port, "/metrics/x", NULL, &r), 0);
	assert_int_equal(r.status, 404);
	assert_int_equal(fetch(port, "/metrics", "POST", &r), 0);
	assert_int_equal(r.status, 405);
	assert_int_equal(fetch(port, "/metrics", "DELETE", &r), 0);
	assert_int_equal(r.status, 405);

	/* The same address again: refused, with the reason. */
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	h2 = aw_metrics_http_start(addr, err, sizeof(err));
	assert_null(h2);
	assert_non_null(strstr(err, "cannot serve on"));

	/* A processing thread that stopped publishing: stalled. */
	assert_int_equal(aw_metrics_http_publish(h, text, strlen(text),
	    aw_now_ms() - AW_METRICS_STALE_MS - 1000), 0);
	assert_int_equal(fetch(port, "/healthz", NULL, &r), 0);
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(r.body, "stalled"));
	/* Shutdown. */
	aw_metrics_http_publish(h, text, strlen(text), aw_now_ms());
	aw_metrics_http_stopping(h);
	assert_int_equal(fetch(port, "/healthz", NULL, &r), 0);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body, "stopping\n");
	aw_metrics_http_stop(h);
	assert_int_equal(fetch(port, "/healthz", NULL, &r), -1);
}

static void
test_parse_addr(void **state)
{
	static const char *const bad[] = { "127.0.0.1", "127.0.0.1:",
	    ":80", "::1:80", "[::1]", "[::1]80", "127.0.0.1:65536",
	    "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:8x", "[]:80",
	    "999.1.1.1:80", NULL };
	struct sockaddr_storage ss;
	size_t len;
	char err[256];

	(void)state;
	assert_int_equal(aw_metrics_parse_addr("127.0.0.1:9376", &ss, &len,
	    err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(aw_metrics_parse_addr("[::1]:9376", &ss, &len, err,
	    sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(aw_metrics_parse_addr("0.0.0.0:0", &ss, &len, err,
	    sizeof(err)), 0);
	for (int i = 0; bad[i] != NULL; i++) {
		err[0] = '\0';
		if (aw_metrics_parse_addr(bad[i], &ss, &len, err,
		    sizeof(err)) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(strstr(err, "metrics.listen"));
	}
}

/* ------------------------------------------------- stats file, status */

static const char *const ev_connect[] = {
	"type=SYSCALL msg=audit(1796412512.621:1760): arch=c000003e "
	"syscall=42 success=no exit=-115 a0=5 a1=55eed9c0d548 a2=10 "
	"a3=7ffdaab91df4 items=0 ppid=10894 pid=10897 auid=4294967295 uid=0 "
	"gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
	"ses=4294967295 comm=\"curl\" exe=\"/usr/bin/curl\" key=\"net\"",
	"type=SOCKADDR msg=audit(1796412512.621:1760): "
	"saddr=020046A07F0000010000000000000000",
};

static const char rules_v1[] =
	"- rule: Connect\n"
	"  desc: d\n"
	"  condition: evt.type = connect\n"
	"  output: connect\n"
	"  priority: WARNING\n"
	"- rule: Gone later\n"
	"  desc: d\n"
	"  condition: evt.type = connect and proc.name = curl\n"
	"  output: gone\n"
	"  priority: ERROR\n";
static const char rules_v2[] =
	"- rule: Connect\n"
	"  desc: d\n"
	"  condition: evt.type = connect\n"
	"  output: connect\n"
	"  priority: CRITICAL\n";

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = calloc(1, 65536);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
eval_times(struct aw_engine *e, struct aw_event *ev, int n)
{
	struct tl_alerts al = { .n = 0 };

	for (int i = 0; i < n; i++)
		tl_eval(e, ev, NULL, &al);
	tl_alerts_clear(&al);
}

/* An engine where every matching rule alerts. */
static struct aw_engine *
engine_all(const char *yaml)
{
	struct aw_engine_options o;
	struct aw_diags d;
	struct aw_engine *e;

	aw_engine_options_default(&o);
	o.matching = AW_MATCH_ALL;
	aw_diags_init(&d);
	e = tl_engine_opts(yaml, &d, &o);
	aw_diags_free(&d);
	assert_non_null(e);
	return e;
}

static void
test_stats_file_and_reload(void **state)
{
	struct aw_config cfg;
	struct aw_metrics *m;
	struct aw_stages st;
	struct aw_event ev;
	char dir[] = "/tmp/awmetrics.XXXXXX", opt[256], err[256], *text,
	    want[128], *out = NULL;
	size_t outlen = 0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	aw_config_init(&cfg);
	snprintf(opt, sizeof(opt), "audit.state_file=%s/sub/state", dir);
	assert_int_equal(aw_config_override(&cfg, opt, err, sizeof(err)), 0);
	/* The default stats file: beside the state file. */
	text = aw_metrics_stats_path(&cfg);
	snprintf(want, sizeof(want), "%s/sub/stats", dir);
	assert_string_equal(text, want);
	free(text);

	assert_int_equal(aw_metrics_open(&cfg, &m, err, sizeof(err)), 0);
	assert_non_null(m);
	assert_int_equal(aw_metrics_port(m), 0);	/* no HTTP */

	aw_event_init(&ev);
	tl_event(&ev, ev_connect, 2);
	memset(&st, 0, sizeof(st));
	st.engine = engine_all(rules_v1);
	eval_times(st.engine, &ev, 2);
	aw_metrics_publish(m, NULL, NULL, &st, NULL);
	text = slurp(want);
	assert_non_null(text);
	snprintf(opt, sizeof(opt), "# auditwatch stats pid=%ld ",
	    (long)getpid());
	assert_int_equal(strncmp(text, opt, strlen(opt)), 0);
	assert_non_null(strstr(text, "\nauditwatch_rule_matches_total{rule="
	    "\"Connect\",priority=\"Warning\"} 2\n"));
	free(text);

	/* Reload: the old engine's counts carry over; the priority label is
	 * the new rule's; a rule gone keeps its count. */
	aw_metrics_engine_retired(m, st.engine);
	aw_engine_free(st.engine);
	st.engine = engine_all(rules_v2);
	eval_times(st.engine, &ev, 1);
	aw_metrics_reload_failed(m);
	aw_metrics_publish(m, NULL, NULL, &st, NULL);
	text = slurp(want);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nauditwatch_rule_matches_total{rule="
	    "\"Connect\",priority=\"Critical\"} 3\n"));
	assert_non_null(strstr(text, "{rule=\"Gone later\",priority=\"Error\"} "
	    "2\n"));
	assert_non_null(strstr(text, "\nauditwatch_rules_reloads_total{result="
	    "\"success\"} 1\n"));
	assert_non_null(strstr(text, "\nauditwatch_rules_reloads_total{result="
	    "\"failure\"} 1\n"));
	assert_non_null(strstr(text, "\nauditwatch_rules_events_evaluated_total "
	    "3\n"));
	free(text);

	/* status prints it, without the prefix. */
	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	assert_int_equal(aw_metrics_print_status(&cfg, f), 0);
	fclose(f);
	snprintf(opt, sizeof(opt), "pid %ld, counters", (long)getpid());
	assert_non_null(strstr(out, opt));
	assert_non_null(strstr(out, "\n  rule_matches_total{rule=\"Connect\","
	    "priority=\"Critical\"}"));
	free(out);

	aw_metrics_free(m);
	assert_int_equal(access(want, F_OK), -1);	/* removed at exit */
	f = open_memstream(&out, &outlen);
	assert_int_equal(aw_metrics_print_status(&cfg, f), -1);
	fclose(f);
	assert_non_null(strstr(out, "not running"));
	free(out);

	aw_engine_free(st.engine);
	aw_event_free(&ev);
	aw_config_free(&cfg);
	snprintf(opt, sizeof(opt), "%s/sub", dir);
	rmdir(opt);
	rmdir(dir);
}

static void
test_open_errors(void **state)
{
	struct aw_config cfg;
	struct aw_metrics *m = (struct aw_metrics *)&m;
	char err[256];

	(void)state;
	aw_config_init(&cfg);
	assert_int_equal(aw_config_override(&cfg, "metrics.stats_file=none",
	    err, sizeof(err)), 0);
	/* Both off: disabled, and every call is a no-op. */
	assert_int_equal(aw_metrics_open(&cfg, &m, err, sizeof(err)), 0);
	assert_null(m);
	aw_metrics_tick(NULL, NULL, NULL, NULL, NULL, 0);
	aw_metrics_free(NULL);
	assert_int_equal(aw_config_override(&cfg, "metrics.listen=localhost",
	    err, sizeof(err)), 0);
	err[0] = '\0';
	assert_int_equal(aw_metrics_open(&cfg, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "metrics.listen"));
	assert_int_equal(aw_config_override(&cfg, "metrics.listen=",
	    err, sizeof(err)), 0);
	assert_int_equal(aw_config_override(&cfg,
	    "metrics.stats_file=relative/stats", err, sizeof(err)), 0);
	err[0] = '\0';
	assert_int_equal(aw_metrics_open(&cfg, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "metrics.stats_file"));
	aw_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_stats_file_and_reload),
		cmocka_unit_test(test_open_errors),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
