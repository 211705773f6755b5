/* ui.c — the live UI loop (live, or over a loaded snapshot): poll, drain the ring, handle keys, draw header, view and status line. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "proftui/batch.h"
#include "proftui/derive.h"
#include "proftui/feed.h"
#include "proftui/fesig.h"
#include "proftui/monotime.h"
#include "proftui/keys.h"
#include "proftui/prochist.h"
#include "proftui/resolve.h"
#include "proftui/samplelog.h"
#include "proftui/term.h"
#include "proftui/ui.h"
#include "proftui/uidiff.h"
#include "proftui/uihead.h"
#include "proftui/uiprompt.h"
#include "proftui/uisave.h"
#include "proftui/uistrip.h"
#include "proftui/view.h"

#define UI_MIN_W 30
/* Three header lines, the status line and at least three rows of view. */
#define UI_MIN_H 7
/* Samples the log keeps for windows, decay and thread filters: 4M entries
 * (64 MiB), over half an hour at 2,000 samples a second. */
#define UI_LOG_ENTRIES ((size_t)1 << 22)

enum { V_TOP, V_TREE, V_FLAME, V__COUNT };

/* What the prompt line is asking for. */
enum { UA_NONE, UA_SEARCH, UA_SAVE };

struct ui {
	const struct ui_opts *o;
	struct snapshot *snap;   /* showing a loaded snapshot: no target, sampler, ring */
	struct target *t;
	struct sampler *s;
	const struct sampler_info *si;
	struct ring *ring;
	struct term_info ti;
	struct canvas c;
	struct profile *live, *frozen;
	struct resolver *res;
	struct feed f;
	struct ui_model m;
	struct view *views[V__COUNT], *help, *threads;
	struct view *diffv;      /* the hot table as a diff, in its place while shown */
	struct uidiff *diff;     /* the baseline, when one is pinned (b, --baseline) */
	bool diff_on;            /* show the diff while there is a baseline (d) */
	struct samplelog *log;   /* a snapshot's is its own (NULL without a timeline) */
	struct derive *dv;
	struct tstrip *strip;    /* samples per time slice (a snapshot's, or NULL) */
	struct uistrip *ustrip;  /* the strip row: shown, picking, the range */
	struct prochist *hist;   /* the target's process figures (REC_PROCSTAT) */
	struct threadstat *tstat; /* each thread's figures (REC_THREADSTAT) */
	enum derive_mode mode;
	uint32_t tid;            /* thread filter, 0 = all */
	int active;
	bool help_open, threads_open, paused, quit, ended, sampling;
	int asking;              /* UA_*: the prompt line is open */
	struct uiprompt pr;
	char search[128];
	struct uisave saver;
	char msg[512];           /* the status line's answer to the last key */
	double start, stopped_at;
	time_t start_unix;       /* wall clock of start, for a saved snapshot */
	int sig;
	int exit_code;
	char note[256];
	enum pymode pyview;      /* the Python view shown (derived from merged) */
	bool off_cpu;            /* off-CPU time asked for (o, --off-cpu) */
	struct pymerge_view pmv; /* its derive transform's context */
	unsigned notes_seen;     /* feed notes already shown */
};

/* ---- drawing ------------------------------------------------------------ */

/* The view in a slot: the hot table's is the diff table while a diff is shown. */
static struct view *slot_view(const struct ui *u, int slot)
{
	return slot == V_TOP && u->m.diff ? u->diffv : u->views[slot];
}

static struct view *shown_view(const struct ui *u)
{
	return u->help_open ? u->help : u->threads_open ? u->threads : slot_view(u, u->active);
}

/* What the views compare with, for the header's scope line ("" for none). */
static void diff_caption(const struct ui *u, char *buf, size_t len)
{
	buf[0] = '\0';
	if (u->m.diff)
		uidiff_caption(u->diff, monotime_s(), buf, len);
	else if (uidiff_base(u->diff))
		snprintf(buf, len, "baseline kept (d: diff)");
}

/* From when (ns from the strip's origin) the sample log holds every sample:
 * a time range before it can only be partial. */
static uint64_t kept_from(const struct ui *u)
{
	if (u->snap)
		return u->snap->log_from_ns;
	return snapshot_log_from(u->strip, u->log);
}

