/*
 * notice.h — one pending notification, as read back from the outbox.
 *
 * The delivery thread never sees the pipeline's struct aw_alert: it reads
 * committed rows (alerts JOIN outbox), so what it sends is what was
 * stored, and a restart sends the same bytes again.
 */
#ifndef AW_NOTICE_H
#define AW_NOTICE_H

#include <stdint.h>
#include "alert.h"

struct aw_notice {
	int64_t id;		/* alerts.id */
	int attempts;
	int64_t repeats;	/* folded by noise control */
	uint64_t time_ns;
	enum aw_priority priority;
	char *time, *hostname, *rule, *source, *tags, *output, *output_fields;
	char *container_id, *container_name, *k8s_pod_name, *k8s_ns_name;
	char *proc_name, *proc_cmdline, *user_name, *fd_name;
};

void aw_notice_clear(struct aw_notice *n);
/* Falco's JSON alert from the stored parts: byte for byte what
 * aw_alert_to_falco_json() gave for the original alert. */
char *aw_notice_falco_json(const struct aw_notice *n, int include_output,
    int include_tags);

#endif
