/* modcache.c — the sampler's table of the target's mappings and module images. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "proftui/modcache.h"
#include "proftui/monotime.h"

#define MC_REFRESH_MIN_NS (50ull * 1000 * 1000)
#define MC_REFRESH_FLOOR_NS (1ull * 1000 * 1000)
/* Larger files are mapped all the same (mmap is lazy), but nothing above this
 * is trusted as an ELF image. */
#define MC_MAX_IMAGE ((size_t)4 << 30)
#define MC_MAX_PHDRS 256
/* The rebuilt .debug_frame goes this far past the module's last PT_LOAD:
 * near enough for 32-bit offsets to the code, in no segment of its own. */
#define MC_DWF_GAP ((uint64_t)1 << 20)
#define MC_DWF_ALIGN 4096u
#define MC_DEBUG_DIR "/usr/lib/debug/.build-id/"

struct mod_priv {
	struct mod pub;
	bool announced;
	bool mapped;               /* image is our own mmap (munmap on free) */
	uint32_t dev_major, dev_minor;
	uint64_t inode;
	Elf64_Phdr loads[16];      /* PT_LOAD headers, for offset -> vaddr */
	size_t nloads;
	uint64_t load_end;         /* end of the highest PT_LOAD (all of them) */
	uint64_t exec_lo, exec_hi; /* span of the executable PT_LOADs */
	bool dwf_tried;
	struct dwf_table dwf;      /* see modcache_debug_frame */
};

struct modcache {
	pid_t pid;
	struct maps maps;
	struct mod_priv **map_mod; /* per maps entry: its module, lazily */
	bool *map_tried;
	struct mod_priv **mods;
	size_t nmods, cap;
	uint32_t next_id;
	uint64_t last_refresh_ns;
	uint64_t sample_ns;        /* when the sample being unwound was taken */
	modcache_announce_fn announce;
	void *ctx;
	struct mod_priv *anon;     /* the one module for anonymous code */
	uint64_t generation;       /* bumped when the code mappings change */
	/* The mapping of the last lookup: a stack's frames mostly sit in
	 * one module, and each is looked up two or three times (unwinder
	 * checks, then the frame record).  Into maps.v; NULL when stale. */
	const struct map_entry *last;
};

struct modcache *modcache_new(pid_t pid, modcache_announce_fn announce, void *ctx)
{
	struct modcache *mc = calloc(1, sizeof(*mc));

	if (!mc)
		return NULL;
	mc->pid = pid;
	mc->announce = announce;
	mc->ctx = ctx;
	mc->next_id = 1;
	return mc;
}

static void mod_free(struct mod_priv *m)
{
	if (!m)
		return;
	if (m->mapped && m->pub.image)
		munmap((void *)m->pub.image, m->pub.image_size);
	dwf_release(&m->dwf);
	free(m->pub.path);
	free(m->pub.open_path);
	free(m);
}

static void drop_map_cache(struct modcache *mc)
{
	free(mc->map_mod);
	free(mc->map_tried);
	mc->map_mod = NULL;
	mc->map_tried = NULL;
}

void modcache_reset(struct modcache *mc)
{
	mc->generation++;
	for (size_t i = 0; i < mc->nmods; i++)
		mod_free(mc->mods[i]);
	mc->nmods = 0;
	mc->anon = NULL;
	drop_map_cache(mc);
	mc->last = NULL;
	maps_release(&mc->maps);
	mc->last_refresh_ns = 0;
}

void modcache_free(struct modcache *mc)
{
	if (!mc)
		return;
	modcache_reset(mc);
	free(mc->mods);
	free(mc);
}

/* Do two reads of the maps hold the same executable mappings?  What was
 * learnt about code addresses (unwind rules) stays true only if so. */
static bool same_code(const struct maps *a, const struct maps *b)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->n && !a->v[i].x)
			i++;
		while (j < b->n && !b->v[j].x)
			j++;
		if (i == a->n || j == b->n)
			return i == a->n && j == b->n;
		if (a->v[i].start != b->v[j].start || a->v[i].end != b->v[j].end ||
		    a->v[i].pgoff != b->v[j].pgoff || a->v[i].inode != b->v[j].inode ||
		    a->v[i].dev_major != b->v[j].dev_major || a->v[i].dev_minor != b->v[j].dev_minor)
			return false;
		i++;
		j++;
	}
}

