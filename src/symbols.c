/* symbols.c — resolve (module, file offset) to function names: a cache of modules, demangling, kernel names. */
#include "proftui/symbols.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/elfsyms.h"
#include "proftui/kallsyms.h"
#include "proftui/kcache.h"

/*
 * The ELF reading lives in elftab.c (one file) and elfsyms.c (which file,
 * the vDSO, offsets to symbols), kernel names in kallsyms.c: this file is
 * the cache the rest of proftui calls, and the demangler.
 */

/* From libstdc++ (the program links -lstdc++). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

#define SYM_MAX_NAME     4095             /* longer names are truncated */
#define SYM_MAX_MODULES  (1UL << 20)
#define SYM_MAX_PATH     4096

struct sym_module {
	char *path;
	uint64_t hash;
	struct elfsyms elf;
	const char **dem;       /* demangled names, filled at lookup time */
};

struct sym_cache {
	struct sym_module **slot;       /* open addressing, power-of-two size */
	size_t cap, count;
	bool kloaded;
	struct kallsyms k;
};

int sym_read_build_id(const char *path, uint8_t id[20])
{
	return elftab_read_build_id(path, id);
}

/* ---- demangling ---- */

char *sym_demangle(const char *name)
{
	char *out;
	int status = -1;

	if (!name || name[0] != '_' || name[1] != 'Z')
		return NULL;
	out = __cxa_demangle(name, NULL, NULL, &status);
	if (status != 0 || !out) {
		free(out);
		return NULL;
	}
	if (strlen(out) > SYM_MAX_NAME)
		out[SYM_MAX_NAME] = '\0';
	return out;
}

/* ---- modules ---- */

static void sym_module_free(struct sym_module *m)
{
	size_t i;

	if (m->dem)
		for (i = 0; i < m->elf.tab.n; i++)
			if (m->dem[i] && m->dem[i] != m->elf.tab.names + m->elf.tab.v[i].name)
				free((char *)m->dem[i]);
	free(m->dem);
	elfsyms_release(&m->elf);
	free(m->path);
	free(m);
}

static uint64_t sym_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static void sym_slot_put(struct sym_module **slot, size_t cap, struct sym_module *m)
{
	size_t i = (size_t)m->hash & (cap - 1);

	while (slot[i])
		i = (i + 1) & (cap - 1);
	slot[i] = m;
}

static int sym_cache_grow(struct sym_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 64, i;
	struct sym_module **slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < c->cap; i++)
		if (c->slot[i])
			sym_slot_put(slot, cap, c->slot[i]);
	free(c->slot);
	c->slot = slot;
	c->cap = cap;
	return 0;
}

/* Find or load (once, failures included) the module for `path`. */
static struct sym_module *sym_module_get(struct sym_cache *c, const char *path)
{
	uint64_t h = sym_hash(path);
	struct sym_module *m;
	size_t i;

	if (c->cap)
		for (i = (size_t)h & (c->cap - 1); c->slot[i]; i = (i + 1) & (c->cap - 1))
			if (c->slot[i]->hash == h && strcmp(c->slot[i]->path, path) == 0)
				return c->slot[i];
	if (strnlen(path, SYM_MAX_PATH + 1) > SYM_MAX_PATH || c->count >= SYM_MAX_MODULES)
		return NULL;
	if ((c->count + 1) * 2 > c->cap && sym_cache_grow(c) < 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(path))) {
		free(m);
		return NULL;
	}
	m->hash = h;
	if (strcmp(path, "[vdso]") == 0)
		elfsyms_load_vdso(&m->elf);
	else
		elfsyms_load_file(&m->elf, path);
	sym_slot_put(c->slot, c->cap, m);
	c->count++;
	return m;
}

struct sym_cache *sym_cache_new(void)
{
	return calloc(1, sizeof(struct sym_cache));
}

void sym_cache_free(struct sym_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->cap; i++)
		if (c->slot[i])
			sym_module_free(c->slot[i]);
	free(c->slot);
	kallsyms_release(&c->k);
	free(c);
}

/* Demangled lazily: most symbols of a big C++ library are never hit. */
static const char *sym_name(struct sym_module *m, size_t i)
{
	const char *raw = m->elf.tab.names + m->elf.tab.v[i].name;
	char *d;

	if (raw[0] != '_' || raw[1] != 'Z')
		return raw;
	if (!m->dem && !(m->dem = calloc(m->elf.tab.n, sizeof(*m->dem))))
		return raw;
	if (!m->dem[i]) {
		d = sym_demangle(raw);
		m->dem[i] = d ? d : raw;
	}
	return m->dem[i];
}

const char *sym_lookup(struct sym_cache *c, const char *open_path,
		       const uint8_t *build_id, size_t build_id_len,
		       uint64_t file_offset, uint64_t *sym_off)
{
	return sym_lookup_addr(c, open_path, build_id, build_id_len, file_offset, sym_off, NULL);
}

const char *sym_lookup_addr(struct sym_cache *c, const char *open_path,
			    const uint8_t *build_id, size_t build_id_len,
			    uint64_t file_offset, uint64_t *sym_off, uint64_t *sym_addr)
{
	struct sym_module *m;
	uint64_t va;
	long i;

	if (sym_off)
		*sym_off = 0;
	if (sym_addr)
		*sym_addr = UINT64_MAX;
	if (!c || !open_path)
		return NULL;
	m = sym_module_get(c, open_path);
	if (!m || !m->elf.tab.n)
		return NULL;
	if (build_id && build_id_len) {
		if (build_id_len > ELFTAB_BUILD_ID_MAX)
			build_id_len = ELFTAB_BUILD_ID_MAX;
		if (build_id_len != m->elf.build_id_len ||
		    memcmp(build_id, m->elf.build_id, build_id_len))
			return NULL;
	}
	if (!elfsyms_to_vaddr(&m->elf, file_offset, &va))
		return NULL;
	i = elfsyms_find(&m->elf, va);
	if (i < 0)
		return NULL;
	if (sym_off)
		*sym_off = va - m->elf.tab.v[i].start;
	if (sym_addr)
		*sym_addr = m->elf.tab.v[i].start;
	return sym_name(m, (size_t)i);
}

/* ---- kallsyms ---- */

const char *sym_kernel_lookup(struct sym_cache *c, uint64_t addr, uint64_t *sym_off)
{
	if (sym_off)
		*sym_off = 0;
	if (!c)
		return NULL;
	if (!c->kloaded) {
		char dir[KCACHE_DIR_MAX];

		c->kloaded = true;
		kcache_load(&c->k, "/proc/kallsyms", kcache_default_dir(dir, sizeof(dir)));
	}
	return kallsyms_lookup(&c->k, addr, sym_off);
}
