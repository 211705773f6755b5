/* safefile.h — write a file safely: a fresh temporary file beside it, then rename over the target. */
#ifndef PROFTUI_SAFEFILE_H
#define PROFTUI_SAFEFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Every writer of user-named output (snapshots, exports) goes through this,
 * so a failed save never leaves half a file under the user's name nor
 * clobbers the previous one, and a hostile directory cannot redirect it:
 *
 *  - the temporary file is created in the target's directory with a random
 *    name (".NAME.<16 hex digits>.tmp"), O_CREAT|O_EXCL|O_NOFOLLOW, mode
 *    0666 masked by umask as the shell's '>' would, or, when it replaces a
 *    regular file, that file's permission bits (a private file stays
 *    private);
 *  - the target must be absent, or a regular file (a symlink is replaced,
 *    never followed; a FIFO, device or directory is refused);
 *  - commit flushes, fsyncs, checks for write errors (full disk) and
 *    renames over the target; on any failure the temporary file is removed.
 *
 * Errors come back as -errno plus a one-line message in err naming the path
 * and what to do ("cannot write /x/y.svg: No space left on device").
 */
struct safefile {
	FILE *fp;              /* write here between open and commit/abort */
	char *path;            /* the target */
	char *tmp;             /* the temporary file */
};

/* On failure nothing is left behind and sf is reset (abort is then a no-op). */
int safefile_open(struct safefile *sf, const char *path, char *err, size_t errlen);
/* The same, but the file gets exactly mode (permission bits), whatever the
 * umask or a replaced file's mode, from its creation on: a private file is
 * never readable by others, not even before it has content. */
int safefile_open_mode(struct safefile *sf, const char *path, mode_t mode,
		       char *err, size_t errlen);

/* What a file of mode m is, for messages: "a directory", "a FIFO", ... */
const char *safefile_kind(mode_t m);
/* Flush, fsync, rename; closes fp, frees and resets sf in every case, and on
 * failure removes the temporary file, so the target is untouched.  -EINVAL
 * when sf is not open. */
int safefile_commit(struct safefile *sf, char *err, size_t errlen);
/* Close and remove the temporary file (safe after a failed open, idempotent). */
void safefile_abort(struct safefile *sf);

#endif
