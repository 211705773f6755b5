/* test_dwframe.c — .debug_frame rebuilt as .eh_frame + .eh_frame_hdr: checked against readelf, by hand-made sections, under garbage. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proftui/dwframe.h"
#include "tmpdir.h"

#define MAX_FDES 512
#define MAX_CIES 64

static char tmpdir[TD_LEN];

static void setup(void)
{
	td_make(tmpdir, "test_dwframe");
}

static void teardown(void)
{
	td_remove(tmpdir);
}

TestSuite(dwframe, .init = setup, .fini = teardown);

/* ---- building test programs ---------------------------------------------- */

static const char prog_src[] =
	"volatile int sink;\n"
	"__attribute__((noinline)) int leaf(int x) { return x * 7 + sink; }\n"
	"__attribute__((noinline)) int pushes(int a, int b, int c, int d)\n"
	"{ int r = 0; for (int i = 0; i < a; i++) r += leaf(i + b) * leaf(c) + d;"
	"  return r + leaf(r); }\n"
	"__attribute__((noinline)) int vla(int n)\n"
	"{ char *p = __builtin_alloca(n); for (int i = 0; i < n; i++) p[i] = (char)leaf(i);"
	"  return p[n / 2] + leaf(n); }\n"
	"__attribute__((noinline)) int rec(int n) { return n ? rec(n - 1) + leaf(n) : 0; }\n"
	"int main(int argc, char **argv)\n"
	"{ (void)argv; return pushes(argc, 2, 3, 4) + vla(argc + 16) + rec(argc + 3); }\n";

static int run(const char *cmd)
{
	return system(cmd);
}

static void tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

/* Compile prog_src with `cc` without unwind tables (CFI only in
 * .debug_frame) into tmpdir/out; skips the test when cc is missing. */
static void build_prog(const char *cc, const char *extra, const char *out)
{
	char src[128], bin[128], cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s --version >/dev/null 2>&1", cc);
	if (run(cmd) != 0)
		cr_skip_test("%s not installed", cc);
	tmp_path(src, sizeof(src), "prog.c");
	tmp_path(bin, sizeof(bin), out);
	f = fopen(src, "w");
	cr_assert_not_null(f);
	fputs(prog_src, f);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "%s -O2 -g %s -fomit-frame-pointer -fno-asynchronous-unwind-tables "
		 "-fno-unwind-tables -Wl,--build-id -o '%s' '%s'", cc, extra, bin, src);
	cr_assert_eq(run(cmd), 0, "%s failed", cmd);
}

/* ---- ELF facts, through libelf ---------------------------------------------- */

struct elf_facts {
	uint64_t exec_lo, exec_hi, load_end;
	uint8_t build_id[64];
	size_t build_id_len;
	uint8_t *debug_frame;   /* a copy, NULL if none */
	size_t debug_frame_len;
};

static void note_build_id(Elf_Scn *s, struct elf_facts *ef)
{
	Elf_Data *d = elf_getdata(s, NULL);
	GElf_Nhdr nh;
	size_t off = 0, no, dof;

	while (d && (off = gelf_getnote(d, off, &nh, &no, &dof)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_descsz <= sizeof(ef->build_id)) {
			memcpy(ef->build_id, (char *)d->d_buf + dof, nh.n_descsz);
			ef->build_id_len = nh.n_descsz;
		}
	}
}

