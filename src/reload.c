/*
 * reload.c — SIGHUP: the configuration file read again, the rule engine
 * built from it (see reload.h).
 *
 * The running stages (outputs, store, notifiers, enricher, netlink
 * source) keep pointers into the configuration they were built with, and
 * most of them cannot be rebuilt without losing queued alerts or events.
 * So a reload does not swap the configuration: it builds a merged one,
 * the new values of the keys that only the rule engine and the kernel
 * rule derivation read, the running values of all the others, and says
 * which of the others changed. The merged configuration outlives the
 * reload (the caller keeps using it to install kernel rules); the one it
 * replaces is freed, the one main() made never is.
 */
#include "autoconf.h"
#include "reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_keys.h"
#include "log.h"
#include "rules/engine.h"
#include "stages.h"

/* Keys a reload applies: exactly those read only by the rule engine
 * (rules/engine.c) and the kernel rule derivation (krules.c). */
static const char *const reloadable[] = {
	"rules_files", "rules.", "priority", "rule_matching",
	"append_output.", "audit.pushdown", "audit.pushdown_paths",
	"audit.lifecycle", NULL,
};

static struct {
	int set;
	char *path;
	int explicit;
	char **overrides;
	int noverrides;
	struct aw_config *merged;	/* the last successful reload's */
	int atexit_done;
} origin;

int
aw_reload_key_applies(const char *path)
{
	for (size_t i = 0; reloadable[i] != NULL; i++) {
		size_t n = strlen(reloadable[i]);
		if (reloadable[i][n - 1] == '.' ?
		    strncmp(path, reloadable[i], n) == 0 :
		    strcmp(path, reloadable[i]) == 0)
			return 1;
	}
	return 0;
}

static void
free_merged(void)
{
	if (origin.merged != NULL) {
		aw_config_free(origin.merged);
		free(origin.merged);
		origin.merged = NULL;
	}
}

static void
free_origin(void)
{
	free_merged();
	for (int i = 0; i < origin.noverrides; i++)
		free(origin.overrides[i]);
	free(origin.overrides);
	free(origin.path);
	memset(&origin, 0, sizeof(origin));
}

void
aw_reload_set_origin(const char *path, int explicit, char *const *overrides,
    int noverrides)
{
	free_origin();
	origin.path = strdup(path);
	origin.explicit = explicit;
	origin.overrides = calloc((size_t)noverrides + 1,
	    sizeof(*origin.overrides));
	if (origin.path == NULL || origin.overrides == NULL) {
		free_origin();
		return;
	}
	for (int i = 0; i < noverrides; i++)
		if ((origin.overrides[origin.noverrides] =
		    strdup(overrides[i])) != NULL)
			origin.noverrides++;
	origin.set = 1;
	if (!origin.atexit_done && atexit(free_origin) == 0)
		origin.atexit_done = 1;
}

/* The configuration as main() would make it now. */
static int
load_fresh(struct aw_config *c, const struct aw_config *old)
{
	char err[512];

	aw_config_init(c);
	if ((origin.explicit || access(origin.path, F_OK) == 0) &&
	    aw_config_load_file(c, origin.path, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		return -1;
	}
	for (int i = 0; i < origin.noverrides; i++)
		if (aw_config_override(c, origin.overrides[i], err,
		    sizeof(err)) != 0) {
			aw_err("-o %s: %s", origin.overrides[i], err);
			return -1;
		}
	for (size_t i = 0; i < old->nrules_override; i++)
		if (aw_config_add_rules_path(c, old->rules_override[i]) != 0)
			return -1;
	return 0;
}

static int
copy_entry(struct aw_config *c, const struct aw_config_entry *e)
{
	struct aw_config_entry *d;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		void *nv = realloc(c->v, ncap * sizeof(*c->v));
		if (nv == NULL)
			return -1;
		c->v = nv;
		c->cap = ncap;
	}
	d = &c->v[c->n];
	d->path = strdup(e->path);
	d->value = strdup(e->value);
	d->file = strdup(e->file);
	d->line = e->line;
	if (d->path == NULL || d->value == NULL || d->file == NULL) {
		free(d->path);
		free(d->value);
		free(d->file);
		return -1;
	}
	c->n++;
	return 0;
}

/* Do two configurations give path the same values, in the same order? */
static int
same_values(const struct aw_config *a, const struct aw_config *b,
    const char *path)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->n && strcmp(a->v[i].path, path) != 0)
			i++;
		while (j < b->n && strcmp(b->v[j].path, path) != 0)
			j++;
		if (i == a->n || j == b->n)
			return i == a->n && j == b->n;
		if (strcmp(a->v[i].value, b->v[j].value) != 0)
			return 0;
		i++;
		j++;
	}
}

static int
seen_earlier(const struct aw_config *c, size_t upto, const char *path)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(c->v[i].path, path) == 0)
			return 1;
	return 0;
}

/* Changes to keys a reload does not apply: said, not applied. */
static void
report_ignored(const struct aw_config *old, const struct aw_config *fresh)
{
	for (size_t i = 0; i < fresh->n; i++) {
		const struct aw_config_entry *e = &fresh->v[i];

		if (aw_reload_key_applies(e->path) ||
		    seen_earlier(fresh, i, e->path) ||
		    !aw_config_key_known(e->path) ||
		    same_values(old, fresh, e->path))
			continue;
		aw_warn("%s:%d: %s changed: it takes effect at the next "
		    "restart (a reload applies the rule settings only)",
		    e->file, e->line, e->path);
	}
	for (size_t i = 0; i < old->n; i++) {
		const struct aw_config_entry *e = &old->v[i];

		if (aw_reload_key_applies(e->path) ||
		    seen_earlier(old, i, e->path) ||
		    aw_config_find(fresh, e->path) != NULL)
			continue;
		aw_warn("%s: removed from the configuration: the running "
		    "value stays until the next restart", e->path);
	}
}

static struct aw_config *
merge(const struct aw_config *old, const struct aw_config *fresh)
{
	struct aw_config *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	aw_config_init(m);
	for (size_t i = 0; i < old->n; i++)
		if (!aw_reload_key_applies(old->v[i].path) &&
		    copy_entry(m, &old->v[i]) != 0)
			goto fail;
	for (size_t i = 0; i < fresh->n; i++)
		if (aw_reload_key_applies(fresh->v[i].path) &&
		    copy_entry(m, &fresh->v[i]) != 0)
			goto fail;
	for (size_t i = 0; i < old->nrules_override; i++)
		if (aw_config_add_rules_path(m, old->rules_override[i]) != 0)
			goto fail;
	return m;
fail:
	aw_config_free(m);
	free(m);
	return NULL;
}

struct aw_engine *
aw_reload_engine(const struct aw_config **cfgp)
{
	struct aw_config fresh, *m;
	struct aw_engine *e;

	if (!origin.set)
		return aw_stages_load_engine(*cfgp);
	if (load_fresh(&fresh, *cfgp) != 0) {
		aw_config_free(&fresh);
		aw_err("the configuration did not load: keeping the running "
		    "configuration and rules");
		return NULL;
	}
	aw_config_warn_unknown(&fresh);
	report_ignored(*cfgp, &fresh);
	m = merge(*cfgp, &fresh);
	aw_config_free(&fresh);
	if (m == NULL) {
		aw_err("reload: out of memory");
		return NULL;
	}
	if ((e = aw_stages_load_engine(m)) == NULL) {
		aw_config_free(m);
		free(m);
		return NULL;
	}
	/* *cfgp may be the previous merged configuration: replaced now. */
	free_merged();
	origin.merged = m;
	*cfgp = m;
	return e;
}
