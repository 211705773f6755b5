/* uistrip.h — the live UI's time strip: a heatmap row of the session, and picking a time range on it. */
#ifndef PROFTUI_UISTRIP_H
#define PROFTUI_UISTRIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proftui/canvas.h"
#include "proftui/tstrip.h"

/*
 * The strip's state in the UI (shown or not, picking a range, the range
 * picked), its keys and its drawing; the counts are the tstrip's.  Times
 * here are relative to the strip's origin (the session's start), in ns.
 *
 * The row is one column per slice, or per group of slices once the session
 * has more slices than the row has columns, then the time the strip reaches
 * ("  M:SS").  A column's glyph rises with its samples (block eighths, or
 * ".:-=+*#@" on an ASCII canvas), relative to the fullest column; with
 * off-CPU weight its colour is the state with the most (on the CPU,
 * runnable, IO wait, sleeping: the flame graph's colours), else heat.  The
 * range picked shows inverted, and so, while picking, does the stretch from
 * the mark to the cursor.
 *
 * Picking (r): Left/Right (h, l) move the cursor a column, PgUp/PgDn ten,
 * Home/End (g, G) to the ends; Enter marks the start, Enter again the end
 * (in either order) and the range is set; Esc leaves it as it was.  Any
 * other key ends picking and is handled as usual.
 */
struct uistrip;

/* NULL when out of memory. */
struct uistrip *uistrip_new(void);
void uistrip_free(struct uistrip *u);

bool uistrip_shown(const struct uistrip *u);    /* the row is on the screen */
bool uistrip_picking(const struct uistrip *u);  /* its keys come first */

/* What uistrip_key did. */
enum {
	UISTRIP_IGNORED = 0,    /* not the strip's key */
	UISTRIP_HANDLED = 1 << 0,
	UISTRIP_RANGE = 1 << 1, /* the range was set or cleared */
};

/*
 * One key, with the strip as it is and the canvas width (the columns
 * depend on both): 's' shows or hides the strip, 'r' starts picking (and
 * shows it), 'x' clears the range, and while picking the keys above.  The
 * answer for the status line goes to msg.  Returns UISTRIP_* bits.
 */
unsigned uistrip_key(struct uistrip *u, int key, const struct tstrip *ts, int canvas_w,
		     char *msg, size_t len);

/* The range picked, [*t0, *t1) from the origin; false when none. */
bool uistrip_range(const struct uistrip *u, uint64_t *t0, uint64_t *t1);

/* Forget the range and stop picking (after a reset). */
void uistrip_clear(struct uistrip *u);

/*
 * The header's scope text for the range, "" for none: "range M:SS.d–M:SS.d",
 * and when it starts before kept_from (the oldest time the sample log still
 * holds every sample of, from the origin; 0: all of them) what is missing:
 * "(before M:SS.d not kept: partial)", or "(not kept: nothing to show)".
 */
void uistrip_caption(const struct uistrip *u, uint64_t kept_from, char *buf, size_t len);

/* Draw the strip into row y for thread tid (0: the whole process). */
void uistrip_draw(const struct uistrip *u, struct canvas *c, int y, const struct tstrip *ts,
		  uint32_t tid);

#endif
