/* target.c — attach to or launch the process to profile, and notice its end. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proftui/target.h"

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void read_identity(struct target *t)
{
	char path[64], buf[1024];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(buf, sizeof(buf), f))
			if (sscanf(buf, "Uid: %u", &t->uid) == 1)
				break;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->pid);
	if ((f = fopen(path, "re"))) {
		if (fgets(t->comm, sizeof(t->comm), f))
			t->comm[strcspn(t->comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)t->pid);
	if ((f = fopen(path, "re"))) {
		/* comm may hold spaces and parentheses: fields resume after
		 * the last ')'; starttime is field 22. */
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		char *p;

		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p)
			sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
				      "%*d %*d %*d %*d %lu", (unsigned long *)&t->start_ticks);
		fclose(f);
	}
}

static void target_init(struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->pidfd = t->go_fd = t->exec_fd = -1;
}

int target_attach(struct target *t, pid_t pid, char *err, size_t errlen)
{
	target_init(t);
	t->pid = pid;
	if (pid <= 0 || kill(pid, 0) < 0) {
		int e = pid <= 0 ? ESRCH : errno;

		if (e == ESRCH) {
			snprintf(err, errlen, "no such process: %d (check the pid with ps or pgrep)", (int)pid);
			return -ESRCH;
		}
		/* EPERM from kill(0) only means we may not signal it; perf may
		 * still be allowed, so carry on and let perf_event_open decide. */
	}
	t->pidfd = pidfd_open_(pid);
	if (t->pidfd < 0 && errno == ESRCH) {
		snprintf(err, errlen, "no such process: %d (check the pid with ps or pgrep)", (int)pid);
		return -ESRCH;
	}
	read_identity(t);
	return 0;
}

/* A pipe the launch needs could not be made; close the first one's ends
 * when it was the second that failed. */
static int target_pipe_error(int e, const int *opened, char *err, size_t errlen)
{
	if (opened) {
		close(opened[0]);
		close(opened[1]);
	}
	snprintf(err, errlen, "cannot create a pipe: %s%s", strerror(e),
		 e == EMFILE || e == ENFILE ? ": raise the limit (ulimit -n)" : "");
	return -e;
}

int target_launch(struct target *t, char *const argv[], char *err, size_t errlen)
{
	int go[2], ex[2];
	pid_t pid;

	target_init(t);
	if (pipe2(go, O_CLOEXEC) < 0)
		return target_pipe_error(errno, NULL, err, errlen);
	if (pipe2(ex, O_CLOEXEC) < 0)
		return target_pipe_error(errno, go, err, errlen);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		sigset_t none;
		char c;
		int e;

		/* proftui blocks the signals its front end reads through a
		 * signalfd and ignores SIGPIPE; both would survive execve and
		 * make the command deaf to Ctrl-C and kill. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		close(go[1]);
		close(ex[0]);
		/* Wait until the parent has its events on us; EOF means the
		 * parent gave up, so do not run the command unprofiled. */
		if (read(go[0], &c, 1) != 1)
			_exit(EXIT_SAMPLING);
		execvp(argv[0], argv);
		e = errno;
		if (write(ex[1], &e, sizeof(e)) < 0)
			_exit(EXIT_NOT_FOUND);
		_exit(e == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
	}
	close(go[0]);
	close(ex[1]);
	t->pid = pid;
	t->launched = true;
	t->go_fd = go[1];
	t->exec_fd = ex[0];
	t->pidfd = pidfd_open_(pid);
	t->uid = getuid();
	snprintf(t->comm, sizeof(t->comm), "%s", argv[0]);
	return 0;
}

int target_start(struct target *t, char *err, size_t errlen)
{
	int e = 0;
	ssize_t n;

	if (write(t->go_fd, "g", 1) != 1) {
		snprintf(err, errlen, "cannot start the command: %s", strerror(errno));
		return -errno;
	}
	close(t->go_fd);
	t->go_fd = -1;
	/* The exec pipe closes on a successful exec (CLOEXEC) or carries
	 * the child's errno. */
	do
		n = read(t->exec_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(t->exec_fd);
	t->exec_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		target_reap(t);
		if (e == ENOENT)
			snprintf(err, errlen, "command not found: %s", t->comm);
		else
			snprintf(err, errlen, "cannot execute %s: %s", t->comm, strerror(e));
		return e == ENOENT ? -ENOENT : -EACCES;
	}
	read_identity(t);
	return 0;
}

int target_reap(struct target *t)
{
	if (!t->launched || t->reaped)
		return t->wait_status;
	while (waitpid(t->pid, &t->wait_status, 0) < 0) {
		if (errno != EINTR) {
			t->wait_status = 0;
			break;
		}
	}
	t->reaped = true;
	return t->wait_status;
}

void target_set_status(struct target *t, int wait_status)
{
	if (t->reaped)
		return;
	t->wait_status = wait_status;
	t->reaped = true;
}

bool target_ended(const struct target *t)
{
	struct pollfd p = { .fd = t->pidfd, .events = POLLIN };

	if (t->reaped)
		return true;
	if (t->pidfd >= 0)
		return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
	return kill(t->pid, 0) < 0 && errno == ESRCH;
}

int target_exit_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 0;
}

void target_release(struct target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	if (t->go_fd >= 0)
		close(t->go_fd);
	if (t->exec_fd >= 0)
		close(t->exec_fd);
	t->pidfd = t->go_fd = t->exec_fd = -1;
}
