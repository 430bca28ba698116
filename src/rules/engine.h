/*
 * engine.h — the rule engine: Falco's rule language over audit events.
 *
 * Life cycle:
 *   e = aw_engine_new(cfg);                    options from the config
 *   aw_engine_load(e, paths, n, &diags);       read files, compile once
 *   aw_engine_eval(e, ev, en, cb, arg);        per event, on one thread
 *   aw_engine_free(e);
 * A reload builds a new engine and swaps it in; an engine is never
 * reloaded in place. Loading reports every error and warning with
 * file:line:column; evaluation never parses strings.
 *
 * Ownership: the alert handed to the callback belongs to the callback
 * (aw_alert_free it). Everything returned by the introspection calls
 * belongs to the engine and lives as long as it.
 */
#ifndef AW_RULES_ENGINE_H
#define AW_RULES_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alert.h"
#include "event.h"
#include "rules/ast.h"

struct aw_config;
struct aw_enricher;

/* Falco's engine version this engine implements the language of;
 * required_engine_version is checked against it. */
#define AW_ENGINE_VERSION_MAJOR 0
#define AW_ENGINE_VERSION_MINOR 63
#define AW_ENGINE_VERSION_PATCH 0

/* ---------------------------------------------------------- diagnostics */

enum aw_diag_level { AW_DIAG_ERROR, AW_DIAG_WARNING };

struct aw_diag {
	enum aw_diag_level level;
	char *file;		/* NULL when not tied to a file */
	int line, col;		/* 1-based; 0 when unknown */
	char *item;		/* "rule 'Write below etc'", or NULL */
	char *msg;
};

struct aw_diags {
	struct aw_diag *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
};