int modcache_refresh(struct modcache *mc, bool force)
{
	struct maps fresh = { 0 };
	uint64_t now = monotime_ns();
	int err;

	/* A miss justifies a new read when the maps we hold are older than the
	 * sample (the mapping may be new); otherwise it is a genuine miss
	 * (a garbage address) and re-reading is rate-limited. */
	if (!force && mc->last_refresh_ns) {
		uint64_t age = now - mc->last_refresh_ns;

		if (age < MC_REFRESH_FLOOR_NS)
			return 0;
		if (mc->last_refresh_ns >= mc->sample_ns && age < MC_REFRESH_MIN_NS)
			return 0;
	}
	mc->last_refresh_ns = now;
	err = maps_read(mc->pid, &fresh);
	if (err)
		return err;
	/* A process that has exited (its samples still in the rings) or is
	 * between two programs in an exec has no mappings: keep the ones we
	 * know rather than lose every name until the next read. */
	if (fresh.n == 0) {
		maps_release(&fresh);
		return -ESRCH;
	}
	if (!same_code(&mc->maps, &fresh))
		mc->generation++;
	drop_map_cache(mc);
	mc->last = NULL;
	maps_release(&mc->maps);
	mc->maps = fresh;
	mc->map_mod = calloc(fresh.n ? fresh.n : 1, sizeof(*mc->map_mod));
	mc->map_tried = calloc(fresh.n ? fresh.n : 1, sizeof(*mc->map_tried));
	if (!mc->map_mod || !mc->map_tried) {
		drop_map_cache(mc);
		return -ENOMEM;
	}
	return 0;
}

void modcache_set_sample_time(struct modcache *mc, uint64_t time_ns)
{
	mc->sample_ns = time_ns;
}

const struct map_entry *modcache_map(struct modcache *mc, uint64_t addr)
{
	const struct map_entry *e = mc->last;

	if (e && addr >= e->start && addr < e->end)
		return e;
	e = maps_find(&mc->maps, addr);
	if (!e && modcache_refresh(mc, false) == 0)
		e = maps_find(&mc->maps, addr);
	if (e)
		mc->last = e;
	return e;
}

/* ---- ELF images ------------------------------------------------------- */

static bool in_image(const struct mod *m, uint64_t off, uint64_t len)
{
	return m->image && off <= m->image_size && len <= m->image_size - off;
}

/* Size in bytes of a DWARF pointer encoding's value, or 0 if unsupported. */
static size_t eh_enc_size(uint8_t enc)
{
	switch (enc & 0x0f) {
	case 0x03: case 0x0b: return 4;   /* udata4, sdata4 */
	case 0x04: case 0x0c: return 8;   /* udata8, sdata8 */
	case 0x02: case 0x0a: return 2;
	default: return 0;
	}
}

static void parse_eh_hdr(struct mod_priv *m, const Elf64_Phdr *ph)
{
	const uint8_t *h;
	size_t ptr_size;
	uint32_t count;

	/* A section cut out by objcopy leaves the header behind, empty. */
	if (ph->p_filesz < 12 || !in_image(&m->pub, ph->p_offset, 4))
		return;
	h = m->pub.image + ph->p_offset;
	/* The binary-search table libunwind understands: version 1, a udata4
	 * count and datarel|sdata4 entries (what every linker emits). */
	ptr_size = eh_enc_size(h[1]);
	if (h[0] != 1 || h[2] != 0x03 || h[3] != 0x3b || !ptr_size)
		return;
	if (!in_image(&m->pub, ph->p_offset + 4 + ptr_size, 4))
		return;
	memcpy(&count, h + 4 + ptr_size, 4);
	if (!in_image(&m->pub, ph->p_offset + 8 + ptr_size, (uint64_t)count * 8))
		return;
	m->pub.eh_hdr_vaddr = ph->p_vaddr;
	m->pub.eh_table_vaddr = ph->p_vaddr + 8 + ptr_size;
	m->pub.eh_fde_count = count;
}

static void parse_note(struct mod_priv *m, const Elf64_Phdr *ph)
{
	uint64_t off = ph->p_offset, end;

	if (!in_image(&m->pub, off, ph->p_filesz))
		return;
	end = off + ph->p_filesz;
	while (off + sizeof(Elf64_Nhdr) <= end) {
		Elf64_Nhdr n;
		uint64_t name_off, desc_off;

		memcpy(&n, m->pub.image + off, sizeof(n));
		name_off = off + sizeof(n);
		desc_off = name_off + ((n.n_namesz + 3ull) & ~3ull);
		off = desc_off + ((n.n_descsz + 3ull) & ~3ull);
		if (off > end)
			return;
		if (n.n_type == NT_GNU_BUILD_ID && n.n_namesz == 4 &&
		    !memcmp(m->pub.image + name_off, "GNU", 4) && n.n_descsz <= 20) {
			memcpy(m->pub.build_id, m->pub.image + desc_off, n.n_descsz);
			m->pub.build_id_len = (uint8_t)n.n_descsz;
			return;
		}
	}
}

