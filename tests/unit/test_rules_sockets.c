/*
 * test_rules_sockets.c — socket fields over generated audit events, with
 * libsinsp's meaning of each side:
 *   connect/sendto  SOCKADDR = the server: fd.sip/sport, fd.rip/rport
 *   bind            SOCKADDR = the server socket's own address: fd.name
 *                   "sip:sport", fd.sip/sport, fd.is_server
 *   accept/accept4  SOCKADDR = the peer (move_addr_to_user): fd.cip/cport
 *   socket          a0..a2: fd.l4proto (tcp, udp, icmp, raw)
 * and what audit never records stays missing (fd.lport, the client side of
 * a connect, the server side of an accept, the l4proto of a connect, the
 * "cip:cport->sip:sport" name that needs both sides), and rules that test
 * those fields load as partial with the reason.
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

#include "rules_testlib.h"

/* One event: a SYSCALL record (x86_64) and optionally a SOCKADDR. */
static void
gen(struct aw_event *ev, int nr, long long exit, const char *a0,
    const char *a1, const char *a2, const char *saddr)
{
	char sys[1024], sa[512];
	const char *lines[2] = { sys, sa };

	snprintf(sys, sizeof(sys), "type=SYSCALL msg=audit(1796412512.621:"
	    "1760): arch=c000003e syscall=%d success=%s exit=%lld a0=%s "
	    "a1=%s a2=%s a3=0 items=0 ppid=10894 pid=10897 auid=1000 uid=0 "
	    "gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
	    "ses=3 comm=\"srv\" exe=\"/usr/bin/srv\" key=\"net\"", nr,
	    exit < 0 ? "no" : "yes", exit, a0, a1, a2);
	snprintf(sa, sizeof(sa), "type=SOCKADDR msg=audit(1796412512.621:"
	    "1760): saddr=%s", saddr ? saddr : "");
	aw_event_init(ev);
	tl_event(ev, lines, saddr ? 2 : 1);
}

/* AF_INET 10.1.2.3:443, AF_INET 203.0.113.9:51234, AF_INET6
 * 2001:db8::8888 port 8443, AF_UNIX /run/x.sock */
#define SA4_SERVER "020001BB0A0102030000000000000000"
#define SA4_CLIENT "0200C822CB0071090000000000000000"
#define SA6_SERVER "0A0020FB0000000020010DB8000000000000000000008888" \
	"00000000"
#define SA_UNIX "01002F72756E2F782E736F636B00"


/* Text of an output format on ev (suggested fields off). */
static void
expect_out(const char *fmt, const struct aw_event *ev, const char *want)
{
	char yaml[4096];
	struct tl_alerts al = { .n = 0 };
	struct aw_engine_options o;
	struct aw_diags d;
	struct aw_engine *e;

	aw_engine_options_default(&o);
	o.suggested_output = 0;
	snprintf(yaml, sizeof(yaml), "- rule: r\n  desc: d\n  condition: "
	    "evt.num > 0\n  output: \"%s\"\n  priority: WARNING\n"
	    "  warn_evttypes: false\n", fmt);
	aw_diags_init(&d);
	e = tl_engine_opts(yaml, &d, &o);
	if (e == NULL) {
		tl_print_diags(&d);
		fail_msg("did not load: %s", fmt);
	}
	aw_diags_free(&d);
	assert_int_equal(tl_eval(e, ev, NULL, &al), 1);
	if (strcmp(al.a[0]->output, want) != 0)
		fail_msg("'%s': got '%s', want '%s'", fmt, al.a[0]->output,
		    want);
	tl_alerts_clear(&al);
	aw_engine_free(e);
}

static void
test_socket_l4proto(void **state)
{
	struct aw_event ev;

	(void)state;
	/* socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3 */
	gen(&ev, 41, 3, "2", "80001", "0", NULL);
	YES("evt.type = socket and fd.l4proto = tcp and fd.typechar = 4 and "
	    "fd.num = 3", &ev);
	NO("fd.sip exists or fd.cip exists or fd.name exists or "
	    "fd.lport exists", &ev);
	aw_event_free(&ev);
	/* socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) */
	gen(&ev, 41, 4, "a", "2", "11", NULL);
	YES("fd.l4proto = udp and fd.type = ipv6", &ev);
	aw_event_free(&ev);
	/* ping socket: socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) */
	gen(&ev, 41, 4, "2", "2", "1", NULL);
	YES("fd.l4proto = icmp", &ev);
	aw_event_free(&ev);
	/* socket(AF_INET, SOCK_RAW, IPPROTO_TCP) */
	gen(&ev, 41, 4, "2", "3", "6", NULL);
	YES("fd.l4proto = raw", &ev);
	aw_event_free(&ev);
	/* SCTP (SOCK_STREAM, 132): not tcp, and not guessed */
	gen(&ev, 41, 4, "2", "1", "84", NULL);
	NO("fd.l4proto exists", &ev);
	YES("not fd.l4proto = tcp", &ev);
	aw_event_free(&ev);
	/* AF_UNIX and AF_PACKET: no l4 protocol; failed socket(): none */
	gen(&ev, 41, 4, "1", "1", "0", NULL);
	NO("fd.l4proto exists", &ev);
	aw_event_free(&ev);
	gen(&ev, 41, 4, "11", "3", "300", NULL);
	NO("fd.l4proto exists", &ev);
	YES("evt.arg.domain = AF_PACKET", &ev);
	aw_event_free(&ev);
	gen(&ev, 41, -97, "2", "1", "0", NULL);
	NO("fd.l4proto exists", &ev);
	aw_event_free(&ev);
}

