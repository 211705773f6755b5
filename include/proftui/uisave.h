/* uisave.h — saving from the live UI: the default file name, the session's metadata, the status-line message. */
#ifndef PROFTUI_UISAVE_H
#define PROFTUI_UISAVE_H

#include <stddef.h>
#include <time.h>

#include "proftui/prochist.h"
#include "proftui/profile.h"
#include "proftui/snapshot.h"
#include "proftui/uiprompt.h"

/*
 * The name the save prompt offers: "proftui-HINT-YYYYmmdd-HHMMSS.snap" in
 * the current directory (a relative name: never a guessable path in a shared
 * directory such as /tmp), at local time `now`.  HINT is `hint` (the
 * target's comm) with anything but [A-Za-z0-9._+-] made '_', cut to 32
 * bytes, "target" when empty.  When that name is already taken (two saves in
 * one second) "-2", "-3", ... go before ".snap".  Returns 0, or -ENAMETOOLONG
 * when len is too small.
 */
int uisave_default_name(char *buf, size_t len, const char *hint, time_t now);

/* A short name for a snapshot's target (snap_meta.target): COMM in
 * "pid N (COMM)", else the base name of the command's first word; "" for
 * NULL. */
void uisave_hint(char *buf, size_t len, const char *target);

/*
 * Save p (and h) to path through export_save, the format by the name, with
 * m as the session's description; host and kernel come from uname(2) when m
 * leaves them NULL.  A leading "~/" is the home directory.  Writes the
 * status line to msg: "saved PATH (FORMAT)", or export_save's one-line
 * reason.  Returns 0 or -errno; p and h are only read, so a failed save
 * loses nothing.
 */
int uisave_write(const char *path, const struct profile *p, const struct prochist *h,
		 const struct snap_meta *m, char *msg, size_t msglen);

/* What the save key remembers from one save to the next. */
struct uisave {
	char failed[UIPROMPT_MAX + 1];   /* the path of a failed save, "" after a success */
	char fresh[UIPROMPT_MAX + 1];    /* the last default name offered */
};

/* The text the save prompt starts with: after a failure the path that
 * failed, to be corrected rather than typed again; else a fresh
 * uisave_default_name(hint, now). */
const char *uisave_offer(struct uisave *s, const char *hint, time_t now);

/* uisave_write, remembering path when it fails; an empty path saves
 * nothing and says so in msg (-EINVAL). */
int uisave_commit(struct uisave *s, const char *path, const struct profile *p,
		  const struct prochist *h, const struct snap_meta *m, char *msg, size_t msglen);

#endif
