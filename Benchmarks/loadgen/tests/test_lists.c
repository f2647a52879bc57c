/* Comma lists, the token file, the counters (option and file), bearer headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists.h"

static void test_split(void **state) {
  char **items;
  size_t n;
  assert_int_equal(lg_list_split("a,bb,c", &items, &n), LG_LIST_OK);
  assert_int_equal(n, 3);
  assert_string_equal(items[0], "a");
  assert_string_equal(items[1], "bb");
  assert_string_equal(items[2], "c");
  lg_list_free(items, n);
  assert_int_equal(lg_list_split("one", &items, &n), LG_LIST_OK);
  assert_int_equal(n, 1);
  lg_list_free(items, n);
  assert_int_equal(lg_list_split("a,,b", &items, &n), LG_LIST_ERR_SYNTAX);
  assert_int_equal(lg_list_split("a,", &items, &n), LG_LIST_ERR_SYNTAX);
  assert_int_equal(lg_list_split("", &items, &n), LG_LIST_ERR_SYNTAX);
}

static void test_tokens_file_with_comments(void **state) {
  lg_tokens t;
  memset(&t, 0, sizeof(t));
  char err[200] = "";
  const char *text = "# branch tokens\n\nhn-ba-dinh  mct_aaa\r\nhn-hoan-kiem\tmct_bbb\n  # indented comment\n"
                     "hn-ba-dinh mct_ccc";
  assert_int_equal(lg_tokens_parse(&t, text, err, sizeof(err)), LG_LIST_OK);
  assert_int_equal(t.n, 3);
  assert_string_equal(lg_tokens_find(&t, "hn-hoan-kiem"), "mct_bbb");
  assert_string_equal(lg_tokens_find(&t, "hn-ba-dinh"), "mct_ccc"); /* the last line wins */
  assert_null(lg_tokens_find(&t, "hn-tay-ho"));
  lg_tokens_free(&t);
}

static void test_tokens_file_errors_name_the_line(void **state) {
  lg_tokens t;
  memset(&t, 0, sizeof(t));
  char err[200] = "";
  assert_int_equal(lg_tokens_parse(&t, "a b\nonlykey\n", err, sizeof(err)), LG_LIST_ERR_SYNTAX);
  assert_non_null(strstr(err, "line 2"));
  lg_tokens_free(&t);
  assert_int_equal(lg_tokens_load(&t, "/nonexistent/tokens", err, sizeof(err)), LG_LIST_ERR_IO);
  assert_non_null(strstr(err, "/nonexistent/tokens"));
}

static void test_bearer_prefers_the_file(void **state) {
  lg_tokens t;
  memset(&t, 0, sizeof(t));
  char err[200] = "", *b;
  assert_int_equal(lg_tokens_parse(&t, "q01 tok_counter\nhn-ba-dinh tok_branch\n", err, sizeof(err)), LG_LIST_OK);
  assert_int_equal(lg_tokens_bearer(&t, "q01", "hn-ba-dinh", "tok_all", &b), LG_LIST_OK);
  assert_string_equal(b, "Bearer tok_counter");
  free(b);
  assert_int_equal(lg_tokens_bearer(&t, "q02", "hn-ba-dinh", "tok_all", &b), LG_LIST_OK);
  assert_string_equal(b, "Bearer tok_branch");
  free(b);
  assert_int_equal(lg_tokens_bearer(&t, "q02", "hn-tay-ho", "tok_all", &b), LG_LIST_OK);
  assert_string_equal(b, "Bearer tok_all");
  free(b);
  assert_int_equal(lg_tokens_bearer(&t, "q02", NULL, NULL, &b), LG_LIST_OK);
  assert_null(b);
  lg_tokens_free(&t);
}

static void test_counters_from_option_and_file(void **state) {
  lg_counters c;
  memset(&c, 0, sizeof(c));
  char err[200] = "";
  assert_int_equal(lg_counters_add_spec(&c, "q01,hn-ba-dinh/hn-ba-dinh-q02", err, sizeof(err)), LG_LIST_OK);
  assert_int_equal(lg_counters_parse(&c, "# branch counter token\nhn-tay-ho hn-tay-ho-q01 tok\nb2 c2\n", err,
                                     sizeof(err)),
                   LG_LIST_OK);
  assert_int_equal(c.n, 4);
  assert_string_equal(c.items[0].branch, "");
  assert_string_equal(c.items[0].counter, "q01");
  assert_null(c.items[0].token);
  assert_string_equal(c.items[1].branch, "hn-ba-dinh");
  assert_string_equal(c.items[1].counter, "hn-ba-dinh-q02");
  assert_string_equal(c.items[2].token, "tok");
  assert_null(c.items[3].token);
  assert_int_equal(lg_counters_add_spec(&c, "a/b/c", err, sizeof(err)), LG_LIST_ERR_SYNTAX);
  assert_int_equal(lg_counters_add_spec(&c, "/c", err, sizeof(err)), LG_LIST_ERR_SYNTAX);
  assert_int_equal(lg_counters_parse(&c, "onlybranch\n", err, sizeof(err)), LG_LIST_ERR_SYNTAX);
  assert_int_equal(lg_counters_parse(&c, "a b c d e\n", err, sizeof(err)), LG_LIST_ERR_SYNTAX);
  assert_int_equal(c.n, 4);
  lg_counters_free(&c);
}

static void test_counters_file_loads(void **state) {
  char path[] = "/tmp/test_lists_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fputs("hn-ba-dinh hn-ba-dinh-q01\nhn-ba-dinh hn-ba-dinh-q02\n", f);
  fclose(f);
  lg_counters c;
  memset(&c, 0, sizeof(c));
  char err[200] = "";
  assert_int_equal(lg_counters_load(&c, path, err, sizeof(err)), LG_LIST_OK);
  assert_int_equal(c.n, 2);
  assert_string_equal(c.items[1].counter, "hn-ba-dinh-q02");
  lg_counters_free(&c);
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_split),
      cmocka_unit_test(test_tokens_file_with_comments),
      cmocka_unit_test(test_tokens_file_errors_name_the_line),
      cmocka_unit_test(test_bearer_prefers_the_file),
      cmocka_unit_test(test_counters_from_option_and_file),
      cmocka_unit_test(test_counters_file_loads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
