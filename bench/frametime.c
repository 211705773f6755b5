/* frametime.c — issue 7's "frame time": how long each view takes to build and draw one full-screen frame. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proftui/canvas.h"
#include "proftui/profile.h"
#include "proftui/snapshot.h"
#include "proftui/view.h"

#include "mdsection.h"

/*
 * Headless: a view draws into a canvas exactly as in the live UI (rows
 * [3, h-1), the header and status lines being the loop's), and the time
 * measured is canvas_clear + view draw, i.e. building rows or layout and
 * putting text in cells.  term_draw (curses diffing the canvas onto the
 * screen) is not included: it depends on the terminal, not on the profile.
 *
 * The profile is synthetic but goes through a snapshot file first, so what
 * is measured is a loaded snapshot, as the issue asks.
 */

#define UI_HEADER_H	3	/* src/ui.c's header height; the status line is 1 */
#define TARGET_MS	5.0
#define BUILD_LIMIT_S	30.0	/* skip the 1,000,000-stack size past this */
#define NFUNCS		4096	/* distinct functions of the synthetic program */
#define FANOUT		8	/* children per node in the unique prefix */
#define MARK_BEGIN	"<!-- frametime: written by bench/frametime -->"
#define MARK_END	"<!-- /frametime -->"

enum { V_TOP, V_TREE, V_FLAME, V__N };
static const char *const view_names[V__N] = { "hot functions", "call tree", "flame graph" };

struct size { int w, h; };
static const struct size sizes[] = { { 200, 50 }, { 80, 24 } };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