/* Where the segments reach, for placing a rebuilt .debug_frame. */
static void note_load(struct mod_priv *m, const Elf64_Phdr *ph)
{
	uint64_t end = ph->p_vaddr + ph->p_memsz;

	if (end < ph->p_vaddr)      /* wraps: garbage */
		return;
	if (end > m->load_end)
		m->load_end = end;
	if (!(ph->p_flags & PF_X) || end == ph->p_vaddr)
		return;
	if (m->exec_lo == m->exec_hi || ph->p_vaddr < m->exec_lo)
		m->exec_lo = ph->p_vaddr;
	if (end > m->exec_hi)
		m->exec_hi = end;
}

/* Read program headers, the unwind table and the build-id; a file that is
 * not a sane 64-bit ELF keeps its image but gets none of these. */
static void parse_elf(struct mod_priv *m)
{
	Elf64_Ehdr eh;

	if (!in_image(&m->pub, 0, sizeof(eh)))
		return;
	memcpy(&eh, m->pub.image, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > MC_MAX_PHDRS ||
	    !in_image(&m->pub, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr)))
		return;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, m->pub.image + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD)
			note_load(m, &ph);
		if (ph.p_type == PT_LOAD && m->nloads < sizeof(m->loads) / sizeof(m->loads[0]))
			m->loads[m->nloads++] = ph;
		else if (ph.p_type == PT_GNU_EH_FRAME)
			parse_eh_hdr(m, &ph);
		else if (ph.p_type == PT_NOTE && !m->pub.build_id_len)
			parse_note(m, &ph);
	}
}

static int map_file(struct mod_priv *m, const char *path)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	/* Only regular files: a FIFO or device planted in a container must not
	 * block or feed us endless data. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MC_MAX_IMAGE) {
		close(fd);
		return -EINVAL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	m->pub.image = p;
	m->pub.image_size = (size_t)st.st_size;
	m->mapped = true;
	return 0;
}

/* proftui's own vDSO: the kernel maps one image into every process. */
static void own_vdso(const uint8_t **base, size_t *size)
{
	static const uint8_t *vbase;
	static size_t vsize;
	struct maps self = { 0 };

	if (!vbase) {
		vbase = (const uint8_t *)getauxval(AT_SYSINFO_EHDR);
		if (vbase && maps_read(getpid(), &self) == 0) {
			const struct map_entry *e = maps_find(&self, (uint64_t)(uintptr_t)vbase);

			if (e)
				vsize = e->end - e->start;
			maps_release(&self);
		}
	}
	*base = vsize ? vbase : NULL;
	*size = vsize;
}

static struct mod_priv *find_mod(struct modcache *mc, const struct map_entry *e)
{
	for (size_t i = 0; i < mc->nmods; i++) {
		struct mod_priv *m = mc->mods[i];

		if (m->inode == e->inode && m->dev_major == e->dev_major &&
		    m->dev_minor == e->dev_minor && !strcmp(m->pub.path, e->path))
			return m;
	}
	return NULL;
}

static char *open_path_for(const struct modcache *mc, const struct map_entry *e)
{
	char buf[PATH_MAX + 64];

	/* Through /proc/PID/root the file is the one the target sees, even in
	 * another mount namespace; a deleted file only survives in map_files. */
	if (!e->deleted)
		snprintf(buf, sizeof(buf), "/proc/%d/root%s", (int)mc->pid, e->path);
	else
		snprintf(buf, sizeof(buf), "/proc/%d/map_files/%llx-%llx", (int)mc->pid,
			 (unsigned long long)e->start, (unsigned long long)e->end);
	return strdup(buf);
}

static struct mod_priv *new_mod(struct modcache *mc, const struct map_entry *e, enum module_kind kind)
{
	struct mod_priv *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (mc->nmods == mc->cap) {
		size_t cap = mc->cap ? mc->cap * 2 : 32;
		struct mod_priv **v = realloc(mc->mods, cap * sizeof(*v));

