/* elftab.c — read one ELF file with libelf: a guarded open, its build-id, its function symbol table. */
#include "proftui/elftab.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ET_MAX_FILE     (2ULL << 30)     /* bigger ELF files are refused */
#define ET_MAX_SYMS     50000000UL       /* bigger symbol tables are refused */
#define ET_MAX_NAME     4095             /* longer names are truncated */
#define ET_MAX_SECTIONS (1UL << 20)
#define ET_MAX_NOTE     (1UL << 20)

/* A symbol while its table is being built. */
struct et_cand {
	uint64_t start, size;
	uint64_t sec_end;       /* end of its section, 0 if unknown */
	uint64_t pref;          /* lower wins among aliases at one address */
	uint32_t name, len;     /* in the ELF string table */
};

struct et_sec {
	uint64_t addr, end;
	bool exec;
};

bool elftab_init(void)
{
	static int state;

	if (!state)
		state = elf_version(EV_CURRENT) != EV_NONE ? 1 : -1;
	return state > 0;
}

/* O_NONBLOCK so a FIFO planted at a module path cannot hang the consumer. */
int elftab_open(const char *path, int *fdp, Elf **ep, struct stat *st)
{
	struct stat sb;
	Elf *e;
	int fd, err;

	if (!st)
		st = &sb;
	if (!elftab_init())
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
	if ((uint64_t)st->st_size > ET_MAX_FILE)
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

static int et_note_build_id(const Elf_Data *d, uint8_t id[ELFTAB_BUILD_ID_MAX])
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
			size_t n = nh.n_descsz < ELFTAB_BUILD_ID_MAX ? nh.n_descsz : ELFTAB_BUILD_ID_MAX;

			memcpy(id, p + desc_off, n);
			return (int)n;
		}
		off = next;
	}
	return 0;
}

static int et_build_id_sections(Elf *e, uint8_t id[ELFTAB_BUILD_ID_MAX])
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int n;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    (sh.sh_flags & SHF_COMPRESSED) || sh.sh_size > ET_MAX_NOTE)
			continue;
		n = et_note_build_id(elf_getdata(scn, NULL), id);
		if (n > 0)
			return n;
	}
	return 0;
}

static int et_build_id_phdrs(Elf *e, uint8_t id[ELFTAB_BUILD_ID_MAX])
{
	size_t phnum, i;
	GElf_Phdr ph;
	int n;

	if (elf_getphdrnum(e, &phnum) != 0 || phnum > ELFTAB_MAX_PHDRS)
		return 0;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE ||
		    ph.p_filesz == 0 || ph.p_filesz > ET_MAX_NOTE || ph.p_offset > ET_MAX_FILE)
			continue;
		n = et_note_build_id(elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
				      ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR), id);
		if (n > 0)
			return n;
	}
	return 0;
}

/* Sections first: debug files keep the note section but not sane segments. */
int elftab_build_id(Elf *e, uint8_t id[ELFTAB_BUILD_ID_MAX])
{
	int n = et_build_id_sections(e, id);

	return n > 0 ? n : et_build_id_phdrs(e, id);
}

int elftab_read_build_id(const char *path, uint8_t id[ELFTAB_BUILD_ID_MAX])
{
	Elf *e;
	int fd, n;

	if (!path || !id)
		return -EINVAL;
	n = elftab_open(path, &fd, &e, NULL);
	if (n < 0)
		return n;
	n = elftab_build_id(e, id);
	elf_end(e);
	close(fd);
	return n;
}

/* ---- symbol tables ---- */

