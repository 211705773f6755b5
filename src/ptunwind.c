/* ptunwind.c — unwind a ptrace-stopped thread's stack with libunwind-ptrace. */
#include "proftui/ptunwind.h"

#include <stdbool.h>
#include <stdlib.h>

#include <libunwind-ptrace.h>

struct ptunwind {
	unw_addr_space_t as;
};

/* struct ptunwind_thread is never defined: its pointers are _UPT_create's. */

struct ptunwind *ptunwind_new(void)
{
	struct ptunwind *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->as = unw_create_addr_space(&_UPT_accessors, 0);
	if (!u->as) {
		free(u);
		return NULL;
	}
	/*
	 * One process, so caching unwind rules by ip is sound until an exec
	 * flushes it (a dlclose then dlopen at the same address could leave
	 * stale rules; rare enough to accept).
	 */
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	return u;
}

void ptunwind_free(struct ptunwind *u)
{
	if (!u)
		return;
	unw_destroy_addr_space(u->as);
	free(u);
}

void ptunwind_flush(struct ptunwind *u)
{
	unw_flush_cache(u->as, 0, 0);
}

void ptunwind_thread_free(struct ptunwind_thread *t)
{
	if (t)
		_UPT_destroy(t);
}

/* Unwind the stopped thread tid into ips; returns the frame count. */
size_t ptunwind_stack(struct ptunwind *u, struct ptunwind_thread **t, pid_t tid, uint64_t *ips,
		      size_t max_depth, enum unwind_status *status)
{
	unw_cursor_t c;
	unw_word_t prev_sp = 0;
	bool after_signal = false;
	size_t n = 0;

	*status = UWS_NO_USER;
	if (!*t)
		*t = _UPT_create(tid);
	if (!*t || unw_init_remote(&c, u->as, *t) < 0)
		return 0;
	for (;;) {
		unw_word_t ip, sp;
		int r;

		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0 || unw_get_reg(&c, UNW_REG_SP, &sp) < 0) {
			*status = UWS_BAD_FRAME;
			break;
		}
		if (ip == 0) {
			/* A zero return address is how the outermost frame ends. */
			*status = n ? UWS_OK : UWS_BAD_FRAME;
			break;
		}
		/*
		 * The stack grows down, so callers sit higher; the frame a
		 * signal interrupted may be on another stack (sigaltstack).
		 */
		if (n && sp <= prev_sp && !after_signal) {
			*status = UWS_BAD_FRAME;
			break;
		}
		/* A return address points past the call; an interrupted frame's ip is exact. */
		ips[n] = n == 0 || after_signal ? ip : ip - 1;
		if (++n >= max_depth) {
			*status = UWS_DEPTH;
			break;
		}
		prev_sp = sp;
		r = unw_step(&c);
		if (r == 0) {
			*status = UWS_OK;
			break;
		}
		if (r < 0) {
			*status = r == -UNW_ENOINFO ? UWS_NO_CFI : UWS_BAD_FRAME;
			break;
		}
		/*
		 * libunwind 1.6 (x86_64) answers for the frame the step just
		 * left: a signal trampoline, so the new frame was interrupted.
		 */
		after_signal = unw_is_signal_frame(&c) > 0;
	}
	return n;
}
