/* canvas.c — an off-screen grid of cells: sanitised, width-aware text for the views. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "proftui/canvas.h"
#include "proftui/sanitize.h"

const char *const canvas_eighths[CANVAS_EIGHTHS] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};

#define CANVAS_TEXT_MAX 4096

int canvas_resize(struct canvas *c, int w, int h)
{
	struct canvas_cell *cells;

	if (w < 0 || h < 0 || (size_t)w * (size_t)h > (1u << 24))
		return -EINVAL;
	cells = calloc((size_t)w * (size_t)h + 1, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	free(c->cells);
	c->cells = cells;
	c->w = w;
	c->h = h;
	canvas_clear(c);
	return 0;
}

void canvas_release(struct canvas *c)
{
	free(c->cells);
	c->cells = NULL;
	c->w = c->h = 0;
}

void canvas_clear(struct canvas *c)
{
	for (int i = 0; i < c->w * c->h; i++)
		c->cells[i] = (struct canvas_cell){ L' ', CC_NORMAL, 0 };
}

static struct canvas_cell *cell(struct canvas *c, int x, int y)
{
	return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

/* Decode one UTF-8 character of sanitised text (always valid UTF-8). */
static size_t next_char(const char *s, wchar_t *wc)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(wc, s, strlen(s), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		/* Not decodable in this locale (e.g. C): one byte, shown as '?'. */
		*wc = L'?';
		return 1;
	}
	return n;
}

static int char_width(const struct canvas *c, wchar_t *wc)
{
	int w;

	if (c->ascii && (*wc < 0x20 || *wc > 0x7e))
		*wc = L'?';
	w = wcwidth(*wc);
	if (w < 0) {
		*wc = L'?';
		w = 1;
	}
	return w;
}

int canvas_text(struct canvas *c, int x, int y, int maxw, const char *utf8,
		uint8_t color, uint8_t attr)
{
	char clean[CANVAS_TEXT_MAX];
	const char *s = clean;
	int col = 0;

	if (y < 0 || y >= c->h || x < 0 || x >= c->w || maxw <= 0 || !utf8)
		return 0;
	if (maxw > c->w - x)
		maxw = c->w - x;
	sanitize_name(utf8, clean, sizeof(clean));
	while (*s && col < maxw) {
		wchar_t wc;
		size_t n = next_char(s, &wc);
		int w = char_width(c, &wc);

		s += n;
		if (w == 0)
			continue;   /* combining marks: dropped rather than misplaced */
		if (col + w > maxw) {
			*cell(c, x + col, y) = (struct canvas_cell){ L' ', color, attr };
			col++;
			break;
		}
		*cell(c, x + col, y) = (struct canvas_cell){ wc, color, attr };
		if (w == 2)
			*cell(c, x + col + 1, y) = (struct canvas_cell){ L'\0', color, attr };
		col += w;
	}
	return col;
}

int canvas_printf(struct canvas *c, int x, int y, int maxw, uint8_t color, uint8_t attr,
		  const char *fmt, ...)
{
	char buf[CANVAS_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return canvas_text(c, x, y, maxw, buf, color, attr);
}

void canvas_fill(struct canvas *c, int x, int y, int n, char ch, uint8_t color, uint8_t attr)
{
	if (y < 0 || y >= c->h)
		return;
	for (int i = x < 0 ? 0 : x; i < x + n && i < c->w; i++)
		*cell(c, i, y) = (struct canvas_cell){ (wchar_t)(unsigned char)ch, color, attr };
}

void canvas_paint(struct canvas *c, int x, int y, int n, uint8_t color, uint8_t attr)
{
	if (y < 0 || y >= c->h)
		return;
	for (int i = x < 0 ? 0 : x; i < x + n && i < c->w; i++) {
		cell(c, i, y)->color = color;
		cell(c, i, y)->attr = attr;
	}
}

int canvas_width(const struct canvas *c, const char *utf8)
{
	char clean[CANVAS_TEXT_MAX];
	const char *s = clean;
	int col = 0;

	sanitize_name(utf8, clean, sizeof(clean));
	while (*s) {
		wchar_t wc;

		s += next_char(s, &wc);
		col += char_width(c, &wc);
	}
	return col;
}

char *canvas_row(const struct canvas *c, int y, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	for (int x = 0; y >= 0 && y < c->h && x < c->w; x++) {
		const struct canvas_cell *k = &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
		char mb[MB_LEN_MAX];
		mbstate_t st;
		size_t n;

		if (k->ch == L'\0')
			continue;
		memset(&st, 0, sizeof(st));
		n = wcrtomb(mb, k->ch, &st);
		if (n == (size_t)-1) {
			mb[0] = '?';
			n = 1;
		}
		if (o + n >= len)
			break;
		memcpy(buf + o, mb, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}
