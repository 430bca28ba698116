/*
 * kaudit_state.h — crash safety for what `run` changes in kernel audit.
 *
 * Before changing anything, `run` writes what it found and what it is
 * about to set (enabled, backlog_limit, backlog_wait_time, its pid as the
 * audit daemon, its rule key) to a small state file, and holds an
 * exclusive flock on it while it runs. On a clean exit it restores and
 * removes the file. If it dies instead, the next start gets the lock (the
 * kernel dropped it with the dead process), finds the file, and restores
 * from it before doing anything else. A lock it cannot get means another
 * live instance uses this state file: that is an error, since both would
 * install and delete the same keyed rules.
 *
 * Restoring is careful about other actors: a setting goes back to its
 * original value only if it still has the value we set (someone else may
 * have changed it since), and the daemon pid is released only if it is
 * still the pid we registered.
 */
#ifndef AW_KAUDIT_STATE_H
#define AW_KAUDIT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "kaudit.h"

struct aw_kstate {
	uint32_t pid;			/* the run that wrote the state */
	char key[257];			/* its rule key */
	uint32_t changed;		/* AUDIT_STATUS_* bits it set */
	int registered;			/* it registered pid as the daemon */
	struct aw_kstatus orig;		/* values found before */
	struct aw_kstatus set;		/* values it set */
};

struct aw_kstate_file;

/* Create (with its directory) and lock path. If a previous run left state
 * behind, *have_prev = 1 and *prev holds it. NULL with err on failure,
 * including "another instance holds the lock". */
struct aw_kstate_file *aw_kstate_open(const char *path,
    struct aw_kstate *prev, int *have_prev, char *err, size_t errsz);
/* Record st (fsync'd) before making the changes it describes. 0/-errno. */
int aw_kstate_write(struct aw_kstate_file *f, const struct aw_kstate *st);
/* Clean exit: delete the file, then release the lock. */
void aw_kstate_remove(struct aw_kstate_file *f);
/* Release the lock, leave the file (it will be recovered from). */
void aw_kstate_close(struct aw_kstate_file *f);

/* Text form, and its parser (0 or -1 if not a complete state). */
int aw_kstate_format(const struct aw_kstate *st, char *buf, size_t bufsz);
int aw_kstate_parse(const char *text, size_t len, struct aw_kstate *st);

/* Undo what st describes: delete rules with st->key, release the daemon
 * pid if the kernel still has st->pid, put back each changed setting that
 * still has the value st set. Logs what it did. Returns 0 if everything
 * was restored, else the first -errno. With audit locked (enabled 2) the
 * rules stay (the kernel refuses any change until reboot): not an error. */
int aw_kstate_restore(struct aw_kaudit *k, const struct aw_kstate *st);

#endif
