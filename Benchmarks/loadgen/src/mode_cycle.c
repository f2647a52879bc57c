/* counter-cycle: each counter is one slot (a counter holding a called ticket is refused another CallNext):
 * CallNext; when it called a ticket, Complete that ticket; repeat. "Nobody waiting" (CallNextResponse without
 * a ticket) is counted apart; with --until-empty the counter stops there, with --always-complete it still
 * sends Complete with a placeholder id (the reference server answers every CallNext with the same payload).
 * --calls N stops new cycles once N calls were started; a cycle begun still sends its Complete. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_status.h"
#include "modes.h"
#include "report.h"
#include "requests.h"
#include "responses.h"
#include "stats.h"

typedef struct cycle_slot {
  int completing; /* the next call is Complete of `ticket` */
  int stopped;    /* --until-empty and nobody waits */
  int open_sent;  /* the OpenCounter step asked for this counter */
  int opened;     /* and the server answered OK */
  char ticket[160];
  char number[32];
} cycle_slot;

struct lg_cycle {
  const lg_options *o;
  const lg_counters *counters;
  char **bearer; /* per counter */
  cycle_slot *slots;
  uint8_t scratch[LG_REQ_MAX];
  mk_h2_header md;
  uint64_t started, limit;
  int begun;
  int64_t end_us;
  lg_window win;
  lg_stats all, next_stats, complete_stats;
  uint64_t called, empty, cycles, malformed;
  uint64_t open_failed;
  char open_error[400];
  FILE *record;
  int nomem;
};

int lg_cycle_new(lg_cycle **out, const lg_options *o, const lg_tokens *tokens, const lg_counters *counters,
                 FILE *record, char *err, size_t errlen) {
  *out = NULL;
  if (counters->n == 0) {
    snprintf(err, errlen, "no counters given");
    return LG_MODE_ERR_CONFIG;
  }
  lg_cycle *c = calloc(1, sizeof(*c));
  if (c == NULL) return LG_MODE_ERR_NOMEM;
  c->o = o;
  c->counters = counters;
  c->record = record;
  c->limit = o->calls ? o->warmup + o->calls : 0;
  lg_stats_init(&c->all);
  lg_stats_init(&c->next_stats);
  lg_stats_init(&c->complete_stats);
  c->bearer = calloc(counters->n, sizeof(*c->bearer));
  c->slots = calloc(counters->n, sizeof(*c->slots));
  if (c->bearer == NULL || c->slots == NULL) goto nomem;
  for (size_t i = 0; i < counters->n; i++) {
    const lg_counter *k = &counters->items[i];
    int rc = k->token ? lg_tokens_bearer(tokens, NULL, NULL, k->token, &c->bearer[i])
                      : lg_tokens_bearer(tokens, k->counter, k->branch, o->token, &c->bearer[i]);
    if (rc != LG_LIST_OK) goto nomem;
    size_t len;
    if (lg_req_complete(o->placeholder, k->counter, c->scratch, sizeof(c->scratch), &len) != LG_REQ_OK ||
        strlen(o->placeholder) >= sizeof(c->slots[i].ticket)) {
      snprintf(err, errlen, "counter id or placeholder ticket id too long");
      lg_cycle_free(c);
      return LG_MODE_ERR_CONFIG;
    }
  }
  *out = c;
  return LG_MODE_OK;
nomem:
  lg_cycle_free(c);
  return LG_MODE_ERR_NOMEM;
}

void lg_cycle_free(lg_cycle *c) {
  if (c == NULL) return;
  for (size_t i = 0; c->bearer && i < c->counters->n; i++) free(c->bearer[i]);
  free(c->bearer);
  free(c->slots);
  lg_stats_free(&c->all);
  lg_stats_free(&c->next_stats);
  lg_stats_free(&c->complete_stats);
  free(c);
}

int lg_cycle_nomem(const lg_cycle *c) { return c->nomem; }

static void authorize(lg_cycle *c, size_t slot, mk_h2_request *req) {
  if (c->bearer[slot] == NULL) return;
  c->md.name = "authorization";
  c->md.value = c->bearer[slot];
  req->metadata = &c->md;
  req->metadata_count = 1;
}

static int never_stop(void *self, int64_t now) {
  (void)self;
  (void)now;
  return 0;
}

/* ---- the OpenCounter step ---- */

static int open_next(void *self, size_t slot, int64_t now, mk_h2_request *req) {
  (void)now;
  lg_cycle *c = self;
  if (c->slots[slot].open_sent) return 0;
  c->slots[slot].open_sent = 1;
  if (lg_req_open_counter(c->counters->items[slot].counter, c->o->service, c->scratch, sizeof(c->scratch),
                          &req->message_len) != LG_REQ_OK)
    return 0;
  req->path = LG_PATH_OPEN_COUNTER;
  req->message = c->scratch;
  req->timeout_ms = c->o->timeout_ms;
  authorize(c, slot, req);
  return 1;
}

static void open_done(void *self, size_t slot, const lg_call_result *r) {
  lg_cycle *c = self;
  if (r->how == LG_END_STATUS && r->status->code == MK_GRPC_OK) {
    c->slots[slot].opened = 1;
    return;
  }
  if (c->open_failed++ == 0)
    snprintf(c->open_error, sizeof(c->open_error), "OpenCounter %s: %s: %s", c->counters->items[slot].counter,
             mk_grpc_code_name(r->status->code), r->status->message);
}

lg_driver lg_cycle_open_driver(lg_cycle *c) { return (lg_driver){c, open_next, open_done, never_stop}; }

