/*
 * test_seccomp.c — the allow-list of `run`, loaded for real in forked
 * children (the test process keeps no filter):
 *   - security.seccomp parses true/false/log and rejects anything else;
 *   - with the filter, in a child with a second thread started before the
 *     load: both threads show "Seccomp: 2" in their status files, the
 *     calls the daemon makes still work (files, a TCP socket, a thread),
 *     and calls outside the list fail with EPERM from either thread —
 *     personality(), execve(), a fork through clone() and socket(AF_PACKET)
 *     — each denial named on stderr; clone3() says ENOSYS (glibc falls
 *     back to clone());
 *   - in log mode, the same personality() call succeeds;
 *   - an i386 call (int $0x80) and an x32 call number kill the process
 *     with SIGSYS.
 */
#include "autoconf.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "sandbox.h"

/* Exit codes of the children: 0 is success, anything else names the
 * check that failed. */
#define CHECK(n, cond) do { if (!(cond)) _exit(n); } while (0)

static int
mode_of(const char *value, enum aw_seccomp_mode *mode)
{
	struct aw_config cfg;
	char kv[64], err[256];
	int rc;

	aw_config_init(&cfg);
	snprintf(kv, sizeof(kv), "security.seccomp=%s", value);
	assert_int_equal(aw_config_override(&cfg, kv, err, sizeof(err)), 0);
	rc = aw_seccomp_config_read(&cfg, mode, err, sizeof(err));
	aw_config_free(&cfg);
	return rc;
}

static void
test_config(void **state)
{
	struct aw_config cfg;
	enum aw_seccomp_mode m = AW_SECCOMP_OFF;
	char err[256];

	(void)state;
	aw_config_init(&cfg);
	assert_int_equal(aw_seccomp_config_read(&cfg, &m, err,
	    sizeof(err)), 0);
	assert_int_equal(m, AW_SECCOMP_ENFORCE);	/* the default */
	aw_config_free(&cfg);
	assert_int_equal(mode_of("false", &m), 0);
	assert_int_equal(m, AW_SECCOMP_OFF);
	assert_int_equal(mode_of("true", &m), 0);
	assert_int_equal(m, AW_SECCOMP_ENFORCE);
	assert_int_equal(mode_of("log", &m), 0);
	assert_int_equal(m, AW_SECCOMP_LOG);
	assert_int_equal(mode_of("maybe", &m), -1);
}

/* Without libseccomp the filter tests skip, except in CI, which installs
 * it (.ci/install-deps): there a build without it is a failure. */
static void
need_seccomp(void)
{
	const char *ci = getenv("CI");

	if (aw_seccomp_supported())
		return;
	if (ci != NULL && strcmp(ci, "true") == 0)
		fail_msg("built without libseccomp (CI=true)");
	skip();
}

/* "Seccomp:" of a status file, or -1. */
static int
seccomp_field(const char *path)
{
	char buf[4096], *p;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nSeccomp:")) == NULL)
		return -1;
	return atoi(p + strlen("\nSeccomp:"));
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go, done, worker_tid, worker_result;

/* Started before the filter; after it, must be filtered too (TSYNC). */
static void *
worker(void *arg)
{
	char path[64];
	int r = 0;

	(void)arg;
	pthread_mutex_lock(&mu);
	worker_tid = (int)syscall(SYS_gettid);
	pthread_cond_broadcast(&cv);
	while (!go)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	snprintf(path, sizeof(path), "/proc/thread-self/status");
	if (seccomp_field(path) != 2)
		r = 1;
	else if (personality(0xffffffff) != -1 || errno != EPERM)
		r = 2;
	pthread_mutex_lock(&mu);
	worker_result = r;
	done = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void *
nothing(void *arg)
{
	return arg;
}

static void
enforce_child(void)
{
	char err[256], path[64];
	char *const argv[] = { (char *)"/bin/true", NULL };
	pthread_t th, th2;
	int fd, s;

	CHECK(10, pthread_create(&th, NULL, worker, NULL) == 0);
	pthread_mutex_lock(&mu);
	while (worker_tid == 0)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);

	CHECK(11, aw_seccomp_install(AW_SECCOMP_ENFORCE, err,
	    sizeof(err)) == 0);
	CHECK(12, seccomp_field("/proc/self/status") == 2);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", worker_tid);
	CHECK(13, seccomp_field(path) == 2);

	/* What the daemon does still works. */
	CHECK(14, (fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)) >= 0);
	CHECK(15, fsync(STDERR_FILENO) == 0 || errno == EINVAL ||
	    errno == EROFS);
	close(fd);
	CHECK(16, (s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0);
	close(s);
	CHECK(19, kill(getppid(), 0) == 0);
	CHECK(17, pthread_create(&th2, NULL, nothing, NULL) == 0);
	CHECK(18, pthread_join(th2, NULL) == 0);

	/* What it never does fails with EPERM (and is logged). */
	errno = 0;
	CHECK(20, personality(0xffffffff) == -1 && errno == EPERM);
	errno = 0;
	CHECK(21, execve(argv[0], argv, NULL) == -1 && errno == EPERM);
	errno = 0;
	CHECK(22, syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0) ==
	    -1 && errno == EPERM);
	errno = 0;
	CHECK(23, socket(AF_PACKET, SOCK_RAW, 0) == -1 && errno == EPERM);
	errno = 0;
	CHECK(26, kill(getppid(), SIGCONT) == -1 && errno == EPERM);
#ifdef SYS_clone3
	errno = 0;
	CHECK(24, syscall(SYS_clone3, NULL, 0) == -1 && errno == ENOSYS);
#endif
	CHECK(25, aw_seccomp_denied() == 5);

	/* The thread that existed before the load. */
	pthread_mutex_lock(&mu);
	go = 1;
	pthread_cond_broadcast(&cv);
	while (!done)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	CHECK(30 + worker_result, worker_result == 0);
	pthread_join(th, NULL);
	_exit(0);
}

