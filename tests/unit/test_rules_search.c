/*
 * test_rules_search.c — the fast paths of the rule engine give the same
 * answers as the plain definitions: contains / icontains on long values
 * (anchored memchr() search, icontains on a value lowercased once per
 * event, the memmem() fallback when a text yields too many candidates),
 * proc.cmdline and proc.args built once per event in one buffer, and
 * evt.type sets large enough to be hashed at load time.
 * Events are real audit.log lines through the record parser, reassembler
 * and decoder; the expected answers come from a naive search here.
 */
#include "autoconf.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules_testlib.h"

#define ARG_MAX_TEST 3000

/* An execve of "sh -c ARG" (ARG printable, no quote or blank, so the
 * kernel would log it quoted as is). */
static void
exec_event(struct aw_event *ev, const char *arg)
{
	static char sys[512], execve[ARG_MAX_TEST + 200];
	const char *lines[2] = { sys, execve };

	snprintf(sys, sizeof(sys), "type=SYSCALL msg=audit(1796412499.813:"
	    "792): arch=c000003e syscall=59 success=yes exit=0 a0=5625 "
	    "a1=5626 a2=5627 a3=0 items=0 ppid=10562 pid=10613 "
	    "auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
	    "fsgid=0 tty=(none) ses=4294967295 comm=\"sh\" exe=\"/usr/bin/sh\" "
	    "key=\"exec\"");
	snprintf(execve, sizeof(execve), "type=EXECVE msg=audit(1796412499."
	    "813:792): argc=3 a0=\"sh\" a1=\"-c\" a2=\"%s\"", arg);
	aw_event_init(ev);
	tl_event(ev, lines, 2);
}


static int
naive_find(const char *h, size_t hl, const char *n, size_t nl, int fold)
{
	for (size_t i = 0; i + nl <= hl; i++) {
		size_t k;
		for (k = 0; k < nl; k++) {
			unsigned char a = (unsigned char)h[i + k];
			unsigned char b = (unsigned char)n[k];
			if (fold ? tolower(a) != tolower(b) : a != b)
				break;
		}
		if (k == nl)
			return 1;
	}
	return 0;
}

/* Check contains and icontains of every needle on proc.args = "-c arg"
 * against the naive search. */
static void
check_needles(const char *arg, const char *const *needles, size_t n)
{
	char args[ARG_MAX_TEST + 8], cond[256];
	struct aw_event ev;

	snprintf(args, sizeof(args), "-c %s", arg);
	exec_event(&ev, arg);
	for (size_t i = 0; i < n; i++) {
		for (int fold = 0; fold <= 1; fold++) {
			int want = naive_find(args, strlen(args), needles[i],
			    strlen(needles[i]), fold);
			snprintf(cond, sizeof(cond), "proc.args %s \"%s\"",
			    fold ? "icontains" : "contains", needles[i]);
			if (tl_fires(cond, &ev) != want)
				fail_msg("%s on %zu bytes: expected %s", cond,
				    strlen(args), want ? "a match" : "none");
		}
	}
	aw_event_free(&ev);
}

/* One letter repeated: with a needle starting with that letter every
 * byte is a candidate, which sends the search to its memmem() fallback
 * (the budget is exceeded) before or after the match. */
static void
test_repeated_letter(void **state)
{
	static const char *const needles[] = {
		"aaaab", "AAAAB", "AAAAC", "aws_access_key_id", "AAB",
		"B", "b", "BA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
		"-c AAAA", "-C aaaa", "CA",
	};
	char arg[ARG_MAX_TEST];

	(void)state;
	memset(arg, 'A', sizeof(arg) - 2);
	arg[sizeof(arg) - 2] = 'B';		/* match at the very end */
	arg[sizeof(arg) - 1] = '\0';
	check_needles(arg, needles, sizeof(needles) / sizeof(needles[0]));
	arg[1000] = 'B';			/* and one in the middle */
	arg[sizeof(arg) - 2] = 'A';
	check_needles(arg, needles, sizeof(needles) / sizeof(needles[0]));
	arg[1000] = 'A';
	/* a match just before, at and after the candidate where the
	 * search gives up on memchr() (its budget depends on the length) */
	for (size_t p = 40; p < 130; p++) {
		static const char *const ab[] = { "AB", "ab", "AAB" };
		arg[p] = 'B';
		check_needles(arg, ab, 3);
		arg[p] = 'A';
	}
}

/* Mixed text: the credentials Falco's private_aws_credentials looks
 * for, in other cases, deep inside a long argument. */