void elftab_free(struct elftab *t)
{
	free(t->v);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* Address range and kind of every section, indexed like the ELF. */
static struct et_sec *et_sections(Elf *e, size_t *np)
{
	struct et_sec *sec;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t n, i;

	*np = 0;
	if (elf_getshdrnum(e, &n) != 0 || n == 0 || n > ET_MAX_SECTIONS)
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

static bool et_wanted(const GElf_Sym *s, const struct et_sec *sec, size_t nsec)
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

static uint64_t et_sec_end(const GElf_Sym *s, const struct et_sec *sec, size_t nsec)
{
	const struct et_sec *x;

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
static uint64_t et_pref(const GElf_Sym *s, const char *name, uint32_t len, uint32_t idx)
{
	int bind = GELF_ST_BIND(s->st_info);
	uint64_t us = 0, b = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;

	while (us < len && us < 15 && name[us] == '_')
		us++;
	return (uint64_t)(s->st_size == 0) << 63 |
	       (uint64_t)(GELF_ST_TYPE(s->st_info) == STT_NOTYPE) << 62 |
	       us << 58 | b << 56 | (uint64_t)len << 32 | idx;
}

static uint32_t et_name_len(const Elf_Data *str, size_t off)
{
	const char *s = (const char *)str->d_buf + off;
	size_t max = str->d_size - off;
	const char *nul;

	if (max > ET_MAX_NAME)
		max = ET_MAX_NAME;
	nul = memchr(s, '\0', max);
	if (nul)
		max = (size_t)(nul - s);
	/* A symbol version ("memcpy@@GLIBC_2.14" in debug files' .symtab) is
	 * not part of the name users know: cut it. */
	nul = max > 1 ? memchr(s + 1, '@', max - 1) : NULL;
	return (uint32_t)(nul ? (size_t)(nul - s) : max);
}

static Elf_Data *et_strtab(Elf *e, size_t link)
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
static int et_collect(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, const Elf_Data *str,
		       struct et_cand **out, size_t *outn)
{
	size_t entsz = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT), n, i, nsec, k = 0;
	struct et_sec *sec;
	struct et_cand *c;
	Elf_Data *d;
	GElf_Sym s;

	if (!entsz || sh->sh_entsize != entsz || (sh->sh_flags & SHF_COMPRESSED))
		return -ENOEXEC;
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || d->d_type != ELF_T_SYM)
		return -ENOEXEC;
	n = d->d_size / entsz;
	if (n > ET_MAX_SYMS)
		return -E2BIG;
	if (n < 2)
		return 0;
	c = malloc(n * sizeof(*c));
	if (!c)
		return -ENOMEM;
	sec = et_sections(e, &nsec);
	for (i = 1; i < n; i++) {
		const char *name;
		uint32_t len;

		if (!gelf_getsym(d, (int)i, &s) || !et_wanted(&s, sec, nsec) ||
		    s.st_name >= str->d_size)
			continue;
		name = (const char *)str->d_buf + s.st_name;
		len = et_name_len(str, s.st_name);
		if (!len)
			continue;
		c[k] = (struct et_cand){ .start = s.st_value, .size = s.st_size,
			.sec_end = et_sec_end(&s, sec, nsec),
			.pref = et_pref(&s, name, len, (uint32_t)i),
			.name = s.st_name, .len = len };
		k++;
	}
	free(sec);
	*out = c;
	*outn = k;
	return 0;
}

static int et_cand_cmp(const void *a, const void *b)
{
	const struct et_cand *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

/*
 * Keep the preferred alias per address, then give zero-size symbols a span:
 * up to the next symbol, never past their section, and none at all when a
 * sized function already covers them (they are labels inside it).
 */
static size_t et_settle(struct et_cand *c, size_t n)
{
	uint64_t covered = 0;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!k || c[i].start != c[k - 1].start)
			c[k++] = c[i];
	n = k;
	k = 0;
	for (i = 0; i < n; i++) {
		struct et_cand x = c[i];

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
static int et_pack(const struct et_cand *c, size_t n, const Elf_Data *str, struct elftab *t)
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
		elftab_free(t);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		memcpy(t->names + pos, (const char *)str->d_buf + c[i].name, c[i].len);
		t->names[pos + c[i].len] = '\0';
		t->v[i] = (struct elftab_ent){ .start = c[i].start, .name = (uint32_t)pos,
			.size = c[i].size > UINT32_MAX ? UINT32_MAX : (uint32_t)c[i].size };
		pos += c[i].len + 1;
	}
	t->n = n;
	return 0;
}

/* Build a table from the first section of `type` (SHT_SYMTAB or SHT_DYNSYM). */
int elftab_read(Elf *e, GElf_Word type, struct elftab *t)
{
	struct et_cand *c = NULL;
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
	str = et_strtab(e, sh.sh_link);
	if (!str)
		return -ENOEXEC;
	err = et_collect(e, scn, &sh, str, &c, &n);
	if (err < 0 || n == 0) {
		free(c);
		return err;
	}
	qsort(c, n, sizeof(*c), et_cand_cmp);
	n = et_settle(c, n);
	err = n ? et_pack(c, n, str, t) : 0;
	free(c);
	return err;
}