/* The header's figures, taken here so uihead.c draws from nothing else. */
static void draw_header(struct ui *u)
{
	char diff[320], range[128];
	struct uihead h = {
		.all = u->live, .hist = u->hist, .mode = u->mode, .window_s = u->o->window_s,
		.tid = u->tid, .note = u->note, .paused = u->paused, .si = u->si,
		/* Process-wide counts, whatever the views are filtered to. */
		.st = profile_stats_const(u->paused ? u->m.p : u->live),
		.snap = u->snap ? &u->snap->meta : NULL,
		.pyview = !u->snap && pymerge_seen_python(u->f.merge) ?
			  pymerge_mode_name(u->pyview) : NULL,
		.diff = diff, .range = range,
	};

	diff_caption(u, diff, sizeof(diff));
	uistrip_caption(u->ustrip, kept_from(u), range, sizeof(range));
	if (!u->snap) {
		h.pid = u->t->pid;
		h.comm = u->t->comm;
		h.up_s = (u->sampling ? monotime_s() : u->stopped_at) - u->start;
	}
	uihead_draw(&u->c, &h);
}

static void draw_status(struct ui *u, int y)
{
	static const char *names[V__COUNT] = { "1:hot", "2:tree", "3:flame" };
	struct view *v = shown_view(u);
	char buf[512] = "";
	int x = 0;

	if (u->asking) {
		uiprompt_draw(&u->pr, &u->c, y);
		return;
	}
	canvas_fill(&u->c, 0, y, u->c.w, ' ', CC_STATUS, 0);
	for (int i = 0; i < V__COUNT; i++)
		x += canvas_printf(&u->c, x, y, u->c.w - x, CC_STATUS,
				   i == u->active && !u->help_open ? CA_BOLD | CA_REVERSE : 0,
				   " %s ", i == V_TOP && u->m.diff ? "1:diff" : names[i]);
	if (u->msg[0])
		snprintf(buf, sizeof(buf), "%s", u->msg);   /* the answer to the last key first */
	else if (v->ops->status)
		v->ops->status(v, &u->m, buf, sizeof(buf));
	if (u->search[0] && !u->help_open)
		x += canvas_printf(&u->c, x, y, u->c.w - x, CC_STATUS, 0, " /%s", u->search);
	x += canvas_printf(&u->c, x, y, u->c.w - x, CC_STATUS, u->msg[0] ? CA_BOLD : 0, "  %s", buf);
	if (u->c.w - x > 16)
		canvas_text(&u->c, u->c.w - 16, y, 16, "  ?:help  q:quit", CC_STATUS, 0);
}

/* The time strip's row above the status line, when shown and there is one. */
static int strip_rows(const struct ui *u)
{
	return u->strip && uistrip_shown(u->ustrip) && !u->help_open ? 1 : 0;
}

static void draw(struct ui *u)
{
	struct view *v = shown_view(u);
	/* The thread list always shows every thread, whatever the filter. */
	struct ui_model all = u->m;

	canvas_clear(&u->c);
	if (u->c.w < UI_MIN_W || u->c.h < UI_MIN_H) {
		/* Never exit on a tiny terminal: say so and wait for a resize. */
		canvas_printf(&u->c, 0, 0, u->c.w, CC_WARN, CA_BOLD, "terminal too small (%dx%d)",
			      u->c.w, u->c.h);
		canvas_text(&u->c, 0, 1, u->c.w, "enlarge it, or q to quit", CC_NORMAL, 0);
		term_draw(&u->c);
		return;
	}
	draw_header(u);
	all.p = u->live;
	v->ops->draw(v, &u->c, uihead_rows(u->c.h),
		     u->c.h - uihead_rows(u->c.h) - 1 - strip_rows(u), u->threads_open ? &all : &u->m);
	if (strip_rows(u))
		uistrip_draw(u->ustrip, &u->c, u->c.h - 2, u->strip, u->tid);
	draw_status(u, u->c.h - 1);
	term_draw(&u->c);
}

/* ---- state changes ------------------------------------------------------ */

static void set_shown(struct ui *u, const struct profile *p)
{
	u->m.p = p;
	u->m.epoch++;
}