static void
test_mixed_text(void **state)
{
	static const char *const needles[] = {
		"aws_access_key_id", "aws_secret_access_key",
		"aws_session_token", "accesskeyid", "secretaccesskey",
		"Key_Id=", "KEY_ID=AKIA", "zzz", "_", "k", "9A", "=AKIAX",
		"AKIAEXAMPLE", "example_", "-c x0", "x0123456789abcdef",
	};
	char arg[ARG_MAX_TEST];
	size_t o = 0;

	(void)state;
	while (o < 2400)
		o += (size_t)snprintf(arg + o, sizeof(arg) - o,
		    "x%010zuabcdef", o);
	snprintf(arg + o, sizeof(arg) - o,
	    "AWS_Access_Key_ID=AKIAEXAMPLE_tail");
	check_needles(arg, needles, sizeof(needles) / sizeof(needles[0]));
}

/* Short values keep the plain loops: same answers there too. */
static void
test_short_text(void **state)
{
	static const char *const needles[] = {
		"AWS", "aws", "wS_", "key", "-c", "-C AwS", "zz",
	};

	(void)state;
	check_needles("AwS_KeY", needles, sizeof(needles) / sizeof(needles[0]));
}

/* proc.cmdline and proc.args share one buffer: asking for either first
 * gives the same values, and argc=1 has empty args and no blank. */
static void
test_cmdline_args(void **state)
{
	static const char *const lone[] = {
		"type=SYSCALL msg=audit(1796412499.813:793): arch=c000003e "
		"syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=0 "
		"ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
		"sgid=0 fsgid=0 tty=(none) ses=1 comm=\"id\" exe=\"/usr/bin/id\" "
		"key=(null)",
		"type=EXECVE msg=audit(1796412499.813:793): argc=1 a0=\"id\"",
	};
	struct aw_event ev;

	(void)state;
	exec_event(&ev, "echo");
	assert_true(tl_fires("proc.args = \"-c echo\" and "
	    "proc.cmdline = \"sh -c echo\"", &ev));
	assert_true(tl_fires("proc.cmdline = \"sh -c echo\" and "
	    "proc.args = \"-c echo\"", &ev));
	assert_true(tl_fires("proc.cmdline endswith echo and "
	    "proc.args startswith \"-c\"", &ev));
	assert_false(tl_fires("proc.args contains sh", &ev));
	aw_event_free(&ev);

	aw_event_init(&ev);
	tl_event(&ev, lone, 2);
	assert_true(tl_fires("proc.args = \"\" and proc.cmdline = id", &ev));
	assert_true(tl_fires("proc.cmdline = id and proc.args exists", &ev));
	assert_false(tl_fires("proc.cmdline contains \" \"", &ev));
	aw_event_free(&ev);
}

/* evt.type sets of more than a few names are hashed while the index is
 * built: membership, negation and the bucket each event lands in must
 * not change. */
static void
test_large_evttype_sets(void **state)
{
	static const char *const names =
	    "(open, openat, openat2, creat, unlink, unlinkat, rename, "
	    "renameat, renameat2, mkdir, mkdirat, rmdir, chmod, fchmodat, "
	    "link, linkat, symlink, symlinkat, execveat)";
	char cond[512];
	struct aw_event ev;

	(void)state;
	exec_event(&ev, "x");
	snprintf(cond, sizeof(cond), "evt.type in %s", names);
	assert_false(tl_fires(cond, &ev));
	snprintf(cond, sizeof(cond), "not evt.type in %s", names);
	assert_true(tl_fires(cond, &ev));
	snprintf(cond, sizeof(cond), "evt.type in %s or evt.type = execve",
	    names);
	assert_true(tl_fires(cond, &ev));
	snprintf(cond, sizeof(cond), "(evt.type in %s or evt.type in "
	    "(execve, connect, bind, listen, accept, accept4, sendto, "
	    "sendmsg, recvfrom, recvmsg, socket)) and not evt.type in "
	    "(bind, listen, execveat, open)", names);
	assert_true(tl_fires(cond, &ev));
	snprintf(cond, sizeof(cond), "evt.type in %s and not evt.type in "
	    "(bind, listen, execve, open)", names);
	assert_false(tl_fires(cond, &ev));
	aw_event_free(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeated_letter),
		cmocka_unit_test(test_mixed_text),
		cmocka_unit_test(test_short_text),
		cmocka_unit_test(test_cmdline_args),
		cmocka_unit_test(test_large_evttype_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
