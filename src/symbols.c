/* symbols.c — resolve (module, file offset) to function names: ELF symbol tables, debug files, vDSO, kallsyms. */
#include "proftui/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* From libstdc++ (the program links -lstdc++). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

#define SYM_MAX_FILE     (2ULL << 30)     /* bigger ELF files are refused */
#define SYM_MAX_SYMS     50000000UL       /* bigger symbol tables are refused */
#define SYM_MAX_NAME     4095             /* longer names are truncated */
#define SYM_MAX_SECTIONS (1UL << 20)
#define SYM_MAX_PHDRS    4096
#define SYM_MAX_NOTE     (1UL << 20)
#define SYM_MAX_MODULES  (1UL << 20)
#define SYM_MAX_PATH     4096
#define SYM_MAX_VDSO     (64UL << 20)
#define SYM_BUILD_ID_MAX 20
#define SYM_DEBUG_DIR    "/usr/lib/debug"
#define KSYM_MAX         2000000UL
#define KSYM_MAX_SPAN    (1ULL << 20)     /* no kernel function is this big */
#define KSYM_NO_NAME     UINT32_MAX

struct sym_seg {                /* one PT_LOAD: file range -> vaddr */
	uint64_t off, vaddr, filesz;
	bool exec;
};

struct sym_ent {                /* one function, sorted by start */
	uint64_t start;
	uint32_t size;          /* > 0: zero-size symbols get their span at load */
	uint32_t name;          /* offset in the module's name arena */
};

struct sym_table {
	struct sym_ent *v;
	size_t n;
	char *names;            /* one arena for all names of the table */
};

struct sym_module {
	char *path;
	uint64_t hash;
	uint8_t build_id[SYM_BUILD_ID_MAX];
	size_t build_id_len;
	struct sym_seg *segs;
	size_t nsegs;
	struct sym_table tab;
	const char **dem;       /* demangled names, filled at lookup time */
};

struct sym_ksym {
	uint64_t addr;
	uint32_t name;          /* KSYM_NO_NAME: not text, only ends the previous one */
	uint32_t pref;          /* rank << 24 | line: lower wins among aliases */
};

struct sym_cache {
	struct sym_module **slot;       /* open addressing, power-of-two size */
	size_t cap, count;
	bool kloaded;
	struct sym_ksym *k;
	size_t nk;
	char *knames;
};

/* A symbol while its table is being built. */
struct sym_cand {
	uint64_t start, size;
	uint64_t sec_end;       /* end of its section, 0 if unknown */
	uint64_t pref;          /* lower wins among aliases at one address */
	uint32_t name, len;     /* in the ELF string table */
};

struct sym_sec {
	uint64_t addr, end;
	bool exec;
};

static bool sym_elf_init(void)
{
	static int state;

	if (!state)
		state = elf_version(EV_CURRENT) != EV_NONE ? 1 : -1;
	return state > 0;
}

/* O_NONBLOCK so a FIFO planted at a module path cannot hang the consumer. */
static int sym_elf_open(const char *path, int *fdp, Elf **ep, struct stat *st)
{
	struct stat sb;
	Elf *e;
	int fd, err;

	if (!st)
		st = &sb;
	if (!sym_elf_init())
		return -ENOSYS;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		err = -errno;
		goto fail;
	}
	err = -EINVAL;
	if (!S_ISREG(st->st_mode))
		goto fail;
	err = -EFBIG;
	if ((uint64_t)st->st_size > SYM_MAX_FILE)
		goto fail;
	err = -ENOEXEC;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		goto fail;
	if (elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		goto fail;
	}
	*fdp = fd;
	*ep = e;
	return 0;
fail:
	close(fd);
	return err;
}

/* ---- build-id ---- */

