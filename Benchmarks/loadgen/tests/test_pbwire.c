/* The wire reader: every wire type, nested bytes, and each kind of malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pbwire.h"

static void test_reads_each_wire_type(void **state) {
  /* 1: varint 300; 2: bytes "hi"; 3: fixed64 1; 4: fixed32 2; 15: varint 120 */
  const uint8_t msg[] = {0x08, 0xac, 0x02, 0x12, 0x02, 'h', 'i', 0x19, 1, 0, 0, 0, 0, 0, 0, 0,
                         0x25, 2,    0,    0,    0,    0x78, 0x78};
  lg_pb r;
  lg_pb_field f;
  lg_pb_init(&r, msg, sizeof(msg));
  assert_int_equal(lg_pb_next(&r, &f), 1);
  assert_int_equal(f.number, 1);
  assert_int_equal(f.wire, LG_PB_VARINT);
  assert_int_equal(f.varint, 300);
  assert_int_equal(lg_pb_next(&r, &f), 1);
  assert_int_equal(f.number, 2);
  assert_int_equal(f.wire, LG_PB_BYTES);
  assert_int_equal(f.len, 2);
  assert_memory_equal(f.data, "hi", 2);
  assert_int_equal(lg_pb_next(&r, &f), 1);
  assert_int_equal(f.wire, LG_PB_FIXED64);
  assert_int_equal(f.varint, 1);
  assert_int_equal(lg_pb_next(&r, &f), 1);
  assert_int_equal(f.wire, LG_PB_FIXED32);
  assert_int_equal(f.varint, 2);
  assert_int_equal(lg_pb_next(&r, &f), 1);
  assert_int_equal(f.number, 15);
  assert_int_equal(f.varint, 120);
  assert_int_equal(lg_pb_next(&r, &f), 0);
  assert_int_equal(lg_pb_next(&r, &f), 0);
}

static void test_empty_message_ends_at_once(void **state) {
  lg_pb r;
  lg_pb_field f;
  lg_pb_init(&r, (const uint8_t *)"", 0);
  assert_int_equal(lg_pb_next(&r, &f), 0);
}

static void test_malformed_inputs_are_refused(void **state) {
  static const struct {
    uint8_t bytes[12];
    size_t len;
  } cases[] = {
      {{0x08}, 1},                                                             /* varint value missing */
      {{0x08, 0x80}, 2},                                                       /* varint cut */
      {{0x12, 0x05, 'a'}, 3},                                                  /* bytes longer than the message */
      {{0x19, 1, 2, 3}, 4},                                                    /* fixed64 cut */
      {{0x25, 1}, 2},                                                          /* fixed32 cut */
      {{0x0b}, 1},                                                             /* start group */
      {{0x0c}, 1},                                                             /* end group */
      {{0x00, 0x01}, 2},                                                       /* field number 0 */
      {{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 12}, /* varint over 10 bytes */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    lg_pb r;
    lg_pb_field f;
    lg_pb_init(&r, cases[i].bytes, cases[i].len);
    assert_int_equal(lg_pb_next(&r, &f), -1);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reads_each_wire_type),
      cmocka_unit_test(test_empty_message_ends_at_once),
      cmocka_unit_test(test_malformed_inputs_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
