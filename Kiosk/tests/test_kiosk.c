/* The library against an unreachable server (a closed loopback port): offline issue from a lease,
 * "please see staff", printer failures, reprint, status; and the status → error mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grpc_status.h"
#include "journal.h"
#include "kiosk.h"
#include "ticket_text.h"

typedef struct fixture {
  char dir[64];
  mk_config cfg;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  snprintf(f->dir, sizeof(f->dir), "/tmp/mk-kiosk-XXXXXX");
  if (mkdtemp(f->dir) == NULL) return -1;
  mk_config_defaults(&f->cfg);
  snprintf(f->cfg.server, sizeof(f->cfg.server), "127.0.0.1:1"); /* nothing listens on port 1 */
  snprintf(f->cfg.branch, sizeof(f->cfg.branch), "hn-hoan-kiem");
  snprintf(f->cfg.token, sizeof(f->cfg.token), "mct_test");
  snprintf(f->cfg.journal, sizeof(f->cfg.journal), "%s/journal.db", f->dir);
  snprintf(f->cfg.printer, sizeof(f->cfg.printer), "%s/printer.bin", f->dir);
  f->cfg.retries = 1;
  f->cfg.retry_delay_ms = 1;
  f->cfg.connect_timeout_ms = 500;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
  if (system(cmd) != 0) return -1;
  free(f);
  return 0;
}

static void add_lease(fixture *f, const char *service, uint32_t first, uint32_t last) {
  mk_journal *j;
  char err[256];
  assert_int_equal(mk_journal_open(f->cfg.journal, &j, err, sizeof(err)), MK_JOURNAL_OK);
  mk_lease l;
  memset(&l, 0, sizeof(l));
  snprintf(l.lease_id, sizeof(l.lease_id), "ls_%s_%u", service, first);
  snprintf(l.service_id, sizeof(l.service_id), "%s", service);
  mk_text_hanoi_date(time(NULL), l.local_date, sizeof(l.local_date));
  snprintf(l.prefix, sizeof(l.prefix), "B");
  l.first_sequence = l.next_sequence = first;
  l.last_sequence = last;
  l.expires_at_s = time(NULL) + 3600;
  l.obtained_at_s = time(NULL);
  assert_int_equal(mk_journal_lease_add(j, &l), MK_JOURNAL_OK);
  mk_journal_service_put(j, service, "Đăng ký kết hôn", "B");
  mk_journal_close(j);
}

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && st.st_size > 0;
}

static void test_offline_issue_uses_the_lease_and_prints(void **state) {
  fixture *f = *state;
  add_lease(f, "marriage", 41, 42);
  mk_kiosk *k;
  char err[256];
  assert_int_equal(mk_kiosk_init(&k, &f->cfg, err, sizeof(err)), MK_OK);
  mk_ticket t;
  assert_int_equal(mk_kiosk_issue(k, "marriage", MK_PRIORITY_NONE, &t), MK_OK);
  assert_string_equal(t.number, "B041");
  assert_true(t.offline);
  assert_false(t.has_estimate);
  assert_false(t.has_suggestion); /* an offline ticket never suggests another branch */
  assert_string_equal(t.service_name, "Đăng ký kết hôn");
  assert_int_equal(strlen(t.ticket_id), 36);
  assert_int_equal(strlen(t.tracking_code), 8);
  assert_true(file_exists(f->cfg.printer));
  assert_int_equal(mk_kiosk_issue(k, "marriage", MK_PRIORITY_ELDERLY, &t), MK_OK);
  assert_string_equal(t.number, "B042");
  /* Exhausted: please see staff, and nothing printed. */
  unlink(f->cfg.printer);
  assert_int_equal(mk_kiosk_issue(k, "marriage", MK_PRIORITY_NONE, &t), MK_ERR_SEE_STAFF);
  assert_non_null(strstr(mk_kiosk_error(k), "please see staff"));
  assert_non_null(strstr(mk_kiosk_error(k), "exhausted"));
  assert_false(file_exists(f->cfg.printer));
  mk_status s;
  assert_int_equal(mk_kiosk_status(k, &s), MK_OK);
  assert_false(s.online);
  assert_non_null(strstr(s.connection, "offline"));
  assert_int_equal(s.unsynced, 2);
  assert_int_equal(s.lease_count, 1);
  assert_int_equal(s.leases[0].left, 0);
  assert_false(s.leases[0].usable);
  assert_string_equal(s.last_ticket, "B042");
  /* sync cannot reach the server: an error, the journal untouched. */
  mk_sync_result r;
  assert_int_equal(mk_kiosk_sync(k, &r), MK_ERR_UNAVAILABLE);
  assert_int_equal(mk_kiosk_status(k, &s), MK_OK);
  assert_int_equal(s.unsynced, 2);
  mk_kiosk_free(k);
}

