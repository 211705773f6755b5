/* jit.c — hot code in anonymous executable memory (a hand-written "JIT"): jit_hot_loop 80 %, native_work 20 %. */
/*
 * usage: jit [SECONDS=3] [MODE]
 *   MODE  (none)        no perf map: the JIT code has no name anywhere
 *         map           write /tmp/perf-PID.map naming the code jit_hot_loop
 *         map-foreign   the same, then (when running as root) chown the map
 *                       to uid/gid 65534, so a profiler must not trust it
 *
 * Expected profile (self): the JIT code 80 %, native_work 20 %.  With "map"
 * the JIT code is jit_hot_loop in module [jit]; without a (trusted) map it
 * has no symbol, so each sampled address is its own [anon]+0xADDR row in
 * module [anon] (sum them).  jit_driver calls both, once each per round.
 *
 * The JIT code is the same latency-bound multiply-add chain as WL_UNIT()
 * (imul + add on one register, ~4 cycles a step; the loop counter is off
 * the critical path), so 80 units of it take as long as 80 WL_UNIT()s and
 * the split holds by construction, whatever the CPU.  Its result is checked
 * against the same chain computed in C before the timed run, so a wrong
 * byte below fails loudly instead of skewing the profile.
 *
 * The region is mapped RW, filled, then switched to RX with mprotect (W^X,
 * as real JITs do).  The map file is removed at exit and on SIGINT, SIGTERM
 * and SIGHUP.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wl.h"

#define USAGE "[SECONDS=3] [map|map-foreign]"
#define JIT_FOREIGN_ID 65534

/* uint64_t jit_hot_loop(uint64_t x, uint64_t steps), System V ABI: x in
 * rdi, steps (> 0) in rsi, result in rax.  Position independent: the only
 * branch is relative to itself. */
static const unsigned char jit_code[] = {
	0x55,                         /* 00  push   %rbp                          */
	0x48, 0x89, 0xe5,             /* 01  mov    %rsp,%rbp   (a frame-pointer */
	                              /*     chain for unwinders without CFI)   */
	0x48, 0x89, 0xf8,             /* 04  mov    %rdi,%rax   x               */
	0x48, 0xba,                   /* 07  movabs $C1,%rdx    the multiplier  */
	0x2d, 0x7f, 0x95, 0x4c,       /*     C1 = 6364136223846793005           */
	0x2d, 0xf4, 0x51, 0x58,       /*        = 0x5851f42d4c957f2d, LE bytes  */
	0x48, 0xb9,                   /* 11  movabs $C2,%rcx    the increment   */
	0x4f, 0x81, 0x67, 0xf7,       /*     C2 = 1442695040888963407           */
	0x7e, 0x7b, 0x05, 0x14,       /*        = 0x14057b7ef767814f, LE bytes  */
	                              /* loop:                                  */
	0x48, 0x0f, 0xaf, 0xc2,       /* 1b  imul   %rdx,%rax   x *= C1         */
	0x48, 0x01, 0xc8,             /* 1f  add    %rcx,%rax   x += C2         */
	0x48, 0xff, 0xce,             /* 22  dec    %rsi        steps--         */
	0x75, 0xf4,                   /* 25  jnz    loop        (0x27 - 12)     */
	0x5d,                         /* 27  pop    %rbp                        */
	0xc3,                         /* 28  ret                                */
};

typedef uint64_t (*jit_fn)(uint64_t x, uint64_t steps);

void native_work(void);
void jit_driver(jit_fn fn, double seconds);

static volatile unsigned units_jit = 80;
static volatile unsigned units_native = 20;
static volatile uint64_t sink;
/* Set before the handlers are installed; read-only afterwards. */
static char map_path[64];

static void remove_map(void)
{
	if (map_path[0])
		unlink(map_path);
}

static void on_signal(int sig)
{
	if (map_path[0])
		unlink(map_path);   /* async-signal-safe */
	_exit(128 + sig);
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Copy the code into a fresh RW anonymous mapping, then make it RX. */
static jit_fn jit_build(const char *prog)
{
	size_t len = (size_t)sysconf(_SC_PAGESIZE);
	void *p;
	jit_fn fn;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		wl_die(prog, "mmap", errno);
	memcpy(p, jit_code, sizeof(jit_code));
	if (mprotect(p, len, PROT_READ | PROT_EXEC) < 0)
		wl_die(prog, "mprotect", errno);
	/* ISO C has no object-to-function pointer cast; copying the bits is
	 * what POSIX (dlsym) relies on too. */
	memcpy(&fn, &p, sizeof(fn));
	return fn;
}

/* The bytes above must compute exactly WL_UNIT's chain. */
static void jit_selftest(jit_fn fn, const char *prog)
{
	uint64_t want = 12345, got;

	WL_UNIT(want);
	got = fn(12345, WL_UNIT_STEPS);
	if (got != want) {
		fprintf(stderr, "%s: JIT code computed %#llx, expected %#llx\n", prog,
			(unsigned long long)got, (unsigned long long)want);
		exit(1);
	}
}

/* "<hex start> <hex size> jit_hot_loop", perf's map format. */
static void write_map(jit_fn fn, bool foreign, const char *prog)
{
	uintptr_t start;
	char line[96];
	int fd, n;

	memcpy(&start, &fn, sizeof(start));
	snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", (int)getpid());
	atexit(remove_map);
	catch_signals();
	fd = open(map_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		wl_die(prog, map_path, errno);
	n = snprintf(line, sizeof(line), "%llx %zx jit_hot_loop\n",
		     (unsigned long long)start, sizeof(jit_code));
	if (write(fd, line, (size_t)n) != n)
		wl_die(prog, "write perf map", errno);
	if (close(fd) < 0)
		wl_die(prog, "close perf map", errno);
	if (!foreign)
		return;
	if (geteuid() != 0) {
		fprintf(stderr, "%s: not root: %s stays ours\n", prog, map_path);
		return;
	}
	if (chown(map_path, JIT_FOREIGN_ID, JIT_FOREIGN_ID) < 0)
		wl_die(prog, "chown perf map", errno);
}

/* Goes through a stack slot so gcc gives it a frame (see split.c). */
__attribute__((noinline)) void native_work(void)
{
	unsigned n = units_native;
	uint64_t x = sink;
	volatile uint64_t slot;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	slot = x;
	sink = slot;
}

__attribute__((noinline)) void jit_driver(jit_fn fn, double seconds)
{
	double end = wl_now() + seconds;
	uint64_t x = sink;

	do {
		unsigned n = units_jit;

		if (n)
			x = fn(x, (uint64_t)n * WL_UNIT_STEPS);
		sink = x;
		native_work();
	} while (wl_now() < end);
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	const char *mode = argc > 2 ? argv[2] : "";
	jit_fn fn;

	if (argc > 3)
		wl_usage(argv[0], USAGE, "too many arguments");
	if (*mode && strcmp(mode, "map") && strcmp(mode, "map-foreign"))
		wl_usage(argv[0], USAGE, "unknown mode");
	fn = jit_build(argv[0]);
	jit_selftest(fn, argv[0]);
	if (*mode)
		write_map(fn, !strcmp(mode, "map-foreign"), argv[0]);
	jit_driver(fn, seconds);
	/* A barrier after the call: no tail call, main stays on the stack. */
	__asm__ volatile("" ::: "memory");
	return 0;
}
