/* test_symbols.c — criterion tests for symbols.c: own binary, libc, stripped copies, debuglink, vDSO, kallsyms, junk. */
#include <criterion/criterion.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proftui/symbols.h"
#include "tmpdir.h"

/* ---- functions to resolve ---- */

static __attribute__((noinline)) int probe_static_fn(int x)
{
	int s = 0;

	for (int i = 0; i < x; i++)
		s += (i * x) ^ (s >> 3);
	return s;
}

/* Exported (the test links -rdynamic) so it survives in .dynsym of a stripped copy. */
int proftui_test_exported(int x);
__attribute__((visibility("default"), used, noinline)) int proftui_test_exported(int x)
{
	int s = 1;

	for (int i = 0; i < x; i++)
		s = s * 31 + (i ^ x);
	return s;
}

/* Called through volatile pointers so neither is inlined or cloned away. */
static int (*volatile probe_ptrs[2])(int) = { probe_static_fn, proftui_test_exported };

/* ---- helpers ---- */

/* The mapping of addr in our own maps: its path and the file offset of addr. */
static int addr_to_file(uintptr_t addr, char *path, size_t cap, uint64_t *off)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[8192];
	int found = -1;

	cr_assert_not_null(f);
	while (found < 0 && fgets(line, sizeof(line), f)) {
		unsigned long long s, e, pg;
		int n = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &s, &e, &pg, &n) < 3 || !n)
			continue;
		if (addr < s || addr >= e)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, cap, "%s", line + n);
		*off = addr - s + pg;
		found = 0;
	}
	fclose(f);
	return found;
}

static uint64_t own_offset(int (*fn)(int))
{
	char path[4096];
	uint64_t off = 0;

	cr_assert_eq(addr_to_file((uintptr_t)fn, path, sizeof(path), &off), 0);
	return off;
}

static char tmpdir[TD_LEN];

static void make_tmpdir(void)
{
	td_make(tmpdir, "test_symbols");
}

