/*
 * db.c — open, tune and migrate the alert database (see db.h).
 *
 * The writer creates the file itself with mode 0600 before SQLite opens
 * it, because SQLite creates files with the process umask and gives the
 * -wal and -shm files the mode of the main file: creating the main file
 * first is what keeps alert text (command lines, file names) private.
 */
#include "autoconf.h"
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t
aw_db_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
aw_db_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int
aw_db_schema_latest(void)
{
	int v = 0;

	for (int i = 0; i < aw_nmigrations; i++)
		if (aw_migrations[i].version > v)
			v = aw_migrations[i].version;
	return v;
}

int
aw_db_user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Create the directory (0750) and the file (0600) if they are missing;
 * an existing file keeps its owner and mode. */
static int
create_private(const char *path, char *err, size_t errsz)
{
	char dir[4096], *slash;
	int fd;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		snprintf(err, errsz, "%s: path too long", path);
		return -1;
	}
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
			snprintf(err, errsz, "%s: cannot create directory: %s",
			    dir, strerror(errno));
			return -1;
		}
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int
fail(sqlite3 *db, const char *path, const char *what, char *err,
    size_t errsz)
{
	snprintf(err, errsz, "%s: %s: %s", path, what,
	    db ? sqlite3_errmsg(db) : "out of memory");
	return -1;
}

/* A fresh database gets its identity; an old one keeps it. */
static int
ensure_db_id(sqlite3 *db)
{
	unsigned char r[12];
	char hex[25], sql[160];
	FILE *f;

	if (aw_db_id(db, hex, sizeof(hex)) == 0)
		return 0;
	if ((f = fopen("/dev/urandom", "rb")) == NULL)
		return -1;
	if (fread(r, 1, sizeof(r), f) != sizeof(r)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	snprintf(sql, sizeof(sql),
	    "INSERT OR IGNORE INTO meta(key, value) VALUES ('db_id', '%s')",
	    hex);
	return aw_db_exec(db, sql) == SQLITE_OK ? 0 : -1;
}

int
aw_db_migrate(sqlite3 *db, char *err, size_t errsz)
{
	int v = aw_db_user_version(db), latest = aw_db_schema_latest();
	char sql[64];
	char *msg = NULL;

	if (v < 0)
		return snprintf(err, errsz, "cannot read user_version: %s",
		    sqlite3_errmsg(db)), -1;
	if (v > latest)
		return snprintf(err, errsz, "schema version %d is newer than "
		    "this auditwatch (%d); refusing to write to it", v, latest),
		    -1;
	for (int m = v + 1; m <= latest; m++) {
		const struct aw_migration *mg = NULL;

		for (int i = 0; i < aw_nmigrations; i++)
			if (aw_migrations[i].version == m)
				mg = &aw_migrations[i];
		if (mg == NULL)
			return snprintf(err, errsz, "migration %d is missing",
			    m), -1;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m);
		if (aw_db_exec(db, "BEGIN IMMEDIATE") != SQLITE_OK ||
		    sqlite3_exec(db, mg->sql, NULL, NULL, &msg) != SQLITE_OK ||
		    aw_db_exec(db, sql) != SQLITE_OK ||
		    aw_db_exec(db, "COMMIT") != SQLITE_OK) {
			snprintf(err, errsz, "migration %s: %s", mg->name,
			    msg ? msg : sqlite3_errmsg(db));
			sqlite3_free(msg);
			aw_db_exec(db, "ROLLBACK");
			return -1;
		}
	}
	if (ensure_db_id(db) != 0)
		return snprintf(err, errsz, "cannot set the database id: %s",
		    sqlite3_errmsg(db)), -1;
	return 0;
}

int
aw_db_id(sqlite3 *db, char *buf, size_t sz)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db,
	    "SELECT value FROM meta WHERE key = 'db_id'", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(buf, sz, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Writer settings (docs in schema/README.md, "Settings"): WAL so readers
 * never block the writer; synchronous=NORMAL, durable across crashes of
 * the daemon (not across power loss, which costs an fsync per commit);
 * temp files in memory so a small /tmp cannot fail a query; a WAL that is
 * truncated back after a checkpoint; checkpoints are run by a separate
 * connection (store.c), not by the committing writer. */
static const char writer_pragmas[] =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = NORMAL;"
	"PRAGMA temp_store = MEMORY;"
	"PRAGMA journal_size_limit = 67108864;"
	"PRAGMA foreign_keys = OFF;";

int
aw_db_open(const char *path, enum aw_db_mode mode, int64_t busy_ms,
    sqlite3 **out, char *err, size_t errsz)
{
	sqlite3 *db = NULL;
	int flags, v;
	char *msg = NULL;

	*out = NULL;
	if (mode == AW_DB_WRITER && create_private(path, err, errsz) != 0)
		return -1;
	flags = SQLITE_OPEN_NOMUTEX | (mode == AW_DB_WRITER ?
	    SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		fail(db, path, "cannot open", err, errsz);
		sqlite3_close(db);
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_ms > 0 && busy_ms < 3600000 ?
	    (int)busy_ms : 5000);
	if (mode == AW_DB_WRITER) {
		if (sqlite3_exec(db, writer_pragmas, NULL, NULL, &msg) !=
		    SQLITE_OK || aw_db_migrate(db, err, errsz) != 0) {
			if (msg)
				snprintf(err, errsz, "%s: %s", path, msg);
			sqlite3_free(msg);
			sqlite3_close(db);
			return -1;
		}
	} else {
		v = aw_db_user_version(db);
		if (v <= 0) {
			if (v < 0)
				fail(db, path, "cannot read", err, errsz);
			else
				snprintf(err, errsz, "%s: not an auditwatch "
				    "alert database (no schema)", path);
			sqlite3_close(db);
			return -1;
		}
	}
	*out = db;
	return 0;
}
