/* Issuing tickets: online through IssueTicket, offline from a lease; leases; replaying the journal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_status.h"
#include "ids.h"
#include "kiosk_internal.h"
#include "rpc.h"
#include "ticket_text.h"

/* ---- leases and replay -------------------------------------------------------------------------------- */

static void today(int64_t now_ms, char *out, size_t outlen) { mk_text_hanoi_date(now_ms / 1000, out, outlen); }

/* Takes a lease for the service unless a usable one has a quarter of a lease left. Returns 1 if taken,
 * 0 if not needed, or a negative mk_err (note says why). */
static int top_up_lease(mk_kiosk *k, const char *service_id, char *note, size_t notelen) {
  mk_lease *leases;
  size_t n;
  if (mk_journal_lease_list(k->journal, &leases, &n) != MK_JOURNAL_OK) {
    snprintf(note, notelen, "journal: %s", mk_journal_error(k->journal));
    return -MK_ERR_JOURNAL;
  }
  int64_t now = mk_kiosk_wall_ms();
  char day[16], why[96];
  today(now, day, sizeof(day));
  uint32_t left = 0;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(leases[i].service_id, service_id) &&
        mk_journal_lease_usable(&leases[i], day, now / 1000, k->cfg.lease_max_age_s, why, sizeof(why)))
      left += leases[i].last_sequence - leases[i].next_sequence + 1;
  free(leases);
  uint32_t low = (uint32_t)(k->cfg.lease_size + 3) / 4;
  if (left >= low) return 0;

  char key[37];
  if (mk_ids_uuid(key) != 0) {
    snprintf(note, notelen, "no randomness for an idempotency key");
    return -MK_ERR_JOURNAL;
  }
  if (mk_journal_request_add(k->journal, key, "lease", service_id, 0, now) != MK_JOURNAL_OK) {
    snprintf(note, notelen, "journal: %s", mk_journal_error(k->journal));
    return -MK_ERR_JOURNAL;
  }
  uint8_t *req, *resp;
  size_t req_len, resp_len;
  if (mk_rpc_encode_lease(k->cfg.branch, service_id, (uint32_t)k->cfg.lease_size, key, &req, &req_len))
    return -MK_ERR_NOMEM;
  mk_call_args a = {MK_RPC_LEASE_NUMBERS, "LeaseNumbers", req, req_len, 1, NULL, NULL, 0, 1};
  int rc = mk_kiosk_unary(k, &a, 1, &resp, &resp_len);
  free(req);
  if (rc != MK_OK) {
    snprintf(note, notelen, "%s", k->error);
    mk_journal_request_finish(k->journal, key, "failed", NULL);
    return -rc;
  }
  mk_lease l;
  int dr = mk_rpc_decode_lease(resp, resp_len, &l);
  free(resp);
  if (dr != MK_RPC_OK) {
    snprintf(note, notelen, "LeaseNumbers: malformed response message");
    mk_journal_request_finish(k->journal, key, "failed", "malformed");
    return -MK_ERR_PROTOCOL;
  }
  if (!l.service_id[0]) snprintf(l.service_id, sizeof(l.service_id), "%s", service_id);
  l.obtained_at_s = now / 1000;
  if (mk_journal_lease_add(k->journal, &l) != MK_JOURNAL_OK) {
    snprintf(note, notelen, "journal: %s", mk_journal_error(k->journal));
    return -MK_ERR_JOURNAL;
  }
  mk_journal_request_finish(k->journal, key, "done", l.lease_id);
  return 1;
}

