/* target.h — the process being profiled: attach to a PID or launch a command, and its end. */
#ifndef PROFTUI_TARGET_H
#define PROFTUI_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct target {
	pid_t pid;
	int pidfd;              /* pins the process: PID reuse cannot fool us */
	bool launched;          /* we are its parent and reap it */
	bool reaped;
	int wait_status;        /* valid once reaped */
	uid_t uid;              /* real uid of the target */
	uint64_t start_ticks;   /* /proc/PID/stat starttime, with pid = identity */
	char comm[64];
	int go_fd;              /* launch: write end that lets the child exec */
	int exec_fd;            /* launch: read end reporting execve failure */
};

/* Exit codes shared by every front end (documented in proftui(1)). */
enum {
	EXIT_USAGE = 2,
	EXIT_NO_PROCESS = 3,
	EXIT_PERMISSION = 4,
	EXIT_SAMPLING = 5,
	EXIT_NOT_EXECUTABLE = 126,
	EXIT_NOT_FOUND = 127,
};

/* Check that pid exists and open a pidfd on it.  Returns 0 or -errno
 * (-ESRCH no such process) with a one-line message in err. */
int target_attach(struct target *t, pid_t pid, char *err, size_t errlen);

/*
 * Fork a child that waits for target_start before it execs argv (searching
 * PATH), so events can be opened on it first and enabled by the exec itself:
 * the command is profiled from its first instruction.
 */
int target_launch(struct target *t, char *const argv[], char *err, size_t errlen);

/* Let the launched child exec.  Returns 0, or -ENOENT / -EACCES (and the
 * child is reaped) when the command could not be executed. */
int target_start(struct target *t, char *err, size_t errlen);

/* Reap a launched child, blocking; idempotent.  Returns its wait status. */
int target_reap(struct target *t);

/* Record a wait status collected elsewhere (the ptrace sampler's waits see
 * a traced child's end first); target_reap then returns it. */
void target_set_status(struct target *t, int wait_status);

/* Has the process ended (zombie or gone)?  Never blocks, never reaps. */
bool target_ended(const struct target *t);

/* Exit code proftui should return for a launched child's wait status:
 * its exit code, or 128 + signal number. */
int target_exit_code(int wait_status);

void target_release(struct target *t);

#endif
