/*
 * rules_testlib.h — helpers shared by the rule engine's unit tests: an
 * engine from YAML text, events from audit.log lines (through the real
 * record parser, reassembler and decoder), and an alert collector.
 * Header-only (static functions); include after cmocka.h.
 */
#ifndef AW_RULES_TESTLIB_H
#define AW_RULES_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "event.h"
#include "reasm.h"
#include "record.h"
#include "rules/engine.h"

#define TL_MAX_ALERTS 256

struct tl_alerts {
	struct aw_alert *a[TL_MAX_ALERTS];
	int n;
};

static __attribute__((unused)) void
tl_collect(struct aw_alert *a, void *arg)
{
	struct tl_alerts *al = arg;

	if (al->n < TL_MAX_ALERTS)
		al->a[al->n++] = a;
	else
		aw_alert_free(a);
}

static __attribute__((unused)) void
tl_alerts_clear(struct tl_alerts *al)
{
	for (int i = 0; i < al->n; i++)
		aw_alert_free(al->a[i]);
	al->n = 0;
}

static __attribute__((unused)) void
tl_print_diags(const struct aw_diags *d)
{
	aw_diags_print(d, stderr);
}

/* An engine with default options (hostname "testhost") loaded from text.
 * Returns NULL if loading reported errors (they are printed). */
static __attribute__((unused)) struct aw_engine *
tl_engine_opts(const char *yaml, struct aw_diags *d,
    const struct aw_engine_options *o)
{
	struct aw_engine_options dflt;
	struct aw_engine *e;

	if (o == NULL) {
		aw_engine_options_default(&dflt);
		snprintf(dflt.hostname, sizeof(dflt.hostname), "testhost");
		o = &dflt;
	}
	e = aw_engine_new_opts(o);
	assert_non_null(e);
	if (aw_engine_add_string(e, "test.yaml", yaml, strlen(yaml), d) != 0 ||
	    aw_engine_compile(e, d) != 0) {
		aw_engine_free(e);
		return NULL;
	}
	return e;
}

static __attribute__((unused)) struct aw_engine *
tl_engine(const char *yaml)
{
	struct aw_diags d;
	struct aw_engine *e;

	aw_diags_init(&d);
	e = tl_engine_opts(yaml, &d, NULL);
	if (e == NULL) {
		tl_print_diags(&d);
		fail_msg("rules did not load");
	}
	aw_diags_free(&d);
	return e;
}

struct tl_built {
	struct aw_event *ev;
	int got;
};

static __attribute__((unused)) void
tl_on_raw(const struct aw_rawevent *raw, void *arg)
{
	struct tl_built *b = arg;

	assert_int_equal(aw_event_build(b->ev, raw), 0);
	b->got++;
}

/* Decode one event from log lines (all of one serial) into ev, which the
 * caller initialised with aw_event_init. */
static __attribute__((unused)) void
tl_event(struct aw_event *ev, const char *const *lines, size_t n)
{
	struct tl_built b = { ev, 0 };
	struct aw_reasm *ra;
	struct aw_record r;
	const char *err;

	ra = aw_reasm_new(NULL, tl_on_raw, &b);
	assert_non_null(ra);
	for (size_t i = 0; i < n; i++) {
		if (aw_record_parse_line(lines[i], strlen(lines[i]), &r,
		    &err) != 0)
			fail_msg("bad test line %zu: %s", i, err);
		aw_reasm_add(ra, &r, 1);
	}
	aw_reasm_flush(ra);
	aw_reasm_free(ra);
	assert_int_equal(b.got, 1);
}

/* Evaluate ev; alerts collected in al. */
static __attribute__((unused)) int
tl_eval(struct aw_engine *e, const struct aw_event *ev,
    struct aw_enricher *en, struct tl_alerts *al)
{
	return aw_engine_eval(e, ev, en, tl_collect, al);
}

/* JSON value of output_fields[key] as compact text ("null", "3", "\"x\""). */
static __attribute__((unused)) char *
tl_field(const struct aw_alert *a, const char *key)
{
	json_t *of = aw_alert_fields(a), *v = json_object_get(of, key);
	char *s;

	if (of == NULL)
		return strdup("(unparsable)");
	s = v == NULL ? strdup("(absent)") :
	    json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(of);
	return s;
}

/* One rule "r" with condition cond: how many alerts on ev (0 or 1). */
static __attribute__((unused)) int
tl_fires(const char *cond, const struct aw_event *ev)
{
	char yaml[4096];
	struct tl_alerts al = { .n = 0 };
	struct aw_engine *e;
	int n;

	snprintf(yaml, sizeof(yaml), "- rule: r\n  desc: d\n  condition: |\n"
	    "    %s\n  output: o\n  priority: WARNING\n"
	    "  warn_evttypes: false\n", cond);
	e = tl_engine(yaml);
	n = tl_eval(e, ev, NULL, &al);
	tl_alerts_clear(&al);
	aw_engine_free(e);
	return n;
}

#define YES(c, ev) do { if (!tl_fires((c), (ev))) \
	fail_msg("expected a match: %s", (c)); } while (0)
#define NO(c, ev) do { if (tl_fires((c), (ev))) \
	fail_msg("expected no match: %s", (c)); } while (0)

#endif
