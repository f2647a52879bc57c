/* The command line: defaults per mode, required options, bad values, targets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "options.h"

static int parse(lg_options *o, char *err, size_t errlen, ...) {
  char *argv[40];
  int argc = 0;
  argv[argc++] = "motcua-loadgen";
  va_list ap;
  va_start(ap, errlen);
  for (char *a; (a = va_arg(ap, char *)) != NULL;) argv[argc++] = a;
  va_end(ap);
  argv[argc] = NULL;
  return lg_options_parse(o, argc, argv, err, errlen);
}

static void test_issue_defaults(void **state) {
  lg_options o;
  char err[300] = "";
  assert_int_equal(parse(&o, err, sizeof(err), "issue", "--branches", "a,b", "--service", "s", NULL), LG_OPT_OK);
  assert_int_equal(o.mode, LG_MODE_ISSUE);
  assert_string_equal(o.host, "127.0.0.1");
  assert_string_equal(o.port, "50051");
  assert_int_equal(o.connections, 4);
  assert_int_equal(o.streams, 8);
  assert_int_equal(o.calls, 1000);
  assert_int_equal(o.timeout_ms, 10000);
  assert_int_equal(o.n_branches, 2);
  assert_string_equal(o.branches[1], "b");
  lg_options_free(&o);
}

static void test_all_common_options(void **state) {
  lg_options o;
  char err[300] = "";
  assert_int_equal(parse(&o, err, sizeof(err), "predict", "--target", "[::1]:7000", "-c", "16", "-m", "32", "-n",
                         "60000", "--warmup", "5000", "--timeout-ms", "250", "--branch", "x", "--service", "y", NULL),
                   LG_OPT_OK);
  assert_string_equal(o.host, "::1");
  assert_string_equal(o.port, "7000");
  assert_int_equal(o.connections, 16);
  assert_int_equal(o.streams, 32);
  assert_int_equal(o.calls, 60000);
  assert_int_equal(o.warmup, 5000);
  assert_int_equal(o.timeout_ms, 250);
  lg_options_free(&o);
  assert_int_equal(parse(&o, err, sizeof(err), "predict", "-D", "2.5", "--branch", "x", "--service", "y", NULL),
                   LG_OPT_OK);
  assert_int_equal(o.calls, 0); /* --duration alone: no call count */
  assert_true(o.duration_s == 2.5);
  lg_options_free(&o);
}

static void test_watch_defaults_to_the_stream_cap(void **state) {
  lg_options o;
  char err[300] = "";
  assert_int_equal(parse(&o, err, sizeof(err), "watch", "--branch", "b", "--watchers", "1000", "--events", "5", NULL),
                   LG_OPT_OK);
  assert_int_equal(o.streams, 100);
  assert_int_equal(o.watchers, 1000);
  assert_int_equal(o.events, 5);
  lg_options_free(&o);
  assert_int_equal(parse(&o, err, sizeof(err), "watch", "--branch", "b", NULL), LG_OPT_ERR_USAGE);
  assert_non_null(strstr(err, "--duration or --events"));
  lg_options_free(&o);
}

static void test_counter_cycle_needs_counters(void **state) {
  lg_options o;
  char err[300] = "";
  assert_int_equal(parse(&o, err, sizeof(err), "counter-cycle", NULL), LG_OPT_ERR_USAGE);
  assert_non_null(strstr(err, "--counters"));
  lg_options_free(&o);
  assert_int_equal(parse(&o, err, sizeof(err), "counter-cycle", "--counters", "q1", "--open", "--until-empty", NULL),
                   LG_OPT_OK);
  assert_true(o.open && o.until_empty);
  assert_int_equal(o.calls, 0); /* draining ends by itself: no default call count */
  lg_options_free(&o);
  assert_int_equal(parse(&o, err, sizeof(err), "counter-cycle", "--counters", "q1", "--always-complete", NULL),
                   LG_OPT_OK);
  assert_true(o.always_complete);
  assert_int_equal(o.calls, 1000);
  lg_options_free(&o);
  assert_int_equal(parse(&o, err, sizeof(err), "counter-cycle", "--counters", "q1", "--until-empty",
                         "--always-complete", NULL),
                   LG_OPT_ERR_USAGE);
  assert_non_null(strstr(err, "exclude"));
  lg_options_free(&o);
}

static void test_bad_values_are_refused(void **state) {
  lg_options o;
  char err[300] = "";
  const char *bad[][8] = {
      {"predict", "--branch", "x", NULL},                                   /* no --service */
      {"issue", "--service", "s", NULL},                                    /* no --branches */
      {"issue", "--branches", "a", "--service", "s", "-c", "0", NULL},      /* connections 0 */
      {"issue", "--branches", "a", "--service", "s", "-n", "-5", NULL},     /* negative calls */
      {"issue", "--branches", "a", "--service", "s", "-D", "abc", NULL},    /* duration */
      {"issue", "--branches", "a", "--service", "s", "--target", "nope", NULL},
      {"issue", "--branches", "a", "--service", "s", "--target", "h:99999", NULL},
      {"issue", "--branches", "a", "--service", "s", "--bogus", NULL},
      {"issue", "--branches", "a", "--service", "s", "extra", NULL},
      {"issue", "--branches", "a", "--service", "s", "--timeout-ms", NULL}, /* missing value */
      {"dance", NULL},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char *argv[10] = {"motcua-loadgen"};
    int argc = 1;
    for (int j = 0; bad[i][j]; j++) argv[argc++] = (char *)bad[i][j];
    err[0] = '\0';
    assert_int_equal(lg_options_parse(&o, argc, argv, err, sizeof(err)), LG_OPT_ERR_USAGE);
    assert_true(strlen(err) > 0);
    lg_options_free(&o);
  }
}

static void test_help(void **state) {
  lg_options o;
  char err[300] = "";
  assert_int_equal(parse(&o, err, sizeof(err), "--help", NULL), LG_OPT_HELP);
  lg_options_free(&o);
  assert_int_equal(parse(&o, err, sizeof(err), "issue", "-h", NULL), LG_OPT_HELP);
  lg_options_free(&o);
  assert_non_null(strstr(lg_options_usage(), "counter-cycle"));
}

static void test_split_target(void **state) {
  char host[64], port[8];
  assert_int_equal(lg_split_target("localhost:50051", host, sizeof(host), port, sizeof(port)), 0);
  assert_string_equal(host, "localhost");
  assert_string_equal(port, "50051");
  assert_int_equal(lg_split_target("::1:80", host, sizeof(host), port, sizeof(port)), -1);
  assert_int_equal(lg_split_target(":80", host, sizeof(host), port, sizeof(port)), -1);
  assert_int_equal(lg_split_target("h:", host, sizeof(host), port, sizeof(port)), -1);
  assert_int_equal(lg_split_target("h:0", host, sizeof(host), port, sizeof(port)), -1);
  assert_int_equal(lg_split_target("h:8x", host, sizeof(host), port, sizeof(port)), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_issue_defaults),
      cmocka_unit_test(test_all_common_options),
      cmocka_unit_test(test_watch_defaults_to_the_stream_cap),
      cmocka_unit_test(test_counter_cycle_needs_counters),
      cmocka_unit_test(test_bad_values_are_refused),
      cmocka_unit_test(test_help),
      cmocka_unit_test(test_split_target),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
