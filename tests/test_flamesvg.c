/* test_flamesvg.c — the SVG flame graph: xmllint-clean, frames measured, names escaped. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proftui/flamesvg.h"

#include "fixture.h"

#define MOD "/usr/lib/libapp.so.1"
#define EXE "/usr/bin/app"
#define DEEP 10000
/* flamesvg.c's layout: 10 px each side, rows 16 px apart. */
#define PAD 10.0
#define ROW 16.0
#define MAX_DEPTH 1024

/* --- profiles --- */

/* --- output and parsing --- */

struct svg {
	char *buf;
	size_t len;
};

static struct svg render(const struct profile *p, const struct flamesvg_opts *o)
{
	struct svg s = { NULL, 0 };
	FILE *f = open_memstream(&s.buf, &s.len);

	cr_assert_not_null(f);
	cr_assert_eq(flamesvg_write(f, p, o), 0);
	cr_assert_eq(fclose(f), 0);
	return s;
}

/* xmllint --noout on the document: 0 when well-formed. */
static void expect_well_formed(const struct svg *s)
{
	char path[] = "/tmp/test_flamesvg_XXXXXX", cmd[128];
	int fd, rc;
	FILE *f;

	if (system("xmllint --version >/dev/null 2>&1") != 0)
		cr_skip_test("xmllint not installed");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(s->buf, 1, s->len, f), s->len);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
	rc = system(cmd);
	unlink(path);
	cr_assert_eq(rc, 0, "xmllint rejects the document");
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

struct sframe {
	char name[256], title[512], label[256];
	double x, y, w;
	unsigned r, g, b;
};

/* The text between `open` and `close` after *pos (moving *pos past it). */
static void between(const char **pos, const char *open, const char *close, char *out,
		    size_t size)
{
	const char *a = strstr(*pos, open), *b;

	cr_assert_not_null(a, "no %s", open);
	a += strlen(open);
	b = strstr(a, close);
	cr_assert_not_null(b, "no %s", close);
	cr_assert_lt((size_t)(b - a), size);
	memcpy(out, a, (size_t)(b - a));
	out[b - a] = '\0';
	*pos = b + strlen(close);
}

static double num_attr(const char **pos, const char *open)
{
	char buf[32];

	between(pos, open, "\"", buf, sizeof(buf));
	return strtod(buf, NULL);
}

/* Every frame <g>, in document order; *n set to the count (free the array). */
static struct sframe *frames(const struct svg *s, size_t *n)
{
	static const char start[] = "<g class=\"f\"";
	size_t cap = count(s->buf, start);
	struct sframe *fr = calloc(cap + 1, sizeof(*fr));
	const char *p = s->buf;
	char fill[64];

	cr_assert_not_null(fr);
	*n = 0;
	while ((p = strstr(p, start))) {
		struct sframe *f = &fr[(*n)++];

		between(&p, "pt:n=\"", "\"", f->name, sizeof(f->name));
		between(&p, "<title>", "</title>", f->title, sizeof(f->title));
		f->x = num_attr(&p, "<rect x=\"");
		f->y = num_attr(&p, "y=\"");
		f->w = num_attr(&p, "width=\"");
		between(&p, "fill=\"", "\"", fill, sizeof(fill));
		cr_assert_eq(sscanf(fill, "rgb(%u,%u,%u)", &f->r, &f->g, &f->b), 3, "%s", fill);
		between(&p, "<text", "</text>", f->label, sizeof(f->label));
		/* Drop the attributes: the label is what follows ">". */
		memmove(f->label, strchr(f->label, '>') + 1, strlen(strchr(f->label, '>')));
	}
	return fr;
}

static const struct sframe *frame_at(const struct sframe *fr, size_t n, const char *name, double y)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fr[i].name, name) && (y < 0 || fr[i].y == y))
			return &fr[i];
	cr_assert_fail("no frame %s at y %.0f", name, y);
	return NULL;
}

