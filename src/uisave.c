/* uisave.c — saving from the live UI: the default file name, the session's metadata, the status-line message. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "proftui/export.h"
#include "proftui/uisave.h"

#define UISAVE_HINT_MAX 32

/* Keep file names to characters no shell or file manager trips over. */
static void clean_hint(char *out, size_t len, const char *hint)
{
	size_t n = 0;

	for (; hint && *hint && n + 1 < len && n < UISAVE_HINT_MAX; hint++) {
		char ch = *hint;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || strchr("._+-", ch);

		out[n++] = ok ? ch : '_';
	}
	out[n] = '\0';
	/* A leading dot would hide the file. */
	if (out[0] == '.')
		out[0] = '_';
	if (!n)
		snprintf(out, len, "target");
}

int uisave_default_name(char *buf, size_t len, const char *hint, time_t now)
{
	char h[UISAVE_HINT_MAX + 1], stamp[32];
	struct tm tm;
	struct stat st;
	int n;

	clean_hint(h, sizeof(h), hint);
	if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm))
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	n = snprintf(buf, len, "proftui-%s-%s.snap", h, stamp);
	/* lstat: a dangling symlink is taken too. */
	for (unsigned i = 2; n >= 0 && (size_t)n < len && lstat(buf, &st) == 0 && i < 1000; i++)
		n = snprintf(buf, len, "proftui-%s-%s-%u.snap", h, stamp, i);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

void uisave_hint(char *buf, size_t len, const char *target)
{
	const char *open, *close, *end, *base;

	if (!len)
		return;
	buf[0] = '\0';
	if (!target)
		return;
	open = strchr(target, '(');
	close = strrchr(target, ')');
	if (!strncmp(target, "pid ", 4) && open && close > open) {
		snprintf(buf, len, "%.*s", (int)(close - open - 1), open + 1);
		return;
	}
	end = target + strcspn(target, " ");
	base = target;
	for (const char *s = target; s < end; s++)
		if (*s == '/' && s + 1 < end)
			base = s + 1;
	snprintf(buf, len, "%.*s", (int)(end - base), base);
}

/* "~/x" is what users type; the shell is not there to expand it. */
static const char *expand_home(const char *path, char *buf, size_t len)
{
	const char *home = getenv("HOME");
	int n;

	if (strncmp(path, "~/", 2) || !home || !*home)
		return path;
	n = snprintf(buf, len, "%s%s", home, path + 1);
	return n >= 0 && (size_t)n < len ? buf : path;
}

int uisave_write(const char *path, const struct profile *p, const struct prochist *h,
		 const struct snap_meta *m, char *msg, size_t msglen)
{
	char full[PATH_MAX + 2];
	struct utsname u;
	struct snap_meta meta = m ? *m : (struct snap_meta){ 0 };
	int ret;

	path = expand_home(path, full, sizeof(full));
	if ((!meta.host || !meta.kernel) && uname(&u) == 0) {
		meta.host = meta.host ? meta.host : u.nodename;
		meta.kernel = meta.kernel ? meta.kernel : u.release;
	}
	ret = export_save(path, EXPORT_AUTO, p, &meta, h, msg, msglen);
	if (!ret)
		snprintf(msg, msglen, "saved %s (%s)", path,
			 export_format_name(export_format_for(path)));
	return ret;
}

const char *uisave_offer(struct uisave *s, const char *hint, time_t now)
{
	if (s->failed[0])
		return s->failed;
	uisave_default_name(s->fresh, sizeof(s->fresh), hint, now);
	return s->fresh;
}

int uisave_commit(struct uisave *s, const char *path, const struct profile *p,
		  const struct prochist *h, const struct snap_meta *m, char *msg, size_t msglen)
{
	int ret;

	if (!*path) {
		snprintf(msg, msglen, "not saved: no file name");
		return -EINVAL;
	}
	ret = uisave_write(path, p, h, m, msg, msglen);
	if (ret)
		snprintf(s->failed, sizeof(s->failed), "%s", path);
	else
		s->failed[0] = '\0';
	return ret;
}