/* Replays the unsynced offline tickets in journal order. Returns an mk_err (UNAVAILABLE etc. stop it). */
static int replay(mk_kiosk *k, mk_sync_result *res) {
  mk_offline_ticket *list;
  size_t n;
  if (mk_journal_unsynced(k->journal, &list, &n) != MK_JOURNAL_OK) return mk_kiosk_journal_error(k, "read failed");
  int rc = MK_OK;
  size_t i;
  for (i = 0; i < n; i++) {
    const mk_offline_ticket *t = &list[i];
    mk_rpc_issue in = {k->cfg.branch, t->service_id, t->priority, t->idempotency_key, t};
    uint8_t *req, *resp;
    size_t req_len, resp_len;
    if (mk_rpc_encode_issue(&in, &req, &req_len) != MK_RPC_OK) {
      rc = mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
      break;
    }
    mk_call_args a = {MK_RPC_ISSUE_TICKET, "IssueTicket (replay)", req, req_len, 1, NULL, NULL, 0, 1};
    rc = mk_kiosk_unary(k, &a, 1, &resp, &resp_len);
    free(req);
    if (rc == MK_OK) {
      mk_ticket got;
      memset(&got, 0, sizeof(got));
      int dr = mk_rpc_decode_issue(resp, resp_len, &got);
      free(resp);
      if (dr != MK_RPC_OK) {
        rc = mk_kiosk_set_error(k, MK_ERR_PROTOCOL, "IssueTicket (replay): malformed response message");
        break;
      }
      char mismatch[300] = "";
      if (strcmp(got.number, t->number) != 0 || strcmp(got.ticket_id, t->ticket_id) != 0)
        snprintf(mismatch, sizeof(mismatch), "server holds %s (%s) for offline %s (%s)", got.number, got.ticket_id,
                 t->number, t->ticket_id);
      if (mk_journal_offline_finish(k->journal, t->id, mismatch[0] ? "rejected" : "synced",
                                    mismatch[0] ? mismatch : NULL, mk_kiosk_wall_ms()) != MK_JOURNAL_OK) {
        rc = mk_kiosk_journal_error(k, "write failed");
        break;
      }
      if (mismatch[0]) res->rejected++;
      else res->replayed++;
      continue;
    }
    if (rc == MK_ERR_REJECTED || rc == MK_ERR_NOT_FOUND) { /* the server will never take it: keep it aside */
      if (mk_journal_offline_finish(k->journal, t->id, "rejected", k->error, mk_kiosk_wall_ms()) != MK_JOURNAL_OK) {
        rc = mk_kiosk_journal_error(k, "write failed");
        break;
      }
      res->rejected++;
      rc = MK_OK;
      continue;
    }
    break; /* unreachable, token refused, malformed: try again later */
  }
  res->remaining = rc == MK_OK ? 0 : (unsigned)(n - i);
  free(list);
  if (rc == MK_OK) k->replayed_once = 1;
  return rc;
}

int mk_kiosk_sync(mk_kiosk *k, mk_sync_result *out) {
  memset(out, 0, sizeof(*out));
  k->error[0] = '\0';
  if (mk_kiosk_need_token(k)) return MK_ERR_CONFIG;
  mk_h2_status st;
  int rc = mk_kiosk_ensure_connection(k, &st); /* "sync" says whether the server is there, even with nothing to send */
  if (rc != MK_OK) return rc;
  rc = replay(k, out);
  if (rc != MK_OK) return rc;
  /* Top up the leases of every service the kiosk holds a lease for today. */
  mk_lease *leases;
  size_t n;
  if (mk_journal_lease_list(k->journal, &leases, &n) != MK_JOURNAL_OK) return mk_kiosk_journal_error(k, "read failed");
  for (size_t i = 0; i < n; i++) {
    int seen = 0;
    for (size_t j = 0; j < i; j++) seen |= !strcmp(leases[j].service_id, leases[i].service_id);
    if (seen) continue;
    int r = top_up_lease(k, leases[i].service_id, out->lease_note, sizeof(out->lease_note));
    if (r > 0) out->leases_taken++;
  }
  free(leases);
  k->error[0] = '\0';
  return MK_OK;
}

/* After a successful call: replay once per connection and keep a lease for the service (best effort). */
static void after_success(mk_kiosk *k, const char *service_id) {
  char saved[sizeof(k->error)];
  memcpy(saved, k->error, sizeof(saved));
  if (!k->replayed_once) {
    mk_sync_result r;
    memset(&r, 0, sizeof(r));
    replay(k, &r);
  }
  char note[256];
  if (service_id) top_up_lease(k, service_id, note, sizeof(note));
  memcpy(k->error, saved, sizeof(saved));
}

/* ---- issuing ------------------------------------------------------------------------------------------ */

