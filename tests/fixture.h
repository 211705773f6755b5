/* fixture.h — profile-building and output-capturing helpers shared by the unit tests of the writers. */
#ifndef PROFTUI_TEST_FIXTURE_H
#define PROFTUI_TEST_FIXTURE_H

/*
 * For criterion tests only (each test file is its own program): static
 * inline, so a file that uses some of these does not warn about the rest.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "proftui/profile.h"

#define FX_EXE "/usr/bin/app"
#define FX_LIB "/usr/lib/libapp.so.1"

/* Output captured in memory, NUL-terminated after fx_end(). */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static inline void fx_begin(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	cr_assert_not_null(c->f);
}

static inline void fx_end(struct capture *c)
{
	cr_assert_eq(fclose(c->f), 0);
}

static inline struct profile *fx_profile(void)
{
	struct profile *p = profile_new();

	cr_assert_not_null(p);
	return p;
}

static inline uint32_t fx_fn(struct profile *p, const char *name, const char *module)
{
	uint32_t id = profile_func(p, name, module);

	cr_assert_neq(id, UINT32_MAX);
	return id;
}

/* w samples of the stack funcs[0..n) (leaf first), thread 1, time 0. */
static inline void fx_add(struct profile *p, const uint32_t *funcs, size_t n, uint64_t w)
{
	cr_assert_eq(profile_add_sample(p, 1, funcs, n, w, 0), 0);
}

/* 60 main->a, 30 main->b, 10 main->c->a (main in FX_EXE, the rest in
 * FX_LIB): a has 70 % self, main 100 % total; six nodes, the root included. */
static inline struct profile *fx_hists(void)
{
	struct profile *p = fx_profile();
	uint32_t m = fx_fn(p, "main", FX_EXE), a = fx_fn(p, "a", FX_LIB);
	uint32_t b = fx_fn(p, "b", FX_LIB), c = fx_fn(p, "c", FX_LIB);

	fx_add(p, (uint32_t[]){ a, m }, 2, 60);
	fx_add(p, (uint32_t[]){ b, m }, 2, 30);
	fx_add(p, (uint32_t[]){ a, c, m }, 3, 10);
	return p;
}

#endif
