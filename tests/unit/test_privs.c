/*
 * test_privs.c — least privilege: which capabilities `run` keeps, the
 * status-file parser, and (as root, in a forked child so the test keeps
 * its own) a real drop in a process with several threads — one of them
 * blocking every signal but the privs signal, as the netlink drain thread
 * does — after which every thread, and a thread started later, holds only
 * the kept set with no_new_privs, and a dropped capability fails from a
 * worker thread. A thread that blocks the privs signal too makes the drop
 * fail and is named.
 */
#include "autoconf.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/capability.h>

#include "config.h"
#include "privs.h"

#define BIT(c) (UINT64_C(1) << (c))

static void
test_parse(void **state)
{
	static const char text[] =
	    "Name:\tauditwatch\nUmask:\t0022\nState:\tS (sleeping)\n"
	    "CapInh:\t0000000000000000\nCapPrm:\t0000000040080004\n"
	    "CapEff:\t0000000040080004\nCapBnd:\t000001fffeffffff\n"
	    "CapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t0\n";
	static const char old[] =
	    "CapInh:\t0\nCapPrm:\tff\nCapEff:\tf0\nCapBnd:\tff\n";
	struct aw_capstate s;

	(void)state;
	assert_int_equal(aw_capstate_parse(text, &s), 0);
	assert_true(s.prm == 0x40080004);
	assert_true(s.eff == 0x40080004);
	assert_true(s.bnd == 0x1fffeffffffULL);
	assert_true(s.inh == 0 && s.amb == 0);
	assert_int_equal(s.no_new_privs, 1);
	/* an old kernel: no CapAmb, no NoNewPrivs line */
	assert_int_equal(aw_capstate_parse(old, &s), 0);
	assert_true(s.eff == 0xf0 && s.amb == 0);
	assert_int_equal(s.no_new_privs, -1);
	assert_int_equal(aw_capstate_parse("Name:\tx\nCapPrm:\t1\n", &s), -1);
	/* the calling thread's own file parses */
	assert_int_equal(aw_capstate_read_task(0, &s), 0);
}

static void
test_keep_mask(void **state)
{
	struct aw_privs_need need = { 1, 0, 1 };
	struct aw_config cfg;
	char err[256], names[256];
	uint64_t m;

	(void)state;
	aw_config_init(&cfg);
	m = aw_privs_keep_mask(&cfg, &need);
	assert_true(m == (BIT(CAP_AUDIT_CONTROL) | BIT(CAP_SYS_PTRACE) |
	    BIT(CAP_DAC_READ_SEARCH)));
	assert_string_equal(aw_capmask_names(m, names, sizeof(names)),
	    "CAP_DAC_READ_SEARCH,CAP_SYS_PTRACE,CAP_AUDIT_CONTROL");
	need.multicast = 1;
	assert_true(aw_privs_keep_mask(&cfg, &need) & BIT(CAP_AUDIT_READ));
	/* --events: no enricher, no /proc capabilities */
	need.enricher = 0;
	assert_true(aw_privs_keep_mask(&cfg, &need) ==
	    (BIT(CAP_AUDIT_CONTROL) | BIT(CAP_AUDIT_READ)));
	/* an enricher that never reads /proc needs none either */
	need.enricher = 1;
	need.audit_control = 0;
	need.multicast = 0;
	assert_int_equal(aw_config_override(&cfg, "enrich.host_proc=none",
	    err, sizeof(err)), 0);
	assert_true(aw_privs_keep_mask(&cfg, &need) == 0);
	assert_string_equal(aw_capmask_names(0, names, sizeof(names)),
	    "none");
	aw_config_free(&cfg);
}

static void
test_config(void **state)
{
	struct aw_privs_config pc;
	struct aw_config cfg;
	char err[256];

	(void)state;
	aw_config_init(&cfg);
	assert_int_equal(aw_privs_config_read(&cfg, &pc, err, sizeof(err)), 0);
	assert_int_equal(pc.drop_capabilities, 1);
	assert_int_equal(aw_config_override(&cfg,
	    "security.drop_capabilities=no", err, sizeof(err)), 0);
	assert_int_equal(aw_privs_config_read(&cfg, &pc, err, sizeof(err)), 0);
	assert_int_equal(pc.drop_capabilities, 0);
	assert_int_equal(aw_config_override(&cfg,
	    "security.drop_capabilities=maybe", err, sizeof(err)), 0);
	assert_int_equal(aw_privs_config_read(&cfg, &pc, err, sizeof(err)),
	    -1);
	aw_config_free(&cfg);
}

