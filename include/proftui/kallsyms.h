/* kallsyms.h — kernel function names from /proc/kallsyms: load once, look addresses up. */
#ifndef PROFTUI_KALLSYMS_H
#define PROFTUI_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

/*
 * symbols.c loads /proc/kallsyms into one of these on the first kernel
 * lookup; tests may load any file in its format ("addr type name", an
 * optional "\t[module]").  Only text symbols (types T, W, t, w) are named;
 * the others only end the symbol before them.  Among aliases at one address
 * T beats W beats t beats w, then the earlier line.  A symbol spans up to
 * the next address, at most 1 MiB; the last one only its first byte.
 * Caps: 2 million symbols, names cut at 4095 bytes, 4 GiB of names.
 */

struct kallsyms_ent;            /* internal */

/* Zeroed is an empty table. */
struct kallsyms {
	struct kallsyms_ent *v; /* sorted by address, one per address */
	size_t n;
	char *names;
};

/*
 * Load k (zeroed) from the file at path.  Returns 0, or -errno when it
 * cannot be opened.  The table stays empty when every address is 0 (what
 * kallsyms shows without the right to see addresses, kptr_restrict), and
 * is cut short when memory runs out.
 */
int kallsyms_load(struct kallsyms *k, const char *path);

/* The name of the text symbol covering addr (owned by k) and addr's offset
 * in it; NULL (and *sym_off 0) when none does.  sym_off may be NULL. */
const char *kallsyms_lookup(const struct kallsyms *k, uint64_t addr, uint64_t *sym_off);

/* Free and zero k. */
void kallsyms_release(struct kallsyms *k);

#endif
