/* kcache.c — a per-boot cache of the kernel symbol table: only the first run after boot reads /proc/kallsyms. */
#include "proftui/kcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "proftui/safefile.h"

#define KCACHE_PREFIX      "kallsyms-"
#define KCACHE_SMALL_MAX   (16UL << 20)    /* /proc/modules is a few KiB */
#define KCACHE_BPF_MAX     65536           /* ids walked: never an endless loop */

/* ---- the key ---- */

/* A whole small file (a /proc file has no size to ask for); -errno on failure. */
static int kcache_slurp(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	size_t cap = 4096, n = 0;
	char *buf = NULL, *p;
	ssize_t r;

	if (fd < 0)
		return -errno;
	for (;;) {
		if (n == cap || !buf) {
			if (buf)
				cap *= 2;
			p = cap > KCACHE_SMALL_MAX ? NULL : realloc(buf, cap);
			if (!p)
				break;
			buf = p;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			if (r < 0) {
				free(buf);
				return -EIO;
			}
			*out = buf;
			*len = n;
			return 0;
		}
		n += (size_t)r;
	}
	close(fd);
	free(buf);
	return -EFBIG;
}

/* The boot id names the file: only hex digits and dashes, so never a path. */
static bool kcache_boot_id_ok(const char *s, size_t len)
{
	if (!len || len >= KALLSYMS_KEY_STR)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!s[i] || !strchr("0123456789abcdefABCDEF-", s[i]))
			return false;
	return true;
}

static int kcache_boot_id(char *out, const char *path)
{
	size_t len;
	char *s;
	int ret = kcache_slurp(path, &s, &len);

	if (ret)
		return ret;
	if (len && s[len - 1] == '\n')
		len--;
	ret = kcache_boot_id_ok(s, len) ? 0 : -EINVAL;
	if (!ret) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	free(s);
	return ret;
}

int kcache_key(struct kallsyms_key *key, const char *boot_id_path, const char *modules_path,
	       const char *release)
{
	struct utsname u;
	char *mods = NULL;
	size_t len = 0;
	int ret;

	memset(key, 0, sizeof(*key));
	if (!release) {
		if (uname(&u) < 0)
			return -errno;
		release = u.release;
	}
	if (!*release || strlen(release) >= KALLSYMS_KEY_STR)
		return -EINVAL;
	strcpy(key->release, release);
	ret = kcache_boot_id(key->boot_id, boot_id_path);
	if (ret)
		return ret;
	ret = kcache_slurp(modules_path, &mods, &len);
	if (ret && ret != -ENOENT)
		return ret;
	key->loaded = kallsyms_hash(mods, len, 0);
	free(mods);
	return 0;
}

/*
 * JIT-compiled BPF programs are named in kallsyms ("bpf_prog_…  [bpf]") and
 * come and go without any module changing: their ids (never reused within
 * a boot) join the key.  Without the right to list them (not root) none is
 * listed, and without that right kallsyms shows no addresses anyway.
 */
static uint64_t kcache_bpf_ids(uint64_t h)
{
	union bpf_attr a;
	uint32_t id = 0;

	for (int i = 0; i < KCACHE_BPF_MAX; i++) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &a, sizeof(a)) < 0)
			break;
		id = a.next_id;
		h = kallsyms_hash(&id, sizeof(id), h);
	}
	return h;
}

/* ---- the directory ---- */

/* dir without its last component: "/a/b" → "/a", "a" → ".", "/a" → "/". */
static char *kcache_parent(const char *dir)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	while (len && dir[len - 1] != '/')
		len--;
	if (!len)
		return strdup(".");
	while (len > 1 && dir[len - 1] == '/')
		len--;
	return strndup(dir, len);
}

/* mkdir 0700, but only inside a directory we own: root must not leave a
 * root-owned directory in a user's home (sudo keeping HOME). */
static int kcache_mkdir_owned(const char *dir)
{
	char *parent = kcache_parent(dir);
	struct stat st;
	int ret;

	if (!parent)
		return -ENOMEM;
	ret = stat(parent, &st) < 0 ? -errno : st.st_uid != geteuid() ? -EPERM : 0;
	free(parent);
	if (!ret && mkdir(dir, 0700) < 0)
		ret = -errno;
	return ret;
}

/* The directory and, when that is missing too, its parent ($HOME/.cache). */
static void kcache_make_dir(const char *dir)
{
	char *parent;

	if (kcache_mkdir_owned(dir) != -ENOENT)
		return;
	parent = kcache_parent(dir);
	if (parent && kcache_mkdir_owned(parent) == 0)
		(void)kcache_mkdir_owned(dir);
	free(parent);
}