struct result {
	int view;
	size_t n;              /* unique stacks (PROF_NONE-free paths with self > 0) */
	size_t nodes;
	struct size sz;
	double cold_ms, med_ms, max_ms;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t mix(uint64_t x)
{
	/* splitmix64: deterministic, so every run measures the same profile */
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Names about as long as C++/Rust symbols in a real program (20-70 bytes). */
static void func_name(unsigned i, char *buf, size_t len)
{
	static const char *const ns[] = { "app", "net::http", "storage::btree", "util",
					  "render::gl", "std::__detail", "json", "crypto::aes" };
	static const char *const verb[] = { "parse", "encode", "lookup", "flush", "visit",
					    "insert", "compute", "dispatch", "read", "resolve" };
	uint64_t h = mix(i);

	snprintf(buf, len, "%s::%s%u::%s_%s_%u", ns[h % 8], (h >> 8) % 2 ? "Handler" : "Cache",
		 (unsigned)((h >> 12) % 97), verb[(h >> 20) % 10], verb[(h >> 28) % 10], i);
}

/*
 * A synthetic call tree with exactly n unique stacks.  Stack i's first k
 * frames spell i in base FANOUT (function ids chosen so that different
 * digits are different functions), which makes every stack distinct; a
 * deterministic tail then takes it to a depth of 8-30.  Weights are skewed
 * so a few stacks are hot, as in a real profile.  Returns NULL when out of
 * memory or, for a profile past BUILD_LIMIT_S, when building takes too long.
 */
static struct profile *synth(size_t n, double limit_s)
{
	struct profile *p = profile_new();
	uint32_t ids[NFUNCS], path[32];
	char name[128];
	double t0 = now_ms();
	unsigned k = 1;

	if (!p)
		return NULL;
	for (size_t m = FANOUT; m < n; m *= FANOUT)
		k++;
	for (unsigned i = 0; i < NFUNCS; i++) {
		char mod[64];

		func_name(i, name, sizeof(name));
		snprintf(mod, sizeof(mod), "/usr/lib/x86_64-linux-gnu/lib%s.so.%u",
			 i % 7 ? "app" : "c", i % 5);
		ids[i] = profile_func(p, name, mod);
		if (ids[i] == UINT32_MAX)
			goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t h = mix(i ^ 0x5bd1e995), prefix = 0;
		size_t depth = 8 + h % 23, d = 0, rest = i;
		uint64_t w;

		/* Outermost first in path[], then reversed into leaf-first order. */
		for (unsigned l = 0; l < k; l++, d++) {
			unsigned digit = (unsigned)(rest % FANOUT);

			rest /= FANOUT;
			prefix = mix(prefix * 31 + l);
			path[d] = (uint32_t)((prefix % (NFUNCS / FANOUT)) * FANOUT + digit);
			prefix = prefix * FANOUT + digit;
		}
		for (; d < depth; d++)
			path[d] = (uint32_t)(mix(h + d) % NFUNCS);
		for (size_t a = 0, b = depth - 1; a < b; a++, b--) {
			uint32_t t = path[a];

			path[a] = path[b];
			path[b] = t;
		}
		for (size_t j = 0; j < depth; j++)
			path[j] = ids[path[j]];
		w = 1 + 1000 / (1 + (h >> 40) % 1000);
		if (profile_add_sample(p, 1000 + (uint32_t)(h % 4), path, depth, w, i) < 0)
			goto fail;
		if (i % 16384 == 0 && now_ms() - t0 > limit_s * 1e3)
			goto fail;
	}
	return p;
fail:
	profile_free(p);
	return NULL;
}

/* Generate, write as a snapshot, load it back. */
static struct snapshot *synth_snapshot(size_t n, double *build_s)
{
	char tmp[] = "/tmp/proftui-frametime-XXXXXX", err[256];
	double t0 = now_ms();
	struct profile *p = synth(n, BUILD_LIMIT_S);
	struct snap_meta meta = { .target = "bench/frametime synthetic", .method = "perf" };
	struct snapshot *s = NULL;
	FILE *f;
	int fd, rc;

	if (!p)
		return NULL;
	fd = mkstemp(tmp);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		perror("frametime: temporary snapshot");
		if (fd >= 0)
			close(fd);
		profile_free(p);
		return NULL;
	}
	rc = snapshot_write(f, p, &meta, NULL);
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	profile_free(p);
	if (rc == 0 && snapshot_load(tmp, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "frametime: %s\n", err);
		s = NULL;
	} else if (rc != 0) {
		fprintf(stderr, "frametime: snapshot_write: %s\n", strerror(-rc));
	}
	unlink(tmp);
	*build_s = (now_ms() - t0) / 1e3;
	return s;
}

/* Unique stacks: nodes where samples ended. */
static size_t count_stacks(const struct profile *p)
{
	size_t n = 0, nn = profile_nnodes(p);

	for (uint32_t i = 1; i < nn; i++)
		n += profile_node(p, i)->self > 0;
	return n;
}

static double frame(struct view *v, struct canvas *c, const struct ui_model *m)
{
	double t0 = now_ms();

	canvas_clear(c);
	v->ops->draw(v, c, UI_HEADER_H, c->h - UI_HEADER_H - 1, m);
	return now_ms() - t0;
}

/* The hottest function, as the top view shows it first (what Enter drills into). */
static uint32_t hottest(struct canvas *c, const struct ui_model *m)
{
	struct view *top = view_top_new(PROF_SORT_SELF);
	uint32_t f;

	if (!top)
		return PROF_NONE;
	frame(top, c, m);
	f = top->ops->selected(top);
	view_free(top);
	return f;
}

static struct view *make_view(int which, uint32_t hot, const struct ui_model *m)
{
	struct view *v = which == V_TOP ? view_top_new(PROF_SORT_SELF) :
			 which == V_TREE ? view_tree_new() : view_flame_new();

	/* The UI's Enter on the top view: focus the call tree on the selection. */
	if (v && which == V_TREE && hot != PROF_NONE)
		v->ops->focus(v, hot, m);
	return v;
}

#define COLD_RUNS 5

static bool dump;	/* --dump: show the last frame of each, to check what was timed */

/* Cold: a fresh view's first frame (median of COLD_RUNS, each with a new
 * view); then `frames` redraws, each after an epoch bump as when the live UI
 * replaces the shown profile. */
static int measure(int which, struct ui_model *m, struct size sz, int frames, struct result *r)
{
	struct canvas c = { 0 };
	double cold[COLD_RUNS], *t = calloc((size_t)frames, sizeof(*t));
	struct view *v = NULL;
	uint32_t hot;

	if (!t || canvas_resize(&c, sz.w, sz.h) != 0) {
		free(t);
		return -ENOMEM;
	}
	hot = hottest(&c, m);
	for (int i = 0; i < COLD_RUNS; i++) {
		double t0;

		view_free(v);
		m->epoch++;
		t0 = now_ms();
		v = make_view(which, hot, m);
		if (!v)
			break;
		frame(v, &c, m);
		cold[i] = now_ms() - t0;
	}
	if (!v) {
		free(t);
		canvas_release(&c);
		return -ENOMEM;
	}
	for (int i = 0; i < frames; i++) {
		m->epoch++;
		t[i] = frame(v, &c, m);
	}
	if (dump) {
		char row[1024];

		fprintf(stderr, "--- %s, %dx%d\n", view_names[which], sz.w, sz.h);
		for (int y = 0; y < c.h; y++)
			fprintf(stderr, "%s\n", canvas_row(&c, y, row, sizeof(row)));
	}
	qsort(cold, COLD_RUNS, sizeof(*cold), cmp_double);
	qsort(t, (size_t)frames, sizeof(*t), cmp_double);
	r->view = which;
	r->sz = sz;
	r->cold_ms = cold[COLD_RUNS / 2];
	r->med_ms = frames % 2 ? t[frames / 2] : (t[frames / 2 - 1] + t[frames / 2]) / 2;
	r->max_ms = t[frames - 1];
	view_free(v);
	free(t);
	canvas_release(&c);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: frametime [--load FILE] [--frames N] [--sizes N,N,...] [--write FILE] [--dump]\n"
		     "  Times each view's frame (canvas only, no terminal) on a profile with N\n"
		     "  unique stacks (default 10000,100000,1000000), generated, saved as a\n"
		     "  snapshot and loaded again; or on the snapshot FILE.  Prints a markdown\n"
		     "  section; --write replaces it in FILE (appended when absent); --dump shows\n"
		     "  each view's last frame on stderr.\n");
}

