/* offcpu.c — a workload that spends known shares of its time on the CPU, asleep, in disk IO and waiting for a CPU. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "wl.h"

/*
 * offcpu SECONDS DIR: one thread loops over three phases and measures each
 * itself (CLOCK_MONOTONIC), printing the totals at the end, so the test
 * compares proftui's split with the workload's own clock:
 *   do_cpu    busy for ~10 ms            (on-CPU)
 *   do_sleep  nanosleep 10 ms            (sleeping)
 *   do_fsync  64 KiB writes + fsync, ~10 ms (IO wait, on a real disk in DIR)
 * offcpu --compete SECONDS: three spinning threads pinned to one CPU, so
 * each runs a third of the time and waits for the CPU the rest (runnable).
 */

static volatile uint64_t sink;

__attribute__((noinline)) static void do_cpu(double seconds)
{
	double end = wl_now() + seconds;
	uint64_t x = 1;

	while (wl_now() < end)
		WL_UNIT(x);
	sink = x;
}

__attribute__((noinline)) static void do_sleep(double seconds)
{
	struct timespec ts = { 0, (long)(seconds * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Write and fsync until `seconds` have passed: one fsync of a small write
 * takes well under a millisecond on a fast disk. */
__attribute__((noinline)) static void do_fsync(int fd, const char *buf, size_t len, double seconds)
{
	double end = wl_now() + seconds;

	do {
		if (pwrite(fd, buf, len, 0) != (ssize_t)len || fsync(fd) < 0) {
			perror("offcpu: write/fsync");
			exit(1);
		}
	} while (wl_now() < end);
}

static void phases(double duration, const char *dir)
{
	char path[4096], *buf = malloc(65536);
	double t_cpu = 0, t_sleep = 0, t_io = 0, stop = wl_now() + duration;
	int fd;

	snprintf(path, sizeof(path), "%s/offcpu.%d.tmp", dir, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !buf) {
		perror(path);
		exit(1);
	}
	unlink(path);
	memset(buf, 'x', 65536);
	while (wl_now() < stop) {
		double t0 = wl_now(), t1, t2, t3;

		do_cpu(0.010);
		t1 = wl_now();
		do_sleep(0.010);
		t2 = wl_now();
		do_fsync(fd, buf, 65536, 0.010);
		t3 = wl_now();
		t_cpu += t1 - t0;
		t_sleep += t2 - t1;
		t_io += t3 - t2;
	}
	printf("cpu %.4f\nsleep %.4f\nio %.4f\n", t_cpu, t_sleep, t_io);
	close(fd);
	free(buf);
}

__attribute__((noinline)) static void *spin_compete(void *arg)
{
	double end = *(double *)arg;
	uint64_t x = 1;

	while (wl_now() < end)
		WL_UNIT(x);
	sink = x;
	return NULL;
}

static void compete(double duration)
{
	cpu_set_t one;
	pthread_t t[3];
	double end = wl_now() + duration;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0) {
		perror("offcpu: sched_setaffinity");
		exit(1);
	}
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, spin_compete, &end);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
	const char *usage = "SECONDS [DIR] | --compete SECONDS";

	if (argc > 1 && !strcmp(argv[1], "--compete")) {
		compete(wl_arg_seconds(argc, argv, 2, 3.0, usage));
		return 0;
	}
	phases(wl_arg_seconds(argc, argv, 1, 3.0, usage), argc > 2 ? argv[2] : ".");
	return 0;
}
