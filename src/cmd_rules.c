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
 *   auditwatch rules kernel [-r FILE|DIR]... [--diff] [--no-pushdown]
 *
 * kernel loads the rules as the daemon would and prints the kernel audit
 * rules `run` would install for them (krules.c), in auditctl syntax, then
 * notes on what could not be filtered in the kernel and why. --diff
 * compares with the rules the kernel has now: "+" would be added, "-"
 * (ours, stale) would be deleted; rules without our key are not shown.
 * Exit status: 0 (no difference), 1 (differences, or rule errors), 2 on
 * bad usage or when the kernel cannot be asked.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/audit.h>

#include "cli.h"
#include "config.h"
#include "kaudit.h"
#include "krules.h"
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

static const char kernel_usage[] =
"Usage: auditwatch rules kernel [-r FILE|DIR]... [--diff] [--no-pushdown]\n"
"Print the kernel audit rules `auditwatch run` would install for the\n"
"rules, in auditctl syntax, and notes on what is not filtered in the\n"
"kernel and why.\n"
"  -r, --rules PATH   rule file or directory (repeatable; default: the\n"
"                     configured rules)\n"
"  -d, --diff         compare with the rules installed now (needs\n"
"                     CAP_AUDIT_CONTROL): '+' would be added, '-' would\n"
"                     be deleted; exit status 1 when they differ\n"
"  -n, --no-pushdown  unfiltered syscall rules only (audit.pushdown=false)\n"
"  -q, --quiet        rules only, no notes\n";

/* The never-rule a running daemon adds for its own pid (the kernel does
 * not list the prepend flag, so: never, every syscall, a pid). */
static int
is_self_rule(const struct aw_krule *r)
{
	const struct audit_rule_data *d = (const void *)r->data;

	if (d->action != AUDIT_NEVER || d->mask[0] != ~0U)
		return 0;
	for (uint32_t i = 0; i < d->field_count; i++)
		if (d->fields[i] == AUDIT_PID)
			return 1;
	return 0;
}

static const char *
paths_name(enum aw_kpaths p)
{
	return p == AW_KPATHS_OFF ? "off" : p == AW_KPATHS_ALL ? "all" :
	    "host";
}

static const char *
life_name(enum aw_klife l)
{
	return l == AW_KLIFE_EXEC ? "exec" : l == AW_KLIFE_ALL ? "all" :
	    "fork";
}

static int
kernel_diff(struct aw_kaudit *k, const struct aw_krset *s, const char *key,
    int quiet)
{
	struct aw_krule **v;
	size_t n, add = 0, del = 0, same = 0, others = 0, self = 0;
	char *a, *b;
	int rc, *used;

	if ((rc = aw_kaudit_list_rules(k, &v, &n)) != 0) {
		fprintf(stderr, "auditwatch: listing kernel audit rules: %s\n",
		    strerror(-rc));
		return 2;
	}
	a = malloc(16384);
	b = malloc(16384);
	used = calloc(n + 1, sizeof(*used));
	if (a == NULL || b == NULL || used == NULL) {
		free(a);
		free(b);
		free(used);
		aw_krules_free(v, n);
		return 2;
	}
	for (size_t i = 0; i < s->n; i++) {
		int found = 0;

		aw_krules_format(s->v[i], a, 16384);
		for (size_t j = 0; j < n && !found; j++) {
			if (used[j] || !aw_krule_has_key(v[j], key))
				continue;
			aw_krules_format(v[j], b, 16384);
			if (strcmp(a, b) == 0)
				found = used[j] = 1;
		}
		printf("%s %s\n", found ? " " : "+", a);
		if (found)
			same++;
		else
			add++;
	}
	for (size_t j = 0; j < n; j++) {
		if (!aw_krule_has_key(v[j], key)) {
			others++;
			continue;
		}
		if (used[j])
			continue;
		aw_krules_format(v[j], b, 16384);
		if (is_self_rule(v[j])) {
			/* The running daemon's own exclusion: expected. */
			printf("  %s\n", b);
			self++;
			continue;
		}
		printf("- %s\n", b);
		del++;
	}
	if (!quiet)
		printf("# %zu to add, %zu to delete, %zu unchanged, %zu "
		    "daemon self-exclusion; %zu rules without key \"%s\" "
		    "left alone\n", add, del, same, self, others, key);
	free(a);
	free(b);
	free(used);
	aw_krules_free(v, n);
	return add || del ? 1 : 0;
}