static void test_no_lease_means_see_staff(void **state) {
  fixture *f = *state;
  mk_kiosk *k;
  char err[256];
  assert_int_equal(mk_kiosk_init(&k, &f->cfg, err, sizeof(err)), MK_OK);
  mk_ticket t;
  assert_int_equal(mk_kiosk_issue(k, "civil-birth-registration", 0, &t), MK_ERR_SEE_STAFF);
  assert_non_null(strstr(mk_kiosk_error(k), "cannot connect to 127.0.0.1:1"));
  assert_false(file_exists(f->cfg.printer));
  assert_int_equal(mk_kiosk_reprint(k, &t), MK_ERR_NOTHING);
  mk_kiosk_free(k);
}

static void test_printer_failure_keeps_the_ticket_for_reprint(void **state) {
  fixture *f = *state;
  add_lease(f, "marriage", 7, 9);
  snprintf(f->cfg.printer, sizeof(f->cfg.printer), "/dev/full");
  mk_kiosk *k;
  char err[256];
  assert_int_equal(mk_kiosk_init(&k, &f->cfg, err, sizeof(err)), MK_OK);
  mk_ticket t;
  assert_int_equal(mk_kiosk_issue(k, "marriage", 0, &t), MK_ERR_PRINTER);
  assert_string_equal(t.number, "B007"); /* journalled before printing */
  assert_non_null(strstr(mk_kiosk_error(k), "/dev/full"));
  mk_kiosk_free(k);
  snprintf(f->cfg.printer, sizeof(f->cfg.printer), "%s/printer.bin", f->dir);
  snprintf(f->cfg.preview, sizeof(f->cfg.preview), "%s/re.png", f->dir);
  assert_int_equal(mk_kiosk_init(&k, &f->cfg, err, sizeof(err)), MK_OK);
  assert_int_equal(mk_kiosk_reprint(k, &t), MK_OK);
  assert_string_equal(t.number, "B007");
  assert_true(t.reprint);
  assert_true(t.offline);
  assert_false(t.has_suggestion);
  assert_true(file_exists(f->cfg.printer));
  assert_true(file_exists(f->cfg.preview));
  mk_kiosk_free(k);
}

static void test_missing_configuration_is_named(void **state) {
  fixture *f = *state;
  f->cfg.token[0] = '\0';
  mk_kiosk *k;
  char err[256];
  assert_int_equal(mk_kiosk_init(&k, &f->cfg, err, sizeof(err)), MK_OK);
  mk_ticket t;
  assert_int_equal(mk_kiosk_issue(k, "x", 0, &t), MK_ERR_CONFIG);
  assert_non_null(strstr(mk_kiosk_error(k), "token"));
  mk_kiosk_free(k);
  snprintf(f->cfg.journal, sizeof(f->cfg.journal), "/nonexistent-dir/j.db");
  assert_int_equal(mk_kiosk_init(&k, &f->cfg, err, sizeof(err)), MK_ERR_JOURNAL);
  assert_null(k);
}

static void test_status_mapping(void **state) {
  struct {
    int code;
    const char *msg;
    int want;
  } cases[] = {
      {MK_GRPC_OK, "", MK_OK},
      {MK_GRPC_UNAVAILABLE, "down", MK_ERR_UNAVAILABLE},
      {MK_GRPC_DEADLINE_EXCEEDED, "late", MK_ERR_TIMEOUT},
      {MK_GRPC_UNAUTHENTICATED, "bad token", MK_ERR_AUTH},
      {MK_GRPC_PERMISSION_DENIED, "other branch", MK_ERR_AUTH},
      {MK_GRPC_NOT_FOUND, "unknown service x", MK_ERR_NOT_FOUND},
      {MK_GRPC_INVALID_ARGUMENT, "bad", MK_ERR_REJECTED},
      {MK_GRPC_FAILED_PRECONDITION, "closed", MK_ERR_REJECTED},
      {MK_GRPC_UNIMPLEMENTED, "no", MK_ERR_REJECTED},
      {MK_GRPC_INTERNAL, "malformed response: truncated", MK_ERR_PROTOCOL},
      {MK_GRPC_INTERNAL, "server bug", MK_ERR_REJECTED},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mk_h2_status st = {cases[i].code, "", 200};
    snprintf(st.message, sizeof(st.message), "%s", cases[i].msg);
    char msg[600];
    assert_int_equal(mk_kiosk_map_status(&st, "IssueTicket", msg, sizeof(msg)), cases[i].want);
    assert_null(strchr(msg, '\n'));
    if (cases[i].code != MK_GRPC_OK) assert_non_null(strstr(msg, cases[i].msg));
  }
  assert_string_equal(mk_strerror(MK_ERR_SEE_STAFF), "please see staff");
}

