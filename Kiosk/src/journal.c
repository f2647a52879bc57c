#include "journal.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ticket_text.h"

struct mk_journal {
  sqlite3 *db;
  char error[256];
};

/* Forward-only migrations; never edit one that has shipped. */
static const char *const migrations[] = {
    "CREATE TABLE requests (key TEXT PRIMARY KEY, kind TEXT NOT NULL, service_id TEXT NOT NULL,"
    "  priority INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',"
    "  result TEXT);"
    "CREATE TABLE leases (lease_id TEXT PRIMARY KEY, service_id TEXT NOT NULL, local_date TEXT NOT NULL,"
    "  prefix TEXT NOT NULL, first_sequence INTEGER NOT NULL, last_sequence INTEGER NOT NULL,"
    "  next_sequence INTEGER NOT NULL, expires_at_s INTEGER NOT NULL, obtained_at_s INTEGER NOT NULL);"
    "CREATE TABLE offline_tickets (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  idempotency_key TEXT NOT NULL UNIQUE, lease_id TEXT NOT NULL REFERENCES leases(lease_id),"
    "  sequence INTEGER NOT NULL, number TEXT NOT NULL, ticket_id TEXT NOT NULL UNIQUE,"
    "  tracking_code TEXT NOT NULL, issued_at_ms INTEGER NOT NULL, service_id TEXT NOT NULL,"
    "  priority INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending', finished_at_ms INTEGER, error TEXT,"
    "  UNIQUE (lease_id, sequence));"
    "CREATE TABLE last_ticket (slot INTEGER PRIMARY KEY CHECK (slot = 1), ticket_id TEXT NOT NULL,"
    "  number TEXT NOT NULL, tracking_code TEXT NOT NULL, branch_id TEXT NOT NULL, branch_name TEXT NOT NULL,"
    "  service_id TEXT NOT NULL, service_name TEXT NOT NULL, priority INTEGER NOT NULL,"
    "  people_ahead INTEGER NOT NULL, has_estimate INTEGER NOT NULL, p50_seconds INTEGER NOT NULL,"
    "  p90_seconds INTEGER NOT NULL, issued_at_ms INTEGER NOT NULL, offline INTEGER NOT NULL,"
    "  tracking_url TEXT NOT NULL);"
    "CREATE TABLE services (service_id TEXT PRIMARY KEY, name_vi TEXT NOT NULL, prefix TEXT NOT NULL);"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 2: tickets issued by checking a booking in (reprinted with their appointment) */
    "ALTER TABLE last_ticket ADD COLUMN appointment_start_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE last_ticket ADD COLUMN booking_code TEXT NOT NULL DEFAULT '';",
    /* 3: the server's suggestion of a quicker branch nearby (reprinted with the ticket) */
    "ALTER TABLE last_ticket ADD COLUMN has_suggestion INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE last_ticket ADD COLUMN suggestion_branch_id TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE last_ticket ADD COLUMN suggestion_name TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE last_ticket ADD COLUMN suggestion_address TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE last_ticket ADD COLUMN suggestion_distance_km REAL NOT NULL DEFAULT 0;"
    "ALTER TABLE last_ticket ADD COLUMN suggestion_travel_minutes INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE last_ticket ADD COLUMN suggestion_wait_minutes INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE last_ticket ADD COLUMN suggestion_wait_here_minutes INTEGER NOT NULL DEFAULT 0;",
};

static int fail(mk_journal *j) {
  snprintf(j->error, sizeof(j->error), "%s", sqlite3_errmsg(j->db));
  return MK_JOURNAL_ERR_IO;
}

static int exec(mk_journal *j, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(j->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(j->error, sizeof(j->error), "%s", msg ? msg : sqlite3_errmsg(j->db));
    sqlite3_free(msg);
    return MK_JOURNAL_ERR_IO;
  }
  return MK_JOURNAL_OK;
}

static int migrate(mk_journal *j) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(j->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) return fail(j);
  int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  sqlite3_finalize(st);
  int count = (int)(sizeof(migrations) / sizeof(migrations[0]));
  for (int v = version; v < count; v++) {
    char bump[64];
    snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v + 1);
    if (exec(j, "BEGIN IMMEDIATE") || exec(j, migrations[v]) || exec(j, bump) || exec(j, "COMMIT")) {
      exec(j, "ROLLBACK");
      return MK_JOURNAL_ERR_IO;
    }
  }
  return MK_JOURNAL_OK;
}

