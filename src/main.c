/*
 * main.c — entry point: global options, configuration, command dispatch.
 *
 *   auditwatch [global options] [command [command options] [args]]
 *
 * With no command, `run` (the live daemon) is assumed, as for Falco.
 */
#include "autoconf.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "config_keys.h"
#include "log.h"
#include "reload.h"

volatile sig_atomic_t aw_stop_requested;
volatile sig_atomic_t aw_reload_requested;
volatile sig_atomic_t aw_reopen_requested;

static const char usage_text[] =
"Usage: auditwatch [OPTIONS] [COMMAND [ARGS...]]\n"
"\n"
"Runtime threat detection over the Linux kernel audit subsystem, with\n"
"Falco's rule language.\n"
"\n"
"Commands:\n"
"  run [--events] [--mode auto|unicast|multicast]\n"
"                      Run the live monitor (the default): install kernel\n"
"                      audit rules, read events over netlink, print alerts\n"
"                      on stdout, log on stderr.\n"
"  replay [--events] [--follow] FILE...|-\n"
"                      Read audit.log text (or stdin) and process it as if\n"
"                      live. --follow keeps reading (audisp plugin use).\n"
"  rules check         Validate rule files; print errors, warnings, summary.\n"
"  rules kernel        Print the kernel audit rules that would be installed.\n"
"  alerts              Query the alert history in the SQLite store.\n"
"  status              Show the kernel audit status and feature bits.\n"
"\n"
"Global options:\n"
"  -c, --config FILE   Configuration file (default " AW_DEFAULT_CONFIG ").\n"
"  -o, --option K=V    Override one configuration key, e.g.\n"
"                      -o reassembly.timeout=5s. Repeatable.\n"
"  -r, --rules PATH    Load this rule file or directory instead of the\n"
"                      configured rules_files. Repeatable.\n"
"  -v, --verbose       Log debug messages on stderr.\n"
"  -h, --help          Show this help and exit.\n"
"  -V, --version       Show the version and exit.\n"
"\n"
"--events prints one JSON object per reassembled audit event on stdout:\n"
"serial, time, records, types, syscall, success, exit, pid, ppid, uid,\n"
"euid, auid, comm, exe, argv, cwd, paths, sockaddr, key.\n"
"\n"
"See auditwatch(8), auditwatch.yaml(5) and auditwatch-rules(5).\n";

static void
on_stop(int sig)
{
	(void)sig;
	aw_stop_requested = 1;
}

static void
on_hup(int sig)
{
	(void)sig;
	aw_reload_requested = 1;
}

static void
on_usr1(int sig)
{
	(void)sig;
	aw_reopen_requested = 1;
}

void
aw_install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Load the configuration file: an explicit -c must exist; the default
 * path is optional (built-in defaults apply without it). */
static int
load_config(struct aw_config *cfg, const char *path, int explicit)
{
	char err[512];

	if (!explicit && access(path, F_OK) != 0)
		return 0;
	if (aw_config_load_file(cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "auditwatch: %s\n", err);
		return -1;
	}
	return 0;
}

static int
dispatch(struct aw_config *cfg, int argc, char **argv)
{
	static char *default_argv[] = { "run", NULL };
	const char *cmd;

	if (argc == 0) {
		argc = 1;
		argv = default_argv;
	}
	cmd = argv[0];
	if (strcmp(cmd, "run") == 0)
		return aw_cmd_run(cfg, argc, argv);
	if (strcmp(cmd, "replay") == 0)
		return aw_cmd_replay(cfg, argc, argv);
	if (strcmp(cmd, "rules") == 0)
		return aw_cmd_rules(cfg, argc, argv);
	if (strcmp(cmd, "alerts") == 0)
		return aw_cmd_alerts(cfg, argc, argv);
	if (strcmp(cmd, "status") == 0)
		return aw_cmd_status(cfg, argc, argv);
	fprintf(stderr, "auditwatch: unknown command '%s' (try --help)\n", cmd);
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "option", required_argument, NULL, 'o' },
		{ "rules", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct aw_config cfg;
	const char *config_path = AW_DEFAULT_CONFIG;
	char **overrides;
	int noverrides = 0, explicit_config = 0, c, rc, first;
	char err[512];

	aw_config_init(&cfg);
	if ((overrides = calloc((size_t)argc + 1, sizeof(*overrides))) == NULL)
		return 1;
	/* '+': stop at the first non-option, which is the command. */
	while ((c = getopt_long(argc, argv, "+c:o:r:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			explicit_config = 1;
			break;
		case 'o':
			overrides[noverrides++] = optarg;
			break;
		case 'r':
			aw_config_add_rules_path(&cfg, optarg);
			break;
		case 'v':
			aw_log_set_level(AW_LOG_DEBUG);
			break;
		case 'h':
			fputs(usage_text, stdout);
			free(overrides);
			aw_config_free(&cfg);
			return 0;
		case 'V':
			printf("auditwatch %s\n", PACKAGE_VERSION);
			free(overrides);
			aw_config_free(&cfg);
			return 0;
		default:
			fputs("Try 'auditwatch --help'.\n", stderr);
			free(overrides);
			aw_config_free(&cfg);
			return 2;
		}
	}
	if (load_config(&cfg, config_path, explicit_config) != 0) {
		free(overrides);
		aw_config_free(&cfg);
		return 2;
	}
	for (int i = 0; i < noverrides; i++) {
		if (aw_config_override(&cfg, overrides[i], err, sizeof(err))) {
			fprintf(stderr, "auditwatch: -o %s: %s\n", overrides[i],
			    err);
			free(overrides);
			aw_config_free(&cfg);
			return 2;
		}
	}
	aw_reload_set_origin(config_path, explicit_config, overrides,
	    noverrides);	/* for SIGHUP (reload.c) */
	free(overrides);
	aw_config_warn_unknown(&cfg);	/* file:line of each (config_keys.c) */
	first = optind;
	optind = 0;	/* glibc: re-initialise getopt for the command */
	rc = dispatch(&cfg, argc - first, argv + first);
	aw_config_free(&cfg);
	return rc;
}
