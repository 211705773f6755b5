/* kcache.h — a per-boot cache of the kernel symbol table: only the first run after boot reads /proc/kallsyms. */
#ifndef PROFTUI_KCACHE_H
#define PROFTUI_KCACHE_H

#include <stddef.h>

#include "proftui/kallsyms.h"

/*
 * Reading /proc/kallsyms costs ~60 ms of CPU, most of it in the kernel
 * formatting the file; the parsed table saved in a file loads in a few ms.
 * The file, CACHE_DIR/kallsyms-BOOT_ID, is kept while its key holds (see
 * struct kallsyms_key) and rewritten when it does not; writing a new one
 * removes the other boots' files.
 *
 * The directory is user-writable and root reads it, so nothing in it is
 * trusted: the directory and the file must be owned by the effective uid
 * and not writable by group or others, the directory and the file must
 * not be symlinks, the file must be a regular file of at most
 * KCACHE_MAX_SIZE bytes, and its content must be exactly what
 * kallsyms_save writes for the current key.  Otherwise the cache is
 * ignored (and, when the directory fails, never written either).
 */
#define KCACHE_MAX_SIZE (64UL << 20)
#define KCACHE_DIR_MAX  4096

/*
 * $PROFTUI_CACHE_DIR, else $XDG_CACHE_HOME/proftui, else $HOME/.cache/proftui,
 * written to buf; NULL (no cache) when PROFTUI_CACHE_DIR is set but empty,
 * when none is set, or when the path does not fit in len bytes.
 */
const char *kcache_default_dir(char *buf, size_t len);

/*
 * The key from a boot id file (/proc/sys/kernel/random/boot_id: 1 to 71
 * hex digits and dashes, then an optional newline), a module list
 * (/proc/modules; hashed, and a missing file hashes as empty: a kernel
 * without modules) and release (uname's when NULL).  Returns 0 or -errno
 * (-EINVAL for a boot id or release that is not one).
 */
int kcache_key(struct kallsyms_key *key, const char *boot_id_path, const char *modules_path,
	       const char *release);

/*
 * Fill k (zeroed) from cache_dir's file for key when it is valid, else
 * from kallsyms_load(kallsyms_path), then write the cache when the table is
 * complete and not empty (kptr_restrict shows no addresses: nothing to keep).
 * Creates cache_dir (and its parent) mode 0700 when absent, only inside a
 * directory owned by the effective uid.  Every cache failure is silent.
 * cache_dir NULL: no cache.  Returns 1 when the table came from the cache,
 * else what kallsyms_load returned.
 */
int kcache_load_key(struct kallsyms *k, const char *kallsyms_path, const char *cache_dir,
		    const struct kallsyms_key *key);

/*
 * kcache_load_key with the running kernel's key: its boot id, release,
 * /proc/modules and the ids of the loaded BPF programs (their JIT images
 * are named in kallsyms too).  When the key cannot be read, no cache.
 */
int kcache_load(struct kallsyms *k, const char *kallsyms_path, const char *cache_dir);

#endif
