/* Each request decodes (protobuf-c) to the fields given; a buffer too small is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "motcua/v1/counter.pb-c.h"
#include "motcua/v1/display.pb-c.h"
#include "motcua/v1/kiosk.pb-c.h"
#include "requests.h"

static uint8_t buf[LG_REQ_MAX];
static size_t len;

static void test_predict(void **state) {
  assert_int_equal(lg_req_predict("hn-hoan-kiem", "civil-birth-registration", buf, sizeof(buf), &len), LG_REQ_OK);
  Motcua__V1__PredictWaitRequest *r = motcua__v1__predict_wait_request__unpack(NULL, len, buf);
  assert_non_null(r);
  assert_string_equal(r->branch_id, "hn-hoan-kiem");
  assert_string_equal(r->service_id, "civil-birth-registration");
  motcua__v1__predict_wait_request__free_unpacked(r, NULL);
}

static void test_issue_carries_the_key(void **state) {
  assert_int_equal(lg_req_issue("hn-ba-dinh", "cert-signature", "lg-1-42", buf, sizeof(buf), &len), LG_REQ_OK);
  Motcua__V1__IssueTicketRequest *r = motcua__v1__issue_ticket_request__unpack(NULL, len, buf);
  assert_non_null(r);
  assert_string_equal(r->branch_id, "hn-ba-dinh");
  assert_string_equal(r->service_id, "cert-signature");
  assert_string_equal(r->idempotency_key, "lg-1-42");
  assert_null(r->offline);
  motcua__v1__issue_ticket_request__free_unpacked(r, NULL);
}

static void test_open_counter_with_and_without_service(void **state) {
  assert_int_equal(lg_req_open_counter("hn-ba-dinh-q01", "civil-birth-registration", buf, sizeof(buf), &len),
                   LG_REQ_OK);
  Motcua__V1__OpenCounterRequest *r = motcua__v1__open_counter_request__unpack(NULL, len, buf);
  assert_non_null(r);
  assert_string_equal(r->counter_id, "hn-ba-dinh-q01");
  assert_int_equal(r->n_service_ids, 1);
  assert_string_equal(r->service_ids[0], "civil-birth-registration");
  motcua__v1__open_counter_request__free_unpacked(r, NULL);
  assert_int_equal(lg_req_open_counter("hn-ba-dinh-q01", NULL, buf, sizeof(buf), &len), LG_REQ_OK);
  r = motcua__v1__open_counter_request__unpack(NULL, len, buf);
  assert_non_null(r);
  assert_int_equal(r->n_service_ids, 0);
  motcua__v1__open_counter_request__free_unpacked(r, NULL);
}

static void test_call_next_and_complete(void **state) {
  assert_int_equal(lg_req_call_next("hn-ba-dinh-q02", buf, sizeof(buf), &len), LG_REQ_OK);
  Motcua__V1__CallNextRequest *n = motcua__v1__call_next_request__unpack(NULL, len, buf);
  assert_non_null(n);
  assert_string_equal(n->counter_id, "hn-ba-dinh-q02");
  assert_string_equal(n->idempotency_key, "");
  motcua__v1__call_next_request__free_unpacked(n, NULL);
  assert_int_equal(lg_req_complete("tk_1", "hn-ba-dinh-q02", buf, sizeof(buf), &len), LG_REQ_OK);
  Motcua__V1__CompleteRequest *c = motcua__v1__complete_request__unpack(NULL, len, buf);
  assert_non_null(c);
  assert_string_equal(c->ticket_id, "tk_1");
  assert_string_equal(c->counter_id, "hn-ba-dinh-q02");
  motcua__v1__complete_request__free_unpacked(c, NULL);
}

static void test_watch(void **state) {
  assert_int_equal(lg_req_watch("hn-hoan-kiem", 0, buf, sizeof(buf), &len), LG_REQ_OK);
  Motcua__V1__WatchBranchRequest *r = motcua__v1__watch_branch_request__unpack(NULL, len, buf);
  assert_non_null(r);
  assert_string_equal(r->branch_id, "hn-hoan-kiem");
  assert_int_equal(r->after_sequence, 0);
  motcua__v1__watch_branch_request__free_unpacked(r, NULL);
}

static void test_too_small_and_missing_arguments(void **state) {
  assert_int_equal(lg_req_issue("hn-ba-dinh", "cert-signature", "k", buf, 10, &len), LG_REQ_ERR_TOO_LARGE);
  assert_int_equal(lg_req_issue("hn-ba-dinh", NULL, "k", buf, sizeof(buf), &len), LG_REQ_ERR_INVALID);
  assert_int_equal(lg_req_complete(NULL, "c", buf, sizeof(buf), &len), LG_REQ_ERR_INVALID);
  assert_int_equal(lg_req_watch(NULL, 0, buf, sizeof(buf), &len), LG_REQ_ERR_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_predict),
      cmocka_unit_test(test_issue_carries_the_key),
      cmocka_unit_test(test_open_counter_with_and_without_service),
      cmocka_unit_test(test_call_next_and_complete),
      cmocka_unit_test(test_watch),
      cmocka_unit_test(test_too_small_and_missing_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
