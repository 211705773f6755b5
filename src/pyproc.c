/* pyproc.c — the sampler's view of a CPython target: find the interpreter, read each sample's Python frames. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proftui/elftab.h"
#include "proftui/maps.h"
#include "proftui/monotime.h"
#include "proftui/pyobj.h"
#include "proftui/pyproc.h"

/* Rescan the interpreters' thread lists at most this often when a sampled
 * thread is not in them (threads that never run Python are common). */
#define PYPROC_RESCAN_NS (100ull * 1000 * 1000)
#define PYPROC_MAX_CODES (1u << 20)
#define PYPROC_MAX_FRAMES 4096
/* How far into glibc's struct pthread the thread id may sit (probed). */
#define PYPROC_PTHREAD_SCAN 2048
/* Bytes of each code object read to tell it from an earlier one at the
 * same address: up to its name, file and first-line fields. */
#define PYPROC_CODE_HEAD 256
/* The per-sample read cache: windows of this many bytes (aligned, so one
 * never straddles a page and is wholly readable or not), this many kept. */
#define PYPROC_WIN 1024u
#define PYPROC_NWIN 4

struct tmap_ent {
	uint32_t tid;
	uint64_t tstate;
};

struct code_ent {
	uint64_t addr;
	uint64_t print;       /* code_print of the object seen at addr */
	uint32_t id;          /* 0: free slot */
};

/*
 * Code ids are never reused while proftui runs, not even by the pyproc of
 * the same target after an exec: the consumer keeps each id's name, and
 * records of the old and new program can be in the ring together.  Only
 * the sampler thread makes pyprocs.
 */
static uint32_t next_code_id = 1;

struct pyproc {
	pid_t pid;
	unsigned major, minor;
	struct py_layout layout;
	struct pyf_reader rd;     /* straight reads */
	struct pyf_reader wrd;    /* a sample's frame walk: through the windows */
	struct pyf_reader nrd;    /* naming threads: straight, types checked */
	uint64_t runtime;

	/* thread id -> thread state, sorted by tid, rebuilt by a scan */
	struct tmap_ent *threads;
	size_t nthreads, capthreads;
	uint64_t scanned_ns;
	int pthread_tid_off;  /* -1 unknown: < 3.11 has only pthread_t */

	/* code object address -> id, open addressing */
	struct code_ent *codes;
	size_t capcodes, ncodes;
	pyproc_code_fn announce;
	void *ctx;

	/* Windows of target memory read during the current sample: 3.11+
	 * keeps a thread's frames side by side in its data stack, so one
	 * read serves several of them.  Emptied at each sample. */
	struct {
		uint64_t base;        /* aligned start; valid when in use */
		bool used;
		uint8_t bytes[PYPROC_WIN];
	} win[PYPROC_NWIN];
	unsigned win_next;        /* the slot to fill next (round robin) */
	uint64_t code_type;       /* &PyCode_Type in the target, 0 when unknown */

	struct pyf_frame frames[PYPROC_MAX_FRAMES];
	uint64_t prints[PYPROC_MAX_FRAMES];
	uint8_t code_heads[PYPROC_MAX_FRAMES][PYPROC_CODE_HEAD];
};

/* ---- the target's memory ---------------------------------------------- */

static int vm_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct pyproc *py = ctx;
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(py->pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

static void win_clear(struct pyproc *py)
{
	for (unsigned i = 0; i < PYPROC_NWIN; i++)
		py->win[i].used = false;
}

/* The cached window holding [addr, addr + len), reading it when absent;
 * NULL when the range crosses windows or the window cannot be read. */
static const uint8_t *win_get(struct pyproc *py, uint64_t addr, size_t len)
{
	uint64_t base = addr & ~(uint64_t)(PYPROC_WIN - 1);
	unsigned slot;

	if (addr - base + len > PYPROC_WIN)
		return NULL;
	for (unsigned i = 0; i < PYPROC_NWIN; i++)
		if (py->win[i].used && py->win[i].base == base)
			return py->win[i].bytes + (addr - base);
	slot = py->win_next++ % PYPROC_NWIN;
	py->win[slot].used = false;
	if (vm_read(py, base, py->win[slot].bytes, PYPROC_WIN))
		return NULL;
	py->win[slot].base = base;
	py->win[slot].used = true;
	return py->win[slot].bytes + (addr - base);
}

/* The frame walker's reads during a sample: through the window cache, or
 * straight when the cache cannot serve them (a window near the end of a
 * mapping is partly unreadable; the exact range may still be). */
static int cached_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct pyproc *py = ctx;
	const uint8_t *p = win_get(py, addr, len);

	if (!p)
		return vm_read(py, addr, buf, len);
	memcpy(buf, p, len);
	return 0;
}