void aw_diags_init(struct aw_diags *d);
void aw_diags_free(struct aw_diags *d);
void aw_diags_add(struct aw_diags *d, enum aw_diag_level lvl,
    const struct aw_srcpos *pos, const char *item, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* "file:line:col: error: rule 'x': message" */
void aw_diag_format(const struct aw_diag *d, char *buf, size_t bufsz);
void aw_diags_print(const struct aw_diags *d, FILE *fp);

/* ---------------------------------------------------------- engine */

enum aw_rule_matching { AW_MATCH_FIRST, AW_MATCH_ALL };

struct aw_engine_options {
	enum aw_rule_matching matching;	/* rule_matching (first) */
	enum aw_priority min_priority;	/* priority (debug): lower not loaded */
	int suggested_output;	/* append_output suggested_output (1):
				 * " container_id=%container.id
				 * container_name=%container.name" */
	int time_iso8601;	/* time_format_iso_8601 (0) */
	int output_transformed_fields;	/* also put "%tolower(proc.name)"
				 * in output_fields under that key (0: as
				 * Falco, only the fields inside it) */
	char hostname[256];	/* FALCO_HOSTNAME, else gethostname() */
};

void aw_engine_options_default(struct aw_engine_options *o);
/* Read rule_matching, priority, append_output, time_format_iso_8601 and
 * hostname from a configuration (NULL: defaults). */
int aw_engine_options_from_config(struct aw_engine_options *o,
    const struct aw_config *cfg, char *err, size_t errsz);

struct aw_engine;

struct aw_engine *aw_engine_new(const struct aw_config *cfg);
struct aw_engine *aw_engine_new_opts(const struct aw_engine_options *o);
void aw_engine_free(struct aw_engine *e);

/* Rule paths from the configuration: -r overrides, else rules_files, else
 * the built-in defaults. *explicit is set when missing paths are errors
 * (given by the user) rather than skipped. Pointers into cfg or static. */
size_t aw_engine_rules_paths(const struct aw_config *cfg, const char **out,
    size_t max, int *explicit);

/* Load rule files and directories (*.yaml, *.yml, sorted) in order, then
 * compile. Returns 0, or -1 when any error was reported (the engine then
 * lists its rules but evaluates none). missing_ok: a path that does not
 * exist is a warning. */
int aw_engine_load(struct aw_engine *e, const char *const *paths,
    size_t npaths, int missing_ok, struct aw_diags *d);

/* Lower-level: add sources one by one, then compile once. */
int aw_engine_add_file(struct aw_engine *e, const char *path,
    struct aw_diags *d);
int aw_engine_add_string(struct aw_engine *e, const char *name,
    const char *text, size_t len, struct aw_diags *d);
int aw_engine_compile(struct aw_engine *e, struct aw_diags *d);

/* Falco's `rules:` selectors, applied after loading: enable or disable
 * rules whose name matches a glob, or that carry a tag. Returns how many
 * rules changed. */
size_t aw_engine_set_enabled(struct aw_engine *e, const char *name_glob,
    const char *tag, int enabled);
/* The configuration's `rules:` section, in order:
 *   rules: [{disable: {rule: [glob...]}}, {enable: {tag: [t...]}}, ...]
 * Returns how many rule states changed. */
size_t aw_engine_apply_config(struct aw_engine *e,
    const struct aw_config *cfg);

/* ---------------------------------------------------------- introspection */

enum aw_rule_state {
	AW_RULE_ACTIVE,		/* enabled; audit supplies every field */
	AW_RULE_PARTIAL,	/* enabled; some condition field is partial or
				 * never available (reason says which) */
	AW_RULE_DISABLED,	/* enabled: false, a selector, or priority */
	AW_RULE_SKIPPED,	/* skip-if-unknown-filter, unknown source */
};

struct aw_rule_info {
	const char *name;
	struct aw_srcpos pos;
	const char *desc;
	const char *output;	/* as compiled (suggested fields appended) */
	const char *source;
	enum aw_priority priority;
	enum aw_rule_state state;
	const char *reason;	/* why partial/disabled/skipped; NULL if active */
	const char *const *tags;
	size_t ntags;
	/* The evt.type values the condition can match. If evttypes_all, the
	 * rule runs on every event except the listed names (possibly none). */
	const char *const *evttypes;
	size_t nevttypes;
	int evttypes_all;
	/* Resolved condition (macros expanded, exceptions included); NULL
	 * for skipped rules. */
	const struct aw_ast *condition;
	uint64_t matches;	/* alerts produced so far */
};

size_t aw_engine_nrules(const struct aw_engine *e);
const struct aw_rule_info *aw_engine_rule(const struct aw_engine *e,
    size_t i);
const struct aw_rule_info *aw_engine_rule_by_name(const struct aw_engine *e,
    const char *name);

struct aw_engine_summary {
	size_t rules;		/* every rule item defined */
	size_t active, partial, disabled, skipped;
	size_t macros, lists;
	/* Syscalls that enabled rules need, sorted; all_syscalls when some
	 * enabled rule is not restricted by evt.type. */
	const char *const *syscalls;
	size_t nsyscalls;
	int all_syscalls;
};

void aw_engine_summary(const struct aw_engine *e, struct aw_engine_summary *s);
/* The summary as `auditwatch rules check` prints it. */
void aw_engine_print_summary(const struct aw_engine *e, FILE *fp);

/* ---------------------------------------------------------- evaluation */

/* The callback owns the alert. */
typedef void (*aw_alert_cb)(struct aw_alert *alert, void *arg);

struct aw_engine_stats {
	uint64_t events;	/* events evaluated */
	uint64_t rules_evaluated;	/* condition evaluations */
	uint64_t checks_evaluated;	/* field checks actually run (shared
					 * checks run once per event) */
	uint64_t alerts;
	uint64_t alloc_failures;	/* alerts lost to ENOMEM */
};

/* Evaluate one event: only the rules whose evt.type set can contain the
 * event's syscall are tried, in rule order; rule_matching decides whether
 * the first match stops. en may be NULL (every enricher-provided field is
 * then missing). Returns the number of alerts produced. */
int aw_engine_eval(struct aw_engine *e, const struct aw_event *ev,
    struct aw_enricher *en, aw_alert_cb cb, void *arg);

const struct aw_engine_stats *aw_engine_stats(const struct aw_engine *e);

#endif
