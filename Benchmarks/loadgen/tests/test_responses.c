/* Response fields read from bytes packed by protobuf-c (the generated code is the reference encoder), the
 * reference server's fixed payload, and malformed answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "motcua/v1/counter.pb-c.h"
#include "motcua/v1/display.pb-c.h"
#include "motcua/v1/kiosk.pb-c.h"
#include "responses.h"

static size_t pack(const ProtobufCMessage *m, uint8_t *buf, size_t cap) {
  size_t n = protobuf_c_message_get_packed_size(m);
  assert_true(n <= cap);
  return protobuf_c_message_pack(m, buf);
}

static void assert_bytes(lg_bytes b, const char *s) {
  char out[128];
  assert_string_equal(lg_bytes_copy(b, out, sizeof(out)), s);
}

static void test_issue_answer_gives_ticket_and_replayed(void **state) {
  Motcua__V1__Ticket t = MOTCUA__V1__TICKET__INIT;
  Motcua__V1__WaitEstimate e = MOTCUA__V1__WAIT_ESTIMATE__INIT;
  Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  t.ticket_id = "tk_abc";
  t.number = "A017";
  t.branch_id = "hn-hoan-kiem";
  t.service_id = "civil-birth-registration";
  t.tracking_code = "K7QXM2PA";
  t.people_ahead = 3;
  e.p50_seconds = 600;
  t.estimate = &e;
  at.seconds = 1700000000;
  t.issued_at = &at;
  t.service_name = "Đăng ký khai sinh";
  Motcua__V1__IssueTicketResponse resp = MOTCUA__V1__ISSUE_TICKET_RESPONSE__INIT;
  resp.ticket = &t;
  resp.replayed = 1;
  uint8_t buf[512];
  size_t n = pack(&resp.base, buf, sizeof(buf));
  lg_ticket_view v;
  int replayed = -1;
  assert_int_equal(lg_resp_ticket(buf, n, &v, &replayed), 1);
  assert_int_equal(replayed, 1);
  assert_bytes(v.ticket_id, "tk_abc");
  assert_bytes(v.number, "A017");
  assert_bytes(v.branch_id, "hn-hoan-kiem");
  assert_bytes(v.service_id, "civil-birth-registration");
  assert_bytes(v.tracking_code, "K7QXM2PA");
}

static void test_call_next_without_ticket_is_absent(void **state) {
  Motcua__V1__CallNextResponse resp = MOTCUA__V1__CALL_NEXT_RESPONSE__INIT;
  uint8_t buf[16];
  size_t n = pack(&resp.base, buf, sizeof(buf));
  assert_int_equal(n, 0);
  lg_ticket_view v;
  assert_int_equal(lg_resp_ticket(buf, n, &v, NULL), 0);
}

static void test_reference_payload_is_no_ticket(void **state) {
  uint8_t buf[64];
  memset(buf, 'x', sizeof(buf)); /* field 15, varint 120, 32 times */
  lg_ticket_view v;
  assert_int_equal(lg_resp_ticket(buf, sizeof(buf), &v, NULL), 0);
}

static void test_truncated_answer_is_malformed(void **state) {
  Motcua__V1__Ticket t = MOTCUA__V1__TICKET__INIT;
  t.ticket_id = "tk_abc";
  Motcua__V1__CallNextResponse resp = MOTCUA__V1__CALL_NEXT_RESPONSE__INIT;
  resp.ticket = &t;
  uint8_t buf[64];
  size_t n = pack(&resp.base, buf, sizeof(buf));
  lg_ticket_view v;
  assert_int_equal(lg_resp_ticket(buf, n, &v, NULL), 1);
  assert_int_equal(lg_resp_ticket(buf, n - 1, &v, NULL), LG_RESP_ERR_MALFORMED);
}

static void test_watch_event_sequence_kind_and_time(void **state) {
  Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  at.seconds = 1764268800;
  at.nanos = 123456789;
  Motcua__V1__ServiceQueue q = MOTCUA__V1__SERVICE_QUEUE__INIT;
  Motcua__V1__ServiceQueue *qs[] = {&q};
  q.service_id = "civil-birth-registration";
  q.waiting = 4;
  Motcua__V1__BranchEvent e = MOTCUA__V1__BRANCH_EVENT__INIT;
  e.sequence = 4242;
  e.branch_id = "hn-hoan-kiem";
  e.kind = MOTCUA__V1__BRANCH_EVENT_KIND__BRANCH_EVENT_KIND_CALLED;
  e.at = &at;
  e.number = "A001";
  e.n_queues = 1;
  e.queues = qs;
  Motcua__V1__WatchBranchResponse resp = MOTCUA__V1__WATCH_BRANCH_RESPONSE__INIT;
  resp.payload_case = MOTCUA__V1__WATCH_BRANCH_RESPONSE__PAYLOAD_EVENT;
  resp.event = &e;
  uint8_t buf[256];
  size_t n = pack(&resp.base, buf, sizeof(buf));
  lg_watch_view w;
  assert_int_equal(lg_resp_watch(buf, n, &w), 0);
  assert_int_equal(w.payload, LG_WATCH_EVENT);
  assert_int_equal(w.sequence, 4242);
  assert_int_equal(w.event_kind, 2);
  assert_int_equal(w.has_at, 1);
  assert_int_equal(w.at_us, 1764268800123456LL);
}

static void test_watch_snapshot_sequence(void **state) {
  Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  at.seconds = 10;
  Motcua__V1__BranchSnapshot s = MOTCUA__V1__BRANCH_SNAPSHOT__INIT;
  s.branch_id = "hn-hoan-kiem";
  s.sequence = 77;
  s.local_date = "2026-11-27";
  s.at = &at;
  Motcua__V1__WatchBranchResponse resp = MOTCUA__V1__WATCH_BRANCH_RESPONSE__INIT;
  resp.payload_case = MOTCUA__V1__WATCH_BRANCH_RESPONSE__PAYLOAD_SNAPSHOT;
  resp.snapshot = &s;
  uint8_t buf[128];
  size_t n = pack(&resp.base, buf, sizeof(buf));
  lg_watch_view w;
  assert_int_equal(lg_resp_watch(buf, n, &w), 0);
  assert_int_equal(w.payload, LG_WATCH_SNAPSHOT);
  assert_int_equal(w.sequence, 77);
  assert_int_equal(w.at_us, 10000000);
  assert_int_equal(lg_resp_watch(buf, 0, &w), 0);
  assert_int_equal(w.payload, LG_WATCH_OTHER);
  assert_int_equal(lg_resp_watch(buf, n - 2, &w), LG_RESP_ERR_MALFORMED);
}

static void test_bytes_copy_truncates(void **state) {
  lg_bytes b = {(const uint8_t *)"abcdef", 6};
  char out[4];
  assert_string_equal(lg_bytes_copy(b, out, sizeof(out)), "abc");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_issue_answer_gives_ticket_and_replayed),
      cmocka_unit_test(test_call_next_without_ticket_is_absent),
      cmocka_unit_test(test_reference_payload_is_no_ticket),
      cmocka_unit_test(test_truncated_answer_is_malformed),
      cmocka_unit_test(test_watch_event_sequence_kind_and_time),
      cmocka_unit_test(test_watch_snapshot_sequence),
      cmocka_unit_test(test_bytes_copy_truncates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