static void elf_facts(const char *path, struct elf_facts *ef)
{
	int fd = open(path, O_RDONLY);
	size_t n, shstr;
	Elf_Scn *s = NULL;
	Elf *e;

	memset(ef, 0, sizeof(*ef));
	cr_assert_geq(fd, 0);
	cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
	e = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(e);
	cr_assert_eq(elf_getphdrnum(e, &n), 0);
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		cr_assert_not_null(gelf_getphdr(e, (int)i, &ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_vaddr + ph.p_memsz > ef->load_end)
			ef->load_end = ph.p_vaddr + ph.p_memsz;
		if (!(ph.p_flags & PF_X))
			continue;
		if (!ef->exec_hi || ph.p_vaddr < ef->exec_lo)
			ef->exec_lo = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > ef->exec_hi)
			ef->exec_hi = ph.p_vaddr + ph.p_memsz;
	}
	cr_assert_eq(elf_getshdrstrndx(e, &shstr), 0);
	while ((s = elf_nextscn(e, s)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		cr_assert_not_null(gelf_getshdr(s, &sh));
		name = elf_strptr(e, shstr, sh.sh_name);
		if (sh.sh_type == SHT_NOTE)
			note_build_id(s, ef);
		if (!name || strcmp(name, ".debug_frame") || (sh.sh_flags & SHF_COMPRESSED))
			continue;
		d = elf_getdata(s, NULL);
		cr_assert_not_null(d);
		ef->debug_frame = malloc(d->d_size ? d->d_size : 1);
		cr_assert_not_null(ef->debug_frame);
		memcpy(ef->debug_frame, d->d_buf, d->d_size);
		ef->debug_frame_len = d->d_size;
	}
	elf_end(e);
	close(fd);
}

static struct dwf_place place_for(const struct elf_facts *ef)
{
	struct dwf_place pl = { .pc_lo = ef->exec_lo, .pc_hi = ef->exec_hi };

	pl.vaddr = ((ef->load_end + 4095) & ~4095ull) + (1u << 20);
	return pl;
}

static int build_from_file(const char *path, const struct dwf_place *pl, const uint8_t *id,
			   size_t id_len, struct dwf_table *t)
{
	int fd = open(path, O_RDONLY), ret;

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	ret = dwf_from_fd(fd, pl, id, id_len, t);
	close(fd);
	return ret;
}

/* ---- reading the result back, independently ---------------------------------- */

struct p_cie {
	size_t off;
	unsigned version;
	uint64_t caf, ra;
	int64_t daf;
	size_t ins, ins_end;
};

struct p_fde {
	size_t off;
	uint64_t pc, range;
	size_t cie;             /* index into cies */
	size_t ins, ins_end;
};

struct parsed {
	struct p_cie cies[MAX_CIES];
	size_t ncie;
	struct p_fde fdes[MAX_FDES];
	size_t nfde;
	uint64_t table_pc[MAX_FDES];
	size_t table_fde[MAX_FDES];   /* index into fdes */
	size_t ntable;
};

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t get_s32(const uint8_t *p)
{
	uint32_t v = get_u32(p);

	return v & 0x80000000u ? (int64_t)v - 0x100000000ll : (int64_t)v;
}

static uint64_t get_leb(const uint8_t *b, size_t *off, size_t end, bool sign)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t byte;

	do {
		cr_assert_lt(*off, end, "LEB128 runs past its entry");
		cr_assert_lt(shift, 64u);
		byte = b[(*off)++];
		v |= (uint64_t)(byte & 0x7f) << shift;
		shift += 7;
	} while (byte & 0x80);
	if (sign && shift < 64 && (byte & 0x40))
		v |= ~0ull << shift;
	return v;
}

static void parse_cie(const uint8_t *b, size_t off, size_t end, struct parsed *ps)
{
	struct p_cie *c = &ps->cies[ps->ncie++];
	size_t p = off + 8;

	cr_assert_leq(ps->ncie, MAX_CIES);
	c->off = off;
	c->version = b[p++];
	cr_assert(c->version == 1 || c->version == 3, "CIE version %u", c->version);
	cr_assert_eq(memcmp(b + p, "zR", 3), 0, "augmentation is not \"zR\"");
	p += 3;
	c->caf = get_leb(b, &p, end, false);
	c->daf = (int64_t)get_leb(b, &p, end, true);
	c->ra = c->version == 1 ? b[p++] : get_leb(b, &p, end, false);
	cr_assert_eq(get_leb(b, &p, end, false), 1, "augmentation data length");
	cr_assert_eq(b[p++], DWF_PE_PCREL_SDATA4, "FDE pointer encoding");
	cr_assert_leq(p, end);
	c->ins = p;
	c->ins_end = end;
}

