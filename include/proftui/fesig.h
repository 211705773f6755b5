/* fesig.h — the signals the front end handles (SIGINT, SIGTERM, SIGHUP): blocked everywhere, read from a signalfd. */
#ifndef PROFTUI_FESIG_H
#define PROFTUI_FESIG_H

/* Block them (and ignore SIGPIPE) before any thread exists, so no thread
 * but the front end's signalfd ever sees them. */
void fesig_block(void);

/* A nonblocking signalfd for them, or -1. */
int fesig_fd(void);

#endif