static int sym_note_build_id(const Elf_Data *d, uint8_t id[SYM_BUILD_ID_MAX])
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	if (!d || !d->d_buf)
		return 0;
	while (off < d->d_size &&
	       (next = gelf_getnote((Elf_Data *)d, off, &nh, &name_off, &desc_off)) > off) {
		const char *p = d->d_buf;

		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && nh.n_descsz > 0 &&
		    d->d_size >= 4 && name_off <= d->d_size - 4 && memcmp(p + name_off, "GNU", 4) == 0 &&
		    desc_off <= d->d_size && nh.n_descsz <= d->d_size - desc_off) {
			size_t n = nh.n_descsz < SYM_BUILD_ID_MAX ? nh.n_descsz : SYM_BUILD_ID_MAX;

			memcpy(id, p + desc_off, n);
			return (int)n;
		}
		off = next;
	}
	return 0;
}

static int sym_build_id_sections(Elf *e, uint8_t id[SYM_BUILD_ID_MAX])
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int n;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    (sh.sh_flags & SHF_COMPRESSED) || sh.sh_size > SYM_MAX_NOTE)
			continue;
		n = sym_note_build_id(elf_getdata(scn, NULL), id);
		if (n > 0)
			return n;
	}
	return 0;
}

static int sym_build_id_phdrs(Elf *e, uint8_t id[SYM_BUILD_ID_MAX])
{
	size_t phnum, i;
	GElf_Phdr ph;
	int n;

	if (elf_getphdrnum(e, &phnum) != 0 || phnum > SYM_MAX_PHDRS)
		return 0;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE ||
		    ph.p_filesz == 0 || ph.p_filesz > SYM_MAX_NOTE || ph.p_offset > SYM_MAX_FILE)
			continue;
		n = sym_note_build_id(elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
				      ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR), id);
		if (n > 0)
			return n;
	}
	return 0;
}

/* Sections first: debug files keep the note section but not sane segments. */
static int sym_elf_build_id(Elf *e, uint8_t id[SYM_BUILD_ID_MAX])
{
	int n = sym_build_id_sections(e, id);

	return n > 0 ? n : sym_build_id_phdrs(e, id);
}

int sym_read_build_id(const char *path, uint8_t id[20])
{
	Elf *e;
	int fd, n;

	if (!path || !id)
		return -EINVAL;
	n = sym_elf_open(path, &fd, &e, NULL);
	if (n < 0)
		return n;
	n = sym_elf_build_id(e, id);
	elf_end(e);
	close(fd);
	return n;
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

/* ---- symbol tables ---- */

static void sym_table_free(struct sym_table *t)
{
	free(t->v);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* Address range and kind of every section, indexed like the ELF. */
static struct sym_sec *sym_sections(Elf *e, size_t *np)
{
	struct sym_sec *sec;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t n, i;

	*np = 0;
	if (elf_getshdrnum(e, &n) != 0 || n == 0 || n > SYM_MAX_SECTIONS)
		return NULL;
	sec = calloc(n, sizeof(*sec));
	if (!sec)
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		i = elf_ndxscn(scn);
		if (i >= n || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_addr > UINT64_MAX - sh.sh_size)
			continue;
		sec[i].addr = sh.sh_addr;
		sec[i].end = sh.sh_addr + sh.sh_size;
		sec[i].exec = sh.sh_flags & SHF_EXECINSTR;
	}
	*np = n;
	return sec;
}

static bool sym_wanted(const GElf_Sym *s, const struct sym_sec *sec, size_t nsec)
{
	int type = GELF_ST_TYPE(s->st_info);

	if (s->st_shndx == SHN_UNDEF || s->st_value == 0)
		return false;
	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		return true;
	/* Hand-written assembly often leaves functions untyped. */
	return type == STT_NOTYPE && s->st_size > 0 && s->st_shndx < SHN_LORESERVE &&
	       s->st_shndx < nsec && sec[s->st_shndx].exec;
}

static uint64_t sym_sec_end(const GElf_Sym *s, const struct sym_sec *sec, size_t nsec)
{
	const struct sym_sec *x;

	if (s->st_shndx >= SHN_LORESERVE || s->st_shndx >= nsec)
		return 0;
	x = &sec[s->st_shndx];
	return s->st_value >= x->addr && s->st_value < x->end ? x->end : 0;
}

/*
 * Among aliases at one address prefer: sized, typed, fewer leading
 * underscores (the public name), global over weak over local, shorter; the
 * table index makes the order total so the choice is deterministic.
 */
static uint64_t sym_pref(const GElf_Sym *s, const char *name, uint32_t len, uint32_t idx)
{
	int bind = GELF_ST_BIND(s->st_info);
	uint64_t us = 0, b = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;

	while (us < len && us < 15 && name[us] == '_')
		us++;
	return (uint64_t)(s->st_size == 0) << 63 |
	       (uint64_t)(GELF_ST_TYPE(s->st_info) == STT_NOTYPE) << 62 |
	       us << 58 | b << 56 | (uint64_t)len << 32 | idx;
}

static uint32_t sym_name_len(const Elf_Data *str, size_t off)
{
	const char *s = (const char *)str->d_buf + off;
	size_t max = str->d_size - off;
	const char *nul;

	if (max > SYM_MAX_NAME)
		max = SYM_MAX_NAME;
	nul = memchr(s, '\0', max);
	if (nul)
		max = (size_t)(nul - s);
	/* A symbol version ("memcpy@@GLIBC_2.14" in debug files' .symtab) is
	 * not part of the name users know: cut it. */
	nul = max > 1 ? memchr(s + 1, '@', max - 1) : NULL;
	return (uint32_t)(nul ? (size_t)(nul - s) : max);
}

static Elf_Data *sym_strtab(Elf *e, size_t link)
{
	Elf_Scn *scn = elf_getscn(e, link);
	GElf_Shdr sh;
	Elf_Data *d;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_STRTAB ||
	    (sh.sh_flags & SHF_COMPRESSED))
		return NULL;
	d = elf_getdata(scn, NULL);
	return d && d->d_buf && d->d_size > 0 ? d : NULL;
}

