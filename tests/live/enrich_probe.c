/*
 * enrich_probe.c — drives the enricher against the real machine for the
 * live tests and the benchmark (tests/live/enrich_*.live).
 *
 *   enrich_probe [-o key=value]... pid [--wait] PID...
 *       A fresh enricher (its /proc scan included) describes each live
 *       PID as the rule engine would see it: one JSON object per line.
 *       --wait waits for container metadata (enrich.metadata_wait at
 *       most) and reports how long that took.
 *
 *   enrich_probe [-o key=value]... live [--defer] KEY CMD [ARG]...
 *       Registers as the audit daemon (unicast), installs audit rules with
 *       key KEY for the syscalls the process table follows, runs CMD and
 *       reads the kernel's records through the real record parser,
 *       reassembler and event decoder into the enricher. Prints one JSON
 *       line per successful execve of CMD or a descendant. With --defer
 *       the records are held until CMD and all it started have exited,
 *       and only then given to an enricher created at that moment, so no
 *       process of the chain is left in /proc: everything must come from
 *       the records. Rules, enabled flag and daemon pid are put back on
 *       exit (and lib.sh's trap does it again if we die).
 */
#include "autoconf.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <linux/audit.h>

#include "config.h"
#include "enrich.h"
#include "event.h"
#include "kaudit.h"
#include "reasm.h"
#include "record.h"
#include "source_netlink.h"

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v ? json_string(v) : json_null());
}

static void
set_int(json_t *o, const char *k, int64_t v)
{
	json_object_set_new(o, k, v == AW_NONE ? json_null() : json_integer(v));
}

static char *
cmdline(const struct aw_proc *p)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < p->argc; i++)
		len += strlen(p->argv[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < p->argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, p->argv[i]);
	}
	return s;
}

/* The fields the rule engine would take from the enricher. */
static void
describe(struct aw_enricher *en, const struct aw_proc *p, int wait)
{
	json_t *o = json_object();
	const struct aw_proc *pp = aw_enricher_parent(en, p);
	const struct aw_container_meta *m;
	char *cl = cmdline(p), *pcl = pp ? cmdline(pp) : NULL, key[32];
	uint64_t t0;

	set_int(o, "proc.pid", p->pid);
	set_int(o, "proc.ppid", p->ppid);
	set_str(o, "proc.name", p->comm);
	set_str(o, "proc.exepath", p->exe);
	set_str(o, "proc.cmdline", cl);
	set_str(o, "proc.cwd", p->cwd);
	set_str(o, "proc.tty", p->tty);
	set_str(o, "proc.pname", pp ? pp->comm : NULL);
	set_str(o, "proc.pexepath", pp ? pp->exe : NULL);
	set_str(o, "proc.pcmdline", pcl);
	for (int n = 2; n <= 4; n++) {
		const struct aw_proc *a = aw_enricher_ancestor(en, p, n);

		snprintf(key, sizeof(key), "proc.aname[%d]", n);
		set_str(o, key, a ? a->comm : NULL);
		snprintf(key, sizeof(key), "proc.apid[%d]", n);
		set_int(o, key, a ? a->pid : AW_NONE);
	}
	json_object_set_new(o, "proc.exited", json_boolean(p->exited));
	set_str(o, "user.name", aw_enricher_user_name(en, p->euid, p));
	set_str(o, "user.loginname", aw_enricher_user_name(en, p->auid, NULL));
	set_str(o, "group.name", aw_enricher_group_name(en, p->egid, p));
	set_str(o, "container.id", p->container_id);
	set_str(o, "container.full_id", p->container_full_id);
	set_str(o, "container.type", p->container_type);
	set_str(o, "container.engine", p->container_engine);
	set_str(o, "k8s.pod.uid", p->pod_uid);
	t0 = mono_ms();
	m = wait ? aw_enricher_container_wait(en, p->container_id) :
	    aw_enricher_container(en, p->container_id);
	json_object_set_new(o, "meta_wait_ms", json_integer((json_int_t)(mono_ms() - t0)));
	set_str(o, "container.name", m ? m->name : NULL);
	set_str(o, "container.image", m ? m->image : NULL);
	set_str(o, "container.image.repository", m ? m->image_repository : NULL);
	set_str(o, "container.image.tag", m ? m->image_tag : NULL);
	json_object_set_new(o, "container.privileged",
	    m && m->privileged >= 0 ? json_boolean(m->privileged) : json_null());
	set_str(o, "container.labels", m ? m->labels : NULL);
	set_str(o, "k8s.pod.name", m ? m->pod_name : NULL);
	set_str(o, "k8s.ns.name", m ? m->pod_namespace : NULL);
	set_str(o, "k8s.pod.labels", m ? m->pod_labels : NULL);
	set_str(o, "meta.type", m ? m->type : NULL);
	json_dumpf(o, stdout, JSON_COMPACT | JSON_SORT_KEYS);
	putchar('\n');
	fflush(stdout);
	json_decref(o);
	free(cl);
	free(pcl);
}

