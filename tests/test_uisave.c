/* test_uisave.c — saving from the UI: default names, hints from a snapshot's target, messages, ~, retry after a failure. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proftui/snapshot.h"
#include "proftui/uisave.h"
#include "tmpdir.h"

static char dir[TD_LEN], here[4096];

/* Each test runs in a fresh directory: default names are relative. */
static void setup(void)
{
	td_make(dir, "test_uisave");
	cr_assert_not_null(getcwd(here, sizeof(here)));
	cr_assert_eq(chdir(dir), 0);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void teardown(void)
{
	cr_assert_eq(chdir(here), 0);
	td_remove(dir);
}

TestSuite(uisave, .init = setup, .fini = teardown);

static void touch(const char *name)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0600);

	cr_assert_geq(fd, 0, "create %s", name);
	close(fd);
}

/* 2024-05-01 12:34:56 UTC */
#define WHEN ((time_t)1714566896)

Test(uisave, default_name_is_relative_and_stamped)
{
	char buf[256];

	cr_assert_eq(uisave_default_name(buf, sizeof(buf), "split", WHEN), 0);
	cr_assert_str_eq(buf, "proftui-split-20240501-123456.snap");
}

Test(uisave, default_name_cleans_the_hint)
{
	char buf[256];

	uisave_default_name(buf, sizeof(buf), "a b/c;$(x)", WHEN);
	cr_assert_str_eq(buf, "proftui-a_b_c___x_-20240501-123456.snap");
	uisave_default_name(buf, sizeof(buf), "", WHEN);
	cr_assert_str_eq(buf, "proftui-target-20240501-123456.snap");
	uisave_default_name(buf, sizeof(buf), NULL, WHEN);
	cr_assert_str_eq(buf, "proftui-target-20240501-123456.snap");
	uisave_default_name(buf, sizeof(buf), "../..", WHEN);
	cr_assert_eq(strchr(buf, '/'), NULL, "%s", buf);
	uisave_default_name(buf, sizeof(buf), "0123456789012345678901234567890123456789", WHEN);
	cr_assert_str_eq(buf, "proftui-01234567890123456789012345678901-20240501-123456.snap");
}

Test(uisave, default_name_never_takes_an_existing_file)
{
	char buf[256];

	touch("proftui-x-20240501-123456.snap");
	cr_assert_eq(uisave_default_name(buf, sizeof(buf), "x", WHEN), 0);
	cr_assert_str_eq(buf, "proftui-x-20240501-123456-2.snap");
	touch(buf);
	/* A dangling symlink counts as taken too. */
	cr_assert_eq(symlink("/nonexistent/target", "proftui-x-20240501-123456-3.snap"), 0);
	uisave_default_name(buf, sizeof(buf), "x", WHEN);
	cr_assert_str_eq(buf, "proftui-x-20240501-123456-4.snap");
}

Test(uisave, default_name_too_long_for_the_buffer)
{
	char buf[10];

	cr_assert_eq(uisave_default_name(buf, sizeof(buf), "split", WHEN), -ENAMETOOLONG);
	cr_assert_str_eq(buf, "");
}

Test(uisave, hint_from_a_snapshot_target)
{
	char buf[64];

	uisave_hint(buf, sizeof(buf), "pid 123 (nginx)");
	cr_assert_str_eq(buf, "nginx");
	uisave_hint(buf, sizeof(buf), "/usr/bin/python3 app.py");
	cr_assert_str_eq(buf, "python3");
	uisave_hint(buf, sizeof(buf), "./build/workloads/split 2");
	cr_assert_str_eq(buf, "split");
	uisave_hint(buf, sizeof(buf), "make");
	cr_assert_str_eq(buf, "make");
	uisave_hint(buf, sizeof(buf), NULL);
	cr_assert_str_eq(buf, "");
	uisave_hint(buf, 4, "pid 1 (systemd)");
	cr_assert_str_eq(buf, "sys");
}

