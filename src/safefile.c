/* safefile.c — write a file safely: a fresh temporary file beside it, then rename over the target. */
#include "proftui/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proftui/sanitize.h"

/* Attempts at a fresh name: only someone guessing 64 random bits collides. */
#define SAFEFILE_TRIES		16
/* Bytes of the target's name kept in the temporary's, so a leftover after a
 * crash says what it was, while the whole name stays under NAME_MAX. */
#define SAFEFILE_BASE_KEEP	64
#define SAFEFILE_MSG_MAX	256

__attribute__((format(printf, 4, 5)))
static void safefile_msg(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	char what[SAFEFILE_MSG_MAX], safe[SAFEFILE_MSG_MAX];
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* The path is shown on the UI's status line: no escapes through it. */
	sanitize_name(path, safe, sizeof(safe));
	snprintf(err, errlen, "cannot write %s: %s", safe, what);
}

const char *safefile_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "a special file";
}

/*
 * rename replaces any non-directory, so a FIFO or device under the name must
 * be refused here; a symlink is fine because rename replaces the link itself.
 * *mode gets a replaced regular file's permission bits (0 otherwise) so that
 * a file the user made private stays private.
 */
static int safefile_check(const char *path, mode_t *mode, char *err, size_t errlen)
{
	struct stat st;
	int e;

	*mode = 0;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		e = errno;
		safefile_msg(err, errlen, path, "%s", strerror(e));
		return -e;
	}
	if (S_ISLNK(st.st_mode))
		return 0;
	if (S_ISREG(st.st_mode)) {
		*mode = st.st_mode & 0777;
		return 0;
	}
	safefile_msg(err, errlen, path, "it is %s; choose a regular file name",
		     safefile_kind(st.st_mode));
	return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
}

/* "dir/.base.<16 hex>.tmp" beside path. */
static int safefile_tmpname(const char *path, char **out)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = (size_t)(base - path), blen = strlen(base);
	uint64_t rnd;
	size_t len;
	char *tmp;

	if (blen > SAFEFILE_BASE_KEEP)
		blen = SAFEFILE_BASE_KEEP;
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return errno ? -errno : -EIO;
	len = dirlen + 1 + blen + 1 + 16 + 4 + 1;
	tmp = malloc(len);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, dirlen);
	snprintf(tmp + dirlen, len - dirlen, ".%.*s.%016llx.tmp", (int)blen, base,
		 (unsigned long long)rnd);
	*out = tmp;
	return 0;
}

/* No mode asked for: the shell's '>' rules (0666 & ~umask, or the replaced file's). */
#define SAFEFILE_MODE_ANY ((mode_t)-1)

/* O_EXCL|O_NOFOLLOW: a name planted in a shared directory is never opened.
 * create is the mode open() gets, keep (when not 0) the one set after. */
static int safefile_create(struct safefile *sf, mode_t create, mode_t keep)
{
	for (int i = 0; i < SAFEFILE_TRIES; i++) {
		int err = safefile_tmpname(sf->path, &sf->tmp), fd;

		if (err)
			return err;
		fd = open(sf->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, create);
		if (fd < 0) {
			err = -errno;
			free(sf->tmp);
			sf->tmp = NULL;
			if (err == -EEXIST)
				continue;
			return err;
		}
		if ((keep && fchmod(fd, keep) < 0) || !(sf->fp = fdopen(fd, "w"))) {
			err = -errno;
			close(fd);
			return err;
		}
		return 0;
	}
	return -EEXIST;
}

static int safefile_open_as(struct safefile *sf, const char *path, mode_t mode,
			    char *err, size_t errlen)
{
	mode_t keep;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!sf)
		return -EINVAL;
	memset(sf, 0, sizeof(*sf));
	if (!path || !*path) {
		safefile_msg(err, errlen, "", "no file name given");
		return -EINVAL;
	}
	ret = safefile_check(path, &keep, err, errlen);
	if (ret)
		return ret;
	sf->path = strdup(path);
	if (!sf->path) {
		safefile_msg(err, errlen, path, "out of memory");
		return -ENOMEM;
	}
	if (mode == SAFEFILE_MODE_ANY)
		ret = safefile_create(sf, 0666, keep);
	else
		ret = safefile_create(sf, mode & 07777, mode & 07777);
	if (ret) {
		safefile_msg(err, errlen, path, "%s", strerror(-ret));
		safefile_abort(sf);
	}
	return ret;
}

int safefile_open(struct safefile *sf, const char *path, char *err, size_t errlen)
{
	return safefile_open_as(sf, path, SAFEFILE_MODE_ANY, err, errlen);
}

int safefile_open_mode(struct safefile *sf, const char *path, mode_t mode,
		       char *err, size_t errlen)
{
	return safefile_open_as(sf, path, mode, err, errlen);
}

/* The rename is only durable once the directory is synced; a failure here
 * loses nothing the user has now, so it is not reported. */
static void safefile_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
	int fd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Everything written reaches the disk, or the first error that stopped it. */
static int safefile_flush(FILE *fp, bool *earlier)
{
	int ret = 0;

	*earlier = ferror(fp) != 0;
	errno = 0;
	if (fflush(fp) != 0)
		ret = errno ? -errno : -EIO;
	else if (*earlier)
		ret = -EIO;
	else if (fsync(fileno(fp)) < 0)
		ret = -errno;
	if (fclose(fp) != 0 && !ret)
		ret = errno ? -errno : -EIO;
	return ret;
}

int safefile_commit(struct safefile *sf, char *err, size_t errlen)
{
	bool earlier = false;
	mode_t mode;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!sf || !sf->fp || !sf->path || !sf->tmp)
		return -EINVAL;
	ret = safefile_flush(sf->fp, &earlier);
	sf->fp = NULL;
	if (ret && earlier && ret == -EIO) {
		/* stdio lost the errno of the write that failed. */
		safefile_msg(err, errlen, sf->path,
			     "a write failed (disk full or file too large?)");
	} else if (ret) {
		safefile_msg(err, errlen, sf->path, "%s", strerror(-ret));
	} else {
		/* Again: the name may have changed into a FIFO or directory since. */
		ret = safefile_check(sf->path, &mode, err, errlen);
		if (!ret && rename(sf->tmp, sf->path) < 0) {
			ret = -errno;
			safefile_msg(err, errlen, sf->path, "%s", strerror(-ret));
		}
	}
	if (!ret) {
		safefile_sync_dir(sf->path);
		free(sf->tmp);
		sf->tmp = NULL;
	}
	safefile_abort(sf);
	return ret;
}

void safefile_abort(struct safefile *sf)
{
	if (!sf)
		return;
	if (sf->fp)
		fclose(sf->fp);
	if (sf->tmp)
		unlink(sf->tmp);
	free(sf->tmp);
	free(sf->path);
	memset(sf, 0, sizeof(*sf));
}
