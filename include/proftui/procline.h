/* procline.h — the live header's line of process figures: CPU with a sparkline, memory, faults, I/O, switches, threads. */
#ifndef PROFTUI_PROCLINE_H
#define PROFTUI_PROCLINE_H

#include "proftui/canvas.h"
#include "proftui/prochist.h"

/* Readings the CPU sparkline shows (one a second). */
#define PROCLINE_SPARK 10

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

#endif
