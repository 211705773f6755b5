/* perfmap.h — JIT symbol maps written by runtimes to /tmp/perf-PID.map. */
#ifndef PROFTUI_PERFMAP_H
#define PROFTUI_PERFMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct perfmap_sym {
	uint64_t start, size;
	char *name;
};

struct perfmap {
	struct perfmap_sym *v;  /* sorted by start, non-overlapping */
	size_t n;
	uint64_t file_size;     /* bytes parsed; lets callers re-read when the file grows */
};

/*
 * Parse "START SIZE NAME" lines (hex START and SIZE, with or without 0x; NAME
 * is the rest of the line, may contain spaces).  Invalid lines are skipped and
 * counted in *bad (may be NULL).  An empty text is a valid, empty map.
 * When two entries overlap, the one from the later line wins and the other is
 * dropped (not counted as bad): runtimes re-emit code at a reused address.
 * Returns 0 or -ENOMEM.
 */
int perfmap_parse(const char *text, size_t len, struct perfmap *out, size_t *bad);

/*
 * Load /tmp/perf-PID.map for `pid`, trusting it only if it is a regular file
 * owned by `owner` (the target's uid) or by root, opened with O_NOFOLLOW.
 * Returns 0, -ENOENT when absent, -EPERM when refused for its owner or type
 * (a reason is written to err), or another -errno.
 */
int perfmap_load(pid_t pid, uid_t owner, struct perfmap *out, char *err, size_t errlen);

/*
 * perfmap_load for an explicit path (perfmap_load uses "/tmp/perf-PID.map";
 * tests use their own directory).  Same checks and return values; a path that
 * is a symbolic link is refused with -EPERM.  file_size is the bytes read.
 */
int perfmap_load_path(const char *path, uid_t owner, struct perfmap *out, char *err,
		      size_t errlen);

/* The symbol whose [start, start+size) contains addr, or NULL. */
const struct perfmap_sym *perfmap_lookup(const struct perfmap *m, uint64_t addr);

void perfmap_release(struct perfmap *m);

#endif
