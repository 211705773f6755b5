/* snapshot.h — proftui's native snapshot format: save a profile with its metadata, load it back. */
#ifndef PROFTUI_SNAPSHOT_H
#define PROFTUI_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proftui/prochist.h"
#include "proftui/profile.h"
#include "proftui/samplelog.h"
#include "proftui/tstrip.h"

/*
 * A snapshot is a versioned, self-describing text file (see snapshot.c for
 * the grammar): a magic first line with the format version, then metadata,
 * the profile's counters, thread names and totals, functions as module +
 * address in it + symbol name (since version 2), one line per call path with
 * its self count, and the process-figure readings (prochist).  Text so that
 * a snapshot taken on one machine opens on another, diffs and greps;
 * metadata, counters and readings are named key by key, so older readers
 * skip what they do not know.
 *
 * Loading trusts nothing: sizes, counts, ids and depths are checked and
 * capped, so a truncated, corrupt or hostile file fails with a message naming
 * the line ("snapshot FILE: line N: what"), never a crash, a hang or a huge
 * allocation.
 */

/* Strings are owned by whoever filled the struct; NULL means unknown. */
struct snap_meta {
	const char *target;        /* command line, or "pid N (comm)" */
	uint32_t pid;              /* 0 unknown */
	const char *host;          /* uname nodename */
	const char *kernel;        /* uname release */
	const char *method;        /* "perf" or "ptrace" */
	const char *version;       /* proftui version that wrote it */
	double freq_hz;            /* rate asked for */
	double duration_s;         /* wall time sampled */
	int64_t start_unix;        /* seconds since the epoch when sampling began, 0 unknown */
	/* The session's timeline, for the time strip and time ranges after
	 * loading; NULL for none.  strip: the samples per slice (written
	 * whole); log: the recent samples (their leaves must be nodes of the
	 * profile written), written as weights per slice, thread and stack
	 * line, at most SNAPSHOT_MAX_TIMED entries' worth, the oldest slices
	 * left out first; log_from_ns: from this time on (ns from the strip's
	 * origin) the log holds every sample, 0 when it holds them all. */
	const struct tstrip *strip;
	const struct samplelog *log;
	uint64_t log_from_ns;
};

/* snap_meta.log_from_ns for a session's strip and log: 0 while the log
 * still holds every sample, else when its oldest entry was taken (ns from
 * the strip's origin).  0 when either is NULL. */
uint64_t snapshot_log_from(const struct tstrip *strip, const struct samplelog *log);

/* Sample-log entries (samplelog.h) a snapshot's timeline may hold: the
 * live UI's whole log. */
#define SNAPSHOT_MAX_TIMED ((size_t)1 << 22)

/*
 * Caps, on writing and loading alike, so that every snapshot proftui writes
 * loads again: a line's length (the longest legal line, a 65536-frame path of
 * 8-digit ids, is about 600 KiB), functions, stack lines, frames in one path
 * (the sampler's frame count is 16 bits) and threads (Linux's PID_MAX_LIMIT).
 */
#define SNAPSHOT_MAX_LINE    ((size_t)1 << 20)
#define SNAPSHOT_MAX_FUNCS   ((size_t)1 << 24)
#define SNAPSHOT_MAX_STACKS  ((size_t)1 << 24)
#define SNAPSHOT_MAX_DEPTH   ((size_t)1 << 16)
#define SNAPSHOT_MAX_THREADS ((size_t)1 << 22)

/* Write the snapshot to out.  m and h may be NULL (no metadata, no
 * readings).  Returns 0, -EIO when writing failed (ferror), -ENOMEM, -E2BIG
 * when the profile is over a cap above (nothing useful written then), or
 * -EINVAL for a NULL out or p. */
int snapshot_write(FILE *out, const struct profile *p, const struct snap_meta *m,
		   const struct prochist *h);

/* A loaded snapshot: everything is owned by it (freed by snapshot_free). */
struct snapshot {
	struct profile *prof;      /* counters, threads, functions, tree */
	struct prochist *hist;     /* readings (never NULL; possibly none) */
	struct snap_meta meta;     /* strings point into the snapshot */
	unsigned format_version;   /* the file's: 1 (no addresses) or 2 */
	/* The timeline, when the file has one (strip line), else NULL: the
	 * strip as saved, its origin 0; the log's entries each at the middle
	 * of its slice, its leaves nodes of prof; every sample from
	 * log_from_ns on is in the log.  meta.strip, meta.log and
	 * meta.log_from_ns point at them, so that saving again keeps them. */
	struct tstrip *strip;
	struct samplelog *log;
	uint64_t log_from_ns;
};

/*
 * Parse a snapshot held in memory (len bytes, not necessarily
 * NUL-terminated).  `name` is used in messages only.  On failure returns a
 * negative errno (-EINVAL bad format, -ENOMEM, -E2BIG over a cap) and writes
 * a one-line message to err ("snapshot NAME: line N: unknown record 'x'").
 */
int snapshot_parse(const char *buf, size_t len, const char *name, struct snapshot **out,
		   char *err, size_t errlen);

/* Read a file (regular files only, at most SNAPSHOT_MAX_BYTES) and parse it.
 * A FIFO, device or directory is refused without reading it, so loading never
 * blocks; a symlink is followed.  Errors as snapshot_parse, plus the open or
 * read errno ("snapshot FILE: No such file or directory"). */
#define SNAPSHOT_MAX_BYTES ((size_t)1 << 30)
int snapshot_load(const char *path, struct snapshot **out, char *err, size_t errlen);

/* Safe on NULL. */
void snapshot_free(struct snapshot *s);

#endif
