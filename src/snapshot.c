/* snapshot.c — proftui's native snapshot format: write a profile as text, load one back distrustfully. */
#include "proftui/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proftui/safefile.h"
#include "proftui/sanitize.h"

/*
 * The format, version 2.  A snapshot is lines, each ended by "\n" (a "\r"
 * just before it is dropped, so a file that went through a CRLF conversion
 * still loads).  The first line is the magic "proftui-snapshot 2"; then one
 * record per line, fields separated by single tabs, the first a keyword:
 *
 *   meta KEY VALUE           strings: target host kernel method version;
 *                            numbers: pid, freq_hz, duration_s, start_unix
 *   stat KEY N               one prof_stats counter: samples lost_kernel
 *                            throttled dropped_ring unwind_failed foreign
 *                            refused first_ns last_ns unwind.ok unwind.depth
 *                            unwind.stack_copy unwind.no_cfi unwind.bad_frame
 *                            unwind.no_user, cpu.on cpu.runnable cpu.iowait
 *                            cpu.sleep (--off-cpu weights), py.none py.ok
 *                            py.read py.cycle py.depth py.bad py.torn
 *                            py.no_thread py.mismatch (Python frames)
 *   thread TID SAMPLES NAME  one per thread, tids ascending, before any stack
 *   func ID MODULE ADDR NAME ids dense from 0 and in order; defined before use;
 *                            ADDR is the function's address in its module
 *                            (profile.h: a symbol's as nm shows it) as "0x"
 *                            and 1 to 16 lowercase hex digits, or "-" when
 *                            unknown (0xffffffffffffffff is "-" too, so it is
 *                            not accepted spelt out)
 *   stack COUNT TID PATH     COUNT (> 0) samples whose stack is PATH: func ids
 *                            joined by ';', outermost caller first, leaf last
 *                            (as folded stacks); an empty PATH is samples
 *                            without a stack; TID 0 is "not per thread"
 *   strip SLICE_NS FROM_NS   the timeline (tstrip.h), once, after every stack
 *                            line: slices of SLICE_NS (1 to 2^46) from the
 *                            session's start; the at lines hold every sample
 *                            from FROM_NS on (earlier ones the live log had
 *                            dropped or the writer's cap left out; at most
 *                            TSTRIP_SLICES slices' worth)
 *   slice N ON RUNQ IO SLEEP the whole process's weight in slice N (below
 *                            TSTRIP_SLICES) by CPU state; ascending, each
 *                            once, empty slices left out; after strip
 *   at N STACK TID W         W (> 0) of the weight of the STACK-th stack line
 *                            (from 0, in file order) was thread TID's in
 *                            slice N: the live UI's sample log, summed; N
 *                            ascending, after the slice lines; the W of one
 *                            stack line add up to at most its COUNT, and all
 *                            of them to at most SNAPSHOT_MAX_TIMED log
 *                            entries (one per SAMPLELOG_MAX_WEIGHT or part)
 *   procfirst KEY=N ...      the session's first procstat reading when it is
 *                            no longer among the proc lines: once, before them
 *                            (prochist can only take it as a reading, so with
 *                            fewer than PROCHIST_LEN proc lines after it, it
 *                            stays in the loaded history as the oldest one)
 *   proc KEY=N ...           one procstat reading, oldest first; keys: time_ns
 *                            utime_ns stime_ns rss_bytes vsize_bytes
 *                            swap_bytes minflt majflt read_bytes write_bytes
 *                            vol_cs invol_cs nthreads flags threads_running
 *                            threads_sleeping threads_disk threads_stopped
 *                            threads_other (a missing key reads as 0)
 *   end N                    the last line; N counts the records between the
 *                            magic line and it, so a cut file never loads
 *
 * Numbers are decimal digits only: no sign, space or trailing junk, and in
 * range (start_unix alone may have a '-'; freq_hz and duration_s may have a
 * fraction and an exponent).  Strings are raw bytes except that '\\', tab,
 * newline and CR are written \\ \t \n \r and every other byte below 0x20, and
 * 0x7f, as \xHH: any C string, invalid UTF-8 and terminal escapes included,
 * comes back byte for byte, and a valid file has no raw control byte.
 *
 * Compatibility: readers skip meta, stat and proc keys they do not know and
 * records whose keyword starts with "x-", so later writers can add those
 * without a new version.  Anything else unknown is an error: it is far more
 * likely damage than a feature.  An incompatible change bumps the version,
 * and older readers say that a newer proftui made the file.  This one reads
 * every version up to its own:
 *   1  the first: "func ID MODULE NAME", without ADDR; its functions load
 *      with unknown addresses (and are written back as version 2, with "-")
 *   2  func lines carry ADDR, so that a snapshot taken on one machine names
 *      its code as module + address + symbol name on another; the
 *      timeline (strip, slice, at) was added within version 2 before its
 *      release: files without it load without a time strip
 *
 * Threads.  The profile keeps call paths and per-thread totals, not paths per
 * thread, so the writer puts TID 0 on every stack line.  The loader hands
 * each TID-0 line's samples to the threads whose thread lines still have
 * samples to receive, in tid order (splitting a line's count where a
 * thread's share runs out), and tops up any thread left short with samples
 * without a stack.  Which thread got which path leaves no trace in a profile,
 * so paths, functions, thread totals and counters all come back exactly.
 * Samples beyond what the thread lines account for (a decayed view's
 * rounding, a file without thread lines) go to thread 0.  A stack line with a
 * thread id is charged to that thread, which must have the samples left, and
 * such lines come before TID-0 lines.
 *
 * Counters: stat lines win.  Without "stat samples" the total is the sum of
 * the stack counts; with it, it must be at least the samples that have a
 * stack (the root's total), and the difference is samples without a stack,
 * as in a live profile.  A "stat samples" above the stack lines' sum (a
 * writer that left out the empty-path line) is handed to threads as if it
 * were such a line, so the thread totals still add up to it.  This also
 * makes loading stable: writing what was loaded and loading that gives the
 * same profile, whatever the file said.
 */

#define SNAP_MAGIC		"proftui-snapshot"
#define SNAP_VERSION		2u
/* The first version whose func lines carry ADDR. */
#define SNAP_VERSION_ADDR	2u
/* "0x" and at most 16 hex digits. */
#define SNAP_ADDR_MAX_LEN	18
/* Frames copied when a TID-0 line is split across threads: with the line
 * length capped this is the only work not bounded by the file's size. */
#define SNAP_MAX_SPLIT_WORK	((uint64_t)1 << 26)
/* Longest piece of the file quoted in a message. */
#define SNAP_QUOTE_MAX		40
#define SNAP_MSG_MAX		320

/* Meta keys: the strings first, their index is their slot in snap_owned. */
enum { SNAP_TARGET, SNAP_HOST, SNAP_KERNEL, SNAP_METHOD, SNAP_VERSION_STR, SNAP_NSTR };
enum { SNAP_M_PID = SNAP_NSTR, SNAP_M_FREQ, SNAP_M_DURATION, SNAP_M_START, SNAP_NMETA };

static const char *const snap_mkeys[SNAP_NMETA] = {
	[SNAP_TARGET] = "target", [SNAP_HOST] = "host", [SNAP_KERNEL] = "kernel",
	[SNAP_METHOD] = "method", [SNAP_VERSION_STR] = "version", [SNAP_M_PID] = "pid",
	[SNAP_M_FREQ] = "freq_hz", [SNAP_M_DURATION] = "duration_s",
	[SNAP_M_START] = "start_unix",
};

#define SNAP_NFIXED_STATS	9
#define SNAP_NSTATS		(SNAP_NFIXED_STATS + UWS__COUNT + CPU__COUNT + PYS__COUNT)

_Static_assert(UWS__COUNT == 6, "a new unwind status needs a stat name below");
_Static_assert(CPU__COUNT == 4, "a new CPU state needs a stat name below");
_Static_assert(PYS__COUNT == 9, "a new Python status needs a stat name below");

/* Older readers skip the names they do not know, so new ones may be added. */
static const char *const snap_stat_names[SNAP_NSTATS] = {
	"samples", "lost_kernel", "throttled", "dropped_ring", "unwind_failed",
	"foreign", "refused", "first_ns", "last_ns",
	"unwind.ok", "unwind.depth", "unwind.stack_copy", "unwind.no_cfi",
	"unwind.bad_frame", "unwind.no_user",
	"cpu.on", "cpu.runnable", "cpu.iowait", "cpu.sleep",
	"py.none", "py.ok", "py.read", "py.cycle", "py.depth", "py.bad", "py.torn",
	"py.no_thread", "py.mismatch",
};

