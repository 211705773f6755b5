/* dwframe.h — rebuild a .debug_frame section as the .eh_frame + .eh_frame_hdr libunwind can search. */
#ifndef PROFTUI_DWFRAME_H
#define PROFTUI_DWFRAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * libunwind 1.6.2's remote API searches only .eh_frame_hdr tables and parses
 * what they point at as .eh_frame.  A module built without unwind tables
 * keeps its CFI in .debug_frame (when built with -g), which differs in
 * framing: CIE id 0xffffffff, CIE pointers as section offsets, absolute
 * addresses of address_size bytes.  dwf_build rewrites it once into one
 * buffer holding
 *
 *   .eh_frame: each used CIE as version 1 (3 if its return-address column
 *     is over 255), augmentation "zR", FDE encoding pcrel|sdata4; each FDE
 *     with an eh_frame CIE pointer, pcrel sdata4 pc_begin, sdata4 pc_range,
 *     empty augmentation data; CFA instructions copied as they are, except
 *     DW_CFA_set_loc, whose absolute address becomes pcrel sdata4 as the
 *     CIE's 'R' encoding then says; a zero terminator;
 *   .eh_frame_hdr: version 1, eh_frame_ptr pcrel|sdata4, fde_count udata4,
 *     and the binary-search table, datarel|sdata4 relative to the hdr,
 *     sorted by pc_begin.
 *
 * The buffer is "placed" at a module ELF vaddr chosen by the caller: every
 * pointer in it is a difference of ELF vaddrs, so it reads correctly at
 * any load bias once the caller serves its bytes at vaddr + bias.
 *
 * Nothing in the section is trusted: lengths, offsets and operands are
 * bounded by the entry holding them; a malformed or unsupported entry (a
 * CIE with an augmentation, an unknown CFA opcode, an FDE outside [pc_lo,
 * pc_hi) or too far from vaddr for 32-bit offsets) is dropped and counted;
 * framing that cannot be followed ends the walk.
 */

/* Sections larger than this are refused (-EFBIG). */
#define DWF_MAX_SECTION ((size_t)64 << 20)

/* The encodings dwf_build writes. */
#define DWF_PE_PCREL_SDATA4   0x1b   /* CIE 'R' data, hdr eh_frame_ptr */
#define DWF_PE_UDATA4         0x03   /* hdr fde_count */
#define DWF_PE_DATAREL_SDATA4 0x3b   /* hdr table */

struct dwf_place {
	uint64_t vaddr;          /* module ELF vaddr the buffer is served at */
	uint64_t pc_lo, pc_hi;   /* FDEs must lie inside [pc_lo, pc_hi) */
	unsigned addr_size;      /* for CIEs before version 4: 4 or 8 (0 = 8) */
};

struct dwf_table {
	uint8_t *buf;            /* .eh_frame, then .eh_frame_hdr and table */
	size_t len;              /* a multiple of 8 */
	uint64_t vaddr;          /* = dwf_place.vaddr */
	uint64_t hdr_vaddr;      /* the .eh_frame_hdr (libunwind's segbase) */
	uint64_t table_vaddr;    /* its search table (hdr_vaddr + 12) */
	uint64_t fde_count;      /* entries in the table */
	size_t dropped;          /* CIEs and FDEs left out */
};

/*
 * Build the table from the bytes of a .debug_frame section.  Returns 0,
 * -ENOENT when no FDE survived, -EFBIG past DWF_MAX_SECTION, -EINVAL for a
 * bad place, or -ENOMEM.  On error *out is zeroed (release it anyway).
 */
int dwf_build(const uint8_t *sec, size_t len, const struct dwf_place *pl, struct dwf_table *out);

/*
 * The same from the .debug_frame of the ELF file open on fd (a zlib
 * SHF_COMPRESSED section is inflated first, capped at DWF_MAX_SECTION;
 * the file is mapped privately and never written).  With build_id non-NULL
 * the file must carry that GNU build-id (a separate debug file).
 * pl->addr_size 0 means the ELF class's.  fd stays open.  Returns 0,
 * -ENOENT (no .debug_frame, or nothing usable in it), -ESTALE (build-id
 * differs), -EINVAL (not ELF), -EFBIG, -ENOMEM.
 */
int dwf_from_fd(int fd, const struct dwf_place *pl, const uint8_t *build_id,
		size_t build_id_len, struct dwf_table *out);

void dwf_release(struct dwf_table *t);

#endif