static void remove_tmpdir(void)
{
	td_remove(tmpdir);
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;

	cr_assert_not_null(f, "open %s", path);
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

static void write_all(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "create %s", path);
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static void copy_self(const char *dst)
{
	size_t len;
	unsigned char *buf = read_all("/proc/self/exe", &len);

	write_all(dst, buf, len);
	free(buf);
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static void need_objcopy(void)
{
	if (run("command -v objcopy >/dev/null 2>&1") != 0)
		cr_skip_test("objcopy not installed");
}

/* ---- own binary ---- */

Test(symbols, own_static_function)
{
	struct sym_cache *c = sym_cache_new();
	uint64_t off = own_offset(probe_ptrs[0]), so = 99;
	const char *name, *again;

	cr_assert_not_null(c);
	name = sym_lookup(c, "/proc/self/exe", NULL, 0, off, &so);
	cr_assert_str_eq(name, "probe_static_fn");
	cr_assert_eq(so, 0);
	again = sym_lookup(c, "/proc/self/exe", NULL, 0, off + 3, &so);
	cr_assert_eq(again, name, "cached name pointer is stable");
	cr_assert_eq(so, 3);
	cr_assert_eq(probe_ptrs[0](3), probe_static_fn(3));
	sym_cache_free(c);
}

Test(symbols, own_exported_function)
{
	struct sym_cache *c = sym_cache_new();
	uint64_t off = own_offset(probe_ptrs[1]), so = 99;

	cr_assert_str_eq(sym_lookup(c, "/proc/self/exe", NULL, 0, off + 1, &so),
			 "proftui_test_exported");
	cr_assert_eq(so, 1);
	/* sym_off may be NULL */
	cr_assert_str_eq(sym_lookup(c, "/proc/self/exe", NULL, 0, off, NULL), "proftui_test_exported");
	sym_cache_free(c);
}

/* The first object dl_iterate_phdr reports is the program: its load bias. */
static int first_bias(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = (uintptr_t)info->dlpi_addr;
	return 1;
}

/* The symbol's own address is its ELF address (st_value, what nm prints):
 * the run-time address less the load bias, PIE or not. */
Test(symbols, lookup_addr_gives_the_symbols_elf_address)
{
	struct sym_cache *c = sym_cache_new();
	uintptr_t bias = 0;
	uint64_t so = 99, sa = 99;

	cr_assert_not_null(c);
	dl_iterate_phdr(first_bias, &bias);
	for (int i = 0; i < 2; i++) {
		uint64_t want = (uintptr_t)probe_ptrs[i] - bias;

		cr_assert_not_null(sym_lookup_addr(c, "/proc/self/exe", NULL, 0,
						   own_offset(probe_ptrs[i]) + 2, &so, &sa));
		cr_assert_eq(so, 2);
		cr_assert_eq(sa, want, "probe %d: 0x%llx, want 0x%llx", i, (unsigned long long)sa,
			     (unsigned long long)want);
	}
	cr_assert_str_eq(sym_lookup_addr(c, "/proc/self/exe", NULL, 0, own_offset(probe_ptrs[0]),
					 NULL, NULL), "probe_static_fn");
	cr_assert_null(sym_lookup_addr(c, "/proc/self/exe", NULL, 0, 1ULL << 40, &so, &sa));
	cr_assert_eq(sa, UINT64_MAX);
	sym_cache_free(c);
}

Test(symbols, offset_outside_segments)
{
	struct sym_cache *c = sym_cache_new();
	uint64_t so = 7;

	cr_assert_null(sym_lookup(c, "/proc/self/exe", NULL, 0, 1ULL << 40, &so));
	cr_assert_null(sym_lookup(c, "/proc/self/exe", NULL, 0, UINT64_MAX, &so));
	cr_assert_null(sym_lookup(NULL, "/proc/self/exe", NULL, 0, 0, &so));
	cr_assert_null(sym_lookup(c, NULL, NULL, 0, 0, &so));
	sym_cache_free(c);
}

/* ---- shared libraries ---- */

Test(symbols, libc_getpid)
{
	struct sym_cache *c = sym_cache_new();
	void *fn = dlsym(RTLD_DEFAULT, "getpid");
	char path[4096];
	uint64_t off, so = 99;
	const char *name;

	cr_assert_not_null(fn);
	cr_assert_eq(addr_to_file((uintptr_t)fn, path, sizeof(path), &off), 0);
	cr_assert(strstr(path, "libc"), "getpid lives in %s", path);
	name = sym_lookup(c, path, NULL, 0, off, &so);
	cr_assert_not_null(name);
	cr_assert(strstr(name, "getpid"), "got %s", name);
	cr_assert_eq(so, 0);
	sym_cache_free(c);
}

/* glibc's debug file names it "__libc_start_main@@GLIBC_2.34" in .symtab:
 * users know it without the version. */
Test(symbols, version_suffix_cut)
{
	struct sym_cache *c = sym_cache_new();
	void *fn = dlsym(RTLD_DEFAULT, "__libc_start_main");
	char path[4096];
	uint64_t off, so;
	const char *name;

	cr_assert_not_null(fn);
	cr_assert_eq(addr_to_file((uintptr_t)fn, path, sizeof(path), &off), 0);
	name = sym_lookup(c, path, NULL, 0, off, &so);
	cr_assert_not_null(name);
	cr_assert_str_eq(name, "__libc_start_main");
	sym_cache_free(c);
}

struct fsym {
	uint64_t value, size;
	bool local;
	char name[128];
};

static int fsym_cmp(const void *a, const void *b)
{
	const struct fsym *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/* Every FUNC symbol of the .symtab of an ELF file, sorted by value. */
static struct fsym *read_funcs(const char *path, size_t *np)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	struct fsym *v = NULL;
	size_t n = 0;

	cr_assert_geq(fd, 0);
	cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
	e = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(e);
	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d;
		size_t cnt;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		cr_assert_not_null(d);
		cnt = sh.sh_size / sh.sh_entsize;
		v = calloc(cnt, sizeof(*v));
		cr_assert_not_null(v);
		for (size_t i = 1; i < cnt; i++) {
			GElf_Sym s;
			const char *nm;

			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    !s.st_value || s.st_shndx == SHN_UNDEF)
				continue;
			nm = elf_strptr(e, sh.sh_link, s.st_name);
			if (!nm || strlen(nm) >= sizeof(v[n].name))
				continue;
			v[n].value = s.st_value;
			v[n].size = s.st_size;
			v[n].local = GELF_ST_BIND(s.st_info) == STB_LOCAL;
			strcpy(v[n].name, nm);
			n++;
		}
		break;
	}
	elf_end(e);
	close(fd);
	qsort(v, n, sizeof(*v), fsym_cmp);
	*np = n;
	return v;
}