int main(int argc, char **argv)
{
	size_t ns[8] = { 10000, 100000, 1000000 }, nns = 3;
	const char *load = NULL, *write = NULL;
	int frames = 50;
	struct result res[8 * V__N * NSIZES];
	size_t nres = 0;
	char skipped[256] = "";
	struct sbuf md = { 0 };
	double loadavg[3] = { 0 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--load") && i + 1 < argc) {
			load = argv[++i];
		} else if (!strcmp(argv[i], "--write") && i + 1 < argc) {
			write = argv[++i];
		} else if (!strcmp(argv[i], "--dump")) {
			dump = true;
		} else if (!strcmp(argv[i], "--frames") && i + 1 < argc) {
			frames = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
			char *s = argv[++i], *end;

			for (nns = 0; nns < 8 && *s; s = *end ? end + 1 : end) {
				ns[nns++] = strtoull(s, &end, 10);
				if (end == s)
					break;
			}
		} else {
			usage(strcmp(argv[i], "--help") ? stderr : stdout);
			return strcmp(argv[i], "--help") ? 2 : 0;
		}
	}
	if (frames < 1 || frames > 100000 || !nns) {
		usage(stderr);
		return 2;
	}
	/* Widths are measured with wcwidth, as in the UI under a UTF-8 locale. */
	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8"))
		setlocale(LC_ALL, "C.UTF-8");
	if (load)
		nns = 1;

	for (size_t si = 0; si < nns; si++) {
		struct snapshot *s = NULL;
		double build_s = 0;
		char err[256];

		if (load) {
			double t0 = now_ms();

			if (snapshot_load(load, &s, err, sizeof(err)) != 0) {
				fprintf(stderr, "frametime: %s\n", err);
				return 1;
			}
			build_s = (now_ms() - t0) / 1e3;
		} else if (!(s = synth_snapshot(ns[si], &build_s))) {
			snprintf(skipped + strlen(skipped), sizeof(skipped) - strlen(skipped),
				 "%s%zu unique stacks skipped (building took over %.0f s or failed).",
				 *skipped ? " " : "", ns[si], BUILD_LIMIT_S);
			fprintf(stderr, "frametime: N=%zu skipped\n", ns[si]);
			continue;
		}
		{
			struct ui_model m = { .p = s->prof, .epoch = 1, .search = "", .color = true };
			size_t nstacks = count_stacks(s->prof), nodes = profile_nnodes(s->prof);

			fprintf(stderr, "frametime: %zu stacks, %zu nodes, %zu functions; built in %.1f s\n",
				nstacks, nodes, profile_nfuncs(s->prof), build_s);
			for (int v = 0; v < V__N; v++)
				for (size_t z = 0; z < NSIZES; z++) {
					struct result *r = &res[nres];

					if (measure(v, &m, sizes[z], frames, r) != 0) {
						fprintf(stderr, "frametime: out of memory\n");
						return 1;
					}
					r->n = nstacks;
					r->nodes = nodes;
					nres++;
				}
		}
		snapshot_free(s);
	}

	if (getloadavg(loadavg, 3) < 0)
		loadavg[0] = loadavg[1] = loadavg[2] = 0;
	sb_printf(&md, MARK_BEGIN "\n## Frame time\n\n");
	sb_printf(&md, "`bench/frametime` (`make bench-frametime`): each view drawn into an "
		       "off-screen canvas, as the live UI draws it, from a loaded snapshot with N unique "
		       "stacks (synthetic: depth 8-30, %d functions; generated, written with "
		       "snapshot_write and read back with snapshot_load).  A frame is canvas_clear plus "
		       "the view's draw; putting the canvas on the terminal (curses) is not included.  "
		       "*Cold* is a fresh view's first frame, building its rows or layout (median of %d); "
		       "*redraw* is a frame after the model's epoch is bumped, as when the live UI "
		       "replaces the profile it shows (median and max of %d).  The call tree is focused "
		       "on the hottest function, as Enter on the top view does; the flame graph shows "
		       "the whole profile.  CLOCK_MONOTONIC; load average %.2f %.2f %.2f on %ld CPU(s) "
		       "at the end.\n\n",
		  NFUNCS, COLD_RUNS, frames, loadavg[0], loadavg[1], loadavg[2],
		  sysconf(_SC_NPROCESSORS_ONLN));
	sb_printf(&md, "| view | canvas | unique stacks | tree nodes | cold ms | redraw median ms | "
		       "redraw max ms |\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < nres; i++)
		sb_printf(&md, "| %s | %dx%d | %zu | %zu | %.2f | %.2f | %.2f |\n",
			  view_names[res[i].view], res[i].sz.w, res[i].sz.h, res[i].n, res[i].nodes,
			  res[i].cold_ms, res[i].med_ms, res[i].max_ms);
	if (*skipped)
		sb_printf(&md, "\n%s\n", skipped);

	/* The verdict, for 100,000 stacks (or the loaded file), on the worse
	 * canvas: on the median and the cold frame, since a single frame's max on
	 * a shared machine is mostly the scheduler.  Growth compares the largest
	 * profile with the smallest on the larger canvas. */
	sb_printf(&md, "\n| view | stacks | redraw median | redraw max | cold | "
		       "redraw median, largest / smallest profile | target < %.0f ms per frame |\n"
		       "|---|---|---|---|---|---|---|\n", TARGET_MS);
	for (int v = 0; v < V__N; v++) {
		double med = -1, worst = -1, cold = -1, lo = -1, hi = -1;
		size_t nlo = SIZE_MAX, nhi = 0, target_n = 0, best = SIZE_MAX;

		for (size_t i = 0; i < nres; i++) {
			size_t d = res[i].n > 100000 ? res[i].n - 100000 : 100000 - res[i].n;

			if (res[i].view == v && d < best)
				best = d, target_n = res[i].n;
		}
		for (size_t i = 0; i < nres; i++) {
			const struct result *r = &res[i];

			if (r->view != v)
				continue;
			if (r->n == target_n) {
				med = r->med_ms > med ? r->med_ms : med;
				worst = r->max_ms > worst ? r->max_ms : worst;
				cold = r->cold_ms > cold ? r->cold_ms : cold;
			}
			if (r->sz.w == sizes[0].w && r->n <= nlo)
				nlo = r->n, lo = r->med_ms;
			if (r->sz.w == sizes[0].w && r->n >= nhi)
				nhi = r->n, hi = r->med_ms;
		}
		if (med < 0)
			continue;
		sb_printf(&md, "| %s | %zu | %.2f ms | %.2f ms | %.2f ms | ", view_names[v], target_n,
			  med, worst, cold);
		if (nhi > nlo && lo > 0)
			sb_printf(&md, "%.1f× for %.0f× the stacks | ", hi / lo, (double)nhi / (double)nlo);
		else
			sb_printf(&md, "— | ");
		if (med >= TARGET_MS || cold >= TARGET_MS)
			sb_printf(&md, "**not met** |\n");
		else if (worst >= TARGET_MS)
			sb_printf(&md, "met on the median (max over: noise or a slow frame) |\n");
		else
			sb_printf(&md, "met |\n");
	}
	sb_printf(&md, "\n" MARK_END "\n");
	if (!md.s) {
		fprintf(stderr, "frametime: out of memory\n");
		return 1;
	}
	fputs(md.s, stdout);
	if (write) {
		int rc = md_write_section(write, md.s, MARK_BEGIN, MARK_END);

		if (rc) {
			fprintf(stderr, "frametime: %s: %s\n", write, strerror(-rc));
			return 1;
		}
	}
	free(md.s);
	return 0;
}