int lg_cycle_open_result(const lg_cycle *c, char *err, size_t errlen) {
  size_t opened = 0;
  for (size_t i = 0; i < c->counters->n; i++) opened += c->slots[i].opened;
  if (opened == c->counters->n) return 0;
  if (c->open_failed)
    snprintf(err, errlen, "%zu of %zu counters not opened; first: %s", c->counters->n - opened, c->counters->n,
             c->open_error);
  else
    snprintf(err, errlen, "%zu of %zu counters not opened", c->counters->n - opened, c->counters->n);
  return -1;
}

/* ---- the cycles ---- */

static int cycle_next(void *self, size_t slot, int64_t now, mk_h2_request *req) {
  lg_cycle *c = self;
  cycle_slot *s = &c->slots[slot];
  const char *counter = c->counters->items[slot].counter;
  if (!c->begun) {
    c->begun = 1;
    lg_window_init(&c->win, c->o->warmup, now);
    if (c->o->warmup == 0 && c->o->duration_s > 0) c->end_us = now + (int64_t)(c->o->duration_s * 1e6);
  }
  int rc;
  if (s->completing) {
    rc = lg_req_complete(s->ticket, counter, c->scratch, sizeof(c->scratch), &req->message_len);
    req->path = LG_PATH_COMPLETE;
  } else {
    if (s->stopped || (c->limit && c->started >= c->limit) || (c->end_us && now >= c->end_us)) return 0;
    rc = lg_req_call_next(counter, c->scratch, sizeof(c->scratch), &req->message_len);
    req->path = LG_PATH_CALL_NEXT;
  }
  if (rc != LG_REQ_OK) return 0; /* cannot happen: lengths were checked */
  c->started++;
  req->message = c->scratch;
  req->timeout_ms = c->o->timeout_ms;
  authorize(c, slot, req);
  return 1;
}

static void count(lg_cycle *c, lg_stats *part, const lg_call_result *r) {
  int rc = LG_STATS_OK;
  for (int i = 0; i < 2 && rc == LG_STATS_OK; i++) {
    lg_stats *s = i ? part : &c->all;
    if (r->how == LG_END_TRANSPORT) lg_stats_add_transport(s);
    else rc = lg_stats_add(s, r->status->code, r->how == LG_END_TIMEOUT ? -1 : r->latency_us);
  }
  if (rc != LG_STATS_OK) c->nomem = 1;
}

static void cycle_done(void *self, size_t slot, const lg_call_result *r) {
  lg_cycle *c = self;
  cycle_slot *s = &c->slots[slot];
  if (r->how == LG_END_STOPPED) return;
  int measured = lg_window_take(&c->win, r->now_us);
  if (!measured && !lg_window_warming(&c->win) && c->o->duration_s > 0)
    c->end_us = c->win.start_us + (int64_t)(c->o->duration_s * 1e6);
  int ok = r->how == LG_END_STATUS && r->status->code == MK_GRPC_OK;
  if (s->completing) {
    if (measured) count(c, &c->complete_stats, r);
    if (r->how == LG_END_TRANSPORT) return; /* the slot is parked with its connection */
    s->completing = 0;                       /* a refused Complete is not retried */
    if (!ok) return;
    if (measured) c->cycles++;
    if (c->record)
      fprintf(c->record, "%s\t%s\t%s\t%s\n", c->counters->items[slot].branch, c->counters->items[slot].counter,
              s->ticket, s->number);
    return;
  }
  if (measured) count(c, &c->next_stats, r);
  if (!ok) return; /* the next CallNext tries again */
  lg_ticket_view t;
  int rc = lg_resp_ticket(r->response, r->response_len, &t, NULL);
  if (rc < 0) {
    c->malformed += measured;
    return;
  }
  if (rc == 1 && t.ticket_id.len < sizeof(s->ticket)) {
    c->called += measured;
    lg_bytes_copy(t.ticket_id, s->ticket, sizeof(s->ticket));
    lg_bytes_copy(t.number, s->number, sizeof(s->number));
    s->completing = 1;
    return;
  }
  c->empty += measured;
  if (c->o->always_complete) {
    snprintf(s->ticket, sizeof(s->ticket), "%s", c->o->placeholder);
    s->number[0] = '\0';
    s->completing = 1;
  } else if (c->o->until_empty) {
    s->stopped = 1;
  }
}

lg_driver lg_cycle_driver(lg_cycle *c) { return (lg_driver){c, cycle_next, cycle_done, never_stop}; }

void lg_cycle_report(lg_cycle *c, FILE *f, size_t connections, size_t slots) {
  double seconds = lg_window_seconds(&c->win);
  lg_report_calls(f, "all calls", &c->all, seconds);
  lg_report_calls(f, "CallNext", &c->next_stats, seconds);
  lg_report_calls(f, "Complete", &c->complete_stats, seconds);
  fprintf(f, "  cycles completed: %" PRIu64 " (%.1f/s); tickets called: %" PRIu64 "; nobody waiting: %" PRIu64
             "; malformed CallNext answers: %" PRIu64 "\n",
          c->cycles, seconds > 0 ? (double)c->cycles / seconds : 0.0, c->called, c->empty, c->malformed);
  lg_report_begin(f, c->o, connections, slots);
  lg_report_call_fields(f, "", &c->all, seconds);
  fprintf(f, " cycles=%" PRIu64 " cycles_per_s=%.1f called=%" PRIu64 " empty=%" PRIu64 " malformed=%" PRIu64,
          c->cycles, seconds > 0 ? (double)c->cycles / seconds : 0.0, c->called, c->empty, c->malformed);
  lg_report_call_fields(f, "callnext_", &c->next_stats, seconds);
  lg_report_call_fields(f, "complete_", &c->complete_stats, seconds);
}
