/* resolve.c — frames to function names: ELF symbols, kallsyms, perf maps, or module+offset. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "proftui/monotime.h"
#include "proftui/perfmap.h"
#include "proftui/pyframes.h"
#include "proftui/resolve.h"
#include "proftui/symbols.h"

#define RES_PERFMAP_RECHECK_NS (1000ull * 1000 * 1000)
/* After an address the map does not name, check it again this soon: a
 * runtime writes a function's line just after its code first runs, so
 * waiting the full second could leave half of a short session unnamed. */
#define RES_PERFMAP_MISS_NS (50ull * 1000 * 1000)

struct res_mod {
	uint32_t id;
	enum module_kind kind;
	uint32_t pid;
	uint8_t build_id[20];
	uint8_t build_id_len;
	char *path;          /* display path */
	char *open_path;
	const char *base;    /* basename of path, for the module column */
};

struct res_entry {           /* (module, addr, kind) -> func, open addressing */
	uint64_t addr;
	uint32_t module;
	uint32_t kind;
	uint32_t func;
	bool used;
};

/* A Python code object (REC_PYCODE), kept across profile resets. */
struct res_py {
	uint32_t id;         /* 0: free slot */
	char *name;          /* "qualname (file.py:line)" */
	char *module;        /* the file, shortened */
};

#define RES_MAX_PYCODES (1u << 22)

struct resolver {
	struct profile *p;
	struct res_py *py;   /* open addressing by id */
	size_t pycap, pyn;
	uid_t uid;
	struct sym_cache *syms;
	struct res_mod *mods;
	size_t nmods, capmods;
	struct res_entry *tab;
	size_t tabcap, tabn;
	struct perfmap jit;
	bool jit_loaded;
	uint64_t jit_checked_ns;
	uint32_t unknown_func;
};

struct resolver *resolver_new(struct profile *p, uid_t target_uid)
{
	struct resolver *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->p = p;
	r->uid = target_uid;
	r->syms = sym_cache_new();
	r->tabcap = 1 << 12;
	r->tab = calloc(r->tabcap, sizeof(*r->tab));
	if (!r->syms || !r->tab) {
		resolver_free(r);
		return NULL;
	}
	r->unknown_func = UINT32_MAX;
	return r;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nmods; i++) {
		free(r->mods[i].path);
		free(r->mods[i].open_path);
	}
	free(r->mods);
	for (size_t i = 0; i < r->pycap; i++) {
		free(r->py[i].name);
		free(r->py[i].module);
	}
	free(r->py);
	free(r->tab);
	sym_cache_free(r->syms);
	perfmap_release(&r->jit);
	free(r);
}

void resolver_set_profile(struct resolver *r, struct profile *p)
{
	r->p = p;
	memset(r->tab, 0, r->tabcap * sizeof(*r->tab));
	r->tabn = 0;
}

int resolver_add_module(struct resolver *r, const struct rec_module *m, size_t len)
{
	const char *p1 = m->paths, *end = (const char *)m + len, *p2;
	struct res_mod *rm;

	if (len < sizeof(*m) || !memchr(p1, '\0', (size_t)(end - p1)))
		return -EINVAL;
	p2 = p1 + strlen(p1) + 1;
	if (p2 >= end || !memchr(p2, '\0', (size_t)(end - p2)) || m->build_id_len > 20)
		return -EINVAL;
	if (r->nmods == r->capmods) {
		size_t cap = r->capmods ? r->capmods * 2 : 32;
		struct res_mod *v = realloc(r->mods, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->mods = v;
		r->capmods = cap;
	}
	rm = &r->mods[r->nmods];
	memset(rm, 0, sizeof(*rm));
	rm->id = m->id;
	rm->kind = m->kind;
	rm->pid = m->pid;
	rm->build_id_len = m->build_id_len;
	memcpy(rm->build_id, m->build_id, sizeof(rm->build_id));
	rm->path = strdup(p1);
	rm->open_path = strdup(p2);
	if (!rm->path || !rm->open_path) {
		free(rm->path);
		free(rm->open_path);
		return -ENOMEM;
	}
	rm->base = strrchr(rm->path, '/') ? strrchr(rm->path, '/') + 1 : rm->path;
	r->nmods++;
	return 0;
}

/*
 * What the module column shows for a Python file: the part people recognise
 * ("json/encoder.py" under the standard library or site-packages,
 * "app.py" for their own), since full paths are long and machine-specific.
 */
static const char *py_short_path(const char *path)
{
	static const char *const roots[] = { "/site-packages/", "/dist-packages/" };
	const char *p, *base;

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if ((p = strstr(path, roots[i])))
			return p + strlen(roots[i]);
	if ((p = strstr(path, "/lib/python")) && (p = strchr(p + 11, '/')) && p[1])
		return p + 1;
	base = strrchr(path, '/');
	return base && base[1] ? base + 1 : path;
}

static size_t py_slot(const struct resolver *r, uint32_t id)
{
	return (size_t)((id * 0x9e3779b1u) >> 8) & (r->pycap - 1);
}

static bool py_grow(struct resolver *r)
{
	size_t cap = r->pycap ? r->pycap * 2 : 1024;
	struct res_py *v = calloc(cap, sizeof(*v)), *old = r->py;
	size_t oldcap = r->pycap;

	if (!v)
		return false;
	r->py = v;
	r->pycap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].id)
			continue;
		j = py_slot(r, old[i].id);
		while (v[j].id)
			j = (j + 1) & (cap - 1);
		v[j] = old[i];
	}
	free(old);
	return true;
}