/* ---------------------------------------------------- a real drop */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go, chown_rc, chown_errno;
static char file[128];

/* Waits for `go`, then tries something that needs CAP_CHOWN. */
static void *
worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!go)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	chown_rc = chown(file, 12345, 12345);
	chown_errno = errno;
	return NULL;
}

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Start fn with every signal blocked, except the privs signal unless
 * block_privs. */
static int
start_blocked(pthread_t *t, void *(*fn)(void *), int block_privs)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	if (!block_privs)
		sigdelset(&all, aw_privs_signal());
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int
all_threads_hold(uint64_t want)
{
	struct aw_capstate s;
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		int tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		if (aw_capstate_read_task(tid, &s) != 0 || s.eff != want ||
		    s.prm != want || s.bnd != want || s.inh != 0 ||
		    s.amb != 0 || s.no_new_privs != 1) {
			fprintf(stderr, "thread %d: eff %llx prm %llx bnd %llx "
			    "nnp %d, want %llx\n", tid,
			    (unsigned long long)s.eff,
			    (unsigned long long)s.prm,
			    (unsigned long long)s.bnd, s.no_new_privs,
			    (unsigned long long)want);
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	return n;
}

/* The child: 1..9 say which check failed. */
static int
child_drop(void)
{
	pthread_t w, drain, later;
	struct aw_capstate st;
	uint64_t keep = BIT(CAP_AUDIT_CONTROL) | BIT(CAP_SYS_PTRACE);
	char err[512];
	int fd;

	snprintf(file, sizeof(file), "/tmp/aw-test-privs.%d", (int)getpid());
	if ((fd = open(file, O_CREAT | O_WRONLY, 0600)) < 0)
		return 1;
	close(fd);
	if (pthread_create(&w, NULL, worker, NULL) != 0 ||
	    start_blocked(&drain, sleeper, 0) != 0)
		return 2;
	if (aw_privs_drop(keep, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "aw_privs_drop: %s\n", err);
		return 3;
	}
	if (st.prm != keep || st.eff != keep || st.bnd != keep)
		return 4;
	if (all_threads_hold(keep) != 3)
		return 5;
	/* a thread started after the drop inherits it */
	if (pthread_create(&later, NULL, sleeper, NULL) != 0 ||
	    all_threads_hold(keep) != 4)
		return 6;
	/* the worker, created before the drop, cannot chown any more */
	pthread_mutex_lock(&mu);
	go = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(w, NULL);
	unlink(file);
	if (chown_rc != -1 || chown_errno != EPERM)
		return 7;
	/* a stray privs signal later does nothing */
	if (kill(getpid(), aw_privs_signal()) != 0)
		return 8;
	usleep(20000);
	return all_threads_hold(keep) == 3 ? 0 : 9;
}

static int
child_blocked(void)
{
	pthread_t t;
	char err[512];

	if (start_blocked(&t, sleeper, 1) != 0)
		return 1;
	if (aw_privs_drop(BIT(CAP_AUDIT_CONTROL), NULL, err, sizeof(err)) == 0)
		return 2;
	if (strstr(err, "thread") == NULL || strstr(err, "kept") == NULL) {
		fprintf(stderr, "unexpected error: %s\n", err);
		return 3;
	}
	return 0;
}

static int
run_child(int (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(fn());
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
have_caps(void)
{
	struct aw_capstate s;

	return aw_capstate_read_task(0, &s) == 0 &&
	    (s.eff & BIT(CAP_SETPCAP)) && (s.eff & BIT(CAP_CHOWN)) &&
	    (s.prm & BIT(CAP_AUDIT_CONTROL)) && (s.prm & BIT(CAP_SYS_PTRACE));
}

/* Without root's capabilities the real drop cannot be tried: a skip, but
 * a failure in CI, where the tests run as root. */
static void
skip_or_fail(void)
{
	const char *ci = getenv("CI");

	if (ci != NULL && strcmp(ci, "true") == 0)
		fail_msg("CI=true: needs CAP_SETPCAP, CAP_CHOWN, "
		    "CAP_AUDIT_CONTROL and CAP_SYS_PTRACE");
	skip();
}

static void
test_drop_every_thread(void **state)
{
	(void)state;
	if (!have_caps())
		skip_or_fail();
	assert_int_equal(run_child(child_drop), 0);
}

static void
test_blocking_thread_named(void **state)
{
	(void)state;
	if (!have_caps())
		skip_or_fail();
	assert_int_equal(run_child(child_blocked), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_keep_mask),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_drop_every_thread),
		cmocka_unit_test(test_blocking_thread_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
