/* The offline journal: replay order, lease use, refusals, durability across reopening. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "journal.h"

#define NOW_S 1795773685LL /* 2026-11-27 17:01 in Hanoi */
#define TODAY "2026-11-27"

typedef struct fixture {
  char path[64];
  mk_journal *j;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  snprintf(f->path, sizeof(f->path), "/tmp/mk-journal-XXXXXX");
  int fd = mkstemp(f->path);
  close(fd);
  unlink(f->path);
  char err[256];
  if (mk_journal_open(f->path, &f->j, err, sizeof(err)) != MK_JOURNAL_OK) return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  mk_journal_close(f->j);
  char p[96];
  unlink(f->path);
  snprintf(p, sizeof(p), "%s-wal", f->path);
  unlink(p);
  snprintf(p, sizeof(p), "%s-shm", f->path);
  unlink(p);
  free(f);
  return 0;
}

static mk_lease lease(const char *id, const char *service, uint32_t first, uint32_t last) {
  mk_lease l;
  memset(&l, 0, sizeof(l));
  snprintf(l.lease_id, sizeof(l.lease_id), "%s", id);
  snprintf(l.service_id, sizeof(l.service_id), "%s", service);
  snprintf(l.local_date, sizeof(l.local_date), TODAY);
  snprintf(l.prefix, sizeof(l.prefix), "A");
  l.first_sequence = l.next_sequence = first;
  l.last_sequence = last;
  l.expires_at_s = NOW_S + 3600;
  l.obtained_at_s = NOW_S - 60;
  return l;
}

static int issue(mk_journal *j, const char *service, int64_t at_ms, mk_offline_ticket *t, char *why) {
  static int n;
  memset(t, 0, sizeof(*t));
  snprintf(t->idempotency_key, sizeof(t->idempotency_key), "key-%d", ++n);
  snprintf(t->ticket_id, sizeof(t->ticket_id), "uuid-%d", n);
  snprintf(t->tracking_code, sizeof(t->tracking_code), "ABCD2345");
  snprintf(t->service_id, sizeof(t->service_id), "%s", service);
  t->issued_at_ms = at_ms;
  return mk_journal_offline_issue(j, t, TODAY, 8 * 3600, why, 128);
}

static void test_offline_issue_takes_consecutive_sequences(void **state) {
  fixture *f = *state;
  mk_lease l = lease("ls_1", "svc", 101, 103);
  assert_int_equal(mk_journal_lease_add(f->j, &l), MK_JOURNAL_OK);
  mk_offline_ticket t;
  char why[128];
  const char *want[] = {"A101", "A102", "A103"};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(issue(f->j, "svc", NOW_S * 1000 + i, &t, why), MK_JOURNAL_OK);
    assert_string_equal(t.number, want[i]);
    assert_string_equal(t.lease_id, "ls_1");
  }
  assert_int_equal(issue(f->j, "svc", NOW_S * 1000 + 9, &t, why), MK_JOURNAL_ERR_NO_LEASE);
  assert_non_null(strstr(why, "exhausted"));
}

static void test_replay_order_is_journal_order(void **state) {
  fixture *f = *state;
  mk_lease a = lease("ls_a", "svc-a", 1, 10), b = lease("ls_b", "svc-b", 5, 10);
  mk_journal_lease_add(f->j, &a);
  mk_journal_lease_add(f->j, &b);
  mk_offline_ticket t;
  char why[128];
  /* Interleaved services; the wall clock even steps back once. */
  assert_int_equal(issue(f->j, "svc-a", 1000, &t, why), MK_JOURNAL_OK);
  assert_int_equal(issue(f->j, "svc-b", 2000, &t, why), MK_JOURNAL_OK);
  assert_int_equal(issue(f->j, "svc-a", 1500, &t, why), MK_JOURNAL_OK);
  assert_int_equal(issue(f->j, "svc-b", 3000, &t, why), MK_JOURNAL_OK);
  mk_offline_ticket *list;
  size_t n;
  assert_int_equal(mk_journal_unsynced(f->j, &list, &n), MK_JOURNAL_OK);
  assert_int_equal(n, 4);
  assert_string_equal(list[0].number, "A001");
  assert_string_equal(list[1].number, "A005");
  assert_string_equal(list[2].number, "A002");
  assert_string_equal(list[3].number, "A006");
  for (size_t i = 1; i < n; i++) assert_true(list[i].id > list[i - 1].id);
  /* Synced ones leave the replay list; rejected ones too, and are counted. */
  assert_int_equal(mk_journal_offline_finish(f->j, list[0].id, "synced", NULL, 1), MK_JOURNAL_OK);
  assert_int_equal(mk_journal_offline_finish(f->j, list[2].id, "rejected", "bad", 1), MK_JOURNAL_OK);
  free(list);
  assert_int_equal(mk_journal_unsynced(f->j, &list, &n), MK_JOURNAL_OK);
  assert_int_equal(n, 2);
  assert_string_equal(list[0].number, "A005");
  free(list);
  unsigned unsynced, rejected;
  assert_int_equal(mk_journal_counts(f->j, &unsynced, &rejected), MK_JOURNAL_OK);
  assert_int_equal(unsynced, 2);
  assert_int_equal(rejected, 1);
}