static int issue_offline(mk_kiosk *k, const char *service_id, int priority, const char *unreachable,
                         mk_ticket *out) {
  mk_offline_ticket t;
  memset(&t, 0, sizeof(t));
  if (mk_ids_uuid(t.idempotency_key) || mk_ids_uuid(t.ticket_id) || mk_ids_tracking_code(t.tracking_code))
    return mk_kiosk_set_error(k, MK_ERR_JOURNAL, "no randomness for the offline ticket's ids");
  snprintf(t.service_id, sizeof(t.service_id), "%s", service_id);
  t.priority = priority;
  t.issued_at_ms = mk_kiosk_wall_ms();
  char day[16], why[200];
  today(t.issued_at_ms, day, sizeof(day));
  int jr = mk_journal_offline_issue(k->journal, &t, day, k->cfg.lease_max_age_s, why, sizeof(why));
  if (jr == MK_JOURNAL_ERR_NO_LEASE)
    return mk_kiosk_set_error(k, MK_ERR_SEE_STAFF, "please see staff: %s, and %s (service %s, %s)", unreachable, why,
                     service_id, day);
  if (jr != MK_JOURNAL_OK) return mk_kiosk_journal_error(k, "write failed");
  /* Durable: from here the ticket exists. */
  snprintf(out->ticket_id, sizeof(out->ticket_id), "%s", t.ticket_id);
  snprintf(out->number, sizeof(out->number), "%s", t.number);
  snprintf(out->tracking_code, sizeof(out->tracking_code), "%s", t.tracking_code);
  snprintf(out->branch_id, sizeof(out->branch_id), "%s", k->cfg.branch);
  mk_kiosk_branch_name(k, 0, out->branch_name, sizeof(out->branch_name));
  snprintf(out->service_id, sizeof(out->service_id), "%s", service_id);
  if (mk_journal_service_get(k->journal, service_id, out->service_name, sizeof(out->service_name)) != MK_JOURNAL_OK)
    out->service_name[0] = '\0';
  out->priority = priority;
  out->issued_at_ms = t.issued_at_ms;
  out->offline = 1;
  mk_text_tracking_url(k->cfg.tracking_url, t.ticket_id, t.tracking_code, out->tracking_url,
                       sizeof(out->tracking_url));
  if (mk_journal_last_put(k->journal, out) != MK_JOURNAL_OK) return mk_kiosk_journal_error(k, "write failed");
  return mk_kiosk_print(k, out);
}

int mk_kiosk_issue(mk_kiosk *k, const char *service_id, int priority, mk_ticket *out) {
  memset(out, 0, sizeof(*out));
  k->error[0] = '\0';
  if (mk_kiosk_need_token(k)) return MK_ERR_CONFIG;
  if (service_id == NULL || !service_id[0]) return mk_kiosk_set_error(k, MK_ERR_CONFIG, "no service given (--service ID)");
  if (priority < 0 || priority > 5) return mk_kiosk_set_error(k, MK_ERR_CONFIG, "unknown priority %d", priority);

  char key[37];
  if (mk_ids_uuid(key) != 0) return mk_kiosk_set_error(k, MK_ERR_JOURNAL, "no randomness for an idempotency key");
  if (mk_journal_request_add(k->journal, key, "issue", service_id, priority, mk_kiosk_wall_ms()) != MK_JOURNAL_OK)
    return mk_kiosk_journal_error(k, "write failed");

  mk_rpc_issue in = {k->cfg.branch, service_id, priority, key, NULL};
  uint8_t *req, *resp;
  size_t req_len, resp_len;
  if (mk_rpc_encode_issue(&in, &req, &req_len) != MK_RPC_OK) return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  mk_call_args a = {MK_RPC_ISSUE_TICKET, "IssueTicket", req, req_len, 1, NULL, NULL, 0, 1};
  int rc = mk_kiosk_unary(k, &a, 1, &resp, &resp_len);
  free(req);
  if (rc == MK_ERR_UNAVAILABLE || rc == MK_ERR_TIMEOUT) {
    char unreachable[sizeof(k->error)];
    snprintf(unreachable, sizeof(unreachable), "%s", k->error);
    mk_journal_request_finish(k->journal, key, "abandoned", NULL);
    return issue_offline(k, service_id, priority, unreachable, out);
  }
  if (rc != MK_OK) {
    mk_journal_request_finish(k->journal, key, "failed", NULL);
    return rc;
  }
  int dr = mk_rpc_decode_issue(resp, resp_len, out);
  free(resp);
  if (dr != MK_RPC_OK) {
    mk_journal_request_finish(k->journal, key, "failed", "malformed");
    memset(out, 0, sizeof(*out));
    return mk_kiosk_set_error(k, MK_ERR_PROTOCOL, "IssueTicket: malformed response message");
  }
  mk_journal_request_finish(k->journal, key, "done", out->number);
  if (!out->branch_id[0]) snprintf(out->branch_id, sizeof(out->branch_id), "%s", k->cfg.branch);
  mk_kiosk_branch_name(k, 1, out->branch_name, sizeof(out->branch_name));
  if (out->service_name[0]) mk_journal_service_put(k->journal, service_id, out->service_name, NULL);
  mk_text_tracking_url(k->cfg.tracking_url, out->ticket_id, out->tracking_code, out->tracking_url,
                       sizeof(out->tracking_url));
  if (mk_journal_last_put(k->journal, out) != MK_JOURNAL_OK) return mk_kiosk_journal_error(k, "write failed");
  int pr = mk_kiosk_print(k, out);
  after_success(k, service_id);
  return pr;
}


