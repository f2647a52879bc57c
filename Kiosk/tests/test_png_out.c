/* The PNG preview: read back with libpng, same pixels; an unwritable path is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "png_out.h"

static void test_pixels_round_trip(void **state) {
  mk_bitmap b;
  assert_int_equal(mk_bitmap_init(&b, 13, 5), 0);
  for (int y = 0; y < 5; y++)
    for (int x = 0; x < 13; x++) mk_bitmap_set(&b, x, y, (x * 3 + y) % 4 == 0);
  char err[256];
  assert_int_equal(mk_png_write(&b, "/tmp/mk-png-test.png", err, sizeof(err)), MK_PNG_OK);
  png_image img;
  memset(&img, 0, sizeof(img));
  img.version = PNG_IMAGE_VERSION;
  assert_true(png_image_begin_read_from_file(&img, "/tmp/mk-png-test.png"));
  assert_int_equal(img.width, 13);
  assert_int_equal(img.height, 5);
  img.format = PNG_FORMAT_GRAY;
  uint8_t *px = malloc(PNG_IMAGE_SIZE(img));
  assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
  for (int y = 0; y < 5; y++)
    for (int x = 0; x < 13; x++) assert_int_equal(px[y * 13 + x] == 0, mk_bitmap_get(&b, x, y));
  free(px);
  mk_bitmap_free(&b);
  unlink("/tmp/mk-png-test.png");
}

static void test_unwritable_path_is_named(void **state) {
  mk_bitmap b;
  mk_bitmap_init(&b, 8, 8);
  char err[256];
  assert_int_equal(mk_png_write(&b, "/nonexistent-dir/p.png", err, sizeof(err)), MK_PNG_ERR_OPEN);
  assert_non_null(strstr(err, "/nonexistent-dir/p.png"));
  mk_bitmap_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pixels_round_trip),
      cmocka_unit_test(test_unwritable_path_is_named),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
