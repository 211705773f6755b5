/* syscalls.c — read(2) of 64 KiB from /dev/zero in a loop in reader_loop: most time in the kernel. */
/*
 * usage: syscalls [SECONDS=3]
 *
 * reader_loop reads /dev/zero into a 64 KiB buffer until SECONDS have
 * passed (checking the clock every 16 reads).  Each read makes the kernel
 * zero 64 KiB of user memory, so most CPU time is kernel time under
 * read(): a profiler allowed kernel frames shows [kernel] functions
 * (the read path, the user-memory clearing) for well over half of the
 * samples, with stacks
 *   main;reader_loop;read (libc);<kernel entry>;...;<kernel leaf>
 * Without kernel frames only the user side (reader_loop, libc's read) is
 * left.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <unistd.h>

#include "wl.h"

#define USAGE "[SECONDS=3]"
#define READ_SIZE (64u << 10)
#define READS_PER_CHECK 16

void reader_loop(int fd, double seconds, const char *prog);

static unsigned char buf[READ_SIZE];
static volatile uint64_t sink;

__attribute__((noinline)) void reader_loop(int fd, double seconds, const char *prog)
{
	double end = wl_now() + seconds;
	uint64_t bytes = 0;

	do {
		for (int i = 0; i < READS_PER_CHECK; i++) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno != EINTR)
				wl_die(prog, "read /dev/zero", errno);
			if (n > 0)
				bytes += (uint64_t)n;
		}
	} while (wl_now() < end);
	sink = bytes + buf[bytes % sizeof(buf)];
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	int fd;

	if (argc > 2)
		wl_usage(argv[0], USAGE, "too many arguments");
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		wl_die(argv[0], "/dev/zero", errno);
	reader_loop(fd, seconds, argv[0]);
	close(fd);
	return 0;
}
