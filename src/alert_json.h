/*
 * alert_json.h — the parts of Falco's JSON alert, written straight into a
 * buffer (alert.c). The store keeps output_fields and tags in exactly
 * these bytes, so the JSON rebuilt from a stored row (notice.c) is the
 * JSON the alert had. An alert's fields_json and tags_json are already
 * these bytes and are copied as they are.
 */
#ifndef AW_ALERT_JSON_H
#define AW_ALERT_JSON_H

#include "alert.h"
#include "output/text.h"

/* Sorted, without repeats: ["T1059","container"]. */
int aw_alert_write_tags(struct aw_buf *b, const struct aw_alert *a);
/* The same for a list of n tags (NULL entries skipped): what the rule
 * engine renders once per rule into an alert's tags_json. */
int aw_json_write_tags(struct aw_buf *b, char *const *tags, size_t n);
/* Compact, keys sorted; {} when there are none. */
int aw_alert_write_fields(struct aw_buf *b, const struct aw_alert *a);

/* The output line (aw_alert_output_line) escaped as a JSON string body
 * (aw_escape_line): the JSON "output" and the text output's line. */
void aw_alert_write_output_line(struct aw_buf *b, const struct aw_alert *a);
/* Falco's JSON alert (aw_alert_to_falco_json) appended to b, for a
 * caller that reuses its buffer. -1 on allocation failure. */
int aw_alert_write_falco_json(struct aw_buf *b, const struct aw_alert *a,
    int include_output, int include_tags);

/* time_format_iso_8601: the output line starts with the RFC 3339 UTC
 * time instead of local HH:MM:SS.nnnnnnnnn. Call before any thread. */
void aw_alert_set_time_format_iso8601(int on);

#endif