static void parse_fde(const struct dwf_table *t, size_t off, size_t end, struct parsed *ps)
{
	const uint8_t *b = t->buf;
	struct p_fde *f = &ps->fdes[ps->nfde++];
	size_t cie_off = off + 4 - get_u32(b + off + 4);
	size_t i;

	cr_assert_leq(ps->nfde, MAX_FDES);
	cr_assert_geq(end, off + 17);
	for (i = 0; i < ps->ncie && ps->cies[i].off != cie_off; i++)
		;
	cr_assert_lt(i, ps->ncie, "FDE at %zu points at no CIE before it", off);
	f->off = off;
	f->cie = i;
	f->pc = t->vaddr + off + 8 + (uint64_t)get_s32(b + off + 8);
	f->range = get_u32(b + off + 12);
	cr_assert_eq(b[off + 16], 0, "FDE augmentation data length");
	f->ins = off + 17;
	f->ins_end = end;
}

/* Walk .eh_frame up to its terminator, then check the hdr and the table. */
static void parse_table(const struct dwf_table *t, struct parsed *ps)
{
	const uint8_t *b = t->buf;
	size_t off = 0, eh_end = t->hdr_vaddr - t->vaddr, h;

	memset(ps, 0, sizeof(*ps));
	cr_assert_not_null(b);
	cr_assert_eq(t->len % 8, 0);
	cr_assert_lt(eh_end + 12, t->len);
	for (;;) {
		uint32_t len;

		cr_assert_leq(off + 4, eh_end);
		len = get_u32(b + off);
		if (!len)
			break;
		cr_assert_leq(off + 4 + (size_t)len, eh_end);
		if (get_u32(b + off + 4) == 0)
			parse_cie(b, off, off + 4 + len, ps);
		else
			parse_fde(t, off, off + 4 + len, ps);
		off += 4 + (size_t)len;
	}
	h = eh_end;
	cr_assert_eq(b[h], 1, "hdr version");
	cr_assert_eq(b[h + 1], DWF_PE_PCREL_SDATA4);
	cr_assert_eq(b[h + 2], DWF_PE_UDATA4);
	cr_assert_eq(b[h + 3], DWF_PE_DATAREL_SDATA4);
	cr_assert_eq(t->hdr_vaddr + 4 + (uint64_t)get_s32(b + h + 4), t->vaddr, "eh_frame_ptr");
	cr_assert_eq(get_u32(b + h + 8), t->fde_count);
	cr_assert_eq(t->table_vaddr, t->hdr_vaddr + 12);
	cr_assert_leq(h + 12 + 8 * t->fde_count, t->len);
	cr_assert_leq(t->fde_count, MAX_FDES);
	for (size_t k = 0; k < t->fde_count; k++) {
		const uint8_t *e = b + h + 12 + 8 * k;
		uint64_t pc = t->hdr_vaddr + (uint64_t)get_s32(e);
		size_t fde_off = (size_t)(t->hdr_vaddr + (uint64_t)get_s32(e + 4) - t->vaddr);
		size_t i;

		if (k)
			cr_assert_gt(pc, ps->table_pc[k - 1], "table not sorted at %zu", k);
		for (i = 0; i < ps->nfde && ps->fdes[i].off != fde_off; i++)
			;
		cr_assert_lt(i, ps->nfde, "table entry %zu points at no FDE", k);
		cr_assert_eq(ps->fdes[i].pc, pc, "table pc and FDE pc_begin differ");
		ps->table_pc[k] = pc;
		ps->table_fde[k] = i;
	}
	ps->ntable = t->fde_count;
}

/* ---- readelf as the oracle ---------------------------------------------------- */

struct ranges {
	uint64_t lo[MAX_FDES], hi[MAX_FDES];
	size_t n;
};

