/*
 * alert.c — struct aw_alert: life cycle, priorities, Falco's JSON alert.
 *
 * The JSON is compact with sorted keys, exactly the shape Falco's
 * nlohmann::json produces (its objects are std::maps): hostname, output,
 * output_fields, priority, rule, source, tags, time. Tags are a sorted
 * set, as Falco's std::set. Event data may contain anything, so strings
 * are repaired with U+FFFD as Falco's encoder does (aw_json_quote).
 *
 * This runs for every alert, so it avoids what showed up in profiles:
 * output_fields and tags from the rule engine arrive as JSON text and are
 * copied as they are; times are formatted by hand (the UTC date by
 * arithmetic, no gmtime/strftime/snprintf), and the part that changes
 * once a second (UTC date and time, local time of day) is cached per
 * thread. An engine alert keeps its strings in one block (strbuf), so
 * freeing one field means checking it is not in that block.
 */
#include "autoconf.h"
#include "alert.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alert_json.h"
#include "output/text.h"

static const char *const prio_names[] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice",
	"Informational", "Debug",
};

int
aw_priority_from_name(const char *name, enum aw_priority *out)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i <= AW_PRIO_DEBUG; i++) {
		if (strcasecmp(name, prio_names[i]) == 0) {
			*out = (enum aw_priority)i;
			return 0;
		}
	}
	if (strcasecmp(name, "info") == 0) {
		*out = AW_PRIO_INFORMATIONAL;
		return 0;
	}
	return -1;
}

const char *
aw_priority_name(enum aw_priority p)
{
	if ((int)p < 0 || p > AW_PRIO_DEBUG)
		return "Debug";
	return prio_names[p];
}

struct aw_alert *
aw_alert_new(void)
{
	struct aw_alert *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->priority = AW_PRIO_DEBUG;	/* never Emergency by accident */
	return a;
}

/* Is p one of the strings in a's block (then it is not freed alone)? */
static int
in_strbuf(const struct aw_alert *a, const char *p)
{
	uintptr_t u = (uintptr_t)p, base = (uintptr_t)a->strbuf;

	return a->strbuf != NULL && u >= base && u < base + a->strbuf_len;
}

static void
free_str(const struct aw_alert *a, char *p)
{
	if (!in_strbuf(a, p))
		free(p);
}

void
aw_alert_set_str(struct aw_alert *a, char **field, char *s)
{
	free_str(a, *field);
	*field = s;
}

void
aw_alert_free(struct aw_alert *a)
{
	if (a == NULL)
		return;
	free_str(a, a->rule);
	free_str(a, a->source);
	free_str(a, a->hostname);
	free_str(a, a->output);
	json_decref(a->output_fields);
	free_str(a, a->fields_json);
	for (int i = 0; i < a->ntags; i++)
		free_str(a, a->tags[i]);
	free(a->tags);
	free_str(a, a->tags_json);
	free_str(a, a->container_id);
	free_str(a, a->container_name);
	free_str(a, a->k8s_pod_name);
	free_str(a, a->k8s_ns_name);
	free_str(a, a->proc_name);
	free_str(a, a->proc_cmdline);
	free_str(a, a->user_name);
	free_str(a, a->fd_name);
	free(a->strbuf);
	free(a);
}

json_t *
aw_alert_fields(const struct aw_alert *a)
{
	if (a->fields_json != NULL)
		return json_loadb(a->fields_json, a->fields_json_len,
		    JSON_ALLOW_NUL, NULL);
	if (a->output_fields != NULL)
		return json_incref(a->output_fields);
	return json_object();
}

/* ------------------------------------------------------------ time */

/* n as exactly w digits, zero-padded (n < 10^w). */
static char *
put_digits(char *p, unsigned n, int w)
{
	for (int i = w - 1; i >= 0; i--) {
		p[i] = (char)('0' + n % 10);
		n /= 10;
	}
	return p + w;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * civil_from_days): what gmtime_r computes, without its locking and
 * without strftime/snprintf per alert. */
static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

/* "YYYY-MM-DDTHH:MM:SS" of sec (19 bytes). */
static void
utc_seconds(uint64_t sec, char *out)
{
	unsigned sod = (unsigned)(sec % 86400), m, d;
	char *p = out;
	int y;

	civil_from_days((int64_t)(sec / 86400), &y, &m, &d);
	/* ns < 2^64 keeps y in 1970..2554: always four digits */
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	put_digits(p, sod % 60, 2);
}

