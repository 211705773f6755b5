/* elftab.h — read one ELF file with libelf: a guarded open, its build-id, its function symbol table. */
#ifndef PROFTUI_ELFTAB_H
#define PROFTUI_ELFTAB_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * The lowest layer of symbol resolution (symbols.h is the API, elfsyms.h
 * picks which file's table to use): everything here reads one ELF image
 * and trusts nothing in it.  Caps: files over 2 GiB and tables over 50
 * million symbols are refused, names are cut at 4095 bytes, at most 2^20
 * sections and ELFTAB_MAX_PHDRS program headers are read, notes over 1 MiB
 * are skipped.  No global state but libelf's version handshake.
 */

#define ELFTAB_BUILD_ID_MAX	20
#define ELFTAB_MAX_PHDRS	4096

/* One function, in a table sorted by start. */
struct elftab_ent {
	uint64_t start;
	uint32_t size;          /* > 0: zero-size symbols get their span at load */
	uint32_t name;          /* offset in the table's name arena */
};

/* A function symbol table.  Zeroed (n == 0) is an empty one. */
struct elftab {
	struct elftab_ent *v;   /* sorted by start, one entry per address */
	size_t n;
	char *names;            /* one arena for all names of the table */
};

/* Tell libelf our version, once; false when it refuses. */
bool elftab_init(void);

/*
 * Open path read-only as an ELF file: a regular file (O_NONBLOCK, so a
 * FIFO planted at a module path cannot hang the consumer) under the size
 * cap.  On success *fdp and *ep are for the caller to elf_end and close,
 * and *st (may be NULL) has the file's stat.  Returns 0, -ENOSYS (libelf),
 * -errno from open/fstat, -EINVAL (not a regular file), -EFBIG, -ENOEXEC.
 */
int elftab_open(const char *path, int *fdp, Elf **ep, struct stat *st);

/*
 * The GNU build-id note of e (note sections first, then PT_NOTE
 * segments), up to ELFTAB_BUILD_ID_MAX bytes copied to id.  Returns its
 * length, 0 when there is none.
 */
int elftab_build_id(Elf *e, uint8_t id[ELFTAB_BUILD_ID_MAX]);

/* elftab_open + elftab_build_id: the length, 0 for none, -errno on error. */
int elftab_read_build_id(const char *path, uint8_t id[ELFTAB_BUILD_ID_MAX]);

/*
 * Build *t (overwritten) from e's first section of `type` (SHT_SYMTAB or
 * SHT_DYNSYM): function symbols (typed, or untyped with a size in an
 * executable section), symbol versions ("@GLIBC_2.14") cut, one preferred
 * name per address (sized, typed, public-looking, global, shorter), and
 * zero-size symbols spanning up to the next symbol within their section
 * unless a sized function covers them.  Returns 0 (t may still be empty),
 * -ENOENT (no such section), -ENOEXEC, -E2BIG or -ENOMEM; t is empty on
 * error.
 */
int elftab_read(Elf *e, GElf_Word type, struct elftab *t);

/* Free and zero t. */
void elftab_free(struct elftab *t);

#endif