static uint64_t *snap_stat_slot(struct prof_stats *s, size_t i)
{
	uint64_t *fixed[SNAP_NFIXED_STATS] = {
		&s->samples, &s->lost_kernel, &s->throttled, &s->dropped_ring,
		&s->unwind_failed, &s->foreign, &s->refused, &s->first_ns, &s->last_ns,
	};

	if (i < SNAP_NFIXED_STATS)
		return fixed[i];
	i -= SNAP_NFIXED_STATS;
	if (i < UWS__COUNT)
		return &s->by_status[i];
	i -= UWS__COUNT;
	if (i < CPU__COUNT)
		return &s->by_cpu_state[i];
	return &s->py_by_status[i - CPU__COUNT];
}

struct snap_pkey {
	const char *key;
	size_t off;
	bool wide;		/* uint64_t, else uint32_t */
};

#define SNAP_P64(f)	{ #f, offsetof(struct procstat, f), true }
#define SNAP_PSTATE(k, s) \
	{ k, offsetof(struct procstat, states) + (s) * sizeof(uint32_t), false }

_Static_assert(PROCSTAT__NSTATES == 5, "a new thread state needs a proc key below");

static const struct snap_pkey snap_pkeys[] = {
	SNAP_P64(time_ns), SNAP_P64(utime_ns), SNAP_P64(stime_ns), SNAP_P64(rss_bytes),
	SNAP_P64(vsize_bytes), SNAP_P64(swap_bytes), SNAP_P64(minflt), SNAP_P64(majflt),
	SNAP_P64(read_bytes), SNAP_P64(write_bytes), SNAP_P64(vol_cs), SNAP_P64(invol_cs),
	{ "nthreads", offsetof(struct procstat, nthreads), false },
	{ "flags", offsetof(struct procstat, flags), false },
	SNAP_PSTATE("threads_running", PROCSTAT_RUN),
	SNAP_PSTATE("threads_sleeping", PROCSTAT_SLEEP),
	SNAP_PSTATE("threads_disk", PROCSTAT_DISK),
	SNAP_PSTATE("threads_stopped", PROCSTAT_STOP),
	SNAP_PSTATE("threads_other", PROCSTAT_OTHER),
};

#define SNAP_NPKEYS	(sizeof(snap_pkeys) / sizeof(snap_pkeys[0]))

_Static_assert(SNAP_NPKEYS <= 32, "proc keys seen are tracked in a 32-bit mask");

/* A loaded snapshot and the strings its meta points at. */
struct snap_owned {
	struct snapshot pub;	/* first, so snapshot_free can get back here */
	char *strs[SNAP_NSTR];
};

/* ---- writing ---- */

struct snap_writer {
	FILE *out;
	size_t nrec;		/* records written, for the end line */
	size_t nstacks;
};

/* Escape so that tabs and newlines stay separators and nothing reaches a
 * terminal that cats the file; bytes >= 0x80 pass raw (they are data). */
static void snap_put_str(FILE *out, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != 0x7f && c != '\\')
			continue;
		fwrite(run, 1, (size_t)(s - run), out);
		if (c == '\\')
			fputs("\\\\", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else
			fprintf(out, "\\x%02x", c);
		run = s + 1;
	}
	fwrite(run, 1, (size_t)(s - run), out);
}

/* %.17g gives back the same double; "-0" and non-finite values would not
 * parse, and mean "unknown" anyway. */
static void snap_put_meta_dbl(struct snap_writer *w, const char *key, double v)
{
	if (!isfinite(v) || v < 0)
		return;
	if (v == 0)
		v = 0;
	fprintf(w->out, "meta\t%s\t%.17g\n", key, v);
	w->nrec++;
}

static void snap_put_meta(struct snap_writer *w, const struct snap_meta *m)
{
	const char *strs[SNAP_NSTR] = {
		[SNAP_TARGET] = m->target, [SNAP_HOST] = m->host, [SNAP_KERNEL] = m->kernel,
		[SNAP_METHOD] = m->method, [SNAP_VERSION_STR] = m->version,
	};

	for (size_t i = 0; i < SNAP_NSTR; i++) {
		if (!strs[i])
			continue;
		fprintf(w->out, "meta\t%s\t", snap_mkeys[i]);
		snap_put_str(w->out, strs[i]);
		fputc('\n', w->out);
		w->nrec++;
	}
	fprintf(w->out, "meta\tpid\t%" PRIu32 "\n", m->pid);
	fprintf(w->out, "meta\tstart_unix\t%" PRId64 "\n", m->start_unix);
	w->nrec += 2;
	snap_put_meta_dbl(w, "freq_hz", m->freq_hz);
	snap_put_meta_dbl(w, "duration_s", m->duration_s);
}

static void snap_put_stats(struct snap_writer *w, const struct prof_stats *st)
{
	struct prof_stats copy = *st;

	for (size_t i = 0; i < SNAP_NSTATS; i++)
		fprintf(w->out, "stat\t%s\t%" PRIu64 "\n", snap_stat_names[i],
			*snap_stat_slot(&copy, i));
	w->nrec += SNAP_NSTATS;
}

static void snap_put_threads(struct snap_writer *w, const struct profile *p)
{
	size_t n;
	const struct prof_thread *t = profile_threads(p, &n);

	for (size_t i = 0; i < n; i++) {
		fprintf(w->out, "thread\t%" PRIu32 "\t%" PRIu64 "\t", t[i].tid, t[i].samples);
		snap_put_str(w->out, t[i].name ? t[i].name : "");
		fputc('\n', w->out);
	}
	w->nrec += n;
}

static void snap_put_funcs(struct snap_writer *w, const struct profile *p)
{
	size_t n = profile_nfuncs(p);

	for (size_t i = 0; i < n; i++) {
		uint64_t addr = profile_func_addr(p, (uint32_t)i);

		fprintf(w->out, "func\t%zu\t", i);
		snap_put_str(w->out, profile_func_module(p, (uint32_t)i));
		if (addr == PROFILE_NO_ADDR)
			fputs("\t-\t", w->out);
		else
			fprintf(w->out, "\t0x%" PRIx64 "\t", addr);
		snap_put_str(w->out, profile_func_name(p, (uint32_t)i));
		fputc('\n', w->out);
	}
	w->nrec += n;
}

static int snap_put_stack(void *vctx, const uint32_t *path, size_t depth, uint64_t self)
{
	struct snap_writer *w = vctx;

	/* The loader's caps: refuse here rather than write what will not load. */
	if (depth > SNAPSHOT_MAX_DEPTH || ++w->nstacks > SNAPSHOT_MAX_STACKS)
		return -E2BIG;
	fprintf(w->out, "stack\t%" PRIu64 "\t0\t", self);
	for (size_t i = 0; i < depth; i++)
		fprintf(w->out, i ? ";%" PRIu32 : "%" PRIu32, path[i]);
	fputc('\n', w->out);
	w->nrec++;
	/* A full disk: no point walking on. */
	return ferror(w->out) ? -EIO : 0;
}

static int snap_put_stacks(struct snap_writer *w, const struct profile *p)
{
	const struct prof_node *root = profile_node(p, 0);
	uint64_t all = profile_stats_const(p)->samples;
	int err = profile_walk(p, snap_put_stack, w);

	if (err)
		return err;
	/* Samples without a stack are the surplus over the root (profile.h). */
	if (root && all > root->total) {
		if (++w->nstacks > SNAPSHOT_MAX_STACKS)
			return -E2BIG;
		fprintf(w->out, "stack\t%" PRIu64 "\t0\t\n", all - root->total);
		w->nrec++;
	}
	return 0;
}

static void snap_put_reading(struct snap_writer *w, const char *kw, const struct procstat *ps)
{
	fputs(kw, w->out);
	for (size_t i = 0; i < SNAP_NPKEYS; i++) {
		const char *at = (const char *)ps + snap_pkeys[i].off;
		uint64_t v;

		if (snap_pkeys[i].wide) {
			memcpy(&v, at, sizeof(v));
		} else {
			uint32_t v32;

			memcpy(&v32, at, sizeof(v32));
			v = v32;
		}
		fprintf(w->out, "\t%s=%" PRIu64, snap_pkeys[i].key, v);
	}
	fputc('\n', w->out);
	w->nrec++;
}

static void snap_put_readings(struct snap_writer *w, const struct prochist *h)
{
	size_t n = prochist_count(h);
	const struct procstat *first = prochist_first(h);

	/* The session's first reading feeds the session averages; keep it when
	 * the history has moved past it. */
	if (n && first && memcmp(first, prochist_at(h, 0), sizeof(*first)))
		snap_put_reading(w, "procfirst", first);
	for (size_t i = 0; i < n; i++)
		snap_put_reading(w, "proc", prochist_at(h, i));
}

