/*
 * slack.c — Slack payloads and escaping (see slack.h).
 *
 * Payloads are built with jansson (so JSON escaping is jansson's); this
 * file only decides what text goes where and escapes it for Slack.
 * Colours are falcosidekick's, so a channel fed by both looks the same.
 */
#include "autoconf.h"
#include "notify/slack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#define ELLIPSIS "\xe2\x80\xa6"

void
aw_slack_opts_defaults(struct aw_slack_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_text = 3000;
	o->max_field = 300;
	o->digest_lines = 20;
}

const char *
aw_slack_color(enum aw_priority p)
{
	switch (p) {
	case AW_PRIO_EMERGENCY: return "#e20b0b";
	case AW_PRIO_ALERT: return "#ff5400";
	case AW_PRIO_CRITICAL: return "#ff5400";
	case AW_PRIO_ERROR: return "#e20b0b";
	case AW_PRIO_WARNING: return "#ffc700";
	case AW_PRIO_NOTICE: return "#5bffb5";
	case AW_PRIO_INFORMATIONAL: return "#68c2ff";
	default: return "#ccfff2";
	}
}

/* Code points shown as \u{...}: they reorder or hide text. */
static int
invisible(uint32_t cp)
{
	return (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    (cp >= 0x200b && cp <= 0x200f) || cp == 0xfeff || cp == 0x7f;
}

void
aw_slack_escape(struct aw_buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p), n, start = b->len;
	char piece[16];
	const char *out;
	size_t olen;
	uint32_t cp;
	int bad;

	if (max && max < 8)
		max = 8;
	if (max) {
		/* Whole if it fits: the cut below reserves room for the
		 * ellipsis and would drop a tail that fits exactly. */
		aw_slack_escape(b, s, 0);
		if (b->oom || b->len - start <= max)
			return;
		b->len = start;
		b->p[start] = '\0';
	}
	for (size_t i = 0; i < len; i += n) {
		n = aw_utf8_decode(p + i, len - i, &cp, &bad);
		out = piece;
		if (cp == '&')
			out = "&amp;";
		else if (cp == '<')
			out = "&lt;";
		else if (cp == '>')
			out = "&gt;";
		else if (cp == '\n')
			out = "\\n";
		else if (cp == '\r')
			out = "\\r";
		else if (cp == '\t')
			out = "\\t";
		else if (cp < 0x20)
			snprintf(piece, sizeof(piece), "\\x%02x", (unsigned)cp);
		else if (invisible(cp))
			snprintf(piece, sizeof(piece), "\\u{%x}", (unsigned)cp);
		else if (bad)
			out = "\xef\xbf\xbd";
		else {
			memcpy(piece, p + i, n);
			piece[n] = '\0';
		}
		olen = strlen(out);
		/* Never cut an entity or escape in half; the last piece may
		 * use the room the ellipsis would have taken. */
		if (max && b->len - start + olen + 3 > max &&
		    (i + n < len || b->len - start + olen > max)) {
			aw_buf_adds(b, ELLIPSIS);
			return;
		}
		aw_buf_add(b, out, olen);
	}
}

static json_t *
esc(const char *s, size_t max)
{
	struct aw_buf b;
	json_t *j;

	aw_buf_init(&b);
	aw_slack_escape(&b, s, max);
	j = json_string(b.p ? b.p : "");
	aw_buf_free(&b);
	return j;
}

static int
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

static void
add_field(json_t *fields, const char *title, const char *value, size_t max,
    int is_short)
{
	json_t *f;

	if (empty(value) || json_array_size(fields) >= 10)
		return;
	f = json_pack("{s:s, s:o, s:b}", "title", title, "value",
	    esc(value, max), "short", is_short);
	if (f)
		json_array_append_new(fields, f);
}

/* "name (id)", "id", or NULL. */
static char *
container_text(const struct aw_notice *n)
{
	char *s = NULL;

	if (!empty(n->container_name) && !empty(n->container_id)) {
		if (asprintf(&s, "%s (%s)", n->container_name,
		    n->container_id) < 0)
			s = NULL;
	} else if (!empty(n->container_id))
		s = strdup(n->container_id);
	else if (!empty(n->container_name))
		s = strdup(n->container_name);
	return s;
}

static char *
join2(const char *a, const char *sep, const char *b)
{
	char *s;

	if (empty(a) && empty(b))
		return NULL;
	if (empty(a))
		return strdup(b);
	if (empty(b))
		return strdup(a);
	if (asprintf(&s, "%s%s%s", a, sep, b) < 0)
		return NULL;
	return s;
}

static json_t *
envelope(const struct aw_slack_opts *o, json_t *attachment)
{
	json_t *m = json_object();

	json_object_set_new(m, "link_names", json_false());
	json_object_set_new(m, "unfurl_links", json_false());
	json_object_set_new(m, "unfurl_media", json_false());
	if (!empty(o->channel))
		json_object_set_new(m, "channel", json_string(o->channel));
	if (!empty(o->username))
		json_object_set_new(m, "username", json_string(o->username));
	if (!empty(o->icon_url))
		json_object_set_new(m, "icon_url", json_string(o->icon_url));
	json_object_set_new(m, "attachments", json_pack("[o]", attachment));
	return m;
}

static char *
dump(json_t *m)
{
	char *s = json_dumps(m, JSON_COMPACT);

	json_decref(m);
	return s;
}