/* "pc=LO..HI" of every FDE readelf lists in `section` of path. */
static void readelf_fdes(const char *path, const char *section, struct ranges *r)
{
	char cmd[512], line[512], want[64];
	bool in = false;
	FILE *p;

	memset(r, 0, sizeof(*r));
	if (run("readelf --version >/dev/null 2>&1") != 0)
		cr_skip_test("readelf not installed");
	snprintf(want, sizeof(want), "Contents of the %s section", section);
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		const char *pc = strstr(line, " pc=");
		unsigned long long lo, hi;

		if (!strncmp(line, "Contents of the ", 16))
			in = !strncmp(line, want, strlen(want));
		if (!in || !strstr(line, " FDE ") || !pc)
			continue;
		cr_assert_eq(sscanf(pc, " pc=%llx..%llx", &lo, &hi), 2, "%s", line);
		cr_assert_lt(r->n, MAX_FDES);
		r->lo[r->n] = lo;
		r->hi[r->n] = hi;
		r->n++;
	}
	cr_assert_eq(pclose(p), 0);
}

/* Every FDE of the original, and only those, is in the table. */
static void expect_same_fdes(const struct ranges *orig, const struct parsed *ps)
{
	cr_assert_gt(orig->n, 3, "readelf found only %zu FDEs", orig->n);
	cr_assert_eq(ps->ntable, orig->n, "%zu FDEs in the table, readelf lists %zu",
		     ps->ntable, orig->n);
	for (size_t i = 0; i < orig->n; i++) {
		size_t k;

		for (k = 0; k < ps->ntable && ps->table_pc[k] != orig->lo[i]; k++)
			;
		cr_assert_lt(k, ps->ntable, "FDE pc=%#llx missing", (unsigned long long)orig->lo[i]);
		cr_assert_eq(ps->fdes[ps->table_fde[k]].range, orig->hi[i] - orig->lo[i],
			     "FDE pc=%#llx: range differs", (unsigned long long)orig->lo[i]);
	}
}

static void check_compiled(const char *cc, const char *extra)
{
	char bin[128];
	struct elf_facts ef;
	struct dwf_place pl;
	struct dwf_table t;
	struct parsed *ps = malloc(sizeof(*ps));
	struct ranges *orig = malloc(sizeof(*orig));

	cr_assert(ps && orig);
	build_prog(cc, extra, "prog");
	tmp_path(bin, sizeof(bin), "prog");
	elf_facts(bin, &ef);
	cr_assert_not_null(ef.debug_frame, "%s wrote no .debug_frame", cc);
	pl = place_for(&ef);
	cr_assert_eq(build_from_file(bin, &pl, NULL, 0, &t), 0);
	cr_assert_eq(t.vaddr, pl.vaddr);
	parse_table(&t, ps);
	readelf_fdes(bin, ".debug_frame", orig);
	expect_same_fdes(orig, ps);
	cr_assert_eq(t.dropped, 0);
	dwf_release(&t);
	cr_assert_null(t.buf);
	free(ef.debug_frame);
	free(ps);
	free(orig);
}

Test(dwframe, gcc_v1_cies_match_readelf)
{
	check_compiled("gcc", "");
}

Test(dwframe, clang_v4_cies_match_readelf)
{
	check_compiled("clang", "");
}

/* ---- the CFA programs survive: readelf decodes the same rows from both ------- */

/* The instruction lines of each FDE in `section`, keyed by its pc= text. */
static char *fde_text(const char *path, const char *section)
{
	char cmd[512], line[512], want[64], *out = NULL;
	size_t cap = 0, len = 0;
	bool in = false, in_fde = false;
	FILE *p;

	snprintf(want, sizeof(want), "Contents of the %s section", section);
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		const char *keep = NULL;
		size_t n;

		if (!strncmp(line, "Contents of the ", 16))
			in = !strncmp(line, want, strlen(want));
		else if (in && strstr(line, " FDE ") && strstr(line, " pc="))
			keep = strstr(line, " pc="), in_fde = true;
		else if (in && strstr(line, " CIE"))
			in_fde = false;
		else if (in && in_fde && line[0] == ' ')
			keep = line;
		if (!keep)
			continue;
		n = strlen(keep);
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = realloc(out, cap);
			cr_assert_not_null(out);
		}
		memcpy(out + len, keep, n + 1);
		len += n;
	}
	cr_assert_eq(pclose(p), 0);
	return out ? out : strdup("");
}

