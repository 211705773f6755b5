/* main.c — parse the command line and wire target, sampler, ring and front end together. */
#include <errno.h>
#include <malloc.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "proftui/batch.h"
#include "proftui/export.h"
#include "proftui/snapshot.h"
#include "proftui/fesig.h"
#include "proftui/pyproc.h"
#include "proftui/ring.h"
#include "proftui/sampler.h"
#include "proftui/target.h"
#include "proftui/ui.h"

#define PROFTUI_VERSION "0.1.0"
#define RING_BYTES (16u << 20)

struct opts {
	pid_t pid;
	char **argv;              /* command to launch, or NULL */
	struct sampler_opts so;
	struct batch_opts bo;
	double refresh_s, window_s;
	enum derive_mode mode;
	bool batch;
	const char *load;         /* --load FILE: show a snapshot, no sampling */
	const char *baseline;     /* --baseline FILE: diff against this snapshot */
	char desc[512];           /* the target, for snapshots */
};

enum { OPT_STACK_SIZE = 256, OPT_MAX_DEPTH, OPT_METHOD, OPT_NO_KERNEL, OPT_FOLDED, OPT_MODE, OPT_PYTHON, OPT_FORMAT, OPT_LOAD, OPT_OFF_CPU, OPT_BASELINE };

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "freq", required_argument, NULL, 'F' },
	{ "duration", required_argument, NULL, 'd' },
	{ "batch", no_argument, NULL, 'b' },
	{ "rows", required_argument, NULL, 'n' },
	{ "refresh", required_argument, NULL, 'r' },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "window", required_argument, NULL, 'w' },
	{ "sort", required_argument, NULL, 's' },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "stack-size", required_argument, NULL, OPT_STACK_SIZE },
	{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "python", required_argument, NULL, OPT_PYTHON },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "off-cpu", no_argument, NULL, OPT_OFF_CPU },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fputs("usage: proftui [options] -p PID\n"
	      "       proftui [options] -- COMMAND [ARGS...]\n"
	      "\n"
	      "  -p, --pid PID         profile a running process (all its threads)\n"
	      "  -F, --freq HZ         samples per second of CPU time per thread (default 999)\n"
	      "  -b, --batch           no terminal UI: print the tables when done\n"
	      "  -d, --duration SECS   stop after SECS seconds (default: until the target\n"
	      "                        exits or Ctrl-C)\n"
	      "  -n, --rows N          rows of the hot-function table (default 25, 0 = all)\n"
	      "  -r, --refresh SECS    live view refresh interval (default 1)\n"
	      "      --mode M          live view: cumulative, window or decay (default cumulative)\n"
	      "  -w, --window SECS     window length / decay half-life (default 10)\n"
	      "  -s, --sort KEY        self, total, name or module (default self)\n"
	      "      --folded          print folded stacks (FlameGraph, speedscope) instead\n"
	      "      --stack-size B    bytes of user stack copied per sample (default 16384)\n"
	      "      --max-depth N     frames kept per stack (default 256)\n"
	      "      --method M        auto, perf or ptrace (default auto)\n"
	      "      --no-kernel       do not collect kernel frames\n"
	      "  -o, --output FILE     also save the profile: FILE.folded, FILE.pb.gz\n"
	      "                        (pprof), FILE.svg, else proftui's snapshot format\n"
	      "      --format F        native, folded, pprof or svg, whatever the name\n"
	      "      --load FILE       open a saved snapshot in the live view (no sampling;\n"
	      "                        with -b or -o: print its report / convert it)\n"
	      "      --baseline FILE   compare with a saved snapshot: the live view's\n"
	      "                        diff, or with -b after the report (self % change\n"
	      "                        per function, in points)\n"
	      "      --off-cpu         also weigh time off the CPU: each function's cost\n"
	      "                        split into on-CPU, runnable, IO wait and sleeping\n"
	      "      --python VIEW     for CPython targets: merged (Python frames in\n"
	      "                        their native stacks, default), python (Python\n"
	      "                        frames only) or native (do not read Python)\n"
	      "  -h, --help            this help;  -V, --version  the version\n"
	      "\n"
	      "Exit status: 0 ok, 2 bad usage, 3 no such process, 4 permission denied,\n"
	      "5 sampling failed, 6 output not written or snapshot unreadable, 126/127\n"
	      "command not executable/not found; with a command, its own exit status\n"
	      "(128+N if killed by signal N).\n", f);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("proftui: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("; usage: proftui [options] -p PID | -- COMMAND [ARGS] (see proftui --help)\n", stderr);
	return EXIT_USAGE;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* A number of seconds in [lo, hi] (fractions allowed; NaN refused). */
static bool parse_seconds(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo) || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_sort(const char *s, enum prof_sort *out)
{
	static const char *names[] = { "self", "total", "name", "module" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum prof_sort)i;
			return true;
		}
	}
	return false;
}

