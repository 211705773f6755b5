/* view_help.c — the help screen, drawn from the key table so it can never go stale. */
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/view.h"

struct help {
	int top;        /* first line shown */
	int lines;      /* lines in the last draw, for scrolling bounds */
};

/* The keys column is as wide as the longest keys text, so none is cut. */
static int keys_width(void)
{
	int w = 0;

	for (const struct key_binding *b = key_bindings; b->keys; b++)
		if ((int)strlen(b->keys) > w)
			w = (int)strlen(b->keys);
	return w;
}

/* Draw (or, with c == NULL, just count) the help text from line `top`. */
static int help_lines(struct canvas *c, int y, int h, int top)
{
	int line = 0, kw = keys_width();

	for (int s = 0; s < KS__COUNT; s++) {
		bool title = false;

		for (const struct key_binding *b = key_bindings; b->keys; b++) {
			if (b->scope != (enum key_scope)s)
				continue;
			if (!title) {
				if (line > 0)
					line++;
				if (c && line >= top && line - top < h)
					canvas_text(c, 1, y + line - top, c->w - 1, key_scope_name(b->scope),
						    CC_HEADER, CA_BOLD);
				line++;
				title = true;
			}
			if (c && line >= top && line - top < h) {
				canvas_text(c, 3, y + line - top, kw, b->keys, CC_NORMAL, CA_BOLD);
				canvas_text(c, 5 + kw, y + line - top, c->w - 5 - kw, b->action,
					    CC_NORMAL, 0);
			}
			line++;
		}
	}
	return line;
}

static void help_draw(struct view *v, struct canvas *c, int y, int h, const struct ui_model *m)
{
	struct help *hp = v->priv;

	(void)m;
	hp->lines = help_lines(NULL, 0, 0, 0);
	if (hp->top > hp->lines - h)
		hp->top = hp->lines - h > 0 ? hp->lines - h : 0;
	help_lines(c, y, h, hp->top);
}

static unsigned help_key(struct view *v, int key, const struct ui_model *m)
{
	struct help *hp = v->priv;

	(void)m;
	switch (key) {
	case K_DOWN: case 'j':
		hp->top++;
		return VR_HANDLED;
	case K_UP: case 'k':
		if (hp->top > 0)
			hp->top--;
		return VR_HANDLED;
	case K_PGDN: case ' ':
		hp->top += 10;
		return VR_HANDLED;
	case K_PGUP:
		hp->top = hp->top > 10 ? hp->top - 10 : 0;
		return VR_HANDLED;
	default:
		return VR_BACK;   /* any other key closes the help */
	}
}

static void help_focus(struct view *v, uint32_t func, const struct ui_model *m)
{
	(void)v;
	(void)func;
	(void)m;
}

static uint32_t help_selected(const struct view *v)
{
	(void)v;
	return PROF_NONE;
}

static void help_destroy(struct view *v)
{
	free(v->priv);
	free(v);
}

static const struct view_ops help_ops = {
	.name = "help",
	.draw = help_draw,
	.key = help_key,
	.focus = help_focus,
	.selected = help_selected,
	.status = NULL,
	.destroy = help_destroy,
};

struct view *view_help_new(void)
{
	struct view *v = calloc(1, sizeof(*v));

	if (!v || !(v->priv = calloc(1, sizeof(struct help)))) {
		free(v);
		return NULL;
	}
	v->ops = &help_ops;
	return v;
}
