/*
 * test_event.c — decoding of whole events: SYSCALL fields, EXECVE argv
 * (split, hex, hostile), PROCTITLE, CWD, PATH, SOCKADDR; and the JSON
 * writer's escaping of what comes out.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "event.h"
#include "event_json.h"
#include "jsonw.h"
#include "reasm.h"
#include "record.h"

/* Build one event from log lines (all of one serial). */
struct built {
	struct aw_event ev;
	int got;
};

static void
on_raw(const struct aw_rawevent *raw, void *arg)
{
	struct built *b = arg;

	assert_int_equal(aw_event_build(&b->ev, raw), 0);
	b->got++;
}

static void
build(struct built *b, const char *const *lines, size_t n)
{
	struct aw_reasm *ra;
	struct aw_record r;
	const char *err;

	b->got = 0;
	ra = aw_reasm_new(NULL, on_raw, b);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(aw_record_parse_line(lines[i],
		    strlen(lines[i]), &r, &err), 0);
		aw_reasm_add(ra, &r, 1);
	}
	aw_reasm_flush(ra);
	aw_reasm_free(ra);
	assert_int_equal(b->got, 1);
}

static char *
hex(const char *s, size_t n)
{
	char *out = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", (unsigned char)s[i]);
	out[2 * n] = '\0';
	return out;
}

static void
test_syscall_fields(void **state)
{
	static const char *const l[] = {
		"type=SYSCALL msg=audit(1700000000.007:42): arch=c000003e "
		"syscall=257 success=no exit=-13 a0=ffffff9c a1=7ffd1 a2=241 "
		"a3=1b6 items=1 ppid=10 pid=11 auid=1000 uid=0 gid=0 euid=0 "
		"suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 "
		"comm=\"touch\" exe=\"/usr/bin/touch\" "
		"subj=unconfined key=(null)",
		"type=EOE msg=audit(1700000000.007:42): ",
	};
	struct built b = { 0 };

	(void)state;
	aw_event_init(&b.ev);
	build(&b, l, 2);
	assert_int_equal(b.ev.serial, 42);
	assert_int_equal(b.ev.msec, 7);
	assert_true(b.ev.has_syscall);
	assert_int_equal(b.ev.arch, 0xc000003e);
	assert_int_equal(b.ev.syscall, 257);
	assert_string_equal(b.ev.syscall_name, "openat");
	assert_int_equal(b.ev.success, 0);
	assert_int_equal(b.ev.exit, -13);
	assert_string_equal(aw_errno_name(b.ev.exit), "EACCES");
	assert_int_equal(b.ev.a[0], 0xffffff9c);
	assert_int_equal(b.ev.a[2], 0x241);
	assert_int_equal(b.ev.pid, 11);
	assert_int_equal(b.ev.ppid, 10);
	assert_int_equal(b.ev.auid, 1000);
	assert_int_equal(b.ev.ses, 3);
	assert_string_equal(b.ev.comm.s, "touch");
	assert_string_equal(b.ev.exe.s, "/usr/bin/touch");
	assert_string_equal(b.ev.tty.s, "pts0");
	assert_string_equal(b.ev.subj.s, "unconfined");
	assert_null(b.ev.key.s);
	assert_string_equal(aw_arch_name(b.ev.arch), "x86_64");
	/* Not in the records: explicit absence. */
	assert_true(b.ev.argc == AW_NONE);
	assert_null(b.ev.cwd.s);
	aw_event_free(&b.ev);
}

static void
test_i386_syscall_name(void **state)
{
	static const char *const l[] = {
		"type=SYSCALL msg=audit(1.000:1): arch=40000003 syscall=5 "
		"success=yes exit=3 items=1 pid=1",
	};
	struct built b = { 0 };

	(void)state;
	aw_event_init(&b.ev);
	build(&b, l, 1);
	assert_string_equal(b.ev.syscall_name, "open");
	assert_string_equal(aw_arch_name(b.ev.arch), "i386");
	aw_event_free(&b.ev);
}

/* socketcall(2) on i386: the event is named after its sub-call, and the
 * real arguments (behind a1) are marked unavailable. */