static const struct res_py *find_py(const struct resolver *r, uint32_t id)
{
	size_t j;

	if (!r->pycap || !id)
		return NULL;
	for (j = py_slot(r, id); r->py[j].id; j = (j + 1) & (r->pycap - 1))
		if (r->py[j].id == id)
			return &r->py[j];
	return NULL;
}

int resolver_add_pycode(struct resolver *r, const struct rec_pycode *c, size_t len)
{
	const char *name = c->strs, *end = (const char *)c + len, *file;
	char label[PYF_NAME_MAX + PYF_FILE_MAX + 32];
	struct res_py e;
	size_t j;

	if (len < sizeof(*c) || !c->id || !memchr(name, '\0', (size_t)(end - name)))
		return -EINVAL;
	file = name + strlen(name) + 1;
	if (file >= end || !memchr(file, '\0', (size_t)(end - file)))
		return -EINVAL;
	if (r->pyn >= RES_MAX_PYCODES)
		return 0;
	if ((r->pyn + 1) * 10 >= r->pycap * 7 && !py_grow(r))
		return -ENOMEM;
	snprintf(label, sizeof(label), "%s (%s:%d)", name[0] ? name : "?",
		 strrchr(file, '/') ? strrchr(file, '/') + 1 : file, (int)c->firstlineno);
	e = (struct res_py){ c->id, strdup(label), strdup(py_short_path(file)) };
	if (!e.name || !e.module) {
		free(e.name);
		free(e.module);
		return -ENOMEM;
	}
	/* An id announced again names what it names now. */
	for (j = py_slot(r, c->id); r->py[j].id && r->py[j].id != c->id;
	     j = (j + 1) & (r->pycap - 1))
		;
	if (r->py[j].id) {
		free(r->py[j].name);
		free(r->py[j].module);
	} else {
		r->pyn++;
	}
	r->py[j] = e;
	return 0;
}

static const struct res_mod *find_mod(const struct resolver *r, uint32_t id)
{
	/* Ids are handed out in order, so the table is sorted by id. */
	size_t lo = 0, hi = r->nmods;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->mods[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nmods && r->mods[lo].id == id ? &r->mods[lo] : NULL;
}

/* (Re)load perf-PID.map when first needed and when it has grown: checked
 * at most every `every` ns. */
static void refresh_jit(struct resolver *r, uint32_t pid, uint64_t every)
{
	uint64_t now = monotime_ns();
	char path[64], err[256];
	struct stat st;

	if (r->jit_loaded && now - r->jit_checked_ns < every)
		return;
	r->jit_checked_ns = now;
	snprintf(path, sizeof(path), "/tmp/perf-%u.map", pid);
	if (r->jit_loaded && (stat(path, &st) < 0 || (uint64_t)st.st_size == r->jit.file_size))
		return;
	perfmap_release(&r->jit);
	if (perfmap_load((pid_t)pid, r->uid, &r->jit, err, sizeof(err)) < 0)
		memset(&r->jit, 0, sizeof(r->jit));
	r->jit_loaded = true;
}

/* func with its address in its module (profile.h: the first one stays). */
static uint32_t with_addr(struct resolver *r, uint32_t func, uint64_t addr)
{
	profile_func_set_addr(r->p, func, addr);
	return func;
}

/* Code no symbol covers: "module+0xOFF", whose address is that OFF. */
static uint32_t label(struct resolver *r, const char *name, uint64_t off, const char *module)
{
	char buf[4096];

	if (name && off == UINT64_MAX)
		return profile_func(r->p, name, module);
	if (name)
		snprintf(buf, sizeof(buf), "%s", name);
	else
		snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, module, off);
	return with_addr(r, profile_func(r->p, buf, module), name ? PROFILE_NO_ADDR : off);
}

