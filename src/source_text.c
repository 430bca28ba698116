/*
 * source_text.c — read audit.log text and feed lines to the pipeline.
 *
 * Reads in large blocks and splits lines in place, so a line is never
 * copied unless it straddles two blocks. A line longer than the limit (a
 * hostile or corrupt file) is cut, counted, and the rest of it skipped:
 * the reader's memory stays bounded whatever the input.
 */
#include "autoconf.h"
#include "source_text.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "pipeline.h"

#define BLOCK (1u << 20)
#define MAX_LINE (1u << 20)	/* longer lines are cut */

int
aw_text_feed_fd(struct aw_pipeline *p, int fd, int follow,
    struct aw_text_stats *st)
{
	char *buf = malloc(BLOCK + MAX_LINE);
	size_t have = 0;	/* bytes of an incomplete line at buf[0] */
	int skipping = 0;	/* inside an over-long line */
	int rc = 0;

	if (buf == NULL)
		return -1;
	while (!aw_stop_requested) {
		ssize_t n = read(fd, buf + have, BLOCK);
		char *start, *nl, *end;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		if (n == 0) {
			if (!follow)
				break;
			aw_pipeline_tick(p, aw_wall_ms());
			poll(NULL, 0, 200);
			continue;
		}
		st->bytes += (size_t)n;
		start = buf;
		end = buf + have + (size_t)n;
		while ((nl = memchr(start, '\n', (size_t)(end - start)))) {
			if (!skipping) {
				st->lines++;
				if (nl > start)
					aw_pipeline_line(p, start,
					    (size_t)(nl - start),
					    follow ? aw_wall_ms() : 0);
			}
			skipping = 0;
			start = nl + 1;
		}
		aw_pipeline_flush_outputs(p);
		have = (size_t)(end - start);
		if (have >= MAX_LINE) {
			/* Cut: process what we have, skip to the newline. */
			if (!skipping) {
				st->lines++;
				st->long_lines++;
				aw_pipeline_line(p, start, MAX_LINE,
				    follow ? aw_wall_ms() : 0);
			}
			skipping = 1;
			have = 0;
		} else if (have > 0 && start != buf)
			memmove(buf, start, have);
	}
	if (have > 0 && !skipping) {
		st->lines++;
		aw_pipeline_line(p, buf, have, follow ? aw_wall_ms() : 0);
	}
	free(buf);
	return rc;
}
