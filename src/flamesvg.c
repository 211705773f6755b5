/* flamesvg.c — write the call tree as a standalone SVG flame graph with click-to-zoom. */
#include "proftui/flamesvg.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/sanitize.h"

/*
 * Layout: the root ("all") is the bottom row, full width; each frame's
 * children sit on the row above, alphabetically (as in FlameGraph and the
 * live flame view), a child's x its parent's x plus the widths of the
 * siblings before it.  Widths are exact (two decimals), not cells, so the
 * picture is proportional to the samples.  A frame under FS_MIN_PX is not
 * drawn and its subtree never visited, so the work is the visible frames.
 *
 * Nothing recurses: an explicit stack of frames to draw.  Two walks, the
 * first to learn the height the <svg> element must declare up front.
 *
 * Rows are capped at FS_MAX_DEPTH (a 16k-pixel-tall picture already): frames
 * deeper than that are cut and the footer says so.
 */
#define FS_MAX_DEPTH	1024u
#define FS_DEFAULT_W	1200u
#define FS_MIN_W	200u
#define FS_MAX_W	65536u
#define FS_MIN_PX	0.1
#define FS_PAD		10u     /* left and right of the graph */
#define FS_TOP		60u     /* title and subtitle */
#define FS_BOTTOM	30u     /* the details line */
#define FS_ROW		16u     /* a frame is 15 px tall, 1 px apart */
/* Monospace at 12 px: a character is 0.6 em wide. */
#define FS_CHAR_W	7.2
/* Labels and tooltips show at most this much of a name (sanitize_name cuts). */
#define FS_NAME_MAX	1024

struct fs_item {
	uint32_t node;
	uint32_t depth;
	uint64_t off;           /* samples left of this frame, from the root's left edge */
};

struct fs_kid {
	const char *name;
	uint32_t node, func;
	uint64_t total, off;
};

struct fs_ctx {
	FILE *out;
	const struct profile *p;
	uint64_t total;         /* the root's: 100% */
	double gw;              /* graph width, px */
	unsigned rows;          /* rows the picture has room for */
	uint32_t maxdepth;      /* deepest frame drawn */
	bool cut;               /* some frame was left out for depth */
	struct fs_item *stack;
	size_t nstack, scap;
	struct fs_kid *kids;
	size_t kcap;
	char name[FS_NAME_MAX], text[FS_NAME_MAX];
};

/* Grow *arr to hold need elements, never past max; 0 or -ENOMEM. */
static int fs_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t max)
{
	size_t n = *cap ? *cap : 64;
	void *a;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -ENOMEM;
	while (n < need)
		n = n > max / 2 ? max : 2 * n;
	a = realloc(*arr, n * elem);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = n;
	return 0;
}

/* --- text --- */

/*
 * s into XML character data or an attribute value.  s is sanitize_name
 * output, so valid UTF-8 without control characters; U+FFFE and U+FFFF are
 * valid UTF-8 but not XML characters, so they go too.
 */
static void fs_xml(FILE *out, const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		switch (*u) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* NUL ends the string, so u[1] and u[2] are readable here. */
			if (u[0] == 0xEF && u[1] == 0xBF && (u[2] == 0xBE || u[2] == 0xBF))
				u += 2;
			else if (*u >= 0x20)
				fputc(*u, out);
		}
	}
}

/* Sanitised copy of a target-supplied string into buf (FS_NAME_MAX). */
static const char *fs_clean(char *buf, const char *s)
{
	sanitize_name(s, buf, FS_NAME_MAX);
	return buf;
}

static void fs_xml_raw(FILE *out, const char *s)
{
	char buf[FS_NAME_MAX];

	fs_xml(out, fs_clean(buf, s));
}

static size_t fs_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The label a w-pixel frame has room for: the name, or its start and "..". */
static const char *fs_label(char *buf, const char *name, double w)
{
	double room = (w - 6) / FS_CHAR_W;
	size_t cols = room > 0 ? (size_t)room : 0, keep, i = 0;

	if (cols < 3)
		return "";
	if (fs_chars(name) <= cols)
		return name;
	/* Copy cols - 2 characters, never half of one. */
	for (keep = cols - 2; name[i]; i++)
		if (((unsigned char)name[i] & 0xC0) != 0x80 && keep-- == 0)
			break;
	memcpy(buf, name, i);
	memcpy(buf + i, "..", 3);
	return buf;
}

