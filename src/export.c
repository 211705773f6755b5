/* export.c — save a profile under a user-given name, in the format its name (or a flag) asks for. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proftui/export.h"
#include "proftui/flamesvg.h"
#include "proftui/pprof.h"
#include "proftui/report.h"
#include "proftui/safefile.h"
#include "proftui/sanitize.h"

static const char *const fmt_names[] = {
	[EXPORT_AUTO] = "auto", [EXPORT_NATIVE] = "native", [EXPORT_FOLDED] = "folded",
	[EXPORT_PPROF] = "pprof", [EXPORT_SVG] = "svg",
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

enum export_fmt export_format_for(const char *path)
{
	if (ends_with(path, ".folded"))
		return EXPORT_FOLDED;
	if (ends_with(path, ".pb.gz"))
		return EXPORT_PPROF;
	if (ends_with(path, ".svg"))
		return EXPORT_SVG;
	return EXPORT_NATIVE;
}

int export_format_parse(const char *name)
{
	for (int i = EXPORT_NATIVE; i <= EXPORT_SVG; i++)
		if (!strcmp(name, fmt_names[i]))
			return i;
	return -1;
}

const char *export_format_name(enum export_fmt fmt)
{
	return fmt <= EXPORT_SVG ? fmt_names[fmt] : "?";
}

static int write_svg(FILE *out, const struct profile *p, const struct snap_meta *m)
{
	char sub[512] = "";
	struct flamesvg_opts o = { .subtitle = sub };

	if (m && m->target)
		snprintf(sub, sizeof(sub), "%s, %.1f s, %llu samples", m->target, m->duration_s,
			 (unsigned long long)profile_stats_const(p)->samples);
	return flamesvg_write(out, p, &o);
}

static int write_pprof(FILE *out, const struct profile *p, const struct snap_meta *m)
{
	struct pprof_info info = { 0 };

	if (m) {
		info.freq_hz = m->freq_hz;
		info.duration_s = m->duration_s;
		info.start_unix_ns = m->start_unix * 1000000000ll;
		info.comment = m->target;
	}
	return pprof_write(out, p, &info);
}

static int write_fmt(FILE *out, enum export_fmt fmt, const struct profile *p,
		     const struct snap_meta *m, const struct prochist *h)
{
	switch (fmt) {
	case EXPORT_FOLDED:
		return report_folded(out, p);
	case EXPORT_PPROF:
		return write_pprof(out, p, m);
	case EXPORT_SVG:
		return write_svg(out, p, m);
	default:
		return snapshot_write(out, p, m, h);
	}
}

int export_save(const char *path, enum export_fmt fmt, const struct profile *p,
		const struct snap_meta *m, const struct prochist *h, char *err, size_t errlen)
{
	struct safefile sf;
	int ret;

	if (fmt == EXPORT_AUTO)
		fmt = export_format_for(path);
	ret = safefile_open(&sf, path, err, errlen);
	if (ret)
		return ret;
	ret = write_fmt(sf.fp, fmt, p, m, h);
	if (ret == -EIO) {
		/* A write failed (full disk, file-size limit): commit finds
		 * the stream's error, names its cause and removes the file. */
		safefile_commit(&sf, err, errlen);
		return -EIO;
	}
	if (ret) {
		char safe[1024];

		sanitize_name(path, safe, sizeof(safe));
		snprintf(err, errlen, "cannot write %s: %s", safe, strerror(-ret));
		safefile_abort(&sf);
		return ret;
	}
	return safefile_commit(&sf, err, errlen);
}
