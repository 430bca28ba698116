/*
 * slack.h — Slack incoming-webhook payloads.
 *
 * One alert becomes one legacy attachment, as falcosidekick sends it,
 * coloured by priority, with the output as text and the rule, priority,
 * host, container, pod, process, user and file as fields. Several alerts
 * waiting behind the pacing limit become one digest message.
 *
 * Everything taken from an event is escaped: &, < and > as entities (so
 * "<!channel>" or "<http://x|y>" show as text instead of pinging a
 * channel or hiding a link), control characters, line/paragraph
 * separators and bidi overrides as visible \n, \u{202e}, invalid UTF-8 as
 * U+FFFD. No part of the message is marked mrkdwn, and link_names,
 * unfurl_links and unfurl_media are off. Sizes are capped well below
 * Slack's limits (3000 bytes of text, 300 per field, 20 digest lines).
 */
#ifndef AW_SLACK_H
#define AW_SLACK_H

#include <stddef.h>
#include "notify/notice.h"
#include "output/text.h"

struct aw_slack_opts {
	const char *channel;	/* legacy webhooks only; NULL = the hook's */
	const char *username;
	const char *icon_url;
	size_t max_text;	/* bytes of escaped output text (3000) */
	size_t max_field;	/* bytes of an escaped field value (300) */
	int digest_lines;	/* alerts listed in a digest (20) */
};

void aw_slack_opts_defaults(struct aw_slack_opts *o);
/* Append s escaped for Slack, at most max bytes (0: no limit), cut on a
 * character boundary with "…" when truncated. */
void aw_slack_escape(struct aw_buf *b, const char *s, size_t max);
const char *aw_slack_color(enum aw_priority p);

char *aw_slack_message(const struct aw_slack_opts *o,
    const struct aw_notice *n);
/* A digest of n notices (n ≥ 1; all are covered, at most digest_lines
 * listed one by one, the rest counted by rule). */
char *aw_slack_digest(const struct aw_slack_opts *o,
    const struct aw_notice *n, size_t count);

#endif
