/*
 * test_record.c — record framing, key=value scanning, value decoding.
 */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"

#define S(lit) lit, sizeof(lit) - 1

static void
test_log_line(void **state)
{
	struct aw_record r;
	const char *err;

	(void)state;
	assert_int_equal(aw_record_parse_line(S("type=SYSCALL "
	    "msg=audit(1700000000.123:4567): arch=c000003e syscall=59\n"),
	    &r, &err), 0);
	assert_int_equal(r.type, 1300);
	assert_int_equal(r.sec, 1700000000);
	assert_int_equal(r.msec, 123);
	assert_int_equal(r.serial, 4567);
	assert_null(r.node);
	assert_int_equal(r.bodylen, strlen("arch=c000003e syscall=59"));
	assert_memory_equal(r.body, "arch=c000003e syscall=59", r.bodylen);
}

static void
test_node_and_enriched(void **state)
{
	struct aw_record r;
	const char *err;
	static const char line[] = "node=web-1 type=EXECVE "
	    "msg=audit(1.002:3): argc=1 a0=\"ls\"\x1d" "ARCH=x86_64 UID=\"root\"";

	(void)state;
	assert_int_equal(aw_record_parse_line(S(line), &r, &err), 0);
	assert_int_equal(r.type, 1309);
	assert_int_equal(r.nodelen, 5);
	assert_memory_equal(r.node, "web-1", 5);
	assert_int_equal(r.bodylen, strlen("argc=1 a0=\"ls\""));
	assert_non_null(r.enriched);
	assert_memory_equal(r.enriched, "ARCH=x86_64", 11);
}

static void
test_unknown_type_and_numeric(void **state)
{
	struct aw_record r;
	const char *err;

	(void)state;
	assert_int_equal(aw_record_parse_line(S("type=UNKNOWN[1329] "
	    "msg=audit(1.000:1): x=1"), &r, &err), 0);
	assert_int_equal(r.type, 1329);
	assert_int_equal(aw_record_parse_line(S("type=1300 "
	    "msg=audit(1.000:1): x=1"), &r, &err), 0);
	assert_int_equal(r.type, 1300);
	assert_int_equal(aw_record_parse_line(S("type=NOPE "
	    "msg=audit(1.000:1): x=1"), &r, &err), -1);
	assert_string_equal(err, "unknown record type");
}

static void
test_malformed_headers(void **state)
{
	static const char *const bad[] = {
		"", "type=", "type=SYSCALL", "type=SYSCALL msg=",
		"type=SYSCALL msg=audit(", "type=SYSCALL msg=audit(1.2",
		"type=SYSCALL msg=audit(1.2:", "type=SYSCALL msg=audit(x.2:3): a",
		"type=SYSCALL msg=audit(1.2000:3): a",
		"type=SYSCALL msg=audit(1.2:99999999999): a",
		"type=SYSCALL msg=audit(99999999999999999999999.2:3): a",
		"garbage",
	};
	struct aw_record r;
	const char *err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		assert_int_equal(aw_record_parse_line(bad[i], strlen(bad[i]),
		    &r, &err), -1);
		assert_non_null(err);
	}
}

static void
test_wire(void **state)
{
	struct aw_record r;
	const char *err;

	(void)state;
	/* Old kernels print two spaces before cwd=. */
	assert_int_equal(aw_record_parse_wire(1307,
	    S("audit(1364481363.243:24287):  cwd=\"/root\""), &r, &err), 0);
	assert_int_equal(r.type, 1307);
	assert_int_equal(r.serial, 24287);
	assert_memory_equal(r.body, "cwd=\"/root\"", r.bodylen);
	/* EOE has an empty body; trailing NUL is not part of it. */
	assert_int_equal(aw_record_parse_wire(1320,
	    "audit(1.000:7): \0", 17, &r, &err), 0);
	assert_int_equal(r.bodylen, 0);
}

static void
test_kv_forms(void **state)
{
	static const char body[] = "avc:  denied  { read } for pid=12 "
	    "comm=\"a b\" name=2F746D70 key=(null) "
	    "msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" res=success' "
	    "subj==unconfined tail=";
	struct aw_kv_iter it;
	struct aw_kv kv;
	const char *keys[8];
	size_t n = 0;

	(void)state;
	aw_kv_init(&it, S(body));
	while (aw_kv_next(&it, &kv) && n < 8) {
		static char store[8][32];
		snprintf(store[n], sizeof(store[n]), "%.*s", (int)kv.keylen,
		    kv.key);
		keys[n] = store[n];
		n++;
		if (strcmp(store[n - 1], "comm") == 0) {
			assert_int_equal(kv.quote, '"');
			assert_int_equal(kv.vallen, 3);
		}
		if (strcmp(store[n - 1], "msg") == 0) {
			assert_int_equal(kv.quote, '\'');
			assert_memory_equal(kv.val + kv.vallen - 11,
			    "res=success", 11);
		}
		if (strcmp(store[n - 1], "subj") == 0)
			assert_memory_equal(kv.val, "=unconfined", 11);
	}
	assert_int_equal(n, 7);
	assert_string_equal(keys[0], "pid");
	assert_string_equal(keys[5], "subj");
	assert_string_equal(keys[6], "tail");
}

