/*
 * config_keys.h — the one list of configuration keys the program reads,
 * and the warning for every other key of a loaded configuration.
 *
 * A key a user misspells ("audit.backlog_limt") would otherwise be
 * ignored in silence and its default used. Every key of the loaded
 * configuration that matches no entry of the list gets one warning naming
 * its file and line (or the -o option), with a suggestion when a known
 * key is close. tests/deploy/config_keys.sh checks the list against
 * etc/auditwatch.yaml and against the keys the sources read.
 */
#ifndef AW_CONFIG_KEYS_H
#define AW_CONFIG_KEYS_H

#include <stddef.h>

struct aw_config;
struct aw_config_entry;

/* Patterns: dotted key paths where a component "#" matches a list index
 * and a last component "*" matches one or more components of any name.
 * NULL-terminated. */
extern const char *const aw_config_known_keys[];

/* Does the key path match a known key? */
int aw_config_key_known(const char *path);

/* Calls fn once per unknown key path (its first entry), with a hint
 * ("did you mean 'audit.mode'?", "'audit' is a section: ...") or "".
 * Returns the number of unknown key paths. */
typedef void (*aw_config_unknown_fn)(const struct aw_config_entry *e,
    const char *hint, void *arg);
size_t aw_config_each_unknown(const struct aw_config *c,
    aw_config_unknown_fn fn, void *arg);

/* Log a warning for each: "FILE:LINE: unknown configuration key 'k'
 * (ignored); did you mean ...". Returns the count. */
size_t aw_config_warn_unknown(const struct aw_config *c);

#endif