static void
test_i386_socketcall_demux(void **state)
{
	static const char *const conn[] = {
		"type=SYSCALL msg=audit(1.000:2): arch=40000003 syscall=102 "
		"success=yes exit=0 a0=3 a1=ffd0a5c0 a2=0 a3=0 items=0 pid=9",
		"type=SOCKADDR msg=audit(1.000:2): "
		"saddr=02001F907F0000010000000000000000",
		"type=EOE msg=audit(1.000:2): ",
	};
	static const char *const bogus[] = {
		"type=SYSCALL msg=audit(1.000:3): arch=40000003 syscall=102 "
		"success=no exit=-22 a0=63 a1=0 a2=0 a3=0 items=0 pid=9",
	};
	static const char *const x64[] = {	/* 42 is connect itself */
		"type=SYSCALL msg=audit(1.000:4): arch=c000003e syscall=42 "
		"success=yes exit=0 a0=3 a1=7ffd a2=10 a3=0 items=0 pid=9",
	};
	struct built b = { 0 };

	(void)state;
	aw_event_init(&b.ev);
	build(&b, conn, 3);
	assert_string_equal(b.ev.syscall_name, "connect");
	assert_int_equal(b.ev.syscall, 102);
	assert_true(b.ev.args_indirect);
	assert_int_equal(b.ev.sockaddr.port, 8080);
	build(&b, bogus, 1);	/* unknown sub-call: left as it is */
	assert_string_equal(b.ev.syscall_name, "socketcall");
	assert_false(b.ev.args_indirect);
	build(&b, x64, 1);
	assert_string_equal(b.ev.syscall_name, "connect");
	assert_false(b.ev.args_indirect);
	aw_event_free(&b.ev);
}

static void
test_execve_hostile_args(void **state)
{
	/* quotes, spaces, newline, tab, invalid UTF-8, empty argument */
	static const char a1[] = "with space";
	static const char a2[] = "quote\"d";
	static const char a3[] = "new\nline\ttab";
	static const char a4[] = "\xff\xfe bad utf8";
	char *h1 = hex(a1, sizeof(a1) - 1), *h2 = hex(a2, sizeof(a2) - 1);
	char *h3 = hex(a3, sizeof(a3) - 1), *h4 = hex(a4, sizeof(a4) - 1);
	char line[1024];
	const char *l[2];
	struct built b = { 0 };

	(void)state;
	snprintf(line, sizeof(line), "type=EXECVE msg=audit(1.000:1): argc=6 "
	    "a0=\"prog\" a1=%s a2=%s a3=%s a4=%s a5=\"\"", h1, h2, h3, h4);
	l[0] = "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 "
	    "success=yes exit=0 items=0 pid=5";
	l[1] = line;
	aw_event_init(&b.ev);
	build(&b, l, 2);
	assert_int_equal(b.ev.argc, 6);
	assert_int_equal(b.ev.nargv, 6);
	assert_false(b.ev.argv_incomplete);
	assert_string_equal(b.ev.argv[0].s, "prog");
	assert_string_equal(b.ev.argv[1].s, a1);
	assert_string_equal(b.ev.argv[2].s, a2);
	assert_string_equal(b.ev.argv[3].s, a3);
	assert_int_equal(b.ev.argv[4].len, sizeof(a4) - 1);
	assert_memory_equal(b.ev.argv[4].s, a4, sizeof(a4) - 1);
	assert_int_equal(b.ev.argv[5].len, 0);
	free(h1);
	free(h2);
	free(h3);
	free(h4);
	aw_event_free(&b.ev);
}

/* A 9 KB argument split over two EXECVE records, as the kernel does. */
static void
test_execve_split_across_records(void **state)
{
	size_t n = 9000, half;
	char *arg = malloc(n), *h, *r1, *r2;
	const char *l[3];
	struct built b = { 0 };

	(void)state;
	for (size_t i = 0; i < n; i++)
		arg[i] = (char)('a' + i % 26);
	h = hex(arg, n);
	half = 7000;	/* hex chars in the first chunk */
	r1 = malloc(2 * n + 256);
	r2 = malloc(2 * n + 256);
	sprintf(r1, "type=EXECVE msg=audit(1.000:9): argc=3 a0=\"x\" "
	    "a1_len=%zu a1[0]=%.*s", 2 * n, (int)half, h);
	sprintf(r2, "type=EXECVE msg=audit(1.000:9): a1[1]=%s a2=\"end\"",
	    h + half);
	l[0] = "type=SYSCALL msg=audit(1.000:9): arch=c000003e syscall=59 "
	    "success=yes exit=0 items=0 pid=5";
	l[1] = r1;
	l[2] = r2;
	aw_event_init(&b.ev);
	build(&b, l, 3);
	assert_int_equal(b.ev.nargv, 3);
	assert_false(b.ev.argv_incomplete);
	assert_int_equal(b.ev.argv[1].len, n);
	assert_memory_equal(b.ev.argv[1].s, arg, n);
	assert_string_equal(b.ev.argv[2].s, "end");
	free(arg);
	free(h);
	free(r1);
	free(r2);
	aw_event_free(&b.ev);
}