		if (!v) {
			free(m);
			return NULL;
		}
		mc->mods = v;
		mc->cap = cap;
	}
	m->pub.id = mc->next_id++;
	m->pub.kind = kind;
	m->dev_major = e->dev_major;
	m->dev_minor = e->dev_minor;
	m->inode = e->inode;
	m->pub.path = strdup(kind == MOD_ANON ? "[anon]" : e->path);
	m->pub.open_path = kind == MOD_FILE ? open_path_for(mc, e) : strdup(m->pub.path);
	if (!m->pub.path || !m->pub.open_path) {
		mod_free(m);
		return NULL;
	}
	mc->mods[mc->nmods++] = m;
	return m;
}

static struct mod_priv *load_mod(struct modcache *mc, const struct map_entry *e)
{
	struct mod_priv *m;

	if (e->path[0] == '/') {
		m = find_mod(mc, e);
		if (m)
			return m;
		m = new_mod(mc, e, MOD_FILE);
		if (!m)
			return NULL;
		if (map_file(m, m->pub.open_path) < 0 && !e->deleted) {
			/* /proc/PID/root may be unreachable; map_files is the
			 * other road to the very same inode. */
			char alt[96];

			snprintf(alt, sizeof(alt), "/proc/%d/map_files/%llx-%llx", (int)mc->pid,
				 (unsigned long long)e->start, (unsigned long long)e->end);
			if (map_file(m, alt) == 0) {
				free(m->pub.open_path);
				m->pub.open_path = strdup(alt);
			} else if (maps_same_file(e, e->path) && map_file(m, e->path) == 0) {
				/* Both need ptrace rights; the maps did not. */
				free(m->pub.open_path);
				m->pub.open_path = strdup(e->path);
			}
		}
	} else if (!strcmp(e->path, "[vdso]")) {
		m = find_mod(mc, e);
		if (m)
			return m;
		m = new_mod(mc, e, MOD_VDSO);
		if (!m)
			return NULL;
		own_vdso(&m->pub.image, &m->pub.image_size);
	} else if (e->x && (e->path[0] == '\0' || !strncmp(e->path, "[anon", 5) ||
			    !strncmp(e->path, "/memfd:", 7))) {
		if (!mc->anon)
			mc->anon = new_mod(mc, e, MOD_ANON);
		return mc->anon;
	} else {
		return NULL;
	}
	if (m->pub.image)
		parse_elf(m);
	return m;
}

const struct mod *modcache_module(struct modcache *mc, const struct map_entry *e)
{
	size_t i = (size_t)(e - mc->maps.v);
	struct mod_priv *m;

	if (!mc->map_mod || i >= mc->maps.n)
		return NULL;
	if (!mc->map_tried[i]) {
		mc->map_tried[i] = true;
		mc->map_mod[i] = load_mod(mc, e);
	}
	m = mc->map_mod[i];
	if (m && !m->announced && mc->announce)
		m->announced = mc->announce(mc->ctx, &m->pub) == 0;
	return m ? &m->pub : NULL;
}

/* ---- CFI from .debug_frame -------------------------------------------- */

/* The .debug_frame of the file at path, rebuilt into out; check_id: the
 * file must carry m's build-id.  *opened: there was a file to read. */
