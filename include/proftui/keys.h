/* keys.h — key codes the views understand, and the table of every binding. */
#ifndef PROFTUI_KEYS_H
#define PROFTUI_KEYS_H

#include <stdbool.h>

#include <stddef.h>

/*
 * Views see these codes, never curses' KEY_* values: term.c translates.
 * Printable keys are their ASCII value; Ctrl-X is 'X' & 0x1f.
 */
enum {
	K_NONE = 0,
	K_ENTER = '\n',
	K_TAB = '\t',
	K_ESC = 27,
	K_BACKSPACE = 127,
	K_UP = 0x1000, K_DOWN, K_LEFT, K_RIGHT,
	K_PGUP, K_PGDN, K_HOME, K_END,
	K_F1, K_F2, K_F3, K_F4, K_F5, K_F6, K_F7, K_F8, K_F9, K_F10,
	K_RESIZE,
};

/* Where a binding applies: the help view and the man page list them in
 * this order. */
enum key_scope { KS_GLOBAL, KS_TOP, KS_TREE, KS_FLAME, KS_STRIP, KS__COUNT };

struct key_binding {
	enum key_scope scope;
	const char *keys;      /* as shown to the user, e.g. "q, F10" */
	const char *action;    /* what it does, one line */
};

/* The one table of bindings: drives the help view, and a test checks the
 * man page's KEYS section against it.  Terminated by keys == NULL. */
extern const struct key_binding key_bindings[];

const char *key_scope_name(enum key_scope s);

/*
 * The cursor step a list's movement key asks for, the same in every list
 * view: -1 / +1 (Up, Down, k, j), -page / +page (PgUp, PgDn, Ctrl-B,
 * Ctrl-F), -n / +n (Home, End, g, G: past either end, for the view to
 * clamp).  False, *step untouched, for any other key.
 */
bool keys_list_step(int key, long page, long n, long *step);

#endif