/* Recompute what the views show (mode, thread filter) from the live data. */
static void update_shown(struct ui *u)
{
	bool changed = false;
	const struct profile *p;

	if (u->paused || (u->snap && !u->log))
		return;   /* a snapshot without a timeline is only ever shown whole */
	p = derive_update(u->dv, u->live, u->log, u->mode, (uint64_t)(u->o->window_s * 1e9),
			  u->tid, monotime_ns(), &changed);
	if (changed || p != u->m.p)
		set_shown(u, p);
}

/* Show the Python view u->pyview: merged stacks as they are, or one of the
 * views derived from them. */
static void apply_pyview(struct ui *u)
{
	u->pmv = (struct pymerge_view){ .m = u->f.merge, .mode = u->pyview };
	derive_set_xform(u->dv, u->pyview == PYMODE_MERGED || !u->f.merge ? NULL : pymerge_view,
			 &u->pmv);
	update_shown(u);
}

/* --off-cpu on or off while sampling: the sampler reopens its events and
 * its note says how it went. */
static void toggle_off_cpu(struct ui *u)
{
	int err;

	if (!u->sampling) {
		snprintf(u->msg, sizeof(u->msg), "not sampling any more");
		return;
	}
	err = sampler_set_off_cpu(u->s, !u->off_cpu);
	if (err == -ENOTSUP) {
		snprintf(u->msg, sizeof(u->msg), "off-CPU time needs perf events (not --method ptrace)");
		return;
	}
	if (err)
		return;
	u->off_cpu = !u->off_cpu;
	snprintf(u->msg, sizeof(u->msg), "turning off-CPU time %s...", u->off_cpu ? "on" : "off");
}

static void cycle_pyview(struct ui *u)
{
	if (u->f.pymode == PYMODE_NATIVE || !pymerge_seen_python(u->f.merge)) {
		snprintf(u->msg, sizeof(u->msg), "no Python frames to show%s",
			 u->f.pymode == PYMODE_NATIVE ? " (--python native)" : "");
		return;
	}
	u->pyview = (enum pymode)((u->pyview + 1) % 3);
	apply_pyview(u);
}

static void cycle_mode(struct ui *u)
{
	u->mode = (enum derive_mode)((u->mode + 1) % 3);
	update_shown(u);
}

/* Next thread in tid order, then back to all threads. */
static void cycle_thread(struct ui *u)
{
	size_t n;
	const struct prof_thread *th = profile_threads(u->live, &n);
	uint32_t next = 0;

	for (size_t i = 0; i < n; i++) {
		if (th[i].tid > u->tid && th[i].samples) {
			next = th[i].tid;
			break;
		}
	}
	u->tid = next;
	view_threads_choose(u->threads, next);
	update_shown(u);
}

static void toggle_pause(struct ui *u)
{
	if (!u->paused) {
		u->frozen = profile_clone(u->m.p);
		if (!u->frozen) {
			snprintf(u->note, sizeof(u->note), "cannot pause: out of memory");
			return;
		}
		set_shown(u, u->frozen);
	} else {
		set_shown(u, u->live);
		profile_free(u->frozen);
		u->frozen = NULL;
	}
	u->paused = !u->paused;
}

static void reset(struct ui *u)
{
	struct profile *p = profile_new();

	if (!p)
		return;
	if (u->paused)
		toggle_pause(u);
	derive_reset(u->dv);
	samplelog_clear(u->log);
	tstrip_reset(u->strip, monotime_ns());
	uistrip_clear(u->ustrip);
	derive_set_range(u->dv, 0, 0);
	resolver_set_profile(u->res, p);
	u->f.p = p;
	profile_free(u->live);
	u->live = p;
	set_shown(u, p);
	update_shown(u);
	u->start = monotime_s();
	u->start_unix = time(NULL);
}

static void switch_view(struct ui *u, int to)
{
	struct view *v = slot_view(u, u->active);
	uint32_t sel = v->ops->selected(v);

	/* Arriving at the call tree with nothing to show: take the function
	 * the user was looking at. */
	if (to == V_TREE && u->views[V_TREE]->ops->selected(u->views[V_TREE]) == PROF_NONE &&
	    sel != PROF_NONE)
		u->views[V_TREE]->ops->focus(u->views[V_TREE], sel, &u->m);
	u->active = to;
}

