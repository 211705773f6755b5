/* elfsyms.c — one module's function symbols: the best table for an ELF file or the vDSO, and offset lookup. */
#include "proftui/elfsyms.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "proftui/textscan.h"

#define ES_MAX_PATH     4096
#define ES_MAX_VDSO     (64UL << 20)
#define ES_DEBUG_DIR    "/usr/lib/debug"

/* ---- separate debug files ---- */

static uint32_t es_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	static uint32_t table[256];
	static bool ready;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;

			for (int b = 0; b < 8; b++)
				v = v & 1 ? 0xEDB88320u ^ (v >> 1) : v >> 1;
			table[i] = v;
		}
		ready = true;
	}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static int es_file_crc32(int fd, uint32_t *crc)
{
	enum { CHUNK = 64 * 1024 };
	unsigned char *buf = malloc(CHUNK);
	uint32_t v = 0;
	off_t off = 0;
	ssize_t got;

	if (!buf)
		return -ENOMEM;
	while ((got = pread(fd, buf, CHUNK, off)) > 0) {
		v = es_crc32(v, buf, (size_t)got);
		off += got;
	}
	free(buf);
	if (got < 0)
		return -errno;
	*crc = v;
	return 0;
}

struct es_want {               /* what a debug file must match */
	const GElf_Ehdr *eh;
	const uint8_t *id;
	size_t id_len;
	bool check_crc;
	uint32_t crc;
	const struct stat *orig;        /* never "find" the file itself */
};

static bool es_debug_matches(Elf *e, int fd, const struct stat *st, const struct es_want *w)
{
	uint8_t id[ELFTAB_BUILD_ID_MAX];
	GElf_Ehdr eh;
	uint32_t crc = 0;
	int n;

	if (w->orig && st->st_dev == w->orig->st_dev && st->st_ino == w->orig->st_ino)
		return false;
	if (!gelf_getehdr(e, &eh) || eh.e_ident[EI_CLASS] != w->eh->e_ident[EI_CLASS] ||
	    eh.e_machine != w->eh->e_machine)
		return false;
	n = elftab_build_id(e, id);
	if (w->id_len && n > 0 && ((size_t)n != w->id_len || memcmp(id, w->id, (size_t)n)))
		return false;
	if (w->check_crc)
		return es_file_crc32(fd, &crc) == 0 && crc == w->crc;
	return n > 0;   /* found by build-id: it must say so itself */
}

static int es_debug_try(const char *path, const struct es_want *w, struct elftab *t)
{
	struct stat st;
	Elf *e;
	int fd, err;

	err = elftab_open(path, &fd, &e, &st);
	if (err < 0)
		return err;
	err = es_debug_matches(e, fd, &st, w) ? elftab_read(e, SHT_SYMTAB, t) : -ESTALE;
	elf_end(e);
	close(fd);
	return err;
}

static int es_debug_by_build_id(const struct es_want *w, struct elftab *t)
{
	char path[sizeof(ES_DEBUG_DIR) + 16 + 2 * ELFTAB_BUILD_ID_MAX + 8];
	size_t i, pos;

	if (w->id_len < 2)
		return -ENOENT;
	pos = (size_t)snprintf(path, sizeof(path), "%s/.build-id/%02x/", ES_DEBUG_DIR, w->id[0]);
	for (i = 1; i < w->id_len; i++)
		pos += (size_t)snprintf(path + pos, sizeof(path) - pos, "%02x", w->id[i]);
	snprintf(path + pos, sizeof(path) - pos, ".debug");
	return es_debug_try(path, w, t);
}

static Elf_Scn *es_section_named(Elf *e, const char *want)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstr;
	const char *name;

	if (elf_getshdrstrndx(e, &shstr) != 0)
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstr, sh.sh_name);
		if (name && strcmp(name, want) == 0)
			return scn;
	}
	return NULL;
}

/* .gnu_debuglink: a file name (no directories), padding to 4, CRC32. */
static int es_debuglink(Elf *e, char *name, size_t cap, uint32_t *crc)
{
	Elf_Scn *scn = es_section_named(e, ".gnu_debuglink");
	const unsigned char *p, *ident;
	Elf_Data *d;
	size_t len, at;

	d = scn ? elf_getdata(scn, NULL) : NULL;
	ident = (const unsigned char *)elf_getident(e, NULL);
	if (!d || !d->d_buf || !ident)
		return -ENOENT;
	p = d->d_buf;
	len = strnlen((const char *)p, d->d_size);
	at = (len + 4) & ~(size_t)3;
	if (!len || len >= cap || at > d->d_size || d->d_size - at < 4 ||
	    memchr(p, '/', len) || strcmp((const char *)p, ".") == 0 ||
	    strcmp((const char *)p, "..") == 0)
		return -ENOEXEC;
	memcpy(name, p, len + 1);
	if (ident[EI_DATA] == ELFDATA2MSB)
		*crc = (uint32_t)p[at] << 24 | (uint32_t)p[at + 1] << 16 | (uint32_t)p[at + 2] << 8 | p[at + 3];
	else
		*crc = (uint32_t)p[at + 3] << 24 | (uint32_t)p[at + 2] << 16 | (uint32_t)p[at + 1] << 8 | p[at];
	return 0;
}