void
aw_format_time_ns(uint64_t ns, char *buf, size_t bufsz)
{
	/* alerts come in bursts: each thread keeps its last second */
	static _Thread_local uint64_t last_sec = UINT64_MAX;
	static _Thread_local char last[19];
	uint64_t sec = ns / 1000000000u;
	char tmp[31], *p = tmp + 19;
	size_t n;

	if (bufsz == 0)
		return;
	if (sec != last_sec) {
		utc_seconds(sec, last);
		last_sec = sec;
	}
	memcpy(tmp, last, 19);
	*p++ = '.';
	p = put_digits(p, (unsigned)(ns % 1000000000u), 9);
	*p++ = 'Z';
	n = (size_t)(p - tmp) < bufsz ? (size_t)(p - tmp) : bufsz - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
}

static int iso8601_prefix;	/* set once at startup, before threads */

void
aw_alert_set_time_format_iso8601(int on)
{
	iso8601_prefix = on;
}

/* Local "HH:MM:SS" of sec into out (8 bytes). localtime_r is the costly
 * part of an alert's line and alerts come in bursts, so each thread
 * keeps the last second it converted. */
static void
local_hms(time_t sec, char *out)
{
	static _Thread_local time_t last_sec = (time_t)-1;
	static _Thread_local char last[8];
	struct tm tm;

	if (sec != last_sec) {
		if (localtime_r(&sec, &tm) == NULL)
			memset(&tm, 0, sizeof(tm));
		put_digits(last, (unsigned)tm.tm_hour % 100, 2);
		last[2] = ':';
		put_digits(last + 3, (unsigned)tm.tm_min % 100, 2);
		last[5] = ':';
		put_digits(last + 6, (unsigned)tm.tm_sec % 100, 2);
		last_sec = sec;
	}
	memcpy(out, last, 8);
}

/* The output line's prefix, "HH:MM:SS.nnnnnnnnn: Priority " (or the RFC
 * 3339 time), into buf (at least AW_PREFIX_MAX bytes); returns its
 * length. Only digits, letters and punctuation: no escaping needed. */
#define AW_PREFIX_MAX 64
static size_t
line_prefix(const struct aw_alert *a, char *buf)
{
	const char *pn = aw_priority_name(a->priority);
	size_t pl = strlen(pn);
	char *p = buf;

	if (iso8601_prefix) {
		aw_format_time_ns(a->time_ns, buf, AW_PREFIX_MAX);
		p += strlen(buf);
	} else {
		local_hms((time_t)(a->time_ns / 1000000000u), p);
		p += 8;
		*p++ = '.';
		p = put_digits(p, (unsigned)(a->time_ns % 1000000000u), 9);
	}
	*p++ = ':';
	*p++ = ' ';
	memcpy(p, pn, pl);
	p += pl;
	*p++ = ' ';
	*p = '\0';
	return (size_t)(p - buf);
}

char *
aw_alert_output_line(const struct aw_alert *a)
{
	const char *out = a->output ? a->output : "";
	char prefix[AW_PREFIX_MAX];
	size_t plen = line_prefix(a, prefix), olen;
	char *line;

	if (strncmp(out, prefix, plen) == 0)
		return strdup(out);
	olen = strlen(out);
	if ((line = malloc(plen + olen + 1)) == NULL)
		return NULL;
	memcpy(line, prefix, plen);
	memcpy(line + plen, out, olen + 1);
	return line;
}

/* ------------------------------------------------------------ JSON */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Falco's tags: a std::set, so sorted and without repeats. */
int
aw_json_write_tags(struct aw_buf *b, char *const *tags, size_t ntags)
{
	char **sorted;
	size_t n = 0;
	int first = 1;

	if (ntags == 0) {
		aw_buf_adds(b, "[]");
		return b->oom ? -1 : 0;
	}
	if ((sorted = calloc(ntags, sizeof(*sorted))) == NULL)
		return -1;
	for (size_t i = 0; i < ntags; i++)
		if (tags[i] != NULL)
			sorted[n++] = tags[i];
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	aw_buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
			continue;
		if (!first)
			aw_buf_addc(b, ',');
		first = 0;
		aw_json_quote(b, sorted[i], strlen(sorted[i]));
	}
	aw_buf_addc(b, ']');
	free(sorted);
	return b->oom ? -1 : 0;
}

