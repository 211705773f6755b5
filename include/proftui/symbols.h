/* symbols.h — turn (module, file offset) into function names: ELF symtabs, debug files, vDSO, kallsyms. */
#ifndef PROFTUI_SYMBOLS_H
#define PROFTUI_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

/*
 * A cache of loaded symbol tables, one per module file, loaded lazily on the
 * first lookup and kept.  Used only by the consumer thread (not thread-safe).
 *
 * For an ELF file the lookup order is: the separate debug file (by build-id
 * under /usr/lib/debug/.build-id/xx/rest.debug, then .gnu_debuglink next to
 * the file, in ./.debug/ and under /usr/lib/debug/<dir>/), then the file's
 * own .symtab, then .dynsym.  A file offset is turned into an ELF virtual
 * address through the PT_LOAD program header that contains it, so PIE
 * executables and shared libraries at any load bias resolve alike.  C++
 * names are demangled.
 */
struct sym_cache;

struct sym_cache *sym_cache_new(void);
void sym_cache_free(struct sym_cache *c);

/*
 * Resolve `file_offset` in the ELF file opened at `open_path`.  When the
 * module has a build-id (len > 0) and the file's own build-id differs, the
 * file is treated as not matching and NULL is returned: a wrong name is worse
 * than none.  The special path "[vdso]" resolves against proftui's own vDSO
 * image (the kernel maps the same one into every process).  Returns the
 * function name (owned by the cache, valid until sym_cache_free) and sets
 * *sym_off to the offset of the address inside it; NULL when unknown.
 */
const char *sym_lookup(struct sym_cache *c, const char *open_path,
		       const uint8_t *build_id, size_t build_id_len,
		       uint64_t file_offset, uint64_t *sym_off);

/*
 * sym_lookup that also gives the symbol's own address in *sym_addr: its ELF
 * virtual address (st_value, as nm, addr2line and perf show it; relative to
 * the load address for PIE executables and shared libraries), which is
 * where file_offset's virtual address minus *sym_off lands.  UINT64_MAX when
 * NULL is returned.  sym_addr may be NULL.
 */
const char *sym_lookup_addr(struct sym_cache *c, const char *open_path,
			    const uint8_t *build_id, size_t build_id_len,
			    uint64_t file_offset, uint64_t *sym_off, uint64_t *sym_addr);

/* Resolve a kernel address through /proc/kallsyms (loaded once).  NULL when
 * unknown or when kallsyms hides addresses (kptr_restrict). */
const char *sym_kernel_lookup(struct sym_cache *c, uint64_t addr, uint64_t *sym_off);

/*
 * Read the GNU build-id note of the ELF file at `path` into id (up to 20
 * bytes).  Returns its length, 0 when the file has none, -errno on error.
 */
int sym_read_build_id(const char *path, uint8_t id[20]);

/*
 * Demangle one C++ (Itanium ABI, "_Z...") name.  Returns a malloc'd string
 * the caller frees, or NULL when `name` is not mangled or does not demangle.
 * sym_lookup already returns demangled names; this is exposed for tests and
 * for names that come from elsewhere (perf maps).
 */
char *sym_demangle(const char *name);

#endif
