/* predict: PredictWait for one branch and service, no token. issue: IssueTicket with a fresh idempotency key
 * per call ("<run_id>-<n>"), branches round robin, the branch's token. Only the status matters for the
 * figures; an issued ticket is read (ticket id, number, replayed) for --record and the counts. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "modes.h"
#include "report.h"
#include "requests.h"
#include "responses.h"
#include "stats.h"

struct lg_unary {
  const lg_options *o;
  int issue;
  char **bearer; /* per branch: "Bearer …" or NULL */
  uint8_t fixed[LG_REQ_MAX]; /* predict: the one request */
  size_t fixed_len;
  uint8_t scratch[LG_REQ_MAX];
  mk_h2_header md;
  char run_id[96];
  uint64_t *slot_seq; /* issue: the key number of each slot's call */
  uint64_t started, limit;
  int begun;
  int64_t end_us; /* 0 until measuring starts with --duration */
  lg_window win;
  lg_stats stats;
  uint64_t tickets, replayed, malformed;
  FILE *record;
  int nomem;
};

/* The idempotency key of the n-th IssueTicket (n from 1): sent, and written to the record. */
static void make_key(const lg_unary *u, uint64_t n, char *key, size_t keylen) {
  snprintf(key, keylen, "%s-%" PRIu64, u->run_id, n);
}

int lg_unary_new(lg_unary **out, const lg_options *o, const lg_tokens *tokens, const char *run_id, FILE *record,
                 size_t slots, char *err, size_t errlen) {
  *out = NULL;
  lg_unary *u = calloc(1, sizeof(*u));
  if (u == NULL) return LG_MODE_ERR_NOMEM;
  u->o = o;
  u->issue = o->mode == LG_MODE_ISSUE;
  u->record = record;
  u->limit = o->calls ? o->warmup + o->calls : 0;
  snprintf(u->run_id, sizeof(u->run_id), "%s", run_id);
  lg_stats_init(&u->stats);
  u->bearer = calloc(o->n_branches, sizeof(*u->bearer));
  u->slot_seq = calloc(slots ? slots : 1, sizeof(*u->slot_seq));
  if (u->bearer == NULL || u->slot_seq == NULL) goto nomem;
  if (u->issue) {
    char key[128];
    make_key(u, UINT64_MAX, key, sizeof(key)); /* the longest key */
    for (size_t i = 0; i < o->n_branches; i++) {
      if (lg_tokens_bearer(tokens, o->branches[i], NULL, o->token, &u->bearer[i]) != LG_LIST_OK) goto nomem;
      if (lg_req_issue(o->branches[i], o->service, key, u->scratch, sizeof(u->scratch), &u->fixed_len) != LG_REQ_OK) {
        snprintf(err, errlen, "branch or service id too long");
        lg_unary_free(u);
        return LG_MODE_ERR_CONFIG;
      }
    }
  } else if (lg_req_predict(o->branches[0], o->service, u->fixed, sizeof(u->fixed), &u->fixed_len) != LG_REQ_OK) {
    snprintf(err, errlen, "branch or service id too long");
    lg_unary_free(u);
    return LG_MODE_ERR_CONFIG;
  }
  *out = u;
  return LG_MODE_OK;
nomem:
  lg_unary_free(u);
  return LG_MODE_ERR_NOMEM;
}

void lg_unary_free(lg_unary *u) {
  if (u == NULL) return;
  for (size_t i = 0; u->bearer && i < u->o->n_branches; i++) free(u->bearer[i]);
  free(u->bearer);
  free(u->slot_seq);
  lg_stats_free(&u->stats);
  free(u);
}

int lg_unary_nomem(const lg_unary *u) { return u->nomem; }

