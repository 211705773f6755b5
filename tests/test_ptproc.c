/* test_ptproc.c — /proc facts about a ptrace target and the causes given when a seize is refused. */
#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proftui/ptproc.h"

static pid_t child_pid;

static void start_child(void)
{
	child_pid = fork();
	cr_assert_geq(child_pid, 0);
	if (child_pid == 0) {
		for (;;)
			pause();
	}
}

static void stop_child(void)
{
	if (child_pid > 0) {
		kill(child_pid, SIGKILL);
		waitpid(child_pid, NULL, __WALL);
	}
	child_pid = 0;
}

/* Wait (bounded) until the child's state letter is want. */
static bool wait_state(char want)
{
	for (int i = 0; i < 400; i++) {
		if (ptproc_task_state(child_pid, child_pid) == want)
			return true;
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	return false;
}

TestSuite(ptproc, .fini = stop_child, .timeout = 20);

Test(ptproc, states_of_self_and_a_child)
{
	cr_expect_eq(ptproc_task_state(getpid(), gettid()), 'R', "reading its own stat, it runs");
	start_child();
	cr_expect(wait_state('S'), "a paused child sleeps: %c",
		  ptproc_task_state(child_pid, child_pid));
	cr_expect_eq(ptproc_tracer_of(child_pid, child_pid), 0);
	kill(child_pid, SIGKILL);
	cr_expect(wait_state('Z'), "killed and not reaped: a zombie");
	cr_expect_eq(ptproc_task_state(child_pid, child_pid + 1000000), 0, "no such thread");
}

Test(ptproc, tracer_is_named)
{
	char err[256] = "";

	start_child();
	if (ptrace(PTRACE_SEIZE, child_pid, NULL, NULL) < 0)
		cr_skip_test("ptrace not permitted: %s", strerror(errno));
	cr_expect_eq(ptproc_tracer_of(child_pid, child_pid), gettid());
	cr_expect_eq(ptproc_explain(child_pid, EPERM, err, sizeof(err)), -EPERM);
	cr_expect_not_null(strstr(err, "already traced by PID"), "err: %s", err);
	char want[32];

	snprintf(want, sizeof(want), "PID %d ", (int)gettid());
	cr_expect_not_null(strstr(err, want), "err: %s", err);
}

Test(ptproc, causes)
{
	char err[256], pid[32];

	cr_expect_eq(ptproc_explain(424242, ESRCH, err, sizeof(err)), -ESRCH);
	cr_expect_str_eq(err, "no such process 424242");
	cr_expect_eq(ptproc_explain(424242, EIO, err, sizeof(err)), -EIO);
	cr_expect_str_eq(err, "cannot trace process 424242: Input/output error");
	start_child();
	kill(child_pid, SIGKILL);
	cr_assert(wait_state('Z'));
	cr_expect_eq(ptproc_explain(child_pid, EPERM, err, sizeof(err)), -ESRCH);
	cr_expect_not_null(strstr(err, "has exited (zombie)"), "err: %s", err);
	/* A live child of our own uid: some EPERM cause, naming the pid. */
	stop_child();
	start_child();
	cr_expect_eq(ptproc_explain(child_pid, EPERM, err, sizeof(err)), -EPERM);
	snprintf(pid, sizeof(pid), "%d", (int)child_pid);
	cr_expect_not_null(strstr(err, pid), "err: %s", err);
	/* No room for a cause is fine. */
	cr_expect_eq(ptproc_explain(424242, ESRCH, NULL, 0), -ESRCH);
	cr_expect_eq(ptproc_fail(err, 4, -7, "%s", "truncated"), -7);
	cr_expect_str_eq(err, "tru");
}

Test(ptproc, task_names_and_self)
{
	cr_expect_eq(ptproc_tid("123"), 123);
	cr_expect_eq(ptproc_tid("2147483647"), 2147483647);
	cr_expect_eq(ptproc_tid("2147483648"), 0);
	cr_expect_eq(ptproc_tid("."), 0);
	cr_expect_eq(ptproc_tid(".."), 0);
	cr_expect_eq(ptproc_tid("0"), 0);
	cr_expect_eq(ptproc_tid("-5"), 0);
	cr_expect_eq(ptproc_tid("12a"), 0);
	cr_expect_eq(ptproc_tid(""), 0);
	cr_expect(ptproc_is_self(getpid()));
	cr_expect(ptproc_is_self(gettid()));
	start_child();
	cr_expect_not(ptproc_is_self(child_pid));
}