char *
aw_slack_message(const struct aw_slack_opts *o, const struct aw_notice *n)
{
	json_t *att = json_object(), *fields = json_array();
	struct aw_buf text;
	char *cont, *pod, *proc, rep[96];

	if (att == NULL || fields == NULL) {
		json_decref(att);
		json_decref(fields);
		return NULL;
	}
	aw_buf_init(&text);
	aw_slack_escape(&text, n->output, o->max_text);
	if (n->repeats > 0) {
		snprintf(rep, sizeof(rep), " (repeated %lld times since the "
		    "last notification)", (long long)n->repeats);
		aw_buf_adds(&text, rep);
	}
	json_object_set_new(att, "fallback", esc(n->output, o->max_field));
	json_object_set_new(att, "color",
	    json_string(aw_slack_color(n->priority)));
	json_object_set_new(att, "title", esc(n->rule, 150));
	json_object_set_new(att, "text", json_string(text.p ? text.p : ""));
	aw_buf_free(&text);

	cont = container_text(n);
	pod = join2(n->k8s_ns_name, "/", n->k8s_pod_name);
	proc = join2(n->proc_name, ": ", n->proc_cmdline);
	add_field(fields, "rule", n->rule, o->max_field, 1);
	add_field(fields, "priority", aw_priority_name(n->priority), 32, 1);
	add_field(fields, "hostname", n->hostname, o->max_field, 1);
	add_field(fields, "container", cont, o->max_field, 1);
	add_field(fields, "pod", pod, o->max_field, 1);
	add_field(fields, "user", n->user_name, o->max_field, 1);
	add_field(fields, "process", proc, o->max_field, 0);
	add_field(fields, "file", n->fd_name, o->max_field, 0);
	if (n->repeats > 0) {
		snprintf(rep, sizeof(rep), "%lld", (long long)n->repeats);
		add_field(fields, "repeated", rep, 32, 1);
	}
	free(cont);
	free(pod);
	free(proc);
	json_object_set_new(att, "fields", fields);
	json_object_set_new(att, "footer", json_string("auditwatch"));
	json_object_set_new(att, "ts", json_integer((json_int_t)
	    (n->time_ns / 1000000000u)));
	return dump(envelope(o, att));
}

struct rule_count {
	const char *rule;
	size_t n;
};

char *
aw_slack_digest(const struct aw_slack_opts *o, const struct aw_notice *n,
    size_t count)
{
	json_t *att = json_object(), *fields = json_array();
	struct aw_buf text, byrule;
	struct rule_count *rc = calloc(count ? count : 1, sizeof(*rc));
	enum aw_priority worst = AW_PRIO_DEBUG;
	size_t nrc = 0, listed;
	char title[160], clock[16];
	struct tm tm;
	time_t t;

	if (att == NULL || fields == NULL || rc == NULL) {
		json_decref(att);
		json_decref(fields);
		free(rc);
		return NULL;
	}
	aw_buf_init(&text);
	aw_buf_init(&byrule);
	listed = count < (size_t)o->digest_lines ? count :
	    (size_t)o->digest_lines;
	for (size_t i = 0; i < count; i++) {
		size_t k;

		if (n[i].priority < worst)
			worst = n[i].priority;
		for (k = 0; k < nrc; k++)
			if (strcmp(rc[k].rule, n[i].rule ? n[i].rule : "") == 0)
				break;
		if (k == nrc)
			rc[nrc++].rule = n[i].rule ? n[i].rule : "";
		rc[k].n++;
		if (i >= listed)
			continue;
		t = (time_t)(n[i].time_ns / 1000000000u);
		localtime_r(&t, &tm);
		strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
		aw_buf_printf(&text, "%s%s %s ", i ? "\n" : "", clock,
		    aw_priority_name(n[i].priority));
		aw_slack_escape(&text, n[i].rule, 80);
		if (n[i].repeats > 0)
			aw_buf_printf(&text, " (+%lld repeats)",
			    (long long)n[i].repeats);
		if (!empty(n[i].container_id) &&
		    strcmp(n[i].container_id, "host") != 0) {
			aw_buf_adds(&text, " [");
			aw_slack_escape(&text, n[i].container_name ?
			    n[i].container_name : n[i].container_id, 40);
			aw_buf_adds(&text, "]");
		}
		if (!empty(n[i].proc_name)) {
			aw_buf_adds(&text, " ");
			aw_slack_escape(&text, n[i].proc_name, 40);
		}
		if (!empty(n[i].fd_name)) {
			aw_buf_adds(&text, " ");
			aw_slack_escape(&text, n[i].fd_name, 80);
		}
	}
	if (count > listed)
		aw_buf_printf(&text, "\n…and %zu more", count - listed);
	for (size_t k = 0; k < nrc && k < 10; k++) {
		aw_buf_printf(&byrule, "%s%zu × ", k ? "\n" : "", rc[k].n);
		aw_slack_escape(&byrule, rc[k].rule, 80);
	}
	if (nrc > 10)
		aw_buf_printf(&byrule, "\n…and %zu more rules", nrc - 10);
	snprintf(title, sizeof(title), "%zu alerts (digest: Slack is paced to "
	    "one message per interval)", count);
	json_object_set_new(att, "fallback", json_string(title));
	json_object_set_new(att, "color", json_string(aw_slack_color(worst)));
	json_object_set_new(att, "title", json_string(title));
	json_object_set_new(att, "text", json_string(text.p ? text.p : ""));
	json_array_append_new(fields, json_pack("{s:s, s:s, s:b}", "title",
	    "by rule", "value", byrule.p ? byrule.p : "", "short", 0));
	if (!empty(n[0].hostname))
		add_field(fields, "hostname", n[0].hostname, o->max_field, 1);
	json_object_set_new(att, "fields", fields);
	json_object_set_new(att, "footer", json_string("auditwatch"));
	json_object_set_new(att, "ts", json_integer((json_int_t)
	    (n[count - 1].time_ns / 1000000000u)));
	aw_buf_free(&text);
	aw_buf_free(&byrule);
	free(rc);
	return dump(envelope(o, att));
}