/* ---- finding the interpreter ------------------------------------------- */

/* "python3.11", "libpython3.11.so.1.0", "python3.12d": the version in a name. */
static bool version_from_name(const char *path, unsigned *major, unsigned *minor)
{
	const char *base = strrchr(path, '/');
	const char *p;

	base = base ? base + 1 : path;
	p = strstr(base, "python");
	if (!p || (p != base && strncmp(base, "lib", 3) != 0))
		return false;
	p += 6;
	if (sscanf(p, "%u.%u", major, minor) != 2)
		return false;
	return *major == 3;
}

static bool looks_like_python(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strncmp(base, "python", 6) == 0 || strncmp(base, "libpython", 9) == 0;
}

struct py_syms {
	uint64_t runtime, code_type, str_type, version;   /* ELF vaddrs, 0: absent */
};

static void scan_symtab(Elf *e, Elf_Scn *scn, GElf_Shdr *sh, struct py_syms *out)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; d && i < n && i < 50000000; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name || (name[0] != '_' && name[0] != 'P'))
			continue;
		if (!strcmp(name, "_PyRuntime"))
			out->runtime = sym.st_value;
		else if (!strcmp(name, "PyCode_Type"))
			out->code_type = sym.st_value;
		else if (!strcmp(name, "PyUnicode_Type"))
			out->str_type = sym.st_value;
		else if (!strcmp(name, "Py_Version"))
			out->version = sym.st_value;
	}
}

static void find_syms(Elf *e, struct py_syms *out)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB))
			scan_symtab(e, scn, &sh, out);
	}
}

/* Load bias of the file mapped at e: runtime address = ELF vaddr + bias. */
static bool load_bias(Elf *elf, const struct map_entry *e, uint64_t *bias)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (size_t i = 0; i < n && i < ELFTAB_MAX_PHDRS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (e->pgoff >= (ph.p_offset & ~0xfffull) && e->pgoff < ph.p_offset + ph.p_filesz) {
			*bias = e->start - e->pgoff - (ph.p_vaddr - ph.p_offset);
			return true;
		}
	}
	return false;
}

/* Open the file behind a mapping as the target sees it. */
static int open_mapped(pid_t pid, const struct map_entry *e, int *fd, Elf **elf)
{
	char path[4200];

	if (e->deleted)
		snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)pid,
			 (unsigned long long)e->start, (unsigned long long)e->end);
	else
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, e->path);
	if (elftab_open(path, fd, elf, NULL) == 0)
		return 0;
	/* /proc/PID/root needs ptrace rights the maps did not: the same file
	 * by its own name, when it provably is the same. */
	return maps_same_file(e, e->path) ? elftab_open(e->path, fd, elf, NULL) : -EACCES;
}

/* The version: Py_Version (3.11+) when the file has it, else the file name. */
static bool read_version(struct pyproc *py, const struct py_syms *s, uint64_t bias,
			 const char *path)
{
	uint32_t hex;

	if (s->version && !vm_read(py, s->version + bias, &hex, sizeof(hex)) &&
	    (hex >> 24) == 3) {
		py->major = hex >> 24;
		py->minor = (hex >> 16) & 0xff;
		return true;
	}
	return version_from_name(path, &py->major, &py->minor);
}

