/* Configuration: defaults < file < environment < options, and clear refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static void test_file_then_env_then_option(void **state) {
  mk_config c;
  char err[256];
  mk_config_defaults(&c);
  assert_int_equal(c.paper_mm, 80);
  write_file("/tmp/mk-config-test.conf",
             "# kiosk 3\nserver = 10.0.0.5:50051\nbranch = hn-hoan-kiem\ntoken = \"abc def\"\n\npaper=58\n"
             "tls = yes\nlease_size = 20\n");
  assert_int_equal(mk_config_load_file(&c, "/tmp/mk-config-test.conf", err, sizeof(err)), MK_OK);
  assert_string_equal(c.server, "10.0.0.5:50051");
  assert_string_equal(c.token, "abc def");
  assert_int_equal(c.paper_mm, 58);
  assert_int_equal(c.tls, 1);
  assert_int_equal(c.lease_size, 20);
  setenv("MOTCUA_KIOSK_BRANCH", "hn-ba-dinh", 1);
  setenv("MOTCUA_KIOSK_PRINTER", "/dev/usb/lp0", 1);
  assert_int_equal(mk_config_load_env(&c, err, sizeof(err)), MK_OK);
  unsetenv("MOTCUA_KIOSK_BRANCH");
  unsetenv("MOTCUA_KIOSK_PRINTER");
  assert_string_equal(c.branch, "hn-ba-dinh");
  assert_string_equal(c.printer, "/dev/usb/lp0");
  assert_int_equal(mk_config_set(&c, "branch", "hn-tay-ho", err, sizeof(err)), MK_OK);
  assert_string_equal(c.branch, "hn-tay-ho");
  unlink("/tmp/mk-config-test.conf");
}

static void test_bad_values_are_named(void **state) {
  mk_config c;
  char err[256];
  mk_config_defaults(&c);
  assert_int_equal(mk_config_set(&c, "server", "no-port", err, sizeof(err)), MK_ERR_CONFIG);
  assert_non_null(strstr(err, "HOST:PORT"));
  assert_int_equal(mk_config_set(&c, "paper", "70", err, sizeof(err)), MK_ERR_CONFIG);
  assert_int_equal(mk_config_set(&c, "lease_size", "500", err, sizeof(err)), MK_ERR_CONFIG);
  assert_int_equal(mk_config_set(&c, "colour", "red", err, sizeof(err)), MK_ERR_CONFIG);
  assert_non_null(strstr(err, "colour"));
  write_file("/tmp/mk-config-bad.conf", "server = a:1\njust words\n");
  assert_int_equal(mk_config_load_file(&c, "/tmp/mk-config-bad.conf", err, sizeof(err)), MK_ERR_CONFIG);
  assert_non_null(strstr(err, ":2:"));
  unlink("/tmp/mk-config-bad.conf");
  assert_int_equal(mk_config_load_file(&c, "/nonexistent.conf", err, sizeof(err)), MK_ERR_CONFIG);
  setenv("MOTCUA_KIOSK_RETRIES", "many", 1);
  assert_int_equal(mk_config_load_env(&c, err, sizeof(err)), MK_ERR_CONFIG);
  assert_non_null(strstr(err, "MOTCUA_KIOSK_RETRIES"));
  unsetenv("MOTCUA_KIOSK_RETRIES");
}

static void test_split_server(void **state) {
  char h[64], p[16];
  assert_int_equal(mk_config_split_server("127.0.0.1:50051", h, sizeof(h), p, sizeof(p)), 0);
  assert_string_equal(h, "127.0.0.1");
  assert_string_equal(p, "50051");
  assert_int_equal(mk_config_split_server("[::1]:443", h, sizeof(h), p, sizeof(p)), 0);
  assert_string_equal(h, "::1");
  assert_int_equal(mk_config_split_server("host:0", h, sizeof(h), p, sizeof(p)), -1);
  assert_int_equal(mk_config_split_server("host:", h, sizeof(h), p, sizeof(p)), -1);
  assert_int_equal(mk_config_split_server("::1:5", h, sizeof(h), p, sizeof(p)), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_file_then_env_then_option),
      cmocka_unit_test(test_bad_values_are_named),
      cmocka_unit_test(test_split_server),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
