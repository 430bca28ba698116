/*
 * test_rules_paths.c — fd.name against path tricks (issue 8, evasion):
 * how src/rules/fields.c turns the PATH/CWD records of an open into the
 * absolute name rules compare.
 *
 * Replayed events (no enricher, or events older than the enricher): the
 * name is joined to the cwd and "." / ".." / "//" are removed lexically; a
 * name relative to a directory fd is "<UNKNOWN>/name" and one relative
 * to a cwd the kernel could not print "<too_long>/name" — never a path a
 * rule could take for a real one; hex-encoded names come out byte-exact.
 *
 * Live events (an enricher on this machine's /proc, the event's pid ours,
 * its time now): the test builds real files, directory fds and symlinks
 * in a temporary directory and PATH records with their real inode and
 * device, and checks that fd.name is the resolved name when (and only
 * when) the file reached has the logged inode: through a directory fd,
 * through a symlinked directory, ".." after a symlink, a file gone since
 * (named through its PARENT record), a reused fd (wrong inode: not
 * resolved), /proc/self/root/... and /proc/self/fd/N of the process, a
 * cwd beyond PATH_MAX (rebuilt by walking up while the process is there).
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "enrich.h"
#include "rules_testlib.h"

static const char rules[] =
    "- rule: any open\n"
    "  desc: t\n"
    "  condition: evt.type in (open, openat, creat) and fd.num >= 0\n"
    "  output: \"%fd.name %fd.nameraw %fd.directory\"\n"
    "  priority: INFO\n"
    "- rule: below etc\n"
    "  desc: t\n"
    "  condition: evt.type in (open, openat) and fd.name startswith /etc/\n"
    "  output: \"%fd.name\"\n"
    "  priority: INFO\n";

struct fx {
	struct aw_engine *e;
	struct aw_enricher *en;		/* NULL: replay */
	struct tl_alerts al;
	struct aw_event ev;
	char dir[64];			/* temporary directory, real path */
	char name[2 * PATH_MAX];	/* fd.name of the last eval */
	char raw[2 * PATH_MAX];		/* fd.nameraw */
	int below_etc;			/* the "below etc" rule fired */
	int got;			/* "any open" fired */
};

static struct fx F;

/* Evaluate an openat event from its parts; the result in F. name_field
 * is the PATH record's name= value as printed (quoted or hex); ino 0
 * leaves inode/dev out. A parent_ino adds a PARENT item first. */
static void
eval_open(uint64_t sec, long dirfd, const char *cwd, const char *name_field,
    unsigned long ino, const char *dev, unsigned long parent_ino)
{
	char sys[512], cwdl[PATH_MAX + 128], p0[256], p1[PATH_MAX * 2 + 256];
	char ino_s[128] = "";
	const char *lines[4];
	size_t n = 0;
	const char *s;

	snprintf(sys, sizeof(sys), "type=SYSCALL msg=audit(%llu.000:7): "
	    "arch=c000003e syscall=257 success=yes exit=3 a0=%lx "
	    "a1=7ffc00000000 a2=241 a3=1b6 items=%d ppid=1 pid=%ld "
	    "auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
	    "fsgid=0 tty=(none) ses=1 comm=\"t\" exe=\"/usr/bin/t\" "
	    "key=(null)", (unsigned long long)sec, (unsigned long)dirfd,
	    parent_ino ? 2 : 1, (long)getpid());
	lines[n++] = sys;
	snprintf(cwdl, sizeof(cwdl), "type=CWD msg=audit(%llu.000:7): "
	    "cwd=%s", (unsigned long long)sec, cwd);
	lines[n++] = cwdl;
	if (parent_ino) {
		snprintf(p0, sizeof(p0), "type=PATH msg=audit(%llu.000:7): "
		    "item=0 name=\"/\" inode=%lu dev=%s mode=040755 ouid=0 "
		    "ogid=0 rdev=00:00 nametype=PARENT",
		    (unsigned long long)sec, parent_ino, dev);
		lines[n++] = p0;
	}
	if (ino)
		snprintf(ino_s, sizeof(ino_s), " inode=%lu dev=%s "
		    "mode=0100644 ouid=0 ogid=0 rdev=00:00", ino, dev);
	snprintf(p1, sizeof(p1), "type=PATH msg=audit(%llu.000:7): item=%d "
	    "name=%s%s nametype=%s", (unsigned long long)sec,
	    parent_ino ? 1 : 0, name_field, ino_s,
	    parent_ino ? "CREATE" : "NORMAL");
	lines[n++] = p1;
	tl_event(&F.ev, lines, n);
	tl_alerts_clear(&F.al);
	assert_true(tl_eval(F.e, &F.ev, F.en, &F.al) >= 0);
	F.got = F.below_etc = 0;
	F.name[0] = F.raw[0] = '\0';
	for (int i = 0; i < F.al.n; i++) {
		json_t *of;
		if (strcmp(F.al.a[i]->rule, "below etc") == 0) {
			F.below_etc = 1;
			continue;
		}
		of = aw_alert_fields(F.al.a[i]);
		assert_non_null(of);
		F.got = 1;
		if ((s = json_string_value(json_object_get(of, "fd.name"))))
			snprintf(F.name, sizeof(F.name), "%s", s);
		if ((s = json_string_value(json_object_get(of,
		    "fd.nameraw"))))
			snprintf(F.raw, sizeof(F.raw), "%s", s);
		json_decref(of);
	}
	assert_true(F.got);
}