/* ---- checking a booking in --------------------------------------------------------------------------- */

/* Another branch's name through ListBranches (best effort, no retry); "" when unknown. */
static void other_branch_name(mk_kiosk *k, const char *branch_id, char *out, size_t outlen) {
  out[0] = '\0';
  uint8_t *req, *resp;
  size_t req_len, resp_len;
  if (mk_rpc_encode_list_branches(&req, &req_len) != MK_RPC_OK) return;
  char saved[sizeof(k->error)];
  memcpy(saved, k->error, sizeof(saved));
  mk_call_args a = {MK_RPC_LIST_BRANCHES, "ListBranches", req, req_len, 0, NULL, NULL, 0, 1};
  int rc = mk_kiosk_unary(k, &a, 0, &resp, &resp_len);
  free(req);
  memcpy(k->error, saved, sizeof(saved));
  if (rc != MK_OK) return;
  if (mk_rpc_decode_branch_name(resp, resp_len, branch_id, out, outlen) != MK_RPC_OK) out[0] = '\0';
  free(resp);
}

int mk_kiosk_checkin(mk_kiosk *k, const char *code, mk_ticket *out) {
  memset(out, 0, sizeof(*out));
  k->error[0] = '\0';
  if (mk_kiosk_need_token(k)) return MK_ERR_CONFIG;
  if (code == NULL || !code[0]) return mk_kiosk_set_error(k, MK_ERR_CONFIG, "no booking code given (--code CODE)");

  uint8_t *req, *resp;
  size_t req_len, resp_len;
  if (mk_rpc_encode_checkin(k->cfg.branch, code, &req, &req_len) != MK_RPC_OK)
    return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  /* CheckIn is idempotent on the server (a second check-in returns the same ticket): UNAVAILABLE is retried. */
  mk_call_args a = {MK_RPC_CHECK_IN, "CheckIn", req, req_len, 1, NULL, NULL, 0, 1};
  int rc = mk_kiosk_unary(k, &a, 1, &resp, &resp_len);
  free(req);
  if (rc != MK_OK) {
    if (rc == MK_ERR_TLS || rc == MK_ERR_CONFIG || rc == MK_ERR_NOMEM || rc == MK_ERR_PROTOCOL) return rc;
    mk_h2_status st = k->last_status;
    char other[128], name[256] = "";
    if (rc == MK_ERR_REJECTED && mk_kiosk_checkin_other_branch(st.message, other, sizeof(other)))
      other_branch_name(k, other, name, sizeof(name));
    return mk_kiosk_checkin_explain(rc, &st, code, name, k->error, sizeof(k->error));
  }
  int dr = mk_rpc_decode_checkin(resp, resp_len, out);
  free(resp);
  if (dr != MK_RPC_OK) {
    memset(out, 0, sizeof(*out));
    return mk_kiosk_set_error(k, MK_ERR_PROTOCOL, "CheckIn: malformed response message");
  }
  if (!out->branch_id[0]) snprintf(out->branch_id, sizeof(out->branch_id), "%s", k->cfg.branch);
  if (!out->booking_code[0]) snprintf(out->booking_code, sizeof(out->booking_code), "%s", code);
  mk_kiosk_branch_name(k, 1, out->branch_name, sizeof(out->branch_name));
  if (out->service_name[0]) mk_journal_service_put(k->journal, out->service_id, out->service_name, NULL);
  mk_text_tracking_url(k->cfg.tracking_url, out->ticket_id, out->tracking_code, out->tracking_url,
                       sizeof(out->tracking_url));
  if (mk_journal_last_put(k->journal, out) != MK_JOURNAL_OK) return mk_kiosk_journal_error(k, "write failed");
  int pr = mk_kiosk_print(k, out);
  after_success(k, NULL);
  return pr;
}