/* ---- writing the timeline ---- */

/* An at line's slice, thread and stack line packed so that sorting groups
 * equal ones: stack lines below 2^25 (the cap and the empty path's line),
 * tids below 2^22, slices below 2^10. */
#define SNAP_AT_TID_SHIFT	25
#define SNAP_AT_SLICE_SHIFT	47
#define SNAP_AT_STACK_MASK	((UINT64_C(1) << SNAP_AT_TID_SHIFT) - 1)
#define SNAP_AT_TID_MASK	((UINT64_C(1) << 22) - 1)

_Static_assert(TSTRIP_SLICES <= 1024, "slices must fit the at key");
_Static_assert(SNAPSHOT_MAX_STACKS < ((size_t)1 << SNAP_AT_TID_SHIFT), "stack lines must fit the at key");

struct snap_at_w {
	uint64_t key, w;
};

struct snap_timeline {
	const struct tstrip *strip;
	const uint32_t *line_of;	/* stack line of each node, UINT32_MAX for none */
	uint64_t *left;			/* each stack line's count not yet in an at line */
	size_t nnodes;
	struct snap_at_w *at;
	size_t n, cap;
	bool oom;
};

/*
 * Which stack line each node's samples are on: profile_walk's order (depth
 * first, children in the order first seen, nodes with self samples), then
 * the line of samples without a stack for the root when written.  And each
 * line's count in left (room for nnodes + 1), which its at lines must not
 * pass: a log that holds more for a path than the profile (the surplus of
 * samples without a stack is the counters' word, see "Counters") is cut to
 * what loads.
 */
static uint32_t *snap_stack_lines(const struct profile *p, uint64_t *left)
{
	size_t n = profile_nnodes(p);
	uint32_t *line = malloc((n ? n : 1) * sizeof(*line)), k = 0;
	const struct prof_node *root = profile_node(p, 0);
	uint32_t id = root ? root->first_child : PROF_NONE;

	if (!line)
		return NULL;
	for (size_t i = 0; i < n; i++)
		line[i] = UINT32_MAX;
	while (id != PROF_NONE) {
		const struct prof_node *nd = profile_node(p, id);

		if (nd->self) {
			left[k] = nd->self;
			line[id] = k++;
		}
		if (nd->first_child != PROF_NONE) {
			id = nd->first_child;
			continue;
		}
		while (id && profile_node(p, id)->next_sibling == PROF_NONE)
			id = profile_node(p, id)->parent;
		id = id ? profile_node(p, id)->next_sibling : PROF_NONE;
	}
	if (n && root && profile_stats_const(p)->samples > root->total) {
		left[k] = profile_stats_const(p)->samples - root->total;
		line[0] = k;
	}
	return line;
}

static int snap_collect_at(void *vctx, const struct samplelog_entry *e, uint64_t seq)
{
	struct snap_timeline *t = vctx;
	uint32_t line = e->leaf < t->nnodes ? t->line_of[e->leaf] : UINT32_MAX;

	(void)seq;
	if (line == UINT32_MAX)
		return 0;	/* not a node of this profile: nothing to charge */
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct snap_at_w *v = realloc(t->at, cap * sizeof(*v));

		if (!v) {
			t->oom = true;
			return 1;
		}
		t->at = v;
		t->cap = cap;
	}
	t->at[t->n++] = (struct snap_at_w){
		.key = (uint64_t)tstrip_slice_of(t->strip, e->time_ns) << SNAP_AT_SLICE_SHIFT |
		       ((uint64_t)e->tid & SNAP_AT_TID_MASK) << SNAP_AT_TID_SHIFT | line,
		.w = e->weight,
	};
	return 0;
}

static int snap_at_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct snap_at_w *)a)->key, y = ((const struct snap_at_w *)b)->key;

	return x < y ? -1 : x > y;
}

/* Log entries a weight takes (samplelog_add_weighted). */
static uint64_t snap_entries(uint64_t w)
{
	return w / SAMPLELOG_MAX_WEIGHT + (w % SAMPLELOG_MAX_WEIGHT != 0);
}

/* Sum equal keys; then the first record kept so that loading takes at most
 * SNAPSHOT_MAX_TIMED entries, cut at a slice's start. */
static size_t snap_at_merge(struct snap_timeline *t)
{
	size_t n = 0, first;
	uint64_t entries = 0;

	qsort(t->at, t->n, sizeof(*t->at), snap_at_cmp);
	for (size_t i = 0; i < t->n; i++) {
		if (n && t->at[n - 1].key == t->at[i].key)
			t->at[n - 1].w += t->at[i].w;
		else
			t->at[n++] = t->at[i];
	}
	t->n = n;
	for (first = n; first > 0; first--) {
		entries += snap_entries(t->at[first - 1].w);
		if (entries > SNAPSHOT_MAX_TIMED)
			break;
	}
	/* Over the cap: the slice it happened in goes whole. */
	while (first > 0 && first < n &&
	       t->at[first].key >> SNAP_AT_SLICE_SHIFT == t->at[first - 1].key >> SNAP_AT_SLICE_SHIFT)
		first++;
	return first;
}

static void snap_put_slices(struct snap_writer *w, const struct tstrip *ts, uint64_t from)
{
	fprintf(w->out, "strip\t%" PRIu64 "\t%" PRIu64 "\n", tstrip_slice_ns(ts), from);
	w->nrec++;
	for (size_t i = 0; i < tstrip_used(ts); i++) {
		uint64_t v[CPU__COUNT];

		tstrip_sum(ts, i, 1, 0, v);
		if (!(v[CPU_ON] | v[CPU_RUNNABLE] | v[CPU_IOWAIT] | v[CPU_SLEEP]))
			continue;
		fprintf(w->out, "slice\t%zu\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n",
			i, v[CPU_ON], v[CPU_RUNNABLE], v[CPU_IOWAIT], v[CPU_SLEEP]);
		w->nrec++;
	}
}

/* strip, slice and at lines (see the format at the top). */
static int snap_put_timeline(struct snap_writer *w, const struct profile *p,
			     const struct snap_meta *m)
{
	struct snap_timeline t = { .strip = m->strip, .nnodes = profile_nnodes(p) };
	uint32_t *line_of = NULL;
	uint64_t from = m->log_from_ns, width = tstrip_slice_ns(m->strip);
	size_t first = 0;

	if (m->log) {
		t.left = malloc((t.nnodes + 1) * sizeof(*t.left));
		t.line_of = line_of = t.left ? snap_stack_lines(p, t.left) : NULL;
		if (line_of)
			samplelog_visit(m->log, 0, 0, 0, snap_collect_at, &t);
		free(line_of);
		if (!line_of || t.oom) {
			free(t.at);
			free(t.left);
			return -ENOMEM;
		}
		first = snap_at_merge(&t);
		if (first && first < t.n) {
			uint64_t cut = (t.at[first].key >> SNAP_AT_SLICE_SHIFT) * width;

			from = cut > from ? cut : from;
		}
	}
	if (from > (uint64_t)TSTRIP_SLICES * width)
		from = (uint64_t)TSTRIP_SLICES * width;
	snap_put_slices(w, m->strip, m->log ? from : (uint64_t)TSTRIP_SLICES * width);
	for (size_t i = first; i < t.n; i++) {
		uint64_t k = t.at[i].key, *left = &t.left[k & SNAP_AT_STACK_MASK];
		uint64_t wt = t.at[i].w < *left ? t.at[i].w : *left;

		if (!wt)
			continue;
		*left -= wt;
		fprintf(w->out, "at\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n",
			k >> SNAP_AT_SLICE_SHIFT, k & SNAP_AT_STACK_MASK,
			(k >> SNAP_AT_TID_SHIFT) & SNAP_AT_TID_MASK, wt);
		w->nrec++;
	}
	free(t.at);
	free(t.left);
	return ferror(w->out) ? -EIO : 0;
}

int snapshot_write(FILE *out, const struct profile *p, const struct snap_meta *m,
		   const struct prochist *h)
{
	struct snap_writer w = { .out = out };
	size_t nthreads;
	int err;

	if (!out || !p)
		return -EINVAL;
	profile_threads(p, &nthreads);
	if (profile_nfuncs(p) > SNAPSHOT_MAX_FUNCS || nthreads > SNAPSHOT_MAX_THREADS)
		return -E2BIG;
	fprintf(out, SNAP_MAGIC " %u\n", SNAP_VERSION);
	if (m)
		snap_put_meta(&w, m);
	snap_put_stats(&w, profile_stats_const(p));
	snap_put_threads(&w, p);
	snap_put_funcs(&w, p);
	err = snap_put_stacks(&w, p);
	if (!err && m && m->strip)
		err = snap_put_timeline(&w, p, m);
	if (err)
		return err;
	if (h)
		snap_put_readings(&w, h);
	fprintf(out, "end\t%zu\n", w.nrec);
	return ferror(out) ? -EIO : 0;
}