static void
test_nested_msg(void **state)
{
	static const char body[] = "pid=1 uid=0 msg='op=PAM:session_open "
	    "acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=1.2.3.4 "
	    "terminal=ssh res=success'";
	struct aw_kv outer, kv;

	(void)state;
	assert_true(aw_kv_find(S(body), "msg", &outer));
	assert_true(aw_kv_find(outer.val, outer.vallen, "acct", &kv));
	assert_memory_equal(kv.val, "root", 4);
	assert_true(aw_kv_find(outer.val, outer.vallen, "res", &kv));
	assert_int_equal(kv.vallen, 7);
	assert_false(aw_kv_find(outer.val, outer.vallen, "nothere", &kv));
}

static void
decode(const char *text, char quote, char *out, size_t outsz, long *n)
{
	struct aw_kv kv = { "k", 1, text, strlen(text), quote };
	int trunc;

	*n = aw_value_decode(&kv, out, outsz, &trunc);
}

static void
test_value_decoding(void **state)
{
	char out[64];
	long n;

	(void)state;
	decode("ls", '"', out, sizeof(out), &n);	/* quoted: literal */
	assert_int_equal(n, 2);
	assert_string_equal(out, "ls");
	decode("414243", '"', out, sizeof(out), &n);	/* quoted hex-looking */
	assert_string_equal(out, "414243");
	decode("414243", 0, out, sizeof(out), &n);	/* bare hex */
	assert_string_equal(out, "ABC");
	decode("2F746D702F61206222630A", 0, out, sizeof(out), &n);
	assert_int_equal(n, 11);
	assert_memory_equal(out, "/tmp/a b\"c\n", 11);
	decode("(null)", 0, out, sizeof(out), &n);
	assert_int_equal(n, -1);
	decode("41F", 0, out, sizeof(out), &n);		/* odd: raw */
	assert_string_equal(out, "41F");
	decode("ZZ", 0, out, sizeof(out), &n);		/* not hex: raw */
	assert_string_equal(out, "ZZ");
	decode("C3A9FF00", 0, out, sizeof(out), &n);	/* NUL and non-UTF-8 */
	assert_int_equal(n, 4);
	assert_memory_equal(out, "\xc3\xa9\xff\x00", 4);
}

static void
test_value_truncation(void **state)
{
	struct aw_kv kv = { "k", 1, "41424344", 8, 0 };
	char out[3];
	int trunc;

	(void)state;
	assert_int_equal(aw_value_decoded_len(&kv), 4);
	assert_int_equal(aw_value_decode(&kv, out, sizeof(out), &trunc), 2);
	assert_true(trunc);
	assert_string_equal(out, "AB");
}

static void
test_numbers(void **state)
{
	uint64_t u;
	int64_t i;

	(void)state;
	assert_int_equal(aw_parse_u64(S("18446744073709551615"), 10, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(aw_parse_u64(S("18446744073709551616"), 10, &u), -1);
	assert_int_equal(aw_parse_u64(S("c000003e"), 16, &u), 0);
	assert_int_equal(u, 0xc000003e);
	assert_int_equal(aw_parse_u64(S(""), 10, &u), -1);
	assert_int_equal(aw_parse_u64(S("12a"), 10, &u), -1);
	assert_int_equal(aw_parse_i64(S("-13"), &i), 0);
	assert_int_equal(i, -13);
	assert_int_equal(aw_parse_i64(S("-9223372036854775808"), &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(aw_parse_i64(S("9223372036854775808"), &i), -1);
}

static void
test_type_names(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(aw_record_type_from_name(S("PROCTITLE")), 1327);
	assert_int_equal(aw_record_type_from_name(S("EOE")), 1320);
	assert_int_equal(aw_record_type_from_name(S("USER_LOGIN")), 1112);
	assert_string_equal(aw_record_type_name(1300, buf, sizeof(buf)),
	    "SYSCALL");
	assert_string_equal(aw_record_type_name(1999, buf, sizeof(buf)),
	    "UNKNOWN[1999]");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_line),
		cmocka_unit_test(test_node_and_enriched),
		cmocka_unit_test(test_unknown_type_and_numeric),
		cmocka_unit_test(test_malformed_headers),
		cmocka_unit_test(test_wire),
		cmocka_unit_test(test_kv_forms),
		cmocka_unit_test(test_nested_msg),
		cmocka_unit_test(test_value_decoding),
		cmocka_unit_test(test_value_truncation),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_type_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