static void
test_execve_missing_chunk(void **state)
{
	static const char *const l[] = {
		"type=EXECVE msg=audit(1.000:3): argc=3 a0=\"x\" a1_len=8 "
		"a1[0]=4142",
	};
	struct built b = { 0 };

	(void)state;
	aw_event_init(&b.ev);
	build(&b, l, 1);
	assert_true(b.ev.argv_incomplete);
	assert_int_equal(b.ev.nargv, 2);
	assert_int_equal(b.ev.argv[1].len, 2);
	assert_memory_equal(b.ev.argv[1].s, "AB", 2);
	aw_event_free(&b.ev);
}

static void
test_execve_1500_args(void **state)
{
	size_t cap = 1500 * 16 + 128, len;
	char *line = malloc(cap);
	const char *l[1];
	struct built b = { 0 };
	char want[16];

	(void)state;
	len = (size_t)sprintf(line, "type=EXECVE msg=audit(1.000:4): argc=1500");
	for (int i = 0; i < 1500; i++)
		len += (size_t)sprintf(line + len, " a%d=\"v%d\"", i, i);
	l[0] = line;
	aw_event_init(&b.ev);
	build(&b, l, 1);
	assert_int_equal(b.ev.nargv, 1500);
	assert_false(b.ev.argv_incomplete);
	for (int i = 0; i < 1500; i += 149) {
		snprintf(want, sizeof(want), "v%d", i);
		assert_string_equal(b.ev.argv[i].s, want);
	}
	free(line);
	aw_event_free(&b.ev);
}

static void
test_execve_hostile_counts(void **state)
{
	/* Claims that would size huge arrays must be bounded by the text. */
	static const char *const l[] = {
		"type=EXECVE msg=audit(1.000:5): argc=2000000000 a0=\"x\" "
		"a1_len=4000000000 a1[0]=41 a99999999=\"y\" a1[1]=42",
	};
	struct built b = { 0 };

	(void)state;
	aw_event_init(&b.ev);
	build(&b, l, 1);
	assert_true(b.ev.argc == 2000000000);
	assert_true(b.ev.argv_incomplete);
	assert_true(b.ev.nargv <= 64);
	assert_string_equal(b.ev.argv[0].s, "x");
	aw_event_free(&b.ev);
}

static void
test_proctitle_cwd_paths(void **state)
{
	static const char *const l[] = {
		"type=SYSCALL msg=audit(1.000:6): arch=c000003e syscall=82 "
		"success=yes exit=0 items=4 pid=5",
		"type=CWD msg=audit(1.000:6): cwd=2F746D702F6120620A63",
		"type=PATH msg=audit(1.000:6): item=0 name=\"/etc/\" inode=1 "
		"dev=08:01 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT",
		"type=PATH msg=audit(1.000:6): item=1 name=(null) inode=2 "
		"dev=08:01 mode=0100644 nametype=DELETE",
		"type=PATH msg=audit(1.000:6): item=2 name=\"x\" objtype=CREATE",
		"type=PATH msg=audit(1.000:6): item=3 name=2F6574632F6E65770A",
		"type=PROCTITLE msg=audit(1.000:6): proctitle=6D76002D66",
	};
	struct built b = { 0 };

	(void)state;
	aw_event_init(&b.ev);
	build(&b, l, 7);
	assert_int_equal(b.ev.closed_by, AW_CLOSE_SHAPE);
	assert_string_equal(b.ev.syscall_name, "rename");
	assert_string_equal(b.ev.cwd.s, "/tmp/a b\nc");
	assert_int_equal(b.ev.proctitle.len, 5);
	assert_memory_equal(b.ev.proctitle.s, "mv\0-f", 5);
	assert_int_equal(b.ev.npaths, 4);
	assert_string_equal(b.ev.paths[0].name.s, "/etc/");
	assert_string_equal(b.ev.paths[0].nametype.s, "PARENT");
	assert_int_equal(b.ev.paths[0].mode, 040755);
	assert_int_equal(b.ev.paths[0].ouid, 0);
	assert_null(b.ev.paths[1].name.s);
	assert_int_equal(b.ev.paths[1].inode, 2);
	assert_string_equal(b.ev.paths[2].nametype.s, "CREATE");
	assert_true(b.ev.paths[2].inode == AW_NONE);
	assert_string_equal(b.ev.paths[3].name.s, "/etc/new\n");
	aw_event_free(&b.ev);
}

static void
sockaddr_of(const char *saddr, struct built *b)
{
	char line[512];
	const char *l[1] = { line };

	snprintf(line, sizeof(line), "type=SOCKADDR msg=audit(1.000:7): "
	    "saddr=%s", saddr);
	build(b, l, 1);
}

