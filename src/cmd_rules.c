/*
 * cmd_rules.c — `auditwatch rules check|kernel`.
 *
 *   auditwatch rules check [-r FILE|DIR]... [--list] [FILE|DIR...]
 *
 * check loads the rule files (given with -r or as arguments; otherwise the
 * configured ones) exactly as the daemon would, prints every error and
 * warning as file:line:column, then a summary: rules loaded (active /
 * partial), disabled, skipped, and the syscalls they need. --list adds
 * one line per rule with its state and, for partial, disabled or skipped
 * rules, the reason. Exit status: 0 without errors, 1 with errors, 2 on
 * bad usage.
 *
 *   auditwatch rules kernel   (not implemented yet)
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "rules/engine.h"
#include "stages.h"

static const char check_usage[] =
"Usage: auditwatch rules check [-r FILE|DIR]... [--list] [FILE|DIR...]\n"
"Validate rule files: print errors and warnings with file:line:column,\n"
"then a summary (rules loaded, partial, disabled, skipped; syscalls).\n"
"  -r, --rules PATH  rule file or directory (repeatable)\n"
"  -l, --list        one line per rule: state, name, reason\n"
"  -q, --quiet       errors only (no warnings)\n";

static const char *
state_name(enum aw_rule_state s)
{
	switch (s) {
	case AW_RULE_ACTIVE: return "active";
	case AW_RULE_PARTIAL: return "partial";
	case AW_RULE_DISABLED: return "disabled";
	case AW_RULE_SKIPPED: return "skipped";
	}
	return "?";
}

static void
list_rules(const struct aw_engine *e, FILE *fp)
{
	for (size_t i = 0; i < aw_engine_nrules(e); i++) {
		const struct aw_rule_info *r = aw_engine_rule(e, i);
		fprintf(fp, "%-8s %-13s %s", state_name(r->state),
		    aw_priority_name(r->priority), r->name);
		if (r->reason)
			fprintf(fp, " -- %s", r->reason);
		fprintf(fp, "\n");
	}
}

static int
cmd_check(struct aw_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "list", no_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char **paths;
	size_t npaths = 0;
	int c, list = 0, quiet = 0, explicit = 1, rc;
	struct aw_engine *e;
	struct aw_diags d;

	if ((paths = calloc((size_t)argc + 64, sizeof(*paths))) == NULL)
		return 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "r:lqh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			paths[npaths++] = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(check_usage, stdout);
			free(paths);
			return 0;
		default:
			fputs(check_usage, stderr);
			free(paths);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		paths[npaths++] = argv[i];
	if (npaths == 0)
		npaths = aw_engine_rules_paths(cfg, paths, 64, &explicit);
	if ((e = aw_engine_new(cfg)) == NULL) {
		free(paths);
		return 2;
	}
	aw_diags_init(&d);
	rc = aw_engine_load(e, paths, npaths, !explicit, &d);
	for (size_t i = 0; i < d.n; i++) {
		char buf[2048];
		if (quiet && d.v[i].level != AW_DIAG_ERROR)
			continue;
		aw_diag_format(&d.v[i], buf, sizeof(buf));
		printf("%s\n", buf);
	}
	if (list)
		list_rules(e, stdout);
	aw_engine_print_summary(e, stdout);
	printf("%zu error(s), %zu warning(s)\n", d.nerrors, d.nwarnings);
	aw_diags_free(&d);
	aw_engine_free(e);
	free(paths);
	return rc == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ kernel */

static int
cmd_kernel(struct aw_config *cfg, int argc, char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	fprintf(stderr, "auditwatch: 'rules kernel' is not implemented yet\n");
	return 2;
}

int
aw_cmd_rules(struct aw_config *cfg, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "Usage: auditwatch rules check|kernel ...\n");
		return 2;
	}
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(cfg, argc - 1, argv + 1);
	if (strcmp(argv[1], "kernel") == 0)
		return cmd_kernel(cfg, argc - 1, argv + 1);
	fprintf(stderr, "auditwatch: unknown 'rules' command '%s' (check, "
	    "kernel)\n", argv[1]);
	return 2;
}
