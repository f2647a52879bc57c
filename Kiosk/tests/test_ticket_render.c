/* The raster ticket: paper widths, banners, QR code, fonts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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
      cmocka_unit_test(test_missing_font_is_named),
      cmocka_unit_test(test_qr_holds_a_square),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
