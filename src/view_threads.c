/* view_threads.c — pick the thread the other views show (or all of them). */
#include <stdio.h>
#include <stdlib.h>

#include "proftui/keys.h"
#include "proftui/view.h"

struct tview {
	int cursor;     /* 0 = all threads, i+1 = threads[i] */
	int top;
	uint32_t chosen;
	int rows;       /* 1 + threads in the last draw */
	int page;
};

static const struct prof_thread *threads_of(const struct ui_model *m, size_t *n)
{
	return profile_threads(m->p, n);
}

static void row(struct canvas *c, int y, bool sel, bool chosen, const char *text)
{
	canvas_text(c, 0, y, 2, chosen ? "* " : "  ", CC_NORMAL, CA_BOLD);
	canvas_text(c, 2, y, c->w - 2, text, sel ? CC_SELECTED : CC_NORMAL, sel ? CA_REVERSE | CA_BOLD : 0);
	if (sel)
		canvas_paint(c, 2, y, c->w - 2, CC_SELECTED, CA_REVERSE | CA_BOLD);
}

/* "S    CPU%   CSW/s": the thread's state, CPU % and context switches per
 * second over the last second; blanks for a thread that has ended. */
static const char *figures(const struct ui_model *m, uint32_t tid, char *buf, size_t len)
{
	struct threadstat_row r;

	if (!threadstat_get(m->threads, tid, &r))
		snprintf(buf, len, "%-17s", "-");
	else if (!r.rates)
		snprintf(buf, len, "%c  %14s", threadstat_letter(r.state), "");
	else
		snprintf(buf, len, "%c  %5.1f%%  %6.0f", threadstat_letter(r.state), r.cpu_pct,
			 r.vcs_s + r.ivcs_s);
	return buf;
}

static void tv_draw(struct view *v, struct canvas *c, int y, int h, const struct ui_model *m)
{
	struct tview *t = v->priv;
	size_t n;
	const struct prof_thread *th = threads_of(m, &n);
	uint64_t all = profile_stats_const(m->p)->samples;
	char buf[512], fig[64];

	if (h < 2)
		return;
	canvas_text(c, 0, y, c->w,
		    "Threads  TID   SHARE    SAMPLES  S    CPU%   CSW/s  NAME"
		    "   (Enter: only that thread, Esc: back)", CC_HEADER, CA_BOLD);
	t->rows = (int)n + 1;
	t->page = h - 1;
	if (t->cursor >= t->rows)
		t->cursor = t->rows - 1;
	if (t->cursor < t->top)
		t->top = t->cursor;
	if (t->cursor >= t->top + h - 1)
		t->top = t->cursor - (h - 2);
	for (int r = t->top; r < t->rows && r - t->top < h - 1; r++) {
		int yy = y + 1 + r - t->top;

		if (r == 0) {
			snprintf(buf, sizeof(buf), "%8s  %6.2f%%  %9llu  %-17s  %s", "all",
				 all ? 100.0 : 0.0, (unsigned long long)all, "", "every thread");
			row(c, yy, t->cursor == 0, t->chosen == 0, buf);
			continue;
		}
		snprintf(buf, sizeof(buf), "%8u  %6.2f%%  %9llu  %s  %s", th[r - 1].tid,
			 all ? 100.0 * (double)th[r - 1].samples / (double)all : 0.0,
			 (unsigned long long)th[r - 1].samples, figures(m, th[r - 1].tid, fig, sizeof(fig)),
			 th[r - 1].name[0] ? th[r - 1].name : "?");
		row(c, yy, t->cursor == r, t->chosen == th[r - 1].tid, buf);
	}
}

static unsigned tv_key(struct view *v, int key, const struct ui_model *m)
{
	struct tview *t = v->priv;
	size_t n;
	const struct prof_thread *th = threads_of(m, &n);

	switch (key) {
	case K_UP: case 'k':
		t->cursor = t->cursor > 0 ? t->cursor - 1 : 0;
		return VR_HANDLED;
	case K_DOWN: case 'j':
		t->cursor = t->cursor + 1 < (int)n + 1 ? t->cursor + 1 : (int)n;
		return VR_HANDLED;
	case K_PGUP:
		t->cursor = t->cursor > t->page ? t->cursor - t->page : 0;
		return VR_HANDLED;
	case K_PGDN:
		t->cursor = t->cursor + t->page < (int)n ? t->cursor + t->page : (int)n;
		return VR_HANDLED;
	case K_HOME: case 'g':
		t->cursor = 0;
		return VR_HANDLED;
	case K_END: case 'G':
		t->cursor = (int)n;
		return VR_HANDLED;
	case K_ENTER:
		t->chosen = t->cursor == 0 || (size_t)t->cursor > n ? 0 : th[t->cursor - 1].tid;
		return VR_HANDLED | VR_BACK;
	case K_ESC: case K_BACKSPACE: case K_LEFT:
		return VR_BACK;
	default:
		return VR_IGNORED;
	}
}

static void tv_focus(struct view *v, uint32_t func, const struct ui_model *m)
{
	(void)v;
	(void)func;
	(void)m;
}

static uint32_t tv_selected(const struct view *v)
{
	(void)v;
	return PROF_NONE;
}

static void tv_destroy(struct view *v)
{
	free(v->priv);
	free(v);
}

static const struct view_ops tv_ops = {
	.name = "threads",
	.draw = tv_draw,
	.key = tv_key,
	.focus = tv_focus,
	.selected = tv_selected,
	.status = NULL,
	.destroy = tv_destroy,
};

struct view *view_threads_new(void)
{
	struct view *v = calloc(1, sizeof(*v));

	if (!v || !(v->priv = calloc(1, sizeof(struct tview)))) {
		free(v);
		return NULL;
	}
	v->ops = &tv_ops;
	return v;
}

uint32_t view_threads_chosen(const struct view *v)
{
	return ((const struct tview *)v->priv)->chosen;
}

void view_threads_choose(struct view *v, uint32_t tid)
{
	((struct tview *)v->priv)->chosen = tid;
}
