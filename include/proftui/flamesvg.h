/* flamesvg.h — export a profile as a standalone SVG flame graph for sharing. */
#ifndef PROFTUI_FLAMESVG_H
#define PROFTUI_FLAMESVG_H

#include <stdio.h>

#include "proftui/profile.h"

struct flamesvg_opts {
	const char *title;         /* NULL: "proftui flame graph" */
	const char *subtitle;      /* optional: target, duration, samples */
	unsigned width;            /* pixels, 0: 1200; kept within 200..65536 */
};

/*
 * A self-contained SVG 1.1 document (no external resources): the call tree
 * from p's root, drawn as a bottom frame "all" with the outermost callers on
 * the row above it, siblings alphabetical, each frame a <rect> whose width is
 * its total samples, with a <title> tooltip "name (module): N samples, P%"
 * and a label cut to fit (about 7 px a character); frames narrower than
 * 0.1 px are left out with their subtrees.  Colours are stable per function
 * (a hash of its name), warm for native code, and a blue-green hue for
 * functions whose module ends in ".py".  A small embedded script zooms on
 * click and resets on a click on the background, and the file still reads
 * fine in viewers without script.  Names are sanitised as in the text report
 * (controls and invalid UTF-8 shown as \xNN), then XML-escaped.  Iterative:
 * 10,000-frame stacks are fine; rows stop at 1024 (deeper frames are cut and
 * the footer says so).  A profile without samples with a stack gives a small
 * valid document saying "no samples".  Returns 0, -EIO (write error) or
 * -ENOMEM.
 */
int flamesvg_write(FILE *out, const struct profile *p, const struct flamesvg_opts *o);

#endif
