/* test_unwind.c — unwind a copied stack of this very process through a known noinline chain, by libunwind and by the rule cache alike. */
#include <asm/perf_regs.h>
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proftui/modcache.h"
#include "proftui/unwind.h"
#include "tmpdir.h"

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

/* Whether the last unwind() went by the rule cache alone (uw_stats). */
static bool last_fast;

/*
 * Unwind the snapshot three ways: libunwind alone, then by the rule cache
 * cold and warm.  All three must agree, frame for frame and in how the
 * walk ended, whatever the stack (so every test here also checks the
 * fast path against libunwind); the answer is returned.
 */
static size_t unwind(size_t stack_len, size_t max, uint64_t *ips, enum unwind_status *st)
{
	struct modcache *mc = modcache_new(getpid(), NULL, NULL);
	struct uw *u = uw_new(mc);
	uint64_t *slow = calloc(max + 1, sizeof(*slow)), f0, s0, f1, s1;
	enum unwind_status st_slow, st_warm;
	size_t n, n_slow;

	cr_assert_not_null(u);
	cr_assert_not_null(slow);
	uw_set_fast(u, false);
	n_slow = uw_unwind(u, snap.regs, snap.stack, stack_len, slow, max, &st_slow);
	uw_set_fast(u, true);
	for (int pass = 0; pass < 2; pass++) {
		uw_stats(u, &f0, &s0);
		n = uw_unwind(u, snap.regs, snap.stack, stack_len, ips, max, pass ? &st_warm : st);
		uw_stats(u, &f1, &s1);
		cr_assert_eq(n, n_slow, "pass %d: %zu frames, libunwind alone %zu", pass, n, n_slow);
		cr_assert_eq(pass ? st_warm : *st, st_slow, "pass %d: status %d, libunwind alone %d",
			     pass, pass ? st_warm : *st, st_slow);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(ips[i], slow[i], "pass %d: frame %zu is %#llx, libunwind alone %#llx",
				     pass, i, (unsigned long long)ips[i], (unsigned long long)slow[i]);
		last_fast = f1 > f0;
	}
	free(slow);
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
	/* Compiled code with .eh_frame all the way: the rule cache alone. */
	cr_assert(last_fast, "the known chain was not unwound by the rule cache alone");
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

/* ---- CFI only in .debug_frame: a shared object built at test time ---------- */

static const char dbf_so_src[] =
	"typedef void (*cb_t)(void *);\n"
	"volatile int dbf_sink;\n"
	/* Read-only data, so cutting the CFI leaves no empty segment. */
	"const char dbf_tag[256] = \"debug_frame only\";\n"
	"__attribute__((noinline)) void dbf_so_inner(cb_t cb, void *arg)\n"
	"{ int keep = dbf_sink; cb(arg); dbf_sink = keep + 1; }\n"
	"__attribute__((noinline)) void dbf_so_outer(cb_t cb, void *arg)\n"
	"{ int keep = dbf_sink * 3; dbf_so_inner(cb, arg); dbf_sink += keep; }\n";

static char dbf_dir[TD_LEN];

static void dbf_setup(void)
{
	td_make(dbf_dir, "test_unwind");
}

static void dbf_teardown(void)
{
	td_remove(dbf_dir);
}

/* One more function, built with unwind tables: as linked, the object has
 * an .eh_frame_hdr, which knows nothing of dbf_so_*. */
static const char dbf_other_src[] = "int dbf_other(int x) { return x + 1; }\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/*
 * Build dbf_so_src without frame pointers or unwind tables (so gcc puts its
 * CFI in .debug_frame) and link it with dbf_other_src, then cut `cut`
 * (objcopy --remove-section args, may be empty) out of the result.
 * Returns its path in dbf_dir; skips the test without gcc or objcopy.
 */
static const char *build_dbf_so(const char *name, const char *cut)
{
	static char so[128];
	char cmd[1024];

	if (system("gcc --version >/dev/null 2>&1") != 0 ||
	    system("objcopy --version >/dev/null 2>&1") != 0)
		cr_skip_test("gcc or objcopy not installed");
	snprintf(so, sizeof(so), "%s/%s", dbf_dir, name);
	snprintf(cmd, sizeof(cmd), "%s/dbf.c", dbf_dir);
	write_file(cmd, dbf_so_src);
	snprintf(cmd, sizeof(cmd), "%s/other.c", dbf_dir);
	write_file(cmd, dbf_other_src);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && gcc -O2 -g -fPIC -fomit-frame-pointer -fno-asynchronous-unwind-tables "
		 "-fno-unwind-tables -c dbf.c && gcc -O2 -fPIC -fasynchronous-unwind-tables -c other.c "
		 "&& gcc -shared -o '%s.tmp' dbf.o other.o && objcopy %s '%s.tmp' '%s'",
		 dbf_dir, so, cut, so, so);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	return so;
}