/* 3.13+ describe their own layout at the start of _PyRuntime; else the table. */
static bool pick_layout(struct pyproc *py)
{
	const struct py_layout *t;
	uint8_t buf[4096];

	if (!vm_read(py, py->runtime, buf, sizeof(buf)) &&
	    pylayout_from_debug_offsets(buf, sizeof(buf), &py->layout) == 0 &&
	    py->layout.major == py->major && py->layout.minor == py->minor)
		return true;
	t = pylayout_find(py->major, py->minor);
	if (!t)
		return false;
	py->layout = *t;
	return true;
}

/*
 * Python frames are read with process_vm_readv, which needs ptrace rights
 * over the target; perf events need other ones.  Where perf samples but
 * the memory is off limits (a container without CAP_SYS_PTRACE, Yama),
 * say so once and go on with native frames, rather than count every
 * sample's read as failed.
 */
static bool memory_refused(struct pyproc *py, char *note, size_t notelen)
{
	uint64_t word;
	int err = vm_read(py, py->runtime, &word, sizeof(word));

	if (err != -EPERM && err != -EACCES)
		return false;
	snprintf(note, notelen, "python found, but its memory cannot be read (process_vm_readv: %s): "
		 "run as the process's owner or root, or grant CAP_SYS_PTRACE; showing native frames",
		 strerror(-err));
	return true;
}

/* Try one mapped file: the interpreter when it has _PyRuntime. */
static bool try_module(struct pyproc *py, const struct map_entry *e)
{
	struct py_syms s = { 0 };
	uint64_t bias = 0;
	Elf *elf;
	int fd;
	bool ok;

	if (open_mapped(py->pid, e, &fd, &elf))
		return false;
	find_syms(elf, &s);
	ok = s.runtime && load_bias(elf, e, &bias);
	elf_end(elf);
	close(fd);
	if (!ok)
		return false;
	py->runtime = s.runtime + bias;
	py->code_type = s.code_type ? s.code_type + bias : 0;
	py->nrd.code_type = py->code_type;
	py->nrd.str_type = s.str_type ? s.str_type + bias : 0;
	return read_version(py, &s, bias, e->path);
}

static struct pyproc *pyproc_alloc(pid_t pid, pyproc_code_fn announce, void *ctx)
{
	struct pyproc *py = calloc(1, sizeof(*py));

	if (!py)
		return NULL;
	py->pid = pid;
	py->announce = announce;
	py->ctx = ctx;
	py->pthread_tid_off = -1;
	py->capcodes = 1024;
	py->codes = calloc(py->capcodes, sizeof(*py->codes));
	if (!py->codes) {
		free(py);
		return NULL;
	}
	py->rd = (struct pyf_reader){ .l = &py->layout, .read = vm_read, .ctx = py };
	py->wrd = (struct pyf_reader){ .l = &py->layout, .read = cached_read, .ctx = py };
	py->nrd = (struct pyf_reader){ .l = &py->layout, .read = vm_read, .ctx = py };
	return py;
}

enum pyproc_find pyproc_find(struct pyproc **out, pid_t pid, pyproc_code_fn announce, void *ctx,
			     char *note, size_t notelen)
{
	struct maps m = { 0 };
	struct pyproc *py;
	enum pyproc_find res = PYPROC_NONE;

	*out = NULL;
	note[0] = '\0';
	if (!elftab_init() || maps_read(pid, &m))
		return PYPROC_NONE;
	py = NULL;
	for (size_t i = 0; i < m.n && res == PYPROC_NONE; i++) {
		if (!m.v[i].path[0] || !looks_like_python(m.v[i].path) ||
		    (i > 0 && !strcmp(m.v[i - 1].path, m.v[i].path)))
			continue;
		/* Allocated for a candidate only: this runs twice a second in
		 * every process that is not Python, and the struct is large
		 * (calloc'ing it each time cost ~600 page faults a second). */
		if (!py)
			py = pyproc_alloc(pid, announce, ctx);
		if (!py)
			break;
		if (!try_module(py, &m.v[i]))
			continue;
		if (memory_refused(py, note, notelen)) {
			res = PYPROC_UNSUPPORTED;
		} else if (pick_layout(py)) {
			res = PYPROC_FOUND;
			snprintf(note, notelen, "python %u.%u found: showing Python frames",
				 py->major, py->minor);
		} else {
			res = PYPROC_UNSUPPORTED;
			snprintf(note, notelen, "python %u.%u frames not supported; showing native frames",
				 py->major, py->minor);
		}
	}
	maps_release(&m);
	if (res == PYPROC_FOUND)
		*out = py;
	else
		pyproc_free(py);
	return res;
}