/* ---- parsing ---- */

struct snap_slice {
	const char *s;
	size_t n;
};

struct snap_budget {
	uint32_t tid;
	uint64_t left;		/* samples its thread line still expects */
};

struct snap_parser {
	const char *name;
	char *err;
	size_t errlen;
	size_t line;			/* 1-based; 0 for errors about the whole file */
	unsigned version;		/* the magic line's */
	struct snap_owned *s;
	struct profile *p;
	char *str;			/* decoded strings of the current line */
	size_t str_cap, str_used;
	uint32_t *path;			/* the current stack, leaf first */
	size_t path_cap;
	struct snap_budget *thr;	/* thread lines, by tid */
	size_t nthr, thr_cap, thr_next;
	uint64_t stat_val[SNAP_NSTATS];
	size_t stat_line[SNAP_NSTATS];	/* 0: no stat line for it */
	bool meta_seen[SNAP_NMETA];
	uint64_t stack_sum, split_work;
	size_t nstacks, nrecords, end_line;
	bool any_stack, tid0_stack, any_proc, have_first, ended;
	/* The timeline: each stack line's leaf node and weight not yet given
	 * to an at line; the at lines, turned into the log at the end. */
	uint32_t *line_leaf;
	uint64_t *line_left;
	size_t line_cap;
	struct snap_at *at;
	size_t nat, at_cap;
	uint64_t at_entries;
	size_t next_slice;		/* slice lines come in ascending order */
	uint64_t at_slice;		/* and so do at lines */
};

/* One at line, as loaded. */
struct snap_at {
	uint32_t slice, tid, leaf;
	uint64_t w;
};

/* Untrusted bytes, cut and escaped for a message. */
static void snap_quote(struct snap_slice f, char *out, size_t outlen)
{
	char raw[SNAP_QUOTE_MAX + 1];
	size_t n = f.n < SNAP_QUOTE_MAX ? f.n : SNAP_QUOTE_MAX;
	size_t len;

	memcpy(raw, f.s, n);
	raw[n] = '\0';
	len = sanitize_name(raw, out, outlen);
	if (f.n > n && len + 4 <= outlen)
		memcpy(out + len, "...", 4);
}

static void snap_vmsg(char *err, size_t errlen, const char *name, size_t line,
		      const char *fmt, va_list ap)
{
	char what[SNAP_MSG_MAX], safe[256];

	if (!err || !errlen)
		return;
	vsnprintf(what, sizeof(what), fmt, ap);
	sanitize_name(name ? name : "(unnamed)", safe, sizeof(safe));
	if (line)
		snprintf(err, errlen, "snapshot %s: line %zu: %s", safe, line, what);
	else
		snprintf(err, errlen, "snapshot %s: %s", safe, what);
}

__attribute__((format(printf, 3, 4)))
static int snap_fail(struct snap_parser *sp, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	snap_vmsg(sp->err, sp->errlen, sp->name, sp->line, fmt, ap);
	va_end(ap);
	return err;
}

static bool snap_is(struct snap_slice f, const char *word)
{
	size_t n = strlen(word);

	return f.n == n && !memcmp(f.s, word, n);
}

static bool snap_all_digits(struct snap_slice f)
{
	for (size_t i = 0; i < f.n; i++)
		if (f.s[i] < '0' || f.s[i] > '9')
			return false;
	return f.n > 0;
}