static struct profile *tiny_profile(void)
{
	struct profile *p = profile_new();
	uint32_t f;

	cr_assert_not_null(p);
	f = profile_func(p, "func_a", "/bin/app");
	cr_assert_eq(profile_add_sample(p, 7, &f, 1, 5, 1000), 0);
	return p;
}

Test(uisave, write_says_saved_with_the_format_and_loads_back)
{
	struct profile *p = tiny_profile();
	struct snap_meta m = { .target = "pid 7 (app)", .pid = 7, .method = "perf", .freq_hz = 999 };
	struct snapshot *s;
	char msg[512], err[512];

	cr_assert_eq(uisave_write("a.snap", p, NULL, &m, msg, sizeof(msg)), 0);
	cr_assert_str_eq(msg, "saved a.snap (native)");
	cr_assert_eq(snapshot_load("a.snap", &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(s->meta.target, "pid 7 (app)");
	/* uname filled what the caller left out. */
	cr_assert_not_null(s->meta.host);
	cr_assert_not_null(s->meta.kernel);
	cr_assert_eq(profile_stats_const(s->prof)->samples, 5);
	snapshot_free(s);
	cr_assert_eq(uisave_write("a.folded", p, NULL, NULL, msg, sizeof(msg)), 0);
	cr_assert_str_eq(msg, "saved a.folded (folded)");
	profile_free(p);
}

Test(uisave, write_failure_gives_the_reason)
{
	struct profile *p = tiny_profile();
	char msg[512];

	cr_assert_lt(uisave_write("no/such/dir/a.snap", p, NULL, NULL, msg, sizeof(msg)), 0);
	cr_assert_not_null(strstr(msg, "no/such/dir"), "%s", msg);
	cr_assert_null(strchr(msg, '\n'));
	profile_free(p);
}

Test(uisave, tilde_is_the_home_directory)
{
	struct profile *p = tiny_profile();
	char msg[512], want[256];

	setenv("HOME", dir, 1);
	cr_assert_eq(uisave_write("~/h.snap", p, NULL, NULL, msg, sizeof(msg)), 0, "%s", msg);
	snprintf(want, sizeof(want), "saved %s/h.snap (native)", dir);
	cr_assert_str_eq(msg, want);
	cr_assert_eq(access("h.snap", F_OK), 0);
	profile_free(p);
}

/* After a failure the same path is offered again; after a success a new name. */
Test(uisave, offer_remembers_a_failed_path)
{
	struct profile *p = tiny_profile();
	struct uisave s = { 0 };
	char msg[512];

	cr_assert_str_eq(uisave_offer(&s, "app", WHEN), "proftui-app-20240501-123456.snap");
	cr_assert_lt(uisave_commit(&s, "no/dir/x.snap", p, NULL, NULL, msg, sizeof(msg)), 0);
	cr_assert_str_eq(uisave_offer(&s, "app", WHEN), "no/dir/x.snap");
	cr_assert_eq(uisave_commit(&s, "x.snap", p, NULL, NULL, msg, sizeof(msg)), 0);
	cr_assert_str_eq(msg, "saved x.snap (native)");
	cr_assert_str_eq(uisave_offer(&s, "app", WHEN), "proftui-app-20240501-123456.snap");
	cr_assert_eq(uisave_commit(&s, "", p, NULL, NULL, msg, sizeof(msg)), -EINVAL);
	cr_assert_str_eq(msg, "not saved: no file name");
	profile_free(p);
}

/* A cancelled prompt leaves nothing behind: the next offer is fresh. */
Test(uisave, offer_after_a_cancel_is_fresh)
{
	struct uisave s = { 0 };

	cr_assert_str_eq(uisave_offer(&s, "app", WHEN), "proftui-app-20240501-123456.snap");
	cr_assert_str_eq(uisave_offer(&s, "app", WHEN + 1), "proftui-app-20240501-123457.snap");
}
