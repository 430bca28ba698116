/*
 * config.c — YAML configuration flattened to key paths (see config.h).
 *
 * libyaml's event parser is walked with a stack of mapping keys; each
 * scalar becomes one entry "outer.inner.key" = value with its line. A
 * sequence of scalars yields one entry per item under the same path; a
 * sequence of mappings (rare in our config) yields "path.N.key" entries.
 */
#include "autoconf.h"
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define MAX_DEPTH 32

void
aw_config_init(struct aw_config *c)
{
	memset(c, 0, sizeof(*c));
}

void
aw_config_free(struct aw_config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].path);
		free(c->v[i].value);
		free(c->v[i].file);
	}
	free(c->v);
	for (size_t i = 0; i < c->nrules_override; i++)
		free(c->rules_override[i]);
	free(c->rules_override);
	memset(c, 0, sizeof(*c));
}

static int
add_entry(struct aw_config *c, const char *path, const char *value,
    const char *file, int line)
{
	struct aw_config_entry *e;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		void *nv = realloc(c->v, ncap * sizeof(*c->v));
		if (nv == NULL)
			return -1;
		c->v = nv;
		c->cap = ncap;
	}
	e = &c->v[c->n];
	e->path = strdup(path);
	e->value = strdup(value);
	e->file = strdup(file);
	e->line = line;
	if (!e->path || !e->value || !e->file) {
		free(e->path);
		free(e->value);
		free(e->file);
		return -1;
	}
	c->n++;
	return 0;
}

/* Remove every entry of path (a later definition replaces a list whole). */
static void
remove_path(struct aw_config *c, const char *path)
{
	size_t j = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].path, path) == 0) {
			free(c->v[i].path);
			free(c->v[i].value);
			free(c->v[i].file);
			continue;
		}
		c->v[j++] = c->v[i];
	}
	c->n = j;
}

struct frame {
	int is_map;		/* mapping (1) or sequence (0) */
	int expect_key;		/* mapping: next scalar is a key */
	int index;		/* sequence: next item index */
	char key[128];		/* mapping: current key */
	size_t pathlen;		/* length of the path before this frame */
};

struct walker {
	struct aw_config *c;
	const char *file;
	char path[1024];
	struct frame st[MAX_DEPTH];
	int depth;
	/* paths already (re)defined by this document, to replace not merge */
	char **seen;
	size_t nseen, capseen;
};

static void
walker_path_for_value(struct walker *w, char *out, size_t outsz)
{
	struct frame *f = &w->st[w->depth - 1];

	if (f->is_map)
		snprintf(out, outsz, "%s%s%s", w->path, w->path[0] ? "." : "",
		    f->key);
	else
		snprintf(out, outsz, "%s", w->path);
}

static int
seen_before(struct walker *w, const char *path)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i], path) == 0)
			return 1;
	if (w->nseen == w->capseen) {
		size_t ncap = w->capseen ? w->capseen * 2 : 16;
		char **ns = realloc(w->seen, ncap * sizeof(*ns));
		if (ns == NULL)
			return 1;
		w->seen = ns;
		w->capseen = ncap;
	}
	w->seen[w->nseen++] = strdup(path);
	return 0;
}

static int
walker_scalar(struct walker *w, const char *val, int line)
{
	struct frame *f;
	char path[1200];

	if (w->depth == 0)
		return 0;	/* a bare scalar document: nothing to keep */
	f = &w->st[w->depth - 1];
	if (f->is_map && f->expect_key) {
		snprintf(f->key, sizeof(f->key), "%s", val);
		f->expect_key = 0;
		return 0;
	}
	walker_path_for_value(w, path, sizeof(path));
	if (!seen_before(w, path))
		remove_path(w->c, path);
	if (f->is_map)
		f->expect_key = 1;
	else
		f->index++;
	return add_entry(w->c, path, val, w->file, line);
}

