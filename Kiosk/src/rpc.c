#include "rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "motcua/v1/directory.pb-c.h"
#include "motcua/v1/display.pb-c.h"
#include "motcua/v1/kiosk.pb-c.h"

static void copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src ? src : "");
}

static int pack(const ProtobufCMessage *m, uint8_t **buf, size_t *len) {
  size_t n = protobuf_c_message_get_packed_size(m);
  *buf = malloc(n ? n : 1);
  if (*buf == NULL) return MK_RPC_ERR_NOMEM;
  *len = protobuf_c_message_pack(m, *buf);
  return MK_RPC_OK;
}

int mk_rpc_encode_list_branches(uint8_t **buf, size_t *len) {
  Motcua__V1__ListBranchesRequest req = MOTCUA__V1__LIST_BRANCHES_REQUEST__INIT;
  return pack(&req.base, buf, len);
}

int mk_rpc_encode_list_services(const char *branch_id, uint8_t **buf, size_t *len) {
  if (branch_id == NULL) return MK_RPC_ERR_INVALID;
  Motcua__V1__ListServicesRequest req = MOTCUA__V1__LIST_SERVICES_REQUEST__INIT;
  req.branch_id = (char *)branch_id;
  return pack(&req.base, buf, len);
}

int mk_rpc_encode_issue(const mk_rpc_issue *in, uint8_t **buf, size_t *len) {
  if (in == NULL || in->branch_id == NULL || in->service_id == NULL || in->idempotency_key == NULL)
    return MK_RPC_ERR_INVALID;
  Motcua__V1__IssueTicketRequest req = MOTCUA__V1__ISSUE_TICKET_REQUEST__INIT;
  Motcua__V1__OfflineIssue off = MOTCUA__V1__OFFLINE_ISSUE__INIT;
  Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
  req.branch_id = (char *)in->branch_id;
  req.service_id = (char *)in->service_id;
  req.priority = (Motcua__V1__Priority)in->priority;
  req.idempotency_key = (char *)in->idempotency_key;
  if (in->offline) {
    const mk_offline_ticket *o = in->offline;
    off.lease_id = (char *)o->lease_id;
    off.sequence = o->sequence;
    off.ticket_id = (char *)o->ticket_id;
    off.tracking_code = (char *)o->tracking_code;
    int64_t ms = o->issued_at_ms;
    at.seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    at.nanos = (int32_t)((ms - at.seconds * 1000) * 1000000);
    off.issued_at = &at;
    req.offline = &off;
  }
  return pack(&req.base, buf, len);
}

int mk_rpc_encode_lease(const char *branch_id, const char *service_id, uint32_t count, const char *key,
                        uint8_t **buf, size_t *len) {
  if (branch_id == NULL || service_id == NULL || key == NULL) return MK_RPC_ERR_INVALID;
  Motcua__V1__LeaseNumbersRequest req = MOTCUA__V1__LEASE_NUMBERS_REQUEST__INIT;
  req.branch_id = (char *)branch_id;
  req.service_id = (char *)service_id;
  req.count = count;
  req.idempotency_key = (char *)key;
  return pack(&req.base, buf, len);
}

int mk_rpc_encode_checkin(const char *branch_id, const char *code, uint8_t **buf, size_t *len) {
  if (branch_id == NULL || code == NULL) return MK_RPC_ERR_INVALID;
  Motcua__V1__CheckInRequest req = MOTCUA__V1__CHECK_IN_REQUEST__INIT;
  req.branch_id = (char *)branch_id;
  req.code = (char *)code;
  return pack(&req.base, buf, len);
}

int mk_rpc_encode_watch(const char *branch_id, uint64_t after_sequence, uint8_t **buf, size_t *len) {
  if (branch_id == NULL) return MK_RPC_ERR_INVALID;
  Motcua__V1__WatchBranchRequest req = MOTCUA__V1__WATCH_BRANCH_REQUEST__INIT;
  req.branch_id = (char *)branch_id;
  req.after_sequence = after_sequence;
  return pack(&req.base, buf, len);
}

int mk_rpc_decode_branch_name(const uint8_t *msg, size_t len, const char *branch_id, char *name, size_t namelen) {
  Motcua__V1__ListBranchesResponse *r = motcua__v1__list_branches_response__unpack(NULL, len, msg);
  if (r == NULL) return MK_RPC_ERR_MALFORMED;
  copy(name, namelen, "");
  for (size_t i = 0; i < r->n_branches; i++)
    if (strcmp(r->branches[i]->branch_id, branch_id) == 0) copy(name, namelen, r->branches[i]->name);
  motcua__v1__list_branches_response__free_unpacked(r, NULL);
  return MK_RPC_OK;
}