static int es_debug_by_link(Elf *e, const char *file, struct es_want *w, struct elftab *t)
{
	const char *slash = strrchr(file, '/');
	char name[256], path[ES_MAX_PATH];
	size_t i;
	int dirlen, n;

	if (!slash || es_debuglink(e, name, sizeof(name), &w->crc) < 0)
		return -ENOENT;
	dirlen = (int)(slash - file);
	w->check_crc = true;
	for (i = 0; i < 3; i++) {
		if (i == 0)
			n = snprintf(path, sizeof(path), "%.*s/%s", dirlen, file, name);
		else if (i == 1)
			n = snprintf(path, sizeof(path), "%.*s/.debug/%s", dirlen, file, name);
		else if (file[0] == '/')
			n = snprintf(path, sizeof(path), ES_DEBUG_DIR "%.*s/%s", dirlen, file, name);
		else
			continue;
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		if (es_debug_try(path, w, t) == 0 && t->n)
			return 0;
		elftab_free(t);
	}
	return -ENOENT;
}

/* The symbol table of a separate debug file, if one is installed. */
static void es_debug_table(Elf *e, const char *file, const struct stat *st,
			    const struct elfsyms *m, struct elftab *t)
{
	struct es_want w = { .id = m->build_id, .id_len = m->build_id_len, .orig = st };
	GElf_Ehdr eh;

	memset(t, 0, sizeof(*t));
	if (!gelf_getehdr(e, &eh))
		return;
	w.eh = &eh;
	if (es_debug_by_build_id(&w, t) == 0 && t->n)
		return;
	elftab_free(t);
	if (file)
		es_debug_by_link(e, file, &w, t);
}

/* ---- modules ---- */

static int es_read_segs(Elf *e, struct elfsyms *m)
{
	size_t phnum, i;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &phnum) != 0 || phnum == 0 || phnum > ELFTAB_MAX_PHDRS)
		return -ENOEXEC;
	m->segs = calloc(phnum, sizeof(*m->segs));
	if (!m->segs)
		return -ENOMEM;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz ||
		    ph.p_offset > UINT64_MAX - ph.p_filesz || ph.p_vaddr > UINT64_MAX - ph.p_filesz)
			continue;
		m->segs[m->nsegs++] = (struct elfsyms_seg){ .off = ph.p_offset, .vaddr = ph.p_vaddr,
			.filesz = ph.p_filesz, .exec = ph.p_flags & PF_X };
	}
	return m->nsegs ? 0 : -ENOEXEC;
}

/*
 * Load everything from the opened original.  Debug files are found through
 * `file` / `st` (NULL for the vDSO: build-id only); the PT_LOAD conversion
 * always comes from the original, as debug files keep the vaddrs but not
 * meaningful file offsets.
 */
static void es_load_elf(struct elfsyms *m, Elf *e, const char *file, const struct stat *st)
{
	struct elftab own, dbg;
	int n = elftab_build_id(e, m->build_id);

	m->build_id_len = n > 0 ? (size_t)n : 0;
	if (es_read_segs(e, m) < 0)
		return;
	elftab_read(e, SHT_SYMTAB, &own);
	es_debug_table(e, file, st, m, &dbg);
	if (dbg.n > own.n) {
		elftab_free(&own);
		own = dbg;
	} else {
		elftab_free(&dbg);
	}
	if (!own.n)
		elftab_read(e, SHT_DYNSYM, &own);
	m->tab = own;
}

void elfsyms_load_file(struct elfsyms *m, const char *path)
{
	struct stat st;
	Elf *e;
	int fd;

	if (elftab_open(path, &fd, &e, &st) < 0)
		return;
	es_load_elf(m, e, path, &st);
	elf_end(e);
	close(fd);
}

static int es_vdso_size(uint64_t base, size_t *size)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long long s, end;
	size_t cap = 0;
	char *line = NULL;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%llx-%llx", &s, &end) == 2 && s == base && end > s &&
		    strstr(line, "[vdso]")) {
			*size = (size_t)(end - s);
			err = 0;
			break;
		}
	}
	free(line);
	fclose(f);
	return err;
}

/* Our own vDSO: the kernel maps the same image into every process. */
void elfsyms_load_vdso(struct elfsyms *m)
{
	uint64_t base = getauxval(AT_SYSINFO_EHDR);
	size_t size = 0;
	char *img;
	Elf *e;

	if (!base || es_vdso_size(base, &size) < 0 || size > ES_MAX_VDSO || !elftab_init())
		return;
	/* A copy: libelf may write to the image it is given, the vDSO is read-only. */
	img = malloc(size);
	if (!img)
		return;
	memcpy(img, (const void *)(uintptr_t)base, size);
	e = elf_memory(img, size);
	if (e && elf_kind(e) == ELF_K_ELF)
		es_load_elf(m, e, NULL, NULL);
	if (e)
		elf_end(e);
	free(img);
}

void elfsyms_release(struct elfsyms *m)
{
	elftab_free(&m->tab);
	free(m->segs);
	memset(m, 0, sizeof(*m));
}

/* ---- lookup ---- */

bool elfsyms_to_vaddr(const struct elfsyms *m, uint64_t off, uint64_t *va)
{
	const struct elfsyms_seg *hit = NULL;
	size_t i;

	for (i = 0; i < m->nsegs; i++) {
		const struct elfsyms_seg *s = &m->segs[i];

		if (off < s->off || off - s->off >= s->filesz)
			continue;
		if (!hit || (s->exec && !hit->exec))
			hit = s;
	}
	if (!hit || off - hit->off > UINT64_MAX - hit->vaddr)
		return false;
	*va = hit->vaddr + (off - hit->off);
	return true;
}

/* Index of the symbol covering va, or -1. */
long elfsyms_find(const struct elfsyms *m, uint64_t va)
{
	const struct elftab *t = &m->tab;
	size_t lo = ts_upper(t->v, t->n, sizeof(*t->v), offsetof(struct elftab_ent, start), va);

	if (!lo || va - t->v[lo - 1].start >= t->v[lo - 1].size)
		return -1;
	return (long)(lo - 1);
}
