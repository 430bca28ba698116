/*
 * engine.c — the rule engine's public API (engine.h): options from the
 * configuration, loading files and directories, diagnostics, the
 * evt.type-indexed evaluation loop that turns matches into alerts, and
 * the summary and per-rule introspection other stages use.
 *
 * Evaluation: the event's syscall name selects one bucket of rules (every
 * rule whose evt.type set contains it, in rule order; rules without an
 * evt.type restriction are in every bucket), and within it the process
 * name selects the rules that name it, merged in rule order with those
 * that name none; so the cost per event does not grow with rules that
 * cannot match it. Field values and check results are cached per event
 * across the rules of the bucket.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert_json.h"
#include "config.h"
#include "output/text.h"
#include "rules/rules_int.h"

#define MAX_RULES_FILE (64u << 20)

/* ------------------------------------------------------------ diagnostics */

void
aw_diags_init(struct aw_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void
aw_diags_free(struct aw_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].item);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void
aw_diags_add(struct aw_diags *d, enum aw_diag_level lvl,
    const struct aw_srcpos *pos, const char *item, const char *fmt, ...)
{
	struct aw_diag *g;
	char msg[1024];
	va_list ap;

	if (lvl == AW_DIAG_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
	if (d->n >= 100000)
		return;		/* bounded: counts still tell the story */
	if (grow((void **)&d->v, &d->cap, d->n + 1, sizeof(*d->v)) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g = &d->v[d->n];
	memset(g, 0, sizeof(*g));
	g->level = lvl;
	if (pos != NULL && pos->file != NULL) {
		g->file = strdup(pos->file);
		g->line = pos->line;
		g->col = pos->col;
	}
	g->item = item ? strdup(item) : NULL;
	g->msg = strdup(msg);
	d->n++;
}

void
aw_diag_format(const struct aw_diag *g, char *buf, size_t bufsz)
{
	char where[600] = "";

	if (g->file && g->line > 0)
		snprintf(where, sizeof(where), "%s:%d:%d: ", g->file, g->line,
		    g->col);
	else if (g->file)
		snprintf(where, sizeof(where), "%s: ", g->file);
	snprintf(buf, bufsz, "%s%s: %s%s%s", where,
	    g->level == AW_DIAG_ERROR ? "error" : "warning",
	    g->item ? g->item : "", g->item ? ": " : "",
	    g->msg ? g->msg : "");
}

void
aw_diags_print(const struct aw_diags *d, FILE *fp)
{
	char buf[2048];

	for (size_t i = 0; i < d->n; i++) {
		aw_diag_format(&d->v[i], buf, sizeof(buf));
		fprintf(fp, "%s\n", buf);
	}
}

/* ------------------------------------------------------------ options */

void
aw_engine_options_default(struct aw_engine_options *o)
{
	const char *h = getenv("FALCO_HOSTNAME");

	memset(o, 0, sizeof(*o));
	o->matching = AW_MATCH_FIRST;
	o->min_priority = AW_PRIO_DEBUG;
	o->suggested_output = 1;
	if (h != NULL && *h)
		snprintf(o->hostname, sizeof(o->hostname), "%s", h);
	else if (gethostname(o->hostname, sizeof(o->hostname) - 1) != 0)
		snprintf(o->hostname, sizeof(o->hostname), "localhost");
}

int
aw_engine_options_from_config(struct aw_engine_options *o,
    const struct aw_config *cfg, char *err, size_t errsz)
{
	const char *s;
	int b;

	aw_engine_options_default(o);
	if (cfg == NULL)
		return 0;
	s = aw_config_str(cfg, "rule_matching", "first");
	if (strcmp(s, "first") == 0)
		o->matching = AW_MATCH_FIRST;
	else if (strcmp(s, "all") == 0)
		o->matching = AW_MATCH_ALL;
	else {
		snprintf(err, errsz, "rule_matching: '%s' is not 'first' or "
		    "'all'", s);
		return -1;
	}
	s = aw_config_str(cfg, "priority", "debug");
	if (aw_priority_from_name(s, &o->min_priority) != 0) {
		snprintf(err, errsz, "priority: unknown priority '%s'", s);
		return -1;
	}
	if (aw_config_bool(cfg, "time_format_iso_8601", 0, &b, err, errsz))
		return -1;
	o->time_iso8601 = b;
	/* append_output: [{suggested_output: bool}, ...] flattens to
	 * append_output.N.suggested_output */
	for (size_t i = 0; i < cfg->n; i++) {
		const char *p = cfg->v[i].path;
		size_t l = strlen(p);
		if (strncmp(p, "append_output.", 14) == 0 && l > 17 &&
		    strcmp(p + l - 17, ".suggested_output") == 0) {
			const char *v = cfg->v[i].value;
			o->suggested_output = strcasecmp(v, "false") != 0 &&
			    strcasecmp(v, "no") != 0 && strcmp(v, "0") != 0;
		}
	}
	if (getenv("FALCO_HOSTNAME") == NULL &&
	    (s = aw_config_str(cfg, "hostname", NULL)) != NULL && *s)
		snprintf(o->hostname, sizeof(o->hostname), "%s", s);
	return 0;
}

size_t
aw_engine_rules_paths(const struct aw_config *cfg, const char **out,
    size_t max, int *explicit)
{
	static const char *const dflt[] = {
		AW_SYSCONFDIR "/auditwatch/auditwatch_rules.yaml",
		AW_SYSCONFDIR "/auditwatch/auditwatch_rules.local.yaml",
		AW_SYSCONFDIR "/auditwatch/rules.d",
	};
	size_t n = 0;

	*explicit = 0;
	if (cfg != NULL && cfg->nrules_override > 0) {
		*explicit = 1;
		for (size_t i = 0; i < cfg->nrules_override && n < max; i++)
			out[n++] = cfg->rules_override[i];
		return n;
	}
	if (cfg != NULL && (n = aw_config_list(cfg, "rules_files", out,
	    max)) > 0)
		return n;
	for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]) && n < max; i++)
		out[n++] = dflt[i];
	return n;
}

