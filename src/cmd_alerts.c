/*
 * cmd_alerts.c — `auditwatch alerts`: query the alert history.
 *
 * Opens the SQLite store read-only (WAL: never blocks the daemon's
 * writer), builds one parameterised query from the filters, and prints
 * the newest --limit matches oldest first, as a table for people or as
 * Falco JSON lines (--json) for tools. --follow then polls for rows with
 * a higher id. Every string printed in the table went through the
 * terminal escaper: alert text is attacker-controlled.
 */
#include "autoconf.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "cli.h"
#include "config.h"
#include "notify/notice.h"
#include "output/text.h"
#include "store/db.h"
#include "store/report.h"
#include "store/store.h"

static const char alerts_usage[] =
"Usage: auditwatch alerts [OPTIONS]\n"
"\n"
"Query the alert history in the SQLite store (read-only; the daemon keeps\n"
"writing while you read).\n"
"\n"
"  --db FILE            Database (default: sqlite.path from the\n"
"                       configuration, else /var/lib/auditwatch/alerts.db).\n"
"  --since 1h|TIME      Only alerts at or after this: a duration ago (30s,\n"
"                       15m, 1h, 7d, 2w) or a time (2026-01-02,\n"
"                       2026-01-02T03:04:05Z, '2026-01-02 03:04', @EPOCH;\n"
"                       local time unless Z or +HH:MM is given).\n"
"  --until 1h|TIME      Only alerts before this.\n"
"  --rule GLOB          Rule names matching GLOB (case-sensitive; * ? [..]).\n"
"  --priority MIN       At least this severe: emergency, alert, critical,\n"
"                       error, warning, notice, informational, debug.\n"
"  --container ID|NAME  Container ID (or its prefix) or container name.\n"
"  --limit N            The newest N matches (default 100, 0 = all).\n"
"  --json               Falco JSON alerts, one per line.\n"
"  --follow             After the matches, keep printing new alerts.\n"
"  --deliveries         Delivery state per destination and dead letters.\n"
"  -h, --help           Show this help.\n";

struct query {
	const char *db, *rule, *container;
	int have_since, have_until, have_prio, json, follow, deliveries;
	int64_t since_ns, until_ns, limit;
	enum aw_priority prio;
};

/* --------------------------------------------------------------- times */

static int64_t
now_ns(void)
{
	return (int64_t)aw_db_now_ns();
}

/* "90s", "15m", "1h", "7d", "2w" → ns. */
static int
parse_duration(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	int64_t mult;

	if (end == s || v < 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 7 * 86400; break;
	default: return -1;
	}
	if (v > INT64_MAX / 1000000000 / mult)
		return -1;
	*out = (int64_t)v * mult * 1000000000;
	return 0;
}

/* Days since the epoch of a proleptic Gregorian date (no time zone). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
parse_time(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
	int64_t frac = 0, scale = 100000000, t;
	const char *p;
	char *end;

	if (strcmp(s, "now") == 0)
		return *out = now_ns(), 0;
	if (s[0] == '@') {
		long long e = strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end != '\0')
			return -1;
		return *out = (int64_t)e * 1000000000, 0;
	}
	if (parse_duration(s, &t) == 0)
		return *out = now_ns() - t, 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || mo < 1 ||
	    mo > 12 || d < 1 || d > 31)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1)
				return -1;
			p += 1 + n;
			if (*p == '.') {
				for (p++; isdigit((unsigned char)*p); p++) {
					frac += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*p == 'Z' && p[1] == '\0') {
		t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		    h * 3600 + mi * 60 + sec;
	} else if ((*p == '+' || *p == '-') &&
	    sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && strlen(p) == 6) {
		t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		    h * 3600 + mi * 60 + sec;
		t -= (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
	} else if (*p == '\0') {
		struct tm tm;

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = sec;
		tm.tm_isdst = -1;
		if ((t = (int64_t)mktime(&tm)) == -1)
			return -1;
	} else
		return -1;
	*out = t * 1000000000 + frac;
	return 0;
}

/* ------------------------------------------------------------- printing */

static int
term_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0
	    && ws.ws_col > 40)
		return ws.ws_col;
	return 0;
}

/* Code points in a valid UTF-8 string (for column padding). */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Escaped, cut to w columns, padded to w (pad = 0: no padding). */
static void
cell(const char *s, size_t w, int pad)
{
	struct aw_buf b, c;
	size_t n;

	aw_buf_init(&b);
	aw_escape_terminal(&b, s ? s : "-", 0);
	n = width(b.p ? b.p : "");
	if (w && n > w && b.p != NULL) {
		size_t bytes = 0, cols = 0;

		while (b.p[bytes] && cols < w - 1) {
			bytes++;
			while (((unsigned char)b.p[bytes] & 0xc0) == 0x80)
				bytes++;
			cols++;
		}
		aw_buf_init(&c);
		aw_buf_add(&c, b.p, bytes);
		aw_buf_adds(&c, "\xe2\x80\xa6");
		aw_buf_free(&b);
		b = c;
		n = w;
	}
	fputs(b.p ? b.p : "", stdout);
	if (pad)
		for (; n < w; n++)
			putchar(' ');
	aw_buf_free(&b);
}

