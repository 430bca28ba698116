/*
 * cmd_status.c — `auditwatch status`: the kernel audit status, its
 * feature bits by name, and the kernel rules carrying our key.
 *
 * Reads only (AUDIT_GET, AUDIT_LIST_RULES); changes nothing. Needs
 * CAP_AUDIT_CONTROL in the initial PID namespace, like auditctl -s.
 */
#include "autoconf.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "kaudit.h"
#include "metrics.h"

static const char status_usage[] =
"Usage: auditwatch status [--reset-lost]\n"
"\n"
"Show the kernel audit status (enabled, failure, daemon pid, rate and\n"
"backlog limits, lost counter, backlog, backlog wait time), the kernel's\n"
"audit feature bits by name, and the kernel audit rules installed by\n"
"auditwatch (those carrying audit.rule_key); then the counters of the\n"
"running daemon (records, events, losses, rules matched, alerts stored,\n"
"deliveries...), as its metrics.stats_file last recorded them (every\n"
"second; the same values as the metrics endpoint).\n"
"\n"
"  --reset-lost     Then reset the kernel's lost counter to 0 and print\n"
"                   the value it had (kernels with feature lost_reset).\n";

static const char *
enabled_name(uint32_t e)
{
	switch (e) {
	case 0: return "disabled";
	case 1: return "enabled";
	case 2: return "locked";
	default: return "?";
	}
}

static const char *
failure_name(uint32_t f)
{
	switch (f) {
	case 0: return "silent";
	case 1: return "printk";
	case 2: return "panic";
	default: return "?";
	}
}

static void
daemon_comm(uint32_t pid, char *buf, size_t bufsz)
{
	char path[64];
	FILE *f;

	buf[0] = '\0';
	if (pid == 0)
		return;
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/comm", pid);
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(buf, bufsz, " (not running)");
		return;
	}
	buf[0] = ' ';
	buf[1] = '(';
	if (fgets(buf + 2, (int)bufsz - 3, f) == NULL)
		buf[2] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	strncat(buf, ")", bufsz - strlen(buf) - 1);
	fclose(f);
}

static void
print_status(const struct aw_kstatus_reply *r)
{
	const struct aw_kstatus *s = &r->s;
	char feat[256], comm[80];

	daemon_comm(s->pid, comm, sizeof(comm));
	printf("enabled                  %" PRIu32 " (%s)\n", s->enabled,
	    enabled_name(s->enabled));
	printf("failure                  %" PRIu32 " (%s)\n", s->failure,
	    failure_name(s->failure));
	printf("pid                      %" PRIu32 "%s\n", s->pid, comm);
	printf("rate_limit               %" PRIu32 "\n", s->rate_limit);
	printf("backlog_limit            %" PRIu32 "\n", s->backlog_limit);
	printf("lost                     %" PRIu32 "\n", s->lost);
	printf("backlog                  %" PRIu32 "\n", s->backlog);
	if (r->size >= 40) {
		printf("backlog_wait_time        %" PRIu32 "\n",
		    s->backlog_wait_time);
	} else {
		printf("backlog_wait_time        (not reported by this "
		    "kernel)\n");
	}
	if (r->size >= 44)
		printf("backlog_wait_time_actual %" PRIu32 "\n",
		    s->backlog_wait_time_actual);
	printf("features                 0x%" PRIx32 " %s\n",
	    s->feature_bitmap, aw_kfeatures_format(s->feature_bitmap, feat,
	    sizeof(feat)));
	printf("status_size              %zu\n", r->size);
}

static int
print_rules(struct aw_kaudit *k, const char *key)
{
	struct aw_krule **v;
	size_t n, ours = 0;
	char text[1024];
	int rc;

	if ((rc = aw_kaudit_list_rules(k, &v, &n)) != 0) {
		fprintf(stderr, "auditwatch: listing kernel audit rules: %s\n",
		    strerror(-rc));
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		ours += aw_krule_has_key(v[i], key);
	printf("rules                    %zu with key \"%s\", %zu in all\n",
	    ours, key, n);
	for (size_t i = 0; i < n; i++)
		if (aw_krule_has_key(v[i], key))
			printf("  %s\n", aw_krule_format(v[i], text,
			    sizeof(text)));
	aw_krules_free(v, n);
	return 0;
}

static int
reset_lost_counter(struct aw_kaudit *k, const struct aw_kstatus_reply *st)
{
	uint32_t old;
	int rc;

	if (!(st->s.feature_bitmap & AW_KFEAT_LOST_RESET)) {
		fprintf(stderr, "auditwatch: this kernel cannot reset the lost "
		    "counter (no lost_reset feature)\n");
		return -1;
	}
	if ((rc = aw_kaudit_reset_lost(k, &old)) != 0) {
		fprintf(stderr, "auditwatch: resetting the lost counter: %s\n",
		    strerror(-rc));
		return -1;
	}
	printf("lost counter reset (was %" PRIu32 ")\n", old);
	return 0;
}

int
aw_cmd_status(struct aw_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "reset-lost", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct aw_kstatus_reply st;
	struct aw_kaudit *k;
	char err[512];
	int c, rc, reset_lost = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(status_usage, stdout);
			return 0;
		}
		if (c == 'L') {
			reset_lost = 1;
			continue;
		}
		fputs(status_usage, stderr);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "auditwatch status: unexpected argument "
		    "'%s'\n", argv[optind]);
		return 2;
	}
	if ((k = aw_kaudit_open(err, sizeof(err))) == NULL) {
		fprintf(stderr, "auditwatch: %s\n", err);
		return 1;
	}
	if ((rc = aw_kaudit_get_status(k, &st)) != 0) {
		fprintf(stderr, "auditwatch: kernel audit status (AUDIT_GET): "
		    "%s; this needs CAP_AUDIT_CONTROL in the initial user and "
		    "PID namespaces\n", strerror(-rc));
		aw_kaudit_close(k);
		return 1;
	}
	print_status(&st);
	rc = print_rules(k, aw_config_str(cfg, "audit.rule_key",
	    "auditwatch"));
	if (reset_lost && reset_lost_counter(k, &st) != 0)
		rc = -1;
	(void)aw_metrics_print_status(cfg, stdout);	/* none: not an error */
	aw_kaudit_close(k);
	return rc == 0 ? 0 : 1;
}
