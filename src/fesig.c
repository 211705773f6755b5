/* fesig.c — the front end's signals: blocked in every thread, delivered through a signalfd. */
#include <signal.h>
#include <sys/signalfd.h>

#include "proftui/fesig.h"

static void fesig_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void fesig_block(void)
{
	sigset_t set;

	fesig_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int fesig_fd(void)
{
	sigset_t set;

	fesig_set(&set);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}
