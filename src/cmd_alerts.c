/*
 * cmd_alerts.c — `auditwatch alerts`: not implemented yet (see its issue).
 */
#include "autoconf.h"

#include <stdio.h>

#include "cli.h"

int
aw_cmd_alerts(struct aw_config *cfg, int argc, char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	fprintf(stderr, "auditwatch: 'alerts' is not implemented yet\n");
	return 2;
}
