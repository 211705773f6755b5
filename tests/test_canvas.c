/* test_canvas.c — sanitised, width-aware, clipped text in the off-screen canvas. */
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>

#include "proftui/canvas.h"

static struct canvas c;
static char row[1024];

static void init_utf8(void)
{
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
	memset(&c, 0, sizeof(c));
	cr_assert_eq(canvas_resize(&c, 10, 3), 0);
}

static void fini(void)
{
	canvas_release(&c);
}

TestSuite(canvas, .init = init_utf8, .fini = fini);

Test(canvas, text_is_clipped_to_width_and_edge)
{
	cr_assert_eq(canvas_text(&c, 0, 0, 4, "abcdefgh", CC_NORMAL, 0), 4);
	cr_assert_str_eq(canvas_row(&c, 0, row, sizeof(row)), "abcd      ");
	cr_assert_eq(canvas_text(&c, 7, 1, 100, "xyzw", CC_NORMAL, 0), 3);
	cr_assert_str_eq(canvas_row(&c, 1, row, sizeof(row)), "       xyz");
	cr_assert_eq(canvas_text(&c, 0, 3, 5, "off", CC_NORMAL, 0), 0);
	cr_assert_eq(canvas_text(&c, -1, 0, 5, "off", CC_NORMAL, 0), 0);
}

Test(canvas, escapes_never_reach_the_cells)
{
	canvas_text(&c, 0, 0, 10, "\x1b[2J", CC_NORMAL, 0);
	cr_assert_str_eq(canvas_row(&c, 0, row, sizeof(row)), "\\x1B[2J   ");
	for (int i = 0; i < c.w * c.h; i++)
		cr_assert(c.cells[i].ch >= 0x20 || c.cells[i].ch == 0, "control char in cell %d", i);
}

Test(canvas, wide_chars_take_two_columns_and_are_not_split)
{
	cr_assert_eq(canvas_width(&c, "漢字"), 4);
	cr_assert_eq(canvas_text(&c, 0, 0, 3, "漢字", CC_NORMAL, 0), 3);
	/* the second wide char does not fit in the third column: a space */
	cr_assert_str_eq(canvas_row(&c, 0, row, sizeof(row)), "漢        ");
}

Test(canvas, ascii_mode_shows_question_marks)
{
	c.ascii = true;
	canvas_text(&c, 0, 0, 10, "é漢a", CC_NORMAL, 0);
	cr_assert_str_eq(canvas_row(&c, 0, row, sizeof(row)), "??a       ");
}

Test(canvas, paint_and_fill_set_colours)
{
	canvas_fill(&c, 2, 1, 3, '#', CC_HOT2, CA_REVERSE);
	cr_assert_str_eq(canvas_row(&c, 1, row, sizeof(row)), "  ###     ");
	cr_assert_eq(c.cells[c.w + 2].color, CC_HOT2);
	canvas_paint(&c, 0, 1, 100, CC_SELECTED, CA_BOLD);
	cr_assert_eq(c.cells[c.w + 9].color, CC_SELECTED);
	cr_assert_eq(c.cells[c.w + 9].attr, CA_BOLD);
	canvas_fill(&c, -5, 2, 100, '-', CC_NORMAL, 0);
	cr_assert_str_eq(canvas_row(&c, 2, row, sizeof(row)), "----------");
}

Test(canvas, printf_and_tiny_canvases)
{
	cr_assert_eq(canvas_resize(&c, 1, 1), 0);
	cr_assert_eq(canvas_printf(&c, 0, 0, 50, CC_NORMAL, 0, "%d%%", 42), 1);
	cr_assert_str_eq(canvas_row(&c, 0, row, sizeof(row)), "4");
	cr_assert_eq(canvas_resize(&c, 0, 0), 0);
	cr_assert_eq(canvas_text(&c, 0, 0, 5, "x", CC_NORMAL, 0), 0);
}
