/* The raster ticket: paper widths, banners, the suggestion block, QR code, fonts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fixed_ticket.h"
#include "qr.h"
#include "ticket_render.h"

static long ink(const mk_bitmap *b) {
  long n = 0;
  for (int y = 0; y < b->height; y++)
    for (int x = 0; x < b->width; x++) n += mk_bitmap_get(b, x, y);
  return n;
}

static void test_widths_follow_the_paper(void **state) {
  mk_ticket t = fixed_ticket();
  char err[256];
  mk_bitmap b;
  mk_render_options o58 = {58, NULL, NULL}, o80 = {80, NULL, NULL};
  assert_int_equal(mk_render_ticket(&t, &o58, &b, err, sizeof(err)), MK_RENDER_OK);
  assert_int_equal(b.width, 384);
  assert_true(b.height > 400 && b.height < 2000);
  assert_true(ink(&b) > 5000);
  mk_bitmap_free(&b);
  assert_int_equal(mk_render_ticket(&t, &o80, &b, err, sizeof(err)), MK_RENDER_OK);
  assert_int_equal(b.width, 576);
  mk_bitmap_free(&b);
}

static void test_reprint_and_offline_add_banners(void **state) {
  mk_ticket t = fixed_ticket();
  char err[256];
  mk_bitmap plain, re;
  mk_render_options o = {58, NULL, NULL};
  assert_int_equal(mk_render_ticket(&t, &o, &plain, err, sizeof(err)), MK_RENDER_OK);
  t.reprint = 1;
  t.offline = 1;
  t.has_estimate = 0;
  assert_int_equal(mk_render_ticket(&t, &o, &re, err, sizeof(err)), MK_RENDER_OK);
  assert_true(re.height > plain.height);
  assert_true(ink(&re) > ink(&plain)); /* two black bands */
  mk_bitmap_free(&plain);
  mk_bitmap_free(&re);
}

static void test_appointment_adds_a_line(void **state) {
  mk_ticket t = fixed_ticket();
  char err[256];
  mk_bitmap plain, appt;
  mk_render_options o = {58, NULL, NULL};
  assert_int_equal(mk_render_ticket(&t, &o, &plain, err, sizeof(err)), MK_RENDER_OK);
  t.appointment_start_ms = 1795830300000LL;
  assert_int_equal(mk_render_ticket(&t, &o, &appt, err, sizeof(err)), MK_RENDER_OK);
  assert_true(appt.height > plain.height);
  assert_true(ink(&appt) > ink(&plain));
  mk_bitmap_free(&plain);
  mk_bitmap_free(&appt);
}

static int same_image(const mk_bitmap *a, const mk_bitmap *b) {
  return a->width == b->width && a->height == b->height &&
         memcmp(a->bits, b->bits, (size_t)a->stride * (size_t)a->height) == 0;
}

/* Nothing is drawn in the side margins (MARGIN dots each side), so text wraps inside the paper. */
static int margins_blank(const mk_bitmap *b) {
  for (int y = 0; y < b->height; y++)
    for (int x = 0; x < 8; x++)
      if (mk_bitmap_get(b, x, y) || mk_bitmap_get(b, b->width - 1 - x, y)) return 0;
  return 1;
}

static void test_suggestion_adds_a_framed_block(void **state) {
  mk_ticket t = fixed_suggestion_ticket();
  char err[256];
  mk_bitmap without, with;
  for (int paper = 58; paper <= 80; paper += 22) {
    mk_render_options o = {paper, NULL, NULL};
    t.has_suggestion = 0;
    assert_int_equal(mk_render_ticket(&t, &o, &without, err, sizeof(err)), MK_RENDER_OK);
    t.has_suggestion = 1;
    assert_int_equal(mk_render_ticket(&t, &o, &with, err, sizeof(err)), MK_RENDER_OK);
    /* At least a heading, three lines of text and the frame. */
    assert_true(with.height > without.height + (paper == 58 ? 120 : 100));
    assert_true(ink(&with) > ink(&without) + 2000);
    assert_true(margins_blank(&with));
    mk_bitmap_free(&without);
    mk_bitmap_free(&with);
  }
}

/* A long name and address are wrapped (the block grows) and still kept inside the paper. */
static void test_long_suggestion_wraps_within_the_width(void **state) {
  mk_ticket t = fixed_suggestion_ticket();
  char err[256];
  mk_bitmap short_one, long_one;
  mk_render_options o = {58, NULL, NULL};
  assert_int_equal(mk_render_ticket(&t, &o, &short_one, err, sizeof(err)), MK_RENDER_OK);
  snprintf(t.suggestion.name, sizeof(t.suggestion.name), "Chi nhánh Trung tâm Phục vụ hành chính công Nam Từ Liêm");
  snprintf(t.suggestion.address, sizeof(t.suggestion.address),
           "Khu trung tâm hành chính quận Long Biên cũ, khu vực Việt Hưng – Ngọc Lâm, phường Ngọc Lâm, "
           "quận Long Biên, thành phố Hà Nội; lối vào từ phố Nguyễn Văn Cừ, cạnh bãi đỗ xe máy");
  t.suggestion.wait_here_minutes = 125;
  assert_int_equal(mk_render_ticket(&t, &o, &long_one, err, sizeof(err)), MK_RENDER_OK);
  assert_true(long_one.height > short_one.height + 60);
  assert_true(margins_blank(&long_one));
  mk_bitmap_free(&short_one);
  mk_bitmap_free(&long_one);
}

/* An offline ticket never shows a suggestion, even if one were set: the image is the plain offline ticket. */
static void test_offline_ticket_never_shows_a_suggestion(void **state) {
  mk_ticket t = fixed_suggestion_ticket();
  t.offline = 1;
  t.has_estimate = 0;
  char err[256];
  mk_bitmap plain, with;
  mk_render_options o = {80, NULL, NULL};
  t.has_suggestion = 0;
  assert_int_equal(mk_render_ticket(&t, &o, &plain, err, sizeof(err)), MK_RENDER_OK);
  t.has_suggestion = 1;
  assert_int_equal(mk_render_ticket(&t, &o, &with, err, sizeof(err)), MK_RENDER_OK);
  assert_true(same_image(&plain, &with));
  mk_bitmap_free(&plain);
  mk_bitmap_free(&with);
}

static void test_missing_font_is_named(void **state) {
  mk_ticket t = fixed_ticket();
  char err[256];
  mk_bitmap b;
  mk_render_options o = {58, "/nonexistent/font.ttf", NULL};
  assert_int_equal(mk_render_ticket(&t, &o, &b, err, sizeof(err)), MK_RENDER_ERR_FONT);
  assert_non_null(strstr(err, "/nonexistent/font.ttf"));
}

static void test_qr_holds_a_square(void **state) {
  mk_qr q;
  assert_int_equal(mk_qr_encode("https://motcua.hanoi.gov.vn/ve?ticket=tk_1&code=ABCD2345", &q), MK_QR_OK);
  assert_true(q.width >= 21);
  assert_int_equal(q.modules[0], 1); /* finder pattern corner */
  mk_qr_free(&q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_widths_follow_the_paper),
      cmocka_unit_test(test_reprint_and_offline_add_banners),
      cmocka_unit_test(test_appointment_adds_a_line),
      cmocka_unit_test(test_suggestion_adds_a_framed_block),
      cmocka_unit_test(test_long_suggestion_wraps_within_the_width),
      cmocka_unit_test(test_offline_ticket_never_shows_a_suggestion),
      cmocka_unit_test(test_missing_font_is_named),
      cmocka_unit_test(test_qr_holds_a_square),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
