/*
 * config_keys.c — every configuration key some part of the program reads
 * (see config_keys.h), and the warning for the others.
 *
 * The list is written by hand, in the order of etc/auditwatch.yaml, and
 * kept honest by tests/deploy/config_keys.sh: each key of the shipped
 * file must match an entry, each entry must be a key of the shipped file
 * (or internal: debug.*), and each key the sources read by name must
 * match an entry. Adding a key: read it in the code, add it here, to
 * etc/auditwatch.yaml and to man/auditwatch.yaml.5.
 *
 * Lists are flattened by config.c as repeated entries of one path, so
 * "rules_files" covers every item; a list of mappings gets an index
 * component ("append_output.0.suggested_output"), matched by "#".
 */
#include "autoconf.h"
#include "config_keys.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

/* BEGIN KNOWN KEYS (tests/deploy/config_keys_check.py reads this list) */
const char *const aw_config_known_keys[] = {
	/* rules */
	"rules_files",
	"rules.#.enable.rule",
	"rules.#.enable.tag",
	"rules.#.disable.rule",
	"rules.#.disable.tag",
	"priority",
	"rule_matching",
	/* alert format */
	"hostname",
	"json_output",
	"json_include_output_property",
	"json_include_tags_property",
	"time_format_iso_8601",
	"append_output.#.suggested_output",
	/* outputs */
	"buffered_outputs",
	"stdout_output.enabled",
	"stdout_output.min_priority",
	"stdout_output.format",
	"file_output.enabled",
	"file_output.keep_alive",
	"file_output.filename",
	"file_output.min_priority",
	"file_output.format",
	"syslog_output.enabled",
	"syslog_output.min_priority",
	"syslog_output.facility",
	"syslog_output.format",
	/* kernel audit */
	"audit.mode",
	"audit.backlog_limit",
	"audit.backlog_wait_time",
	"audit.rcvbuf",
	"audit.queue_max_bytes",
	"audit.queue_max_records",
	"audit.lost_poll_interval",
	"audit.rule_key",
	"audit.state_file",
	"audit.pushdown",
	"audit.pushdown_paths",
	"audit.lifecycle",
	/* reassembly */
	"reassembly.max_events",
	"reassembly.max_bytes",
	"reassembly.timeout",
	"reassembly.shape_close",
	/* enrichment */
	"enrich.proc_table_max",
	"enrich.host_proc",
	"enrich.scan_proc",
	"enrich.passwd_file",
	"enrich.group_file",
	"enrich.users_check_interval",
	"enrich.containerd_namespaces",
	"enrich.metadata",
	"enrich.docker_socket",
	"enrich.podman_socket",
	"enrich.kubelet_url",
	"enrich.kubelet_token_file",
	"enrich.kubelet_ca_file",
	"enrich.kubelet_insecure",
	"enrich.kubelet_min_interval",
	"enrich.metadata_wait",
	"enrich.metadata_timeout",
	"enrich.metadata_retry",
	"enrich.metadata_max",
	/* alert history */
	"sqlite.enabled",
	"sqlite.path",
	"sqlite.busy_timeout",
	"sqlite.shutdown_timeout",
	"sqlite.batch.max_rows",
	"sqlite.batch.max_delay",
	"sqlite.queue.max_alerts",
	"sqlite.queue.max_bytes",
	"sqlite.retention.max_age",
	"sqlite.retention.max_rows",
	"sqlite.retention.max_size",
	"sqlite.retention.interval",
	"sqlite.retention.chunk",
	"sqlite.retry.max_backoff",
	"noise_control.enabled",
	"noise_control.window",
	"noise_control.max_fingerprints",
	/* notifiers */
	"webhook.url",
	"webhook.url_file",
	"webhook.min_priority",
	"webhook.noise_control",
	"webhook.timeout",
	"webhook.connect_timeout",
	"webhook.backoff.initial",
	"webhook.backoff.max",
	"webhook.retry_after_max",
	"webhook.min_interval",
	"webhook.digest_max",
	"webhook.user_agent",
	"webhook.headers.*",
	"webhook.tls.insecure",
	"webhook.tls.ca_file",
	"webhook.tls.ca_path",
	"webhook.tls.client_cert",
	"webhook.tls.client_key",
	"slack.webhook_url",
	"slack.webhook_url_file",
	"slack.min_priority",
	"slack.noise_control",
	"slack.timeout",
	"slack.connect_timeout",
	"slack.backoff.initial",
	"slack.backoff.max",
	"slack.retry_after_max",
	"slack.min_interval",
	"slack.digest_max",
	"slack.channel",
	"slack.username",
	"slack.icon_url",
	"slack.user_agent",
	"slack.headers.*",
	"slack.tls.insecure",
	"slack.tls.ca_file",
	"slack.tls.ca_path",
	"slack.tls.client_cert",
	"slack.tls.client_key",
	/* metrics */
	"metrics.listen",
	"metrics.stats_file",
	/* hardening */
	"security.drop_capabilities",
	"security.seccomp",
	"loss_alerts.enabled",
	"loss_alerts.interval",
	"loss_alerts.serial_gap_interval",
	/* internal (tests and benchmarks) */
	"debug.stall_ms_after_first_event",
	NULL,
};
/* END KNOWN KEYS */

