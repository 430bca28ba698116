/*
 * aw_alertgen.c — submit synthetic alerts through the alert stage's public
 * API (alerts.h), for integration tests and benchmarks of the store, the
 * outputs and the notifiers before (and independently of) the rule engine.
 *
 *   aw_alertgen [-c FILE] [-o key=value]... [--count N] [--rate R/s]
 *       [--rules K] [--priority P] [--hostile] [--same] [--seq-start N]
 *       [--flush SEC] [--commit SEC] [--hold SEC] [--stats FILE]
 *       [--progress FILE]
 *
 * Alert n carries "seq=n" in its output and aw.seq in output_fields, so a
 * receiver can check order and completeness. --stats writes the stage's
 * counters as JSON at exit; --progress rewrites them every 100 ms.
 * SIGUSR1 reopens the file output; SIGTERM/SIGINT stop submitting.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "config.h"
#include "log.h"

static volatile sig_atomic_t stop_flag, reopen_flag;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		reopen_flag = 1;
	else
		stop_flag = 1;
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Strings an attacker controls in a real event. */
static const char hostile_cmd[] = "sh -c 'curl <http://evil.example|click "
    "here> <!channel> <!here> @channel & echo \"quoted\" \\ back'\n"
    "Rule: fake second line\r\t\x1b[31mred\x1b[0m \xff\xfe bad utf8 "
    "\xe2\x80\xae reversed \xc3\xa9t\xc3\xa9";
static const char hostile_file[] = "/tmp/<!everyone>&<@U123>\n\xc0\xaf.txt";

static struct aw_alert *
make_alert(uint64_t seq, int nrules, enum aw_priority prio, int hostile,
    int same)
{
	struct aw_alert *a = aw_alert_new();
	char buf[1024];
	int r = nrules > 0 ? (int)(seq % (uint64_t)nrules) : 0;
	json_t *f;
	const char *cmd = hostile ? hostile_cmd : "bash -c id";
	const char *file = hostile ? hostile_file : "/etc/shadow";

	if (a == NULL)
		return NULL;
	a->time_ns = wall_ns();
	snprintf(buf, sizeof(buf), "Synthetic rule %d", r);
	a->rule = strdup(buf);
	a->priority = prio;
	snprintf(buf, sizeof(buf), "Synthetic alert seq=%llu (user=root "
	    "command=%s file=%s container_id=%s)", (unsigned long long)seq,
	    cmd, file, same ? "3f1c2b0a9d8e" : "host");
	a->output = strdup(buf);
	f = json_object();
	json_object_set_new(f, "evt.time", json_integer((json_int_t)a->time_ns));
	json_object_set_new(f, "aw.seq", json_integer((json_int_t)seq));
	json_object_set_new(f, "proc.name", json_string("bash"));
	json_object_set_new(f, "proc.cmdline", json_stringn_nocheck(cmd,
	    strlen(cmd)));
	json_object_set_new(f, "fd.name", json_stringn_nocheck(file,
	    strlen(file)));
	json_object_set_new(f, "user.name", json_string("root"));
	json_object_set_new(f, "user.uid", json_integer(0));
	json_object_set_new(f, "proc.tty", json_null());
	json_object_set_new(f, "container.id", json_string(same ?
	    "3f1c2b0a9d8e" : "host"));
	a->output_fields = f;
	a->tags = calloc(3, sizeof(char *));
	a->tags[0] = strdup("shell");
	a->tags[1] = strdup("T1059");
	a->tags[2] = strdup("container");
	a->ntags = 3;
	/* Unique per alert unless --same: noise control must not fold the
	 * completeness tests. */
	if (same) {
		a->container_id = strdup("3f1c2b0a9d8e");
		a->container_name = strdup("web");
	} else {
		snprintf(buf, sizeof(buf), "c%011llu", (unsigned long long)seq);
		a->container_id = strdup(buf);
	}
	if (hostile) {
		a->container_name = strdup("<!channel>\nweb\xff");
		a->k8s_pod_name = strdup("pod<http://x|y>");
		a->k8s_ns_name = strdup("ns&\"quoted\"");
	}
	a->proc_name = strdup("bash");
	a->proc_cmdline = strdup(cmd);
	a->user_name = strdup(hostile ? "root<!here>" : "root");
	a->fd_name = strdup(file);
	a->audit_serial = (uint32_t)seq;
	return a;
}

static uint64_t t_first, t_done;	/* first submit, all committed/flushed */

static void
write_stats(struct aw_alerts *al, const char *path, uint64_t generated)
{
	struct aw_alerts_stats st;
	char tmp[4096], *j;
	FILE *f;

	if (path == NULL)
		return;
	aw_alerts_stats(al, &st);
	if ((j = aw_alerts_stats_json(&st)) == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) != NULL) {
		/* {"generated":N, ...the stage's own counters} */
		fprintf(f, "{\"generated\":%llu,\"elapsed_ms\":%.3f,%s\n",
		    (unsigned long long)generated, t_done > t_first ?
		    (double)(t_done - t_first) / 1e6 : 0.0, j + 1);
		fclose(f);
		rename(tmp, path);
	}
	free(j);
}