void pyproc_free(struct pyproc *py)
{
	if (!py)
		return;
	free(py->threads);
	free(py->codes);
	free(py);
}

static bool named_python(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strncmp(base ? base + 1 : path, "python", 6);
}

/* The #! line of a script names python (directly or through env). */
static bool shebang_python(const char *path)
{
	char line[256] = "";
	FILE *f = fopen(path, "re");
	bool yes;

	if (!f)
		return false;
	yes = fgets(line, sizeof(line), f) && !strncmp(line, "#!", 2) && strstr(line, "python");
	fclose(f);
	return yes;
}

bool pyproc_command_is_python(char *const *argv)
{
	if (!argv || !argv[0])
		return false;
	if (named_python(argv[0]))
		return true;
	if (!strcmp(argv[0], "env") || !strcmp(argv[0], "/usr/bin/env"))
		return argv[1] && named_python(argv[1]);
	return strchr(argv[0], '/') && shebang_python(argv[0]);
}

void pyproc_version(const struct pyproc *py, unsigned *major, unsigned *minor)
{
	*major = py->major;
	*minor = py->minor;
}

/* ---- threads ------------------------------------------------------------ */

/*
 * Before 3.11 a thread state knows only its pthread_t, which glibc makes the
 * address of its struct pthread; the kernel's thread id is a field of that
 * struct whose offset depends on the glibc build.  Find it once: the offset
 * at which every thread state's struct holds a thread id of the target.
 */