int mk_rpc_decode_services(const uint8_t *msg, size_t len, mk_service **list, size_t *count) {
  *list = NULL;
  *count = 0;
  Motcua__V1__ListServicesResponse *r = motcua__v1__list_services_response__unpack(NULL, len, msg);
  if (r == NULL) return MK_RPC_ERR_MALFORMED;
  mk_service *out = calloc(r->n_services ? r->n_services : 1, sizeof(*out));
  if (out == NULL) {
    motcua__v1__list_services_response__free_unpacked(r, NULL);
    return MK_RPC_ERR_NOMEM;
  }
  for (size_t i = 0; i < r->n_services; i++) {
    const Motcua__V1__ServiceInfo *s = r->services[i];
    copy(out[i].service_id, sizeof(out[i].service_id), s->service_id);
    copy(out[i].name_vi, sizeof(out[i].name_vi), s->name_vi);
    copy(out[i].name_en, sizeof(out[i].name_en), s->name_en);
    copy(out[i].prefix, sizeof(out[i].prefix), s->prefix);
    out[i].people_waiting = s->people_waiting;
    out[i].open_counters = s->open_counters;
    if (s->estimate) {
      out[i].p50_seconds = s->estimate->p50_seconds;
      out[i].p90_seconds = s->estimate->p90_seconds;
    }
  }
  *count = r->n_services;
  *list = out;
  motcua__v1__list_services_response__free_unpacked(r, NULL);
  return MK_RPC_OK;
}

static int64_t timestamp_ms(const Google__Protobuf__Timestamp *ts) {
  return ts ? ts->seconds * 1000 + ts->nanos / 1000000 : 0;
}

/* The ticket fields the server sends; 0 when a required one (id, number, tracking code) is missing. */
static int fill_ticket(const Motcua__V1__Ticket *t, mk_ticket *out) {
  if (t == NULL || !t->ticket_id[0] || !t->number[0] || !t->tracking_code[0]) return 0;
  copy(out->ticket_id, sizeof(out->ticket_id), t->ticket_id);
  copy(out->number, sizeof(out->number), t->number);
  copy(out->tracking_code, sizeof(out->tracking_code), t->tracking_code);
  copy(out->branch_id, sizeof(out->branch_id), t->branch_id);
  copy(out->service_id, sizeof(out->service_id), t->service_id);
  copy(out->service_name, sizeof(out->service_name), t->service_name);
  out->priority = (int)t->priority;
  out->people_ahead = t->people_ahead;
  out->has_estimate = t->estimate != NULL;
  out->p50_seconds = t->estimate ? t->estimate->p50_seconds : 0;
  out->p90_seconds = t->estimate ? t->estimate->p90_seconds : 0;
  out->issued_at_ms = timestamp_ms(t->issued_at);
  return 1;
}

/* The suggested branch, if the server sent one that names a branch (one naming none is ignored). */
static void fill_suggestion(const Motcua__V1__BranchSuggestion *s, mk_ticket *out) {
  out->has_suggestion = 0;
  memset(&out->suggestion, 0, sizeof(out->suggestion));
  if (s == NULL || (!s->branch_id[0] && !s->name[0])) return;
  mk_suggestion *d = &out->suggestion;
  copy(d->branch_id, sizeof(d->branch_id), s->branch_id);
  copy(d->name, sizeof(d->name), s->name);
  copy(d->address, sizeof(d->address), s->address);
  d->distance_km = s->distance_km;
  d->travel_minutes = s->travel_minutes;
  d->predicted_wait_minutes = s->predicted_wait_minutes;
  d->wait_here_minutes = s->wait_here_minutes;
  out->has_suggestion = 1;
}

int mk_rpc_decode_issue(const uint8_t *msg, size_t len, mk_ticket *out) {
  Motcua__V1__IssueTicketResponse *r = motcua__v1__issue_ticket_response__unpack(NULL, len, msg);
  if (r == NULL) return MK_RPC_ERR_MALFORMED;
  int ok = fill_ticket(r->ticket, out);
  if (ok) {
    out->replayed = r->replayed;
    fill_suggestion(r->suggestion, out);
  }
  motcua__v1__issue_ticket_response__free_unpacked(r, NULL);
  return ok ? MK_RPC_OK : MK_RPC_ERR_MALFORMED;
}

