/* procline.h — the live header's lines of process figures (CPU with a sparkline, memory, faults, I/O, switches, threads) and their history. */
#ifndef PROFTUI_PROCLINE_H
#define PROFTUI_PROCLINE_H

#include "proftui/canvas.h"
#include "proftui/prochist.h"

/* Readings the CPU sparkline shows (one a second). */
#define PROCLINE_SPARK 10

/* The history line's sparks are this many readings wide, at least and at
 * most (the history keeps PROCHIST_LEN). */
#define PROCLINE_SPARK_MIN 4
#define PROCLINE_SPARK_MAX 60

/*
 * Draw the figures on row y of the canvas, from column 0, cut at its right
 * edge (the most useful figures come first):
 *
 *   cpu 98% usr 1% sys ▂▅█  rss 12.3M  flt 0/s maj 0/s  io r 0 B/s w 1.2M/s
 *   cs 3/s 120/s  thr 3: 2R 1S 0D
 *
 * (one line).  Rates are over the last interval between readings ("--"
 * until there are two), the CPU sparkline over the last PROCLINE_SPARK
 * intervals (ASCII glyphs when the canvas is ASCII), rss the latest reading
 * (and swap after it when any is swapped out), "io ?" when the io file is
 * unreadable; thr gives the thread count and how many are running,
 * sleeping and in disk wait (T stopped and Z zombie/other only when
 * non-zero).  Major faults and disk-wait threads are drawn as warnings.
 * With no reading yet the line says so.  Returns the columns written.
 */
int procline_draw(struct canvas *c, int y, const struct prochist *h);

/*
 * Draw the history line on row y: each figure's last readings as a
 * sparkline, scaled to its own highest value, newest on the right:
 *
 *   history  cpu ▂▅██▇  rss ▁▁▂▄▇  flt ▁▁█▁▁  maj ▁▁▁▁▁  rd ...  wr ...
 *   cs ...  thr ...  R ...  D ...
 *
 * (CPU %, RSS, minor and major faults/s, bytes read and written/s, context
 * switches/s, threads, running threads, threads in IO wait).  Every spark
 * has the same width, as many readings as the line has room for between
 * PROCLINE_SPARK_MIN and PROCLINE_SPARK_MAX; figures that do not fit at the
 * minimum are left out from the end.  Right-aligned, blank while the history
 * is shorter.  Returns the columns written.
 */
int procline_history(struct canvas *c, int y, const struct prochist *h);

#endif
