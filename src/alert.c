/*
 * alert.c — struct aw_alert: life cycle, priorities, Falco's JSON alert.
 *
 * The JSON is compact with sorted keys, exactly the shape Falco's
 * nlohmann::json produces (its objects are std::maps): hostname, output,
 * output_fields, priority, rule, source, tags, time. Tags are a sorted
 * set, as Falco's std::set. Event data may contain anything, so strings
 * are repaired with U+FFFD as Falco's encoder does (aw_json_quote).
 */
#include "autoconf.h"
#include "alert.h"

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

void
aw_alert_free(struct aw_alert *a)
{
	if (a == NULL)
		return;
	free(a->rule);
	free(a->source);
	free(a->hostname);
	free(a->output);
	json_decref(a->output_fields);
	for (int i = 0; i < a->ntags; i++)
		free(a->tags[i]);
	free(a->tags);
	free(a->container_id);
	free(a->container_name);
	free(a->k8s_pod_name);
	free(a->k8s_ns_name);
	free(a->proc_name);
	free(a->proc_cmdline);
	free(a->user_name);
	free(a->fd_name);
	free(a);
}

void
aw_format_time_ns(uint64_t ns, char *buf, size_t bufsz)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (gmtime_r(&sec, &tm) == NULL) {
		snprintf(buf, bufsz, "1970-01-01T00:00:00.000000000Z");
		return;
	}
	snprintf(buf, bufsz, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (unsigned)(ns % 1000000000u));
}

static int iso8601_prefix;	/* set once at startup, before threads */

void
aw_alert_set_time_format_iso8601(int on)
{
	iso8601_prefix = on;
}

char *
aw_alert_output_line(const struct aw_alert *a)
{
	time_t sec = (time_t)(a->time_ns / 1000000000u);
	const char *out = a->output ? a->output : "";
	char prefix[96], iso[40];
	struct tm tm;
	size_t plen;
	char *line;

	if (iso8601_prefix) {
		aw_format_time_ns(a->time_ns, iso, sizeof(iso));
		snprintf(prefix, sizeof(prefix), "%s: %s ", iso,
		    aw_priority_name(a->priority));
	} else {
		if (localtime_r(&sec, &tm) == NULL)
			memset(&tm, 0, sizeof(tm));
		snprintf(prefix, sizeof(prefix), "%02d:%02d:%02d.%09u: %s ",
		    tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (unsigned)(a->time_ns % 1000000000u),
		    aw_priority_name(a->priority));
	}
	plen = strlen(prefix);
	if (strncmp(out, prefix, plen) == 0)
		return strdup(out);
	if ((line = malloc(plen + strlen(out) + 1)) == NULL)
		return NULL;
	memcpy(line, prefix, plen);
	strcpy(line + plen, out);
	return line;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Falco's tags: a std::set, so sorted and without repeats. */
int
aw_alert_write_tags(struct aw_buf *b, const struct aw_alert *a)
{
	char **sorted;
	int n = 0, first = 1;

	if (a->ntags <= 0) {
		aw_buf_adds(b, "[]");
		return b->oom ? -1 : 0;
	}
	if ((sorted = calloc((size_t)a->ntags, sizeof(*sorted))) == NULL)
		return -1;
	for (int i = 0; i < a->ntags; i++)
		if (a->tags[i] != NULL)
			sorted[n++] = a->tags[i];
	qsort(sorted, (size_t)n, sizeof(*sorted), cmp_str);
	aw_buf_addc(b, '[');
	for (int i = 0; i < n; i++) {
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
aw_alert_write_fields(struct aw_buf *b, const struct aw_alert *a)
{
	if (a->output_fields == NULL || !json_is_object(a->output_fields)) {
		aw_buf_adds(b, "{}");
		return b->oom ? -1 : 0;
	}
	return aw_json_write(b, a->output_fields);
}

static void
key_str(struct aw_buf *b, const char *key, const char *v, int comma)
{
	if (comma)
		aw_buf_addc(b, ',');
	aw_buf_addc(b, '"');
	aw_buf_adds(b, key);
	aw_buf_adds(b, "\":");
	aw_json_quote(b, v, strlen(v));
}

/* Written directly, not through jansson: this runs for every alert on
 * the store's thread, and building then dumping a jansson tree cost more
 * than SQLite itself. The keys are already in Falco's (sorted) order;
 * test_alert_json checks the bytes against Falco's own alert. */
char *
aw_alert_to_falco_json(const struct aw_alert *a, int include_output,
    int include_tags)
{
	struct aw_buf b;
	char tbuf[40], *line = NULL;

	aw_buf_init(&b);
	aw_format_time_ns(a->time_ns, tbuf, sizeof(tbuf));
	aw_buf_addc(&b, '{');
	key_str(&b, "hostname", a->hostname ? a->hostname : "", 0);
	if (include_output) {
		if ((line = aw_alert_output_line(a)) == NULL) {
			aw_buf_free(&b);
			return NULL;
		}
		key_str(&b, "output", line, 1);
		free(line);
	}
	aw_buf_adds(&b, ",\"output_fields\":");
	if (aw_alert_write_fields(&b, a) != 0) {
		aw_buf_free(&b);
		return NULL;
	}
	key_str(&b, "priority", aw_priority_name(a->priority), 1);
	key_str(&b, "rule", a->rule ? a->rule : "", 1);
	key_str(&b, "source", a->source ? a->source : "syscall", 1);
	if (include_tags) {
		aw_buf_adds(&b, ",\"tags\":");
		if (aw_alert_write_tags(&b, a) != 0) {
			aw_buf_free(&b);
			return NULL;
		}
	}
	key_str(&b, "time", tbuf, 1);
	aw_buf_addc(&b, '}');
	return aw_buf_take(&b);
}