int mk_rpc_decode_checkin(const uint8_t *msg, size_t len, mk_ticket *out) {
  Motcua__V1__CheckInResponse *r = motcua__v1__check_in_response__unpack(NULL, len, msg);
  if (r == NULL) return MK_RPC_ERR_MALFORMED;
  const Motcua__V1__Booking *b = r->booking;
  int ok = b != NULL && b->start != NULL && fill_ticket(r->ticket, out);
  if (ok) {
    out->appointment_start_ms = timestamp_ms(b->start);
    copy(out->booking_code, sizeof(out->booking_code), b->code);
  }
  motcua__v1__check_in_response__free_unpacked(r, NULL);
  return ok ? MK_RPC_OK : MK_RPC_ERR_MALFORMED;
}

int mk_rpc_decode_lease(const uint8_t *msg, size_t len, mk_lease *out) {
  Motcua__V1__LeaseNumbersResponse *r = motcua__v1__lease_numbers_response__unpack(NULL, len, msg);
  if (r == NULL) return MK_RPC_ERR_MALFORMED;
  const Motcua__V1__NumberLease *l = r->lease;
  int ok = l && l->lease_id[0] && strlen(l->local_date) == 10 && l->prefix[0] && l->first_sequence > 0 &&
           l->first_sequence <= l->last_sequence && l->expires_at;
  if (ok) {
    memset(out, 0, sizeof(*out));
    copy(out->lease_id, sizeof(out->lease_id), l->lease_id);
    copy(out->service_id, sizeof(out->service_id), l->service_id);
    copy(out->local_date, sizeof(out->local_date), l->local_date);
    copy(out->prefix, sizeof(out->prefix), l->prefix);
    out->first_sequence = l->first_sequence;
    out->last_sequence = l->last_sequence;
    out->next_sequence = l->first_sequence;
    out->expires_at_s = l->expires_at->seconds;
  }
  motcua__v1__lease_numbers_response__free_unpacked(r, NULL);
  return ok ? MK_RPC_OK : MK_RPC_ERR_MALFORMED;
}

static const char *event_name(int kind) {
  static const char *const names[] = {"UNSPECIFIED", "ISSUED", "CALLED", "RECALLED", "SERVING_STARTED",
                                      "COMPLETED", "NO_SHOW", "TRANSFERRED", "COUNTER_OPENED", "COUNTER_CLOSED"};
  return kind >= 0 && kind <= 9 ? names[kind] : "UNKNOWN";
}

static void set_queue(mk_branch_view *view, const Motcua__V1__ServiceQueue *q) {
  size_t i;
  for (i = 0; i < view->queue_count; i++)
    if (strcmp(view->queues[i].service_id, q->service_id) == 0) break;
  if (i == view->queue_count) {
    if (view->queue_count == sizeof(view->queues) / sizeof(view->queues[0])) return;
    view->queue_count++;
    copy(view->queues[i].service_id, sizeof(view->queues[i].service_id), q->service_id);
  }
  if (q->prefix[0]) copy(view->queues[i].prefix, sizeof(view->queues[i].prefix), q->prefix);
  view->queues[i].waiting = q->waiting;
  view->queues[i].open_counters = q->open_counters;
}

int mk_rpc_apply_watch(const uint8_t *msg, size_t len, mk_branch_view *view) {
  Motcua__V1__WatchBranchResponse *r = motcua__v1__watch_branch_response__unpack(NULL, len, msg);
  if (r == NULL) return MK_RPC_ERR_MALFORMED;
  int rc = MK_RPC_OK;
  view->event[0] = view->number[0] = view->counter_name[0] = '\0';
  if (r->payload_case == MOTCUA__V1__WATCH_BRANCH_RESPONSE__PAYLOAD_SNAPSHOT) {
    const Motcua__V1__BranchSnapshot *s = r->snapshot;
    view->is_snapshot = 1;
    view->sequence = s->sequence;
    view->queue_count = 0;
    for (size_t i = 0; i < s->n_queues; i++) set_queue(view, s->queues[i]);
  } else if (r->payload_case == MOTCUA__V1__WATCH_BRANCH_RESPONSE__PAYLOAD_EVENT) {
    const Motcua__V1__BranchEvent *e = r->event;
    view->is_snapshot = 0;
    view->sequence = e->sequence;
    copy(view->event, sizeof(view->event), event_name(e->kind));
    copy(view->number, sizeof(view->number), e->number);
    copy(view->counter_name, sizeof(view->counter_name), e->counter_name);
    for (size_t i = 0; i < e->n_queues; i++) set_queue(view, e->queues[i]);
  } else {
    rc = MK_RPC_ERR_MALFORMED;
  }
  motcua__v1__watch_branch_response__free_unpacked(r, NULL);
  return rc;
}
