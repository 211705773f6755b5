/* test_unwind.c — unwind a copied stack of this very process through a known noinline chain. */
#include <asm/perf_regs.h>
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "proftui/modcache.h"
#include "proftui/unwind.h"

#define COPY 16384

struct snap {
	uint64_t regs[UW_NREGS];
	uint8_t stack[COPY];
	size_t len;
};

/* Registers as perf would sample them, then the stack above SP, the way the
 * kernel copies it (PERF_SAMPLE_STACK_USER). */
static uintptr_t stack_end;

/* The copy reads other frames' bytes, redzones included: exempt from ASan,
 * and byte by byte through volatile so it does not become an intercepted
 * memcpy. */
__attribute__((noinline, no_sanitize_address)) void uwt_capture(struct snap *s);
__attribute__((noinline, no_sanitize_address)) void uwt_capture(struct snap *s)
{
	uint64_t *r = s->regs;
	const uint8_t *sp;

	memset(r, 0, sizeof(s->regs));
	__asm__ volatile("movq %%rbx, 8(%0)\n\t"
			 "movq %%rbp, 48(%0)\n\t"
			 "movq %%rsp, 56(%0)\n\t"
			 "leaq 0(%%rip), %%rax\n\t"
			 "movq %%rax, 64(%0)\n\t"
			 "movq %%r12, 160(%0)\n\t"
			 "movq %%r13, 168(%0)\n\t"
			 "movq %%r14, 176(%0)\n\t"
			 "movq %%r15, 184(%0)\n\t"
			 : : "r"(r) : "rax", "memory");
	sp = (const uint8_t *)(uintptr_t)r[PERF_REG_X86_SP];
	s->len = COPY;
	/* Like the kernel, never copy past the end of the stack mapping. */
	if (s->len > stack_end - (uintptr_t)sp)
		s->len = stack_end - (uintptr_t)sp;
	for (size_t i = 0; i < s->len; i++)
		s->stack[i] = ((const volatile uint8_t *)sp)[i];
}

/* A known chain; each does work after the call so none is a tail call. */
__attribute__((noinline)) int uwt_c(struct snap *s);
__attribute__((noinline)) int uwt_b(struct snap *s);
__attribute__((noinline)) int uwt_a(struct snap *s);
__attribute__((noinline)) int uwt_c(struct snap *s) { uwt_capture(s); return (int)s->len + 1; }
__attribute__((noinline)) int uwt_b(struct snap *s) { return uwt_c(s) + 2; }
__attribute__((noinline)) int uwt_a(struct snap *s) { return uwt_b(s) + 3; }

static struct snap snap;

static void run_chain(void)
{
	struct maps m = { 0 };
	int here;
	const struct map_entry *e;

	cr_assert_eq(maps_read(getpid(), &m), 0);
	e = maps_find(&m, (uint64_t)(uintptr_t)&here);
	cr_assert_not_null(e);
	stack_end = (uintptr_t)e->end;
	maps_release(&m);
	uwt_a(&snap);
}

static const char *name_of(uint64_t ip)
{
	Dl_info di;

	return dladdr((void *)(uintptr_t)ip, &di) && di.dli_sname ? di.dli_sname : "?";
}

static size_t unwind(size_t stack_len, size_t max, uint64_t *ips, enum unwind_status *st)
{
	struct modcache *mc = modcache_new(getpid(), NULL, NULL);
	struct uw *u = uw_new(mc);
	size_t n;

	cr_assert_not_null(u);
	n = uw_unwind(u, snap.regs, snap.stack, stack_len, ips, max, st);
	uw_free(u);
	modcache_free(mc);
	return n;
}

Test(unwind, known_chain_through_dwarf)
{
	uint64_t ips[64];
	enum unwind_status st;
	size_t n;

	run_chain();
	n = unwind(snap.len, 64, ips, &st);
	cr_assert_geq(n, 5, "only %zu frames", n);
	cr_assert_str_eq(name_of(ips[0]), "uwt_capture");
	cr_assert_str_eq(name_of(ips[1]), "uwt_c");
	cr_assert_str_eq(name_of(ips[2]), "uwt_b");
	cr_assert_str_eq(name_of(ips[3]), "uwt_a");
	/* ...and on, through criterion and libc, to the thread's start. */
	cr_assert_eq(st, UWS_OK, "status %d after %zu frames", st, n);
}

Test(unwind, depth_limit_is_reported)
{
	uint64_t ips[2];
	enum unwind_status st;

	run_chain();
	cr_assert_eq(unwind(snap.len, 2, ips, &st), 2);
	cr_assert_eq(st, UWS_DEPTH);
	cr_assert_str_eq(name_of(ips[1]), "uwt_c");
}

Test(unwind, short_stack_copy_is_told_apart)
{
	uint64_t ips[64];
	enum unwind_status st;
	size_t n;

	run_chain();
	n = unwind(16, 64, ips, &st);
	cr_assert_lt(n, 4);
	cr_assert_eq(st, UWS_STACK_COPY, "status %d", st);
}

Test(unwind, garbage_stack_ends_without_looping)
{
	uint64_t ips[4096];
	enum unwind_status st;
	size_t n;

	run_chain();
	/* Every saved slot points back into the copy itself: a cycle for a
	 * naive frame-pointer walk. */
	for (size_t i = 0; i + 8 <= snap.len; i += 8) {
		uint64_t v = snap.regs[PERF_REG_X86_SP] + (i % 64);

		memcpy(snap.stack + i, &v, 8);
	}
	snap.regs[PERF_REG_X86_BP] = snap.regs[PERF_REG_X86_SP];
	n = unwind(snap.len, 4096, ips, &st);
	cr_assert_lt(n, 8, "%zu frames from garbage", n);
	cr_assert_neq(st, UWS_OK);
}
