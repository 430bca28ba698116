/*
 * alert_json.h — the parts of Falco's JSON alert, written straight into a
 * buffer (alert.c). The store keeps output_fields and tags in exactly
 * these bytes, so the JSON rebuilt from a stored row (notice.c) is the
 * JSON the alert had.
 */
#ifndef AW_ALERT_JSON_H
#define AW_ALERT_JSON_H

#include "alert.h"
#include "output/text.h"

/* Sorted, without repeats: ["T1059","container"]. */
int aw_alert_write_tags(struct aw_buf *b, const struct aw_alert *a);
/* Compact, keys sorted; {} when there are none. */
int aw_alert_write_fields(struct aw_buf *b, const struct aw_alert *a);

/* time_format_iso_8601: the output line starts with the RFC 3339 UTC
 * time instead of local HH:MM:SS.nnnnnnnnn. Call before any thread. */
void aw_alert_set_time_format_iso8601(int on);

#endif
