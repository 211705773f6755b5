/* uiprompt.c — the live UI's one-line prompt: edit a line of text with a few keys and draw it. */
#include <string.h>

#include "proftui/keys.h"
#include "proftui/uiprompt.h"

void uiprompt_open(struct uiprompt *p, const char *label, const char *initial, size_t max)
{
	p->label = label;
	p->max = max && max < UIPROMPT_MAX ? max : UIPROMPT_MAX;
	p->len = 0;
	p->text[0] = '\0';
	p->open = true;
	if (!initial)
		return;
	p->len = strnlen(initial, p->max);
	memcpy(p->text, initial, p->len);
	p->text[p->len] = '\0';
}

/* UTF-8 continuation bytes are 10xxxxxx: erase them with their lead byte. */
static void erase_char(struct uiprompt *p)
{
	while (p->len && ((unsigned char)p->text[p->len - 1] & 0xc0) == 0x80)
		p->len--;
	if (p->len)
		p->len--;
	p->text[p->len] = '\0';
}

/* Ctrl-W: the word before the cursor, a path one component at a time
 * ("a/b/" -> "a/"), so a prefilled name is quick to replace. */
static void erase_word(struct uiprompt *p)
{
	while (p->len && (p->text[p->len - 1] == ' ' || p->text[p->len - 1] == '/'))
		p->len--;
	while (p->len && p->text[p->len - 1] != ' ' && p->text[p->len - 1] != '/')
		p->len--;
	p->text[p->len] = '\0';
}

static void append(struct uiprompt *p, int byte)
{
	if (p->len >= p->max)
		return;
	p->text[p->len++] = (char)byte;
	p->text[p->len] = '\0';
}

enum uiprompt_result uiprompt_key(struct uiprompt *p, int key)
{
	if (!p->open)
		return UIPROMPT_CANCEL;
	switch (key) {
	case K_ENTER:
		p->open = false;
		return UIPROMPT_DONE;
	case K_ESC:
		p->open = false;
		return UIPROMPT_CANCEL;
	case K_BACKSPACE:
		erase_char(p);
		break;
	case 'U' & 0x1f:
		p->len = 0;
		p->text[0] = '\0';
		break;
	case 'W' & 0x1f:
		erase_word(p);
		break;
	default:
		/* Printable ASCII and UTF-8 bytes; never control characters. */
		if ((key >= 0x20 && key < 0x7f) || (key >= 0x80 && key <= 0xff))
			append(p, key);
		break;
	}
	return UIPROMPT_EDITING;
}

/* Where the text must start for its end to fit in `room` columns: whole
 * characters are measured from the end, each as canvas_text would draw it. */
static const char *visible_tail(const struct canvas *c, const char *t, size_t len, int room)
{
	size_t at = len;
	int w = 0;

	while (at > 0) {
		size_t start = at - 1;
		char ch[8];
		int cw;

		while (start > 0 && at - start < 4 && ((unsigned char)t[start] & 0xc0) == 0x80)
			start--;
		memcpy(ch, t + start, at - start);
		ch[at - start] = '\0';
		cw = canvas_width(c, ch);
		if (w + cw > room)
			break;
		w += cw;
		at = start;
	}
	return t + at;
}

void uiprompt_draw(const struct uiprompt *p, struct canvas *c, int y)
{
	const char *t = p->text;
	int x, room;

	canvas_fill(c, 0, y, c->w, ' ', CC_STATUS, 0);
	x = canvas_text(c, 0, y, c->w, p->label, CC_STATUS, CA_BOLD);
	room = c->w - x - 1;   /* one column for the cursor */
	if (room <= 1)
		return;
	if (canvas_width(c, t) > room) {
		x += canvas_text(c, x, y, 1, "<", CC_STATUS, CA_BOLD);
		t = visible_tail(c, t, p->len, --room);
	}
	x += canvas_text(c, x, y, room, t, CC_STATUS, 0);
	canvas_text(c, x, y, 1, "_", CC_STATUS, CA_BOLD);
}