/* File offset of vaddr through the executable PT_LOAD of the file at path. */
static uint64_t vaddr_to_offset(const char *path, uint64_t va)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	size_t phnum;
	uint64_t off = UINT64_MAX;

	cr_assert_geq(fd, 0);
	e = elf_begin(fd, ELF_C_READ, NULL);
	cr_assert_not_null(e);
	cr_assert_eq(elf_getphdrnum(e, &phnum), 0);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    va >= ph.p_vaddr && va < ph.p_vaddr + ph.p_filesz)
			off = va - ph.p_vaddr + ph.p_offset;
	}
	elf_end(e);
	close(fd);
	cr_assert_neq(off, UINT64_MAX);
	return off;
}

/* A static function of libc is known only to its separate debug file. */
Test(symbols, libc_debug_file_by_build_id)
{
	void *fn = dlsym(RTLD_DEFAULT, "getpid");
	char path[4096], dbg[128];
	uint8_t id[20];
	uint64_t off, so = 99;
	struct fsym *v, *pick = NULL;
	struct sym_cache *c;
	size_t n, i;
	int len, pos;

	cr_assert_eq(addr_to_file((uintptr_t)fn, path, sizeof(path), &off), 0);
	len = sym_read_build_id(path, id);
	cr_assert_gt(len, 1);
	pos = snprintf(dbg, sizeof(dbg), "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (i = 1; i < (size_t)len; i++)
		pos += snprintf(dbg + pos, sizeof(dbg) - (size_t)pos, "%02x", id[i]);
	snprintf(dbg + pos, sizeof(dbg) - (size_t)pos, ".debug");
	if (access(dbg, R_OK) != 0)
		cr_skip_test("no debug file for libc (install libc6-dbg)");
	v = read_funcs(dbg, &n);
	for (i = 1; i + 1 < n && !pick; i++)
		if (v[i].local && v[i].size >= 16 && v[i - 1].value != v[i].value &&
		    v[i + 1].value != v[i].value)
			pick = &v[i];
	cr_assert_not_null(pick, "no lone static function in %s", dbg);
	off = vaddr_to_offset(path, pick->value);
	c = sym_cache_new();
	cr_assert_str_eq(sym_lookup(c, path, id, (size_t)len, off + 4, &so), pick->name);
	cr_assert_eq(so, 4);
	sym_cache_free(c);
	free(v);
}

/* A mangled symbol of libstdc++ comes back demangled. */
Test(symbols, libstdcxx_demangled)
{
	struct sym_cache *c = sym_cache_new();
	void *fn = dlsym(RTLD_DEFAULT, "_ZSt9terminatev");
	char path[4096];
	uint64_t off, so = 99;
	const char *name;

	if (!fn)
		cr_skip_test("libstdc++ not loaded");
	cr_assert_eq(addr_to_file((uintptr_t)fn, path, sizeof(path), &off), 0);
	name = sym_lookup(c, path, NULL, 0, off, &so);
	cr_assert_str_eq(name, "std::terminate()");
	cr_assert_eq(so, 0);
	cr_assert_eq(sym_lookup(c, path, NULL, 0, off, &so), name, "demangled once, cached");
	sym_cache_free(c);
}

Test(symbols, demangle_helper)
{
	char *d = sym_demangle("_ZN3foo3barEv");

	cr_assert_str_eq(d, "foo::bar()");
	free(d);
	d = sym_demangle("_ZN3foo3bazEi");
	cr_assert_str_eq(d, "foo::baz(int)");
	free(d);
	cr_assert_null(sym_demangle("main"));
	cr_assert_null(sym_demangle("_Z"));
	cr_assert_null(sym_demangle("_Zgarbage!!"));
	cr_assert_null(sym_demangle(""));
	cr_assert_null(sym_demangle(NULL));
}

/* ---- stripped copies and debug files ---- */

Test(symbols, stripped_copy, .init = make_tmpdir, .fini = remove_tmpdir)
{
	struct sym_cache *c;
	char full[512], stripped[512], cmd[1200];
	uint64_t so;

	need_objcopy();
	snprintf(full, sizeof(full), "%s/full", tmpdir);
	snprintf(stripped, sizeof(stripped), "%s/stripped", tmpdir);
	copy_self(full);
	snprintf(cmd, sizeof(cmd), "objcopy --strip-all '%s' '%s'", full, stripped);
	cr_assert_eq(run(cmd), 0);

	c = sym_cache_new();
	cr_assert_null(sym_lookup(c, stripped, NULL, 0, own_offset(probe_ptrs[0]), &so),
		       "a static function of a stripped file must not get a wrong name");
	cr_assert_null(sym_lookup(c, stripped, NULL, 0, own_offset(probe_ptrs[0]) + 3, &so));
	cr_assert_str_eq(sym_lookup(c, stripped, NULL, 0, own_offset(probe_ptrs[1]) + 2, &so),
			 "proftui_test_exported");
	cr_assert_eq(so, 2);
	/* the unstripped copy still knows both */
	cr_assert_str_eq(sym_lookup(c, full, NULL, 0, own_offset(probe_ptrs[0]), &so),
			 "probe_static_fn");
	sym_cache_free(c);
}

/* Split debug info next to the file, or in .debug/, found by .gnu_debuglink. */
static void debuglink_case(const char *debug_sub, bool corrupt)
{
	struct sym_cache *c;
	char full[512], dbg[600], stripped[512], cmd[4096];
	uint64_t so = 99;
	const char *name;

	need_objcopy();
	snprintf(full, sizeof(full), "%s/full", tmpdir);
	snprintf(stripped, sizeof(stripped), "%s/stripped", tmpdir);
	snprintf(dbg, sizeof(dbg), "%s/%sfull.debug", tmpdir, debug_sub);
	copy_self(full);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s/%s' && objcopy --only-keep-debug '%s' '%s' && "
		 "objcopy --strip-all --add-gnu-debuglink='%s' '%s' '%s'",
		 tmpdir, debug_sub, full, dbg, dbg, full, stripped);
	cr_assert_eq(run(cmd), 0);
	if (corrupt) {
		/* still a valid ELF with the same build-id; only the CRC can tell */
		snprintf(cmd, sizeof(cmd), "printf x >> '%s'", dbg);
		cr_assert_eq(run(cmd), 0);
	}
	c = sym_cache_new();
	name = sym_lookup(c, stripped, NULL, 0, own_offset(probe_ptrs[0]) + 1, &so);
	if (corrupt) {
		cr_assert_null(name, "CRC mismatch must reject the debug file, got %s", name);
	} else {
		cr_assert_str_eq(name, "probe_static_fn");
		cr_assert_eq(so, 1);
	}
	sym_cache_free(c);
}

