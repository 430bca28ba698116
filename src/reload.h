/*
 * reload.h — SIGHUP: read the configuration file again and build the
 * rule engine from it.
 *
 * main() records how the configuration was made (file, -o, -r); on
 * SIGHUP, aw_reload_engine() makes it again the same way. The keys the
 * rules and the kernel rules depend on take their new values:
 * rules_files, rules, priority, rule_matching, append_output,
 * audit.pushdown, audit.pushdown_paths, audit.lifecycle. Every other key
 * keeps the value the running stages were built with (they hold it), and
 * a change to one is reported as taking effect at the next restart.
 * Unknown keys of the new file are warned about as at start.
 *
 * A file that fails to load (YAML error) or rules that fail to compile
 * leave everything as it was: NULL is returned and *cfgp is unchanged.
 */
#ifndef AW_RELOAD_H
#define AW_RELOAD_H

struct aw_config;
struct aw_engine;

/* From main(): the configuration file (explicit: given with -c, so it
 * must exist) and the -o overrides, in order (copied). */
void aw_reload_set_origin(const char *path, int explicit,
    char *const *overrides, int noverrides);

/* Build a new engine from the configuration as it is now on disk. On
 * success *cfgp points to the merged configuration (owned here, valid
 * until the next successful reload or exit). Without a recorded origin,
 * the rules are reloaded with *cfgp as it is. */
struct aw_engine *aw_reload_engine(const struct aw_config **cfgp);

/* Is this key one a reload applies? (exposed for tests) */
int aw_reload_key_applies(const char *path);

#endif
