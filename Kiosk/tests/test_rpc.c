/* Requests byte for byte against `protoc --encode` of the tests/golden text files (made by the Makefile), and
 * response decoding, including malformed bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "motcua/v1/directory.pb-c.h"
#include "motcua/v1/display.pb-c.h"
#include "fixed_ticket.h"
#include "motcua/v1/kiosk.pb-c.h"
#include "rpc.h"

static uint8_t *read_golden(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof(path), "%s/%s.bin", GOLDEN_DIR, name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) fail_msg("missing golden file %s (run make)", path);
  uint8_t *buf = malloc(65536);
  *len = fread(buf, 1, 65536, f);
  fclose(f);
  return buf;
}

static void check(const char *name, uint8_t *got, size_t got_len) {
  size_t want_len;
  uint8_t *want = read_golden(name, &want_len);
  assert_int_equal(got_len, want_len);
  assert_memory_equal(got, want, want_len);
  free(want);
  free(got);
}

static void test_issue_ticket_matches_protoc(void **state) {
  mk_rpc_issue in = {"hn-hoan-kiem", "civil-birth-registration", 1, "6f1c2b9e-0d4a-4c3e-9b7a-2f5d8e1a3c40", NULL};
  uint8_t *b;
  size_t n;
  assert_int_equal(mk_rpc_encode_issue(&in, &b, &n), MK_RPC_OK);
  check("issue_ticket", b, n);
}

static void test_offline_replay_matches_protoc(void **state) {
  mk_offline_ticket t;
  memset(&t, 0, sizeof(t));
  strcpy(t.lease_id, "ls_rz27738qpn294wyji9a9");
  t.sequence = 107;
  strcpy(t.ticket_id, "f168677e-5d0a-4dc8-b78c-f14bf0adb94a");
  strcpy(t.tracking_code, "BMRFL9CS");
  t.issued_at_ms = 1795773685809LL;
  mk_rpc_issue in = {"hn-hoan-kiem", "civil-marriage-registration", 0, "0b8e7d6c-5a4f-4e3d-8c2b-1a0f9e8d7c6b", &t};
  uint8_t *b;
  size_t n;
  assert_int_equal(mk_rpc_encode_issue(&in, &b, &n), MK_RPC_OK);
  check("issue_ticket_offline", b, n);
}

static void test_lease_matches_protoc(void **state) {
  uint8_t *b;
  size_t n;
  assert_int_equal(mk_rpc_encode_lease("hn-hoan-kiem", "civil-birth-registration", 50,
                                       "3d2c1b0a-9f8e-4d7c-ab5a-493827161504", &b, &n),
                   MK_RPC_OK);
  check("lease_numbers", b, n);
}

static void test_directory_and_watch_match_protoc(void **state) {
  uint8_t *b;
  size_t n;
  assert_int_equal(mk_rpc_encode_list_services("hn-hoan-kiem", &b, &n), MK_RPC_OK);
  check("list_services", b, n);
  assert_int_equal(mk_rpc_encode_list_branches(&b, &n), MK_RPC_OK);
  check("list_branches", b, n);
  assert_int_equal(mk_rpc_encode_watch("hn-hoan-kiem", 5000000000ULL, &b, &n), MK_RPC_OK);
  check("watch_branch", b, n);
}

static void test_check_in_matches_protoc(void **state) {
  uint8_t *b;
  size_t n;
  assert_int_equal(mk_rpc_encode_checkin("hn-hoan-kiem", "K7QX-M2PA", &b, &n), MK_RPC_OK);
  check("check_in", b, n);
}

static void test_null_arguments_are_invalid(void **state) {
  uint8_t *b;
  size_t n;
  mk_rpc_issue in = {NULL, "s", 0, "k", NULL};
  assert_int_equal(mk_rpc_encode_issue(&in, &b, &n), MK_RPC_ERR_INVALID);
  assert_int_equal(mk_rpc_encode_lease("b", "s", 1, NULL, &b, &n), MK_RPC_ERR_INVALID);
  assert_int_equal(mk_rpc_encode_checkin("b", NULL, &b, &n), MK_RPC_ERR_INVALID);
}

static void test_check_in_response_decodes_with_the_appointment(void **state) {
  Motcua__V1__CheckInResponse r = MOTCUA__V1__CHECK_IN_RESPONSE__INIT;
  Motcua__V1__Ticket t = MOTCUA__V1__TICKET__INIT;
  Motcua__V1__Booking bk = MOTCUA__V1__BOOKING__INIT;
  Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT, start = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  t.ticket_id = "tk_2";
  t.number = "A042";
  t.tracking_code = "NS823XD6";
  t.service_id = "civil-birth-registration";
  t.people_ahead = 2;
  at.seconds = 1795829400;
  t.issued_at = &at;
  bk.code = "K7QX-M2PA";
  start.seconds = 1795830300;
  bk.start = &start;
  r.ticket = &t;
  r.booking = &bk;
  uint8_t buf[512];
  size_t n = motcua__v1__check_in_response__pack(&r, buf);
  mk_ticket out;
  memset(&out, 0, sizeof(out));
  assert_int_equal(mk_rpc_decode_checkin(buf, n, &out), MK_RPC_OK);
  assert_string_equal(out.number, "A042");
  assert_int_equal(out.people_ahead, 2);
  assert_false(out.has_estimate);
  assert_int_equal(out.issued_at_ms, 1795829400000LL);
  assert_int_equal(out.appointment_start_ms, 1795830300000LL);
  assert_string_equal(out.booking_code, "K7QX-M2PA");
  /* Without the booking's start, or without the ticket: refused. */
  bk.start = NULL;
  n = motcua__v1__check_in_response__pack(&r, buf);
  assert_int_equal(mk_rpc_decode_checkin(buf, n, &out), MK_RPC_ERR_MALFORMED);
  bk.start = &start;
  r.ticket = NULL;
  n = motcua__v1__check_in_response__pack(&r, buf);
  assert_int_equal(mk_rpc_decode_checkin(buf, n, &out), MK_RPC_ERR_MALFORMED);
  static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x0f};
  assert_int_equal(mk_rpc_decode_checkin(junk, sizeof(junk), &out), MK_RPC_ERR_MALFORMED);
}