Test(symbols, debuglink_same_dir, .init = make_tmpdir, .fini = remove_tmpdir)
{
	debuglink_case("", false);
}

Test(symbols, debuglink_dot_debug, .init = make_tmpdir, .fini = remove_tmpdir)
{
	debuglink_case(".debug/", false);
}

Test(symbols, debuglink_bad_crc, .init = make_tmpdir, .fini = remove_tmpdir)
{
	debuglink_case("", true);
}

/* ---- build-id ---- */

static int readelf_build_id(uint8_t id[20])
{
	char exe[1024], cmd[1200], line[512], *at;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *p;
	int n = -1;

	/* not /proc/self/exe in the command: that would be readelf itself */
	if (len <= 0)
		return -1;
	exe[len] = '\0';
	snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null", exe);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n < 0 && fgets(line, sizeof(line), p)) {
		unsigned int b;

		at = strstr(line, "Build ID: ");
		if (!at)
			continue;
		at += strlen("Build ID: ");
		for (n = 0; n < 20 && sscanf(at + 2 * n, "%2x", &b) == 1; n++)
			id[n] = (uint8_t)b;
	}
	pclose(p);
	return n;
}

Test(symbols, build_id)
{
	struct sym_cache *c = sym_cache_new();
	uint8_t id[20], ref[20], bad[20];
	uint64_t off = own_offset(probe_ptrs[0]), so;
	int n = sym_read_build_id("/proc/self/exe", id), rn;

	cr_assert_gt(n, 0);
	rn = readelf_build_id(ref);
	if (rn > 0) {
		cr_assert_eq(rn, n);
		cr_assert_arr_eq(id, ref, (size_t)n);
	}
	memcpy(bad, id, (size_t)n);
	bad[n - 1] ^= 0x5a;
	cr_assert_null(sym_lookup(c, "/proc/self/exe", bad, (size_t)n, off, &so));
	cr_assert_null(sym_lookup(c, "/proc/self/exe", id, (size_t)n - 1, off, &so));
	cr_assert_str_eq(sym_lookup(c, "/proc/self/exe", id, (size_t)n, off, &so), "probe_static_fn");
	cr_assert_null(sym_lookup(c, "/proc/self/exe", bad, (size_t)n, off, &so), "still refused after a hit");
	sym_cache_free(c);
}