static bool parse_method(const char *s, enum sampler_method *out)
{
	if (!strcmp(s, "auto"))
		*out = SAMPLER_AUTO;
	else if (!strcmp(s, "perf"))
		*out = SAMPLER_PERF;
	else if (!strcmp(s, "ptrace"))
		*out = SAMPLER_PTRACE;
	else
		return false;
	return true;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	int c;
	long v;

	o->so = (struct sampler_opts){ .method = SAMPLER_AUTO, .freq_hz = 999,
				       .stack_size = 16384, .max_depth = 256, .kernel = true,
				       .python = true };
	o->bo = (struct batch_opts){ .sort = PROF_SORT_SELF, .rows = 25 };
	o->refresh_s = 1.0;
	o->window_s = 10.0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:F:d:bn:r:s:w:o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_long(optarg, 1, INT_MAX, &v))
				return bad_usage("invalid pid '%s'", optarg);
			o->pid = (pid_t)v;
			break;
		case 'F':
			if (!parse_long(optarg, 1, 20000, &v))
				return bad_usage("invalid frequency '%s' (1..20000 Hz)", optarg);
			o->so.freq_hz = (unsigned)v;
			break;
		case 'd':
			if (!parse_seconds(optarg, 0, 1e7, &o->bo.duration_s))
				return bad_usage("invalid duration '%s' (seconds)", optarg);
			break;
		case 'b':
			o->batch = true;
			break;
		case 'n':
			if (!parse_long(optarg, 0, INT_MAX, &v))
				return bad_usage("invalid row count '%s'", optarg);
			o->bo.rows = (size_t)v;
			break;
		case 'r':
			if (!parse_seconds(optarg, 0.05, 3600, &o->refresh_s))
				return bad_usage("invalid refresh interval '%s' (0.05..3600 seconds)", optarg);
			break;
		case 'w':
			if (!parse_seconds(optarg, 0.1, 86400, &o->window_s))
				return bad_usage("invalid window '%s' (0.1..86400 seconds)", optarg);
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "cumulative"))
				o->mode = DERIVE_CUMULATIVE;
			else if (!strcmp(optarg, "window"))
				o->mode = DERIVE_WINDOW;
			else if (!strcmp(optarg, "decay"))
				o->mode = DERIVE_DECAY;
			else
				return bad_usage("invalid mode '%s' (cumulative, window, decay)", optarg);
			break;
		case 's':
			if (!parse_sort(optarg, &o->bo.sort))
				return bad_usage("invalid sort key '%s' (self, total, name, module)", optarg);
			break;
		case OPT_FOLDED:
			o->bo.folded = true;
			break;
		case OPT_STACK_SIZE:
			/* The kernel takes at most 64 KiB less a little, in
			 * multiples of 8. */
			if (!parse_long(optarg, 0, 65528, &v) || v % 8)
				return bad_usage("invalid stack size '%s' (0..65528, a multiple of 8)", optarg);
			o->so.stack_size = (uint32_t)v;
			break;
		case OPT_MAX_DEPTH:
			if (!parse_long(optarg, 1, 16000, &v))
				return bad_usage("invalid max depth '%s' (1..16000)", optarg);
			o->so.max_depth = (size_t)v;
			break;
		case OPT_METHOD:
			if (!parse_method(optarg, &o->so.method))
				return bad_usage("invalid method '%s' (auto, perf, ptrace)", optarg);
			break;
		case OPT_NO_KERNEL:
			o->so.kernel = false;
			break;
		case 'o':
			o->bo.output = optarg;
			break;
		case OPT_FORMAT:
			if (export_format_parse(optarg) < 0)
				return bad_usage("invalid format '%s' (native, folded, pprof, svg)", optarg);
			o->bo.out_fmt = (enum export_fmt)export_format_parse(optarg);
			break;
		case OPT_LOAD:
			o->load = optarg;
			break;
		case OPT_OFF_CPU:
			o->so.off_cpu = true;
			break;
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_PYTHON:
			if (pymerge_mode_parse(optarg) < 0)
				return bad_usage("invalid python view '%s' (merged, python, native)", optarg);
			o->bo.pymode = (enum pymode)pymerge_mode_parse(optarg);
			o->so.python = o->bo.pymode != PYMODE_NATIVE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("proftui %s\n", PROFTUI_VERSION);
			return 0;
		case ':':
			return bad_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			return bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (o->load && (o->pid || o->argv))
		return bad_usage("%s", "--load shows a saved snapshot: no -p PID or command with it");
	if (o->load)
		return -1;
	if (!o->pid == !o->argv)
		return bad_usage("%s", o->pid ? "give either -p PID or a command, not both"
					      : "nothing to profile: give -p PID or -- COMMAND");
	return -1;
}

