/* badfp.c — a hot function whose frame pointer, and so its CFA, is corrupt while it spins: unwinders must stop, not loop or crash. */
/*
 * usage: badfp [SECONDS=3] [cycle|wild]
 *
 * main runs rounds of bad_caller (-> badfp_spin, 80 units) and good_work
 * (20 units) until SECONDS have passed.  Expected profile: badfp_spin ~80 %
 * self, good_work ~20 % self with the whole path main;good_work.
 *
 * badfp_spin is written in assembly (x86-64) with CFI like gcc's for a
 * function with a frame pointer: CFA = rbp + 16.  While it spins, rbp is
 * made to lie:
 *   cycle  rbp points at a fake frame on the stack that points at itself,
 *          with a return address inside badfp_spin: after the first step
 *          every step gives the same CFA and the same frame again, for
 *          ever, to an unwinder that does not demand progress;
 *   wild   rbp = 0x10: the return address would be read at 0x18, which is
 *          not mapped.
 * Once the spin ends rbp is restored and the function returns normally.
 */
#include <string.h>

#include "wl.h"

#define USAGE "[SECONDS=3] [cycle|wild]"

void badfp_spin(unsigned long units, unsigned long wild);
void bad_caller(unsigned long wild);
void good_work(void);

/* rdi: units of work (> 0), rsi: 0 cycle, else wild. */
__asm__(
	"	.text\n"
	"	.globl	badfp_spin\n"
	"	.type	badfp_spin, @function\n"
	"badfp_spin:\n"
	"	.cfi_startproc\n"
	"	pushq	%rbp\n"
	"	.cfi_def_cfa_offset 16\n"
	"	.cfi_offset %rbp, -16\n"
	"	movq	%rsp, %rbp\n"
	"	.cfi_def_cfa_register %rbp\n"
	"	subq	$16, %rsp\n"
	/* The fake frame at rsp: saved rbp = itself, return address = 2f. */
	"	leaq	2f(%rip), %rax\n"
	"	movq	%rax, 8(%rsp)\n"
	"	movq	%rsp, (%rsp)\n"
	"	movq	$0x10, %r8\n"
	"	testq	%rsi, %rsi\n"
	"	cmovzq	%rsp, %r8\n"
	/* From here to the restore, CFA = rbp + 16 is a lie. */
	"	movq	%r8, %rbp\n"
	"	movabsq	$6364136223846793005, %rcx\n"
	"	movabsq	$1442695040888963407, %rdx\n"
	"	movq	%rdi, %rax\n"
	"1:	movl	$4096, %r9d\n"
	"2:	imulq	%rcx, %rax\n"
	"	addq	%rdx, %rax\n"
	"	decl	%r9d\n"
	"	jnz	2b\n"
	"	decq	%rdi\n"
	"	jnz	1b\n"
	/* The real frame again: the pushed rbp sits above the fake one. */
	"	leaq	16(%rsp), %rbp\n"
	"	addq	$16, %rsp\n"
	"	popq	%rbp\n"
	"	.cfi_def_cfa %rsp, 8\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size	badfp_spin, .-badfp_spin\n");

static volatile unsigned units_bad = 80;
static volatile unsigned units_good = 20;
static volatile uint64_t sink;

__attribute__((noinline)) void bad_caller(unsigned long wild)
{
	badfp_spin(units_bad, wild);
	__asm__ volatile("" ::: "memory");	/* no tail call: keep this frame */
}

__attribute__((noinline)) void good_work(void)
{
	unsigned n = units_good;
	uint64_t x = sink;

	for (unsigned i = 0; i < n; i++)
		WL_UNIT(x);
	sink = x;
}

int main(int argc, char **argv)
{
	double seconds = wl_arg_seconds(argc, argv, 1, 3.0, USAGE);
	unsigned long wild = 0;
	double end;

	if (argc > 3)
		wl_usage(argv[0], USAGE, "too many arguments");
	if (argc > 2 && !strcmp(argv[2], "wild"))
		wild = 1;
	else if (argc > 2 && strcmp(argv[2], "cycle"))
		wl_usage(argv[0], USAGE, "mode must be cycle or wild");
	end = wl_now() + seconds;
	do {
		bad_caller(wild);
		good_work();
	} while (wl_now() < end);
	return 0;
}
