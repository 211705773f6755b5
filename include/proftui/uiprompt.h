/* uiprompt.h — the live UI's one-line prompt (search, save to): line editing and drawing on the status line. */
#ifndef PROFTUI_UIPROMPT_H
#define PROFTUI_UIPROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "proftui/canvas.h"

/* Longest text a prompt holds: a path up to PATH_MAX. */
#define UIPROMPT_MAX 4096

/*
 * A prompt is pure state: keys (keys.h codes) go in, a result comes out, and
 * it draws itself into a canvas, so it is tested without a terminal.  The
 * text is bytes as typed: printable ASCII and the bytes of UTF-8 characters
 * (curses hands those over one byte at a time); Backspace removes a whole
 * UTF-8 character.
 */
struct uiprompt {
	const char *label;          /* shown before the text, e.g. "save to: " */
	size_t max;                 /* at most this many bytes of text */
	size_t len;
	bool open;
	char text[UIPROMPT_MAX + 1];
};

enum uiprompt_result {
	UIPROMPT_EDITING,   /* still open (key used or ignored) */
	UIPROMPT_DONE,      /* Enter: text holds the answer; closed */
	UIPROMPT_CANCEL,    /* Esc: closed; text is left as it was */
};

/* Open with `initial` (may be NULL) as the editable text, cut to max bytes
 * (at most UIPROMPT_MAX; 0 means UIPROMPT_MAX).  `label` must outlive the
 * prompt. */
void uiprompt_open(struct uiprompt *p, const char *label, const char *initial, size_t max);

/* Enter, Esc, Backspace, Ctrl-U (erase the line), Ctrl-W (erase the word
 * before the cursor), or a byte to append; other keys are ignored. */
enum uiprompt_result uiprompt_key(struct uiprompt *p, int key);

/* Draw "LABEL TEXT_" on row y over the whole width, in the status colours.
 * Text too long for the row loses its start (shown as "<"), so the end,
 * where typing happens, stays in view. */
void uiprompt_draw(const struct uiprompt *p, struct canvas *c, int y);

#endif