/* Digits only (see snap_all_digits); false when the value passes 2^64 - 1. */
static bool snap_digits_value(struct snap_slice f, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < f.n; i++) {
		unsigned d = (unsigned)(f.s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* A strict unsigned decimal no larger than max; `what` names it in errors. */
static int snap_num(struct snap_parser *sp, struct snap_slice f, uint64_t max, const char *what,
		    uint64_t *out)
{
	char q[4 * SNAP_QUOTE_MAX + 8];

	snap_quote(f, q, sizeof(q));
	if (!snap_all_digits(f))
		return snap_fail(sp, -EINVAL, "%s '%s' is not a decimal number", what, q);
	if (!snap_digits_value(f, out) || *out > max)
		return snap_fail(sp, -EINVAL, "%s '%s' is out of range (at most %" PRIu64 ")",
				 what, q, max);
	return 0;
}

static int snap_u32(struct snap_parser *sp, struct snap_slice f, const char *what, uint32_t *out)
{
	uint64_t v;
	int err = snap_num(sp, f, UINT32_MAX, what, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

static int snap_i64(struct snap_parser *sp, struct snap_slice f, const char *what, int64_t *out)
{
	bool neg = f.n && f.s[0] == '-';
	struct snap_slice digits = { f.s + neg, f.n - neg };
	uint64_t v;
	uint64_t max = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	int err = snap_num(sp, digits, max, what, &v);

	if (err)
		return err;
	/* -2^63 has no positive counterpart: negate in unsigned arithmetic. */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* digits [. digits] [e [sign] digits], at least one mantissa digit: what
 * %.17g writes, and no inf, nan, hex or spaces that strtod would take. */
static bool snap_dbl_syntax(struct snap_slice f)
{
	size_t i = 0, mant = 0, exp = 0;

	while (i < f.n && f.s[i] >= '0' && f.s[i] <= '9')
		i++, mant++;
	if (i < f.n && f.s[i] == '.')
		for (i++; i < f.n && f.s[i] >= '0' && f.s[i] <= '9'; i++)
			mant++;
	if (!mant)
		return false;
	if (i < f.n && (f.s[i] == 'e' || f.s[i] == 'E')) {
		i++;
		if (i < f.n && (f.s[i] == '+' || f.s[i] == '-'))
			i++;
		while (i < f.n && f.s[i] >= '0' && f.s[i] <= '9')
			i++, exp++;
		if (!exp)
			return false;
	}
	return i == f.n;
}

static int snap_dbl(struct snap_parser *sp, struct snap_slice f, const char *what, double *out)
{
	char buf[64], q[4 * SNAP_QUOTE_MAX + 8];

	snap_quote(f, q, sizeof(q));
	if (!snap_dbl_syntax(f) || f.n >= sizeof(buf))
		return snap_fail(sp, -EINVAL, "%s '%s' is not a plain decimal number", what, q);
	memcpy(buf, f.s, f.n);
	buf[f.n] = '\0';
	*out = strtod(buf, NULL);
	if (!isfinite(*out))
		return snap_fail(sp, -EINVAL, "%s '%s' is out of range", what, q);
	return 0;
}

static int snap_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ADDR of a func line, as strict as the writer: "-", or "0x" and 1 to 16
 * lowercase hex digits.  All ones is how the profile says "unknown", which
 * is written "-": spelt out it would not come back as written. */
static int snap_addr(struct snap_parser *sp, struct snap_slice f, uint64_t *out)
{
	char q[4 * SNAP_QUOTE_MAX + 8];
	bool ok = f.n > 2 && f.n <= SNAP_ADDR_MAX_LEN && !memcmp(f.s, "0x", 2);
	uint64_t v = 0;

	*out = PROFILE_NO_ADDR;
	if (snap_is(f, "-"))
		return 0;
	for (size_t i = 2; ok && i < f.n; i++) {
		char c = f.s[i];

		ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		if (ok)
			v = v << 4 | (uint64_t)snap_hex(c);
	}
	snap_quote(f, q, sizeof(q));
	if (!ok)
		return snap_fail(sp, -EINVAL, "the func address '%s' is neither 0x and 1 to 16"
				 " lowercase hex digits nor -", q);
	if (v == PROFILE_NO_ADDR)
		return snap_fail(sp, -EINVAL, "the func address '%s' means unknown, which is"
				 " written -", q);
	*out = v;
	return 0;
}

/* Decode one escaped string into the line's scratch (never longer than the
 * line, sized for it in snap_record); *out is NUL-terminated. */
static int snap_str(struct snap_parser *sp, struct snap_slice f, const char *what,
		    const char **out)
{
	char *o = sp->str + sp->str_used, *start = o;

	for (size_t i = 0; i < f.n; i++) {
		unsigned char c = (unsigned char)f.s[i];
		int hi, lo;

		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (++i == f.n)
			return snap_fail(sp, -EINVAL, "%s ends in a lone backslash", what);
		switch (f.s[i]) {
		case '\\': *o++ = '\\'; break;
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 'x':
			hi = i + 1 < f.n ? snap_hex(f.s[i + 1]) : -1;
			lo = i + 2 < f.n ? snap_hex(f.s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return snap_fail(sp, -EINVAL, "%s has \\x without two hex digits",
						 what);
			/* Names are C strings: a NUL would silently cut them. */
			if (!hi && !lo)
				return snap_fail(sp, -EINVAL, "%s contains an escaped NUL byte",
						 what);
			*o++ = (char)(hi << 4 | lo);
			i += 2;
			break;
		default:
			if ((unsigned char)f.s[i] >= 0x21 && (unsigned char)f.s[i] < 0x7f)
				return snap_fail(sp, -EINVAL, "%s has an unknown escape '\\%c'",
						 what, f.s[i]);
			return snap_fail(sp, -EINVAL, "%s has an unknown escape (byte 0x%02x)",
					 what, (unsigned char)f.s[i]);
		}
	}
	*o++ = '\0';
	sp->str_used += (size_t)(o - start);
	*out = start;
	return 0;
}

/* Split at tabs into at most max fields; max + 1 means there were more. */
static size_t snap_split(const char *s, size_t n, struct snap_slice *f, size_t max)
{
	size_t k = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\t')
			continue;
		if (k == max)
			return max + 1;
		f[k++] = (struct snap_slice){ s + start, i - start };
		start = i + 1;
	}
	return k;
}

/* Exactly `want` fields, the keyword `kw` first. */
static int snap_fields(struct snap_parser *sp, const char *kw, const char *s, size_t n,
		       struct snap_slice *f, size_t want)
{
	size_t got = snap_split(s, n, f, want);

	if (got == want)
		return 0;
	return snap_fail(sp, -EINVAL, "%s line with %s%zu tab-separated fields instead of %zu",
			 kw, got > want ? "more than " : "", got > want ? want : got, want);
}

static int snap_rec_meta(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[3];
	struct snapshot *pub = &sp->s->pub;
	size_t k;
	int err = snap_fields(sp, "meta", s, n, f, 3);

	if (err)
		return err;
	for (k = 0; k < SNAP_NMETA && !snap_is(f[1], snap_mkeys[k]); k++)
		;
	if (k == SNAP_NMETA)
		return 0;	/* a newer writer's key */
	if (sp->meta_seen[k])
		return snap_fail(sp, -EINVAL, "meta %s given twice", snap_mkeys[k]);
	sp->meta_seen[k] = true;
	switch (k) {
	case SNAP_M_PID:
		return snap_u32(sp, f[2], "meta pid", &pub->meta.pid);
	case SNAP_M_FREQ:
		return snap_dbl(sp, f[2], "meta freq_hz", &pub->meta.freq_hz);
	case SNAP_M_DURATION:
		return snap_dbl(sp, f[2], "meta duration_s", &pub->meta.duration_s);
	case SNAP_M_START:
		return snap_i64(sp, f[2], "meta start_unix", &pub->meta.start_unix);
	default:
		break;
	}

	const char *v;

	err = snap_str(sp, f[2], "the meta string", &v);
	if (err)
		return err;
	sp->s->strs[k] = strdup(v);
	if (!sp->s->strs[k])
		return snap_fail(sp, -ENOMEM, "out of memory");
	return 0;
}

static int snap_rec_stat(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[3];
	size_t k;
	int err = snap_fields(sp, "stat", s, n, f, 3);

	if (err)
		return err;
	for (k = 0; k < SNAP_NSTATS && !snap_is(f[1], snap_stat_names[k]); k++)
		;
	if (k == SNAP_NSTATS)
		return 0;	/* a newer writer's counter */
	if (sp->stat_line[k])
		return snap_fail(sp, -EINVAL, "stat %s given twice (first on line %zu)",
				 snap_stat_names[k], sp->stat_line[k]);
	sp->stat_line[k] = sp->line;
	return snap_num(sp, f[2], UINT64_MAX, "the stat value", &sp->stat_val[k]);
}

static int snap_rec_thread(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[4];
	uint32_t tid;
	uint64_t samples;
	const char *name;
	size_t have;
	int err = snap_fields(sp, "thread", s, n, f, 4);

	if (!err)
		err = snap_u32(sp, f[1], "the thread id", &tid);
	if (!err)
		err = snap_num(sp, f[2], UINT64_MAX, "the thread's samples", &samples);
	if (!err)
		err = snap_str(sp, f[3], "the thread name", &name);
	if (err)
		return err;
	if (sp->any_stack)
		return snap_fail(sp, -EINVAL, "thread line after stack lines (threads come first)");
	/* Ascending tids append to the profile's sorted thread table: no
	 * quadratic inserts, and duplicates show at once. */
	if (sp->nthr && tid <= sp->thr[sp->nthr - 1].tid)
		return snap_fail(sp, -EINVAL, "thread %" PRIu32 " after thread %" PRIu32
				 " (thread lines go by ascending tid, once each)",
				 tid, sp->thr[sp->nthr - 1].tid);
	if (sp->nthr >= SNAPSHOT_MAX_THREADS)
		return snap_fail(sp, -E2BIG, "more than %zu threads", SNAPSHOT_MAX_THREADS);
	if (sp->nthr == sp->thr_cap) {
		size_t cap = sp->thr_cap ? sp->thr_cap * 2 : 64;
		struct snap_budget *t = realloc(sp->thr, cap * sizeof(*t));

		if (!t)
			return snap_fail(sp, -ENOMEM, "out of memory");
		sp->thr = t;
		sp->thr_cap = cap;
	}
	profile_thread_name(sp->p, tid, name);
	profile_threads(sp->p, &have);
	/* profile_thread_name is silent when out of memory. */
	if (have != sp->nthr + 1)
		return snap_fail(sp, -ENOMEM, "out of memory");
	sp->thr[sp->nthr++] = (struct snap_budget){ .tid = tid, .left = samples };
	return 0;
}

static int snap_rec_func(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[5];
	uint32_t id, got;
	const char *module, *name;
	size_t next = profile_nfuncs(sp->p);
	/* Version 1 has no ADDR field: its functions' addresses are unknown. */
	bool has_addr = sp->version >= SNAP_VERSION_ADDR;
	size_t want = has_addr ? 5 : 4;
	uint64_t addr = PROFILE_NO_ADDR;
	int err = snap_fields(sp, "func", s, n, f, want);

	if (!err)
		err = snap_u32(sp, f[1], "the func id", &id);
	if (!err)
		err = snap_str(sp, f[2], "the module", &module);
	if (!err && has_addr)
		err = snap_addr(sp, f[3], &addr);
	if (!err)
		err = snap_str(sp, f[want - 1], "the function name", &name);
	if (err)
		return err;
	if (id < next)
		return snap_fail(sp, -EINVAL, "func %" PRIu32 " defined twice", id);
	if (id > next)
		return snap_fail(sp, -EINVAL, "func %" PRIu32 " out of order (func ids go"
				 " 0, 1, 2...; expected %zu)", id, next);
	if (next >= SNAPSHOT_MAX_FUNCS)
		return snap_fail(sp, -E2BIG, "more than %zu functions", SNAPSHOT_MAX_FUNCS);
	got = profile_func(sp->p, name, module);
	if (got == UINT32_MAX)
		return snap_fail(sp, -ENOMEM, "out of memory");
	if (got != id)
		return snap_fail(sp, -EINVAL, "func %" PRIu32 " repeats func %" PRIu32
				 " (same module and name)", id, got);
	profile_func_set_addr(sp->p, id, addr);
	return 0;
}

/* PATH into sp->path, leaf first as profile_add_sample takes it. */
static int snap_path(struct snap_parser *sp, struct snap_slice f, size_t *depth)
{
	size_t n = 1, nfuncs = profile_nfuncs(sp->p);
	const char *s = f.s, *end = f.s + f.n;

	*depth = 0;
	if (!f.n)
		return 0;
	for (const char *c = s; (c = memchr(c, ';', (size_t)(end - c))); c++)
		n++;
	if (n > SNAPSHOT_MAX_DEPTH)
		return snap_fail(sp, -E2BIG, "a stack of %zu frames, over the %zu-frame cap",
				 n, SNAPSHOT_MAX_DEPTH);
	if (n > sp->path_cap) {
		uint32_t *v = realloc(sp->path, n * sizeof(*v));

		if (!v)
			return snap_fail(sp, -ENOMEM, "out of memory");
		sp->path = v;
		sp->path_cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		struct snap_slice id = { s, (size_t)((semi ? semi : end) - s) };
		uint32_t v;
		int err = snap_u32(sp, id, "a stack's func id", &v);

		if (err)
			return err;
		if (v >= nfuncs)
			return snap_fail(sp, -EINVAL, "stack uses func %" PRIu32
					 ", which no func line before it defines", v);
		sp->path[n - 1 - i] = v;
		s = semi ? semi + 1 : end;
	}
	*depth = n;
	return 0;
}

static int snap_add(struct snap_parser *sp, uint32_t tid, size_t n, uint64_t w)
{
	int err = profile_add_sample(sp->p, tid, sp->path, n, w, 0);

	if (err)
		return snap_fail(sp, err, "cannot add the samples: %s", strerror(-err));
	return 0;
}

static struct snap_budget *snap_budget_of(struct snap_parser *sp, uint32_t tid)
{
	size_t lo = 0, hi = sp->nthr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sp->thr[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sp->nthr && sp->thr[lo].tid == tid ? &sp->thr[lo] : NULL;
}

static int snap_charge_thread(struct snap_parser *sp, uint32_t tid, size_t n, uint64_t count)
{
	struct snap_budget *b = snap_budget_of(sp, tid);

	if (sp->tid0_stack)
		return snap_fail(sp, -EINVAL, "stack line for thread %" PRIu32 " after lines for"
				 " thread 0 (per-thread lines come first)", tid);
	if (!b)
		return snap_fail(sp, -EINVAL, "stack line for thread %" PRIu32
				 ", which has no thread line", tid);
	if (count > b->left)
		return snap_fail(sp, -EINVAL, "stack lines give thread %" PRIu32
				 " more samples than its thread line", tid);
	b->left -= count;
	return snap_add(sp, tid, n, count);
}

/* See "Threads" at the top: fill the threads' shares in tid order. */
static int snap_charge_any(struct snap_parser *sp, size_t n, uint64_t count)
{
	bool first = true;

	sp->tid0_stack = true;
	while (count) {
		struct snap_budget *b;
		uint64_t w;
		int err;

		while (sp->thr_next < sp->nthr && !sp->thr[sp->thr_next].left)
			sp->thr_next++;
		if (!first) {
			sp->split_work += n + 1;
			if (sp->split_work > SNAP_MAX_SPLIT_WORK)
				return snap_fail(sp, -E2BIG, "stack lines split over too many"
						 " threads (over %" PRIu64 " frames copied)",
						 SNAP_MAX_SPLIT_WORK);
		}
		first = false;
		if (sp->thr_next == sp->nthr)
			return snap_add(sp, 0, n, count);
		b = &sp->thr[sp->thr_next];
		w = count < b->left ? count : b->left;
		err = snap_add(sp, b->tid, n, w);
		if (err)
			return err;
		b->left -= w;
		count -= w;
	}
	return 0;
}

/* Room for one more stack line's leaf and weight. */
static int snap_line_reserve(struct snap_parser *sp)
{
	size_t cap = sp->line_cap ? sp->line_cap * 2 : 256;
	uint32_t *leaf;
	uint64_t *left;

	if (sp->nstacks < sp->line_cap)
		return 0;
	leaf = realloc(sp->line_leaf, cap * sizeof(*leaf));
	if (leaf)
		sp->line_leaf = leaf;
	left = leaf ? realloc(sp->line_left, cap * sizeof(*left)) : NULL;
	if (!left)
		return snap_fail(sp, -ENOMEM, "out of memory");
	sp->line_left = left;
	sp->line_cap = cap;
	return 0;
}

static int snap_rec_stack(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[4];
	uint64_t count;
	uint32_t tid;
	size_t depth;
	int err = snap_fields(sp, "stack", s, n, f, 4);

	if (!err)
		err = snap_num(sp, f[1], UINT64_MAX, "the stack's count", &count);
	if (!err)
		err = snap_u32(sp, f[2], "the stack's thread id", &tid);
	if (!err)
		err = snap_path(sp, f[3], &depth);
	if (err)
		return err;
	if (!count)
		return snap_fail(sp, -EINVAL, "stack with a count of 0");
	if (sp->nstacks >= SNAPSHOT_MAX_STACKS)
		return snap_fail(sp, -E2BIG, "more than %zu stack lines", SNAPSHOT_MAX_STACKS);
	/* Bounding the sum bounds every count the profile adds up from it. */
	if (count > UINT64_MAX - sp->stack_sum)
		return snap_fail(sp, -EINVAL, "stack counts add up past 2^64");
	if (sp->s->pub.strip)
		return snap_fail(sp, -EINVAL, "stack line after the strip line (the timeline"
				 " comes after every stack)");
	err = snap_line_reserve(sp);
	if (err)
		return err;
	sp->nstacks++;
	sp->any_stack = true;
	sp->stack_sum += count;
	err = tid ? snap_charge_thread(sp, tid, depth, count) : snap_charge_any(sp, depth, count);
	if (!err) {
		sp->line_leaf[sp->nstacks - 1] = profile_last_leaf(sp->p);
		sp->line_left[sp->nstacks - 1] = count;
	}
	return err;
}

/* ---- the timeline ---- */

static int snap_rec_strip(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[3];
	uint64_t width, from;
	int err = snap_fields(sp, "strip", s, n, f, 3);

	if (!err)
		err = snap_num(sp, f[1], TSTRIP_MAX_SLICE_NS, "the strip's slice width", &width);
	if (!err)
		err = snap_num(sp, f[2], UINT64_MAX, "the strip's logged-from time", &from);
	if (err)
		return err;
	if (sp->s->pub.strip)
		return snap_fail(sp, -EINVAL, "a second strip line");
	if (!width)
		return snap_fail(sp, -EINVAL, "a strip with slices 0 ns wide");
	if (from > (uint64_t)TSTRIP_SLICES * width)
		return snap_fail(sp, -EINVAL, "the strip's logged-from time %" PRIu64 " is past its"
				 " last slice", from);
	sp->s->pub.strip = tstrip_new(0, width);
	if (!sp->s->pub.strip)
		return snap_fail(sp, -ENOMEM, "out of memory");
	sp->s->pub.log_from_ns = from;
	return 0;
}

/* A slice number of a slice or at line: under TSTRIP_SLICES, after a strip line. */
static int snap_slice_no(struct snap_parser *sp, struct snap_slice f, const char *kw,
			 uint64_t *out)
{
	if (!sp->s->pub.strip)
		return snap_fail(sp, -EINVAL, "%s line before the strip line", kw);
	return snap_num(sp, f, TSTRIP_SLICES - 1, "the slice number", out);
}

static int snap_rec_slice(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[2 + CPU__COUNT];
	uint64_t i, v[CPU__COUNT];
	int err = snap_fields(sp, "slice", s, n, f, 2 + CPU__COUNT);

	if (!err)
		err = snap_slice_no(sp, f[1], "slice", &i);
	for (int k = 0; !err && k < CPU__COUNT; k++)
		err = snap_num(sp, f[2 + k], UINT64_MAX, "the slice's weight", &v[k]);
	if (err)
		return err;
	if (i < sp->next_slice)
		return snap_fail(sp, -EINVAL, "slice %" PRIu64 " out of order (slice lines ascend,"
				 " each once)", i);
	if (sp->nat)
		return snap_fail(sp, -EINVAL, "slice line after an at line");
	sp->next_slice = (size_t)i + 1;
	return tstrip_set(sp->s->pub.strip, (size_t)i, v);
}

static int snap_at_push(struct snap_parser *sp, struct snap_at a)
{
	if (sp->nat == sp->at_cap) {
		size_t cap = sp->at_cap ? sp->at_cap * 2 : 256;
		struct snap_at *v = realloc(sp->at, cap * sizeof(*v));

		if (!v)
			return snap_fail(sp, -ENOMEM, "out of memory");
		sp->at = v;
		sp->at_cap = cap;
	}
	sp->at[sp->nat++] = a;
	return 0;
}

static int snap_rec_at(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[5];
	uint64_t slice, line, tid, w;
	int err = snap_fields(sp, "at", s, n, f, 5);

	if (!err)
		err = snap_slice_no(sp, f[1], "at", &slice);
	if (!err)
		err = snap_num(sp, f[2], UINT64_MAX, "the at line's stack line", &line);
	if (!err)
		err = snap_num(sp, f[3], SNAP_AT_TID_MASK, "the at line's thread id", &tid);
	if (!err)
		err = snap_num(sp, f[4], UINT64_MAX, "the at line's weight", &w);
	if (err)
		return err;
	if (slice < sp->at_slice)
		return snap_fail(sp, -EINVAL, "at line for slice %" PRIu64 " after slice %" PRIu64
				 " (at lines ascend by slice)", slice, sp->at_slice);
	if (line >= sp->nstacks)
		return snap_fail(sp, -EINVAL, "at line for stack line %" PRIu64 ", but there are %zu",
				 line, sp->nstacks);
	if (!w || w > sp->line_left[line])
		return snap_fail(sp, -EINVAL, "at line weight %" PRIu64 " is 0 or over what stack"
				 " line %" PRIu64 " has left", w, line);
	if (snap_entries(w) > SNAPSHOT_MAX_TIMED - sp->at_entries)
		return snap_fail(sp, -E2BIG, "at lines over %zu sample-log entries",
				 SNAPSHOT_MAX_TIMED);
	sp->at_slice = slice;
	sp->line_left[line] -= w;
	sp->at_entries += snap_entries(w);
	return snap_at_push(sp, (struct snap_at){ (uint32_t)slice, (uint32_t)tid,
						  sp->line_leaf[line], w });
}

/* The at lines into the snapshot's log, each at the middle of its slice. */
static int snap_make_log(struct snap_parser *sp)
{
	struct snapshot *pub = &sp->s->pub;
	size_t cap = 1;
	uint64_t width;

	if (!pub->strip)
		return 0;
	while (cap < sp->at_entries)
		cap *= 2;
	pub->log = samplelog_new(cap);
	if (!pub->log)
		return snap_fail(sp, -ENOMEM, "out of memory");
	width = tstrip_slice_ns(pub->strip);
	for (size_t i = 0; i < sp->nat; i++)
		samplelog_add_weighted(pub->log, sp->at[i].slice * width + width / 2, sp->at[i].tid,
				       sp->at[i].leaf, sp->at[i].w);
	return 0;
}

static int snap_rec_proc(struct snap_parser *sp, const char *s, size_t n, bool first)
{
	struct procstat ps;
	uint32_t seen = 0;
	const char *end = s + n, *kw = first ? "procfirst" : "proc";

	if (first && (sp->have_first || sp->any_proc))
		return snap_fail(sp, -EINVAL, "procfirst must come once, before any proc line");
	memset(&ps, 0, sizeof(ps));
	s = memchr(s, '\t', n);
	while (s && s < end) {
		const char *f = s + 1, *tab = memchr(f, '\t', (size_t)(end - f));
		const char *fe = tab ? tab : end, *eq = memchr(f, '=', (size_t)(fe - f));
		struct snap_slice key, val;
		size_t k;
		uint64_t v;
		int err;

		s = tab;
		if (!eq) {
			char q[4 * SNAP_QUOTE_MAX + 8];

			snap_quote((struct snap_slice){ f, (size_t)(fe - f) }, q, sizeof(q));
			return snap_fail(sp, -EINVAL, "%s field '%s' is not KEY=NUMBER", kw, q);
		}
		key = (struct snap_slice){ f, (size_t)(eq - f) };
		val = (struct snap_slice){ eq + 1, (size_t)(fe - eq - 1) };
		for (k = 0; k < SNAP_NPKEYS && !snap_is(key, snap_pkeys[k].key); k++)
			;
		if (k == SNAP_NPKEYS)
			continue;	/* a newer writer's figure */
		if (seen & (UINT32_C(1) << k))
			return snap_fail(sp, -EINVAL, "%s %s given twice", kw, snap_pkeys[k].key);
		seen |= UINT32_C(1) << k;
		err = snap_num(sp, val, snap_pkeys[k].wide ? UINT64_MAX : UINT32_MAX,
			       snap_pkeys[k].key, &v);
		if (err)
			return err;
		if (snap_pkeys[k].wide) {
			memcpy((char *)&ps + snap_pkeys[k].off, &v, sizeof(v));
		} else {
			uint32_t v32 = (uint32_t)v;

			memcpy((char *)&ps + snap_pkeys[k].off, &v32, sizeof(v32));
		}
	}
	if (first)
		sp->have_first = true;
	else
		sp->any_proc = true;
	prochist_add(sp->s->pub.hist, &ps);
	return 0;
}

static int snap_rec_end(struct snap_parser *sp, const char *s, size_t n)
{
	struct snap_slice f[2];
	uint64_t count;
	int err = snap_fields(sp, "end", s, n, f, 2);

	if (!err)
		err = snap_num(sp, f[1], UINT64_MAX, "the end line's record count", &count);
	if (err)
		return err;
	if (count != sp->nrecords)
		return snap_fail(sp, -EINVAL, "the end line counts %" PRIu64 " records but %zu"
				 " came before it (lines lost or added)", count, sp->nrecords);
	sp->ended = true;
	sp->end_line = sp->line;
	return 0;
}

static int snap_record(struct snap_parser *sp, const char *s, size_t n)
{
	const char *tab = memchr(s, '\t', n);
	struct snap_slice kw = { s, tab ? (size_t)(tab - s) : n };
	char q[4 * SNAP_QUOTE_MAX + 8];

	if (sp->ended)
		return snap_fail(sp, -EINVAL, "text after the end line");
	if (!n)
		return snap_fail(sp, -EINVAL, "empty line");
	if (snap_is(kw, "end"))
		return snap_rec_end(sp, s, n);
	sp->nrecords++;
	/* Decoded strings are never longer than the line they come from. */
	if (n + 2 > sp->str_cap) {
		char *v = realloc(sp->str, n + 2);

		if (!v)
			return snap_fail(sp, -ENOMEM, "out of memory");
		sp->str = v;
		sp->str_cap = n + 2;
	}
	sp->str_used = 0;
	if (snap_is(kw, "meta"))
		return snap_rec_meta(sp, s, n);
	if (snap_is(kw, "stat"))
		return snap_rec_stat(sp, s, n);
	if (snap_is(kw, "thread"))
		return snap_rec_thread(sp, s, n);
	if (snap_is(kw, "func"))
		return snap_rec_func(sp, s, n);
	if (snap_is(kw, "stack"))
		return snap_rec_stack(sp, s, n);
	if (snap_is(kw, "strip"))
		return snap_rec_strip(sp, s, n);
	if (snap_is(kw, "slice"))
		return snap_rec_slice(sp, s, n);
	if (snap_is(kw, "at"))
		return snap_rec_at(sp, s, n);
	if (snap_is(kw, "proc") || snap_is(kw, "procfirst"))
		return snap_rec_proc(sp, s, n, kw.n == strlen("procfirst"));
	if (kw.n > 2 && !memcmp(kw.s, "x-", 2))
		return 0;
	snap_quote(kw, q, sizeof(q));
	return snap_fail(sp, -EINVAL, "unknown record '%s'", q);
}

static int snap_magic(struct snap_parser *sp, const char *s, size_t n)
{
	const size_t mlen = strlen(SNAP_MAGIC);
	struct snap_slice ver;
	char q[4 * SNAP_QUOTE_MAX + 8];
	uint64_t v;

	if (n <= mlen || memcmp(s, SNAP_MAGIC " ", mlen + 1))
		return snap_fail(sp, -EINVAL, "not a proftui snapshot (the first line is not '"
				 SNAP_MAGIC " %u')", SNAP_VERSION);
	ver = (struct snap_slice){ s + mlen + 1, n - mlen - 1 };
	snap_quote(ver, q, sizeof(q));
	if (!snap_all_digits(ver))
		return snap_fail(sp, -EINVAL, "bad format version '%s'", q);
	if (!snap_digits_value(ver, &v) || v > SNAP_VERSION)
		return snap_fail(sp, -EINVAL, "made by a newer proftui: format %s, this reads %u",
				 q, SNAP_VERSION);
	if (!v)
		return snap_fail(sp, -EINVAL, "format %" PRIu64 " is not one this proftui reads"
				 " (it reads 1 to %u)", v, SNAP_VERSION);
	sp->version = (unsigned)v;
	sp->s->pub.format_version = sp->version;
	return 0;
}

/* Raw control bytes never come from the writer: a NUL or an ESC here is
 * damage or mischief, and stopping at it keeps strings simple. */
static int snap_check_bytes(struct snap_parser *sp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 0x20 && c != 0x7f) || c == '\t')
			continue;
		if (!c)
			return snap_fail(sp, -EINVAL, "NUL byte at column %zu", i + 1);
		return snap_fail(sp, -EINVAL, "raw control byte 0x%02x at column %zu"
				 " (snapshots escape them)", c, i + 1);
	}
	return 0;
}

static int snap_lines(struct snap_parser *sp, const char *buf, size_t len)
{
	size_t pos = 0;

	if (!len) {
		sp->line = 1;
		return snap_fail(sp, -EINVAL, "empty file, not a proftui snapshot");
	}
	while (pos < len) {
		const char *s = buf + pos, *nl;
		size_t room = len - pos, n;
		int err;

		sp->line++;
		/* Bounded search: a huge file without newlines costs one pass. */
		nl = memchr(s, '\n', room < SNAPSHOT_MAX_LINE + 1 ? room : SNAPSHOT_MAX_LINE + 1);
		if (!nl && room > SNAPSHOT_MAX_LINE)
			return snap_fail(sp, -E2BIG, "longer than %zu bytes", SNAPSHOT_MAX_LINE);
		if (!nl)
			return snap_fail(sp, -EINVAL, "no newline at its end:"
					 " the file was cut short");
		n = (size_t)(nl - s);
		pos += n + 1;
		if (n && s[n - 1] == '\r')
			n--;
		err = snap_check_bytes(sp, s, n);
		if (!err)
			err = sp->line == 1 ? snap_magic(sp, s, n) : snap_record(sp, s, n);
		if (err)
			return err;
	}
	if (!sp->ended) {
		sp->line++;
		return snap_fail(sp, -EINVAL, "no end line: the file was cut short");
	}
	return 0;
}

/* Threads left short get samples without a stack; then the counters as saved. */
static int snap_finish(struct snap_parser *sp)
{
	struct prof_stats st;
	const struct prof_node *root = profile_node(sp->p, 0);
	uint64_t with_stack = root ? root->total : 0;
	uint64_t saved = sp->stat_val[0];
	int ret;

	sp->line = sp->stat_line[0];
	if (sp->stat_line[0] && saved > sp->stack_sum) {
		ret = snap_charge_any(sp, 0, saved - sp->stack_sum);
		if (ret)
			return ret;
	}
	sp->line = sp->end_line;
	for (size_t i = 0; i < sp->nthr; i++) {
		int err = sp->thr[i].left ? profile_add_sample(sp->p, sp->thr[i].tid, NULL, 0,
							       sp->thr[i].left, 0) : 0;

		if (err)
			return snap_fail(sp, err, "cannot add the samples: %s", strerror(-err));
	}
	memset(&st, 0, sizeof(st));
	st.samples = sp->stack_sum;
	for (size_t i = 0; i < SNAP_NSTATS; i++)
		if (sp->stat_line[i])
			*snap_stat_slot(&st, i) = sp->stat_val[i];
	if (st.samples < with_stack) {
		sp->line = sp->stat_line[0];
		return snap_fail(sp, -EINVAL, "stat samples %" PRIu64 " is less than the %" PRIu64
				 " samples the stack lines give", st.samples, with_stack);
	}
	*profile_stats(sp->p) = st;
	return 0;
}

static int snap_setup(struct snap_parser *sp)
{
	sp->s = calloc(1, sizeof(*sp->s));
	if (!sp->s)
		return snap_fail(sp, -ENOMEM, "out of memory");
	sp->s->pub.prof = sp->p = profile_new();
	sp->s->pub.hist = prochist_new();
	if (!sp->p || !sp->s->pub.hist)
		return snap_fail(sp, -ENOMEM, "out of memory");
	return 0;
}

static void snap_publish_meta(struct snap_owned *s)
{
	s->pub.meta.target = s->strs[SNAP_TARGET];
	s->pub.meta.host = s->strs[SNAP_HOST];
	s->pub.meta.kernel = s->strs[SNAP_KERNEL];
	s->pub.meta.method = s->strs[SNAP_METHOD];
	s->pub.meta.version = s->strs[SNAP_VERSION_STR];
	s->pub.meta.strip = s->pub.strip;
	s->pub.meta.log = s->pub.log;
	s->pub.meta.log_from_ns = s->pub.log_from_ns;
}

int snapshot_parse(const char *buf, size_t len, const char *name, struct snapshot **out,
		   char *err, size_t errlen)
{
	struct snap_parser sp = { .name = name, .err = err, .errlen = errlen };
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!out || (!buf && len))
		return -EINVAL;
	*out = NULL;
	ret = snap_setup(&sp);
	if (!ret)
		ret = snap_lines(&sp, buf, len);
	if (!ret)
		ret = snap_finish(&sp);
	if (!ret)
		ret = snap_make_log(&sp);
	free(sp.str);
	free(sp.path);
	free(sp.thr);
	free(sp.line_leaf);
	free(sp.line_left);
	free(sp.at);
	if (sp.s)
		snap_publish_meta(sp.s);
	if (ret) {
		snapshot_free(sp.s ? &sp.s->pub : NULL);
		return ret;
	}
	*out = &sp.s->pub;
	return 0;
}

void snapshot_free(struct snapshot *s)
{
	struct snap_owned *o = (struct snap_owned *)s;

	if (!s)
		return;
	for (size_t i = 0; i < SNAP_NSTR; i++)
		free(o->strs[i]);
	profile_free(s->prof);
	prochist_free(s->hist);
	tstrip_free(s->strip);
	samplelog_free(s->log);
	free(o);
}

/* ---- loading a file ---- */

__attribute__((format(printf, 4, 5)))
static void snap_file_fail(const char *path, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	snap_vmsg(err, errlen, path, 0, fmt, ap);
	va_end(ap);
}

/* Only regular files: a FIFO would block, a device could be endless. */
static int snap_check_stat(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode)) {
		snap_file_fail(path, err, errlen, "is %s, not a regular file",
			       safefile_kind(st->st_mode));
		return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
	}
	if ((uint64_t)st->st_size > SNAPSHOT_MAX_BYTES) {
		snap_file_fail(path, err, errlen, "%" PRIu64 " bytes, over the %zu-byte limit",
			       (uint64_t)st->st_size, SNAPSHOT_MAX_BYTES);
		return -E2BIG;
	}
	return 0;
}

