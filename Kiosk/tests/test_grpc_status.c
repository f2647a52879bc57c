/* Status codes: names, HTTP and HTTP/2 mapping, grpc-message decoding, grpc-timeout, retry rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "grpc_status.h"

static void test_names(void **state) {
  assert_string_equal(mk_grpc_code_name(0), "OK");
  assert_string_equal(mk_grpc_code_name(5), "NOT_FOUND");
  assert_string_equal(mk_grpc_code_name(14), "UNAVAILABLE");
  assert_string_equal(mk_grpc_code_name(16), "UNAUTHENTICATED");
  assert_string_equal(mk_grpc_code_name(17), "UNKNOWN");
  assert_string_equal(mk_grpc_code_name(-1), "UNKNOWN");
}

static void test_parse_accepts_only_0_to_16(void **state) {
  assert_int_equal(mk_grpc_status_parse("0", 1), 0);
  assert_int_equal(mk_grpc_status_parse("16", 2), 16);
  assert_int_equal(mk_grpc_status_parse("17", 2), -1);
  assert_int_equal(mk_grpc_status_parse("05", 2), -1);
  assert_int_equal(mk_grpc_status_parse("", 0), -1);
  assert_int_equal(mk_grpc_status_parse("1a", 2), -1);
  assert_int_equal(mk_grpc_status_parse("123", 3), -1);
}

static void test_http_mapping(void **state) {
  assert_int_equal(mk_grpc_status_from_http(400), MK_GRPC_INTERNAL);
  assert_int_equal(mk_grpc_status_from_http(401), MK_GRPC_UNAUTHENTICATED);
  assert_int_equal(mk_grpc_status_from_http(403), MK_GRPC_PERMISSION_DENIED);
  assert_int_equal(mk_grpc_status_from_http(404), MK_GRPC_UNIMPLEMENTED);
  assert_int_equal(mk_grpc_status_from_http(429), MK_GRPC_UNAVAILABLE);
  assert_int_equal(mk_grpc_status_from_http(502), MK_GRPC_UNAVAILABLE);
  assert_int_equal(mk_grpc_status_from_http(503), MK_GRPC_UNAVAILABLE);
  assert_int_equal(mk_grpc_status_from_http(504), MK_GRPC_UNAVAILABLE);
  assert_int_equal(mk_grpc_status_from_http(500), MK_GRPC_UNKNOWN);
}

static void test_h2_error_mapping(void **state) {
  assert_int_equal(mk_grpc_status_from_h2_error(0x7), MK_GRPC_UNAVAILABLE);
  assert_int_equal(mk_grpc_status_from_h2_error(0x8), MK_GRPC_CANCELLED);
  assert_int_equal(mk_grpc_status_from_h2_error(0xb), MK_GRPC_RESOURCE_EXHAUSTED);
  assert_int_equal(mk_grpc_status_from_h2_error(0xc), MK_GRPC_PERMISSION_DENIED);
  assert_int_equal(mk_grpc_status_from_h2_error(0x1), MK_GRPC_INTERNAL);
  assert_int_equal(mk_grpc_status_from_h2_error(0x2), MK_GRPC_INTERNAL);
}

static void test_message_percent_decoding(void **state) {
  char out[128];
  const char *in = "D%E1%BB%8Bch v%E1%BB%A5 %22abc%22 kh%C3%B4ng t%E1%BB%93n t%E1%BA%A1i%0Aline2 100%";
  mk_grpc_message_decode(in, strlen(in), out, sizeof(out));
  assert_string_equal(out, "Dịch vụ \"abc\" không tồn tại line2 100%");
  mk_grpc_message_decode("%zz%4", 5, out, sizeof(out));
  assert_string_equal(out, "%zz%4");
}

static void test_message_truncation_keeps_utf8_whole(void **state) {
  char out[6];
  const char *in = "abcd%C3%B4"; /* "abcdô": ô needs 2 bytes, only 1 fits */
  mk_grpc_message_decode(in, strlen(in), out, sizeof(out));
  assert_string_equal(out, "abcd");
}

static void test_timeout_format(void **state) {
  char out[16];
  mk_grpc_timeout_format(10000, out, sizeof(out));
  assert_string_equal(out, "10000m");
  mk_grpc_timeout_format(0, out, sizeof(out));
  assert_string_equal(out, "1m");
  mk_grpc_timeout_format(100000000, out, sizeof(out));
  assert_string_equal(out, "100000S");
  mk_grpc_timeout_format(100000000000000LL, out, sizeof(out));
  assert_int_equal(out[strlen(out) - 1], 'M');
  assert_true(strlen(out) <= 9);
}

static void test_only_unavailable_is_retryable(void **state) {
  for (int code = 0; code <= 16; code++)
    assert_int_equal(mk_grpc_status_retryable(code), code == MK_GRPC_UNAVAILABLE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_parse_accepts_only_0_to_16),
      cmocka_unit_test(test_http_mapping),
      cmocka_unit_test(test_h2_error_mapping),
      cmocka_unit_test(test_message_percent_decoding),
      cmocka_unit_test(test_message_truncation_keeps_utf8_whole),
      cmocka_unit_test(test_timeout_format),
      cmocka_unit_test(test_only_unavailable_is_retryable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
