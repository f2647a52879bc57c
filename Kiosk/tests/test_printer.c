/* The printer: files are written whole; a missing device or a failing one is named, never created. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "printer.h"

static void test_file_is_written_whole(void **state) {
  char err[256];
  static const uint8_t data[] = {0x1b, 0x40, 1, 2, 3};
  assert_int_equal(mk_printer_write("/tmp/mk-printer-test.bin", data, 5, err, sizeof(err)), MK_PRINTER_OK);
  struct stat st;
  assert_int_equal(stat("/tmp/mk-printer-test.bin", &st), 0);
  assert_int_equal(st.st_size, 5);
  unlink("/tmp/mk-printer-test.bin");
}

static void test_missing_device_is_not_created(void **state) {
  char err[256];
  assert_int_equal(mk_printer_write("/dev/usb/mk-no-such-lp", (const uint8_t *)"x", 1, err, sizeof(err)),
                   MK_PRINTER_ERR_MISSING);
  assert_non_null(strstr(err, "/dev/usb/mk-no-such-lp"));
  assert_int_equal(access("/dev/usb/mk-no-such-lp", F_OK), -1);
  assert_int_equal(mk_printer_write("/nonexistent-dir/lp", (const uint8_t *)"x", 1, err, sizeof(err)),
                   MK_PRINTER_ERR_MISSING);
}

static void test_failing_device_is_an_error(void **state) {
  char err[256];
  assert_int_equal(mk_printer_write("/dev/full", (const uint8_t *)"x", 1, err, sizeof(err)), MK_PRINTER_ERR_IO);
  assert_non_null(strstr(err, "/dev/full"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_file_is_written_whole),
      cmocka_unit_test(test_missing_device_is_not_created),
      cmocka_unit_test(test_failing_device_is_an_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