static int
cmd_kernel(struct aw_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "diff", no_argument, NULL, 'd' },
		{ "no-pushdown", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct aw_krules_opts o;
	struct aw_kstatus_reply st;
	struct aw_kaudit *k;
	struct aw_engine *e;
	struct aw_krset *s;
	char err[512], text[16384], feat[256];
	int c, diff = 0, nopush = 0, quiet = 0, rc, status;

	optind = 0;
	while ((c = getopt_long(argc, argv, "r:dnqh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			aw_config_add_rules_path(cfg, optarg);
			break;
		case 'd':
			diff = 1;
			break;
		case 'n':
			nopush = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(kernel_usage, stdout);
			return 0;
		default:
			fputs(kernel_usage, stderr);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		aw_config_add_rules_path(cfg, argv[i]);
	if (aw_krules_opts_from_config(&o, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "auditwatch: %s\n", err);
		return 2;
	}
	if (nopush)
		o.pushdown = 0;
	if ((e = aw_stages_load_engine(cfg)) == NULL)
		return 1;
	/* The kernel's features decide exe=; without access, assume a
	 * current kernel and say so. */
	o.features = AW_KFEAT_EXECUTABLE_PATH | AW_KFEAT_SESSIONID_FILTER |
	    AW_KFEAT_FILTER_FS;
	k = aw_kaudit_open(err, sizeof(err));
	if (k != NULL && aw_kaudit_get_status(k, &st) == 0) {
		o.features = st.s.feature_bitmap;
	} else {
		if (diff) {
			fprintf(stderr, "auditwatch: --diff needs kernel audit "
			    "control (CAP_AUDIT_CONTROL)%s%s\n", k ? "" : ": ",
			    k ? "" : err);
			aw_kaudit_close(k);
			aw_engine_free(e);
			return 2;
		}
		aw_kaudit_close(k);
		k = NULL;
	}
	if ((rc = aw_krules_derive(e, &o, &s)) != 0) {
		fprintf(stderr, "auditwatch: deriving kernel rules: %s\n",
		    strerror(-rc));
		aw_kaudit_close(k);
		aw_engine_free(e);
		return 2;
	}
	if (!quiet) {
		printf("# kernel audit rules for %zu enabled rules: key \"%s\", "
		    "pushdown %s, pushdown_paths %s, lifecycle %s\n",
		    s->nrules, o.key, o.pushdown ? "on" : "off",
		    paths_name(o.paths), life_name(o.lifecycle));
		printf("# %zu syscalls filtered in the kernel, %zu unfiltered; "
		    "kernel features: %s%s\n", s->npushed, s->nplain,
		    aw_kfeatures_format(o.features, feat, sizeof(feat)),
		    k ? "" : " (assumed: kernel audit not reachable)");
		printf("# added at start, first: -a never,exit -S all -F "
		    "pid=<daemon pid>%s -F key=%s\n",
		    (o.features & AW_KFEAT_EXECUTABLE_PATH) ?
		    " -F exe=<daemon executable>" : "", o.key);
	}
	if (diff) {
		status = kernel_diff(k, s, o.key, quiet);
		if (!quiet && status == 1 && st.s.enabled == 2)
			printf("# kernel audit is locked (enabled=2): rules "
			    "cannot change until reboot; `run` keeps the "
			    "rules installed\n");
	} else {
		for (size_t i = 0; i < s->n; i++)
			printf("%s\n", aw_krules_format(s->v[i], text,
			    sizeof(text)));
		status = 0;
	}
	for (size_t i = 0; !quiet && i < s->nnotes; i++)
		printf("# note: %s\n", s->notes[i]);
	aw_krset_free(s);
	aw_kaudit_close(k);
	aw_engine_free(e);
	return status;
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
