/* export.h — save a profile under a user-given name, in the format its name (or a flag) asks for. */
#ifndef PROFTUI_EXPORT_H
#define PROFTUI_EXPORT_H

#include <stddef.h>

#include "proftui/prochist.h"
#include "proftui/profile.h"
#include "proftui/snapshot.h"

enum export_fmt {
	EXPORT_AUTO = 0,   /* by the file name */
	EXPORT_NATIVE,     /* proftui's snapshot (snapshot.h): loads back with --load */
	EXPORT_FOLDED,     /* folded stacks: FlameGraph, inferno, speedscope */
	EXPORT_PPROF,      /* gzipped profile.proto: go tool pprof, Pyroscope, Parca */
	EXPORT_SVG,        /* a standalone SVG flame graph */
};

/* ".folded" -> FOLDED, ".pb.gz" -> PPROF, ".svg" -> SVG, anything else NATIVE. */
enum export_fmt export_format_for(const char *path);

/* "native", "folded", "pprof" or "svg"; -1 for anything else. */
int export_format_parse(const char *name);
const char *export_format_name(enum export_fmt fmt);

/*
 * Write p to path in fmt (EXPORT_AUTO: by the name) through safefile: a
 * temporary file beside it renamed over it only once complete, so a failed
 * save (bad path, full disk) leaves whatever was there and loses nothing of
 * the profile.  m and h (may be NULL) describe the session for the formats
 * that carry it.  Returns 0, or -errno with a one-line message in err.
 */
int export_save(const char *path, enum export_fmt fmt, const struct profile *p,
		const struct snap_meta *m, const struct prochist *h, char *err, size_t errlen);

#endif