int mk_journal_open(const char *path, mk_journal **out, char *err, size_t errlen) {
  *out = NULL;
  mk_journal *j = calloc(1, sizeof(*j));
  if (j == NULL) {
    snprintf(err, errlen, "out of memory");
    return MK_JOURNAL_ERR_NOMEM;
  }
  int rc = sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK || exec(j, "PRAGMA journal_mode = WAL") || exec(j, "PRAGMA synchronous = FULL") ||
      exec(j, "PRAGMA foreign_keys = ON") || sqlite3_busy_timeout(j->db, 5000) != SQLITE_OK || migrate(j)) {
    snprintf(err, errlen, "cannot open the journal %s: %s", path,
             j->error[0] ? j->error : (j->db ? sqlite3_errmsg(j->db) : "out of memory"));
    mk_journal_close(j);
    return MK_JOURNAL_ERR_IO;
  }
  *out = j;
  return MK_JOURNAL_OK;
}

void mk_journal_close(mk_journal *j) {
  if (j == NULL) return;
  sqlite3_close(j->db);
  free(j);
}

const char *mk_journal_error(const mk_journal *j) { return j->error; }

/* Prepares sql and binds arguments described by types: 't' text, 'i' int64, 'd' double. */
static sqlite3_stmt *prep(mk_journal *j, const char *sql, const char *types, ...) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
    fail(j);
    return NULL;
  }
  va_list ap;
  va_start(ap, types);
  for (int i = 0; types[i]; i++) {
    if (types[i] == 't') {
      const char *s = va_arg(ap, const char *);
      if (s) sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
      else sqlite3_bind_null(st, i + 1);
    } else if (types[i] == 'd') {
      sqlite3_bind_double(st, i + 1, va_arg(ap, double));
    } else {
      sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
    }
  }
  va_end(ap);
  return st;
}

static int run(mk_journal *j, sqlite3_stmt *st) {
  if (st == NULL) return MK_JOURNAL_ERR_IO;
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return fail(j);
  return MK_JOURNAL_OK;
}

static void col(sqlite3_stmt *st, int i, char *dst, size_t size) {
  const unsigned char *s = sqlite3_column_text(st, i);
  snprintf(dst, size, "%s", s ? (const char *)s : "");
}

int mk_journal_request_add(mk_journal *j, const char *key, const char *kind, const char *service_id,
                           int priority, int64_t now_ms) {
  return run(j, prep(j, "INSERT INTO requests (key, kind, service_id, priority, created_at_ms) VALUES (?,?,?,?,?)",
                     "tttii", key, kind, service_id, (int64_t)priority, now_ms));
}

int mk_journal_request_finish(mk_journal *j, const char *key, const char *state, const char *result) {
  return run(j, prep(j, "UPDATE requests SET state = ?, result = ? WHERE key = ?", "ttt", state, result, key));
}

int mk_journal_lease_add(mk_journal *j, const mk_lease *l) {
  return run(j, prep(j,
                     "INSERT OR IGNORE INTO leases (lease_id, service_id, local_date, prefix, first_sequence,"
                     " last_sequence, next_sequence, expires_at_s, obtained_at_s) VALUES (?,?,?,?,?,?,?,?,?)",
                     "ttttiiiii", l->lease_id, l->service_id, l->local_date, l->prefix, (int64_t)l->first_sequence,
                     (int64_t)l->last_sequence, (int64_t)l->next_sequence, l->expires_at_s, l->obtained_at_s));
}

static void lease_row(sqlite3_stmt *st, mk_lease *l) {
  memset(l, 0, sizeof(*l));
  col(st, 0, l->lease_id, sizeof(l->lease_id));
  col(st, 1, l->service_id, sizeof(l->service_id));
  col(st, 2, l->local_date, sizeof(l->local_date));
  col(st, 3, l->prefix, sizeof(l->prefix));
  l->first_sequence = (uint32_t)sqlite3_column_int64(st, 4);
  l->last_sequence = (uint32_t)sqlite3_column_int64(st, 5);
  l->next_sequence = (uint32_t)sqlite3_column_int64(st, 6);
  l->expires_at_s = sqlite3_column_int64(st, 7);
  l->obtained_at_s = sqlite3_column_int64(st, 8);
}

