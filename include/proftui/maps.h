/* maps.h — parse /proc/PID/maps into a sorted table of mappings. */
#ifndef PROFTUI_MAPS_H
#define PROFTUI_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct map_entry {
	uint64_t start, end;    /* [start, end) */
	uint64_t pgoff;         /* file offset of start */
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	bool r, w, x, p;        /* permissions; p = private */
	bool deleted;           /* path ended in " (deleted)" (suffix removed) */
	char *path;             /* "" for anonymous; "[vdso]", "[stack]", ... kept */
};

struct maps {
	struct map_entry *v;    /* sorted by start, non-overlapping */
	size_t n;
};

/*
 * Parse the text of a maps file.  Robust to paths with spaces, very long
 * lines and junk: a malformed line is skipped and counted in *bad (may be
 * NULL); so is a path over PATH_MAX * 4 bytes.  Lines out of order are
 * sorted; of two overlapping mappings the higher one is dropped and counted as
 * bad.  A trailing "\r" is ignored.  Returns 0, or -ENOMEM.  `out` is
 * overwritten (release it first).
 */
int maps_parse(const char *text, size_t len, struct maps *out, size_t *bad);

/*
 * Read and parse /proc/PID/maps.  Returns 0 or -errno: -ENOENT for no such
 * process, -EACCES when not allowed, -EFBIG past 256 MiB.
 */
int maps_read(pid_t pid, struct maps *out);

/*
 * Is `path`, as proftui sees it, the very file mapping e shows (same device
 * and inode)?  The last road to a target's file when /proc/PID/root and
 * map_files are refused (they need ptrace rights that reading the maps does
 * not): only taken when it is provably the same file.
 */
bool maps_same_file(const struct map_entry *e, const char *path);

/* The mapping containing addr, or NULL.  Binary search. */
const struct map_entry *maps_find(const struct maps *m, uint64_t addr);

void maps_release(struct maps *m);

#endif