static bool is_task(pid_t pid, int32_t tid)
{
	char path[64];

	if (tid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
	return access(path, F_OK) == 0;
}

struct probe {
	struct pyproc *py;
	int32_t (*vals)[PYPROC_PTHREAD_SCAN / 4];
	size_t n, cap;
};

static int probe_one(void *ctx, const struct pyf_thread *t)
{
	struct probe *p = ctx;

	if (p->n == p->cap)
		return 1;
	if (vm_read(p->py, t->pthread_id, p->vals[p->n], sizeof(p->vals[0])) == 0)
		p->n++;
	return 0;
}

static void probe_pthread_tid(struct pyproc *py)
{
	int32_t vals[16][PYPROC_PTHREAD_SCAN / 4];
	struct probe p = { py, vals, 0, 16 };

	pyf_threads(&py->rd, py->runtime, probe_one, &p);
	for (size_t k = 1; p.n && k < PYPROC_PTHREAD_SCAN / 4; k++) {
		bool all = true;

		for (size_t i = 0; i < p.n && all; i++)
			all = is_task(py->pid, vals[i][k]);
		if (all) {
			py->pthread_tid_off = (int)(k * 4);
			return;
		}
	}
}

static uint32_t thread_tid(struct pyproc *py, const struct pyf_thread *t)
{
	int32_t tid;

	if (t->native_tid)
		return t->native_tid;
	if (py->pthread_tid_off < 0 ||
	    vm_read(py, t->pthread_id + (uint64_t)py->pthread_tid_off, &tid, sizeof(tid)))
		return 0;
	return tid > 0 ? (uint32_t)tid : 0;
}

static int add_thread(void *ctx, const struct pyf_thread *t)
{
	struct pyproc *py = ctx;
	uint32_t tid = thread_tid(py, t);

	if (!tid)
		return 0;
	if (py->nthreads == py->capthreads) {
		size_t cap = py->capthreads ? py->capthreads * 2 : 64;
		struct tmap_ent *v = realloc(py->threads, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		py->threads = v;
		py->capthreads = cap;
	}
	py->threads[py->nthreads++] = (struct tmap_ent){ tid, t->tstate };
	return 0;
}

static int cmp_tid(const void *a, const void *b)
{
	const struct tmap_ent *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static void scan_threads(struct pyproc *py)
{
	if (py->layout.tstate_native_tid == PYL_NONE && py->pthread_tid_off < 0)
		probe_pthread_tid(py);
	py->nthreads = 0;
	pyf_threads(&py->rd, py->runtime, add_thread, py);
	if (py->nthreads)
		qsort(py->threads, py->nthreads, sizeof(*py->threads), cmp_tid);
	py->scanned_ns = monotime_ns();
}

static uint64_t find_tstate(struct pyproc *py, uint32_t tid)
{
	struct tmap_ent key = { tid, 0 }, *hit = NULL;

	for (int pass = 0; pass < 2; pass++) {
		if (py->nthreads)
			hit = bsearch(&key, py->threads, py->nthreads, sizeof(key), cmp_tid);
		if (hit)
			return hit->tstate;
		if (pass || monotime_ns() - py->scanned_ns < PYPROC_RESCAN_NS)
			break;
		scan_threads(py);
	}
	return 0;
}

int pyproc_thread_name(struct pyproc *py, uint32_t tid, char *buf, size_t len)
{
	uint64_t tstate = find_tstate(py, tid);

	if (len)
		buf[0] = '\0';
	if (!tstate)
		return -ESRCH;
	return pyo_thread_name(&py->nrd, py->runtime, tstate, buf, len);
}

/* ---- code objects ------------------------------------------------------- */

static size_t code_slot(const struct pyproc *py, uint64_t addr)
{
	uint64_t h = addr * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 20) & (py->capcodes - 1);
}

static bool grow_codes(struct pyproc *py)
{
	size_t cap = py->capcodes * 2;
	struct code_ent *v = calloc(cap, sizeof(*v)), *old = py->codes;
	size_t oldcap = py->capcodes;

	if (!v)
		return false;
	py->codes = v;
	py->capcodes = cap;
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].id)
			continue;
		j = code_slot(py, old[i].addr);
		while (v[j].id)
			j = (j + 1) & (cap - 1);
		v[j] = old[i];
	}
	free(old);
	return true;
}

/* Forget every code object: ids are announced again as frames need them
 * (the consumer interns functions by name, so nothing is split). */
static void reset_codes(struct pyproc *py)
{
	memset(py->codes, 0, py->capcodes * sizeof(*py->codes));
	py->ncodes = 0;
}

/*
 * Code objects are freed and their memory reused (a module's top-level code
 * after it ran, lambdas, exec'd code), so an address alone does not name
 * one: each frame's code is checked against a fingerprint of its name, file
 * and line fields, and a changed one is read and announced anew.
 */
static uint32_t code_id(struct pyproc *py, uint64_t addr, uint64_t print)
{
	struct pyf_code c;
	size_t j;

	if (py->ncodes * 10 >= py->capcodes * 7 &&
	    (py->capcodes >= PYPROC_MAX_CODES || !grow_codes(py)))
		reset_codes(py);
	j = code_slot(py, addr);
	while (py->codes[j].id && py->codes[j].addr != addr)
		j = (j + 1) & (py->capcodes - 1);
	if (py->codes[j].id && py->codes[j].print == print)
		return py->codes[j].id;
	if (pyf_code(&py->rd, addr, &c))
		return 0;
	if (next_code_id == UINT32_MAX)
		next_code_id = 1;
	if (!py->codes[j].id)
		py->ncodes++;
	py->codes[j] = (struct code_ent){ addr, print, next_code_id++ };
	py->announce(py->ctx, py->codes[j].id, &c);
	return py->codes[j].id;
}

/* ---- one sample --------------------------------------------------------- */