static int
cmd_pid(const struct aw_config *cfg, int argc, char **argv)
{
	struct aw_enricher *en = aw_enricher_new(cfg);
	int wait = 0, rc = 0;

	if (en == NULL)
		return 1;
	for (int i = 0; i < argc; i++) {
		const struct aw_proc *p;

		if (strcmp(argv[i], "--wait") == 0) {
			wait = 1;
			continue;
		}
		if ((p = aw_enricher_proc(en, atoll(argv[i]))) == NULL) {
			fprintf(stderr, "enrich_probe: no process %s\n", argv[i]);
			rc = 1;
			continue;
		}
		describe(en, p, wait);
	}
	aw_enricher_free(en);
	return rc;
}

/* ------------------------------------------------------------ live */

struct live {
	struct aw_enricher *en;
	struct aw_event ev;
	pid_t root;		/* CMD */
};

static int
descends_from(struct aw_enricher *en, const struct aw_proc *p, pid_t root)
{
	for (int i = 0; p && i < 64; i++, p = aw_enricher_parent(en, p))
		if (p->pid == root)
			return 1;
	return 0;
}

static void
on_event(const struct aw_rawevent *raw, void *arg)
{
	struct live *l = arg;
	const struct aw_proc *p;

	if (aw_event_build(&l->ev, raw) != 0)
		return;
	aw_enricher_observe(l->en, &l->ev);
	if (!l->ev.has_syscall || l->ev.success != 1 ||
	    l->ev.syscall_name == NULL ||
	    strncmp(l->ev.syscall_name, "execve", 6) != 0)
		return;
	if ((p = aw_enricher_proc(l->en, l->ev.pid)) != NULL &&
	    descends_from(l->en, p, l->root))
		describe(l->en, p, 0);
}

struct held {
	int type;
	char *payload;
	size_t len;
};