static void open_on(struct ui *u, int to)
{
	struct view *v = slot_view(u, u->active);
	uint32_t sel = v->ops->selected(v);

	if (sel != PROF_NONE)
		u->views[to]->ops->focus(u->views[to], sel, &u->m);
	u->active = to;
}

/* Show the diff or not (with a baseline only); the hot table's selection
 * carries over between its two forms. */
static void show_diff(struct ui *u, bool on)
{
	struct view *from = slot_view(u, V_TOP), *to;
	uint32_t sel = from->ops->selected(from);

	u->diff_on = on;
	u->m.diff = on && uidiff_base(u->diff) ? u->diff : NULL;
	to = slot_view(u, V_TOP);
	if (to != from && sel != PROF_NONE)
		to->ops->focus(to, sel, &u->m);
}

/* b: a copy of what the views show now (window, thread filter, pause and
 * all) becomes "before"; sampling goes on into the live profile. */
static void pin_baseline(struct ui *u)
{
	unsigned long long n = profile_stats_const(u->m.p)->samples;
	struct profile *copy;

	if (!n) {
		snprintf(u->msg, sizeof(u->msg), "nothing to pin: no samples yet");
		return;
	}
	copy = profile_clone(u->m.p);
	if (!copy || uidiff_pin(u->diff, copy, monotime_s())) {
		show_diff(u, false);
		snprintf(u->msg, sizeof(u->msg), "cannot pin a baseline: out of memory");
		return;
	}
	show_diff(u, true);
	snprintf(u->msg, sizeof(u->msg), "baseline pinned: %llu samples; b re-pins, B clears, "
		 "d shows the usual table", n);
}

static void clear_baseline(struct ui *u)
{
	if (!uidiff_base(u->diff)) {
		snprintf(u->msg, sizeof(u->msg), "no baseline to clear");
		return;
	}
	show_diff(u, false);
	uidiff_clear(u->diff);
	snprintf(u->msg, sizeof(u->msg), "baseline cleared");
}

static void toggle_diff(struct ui *u)
{
	if (!uidiff_base(u->diff)) {
		snprintf(u->msg, sizeof(u->msg), "no baseline: b pins the profile shown");
		return;
	}
	show_diff(u, !u->diff_on);
	snprintf(u->msg, sizeof(u->msg), u->diff_on ? "diff shown: d for the usual views" :
		 "diff hidden, baseline kept: d shows it again, B clears it");
}

/* The views show the strip's range now, or all of the session again. */
static void apply_range(struct ui *u)
{
	uint64_t t0 = 0, t1 = 0, origin = tstrip_origin(u->strip);

	if (uistrip_range(u->ustrip, &t0, &t1)) {
		t0 += origin;
		t1 += origin;
	}
	if (u->paused)
		toggle_pause(u);   /* a range is looked at whole: nothing to freeze */
	derive_set_range(u->dv, t0, t1);
	update_shown(u);
}

/* The time strip's keys (s, r, x), and every key while a range is picked:
 * true when the strip took it. */
static bool strip_key(struct ui *u, int k)
{
	unsigned r;

	if (!uistrip_picking(u->ustrip) && k != 's' && k != 'r' && k != 'x')
		return false;
	if (!u->strip || !u->log) {
		snprintf(u->msg, sizeof(u->msg), "no time strip: this snapshot was saved without one");
		return true;
	}
	r = uistrip_key(u->ustrip, k, u->strip, u->c.w, u->msg, sizeof(u->msg));
	if (r & UISTRIP_RANGE)
		apply_range(u);
	return r != UISTRIP_IGNORED;
}

static void open_search(struct ui *u)
{
	uiprompt_open(&u->pr, "/", NULL, sizeof(u->search) - 1);
	u->asking = UA_SEARCH;
}

static void open_save(struct ui *u)
{
	char hint[64];

	if (u->snap)
		uisave_hint(hint, sizeof(hint), u->snap->meta.target);
	else
		snprintf(hint, sizeof(hint), "%s", u->t->comm);
	uiprompt_open(&u->pr, "save to: ", uisave_offer(&u->saver, hint, time(NULL)), 0);
	u->asking = UA_SAVE;
}

