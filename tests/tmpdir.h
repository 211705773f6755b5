/* tmpdir.h — a private scratch directory for a test: made fresh, then removed with all it holds. */
#ifndef PROFTUI_TEST_TMPDIR_H
#define PROFTUI_TEST_TMPDIR_H

/* For criterion tests only (static inline, like fixture.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#define TD_LEN 64

/* dir (TD_LEN bytes) becomes a new directory /tmp/NAME.XXXXXX. */
static inline void td_make(char *dir, const char *name)
{
	snprintf(dir, TD_LEN, "/tmp/%s.XXXXXX", name);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
}

/* Remove dir and everything below it. */
static inline void td_remove(const char *dir)
{
	char cmd[TD_LEN + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

#endif
