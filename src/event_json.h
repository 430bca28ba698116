/*
 * event_json.h — the `--events` format: one JSON object per event.
 */
#ifndef AW_EVENT_JSON_H
#define AW_EVENT_JSON_H

#include "event.h"
#include "jsonw.h"

/* Append ev as one JSON object (no newline) to w. */
void aw_event_to_json(const struct aw_event *ev, struct jsonw *w);

#endif
