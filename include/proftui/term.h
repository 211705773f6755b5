/* term.h — the only user of curses: start, draw a canvas, read keys, restore the terminal. */
#ifndef PROFTUI_TERM_H
#define PROFTUI_TERM_H

#include <stdbool.h>

#include "proftui/canvas.h"

/*
 * term_init sets the locale, starts curses on the controlling terminal and
 * installs handlers so the terminal is restored on every exit path: normal
 * return (term_end), exit() (atexit), and fatal signals (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGABRT), whose handler only writes the restore sequences
 * captured at start-up and puts back the saved termios (async-signal-safe),
 * then re-raises so the default action (and ASan's report) still happens.
 */
struct term_info {
	int w, h;
	bool color;
	bool ascii;      /* not a UTF-8 locale: draw ASCII only */
};

/* Returns 0, or -1 with a reason in err (e.g. TERM unknown, not a tty). */
int term_init(struct term_info *ti, char *err, size_t errlen);
void term_end(void);

/* Put the canvas on the screen (curses sends only what changed). */
void term_draw(const struct canvas *c);

/* Next key as a keys.h code, K_NONE when none is waiting, K_RESIZE after
 * the terminal changed size (ti updated).  Never blocks. */
int term_key(struct term_info *ti);

/* Force a full repaint at the next draw (Ctrl-L). */
void term_repaint(void);

#endif
