/*
 * output.c — stdout, file and syslog outputs (see output.h).
 *
 * Defaults follow Falco's falco.yaml: stdout on, file off (and reopened
 * for every alert unless keep_alive), unbuffered (flushed per alert; see
 * falco#3742 for what buffering costs). One difference: syslog_output is
 * off by default, because under systemd or Kubernetes stdout already
 * reaches the journal or the pod log and Falco's default logs each alert
 * twice. Syslog messages use the alert priority as the syslog severity,
 * as Falco does.
 */
#include "autoconf.h"
#include "output/output.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "alert_json.h"
#include "config.h"
#include "log.h"
#include "output/text.h"

struct sink {
	int enabled;
	enum aw_priority min_priority;
	enum aw_output_format format;
	struct aw_output_stats st;
};

struct aw_outputs {
	pthread_mutex_t lock;
	int include_output, include_tags, buffered;
	struct sink out, file, sys;
	FILE *stream;
	char *filename;
	int keep_alive, reopen_requested;
	FILE *fp;
	int facility;
	uint64_t reopens;
	struct aw_ratelimit rl;
	struct aw_buf json;	/* the JSON line, reused under lock */
};

static int
read_sink(const struct aw_config *cfg, const char *prefix, int dflt_enabled,
    enum aw_output_format dflt_fmt, struct sink *s, char *err, size_t errsz)
{
	char key[96];
	const char *v;

	snprintf(key, sizeof(key), "%s.enabled", prefix);
	if (aw_config_bool(cfg, key, dflt_enabled, &s->enabled, err, errsz))
		return -1;
	snprintf(key, sizeof(key), "%s.min_priority", prefix);
	v = aw_config_str(cfg, key, "debug");
	if (aw_priority_from_name(v, &s->min_priority) != 0) {
		snprintf(err, errsz, "%s: unknown priority '%s' (emergency, "
		    "alert, critical, error, warning, notice, informational, "
		    "debug)", key, v);
		return -1;
	}
	snprintf(key, sizeof(key), "%s.format", prefix);
	v = aw_config_str(cfg, key, dflt_fmt == AW_FMT_JSON ? "json" : "text");
	if (strcasecmp(v, "json") == 0)
		s->format = AW_FMT_JSON;
	else if (strcasecmp(v, "text") == 0)
		s->format = AW_FMT_TEXT;
	else {
		snprintf(err, errsz, "%s: unknown format '%s' (text, json)",
		    key, v);
		return -1;
	}
	return 0;
}

static int
facility_from_name(const char *n, int *out)
{
	static const struct { const char *n; int f; } tab[] = {
		{ "user", LOG_USER }, { "daemon", LOG_DAEMON },
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(n, tab[i].n) == 0)
			return *out = tab[i].f, 0;
	return -1;
}