static uint64_t
now(void)
{
	return (uint64_t)time(NULL);
}

static void
devstr(const struct stat *st, char *buf, size_t sz)
{
	snprintf(buf, sz, "%02x:%02x", major(st->st_dev), minor(st->st_dev));
}

static int
setup(void **state)
{
	char tmpl[] = "/tmp/awpathsXXXXXX";
	struct aw_engine_options o;
	struct aw_diags d;

	(void)state;
	memset(&F, 0, sizeof(F));
	aw_engine_options_default(&o);
	o.matching = AW_MATCH_ALL;
	aw_diags_init(&d);
	F.e = tl_engine_opts(rules, &d, &o);
	aw_diags_free(&d);
	assert_non_null(F.e);
	aw_event_init(&F.ev);
	assert_non_null(mkdtemp(tmpl));
	assert_non_null(realpath(tmpl, F.dir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", F.dir);
	assert_int_equal(system(cmd), 0);
	tl_alerts_clear(&F.al);
	aw_event_free(&F.ev);
	aw_engine_free(F.e);
	if (F.en)
		aw_enricher_free(F.en);
	return 0;
}

static void
live(void)
{
	if (F.en == NULL)
		F.en = aw_enricher_new(NULL);
	assert_non_null(F.en);
}

/* ------------------------------------------------------------ replay */

static void
test_dotdot_lexical(void **state)
{
	(void)state;
	eval_open(1700000000, 0xffffff9c, "\"/tmp\"",
	    "\"/tmp/x/../../etc/./passwd\"", 5, "fd:00", 0);
	assert_string_equal(F.name, "/etc/passwd");
	assert_string_equal(F.raw, "/tmp/x/../../etc/./passwd");
	assert_true(F.below_etc);
	eval_open(1700000000, 0xffffff9c, "\"/tmp/a/b\"",
	    "\"../../..//../etc//passwd\"", 5, "fd:00", 0);
	assert_string_equal(F.name, "/etc/passwd");
	assert_true(F.below_etc);
}

static void
test_dirfd_unknown_in_replay(void **state)
{
	(void)state;
	/* openat(3, "passwd") with the cwd /tmp: not /tmp/passwd */
	eval_open(1700000000, 3, "\"/tmp\"", "\"passwd\"", 5, "fd:00", 0);
	assert_string_equal(F.name, "<UNKNOWN>/passwd");
	assert_string_equal(F.raw, "passwd");
	assert_false(F.below_etc);
	/* absolute names ignore the dirfd */
	eval_open(1700000000, 3, "\"/tmp\"", "\"/etc/passwd\"", 5, "fd:00",
	    0);
	assert_string_equal(F.name, "/etc/passwd");
	assert_true(F.below_etc);
}

static void
test_cwd_too_long(void **state)
{
	(void)state;
	eval_open(1700000000, 0xffffff9c, "\"<too_long>\"", "\"f\"", 5,
	    "fd:00", 0);
	assert_string_equal(F.name, "<too_long>/f");
	assert_false(F.below_etc);
}

static void
test_hostile_names_exact(void **state)
{
	/* "/etc/a\nb c\"d'e\\f\t", hex as the kernel prints it */
	static const char want[] = "/etc/a\nb c\"d'e\\f\t\xc3\xa9";
	char hex[2 * sizeof(want) + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(want) - 1; i++)
		snprintf(hex + 2 * i, 3, "%02X", (unsigned char)want[i]);
	eval_open(1700000000, 0xffffff9c, "\"/\"", hex, 5, "fd:00", 0);
	assert_string_equal(F.name, want);
	assert_true(F.below_etc);
}

static void
test_long_name_exact(void **state)
{
	char want[4001], hex[8003];

	(void)state;
	memcpy(want, "/etc/", 5);
	for (size_t i = 5; i < sizeof(want) - 1; i++)
		want[i] = (i % 201 == 0) ? '/' : (char)('a' + i % 26);
	want[sizeof(want) - 1] = '\0';
	for (size_t i = 0; i < sizeof(want) - 1; i++)
		snprintf(hex + 2 * i, 3, "%02X", (unsigned char)want[i]);
	eval_open(1700000000, 0xffffff9c, "\"/\"", hex, 5, "fd:00", 0);
	assert_string_equal(F.name, want);
}

/* A symlinked path in a replayed event stays lexical: /proc is not
 * asked about an old log's pids, even if they exist here. */
static void
test_replay_not_resolved(void **state)
{
	char p[PATH_MAX], q[PATH_MAX + 32], dev[32];
	struct stat st;

	(void)state;
	live();
	snprintf(p, sizeof(p), "%s/real", F.dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(q, sizeof(q), "%s/link", F.dir);
	assert_int_equal(symlink(p, q), 0);
	snprintf(q, sizeof(q), "%s/real/f", F.dir);
	close(open(q, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(stat(q, &st), 0);
	devstr(&st, dev, sizeof(dev));
	snprintf(q, sizeof(q), "\"%s/link/f\"", F.dir);
	eval_open(1700000000, 0xffffff9c, "\"/\"", q, st.st_ino, dev, 0);
	snprintf(p, sizeof(p), "%s/link/f", F.dir);
	assert_string_equal(F.name, p);
}

/* ------------------------------------------------------------ live */

static void
test_live_dirfd(void **state)
{
	char p[PATH_MAX + 32], dev[32];
	struct stat st;
	int d;

	(void)state;
	live();
	snprintf(p, sizeof(p), "%s/f", F.dir);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(stat(p, &st), 0);
	devstr(&st, dev, sizeof(dev));
	assert_true((d = open(F.dir, O_RDONLY | O_DIRECTORY)) >= 0);
	eval_open(now(), d, "\"/\"", "\"f\"", st.st_ino, dev, 0);
	assert_string_equal(F.name, p);
	assert_string_equal(F.raw, "f");
	/* the fd now names another directory (closed and reused): the
	 * inode does not match, so no name is made up */
	close(d);
	assert_int_equal(open("/", O_RDONLY | O_DIRECTORY), d);
	eval_open(now(), d, "\"/\"", "\"f\"", st.st_ino, dev, 0);
	assert_string_equal(F.name, "<UNKNOWN>/f");
	close(d);
	/* a closed fd */
	eval_open(now(), d, "\"/\"", "\"f\"", st.st_ino, dev, 0);
	assert_string_equal(F.name, "<UNKNOWN>/f");
}

static void
test_live_symlinks(void **state)
{
	char p[PATH_MAX + 64], q[PATH_MAX + 64], dev[32];
	struct stat st;

	(void)state;
	live();
	/* dir/link -> dir/real/sub */
	snprintf(p, sizeof(p), "%s/real", F.dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/real/sub", F.dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(q, sizeof(q), "%s/link", F.dir);
	assert_int_equal(symlink(p, q), 0);
	/* through the symlinked directory */
	snprintf(p, sizeof(p), "%s/real/sub/f", F.dir);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(stat(p, &st), 0);
	devstr(&st, dev, sizeof(dev));
	snprintf(q, sizeof(q), "\"%s/link/f\"", F.dir);
	eval_open(now(), 0xffffff9c, "\"/\"", q, st.st_ino, dev, 0);
	assert_string_equal(F.name, p);
	snprintf(q, sizeof(q), "%s/link/f", F.dir);
	assert_string_equal(F.raw, q);
	/* link/../g is real/g, lexically dir/g */
	snprintf(p, sizeof(p), "%s/real/g", F.dir);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	assert_int_equal(stat(p, &st), 0);
	snprintf(q, sizeof(q), "\"%s/link/../g\"", F.dir);
	eval_open(now(), 0xffffff9c, "\"/\"", q, st.st_ino, dev, 0);
	assert_string_equal(F.name, p);
	/* relative to the cwd, through the symlink */
	snprintf(q, sizeof(q), "\"%s\"", F.dir);
	eval_open(now(), 0xffffff9c, q, "\"link/../g\"", st.st_ino, dev, 0);
	assert_string_equal(F.name, p);
	/* the final component a symlink to a file */
	snprintf(q, sizeof(q), "%s/fl", F.dir);
	assert_int_equal(symlink(p, q), 0);
	snprintf(q, sizeof(q), "\"%s/fl\"", F.dir);
	eval_open(now(), 0xffffff9c, "\"/\"", q, st.st_ino, dev, 0);
	assert_string_equal(F.name, p);
	/* the same name, but the kernel reached another file (the symlink
	 * was swapped since): lexical, not the new target */
	eval_open(now(), 0xffffff9c, "\"/\"", q, st.st_ino + 1000003, dev,
	    0);
	snprintf(p, sizeof(p), "%s/fl", F.dir);
	assert_string_equal(F.name, p);
	/* /proc/self/ is the process's own: here, ours */
	snprintf(q, sizeof(q), "\"/proc/self/root%s/real/g\"", F.dir);
	eval_open(now(), 0xffffff9c, "\"/\"", q, st.st_ino, dev, 0);
	snprintf(p, sizeof(p), "%s/real/g", F.dir);
	assert_string_equal(F.name, p);
	/* re-opening an fd of the process through /proc/self/fd/N */
	{
		int fd = open(p, O_RDONLY);

		assert_true(fd >= 0);
		snprintf(q, sizeof(q), "\"/proc/self/fd/%d\"", fd);
		eval_open(now(), 0xffffff9c, "\"/\"", q, st.st_ino, dev, 0);
		assert_string_equal(F.name, p);
		close(fd);
	}
}

/* Created and removed before the event was processed: named through its
 * directory, when that is the event's PARENT item. */
static void
test_live_gone_via_parent(void **state)
{
	char p[PATH_MAX + 64], q[PATH_MAX + 64], dev[32];
	struct stat st;

	(void)state;
	live();
	snprintf(p, sizeof(p), "%s/real", F.dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(q, sizeof(q), "%s/link", F.dir);
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(stat(p, &st), 0);
	devstr(&st, dev, sizeof(dev));
	snprintf(q, sizeof(q), "\"%s/link/gone\"", F.dir);
	eval_open(now(), 0xffffff9c, "\"/\"", q, 99999999, dev, st.st_ino);
	snprintf(p, sizeof(p), "%s/real/gone", F.dir);
	assert_string_equal(F.name, p);
	/* not the PARENT's directory: lexical */
	eval_open(now(), 0xffffff9c, "\"/\"", q, 99999999, dev,
	    st.st_ino + 1000003);
	snprintf(p, sizeof(p), "%s/link/gone", F.dir);
	assert_string_equal(F.name, p);
}

/* A cwd beyond PATH_MAX: the kernel logs cwd="<too_long>"; while the
 * process still sits there, the name is rebuilt by walking up. */
static void
test_live_too_long(void **state)
{
	char comp[201], dev[32], *want;
	size_t wl = 0, cap = 8192;
	struct stat st;
	int back;

	(void)state;
	live();
	memset(comp, 'e', 200);
	comp[200] = '\0';
	assert_non_null(want = malloc(cap));
	wl = (size_t)snprintf(want, cap, "%s", F.dir);
	assert_true((back = open(".", O_RDONLY | O_DIRECTORY)) >= 0);
	assert_int_equal(chdir(F.dir), 0);
	for (int i = 0; i < 22; i++) {
		assert_int_equal(mkdir(comp, 0755), 0);
		assert_int_equal(chdir(comp), 0);
		wl += (size_t)snprintf(want + wl, cap - wl, "/%s", comp);
	}
	snprintf(want + wl, cap - wl, "/f");
	assert_true(strlen(want) > PATH_MAX);
	close(open("f", O_CREAT | O_WRONLY, 0644));
	assert_int_equal(stat("f", &st), 0);
	devstr(&st, dev, sizeof(dev));
	eval_open(now(), 0xffffff9c, "\"<too_long>\"", "\"f\"", st.st_ino,
	    dev, 0);
	assert_string_equal(F.name, want);
	/* gone from there: the kernel's marker, not a guess */
	assert_int_equal(fchdir(back), 0);
	close(back);
	eval_open(now(), 0xffffff9c, "\"<too_long>\"", "\"f\"", st.st_ino,
	    dev, 0);
	assert_string_equal(F.name, "<too_long>/f");
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dotdot_lexical, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dirfd_unknown_in_replay,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cwd_too_long, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hostile_names_exact,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_name_exact, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replay_not_resolved,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_dirfd, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_live_symlinks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_live_gone_via_parent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_too_long, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