static void test_issue_response_decodes(void **state) {
  Motcua__V1__IssueTicketResponse r = MOTCUA__V1__ISSUE_TICKET_RESPONSE__INIT;
  Motcua__V1__Ticket t = MOTCUA__V1__TICKET__INIT;
  Motcua__V1__WaitEstimate e = MOTCUA__V1__WAIT_ESTIMATE__INIT;
  Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  t.ticket_id = "tk_1";
  t.number = "A017";
  t.tracking_code = "ABCD2345";
  t.service_name = "Đăng ký khai sinh";
  t.people_ahead = 4;
  e.p50_seconds = 720;
  e.p90_seconds = 1200;
  t.estimate = &e;
  at.seconds = 1795773685;
  at.nanos = 500000000;
  t.issued_at = &at;
  r.ticket = &t;
  r.replayed = 1;
  uint8_t buf[512];
  size_t n = motcua__v1__issue_ticket_response__pack(&r, buf);
  mk_ticket out;
  memset(&out, 0, sizeof(out));
  assert_int_equal(mk_rpc_decode_issue(buf, n, &out), MK_RPC_OK);
  assert_string_equal(out.number, "A017");
  assert_string_equal(out.service_name, "Đăng ký khai sinh");
  assert_int_equal(out.people_ahead, 4);
  assert_true(out.has_estimate);
  assert_int_equal(out.p90_seconds, 1200);
  assert_int_equal(out.issued_at_ms, 1795773685500LL);
  assert_true(out.replayed);
  assert_false(out.has_suggestion);
}

/* IssueTicketResponse.suggestion, from protoc --encode of tests/golden/issue_ticket_response_suggestion.txtpb:
 * every field lands in out->suggestion, and matches the ticket the rendering goldens draw. */
static void test_issue_response_with_suggestion_decodes(void **state) {
  size_t n;
  uint8_t *b = read_golden("issue_ticket_response_suggestion", &n);
  mk_ticket out;
  memset(&out, 0, sizeof(out));
  assert_int_equal(mk_rpc_decode_issue(b, n, &out), MK_RPC_OK);
  free(b);
  assert_string_equal(out.number, "A017");
  assert_int_equal(out.people_ahead, 31);
  assert_false(out.replayed);
  assert_true(out.has_suggestion);
  const mk_suggestion *s = &out.suggestion;
  assert_string_equal(s->branch_id, "hn-ba-dinh");
  assert_string_equal(s->name, "Chi nhánh Ba Đình");
  assert_string_equal(s->address, "25 phố Liễu Giai (trụ sở UBND quận Ba Đình trước đây)");
  assert_true(s->distance_km == 3.53);
  assert_int_equal(s->travel_minutes, 14);
  assert_int_equal(s->predicted_wait_minutes, 15);
  assert_int_equal(s->wait_here_minutes, 70);
  mk_ticket want = fixed_suggestion_ticket();
  assert_memory_equal(s, &want.suggestion, sizeof(*s));
  assert_int_equal(out.p50_seconds, want.p50_seconds);
  assert_int_equal(out.p90_seconds, want.p90_seconds);
  assert_int_equal(out.issued_at_ms, want.issued_at_ms);
}