/* What describes the session being saved (uisave_write adds the host). */
static struct snap_meta session_meta(const struct ui *u, char *desc, size_t len)
{
	double now = u->sampling ? monotime_s() : u->stopped_at;

	if (u->snap) {
		struct snap_meta m = u->snap->meta;

		m.version = u->o->version ? u->o->version : m.version;
		return m;
	}
	snprintf(desc, len, "pid %d (%s)", (int)u->t->pid, u->t->comm);
	return (struct snap_meta){
		.strip = u->strip, .log = u->log, .log_from_ns = kept_from(u),
		.target = u->o->target_desc ? u->o->target_desc : desc,
		.pid = (uint32_t)u->t->pid,
		.method = u->si->method == SAMPLER_PTRACE ? "ptrace" : "perf",
		.version = u->o->version, .freq_hz = u->si->freq_hz,
		.duration_s = now - u->start, .start_unix = (int64_t)u->start_unix,
	};
}

/*
 * The whole profile collected so far (whatever the view is filtered to,
 * paused or not) with the process readings.  Synchronous on this thread:
 * the sampler goes on meanwhile, its samples waiting in the ring.
 */
static void save_to(struct ui *u, const char *path)
{
	char desc[128];
	struct snap_meta m = session_meta(u, desc, sizeof(desc));

	uisave_commit(&u->saver, path, u->live, u->hist, &m, u->msg, sizeof(u->msg));
}

static void prompt_key(struct ui *u, int k)
{
	enum uiprompt_result r = uiprompt_key(&u->pr, k);
	int what = u->asking;

	if (r == UIPROMPT_EDITING)
		return;
	u->asking = UA_NONE;
	if (what == UA_SAVE) {
		if (r == UIPROMPT_DONE)
			save_to(u, u->pr.text);
		else
			snprintf(u->msg, sizeof(u->msg), "not saved");
	} else if (r == UIPROMPT_DONE) {
		snprintf(u->search, sizeof(u->search), "%.*s", (int)sizeof(u->search) - 1, u->pr.text);
		slot_view(u, u->active)->ops->key(slot_view(u, u->active), 'n', &u->m);
	} else {
		u->search[0] = '\0';
	}
}

/* The keys that steer sampling and aggregation.  A snapshot is shown whole,
 * as it was saved: for it they only say why nothing happens. */
static bool live_key(struct ui *u, int k)
{
	if (k != ' ' && k != 'Z' && k != 'R' && k != 'm' && k != 't' && k != 'p' && k != 'o')
		return false;
	if (u->snap)
		snprintf(u->msg, sizeof(u->msg), "not live: a snapshot is shown whole, as saved");
	else if (k == 'R')
		reset(u);
	else if (k == 'm')
		cycle_mode(u);
	else if (k == 't')
		cycle_thread(u);
	else if (k == 'p')
		cycle_pyview(u);
	else if (k == 'o')
		toggle_off_cpu(u);
	else
		toggle_pause(u);
	return true;
}

static void global_key(struct ui *u, int k)
{
	if (live_key(u, k))
		return;
	switch (k) {
	case 'q': case K_F10:
		u->quit = true;
		break;
	case '?': case 'h': case K_F1:
		u->help_open = true;
		break;
	case K_TAB:
		switch_view(u, (u->active + 1) % V__COUNT);
		break;
	case '1': case '2': case '3':
		switch_view(u, k - '1');
		break;
	case 'T':
		u->threads_open = true;
		break;
	case '/':
		open_search(u);
		break;
	case 'S':
		open_save(u);
		break;
	case 'b':
		pin_baseline(u);
		break;
	case 'B':
		clear_baseline(u);
		break;
	case 'd':
		toggle_diff(u);
		break;
	case K_ESC:
		u->search[0] = '\0';
		break;
	case 'L' & 0x1f:
		term_repaint();
		break;
	default:
		break;
	}
}