#define MAX_HINT_DISTANCE 2

static int
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
pattern_match(const char *pat, const char *path)
{
	while (*pat != '\0') {
		const char *pe = strchr(pat, '.'), *ke = strchr(path, '.');
		size_t pn = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t kn = ke ? (size_t)(ke - path) : strlen(path);

		if (*path == '\0' || kn == 0)
			return 0;
		if (pn == 1 && pat[0] == '*' && pe == NULL)
			return 1;	/* the rest, one component or more */
		if (pn == 1 && pat[0] == '#') {
			if (!all_digits(path, kn))
				return 0;
		} else if (pn != kn || memcmp(pat, path, pn) != 0)
			return 0;
		pat += pn + (pe != NULL);
		path += kn + (ke != NULL);
		if ((pe == NULL) != (ke == NULL))
			return 0;
	}
	return *path == '\0';
}

int
aw_config_key_known(const char *path)
{
	for (size_t i = 0; aw_config_known_keys[i] != NULL; i++)
		if (pattern_match(aw_config_known_keys[i], path))
			return 1;
	return 0;
}

/* Levenshtein distance, capped: anything above cap is cap + 1. */
static size_t
distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), *row, best, d;

	if ((la > lb ? la - lb : lb - la) > cap || lb > 256)
		return cap + 1;
	if ((row = malloc((lb + 1) * sizeof(*row))) == NULL)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			d = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			if (up + 1 < d)
				d = up + 1;
			row[j] = d;
			diag = up;
			if (d < best)
				best = d;
		}
		if (best > cap) {
			free(row);
			return cap + 1;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

/* The known key (pattern with "#" as "0") to suggest, written to hint. */
static void
make_hint(const char *path, char *hint, size_t hintsz)
{
	size_t best = MAX_HINT_DISTANCE + 1, plen = strlen(path);
	const char *best_key = NULL, *first_child = NULL;

	hint[0] = '\0';
	for (size_t i = 0; aw_config_known_keys[i] != NULL; i++) {
		const char *k = aw_config_known_keys[i];
		size_t d;

		if (strncmp(k, path, plen) == 0 && k[plen] == '.' &&
		    first_child == NULL)
			first_child = k;
		if (strpbrk(k, "#*") != NULL)
			continue;
		if ((d = distance(path, k, MAX_HINT_DISTANCE)) < best) {
			best = d;
			best_key = k;
		}
	}
	if (first_child != NULL)
		snprintf(hint, hintsz, "; '%s' is a section: its keys go under "
		    "it, such as %s", path, first_child);
	else if (best_key != NULL)
		snprintf(hint, hintsz, "; did you mean '%s'?", best_key);
}

size_t
aw_config_each_unknown(const struct aw_config *c, aw_config_unknown_fn fn,
    void *arg)
{
	size_t n = 0;
	char hint[256];

	for (size_t i = 0; i < c->n; i++) {
		const char *path = c->v[i].path;
		int dup = 0;

		if (aw_config_key_known(path))
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(c->v[j].path, path) == 0;
		if (dup)
			continue;	/* one warning per key, not per item */
		make_hint(path, hint, sizeof(hint));
		if (fn != NULL)
			fn(&c->v[i], hint, arg);
		n++;
	}
	return n;
}

static void
warn_one(const struct aw_config_entry *e, const char *hint, void *arg)
{
	(void)arg;
	if (e->line > 0)
		aw_warn("%s:%d: unknown configuration key '%s' (ignored)%s",
		    e->file, e->line, e->path, hint);
	else
		aw_warn("%s %s=...: unknown configuration key '%s' "
		    "(ignored)%s", e->file, e->path, e->path, hint);
}

size_t
aw_config_warn_unknown(const struct aw_config *c)
{
	return aw_config_each_unknown(c, warn_one, NULL);
}