static int exit_code_for(int err)
{
	switch (-err) {
	case ESRCH: return EXIT_NO_PROCESS;
	case EACCES:
	case EPERM: return EXIT_PERMISSION;
	case ENOENT: return EXIT_NOT_FOUND;
	default: return EXIT_SAMPLING;
	}
}

static int start_target(struct opts *o, struct target *t, char *err, size_t len)
{
	if (o->argv) {
		int ret = target_launch(t, o->argv, err, len);

		o->so.pid = t->pid;
		o->so.enable_on_exec = true;
		o->so.python_likely = pyproc_command_is_python(o->argv);
		return ret;
	}
	o->so.pid = o->pid;
	return target_attach(t, o->pid, err, len);
}

/* --load: the snapshot in the live view on a terminal, else its report
 * (and with -o, a conversion). */
static int run_load(struct opts *o)
{
	struct snapshot *snap;
	char err[512];
	int code = -1;

	if (snapshot_load(o->load, &snap, err, sizeof(err))) {
		fprintf(stderr, "proftui: %s\n", err);
		return BATCH_EXIT_FILE;
	}
	if (!o->batch && !o->bo.output) {
		struct ui_opts uo = { .refresh_s = o->refresh_s, .sort = o->bo.sort,
				      .mode = DERIVE_CUMULATIVE, .window_s = o->window_s,
				      .pymode = o->bo.pymode, .version = PROFTUI_VERSION,
				      .baseline = o->bo.baseline ? o->bo.baseline->prof : NULL,
				      .baseline_name = o->baseline };

		code = ui_run_snapshot(&uo, snap, err, sizeof(err));
		if (code < 0)
			fprintf(stderr, "proftui: %s; printing the report instead\n", err);
	}
	if (code < 0)
		code = batch_loaded(&o->bo, snap);
	snapshot_free(snap);
	return code;
}

/* What a snapshot calls the target: the command line, or "pid N (comm)". */
static void describe_target(struct opts *o)
{
	char path[64], comm[64] = "";
	size_t at = 0;
	FILE *f;

	if (o->argv) {
		for (char **a = o->argv; *a && at + 2 < sizeof(o->desc); a++)
			at += (size_t)snprintf(o->desc + at, sizeof(o->desc) - at, "%s%s",
					       at ? " " : "", *a);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)o->pid);
		if ((f = fopen(path, "re"))) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		snprintf(o->desc, sizeof(o->desc), "pid %d (%s)", (int)o->pid, comm);
	}
	o->bo.target_desc = o->desc;
	o->bo.version = PROFTUI_VERSION;
}

/*
 * --baseline: loaded before any sampling, so a bad file costs nothing (exit
 * 6, as --load).  Returns -1 to go on (*snap set), or an exit code.
 */