static uint16_t code_head_len(const struct py_layout *l)
{
	uint16_t end = 0, offs[] = { l->code_name, l->code_qualname, l->code_filename,
				     l->code_firstlineno };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		if (offs[i] != PYL_NONE && offs[i] + 8 > end)
			end = (uint16_t)(offs[i] + 8);
	return end <= PYPROC_CODE_HEAD ? end : 0;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

/*
 * Fingerprint every frame's code object with one system call: the start of
 * each (process_vm_readv takes many remote pieces at once).  A code object
 * the call could not read gets print 0 and is read again by code_id.
 */
static bool print_codes(struct pyproc *py, size_t n)
{
	uint16_t len = code_head_len(&py->layout), off = 0;
	struct iovec local[256], remote[256];

	if (!len)
		return false;
	while (off < n) {
		size_t k = n - off < 256 ? n - off : 256;
		ssize_t got;

		for (size_t i = 0; i < k; i++) {
			local[i] = (struct iovec){ py->code_heads[off + i], len };
			remote[i] = (struct iovec){ (void *)(uintptr_t)py->frames[off + i].code, len };
		}
		got = process_vm_readv(py->pid, local, k, remote, k, 0);
		if (got < 0)
			return false;
		for (size_t i = 0; i < k; i++)
			py->prints[off + i] = (size_t)got >= (i + 1) * len ?
				fnv(py->code_heads[off + i], len) : 0;
		off = (uint16_t)(off + k);
	}
	return true;
}

/*
 * Is frame i's code a code object?  Its type is in the head print_codes
 * read, so this costs no read (the walker would spend one per frame).  A
 * frame whose executable is something else (3.13 allows it) is left out,
 * as the walker would; without the type's address, or without the head,
 * the frame is kept and code_id judges it.
 */
static bool is_code_head(const struct pyproc *py, size_t i)
{
	uint16_t off = py->layout.ob_type;
	uint64_t type;

	if (!py->code_type || !py->prints[i] || off == PYL_NONE ||
	    off + sizeof(type) > code_head_len(&py->layout))
		return true;
	memcpy(&type, py->code_heads[i] + off, sizeof(type));
	return type == py->code_type;
}

static enum py_status from_pyf(enum pyf_status s)
{
	switch (s) {
	case PYF_OK: return PYS_OK;
	case PYF_READ: return PYS_READ;
	case PYF_CYCLE: return PYS_CYCLE;
	case PYF_DEPTH: return PYS_DEPTH;
	default: return PYS_BAD;
	}
}

static size_t walk(struct pyproc *py, uint64_t top, size_t max, enum py_status *status)
{
	size_t n;

	win_clear(py);
	*status = from_pyf(pyf_walk(&py->wrd, top, py->frames, max, &n));
	if (*status != PYS_OK && *status != PYS_DEPTH)
		return 0;
	return n;
}

/* Read the chain, then check the thread is still where it started: a stack
 * that changed under the walk could mix two moments. */
size_t pyproc_stack(struct pyproc *py, uint32_t tid, struct frame *out, size_t max,
		    enum py_status *status)
{
	uint64_t tstate = find_tstate(py, tid), top, again;
	size_t n, k = 0;

	*status = PYS_NO_THREAD;
	if (!tstate)
		return 0;
	*status = PYS_READ;
	if (pyf_top_frame(&py->rd, tstate, &top))
		return 0;
	*status = PYS_NONE;
	if (!top)
		return 0;
	if (max > PYPROC_MAX_FRAMES)
		max = PYPROC_MAX_FRAMES;
	n = walk(py, top, max, status);
	if (n && (pyf_top_frame(&py->rd, tstate, &again) || again != top)) {
		*status = PYS_TORN;
		return 0;
	}
	if (n && !print_codes(py, n)) {
		*status = PYS_READ;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t id;

		if (!is_code_head(py, i))
			continue;
		id = code_id(py, py->frames[i].code, py->prints[i]);

		if (!id) {
			*status = PYS_BAD;
			return 0;
		}
		out[k++] = (struct frame){
			.addr = py->frames[i].entry, .module = id, .kind = FRAME_PYTHON,
		};
	}
	return k;
}