/* v with two decimals, whatever LC_NUMERIC says (the live UI sets a locale). */
static void fs_num(FILE *out, double v)
{
	long long c = llround(v * 100);

	fprintf(out, "%lld.%02lld", c / 100, c % 100);
}

/* --- colours --- */

static uint32_t fs_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

static bool fs_is_python(const char *module)
{
	size_t n = module ? strlen(module) : 0;

	return n >= 3 && !strcmp(module + n - 3, ".py");
}

/* Stable per name: warm (red to yellow) for native, blue-green for Python. */
static void fs_colour(FILE *out, const char *name, const char *module)
{
	uint32_t h = fs_hash(name);
	unsigned a = h & 0xff, b = h >> 8 & 0xff, c = h >> 16 & 0xff;

	if (fs_is_python(module))
		fprintf(out, "rgb(%u,%u,%u)", 50 + a * 60 / 255, 160 + b * 60 / 255,
			190 + c * 65 / 255);
	else
		fprintf(out, "rgb(%u,%u,%u)", 205 + c * 50 / 255, a * 230 / 255, b * 55 / 255);
}

/* --- frames --- */

static const struct prof_node *fs_node(const struct fs_ctx *c, uint32_t id)
{
	return profile_node(c->p, id);
}

static double fs_px(const struct fs_ctx *c, uint64_t samples)
{
	return (double)samples * c->gw / (double)c->total;
}

/* "name (module): N samples, P%" */
static void fs_title(struct fs_ctx *c, const char *name, const char *module, uint64_t total)
{
	long long bp = llround((double)total * 10000.0 / (double)c->total);

	fs_xml(c->out, name);
	if (module && *module) {
		fputs(" (", c->out);
		fs_xml(c->out, fs_clean(c->text, module));
		fputc(')', c->out);
	}
	fprintf(c->out, ": %llu sample%s, %lld.%02lld%%", (unsigned long long)total,
		total == 1 ? "" : "s", bp / 100, bp % 100);
}

static void fs_frame(struct fs_ctx *c, const struct fs_item *it)
{
	const struct prof_node *n = fs_node(c, it->node);
	const char *raw = it->node ? profile_func_name(c->p, n->func) : "all";
	const char *module = it->node ? profile_func_module(c->p, n->func) : NULL;
	double x = FS_PAD + fs_px(c, it->off), w = fs_px(c, n->total);
	unsigned y = FS_TOP + (c->rows - 1 - it->depth) * FS_ROW;
	const char *name = fs_clean(c->name, raw && *raw ? raw : "[unknown]");

	/* pt:n keeps the whole name for the script to relabel on zoom. */
	fputs("<g class=\"f\" pt:n=\"", c->out);
	fs_xml(c->out, name);
	fputs("\"><title>", c->out);
	fs_title(c, name, module, n->total);
	fputs("</title><rect x=\"", c->out);
	fs_num(c->out, x);
	fprintf(c->out, "\" y=\"%u\" width=\"", y);
	fs_num(c->out, w);
	fprintf(c->out, "\" height=\"%u\" rx=\"2\" fill=\"", FS_ROW - 1);
	fs_colour(c->out, raw ? raw : "", module);
	fputs("\"/><text x=\"", c->out);
	fs_num(c->out, x + 3);
	fprintf(c->out, "\" y=\"%u\">", y + 12);
	fs_xml(c->out, fs_label(c->text, name, w));
	fputs("</text></g>\n", c->out);
}

static int fs_kid_cmp(const void *va, const void *vb)
{
	const struct fs_kid *a = va, *b = vb;
	int r = strcmp(a->name, b->name);

	if (r)
		return r;
	return (a->func > b->func) - (a->func < b->func);
}

static int fs_push(struct fs_ctx *c, uint32_t node, uint32_t depth, uint64_t off)
{
	int err = fs_grow((void **)&c->stack, &c->scap, c->nstack + 1, sizeof(*c->stack),
			  profile_nnodes(c->p));

	if (err)
		return err;
	c->stack[c->nstack++] = (struct fs_item){ node, depth, off };
	return 0;
}

/* At the depth cap: note whether a frame that would show is being cut. */
static void fs_note_cut(struct fs_ctx *c, uint32_t node)
{
	for (uint32_t k = fs_node(c, node)->first_child; k != PROF_NONE;
	     k = fs_node(c, k)->next_sibling)
		if (fs_px(c, fs_node(c, k)->total) >= FS_MIN_PX)
			c->cut = true;
}