static int load_baseline(struct opts *o, struct snapshot **snap)
{
	char err[512];

	*snap = NULL;
	if (!o->baseline)
		return -1;
	if (snapshot_load(o->baseline, snap, err, sizeof(err))) {
		fprintf(stderr, "proftui: --baseline: %s\n", err);
		return BATCH_EXIT_FILE;
	}
	/* The batch report ends with the diff, the live view starts with it
	 * (and a live view that falls back to the report has it there). */
	o->bo.baseline = *snap;
	o->bo.baseline_name = o->baseline;
	return -1;
}

static int run(struct opts *o)
{
	char err[512] = "";
	struct target t;
	struct sampler *s = NULL;
	struct sampler_info si = { 0 };
	struct ring *ring = ring_new(RING_BYTES);
	int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), ret, code;

	if (wake_fd < 0) {
		int e = errno;

		fprintf(stderr, "proftui: cannot create an eventfd: %s%s\n", strerror(e),
			e == EMFILE || e == ENFILE ? ": raise the limit (ulimit -n)" : "");
		ring_free(ring);
		return EXIT_SAMPLING;
	}
	if (!ring) {
		fprintf(stderr, "proftui: out of memory\n");
		close(wake_fd);
		return 1;
	}
	fesig_block();
	describe_target(o);
	ret = start_target(o, &t, err, sizeof(err));
	if (!ret)
		ret = sampler_start(&s, &o->so, ring, wake_fd, &si, err, sizeof(err));
	if (ret && t.launched) {
		target_release(&t);   /* EOF on the go pipe: the child gives up */
		target_reap(&t);
	}
	if (!ret && t.launched && (ret = target_start(&t, err, sizeof(err))) != 0) {
		sampler_stop(s);
		code = ret == -ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
		goto fail_code;
	}
	if (ret) {
		code = exit_code_for(ret);
		goto fail_code;
	}
	if (si.note[0])
		fprintf(stderr, "proftui: %s\n", si.note);
	code = -1;
	if (!o->batch) {
		struct ui_opts uo = { .refresh_s = o->refresh_s, .duration_s = o->bo.duration_s,
				      .sort = o->bo.sort, .mode = o->mode, .window_s = o->window_s,
				      .pymode = o->bo.pymode, .target_desc = o->desc,
				      .output = o->bo.output, .out_fmt = o->bo.out_fmt,
				      .version = PROFTUI_VERSION,
				      .baseline = o->bo.baseline ? o->bo.baseline->prof : NULL,
				      .baseline_name = o->baseline };

		code = ui_run(&uo, &t, s, &si, ring, wake_fd, err, sizeof(err));
		if (code < 0)
			fprintf(stderr, "proftui: %s; printing the batch report instead\n", err);
	}
	if (code < 0)
		code = batch_run(&o->bo, &t, s, &si, ring, wake_fd);
	target_release(&t);
	ring_free(ring);
	close(wake_fd);
	return code;

fail_code:
	/* With --method auto both refusals count: perf's first (the note
	 * says it was refused and why), then what stopped ptrace. */
	if (si.note[0] && o->so.method == SAMPLER_AUTO)
		fprintf(stderr, "proftui: %s\n", si.note);
	fprintf(stderr, "proftui: %s\n", err);
	target_release(&t);
	ring_free(ring);
	close(wake_fd);
	return code;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct snapshot *base;
	int code = parse_args(argc, argv, &o);

	if (code >= 0)
		return code;
	code = load_baseline(&o, &base);
	if (code >= 0)
		return code;
	/* Over a file-size limit, let writes fail (EFBIG) and the save clean
	 * up and say so, rather than die of SIGXFSZ mid-file. */
	signal(SIGXFSZ, SIG_IGN);
	/* Keep freed heap memory rather than hand it back at once: the
	 * sampler thread's arena otherwise shrinks after every large free
	 * (a /proc read's buffer, once a second) and page-faults it all back
	 * in at the next, a steady cost in the system time proftui adds. */
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	code = o.load ? run_load(&o) : run(&o);
	snapshot_free(base);
	return code;
}
