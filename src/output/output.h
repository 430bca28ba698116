/*
 * output.h — the immediate outputs: stdout, a file, syslog.
 *
 * These run synchronously when an alert is submitted, before and
 * independently of the store, so that detection stays visible when the
 * database cannot be written. Each output has its own minimum priority
 * and format: Falco's text line ("HH:MM:SS.nnnnnnnnn: Priority output",
 * escaped as Falco does) or Falco's JSON alert, one per line. Emitting is
 * thread-safe (the store raises internal alerts from its own thread).
 */
#ifndef AW_OUTPUT_H
#define AW_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alert.h"

struct aw_config;

enum aw_output_format { AW_FMT_TEXT, AW_FMT_JSON };

struct aw_output_stats {
	uint64_t written, filtered, errors;
};

struct aw_outputs_stats {
	struct aw_output_stats out_stdout, out_file, out_syslog;
	uint64_t reopens;
};

struct aw_outputs;

/* Reads json_output, json_include_*_property, buffered_outputs,
 * stdout_output.*, file_output.*, syslog_output.*. stdout_stream
 * replaces stdout (tests); NULL means stdout. */
struct aw_outputs *aw_outputs_new(const struct aw_config *cfg,
    FILE *stdout_stream, char *err, size_t errsz);
void aw_outputs_free(struct aw_outputs *o);
void aw_outputs_emit(struct aw_outputs *o, const struct aw_alert *a);
/* Reopen the file output (SIGUSR1, log rotation): done before the next
 * write, so it is safe to call from any thread. */
void aw_outputs_reopen(struct aw_outputs *o);
void aw_outputs_flush(struct aw_outputs *o);
void aw_outputs_stats(struct aw_outputs *o, struct aw_outputs_stats *out);

/* Falco's text line for a, without the newline (malloc'd). */
char *aw_alert_text_line(const struct aw_alert *a);

#endif
