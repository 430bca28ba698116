/*
 * cmd_run.c — `auditwatch run`: the live monitor.
 *
 *   auditwatch run [--events] [--mode auto|unicast|multicast]
 *
 * Start-up, in this order so that a crash at any point can be undone:
 *   1. AUDIT_GET on the control socket (kaudit.c);
 *   2. lock the state file; if a dead run left state behind, restore it
 *      (kaudit_state.c); delete stale rules carrying our key;
 *   3. record in the state file what we found and what we will change;
 *   4. open the event socket and its drain thread, become the audit
 *      daemon or join the multicast group (source_netlink.c);
 *   5. enable audit, raise backlog_limit, set backlog_wait_time (unless
 *      another live daemon owns those), install our rules;
 * then pop records into the pipeline until SIGINT/SIGTERM, and undo 5-2
 * in reverse: delete our rules, drain what is still queued, flush,
 * release the pid without waiting, restore settings, remove the file.
 *
 * The kernel rules are derived from the enabled rules (krules.c): for
 * each host ABI, the syscalls they and the enricher need, filtered in the
 * kernel where the rules allow, and a never-rule for our own process so
 * our own activity produces no events.
 *
 * Config keys (all optional): audit.mode, audit.backlog_limit,
 * audit.backlog_wait_time (kernel jiffies), audit.rcvbuf,
 * audit.queue_max_bytes, audit.queue_max_records, audit.rule_key,
 * audit.state_file, audit.lost_poll_interval, and for the live benchmark
 * debug.stall_ms_after_first_event (stall the processing thread once).
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libaudit.h>

#include "alerts.h"
#include "cli.h"
#include "config.h"
#include "kaudit.h"
#include "kaudit_state.h"
#include "krules.h"
#include "log.h"
#include "lossalert.h"
#include "metrics.h"
#include "pipeline.h"
#include "reload.h"
#include "privs.h"
#include "sandbox.h"
#include "rules/engine.h"
#include "source_netlink.h"
#include "stages.h"

#define TICK_MS			100
#define PEEK_MS			200
#define NAP_MS			5
#define BATCH			256
#define BUSY_MS			500
#define DRAIN_QUIET_MS		100
#define DRAIN_MAX_MS		2000

struct run_opts {
	int events;
	enum aw_nl_mode mode;
	int64_t backlog_limit;
	int64_t backlog_wait_time;
	int64_t rcvbuf;
	int64_t queue_max_bytes;
	int64_t queue_max_records;
	int64_t lost_poll_ms;
	int64_t stall_ms;
	const char *key;
	const char *state_file;
};

struct run {
	struct run_opts o;
	struct aw_kaudit *k;		/* NULL: no control (multicast only) */
	struct aw_kstate_file *sf;
	struct aw_kstate state;
	struct aw_nlsrc *src;
	struct aw_pipeline *p;
	struct aw_stages stages;	/* enricher, engine, alerts */
	const struct aw_config *cfg;
	int rules_installed;
	struct aw_metrics *metrics;	/* NULL: disabled (metrics.c) */
	struct aw_lossalert *loss;	/* NULL: disabled (lossalert.c) */
};

static const char run_usage[] =
"Usage: auditwatch run [--events] [--mode auto|unicast|multicast]\n"
"\n"
"Run the live monitor: become the kernel audit daemon (or read the\n"
"multicast group beside another one), install auditwatch's kernel rules,\n"
"and process audit events until SIGINT or SIGTERM, then restore the\n"
"kernel audit settings and rules it changed.\n"
"\n"
"  --events         Print one JSON object per audit event on stdout\n"
"                   instead of evaluating rules.\n"
"  --mode MODE      auto (default): unicast, or multicast when a live\n"
"                   audit daemon (auditd) holds the connection;\n"
"                   unicast: fail if one does; multicast: read-only.\n"
"  -h, --help       Show this help.\n";

