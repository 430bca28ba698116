/*
 * aw_filework.c — the file-heavy workload of tests/bench/krules_bench.sh.
 *
 *   aw_filework LISTFILE TMPDIR ETCDIR NWRITES NETC
 *
 * Reads the first 4 KiB of every file named in LISTFILE (one path a line,
 * files under /usr), writes NWRITES files of 256 bytes in TMPDIR and,
 * spread evenly among them, NETC files in ETCDIR (the alert-relevant
 * events: a rule watches writes below /etc). Every file is one open, one
 * read or write, one close. Prints "seconds=S cpu=C reads=R writes=W
 * etc=E": wall time, and the CPU time (user + system) it used, where the
 * kernel's audit work on its system calls is charged.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int
write_one(const char *dir, const char *stem, long i, const char *buf)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s%ld", dir, stem, i);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return -1;
	if (write(fd, buf, 256) != 256) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int
main(int argc, char **argv)
{
	char **list = NULL, line[4096], buf[4096];
	size_t n = 0, cap = 0;
	long nw, ne, reads = 0, writes = 0, etc = 0, every;
	double t0, c0;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr, "usage: aw_filework LISTFILE TMPDIR ETCDIR "
		    "NWRITES NETC\n");
		return 2;
	}
	nw = atol(argv[4]);
	ne = atol(argv[5]);
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((list = realloc(list, cap * sizeof(*list))) == NULL)
				return 1;
		}
		if ((list[n++] = strdup(line)) == NULL)
			return 1;
	}
	fclose(f);
	memset(buf, 'x', sizeof(buf));
	every = ne > 0 ? (nw > ne ? nw / ne : 1) : 0;
	t0 = now();
	c0 = cpu();
	for (long i = 0; i < (long)n || i < nw; i++) {
		if (i < (long)n) {
			int fd = open(list[i], O_RDONLY);

			if (fd >= 0) {
				if (read(fd, buf, sizeof(buf)) >= 0)
					reads++;
				close(fd);
			}
		}
		if (i < nw && write_one(argv[2], "w", i, buf) == 0)
			writes++;
		if (every > 0 && i % every == 0 && etc < ne &&
		    write_one(argv[3], "e", i, buf) == 0)
			etc++;
	}
	printf("seconds=%.6f cpu=%.6f reads=%ld writes=%ld etc=%ld\n",
	    now() - t0, cpu() - c0, reads, writes, etc);
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return 0;
}