static void test_no_lease_means_see_staff(void **state) {
  fixture *f = *state;
  mk_offline_ticket t;
  char why[128];
  assert_int_equal(issue(f->j, "svc", NOW_S * 1000, &t, why), MK_JOURNAL_ERR_NO_LEASE);
  assert_string_equal(why, "no numbers leased for this service");
  unsigned unsynced, rejected;
  mk_journal_counts(f->j, &unsynced, &rejected);
  assert_int_equal(unsynced, 0);
}

static void test_lease_usability_rules(void **state) {
  mk_lease l = lease("ls", "svc", 1, 5);
  char why[96];
  assert_true(mk_journal_lease_usable(&l, TODAY, NOW_S, 3600, why, sizeof(why)));
  assert_false(mk_journal_lease_usable(&l, "2026-11-28", NOW_S, 3600, why, sizeof(why)));
  assert_string_equal(why, "for 2026-11-27, not today");
  assert_false(mk_journal_lease_usable(&l, TODAY, NOW_S + 3600, 86400, why, sizeof(why)));
  assert_string_equal(why, "expired");
  assert_false(mk_journal_lease_usable(&l, TODAY, NOW_S, 30, why, sizeof(why)));
  assert_non_null(strstr(why, "older than"));
  l.next_sequence = 6;
  assert_false(mk_journal_lease_usable(&l, TODAY, NOW_S, 3600, why, sizeof(why)));
  assert_string_equal(why, "exhausted");
}

static void test_an_old_lease_is_skipped_for_a_usable_one(void **state) {
  fixture *f = *state;
  mk_lease old = lease("ls_old", "svc", 1, 5);
  old.local_date[9] = '6'; /* yesterday */
  old.obtained_at_s -= 100;
  mk_lease fresh = lease("ls_new", "svc", 51, 60);
  mk_journal_lease_add(f->j, &old);
  mk_journal_lease_add(f->j, &fresh);
  mk_offline_ticket t;
  char why[128];
  assert_int_equal(issue(f->j, "svc", NOW_S * 1000, &t, why), MK_JOURNAL_OK);
  assert_string_equal(t.number, "A051");
}

static void test_everything_survives_reopening(void **state) {
  fixture *f = *state;
  mk_lease l = lease("ls_1", "svc", 1, 50);
  mk_journal_lease_add(f->j, &l);
  mk_offline_ticket t;
  char why[128];
  issue(f->j, "svc", NOW_S * 1000, &t, why);
  assert_int_equal(mk_journal_request_add(f->j, "k1", "issue", "svc", 0, 1), MK_JOURNAL_OK);
  assert_int_equal(mk_journal_request_add(f->j, "k1", "issue", "svc", 0, 1), MK_JOURNAL_ERR_IO); /* unique */
  mk_ticket last;
  memset(&last, 0, sizeof(last));
  strcpy(last.number, "A001");
  strcpy(last.service_name, "Đăng ký khai sinh");
  last.offline = 1;
  last.appointment_start_ms = 1795830300000LL;
  strcpy(last.booking_code, "K7QX-M2PA");
  assert_int_equal(mk_journal_last_put(f->j, &last), MK_JOURNAL_OK);
  mk_journal_close(f->j);
  char err[256];
  assert_int_equal(mk_journal_open(f->path, &f->j, err, sizeof(err)), MK_JOURNAL_OK);
  mk_offline_ticket *list;
  size_t n;
  assert_int_equal(mk_journal_unsynced(f->j, &list, &n), MK_JOURNAL_OK);
  assert_int_equal(n, 1);
  assert_string_equal(list[0].number, t.number);
  free(list);
  mk_ticket back;
  assert_int_equal(mk_journal_last_get(f->j, &back), MK_JOURNAL_OK);
  assert_string_equal(back.service_name, "Đăng ký khai sinh");
  assert_true(back.offline);
  assert_int_equal(back.appointment_start_ms, 1795830300000LL);
  assert_string_equal(back.booking_code, "K7QX-M2PA");
  /* The next offline ticket continues after the journalled one. */
  assert_int_equal(issue(f->j, "svc", NOW_S * 1000 + 5, &t, why), MK_JOURNAL_OK);
  assert_string_equal(t.number, "A002");
}

/* A journal made before check-in existed (schema version 1) is migrated (through every later version) and its
 * last ticket still reads. */