/* The same response with the field unset (golden issue_ticket_response.txtpb): no suggestion, and a stale one in
 * the output struct is cleared. */
static void test_issue_response_without_suggestion_has_none(void **state) {
  size_t n;
  uint8_t *b = read_golden("issue_ticket_response", &n);
  mk_ticket out = fixed_suggestion_ticket();
  assert_int_equal(mk_rpc_decode_issue(b, n, &out), MK_RPC_OK);
  free(b);
  assert_string_equal(out.number, "A017");
  assert_false(out.has_suggestion);
  assert_string_equal(out.suggestion.branch_id, "");
  assert_string_equal(out.suggestion.name, "");
}

/* A suggestion naming no branch (neither id nor name) is ignored; the ticket itself still decodes. */
static void test_suggestion_without_a_branch_is_ignored(void **state) {
  Motcua__V1__IssueTicketResponse r = MOTCUA__V1__ISSUE_TICKET_RESPONSE__INIT;
  Motcua__V1__Ticket t = MOTCUA__V1__TICKET__INIT;
  Motcua__V1__BranchSuggestion sg = MOTCUA__V1__BRANCH_SUGGESTION__INIT;
  t.ticket_id = "tk_1";
  t.number = "A017";
  t.tracking_code = "ABCD2345";
  sg.travel_minutes = 5;
  r.ticket = &t;
  r.suggestion = &sg;
  uint8_t buf[256];
  size_t n = motcua__v1__issue_ticket_response__pack(&r, buf);
  mk_ticket out;
  memset(&out, 0, sizeof(out));
  assert_int_equal(mk_rpc_decode_issue(buf, n, &out), MK_RPC_OK);
  assert_false(out.has_suggestion);
  sg.branch_id = "hn-ba-dinh"; /* an id alone is enough (the ticket prints "Chi nhánh hn-ba-dinh") */
  n = motcua__v1__issue_ticket_response__pack(&r, buf);
  assert_int_equal(mk_rpc_decode_issue(buf, n, &out), MK_RPC_OK);
  assert_true(out.has_suggestion);
  assert_int_equal(out.suggestion.travel_minutes, 5);
}

static void test_malformed_responses_are_refused(void **state) {
  static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x0f};
  mk_ticket t;
  mk_lease l;
  mk_service *list;
  size_t count;
  mk_branch_view v;
  memset(&v, 0, sizeof(v));
  assert_int_equal(mk_rpc_decode_issue(junk, sizeof(junk), &t), MK_RPC_ERR_MALFORMED);
  assert_int_equal(mk_rpc_decode_lease(junk, sizeof(junk), &l), MK_RPC_ERR_MALFORMED);
  assert_int_equal(mk_rpc_decode_services(junk, sizeof(junk), &list, &count), MK_RPC_ERR_MALFORMED);
  assert_int_equal(mk_rpc_apply_watch(junk, sizeof(junk), &v), MK_RPC_ERR_MALFORMED);
  /* Well-formed protobuf without the ticket: still refused. */
  assert_int_equal(mk_rpc_decode_issue((const uint8_t *)"", 0, &t), MK_RPC_ERR_MALFORMED);
  assert_int_equal(mk_rpc_decode_lease((const uint8_t *)"", 0, &l), MK_RPC_ERR_MALFORMED);
}