static void
test_connect_sides(void **state)
{
	struct aw_event ev;

	(void)state;
	/* connect(5, 10.1.2.3:443) = 0 */
	gen(&ev, 42, 0, "5", "7ffd0000", "10", SA4_SERVER);
	YES("fd.sip = 10.1.2.3 and fd.sport = 443 and fd.rip = 10.1.2.3 and "
	    "fd.rport = 443 and fd.ip = 10.1.2.3 and fd.port = 443", &ev);
	YES("fd.is_server = false and fd.sockfamily = ip", &ev);
	/* the client side and the socket type are not audited */
	NO("fd.cip exists or fd.cport exists or fd.lip exists or "
	    "fd.lport exists or fd.l4proto exists or fd.name exists", &ev);
	YES("not fd.l4proto = tcp and not fd.lport = 1", &ev);
	expect_out("c=%fd.name s=%fd.sip:%fd.sport l=%fd.lport p=%fd.l4proto",
	    &ev, "c=<NA> s=10.1.2.3:443 l=<NA> p=<NA>");
	aw_event_free(&ev);
	/* connect to an AF_UNIX socket: the path is the name */
	gen(&ev, 42, 0, "5", "7ffd0000", "e", SA_UNIX);
	YES("fd.name = /run/x.sock and fd.typechar = u", &ev);
	NO("fd.sip exists", &ev);
	aw_event_free(&ev);
	/* sendto(6, ..., [2001:db8::8888]:8443) */
	gen(&ev, 44, 3, "6", "7ffd0000", "3", SA6_SERVER);
	YES("fd.sip = 2001:db8::8888 and fd.sport = 8443 and "
	    "fd.typechar = 6", &ev);
	YES("fd.snet = 2001:db8::/32", &ev);
	aw_event_free(&ev);
}

static void
test_bind_accept(void **state)
{
	struct aw_event ev;

	(void)state;
	/* bind(3, 10.1.2.3:443): a server socket named "sip:sport" */
	gen(&ev, 49, 0, "3", "7ffd0000", "10", SA4_SERVER);
	YES("fd.name = 10.1.2.3:443 and fd.sip = 10.1.2.3 and "
	    "fd.sport = 443 and fd.is_server = true and fd.typechar = 4",
	    &ev);
	/* as libsinsp for a server socket: no client, remote or local */
	NO("fd.cip exists or fd.rip exists or fd.lip exists or "
	    "fd.cport exists or fd.rport exists or fd.lport exists", &ev);
	aw_event_free(&ev);
	/* bind of an IPv6 address */
	gen(&ev, 49, 0, "3", "7ffd0000", "1c", SA6_SERVER);
	YES("fd.name = \"2001:db8::8888:8443\" and fd.typechar = 6", &ev);
	aw_event_free(&ev);

	/* accept4(3, addr, ...) = 7, peer 203.0.113.9:51234 */
	gen(&ev, 288, 7, "3", "7ffd0000", "7ffd0010", SA4_CLIENT);
	YES("fd.cip = 203.0.113.9 and fd.cport = 51234 and fd.num = 7 and "
	    "fd.is_server = true and fd.typechar = 4", &ev);
	YES("fd.cnet = 203.0.113.0/24 and fd.ip = 203.0.113.9", &ev);
	/* the listening side is not in the record */
	NO("fd.sip exists or fd.sport exists or fd.lip exists or "
	    "fd.lport exists or fd.name exists or fd.l4proto exists", &ev);
	expect_out("client=%fd.cip:%fd.cport server=%fd.sip:%fd.sport", &ev,
	    "client=203.0.113.9:51234 server=<NA>:<NA>");
	aw_event_free(&ev);
	/* a failed accept has no peer */
	gen(&ev, 43, -11, "3", "7ffd0000", "7ffd0010", NULL);
	NO("fd.cip exists or fd.is_server exists", &ev);
	aw_event_free(&ev);
}

/* Rules testing fields audit cannot supply are partial, with the reason;
 * fields of the socket table that are now supplied on some syscalls are
 * still partial (availability is per field, not per syscall). */
