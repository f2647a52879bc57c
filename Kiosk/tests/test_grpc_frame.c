/* Length-prefix framing: any split of the bytes gives the same messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_frame.h"

typedef struct got {
  int count;
  size_t total;
  uint8_t last[64];
  size_t last_len;
} got;

static int on_msg(const uint8_t *m, size_t len, void *user) {
  got *g = user;
  g->count++;
  g->total += len;
  g->last_len = len;
  if (len <= sizeof(g->last)) memcpy(g->last, m, len);
  return 0;
}

static void test_header_is_flag_and_big_endian_length(void **state) {
  uint8_t h[5];
  mk_frame_header_encode(h, 0x01020304);
  static const uint8_t want[] = {0, 1, 2, 3, 4};
  assert_memory_equal(h, want, 5);
}

static void test_one_message_in_one_feed(void **state) {
  static const uint8_t in[] = {0, 0, 0, 0, 3, 'a', 'b', 'c'};
  mk_frame_decoder d;
  mk_frame_decoder_init(&d, 1024);
  got g = {0};
  assert_int_equal(mk_frame_decoder_feed(&d, in, sizeof(in), on_msg, &g), MK_FRAME_OK);
  assert_int_equal(g.count, 1);
  assert_memory_equal(g.last, "abc", 3);
  assert_true(mk_frame_decoder_idle(&d));
  mk_frame_decoder_free(&d);
}

static void test_every_split_point_gives_the_same_messages(void **state) {
  static const uint8_t in[] = {0, 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 'x', 'y'};
  for (size_t cut1 = 0; cut1 <= sizeof(in); cut1++) {
    for (size_t cut2 = cut1; cut2 <= sizeof(in); cut2++) {
      mk_frame_decoder d;
      mk_frame_decoder_init(&d, 1024);
      got g = {0};
      assert_int_equal(mk_frame_decoder_feed(&d, in, cut1, on_msg, &g), MK_FRAME_OK);
      assert_int_equal(mk_frame_decoder_feed(&d, in + cut1, cut2 - cut1, on_msg, &g), MK_FRAME_OK);
      assert_int_equal(mk_frame_decoder_feed(&d, in + cut2, sizeof(in) - cut2, on_msg, &g), MK_FRAME_OK);
      assert_int_equal(g.count, 3);
      assert_int_equal(g.total, 5);
      assert_memory_equal(g.last, "xy", 2);
      assert_true(mk_frame_decoder_idle(&d));
      mk_frame_decoder_free(&d);
    }
  }
}

static void test_byte_by_byte_large_message(void **state) {
  size_t n = 70000;
  uint8_t *in = malloc(n + 5);
  mk_frame_header_encode(in, (uint32_t)n);
  for (size_t i = 0; i < n; i++) in[5 + i] = (uint8_t)i;
  mk_frame_decoder d;
  mk_frame_decoder_init(&d, 1 << 20);
  got g = {0};
  for (size_t i = 0; i < n + 5; i++) assert_int_equal(mk_frame_decoder_feed(&d, in + i, 1, on_msg, &g), MK_FRAME_OK);
  assert_int_equal(g.count, 1);
  assert_int_equal(g.total, n);
  mk_frame_decoder_free(&d);
  free(in);
}

static void test_partial_message_is_not_idle(void **state) {
  static const uint8_t in[] = {0, 0, 0, 0, 9, 'a'};
  mk_frame_decoder d;
  mk_frame_decoder_init(&d, 1024);
  got g = {0};
  assert_int_equal(mk_frame_decoder_feed(&d, in, 3, on_msg, &g), MK_FRAME_OK);
  assert_false(mk_frame_decoder_idle(&d));
  assert_int_equal(mk_frame_decoder_feed(&d, in + 3, 3, on_msg, &g), MK_FRAME_OK);
  assert_false(mk_frame_decoder_idle(&d));
  assert_int_equal(g.count, 0);
  mk_frame_decoder_free(&d);
}

static void test_too_large_and_compressed_are_refused(void **state) {
  static const uint8_t big[] = {0, 0, 1, 0, 0};
  static const uint8_t comp[] = {1, 0, 0, 0, 1, 'a'};
  mk_frame_decoder d;
  mk_frame_decoder_init(&d, 1024);
  assert_int_equal(mk_frame_decoder_feed(&d, big, 5, on_msg, NULL), MK_FRAME_ERR_TOO_LARGE);
  assert_int_equal(mk_frame_decoder_feed(&d, comp, 6, on_msg, NULL), MK_FRAME_ERR_TOO_LARGE); /* sticky */
  mk_frame_decoder_free(&d);
  mk_frame_decoder_init(&d, 1024);
  assert_int_equal(mk_frame_decoder_feed(&d, comp, 6, on_msg, NULL), MK_FRAME_ERR_COMPRESSED);
  mk_frame_decoder_free(&d);
  assert_string_equal(mk_frame_strerror(MK_FRAME_ERR_TOO_LARGE), "message larger than the limit");
}

static int stop(const uint8_t *m, size_t len, void *user) { return 1; }

static void test_callback_can_stop_decoding(void **state) {
  static const uint8_t in[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  mk_frame_decoder d;
  mk_frame_decoder_init(&d, 1024);
  assert_int_equal(mk_frame_decoder_feed(&d, in, sizeof(in), stop, NULL), MK_FRAME_ERR_CALLBACK);
  mk_frame_decoder_free(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_is_flag_and_big_endian_length),
      cmocka_unit_test(test_one_message_in_one_feed),
      cmocka_unit_test(test_every_split_point_gives_the_same_messages),
      cmocka_unit_test(test_byte_by_byte_large_message),
      cmocka_unit_test(test_partial_message_is_not_idle),
      cmocka_unit_test(test_too_large_and_compressed_are_refused),
      cmocka_unit_test(test_callback_can_stop_decoding),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