/* The function symbols of one symbol table section, unsorted. */
static int sym_collect(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, const Elf_Data *str,
		       struct sym_cand **out, size_t *outn)
{
	size_t entsz = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT), n, i, nsec, k = 0;
	struct sym_sec *sec;
	struct sym_cand *c;
	Elf_Data *d;
	GElf_Sym s;

	if (!entsz || sh->sh_entsize != entsz || (sh->sh_flags & SHF_COMPRESSED))
		return -ENOEXEC;
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || d->d_type != ELF_T_SYM)
		return -ENOEXEC;
	n = d->d_size / entsz;
	if (n > SYM_MAX_SYMS)
		return -E2BIG;
	if (n < 2)
		return 0;
	c = malloc(n * sizeof(*c));
	if (!c)
		return -ENOMEM;
	sec = sym_sections(e, &nsec);
	for (i = 1; i < n; i++) {
		const char *name;
		uint32_t len;

		if (!gelf_getsym(d, (int)i, &s) || !sym_wanted(&s, sec, nsec) ||
		    s.st_name >= str->d_size)
			continue;
		name = (const char *)str->d_buf + s.st_name;
		len = sym_name_len(str, s.st_name);
		if (!len)
			continue;
		c[k] = (struct sym_cand){ .start = s.st_value, .size = s.st_size,
			.sec_end = sym_sec_end(&s, sec, nsec),
			.pref = sym_pref(&s, name, len, (uint32_t)i),
			.name = s.st_name, .len = len };
		k++;
	}
	free(sec);
	*out = c;
	*outn = k;
	return 0;
}

static int sym_cand_cmp(const void *a, const void *b)
{
	const struct sym_cand *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

/*
 * Keep the preferred alias per address, then give zero-size symbols a span:
 * up to the next symbol, never past their section, and none at all when a
 * sized function already covers them (they are labels inside it).
 */
static size_t sym_settle(struct sym_cand *c, size_t n)
{
	uint64_t covered = 0;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!k || c[i].start != c[k - 1].start)
			c[k++] = c[i];
	n = k;
	k = 0;
	for (i = 0; i < n; i++) {
		struct sym_cand x = c[i];

		if (x.size == 0) {
			uint64_t end = x.sec_end;

			if (!end || x.start < covered)
				continue;
			if (i + 1 < n && c[i + 1].start < end)
				end = c[i + 1].start;
			x.size = end - x.start;
		} else {
			uint64_t end = x.start > UINT64_MAX - x.size ? UINT64_MAX : x.start + x.size;

			if (end > covered)
				covered = end;
		}
		c[k++] = x;
	}
	return k;
}