static int unary_next(void *self, size_t slot, int64_t now, mk_h2_request *req) {
  lg_unary *u = self;
  if (!u->begun) {
    u->begun = 1;
    lg_window_init(&u->win, u->o->warmup, now);
    if (u->o->warmup == 0 && u->o->duration_s > 0) u->end_us = now + (int64_t)(u->o->duration_s * 1e6);
  }
  if (u->limit && u->started >= u->limit) return 0;
  if (u->end_us && now >= u->end_us) return 0;
  req->timeout_ms = u->o->timeout_ms;
  if (!u->issue) {
    req->path = LG_PATH_PREDICT;
    req->message = u->fixed;
    req->message_len = u->fixed_len;
    u->started++;
    return 1;
  }
  uint64_t n = ++u->started;
  size_t b = (size_t)((n - 1) % u->o->n_branches);
  char key[128];
  make_key(u, n, key, sizeof(key));
  if (lg_req_issue(u->o->branches[b], u->o->service, key, u->scratch, sizeof(u->scratch), &req->message_len) !=
      LG_REQ_OK)
    return 0; /* cannot happen: lg_unary_new() encoded the longest key */
  u->slot_seq[slot] = n;
  req->path = LG_PATH_ISSUE;
  req->message = u->scratch;
  if (u->bearer[b]) {
    u->md.name = "authorization";
    u->md.value = u->bearer[b];
    req->metadata = &u->md;
    req->metadata_count = 1;
  }
  return 1;
}

static void record_ticket(lg_unary *u, size_t slot, const lg_call_result *r) {
  lg_ticket_view t;
  int replayed = 0;
  int rc = lg_resp_ticket(r->response, r->response_len, &t, &replayed);
  if (rc < 0) {
    u->malformed++;
    return;
  }
  if (rc == 0) return; /* OK without a ticket: the reference server's fixed payload */
  u->tickets++;
  u->replayed += replayed != 0;
  if (u->record == NULL) return;
  uint64_t n = u->slot_seq[slot];
  char key[128];
  make_key(u, n, key, sizeof(key));
  fprintf(u->record, "%s\t%s\t%.*s\t%.*s\t%.*s\t%.*s\t%d\n", key,
          u->o->branches[(n - 1) % u->o->n_branches], (int)t.service_id.len, (const char *)t.service_id.data,
          (int)t.ticket_id.len, (const char *)t.ticket_id.data, (int)t.number.len, (const char *)t.number.data,
          (int)t.tracking_code.len, (const char *)t.tracking_code.data, replayed);
}

static void unary_done(void *self, size_t slot, const lg_call_result *r) {
  lg_unary *u = self;
  if (r->how == LG_END_STOPPED) return;
  int measured = lg_window_take(&u->win, r->now_us);
  if (!measured && !lg_window_warming(&u->win) && u->o->duration_s > 0) /* the last warm-up call */
    u->end_us = u->win.start_us + (int64_t)(u->o->duration_s * 1e6);
  if (!measured) return;
  int rc = LG_STATS_OK;
  switch (r->how) {
  case LG_END_TRANSPORT: lg_stats_add_transport(&u->stats); break;
  case LG_END_TIMEOUT: rc = lg_stats_add(&u->stats, r->status->code, -1); break;
  default: rc = lg_stats_add(&u->stats, r->status->code, r->latency_us); break;
  }
  if (rc != LG_STATS_OK) u->nomem = 1;
  if (u->issue && r->how == LG_END_STATUS && r->status->code == 0) record_ticket(u, slot, r);
}

static int unary_poll(void *self, int64_t now) {
  (void)self;
  (void)now;
  return 0;
}

lg_driver lg_unary_driver(lg_unary *u) { return (lg_driver){u, unary_next, unary_done, unary_poll}; }

void lg_unary_report(lg_unary *u, FILE *f, size_t connections, size_t slots) {
  double seconds = lg_window_seconds(&u->win);
  const char *label = u->issue ? "IssueTicket" : "PredictWait";
  lg_report_calls(f, label, &u->stats, seconds);
  if (u->issue)
    fprintf(f, "  tickets in the answers: %" PRIu64 " (%" PRIu64 " replayed), %" PRIu64 " malformed answers\n",
            u->tickets, u->replayed, u->malformed);
  lg_report_begin(f, u->o, connections, slots);
  lg_report_call_fields(f, "", &u->stats, seconds);
  if (u->issue)
    fprintf(f, " tickets=%" PRIu64 " replayed=%" PRIu64 " malformed=%" PRIu64, u->tickets, u->replayed,
            u->malformed);
}