#define LEASE_COLUMNS                                                                                          \
  "lease_id, service_id, local_date, prefix, first_sequence, last_sequence, next_sequence, expires_at_s,"      \
  " obtained_at_s"

int mk_journal_lease_list(mk_journal *j, mk_lease **list, size_t *count) {
  *list = NULL;
  *count = 0;
  sqlite3_stmt *st = prep(j, "SELECT " LEASE_COLUMNS " FROM leases ORDER BY obtained_at_s, rowid", "");
  if (st == NULL) return MK_JOURNAL_ERR_IO;
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*count == cap) {
      cap = cap ? cap * 2 : 8;
      mk_lease *p = realloc(*list, cap * sizeof(**list));
      if (p == NULL) {
        sqlite3_finalize(st);
        free(*list);
        *list = NULL;
        *count = 0;
        return MK_JOURNAL_ERR_NOMEM;
      }
      *list = p;
    }
    lease_row(st, &(*list)[(*count)++]);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    free(*list);
    *list = NULL;
    *count = 0;
    return fail(j);
  }
  return MK_JOURNAL_OK;
}

int mk_journal_lease_usable(const mk_lease *l, const char *today, int64_t now_s, int max_age_s, char *why,
                            size_t whylen) {
  if (strcmp(l->local_date, today) != 0) {
    snprintf(why, whylen, "for %s, not today", l->local_date);
    return 0;
  }
  if (l->next_sequence > l->last_sequence) {
    snprintf(why, whylen, "exhausted");
    return 0;
  }
  if (now_s >= l->expires_at_s) {
    snprintf(why, whylen, "expired");
    return 0;
  }
  if (max_age_s > 0 && now_s - l->obtained_at_s > max_age_s) {
    snprintf(why, whylen, "older than the %d min limit", max_age_s / 60);
    return 0;
  }
  snprintf(why, whylen, "usable");
  return 1;
}

int mk_journal_offline_issue(mk_journal *j, mk_offline_ticket *t, const char *today, int max_age_s, char *why,
                             size_t whylen) {
  if (exec(j, "BEGIN IMMEDIATE")) return MK_JOURNAL_ERR_IO;
  sqlite3_stmt *st = prep(j, "SELECT " LEASE_COLUMNS " FROM leases WHERE service_id = ?"
                             " ORDER BY obtained_at_s, rowid", "t", t->service_id);
  if (st == NULL) goto io;
  mk_lease chosen, l;
  int found = 0, any = 0, rc;
  char reason[96] = "";
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    lease_row(st, &l);
    char r[96];
    if (mk_journal_lease_usable(&l, today, t->issued_at_ms / 1000, max_age_s, r, sizeof(r))) {
      chosen = l;
      found = 1;
      break;
    }
    any = 1;
    snprintf(reason, sizeof(reason), "the lease %s is %s", l.lease_id, r);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) goto io;
  if (!found) {
    exec(j, "ROLLBACK");
    if (any) snprintf(why, whylen, "%s", reason);
    else snprintf(why, whylen, "no numbers leased for this service");
    return MK_JOURNAL_ERR_NO_LEASE;
  }
  t->sequence = chosen.next_sequence;
  snprintf(t->lease_id, sizeof(t->lease_id), "%s", chosen.lease_id);
  mk_text_number(chosen.prefix, t->sequence, t->number, sizeof(t->number));
  if (run(j, prep(j, "UPDATE leases SET next_sequence = next_sequence + 1 WHERE lease_id = ? AND next_sequence = ?",
                  "ti", chosen.lease_id, (int64_t)t->sequence)) ||
      sqlite3_changes(j->db) != 1)
    goto io;
  if (run(j, prep(j,
                  "INSERT INTO offline_tickets (idempotency_key, lease_id, sequence, number, ticket_id,"
                  " tracking_code, issued_at_ms, service_id, priority) VALUES (?,?,?,?,?,?,?,?,?)",
                  "ttitttiti", t->idempotency_key, t->lease_id, (int64_t)t->sequence, t->number, t->ticket_id,
                  t->tracking_code, t->issued_at_ms, t->service_id, (int64_t)t->priority)))
    goto io;
  if (exec(j, "COMMIT")) goto io;
  t->id = sqlite3_last_insert_rowid(j->db);
  return MK_JOURNAL_OK;