/* Leaving the thread list: show the thread chosen (a snapshot shows all). */
static void threads_closed(struct ui *u)
{
	u->threads_open = false;
	u->tid = view_threads_chosen(u->threads);
	if (u->tid && u->snap) {
		snprintf(u->msg, sizeof(u->msg), "not live: a snapshot has no per-thread stacks");
		u->tid = 0;
		view_threads_choose(u->threads, 0);
	}
	update_shown(u);
}

static void handle_key(struct ui *u, int k)
{
	unsigned r;

	if (k == K_RESIZE) {
		canvas_resize(&u->c, u->ti.w, u->ti.h);
		return;
	}
	u->msg[0] = '\0';   /* a message answers one key: the next one clears it */
	if (u->asking) {
		prompt_key(u, k);
		return;
	}
	if (u->help_open) {
		if (u->help->ops->key(u->help, k, &u->m) & VR_BACK)
			u->help_open = false;
		return;
	}
	if (u->threads_open) {
		struct ui_model all = u->m;

		all.p = u->live;
		r = u->threads->ops->key(u->threads, k, &all);
		if (r & VR_BACK)
			threads_closed(u);
		else if (r == VR_IGNORED && k == 'q')
			u->quit = true;
		return;
	}
	if (strip_key(u, k))
		return;
	if (k == 'q')
		r = VR_IGNORED;   /* quitting is never a view's business */
	else
		r = slot_view(u, u->active)->ops->key(slot_view(u, u->active), k, &u->m);
	if (r & VR_DRILL)
		open_on(u, V_TREE);
	else if (r & VR_FLAME)
		open_on(u, V_FLAME);
	else if (r & VR_BACK)
		u->active = V_TOP;
	else if (r == VR_IGNORED)
		global_key(u, k);
}

/* ---- the loop ------------------------------------------------------------ */

static void note_end(struct ui *u)
{
	int code;

	u->ended = true;
	u->sampling = false;
	u->stopped_at = monotime_s();
	if (sampler_exit_status(u->s, &code))
		target_set_status(u->t, code);
	sampler_stop(u->s);
	u->s = NULL;
	feed_drain(&u->f, u->ring);
	if (u->t->launched) {
		code = target_exit_code(target_reap(u->t));
		u->exit_code = code;
		snprintf(u->note, sizeof(u->note), code >= 128 ? "target killed by signal %d; data kept" :
			 "target exited with status %d; data kept", code >= 128 ? code - 128 : code);
	} else {
		snprintf(u->note, sizeof(u->note), "target exited; data kept");
	}
}

/* The sampler's news (a Python interpreter found) goes to the status line. */
static bool take_feed_note(struct ui *u)
{
	if (u->f.notes == u->notes_seen)
		return false;
	u->notes_seen = u->f.notes;
	snprintf(u->note, sizeof(u->note), "%s", u->f.note);
	return true;
}

static void stop_sampling(struct ui *u, const char *why)
{
	if (!u->sampling)
		return;
	sampler_stop(u->s);
	u->s = NULL;
	feed_drain(&u->f, u->ring);
	u->sampling = false;
	u->stopped_at = monotime_s();
	snprintf(u->note, sizeof(u->note), "%s", why);
}

static int make_timer(double first, double every)
{
	struct itimerspec it;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0 || first <= 0)
		return fd;
	it.it_value.tv_sec = (time_t)first;
	it.it_value.tv_nsec = (long)((first - (double)(time_t)first) * 1e9) + 1;
	it.it_interval.tv_sec = (time_t)every;
	it.it_interval.tv_nsec = (long)((every - (double)(time_t)every) * 1e9);
	timerfd_settime(fd, 0, &it, NULL);
	return fd;
}

static void drain_fd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* nonblocking: nothing pending */
	}
}