struct aw_outputs *
aw_outputs_new(const struct aw_config *cfg, FILE *stdout_stream, char *err,
    size_t errsz)
{
	struct aw_outputs *o = calloc(1, sizeof(*o));
	int json = 0;
	const char *v;

	if (o == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	o->stream = stdout_stream ? stdout_stream : stdout;
	if (aw_config_bool(cfg, "json_output", 0, &json, err, errsz) ||
	    aw_config_bool(cfg, "json_include_output_property", 1,
	    &o->include_output, err, errsz) ||
	    aw_config_bool(cfg, "json_include_tags_property", 1,
	    &o->include_tags, err, errsz) ||
	    aw_config_bool(cfg, "buffered_outputs", 0, &o->buffered, err,
	    errsz) ||
	    read_sink(cfg, "stdout_output", 1, json ? AW_FMT_JSON : AW_FMT_TEXT,
	    &o->out, err, errsz) ||
	    read_sink(cfg, "file_output", 0, json ? AW_FMT_JSON : AW_FMT_TEXT,
	    &o->file, err, errsz) ||
	    read_sink(cfg, "syslog_output", 0, AW_FMT_TEXT, &o->sys, err,
	    errsz) ||
	    aw_config_bool(cfg, "file_output.keep_alive", 0, &o->keep_alive,
	    err, errsz))
		goto fail;
	v = aw_config_str(cfg, "file_output.filename", "./events.txt");
	if ((o->filename = strdup(v)) == NULL)
		goto oom;
	v = aw_config_str(cfg, "syslog_output.facility", "user");
	if (facility_from_name(v, &o->facility) != 0) {
		snprintf(err, errsz, "syslog_output.facility: unknown facility "
		    "'%s'", v);
		goto fail;
	}
	pthread_mutex_init(&o->lock, NULL);
	if (o->sys.enabled)
		openlog("auditwatch", LOG_PID | LOG_NDELAY, o->facility);
	return o;
oom:
	snprintf(err, errsz, "out of memory");
fail:
	free(o->filename);
	free(o);
	return NULL;
}

void
aw_outputs_free(struct aw_outputs *o)
{
	if (o == NULL)
		return;
	aw_outputs_flush(o);
	if (o->fp)
		fclose(o->fp);
	if (o->sys.enabled)
		closelog();
	pthread_mutex_destroy(&o->lock);
	aw_buf_free(&o->json);
	free(o->filename);
	free(o);
}

char *
aw_alert_text_line(const struct aw_alert *a)
{
	struct aw_buf b;

	aw_buf_init(&b);
	aw_alert_write_output_line(&b, a);
	return aw_buf_take(&b);
}

/* The line for one sink, made at most once per format per alert; the
 * JSON one in o->json, whose buffer is kept from alert to alert. */
static const char *
format_for(struct aw_outputs *o, const struct sink *s,
    const struct aw_alert *a, char **text, const char **json)
{
	if (s->format == AW_FMT_JSON) {
		if (*json == NULL) {
			aw_buf_reset(&o->json);
			o->json.oom = 0;
			if (aw_alert_write_falco_json(&o->json, a,
			    o->include_output, o->include_tags) == 0)
				*json = o->json.p;
		}
		return *json;
	}
	if (*text == NULL)
		*text = aw_alert_text_line(a);
	return *text;
}

static int
wants(const struct sink *s, const struct aw_alert *a)
{
	return s->enabled && a->priority <= s->min_priority;
}

static FILE *
open_file(struct aw_outputs *o)
{
	int fd = open(o->filename, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);

	if (fd < 0)
		return NULL;
	return fdopen(fd, "a");
}

static int
write_line(FILE *f, const char *line, int flush)
{
	if (fputs(line, f) == EOF || putc('\n', f) == EOF)
		return -1;
	if (flush && fflush(f) == EOF)
		return -1;
	return 0;
}

static void
emit_file(struct aw_outputs *o, const char *line)
{
	if (o->reopen_requested && o->fp) {
		fclose(o->fp);
		o->fp = NULL;
		o->reopens++;
	}
	o->reopen_requested = 0;
	if (o->fp == NULL && (o->fp = open_file(o)) == NULL) {
		o->file.st.errors++;
		if (aw_ratelimit_ok(&o->rl, 3, 60000))
			aw_err("file_output: %s: %s", o->filename,
			    strerror(errno));
		return;
	}
	if (write_line(o->fp, line, !o->buffered || !o->keep_alive) != 0) {
		o->file.st.errors++;
		clearerr(o->fp);
	} else
		o->file.st.written++;
	if (!o->keep_alive) {
		fclose(o->fp);
		o->fp = NULL;
	}
}

void
aw_outputs_emit(struct aw_outputs *o, const struct aw_alert *a)
{
	const char *line, *json = NULL;
	char *text = NULL;

	pthread_mutex_lock(&o->lock);
	if (wants(&o->out, a)) {
		if ((line = format_for(o, &o->out, a, &text, &json)) == NULL ||
		    write_line(o->stream, line, !o->buffered) != 0) {
			o->out.st.errors++;
			clearerr(o->stream);
		} else
			o->out.st.written++;
	} else if (o->out.enabled)
		o->out.st.filtered++;
	if (wants(&o->file, a)) {
		if ((line = format_for(o, &o->file, a, &text, &json)) != NULL)
			emit_file(o, line);
		else
			o->file.st.errors++;
	} else if (o->file.enabled)
		o->file.st.filtered++;
	if (wants(&o->sys, a)) {
		if ((line = format_for(o, &o->sys, a, &text, &json)) != NULL) {
			syslog(o->facility | (int)a->priority, "%s", line);
			o->sys.st.written++;
		} else
			o->sys.st.errors++;
	} else if (o->sys.enabled)
		o->sys.st.filtered++;
	pthread_mutex_unlock(&o->lock);
	free(text);
}

void
aw_outputs_reopen(struct aw_outputs *o)
{
	pthread_mutex_lock(&o->lock);
	o->reopen_requested = 1;
	pthread_mutex_unlock(&o->lock);
}

void
aw_outputs_flush(struct aw_outputs *o)
{
	pthread_mutex_lock(&o->lock);
	fflush(o->stream);
	if (o->fp)
		fflush(o->fp);
	pthread_mutex_unlock(&o->lock);
}

void
aw_outputs_stats(struct aw_outputs *o, struct aw_outputs_stats *out)
{
	pthread_mutex_lock(&o->lock);
	out->out_stdout = o->out.st;
	out->out_file = o->file.st;
	out->out_syslog = o->sys.st;
	out->reopens = o->reopens;
	pthread_mutex_unlock(&o->lock);
}
