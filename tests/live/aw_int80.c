/*
 * aw_int80.c — file operations through the i386 system call ABI from a
 * 64-bit program (int $0x80, which x86_64 kernels with IA32 emulation
 * serve), for the live tests: audit reports these with arch=i386 and the
 * i386 syscall numbers, and a rule set that covers only b64 misses them.
 *
 *   aw_int80 open|openat|creat|read PATH
 *   aw_int80 connect PORT
 *
 * open, openat: O_WRONLY|O_CREAT|O_TRUNC; creat: creat(); read: open
 * O_RDONLY. Each writes or reads one byte and closes. connect: a TCP
 * connect to 127.0.0.1:PORT through socketcall(2), as 32-bit glibc makes
 * it (refused is fine). Exit 0 on success,
 * 1 when the call failed, 2 on bad usage, 77 where int $0x80 is not
 * available (not x86_64).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__x86_64__)
/* i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl) */
#define NR32_READ	3
#define NR32_WRITE	4
#define NR32_OPEN	5
#define NR32_CLOSE	6
#define NR32_CREAT	8
#define NR32_OPENAT	295
#define NR32_SOCKETCALL	102	/* glibc's way to the socket calls on i386 */
#define SYS_SOCKET32	1
#define SYS_CONNECT32	3
#define AT_FDCWD32	(-100)

static long
sys32(long nr, long a, long b, long c, long d)
{
	long ret;

	/* The compat entry takes ebx, ecx, edx, esi: only the low 32 bits
	 * of each, so pointers must lie below 4 GiB. */
	__asm__ volatile ("int $0x80"
	    : "=a" (ret)
	    : "a" (nr), "b" (a), "c" (b), "d" (c), "S" (d)
	    : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/* connect(2) to 127.0.0.1:port through socketcall, as 32-bit glibc
 * does; the arguments are an array of 32-bit words in low memory. A
 * refused connection is fine: the call is what is audited. */
static int
connect32(char *low, const char *port)
{
	uint32_t *args = (uint32_t *)(void *)(low + 2048);
	unsigned char *sin = (unsigned char *)low + 2048 + 64;
	long fd, rc;
	long p = strtol(port, NULL, 10);

	args[0] = 2;		/* AF_INET */
	args[1] = 1;		/* SOCK_STREAM */
	args[2] = 0;
	fd = sys32(NR32_SOCKETCALL, SYS_SOCKET32, (long)args, 0, 0);
	if (fd < 0) {
		fprintf(stderr, "aw_int80: socketcall(socket): error %ld\n",
		    -fd);
		return 1;
	}
	memset(sin, 0, 16);
	sin[0] = 2;		/* sin_family, little-endian */
	sin[2] = (unsigned char)(p >> 8);
	sin[3] = (unsigned char)p;
	sin[4] = 127;
	sin[7] = 1;
	args[0] = (uint32_t)fd;
	args[1] = (uint32_t)(uintptr_t)sin;
	args[2] = 16;
	rc = sys32(NR32_SOCKETCALL, SYS_CONNECT32, (long)args, 0, 0);
	sys32(NR32_CLOSE, fd, 0, 0, 0);
	return rc == 0 || rc == -111 ? 0 : 1;	/* ok or ECONNREFUSED */
}

int
main(int argc, char **argv)
{
	char *low;
	long fd, rc;

	if (argc != 3 || strlen(argv[2]) >= 4000) {
		fprintf(stderr, "usage: aw_int80 open|openat|creat|read PATH | connect PORT\n");
		return 2;
	}
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	strcpy(low, argv[2]);
	low[4000] = 'x';
	if (strcmp(argv[1], "connect") == 0)
		return connect32(low, argv[2]);
	if (strcmp(argv[1], "open") == 0)
		fd = sys32(NR32_OPEN, (long)low, 01 | 0100 | 01000, 0644, 0);
	else if (strcmp(argv[1], "openat") == 0)
		fd = sys32(NR32_OPENAT, AT_FDCWD32, (long)low,
		    01 | 0100 | 01000, 0644);
	else if (strcmp(argv[1], "creat") == 0)
		fd = sys32(NR32_CREAT, (long)low, 0644, 0, 0);
	else if (strcmp(argv[1], "read") == 0)
		fd = sys32(NR32_OPEN, (long)low, 0, 0, 0);
	else {
		fprintf(stderr, "aw_int80: unknown operation %s\n", argv[1]);
		return 2;
	}
	if (fd < 0) {
		fprintf(stderr, "aw_int80: %s %s: error %ld\n", argv[1],
		    argv[2], -fd);
		return 1;
	}
	if (strcmp(argv[1], "read") == 0)
		rc = sys32(NR32_READ, fd, (long)(low + 4000), 1, 0);
	else
		rc = sys32(NR32_WRITE, fd, (long)(low + 4000), 1, 0);
	sys32(NR32_CLOSE, fd, 0, 0, 0);
	return rc < 0 ? 1 : 0;
}
#else
int
main(void)
{
	fprintf(stderr, "aw_int80: int $0x80 needs x86_64\n");
	return 77;
}
#endif