Test(dwframe, cfa_programs_decode_the_same)
{
	char bin[128], eh[128], mod[128], cmd[1024];
	struct elf_facts ef;
	struct dwf_place pl;
	struct dwf_table t;
	char *before, *after;
	FILE *f;

	if (run("objcopy --version >/dev/null 2>&1") != 0 ||
	    run("readelf --version >/dev/null 2>&1") != 0)
		cr_skip_test("binutils not installed");
	build_prog("gcc", "", "prog");
	tmp_path(bin, sizeof(bin), "prog");
	tmp_path(eh, sizeof(eh), "eh.bin");
	tmp_path(mod, sizeof(mod), "prog.eh");
	elf_facts(bin, &ef);
	pl = place_for(&ef);
	cr_assert_eq(build_from_file(bin, &pl, NULL, 0, &t), 0);
	/* Our .eh_frame as the binary's own, at the vaddr it was made for. */
	f = fopen(eh, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(t.buf, 1, t.hdr_vaddr - t.vaddr, f), t.hdr_vaddr - t.vaddr);
	cr_assert_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
		 "objcopy --remove-section=.eh_frame --remove-section=.eh_frame_hdr "
		 "--add-section .eh_frame='%s' --set-section-flags .eh_frame=contents,readonly "
		 "--change-section-address .eh_frame=%#llx '%s' '%s'",
		 eh, (unsigned long long)t.vaddr, bin, mod);
	cr_assert_eq(run(cmd), 0, "%s", cmd);
	before = fde_text(mod, ".debug_frame");
	after = fde_text(mod, ".eh_frame");
	cr_assert_gt(strlen(before), 100, "readelf shows little: %s", before);
	cr_assert_str_eq(after, before);
	free(before);
	free(after);
	free(ef.debug_frame);
	dwf_release(&t);
}

/* ---- a separate, compressed debug file ---------------------------------------- */

Test(dwframe, compressed_debug_file_checked_by_build_id)
{
	char bin[128], dbg[128], cmd[512];
	struct elf_facts ef;
	struct dwf_place pl;
	struct dwf_table plain, packed;
	uint8_t wrong[64];

	if (run("objcopy --version >/dev/null 2>&1") != 0)
		cr_skip_test("objcopy not installed");
	build_prog("gcc", "", "prog");
	tmp_path(bin, sizeof(bin), "prog");
	tmp_path(dbg, sizeof(dbg), "prog.debug");
	snprintf(cmd, sizeof(cmd), "objcopy --only-keep-debug --compress-debug-sections=zlib '%s' '%s'",
		 bin, dbg);
	cr_assert_eq(run(cmd), 0);
	elf_facts(bin, &ef);
	cr_assert_gt(ef.build_id_len, 0, "no build-id");
	pl = place_for(&ef);
	cr_assert_eq(build_from_file(bin, &pl, NULL, 0, &plain), 0);
	cr_assert_eq(build_from_file(dbg, &pl, ef.build_id, ef.build_id_len, &packed), 0);
	cr_assert_eq(packed.len, plain.len);
	cr_assert_eq(memcmp(packed.buf, plain.buf, plain.len), 0);
	dwf_release(&packed);
	memcpy(wrong, ef.build_id, ef.build_id_len);
	wrong[0] ^= 1;
	cr_assert_eq(build_from_file(dbg, &pl, wrong, ef.build_id_len, &packed), -ESTALE);
	cr_assert_null(packed.buf);
	dwf_release(&plain);
	free(ef.debug_frame);
}

