/* Counting by status, nearest-rank percentiles, merging, and the warm-up window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats.h"

static void test_percentiles_are_nearest_rank(void **state) {
  lg_stats s;
  lg_stats_init(&s);
  for (int i = 100; i >= 1; i--) assert_int_equal(lg_stats_add(&s, 0, i), LG_STATS_OK);
  assert_int_equal(lg_stats_percentile_us(&s, 50), 50);
  assert_int_equal(lg_stats_percentile_us(&s, 99), 99);
  assert_int_equal(lg_stats_percentile_us(&s, 99.5), 100);
  assert_int_equal(lg_stats_percentile_us(&s, 100), 100);
  assert_int_equal(lg_stats_percentile_us(&s, 0.1), 1);
  assert_int_equal(lg_stats_max_us(&s), 100);
  assert_true(lg_stats_mean_us(&s) > 50.49 && lg_stats_mean_us(&s) < 50.51);
  lg_stats_free(&s);
}

static void test_empty_stats_report_zero(void **state) {
  lg_stats s;
  lg_stats_init(&s);
  assert_int_equal(lg_stats_percentile_us(&s, 50), 0);
  assert_int_equal(lg_stats_max_us(&s), 0);
  assert_int_equal(lg_stats_calls(&s), 0);
}

static void test_codes_transport_and_deadlines(void **state) {
  lg_stats s;
  lg_stats_init(&s);
  lg_stats_add(&s, 0, 10);
  lg_stats_add(&s, 14, 20);
  lg_stats_add(&s, 4, -1); /* a local deadline: counted, no latency */
  lg_stats_add(&s, 99, 5); /* out of range: UNKNOWN */
  lg_stats_add_transport(&s);
  assert_int_equal(s.by_code[0], 1);
  assert_int_equal(s.by_code[14], 1);
  assert_int_equal(s.by_code[4], 1);
  assert_int_equal(s.by_code[2], 1);
  assert_int_equal(s.transport, 1);
  assert_int_equal(lg_stats_calls(&s), 5);
  assert_int_equal(s.n, 3);
  lg_stats_free(&s);
}

static void test_merge_adds_everything(void **state) {
  lg_stats a, b;
  lg_stats_init(&a);
  lg_stats_init(&b);
  lg_stats_add(&a, 0, 300);
  lg_stats_add(&b, 0, 100);
  lg_stats_add(&b, 5, 200);
  lg_stats_add_transport(&b);
  assert_int_equal(lg_stats_percentile_us(&a, 50), 300);
  assert_int_equal(lg_stats_merge(&a, &b), LG_STATS_OK);
  assert_int_equal(lg_stats_calls(&a), 4);
  assert_int_equal(lg_stats_percentile_us(&a, 50), 200); /* sorted again after the merge */
  assert_int_equal(lg_stats_max_us(&a), 300);
  lg_stats_free(&a);
  lg_stats_free(&b);
}

static void test_window_skips_warmup_and_times_the_rest(void **state) {
  lg_window w;
  lg_window_init(&w, 2, 1000);
  assert_true(lg_window_warming(&w));
  assert_int_equal(lg_window_take(&w, 2000), 0);
  assert_int_equal(lg_window_take(&w, 3000), 0); /* the last warm-up call: measuring starts here */
  assert_false(lg_window_warming(&w));
  assert_true(lg_window_seconds(&w) == 0);
  assert_int_equal(lg_window_take(&w, 4000), 1);
  assert_int_equal(lg_window_take(&w, 503000), 1);
  assert_int_equal(w.measured, 2);
  assert_true(lg_window_seconds(&w) > 0.49999 && lg_window_seconds(&w) < 0.50001);
}

static void test_window_without_warmup_starts_at_init(void **state) {
  lg_window w;
  lg_window_init(&w, 0, 1000000);
  assert_int_equal(lg_window_take(&w, 3000000), 1);
  assert_true(lg_window_seconds(&w) > 1.99999 && lg_window_seconds(&w) < 2.00001);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_percentiles_are_nearest_rank),
      cmocka_unit_test(test_empty_stats_report_zero),
      cmocka_unit_test(test_codes_transport_and_deadlines),
      cmocka_unit_test(test_merge_adds_everything),
      cmocka_unit_test(test_window_skips_warmup_and_times_the_rest),
      cmocka_unit_test(test_window_without_warmup_starts_at_init),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