/* ------------------------------------------------------------- options */

static int
cfg_int(const struct aw_config *cfg, const char *key, int64_t dflt,
    int64_t min, int64_t max, int64_t *out)
{
	char err[256];

	if (aw_config_int(cfg, key, dflt, out, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		return -1;
	}
	if (*out < min || *out > max) {
		aw_err("%s: %" PRId64 " is out of range (%" PRId64 "..%" PRId64
		    ")", key, *out, min, max);
		return -1;
	}
	return 0;
}

static int
read_opts(const struct aw_config *cfg, struct run_opts *o, const char *mode)
{
	char err[256];

	if (mode == NULL)
		mode = aw_config_str(cfg, "audit.mode", "auto");
	if (aw_nl_mode_parse(mode, &o->mode) != 0) {
		aw_err("audit.mode: \"%s\" is not auto, unicast or multicast",
		    mode);
		return -1;
	}
	o->key = aw_config_str(cfg, "audit.rule_key", "auditwatch");
	if (o->key[0] == '\0' || strlen(o->key) > AUDIT_MAX_KEY_LEN ||
	    strchr(o->key, '\001') != NULL) {
		aw_err("audit.rule_key: must be 1 to %d bytes without \\x01",
		    AUDIT_MAX_KEY_LEN);
		return -1;
	}
	o->state_file = aw_config_str(cfg, "audit.state_file",
	    "/run/auditwatch/state");
	if (o->state_file[0] != '/') {
		aw_err("audit.state_file: must be an absolute path");
		return -1;
	}
	if (cfg_int(cfg, "audit.backlog_limit", 8192, 1, UINT32_MAX,
	    &o->backlog_limit) ||
	    cfg_int(cfg, "audit.backlog_wait_time", 0, 0, 600 * 1000,
	    &o->backlog_wait_time) ||
	    cfg_int(cfg, "audit.rcvbuf", 64 << 20, 64 << 10, 1 << 30,
	    &o->rcvbuf) ||
	    cfg_int(cfg, "audit.queue_max_bytes", 64 << 20, 256 << 10,
	    (int64_t)4 << 30, &o->queue_max_bytes) ||
	    cfg_int(cfg, "audit.queue_max_records", 1 << 20, 1, 1 << 30,
	    &o->queue_max_records) ||
	    cfg_int(cfg, "debug.stall_ms_after_first_event", 0, 0, 3600000,
	    &o->stall_ms))
		return -1;
	if (aw_config_ms(cfg, "audit.lost_poll_interval", 5000,
	    &o->lost_poll_ms, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		return -1;
	}
	if (o->lost_poll_ms < 100)
		o->lost_poll_ms = 100;
	return 0;
}

/* --------------------------------------------------------------- start */

/* Steps 1-3: control socket, recovery, stale rules, state recorded. */
static int
start_control(struct run *r, struct aw_kstatus_reply *st)
{
	char err[512];
	struct aw_kstate prev;
	int have_prev, rc;
	size_t ndel = 0;

	if ((r->k = aw_kaudit_open(err, sizeof(err))) == NULL) {
		aw_err("%s", err);
		return -1;
	}
	if ((rc = aw_kaudit_get_status(r->k, st)) != 0) {
		aw_kaudit_close(r->k);
		r->k = NULL;
		if (r->o.mode == AW_NL_UNICAST || rc == -ETIMEDOUT) {
			aw_err("kernel audit control (AUDIT_GET): %s; auditwatch "
			    "needs CAP_AUDIT_CONTROL in the initial user and "
			    "PID namespaces", strerror(-rc));
			return -1;
		}
		aw_warn("kernel audit control (AUDIT_GET): %s: cannot install "
		    "rules or read the lost counter; reading the multicast "
		    "group only", strerror(-rc));
		return 0;
	}
	if ((r->sf = aw_kstate_open(r->o.state_file, &prev, &have_prev, err,
	    sizeof(err))) == NULL) {
		aw_err("%s", err);
		return -1;
	}
	if (have_prev) {
		aw_warn("a previous run (pid %" PRIu32 ") did not exit "
		    "cleanly: restoring the kernel audit state it changed",
		    prev.pid);
		if (aw_kstate_restore(r->k, &prev) != 0)
			aw_warn("could not restore everything the previous "
			    "run changed (see above)");
	}
	/* Locked, the kernel refuses (and audits) each deletion: stale
	 * rules stay until reboot (apply_settings reports the lock). */
	if (st->s.enabled != 2 &&
	    (rc = aw_kaudit_del_keyed(r->k, r->o.key, &ndel)) != 0)
		aw_warn("deleting stale rules with key \"%s\": %s", r->o.key,
		    strerror(-rc));
	else if (ndel)
		aw_info("deleted %zu stale kernel audit rules with key \"%s\"",
		    ndel, r->o.key);
	if ((rc = aw_kaudit_get_status(r->k, st)) != 0) {
		aw_err("kernel audit control (AUDIT_GET): %s", strerror(-rc));
		return -1;
	}
	/* What we found, and that we may register: recorded before any
	 * change, so a crash from here on is undone by the next start. */
	memset(&r->state, 0, sizeof(r->state));
	r->state.pid = (uint32_t)getpid();
	snprintf(r->state.key, sizeof(r->state.key), "%s", r->o.key);
	r->state.registered = r->o.mode != AW_NL_MULTICAST;
	r->state.orig = st->s;
	r->state.set = st->s;
	if ((rc = aw_kstate_write(r->sf, &r->state)) != 0) {
		aw_err("state file %s: %s", r->o.state_file, strerror(-rc));
		return -1;
	}
	return 0;
}

/* Locked (enabled 2): nothing of ours goes in, so say what stays in
 * force (issue 4: report it and carry on with what is there). */
static void
report_locked(struct run *r)
{
	struct aw_krule **v;
	size_t n, ours = 0;

	if (aw_kaudit_list_rules(r->k, &v, &n) != 0) {
		aw_warn("kernel audit is locked (enabled=2, immutable until "
		    "reboot): no settings or rules can be changed");
		return;
	}
	for (size_t i = 0; i < n; i++)
		ours += aw_krule_has_key(v[i], r->o.key) != 0;
	aw_krules_free(v, n);
	aw_warn("kernel audit is locked (enabled=2, immutable until reboot): "
	    "no settings or rules can be changed; running with the %zu kernel "
	    "audit rules installed (%zu with key \"%s\")", n, ours, r->o.key);
}

/* Step 5a: what to change, recorded, then changed. */
static void
apply_settings(struct run *r, const struct aw_kstatus_reply *st)
{
	struct aw_kstate *s = &r->state;
	uint32_t self = (uint32_t)getpid();
	int other_daemon, rc;

	if (st->s.enabled == 2) {
		report_locked(r);
		return;
	}
	if (st->s.enabled == 0) {
		s->changed |= AUDIT_STATUS_ENABLED;
		s->set.enabled = 1;
	}
	other_daemon = aw_nlsrc_mode(r->src) == AW_NL_MULTICAST &&
	    st->s.pid != 0 && st->s.pid != self &&
	    (kill((pid_t)st->s.pid, 0) == 0 || errno == EPERM);
	if (other_daemon) {
		aw_info("leaving backlog_limit and backlog_wait_time to the "
		    "audit daemon (pid %" PRIu32 ")", st->s.pid);
	} else {
		/* Raise only: a larger limit someone configured stays. */
		if (st->s.backlog_limit < (uint64_t)r->o.backlog_limit) {
			s->changed |= AUDIT_STATUS_BACKLOG_LIMIT;
			s->set.backlog_limit = (uint32_t)r->o.backlog_limit;
		}
		/* With the default 60 s, a slow reader stalls every audited
		 * process; 0 drops (and counts) instead. */
		if (aw_kstatus_can_set_wait_time(st)) {
			if (st->s.backlog_wait_time !=
			    (uint64_t)r->o.backlog_wait_time) {
				s->changed |= AUDIT_STATUS_BACKLOG_WAIT_TIME;
				s->set.backlog_wait_time =
				    (uint32_t)r->o.backlog_wait_time;
			}
		} else {
			aw_warn("this kernel cannot set backlog_wait_time: "
			    "when the backlog is full, audited processes "
			    "wait up to 60 s");
		}
	}
	if ((rc = aw_kstate_write(r->sf, s)) != 0) {
		aw_err("state file %s: %s: not changing kernel audit settings",
		    r->o.state_file, strerror(-rc));
		s->changed = 0;
		return;
	}
	if ((s->changed & AUDIT_STATUS_BACKLOG_LIMIT) &&
	    (rc = aw_kaudit_set(r->k, AUDIT_STATUS_BACKLOG_LIMIT,
	    s->set.backlog_limit)) != 0)
		aw_warn("setting backlog_limit %" PRIu32 ": %s",
		    s->set.backlog_limit, strerror(-rc));
	if ((s->changed & AUDIT_STATUS_BACKLOG_WAIT_TIME) &&
	    (rc = aw_kaudit_set(r->k, AUDIT_STATUS_BACKLOG_WAIT_TIME,
	    s->set.backlog_wait_time)) != 0)
		aw_warn("setting backlog_wait_time %" PRIu32 ": %s",
		    s->set.backlog_wait_time, strerror(-rc));
	if ((s->changed & AUDIT_STATUS_ENABLED) &&
	    (rc = aw_kaudit_set(r->k, AUDIT_STATUS_ENABLED, 1)) != 0)
		aw_warn("enabling kernel audit: %s", strerror(-rc));
}

/* Step 5b, and again on SIGHUP: the kernel rules derived from the
 * enabled rules (krules.c; lifecycle only with --events), added before
 * the previous set is deleted. */
static void
install_rules(struct run *r)
{
	(void)aw_krules_install_for(r->cfg, r->stages.engine, r->k,
	    (uint32_t)getpid(), NULL);
	r->rules_installed = 1;	/* delete ours at exit, whatever went in */
}

/* ----------------------------------------------------------------- loop */

static void
stall_once(struct run *r)
{
	struct timespec ts;
	int64_t ms = r->o.stall_ms;

	aw_info("debug: stalling the processing thread for %" PRId64 " ms",
	    ms);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR &&
	    !aw_stop_requested)
		;
	r->o.stall_ms = 0;
}

/* Feed one queued record, if any arrives within timeout_ms. */
static int
process_one(struct run *r, int timeout_ms, uint64_t now)
{
	const char *payload;
	size_t len;
	int type;

	if (!aw_nlsrc_peek(r->src, &type, &payload, &len, timeout_ms))
		return 0;
	if (r->o.stall_ms > 0)
		stall_once(r);
	aw_pipeline_datagram(r->p, type, payload, len, now);
	aw_nlsrc_consume(r->src);
	return 1;
}

/* Under load, an empty queue means "between two records", not idle:
 * nap a few ms without asking to be woken, so records are taken in
 * batches and a busy exec loop does not pay a wake-up per record. */
static void
nap(void)
{
	struct timespec ts = { 0, NAP_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* SIGHUP: load the rules again; a set that fails to load leaves the
 * running one in place. */
static void
reload(struct run *r)
{
	struct aw_engine *e, *old;

	aw_reload_requested = 0;
	if (r->stages.engine == NULL)
		return;		/* --events: no rules to reload */
	aw_info("SIGHUP: reloading the configuration and rules");
	if ((e = aw_reload_engine(&r->cfg)) == NULL) {	/* reload.c */
		aw_err("reload failed: keeping the rules that were running");
		aw_metrics_reload_failed(r->metrics);
		return;
	}
	old = aw_pipeline_set_engine(r->p, e);
	r->stages.engine = e;
	aw_metrics_engine_retired(r->metrics, old);
	aw_engine_free(old);
	if (r->k != NULL && r->rules_installed)
		install_rules(r);
	aw_info("rules reloaded");
}

static void
main_loop(struct run *r)
{
	uint64_t now = aw_now_ms(), last_tick = now, last_loss = now;
	uint64_t last_record = 0;
	int n;

	while (!aw_stop_requested) {
		/* A batch shares one clock reading. */
		for (n = 0; n < BATCH && process_one(r, 0, now); n++)
			;
		if (n > 0) {
			last_record = now;
		} else {
			/* Let the events out before sleeping. */
			fflush(stdout);
			if (now - last_record < BUSY_MS)
				nap();
			else if (process_one(r, PEEK_MS, aw_now_ms()))
				last_record = aw_now_ms();
		}
		now = aw_now_ms();
		if (now - last_tick >= TICK_MS) {
			aw_pipeline_tick(r->p, now);
			aw_metrics_tick(r->metrics, r->src, r->p, &r->stages,
			    r->k, now);
			last_tick = now;
		}
		if (now - last_loss >= (uint64_t)r->o.lost_poll_ms) {
			aw_nlsrc_report_loss(r->src, r->k);
			aw_lossalert_poll(r->loss, now, 0);
			last_loss = now;
		}
		if (aw_reload_requested)
			reload(r);
		if (aw_reopen_requested) {
			aw_reopen_requested = 0;
			if (r->stages.alerts != NULL)
				aw_alerts_reopen(r->stages.alerts);
			aw_info("SIGUSR1: output files reopen at the next "
			    "alert");
		}
	}
}

/* After our rules are gone: what is still queued or in flight. */
static void
drain_rest(struct run *r)
{
	uint64_t start = aw_now_ms();

	while (aw_now_ms() - start < DRAIN_MAX_MS &&
	    process_one(r, DRAIN_QUIET_MS, aw_now_ms()))
		;
}

/* ------------------------------------------------------------- shutdown */

static int
shutdown_run(struct run *r)
{
	const struct aw_pipeline_stats *ps;
	struct aw_nlsrc_stats ns;
	int rc, status = 0;
	size_t ndel;

	aw_metrics_free(r->metrics);	/* /healthz down first */
	r->metrics = NULL;
	if (r->k != NULL && r->rules_installed &&
	    (rc = aw_kaudit_del_keyed(r->k, r->o.key, &ndel)) != 0)
		aw_warn("deleting our kernel audit rules: %s", strerror(-rc));
	if (r->src != NULL && r->p != NULL) {
		drain_rest(r);
		aw_pipeline_flush(r->p);
		fflush(stdout);
	}
	if (r->src != NULL) {
		aw_nlsrc_release_pid(r->src);
		aw_nlsrc_report_loss(r->src, r->k);
		/* What the rate limit still held back, as alerts. */
		aw_lossalert_poll(r->loss, aw_now_ms(), 1);
		aw_lossalert_free(r->loss);
		r->loss = NULL;
		aw_nlsrc_get_stats(r->src, &ns);
		ps = r->p != NULL ? aw_pipeline_stats(r->p) : NULL;
		aw_info("stopped: %" PRIu64 " records received, %" PRIu64
		    " events, %" PRIu64 " dropped (queue full), %" PRIu64
		    " socket overruns, peak queue %zu KiB", ns.datagrams,
		    ps != NULL ? ps->events_out : 0, ns.queue_drops,
		    ns.enobufs, ns.queue_peak_bytes / 1024);
		aw_nlsrc_close(r->src);
		r->src = NULL;
	}
	if (r->sf != NULL) {
		if (aw_kstate_restore(r->k, &r->state) == 0) {
			aw_kstate_remove(r->sf);
		} else {
			aw_warn("kernel audit state not fully restored; %s "
			    "is kept for the next start", r->o.state_file);
			aw_kstate_close(r->sf);
			status = 1;
		}
		r->sf = NULL;
	}
	if (r->p != NULL)
		aw_pipeline_free(r->p);
	/* Alerts are already in the store's queue: give it time to commit
	 * them and the notifiers time to deliver (the rest stays in the
	 * outbox for the next start). */
	aw_stages_close(&r->stages, 5000);
	aw_kaudit_close(r->k);
	return status;
}

int
aw_cmd_run(struct aw_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", no_argument, NULL, 'e' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct aw_nlsrc_opts so;
	struct aw_kstatus_reply st;
	struct run r;
	const char *mode = NULL;
	char err[512];
	struct aw_privs_need need;
	enum aw_seccomp_mode scmode;
	int c, refused, status, bad;

	memset(&r, 0, sizeof(r));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			r.o.events = 1;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'h':
			fputs(run_usage, stdout);
			return 0;
		default:
			fputs(run_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "auditwatch run: unexpected argument '%s'\n",
		    argv[optind]);
		return 2;
	}
	if (read_opts(cfg, &r.o, mode) != 0)
		return 2;
	/* A bad security.seccomp stops us before the kernel is touched. */
	if (aw_seccomp_config_read(cfg, &scmode, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		return 2;
	}
	r.cfg = cfg;
	aw_install_signal_handlers();
	/* Rules and the alert store first: a broken rule file must stop us
	 * before we touch the kernel's audit state. */
	if (!r.o.events && aw_stages_open(&r.stages, cfg, AW_STAGE_ENRICH |
	    AW_STAGE_RULES | AW_STAGE_ALERTS) != 0)
		return 1;
	if (aw_metrics_open(cfg, &r.metrics, err, sizeof(err)) != 0) {
		aw_err("%s", err);
		shutdown_run(&r);
		return 1;
	}

	if (start_control(&r, &st) != 0) {
		shutdown_run(&r);
		return 1;
	}
	so.mode = r.o.mode;
	so.rcvbuf = (size_t)r.o.rcvbuf;
	so.queue_max_bytes = (size_t)r.o.queue_max_bytes;
	so.queue_max_records = (size_t)r.o.queue_max_records;
	if ((r.src = aw_nlsrc_open(&so, r.k != NULL ? &st : NULL, err,
	    sizeof(err), &refused)) == NULL) {
		aw_err("%s", err);
		shutdown_run(&r);
		return 1;	/* refused or not: the message says which */
	}
	if ((r.p = aw_pipeline_new(cfg, r.o.events ? stdout : NULL)) == NULL) {
		aw_err("cannot create the processing pipeline");
		shutdown_run(&r);
		return 1;
	}
	aw_stages_attach(&r.stages, r.p);
	r.loss = aw_lossalert_start(cfg, r.src, r.k, r.p, r.stages.alerts,
	    &bad);
	if (bad) {
		shutdown_run(&r);
		return 1;
	}
	if (r.k != NULL) {
		apply_settings(&r, &st);
		if (st.s.enabled != 2)
			install_rules(&r);
	}
	/* Everything is open: keep only the capabilities the rest of the
	 * run needs, in every thread (privs.c). */
	need.audit_control = r.k != NULL;
	need.multicast = aw_nlsrc_mode(r.src) == AW_NL_MULTICAST;
	need.enricher = r.stages.enricher != NULL;
	if (aw_privs_apply(cfg, &need) != 0) {
		shutdown_run(&r);
		return 1;
	}
	/* Then the system call allow-list, in every thread (sandbox.c). */
	if (aw_seccomp_apply(cfg) != 0) {
		shutdown_run(&r);
		return 1;
	}
	main_loop(&r);
	status = shutdown_run(&r);
	return status;
}
