/* viewfix.h — profile-building and canvas-driving helpers shared by the unit tests of the views. */
#ifndef PROFTUI_TEST_VIEWFIX_H
#define PROFTUI_TEST_VIEWFIX_H

/*
 * For criterion tests only (each test file is its own program): static
 * inline, so a file that uses some of these does not warn about the rest.
 * Builds on fixture.h: functions are interned with fx_fn (in FX_EXE unless
 * a test says otherwise); vf_add is fx_add with the time the view tests
 * give their samples.
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdbool.h>
#include <string.h>
#include <wchar.h>

#include "proftui/canvas.h"
#include "proftui/view.h"

#include "fixture.h"

/* One view drawn into its own canvas from a model showing profile p. */
struct vf {
	struct profile *p;              /* shown by m.p at first; freed by vf_fini */
	struct view *v;
	struct canvas c;
	struct ui_model m;
	uint32_t main_, run, a, b, cf;  /* function ids set by vf_synthetic */
};

/* Suite .init: the UTF-8 locale the views measure and draw text in. */
static inline void vf_utf8(void)
{
	setlocale(LC_ALL, "C.UTF-8");
}

/* w samples of the stack funcs[0..n) (leaf first), thread 1, time 1000. */
static inline void vf_add(struct profile *p, const uint32_t *funcs, size_t n, uint64_t w)
{
	cr_assert_eq(profile_add_sample(p, 1, funcs, n, w, 1000), 0);
}

/* Into f->p: 60 main->run->a, 30 main->run->b, 10 main->c->a, interned in
 * that order (main, run, a, b, c); main, run and a in FX_EXE, b in mod_b,
 * c in mod_c.  Sets f's function ids. */
static inline void vf_synthetic(struct vf *f, const char *mod_b, const char *mod_c)
{
	struct profile *p = f->p;

	f->main_ = fx_fn(p, "main", FX_EXE);
	f->run = fx_fn(p, "run", FX_EXE);
	f->a = fx_fn(p, "a", FX_EXE);
	f->b = fx_fn(p, "b", mod_b);
	f->cf = fx_fn(p, "c", mod_c);
	vf_add(p, (uint32_t[]){ f->a, f->run, f->main_ }, 3, 60);
	vf_add(p, (uint32_t[]){ f->b, f->run, f->main_ }, 3, 30);
	vf_add(p, (uint32_t[]){ f->a, f->cf, f->main_ }, 3, 10);
}

/* View v (asserted non-NULL, owned by f from now on) over a new empty
 * profile, on a w x h canvas (0 x 0 until vf_draw_sized gives it a size),
 * UTF-8, colour, epoch 1, no search. */
static inline void vf_init(struct vf *f, struct view *v, int w, int h)
{
	memset(f, 0, sizeof(*f));
	f->p = fx_profile();
	f->v = v;
	cr_assert_not_null(f->v);
	cr_assert_eq(canvas_resize(&f->c, w, h), 0);
	f->c.ascii = false;
	f->m = (struct ui_model){ .p = f->p, .epoch = 1, .search = "", .color = true };
}

/* Frees the view, f->p and the canvas (other profiles are the test's). */
static inline void vf_fini(struct vf *f)
{
	view_free(f->v);
	profile_free(f->p);
	canvas_release(&f->c);
}

/* Clear the canvas and draw the view over all of it. */
static inline void vf_draw(struct vf *f)
{
	canvas_clear(&f->c);
	f->v->ops->draw(f->v, &f->c, 0, f->c.h, &f->m);
}

/* Resize the canvas to w x h, then draw as vf_draw. */
static inline void vf_draw_sized(struct vf *f, int w, int h)
{
	cr_assert_eq(canvas_resize(&f->c, w, h), 0);
	vf_draw(f);
}

/* Give the view key k (keys.h codes); returns its VR_* bits. */
static inline unsigned vf_key(struct vf *f, int k)
{
	return f->v->ops->key(f->v, k, &f->m);
}

/* Make func the view's subject (drill-down root, zoom, cursor). */
static inline void vf_focus(struct vf *f, uint32_t func)
{
	f->v->ops->focus(f->v, func, &f->m);
}

/* The view's status line, in a buffer the next call overwrites. */
static inline const char *vf_status(const struct vf *f)
{
	static char buf[4096];

	f->v->ops->status(f->v, &f->m, buf, sizeof(buf));
	return buf;
}

/* Row y as UTF-8, untrimmed, in a buffer the next call overwrites (the
 * caller may edit it, e.g. to trim it). */
static inline char *vf_row(const struct vf *f, int y)
{
	static char buf[4096];

	return canvas_row(&f->c, y, buf, sizeof(buf));
}

/* The cell at (x, y), asserted to be on the canvas. */
static inline const struct canvas_cell *vf_cell(const struct vf *f, int x, int y)
{
	cr_assert(x >= 0 && x < f->c.w && y >= 0 && y < f->c.h);
	return &f->c.cells[(size_t)y * (size_t)f->c.w + (size_t)x];
}

/* Column where s starts on row y, -1 if absent.  Compares cells, one
 * character each: s should be narrow text, and wide characters before it
 * on the row do not shift the answer. */
static inline int vf_col_of(const struct vf *f, int y, const wchar_t *s)
{
	size_t n = wcslen(s);

	for (int x = 0; x + (int)n <= f->c.w; x++) {
		size_t i = 0;

		while (i < n && vf_cell(f, x + (int)i, y)->ch == s[i])
			i++;
		if (i == n)
			return x;
	}
	return -1;
}

#endif
