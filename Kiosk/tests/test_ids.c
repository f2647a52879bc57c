/* UUIDs and tracking codes minted by the kiosk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ids.h"

static void test_uuid_format_sets_version_and_variant(void **state) {
  uint8_t b[16];
  memset(b, 0xff, sizeof(b));
  char out[37];
  mk_ids_uuid_format(b, out);
  assert_string_equal(out, "ffffffff-ffff-4fff-bfff-ffffffffffff");
  memset(b, 0, sizeof(b));
  mk_ids_uuid_format(b, out);
  assert_string_equal(out, "00000000-0000-4000-8000-000000000000");
}

static void test_tracking_code_uses_the_alphabet(void **state) {
  uint8_t b[8] = {0, 1, 8, 13, 23, 24, 31, 255};
  char out[9];
  mk_ids_tracking_format(b, out);
  assert_string_equal(out, "ABJPZ299");
  assert_true(mk_ids_tracking_valid(out));
  assert_false(mk_ids_tracking_valid("ABCDEFGI")); /* I is not in the alphabet */
  assert_false(mk_ids_tracking_valid("ABCDEFG0"));
  assert_false(mk_ids_tracking_valid("ABC"));
  assert_int_equal(strlen(MK_TRACKING_ALPHABET), 32);
}

static void test_fresh_ids_differ(void **state) {
  char a[37], b[37], c[9], d[9];
  assert_int_equal(mk_ids_uuid(a), 0);
  assert_int_equal(mk_ids_uuid(b), 0);
  assert_string_not_equal(a, b);
  assert_int_equal(a[14], '4');
  assert_int_equal(mk_ids_tracking_code(c), 0);
  assert_int_equal(mk_ids_tracking_code(d), 0);
  assert_true(mk_ids_tracking_valid(c));
  assert_true(mk_ids_tracking_valid(d));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_uuid_format_sets_version_and_variant),
      cmocka_unit_test(test_tracking_code_uses_the_alphabet),
      cmocka_unit_test(test_fresh_ids_differ),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
