/* modcache.h — the sampler's view of the target's executable modules: ids, file images, unwind tables. */
#ifndef PROFTUI_MODCACHE_H
#define PROFTUI_MODCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/dwframe.h"
#include "proftui/maps.h"
#include "proftui/record.h"

/*
 * Owned by the sampler thread.  Keeps the target's current /proc/PID/maps and,
 * for every executable module, a read-only image of its file (mmap of the ELF
 * through /proc/PID/root or /proc/PID/map_files, or proftui's own vDSO,
 * which the kernel shares with every process) with what the unwinder needs:
 * program headers and the .eh_frame_hdr search table (or, for a module
 * whose CFI is only in .debug_frame, an equivalent built from it on first
 * use: modcache_debug_frame).  Each module gets a
 * small id, announced once through the `announce` callback as a REC_MODULE
 * record so the consumer can symbolise on its own.
 */
struct modcache;

struct mod {
	uint32_t id;
	enum module_kind kind;
	const uint8_t *image;      /* whole file (or vDSO) bytes, NULL if unreadable */
	size_t image_size;
	uint64_t eh_hdr_vaddr;     /* .eh_frame_hdr ELF vaddr, 0 if none */
	uint64_t eh_table_vaddr;   /* its binary-search table */
	uint64_t eh_fde_count;
	uint8_t build_id[20];
	uint8_t build_id_len;
	char *path;                /* as the target sees it */
	char *open_path;           /* how proftui opens it */
};

typedef int (*modcache_announce_fn)(void *ctx, const struct mod *m);

struct modcache *modcache_new(pid_t pid, modcache_announce_fn announce, void *ctx);
void modcache_free(struct modcache *mc);

/* Re-read /proc/PID/maps (rate-limited to once per `min_interval_ms` unless
 * force).  Returns 0 or -errno (-ESRCH/-ENOENT once the process is gone). */
int modcache_refresh(struct modcache *mc, bool force);

/* Forget everything: module ids keep counting up. */
void modcache_reset(struct modcache *mc);

/* The CLOCK_MONOTONIC time of the sample about to be resolved: a lookup
 * that misses re-reads the maps at once when they are older than it. */
void modcache_set_sample_time(struct modcache *mc, uint64_t time_ns);

/* The mapping containing addr (refreshing maps once on a miss). */
const struct map_entry *modcache_map(struct modcache *mc, uint64_t addr);

/*
 * The module for a mapping (created and announced on first use), or NULL for
 * a mapping that is not code we can name (heap, stack).
 */
const struct mod *modcache_module(struct modcache *mc, const struct map_entry *e);

/* Convert a runtime address inside mapping e of module m into the module's
 * ELF virtual address (load bias removed); false if no PT_LOAD covers it. */
bool modcache_to_vaddr(const struct mod *m, const struct map_entry *e, uint64_t addr,
		       uint64_t *vaddr);

/*
 * For a module whose CFI is in .debug_frame (of the file itself, else of
 * the separate debug file /usr/lib/debug/.build-id/xx/rest.debug, looked
 * up under the target's root first, then proftui's; its build-id must
 * match): that CFI rebuilt as .eh_frame + .eh_frame_hdr (dwframe.h), placed
 * at an ELF vaddr past the module's last PT_LOAD, which is never mapped,
 * so the caller must serve those bytes itself.  Built on the first call
 * for a module and kept with it; NULL when the module has none (the
 * answer is kept too).
 */
const struct dwf_table *modcache_debug_frame(struct modcache *mc, const struct mod *m);

/* A counter that changes whenever the target's executable mappings do (or
 * after modcache_reset): what was learnt about a code address holds while
 * it stays the same. */
uint64_t modcache_generation(const struct modcache *mc);

/* `len` bytes of module m's file at its ELF vaddr (inside one PT_LOAD's
 * file bytes), or NULL. */
const uint8_t *modcache_image_at(const struct mod *m, uint64_t vaddr, size_t len);

/* Copy `len` bytes of the target's memory at `addr` from the module file
 * image backing it (read-only file data, never live memory). */
bool modcache_read(struct modcache *mc, uint64_t addr, void *buf, size_t len);

/* The same from the target's live memory (process_vm_readv): for JIT code,
 * which has no file.  False when it cannot be read. */
bool modcache_read_live(struct modcache *mc, uint64_t addr, void *buf, size_t len);

/* Frame for a return/instruction address: module id + file offset, or
 * module 0 + absolute address when unknown. */
struct frame modcache_frame(struct modcache *mc, uint64_t addr);

#endif
