/* uihead.c — the live UI's header lines: a live session's figures, or a loaded snapshot's. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proftui/procline.h"
#include "proftui/uihead.h"

static uint64_t lost_of(const struct prof_stats *st)
{
	return st->lost_kernel + st->dropped_ring + st->unwind_failed;
}

/* Which samples the views show: the aggregation mode and thread filter,
 * what they compare with; then the note. */
static void draw_scope(struct canvas *c, int x, const struct uihead *h)
{
	const char *name = "";
	size_t n;
	const struct prof_thread *th = profile_threads(h->all, &n);

	if (h->range && h->range[0])
		x += canvas_printf(c, x, 1, c->w - x, CC_NORMAL, CA_BOLD, "view: %s", h->range);
	else if (h->mode == DERIVE_CUMULATIVE)
		x += canvas_text(c, x, 1, c->w - x, "view: cumulative", CC_NORMAL, CA_BOLD);
	else
		x += canvas_printf(c, x, 1, c->w - x, CC_NORMAL, CA_BOLD, "view: %s %gs",
				   h->mode == DERIVE_WINDOW ? "last" : "decaying, half-life",
				   h->window_s);
	if (h->pyview)
		x += canvas_printf(c, x, 1, c->w - x, CC_NORMAL, CA_BOLD, "  python: %s", h->pyview);
	if (h->tid) {
		for (size_t i = 0; i < n; i++)
			if (th[i].tid == h->tid)
				name = th[i].name;
		x += canvas_printf(c, x, 1, c->w - x, CC_WARN, CA_BOLD, "  thread %u (%s)",
				   h->tid, name);
	}
	if (h->diff && h->diff[0])
		x += canvas_printf(c, x, 1, c->w - x, CC_NORMAL, CA_BOLD, "  %s", h->diff);
	if (h->note && h->note[0])
		canvas_text(c, x + 2, 1, c->w - x - 2, h->note, CC_WARN, CA_BOLD);
}

/* "samples N  threads N  lost N", the loss in warning colours when any. */
static int draw_counts(struct canvas *c, int x, const struct uihead *h)
{
	uint64_t lost = lost_of(h->st);
	size_t nthreads;

	profile_threads(h->all, &nthreads);
	x += canvas_printf(c, x, 0, c->w - x, CC_NORMAL, 0, "  samples %llu  threads %zu  lost ",
			   (unsigned long long)h->st->samples, nthreads);
	x += canvas_printf(c, x, 0, c->w - x, lost ? CC_WARN : CC_NORMAL, lost ? CA_BOLD : 0,
			   "%llu", (unsigned long long)lost);
	return x;
}

/* Samples taken on the CPU: --off-cpu weights are time, not samples. */
static double on_cpu(const struct prof_stats *st)
{
	return (double)(st->samples - st->by_cpu_state[CPU_RUNNABLE] -
			st->by_cpu_state[CPU_IOWAIT] - st->by_cpu_state[CPU_SLEEP]);
}

static void draw_live(struct canvas *c, const struct uihead *h)
{
	double up = h->up_s, n = on_cpu(h->st);
	unsigned hz = h->si->freq_hz;
	int x;

	x = canvas_printf(c, 0, 0, c->w, CC_HEADER, CA_BOLD, "proftui  pid %d (%s)", (int)h->pid,
			  h->comm);
	x += canvas_printf(c, x, 0, c->w - x, CC_NORMAL, 0, "  up %d:%02d  %.0f Hz (%.2f CPUs)",
			   (int)up / 60, (int)up % 60, up > 0 ? n / up : 0.0,
			   up > 0 && hz ? n / up / hz : 0.0);
	x = draw_counts(c, x, h);
	if (h->paused)
		canvas_text(c, x + 2, 0, c->w - x - 2, "[PAUSED]", CC_WARN, CA_BOLD | CA_REVERSE);
	x = canvas_printf(c, 0, 1, c->w, CC_DIM, 0, "%s sampling at %u Hz%s  ",
			  h->si->method == SAMPLER_PTRACE ? "ptrace" : "perf", hz,
			  h->si->kernel ? ", kernel+user" : ", user only");
	draw_scope(c, x, h);
}

/* How, where and when a snapshot was taken: "perf sampling at 999 Hz on
 * HOST (Linux 6.1.0), 2024-05-01 12:00"; what the file does not say is left
 * out. */
static int draw_origin(struct canvas *c, const struct snap_meta *sm)
{
	time_t when = (time_t)sm->start_unix;
	char rate[32] = "", where[200] = "", at[40] = "";
	struct tm tm;
	int n = 0;

	if (sm->freq_hz > 0)
		snprintf(rate, sizeof(rate), " at %.0f Hz", sm->freq_hz);
	if (sm->host)
		n = snprintf(where, sizeof(where), " on %s", sm->host);
	if (sm->kernel && n >= 0 && (size_t)n < sizeof(where))
		snprintf(where + n, sizeof(where) - (size_t)n, " (Linux %s)", sm->kernel);
	if (sm->start_unix && localtime_r(&when, &tm))
		strftime(at, sizeof(at), ", %Y-%m-%d %H:%M", &tm);
	return canvas_printf(c, 0, 1, c->w, CC_DIM, 0, "%s sampling%s%s%s  ",
			     sm->method ? sm->method : "unknown", rate, where, at);
}

/* The command as it fits in room columns: when the whole line is too long,
 * the program's directory goes first ("/long/build/dir/split 30" becomes
 * "split 30"), because the program's name is what people look for. */
static const char *command_fit(const char *cmd, int room)
{
	const char *end, *slash = NULL;

	if (!cmd)
		return "an unknown target";
	if ((int)strlen(cmd) <= room)
		return cmd;
	end = strchr(cmd, ' ');
	if (!end)
		end = cmd + strlen(cmd);
	for (const char *p = cmd; p < end; p++)
		if (*p == '/')
			slash = p;
	return slash && slash + 1 < end ? slash + 1 : cmd;
}

/* A snapshot's figures are the session's, as it was saved: nothing moves. */
static void draw_snap(struct canvas *c, const struct uihead *h)
{
	const struct snap_meta *sm = h->snap;
	int d = (int)(sm->duration_s + 0.5), x;

	int room;

	x = canvas_text(c, 0, 0, c->w, "proftui  snapshot of ", CC_HEADER, CA_BOLD);
	/* A long command line must not push the figures off the screen. */
	room = c->w / 2 - x > 16 ? c->w / 2 - x : 16;
	x += canvas_text(c, x, 0, room, command_fit(sm->target, room), CC_HEADER, CA_BOLD);
	x += canvas_printf(c, x, 0, c->w - x, CC_NORMAL, 0, "  took %d:%02d", d / 60, d % 60);
	draw_counts(c, x, h);
	draw_scope(c, draw_origin(c, sm), h);
}

void uihead_draw(struct canvas *c, const struct uihead *h)
{
	if (h->snap)
		draw_snap(c, h);
	else
		draw_live(c, h);
	/* Collected by the sampler thread (or loaded), never here. */
	procline_draw(c, 2, h->hist);
	if (uihead_rows(c->h) > 3)
		procline_history(c, 3, h->hist);
}

int uihead_rows(int screen_h)
{
	return screen_h >= UIHEAD_HISTORY_MIN_H ? 4 : 3;
}