/* ------------------------------------------------------------ engine */

struct aw_engine *
aw_engine_new_opts(const struct aw_engine_options *o)
{
	struct aw_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	if (o != NULL)
		e->opts = *o;
	else
		aw_engine_options_default(&e->opts);
	rl_collector_init(&e->col);
	xctx_init(&e->x);
	sb_init(&e->alert_text);
	aw_buf_init(&e->alert_fields);
	sb_init(&e->alert_cols);
	e->x.opts = &e->opts;
	return e;
}

struct aw_engine *
aw_engine_new(const struct aw_config *cfg)
{
	struct aw_engine_options o;
	char err[256];

	if (aw_engine_options_from_config(&o, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "auditwatch: %s\n", err);
		return NULL;
	}
	return aw_engine_new_opts(&o);
}

void
aw_engine_free(struct aw_engine *e)
{
	if (e == NULL)
		return;
	aw_rules_free(e);
	rl_collector_free(&e->col);
	xctx_free(&e->x);
	sb_free(&e->alert_text);
	aw_buf_free(&e->alert_fields);
	sb_free(&e->alert_cols);
	for (size_t i = 0; i < e->nfiles; i++)
		free(e->files[i]);
	free(e->files);
	free(e);
}

static const char *
keep_name(struct aw_engine *e, const char *name)
{
	char *c;

	if (grow((void **)&e->files, &e->capfiles, e->nfiles + 1,
	    sizeof(*e->files)) != 0 || (c = strdup(name)) == NULL)
		return NULL;
	e->files[e->nfiles++] = c;
	return c;
}