/* Queue its visible children, sorted by name, leftmost on top of the stack. */
static int fs_children(struct fs_ctx *c, const struct fs_item *it)
{
	uint64_t off = it->off;
	size_t n = 0;
	int err;

	if (it->depth + 1 >= FS_MAX_DEPTH) {
		fs_note_cut(c, it->node);
		return 0;
	}
	for (uint32_t k = fs_node(c, it->node)->first_child; k != PROF_NONE;
	     k = fs_node(c, k)->next_sibling) {
		const struct prof_node *kn = fs_node(c, k);

		err = fs_grow((void **)&c->kids, &c->kcap, n + 1, sizeof(*c->kids),
			      profile_nnodes(c->p));
		if (err)
			return err;
		c->kids[n++] = (struct fs_kid){ profile_func_name(c->p, kn->func), k, kn->func,
						kn->total, 0 };
	}
	qsort(c->kids, n, sizeof(*c->kids), fs_kid_cmp);
	/* Offsets count the hidden siblings too: x stays proportional. */
	for (size_t i = 0; i < n; i++) {
		c->kids[i].off = off;
		off += c->kids[i].total;
	}
	for (size_t i = n; i-- > 0;) {
		if (fs_px(c, c->kids[i].total) < FS_MIN_PX)
			continue;
		if ((err = fs_push(c, c->kids[i].node, it->depth + 1, c->kids[i].off)))
			return err;
	}
	return 0;
}

/* Every visible frame, depth first; drawn when draw, else only measured. */
static int fs_walk(struct fs_ctx *c, bool draw)
{
	int err;

	c->nstack = 0;
	if ((err = fs_push(c, 0, 0, 0)))
		return err;
	while (c->nstack) {
		struct fs_item it = c->stack[--c->nstack];

		if (draw)
			fs_frame(c, &it);
		if (it.depth > c->maxdepth)
			c->maxdepth = it.depth;
		if ((err = fs_children(c, &it)))
			return err;
	}
	return 0;
}

/* --- the document --- */

static void fs_head(FILE *out, unsigned w, unsigned h, const struct flamesvg_opts *o)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" "
		"xmlns:pt=\"urn:proftui\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\">\n",
		w, h, w, h);
	fputs("<style type=\"text/css\">\n"
	      "text { font-family: monospace; font-size: 12px; fill: #000; }\n"
	      "#title { font-size: 17px; }\n"
	      ".f { cursor: pointer; }\n"
	      ".f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
	      "</style>\n", out);
	fprintf(out, "<rect id=\"bg\" x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"#f4f4f0\"/>\n",
		w, h);
	fprintf(out, "<text id=\"title\" x=\"%u\" y=\"24\" text-anchor=\"middle\">", w / 2);
	fs_xml_raw(out, o->title ? o->title : "proftui flame graph");
	fputs("</text>\n", out);
	if (o->subtitle && *o->subtitle) {
		fprintf(out, "<text id=\"subtitle\" x=\"%u\" y=\"44\" text-anchor=\"middle\">",
			w / 2);
		fs_xml_raw(out, o->subtitle);
		fputs("</text>\n", out);
	}
}

/*
 * Click a frame: it and its descendants (the frames above it inside its span)
 * stretch to the full width, its ancestors (below, holding its span) go full
 * width, everything else hides.  Click elsewhere: back to the saved layout.
 * Geometry alone tells descendants, because children nest in their parent's
 * span; 0.02 px absorbs the two-decimal rounding.
 */