io:
  if (!j->error[0]) fail(j);
  exec(j, "ROLLBACK");
  return MK_JOURNAL_ERR_IO;
}

int mk_journal_unsynced(mk_journal *j, mk_offline_ticket **list, size_t *count) {
  *list = NULL;
  *count = 0;
  sqlite3_stmt *st = prep(j,
                          "SELECT id, idempotency_key, lease_id, sequence, number, ticket_id, tracking_code,"
                          " issued_at_ms, service_id, priority FROM offline_tickets WHERE state = 'pending'"
                          " ORDER BY id",
                          "");
  if (st == NULL) return MK_JOURNAL_ERR_IO;
  size_t cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*count == cap) {
      cap = cap ? cap * 2 : 16;
      mk_offline_ticket *p = realloc(*list, cap * sizeof(**list));
      if (p == NULL) {
        sqlite3_finalize(st);
        free(*list);
        *list = NULL;
        *count = 0;
        return MK_JOURNAL_ERR_NOMEM;
      }
      *list = p;
    }
    mk_offline_ticket *t = &(*list)[(*count)++];
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(st, 0);
    col(st, 1, t->idempotency_key, sizeof(t->idempotency_key));
    col(st, 2, t->lease_id, sizeof(t->lease_id));
    t->sequence = (uint32_t)sqlite3_column_int64(st, 3);
    col(st, 4, t->number, sizeof(t->number));
    col(st, 5, t->ticket_id, sizeof(t->ticket_id));
    col(st, 6, t->tracking_code, sizeof(t->tracking_code));
    t->issued_at_ms = sqlite3_column_int64(st, 7);
    col(st, 8, t->service_id, sizeof(t->service_id));
    t->priority = sqlite3_column_int(st, 9);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    free(*list);
    *list = NULL;
    *count = 0;
    return fail(j);
  }
  return MK_JOURNAL_OK;
}

int mk_journal_offline_finish(mk_journal *j, int64_t id, const char *state, const char *error, int64_t now_ms) {
  return run(j, prep(j, "UPDATE offline_tickets SET state = ?, error = ?, finished_at_ms = ? WHERE id = ?", "ttii",
                     state, error, now_ms, id));
}

int mk_journal_counts(mk_journal *j, unsigned *unsynced, unsigned *rejected) {
  sqlite3_stmt *st = prep(j,
                          "SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'rejected'), 0)"
                          " FROM offline_tickets",
                          "");
  if (st == NULL) return MK_JOURNAL_ERR_IO;
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return fail(j);
  }
  *unsynced = (unsigned)sqlite3_column_int64(st, 0);
  *rejected = (unsigned)sqlite3_column_int64(st, 1);
  sqlite3_finalize(st);
  return MK_JOURNAL_OK;
}

int mk_journal_last_put(mk_journal *j, const mk_ticket *t) {
  const mk_suggestion *s = &t->suggestion;
  int has = t->has_suggestion != 0;
  return run(j, prep(j,
                     "INSERT OR REPLACE INTO last_ticket (slot, ticket_id, number, tracking_code, branch_id,"
                     " branch_name, service_id, service_name, priority, people_ahead, has_estimate, p50_seconds,"
                     " p90_seconds, issued_at_ms, offline, tracking_url, appointment_start_ms, booking_code,"
                     " has_suggestion, suggestion_branch_id, suggestion_name, suggestion_address,"
                     " suggestion_distance_km, suggestion_travel_minutes, suggestion_wait_minutes,"
                     " suggestion_wait_here_minutes)"
                     " VALUES (1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     "tttttttiiiiiiitititttdiii", t->ticket_id, t->number, t->tracking_code, t->branch_id,
                     t->branch_name, t->service_id, t->service_name, (int64_t)t->priority, (int64_t)t->people_ahead,
                     (int64_t)t->has_estimate, (int64_t)t->p50_seconds, (int64_t)t->p90_seconds, t->issued_at_ms,
                     (int64_t)t->offline, t->tracking_url, t->appointment_start_ms, t->booking_code, (int64_t)has,
                     has ? s->branch_id : "", has ? s->name : "", has ? s->address : "", has ? s->distance_km : 0.0,
                     (int64_t)(has ? s->travel_minutes : 0), (int64_t)(has ? s->predicted_wait_minutes : 0),
                     (int64_t)(has ? s->wait_here_minutes : 0)));
}

