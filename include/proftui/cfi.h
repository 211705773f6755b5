/* cfi.h — the x86-64 DWARF call-frame rule at one address, found through an .eh_frame_hdr search table. */
#ifndef PROFTUI_CFI_H
#define PROFTUI_CFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The fast unwinder caches, per instruction address, the rule that takes a
 * frame to its caller and applies it without libunwind.  cfi_lookup finds
 * that rule the way libunwind 1.6.2's remote table search and CFA program
 * interpreter would (src/dwarf/Gfind_proc_info-lsb.c, Gfde.c, Gparser.c):
 * a CFI_OK rule is exactly the register state libunwind would apply there.
 *
 * Wherever libunwind's reading departs from DWARF's, or its result is not
 * one cfi_rule can say, the answer is CFI_UNSUPPORTED and the caller lets
 * libunwind unwind that stack: being conservative is always safe.  So are:
 * a CFA that is not rsp/rbp + constant, an RA that is not saved at CFA + N
 * or undefined, an RBP not unchanged, saved at CFA + N or undefined, any
 * register with an expression rule (libunwind evaluates every one, and may
 * fail), register numbers of 17 and up (libunwind refuses them), signal
 * frames ('S'), CIE versions other than 1 and 3, augmentations it would
 * misparse, DW_CFA_val_offset(_sf) (libunwind does not know them and reads
 * their operands as opcodes), datarel/textrel/funcrel/aligned/indirect FDE
 * addresses, and more than CFI_MAX_STATES nested remember_states.
 *
 * Two things remain for the caller, as libunwind does them after the rule:
 * an undefined RBP ends the walk on x86-64 as an undefined RA does
 * (src/x86_64/Gstep.c), and a step that leaves both ip and CFA unchanged
 * is an error.
 *
 * Nothing read is trusted: every length, offset and operand is checked
 * against the entry holding it, every byte comes through cfi_mem.at, and the
 * work is bounded (CFI_MAX_ENTRY, CFI_MAX_OPS, CFI_MAX_STATES).  No memory
 * is allocated.
 */

/* Bytes of one module, addressed by its ELF virtual addresses (load bias removed). */
struct cfi_mem {
	/* `len` contiguous readable bytes at ELF vaddr `vaddr`, or NULL if not all of them exist. */
	const uint8_t *(*at)(void *ctx, uint64_t vaddr, size_t len);
	void *ctx;
};

/* An .eh_frame_hdr binary-search table (as parsed from PT_GNU_EH_FRAME, or built by dwf_build). */
struct cfi_table {
	uint64_t hdr_vaddr;    /* the .eh_frame_hdr: base of its datarel entries */
	uint64_t table_vaddr;  /* the sorted table: fde_count pairs of int32 (initial_loc, fde), datarel */
	uint64_t fde_count;
};

#define CFI_RSP 7   /* DWARF register numbers on x86-64 */
#define CFI_RBP 6
#define CFI_RA  16

/* Bounds on the work of one lookup. */
#define CFI_MAX_ENTRY  ((uint64_t)1 << 20)   /* bytes in one CIE or FDE */
#define CFI_MAX_OPS    4096                  /* CFA instructions executed */
#define CFI_MAX_STATES 16                    /* nested DW_CFA_remember_state */
#define CFI_MAX_TABLE  ((uint64_t)1 << 26)   /* search-table entries */

enum cfi_how {
	CFI_SAME,      /* unchanged in the caller (also: no rule given) */
	CFI_UNDEF,     /* undefined: for RA or RBP, the outermost frame */
	CFI_AT_CFA,    /* saved in memory at CFA + off */
};

struct cfi_rule {
	uint8_t cfa_reg;       /* CFI_RSP or CFI_RBP */
	int32_t cfa_off;       /* CFA = cfa_reg's value + cfa_off */
	uint8_t ra_how;        /* CFI_AT_CFA or CFI_UNDEF only */
	int32_t ra_off;
	uint8_t rbp_how;       /* any cfi_how */
	int32_t rbp_off;
};

enum cfi_result {
	CFI_OK = 0,
	CFI_NONE,          /* no FDE covers pc */
	CFI_UNSUPPORTED,   /* an FDE covers pc but its rule is not a cfi_rule */
	CFI_BAD,           /* malformed table, CIE or FDE */
};

/*
 * The rule in force at `pc` (an ELF vaddr of this module: for a caller's
 * frame, the return address minus one, as libunwind looks it up).  *out is
 * written on CFI_OK and zeroed otherwise.  A table entry that leads to a
 * zero-length entry or to a CIE gives CFI_NONE, as libunwind then reports
 * no information.  Absolute (absptr/udata) FDE addresses are taken as ELF
 * vaddrs: libunwind, reading them from the file, agrees only where the
 * load bias is 0, which is where compilers emit them.
 */
enum cfi_result cfi_lookup(const struct cfi_mem *mem, const struct cfi_table *t, uint64_t pc,
			   struct cfi_rule *out);

#endif
