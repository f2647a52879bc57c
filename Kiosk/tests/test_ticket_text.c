/* The words on a ticket and Hanoi civil time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "motcua-kiosk.h"
#include "ticket_text.h"

static void test_wait_range(void **state) {
  char out[64];
  mk_text_wait_range(720, 1200, out, sizeof(out));
  assert_string_equal(out, "khoảng 12–20 phút");
  mk_text_wait_range(300, 300, out, sizeof(out));
  assert_string_equal(out, "khoảng 5 phút");
  mk_text_wait_range(0, 10, out, sizeof(out));
  assert_string_equal(out, "dưới 1 phút");
  mk_text_wait_range(600, 60, out, sizeof(out)); /* p90 below p50: shown as one value */
  assert_string_equal(out, "khoảng 10 phút");
}

static void test_hanoi_date_turns_at_17_utc(void **state) {
  char out[16];
  mk_text_hanoi_date(1795798799, out, sizeof(out)); /* 2026-11-27T16:59:59Z = 23:59:59 in Hanoi */
  assert_string_equal(out, "2026-11-27");
  mk_text_hanoi_date(1795798800, out, sizeof(out)); /* 17:00:00Z = midnight in Hanoi */
  assert_string_equal(out, "2026-11-28");
  mk_text_hanoi_date(951782400, out, sizeof(out)); /* 2000-02-29T00:00Z */
  assert_string_equal(out, "2000-02-29");
}

static void test_hanoi_time(void **state) {
  char out[32];
  mk_text_hanoi_time(1795773685809LL, out, sizeof(out));
  assert_string_equal(out, "17:01 27/11/2026");
}

static void test_appointment_line_is_hanoi_clock(void **state) {
  char out[64];
  mk_text_hanoi_clock(1795830300000LL, out, sizeof(out)); /* 2026-11-28T01:45Z */
  assert_string_equal(out, "08:45");
  mk_text_hanoi_clock(1795798799000LL, out, sizeof(out)); /* 16:59:59Z: one second before Hanoi midnight */
  assert_string_equal(out, "23:59");
  mk_text_appointment(1795830300000LL, out, sizeof(out));
  assert_string_equal(out, "Lịch hẹn / Appointment 08:45");
}

static void test_number_is_zero_padded_to_three(void **state) {
  char out[16];
  mk_text_number("B", 7, out, sizeof(out));
  assert_string_equal(out, "B007");
  mk_text_number("B", 1000, out, sizeof(out));
  assert_string_equal(out, "B1000");
}

static void test_tracking_url(void **state) {
  char out[256];
  mk_text_tracking_url("https://x.vn/ve", "tk_1", "ABCD2345", out, sizeof(out));
  assert_string_equal(out, "https://x.vn/ve?ticket=tk_1&code=ABCD2345");
  mk_text_tracking_url("https://x.vn/t?lang=vi", "tk_1", "ABCD2345", out, sizeof(out));
  assert_string_equal(out, "https://x.vn/t?lang=vi&ticket=tk_1&code=ABCD2345");
}

static void test_km_has_one_decimal_and_a_comma(void **state) {
  char out[32];
  mk_text_km(3.53, out, sizeof(out));
  assert_string_equal(out, "3,5");
  mk_text_km(0.46, out, sizeof(out));
  assert_string_equal(out, "0,5");
  mk_text_km(4.96, out, sizeof(out));
  assert_string_equal(out, "5,0");
  mk_text_km(-1, out, sizeof(out));
  assert_string_equal(out, "0,0");
  mk_text_km(0.0 / 0.0, out, sizeof(out)); /* NaN */
  assert_string_equal(out, "0,0");
}

static void test_suggestion_line(void **state) {
  mk_suggestion s;
  memset(&s, 0, sizeof(s));
  strcpy(s.branch_id, "hn-ba-dinh");
  strcpy(s.name, "Chi nhánh Ba Đình");
  s.distance_km = 3.53;
  s.travel_minutes = 14;
  s.predicted_wait_minutes = 15;
  s.wait_here_minutes = 70;
  char out[512];
  mk_text_suggestion(&s, out, sizeof(out));
  assert_string_equal(out, "Chi nhánh Ba Đình (3,5 km, ~14 phút đi đường) dự kiến chờ 15 phút — tại đây 70 phút.");
  s.name[0] = '\0'; /* no name: the id */
  mk_text_suggestion(&s, out, sizeof(out));
  assert_string_equal(out, "Chi nhánh hn-ba-dinh (3,5 km, ~14 phút đi đường) dự kiến chờ 15 phút — tại đây 70 phút.");
}

static void test_priorities(void **state) {
  assert_int_equal(mk_priority_parse("elderly"), MK_PRIORITY_ELDERLY);
  assert_int_equal(mk_priority_parse("child-under-6"), MK_PRIORITY_CHILD_UNDER_6);
  assert_int_equal(mk_priority_parse("vip"), -1);
  assert_string_equal(mk_text_priority_name(MK_PRIORITY_PREGNANT), "pregnant");
  assert_string_equal(mk_text_priority_vi(MK_PRIORITY_ELDERLY), "Người cao tuổi");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wait_range),         cmocka_unit_test(test_hanoi_date_turns_at_17_utc),
      cmocka_unit_test(test_hanoi_time),         cmocka_unit_test(test_number_is_zero_padded_to_three),
      cmocka_unit_test(test_tracking_url),       cmocka_unit_test(test_priorities),
      cmocka_unit_test(test_appointment_line_is_hanoi_clock),
      cmocka_unit_test(test_km_has_one_decimal_and_a_comma),
      cmocka_unit_test(test_suggestion_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
