/*
 * config.h — the daemon's YAML configuration, flattened to key paths.
 *
 * The YAML file (libyaml) is read into a flat table of "a.b.c" → scalar,
 * each remembering file:line for messages. Sequences become repeated
 * entries under the same path, in order. `-o key.path=value` overrides
 * replace every entry of that path. Consumers ask for typed values with a
 * default; nothing else in the program touches YAML for configuration.
 */
#ifndef AW_CONFIG_H
#define AW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct aw_config_entry {
	char *path;		/* "sqlite.retention.max_age" */
	char *value;
	char *file;		/* origin: file name, or "-o" */
	int line;
};

struct aw_config {
	struct aw_config_entry *v;
	size_t n, cap;
	char **rules_override;	/* -r FILE|DIR, in order; NULL-terminated */
	size_t nrules_override;
};

void aw_config_init(struct aw_config *c);
void aw_config_free(struct aw_config *c);
/* Load a YAML file; errors go to err as "file:line:col: message". */
int aw_config_load_file(struct aw_config *c, const char *path, char *err,
    size_t errsz);
int aw_config_load_string(struct aw_config *c, const char *name,
    const char *yaml, size_t len, char *err, size_t errsz);
/* Apply "key.path=value"; a value "[a, b]" sets a list. */
int aw_config_override(struct aw_config *c, const char *kv, char *err,
    size_t errsz);
int aw_config_add_rules_path(struct aw_config *c, const char *path);

const char *aw_config_str(const struct aw_config *c, const char *path,
    const char *dflt);
/* Integers accept k/M/G suffixes (powers of 1024) and ms/s/m/h for times
 * when read with aw_config_ms. Invalid values return -1 with err set. */
int aw_config_int(const struct aw_config *c, const char *path, int64_t dflt,
    int64_t *out, char *err, size_t errsz);
int aw_config_ms(const struct aw_config *c, const char *path, int64_t dflt,
    int64_t *out, char *err, size_t errsz);
int aw_config_bool(const struct aw_config *c, const char *path, int dflt,
    int *out, char *err, size_t errsz);
/* Every value of a list path, in order; returns count (pointers into c). */
size_t aw_config_list(const struct aw_config *c, const char *path,
    const char **out, size_t max);
const struct aw_config_entry *aw_config_find(const struct aw_config *c,
    const char *path);

#endif
