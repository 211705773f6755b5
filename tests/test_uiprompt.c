/* test_uiprompt.c — the one-line prompt: typing, erasing, Enter/Esc, limits, and how a long line is drawn. */
#include <criterion/criterion.h>

#include <locale.h>
#include <string.h>

#include "proftui/keys.h"
#include "proftui/uiprompt.h"

static void setup(void)
{
	setlocale(LC_ALL, "C.UTF-8");
}

TestSuite(uiprompt, .init = setup);

static void type(struct uiprompt *p, const char *s)
{
	for (; *s; s++)
		cr_assert_eq(uiprompt_key(p, (unsigned char)*s), UIPROMPT_EDITING);
}

Test(uiprompt, starts_with_the_offer_and_edits_it)
{
	struct uiprompt p;

	uiprompt_open(&p, "save to: ", "proftui-x.snap", 0);
	cr_assert(p.open);
	cr_assert_str_eq(p.text, "proftui-x.snap");
	uiprompt_key(&p, K_BACKSPACE);
	uiprompt_key(&p, K_BACKSPACE);
	uiprompt_key(&p, K_BACKSPACE);
	uiprompt_key(&p, K_BACKSPACE);
	type(&p, "svg");
	cr_assert_str_eq(p.text, "proftui-x.svg");
	cr_assert_eq(p.len, strlen(p.text));
	cr_assert_eq(uiprompt_key(&p, K_ENTER), UIPROMPT_DONE);
	cr_assert_not(p.open);
	cr_assert_str_eq(p.text, "proftui-x.svg");
}

Test(uiprompt, escape_cancels_and_closed_prompt_takes_nothing)
{
	struct uiprompt p;

	uiprompt_open(&p, "/", NULL, 0);
	cr_assert_str_eq(p.text, "");
	type(&p, "abc");
	cr_assert_eq(uiprompt_key(&p, K_ESC), UIPROMPT_CANCEL);
	cr_assert_not(p.open);
	cr_assert_eq(uiprompt_key(&p, 'x'), UIPROMPT_CANCEL);
	cr_assert_str_eq(p.text, "abc");
}

Test(uiprompt, ctrl_u_erases_the_line_ctrl_w_a_component)
{
	struct uiprompt p;

	uiprompt_open(&p, "save to: ", "/tmp/dir/file.snap", 0);
	uiprompt_key(&p, 'W' & 0x1f);
	cr_assert_str_eq(p.text, "/tmp/dir/");
	uiprompt_key(&p, 'W' & 0x1f);
	cr_assert_str_eq(p.text, "/tmp/");
	uiprompt_key(&p, 'W' & 0x1f);
	cr_assert_str_eq(p.text, "/");
	uiprompt_key(&p, 'W' & 0x1f);
	cr_assert_str_eq(p.text, "");
	uiprompt_key(&p, 'W' & 0x1f);   /* nothing left: no underflow */
	cr_assert_eq(p.len, 0);
	type(&p, "a b");
	uiprompt_key(&p, 'U' & 0x1f);
	cr_assert_str_eq(p.text, "");
	uiprompt_key(&p, K_BACKSPACE);
	cr_assert_eq(p.len, 0);
}

Test(uiprompt, control_and_special_keys_are_ignored)
{
	struct uiprompt p;

	uiprompt_open(&p, "/", "", 0);
	cr_assert_eq(uiprompt_key(&p, K_UP), UIPROMPT_EDITING);
	cr_assert_eq(uiprompt_key(&p, K_TAB), UIPROMPT_EDITING);
	cr_assert_eq(uiprompt_key(&p, 1), UIPROMPT_EDITING);
	cr_assert_eq(uiprompt_key(&p, K_RESIZE), UIPROMPT_EDITING);
	cr_assert_eq(uiprompt_key(&p, 0x7f + 0x1000), UIPROMPT_EDITING);
	cr_assert_str_eq(p.text, "");
}

Test(uiprompt, backspace_removes_a_whole_utf8_character)
{
	struct uiprompt p;

	uiprompt_open(&p, "/", NULL, 0);
	type(&p, "a\xc3\xa9\xe2\x82\xac");   /* a, é, € */
	cr_assert_eq(p.len, 6);
	uiprompt_key(&p, K_BACKSPACE);
	cr_assert_str_eq(p.text, "a\xc3\xa9");
	uiprompt_key(&p, K_BACKSPACE);
	cr_assert_str_eq(p.text, "a");
}

Test(uiprompt, text_is_capped_at_max)
{
	struct uiprompt p;
	char big[UIPROMPT_MAX + 100];

	uiprompt_open(&p, "/", "abcdef", 4);
	cr_assert_str_eq(p.text, "abcd");
	type(&p, "xyz");
	cr_assert_str_eq(p.text, "abcd");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	uiprompt_open(&p, "/", big, 0);
	cr_assert_eq(p.len, UIPROMPT_MAX);
	cr_assert_eq(strlen(p.text), UIPROMPT_MAX);
	type(&p, "y");
	cr_assert_eq(p.len, UIPROMPT_MAX);
}

static char *row0(struct canvas *c, char *buf, size_t len)
{
	return canvas_row(c, 0, buf, len);
}

Test(uiprompt, draws_label_text_and_cursor)
{
	struct canvas c = { 0 };
	struct uiprompt p;
	char row[256];

	cr_assert_eq(canvas_resize(&c, 40, 1), 0);
	uiprompt_open(&p, "save to: ", "a.snap", 0);
	uiprompt_draw(&p, &c, 0);
	cr_assert(!strncmp(row0(&c, row, sizeof(row)), "save to: a.snap_", 16), "row: '%s'", row);
	canvas_release(&c);
}

/* A path longer than the line keeps its end, where typing goes, in view. */
Test(uiprompt, long_text_shows_its_end)
{
	struct canvas c = { 0 };
	struct uiprompt p;
	char row[256];

	cr_assert_eq(canvas_resize(&c, 20, 1), 0);
	uiprompt_open(&p, "save to: ", "/very/long/directory/name/file.svg", 0);
	uiprompt_draw(&p, &c, 0);
	row0(&c, row, sizeof(row));
	cr_assert(!strncmp(row, "save to: <", 10), "row: '%s'", row);
	cr_assert_not_null(strstr(row, "file.svg_"), "row: '%s'", row);
	cr_assert_eq(canvas_width(&c, row), 20, "row: '%s'", row);
	/* Wide characters are never cut in half. */
	uiprompt_open(&p, "/", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac"
			       "\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5", 0);
	uiprompt_draw(&p, &c, 0);
	row0(&c, row, sizeof(row));
	cr_assert(!strncmp(row, "/<", 2), "row: '%s'", row);
	cr_assert_not_null(strstr(row, "\xe6\x97\xa5_"), "row: '%s'", row);
	canvas_release(&c);
}

Test(uiprompt, tiny_canvas_does_not_crash)
{
	struct canvas c = { 0 };
	struct uiprompt p;

	cr_assert_eq(canvas_resize(&c, 3, 1), 0);
	uiprompt_open(&p, "save to: ", "x", 0);
	uiprompt_draw(&p, &c, 0);
	canvas_release(&c);
}
