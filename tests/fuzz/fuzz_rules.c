/*
 * fuzz_rules.c — libFuzzer target: a rule file through the rule loader
 * (libyaml, lists, macros, exceptions, override), the condition lexer and
 * parser, the compiler and the output-format parser; a rule set that
 * compiles is then evaluated against a few fixed events, so the evaluator
 * and the output formatter run on whatever the fuzzer builds.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "event.h"
#include "log.h"
#include "reasm.h"
#include "record.h"
#include "rules/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct aw_event events[3];
static int nevents;

static const char *const sample[] = {
	"type=SYSCALL msg=audit(1700000000.001:1): arch=c000003e syscall=257 "
	"success=yes exit=3 a0=ffffff9c a1=1 a2=241 a3=1b6 items=2 ppid=1 "
	"pid=42 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
	"fsgid=0 tty=pts0 ses=1 comm=\"touch\" exe=\"/usr/bin/touch\" key=(null)",
	"type=CWD msg=audit(1700000000.001:1): cwd=\"/root\"",
	"type=PATH msg=audit(1700000000.001:1): item=0 name=\"/etc/\" "
	"nametype=PARENT",
	"type=PATH msg=audit(1700000000.001:1): item=1 name=\"/etc/passwd\" "
	"nametype=NORMAL",
	"type=EOE msg=audit(1700000000.001:1): ",
	"type=SYSCALL msg=audit(1700000000.002:2): arch=c000003e syscall=59 "
	"success=yes exit=0 items=1 ppid=42 pid=43 uid=0 comm=\"nc\" "
	"exe=\"/usr/bin/nc\"",
	"type=EXECVE msg=audit(1700000000.002:2): argc=3 a0=\"nc\" a1=\"-l\" "
	"a2=\"8080\"",
	"type=EOE msg=audit(1700000000.002:2): ",
	"type=SYSCALL msg=audit(1700000000.003:3): arch=c000003e syscall=42 "
	"success=no exit=-111 items=0 pid=43 comm=\"nc\" exe=\"/usr/bin/nc\"",
	"type=SOCKADDR msg=audit(1700000000.003:3): "
	"saddr=02000050A9FEA9FE0000000000000000",
	"type=EOE msg=audit(1700000000.003:3): ",
};

static void
keep_event(const struct aw_rawevent *raw, void *arg)
{
	(void)arg;
	if (nevents < 3)
		aw_event_build(&events[nevents++], raw);
}

static void
init_events(void)
{
	struct aw_reasm *ra = aw_reasm_new(NULL, keep_event, NULL);
	struct aw_record r;
	const char *err;

	for (int i = 0; i < 3; i++)
		aw_event_init(&events[i]);
	for (size_t i = 0; i < sizeof(sample) / sizeof(sample[0]); i++)
		if (aw_record_parse_line(sample[i], strlen(sample[i]), &r,
		    &err) == 0)
			aw_reasm_add(ra, &r, 1);
	aw_reasm_flush(ra);
	aw_reasm_free(ra);
}

static void
drop_alert(struct aw_alert *a, void *arg)
{
	char *json = aw_alert_to_falco_json(a, 1, 1);

	(void)arg;
	free(json);
	aw_alert_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aw_engine_options o;
	struct aw_engine *e;
	struct aw_diags d;

	if (nevents == 0) {
		aw_log_set_level(AW_LOG_ERR);
		init_events();
	}
	aw_engine_options_default(&o);
	o.matching = AW_MATCH_ALL;
	if ((e = aw_engine_new_opts(&o)) == NULL)
		return 0;
	aw_diags_init(&d);
	if (aw_engine_add_string(e, "fuzz.yaml", (const char *)data, size,
	    &d) == 0 && aw_engine_compile(e, &d) == 0) {
		for (int i = 0; i < nevents; i++)
			aw_engine_eval(e, &events[i], NULL, drop_alert, NULL);
	}
	aw_diags_free(&d);
	aw_engine_free(e);
	return 0;
}