static void loop(struct ui *u, int wake_fd)
{
	/* A snapshot never changes: no refresh, no duration. */
	int refresh = u->snap ? -1 : make_timer(u->o->refresh_s, u->o->refresh_s);
	int stop = u->snap || u->o->duration_s <= 0 ? -1 : make_timer(u->o->duration_s, 0);
	int sfd = fesig_fd();
	bool dirty = true;

	while (!u->quit) {
		struct pollfd p[5] = {
			{ .fd = STDIN_FILENO, .events = POLLIN }, { .fd = wake_fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN }, { .fd = refresh, .events = POLLIN },
			{ .fd = stop, .events = POLLIN },
		};
		int k;

		if (dirty)
			draw(u);
		dirty = false;
		/* EINTR is SIGWINCH (curses' handler): getch reports the resize. */
		if (poll(p, 5, -1) < 0 && errno != EINTR)
			break;
		/* The terminal went away (ssh dropped, tmux pane killed) and
		 * no SIGHUP reached us: stdin only reports hang-up now, so
		 * leave instead of spinning on it. */
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			u->sig = SIGHUP;
			break;
		}
		if (p[1].revents) {
			drain_fd(wake_fd);
			feed_drain(&u->f, u->ring);
			dirty |= take_feed_note(u);
			if (u->sampling && sampler_done(u->s)) {
				note_end(u);
				dirty = true;
			}
		}
		if (p[2].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				u->sig = (int)si.ssi_signo;
			break;
		}
		if (p[3].revents) {
			drain_fd(refresh);
			update_shown(u);
			dirty |= !u->paused;
		}
		if (p[4].revents) {
			drain_fd(stop);
			stop_sampling(u, "sampling stopped (--duration); data kept");
			dirty = true;
		}
		while ((k = term_key(&u->ti)) != K_NONE) {
			handle_key(u, k);
			dirty = true;
		}
	}
	if (refresh >= 0)
		close(refresh);
	if (stop >= 0)
		close(stop);
	if (sfd >= 0)
		close(sfd);
}

static bool make_views(struct ui *u)
{
	u->views[V_TOP] = view_top_new(u->o->sort);
	u->views[V_TREE] = view_tree_new();
	u->views[V_FLAME] = view_flame_new();
	u->help = view_help_new();
	u->threads = view_threads_new();
	u->diffv = view_diff_new();
	u->diff = uidiff_new();
	u->ustrip = uistrip_new();
	/* A snapshot's derived profiles: its time ranges. */
	if (!u->dv)
		u->dv = derive_new();
	return u->ustrip && u->dv && u->views[V_TOP] && u->views[V_TREE] && u->views[V_FLAME] &&
	       u->help && u->threads && u->diffv && u->diff &&
	       canvas_resize(&u->c, u->ti.w, u->ti.h) == 0;
}

/* What a live session needs besides the views: its profile and readings,
 * the symbol resolver, the sample log and the derived profiles. */
static bool make_live(struct ui *u)
{
	u->live = profile_new();
	u->res = u->live ? resolver_new(u->live, u->t->uid) : NULL;
	u->log = samplelog_new(UI_LOG_ENTRIES);
	u->dv = derive_new();
	u->strip = tstrip_new(monotime_ns(), TSTRIP_SLICE_NS);
	u->hist = prochist_new();
	/* Without it the thread list lacks its per-thread figures: no failure. */
	u->tstat = threadstat_new();
	return u->res && u->log && u->dv && u->strip && u->hist;
}

static void ui_release(struct ui *u)
{
	for (int i = 0; i < V__COUNT; i++)
		view_free(u->views[i]);
	view_free(u->help);
	view_free(u->threads);
	view_free(u->diffv);
	uidiff_free(u->diff);
	uistrip_free(u->ustrip);
	derive_free(u->dv);
	canvas_release(&u->c);
	resolver_free(u->res);
	pymerge_free(u->f.merge);
	profile_free(u->frozen);
	if (u->snap)
		return;   /* the profile, readings and timeline are the caller's snapshot's */
	samplelog_free(u->log);
	tstrip_free(u->strip);
	prochist_free(u->hist);
	threadstat_free(u->tstat);
	profile_free(u->live);
}

/* --baseline: compared with from the start, as if pinned. */
static void start_baseline(struct ui *u)
{
	if (!u->o->baseline)
		return;
	if (uidiff_borrow(u->diff, u->o->baseline, u->o->baseline_name))
		snprintf(u->note, sizeof(u->note), "--baseline not shown: out of memory");
	show_diff(u, true);
}

/*
 * A launched command is ours: when the user leaves, it goes too.  The exit
 * status is the command's own if it ended by itself, 0 when the user quit,
 * 128+N when proftui was ended by signal N.
 */