Test(symbols, build_id_errors, .init = make_tmpdir, .fini = remove_tmpdir)
{
	uint8_t id[20];
	char path[512];

	cr_assert_eq(sym_read_build_id("/nonexistent/file", id), -ENOENT);
	cr_assert_lt(sym_read_build_id("/proc/self", id), 0);
	cr_assert_lt(sym_read_build_id(NULL, id), 0);
	snprintf(path, sizeof(path), "%s/text", tmpdir);
	write_all(path, "hello, not an ELF\n", 18);
	cr_assert_lt(sym_read_build_id(path, id), 0);
}

/* ---- vDSO ---- */

Test(symbols, vdso)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	unsigned long long s = 0, e = 0;
	char line[512];
	FILE *f;
	unsigned char *img;
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Sym sym;
	uint64_t want_off = 0, so = 99;
	bool found = false;
	struct sym_cache *c;
	const char *name;

	if (!base)
		cr_skip_test("no vDSO");
	f = fopen("/proc/self/maps", "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%llx-%llx", &s, &e) == 2 && s == base)
			break;
	fclose(f);
	cr_assert_eq(s, base);
	cr_assert_gt(e, s);

	/* Find clock_gettime in the vDSO's own .dynsym, independently of symbols.c. */
	cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
	img = malloc(e - s);
	cr_assert_not_null(img);
	memcpy(img, (const void *)base, e - s);
	elf = elf_memory((char *)img, e - s);
	cr_assert_not_null(elf);
	while (!found && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 1; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			const char *nm;

			if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			nm = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (nm && strstr(nm, "clock_gettime")) {
				found = true;
				break;
			}
		}
	}
	cr_assert(found, "no clock_gettime in the vDSO");
	/* runtime address relative to the mapping start (mapped from offset 0) */
	for (size_t i = 0;; i++) {
		GElf_Phdr ph;

		cr_assert_not_null(gelf_getphdr(elf, (int)i, &ph), "vDSO has no PT_LOAD");
		if (ph.p_type == PT_LOAD) {
			want_off = sym.st_value - ph.p_vaddr + ph.p_offset;
			break;
		}
	}
	elf_end(elf);
	free(img);

	c = sym_cache_new();
	name = sym_lookup(c, "[vdso]", NULL, 0, want_off, &so);
	cr_assert_not_null(name);
	cr_assert(strstr(name, "clock_gettime"), "got %s", name);
	cr_assert_eq(so, 0);
	name = sym_lookup(c, "[vdso]", NULL, 0, want_off + 1, &so);
	cr_assert(name && strstr(name, "clock_gettime"));
	cr_assert_eq(so, 1);
	sym_cache_free(c);
}

