/*
 * fuzz_log.c — libFuzzer target: audit.log text through the whole
 * replay path (line parser, reassembler, event decoder, --events JSON).
 *
 * The input is split into lines like source_text.c does; the pipeline's
 * output goes to /dev/null. Any crash, leak, or sanitizer report is a bug.
 */
#include "autoconf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct aw_pipeline *p;
	const char *s = (const char *)data, *end = s + size, *nl;

	if (devnull == NULL) {
		devnull = fopen("/dev/null", "w");
		aw_log_set_level(AW_LOG_ERR);
	}
	if ((p = aw_pipeline_new(NULL, devnull)) == NULL)
		return 0;
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		aw_pipeline_line(p, s, (size_t)(nl - s), 0);
		s = nl + 1;
	}
	aw_pipeline_flush(p);
	aw_pipeline_free(p);
	return 0;
}