static const char fs_script[] =
	"(function () {\n"
	"var NS = 'urn:proftui', fr = [], all = document.querySelectorAll('g.f');\n"
	"var det = document.getElementById('details'), hint = det.textContent;\n"
	"function up(n) {\n"
	"  while (n && !(n.getAttribute && n.getAttribute('class') === 'f')) n = n.parentNode;\n"
	"  return n;\n"
	"}\n"
	"for (var i = 0; i < all.length; i++) {\n"
	"  var g = all[i], r = g.getElementsByTagName('rect')[0];\n"
	"  g.ptIndex = i;\n"
	"  fr.push({ g: g, r: r, t: g.getElementsByTagName('text')[0], n: g.getAttributeNS(NS, 'n'),\n"
	"    x: +r.getAttribute('x'), w: +r.getAttribute('width'), y: +r.getAttribute('y') });\n"
	"}\n"
	"function place(f, x, w) {\n"
	"  var cols = Math.floor((w - 6) / CW), s = f.n;\n"
	"  f.g.style.display = '';\n"
	"  f.r.setAttribute('x', x.toFixed(2));\n"
	"  f.r.setAttribute('width', w.toFixed(2));\n"
	"  f.t.setAttribute('x', (x + 3).toFixed(2));\n"
	"  if (cols < 3) s = ''; else if (s.length > cols) s = s.substring(0, cols - 2) + '..';\n"
	"  f.t.textContent = s;\n"
	"}\n"
	"function zoom(z) {\n"
	"  for (var i = 0; i < fr.length; i++) {\n"
	"    var f = fr[i], e = 0.02;\n"
	"    if (f.y <= z.y && f.x >= z.x - e && f.x + f.w <= z.x + z.w + e)\n"
	"      place(f, X + (f.x - z.x) * W / z.w, f.w * W / z.w);\n"
	"    else if (f.y > z.y && f.x <= z.x + e && f.x + f.w >= z.x + z.w - e)\n"
	"      place(f, X, W);\n"
	"    else\n"
	"      f.g.style.display = 'none';\n"
	"  }\n"
	"}\n"
	"function reset() {\n"
	"  for (var i = 0; i < fr.length; i++) place(fr[i], fr[i].x, fr[i].w);\n"
	"}\n"
	"document.documentElement.addEventListener('click', function (ev) {\n"
	"  var g = up(ev.target);\n"
	"  if (g) zoom(fr[g.ptIndex]); else reset();\n"
	"});\n"
	"document.documentElement.addEventListener('mouseover', function (ev) {\n"
	"  var g = up(ev.target);\n"
	"  det.textContent = g ? g.getElementsByTagName('title')[0].textContent : hint;\n"
	"});\n"
	"})();\n";

static void fs_tail(FILE *out, const struct fs_ctx *c, unsigned w, unsigned h)
{
	fprintf(out, "<text id=\"details\" x=\"%u\" y=\"%u\">", FS_PAD, h - 10);
	if (c->cut)
		fprintf(out, "Stacks deeper than %u frames are cut. ", FS_MAX_DEPTH);
	fputs("Click a frame to zoom, the background to reset.</text>\n", out);
	fputs("<script type=\"text/ecmascript\"><![CDATA[\n", out);
	fprintf(out, "var W = %u, X = %u, CW = 7.2;\n", w - 2 * FS_PAD, FS_PAD);
	fputs(fs_script, out);
	fputs("]]></script>\n</svg>\n", out);
}

static int fs_empty(FILE *out, unsigned w, const struct flamesvg_opts *o)
{
	unsigned h = FS_TOP + 40 + FS_BOTTOM;

	fs_head(out, w, h, o);
	fprintf(out, "<text id=\"details\" x=\"%u\" y=\"%u\" text-anchor=\"middle\">"
		"no samples</text>\n</svg>\n", w / 2, FS_TOP + 24);
	return 0;
}

static unsigned fs_width(const struct flamesvg_opts *o)
{
	unsigned w = o->width ? o->width : FS_DEFAULT_W;

	return w < FS_MIN_W ? FS_MIN_W : w > FS_MAX_W ? FS_MAX_W : w;
}

static int fs_graph(struct fs_ctx *c, unsigned w, const struct flamesvg_opts *o)
{
	unsigned h;
	int err;

	/* First walk: how many rows. */
	c->rows = FS_MAX_DEPTH;
	if ((err = fs_walk(c, false)))
		return err;
	c->rows = c->maxdepth + 1;
	h = FS_TOP + c->rows * FS_ROW + FS_BOTTOM;
	fs_head(c->out, w, h, o);
	fputs("<g id=\"frames\">\n", c->out);
	if ((err = fs_walk(c, true)))
		return err;
	fputs("</g>\n", c->out);
	fs_tail(c->out, c, w, h);
	return 0;
}

int flamesvg_write(FILE *out, const struct profile *p, const struct flamesvg_opts *o)
{
	static const struct flamesvg_opts none = { .width = 0 };
	struct fs_ctx *c;
	unsigned w;
	int err;

	if (!o)
		o = &none;
	w = fs_width(o);
	if (!profile_node(p, 0) || !profile_node(p, 0)->total)
		err = fs_empty(out, w, o);
	else if (!(c = calloc(1, sizeof(*c))))
		return -ENOMEM;
	else {
		*c = (struct fs_ctx){ .out = out, .p = p, .gw = w - 2 * FS_PAD,
				      .total = profile_node(p, 0)->total };
		err = fs_graph(c, w, o);
		free(c->stack);
		free(c->kids);
		free(c);
	}
	if (!err && (fflush(out) || ferror(out)))
		err = -EIO;
	return err;
}