static unsigned long long title_samples(const struct sframe *f)
{
	const char *c = strrchr(f->title, ':');
	unsigned long long n;

	cr_assert_not_null(c, "%s", f->title);
	cr_assert_eq(sscanf(c, ": %llu sample", &n), 1, "%s", f->title);
	return n;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
			     (c & 0xF8) == 0xF0 ? 4 : 0;

		if (!len || i + len > n || (len == 2 && c < 0xC2))
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

/* --- tests --- */

Test(flamesvg, well_formed_with_a_frame_per_node)
{
	struct profile *p = fx_hists();
	struct svg s = render(p, NULL);
	size_t n;
	struct sframe *fr = frames(&s, &n);

	expect_well_formed(&s);
	cr_assert_eq(n, profile_nnodes(p));
	cr_assert_eq(count(s.buf, "<title>"), n);
	/* The background is the one rect that is not a frame. */
	cr_assert_eq(count(s.buf, "<rect "), n + 1);
	cr_assert(strstr(s.buf, "<![CDATA["));
	free(fr);
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, widths_are_proportional_and_roots_at_the_bottom)
{
	struct profile *p = fx_hists();
	struct svg s = render(p, NULL);
	size_t n;
	struct sframe *fr = frames(&s, &n);
	const struct sframe *all = frame_at(fr, n, "all", -1);
	const struct sframe *main_ = frame_at(fr, n, "main", all->y - ROW);
	const struct sframe *a = frame_at(fr, n, "a", main_->y - ROW);
	const struct sframe *b = frame_at(fr, n, "b", main_->y - ROW);
	const struct sframe *c = frame_at(fr, n, "c", main_->y - ROW);
	const struct sframe *ca = frame_at(fr, n, "a", c->y - ROW);

	cr_assert(strstr(s.buf, "width=\"1200\""));
	cr_assert_float_eq(all->x, PAD, 0.01);
	cr_assert_float_eq(all->w, 1200 - 2 * PAD, 0.01);
	/* 60% of the samples, 60% of the root's width. */
	cr_assert_float_eq(a->w, 0.6 * all->w, 1.0);
	cr_assert_float_eq(b->w, 0.3 * all->w, 1.0);
	cr_assert_float_eq(ca->w, c->w, 0.01);
	/* Every frame: its width is its samples' share. */
	for (size_t i = 0; i < n; i++)
		cr_assert_float_eq(fr[i].w, (double)title_samples(&fr[i]) / 100.0 * all->w, 0.01,
				   "%s", fr[i].title);
	/* Alphabetical, left to right, children inside their parent. */
	cr_assert_float_eq(a->x, main_->x, 0.01);
	cr_assert_float_eq(b->x, a->x + a->w, 0.01);
	cr_assert_float_eq(c->x, b->x + b->w, 0.01);
	cr_assert_float_eq(ca->x, c->x, 0.01);
	cr_assert_str_eq(a->title, "a (" MOD "): 60 samples, 60.00%");
	cr_assert_str_eq(main_->title, "main (" EXE "): 100 samples, 100.00%");
	free(fr);
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, width_option_and_titles)
{
	struct profile *p = fx_hists();
	struct flamesvg_opts o = { .title = "t<1>", .subtitle = "app & co", .width = 600 };
	struct svg s = render(p, &o);
	size_t n;
	struct sframe *fr = frames(&s, &n);

	expect_well_formed(&s);
	cr_assert(strstr(s.buf, "width=\"600\""));
	cr_assert_float_eq(frame_at(fr, n, "all", -1)->w, 600 - 2 * PAD, 0.01);
	cr_assert(strstr(s.buf, ">t&lt;1&gt;</text>"));
	cr_assert(strstr(s.buf, ">app &amp; co</text>"));
	free(fr);
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, nasty_names_are_escaped_and_valid_utf8)
{
	static const char evil[] = "<script>&\"'";
	struct profile *p = fx_profile();
	uint32_t m = fx_fn(p, "main", EXE);

	fx_add(p, (uint32_t[]){ fx_fn(p, evil, MOD), m }, 2, 50);
	fx_add(p, (uint32_t[]){ fx_fn(p, "esc\x1b[31mred\x7f", MOD), m }, 2, 20);
	fx_add(p, (uint32_t[]){ fx_fn(p, "bad\xff\xfe utf8 \xc3", MOD), m }, 2, 20);
	fx_add(p, (uint32_t[]){ fx_fn(p, "na\xc3\xafve \xce\xbb nonchar \xef\xbf\xbe", "/opt/m\xff<.so"),
			     m }, 2, 10);

	struct svg s = render(p, &(struct flamesvg_opts){ .title = "\xff\x01" });
	size_t n;
	struct sframe *fr = frames(&s, &n);

	expect_well_formed(&s);
	cr_assert_null(strstr(s.buf, evil));
	cr_assert_null(strstr(s.buf, "<script>&"));
	cr_assert(strstr(s.buf, "&lt;script&gt;&amp;&quot;&#39;"));
	cr_assert(valid_utf8((const unsigned char *)s.buf, s.len));
	for (size_t i = 0; i < s.len; i++)
		cr_assert((unsigned char)s.buf[i] >= 0x20 || s.buf[i] == '\n',
			  "control byte %#x at %zu", (unsigned char)s.buf[i], i);
	/* Unicode passes, U+FFFE (not an XML character) does not. */
	cr_assert(strstr(s.buf, "na\xc3\xafve \xce\xbb nonchar "));
	cr_assert_null(strstr(s.buf, "\xef\xbf\xbe"));
	cr_assert_eq(n, 6);
	free(fr);
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, frames_under_a_tenth_of_a_pixel_are_left_out)
{
	struct profile *p = fx_profile();
	uint32_t m = fx_fn(p, "main", EXE), big = fx_fn(p, "big", MOD), tiny = fx_fn(p, "tiny", MOD);
	uint32_t under = fx_fn(p, "under_tiny", MOD);

	fx_add(p, (uint32_t[]){ big, m }, 2, 1000000);
	fx_add(p, (uint32_t[]){ under, tiny, m }, 3, 1);
	/* 1180 px / 1000001 samples: one sample is 0.0012 px. */
	struct svg s = render(p, NULL);
	size_t n;
	struct sframe *fr = frames(&s, &n);

	expect_well_formed(&s);
	cr_assert_eq(n, 3);
	cr_assert_null(strstr(s.buf, "tiny"));
	free(fr);
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, labels_are_cut_to_fit)
{
	struct profile *p = fx_profile();
	uint32_t m = fx_fn(p, "main", EXE);
	uint32_t wide = fx_fn(p, "a_rather_long_function_name_that_will_not_fit", MOD);
	uint32_t narrow = fx_fn(p, "n", MOD);

	fx_add(p, (uint32_t[]){ wide, m }, 2, 10);
	fx_add(p, (uint32_t[]){ narrow, m }, 2, 990);

	struct svg s = render(p, NULL);
	size_t n;
	struct sframe *fr = frames(&s, &n);
	const struct sframe *w = frame_at(fr, n, "a_rather_long_function_name_that_will_not_fit", -1);
	size_t len;

	/* 11.8 px: room for one character, so no label at all. */
	cr_assert_str_eq(w->label, "");
	cr_assert_str_eq(frame_at(fr, n, "n", -1)->label, "n");
	free(fr);
	free(s.buf);
	profile_free(p);

	p = fx_profile();
	m = fx_fn(p, "main", EXE);
	wide = fx_fn(p, "a_rather_long_function_name_that_will_not_fit", MOD);
	narrow = fx_fn(p, "n", MOD);
	fx_add(p, (uint32_t[]){ wide, m }, 2, 100);
	fx_add(p, (uint32_t[]){ narrow, m }, 2, 900);
	s = render(p, NULL);
	fr = frames(&s, &n);
	w = frame_at(fr, n, "a_rather_long_function_name_that_will_not_fit", -1);
	len = strlen(w->label);
	/* 118 px: 15 columns of 7.2 px, so 13 characters and "..". */
	cr_assert_leq((double)len * 7.2, w->w, "%s in %.1f px", w->label, w->w);
	cr_assert_eq(len, 15, "%s", w->label);
	cr_assert_str_eq(w->label + len - 2, "..");
	cr_assert_eq(strncmp(w->label, "a_rather_long", 13), 0, "%s", w->label);
	free(fr);
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, colours_stable_per_name_and_python_distinct)
{
	struct profile *p = fx_profile();
	uint32_t m = fx_fn(p, "main", EXE), a = fx_fn(p, "work", MOD), c = fx_fn(p, "caller", MOD);
	uint32_t py = fx_fn(p, "work", "/srv/app/job.py");

	fx_add(p, (uint32_t[]){ a, m }, 2, 40);
	fx_add(p, (uint32_t[]){ a, c, m }, 3, 30);
	fx_add(p, (uint32_t[]){ py, m }, 2, 30);

	struct svg s = render(p, NULL);
	size_t n, natives = 0;
	struct sframe *fr = frames(&s, &n);
	const struct sframe *first = NULL, *pyf = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(fr[i].name, "work"))
			continue;
		if (strstr(fr[i].title, ".py)")) {
			pyf = &fr[i];
			continue;
		}
		natives++;
		if (!first)
			first = &fr[i];
		cr_assert_eq(fr[i].r, first->r);
		cr_assert_eq(fr[i].g, first->g);
		cr_assert_eq(fr[i].b, first->b);
	}
	cr_assert_eq(natives, 2);
	cr_assert_not_null(pyf);
	/* Warm: red dominates; Python: blue-green. */
	cr_assert_geq(first->r, 205);
	cr_assert_leq(first->b, 55);
	cr_assert_lt(pyf->r, pyf->b);
	cr_assert_lt(pyf->r, pyf->g);
	free(fr);
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, a_10000_frame_stack_is_cut_at_the_depth_limit)
{
	struct profile *p = fx_profile();
	uint32_t *funcs = malloc(DEEP * sizeof(*funcs));
	char name[32], height[64];

	cr_assert_not_null(funcs);
	for (size_t i = 0; i < DEEP; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		funcs[DEEP - 1 - i] = fx_fn(p, name, EXE);
	}
	fx_add(p, funcs, DEEP, 7);
	free(funcs);

	struct svg s = render(p, NULL);
	size_t n;
	struct sframe *fr = frames(&s, &n);

	expect_well_formed(&s);
	/* "all" and f0..f1022: 1024 rows. */
	cr_assert_eq(n, MAX_DEPTH);
	frame_at(fr, n, "f1022", -1);
	cr_assert_null(strstr(s.buf, "pt:n=\"f1023\""));
	cr_assert(strstr(s.buf, "deeper than 1024 frames are cut"));
	snprintf(height, sizeof(height), "height=\"%d\"", 60 + MAX_DEPTH * 16 + 30);
	cr_assert(strstr(s.buf, height), "no %s", height);
	/* The outermost at the bottom, the deepest drawn on the top row. */
	cr_assert_float_eq(frame_at(fr, n, "f1022", -1)->y, 60, 0.01);
	free(fr);
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, shallow_stacks_are_not_cut)
{
	struct profile *p = fx_hists();
	struct svg s = render(p, NULL);

	cr_assert_null(strstr(s.buf, "are cut"));
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, empty_profile_says_no_samples)
{
	struct profile *p = fx_profile();

	/* Samples without a stack draw nothing either. */
	fx_add(p, NULL, 0, 5);

	struct svg s = render(p, NULL);

	expect_well_formed(&s);
	cr_assert(strstr(s.buf, ">no samples</text>"));
	cr_assert_eq(count(s.buf, "<g class=\"f\""), 0);
	cr_assert(strstr(s.buf, "<svg "));
	free(s.buf);
	profile_free(p);
}

Test(flamesvg, write_error_is_eio)
{
	struct profile *p = fx_hists();
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		cr_skip_test("no /dev/full");
	cr_assert_eq(flamesvg_write(f, p, NULL), -EIO);
	fclose(f);
	profile_free(p);
}
