/* canvas.h — an off-screen grid of cells that views draw into; term.c puts it on the screen. */
#ifndef PROFTUI_CANVAS_H
#define PROFTUI_CANVAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

/*
 * Views never call curses: they draw text into a canvas, which makes them
 * testable without a terminal and keeps every width computation, every
 * escape of hostile bytes and the ASCII fallback in one place.  Text is
 * UTF-8 from anywhere (symbol names, thread names, the command line): it
 * goes through sanitize_name, is measured with wcwidth, and is clipped to
 * the cells given, never wrapping.  A wide character that does not fit
 * whole is replaced by a space.
 */

/* Colour roles; term.c maps them to curses colour pairs (or to plain
 * attributes on a monochrome terminal). */
enum canvas_color {
	CC_NORMAL = 0,
	CC_HEADER,      /* the header lines and column titles */
	CC_STATUS,      /* the status / key-hint line */
	CC_SELECTED,    /* the cursor row or frame */
	CC_MATCH,       /* search matches */
	CC_DIM,         /* secondary text: modules, zero counts */
	CC_WARN,        /* lost samples, target exited */
	CC_HOT0,        /* flame graph, coolest ... */
	CC_HOT1,
	CC_HOT2,
	CC_HOT3,
	CC_HOT4,        /* ... hottest */
	CC_RUNQ,        /* flame graph, --off-cpu: waiting for a CPU */
	CC_IOWAIT,      /* ... blocked in uninterruptible (IO) wait */
	CC_SLEEP,       /* ... asleep */
	CC_UP,          /* a diff: text of a share that grew */
	CC_DOWN,        /* ... that shrank */
	CC_EVEN,        /* flame graph, a diff: no visible change */
	CC_UP1,         /* ... grew a little ... */
	CC_UP2,
	CC_UP3,         /* ... a lot */
	CC_DOWN1,       /* ... shrank a little ... */
	CC_DOWN2,
	CC_DOWN3,       /* ... a lot */
	CC__COUNT
};

enum { CA_BOLD = 1, CA_REVERSE = 2, CA_UNDERLINE = 4 };

struct canvas_cell {
	wchar_t ch;          /* L'\0' marks the second half of a wide char */
	uint8_t color;       /* enum canvas_color */
	uint8_t attr;        /* CA_* */
};

struct canvas {
	int w, h;
	bool ascii;          /* draw only ASCII (C locale, non-UTF-8 terminal) */
	struct canvas_cell *cells;
};

/* The eight block glyphs from one eighth to full height (U+2581..U+2588,
 * 3 bytes of UTF-8 each): the bars of sparklines and the time strip. */
#define CANVAS_EIGHTHS 8
extern const char *const canvas_eighths[CANVAS_EIGHTHS];

/* Size (or resize) the canvas and clear it.  Returns 0 or -ENOMEM. */
int canvas_resize(struct canvas *c, int w, int h);
void canvas_release(struct canvas *c);
void canvas_clear(struct canvas *c);

/*
 * Write UTF-8 text at (x, y), at most `maxw` columns (clipped at the canvas
 * edge too).  Control characters, invalid UTF-8 and terminal-significant
 * code points appear escaped as \xNN.  In ASCII mode non-ASCII characters
 * are shown as '?'.  Returns the number of columns written.
 */
int canvas_text(struct canvas *c, int x, int y, int maxw, const char *utf8,
		uint8_t color, uint8_t attr);

/* printf into the canvas (same clipping as canvas_text). */
int canvas_printf(struct canvas *c, int x, int y, int maxw, uint8_t color, uint8_t attr,
		  const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Fill `n` cells from (x, y) with `ch` (ASCII) in the given colours. */
void canvas_fill(struct canvas *c, int x, int y, int n, char ch, uint8_t color, uint8_t attr);

/* Set the colours of n existing cells (e.g. to highlight a row). */
void canvas_paint(struct canvas *c, int x, int y, int n, uint8_t color, uint8_t attr);

/* Columns `utf8` would take once sanitised (for layout and truncation). */
int canvas_width(const struct canvas *c, const char *utf8);

/* One row as UTF-8 (wide-char halves skipped), for tests and batch output.
 * Returns buf. */
char *canvas_row(const struct canvas *c, int y, char *buf, size_t len);

#endif