static int
add_rules(struct aw_kaudit *k, const char *key)
{
	static const char *const calls[] = { "execve", "execveat", "clone",
	    "clone3", "fork", "vfork", "exit_group" };
	uint32_t arches[2];
	size_t narch = aw_krule_host_arches(arches);
	struct aw_krule *r;
	int rc = 0;

	/* never audit ourselves */
	r = aw_krule_new(AUDIT_FILTER_EXIT | AUDIT_FILTER_PREPEND, AUDIT_NEVER);
	if (r == NULL || aw_krule_add_syscall(r, -1) ||
	    aw_krule_add_field(r, AUDIT_PID, AUDIT_EQUAL, (uint32_t)getpid()) ||
	    aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL, key) ||
	    (rc = aw_kaudit_add_rule(k, r)) != 0) {
		aw_krule_free(r);
		return rc ? rc : -1;
	}
	aw_krule_free(r);
	for (size_t a = 0; a < narch; a++) {
		if ((r = aw_krule_new(AUDIT_FILTER_EXIT, AUDIT_ALWAYS)) == NULL)
			return -1;
		rc = aw_krule_add_field(r, AUDIT_ARCH, AUDIT_EQUAL, arches[a]);
		for (size_t c = 0; rc == 0 && c < sizeof(calls) / sizeof(*calls);
		    c++) {
			int nr = aw_krule_syscall_nr(arches[a], calls[c]);

			if (nr >= 0)
				rc = aw_krule_add_syscall(r, nr);
		}
		if (rc == 0)
			rc = aw_krule_add_string(r, AUDIT_FILTERKEY, AUDIT_EQUAL,
			    key);
		if (rc == 0)
			rc = aw_kaudit_add_rule(k, r);
		aw_krule_free(r);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
cmd_live(const struct aw_config *cfg, int argc, char **argv)
{
	struct aw_nlsrc_opts no = { AW_NL_UNICAST, 16u << 20, 64u << 20,
	    1000000 };
	struct aw_reasm_config rc;
	struct aw_kstatus_reply st;
	struct aw_kaudit *k;
	struct aw_nlsrc *src;
	struct aw_reasm *ra;
	struct live l;
	struct held *held = NULL;
	size_t nheld = 0, capheld = 0;
	int defer = 0, refused = 0, status = 0, ret = 0, child_done = 0;
	uint64_t quiet_until = 0;
	const char *key;
	char err[256];
	pid_t child;

	if (argc > 0 && strcmp(argv[0], "--defer") == 0) {
		defer = 1;
		argc--;
		argv++;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: enrich_probe live [--defer] KEY CMD...\n");
		return 2;
	}
	key = argv[0];
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if ((k = aw_kaudit_open(err, sizeof(err))) == NULL ||
	    aw_kaudit_get_status(k, &st) != 0) {
		fprintf(stderr, "enrich_probe: no audit control: %s\n", err);
		return 1;
	}
	if ((src = aw_nlsrc_open(&no, &st, err, sizeof(err), &refused)) == NULL) {
		fprintf(stderr, "enrich_probe: %s\n", err);
		aw_kaudit_close(k);
		return refused ? 3 : 1;
	}
	if (st.s.enabled == 0)
		aw_kaudit_set(k, AUDIT_STATUS_ENABLED, 1);
	if (add_rules(k, key) != 0) {
		fprintf(stderr, "enrich_probe: cannot install audit rules\n");
		ret = 1;
		goto out;
	}
	memset(&l, 0, sizeof(l));
	aw_event_init(&l.ev);
	l.en = defer ? NULL : aw_enricher_new(cfg);
	aw_reasm_config_default(&rc);
	ra = aw_reasm_new(&rc, on_event, &l);
	if ((child = fork()) == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	l.root = child;
	while (!stop) {
		int type;
		const char *payload;
		size_t len;
		struct aw_record r;
		const char *perr;

		if (!child_done && waitpid(child, &status, WNOHANG) == child) {
			child_done = 1;
			/* records of the last exits are still on their way */
			quiet_until = mono_ms() + 500;
		}
		if (child_done && mono_ms() >= quiet_until)
			break;
		if (aw_nlsrc_peek(src, &type, &payload, &len, 50) != 1)
			continue;
		if (defer) {
			if (nheld == capheld) {
				capheld = capheld ? capheld * 2 : 1024;
				held = realloc(held, capheld * sizeof(*held));
			}
			held[nheld].type = type;
			held[nheld].payload = malloc(len);
			memcpy(held[nheld].payload, payload, len);
			held[nheld].len = len;
			nheld++;
		} else if (aw_record_parse_wire(type, payload, len, &r,
		    &perr) == 0) {
			aw_reasm_add(ra, &r, mono_ms());
		}
		aw_nlsrc_consume(src);
	}
	if (defer) {
		/* everything CMD started is gone now: process what we held */
		l.en = aw_enricher_new(cfg);
		for (size_t i = 0; i < nheld; i++) {
			struct aw_record r;
			const char *perr;

			if (aw_record_parse_wire(held[i].type, held[i].payload,
			    held[i].len, &r, &perr) == 0)
				aw_reasm_add(ra, &r, 0);
			free(held[i].payload);
		}
		free(held);
	}
	aw_reasm_flush(ra);
	aw_reasm_free(ra);
	aw_event_free(&l.ev);
	aw_enricher_free(l.en);
	if (!child_done || !WIFEXITED(status))
		ret = 1;
out:
	aw_kaudit_del_keyed(k, key, NULL);
	aw_kaudit_set(k, AUDIT_STATUS_ENABLED, st.s.enabled);
	aw_nlsrc_release_pid(src);
	aw_nlsrc_close(src);
	aw_kaudit_close(k);
	return ret;
}

int
main(int argc, char **argv)
{
	struct aw_config cfg;
	char err[256];
	int i = 1, rc;

	aw_config_init(&cfg);
	while (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
		if (aw_config_override(&cfg, argv[i + 1], err, sizeof(err)) != 0) {
			fprintf(stderr, "enrich_probe: -o %s: %s\n", argv[i + 1],
			    err);
			return 2;
		}
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "pid") == 0)
		rc = cmd_pid(&cfg, argc - i - 1, argv + i + 1);
	else if (i < argc && strcmp(argv[i], "live") == 0)
		rc = cmd_live(&cfg, argc - i - 1, argv + i + 1);
	else {
		fprintf(stderr, "usage: enrich_probe [-o k=v]... pid|live ...\n");
		rc = 2;
	}
	aw_config_free(&cfg);
	return rc;
}