static uint32_t resolve_one(struct resolver *r, const struct frame *f)
{
	const struct res_mod *m;
	const char *name;
	uint64_t off, start;

	if (f->kind == FRAME_TRUNCATED)
		return profile_func(r->p, "[truncated]", "");
	if (f->kind == FRAME_PYTHON) {
		const struct res_py *py = find_py(r, f->module);

		return py ? profile_func(r->p, py->name, py->module) :
			    profile_func(r->p, "[python]", "");
	}
	if (f->kind == FRAME_KERNEL) {
		name = sym_kernel_lookup(r->syms, f->addr, &off);
		/* kallsyms addresses are absolute: the symbol starts off bytes back. */
		return name ? with_addr(r, profile_func(r->p, name, "[kernel]"), f->addr - off) :
			      label(r, NULL, f->addr, "[kernel]");
	}
	m = f->module ? find_mod(r, f->module) : NULL;
	if (!m)
		return label(r, NULL, f->addr, "[unknown]");
	if (m->kind == MOD_ANON) {
		const struct perfmap_sym *js;

		refresh_jit(r, m->pid, RES_PERFMAP_RECHECK_NS);
		js = perfmap_lookup(&r->jit, f->addr);
		if (!js) {
			refresh_jit(r, m->pid, RES_PERFMAP_MISS_NS);
			js = perfmap_lookup(&r->jit, f->addr);
		}
		if (!js)
			return label(r, NULL, f->addr, "[anon]");
		return with_addr(r, profile_func(r->p, js->name, "[jit]"), js->start);
	}
	/* f->addr is a file offset; the symbol's address is its ELF virtual
	 * address, which differs from its file offset in non-PIE executables. */
	name = sym_lookup_addr(r->syms, m->kind == MOD_VDSO ? "[vdso]" : m->open_path, m->build_id,
			       m->build_id_len, f->addr, &off, &start);
	if (name)
		return with_addr(r, profile_func(r->p, name, m->base), start);
	return label(r, NULL, f->addr, m->base);
}

static size_t slot(const struct resolver *r, const struct frame *f)
{
	uint64_t h = f->addr * 0x9e3779b97f4a7c15ull ^ ((uint64_t)f->module << 32 | f->kind);

	h ^= h >> 29;
	return (size_t)(h & (r->tabcap - 1));
}

static void grow(struct resolver *r)
{
	struct res_entry *old = r->tab;
	size_t oldcap = r->tabcap;
	struct res_entry *t = calloc(oldcap * 2, sizeof(*t));

	if (!t)
		return;   /* keep working at a higher load factor */
	r->tab = t;
	r->tabcap = oldcap * 2;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].used) {
			struct frame f = { old[i].addr, old[i].module, old[i].kind };
			size_t j = slot(r, &f);

			while (r->tab[j].used)
				j = (j + 1) & (r->tabcap - 1);
			r->tab[j] = old[i];
		}
	}
	free(old);
}

size_t resolver_frames(struct resolver *r, const struct frame *f, size_t n, uint32_t *funcs)
{
	for (size_t i = 0; i < n; i++) {
		size_t j;

		if (r->tabn * 10 >= r->tabcap * 7)
			grow(r);
		j = slot(r, &f[i]);
		while (r->tab[j].used && (r->tab[j].addr != f[i].addr ||
					  r->tab[j].module != f[i].module || r->tab[j].kind != f[i].kind))
			j = (j + 1) & (r->tabcap - 1);
		if (r->tab[j].used) {
			funcs[i] = r->tab[j].func;
			continue;
		}
		funcs[i] = resolve_one(r, &f[i]);
		/* JIT names change as code is replaced: do not cache them;
		 * nor anything once the table cannot grow. */
		if (r->tabn + 1 >= r->tabcap)
			continue;
		if (f[i].module && find_mod(r, f[i].module) &&
		    find_mod(r, f[i].module)->kind == MOD_ANON)
			continue;
		r->tab[j] = (struct res_entry){ f[i].addr, f[i].module, f[i].kind, funcs[i], true };
		r->tabn++;
	}
	return n;
}