Test(dwframe, no_debug_frame_or_not_elf)
{
	char bin[128], txt[128];
	struct elf_facts ef;
	struct dwf_place pl;
	struct dwf_table t;
	FILE *f;

	build_prog("gcc", "-g0", "plain");
	tmp_path(bin, sizeof(bin), "plain");
	elf_facts(bin, &ef);
	cr_assert_null(ef.debug_frame);
	pl = place_for(&ef);
	cr_assert_eq(build_from_file(bin, &pl, NULL, 0, &t), -ENOENT);
	tmp_path(txt, sizeof(txt), "text");
	f = fopen(txt, "w");
	cr_assert_not_null(f);
	fputs("not an ELF file at all\n", f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(build_from_file(txt, &pl, NULL, 0, &t), -EINVAL);
	cr_assert_eq(dwf_from_fd(-1, &pl, NULL, 0, &t), -EINVAL);
}

/* ---- hand-made sections ------------------------------------------------------------ */

struct sec {
	uint8_t b[512];
	size_t n;
};

static void s_bytes(struct sec *s, const void *p, size_t n)
{
	cr_assert_leq(s->n + n, sizeof(s->b));
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void s_uint(struct sec *s, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		s_bytes(s, &(uint8_t){ (uint8_t)(v >> (8 * i)) }, 1);
}

static void s_uleb(struct sec *s, uint64_t v)
{
	do {
		uint8_t b = v & 0x7f;

		v >>= 7;
		s_uint(s, v ? b | 0x80u : b, 1);
	} while (v);
}

/* Patch the length field of the entry at `at` (32- or 64-bit). */
static void s_close(struct sec *s, size_t at, bool dw64)
{
	size_t hdr = dw64 ? 12 : 4;
	uint64_t len = s->n - at - hdr;

	for (unsigned i = 0; i < (dw64 ? 8u : 4u); i++)
		s->b[at + hdr - (dw64 ? 8 : 4) + i] = (uint8_t)(len >> (8 * i));
}

static size_t s_open(struct sec *s, bool dw64)
{
	size_t at = s->n;

	if (dw64)
		s_uint(s, 0xffffffff, 4);
	s_uint(s, 0, dw64 ? 8 : 4);
	return at;
}

/* CIE: version, RA column, initial instructions "def_cfa r7+8; offset r16". */
static size_t add_cie(struct sec *s, bool dw64, unsigned version, uint64_t ra, const char *aug)
{
	size_t at = s_open(s, dw64);

	s_uint(s, dw64 ? ~0ull : 0xffffffffull, dw64 ? 8 : 4);
	s_uint(s, version, 1);
	s_bytes(s, aug, strlen(aug) + 1);
	if (version == 4)
		s_bytes(s, "\x08\x00", 2);      /* address_size, segment_size */
	s_uleb(s, 1);                           /* code alignment */
	s_uint(s, 0x78, 1);                     /* data alignment -8 */
	if (version == 1)
		s_uint(s, ra, 1);
	else
		s_uleb(s, ra);
	s_bytes(s, "\x0c\x07\x08\x90\x01", 5);
	s_close(s, at, dw64);
	return at;
}

static size_t add_fde(struct sec *s, bool dw64, size_t cie, uint64_t pc, uint64_t range,
		      const void *ins, size_t ins_len)
{
	size_t at = s_open(s, dw64);

	s_uint(s, cie, dw64 ? 8 : 4);
	s_uint(s, pc, 8);
	s_uint(s, range, 8);
	s_bytes(s, ins, ins_len);
	s_close(s, at, dw64);
	return at;
}

static const struct dwf_place hand_place = { .vaddr = 0x200000, .pc_lo = 0x1000, .pc_hi = 0x9000 };

Test(dwframe, dwarf64_v3_wide_ra_and_set_loc)
{
	/* advance_loc 4; def_cfa_offset 16; set_loc 0x1234; def_cfa_offset 8 */
	static const uint8_t ins[] = { 0x44, 0x0e, 0x10, 0x01, 0x34, 0x12, 0, 0, 0, 0, 0, 0,
				       0x0e, 0x08 };
	struct sec s = { .n = 0 };
	struct dwf_table t;
	struct parsed *ps = malloc(sizeof(*ps));
	size_t c64, c32;
	const struct p_fde *f;
	const uint8_t *op;

	cr_assert_not_null(ps);
	c64 = add_cie(&s, true, 3, 300, "");
	add_fde(&s, true, c64, 0x1200, 0x100, ins, sizeof(ins));
	s_uint(&s, 0, 4);                       /* zero-length padding */
	c32 = add_cie(&s, false, 4, 16, "");
	add_fde(&s, false, c32, 0x1000, 0x80, "\x41\x0e\x10", 3);
	cr_assert_eq(dwf_build(s.b, s.n, &hand_place, &t), 0);
	parse_table(&t, ps);
	cr_assert_eq(ps->ntable, 2);
	cr_assert_eq(ps->table_pc[0], 0x1000);
	cr_assert_eq(ps->table_pc[1], 0x1200);
	f = &ps->fdes[ps->table_fde[1]];
	cr_assert_eq(f->range, 0x100);
	cr_assert_eq(ps->cies[f->cie].version, 3, "RA column 300 needs CIE version 3");
	cr_assert_eq(ps->cies[f->cie].ra, 300);
	cr_assert_eq(ps->cies[f->cie].daf, -8);
	cr_assert_eq(ps->cies[ps->fdes[ps->table_fde[0]].cie].version, 1);
	/* set_loc now holds a pcrel sdata4 that still means 0x1234. */
	cr_assert_eq(f->ins_end - f->ins, 3 + 5 + 2);
	op = t.buf + f->ins + 3;
	cr_assert_eq(op[0], 0x01);
	cr_assert_eq(t.vaddr + f->ins + 4 + (uint64_t)get_s32(op + 1), 0x1234);
	cr_assert_eq(memcmp(op + 5, "\x0e\x08", 2), 0);
	cr_assert_eq(memcmp(t.buf + f->ins, ins, 3), 0);
	dwf_release(&t);
	free(ps);
}

Test(dwframe, bad_entries_are_dropped)
{
	struct sec s = { .n = 0 };
	struct dwf_table t;
	struct parsed *ps = malloc(sizeof(*ps));
	size_t good, zaug, bad_ver;

	cr_assert_not_null(ps);
	good = add_cie(&s, false, 1, 16, "");
	zaug = add_cie(&s, false, 1, 16, "zR");
	bad_ver = add_cie(&s, false, 2, 16, "");
	add_fde(&s, false, good, 0x2000, 0x10, "", 0);           /* kept */
	add_fde(&s, false, zaug, 0x3000, 0x10, "", 0);           /* augmented CIE */
	add_fde(&s, false, bad_ver, 0x3100, 0x10, "", 0);        /* CIE version 2 */
	add_fde(&s, false, good + 1, 0x3200, 0x10, "", 0);       /* not a CIE */
	add_fde(&s, false, 0x4000, 0x3300, 0x10, "", 0);         /* past the end */
	add_fde(&s, false, good, 0, 0x10, "", 0);                /* discarded: pc 0 */
	add_fde(&s, false, good, ~0ull, 0x10, "", 0);            /* tombstone -1 */
	add_fde(&s, false, good, 0x8ff0, 0x20, "", 0);           /* runs past pc_hi */
	add_fde(&s, false, good, 0x3400, 0, "", 0);              /* empty */
	add_fde(&s, false, good, 0x3500, 0x10, "\x3f", 1);       /* unknown opcode */
	add_fde(&s, false, good, 0x3600, 0x10, "\x0f\x09\x01", 3); /* block past end */
	add_fde(&s, false, good, 0x3700, 0x10, "\x0e", 1);       /* operand missing */
	add_fde(&s, false, good, 0x2000, 0x20, "", 0);           /* same pc twice */
	add_fde(&s, false, good, 0x1800, 0x10, "\x2e\x08\x0f\x02\x77\x00", 6); /* kept */
	cr_assert_eq(dwf_build(s.b, s.n, &hand_place, &t), 0);
	parse_table(&t, ps);
	cr_assert_eq(ps->ntable, 2);
	cr_assert_eq(ps->table_pc[0], 0x1800);
	cr_assert_eq(ps->table_pc[1], 0x2000);
	cr_assert_eq(ps->fdes[ps->table_fde[1]].range, 0x10, "the first FDE for a pc wins");
	cr_assert_eq(t.dropped, 2 + 12, "dropped %zu", t.dropped);
	dwf_release(&t);
	free(ps);
}

Test(dwframe, limits_and_bad_arguments)
{
	static const uint8_t one[16];
	struct dwf_place pl = hand_place;
	struct dwf_table t;

	cr_assert_eq(dwf_build(one, DWF_MAX_SECTION + 1, &pl, &t), -EFBIG);
	cr_assert_eq(dwf_build(one, 0, &pl, &t), -ENOENT);
	cr_assert_eq(dwf_build(one, sizeof(one), &pl, &t), -ENOENT);
	pl.vaddr = 0x200004;
	cr_assert_eq(dwf_build(one, sizeof(one), &pl, &t), -EINVAL);
	pl = hand_place;
	pl.pc_hi = pl.pc_lo;
	cr_assert_eq(dwf_build(one, sizeof(one), &pl, &t), -EINVAL);
	pl = hand_place;
	pl.addr_size = 2;
	cr_assert_eq(dwf_build(one, sizeof(one), &pl, &t), -EINVAL);
	pl = hand_place;
	pl.vaddr = UINT64_MAX & ~7ull;
	cr_assert_eq(dwf_build(one, sizeof(one), &pl, &t), -EINVAL);
	cr_assert_null(t.buf);
	dwf_release(NULL);
}

/* An FDE too far from the buffer for 32-bit offsets cannot be written. */
Test(dwframe, far_fde_dropped)
{
	struct sec s = { .n = 0 };
	struct dwf_place pl = { .vaddr = 0x100000000ull, .pc_lo = 0x1000, .pc_hi = 0x100000000ull };
	struct dwf_table t;
	size_t c = add_cie(&s, false, 1, 16, "");

	add_fde(&s, false, c, 0x1000, 0x10, "", 0);          /* 4 GiB away */
	add_fde(&s, false, c, 0xfffff000ull, 0x10, "", 0);   /* near */
	cr_assert_eq(dwf_build(s.b, s.n, &pl, &t), 0);
	cr_assert_eq(t.fde_count, 1);
	cr_assert_eq(t.dropped, 1);
	dwf_release(&t);
}

/* ---- garbage never crashes, and what comes out is always well formed ---------- */

static void build_and_check(const uint8_t *b, size_t n, const struct dwf_place *pl,
			    struct parsed *ps)
{
	struct dwf_table t;
	int ret = dwf_build(b, n, pl, &t);

	if (ret) {
		cr_assert(ret == -ENOENT || ret == -EINVAL, "ret %d", ret);
		cr_assert_null(t.buf);
		return;
	}
	parse_table(&t, ps);
	for (size_t k = 0; k < ps->ntable; k++) {
		const struct p_fde *f = &ps->fdes[ps->table_fde[k]];

		cr_assert_geq(f->pc, pl->pc_lo);
		cr_assert_leq(f->pc + f->range, pl->pc_hi);
	}
	dwf_release(&t);
}

Test(dwframe, truncated_and_mangled_real_sections)
{
	char bin[128];
	struct elf_facts ef;
	struct dwf_place pl;
	struct parsed *ps = malloc(sizeof(*ps));
	uint8_t *copy;
	uint32_t seed = 12345;

	cr_assert_not_null(ps);
	build_prog("gcc", "", "prog");
	tmp_path(bin, sizeof(bin), "prog");
	elf_facts(bin, &ef);
	cr_assert_not_null(ef.debug_frame);
	pl = place_for(&ef);
	/* Every prefix, in a buffer of exactly that size (ASan sees overreads). */
	for (size_t n = 0; n <= ef.debug_frame_len; n++) {
		copy = malloc(n ? n : 1);
		cr_assert_not_null(copy);
		memcpy(copy, ef.debug_frame, n);
		build_and_check(copy, n, &pl, ps);
		free(copy);
	}
	/* Random bytes overwritten, lengths included. */
	copy = malloc(ef.debug_frame_len);
	cr_assert_not_null(copy);
	for (int round = 0; round < 3000; round++) {
		memcpy(copy, ef.debug_frame, ef.debug_frame_len);
		for (int k = 0; k < 1 + round % 8; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % ef.debug_frame_len] = (uint8_t)(seed >> 20);
		}
		build_and_check(copy, ef.debug_frame_len, &pl, ps);
	}
	free(copy);
	free(ef.debug_frame);
	free(ps);
}