static int dwf_from_path(const char *path, const struct dwf_place *pl,
			 const struct mod_priv *m, bool check_id, struct dwf_table *out,
			 bool *opened)
{
	struct stat st;
	int err, fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	*opened = fd >= 0;
	if (fd < 0)
		return -errno;
	/* Regular files only, as in map_file. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MC_MAX_IMAGE)
		err = -EINVAL;
	else
		err = dwf_from_fd(fd, pl, check_id ? m->pub.build_id : NULL,
				  check_id ? m->pub.build_id_len : 0, out);
	close(fd);
	return err;
}

/* The separate debug file named by the build-id: under the target's root
 * (its packages), then under proftui's own. */
static int dwf_from_debug_file(const struct modcache *mc, const struct dwf_place *pl,
			       struct mod_priv *m)
{
	char hex[2 * sizeof(m->pub.build_id) + 1], path[PATH_MAX];
	bool opened;
	int err;

	for (unsigned i = 0; i < m->pub.build_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", m->pub.build_id[i]);
	snprintf(path, sizeof(path), "/proc/%d/root" MC_DEBUG_DIR "%.2s/%s.debug", (int)mc->pid,
		 hex, hex + 2);
	err = dwf_from_path(path, pl, m, true, &m->dwf, &opened);
	if (opened)
		return err;
	snprintf(path, sizeof(path), MC_DEBUG_DIR "%.2s/%s.debug", hex, hex + 2);
	return dwf_from_path(path, pl, m, true, &m->dwf, &opened);
}

static void load_debug_frame(const struct modcache *mc, struct mod_priv *m)
{
	struct dwf_place pl = { .pc_lo = m->exec_lo, .pc_hi = m->exec_hi };
	uint64_t end = m->load_end + MC_DWF_ALIGN - 1;
	bool opened;

	/* The vDSO and anonymous code have no file to look in. */
	if (m->pub.kind != MOD_FILE || !m->pub.image || m->exec_lo >= m->exec_hi ||
	    end < m->load_end || end - end % MC_DWF_ALIGN > UINT64_MAX - 2 * MC_DWF_GAP)
		return;
	pl.vaddr = end - end % MC_DWF_ALIGN + MC_DWF_GAP;
	if (dwf_from_path(m->pub.open_path, &pl, m, false, &m->dwf, &opened) == -ENOENT &&
	    m->pub.build_id_len >= 2)
		dwf_from_debug_file(mc, &pl, m);
}

const struct dwf_table *modcache_debug_frame(struct modcache *mc, const struct mod *pub)
{
	struct mod_priv *m = (struct mod_priv *)pub;

	if (!m->dwf_tried) {
		m->dwf_tried = true;
		load_debug_frame(mc, m);
	}
	return m->dwf.fde_count ? &m->dwf : NULL;
}

static uint64_t file_offset(const struct mod *m, const struct map_entry *e, uint64_t addr)
{
	/* The vDSO image is mapped from its start whatever pgoff says. */
	return addr - e->start + (m->kind == MOD_VDSO ? 0 : e->pgoff);
}

bool modcache_to_vaddr(const struct mod *pub, const struct map_entry *e, uint64_t addr,
		       uint64_t *vaddr)
{
	const struct mod_priv *m = (const struct mod_priv *)pub;
	uint64_t fo = file_offset(pub, e, addr);

	for (size_t i = 0; i < m->nloads; i++) {
		const Elf64_Phdr *ph = &m->loads[i];

		if (fo >= ph->p_offset && fo - ph->p_offset < ph->p_filesz) {
			*vaddr = fo - ph->p_offset + ph->p_vaddr;
			return true;
		}
	}
	return false;
}

uint64_t modcache_generation(const struct modcache *mc)
{
	return mc->generation;
}

const uint8_t *modcache_image_at(const struct mod *pub, uint64_t vaddr, size_t len)
{
	const struct mod_priv *m = (const struct mod_priv *)pub;

	if (!pub->image)
		return NULL;
	for (size_t i = 0; i < m->nloads; i++) {
		const Elf64_Phdr *ph = &m->loads[i];

		if (vaddr >= ph->p_vaddr && vaddr - ph->p_vaddr < ph->p_filesz &&
		    len <= ph->p_filesz - (vaddr - ph->p_vaddr)) {
			uint64_t fo = vaddr - ph->p_vaddr + ph->p_offset;

			return in_image(pub, fo, len) ? pub->image + fo : NULL;
		}
	}
	return NULL;
}

bool modcache_read(struct modcache *mc, uint64_t addr, void *buf, size_t len)
{
	const struct map_entry *e = modcache_map(mc, addr);
	const struct mod *m;
	uint64_t fo;

	if (!e || addr + len > e->end)
		return false;
	m = modcache_module(mc, e);
	if (!m || !m->image)
		return false;
	fo = file_offset(m, e, addr);
	if (!in_image(m, fo, len))
		return false;
	memcpy(buf, m->image + fo, len);
	return true;
}

struct frame modcache_frame(struct modcache *mc, uint64_t addr)
{
	struct frame f = { .addr = addr, .module = 0, .kind = FRAME_USER };
	const struct map_entry *e = modcache_map(mc, addr);
	const struct mod *m = e ? modcache_module(mc, e) : NULL;

	/* A module the consumer was not told about (ring full) cannot be
	 * named there: send the bare address rather than a dangling id. */
	if (!m || !((const struct mod_priv *)m)->announced) {
		return f;
	}
	f.module = m->id;
	if (m->kind != MOD_ANON)
		f.addr = file_offset(m, e, addr);
	return f;
}

bool modcache_read_live(struct modcache *mc, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(mc->pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}
