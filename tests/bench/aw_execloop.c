/*
 * aw_execloop.c — exec a program in a loop, as fast as possible or at a
 * fixed rate, and report how many execs completed per second.
 *
 *   aw_execloop SECONDS RATE PROGRAM [WORKERS]
 *
 * RATE 0 means as fast as possible. WORKERS (default 1) processes run the
 * loop in parallel, each spawning one child at a time (posix_spawn, which
 * is vfork-cheap) and waiting for it. Prints "execs=N seconds=S rate=R".
 */
#include "autoconf.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long
loop(double seconds, double rate, char *prog)
{
	char *args[] = { prog, NULL };
	double start = now_s(), next = start;
	unsigned long n = 0;

	while (now_s() - start < seconds) {
		pid_t pid;
		int status;

		if (rate > 0) {
			double t;

			next += 1.0 / rate;
			while ((t = next - now_s()) > 0) {
				struct timespec ts;

				ts.tv_sec = (time_t)t;
				ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
				nanosleep(&ts, NULL);
			}
		}
		if (posix_spawn(&pid, prog, NULL, NULL, args, environ) != 0)
			continue;
		if (waitpid(pid, &status, 0) == pid)
			n++;
	}
	return n;
}

int
main(int argc, char **argv)
{
	unsigned long *counts, total = 0;
	double seconds, rate, start, el;
	int workers = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: aw_execloop SECONDS RATE PROGRAM "
		    "[WORKERS]\n");
		return 2;
	}
	seconds = atof(argv[1]);
	rate = atof(argv[2]);
	if (argc > 4)
		workers = atoi(argv[4]);
	if (workers < 1 || workers > 64)
		return 2;
	counts = mmap(NULL, sizeof(*counts) * (size_t)workers,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		return 1;
	start = now_s();
	for (int w = 0; w < workers; w++) {
		if (fork() == 0) {
			counts[w] = loop(seconds, rate / workers, argv[3]);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	el = now_s() - start;
	for (int w = 0; w < workers; w++)
		total += counts[w];
	printf("execs=%lu seconds=%.2f rate=%.0f\n", total, el,
	    (double)total / el);
	return 0;
}
