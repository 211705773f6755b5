/* elfsyms.h — one module's function symbols: the best table for an ELF file or the vDSO, and offset lookup. */
#ifndef PROFTUI_ELFSYMS_H
#define PROFTUI_ELFSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/elftab.h"

/*
 * What symbols.c caches per module path.  Loading picks the table with the
 * most functions of: the separate debug file's .symtab (by build-id under
 * /usr/lib/debug/.build-id/xx/rest.debug, then .gnu_debuglink next to the
 * file, in ./.debug/ and under /usr/lib/debug/<dir>/, each checked to be
 * the same build: build-id, or the link's CRC32), and the file's own
 * .symtab; .dynsym when both are empty.  A debug file never replaces the
 * file's PT_LOAD segments: debug files keep the vaddrs but not meaningful
 * file offsets.  Loading never fails: a module that cannot be read is
 * simply empty (n == 0), and stays so.
 */

struct elfsyms_seg {            /* one PT_LOAD: file range -> vaddr */
	uint64_t off, vaddr, filesz;
	bool exec;
};

/* Zeroed is an empty module.  Read-only outside elfsyms.c. */
struct elfsyms {
	uint8_t build_id[ELFTAB_BUILD_ID_MAX];
	size_t build_id_len;    /* 0: none */
	struct elfsyms_seg *segs;
	size_t nsegs;
	struct elftab tab;
};

/* Load m (zeroed) from the ELF file at path. */
void elfsyms_load_file(struct elfsyms *m, const char *path);
/* Load m (zeroed) from proftui's own vDSO: the kernel maps the same image
 * into every process.  Its debug file can only be found by build-id. */
void elfsyms_load_vdso(struct elfsyms *m);
/* Free and zero m. */
void elfsyms_release(struct elfsyms *m);

/* The ELF virtual address of file offset off, through the PT_LOAD segment
 * that holds it (an executable one when several do); false when none. */
bool elfsyms_to_vaddr(const struct elfsyms *m, uint64_t off, uint64_t *va);

/* Index in m->tab of the symbol covering va, or -1. */
long elfsyms_find(const struct elfsyms *m, uint64_t va);

#endif