static void test_version_1_journal_is_migrated(void **state) {
  char path[64];
  snprintf(path, sizeof(path), "/tmp/mk-journal-v1-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE TABLE last_ticket (slot INTEGER PRIMARY KEY CHECK (slot = 1), ticket_id TEXT NOT NULL,"
                                "  number TEXT NOT NULL, tracking_code TEXT NOT NULL, branch_id TEXT NOT NULL, branch_name TEXT NOT NULL,"
                                "  service_id TEXT NOT NULL, service_name TEXT NOT NULL, priority INTEGER NOT NULL,"
                                "  people_ahead INTEGER NOT NULL, has_estimate INTEGER NOT NULL, p50_seconds INTEGER NOT NULL,"
                                "  p90_seconds INTEGER NOT NULL, issued_at_ms INTEGER NOT NULL, offline INTEGER NOT NULL,"
                                "  tracking_url TEXT NOT NULL);"
                                "INSERT INTO last_ticket VALUES (1,'tk','A009','CODE2345','b','B','s','S',0,0,0,0,0,5,0,'u');"
                                "PRAGMA user_version = 1;",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  mk_journal *j;
  char err[256];
  assert_int_equal(mk_journal_open(path, &j, err, sizeof(err)), MK_JOURNAL_OK);
  mk_ticket t;
  assert_int_equal(mk_journal_last_get(j, &t), MK_JOURNAL_OK);
  assert_string_equal(t.number, "A009");
  assert_int_equal(t.appointment_start_ms, 0);
  assert_string_equal(t.booking_code, "");
  assert_false(t.has_suggestion);
  mk_journal_close(j);
  char side[80];
  unlink(path);
  snprintf(side, sizeof(side), "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof(side), "%s-shm", path);
  unlink(side);
}

/* The last ticket keeps the server's suggestion, so a reprint shows it again; a ticket without one replaces it. */
static void test_last_ticket_keeps_its_suggestion(void **state) {
  fixture *f = *state;
  mk_ticket last;
  memset(&last, 0, sizeof(last));
  strcpy(last.number, "A017");
  last.has_suggestion = 1;
  strcpy(last.suggestion.branch_id, "hn-ba-dinh");
  strcpy(last.suggestion.name, "Chi nhánh Ba Đình");
  strcpy(last.suggestion.address, "25 phố Liễu Giai");
  last.suggestion.distance_km = 3.53;
  last.suggestion.travel_minutes = 14;
  last.suggestion.predicted_wait_minutes = 15;
  last.suggestion.wait_here_minutes = 70;
  assert_int_equal(mk_journal_last_put(f->j, &last), MK_JOURNAL_OK);
  mk_journal_close(f->j);
  char err[256];
  assert_int_equal(mk_journal_open(f->path, &f->j, err, sizeof(err)), MK_JOURNAL_OK);
  mk_ticket back;
  assert_int_equal(mk_journal_last_get(f->j, &back), MK_JOURNAL_OK);
  assert_true(back.has_suggestion);
  assert_memory_equal(&back.suggestion, &last.suggestion, sizeof(last.suggestion));
  memset(&last.suggestion, 0x7f, sizeof(last.suggestion)); /* ignored when has_suggestion is 0 */
  last.has_suggestion = 0;
  strcpy(last.number, "A018");
  assert_int_equal(mk_journal_last_put(f->j, &last), MK_JOURNAL_OK);
  assert_int_equal(mk_journal_last_get(f->j, &back), MK_JOURNAL_OK);
  assert_string_equal(back.number, "A018");
  assert_false(back.has_suggestion);
  assert_string_equal(back.suggestion.name, "");
}

static void test_caches(void **state) {
  fixture *f = *state;
  char v[64];
  mk_ticket t;
  assert_int_equal(mk_journal_last_get(f->j, &t), MK_JOURNAL_ERR_NOT_FOUND);
  assert_int_equal(mk_journal_meta_get(f->j, "x", v, sizeof(v)), MK_JOURNAL_ERR_NOT_FOUND);
  assert_int_equal(mk_journal_meta_put(f->j, "x", "y"), MK_JOURNAL_OK);
  assert_int_equal(mk_journal_meta_get(f->j, "x", v, sizeof(v)), MK_JOURNAL_OK);
  assert_string_equal(v, "y");
  assert_int_equal(mk_journal_service_put(f->j, "svc", "Khai sinh", "A"), MK_JOURNAL_OK);
  assert_int_equal(mk_journal_service_get(f->j, "svc", v, sizeof(v)), MK_JOURNAL_OK);
  assert_string_equal(v, "Khai sinh");
}

static void test_unwritable_path_fails_with_a_message(void **state) {
  mk_journal *j;
  char err[256];
  assert_int_equal(mk_journal_open("/nonexistent-dir/j.db", &j, err, sizeof(err)), MK_JOURNAL_ERR_IO);
  assert_non_null(strstr(err, "/nonexistent-dir/j.db"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_offline_issue_takes_consecutive_sequences, setup, teardown),
      cmocka_unit_test_setup_teardown(test_replay_order_is_journal_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_lease_means_see_staff, setup, teardown),
      cmocka_unit_test(test_lease_usability_rules),
      cmocka_unit_test_setup_teardown(test_an_old_lease_is_skipped_for_a_usable_one, setup, teardown),
      cmocka_unit_test_setup_teardown(test_everything_survives_reopening, setup, teardown),
      cmocka_unit_test(test_version_1_journal_is_migrated),
      cmocka_unit_test_setup_teardown(test_last_ticket_keeps_its_suggestion, setup, teardown),
      cmocka_unit_test_setup_teardown(test_caches, setup, teardown),
      cmocka_unit_test(test_unwritable_path_fails_with_a_message),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