int
aw_engine_add_string(struct aw_engine *e, const char *name,
    const char *text, size_t len, struct aw_diags *d)
{
	const char *kept = keep_name(e, name);
	char *buf = malloc(len + 1);

	if (kept == NULL || buf == NULL) {
		free(buf);
		aw_diags_add(d, AW_DIAG_ERROR, NULL, NULL, "out of memory");
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (e->compiled) {
		struct aw_srcpos p = { kept, 0, 0 };
		free(buf);
		aw_diags_add(d, AW_DIAG_ERROR, &p, NULL, "rules already "
		    "compiled: build a new engine to load more");
		return -1;
	}
	return rl_load_text(&e->col, kept, buf, len, d);
}

static int
read_file(const char *path, char **out, size_t *lenp, char *err,
    size_t errsz)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t n;

	if (fp == NULL) {
		snprintf(err, errsz, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "not a regular file");
		fclose(fp);
		return -1;
	}
	if ((uint64_t)st.st_size > MAX_RULES_FILE) {
		snprintf(err, errsz, "file too large (%lld bytes, limit %u)",
		    (long long)st.st_size, MAX_RULES_FILE);
		fclose(fp);
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		fclose(fp);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, fp);
	if (ferror(fp)) {
		snprintf(err, errsz, "read error: %s", strerror(errno));
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	*lenp = n;
	return 0;
}

int
aw_engine_add_file(struct aw_engine *e, const char *path, struct aw_diags *d)
{
	const char *kept = keep_name(e, path);
	char err[300], *buf;
	size_t len;

	if (kept == NULL) {
		aw_diags_add(d, AW_DIAG_ERROR, NULL, NULL, "out of memory");
		return -1;
	}
	if (read_file(path, &buf, &len, err, sizeof(err)) != 0) {
		struct aw_srcpos p = { kept, 0, 0 };
		aw_diags_add(d, AW_DIAG_ERROR, &p, NULL, "%s", err);
		return -1;
	}
	return rl_load_text(&e->col, kept, buf, len, d);
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
rules_ext(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
	    (l > 4 && strcmp(n + l - 4, ".yml") == 0);
}

/* Every *.yaml / *.yml of a directory, in name order. */
static int
add_dir(struct aw_engine *e, const char *dir, struct aw_diags *d)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (dp == NULL) {
		struct aw_srcpos p = { keep_name(e, dir), 0, 0 };
		aw_diags_add(d, AW_DIAG_ERROR, &p, NULL, "cannot open "
		    "directory: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		char *full;
		if (de->d_name[0] == '.' || !rules_ext(de->d_name))
			continue;
		if (grow((void **)&names, &cap, n + 1, sizeof(*names)) != 0 ||
		    (full = malloc(strlen(dir) + strlen(de->d_name) + 2)) ==
		    NULL) {
			rc = -1;
			break;
		}
		sprintf(full, "%s/%s", dir, de->d_name);
		names[n++] = full;
	}
	closedir(dp);
	if (n > 1)	/* names is NULL when the directory has none */
		qsort(names, n, sizeof(*names), cmp_cstr);
	for (size_t i = 0; i < n; i++) {
		if (aw_engine_add_file(e, names[i], d) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
aw_engine_load(struct aw_engine *e, const char *const *paths, size_t npaths,
    int missing_ok, struct aw_diags *d)
{
	int rc = 0;

	for (size_t i = 0; i < npaths; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			struct aw_srcpos p = { keep_name(e, paths[i]), 0, 0 };
			aw_diags_add(d, missing_ok && errno == ENOENT ?
			    AW_DIAG_WARNING : AW_DIAG_ERROR, &p, NULL,
			    "cannot read rules: %s", strerror(errno));
			if (!(missing_ok && errno == ENOENT))
				rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (add_dir(e, paths[i], d) != 0)
				rc = -1;
		} else if (aw_engine_add_file(e, paths[i], d) != 0)
			rc = -1;
	}
	if (aw_engine_compile(e, d) != 0)
		rc = -1;
	return rc;
}

int
aw_engine_compile(struct aw_engine *e, struct aw_diags *d)
{
	int rc;

	if (e->compiled) {
		aw_diags_add(d, AW_DIAG_ERROR, NULL, NULL, "rules already "
		    "compiled");
		return -1;
	}
	rc = aw_compile(e, d);
	/* The YAML text and the collector are not needed any more. */
	rl_collector_free(&e->col);
	if (d->nerrors > 0) {
		e->failed = 1;
		rc = -1;
	}
	return rc;
}

size_t
aw_engine_set_enabled(struct aw_engine *e, const char *name_glob,
    const char *tag, int enabled)
{
	size_t changed = 0;

	for (size_t i = 0; i < e->nrules; i++) {
		struct crule *r = &e->rules[i];
		int match = 0;
		enum aw_rule_state want;
		if (r->info.state == AW_RULE_SKIPPED || r->below_priority ||
		    r->root == NULL)
			continue;
		if (name_glob && fnmatch(name_glob, r->name, 0) == 0)
			match = 1;
		for (size_t k = 0; tag && !match && k < r->ntags; k++)
			if (strcmp(r->tags[k], tag) == 0)
				match = 1;
		if (!match)
			continue;
		want = !enabled ? AW_RULE_DISABLED : r->partial_reason ?
		    AW_RULE_PARTIAL : AW_RULE_ACTIVE;
		if (want == r->info.state)
			continue;
		r->info.state = want;
		free(r->reason);
		r->reason = !enabled ? strdup("disabled by configuration") :
		    r->partial_reason ? strdup(r->partial_reason) : NULL;
		aw_fill_info(r);
		changed++;
	}
	if (changed && !e->failed)
		aw_build_index(e);
	return changed;
}

size_t
aw_engine_apply_config(struct aw_engine *e, const struct aw_config *cfg)
{
	size_t changed = 0;

	if (cfg == NULL)
		return 0;
	for (size_t i = 0; i < cfg->n; i++) {
		const char *p = cfg->v[i].path, *v = cfg->v[i].value, *q;
		char *end;
		int enable;

		if (strncmp(p, "rules.", 6) != 0)
			continue;
		(void)strtoul(p + 6, &end, 10);
		if (end == p + 6 || *end != '.')
			continue;
		q = end + 1;
		if (strncmp(q, "enable.", 7) == 0) {
			enable = 1;
			q += 7;
		} else if (strncmp(q, "disable.", 8) == 0) {
			enable = 0;
			q += 8;
		} else
			continue;
		if (strcmp(q, "rule") == 0)
			changed += aw_engine_set_enabled(e, v, NULL, enable);
		else if (strcmp(q, "tag") == 0)
			changed += aw_engine_set_enabled(e, NULL, v, enable);
	}
	return changed;
}

/* ------------------------------------------------------------ introspection */

size_t
aw_engine_nrules(const struct aw_engine *e)
{
	return e->nrules;
}

const struct aw_rule_info *
aw_engine_rule(const struct aw_engine *e, size_t i)
{
	return i < e->nrules ? &e->rules[i].info : NULL;
}

const struct aw_rule_info *
aw_engine_rule_by_name(const struct aw_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nrules; i++)
		if (strcmp(e->rules[i].name, name) == 0)
			return &e->rules[i].info;
	return NULL;
}

void
aw_engine_summary(const struct aw_engine *e, struct aw_engine_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->rules = e->nrules;
	for (size_t i = 0; i < e->nrules; i++) {
		switch (e->rules[i].info.state) {
		case AW_RULE_ACTIVE: s->active++; break;
		case AW_RULE_PARTIAL: s->partial++; break;
		case AW_RULE_DISABLED: s->disabled++; break;
		case AW_RULE_SKIPPED: s->skipped++; break;
		}
	}
	s->macros = e->nmacros;
	s->lists = e->nlists;
	s->syscalls = (const char *const *)e->syscalls;
	s->nsyscalls = e->nsyscalls;
	s->all_syscalls = e->all_syscalls;
}

void
aw_engine_print_summary(const struct aw_engine *e, FILE *fp)
{
	struct aw_engine_summary s;

	aw_engine_summary(e, &s);
	fprintf(fp, "rules: %zu loaded (%zu active, %zu partial), %zu "
	    "disabled, %zu skipped; %zu macros, %zu lists\n",
	    s.active + s.partial, s.active, s.partial, s.disabled, s.skipped,
	    s.macros, s.lists);
	fprintf(fp, "syscalls:");
	for (size_t i = 0; i < s.nsyscalls; i++)
		fprintf(fp, " %s", s.syscalls[i]);
	if (s.nsyscalls == 0)
		fprintf(fp, " (none)");
	fprintf(fp, "\n");
	if (s.all_syscalls)
		fprintf(fp, "note: some enabled rules have no evt.type "
		    "restriction and run on every event\n");
}

const struct aw_engine_stats *
aw_engine_stats(const struct aw_engine *e)
{
	((struct aw_engine *)e)->stats.checks_evaluated = e->x.checks_run;
	return &e->stats;
}

/* ------------------------------------------------------------ evaluation */

/* Append column `which` to b as a C string; 0 (nothing added) when the
 * event has no value for it. */
static int
column(struct aw_engine *e, int which, struct sbuf *b)
{
	const struct cfield *f = &e->cols[which];
	struct coperand o;
	const struct fval *v;
	int n;

	if (f->def == NULL)
		return 0;
	/* The usual case, a string field (already extracted for the
	 * output): one value copied as is, without the generic text path. */
	if (f->type == FT_STR || f->type == FT_BYTES) {
		if ((n = xget(&e->x, f, &v)) <= 0)
			return 0;
		if (n == 1) {
			sb_addtext(b, v->s ? v->s : "", v->s ? v->len : 0);
			sb_addn(b, "", 1);
			return 1;
		}
	}
	memset(&o, 0, sizeof(o));
	o.xform = AW_XF_FIELD;
	o.f = *f;
	o.type = o.f.type;
	if (!operand_text(&e->x, &o, b))
		return 0;
	sb_addn(b, "", 1);
	return 1;
}

static uint64_t
event_ns(const struct aw_event *ev)
{
	return ev->sec * 1000000000ULL + (uint64_t)ev->msec * 1000000ULL;
}

/* The rule's tags as the alert's JSON array: sorted once, at its first
 * alert. */
static const char *
rule_tags_json(struct crule *r)
{
	struct aw_buf b;

	if (r->tags_json == NULL) {
		aw_buf_init(&b);
		if (aw_json_write_tags(&b, r->tags, r->ntags) == 0)
			r->tags_json = aw_buf_take(&b);
		else
			aw_buf_free(&b);
	}
	return r->tags_json;
}

/* Copy n bytes of s and a NUL at *p; returns the copy. */
static char *
put_str(char **p, const char *s, size_t n)
{
	char *c = *p;

	memcpy(c, s, n);
	c[n] = '\0';
	*p += n + 1;
	return c;
}

/*
 * One alert for rule r. The output text, output_fields (as JSON text:
 * cfmt_render_fields) and typed columns are rendered into the engine's
 * reusable buffers, then every string of the alert is copied into one
 * block it owns (alert.h: strbuf), so the event and even the engine may
 * go first, and an alert costs one allocation for its strings.
 */
static int
emit(struct aw_engine *e, struct crule *r, const struct aw_event *ev,
    aw_alert_cb cb, void *arg)
{
	struct aw_alert *a = aw_alert_new();
	struct sbuf *text = &e->alert_text, *cols = &e->alert_cols;
	struct aw_buf *fields = &e->alert_fields;
	char **colp[COL__COUNT];
	size_t coff[COL__COUNT], lrule, lsrc, lhost, ltags, total;
	int has[COL__COUNT];
	const char *tags;
	char *p;

	if (a == NULL || (tags = rule_tags_json(r)) == NULL)
		goto oom;
	a->time_ns = event_ns(ev);
	a->priority = r->info.priority;
	a->audit_serial = ev->serial;
	/* a failed alert may have left a buffer with oom set */
	text->len = cols->len = 0;
	text->oom = cols->oom = 0;
	aw_buf_reset(fields);
	fields->oom = 0;
	if (cfmt_render(&e->x, &r->fmt, text) != 0 ||
	    cfmt_render_fields(&e->x, &r->fmt, (int64_t)a->time_ns,
	    fields) != 0)
		goto oom;
	colp[COL_CT_ID] = &a->container_id;
	colp[COL_CT_NAME] = &a->container_name;
	colp[COL_POD] = &a->k8s_pod_name;
	colp[COL_NS] = &a->k8s_ns_name;
	colp[COL_PROC] = &a->proc_name;
	colp[COL_CMDLINE] = &a->proc_cmdline;
	colp[COL_USER] = &a->user_name;
	colp[COL_FD] = &a->fd_name;
	for (int i = 0; i < COL__COUNT; i++) {
		coff[i] = cols->len;
		has[i] = column(e, i, cols);
	}
	if (cols->oom)
		goto oom;

	lrule = strlen(r->name);
	lsrc = strlen(r->source);
	lhost = strlen(e->opts.hostname);
	ltags = strlen(tags);
	total = lrule + lsrc + lhost + ltags + text->len + fields->len + 6 +
	    cols->len;
	if ((p = a->strbuf = malloc(total)) == NULL)
		goto oom;
	a->strbuf_len = total;
	a->rule = put_str(&p, r->name, lrule);
	a->source = put_str(&p, r->source, lsrc);
	a->hostname = put_str(&p, e->opts.hostname, lhost);
	a->tags_json = put_str(&p, tags, ltags);
	a->output = put_str(&p, text->s ? text->s : "", text->len);
	a->fields_json = put_str(&p, fields->p, fields->len);
	a->fields_json_len = fields->len;
	if (cols->len > 0)	/* each column already ends with its NUL */
		memcpy(p, cols->s, cols->len);
	for (int i = 0; i < COL__COUNT; i++)
		*colp[i] = has[i] ? p + coff[i] : NULL;

	r->info.matches++;
	e->stats.alerts++;
	cb(a, arg);
	return 1;
oom:
	aw_alert_free(a);
	e->stats.alloc_failures++;
	return 0;
}

/* Evaluate rule i of b; returns 0 when evaluation should stop. */
static int
try_rule(struct aw_engine *e, const struct bucket *b, int32_t i,
    const struct aw_event *ev, aw_alert_cb cb, void *arg, int *n)
{
	int32_t pc = b->entry[i];

	e->stats.rules_evaluated++;
	if (pc >= 0) {
		/* Most rules of a bucket open with a check an earlier rule
		 * already decided (open_write, spawned_process...): a false
		 * one that rejects the rule is settled here, without the
		 * call. */
		const struct insn *in = &b->code[pc];
		uint32_t m = e->x.memo[in->id];
		if ((m >> 1) == e->x.memo_gen && !(m & 1) &&
		    in->f == PC_REJECT)
			return 1;
	}
	if (!eval_program(&e->x, e->cc.byid, b->code, pc))
		return 1;
	*n += emit(e, b->rules[i], ev, cb, arg);
	return e->opts.matching != AW_MATCH_FIRST;
}

static int
eval_merged(struct aw_engine *e, const struct bucket *b,
    const struct pname_idx *p, const struct aw_event *ev, aw_alert_cb cb,
    void *arg)
{
	size_t g = 0, k = 0, np = p ? p->n : 0;
	int n = 0;

	while (g < b->ngeneric || k < np) {
		int32_t i;
		if (k >= np || (g < b->ngeneric && b->generic[g] < p->pos[k]))
			i = b->generic[g++];
		else
			i = p->pos[k++];
		if (!try_rule(e, b, i, ev, cb, arg, &n))
			break;
	}
	return n;
}

int
aw_engine_eval(struct aw_engine *e, const struct aw_event *ev,
    struct aw_enricher *en, aw_alert_cb cb, void *arg)
{
	struct bucket *b = &e->nosys;
	int n = 0;

	if (!e->compiled || e->failed)
		return 0;
	e->stats.events++;
	if (ev->syscall_name != NULL) {
		size_t k = ((uintptr_t)ev->syscall_name >> 3) %
		    BUCKET_CACHE;
		if (e->bcache[k].name == ev->syscall_name)
			b = e->bcache[k].b;
		else {
			struct bucket *f = NULL;
			if (e->buckets != NULL)
				HASH_FIND_STR(e->buckets, ev->syscall_name, f);
			b = f != NULL ? f : &e->universal;
			e->bcache[k].name = ev->syscall_name;
			e->bcache[k].b = b;
		}
	}
	if (b->n == 0)
		return 0;
	xctx_begin(&e->x, ev, en);
	if (b->byname != NULL) {
		/* Generic rules merged, in rule order, with the rules indexed
		 * under this process name. Without a name every rule runs:
		 * a missing field can make a negated check true. */
		const struct fval *v;
		struct pname_idx *p = NULL;
		if (xget(&e->x, &e->cols[COL_PROC], &v) == 1) {
			HASH_FIND(hh, b->byname, v->s, v->len, p);
			return eval_merged(e, b, p, ev, cb, arg);
		}
	}
	for (size_t i = 0; i < b->n; i++) {
		if (!try_rule(e, b, (int32_t)i, ev, cb, arg, &n))
			break;
	}
	return n;
}
