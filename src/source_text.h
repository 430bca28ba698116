/*
 * source_text.h — audit.log text as a record source (replay, stdin,
 * audisp plugin with --follow).
 */
#ifndef AW_SOURCE_TEXT_H
#define AW_SOURCE_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct aw_pipeline;

struct aw_text_stats {
	uint64_t lines;
	uint64_t bytes;
	uint64_t long_lines;	/* longer than the line limit, truncated */
};

/* Feed every line of fd to the pipeline. follow: at EOF keep waiting for
 * more (tail -f), until aw_stop_requested. Event time drives timeouts
 * unless follow is set (then the wall clock does, as live). Returns 0, or
 * -1 on a read error (errno set). */
int aw_text_feed_fd(struct aw_pipeline *p, int fd, int follow,
    struct aw_text_stats *st);

#endif
