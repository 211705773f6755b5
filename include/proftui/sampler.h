/* sampler.h — the sampler thread: collect stacks from the target and push them into the ring. */
#ifndef PROFTUI_SAMPLER_H
#define PROFTUI_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proftui/ring.h"

/*
 * The sampler owns everything that touches the target (perf events or
 * ptrace, the unwinder, the module images) and runs on its own thread.  Its
 * only output is records in the ring (see record.h), after each batch of
 * which it writes to `wake_fd` (an eventfd) so the consumer wakes without
 * polling on a timer.  When the ring is full it drops and counts; it never
 * waits for the consumer.
 */
struct sampler;

enum sampler_method { SAMPLER_AUTO, SAMPLER_PERF, SAMPLER_PTRACE };

struct sampler_opts {
	pid_t pid;
	enum sampler_method method;
	unsigned freq_hz;
	uint32_t stack_size;
	size_t max_depth;        /* user frames; the marker frame is extra */
	bool kernel;
	bool enable_on_exec;     /* launched target not yet exec'd */
	bool python;             /* read CPython frames when the target runs CPython */
	bool off_cpu;            /* also weigh time off the CPU (perf method only) */
	bool python_likely;      /* a launched command that looks like Python
				  * (pyproc_command_is_python): sample with
				  * the low latency Python frames need */
};

/* What the sampler ended up doing, for the user to see. */
struct sampler_info {
	enum sampler_method method;  /* PERF or PTRACE */
	bool kernel;
	unsigned freq_hz;            /* may be lowered for ptrace */
	bool off_cpu;                /* --off-cpu events are open */
	char note[256];              /* announcement, e.g. why ptrace is used */
};

/*
 * Open the sampling method (synchronously, so errors come back here) and
 * start the thread.  Returns 0, or -errno with a one-line message in err:
 * -ESRCH no such process, -EACCES/-EPERM not permitted.
 */
int sampler_start(struct sampler **out, const struct sampler_opts *o, struct ring *ring,
		  int wake_fd, struct sampler_info *info, char *err, size_t errlen);

/*
 * Ask the sampler thread to turn --off-cpu on or off while it samples (the
 * live view's key): it reopens its events and says how it went with a
 * REC_NOTE.  Returns 0, -ENOTSUP with the ptrace method, -ESRCH when
 * sampling has ended.  Safe from the consumer thread.
 */
int sampler_set_off_cpu(struct sampler *s, bool on);

/* True once the target has ended and every record is in the ring (or was
 * counted as dropped).  Safe from any thread. */
bool sampler_done(const struct sampler *s);

/* When the sampler's ptrace waits collected the launched target's end (the
 * parent's own waitpid then finds nothing), its wait status: true and *st
 * set.  Valid once sampler_done(). */
bool sampler_exit_status(const struct sampler *s, int *st);

/* Ask the thread to finish (after a last drain), join it and free
 * everything; the target is left running and untraced.  Safe on NULL. */
void sampler_stop(struct sampler *s);

#endif