/* Ours alone: owned by the effective uid, writable by no one else. */
static bool kcache_private(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/*
 * The cache directory as an fd, so the checks made on it hold for every
 * later use (its path could be renamed and replaced by whoever owns the
 * parent); -1 when it is not ours alone.
 */
static int kcache_open_dir(const char *dir)
{
	int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(dir, flags);
	struct stat st;

	if (fd < 0 && errno == ENOENT) {
		kcache_make_dir(dir);
		fd = open(dir, flags);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || !kcache_private(&st)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the file ---- */

/* Exactly st_size bytes, or failure (the file changed under us). */
static int kcache_read_all(int fd, unsigned char *buf, size_t len)
{
	size_t n = 0;

	while (n < len) {
		ssize_t r = read(fd, buf + n, len - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EIO;
		n += (size_t)r;
	}
	return 0;
}

/*
 * O_NOFOLLOW: no symlink; O_NONBLOCK: a FIFO planted there cannot block
 * the open (fstat then refuses it).  Only a private regular file of a sane
 * size is read, and kallsyms_parse_cache trusts nothing in it.
 */
static int kcache_read(int dfd, const char *name, const struct kallsyms_key *key,
		       struct kallsyms *k)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	unsigned char *buf = NULL;
	struct stat st;
	int ret = -EINVAL;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && kcache_private(&st) &&
	    st.st_size > 0 && (uint64_t)st.st_size <= KCACHE_MAX_SIZE) {
		buf = malloc((size_t)st.st_size);
		ret = !buf ? -ENOMEM : kcache_read_all(fd, buf, (size_t)st.st_size);
		if (!ret)
			ret = kallsyms_parse_cache(k, buf, (size_t)st.st_size, key);
	}
	free(buf);
	close(fd);
	return ret;
}

/* A cache file of ours: the name kcache_load_key gives, the magic inside.
 * The directory may be one the user also keeps other files in. */
static bool kcache_is_ours(int dfd, const char *name)
{
	char magic[8];
	int fd;
	bool ours;

	if (strncmp(name, KCACHE_PREFIX, strlen(KCACHE_PREFIX)) ||
	    !kcache_boot_id_ok(name + strlen(KCACHE_PREFIX), strlen(name + strlen(KCACHE_PREFIX))))
		return false;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return false;
	ours = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	       !memcmp(magic, KALLSYMS_CACHE_MAGIC, sizeof(magic));
	close(fd);
	return ours;
}

/* One file per boot: the earlier boots' are garbage once this one is written. */
static void kcache_prune(int dfd, const char *keep)
{
	int fd = dup(dfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, keep) && kcache_is_ours(dfd, e->d_name))
			(void)unlinkat(dfd, e->d_name, 0);
	closedir(d);
}

/*
 * Through /proc/self/fd/DFD, safefile writes into the very directory that
 * was checked, whatever its path names by now; 0600 from creation on, as
 * the table holds the kernel's addresses.
 */
static void kcache_write(int dfd, const char *name, const struct kallsyms *k,
			 const struct kallsyms_key *key)
{
	char path[64 + KALLSYMS_KEY_STR];
	struct safefile sf;

	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dfd, name);
	if (safefile_open_mode(&sf, path, 0600, NULL, 0))
		return;
	if (kallsyms_save(k, sf.fp, key)) {
		safefile_abort(&sf);
		return;
	}
	if (safefile_commit(&sf, NULL, 0) == 0)
		kcache_prune(dfd, name);
}

int kcache_load_key(struct kallsyms *k, const char *kallsyms_path, const char *cache_dir,
		    const struct kallsyms_key *key)
{
	char name[sizeof(KCACHE_PREFIX) + KALLSYMS_KEY_STR];
	int dfd = -1, ret;

	/* The boot id names the file: one kcache_key would not have made is refused. */
	if (cache_dir && *cache_dir &&
	    kcache_boot_id_ok(key->boot_id, strnlen(key->boot_id, KALLSYMS_KEY_STR)))
		dfd = kcache_open_dir(cache_dir);
	if (dfd >= 0) {
		snprintf(name, sizeof(name), KCACHE_PREFIX "%s", key->boot_id);
		if (kcache_read(dfd, name, key, k) == 0) {
			close(dfd);
			return 1;
		}
	}
	ret = kallsyms_load(k, kallsyms_path);
	if (dfd >= 0 && k->n && !k->cut)
		kcache_write(dfd, name, k, key);
	if (dfd >= 0)
		close(dfd);
	return ret;
}

int kcache_load(struct kallsyms *k, const char *kallsyms_path, const char *cache_dir)
{
	struct kallsyms_key key;

	if (!cache_dir || kcache_key(&key, "/proc/sys/kernel/random/boot_id", "/proc/modules",
				     NULL))
		return kallsyms_load(k, kallsyms_path);
	key.loaded = kcache_bpf_ids(key.loaded);
	return kcache_load_key(k, kallsyms_path, cache_dir, &key);
}

/* ---- where ---- */

const char *kcache_default_dir(char *buf, size_t len)
{
	const char *env = getenv("PROFTUI_CACHE_DIR");
	int n;

	if (env)
		n = *env ? snprintf(buf, len, "%s", env) : -1;
	else if ((env = getenv("XDG_CACHE_HOME")) && *env == '/')
		n = snprintf(buf, len, "%s/proftui", env);
	else if ((env = getenv("HOME")) && *env)
		n = snprintf(buf, len, "%s/.cache/proftui", env);
	else
		n = -1;
	return n > 0 && (size_t)n < len ? buf : NULL;
}