static int
walker_push(struct walker *w, int is_map)
{
	struct frame *f;
	size_t len = strlen(w->path);

	if (w->depth == MAX_DEPTH)
		return -1;
	if (w->depth > 0) {
		f = &w->st[w->depth - 1];
		if (f->is_map) {
			snprintf(w->path + len, sizeof(w->path) - len, "%s%s",
			    len ? "." : "", f->key);
			f->expect_key = 1;
		} else {
			snprintf(w->path + len, sizeof(w->path) - len, "%s%d",
			    len ? "." : "", f->index++);
		}
	}
	f = &w->st[w->depth++];
	memset(f, 0, sizeof(*f));
	f->is_map = is_map;
	f->expect_key = 1;
	f->pathlen = len;
	return 0;
}

static void
walker_pop(struct walker *w)
{
	if (w->depth == 0)
		return;
	w->depth--;
	w->path[w->st[w->depth].pathlen] = '\0';
}

static int
load_parser(struct aw_config *c, const char *name, yaml_parser_t *p,
    char *err, size_t errsz)
{
	struct walker w;
	yaml_event_t ev;
	int rc = 0, done = 0;

	memset(&w, 0, sizeof(w));
	w.c = c;
	w.file = name;
	while (!done) {
		if (!yaml_parser_parse(p, &ev)) {
			snprintf(err, errsz, "%s:%zu:%zu: %s%s%s", name,
			    p->problem_mark.line + 1,
			    p->problem_mark.column + 1,
			    p->problem ? p->problem : "YAML error",
			    p->context ? " " : "",
			    p->context ? p->context : "");
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (walker_push(&w, ev.type ==
			    YAML_MAPPING_START_EVENT) != 0) {
				snprintf(err, errsz, "%s:%zu:%zu: nested too "
				    "deeply", name, ev.start_mark.line + 1,
				    ev.start_mark.column + 1);
				rc = -1;
				done = 1;
			}
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			walker_pop(&w);
			break;
		case YAML_SCALAR_EVENT:
			if (walker_scalar(&w, (const char *)ev.data.scalar.value,
			    (int)ev.start_mark.line + 1) != 0) {
				snprintf(err, errsz, "out of memory");
				rc = -1;
				done = 1;
			}
			break;
		case YAML_ALIAS_EVENT:
			snprintf(err, errsz, "%s:%zu:%zu: YAML aliases are not "
			    "supported in the configuration", name,
			    ev.start_mark.line + 1, ev.start_mark.column + 1);
			rc = -1;
			done = 1;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	for (size_t i = 0; i < w.nseen; i++)
		free(w.seen[i]);
	free(w.seen);
	return rc;
}

int
aw_config_load_file(struct aw_config *c, const char *path, char *err,
    size_t errsz)
{
	yaml_parser_t p;
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	rc = load_parser(c, path, &p, err, errsz);
	yaml_parser_delete(&p);
	fclose(f);
	return rc;
}

int
aw_config_load_string(struct aw_config *c, const char *name, const char *yaml,
    size_t len, char *err, size_t errsz)
{
	yaml_parser_t p;
	int rc;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
	rc = load_parser(c, name, &p, err, errsz);
	yaml_parser_delete(&p);
	return rc;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
aw_config_override(struct aw_config *c, const char *kv, char *err,
    size_t errsz)
{
	char *copy, *eq, *key, *val;
	int rc = 0;

	if ((copy = strdup(kv)) == NULL)
		return -1;
	if ((eq = strchr(copy, '=')) == NULL || eq == copy) {
		snprintf(err, errsz, "expected key.path=value");
		free(copy);
		return -1;
	}
	*eq = '\0';
	key = trim(copy);
	val = trim(eq + 1);
	remove_path(c, key);
	if (val[0] == '[' && val[strlen(val) - 1] == ']') {
		char *save = NULL, *item;
		val[strlen(val) - 1] = '\0';
		for (item = strtok_r(val + 1, ",", &save); item != NULL;
		    item = strtok_r(NULL, ",", &save))
			if (*trim(item) && add_entry(c, key, trim(item), "-o",
			    0) != 0)
				rc = -1;
	} else if (add_entry(c, key, val, "-o", 0) != 0)
		rc = -1;
	if (rc != 0)
		snprintf(err, errsz, "out of memory");
	free(copy);
	return rc;
}

int
aw_config_add_rules_path(struct aw_config *c, const char *path)
{
	char **nv = realloc(c->rules_override,
	    (c->nrules_override + 2) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	c->rules_override = nv;
	if ((nv[c->nrules_override] = strdup(path)) == NULL)
		return -1;
	nv[++c->nrules_override] = NULL;
	return 0;
}

const struct aw_config_entry *
aw_config_find(const struct aw_config *c, const char *path)
{
	/* Last definition wins. */
	for (size_t i = c->n; i > 0; i--)
		if (strcmp(c->v[i - 1].path, path) == 0)
			return &c->v[i - 1];
	return NULL;
}

const char *
aw_config_str(const struct aw_config *c, const char *path, const char *dflt)
{
	const struct aw_config_entry *e = aw_config_find(c, path);

	return e ? e->value : dflt;
}

static int
bad_value(const struct aw_config_entry *e, const char *what, char *err,
    size_t errsz)
{
	snprintf(err, errsz, "%s:%d: %s: invalid value '%s' (expected %s)",
	    e->file, e->line, e->path, e->value, what);
	return -1;
}

/* Parse a number with an optional unit suffix from units[]. */
static int
parse_scaled(const char *s, const char *const *units, const int64_t *mult,
    int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	while (*end == ' ')
		end++;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	for (int i = 0; units[i] != NULL; i++) {
		if (strcasecmp(end, units[i]) == 0) {
			/* mult[i] > 0; checked on both sides, no -v that
			 * could overflow for INT64_MIN */
			if (v > INT64_MAX / mult[i] || v < INT64_MIN / mult[i])
				return -1;
			*out = v * mult[i];
			return 0;
		}
	}
	return -1;
}

int
aw_config_int(const struct aw_config *c, const char *path, int64_t dflt,
    int64_t *out, char *err, size_t errsz)
{
	static const char *const units[] = { "k", "K", "KiB", "M", "MiB", "G",
	    "GiB", NULL };
	static const int64_t mult[] = { 1024, 1024, 1024, 1 << 20, 1 << 20,
	    1 << 30, 1 << 30 };
	const struct aw_config_entry *e = aw_config_find(c, path);

	if (e == NULL) {
		*out = dflt;
		return 0;
	}
	if (parse_scaled(e->value, units, mult, out) != 0)
		return bad_value(e, "an integer, optionally with k/M/G", err,
		    errsz);
	return 0;
}

int
aw_config_ms(const struct aw_config *c, const char *path, int64_t dflt,
    int64_t *out, char *err, size_t errsz)
{
	static const char *const units[] = { "ms", "s", "m", "h", "d", NULL };
	static const int64_t mult[] = { 1, 1000, 60000, 3600000, 86400000 };
	const struct aw_config_entry *e = aw_config_find(c, path);

	if (e == NULL) {
		*out = dflt;
		return 0;
	}
	if (parse_scaled(e->value, units, mult, out) != 0 || *out < 0)
		return bad_value(e, "a duration such as 500ms, 2s, 5m, 1h",
		    err, errsz);
	return 0;
}

int
aw_config_bool(const struct aw_config *c, const char *path, int dflt,
    int *out, char *err, size_t errsz)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	const struct aw_config_entry *e = aw_config_find(c, path);

	if (e == NULL) {
		*out = dflt;
		return 0;
	}
	for (int i = 0; yes[i]; i++)
		if (strcasecmp(e->value, yes[i]) == 0)
			return *out = 1, 0;
	for (int i = 0; no[i]; i++)
		if (strcasecmp(e->value, no[i]) == 0)
			return *out = 0, 0;
	return bad_value(e, "true or false", err, errsz);
}

size_t
aw_config_list(const struct aw_config *c, const char *path, const char **out,
    size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n && n < max; i++)
		if (strcmp(c->v[i].path, path) == 0)
			out[n++] = c->v[i].value;
	return n;
}
