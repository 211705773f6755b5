/* kallsyms.h — kernel function names from /proc/kallsyms: load once, look addresses up. */
#ifndef PROFTUI_KALLSYMS_H
#define PROFTUI_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * symbols.c loads /proc/kallsyms into one of these on the first kernel
 * lookup; tests may load any file in its format ("addr type name", an
 * optional "\t[module]").  Only text symbols (types T, W, t, w) are named;
 * the others only end the symbol before them.  Among aliases at one address
 * T beats W beats t beats w, then the earlier line.  A symbol spans up to
 * the next address, at most 1 MiB; the last one only its first byte.
 * Caps: 2 million symbols, names cut at 4095 bytes, 4 GiB of names.
 */

struct kallsyms_ent;            /* internal */

/* Zeroed is an empty table. */
struct kallsyms {
	struct kallsyms_ent *v; /* sorted by address, one per address */
	size_t n;
	char *names;
	bool cut;               /* memory ran out while loading: not all of the file */
};

/*
 * Load k (zeroed) from the file at path.  Returns 0, or -errno when it
 * cannot be opened.  The table stays empty when every address is 0 (what
 * kallsyms shows without the right to see addresses, kptr_restrict), and
 * is cut short when memory runs out.
 */
int kallsyms_load(struct kallsyms *k, const char *path);

/* The name of the text symbol covering addr (owned by k) and addr's offset
 * in it; NULL (and *sym_off 0) when none does.  sym_off may be NULL. */
const char *kallsyms_lookup(const struct kallsyms *k, uint64_t addr, uint64_t *sym_off);

/* Free and zero k. */
void kallsyms_release(struct kallsyms *k);

/*
 * The per-boot cache (kcache.c) keeps a loaded table in a file, keyed by
 * what /proc/kallsyms depends on: the boot, the kernel release, and what
 * was loaded into the kernel since (modules, BPF programs: `loaded`).
 * Strings are NUL-terminated and at most KALLSYMS_KEY_STR - 1 bytes.
 */
#define KALLSYMS_KEY_STR 72
#define KALLSYMS_CACHE_MAGIC "PTKSYMS"  /* the first 8 bytes, with its NUL */

struct kallsyms_key {
	char boot_id[KALLSYMS_KEY_STR];
	char release[KALLSYMS_KEY_STR];
	uint64_t loaded;
};

/* 64-bit hash of n bytes: it tells changed bytes apart, not a hostile
 * forgery (the cache is trusted by its owner and mode, not its hash). */
uint64_t kallsyms_hash(const void *p, size_t n, uint64_t seed);

/*
 * Write k, which must not be empty, to fp in the cache format under key.
 * Returns 0, -EINVAL (empty k, or a key string too long) or -errno; fp's
 * own write errors are the caller's to check (safefile_commit does).
 *
 * Format (version 1, integers little-endian):
 *   0  magic "PTKSYMS\0"        8  u32 version       12  u32 entry count
 *  16  u32 names length         20  u32 zero        24  u64 hash of bytes 184-
 *  32  boot_id[72]             104  release[72]      (NUL-padded)
 * 176  u64 loaded
 * 184  entries: u64 address, u32 name offset (UINT32_MAX: no name),
 *      strictly ascending by address
 *      then the names: each named entry's name in entry order, each ended
 *      by a NUL, nothing else.
 * A table loads back as exactly the same bytes and the same lookups.
 */
int kallsyms_save(const struct kallsyms *k, FILE *fp, const struct kallsyms_key *key);

/*
 * Load k (zeroed) from the len bytes of a cache file, which are not
 * trusted: anything but the exact form kallsyms_save writes for an equal
 * key is refused.  Returns 0, -ESTALE when the key differs, -EINVAL when
 * the bytes are not a cache file, -ENOMEM; k stays empty on error.
 */
int kallsyms_parse_cache(struct kallsyms *k, const void *buf, size_t len,
			 const struct kallsyms_key *key);

#endif
