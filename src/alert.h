/*
 * alert.h — what the rule engine produces and the alert stage consumes.
 *
 * An alert is self-contained: every string is owned by the alert (freed
 * with aw_alert_free), so it can be queued, stored and delivered after the
 * event that produced it is gone. Falco's "output_fields" (typed values,
 * null for a field that could not be extracted) come in one of two forms:
 * the rule engine writes them straight as JSON text (fields_json: it
 * knows every value while it renders the output, and building a jansson
 * tree per alert cost more than the rest of the alert); other producers
 * (internal alerts, loss alerts) fill a jansson object (output_fields).
 * Tags likewise: the engine gives the rule's tags already rendered
 * (tags_json), others a plain array. aw_alert_fields() gives either
 * form as a jansson object for code that wants one.
 */
#ifndef AW_ALERT_H
#define AW_ALERT_H

#include <stdint.h>
#include <jansson.h>

/* Falco's priorities, most severe first (numbers as syslog severities). */
enum aw_priority {
	AW_PRIO_EMERGENCY = 0,
	AW_PRIO_ALERT,
	AW_PRIO_CRITICAL,
	AW_PRIO_ERROR,
	AW_PRIO_WARNING,
	AW_PRIO_NOTICE,
	AW_PRIO_INFORMATIONAL,
	AW_PRIO_DEBUG,
};

struct aw_alert {
	uint64_t time_ns;		/* event time, ns since the epoch */
	char *rule;
	enum aw_priority priority;
	char *source;			/* "syscall" */
	char *hostname;
	char *output;			/* formatted output line */
	json_t *output_fields;		/* object; owned (NULL when
					 * fields_json is set) */
	char *fields_json;		/* or the same as compact JSON with
					 * sorted keys, as in Falco's alert;
					 * owned */
	size_t fields_json_len;
	char **tags;			/* owned, ntags entries */
	int ntags;
	char *tags_json;		/* or the JSON array, sorted without
					 * repeats; owned; overrides tags */

	/* Typed columns for the store and notifiers (NULL when unknown),
	 * filled from the event whether or not the output names them. */
	char *container_id;
	char *container_name;
	char *k8s_pod_name;
	char *k8s_ns_name;
	char *proc_name;
	char *proc_cmdline;
	char *user_name;
	char *fd_name;
	uint32_t audit_serial;

	/* The strings above may point into this one block (the rule engine
	 * makes all of an alert's strings in one allocation); such a string
	 * is not freed on its own: replace one with aw_alert_set_str(). */
	char *strbuf;
	size_t strbuf_len;
};

/* Case-insensitive Falco names ("Warning", "INFO", "informational"...). */
int aw_priority_from_name(const char *name, enum aw_priority *out);
/* Falco's canonical spelling: "Emergency" ... "Debug". */
const char *aw_priority_name(enum aw_priority p);

struct aw_alert *aw_alert_new(void);
void aw_alert_free(struct aw_alert *a);
/* Set one of a's strings (field points into a) to s, which a then owns;
 * the old string is freed unless it lives in a->strbuf. */
void aw_alert_set_str(struct aw_alert *a, char **field, char *s);
/* output_fields as a jansson object whichever form the alert has: a new
 * reference (json_decref it), NULL on a parse or allocation failure.
 * Not for hot paths: alert_json.h writes the fields without it. */
json_t *aw_alert_fields(const struct aw_alert *a);
/* Falco's JSON alert (hostname, output, output_fields, priority, rule,
 * source, tags, time), as a newly allocated string. */
char *aw_alert_to_falco_json(const struct aw_alert *a, int include_output,
    int include_tags);
/* Falco's full output line, "HH:MM:SS.nnnnnnnnn: Priority output" (local
 * time), newly allocated; this is the JSON "output" and the text line.
 * a->output is the rule's formatted output without that prefix (a prefix
 * already present is not added twice). */
char *aw_alert_output_line(const struct aw_alert *a);
/* RFC 3339 UTC with nanoseconds: 2026-12-04T21:07:28.123456789Z */
void aw_format_time_ns(uint64_t ns, char *buf, size_t bufsz);

#endif