static void
test_sockaddr_families(void **state)
{
	struct built b = { 0 };

	(void)state;
	aw_event_init(&b.ev);
	sockaddr_of("02000050A9FEA9FE0000000000000000", &b);
	assert_int_equal(b.ev.sockaddr.family, 2);
	assert_string_equal(b.ev.sockaddr.addr, "169.254.169.254");
	assert_int_equal(b.ev.sockaddr.port, 80);
	/* big-endian host: family bytes swapped */
	sockaddr_of("000200167F0000010000000000000000", &b);
	assert_int_equal(b.ev.sockaddr.family, 2);
	assert_string_equal(b.ev.sockaddr.addr, "127.0.0.1");
	assert_int_equal(b.ev.sockaddr.port, 22);
	sockaddr_of("0A001F90000000000000000000000000000000000000000100000000",
	    &b);
	assert_int_equal(b.ev.sockaddr.family, 10);
	assert_string_equal(b.ev.sockaddr.addr, "::1");
	assert_int_equal(b.ev.sockaddr.port, 8080);
	/* unix path with trailing garbage after the NUL */
	sockaddr_of("01002F7661722F72756E2F6E7363642F736F636B657400FFFF", &b);
	assert_int_equal(b.ev.sockaddr.family, 1);
	assert_string_equal(b.ev.sockaddr.path.s, "/var/run/nscd/socket");
	/* abstract */
	sockaddr_of("0100006162630000", &b);
	assert_string_equal(b.ev.sockaddr.path.s, "@abc");
	/* netlink */
	sockaddr_of("10000000D20400000100000000", &b);
	assert_int_equal(b.ev.sockaddr.family, 16);
	assert_int_equal(b.ev.sockaddr.nl_pid, 1234);
	assert_int_equal(b.ev.sockaddr.nl_groups, 1);
	/* truncated inet: no crash, no address */
	sockaddr_of("020000", &b);
	assert_int_equal(b.ev.sockaddr.family, 2);
	assert_string_equal(b.ev.sockaddr.addr, "");
	assert_int_equal(b.ev.sockaddr.port, -1);
	aw_event_free(&b.ev);
}

static void
test_json_escaping(void **state)
{
	struct jsonw w;
	static const char in[] = "a\"b\\c\nd\x01" "e\xc3\xa9" "f\xff" "g\xed\xa0\x80";

	(void)state;
	jsonw_init(&w);
	jsonw_str(&w, in, sizeof(in) - 1);
	jsonw_end_line(&w);
	assert_int_equal(w.len, strlen("\"a\\\"b\\\\c\\nd\\u0001e\xc3\xa9"
	    "f\\udcffg\\udced\\udca0\\udc80\"\n"));
	assert_memory_equal(w.buf, "\"a\\\"b\\\\c\\nd\\u0001e\xc3\xa9"
	    "f\\udcffg\\udced\\udca0\\udc80\"\n", w.len);
	jsonw_free(&w);
}

static void
test_event_json_shape(void **state)
{
	static const char *const l[] = {
		"type=SYSCALL msg=audit(1700000000.007:42): arch=c000003e "
		"syscall=42 success=no exit=-111 items=0 pid=9 uid=0",
		"type=SOCKADDR msg=audit(1700000000.007:42): "
		"saddr=02000050A9FEA9FE0000000000000000",
		"type=EOE msg=audit(1700000000.007:42): ",
	};
	struct built b = { 0 };
	struct jsonw w;
	char *s;

	(void)state;
	aw_event_init(&b.ev);
	build(&b, l, 3);
	jsonw_init(&w);
	aw_event_to_json(&b.ev, &w);
	s = strndup(w.buf, w.len);
	assert_non_null(strstr(s, "\"serial\":42,\"time\":1700000000.007,"));
	assert_non_null(strstr(s, "\"types\":[\"SYSCALL\",\"SOCKADDR\"]"));
	assert_non_null(strstr(s, "\"syscall\":\"connect\""));
	assert_non_null(strstr(s, "\"errno\":\"ECONNREFUSED\""));
	assert_non_null(strstr(s, "\"sockaddr\":{\"family\":\"inet\","
	    "\"addr\":\"169.254.169.254\",\"port\":80}"));
	assert_non_null(strstr(s, "\"argv\":null"));
	assert_non_null(strstr(s, "\"closed_by\":\"eoe\""));
	free(s);
	jsonw_free(&w);
	aw_event_free(&b.ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_fields),
		cmocka_unit_test(test_i386_syscall_name),
		cmocka_unit_test(test_i386_socketcall_demux),
		cmocka_unit_test(test_execve_hostile_args),
		cmocka_unit_test(test_execve_split_across_records),
		cmocka_unit_test(test_execve_missing_chunk),
		cmocka_unit_test(test_execve_1500_args),
		cmocka_unit_test(test_execve_hostile_counts),
		cmocka_unit_test(test_proctitle_cwd_paths),
		cmocka_unit_test(test_sockaddr_families),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_event_json_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
