/* test_keys.c — every key in the table is documented in the man page and the README, and the help shows them. */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/view.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s (run from the source tree)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The man page lists each binding as `.It Li "KEYS"` under its scope. */
Test(keys, man_page_documents_every_binding)
{
	char *man = slurp("man/proftui.1");
	char *keys_sec = strstr(man, "\n.Sh KEYS\n");

	cr_assert_not_null(keys_sec, "man page has no KEYS section");
	for (const struct key_binding *b = key_bindings; b->keys; b++) {
		char want[256];

		snprintf(want, sizeof(want), ".It Li \"%s\"", b->keys);
		cr_assert_not_null(strstr(keys_sec, want), "man page KEYS lacks %s", want);
	}
	free(man);
}

/* The README has a table row starting with the keys in backquotes. */
Test(keys, readme_documents_every_binding)
{
	char *readme = slurp("README.md");

	for (const struct key_binding *b = key_bindings; b->keys; b++) {
		char want[256];

		snprintf(want, sizeof(want), "| `%s` |", b->keys);
		cr_assert_not_null(strstr(readme, want), "README lacks the row %s", want);
	}
	free(readme);
}

Test(keys, help_view_shows_every_binding)
{
	struct canvas c = { 0 };
	struct view *v = view_help_new();
	struct ui_model m = { .search = "" };
	char row[512];
	size_t found = 0, total = 0;

	setlocale(LC_ALL, "C.UTF-8");
	cr_assert_eq(canvas_resize(&c, 120, 200), 0);
	v->ops->draw(v, &c, 0, 200, &m);
	for (const struct key_binding *b = key_bindings; b->keys; b++, total++) {
		for (int y = 0; y < c.h; y++) {
			if (strstr(canvas_row(&c, y, row, sizeof(row)), b->keys)) {
				found++;
				break;
			}
		}
	}
	cr_assert_eq(found, total, "help shows %zu of %zu bindings", found, total);
	cr_assert_gt(total, 10);
	view_free(v);
	canvas_release(&c);
}

/* Every list view moves its cursor by the same keys. */
Test(keys, list_steps)
{
	static const struct { int key; long step; } cases[] = {
		{ K_UP, -1 }, { 'k', -1 }, { K_DOWN, 1 }, { 'j', 1 },
		{ K_PGUP, -20 }, { 'B' & 0x1f, -20 }, { K_PGDN, 20 }, { 'F' & 0x1f, 20 },
		{ K_HOME, -500 }, { 'g', -500 }, { K_END, 500 }, { 'G', 500 },
	};
	long step = 7;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert(keys_list_step(cases[i].key, 20, 500, &step), "key %d", cases[i].key);
		cr_assert_eq(step, cases[i].step, "key %d: step %ld", cases[i].key, step);
	}
	step = 7;
	cr_assert_not(keys_list_step('x', 20, 500, &step));
	cr_assert_not(keys_list_step(K_ENTER, 20, 500, &step));
	cr_assert_eq(step, 7, "a key that is no move changed the step");
}