int mk_journal_last_get(mk_journal *j, mk_ticket *t) {
  sqlite3_stmt *st = prep(j,
                          "SELECT ticket_id, number, tracking_code, branch_id, branch_name, service_id,"
                          " service_name, priority, people_ahead, has_estimate, p50_seconds, p90_seconds,"
                          " issued_at_ms, offline, tracking_url, appointment_start_ms, booking_code,"
                          " has_suggestion, suggestion_branch_id, suggestion_name, suggestion_address,"
                          " suggestion_distance_km, suggestion_travel_minutes, suggestion_wait_minutes,"
                          " suggestion_wait_here_minutes"
                          " FROM last_ticket WHERE slot = 1",
                          "");
  if (st == NULL) return MK_JOURNAL_ERR_IO;
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? MK_JOURNAL_ERR_NOT_FOUND : fail(j);
  }
  memset(t, 0, sizeof(*t));
  col(st, 0, t->ticket_id, sizeof(t->ticket_id));
  col(st, 1, t->number, sizeof(t->number));
  col(st, 2, t->tracking_code, sizeof(t->tracking_code));
  col(st, 3, t->branch_id, sizeof(t->branch_id));
  col(st, 4, t->branch_name, sizeof(t->branch_name));
  col(st, 5, t->service_id, sizeof(t->service_id));
  col(st, 6, t->service_name, sizeof(t->service_name));
  t->priority = sqlite3_column_int(st, 7);
  t->people_ahead = (uint32_t)sqlite3_column_int64(st, 8);
  t->has_estimate = sqlite3_column_int(st, 9);
  t->p50_seconds = (uint32_t)sqlite3_column_int64(st, 10);
  t->p90_seconds = (uint32_t)sqlite3_column_int64(st, 11);
  t->issued_at_ms = sqlite3_column_int64(st, 12);
  t->offline = sqlite3_column_int(st, 13);
  col(st, 14, t->tracking_url, sizeof(t->tracking_url));
  t->appointment_start_ms = sqlite3_column_int64(st, 15);
  col(st, 16, t->booking_code, sizeof(t->booking_code));
  t->has_suggestion = sqlite3_column_int(st, 17);
  if (t->has_suggestion) {
    mk_suggestion *s = &t->suggestion;
    col(st, 18, s->branch_id, sizeof(s->branch_id));
    col(st, 19, s->name, sizeof(s->name));
    col(st, 20, s->address, sizeof(s->address));
    s->distance_km = sqlite3_column_double(st, 21);
    s->travel_minutes = (uint32_t)sqlite3_column_int64(st, 22);
    s->predicted_wait_minutes = (uint32_t)sqlite3_column_int64(st, 23);
    s->wait_here_minutes = (uint32_t)sqlite3_column_int64(st, 24);
  }
  sqlite3_finalize(st);
  return MK_JOURNAL_OK;
}

int mk_journal_service_put(mk_journal *j, const char *service_id, const char *name_vi, const char *prefix) {
  return run(j, prep(j, "INSERT OR REPLACE INTO services (service_id, name_vi, prefix) VALUES (?,?,?)", "ttt",
                     service_id, name_vi, prefix ? prefix : ""));
}

static int get_one(mk_journal *j, sqlite3_stmt *st, char *out, size_t outlen) {
  if (st == NULL) return MK_JOURNAL_ERR_IO;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) col(st, 0, out, outlen);
  sqlite3_finalize(st);
  if (rc == SQLITE_ROW) return MK_JOURNAL_OK;
  return rc == SQLITE_DONE ? MK_JOURNAL_ERR_NOT_FOUND : fail(j);
}

int mk_journal_service_get(mk_journal *j, const char *service_id, char *name_vi, size_t namelen) {
  return get_one(j, prep(j, "SELECT name_vi FROM services WHERE service_id = ?", "t", service_id), name_vi,
                 namelen);
}

int mk_journal_meta_put(mk_journal *j, const char *key, const char *value) {
  return run(j, prep(j, "INSERT OR REPLACE INTO meta (key, value) VALUES (?,?)", "tt", key, value));
}

int mk_journal_meta_get(mk_journal *j, const char *key, char *value, size_t valuelen) {
  return get_one(j, prep(j, "SELECT value FROM meta WHERE key = ?", "t", key), value, valuelen);
}
