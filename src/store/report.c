/*
 * report.c — delivery state report (see report.h). Every string from the
 * database is escaped for the terminal: last_error holds what a remote
 * receiver answered.
 */
#include "autoconf.h"
#include "store/report.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "output/text.h"
#include "store/db.h"

static void
put_time(FILE *out, sqlite3_stmt *st, int i)
{
	char buf[32];
	time_t t;
	struct tm tm;

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		fprintf(out, "%-20s", "-");
		return;
	}
	t = (time_t)(sqlite3_column_int64(st, i) / 1000000000);
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out, "%-20s", buf);
}

static void
put_text(FILE *out, sqlite3_stmt *st, int i, size_t max)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	struct aw_buf b;

	aw_buf_init(&b);
	aw_escape_terminal(&b, t ? (const char *)t : "-", max);
	fputs(b.p ? b.p : "", out);
	aw_buf_free(&b);
}

int
aw_store_print_deliveries(FILE *out, sqlite3 *db, int max_dead, char *err,
    size_t errsz)
{
	static const char q_dest[] =
	    "SELECT n.name,"
	    " (SELECT count(*) FROM outbox o WHERE o.destination = n.name"
	    "   AND o.state = 'pending'),"
	    " coalesce(d.sent, 0), coalesce(d.dead, 0), d.last_ok_ns,"
	    " d.last_error_ns, d.last_error"
	    " FROM (SELECT DISTINCT destination AS name FROM outbox"
	    "       UNION SELECT name FROM destinations) n"
	    " LEFT JOIN destinations d ON d.name = n.name ORDER BY n.name";
	static const char q_dead[] =
	    "SELECT o.destination, o.alert_id, o.updated_ns, a.rule,"
	    " o.attempts, o.last_error FROM outbox o"
	    " JOIN alerts a ON a.id = o.alert_id WHERE o.state = 'dead'"
	    " ORDER BY o.alert_id DESC LIMIT ?1";
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if (sqlite3_prepare_v2(db, q_dest, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	fprintf(out, "%-10s %8s %10s %6s  %-20s  %-20s  %s\n", "DESTINATION",
	    "PENDING", "SENT", "DEAD", "LAST SENT", "LAST ERROR AT",
	    "LAST ERROR");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		put_text(out, st, 0, 10);
		fprintf(out, " %8lld %10lld %6lld  ",
		    (long long)sqlite3_column_int64(st, 1),
		    (long long)sqlite3_column_int64(st, 2),
		    (long long)sqlite3_column_int64(st, 3));
		put_time(out, st, 4);
		fputs("  ", out);
		put_time(out, st, 5);
		fputs("  ", out);
		put_text(out, st, 6, 120);
		fputc('\n', out);
		n++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;
	if (n == 0)
		fprintf(out, "(no destinations have been configured)\n");
	if (max_dead <= 0)
		return 0;
	if (sqlite3_prepare_v2(db, q_dead, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int(st, 1, max_dead);
	n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			fprintf(out, "\nDead letters (newest first; the "
			    "receiver refused them and they are not "
			    "retried):\n");
		fputs("  ", out);
		put_text(out, st, 0, 10);
		fprintf(out, "  alert %lld  ",
		    (long long)sqlite3_column_int64(st, 1));
		put_time(out, st, 2);
		fprintf(out, "  attempts %d  ", sqlite3_column_int(st, 4));
		put_text(out, st, 3, 60);
		fputs("\n    ", out);
		put_text(out, st, 5, 200);
		fputc('\n', out);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		st = NULL;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return -1;
}

int
aw_store_print_deliveries_path(FILE *out, const char *path, int max_dead,
    char *err, size_t errsz)
{
	sqlite3 *db;
	int rc;

	if (aw_db_open(path, AW_DB_READER, 5000, &db, err, errsz) != 0)
		return -1;
	rc = aw_store_print_deliveries(out, db, max_dead, err, errsz);
	sqlite3_close(db);
	return rc;
}