typedef void (*dbf_cb)(void *);
typedef void (*dbf_entry)(dbf_cb, void *);

__attribute__((noinline)) void uwt_capture_cb(void *arg);
__attribute__((noinline)) void uwt_capture_cb(void *arg)
{
	uwt_capture(arg);
	__asm__ volatile("" ::: "memory");	/* no tail call */
}

__attribute__((noinline)) int uwt_dbf_caller(dbf_entry outer);
__attribute__((noinline)) int uwt_dbf_caller(dbf_entry outer)
{
	outer(uwt_capture_cb, &snap);
	return (int)snap.len + 1;
}

/* Unwind from inside the object at so: through its two functions? */
static size_t unwind_through(const char *so, uint64_t *ips, size_t max, enum unwind_status *st)
{
	struct maps m = { 0 };
	int here;
	const struct map_entry *e;
	void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	dbf_entry outer;

	cr_assert_not_null(h, "dlopen %s: %s", so, dlerror());
	*(void **)&outer = dlsym(h, "dbf_so_outer");
	cr_assert_not_null(outer);
	cr_assert_eq(maps_read(getpid(), &m), 0);
	e = maps_find(&m, (uint64_t)(uintptr_t)&here);
	cr_assert_not_null(e);
	stack_end = (uintptr_t)e->end;
	maps_release(&m);
	uwt_dbf_caller(outer);
	/* The object stays loaded: the unwinder reads its file and mapping. */
	return unwind(snap.len, max, ips, st);
}

static void expect_dbf_chain(const char *so)
{
	uint64_t ips[64];
	enum unwind_status st;
	size_t n = unwind_through(so, ips, 64, &st);

	cr_assert_geq(n, 6, "only %zu frames", n);
	cr_assert_str_eq(name_of(ips[0]), "uwt_capture");
	cr_assert_str_eq(name_of(ips[1]), "uwt_capture_cb");
	cr_assert_str_eq(name_of(ips[2]), "dbf_so_inner");
	cr_assert_str_eq(name_of(ips[3]), "dbf_so_outer");
	cr_assert_str_eq(name_of(ips[4]), "uwt_dbf_caller");
	cr_assert_eq(st, UWS_OK, "status %d after %zu frames", st, n);
	cr_assert(last_fast, "CFI rebuilt from .debug_frame was not used by the rule cache");
}

TestSuite(unwind_dbf, .init = dbf_setup, .fini = dbf_teardown);

Test(unwind_dbf, through_debug_frame_only)
{
	expect_dbf_chain(build_dbf_so("libdbf.so",
				      "--remove-section=.eh_frame --remove-section=.eh_frame_hdr"));
}

/* As linked: an .eh_frame_hdr (for dbf_other) that does not cover ours. */
Test(unwind_dbf, through_debug_frame_beside_eh_frame)
{
	expect_dbf_chain(build_dbf_so("libdbf-crt.so", ""));
}

/* The control: without .debug_frame either, the chain is not found, so
 * the tests above do test .debug_frame. */
Test(unwind_dbf, no_cfi_at_all_loses_the_chain)
{
	uint64_t ips[64];
	enum unwind_status st;
	const char *so = build_dbf_so("libdbf-none.so", "--remove-section=.eh_frame "
				      "--remove-section=.eh_frame_hdr --remove-section=.debug_frame");
	size_t n = unwind_through(so, ips, 64, &st);

	cr_assert_geq(n, 3);
	cr_assert_str_eq(name_of(ips[2]), "dbf_so_inner");
	cr_assert(n < 5 || strcmp(name_of(ips[3]), "dbf_so_outer") ||
		  strcmp(name_of(ips[4]), "uwt_dbf_caller"),
		  "the chain was found without any CFI");
}

/* Frame pointers and saved slots near the top of the address space: no
 * bound check may wrap around (it once let a read run off the copy). */
Test(unwind, addresses_near_the_top_do_not_wrap)
{
	uint64_t ips[64];
	enum unwind_status st;
	uint64_t v = UINT64_MAX - 7;
	size_t n;

	run_chain();
	for (size_t i = 0; i + 8 <= snap.len; i += 8)
		memcpy(snap.stack + i, &v, 8);
	snap.regs[PERF_REG_X86_BP] = v;
	n = unwind(snap.len, 64, ips, &st);
	/* Under ASan an out-of-copy read aborts the test; everywhere, no frame
	 * may come from the garbage, and "complete" only means libunwind saw
	 * the end right after the leaf. */
	cr_assert_lt(n, 2, "%zu frames from garbage", n);
	cr_assert(st != UWS_OK || n == 1);
}