/* Run fn in a child with stderr to a file; its wait status and stderr. */
static int
run_child(void (*fn)(void), char *out, size_t outsz)
{
	char tmpl[] = "/tmp/test_seccomp.XXXXXX";
	int fd = mkstemp(tmpl), status;
	ssize_t n;
	pid_t pid;

	assert_true(fd >= 0);
	unlink(tmpl);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd, STDERR_FILENO);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	n = pread(fd, out, outsz - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return status;
}

static void
test_enforce(void **state)
{
	char out[4096];
	int st;

	(void)state;
	need_seccomp();
	st = run_child(enforce_child, out, sizeof(out));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: %s %d; stderr:\n%s",
		    WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), out);
	/* Each denial named. */
	assert_non_null(strstr(out, "seccomp: denied system call personality"));
	assert_non_null(strstr(out, "seccomp: denied system call execve"));
	assert_non_null(strstr(out, "seccomp: denied system call clone"));
	assert_non_null(strstr(out, "seccomp: denied system call socket"));
	assert_non_null(strstr(out, "seccomp: denied system call kill"));
	assert_null(strstr(out, "clone3"));
}

static void
log_child(void)
{
	char err[256];

	CHECK(11, aw_seccomp_install(AW_SECCOMP_LOG, err, sizeof(err)) == 0);
	CHECK(12, seccomp_field("/proc/self/status") == 2);
	CHECK(13, personality(0xffffffff) != -1);
	CHECK(14, aw_seccomp_denied() == 0);
	_exit(0);
}

static void
test_log_mode(void **state)
{
	char out[4096];
	int st;

	(void)state;
	need_seccomp();
	st = run_child(log_child, out, sizeof(out));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: status %#x; stderr:\n%s", st, out);
}

#if defined(__x86_64__)
static void
int80_child(void)
{
	char err[256];
	long ret;

	CHECK(11, aw_seccomp_install(AW_SECCOMP_ENFORCE, err,
	    sizeof(err)) == 0);
	/* i386 getpid (20) through the 32-bit entry. */
	__asm__ volatile ("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	_exit(ret > 0 ? 50 : 51);	/* must not get here */
}

static void
x32_child(void)
{
	char err[256];

	CHECK(11, aw_seccomp_install(AW_SECCOMP_ENFORCE, err,
	    sizeof(err)) == 0);
	/* x32 getpid: __X32_SYSCALL_BIT | 39. */
	(void)syscall(0x40000000L | 39);
	_exit(52);			/* must not get here */
}

static void
test_other_abis(void **state)
{
	char out[4096];
	int st;

	(void)state;
	need_seccomp();
	st = run_child(int80_child, out, sizeof(out));
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
		fail_msg("int $0x80: status %#x, not killed by SIGSYS; %s",
		    st, out);
	st = run_child(x32_child, out, sizeof(out));
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
		fail_msg("x32: status %#x, not killed by SIGSYS; %s", st, out);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_enforce),
		cmocka_unit_test(test_log_mode),
#if defined(__x86_64__)
		cmocka_unit_test(test_other_abis),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
