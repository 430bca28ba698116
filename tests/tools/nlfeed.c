/*
 * nlfeed.c — replay a netlink capture through the wire-form parser.
 *
 *   nlfeed [--events] [--stats] FILE|-
 *
 * A capture (../shared/fixtures/audit/local/scenarios.netlink.txt) holds
 * one datagram per line:
 *     <nlmsg_type> TAB <nlmsg_len> TAB <datagram_len> TAB <payload>
 * with the payload escaped like a Python bytes literal (\xNN, \n, \t, \r,
 * \\, \', \"). Each payload is unescaped and handed, with its type, to
 * aw_pipeline_datagram() exactly as the netlink source would hand it, so
 * the corpus tests exercise the wire parser and the EOE path of the
 * reassembler. Event time drives timeouts (now_ms = 0), as in replay.
 *
 * --events prints the pipeline's JSON events on stdout; --stats prints
 * the same counters as `auditwatch replay --stats` on stderr, plus
 * datagrams whose nlmsg_len is neither payload+16 (multicast) nor the
 * payload length (the unicast quirk). A malformed capture line is an
 * error (exit 1) that names the line: the capture is test data we own.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "reasm.h"

#define NLMSG_HDRLEN_ 16

struct feed_stats {
	unsigned long long lines, datagrams, len_mismatch;
};

static int
hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape a Python bytes-literal body in place; returns the new length
 * or -1 on a malformed escape. */
static long
unescape(char *s, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		int hi, lo;

		if (s[i] != '\\') {
			s[o++] = s[i++];
			continue;
		}
		if (++i >= len)
			return -1;
		switch (s[i]) {
		case 'n': s[o++] = '\n'; i++; break;
		case 't': s[o++] = '\t'; i++; break;
		case 'r': s[o++] = '\r'; i++; break;
		case '\\': case '\'': case '"': s[o++] = s[i++]; break;
		case 'x':
			if (i + 2 >= len ||
			    (hi = hexdigit((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexdigit((unsigned char)s[i + 2])) < 0)
				return -1;
			s[o++] = (char)(hi << 4 | lo);
			i += 3;
			break;
		default:
			return -1;
		}
	}
	return (long)o;
}

/* Split "a\tb\tc\tpayload": parse the three numbers, return the payload. */
static char *
split_line(char *line, long *type, long *nlmsg_len, long *dgram_len)
{
	long *out[3] = { type, nlmsg_len, dgram_len };
	char *p = line, *end;

	for (int i = 0; i < 3; i++) {
		errno = 0;
		*out[i] = strtol(p, &end, 10);
		if (errno != 0 || end == p || *end != '\t' || *out[i] < 0)
			return NULL;
		p = end + 1;
	}
	return p;
}

static int
feed(struct aw_pipeline *p, FILE *in, const char *name, struct feed_stats *fs)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while ((n = getline(&line, &cap, in)) > 0) {
		long type, nlmsg_len, dgram_len, plen;
		char *payload;

		fs->lines++;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if ((payload = split_line(line, &type, &nlmsg_len,
		    &dgram_len)) == NULL || type > 65535 ||
		    (plen = unescape(payload, (size_t)(line + n - payload))) < 0) {
			fprintf(stderr, "nlfeed: %s:%llu: malformed capture "
			    "line\n", name, fs->lines);
			rc = 1;
			continue;
		}
		if (nlmsg_len != plen + NLMSG_HDRLEN_ && nlmsg_len != plen)
			fs->len_mismatch++;
		fs->datagrams++;
		aw_pipeline_datagram(p, (int)type, payload, (size_t)plen, 0);
	}
	if (ferror(in)) {
		fprintf(stderr, "nlfeed: %s: %s\n", name, strerror(errno));
		rc = 1;
	}
	free(line);
	return rc;
}

static void
print_stats(const struct aw_pipeline *p, const struct feed_stats *fs)
{
	fprintf(stderr, "lines=%llu datagrams=%llu len_mismatch=%llu ",
	    fs->lines, fs->datagrams, fs->len_mismatch);
	aw_pipeline_print_stats(p, stderr);
	fputc('\n', stderr);
}

static const char usage[] =
"Usage: nlfeed [--events] [--stats] FILE|-\n"
"Feed a netlink capture (type, nlmsg_len, datagram_len, escaped payload\n"
"per line) to the pipeline's wire-form entry point.\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", no_argument, NULL, 'e' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct feed_stats fs = { 0, 0, 0 };
	struct aw_pipeline *p;
	int events = 0, stats = 0, c, rc;
	FILE *in;

	while ((c = getopt_long(argc, argv, "esh", opts, NULL)) != -1) {
		switch (c) {
		case 'e': events = 1; break;
		case 's': stats = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[optind], "-") == 0)
		in = stdin;
	else if ((in = fopen(argv[optind], "r")) == NULL) {
		fprintf(stderr, "nlfeed: %s: %s\n", argv[optind],
		    strerror(errno));
		return 1;
	}
	if ((p = aw_pipeline_new(NULL, events ? stdout : NULL)) == NULL) {
		fprintf(stderr, "nlfeed: cannot create pipeline\n");
		return 1;
	}
	rc = feed(p, in, argv[optind], &fs);
	aw_pipeline_flush(p);
	if (stats)
		print_stats(p, &fs);
	aw_pipeline_free(p);
	if (in != stdin)
		fclose(in);
	return rc;
}
