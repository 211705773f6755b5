/* ptproc.c — what /proc says about a ptrace target: thread state and tracer, and why a seize was refused. */
#include "proftui/ptproc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PTPROC_CAP_SYS_PTRACE	19

int ptproc_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* The state letter of a thread from /proc/PID/task/TID/stat, or 0. */
char ptproc_task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[160];
	int fd;
	ssize_t n;
	char *p;

	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold ')' itself; the last one closes it. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* The text after "key" on its line of a /proc status file, copied to out. */
static bool ptproc_status_line(const char *path, const char *key, char *out, size_t outlen)
{
	char line[256];
	size_t klen = strlen(key);
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, klen) == 0) {
			snprintf(out, outlen, "%s", line + klen);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

static long ptproc_status_num(const char *path, const char *key)
{
	char val[128];

	if (!ptproc_status_line(path, key, val, sizeof val))
		return -1;
	return strtol(val, NULL, 10);
}

pid_t ptproc_tracer_of(pid_t pid, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)pid, (int)tid);
	return (pid_t)ptproc_status_num(path, "TracerPid:");
}

static bool ptproc_have_cap_ptrace(void)
{
	char val[64];

	if (!ptproc_status_line("/proc/self/status", "CapEff:", val, sizeof val))
		return false;
	return (strtoull(val, NULL, 16) >> PTPROC_CAP_SYS_PTRACE) & 1;
}

/* The first of the target's real/effective/saved/fs uids that is not ours, or -1. */
static long ptproc_foreign_uid(const char *status_path)
{
	char val[128], *p = val, *end;

	if (!ptproc_status_line(status_path, "Uid:", val, sizeof val))
		return -1;
	for (int k = 0; k < 4; k++, p = end) {
		long uid = strtol(p, &end, 10);

		if (end == p)
			break;
		if ((uid_t)uid != getuid())
			return uid;
	}
	return -1;
}

static int ptproc_read_int(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

static const char *ptproc_yama_hint(int scope)
{
	switch (scope) {
	case 1:
		return "only a parent may trace its children: run as root, or set it to 0";
	case 2:
		return "only CAP_SYS_PTRACE may trace: run as root";
	default:
		return "ptrace attach is disabled until reboot";
	}
}

/* Turn a failed PTRACE_SEIZE of the leader into -errno and a cause in err. */
int ptproc_explain(pid_t pid, int e, char *err, size_t errlen)
{
	char path[64];
	long tracer, uid;
	int scope;

	if (e == ESRCH)
		return ptproc_fail(err, errlen, -ESRCH, "no such process %d", (int)pid);
	if (e != EPERM)
		return ptproc_fail(err, errlen, -e, "cannot trace process %d: %s", (int)pid, strerror(e));
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	tracer = ptproc_status_num(path, "TracerPid:");
	if (tracer > 0)
		return ptproc_fail(err, errlen, -EPERM,
			       "process %d is already traced by PID %ld (a debugger?): detach it first",
			       (int)pid, tracer);
	if (ptproc_task_state(pid, pid) == 'Z')
		return ptproc_fail(err, errlen, -ESRCH, "process %d has exited (zombie)", (int)pid);
	uid = ptproc_foreign_uid(path);
	if (uid >= 0 && !ptproc_have_cap_ptrace())
		return ptproc_fail(err, errlen, -EPERM,
			       "no permission to trace %d (owned by uid %ld): run as that user or root, or grant CAP_SYS_PTRACE",
			       (int)pid, uid);
	scope = ptproc_read_int("/proc/sys/kernel/yama/ptrace_scope");
	if (scope > 0)
		return ptproc_fail(err, errlen, -EPERM,
			       "ptrace of %d refused: kernel.yama.ptrace_scope is %d (%s)",
			       (int)pid, scope, ptproc_yama_hint(scope));
	if (scope == 0)
		return ptproc_fail(err, errlen, -EPERM,
			       "ptrace of %d refused although kernel.yama.ptrace_scope is 0 (seccomp, a container without CAP_SYS_PTRACE, or a non-dumpable target?)",
			       (int)pid);
	return ptproc_fail(err, errlen, -EPERM,
		       "ptrace of %d refused (seccomp or a container without CAP_SYS_PTRACE?)", (int)pid);
}

pid_t ptproc_tid(const char *name)
{
	char *end;
	long v;

	if (*name < '0' || *name > '9')
		return 0;
	v = strtol(name, &end, 10);
	return *end || v <= 0 || v > INT_MAX ? 0 : (pid_t)v;
}

/* ptrace refuses our own threads; say so instead of a misleading EPERM cause. */
bool ptproc_is_self(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/self/task/%d", (int)pid);
	return pid == getpid() || access(path, F_OK) == 0;
}
