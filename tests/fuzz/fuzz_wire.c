/*
 * fuzz_wire.c — libFuzzer target: netlink payloads as the live source
 * delivers them. The input is a sequence of datagrams, each framed as
 * [type: 2 bytes LE][length: 2 bytes LE][payload], fed to the pipeline
 * with a wall clock that advances, so timeouts run too.
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
	uint64_t now = 1000;
	size_t off = 0;

	if (devnull == NULL) {
		devnull = fopen("/dev/null", "w");
		aw_log_set_level(AW_LOG_ERR);
	}
	if ((p = aw_pipeline_new(NULL, devnull)) == NULL)
		return 0;
	while (off + 4 <= size) {
		int type = data[off] | data[off + 1] << 8;
		size_t len = (size_t)(data[off + 2] | data[off + 3] << 8);

		off += 4;
		if (len > size - off)
			len = size - off;
		aw_pipeline_datagram(p, type, (const char *)data + off, len,
		    now);
		off += len;
		now += 150;
		aw_pipeline_tick(p, now);
	}
	aw_pipeline_flush(p);
	aw_pipeline_free(p);
	return 0;
}