static void test_lease_decodes_with_next_at_first(void **state) {
  Motcua__V1__LeaseNumbersResponse r = MOTCUA__V1__LEASE_NUMBERS_RESPONSE__INIT;
  Motcua__V1__NumberLease l = MOTCUA__V1__NUMBER_LEASE__INIT;
  Google__Protobuf__Timestamp exp = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  l.lease_id = "ls_1";
  l.service_id = "svc";
  l.local_date = "2026-11-27";
  l.prefix = "B";
  l.first_sequence = 101;
  l.last_sequence = 150;
  exp.seconds = 1795798800;
  l.expires_at = &exp;
  r.lease = &l;
  uint8_t buf[256];
  size_t n = motcua__v1__lease_numbers_response__pack(&r, buf);
  mk_lease out;
  assert_int_equal(mk_rpc_decode_lease(buf, n, &out), MK_RPC_OK);
  assert_int_equal(out.first_sequence, 101);
  assert_int_equal(out.next_sequence, 101);
  assert_int_equal(out.last_sequence, 150);
  assert_int_equal(out.expires_at_s, 1795798800);
  l.first_sequence = 200; /* first > last */
  n = motcua__v1__lease_numbers_response__pack(&r, buf);
  assert_int_equal(mk_rpc_decode_lease(buf, n, &out), MK_RPC_ERR_MALFORMED);
}

static void test_watch_snapshot_then_event(void **state) {
  Motcua__V1__ServiceQueue qa = MOTCUA__V1__SERVICE_QUEUE__INIT, qb = MOTCUA__V1__SERVICE_QUEUE__INIT;
  qa.service_id = "a";
  qa.prefix = "A";
  qa.waiting = 2;
  qb.service_id = "b";
  qb.prefix = "B";
  Motcua__V1__ServiceQueue *qs[] = {&qa, &qb};
  Motcua__V1__BranchSnapshot snap = MOTCUA__V1__BRANCH_SNAPSHOT__INIT;
  snap.sequence = 7;
  snap.n_queues = 2;
  snap.queues = qs;
  Motcua__V1__WatchBranchResponse r = MOTCUA__V1__WATCH_BRANCH_RESPONSE__INIT;
  r.payload_case = MOTCUA__V1__WATCH_BRANCH_RESPONSE__PAYLOAD_SNAPSHOT;
  r.snapshot = &snap;
  uint8_t buf[512];
  size_t n = motcua__v1__watch_branch_response__pack(&r, buf);
  mk_branch_view v;
  memset(&v, 0, sizeof(v));
  assert_int_equal(mk_rpc_apply_watch(buf, n, &v), MK_RPC_OK);
  assert_true(v.is_snapshot);
  assert_int_equal(v.queue_count, 2);
  Motcua__V1__ServiceQueue qb2 = MOTCUA__V1__SERVICE_QUEUE__INIT;
  qb2.service_id = "b";
  qb2.waiting = 1;
  Motcua__V1__ServiceQueue *qs2[] = {&qb2};
  Motcua__V1__BranchEvent ev = MOTCUA__V1__BRANCH_EVENT__INIT;
  ev.sequence = 8;
  ev.kind = MOTCUA__V1__BRANCH_EVENT_KIND__BRANCH_EVENT_KIND_ISSUED;
  ev.number = "B001";
  ev.n_queues = 1;
  ev.queues = qs2;
  r.payload_case = MOTCUA__V1__WATCH_BRANCH_RESPONSE__PAYLOAD_EVENT;
  r.event = &ev;
  n = motcua__v1__watch_branch_response__pack(&r, buf);
  assert_int_equal(mk_rpc_apply_watch(buf, n, &v), MK_RPC_OK);
  assert_false(v.is_snapshot);
  assert_string_equal(v.event, "ISSUED");
  assert_string_equal(v.number, "B001");
  assert_int_equal(v.sequence, 8);
  assert_int_equal(v.queues[0].waiting, 2);
  assert_int_equal(v.queues[1].waiting, 1);
  assert_string_equal(v.queues[1].prefix, "B");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_issue_ticket_matches_protoc),
      cmocka_unit_test(test_offline_replay_matches_protoc),
      cmocka_unit_test(test_lease_matches_protoc),
      cmocka_unit_test(test_directory_and_watch_match_protoc),
      cmocka_unit_test(test_check_in_matches_protoc),
      cmocka_unit_test(test_null_arguments_are_invalid),
      cmocka_unit_test(test_check_in_response_decodes_with_the_appointment),
      cmocka_unit_test(test_issue_response_decodes),
      cmocka_unit_test(test_issue_response_with_suggestion_decodes),
      cmocka_unit_test(test_issue_response_without_suggestion_has_none),
      cmocka_unit_test(test_suggestion_without_a_branch_is_ignored),
      cmocka_unit_test(test_malformed_responses_are_refused),
      cmocka_unit_test(test_lease_decodes_with_next_at_first),
      cmocka_unit_test(test_watch_snapshot_then_event),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