static void
usage(void)
{
	fprintf(stderr, "usage: aw_alertgen [-c FILE] [-o k=v]... [--count N] "
	    "[--rate R] [--rules K] [--priority P] [--hostile] [--same] "
	    "[--seq-start N] [--flush SEC] [--commit SEC] [--hold SEC] "
	    "[--stats FILE] [--progress FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "option", required_argument, NULL, 'o' },
		{ "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'R' },
		{ "rules", required_argument, NULL, 'k' },
		{ "priority", required_argument, NULL, 'p' },
		{ "hostile", no_argument, NULL, 'H' },
		{ "same", no_argument, NULL, 'S' },
		{ "seq-start", required_argument, NULL, 'q' },
		{ "flush", required_argument, NULL, 'F' },
		{ "commit", required_argument, NULL, 'C' },
		{ "hold", required_argument, NULL, 'h' },
		{ "stats", required_argument, NULL, 's' },
		{ "progress", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct aw_config cfg;
	struct aw_alerts *al;
	struct sigaction sa;
	char err[512];
	uint64_t count = 0, seq0 = 1, rate = 0, n, t0, next_progress = 0;
	double flush_s = -1, commit_s = -1, hold_s = 0;
	const char *stats_path = NULL, *progress_path = NULL;
	enum aw_priority prio = AW_PRIO_WARNING;
	int nrules = 1, hostile = 0, same = 0, c, rc = 0;

	aw_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (aw_config_load_file(&cfg, optarg, err,
			    sizeof(err)) != 0)
				goto cfgerr;
			break;
		case 'o':
			if (aw_config_override(&cfg, optarg, err,
			    sizeof(err)) != 0)
				goto cfgerr;
			break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 'R': rate = strtoull(optarg, NULL, 10); break;
		case 'k': nrules = atoi(optarg); break;
		case 'p':
			if (aw_priority_from_name(optarg, &prio) != 0)
				usage();
			break;
		case 'H': hostile = 1; break;
		case 'S': same = 1; break;
		case 'q': seq0 = strtoull(optarg, NULL, 10); break;
		case 'F': flush_s = atof(optarg); break;
		case 'C': commit_s = atof(optarg); break;
		case 'h': hold_s = atof(optarg); break;
		case 's': stats_path = optarg; break;
		case 'P': progress_path = optarg; break;
		default: usage();
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((al = aw_alerts_new(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "aw_alertgen: %s\n", err);
		aw_config_free(&cfg);
		return 1;
	}
	t0 = t_first = mono_ns();
	for (n = 0; n < count && !stop_flag; n++) {
		if (rate > 0) {
			uint64_t due = t0 + n * 1000000000u / rate, now;
			while ((now = mono_ns()) < due && !stop_flag) {
				struct timespec ts = { 0, (long)(due - now) };
				if (due - now > 100000000u)
					ts.tv_nsec = 100000000L;
				nanosleep(&ts, NULL);
			}
		}
		if (reopen_flag) {
			reopen_flag = 0;
			aw_alerts_reopen(al);
		}
		aw_alerts_submit(al, make_alert(seq0 + n, nrules, prio,
		    hostile, same));
		if (progress_path && mono_ns() >= next_progress) {
			write_stats(al, progress_path, n + 1);
			next_progress = mono_ns() + 100000000u;
		}
	}
	if (commit_s >= 0) {
		struct aw_alerts_stats st;
		uint64_t until = mono_ns() + (uint64_t)(commit_s * 1e9);
		/* Committed = stored + lost + rejected covers everything
		 * submitted, without waiting for delivery. */
		do {
			aw_alerts_stats(al, &st);
			if (st.store.stored + st.store.lost + st.store.rejected
			    >= st.store.submitted && st.store.queued == 0)
				break;
			nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
		} while (mono_ns() < until && !stop_flag);
		if (st.store.queued != 0)
			rc = 3;
		t_done = mono_ns();
		write_stats(al, progress_path, n);
	}
	if (flush_s >= 0) {
		if (aw_alerts_flush(al, (int64_t)(flush_s * 1000)) != 0)
			rc = 3;
		t_done = mono_ns();
	}
	write_stats(al, progress_path, n);
	if (hold_s > 0) {
		uint64_t until = mono_ns() + (uint64_t)(hold_s * 1e9);
		while (mono_ns() < until && !stop_flag) {
			if (reopen_flag) {
				reopen_flag = 0;
				aw_alerts_reopen(al);
			}
			write_stats(al, progress_path, n);
			nanosleep(&(struct timespec){ 0, 100000000L }, NULL);
		}
	}
	write_stats(al, stats_path, n);
	aw_alerts_free(al);
	aw_config_free(&cfg);
	return rc;
cfgerr:
	fprintf(stderr, "aw_alertgen: %s\n", err);
	aw_config_free(&cfg);
	return 2;
}
