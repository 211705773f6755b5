/* test_modcache.c — the sampler's module cache: a process that exits with samples still to name keeps its mappings. */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proftui/modcache.h"

/* The state letter of /proc/PID/stat ('Z' for a zombie). */
static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/*
 * A zombie's maps file is empty: a refresh then (the sampler meets a
 * garbage address in one of the last samples) must not forget the
 * mappings the samples still in the rings need.
 */
Test(modcache, an_exited_process_keeps_its_mappings)
{
	pid_t kid = fork();
	struct modcache *mc;
	uint64_t addr = (uint64_t)(uintptr_t)&state_of;   /* this test's text, the child's too */

	cr_assert_geq(kid, 0);
	if (kid == 0) {
		pause();
		_exit(0);
	}
	mc = modcache_new(kid, NULL, NULL);
	cr_assert_not_null(mc);
	cr_assert_eq(modcache_refresh(mc, true), 0);
	cr_assert_not_null(modcache_map(mc, addr), "the child's text is not in its maps");
	kill(kid, SIGKILL);
	for (int i = 0; i < 200 && state_of(kid) != 'Z'; i++)
		usleep(10000);
	cr_assert_eq(state_of(kid), 'Z');
	cr_assert_lt(modcache_refresh(mc, true), 0, "an empty maps file replaced the mappings");
	cr_assert_not_null(modcache_map(mc, addr), "the exited child's mappings were forgotten");
	waitpid(kid, NULL, 0);
	modcache_free(mc);
}