static int finish_target(struct ui *u)
{
	if (u->t->launched && !u->ended) {
		kill(u->t->pid, u->sig ? u->sig : SIGTERM);
		target_reap(u->t);
	}
	if (u->sig)
		return 128 + u->sig;
	return u->ended ? u->exit_code : 0;
}

/*
 * -o FILE: the whole profile as the session ended, said on stderr once the
 * terminal is back.  A failed save turns a clean exit into
 * BATCH_EXIT_FILE, as in batch mode; a signal's status stays.
 */
static int save_output(struct ui *u, int code)
{
	struct snap_meta m;
	struct utsname un;
	char desc[128], err[512];
	enum export_fmt fmt = u->o->out_fmt;

	if (!u->o->output)
		return code;
	m = session_meta(u, desc, sizeof(desc));
	if (uname(&un) == 0) {
		m.host = un.nodename;
		m.kernel = un.release;
	}
	if (export_save(u->o->output, fmt, u->live, &m, u->hist, err, sizeof(err))) {
		fprintf(stderr, "proftui: %s\n", err);
		return code ? code : BATCH_EXIT_FILE;
	}
	fprintf(stderr, "proftui: saved %s (%s)\n", u->o->output,
		export_format_name(fmt ? fmt : export_format_for(u->o->output)));
	return code;
}

/* Out of memory before the loop: the terminal back as it was. */
static int start_failed(struct ui *u, char *err, size_t errlen)
{
	term_end();
	ui_release(u);
	snprintf(err, errlen, "out of memory");
	return 1;
}

int ui_run(const struct ui_opts *o, struct target *t, struct sampler *s,
	   const struct sampler_info *si, struct ring *ring, int wake_fd,
	   char *err, size_t errlen)
{
	struct ui u = { .o = o, .t = t, .s = s, .si = si, .ring = ring, .sampling = true };
	int code;

	if (term_init(&u.ti, err, errlen) < 0)
		return -1;
	u.c.ascii = u.ti.ascii;
	if (!make_live(&u) || !make_views(&u)) {
		sampler_stop(s);
		return start_failed(&u, err, errlen);
	}
	/* Without the merger (out of memory) Python frames show unmerged.  The
	 * profile keeps merged stacks; the other views are derived from them
	 * (p), so it merges unless Python is not read at all. */
	u.f = (struct feed){ .p = u.live, .res = u.res, .log = u.log, .strip = u.strip,
			     .hist = u.hist, .threads = u.tstat, .merge = pymerge_new(),
			     .pymode = o->pymode == PYMODE_NATIVE ? PYMODE_NATIVE : PYMODE_MERGED };
	u.m = (struct ui_model){ .p = u.live, .search = u.search, .color = u.ti.color,
				 .threads = u.tstat };
	u.mode = o->mode;
	u.pyview = o->pymode;
	u.off_cpu = si->off_cpu;
	apply_pyview(&u);
	start_baseline(&u);
	u.start = monotime_s();
	u.start_unix = time(NULL);
	loop(&u, wake_fd);
	if (u.sampling)
		sampler_stop(u.s);
	term_end();
	code = finish_target(&u);
	/* What the sampler pushed before it stopped belongs in the file. */
	feed_drain(&u.f, u.ring);
	code = save_output(&u, code);
	ui_release(&u);
	return code;
}

int ui_run_snapshot(const struct ui_opts *o, struct snapshot *snap, char *err, size_t errlen)
{
	struct ui u = { .o = o, .snap = snap, .live = snap->prof, .hist = snap->hist,
			.strip = snap->strip, .log = snap->log };
	int code;

	if (term_init(&u.ti, err, errlen) < 0)
		return -1;
	/* Ctrl-C and friends must come through the loop, which restores the
	 * terminal; there is no other thread to hide them from. */
	fesig_block();
	u.c.ascii = u.ti.ascii;
	if (!make_views(&u))
		return start_failed(&u, err, errlen);
	u.m = (struct ui_model){ .p = u.live, .search = u.search, .color = u.ti.color };
	u.mode = DERIVE_CUMULATIVE;
	start_baseline(&u);
	loop(&u, -1);
	term_end();
	code = u.sig ? 128 + u.sig : 0;
	ui_release(&u);
	return code;
}
