/*
 * notice.c — stored alert → Falco JSON (see notice.h).
 */
#include "autoconf.h"
#include "notify/notice.h"

#include <stdlib.h>
#include <string.h>

#include "output/text.h"

void
aw_notice_clear(struct aw_notice *n)
{
	free(n->time);
	free(n->hostname);
	free(n->rule);
	free(n->source);
	free(n->tags);
	free(n->output);
	free(n->output_fields);
	free(n->container_id);
	free(n->container_name);
	free(n->k8s_pod_name);
	free(n->k8s_ns_name);
	free(n->proc_name);
	free(n->proc_cmdline);
	free(n->user_name);
	free(n->fd_name);
	memset(n, 0, sizeof(*n));
}

static void
key_str(struct aw_buf *b, const char *key, const char *v, int comma)
{
	if (comma)
		aw_buf_addc(b, ',');
	aw_buf_printf(b, "\"%s\":", key);
	v = v ? v : "";
	aw_json_quote(b, v, strlen(v));
}

/* Stored JSON parts are written by the store (alert_json.h) and only
 * spliced in here; a row edited by hand into something else is replaced
 * by an empty value rather than breaking the payload's syntax. */
static void
key_raw(struct aw_buf *b, const char *key, const char *v, char open,
    const char *empty)
{
	size_t n = v ? strlen(v) : 0;

	aw_buf_printf(b, ",\"%s\":", key);
	if (n >= 2 && v[0] == open && v[n - 1] == (open == '{' ? '}' : ']') &&
	    aw_utf8_valid(v, n))
		aw_buf_add(b, v, n);
	else
		aw_buf_adds(b, empty);
}

char *
aw_notice_falco_json(const struct aw_notice *n, int include_output,
    int include_tags)
{
	struct aw_buf b;

	aw_buf_init(&b);
	aw_buf_addc(&b, '{');
	key_str(&b, "hostname", n->hostname, 0);
	if (include_output)
		key_str(&b, "output", n->output, 1);
	key_raw(&b, "output_fields", n->output_fields, '{', "{}");
	key_str(&b, "priority", aw_priority_name(n->priority), 1);
	key_str(&b, "rule", n->rule, 1);
	key_str(&b, "source", n->source, 1);
	if (include_tags)
		key_raw(&b, "tags", n->tags, '[', "[]");
	key_str(&b, "time", n->time, 1);
	aw_buf_addc(&b, '}');
	return aw_buf_take(&b);
}