/* ---- junk ---- */

Test(symbols, garbage_files, .init = make_tmpdir, .fini = remove_tmpdir)
{
	struct sym_cache *c = sym_cache_new();
	unsigned char buf[4096];
	char path[512];
	uint8_t id[20];
	uint64_t so;
	size_t len;
	unsigned char *self;
	unsigned int seed = 12345;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(rand_r(&seed) >> 7);
	snprintf(path, sizeof(path), "%s/random", tmpdir);
	write_all(path, buf, sizeof(buf));
	for (uint64_t off = 0; off < 8192; off += 97)
		cr_assert_null(sym_lookup(c, path, NULL, 0, off, &so));
	cr_assert_lt(sym_read_build_id(path, id), 0);

	/* random bytes behind a valid ELF magic */
	memcpy(buf, "\177ELF\2\1\1", 7);
	snprintf(path, sizeof(path), "%s/random_elf", tmpdir);
	write_all(path, buf, sizeof(buf));
	for (uint64_t off = 0; off < 8192; off += 97)
		sym_lookup(c, path, NULL, 0, off, &so);
	sym_read_build_id(path, id);

	self = read_all("/proc/self/exe", &len);
	cr_assert_gt(len, 100);
	snprintf(path, sizeof(path), "%s/truncated", tmpdir);
	write_all(path, self, 100);
	cr_assert_null(sym_lookup(c, path, NULL, 0, own_offset(probe_ptrs[0]), &so));
	cr_assert_leq(sym_read_build_id(path, id), 0);
	free(self);

	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	write_all(path, "", 0);
	cr_assert_null(sym_lookup(c, path, NULL, 0, 0, &so));
	cr_assert_null(sym_lookup(c, tmpdir, NULL, 0, 0, &so));
	cr_assert_null(sym_lookup(c, "/dev/null", NULL, 0, 0, &so));
	cr_assert_null(sym_lookup(c, "", NULL, 0, 0, &so));
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_null(sym_lookup(c, path, NULL, 0, 0, &so), "a FIFO must not block");
	sym_cache_free(c);
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Corrupt headers, section table and random bytes of our own binary: no crash, no leak. */
Test(symbols, fuzzed_elf, .init = make_tmpdir, .fini = remove_tmpdir)
{
	size_t len;
	unsigned char *self = read_all("/proc/self/exe", &len), *copy = malloc(len);
	uint64_t off = own_offset(probe_ptrs[0]), so, shoff;
	uint32_t seed = 0x9e3779b9;
	char path[512];
	uint8_t id[20];
	int named = 0;

	cr_assert_not_null(copy);
	cr_assert_gt(len, 64);
	memcpy(&shoff, self + 0x28, sizeof(shoff));     /* e_shoff of an ELF64 */
	snprintf(path, sizeof(path), "%s/fuzz", tmpdir);
	for (int round = 0; round < 300; round++) {
		struct sym_cache *c = sym_cache_new();

		memcpy(copy, self, len);
		for (int k = 0; k < 1 + round % 8; k++) {
			uint32_t r = xorshift(&seed), pos;

			if (r % 3 == 0)
				pos = r % 1024;                          /* ELF + program headers */
			else if (r % 3 == 1 && shoff < len)
				pos = (uint32_t)(shoff + (r >> 2) % (len - shoff));  /* section table */
			else
				pos = (r >> 2) % (uint32_t)len;
			if (pos < len)
				copy[pos] ^= (unsigned char)(xorshift(&seed) | 1);
		}
		write_all(path, copy, len);
		if (sym_lookup(c, path, NULL, 0, off, &so))
			named++;
		sym_lookup(c, path, NULL, 0, off + 5, &so);
		sym_read_build_id(path, id);
		sym_cache_free(c);
	}
	cr_log_info("%d of 300 fuzzed copies still resolved", named);
	free(copy);
	free(self);
}

/* A failed load is remembered: the file is not opened again by the same cache. */
Test(symbols, failures_cached, .init = make_tmpdir, .fini = remove_tmpdir)
{
	struct sym_cache *c = sym_cache_new(), *c2;
	uint64_t off = own_offset(probe_ptrs[0]), so;
	char path[512];

	snprintf(path, sizeof(path), "%s/late", tmpdir);
	cr_assert_null(sym_lookup(c, path, NULL, 0, off, &so));
	copy_self(path);
	cr_assert_null(sym_lookup(c, path, NULL, 0, off, &so));
	c2 = sym_cache_new();
	cr_assert_str_eq(sym_lookup(c2, path, NULL, 0, off, &so), "probe_static_fn");
	sym_cache_free(c2);

	/* many modules: the table grows and still finds everything */
	for (int i = 0; i < 500; i++) {
		char p[600];

		snprintf(p, sizeof(p), "%s/missing-%d", tmpdir, i);
		cr_assert_null(sym_lookup(c, p, NULL, 0, off, &so));
	}
	cr_assert_str_eq(sym_lookup(c, "/proc/self/exe", NULL, 0, off, &so), "probe_static_fn");
	cr_assert_null(sym_lookup(c, path, NULL, 0, off, &so));
	sym_cache_free(c);
}

/* ---- kallsyms ---- */

struct kent {
	unsigned long long addr;
	char type;
	char name[128];
};

static int kent_cmp(const void *a, const void *b)
{
	const struct kent *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

Test(symbols, kallsyms)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	struct kent *v = NULL, *pick = NULL;
	size_t n = 0, cap = 0, i;
	char line[512];
	struct sym_cache *c;
	uint64_t so = 99;
	const char *name;

	if (!f)
		cr_skip_test("no /proc/kallsyms");
	while (fgets(line, sizeof(line), f)) {
		struct kent k;

		if (sscanf(line, "%llx %c %127s", &k.addr, &k.type, k.name) != 3)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			v = realloc(v, cap * sizeof(*v));
			cr_assert_not_null(v);
		}
		v[n++] = k;
	}
	fclose(f);
	qsort(v, n, sizeof(*v), kent_cmp);
	/* a text symbol alone at its address, with room after it, from the middle */
	for (i = n / 2; i + 1 < n && !pick; i++)
		if (v[i].type == 'T' && v[i].addr && v[i - 1].addr < v[i].addr &&
		    v[i + 1].addr > v[i].addr + 1 && v[i + 1].addr - v[i].addr < 4096)
			pick = &v[i];
	c = sym_cache_new();
	if (!pick) {
		cr_assert_null(sym_kernel_lookup(c, 0xffffffff81000000ULL, &so));
		sym_cache_free(c);
		free(v);
		cr_skip_test("kallsyms hides addresses (not root?)");
	}
	name = sym_kernel_lookup(c, pick->addr, &so);
	cr_assert_str_eq(name, pick->name);
	cr_assert_eq(so, 0);
	cr_assert_str_eq(sym_kernel_lookup(c, pick->addr + 1, &so), pick->name);
	cr_assert_eq(so, 1);
	cr_assert_null(sym_kernel_lookup(c, 0, &so));
	cr_assert_null(sym_kernel_lookup(NULL, pick->addr, &so));
	sym_cache_free(c);
	free(v);
}