/* Sorted entries plus one arena holding exactly the kept names. */
static int sym_pack(const struct sym_cand *c, size_t n, const Elf_Data *str, struct sym_table *t)
{
	uint64_t total = 0, pos = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += (uint64_t)c[i].len + 1;
	if (total > UINT32_MAX)
		return -E2BIG;
	t->v = malloc(n * sizeof(*t->v));
	t->names = malloc(total);
	if (!t->v || !t->names) {
		sym_table_free(t);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		memcpy(t->names + pos, (const char *)str->d_buf + c[i].name, c[i].len);
		t->names[pos + c[i].len] = '\0';
		t->v[i] = (struct sym_ent){ .start = c[i].start, .name = (uint32_t)pos,
			.size = c[i].size > UINT32_MAX ? UINT32_MAX : (uint32_t)c[i].size };
		pos += c[i].len + 1;
	}
	t->n = n;
	return 0;
}

/* Build a table from the first section of `type` (SHT_SYMTAB or SHT_DYNSYM). */
static int sym_table_from(Elf *e, GElf_Word type, struct sym_table *t)
{
	struct sym_cand *c = NULL;
	Elf_Scn *scn = NULL;
	const Elf_Data *str;
	GElf_Shdr sh;
	size_t n = 0;
	int err;

	memset(t, 0, sizeof(*t));
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			break;
	if (!scn)
		return -ENOENT;
	str = sym_strtab(e, sh.sh_link);
	if (!str)
		return -ENOEXEC;
	err = sym_collect(e, scn, &sh, str, &c, &n);
	if (err < 0 || n == 0) {
		free(c);
		return err;
	}
	qsort(c, n, sizeof(*c), sym_cand_cmp);
	n = sym_settle(c, n);
	err = n ? sym_pack(c, n, str, t) : 0;
	free(c);
	return err;
}

/* ---- separate debug files ---- */

static uint32_t sym_crc32(uint32_t crc, const unsigned char *p, size_t n)
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

static int sym_file_crc32(int fd, uint32_t *crc)
{
	enum { CHUNK = 64 * 1024 };
	unsigned char *buf = malloc(CHUNK);
	uint32_t v = 0;
	off_t off = 0;
	ssize_t got;

	if (!buf)
		return -ENOMEM;
	while ((got = pread(fd, buf, CHUNK, off)) > 0) {
		v = sym_crc32(v, buf, (size_t)got);
		off += got;
	}
	free(buf);
	if (got < 0)
		return -errno;
	*crc = v;
	return 0;
}

struct sym_want {               /* what a debug file must match */
	const GElf_Ehdr *eh;
	const uint8_t *id;
	size_t id_len;
	bool check_crc;
	uint32_t crc;
	const struct stat *orig;        /* never "find" the file itself */
};

static bool sym_debug_matches(Elf *e, int fd, const struct stat *st, const struct sym_want *w)
{
	uint8_t id[SYM_BUILD_ID_MAX];
	GElf_Ehdr eh;
	uint32_t crc = 0;
	int n;

	if (w->orig && st->st_dev == w->orig->st_dev && st->st_ino == w->orig->st_ino)
		return false;
	if (!gelf_getehdr(e, &eh) || eh.e_ident[EI_CLASS] != w->eh->e_ident[EI_CLASS] ||
	    eh.e_machine != w->eh->e_machine)
		return false;
	n = sym_elf_build_id(e, id);
	if (w->id_len && n > 0 && ((size_t)n != w->id_len || memcmp(id, w->id, (size_t)n)))
		return false;
	if (w->check_crc)
		return sym_file_crc32(fd, &crc) == 0 && crc == w->crc;
	return n > 0;   /* found by build-id: it must say so itself */
}

