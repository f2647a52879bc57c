/* ESC/POS bytes: a hand-made image exactly, and the fixed tickets against the stored files
 * (UPDATE_GOLDEN=1 rewrites the stored files: review the PNGs before committing them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escpos.h"
#include "fixed_ticket.h"
#include "png_out.h"
#include "ticket_render.h"

static void test_small_image_exact_bytes(void **state) {
  mk_bitmap b;
  assert_int_equal(mk_bitmap_init(&b, 10, 2), 0);
  mk_bitmap_set(&b, 0, 0, 1);
  mk_bitmap_set(&b, 9, 1, 1);
  uint8_t *out;
  size_t len;
  assert_int_equal(mk_escpos_encode(&b, &out, &len), MK_ESCPOS_OK);
  static const uint8_t want[] = {0x1b, 0x40, 0x1d, 0x76, 0x30, 0x00, 2, 0, 2, 0, 0x80, 0x00, 0x00, 0x40,
                                 0x1b, 0x64, 0x04, 0x1d, 0x56, 0x42, 0x00};
  assert_int_equal(len, sizeof(want));
  assert_memory_equal(out, want, len);
  free(out);
  mk_bitmap_free(&b);
}

static void test_tall_image_is_sent_in_bands(void **state) {
  mk_bitmap b;
  assert_int_equal(mk_bitmap_init(&b, 384, 300), 0);
  uint8_t *out;
  size_t len;
  assert_int_equal(mk_escpos_encode(&b, &out, &len), MK_ESCPOS_OK);
  assert_int_equal(len, 2 + 8 + 48 * 256 + 8 + 48 * 44 + 7);
  static const uint8_t band1[] = {0x1d, 0x76, 0x30, 0x00, 48, 0, 0, 1};
  static const uint8_t band2[] = {0x1d, 0x76, 0x30, 0x00, 48, 0, 44, 0};
  assert_memory_equal(out + 2, band1, 8);
  assert_memory_equal(out + 2 + 8 + 48 * 256, band2, 8);
  free(out);
  mk_bitmap_free(&b);
}

static void test_empty_image_is_invalid(void **state) {
  mk_bitmap b = {0, 0, 0, NULL};
  uint8_t *out;
  size_t len;
  assert_int_equal(mk_escpos_encode(&b, &out, &len), MK_ESCPOS_ERR_INVALID);
}

static void compare_stored(const char *name, const mk_ticket *tk, int paper) {
  mk_ticket t = *tk;
  mk_render_options o = {paper, NULL, NULL};
  mk_bitmap img;
  char err[256];
  assert_int_equal(mk_render_ticket(&t, &o, &img, err, sizeof(err)), MK_RENDER_OK);
  uint8_t *bytes;
  size_t len;
  assert_int_equal(mk_escpos_encode(&img, &bytes, &len), MK_ESCPOS_OK);
  char path[256], png[256];
  snprintf(path, sizeof(path), "%s/%s_%dmm.escpos", STORED_DIR, name, paper);
  snprintf(png, sizeof(png), "%s/%s_%dmm.png", STORED_DIR, name, paper);
  if (getenv("UPDATE_GOLDEN")) {
    FILE *f = fopen(path, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
    assert_int_equal(mk_png_write(&img, png, err, sizeof(err)), MK_PNG_OK);
  }
  FILE *f = fopen(path, "rb");
  if (f == NULL) fail_msg("missing %s (make golden-update)", path);
  uint8_t *want = malloc(len + 1);
  size_t got = fread(want, 1, len + 1, f);
  fclose(f);
  assert_int_equal(got, len);
  assert_memory_equal(bytes, want, len);
  free(want);
  free(bytes);
  mk_bitmap_free(&img);
}

static void test_fixed_ticket_58mm_matches_stored_file(void **state) {
  mk_ticket t = fixed_ticket();
  compare_stored("ticket", &t, 58);
}

static void test_fixed_ticket_80mm_matches_stored_file(void **state) {
  mk_ticket t = fixed_ticket();
  compare_stored("ticket", &t, 80);
}

/* A checked-in booking's ticket: "Lịch hẹn / Appointment 08:45" under the service. */
static void test_appointment_ticket_80mm_matches_stored_file(void **state) {
  mk_ticket t = fixed_appointment_ticket();
  compare_stored("ticket_appointment", &t, 80);
}

/* An online ticket at an overloaded branch: the framed suggestion of Chi nhánh Ba Đình under the wait. 58 mm
 * shows the wrapping at the narrowest paper. */
static void test_suggestion_ticket_58mm_matches_stored_file(void **state) {
  mk_ticket t = fixed_suggestion_ticket();
  compare_stored("ticket_suggestion", &t, 58);
}

static void test_suggestion_ticket_80mm_matches_stored_file(void **state) {
  mk_ticket t = fixed_suggestion_ticket();
  compare_stored("ticket_suggestion", &t, 80);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_small_image_exact_bytes),
      cmocka_unit_test(test_tall_image_is_sent_in_bands),
      cmocka_unit_test(test_empty_image_is_invalid),
      cmocka_unit_test(test_fixed_ticket_58mm_matches_stored_file),
      cmocka_unit_test(test_fixed_ticket_80mm_matches_stored_file),
      cmocka_unit_test(test_appointment_ticket_80mm_matches_stored_file),
      cmocka_unit_test(test_suggestion_ticket_58mm_matches_stored_file),
      cmocka_unit_test(test_suggestion_ticket_80mm_matches_stored_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