/* The output without Falco's "HH:MM:SS.nnnnnnnnn: Priority " prefix,
 * which the table already shows in its own columns. */
static const char *
message_of(const char *out, enum aw_priority p)
{
	const char *name = aw_priority_name(p);
	size_t nl = strlen(name);

	if (out && strlen(out) > 20 + nl && out[2] == ':' && out[5] == ':' &&
	    out[8] == '.' && out[18] == ':' && out[19] == ' ' &&
	    strncmp(out + 20, name, nl) == 0 && out[20 + nl] == ' ')
		return out + 21 + nl;
	return out;
}

static void
print_header(void)
{
	printf("%-19s  %-13s  %-36s  %-16s  %s\n", "TIME", "PRIORITY", "RULE",
	    "CONTAINER", "OUTPUT");
}

static void
print_row(const struct aw_notice *n, int cols)
{
	char tbuf[32];
	time_t t = (time_t)(n->time_ns / 1000000000u);
	struct tm tm;
	int rest;

	localtime_r(&t, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%-19s  %-13s  ", tbuf, aw_priority_name(n->priority));
	cell(n->rule, 36, 1);
	fputs("  ", stdout);
	cell(n->container_name && *n->container_name ? n->container_name :
	    n->container_id, 16, 1);
	fputs("  ", stdout);
	rest = cols ? cols - (19 + 2 + 13 + 2 + 36 + 2 + 16 + 2) : 0;
	cell(message_of(n->output, n->priority), rest > 10 ? (size_t)rest :
	    (cols ? 10 : 0), 0);
	putchar('\n');
}

static char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

static void
row_to_notice(sqlite3_stmt *st, struct aw_notice *n)
{
	int p;

	memset(n, 0, sizeof(*n));
	n->id = sqlite3_column_int64(st, 0);
	n->time_ns = (uint64_t)sqlite3_column_int64(st, 1);
	n->time = col(st, 2);
	n->hostname = col(st, 3);
	n->rule = col(st, 4);
	p = sqlite3_column_int(st, 5);
	n->priority = p >= 0 && p <= AW_PRIO_DEBUG ? (enum aw_priority)p :
	    AW_PRIO_DEBUG;
	n->source = col(st, 6);
	n->tags = col(st, 7);
	n->output = col(st, 8);
	n->output_fields = col(st, 9);
	n->container_id = col(st, 10);
	n->container_name = col(st, 11);
	n->k8s_pod_name = col(st, 12);
	n->k8s_ns_name = col(st, 13);
	n->proc_name = col(st, 14);
	n->proc_cmdline = col(st, 15);
	n->user_name = col(st, 16);
	n->fd_name = col(st, 17);
}

static void
emit(const struct aw_notice *n, const struct query *q, int cols)
{
	char *j;

	if (q->json) {
		if ((j = aw_notice_falco_json(n, 1, 1)) != NULL) {
			puts(j);
			free(j);
		}
	} else
		print_row(n, cols);
}

/* --------------------------------------------------------------- query */

static sqlite3_stmt *
prepare(sqlite3 *db, const struct query *q, int follow_phase)
{
	char sql[1536];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql),
	    "SELECT id, time_ns, time, hostname, rule, priority_num, source,"
	    " tags, output, output_fields, container_id, container_name,"
	    " k8s_pod_name, k8s_ns_name, proc_name, proc_cmdline, user_name,"
	    " fd_name FROM alerts WHERE id > ?1%s%s%s%s%s ORDER BY id %s"
	    " LIMIT ?8",
	    q->have_since ? " AND time_ns >= ?2" : "",
	    q->have_until ? " AND time_ns < ?3" : "",
	    q->rule ? " AND rule GLOB ?4" : "",
	    q->have_prio ? " AND priority_num <= ?5" : "",
	    q->container ? " AND (container_name = ?6 OR"
	    " substr(container_id, 1, length(?7)) = ?7)" : "",
	    follow_phase ? "ASC" : "DESC");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (q->have_since)
		sqlite3_bind_int64(st, 2, q->since_ns);
	if (q->have_until)
		sqlite3_bind_int64(st, 3, q->until_ns);
	if (q->rule)
		sqlite3_bind_text(st, 4, q->rule, -1, SQLITE_STATIC);
	if (q->have_prio)
		sqlite3_bind_int(st, 5, (int)q->prio);
	if (q->container) {
		sqlite3_bind_text(st, 6, q->container, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, q->container, -1, SQLITE_STATIC);
	}
	return st;
}

