/*
 * cli.h — the subcommands of the auditwatch binary.
 *
 * main.c parses the global options (-c, -o, -r, -v, --help, --version),
 * loads the configuration, and hands the rest of argv to one command.
 * Each command parses its own options with getopt_long (argv[0] is the
 * command name) and returns the process exit status.
 */
#ifndef AW_CLI_H
#define AW_CLI_H

#include <signal.h>

struct aw_config;

#define AW_DEFAULT_CONFIG AW_SYSCONFDIR "/auditwatch/auditwatch.yaml"

int aw_cmd_run(struct aw_config *cfg, int argc, char **argv);	/* cmd_run.c */
int aw_cmd_replay(struct aw_config *cfg, int argc, char **argv);	/* cmd_replay.c */
int aw_cmd_rules(struct aw_config *cfg, int argc, char **argv);	/* cmd_rules.c: check|kernel */
int aw_cmd_alerts(struct aw_config *cfg, int argc, char **argv);	/* cmd_alerts.c */
int aw_cmd_status(struct aw_config *cfg, int argc, char **argv);	/* cmd_status.c */

/* Set by the SIGINT/SIGTERM, SIGHUP and SIGUSR1 handlers; polled by the
 * loops (stop; reload config and rules; reopen output files). */
extern volatile sig_atomic_t aw_stop_requested;
extern volatile sig_atomic_t aw_reload_requested;
extern volatile sig_atomic_t aw_reopen_requested;
void aw_install_signal_handlers(void);

#endif