int
aw_alert_write_tags(struct aw_buf *b, const struct aw_alert *a)
{
	if (a->tags_json != NULL) {
		aw_buf_adds(b, a->tags_json);
		return b->oom ? -1 : 0;
	}
	return aw_json_write_tags(b, a->tags,
	    a->ntags > 0 ? (size_t)a->ntags : 0);
}

int
aw_alert_write_fields(struct aw_buf *b, const struct aw_alert *a)
{
	if (a->fields_json != NULL) {
		aw_buf_add(b, a->fields_json, a->fields_json_len);
		return b->oom ? -1 : 0;
	}
	if (a->output_fields == NULL || !json_is_object(a->output_fields)) {
		aw_buf_adds(b, "{}");
		return b->oom ? -1 : 0;
	}
	return aw_json_write(b, a->output_fields);
}

/* A string literal: its length is known at compile time. */
#define ADD_LIT(b, lit) aw_buf_add((b), (lit), sizeof(lit) - 1)

static void
add_quoted(struct aw_buf *b, const char *v)
{
	aw_json_quote(b, v, strlen(v));
}

/* aw_alert_output_line() escaped as it is built, not allocated first. */
void
aw_alert_write_output_line(struct aw_buf *b, const struct aw_alert *a)
{
	const char *out = a->output ? a->output : "";
	char prefix[AW_PREFIX_MAX];
	size_t plen = line_prefix(a, prefix);

	if (strncmp(out, prefix, plen) != 0)
		aw_buf_add(b, prefix, plen);
	aw_json_escape(b, out, strlen(out));
}

/* Written directly, not through jansson: this runs for every alert on
 * the store's thread, and building then dumping a jansson tree cost more
 * than SQLite itself. The keys are already in Falco's (sorted) order;
 * test_alert_json checks the bytes against Falco's own alert. */
int
aw_alert_write_falco_json(struct aw_buf *b, const struct aw_alert *a,
    int include_output, int include_tags)
{
	char tbuf[40];

	/* one allocation at most in the usual case: the fixed keys, short
	 * strings, the output with some room for escapes, fields and tags
	 * as they are (a larger alert just grows the buffer) */
	if (aw_buf_reserve(b, 512 + (a->output ? strlen(a->output) * 7 / 6 :
	    0) + a->fields_json_len + (a->tags_json ? strlen(a->tags_json) :
	    0)) != 0)
		return -1;
	aw_format_time_ns(a->time_ns, tbuf, sizeof(tbuf));
	ADD_LIT(b, "{\"hostname\":");
	add_quoted(b, a->hostname ? a->hostname : "");
	if (include_output) {
		ADD_LIT(b, ",\"output\":\"");
		aw_alert_write_output_line(b, a);
		aw_buf_addc(b, '"');
	}
	ADD_LIT(b, ",\"output_fields\":");
	if (aw_alert_write_fields(b, a) != 0)
		return -1;
	ADD_LIT(b, ",\"priority\":");
	add_quoted(b, aw_priority_name(a->priority));
	ADD_LIT(b, ",\"rule\":");
	add_quoted(b, a->rule ? a->rule : "");
	ADD_LIT(b, ",\"source\":");
	add_quoted(b, a->source ? a->source : "syscall");
	if (include_tags) {
		ADD_LIT(b, ",\"tags\":");
		if (aw_alert_write_tags(b, a) != 0)
			return -1;
	}
	ADD_LIT(b, ",\"time\":\"");
	aw_buf_adds(b, tbuf);	/* digits and punctuation */
	ADD_LIT(b, "\"}");
	return b->oom ? -1 : 0;
}

char *
aw_alert_to_falco_json(const struct aw_alert *a, int include_output,
    int include_tags)
{
	struct aw_buf b;

	aw_buf_init(&b);
	if (aw_alert_write_falco_json(&b, a, include_output,
	    include_tags) != 0) {
		aw_buf_free(&b);
		return NULL;
	}
	return aw_buf_take(&b);
}
