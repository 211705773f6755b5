/* term.c — curses on one side, canvases and key codes on the other; terminal restore on every path. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "proftui/keys.h"
#include "proftui/term.h"

static bool term_active;
static struct termios saved_tios;
static bool have_tios;
static char restore_seq[256];    /* rmcup, cnorm, sgr0: written by the crash handler */
static size_t restore_len;

static void append_cap(const char *cap)
{
	const char *s = tigetstr((char *)cap);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

/* Async-signal-safe: only write(2) and tcsetattr(3). */
static void fatal_handler(int sig)
{
	if (term_active) {
		if (restore_len && write(STDOUT_FILENO, restore_seq, restore_len) < 0) {
			/* nothing more we can do in a signal handler */
		}
		if (have_tios)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tios);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_fatal_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fatal_handler;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* With 256 colours a diff gets shades: light to deep red and blue (the
 * xterm palette's 6x6x6 cube) around a neutral grey. */
static void init_diff_256(void)
{
	static const struct { short cc, fg, bg; } shade[] = {
		{ CC_UP, 196, -1 }, { CC_DOWN, 33, -1 }, { CC_EVEN, 16, 250 },
		{ CC_UP1, 16, 217 }, { CC_UP2, 16, 203 }, { CC_UP3, 231, 160 },
		{ CC_DOWN1, 16, 153 }, { CC_DOWN2, 16, 111 }, { CC_DOWN3, 231, 26 },
	};

	for (size_t i = 0; i < sizeof(shade) / sizeof(shade[0]); i++)
		init_pair(shade[i].cc, shade[i].fg, shade[i].bg);
}

static void init_colors(struct term_info *ti)
{
	static const short fg[CC__COUNT] = {
		[CC_NORMAL] = -1, [CC_HEADER] = COLOR_CYAN, [CC_STATUS] = COLOR_BLACK,
		[CC_SELECTED] = COLOR_BLACK, [CC_MATCH] = COLOR_BLACK, [CC_DIM] = COLOR_BLUE,
		[CC_WARN] = COLOR_RED, [CC_HOT0] = COLOR_BLACK, [CC_HOT1] = COLOR_BLACK,
		[CC_HOT2] = COLOR_BLACK, [CC_HOT3] = COLOR_BLACK, [CC_HOT4] = COLOR_WHITE,
		[CC_RUNQ] = COLOR_BLACK, [CC_IOWAIT] = COLOR_WHITE, [CC_SLEEP] = COLOR_BLACK,
		[CC_UP] = COLOR_RED, [CC_DOWN] = COLOR_BLUE, [CC_EVEN] = COLOR_BLACK,
		[CC_UP1] = COLOR_RED, [CC_UP2] = COLOR_BLACK, [CC_UP3] = COLOR_WHITE,
		[CC_DOWN1] = COLOR_BLUE, [CC_DOWN2] = COLOR_WHITE, [CC_DOWN3] = COLOR_WHITE,
	};
	static const short bg[CC__COUNT] = {
		[CC_NORMAL] = -1, [CC_HEADER] = -1, [CC_STATUS] = COLOR_CYAN,
		[CC_SELECTED] = COLOR_CYAN, [CC_MATCH] = COLOR_YELLOW, [CC_DIM] = -1,
		[CC_WARN] = -1, [CC_HOT0] = COLOR_YELLOW, [CC_HOT1] = COLOR_YELLOW,
		[CC_HOT2] = COLOR_YELLOW, [CC_HOT3] = COLOR_RED, [CC_HOT4] = COLOR_RED,
		[CC_RUNQ] = COLOR_MAGENTA, [CC_IOWAIT] = COLOR_BLUE, [CC_SLEEP] = COLOR_CYAN,
		/* A diff on 8 colours: grey for no change, then red (blue)
		 * text on grey, a red (blue) bar, and the view adds bold. */
		[CC_UP] = -1, [CC_DOWN] = -1, [CC_EVEN] = COLOR_WHITE,
		[CC_UP1] = COLOR_WHITE, [CC_UP2] = COLOR_RED, [CC_UP3] = COLOR_RED,
		[CC_DOWN1] = COLOR_WHITE, [CC_DOWN2] = COLOR_BLUE, [CC_DOWN3] = COLOR_BLUE,
	};

	ti->color = has_colors() && start_color() == OK;
	if (!ti->color)
		return;
	use_default_colors();
	for (int i = 1; i < CC__COUNT; i++)
		init_pair((short)i, fg[i], bg[i]);
	if (COLORS >= 256)
		init_diff_256();
}

int term_init(struct term_info *ti, char *err, size_t errlen)
{
	const char *cs;
	SCREEN *scr;
	char *cup;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	ti->ascii = !cs || strcmp(cs, "UTF-8");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "not a terminal: use --batch for text output");
		return -1;
	}
	if (tcgetattr(STDIN_FILENO, &saved_tios) == 0)
		have_tios = true;
	/* newterm, unlike initscr, returns an error instead of exiting. */
	if (!(scr = newterm(NULL, stdout, stdin))) {
		snprintf(err, errlen, "cannot use terminal type '%s': set TERM (e.g. xterm) or use --batch",
			 getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	/* A terminal that cannot move the cursor (TERM=dumb) cannot show a
	 * full-screen view: fall back as for an unknown type. */
	cup = tigetstr("cup");
	if (!cup || cup == (char *)-1) {
		endwin();
		delscreen(scr);
		snprintf(err, errlen, "terminal type '%s' cannot move the cursor: set TERM (e.g. xterm) "
			 "or use --batch", getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	term_active = true;
	append_cap("rmcup");
	append_cap("cnorm");
	append_cap("sgr0");
	install_fatal_handlers();
	atexit(term_end);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	init_colors(ti);
	getmaxyx(stdscr, ti->h, ti->w);
	return 0;
}

void term_end(void)
{
	if (!term_active)
		return;
	term_active = false;
	curs_set(1);
	endwin();
}

static attr_t cell_attr(const struct canvas_cell *k, bool color)
{
	attr_t a = A_NORMAL;

	if (k->attr & CA_BOLD)
		a |= A_BOLD;
	if (k->attr & CA_REVERSE)
		a |= A_REVERSE;
	if (k->attr & CA_UNDERLINE)
		a |= A_UNDERLINE;
	/* Without colours the roles that are colour-only become attributes. */
	if (!color && (k->color == CC_MATCH || k->color == CC_HEADER || k->color == CC_STATUS))
		a |= k->color == CC_MATCH ? A_UNDERLINE : A_BOLD;
	if (!color && k->color == CC_SELECTED)
		a |= A_REVERSE;
	return a;
}

void term_draw(const struct canvas *c)
{
	bool color = has_colors() && COLOR_PAIRS > CC__COUNT;

	for (int y = 0; y < c->h && y < LINES; y++) {
		for (int x = 0; x < c->w && x < COLS; x++) {
			const struct canvas_cell *k = &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
			wchar_t wc[2] = { k->ch, L'\0' };
			cchar_t cc;

			if (k->ch == L'\0')
				continue;   /* right half of a wide character */
			setcchar(&cc, wc, cell_attr(k, color), color ? (short)k->color : 0, NULL);
			mvadd_wch(y, x, &cc);
		}
	}
	wnoutrefresh(stdscr);
	doupdate();
}

void term_repaint(void)
{
	clearok(curscr, TRUE);
}

static int translate(int ch)
{
	switch (ch) {
	case KEY_UP: return K_UP;
	case KEY_DOWN: return K_DOWN;
	case KEY_LEFT: return K_LEFT;
	case KEY_RIGHT: return K_RIGHT;
	case KEY_PPAGE: return K_PGUP;
	case KEY_NPAGE: return K_PGDN;
	case KEY_HOME: return K_HOME;
	case KEY_END: return K_END;
	case KEY_ENTER: case '\r': case '\n': return K_ENTER;
	case KEY_BACKSPACE: case 8: case 127: return K_BACKSPACE;
	case KEY_RESIZE: return K_RESIZE;
	default: break;
	}
	if (ch >= KEY_F(1) && ch <= KEY_F(10))
		return K_F1 + (ch - KEY_F(1));
	if (ch >= 0 && ch < 256)
		return ch;
	return K_NONE;
}

int term_key(struct term_info *ti)
{
	int ch = getch();
	int k;

	if (ch == ERR)
		return K_NONE;
	k = translate(ch);
	if (k == K_RESIZE)
		getmaxyx(stdscr, ti->h, ti->w);
	return k;
}
