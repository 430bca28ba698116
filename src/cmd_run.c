/*
 * cmd_run.c — `auditwatch run`: not implemented yet (see its issue).
 */
#include "autoconf.h"

#include <stdio.h>

#include "cli.h"

int
aw_cmd_run(struct aw_config *cfg, int argc, char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	fprintf(stderr, "auditwatch: 'run' is not implemented yet\n");
	return 2;
}
