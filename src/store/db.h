/*
 * db.h — opening the alert database: file mode, pragmas, migrations.
 *
 * Shared by the writer (store.c), the delivery thread (read-only) and
 * `auditwatch alerts`. The schema lives in schema/NNN_*.sql, embedded at
 * build time (schema_sql.c); PRAGMA user_version records the last
 * migration applied. Migrations only go forward: a database newer than
 * this binary is refused for writing.
 */
#ifndef AW_STORE_DB_H
#define AW_STORE_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

struct aw_migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct aw_migration aw_migrations[];
extern const int aw_nmigrations;

enum aw_db_mode {
	AW_DB_WRITER,		/* create 0600 if missing, migrate, tune */
	AW_DB_READER,		/* read-only; the schema must exist */
};

/* Open path. Errors are "path: message" in err. busy_ms: busy timeout. */
int aw_db_open(const char *path, enum aw_db_mode mode, int64_t busy_ms,
    sqlite3 **out, char *err, size_t errsz);
/* Apply every embedded migration newer than user_version. */
int aw_db_migrate(sqlite3 *db, char *err, size_t errsz);
int aw_db_user_version(sqlite3 *db);
/* The database's random identity (meta.db_id), for idempotency keys;
 * copies at most sz-1 chars. */
int aw_db_id(sqlite3 *db, char *buf, size_t sz);
/* Latest schema version this binary knows. */
int aw_db_schema_latest(void);
/* Run one statement that returns nothing; 0 or the SQLite error code. */
int aw_db_exec(sqlite3 *db, const char *sql);
/* Wall clock in ns. */
uint64_t aw_db_now_ns(void);

#endif