static void test_checkin_is_never_offline(void **state) {
  fixture *f = *state;
  add_lease(f, "civil-birth-registration", 1, 9); /* a lease is no help: check-in is online only */
  mk_kiosk *k;
  char err[256];
  assert_int_equal(mk_kiosk_init(&k, &f->cfg, err, sizeof(err)), MK_OK);
  mk_ticket t;
  assert_int_equal(mk_kiosk_checkin(k, "K7QX-M2PA", &t), MK_ERR_SEE_STAFF);
  assert_non_null(strstr(mk_kiosk_error(k), "cannot check in offline: please see staff"));
  assert_null(strchr(mk_kiosk_error(k), '\n'));
  assert_string_equal(t.number, "");
  assert_false(file_exists(f->cfg.printer));
  assert_int_equal(mk_kiosk_checkin(k, "", &t), MK_ERR_CONFIG);
  assert_non_null(strstr(mk_kiosk_error(k), "--code"));
  mk_kiosk_free(k);
}

static void test_checkin_refusals_are_explained(void **state) {
  struct {
    int code;
    const char *server;
    const char *branch_name;
    int want;
    const char *words;
  } cases[] = {
      {MK_GRPC_FAILED_PRECONDITION, "too early: check-in for booking K7QXM2PA opens at 08:30", NULL, MK_ERR_REJECTED,
       "too early to check in: check-in for booking K7QXM2PA opens at 08:30"},
      {MK_GRPC_FAILED_PRECONDITION,
       "too late: check-in for booking K7QXM2PA closed at 08:55; please take a walk-in ticket", NULL, MK_ERR_REJECTED,
       "too late to check in: check-in for booking K7QXM2PA closed at 08:55; please take a walk-in ticket"},
      {MK_GRPC_FAILED_PRECONDITION, "too late: closed at 08:55", NULL, MK_ERR_REJECTED, "take a walk-in ticket"},
      {MK_GRPC_FAILED_PRECONDITION, "booking K7QXM2PA is at branch 'hn-hoan-kiem', not here; please go there",
       "Chi nhánh Hoàn Kiếm", MK_ERR_REJECTED,
       "wrong branch: booking K7QX-M2PA is at Chi nhánh Hoàn Kiếm (hn-hoan-kiem), not here; please go there"},
      {MK_GRPC_FAILED_PRECONDITION, "booking K7QXM2PA is at branch 'hn-hoan-kiem', not here; please go there", "",
       MK_ERR_REJECTED, "booking K7QX-M2PA is at branch hn-hoan-kiem"},
      {MK_GRPC_FAILED_PRECONDITION, "booking K7QXM2PA is CANCELLED; take a walk-in ticket", NULL, MK_ERR_REJECTED,
       "cannot check in: booking K7QXM2PA is CANCELLED; take a walk-in ticket"},
      {MK_GRPC_NOT_FOUND, "no booking with code K7QXM2PA", NULL, MK_ERR_NOT_FOUND,
       "no booking with code K7QX-M2PA (NOT_FOUND)"},
      {MK_GRPC_UNAVAILABLE, "connection refused", NULL, MK_ERR_SEE_STAFF,
       "cannot check in offline: please see staff (server unreachable: connection refused)"},
      {MK_GRPC_DEADLINE_EXCEEDED, "no answer", NULL, MK_ERR_SEE_STAFF, "cannot check in offline: please see staff"},
      {MK_GRPC_PERMISSION_DENIED, "CheckIn needs a kiosk token of branch 'x'", NULL, MK_ERR_AUTH, "token refused"},
      {MK_GRPC_INVALID_ARGUMENT, "a booking code has 8 letters and digits", NULL, MK_ERR_REJECTED, "8 letters"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mk_h2_status st = {cases[i].code, "", 200};
    snprintf(st.message, sizeof(st.message), "%s", cases[i].server);
    char msg[600];
    int rc = mk_kiosk_map_status(&st, "CheckIn", msg, sizeof(msg));
    assert_int_equal(mk_kiosk_checkin_explain(rc, &st, "K7QX-M2PA", cases[i].branch_name, msg, sizeof(msg)),
                     cases[i].want);
    if (strstr(msg, cases[i].words) == NULL) fail_msg("case %zu: \"%s\" not in \"%s\"", i, cases[i].words, msg);
    assert_null(strchr(msg, '\n'));
  }
  char branch[16];
  assert_int_equal(mk_kiosk_checkin_other_branch("at branch 'a-very-long-branch-id', x", branch, sizeof(branch)), 0);
  assert_int_equal(mk_kiosk_checkin_other_branch("at branch '", branch, sizeof(branch)), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_offline_issue_uses_the_lease_and_prints, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_lease_means_see_staff, setup, teardown),
      cmocka_unit_test_setup_teardown(test_printer_failure_keeps_the_ticket_for_reprint, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_configuration_is_named, setup, teardown),
      cmocka_unit_test(test_status_mapping),
      cmocka_unit_test_setup_teardown(test_checkin_is_never_offline, setup, teardown),
      cmocka_unit_test(test_checkin_refusals_are_explained),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
