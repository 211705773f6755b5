/* pprof.h — export a profile as pprof (gzipped protobuf), for go tool pprof, Pyroscope and Parca. */
#ifndef PROFTUI_PPROF_H
#define PROFTUI_PPROF_H

#include <stdint.h>
#include <stdio.h>

#include "proftui/profile.h"

struct pprof_info {
	double freq_hz;            /* sampling rate: period = 1e9 / freq_hz ns of CPU */
	double duration_s;         /* 0 unknown */
	int64_t start_unix_ns;     /* 0 unknown */
	const char *comment;       /* optional, e.g. the target's command line */
};

/*
 * Write p as a gzip-compressed profile.proto message (see
 * github.com/google/pprof/blob/main/proto/profile.proto): sample types
 * "samples/count" and "cpu/nanoseconds" (the default when freq_hz > 0; with
 * no rate the CPU values and the period are 0 and counts are the default),
 * one Sample per call path with self samples (locations leaf first, as pprof
 * wants; samples without a stack are not exported), one Location and one
 * Function per proftui function that appears in a sample (name and
 * system_name = the function, "[unknown]" when it has none; filename = its
 * module), a string table with "" first and no duplicates.  Strings keep
 * their bytes, each byte of an invalid UTF-8 sequence replaced by U+FFFD.
 * No Mapping: the functions are already symbolised.  Encoded by hand
 * (varints and length-delimited fields: a small subset of protobuf),
 * compressed with zlib as it goes, so memory stays one sample's encoding
 * plus the string index.  Returns 0, -EIO (write error) or -ENOMEM.
 */
int pprof_write(FILE *out, const struct profile *p, const struct pprof_info *info);

#endif