static int sym_debug_try(const char *path, const struct sym_want *w, struct sym_table *t)
{
	struct stat st;
	Elf *e;
	int fd, err;

	err = sym_elf_open(path, &fd, &e, &st);
	if (err < 0)
		return err;
	err = sym_debug_matches(e, fd, &st, w) ? sym_table_from(e, SHT_SYMTAB, t) : -ESTALE;
	elf_end(e);
	close(fd);
	return err;
}

static int sym_debug_by_build_id(const struct sym_want *w, struct sym_table *t)
{
	char path[sizeof(SYM_DEBUG_DIR) + 16 + 2 * SYM_BUILD_ID_MAX + 8];
	size_t i, pos;

	if (w->id_len < 2)
		return -ENOENT;
	pos = (size_t)snprintf(path, sizeof(path), "%s/.build-id/%02x/", SYM_DEBUG_DIR, w->id[0]);
	for (i = 1; i < w->id_len; i++)
		pos += (size_t)snprintf(path + pos, sizeof(path) - pos, "%02x", w->id[i]);
	snprintf(path + pos, sizeof(path) - pos, ".debug");
	return sym_debug_try(path, w, t);
}

static Elf_Scn *sym_section_named(Elf *e, const char *want)
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
static int sym_debuglink(Elf *e, char *name, size_t cap, uint32_t *crc)
{
	Elf_Scn *scn = sym_section_named(e, ".gnu_debuglink");
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

static int sym_debug_by_link(Elf *e, const char *file, struct sym_want *w, struct sym_table *t)
{
	const char *slash = strrchr(file, '/');
	char name[256], path[SYM_MAX_PATH];
	size_t i;
	int dirlen, n;

	if (!slash || sym_debuglink(e, name, sizeof(name), &w->crc) < 0)
		return -ENOENT;
	dirlen = (int)(slash - file);
	w->check_crc = true;
	for (i = 0; i < 3; i++) {
		if (i == 0)
			n = snprintf(path, sizeof(path), "%.*s/%s", dirlen, file, name);
		else if (i == 1)
			n = snprintf(path, sizeof(path), "%.*s/.debug/%s", dirlen, file, name);
		else if (file[0] == '/')
			n = snprintf(path, sizeof(path), SYM_DEBUG_DIR "%.*s/%s", dirlen, file, name);
		else
			continue;
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		if (sym_debug_try(path, w, t) == 0 && t->n)
			return 0;
		sym_table_free(t);
	}
	return -ENOENT;
}

/* The symbol table of a separate debug file, if one is installed. */
static void sym_debug_table(Elf *e, const char *file, const struct stat *st,
			    const struct sym_module *m, struct sym_table *t)
{
	struct sym_want w = { .id = m->build_id, .id_len = m->build_id_len, .orig = st };
	GElf_Ehdr eh;

	memset(t, 0, sizeof(*t));
	if (!gelf_getehdr(e, &eh))
		return;
	w.eh = &eh;
	if (sym_debug_by_build_id(&w, t) == 0 && t->n)
		return;
	sym_table_free(t);
	if (file)
		sym_debug_by_link(e, file, &w, t);
}

/* ---- modules ---- */

static int sym_read_segs(Elf *e, struct sym_module *m)
{
	size_t phnum, i;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &phnum) != 0 || phnum == 0 || phnum > SYM_MAX_PHDRS)
		return -ENOEXEC;
	m->segs = calloc(phnum, sizeof(*m->segs));
	if (!m->segs)
		return -ENOMEM;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz ||
		    ph.p_offset > UINT64_MAX - ph.p_filesz || ph.p_vaddr > UINT64_MAX - ph.p_filesz)
			continue;
		m->segs[m->nsegs++] = (struct sym_seg){ .off = ph.p_offset, .vaddr = ph.p_vaddr,
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
static void sym_load_elf(struct sym_module *m, Elf *e, const char *file, const struct stat *st)
{
	struct sym_table own, dbg;
	int n = sym_elf_build_id(e, m->build_id);

	m->build_id_len = n > 0 ? (size_t)n : 0;
	if (sym_read_segs(e, m) < 0)
		return;
	sym_table_from(e, SHT_SYMTAB, &own);
	sym_debug_table(e, file, st, m, &dbg);
	if (dbg.n > own.n) {
		sym_table_free(&own);
		own = dbg;
	} else {
		sym_table_free(&dbg);
	}
	if (!own.n)
		sym_table_from(e, SHT_DYNSYM, &own);
	m->tab = own;
}

static void sym_load_file(struct sym_module *m)
{
	struct stat st;
	Elf *e;
	int fd;

	if (sym_elf_open(m->path, &fd, &e, &st) < 0)
		return;
	sym_load_elf(m, e, m->path, &st);
	elf_end(e);
	close(fd);
}

static int sym_vdso_size(uint64_t base, size_t *size)
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
static void sym_load_vdso(struct sym_module *m)
{
	uint64_t base = getauxval(AT_SYSINFO_EHDR);
	size_t size = 0;
	char *img;
	Elf *e;

	if (!base || sym_vdso_size(base, &size) < 0 || size > SYM_MAX_VDSO || !sym_elf_init())
		return;
	/* A copy: libelf may write to the image it is given, the vDSO is read-only. */
	img = malloc(size);
	if (!img)
		return;
	memcpy(img, (const void *)(uintptr_t)base, size);
	e = elf_memory(img, size);
	if (e && elf_kind(e) == ELF_K_ELF)
		sym_load_elf(m, e, NULL, NULL);
	if (e)
		elf_end(e);
	free(img);
}

static void sym_module_free(struct sym_module *m)
{
	size_t i;

	if (m->dem)
		for (i = 0; i < m->tab.n; i++)
			if (m->dem[i] && m->dem[i] != m->tab.names + m->tab.v[i].name)
				free((char *)m->dem[i]);
	free(m->dem);
	sym_table_free(&m->tab);
	free(m->segs);
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
		sym_load_vdso(m);
	else
		sym_load_file(m);
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
	free(c->k);
	free(c->knames);
	free(c);
}

/* ---- lookup ---- */

static bool sym_to_vaddr(const struct sym_module *m, uint64_t off, uint64_t *va)
{
	const struct sym_seg *hit = NULL;
	size_t i;

	for (i = 0; i < m->nsegs; i++) {
		const struct sym_seg *s = &m->segs[i];

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
static long sym_find(const struct sym_table *t, uint64_t va)
{
	size_t lo = 0, hi = t->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->v[mid].start <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || va - t->v[lo - 1].start >= t->v[lo - 1].size)
		return -1;
	return (long)(lo - 1);
}

/* Demangled lazily: most symbols of a big C++ library are never hit. */
static const char *sym_name(struct sym_module *m, size_t i)
{
	const char *raw = m->tab.names + m->tab.v[i].name;
	char *d;

	if (raw[0] != '_' || raw[1] != 'Z')
		return raw;
	if (!m->dem && !(m->dem = calloc(m->tab.n, sizeof(*m->dem))))
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
	struct sym_module *m;
	uint64_t va;
	long i;

	if (sym_off)
		*sym_off = 0;
	if (!c || !open_path)
		return NULL;
	m = sym_module_get(c, open_path);
	if (!m || !m->tab.n)
		return NULL;
	if (build_id && build_id_len) {
		if (build_id_len > SYM_BUILD_ID_MAX)
			build_id_len = SYM_BUILD_ID_MAX;
		if (build_id_len != m->build_id_len || memcmp(build_id, m->build_id, build_id_len))
			return NULL;
	}
	if (!sym_to_vaddr(m, file_offset, &va))
		return NULL;
	i = sym_find(&m->tab, va);
	if (i < 0)
		return NULL;
	if (sym_off)
		*sym_off = va - m->tab.v[i].start;
	return sym_name(m, (size_t)i);
}

/* ---- kallsyms ---- */

/* Text symbols rank before others at one address; T, W, t, w in that order. */
static uint32_t ksym_rank(char type)
{
	switch (type) {
	case 'T': return 0;
	case 'W': return 1;
	case 't': return 2;
	case 'w': return 3;
	default: return 4;
	}
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct sym_ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

struct ksym_buf {
	struct sym_ksym *v;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
};

static int ksym_push_name(struct ksym_buf *b, const char *s, size_t len, uint32_t *off)
{
	if (b->nlen + len + 1 > b->ncap) {
		size_t cap = b->ncap ? b->ncap * 2 : 1 << 20;
		char *p;

		while (cap < b->nlen + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -E2BIG;
		p = realloc(b->names, cap);
		if (!p)
			return -ENOMEM;
		b->names = p;
		b->ncap = cap;
	}
	memcpy(b->names + b->nlen, s, len);
	b->names[b->nlen + len] = '\0';
	*off = (uint32_t)b->nlen;
	b->nlen += len + 1;
	return 0;
}

/* One "addr type name\t[module]" line; non-text symbols only bound the others. */
static int ksym_add(struct ksym_buf *b, const char *line, bool *nonzero)
{
	unsigned long long addr;
	const char *name;
	char *end;
	size_t len;
	uint32_t rank, off = KSYM_NO_NAME;

	addr = strtoull(line, &end, 16);
	if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return 0;
	rank = ksym_rank(end[1]);
	name = end + 3;
	len = strcspn(name, "\t\n");
	if (!len)
		return 0;
	if (len > SYM_MAX_NAME)
		len = SYM_MAX_NAME;
	if (addr)
		*nonzero = true;
	if (rank < 4 && ksym_push_name(b, name, len, &off) < 0)
		return -ENOMEM;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		struct sym_ksym *v;

		if (cap > KSYM_MAX)
			cap = KSYM_MAX;
		v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n] = (struct sym_ksym){ .addr = addr, .name = off,
		.pref = rank << 24 | (uint32_t)b->n };
	b->n++;
	return 0;
}

static void ksym_load(struct sym_cache *c)
{
	struct ksym_buf b = { 0 };
	FILE *f = fopen("/proc/kallsyms", "re");
	bool nonzero = false;
	size_t cap = 0, i, k = 0;
	char *line = NULL;

	if (!f)
		return;
	while (b.n < KSYM_MAX && getline(&line, &cap, f) > 0)
		if (ksym_add(&b, line, &nonzero) < 0)
			break;
	free(line);
	fclose(f);
	if (!nonzero || !b.n) {
		free(b.v);
		free(b.names);
		return;
	}
	qsort(b.v, b.n, sizeof(*b.v), ksym_cmp);
	for (i = 0; i < b.n; i++)
		if (!k || b.v[i].addr != b.v[k - 1].addr)
			b.v[k++] = b.v[i];
	c->k = b.v;
	c->nk = k;
	c->knames = b.names;
}

const char *sym_kernel_lookup(struct sym_cache *c, uint64_t addr, uint64_t *sym_off)
{
	const struct sym_ksym *k;
	size_t lo = 0, hi, mid;
	uint64_t end;

	if (sym_off)
		*sym_off = 0;
	if (!c)
		return NULL;
	if (!c->kloaded) {
		c->kloaded = true;
		ksym_load(c);
	}
	hi = c->nk;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->k[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	k = &c->k[lo - 1];
	/* The last symbol has no known end: only its first byte is its own. */
	end = lo < c->nk ? c->k[lo].addr : k->addr + 1;
	if (end - k->addr > KSYM_MAX_SPAN)
		end = k->addr + KSYM_MAX_SPAN;
	if (k->name == KSYM_NO_NAME || addr >= end)
		return NULL;
	if (sym_off)
		*sym_off = addr - k->addr;
	return c->knames + k->name;
}
