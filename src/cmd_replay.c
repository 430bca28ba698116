/*
 * cmd_replay.c — `auditwatch replay [--events] [--follow] FILE...|-`
 *
 * Feeds audit.log text through the same pipeline as the live daemon. Event
 * time drives the reassembler's timeouts, so a log without EOE records is
 * grouped the same way whenever it is replayed.
 *
 * Without --events the rules are evaluated and alerts printed as Falco
 * JSON lines. Replay is forensic: unless the user says otherwise, it does
 * not write the alert database (--store does), and enrichment does not
 * read this host's /proc (the log may come from another machine; pass
 * -o enrich.host_proc=/proc for a log of this host, or --follow as an
 * audisp plugin, where /proc is live). Alert lines are buffered and
 * written after each block of input read (1 MB), not one write(2) per
 * alert as the live daemon does (buffered_outputs sets it either way;
 * --follow keeps the daemon's default).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "pipeline.h"
#include "source_text.h"
#include "stages.h"

static const char replay_usage[] =
"Usage: auditwatch replay [--events] [--follow] [--store] [--stats] FILE...|-\n"
"Read audit.log text (auditd's log format, or its raw plugin format) from\n"
"the files in order, or from standard input for '-', evaluate the rules\n"
"and print alerts as JSON lines (Falco's format).\n"
"  --events   print each reassembled event as one JSON line instead\n"
"             (no rule evaluation)\n"
"  --follow   at end of input keep reading (for use as an audisp plugin;\n"
"             alerts are then also stored and delivered as configured)\n"
"  --store    store alerts in the SQLite database (sqlite.path)\n"
"  --stats    print record, event and close-reason counts on stderr, and\n"
"             the process table, container and alert store counters\n";

static int
replay_one(struct aw_pipeline *p, const char *path, int follow,
    struct aw_text_stats *st)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		aw_err("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = aw_text_feed_fd(p, fd, follow, st);
	if (rc != 0)
		aw_err("%s: read error: %s", path, strerror(errno));
	if (fd != 0)
		close(fd);
	return rc;
}

static void
print_stats(const struct aw_pipeline *p, const struct aw_text_stats *ts,
    const struct aw_stages *stages)
{
	fprintf(stderr, "lines=%llu ", (unsigned long long)ts->lines);
	aw_pipeline_print_stats(p, stderr);
	aw_stages_print_stats(stages, stderr);
	fprintf(stderr, " long_lines=%llu\n",
	    (unsigned long long)ts->long_lines);
}

/* Defaults for replay that differ from the live daemon's, unless the user
 * set them: see the comment at the top. */
static void
replay_defaults(struct aw_config *cfg, int store, int follow)
{
	char err[128];

	if (!store && !follow && aw_config_find(cfg, "sqlite.enabled") == NULL)
		aw_config_override(cfg, "sqlite.enabled=false", err, sizeof(err));
	if (!follow && aw_config_find(cfg, "enrich.host_proc") == NULL)
		aw_config_override(cfg, "enrich.host_proc=none", err, sizeof(err));
	if (!follow && aw_config_find(cfg, "enrich.metadata") == NULL)
		aw_config_override(cfg, "enrich.metadata=false", err, sizeof(err));
	if (aw_config_find(cfg, "json_output") == NULL)
		aw_config_override(cfg, "json_output=true", err, sizeof(err));
	if (!follow && aw_config_find(cfg, "buffered_outputs") == NULL)
		aw_config_override(cfg, "buffered_outputs=true", err,
		    sizeof(err));
}

int
aw_cmd_replay(struct aw_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", no_argument, NULL, 'e' },
		{ "follow", no_argument, NULL, 'f' },
		{ "stats", no_argument, NULL, 's' },
		{ "store", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct aw_text_stats ts = { 0 };
	struct aw_stages stages;
	struct aw_pipeline *p;
	int events = 0, follow = 0, stats = 0, store = 0, c, rc = 0;

	while ((c = getopt_long(argc, argv, "efsh", opts, NULL)) != -1) {
		switch (c) {
		case 'e': events = 1; break;
		case 'f': follow = 1; break;
		case 's': stats = 1; break;
		case 'S': store = 1; break;
		case 'h': fputs(replay_usage, stdout); return 0;
		default: fputs(replay_usage, stderr); return 2;
		}
	}
	if (optind >= argc) {
		fputs(replay_usage, stderr);
		return 2;
	}
	aw_install_signal_handlers();
	replay_defaults(cfg, store, follow);
	if (aw_stages_open(&stages, cfg, events ? 0 :
	    AW_STAGE_ENRICH | AW_STAGE_RULES | AW_STAGE_ALERTS) != 0)
		return 1;
	if ((p = aw_pipeline_new(cfg, events ? stdout : NULL)) == NULL) {
		aw_stages_close(&stages, 0);
		return 1;
	}
	aw_stages_attach(&stages, p);
	for (int i = optind; i < argc && !aw_stop_requested; i++)
		if (replay_one(p, argv[i], follow, &ts) != 0)
			rc = 1;
	aw_pipeline_flush(p);
	if (stats)
		print_stats(p, &ts, &stages);
	aw_pipeline_free(p);
	aw_stages_close(&stages, 30000);
	return rc;
}