static int
run_query(sqlite3 *db, const struct query *q)
{
	sqlite3_stmt *st = prepare(db, q, 0);
	struct aw_notice *rows = NULL;
	size_t n = 0, cap = 0;
	int64_t last = 0;
	int rc, cols = q->json ? 0 : term_width();
	struct timespec pause = { 0, 500000000 };

	if (st == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, 0);
	sqlite3_bind_int64(st, 8, q->limit > 0 ? q->limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct aw_notice *nr = realloc(rows, nc * sizeof(*nr));
			if (nr == NULL)
				break;
			rows = nr;
			cap = nc;
		}
		row_to_notice(st, &rows[n++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto fail_rows;
	if (!q->json && (n > 0 || q->follow))
		print_header();
	for (size_t i = n; i > 0; i--) {
		emit(&rows[i - 1], q, cols);
		if (rows[i - 1].id > last)
			last = rows[i - 1].id;
		aw_notice_clear(&rows[i - 1]);
	}
	free(rows);
	if (n == 0 && !q->follow && !q->json)
		fprintf(stderr, "auditwatch: no matching alerts\n");
	if (!q->follow)
		return 0;
	if (last == 0) {
		/* Nothing matched yet: follow from the newest row. */
		sqlite3_stmt *mx;
		if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM "
		    "alerts", -1, &mx, NULL) == SQLITE_OK) {
			if (sqlite3_step(mx) == SQLITE_ROW)
				last = sqlite3_column_int64(mx, 0);
			sqlite3_finalize(mx);
		}
	}
	fflush(stdout);
	if ((st = prepare(db, q, 1)) == NULL)
		goto fail;
	aw_install_signal_handlers();
	while (!aw_stop_requested) {
		sqlite3_bind_int64(st, 1, last);
		sqlite3_bind_int64(st, 8, 1000);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct aw_notice x;

			row_to_notice(st, &x);
			emit(&x, q, cols);
			last = x.id;
			aw_notice_clear(&x);
		}
		sqlite3_reset(st);
		fflush(stdout);
		if (rc == SQLITE_ROW)
			continue;
		nanosleep(&pause, NULL);
	}
	sqlite3_finalize(st);
	return 0;
fail_rows:
	for (size_t i = 0; i < n; i++)
		aw_notice_clear(&rows[i]);
	free(rows);
fail:
	fprintf(stderr, "auditwatch: alerts: %s\n", sqlite3_errmsg(db));
	return 1;
}

int
aw_cmd_alerts(struct aw_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "rule", required_argument, NULL, 'r' },
		{ "priority", required_argument, NULL, 'p' },
		{ "container", required_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "deliveries", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct aw_store_config dflt;
	struct query q;
	char err[512], *end;
	sqlite3 *db;
	int c, rc;

	memset(&q, 0, sizeof(q));
	q.limit = 100;
	aw_store_config_defaults(&dflt);
	q.db = aw_config_str(cfg, "sqlite.path", dflt.path);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			q.db = optarg;
			break;
		case 's':
		case 'u':
			if (parse_time(optarg, c == 's' ? &q.since_ns :
			    &q.until_ns) != 0) {
				fprintf(stderr, "auditwatch: alerts: --%s: "
				    "cannot read '%s' as a duration (1h) or a "
				    "time (2026-01-02T03:04:05Z)\n",
				    c == 's' ? "since" : "until", optarg);
				return 2;
			}
			if (c == 's')
				q.have_since = 1;
			else
				q.have_until = 1;
			break;
		case 'r':
			q.rule = optarg;
			break;
		case 'p':
			if (aw_priority_from_name(optarg, &q.prio) != 0) {
				fprintf(stderr, "auditwatch: alerts: unknown "
				    "priority '%s'\n", optarg);
				return 2;
			}
			q.have_prio = 1;
			break;
		case 'c':
			q.container = optarg;
			break;
		case 'l':
			q.limit = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || q.limit < 0) {
				fprintf(stderr, "auditwatch: alerts: --limit: "
				    "not a count: '%s'\n", optarg);
				return 2;
			}
			break;
		case 'j':
			q.json = 1;
			break;
		case 'f':
			q.follow = 1;
			break;
		case 'D':
			q.deliveries = 1;
			break;
		case 'h':
			fputs(alerts_usage, stdout);
			return 0;
		default:
			fputs(alerts_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "auditwatch: alerts: unexpected argument '%s'\n",
		    argv[optind]);
		return 2;
	}
	if (aw_db_open(q.db, AW_DB_READER, 5000, &db, err, sizeof(err)) != 0) {
		fprintf(stderr, "auditwatch: alerts: %s\n", err);
		return 1;
	}
	if (q.deliveries) {
		rc = aw_store_print_deliveries(stdout, db, 20, err,
		    sizeof(err)) == 0 ? 0 : 1;
		if (rc)
			fprintf(stderr, "auditwatch: alerts: %s\n", err);
	} else
		rc = run_query(db, &q);
	sqlite3_close(db);
	return rc;
}