/* Read to the end, growing as needed: the size fstat gives is only a hint
 * (files in /proc say 0, a file can grow while it is read). */
static int snap_read_fd(int fd, size_t hint, char **out, size_t *len)
{
	size_t cap = hint < 4096 ? 4096 : hint + 1, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			size_t ncap = cap > SNAPSHOT_MAX_BYTES / 2 ? SNAPSHOT_MAX_BYTES + 1
								   : cap * 2;
			char *v = n > SNAPSHOT_MAX_BYTES ? NULL : realloc(buf, ncap);

			if (!v) {
				free(buf);
				return n > SNAPSHOT_MAX_BYTES ? -E2BIG : -ENOMEM;
			}
			buf = v;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n > SNAPSHOT_MAX_BYTES) {
		free(buf);
		return -E2BIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int snap_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	/* stat first so that a device is never even opened (opening some has
	 * effects); the fstat after open is the check that counts. */
	if (stat(path, &st) < 0) {
		ret = -errno;
		snap_file_fail(path, err, errlen, "%s", strerror(-ret));
		return ret;
	}
	ret = snap_check_stat(path, &st, err, errlen);
	if (ret)
		return ret;
	/* O_NONBLOCK: a FIFO swapped in after the stat must not block open. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		snap_file_fail(path, err, errlen, "%s", strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		snap_file_fail(path, err, errlen, "%s", strerror(-ret));
	} else {
		ret = snap_check_stat(path, &st, err, errlen);
	}
	if (!ret) {
		ret = snap_read_fd(fd, (size_t)st.st_size, buf, len);
		if (ret == -E2BIG)
			snap_file_fail(path, err, errlen, "over the %zu-byte limit",
				       SNAPSHOT_MAX_BYTES);
		else if (ret)
			snap_file_fail(path, err, errlen, "%s", strerror(-ret));
	}
	close(fd);
	return ret;
}

int snapshot_load(const char *path, struct snapshot **out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (out)
		*out = NULL;
	if (!path || !out)
		return -EINVAL;
	ret = snap_read_file(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = snapshot_parse(buf, len, path, out, err, errlen);
	free(buf);
	return ret;
}

static int snap_oldest_entry(void *ctx, const struct samplelog_entry *e, uint64_t seq)
{
	(void)seq;
	*(uint64_t *)ctx = e->time_ns;
	return 1;   /* the first visited is the oldest */
}

uint64_t snapshot_log_from(const struct tstrip *strip, const struct samplelog *log)
{
	uint64_t t = 0, origin;

	if (!strip || !log || !samplelog_dropped(log))
		return 0;
	origin = tstrip_origin(strip);
	samplelog_visit(log, 0, 0, 0, snap_oldest_entry, &t);
	return t > origin ? t - origin : 0;
}
