/* libhot.h — the one function libhot.so exports to the shlib workload. */
#ifndef LIBHOT_H
#define LIBHOT_H

/* Run `units` WL_UNIT()s of work inside libhot.so. */
void lib_hot_work(unsigned units);

#endif