static void
test_load_time_availability(void **state)
{
	static const char yaml[] =
	    "- rule: ssh_tcp\n  desc: d\n  condition: evt.type = connect and "
	    "fd.l4proto = tcp and fd.sport = 22\n  output: o\n"
	    "  priority: WARNING\n"
	    "- rule: lport\n  desc: d\n  condition: evt.type = connect and "
	    "fd.lport > 1024\n  output: o\n  priority: WARNING\n"
	    "- rule: inbound\n  desc: d\n  condition: evt.type in (accept, "
	    "accept4) and fd.cip = 10.0.0.1\n  output: o\n"
	    "  priority: WARNING\n"
	    "- rule: server\n  desc: d\n  condition: evt.type = connect and "
	    "fd.sip = 10.0.0.1 and fd.sport = 443\n  output: o\n"
	    "  priority: WARNING\n"
	    "- rule: connected\n  desc: d\n  condition: evt.type = connect "
	    "and fd.connected = true\n  output: o\n  priority: WARNING\n"
	    "  skip-if-unknown-filter: true\n";
	struct aw_diags d;
	struct aw_engine *e;
	const struct aw_rule_info *r;
	int warned = 0;

	(void)state;
	aw_diags_init(&d);
	e = tl_engine_opts(yaml, &d, NULL);
	assert_non_null(e);
	r = aw_engine_rule_by_name(e, "ssh_tcp");
	assert_int_equal(r->state, AW_RULE_PARTIAL);
	assert_non_null(strstr(r->reason, "fd.l4proto"));
	assert_non_null(strstr(r->reason, "socket() events only"));
	r = aw_engine_rule_by_name(e, "lport");
	assert_int_equal(r->state, AW_RULE_PARTIAL);
	assert_non_null(strstr(r->reason, "fd.lport"));
	r = aw_engine_rule_by_name(e, "inbound");
	assert_int_equal(r->state, AW_RULE_PARTIAL);
	assert_non_null(strstr(r->reason, "fd.cip"));
	r = aw_engine_rule_by_name(e, "server");
	assert_int_equal(r->state, AW_RULE_ACTIVE);
	r = aw_engine_rule_by_name(e, "connected");
	assert_int_equal(r->state, AW_RULE_SKIPPED);
	/* and the loader said so, with a position */
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].level == AW_DIAG_WARNING && d.v[i].line > 0 &&
		    strstr(d.v[i].msg, "partial") &&
		    strstr(d.v[i].msg, "fd.l4proto"))
			warned = 1;
	assert_true(warned);
	aw_diags_free(&d);
	aw_engine_free(e);
}

/* A field audit never records on the only syscalls a rule matches is
 * reported at load time (the rule itself loads: checks are false). */
static int
warned_about(const struct aw_diags *d, const char *rule, const char *field)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == AW_DIAG_WARNING && d->v[i].line > 0 &&
		    d->v[i].item != NULL && strstr(d->v[i].item, rule) != NULL &&
		    strstr(d->v[i].msg, field) != NULL &&
		    strstr(d->v[i].msg, "never recorded") != NULL)
			return 1;
	return 0;
}

static void
test_never_on_syscall(void **state)
{
	static const char yaml[] =
	    "- rule: conn_name\n  desc: d\n  condition: evt.type = connect "
	    "and fd.name contains \"10.0.0.1\"\n  output: o\n"
	    "  priority: WARNING\n"
	    "- rule: conn_sip\n  desc: d\n  condition: evt.type in (connect, "
	    "sendto) and fd.sip = 10.0.0.1\n  output: o\n  priority: WARNING\n"
	    "- rule: mixed\n  desc: d\n  condition: evt.type in (connect, "
	    "openat) and fd.name contains x\n  output: o\n"
	    "  priority: WARNING\n"
	    "- rule: acc_sip\n  desc: d\n  condition: evt.type = accept4 and "
	    "fd.sip = 1.2.3.4\n  output: o\n  priority: WARNING\n"
	    "- rule: acc_name\n  desc: d\n  condition: evt.type = accept and "
	    "tolower(fd.name) contains x\n  output: o\n  priority: WARNING\n";
	struct aw_diags d;
	struct aw_engine *e;

	(void)state;
	aw_diags_init(&d);
	e = tl_engine_opts(yaml, &d, NULL);
	assert_non_null(e);
	assert_true(warned_about(&d, "conn_name", "fd.name"));
	assert_false(warned_about(&d, "conn_sip", "fd.sip"));
	assert_false(warned_about(&d, "mixed", "fd.name"));	/* openat */
	assert_true(warned_about(&d, "acc_sip", "fd.sip"));
	assert_true(warned_about(&d, "acc_name", "fd.name"));	/* in xform */
	assert_int_equal(aw_engine_rule_by_name(e, "conn_name")->state,
	    AW_RULE_ACTIVE);
	aw_diags_free(&d);
	aw_engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_l4proto),
		cmocka_unit_test(test_connect_sides),
		cmocka_unit_test(test_bind_accept),
		cmocka_unit_test(test_load_time_availability),
		cmocka_unit_test(test_never_on_syscall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
