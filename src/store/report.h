/*
 * report.h — delivery state for people: per destination totals, the
 * outbox depth and the dead letters with the receiver's answer. Used by
 * `auditwatch alerts --deliveries` and meant for `auditwatch status`.
 */
#ifndef AW_STORE_REPORT_H
#define AW_STORE_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>

/* Print to out; at most max_dead dead letters (newest first). */
int aw_store_print_deliveries(FILE *out, sqlite3 *db, int max_dead,
    char *err, size_t errsz);
/* Same, opening path read-only. */
int aw_store_print_deliveries_path(FILE *out, const char *path, int max_dead,
    char *err, size_t errsz);

#endif
