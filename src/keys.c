/* keys.c — the table of every key binding: the help view and the man page follow it. */
#include <stddef.h>

#include "proftui/keys.h"

const struct key_binding key_bindings[] = {
	{ KS_GLOBAL, "q, F10", "quit: an attached process keeps running, a launched command is stopped" },
	{ KS_GLOBAL, "?, h, F1", "this help (h only where a view does not use it); any key closes it" },
	{ KS_GLOBAL, "Tab", "next view: hot functions, call tree, flame graph" },
	{ KS_GLOBAL, "1, 2, 3", "hot functions, call tree, flame graph" },
	{ KS_GLOBAL, "space, Z", "pause the display (sampling goes on); again to resume" },
	{ KS_GLOBAL, "R", "reset: forget the samples collected so far" },
	{ KS_GLOBAL, "m", "cycle the aggregation: cumulative, last N seconds (-w), decaying (half-life N s)" },
	{ KS_GLOBAL, "t", "show the next thread only; after the last, all threads again" },
	{ KS_GLOBAL, "p", "Python targets: merged stacks, Python frames only, native frames only" },
	{ KS_GLOBAL, "o", "off-CPU time on / off (runnable, IO wait, sleep; as --off-cpu)" },
	{ KS_GLOBAL, "T", "thread list: pick the thread to show (Enter), Esc to go back" },
	{ KS_GLOBAL, "/", "search function names (Enter to keep, Esc to clear)" },
	{ KS_GLOBAL, "n, N", "next / previous search match" },
	{ KS_GLOBAL, "S", "save the whole profile so far to a file (asks the name; sampling goes on)" },
	{ KS_GLOBAL, "b", "pin the profile shown as the baseline (again: re-pin); the views then show now versus it" },
	{ KS_GLOBAL, "B", "forget the baseline" },
	{ KS_GLOBAL, "d", "with a baseline: diff on / off (hot table: change per function; flame graph: red grew, blue shrank)" },
	{ KS_GLOBAL, "s", "time strip on / off: samples per time slice over the session, above the status line" },
	{ KS_GLOBAL, "r", "pick a time range on the strip (keys below): every view shows only its samples" },
	{ KS_GLOBAL, "x", "clear the time range: all of the session again" },
	{ KS_GLOBAL, "Ctrl-L", "redraw the screen" },
	{ KS_TOP, "Up, Down, k, j", "move the cursor one row" },
	{ KS_TOP, "PgUp, PgDn, Ctrl-B, Ctrl-F", "move one page" },
	{ KS_TOP, "Home, End, g, G", "first / last function" },
	{ KS_TOP, "<, >", "sort by the previous / next column (self, total, name, module)" },
	{ KS_TOP, "F6", "cycle the sort column" },
	{ KS_TOP, "Enter", "open the call tree (callers and callees) of the function" },
	{ KS_TOP, "f", "open the flame graph zoomed on the function" },
	{ KS_TREE, "Up, Down, k, j", "move over the rows of both sections" },
	{ KS_TREE, "PgUp, PgDn, Ctrl-B, Ctrl-F", "move a page up / down" },
	{ KS_TREE, "Home, End, g, G", "first / last row" },
	{ KS_TREE, "Right, l, +", "expand the node; if expanded, go to its first child" },
	{ KS_TREE, "Left, h, -", "collapse the node, or go to its parent; at a section's top, go back" },
	{ KS_TREE, "e, *", "expand everything under the cursor (up to 3000 more rows)" },
	{ KS_TREE, "E, C", "collapse everything back to the two sections' tops" },
	{ KS_TREE, "Enter", "show callers and callees of the function under the cursor" },
	{ KS_TREE, "Esc, Backspace", "back to the previous function; with none, to the hot functions" },
	{ KS_TREE, "f", "flame graph of the function under the cursor" },
	{ KS_FLAME, "Left, Right, h, l", "previous / next frame on the same row" },
	{ KS_FLAME, "Down, Up, j, k", "child (the way you came, else the widest) / parent" },
	{ KS_FLAME, "PgDn, PgUp, Ctrl-F, Ctrl-B", "a page of rows deeper / shallower" },
	{ KS_FLAME, "Enter", "zoom into the selected frame" },
	{ KS_FLAME, "Esc, Backspace", "zoom out one level; at the top, back to the hot functions" },
	{ KS_FLAME, "Home, g", "reset the zoom" },
	{ KS_FLAME, "End, G", "follow the hottest path down to its leaf" },
	{ KS_FLAME, "i", "toggle icicle (root on top) / flame (root at the bottom)" },
	{ KS_FLAME, "c", "colour by heat / by module" },
	{ KS_STRIP, "Left, Right, h, l", "move the cursor one column of the strip" },
	{ KS_STRIP, "PgUp, PgDn", "move ten columns" },
	{ KS_STRIP, "Home, End, g, G", "the first / last column" },
	{ KS_STRIP, "Enter", "mark the start; again: mark the end and show that range" },
	{ KS_STRIP, "Esc", "stop picking, the range as it was" },
	{ 0, NULL, NULL },
};

const char *key_scope_name(enum key_scope s)
{
	static const char *names[KS__COUNT] = {
		[KS_GLOBAL] = "Everywhere",
		[KS_TOP] = "Hot functions",
		[KS_TREE] = "Call tree",
		[KS_FLAME] = "Flame graph",
		[KS_STRIP] = "Picking a time range (r)",
	};

	return (unsigned)s < KS__COUNT ? names[s] : "";
}

bool keys_list_step(int key, long page, long n, long *step)
{
	switch (key) {
	case K_UP: case 'k': *step = -1; return true;
	case K_DOWN: case 'j': *step = 1; return true;
	case K_PGUP: case 'B' & 0x1f: *step = -page; return true;
	case K_PGDN: case 'F' & 0x1f: *step = page; return true;
	case K_HOME: case 'g': *step = -n; return true;
	case K_END: case 'G': *step = n; return true;
	default: return false;
	}
}
