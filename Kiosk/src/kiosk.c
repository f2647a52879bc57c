#include "kiosk_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "escpos.h"
#include "grpc_status.h"
#include "journal.h"
#include "net.h"
#include "png_out.h"
#include "printer.h"
#include "rpc.h"
#include "ticket_render.h"
#include "ticket_text.h"

#define FAR_FUTURE_MS (24LL * 3600 * 1000)


int mk_kiosk_set_error(mk_kiosk *k, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(k->error, sizeof(k->error), fmt, ap);
  va_end(ap);
  return rc;
}

int64_t mk_kiosk_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

const char *mk_strerror(int err) {
  switch (err) {
  case MK_OK: return "ok";
  case MK_ERR_CONFIG: return "configuration error";
  case MK_ERR_UNAVAILABLE: return "server unreachable";
  case MK_ERR_TLS: return "TLS failure";
  case MK_ERR_AUTH: return "token refused";
  case MK_ERR_NOT_FOUND: return "not found";
  case MK_ERR_REJECTED: return "request refused";
  case MK_ERR_PROTOCOL: return "malformed response";
  case MK_ERR_SEE_STAFF: return "please see staff";
  case MK_ERR_JOURNAL: return "journal error";
  case MK_ERR_PRINTER: return "printer error";
  case MK_ERR_RENDER: return "ticket rendering error";
  case MK_ERR_NOMEM: return "out of memory";
  case MK_ERR_TIMEOUT: return "timed out";
  case MK_ERR_NOTHING: return "nothing to do";
  default: return "unknown error";
  }
}

int mk_kiosk_map_status(const mk_h2_status *st, const char *rpc, char *msg, size_t msglen) {
  const char *name = mk_grpc_code_name(st->code);
  switch (st->code) {
  case MK_GRPC_OK: msg[0] = '\0'; return MK_OK;
  case MK_GRPC_UNAVAILABLE:
    snprintf(msg, msglen, "server unreachable: %s", st->message);
    return MK_ERR_UNAVAILABLE;
  case MK_GRPC_DEADLINE_EXCEEDED:
    snprintf(msg, msglen, "%s timed out: %s", rpc, st->message);
    return MK_ERR_TIMEOUT;
  case MK_GRPC_UNAUTHENTICATED:
  case MK_GRPC_PERMISSION_DENIED:
    snprintf(msg, msglen, "token refused by the server (%s): %s", name, st->message);
    return MK_ERR_AUTH;
  case MK_GRPC_NOT_FOUND:
    snprintf(msg, msglen, "not found (%s): %s", name, st->message);
    return MK_ERR_NOT_FOUND;
  case MK_GRPC_INTERNAL:
  case MK_GRPC_UNKNOWN:
    if (strncmp(st->message, "malformed response", 18) == 0) {
      snprintf(msg, msglen, "%s: %s", rpc, st->message);
      return MK_ERR_PROTOCOL;
    }
    /* fall through */
  default:
    snprintf(msg, msglen, "%s refused (%s): %s", rpc, name, st->message);
    return MK_ERR_REJECTED;
  }
}

/* After a failed CheckIn: the server's refusal as one line a citizen at the kiosk can act on. */
int mk_kiosk_checkin_explain(int rc, const mk_h2_status *st, const char *code, const char *other_branch_name,
                             char *msg, size_t msglen) {
  char other[128];
  if (rc == MK_ERR_UNAVAILABLE || rc == MK_ERR_TIMEOUT) {
    char why[700];
    snprintf(why, sizeof(why), "%s", msg);
    snprintf(msg, msglen, "cannot check in offline: please see staff (%s)", why[0] ? why : "server unreachable");
    return MK_ERR_SEE_STAFF;
  }
  if (rc == MK_ERR_NOT_FOUND && strstr(st->message, "no booking")) {
    snprintf(msg, msglen, "no booking with code %s (NOT_FOUND): please check the code", code);
    return rc;
  }
  if (rc != MK_ERR_REJECTED || st->code != MK_GRPC_FAILED_PRECONDITION) return rc;
  const char *m = st->message;
  if (strncmp(m, "too early: ", 11) == 0) {
    snprintf(msg, msglen, "too early to check in: %s", m + 11);
  } else if (strncmp(m, "too late: ", 10) == 0) {
    snprintf(msg, msglen, "too late to check in: %s%s", m + 10,
             strstr(m, "walk-in") ? "" : "; please take a walk-in ticket");
  } else if (mk_kiosk_checkin_other_branch(m, other, sizeof(other))) {
    if (other_branch_name && other_branch_name[0])
      snprintf(msg, msglen, "wrong branch: booking %s is at %s (%s), not here; please go there", code,
               other_branch_name, other);
    else
      snprintf(msg, msglen, "wrong branch: booking %s is at branch %s, not here; please go there", code, other);
  } else {
    snprintf(msg, msglen, "cannot check in: %s", m);
  }
  return rc;
}

int mk_kiosk_checkin_other_branch(const char *server_message, char *branch, size_t branchlen) {
  const char *p = strstr(server_message, "at branch '");
  if (p == NULL) return 0;
  p += 11;
  const char *end = strchr(p, '\'');
  if (end == NULL || end == p || (size_t)(end - p) >= branchlen) return 0;
  memcpy(branch, p, (size_t)(end - p));
  branch[end - p] = '\0';
  return 1;
}

/* ---- connection and calls ----------------------------------------------------------------------------- */

static void drop_connection(mk_kiosk *k) {
  mk_net_close(k->net);
  k->net = NULL;
  k->replayed_once = 0;
}

int mk_kiosk_ensure_connection(mk_kiosk *k, mk_h2_status *st) {
  if (k->net && mk_net_usable(k->net)) return MK_OK;
  drop_connection(k);
  mk_net_options o = {k->host, k->port, k->cfg.tls, k->cfg.ca_file[0] ? k->cfg.ca_file : NULL,
                      k->cfg.connect_timeout_ms};
  char err[400];
  int rc = mk_net_connect(&o, &k->net, err, sizeof(err));
  if (rc == MK_NET_OK) return MK_OK;
  st->code = MK_GRPC_UNAVAILABLE;
  st->http_status = 0;
  snprintf(st->message, sizeof(st->message), "%s", err);
  switch (rc) {
  case MK_NET_ERR_TLS: return mk_kiosk_set_error(k, MK_ERR_TLS, "%s", err);
  case MK_NET_ERR_CONFIG: return mk_kiosk_set_error(k, MK_ERR_CONFIG, "%s", err);
  case MK_NET_ERR_NOMEM: return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  default: return mk_kiosk_set_error(k, MK_ERR_UNAVAILABLE, "server unreachable: %s", err);
  }
}


/* One attempt; returns an mk_err (message in k->error) and fills st; *resp is malloc'ed on success. */
static int call_once(mk_kiosk *k, const mk_call_args *a, uint8_t **resp, size_t *resp_len, mk_h2_status *st) {
  *resp = NULL;
  *resp_len = 0;
  int rc = mk_kiosk_ensure_connection(k, st);
  if (rc != MK_OK) return rc;
  char bearer[600];
  mk_h2_header md[1];
  size_t nmd = 0;
  if (a->auth && k->cfg.token[0]) {
    snprintf(bearer, sizeof(bearer), "Bearer %s", k->cfg.token);
    md[nmd++] = (mk_h2_header){"authorization", bearer};
  }
  int64_t timeout = a->timeout_ms ? a->timeout_ms : k->cfg.timeout_ms;
  mk_h2_request req = {a->path, md, nmd, a->req, a->req_len, a->send_timeout ? timeout : 0, 0, a->on_message,
                       a->user};
  mk_h2_call *call = NULL;
  int hr = mk_h2_client_start(mk_net_client(k->net), &req, &call);
  if (hr != MK_H2_OK) {
    drop_connection(k);
    if (hr == MK_H2_ERR_NOMEM) return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
    st->code = MK_GRPC_UNAVAILABLE;
    snprintf(st->message, sizeof(st->message), "the connection cannot take new calls");
    return mk_kiosk_set_error(k, MK_ERR_UNAVAILABLE, "server unreachable: %s", st->message);
  }
  mk_net_wait(k->net, call, mk_net_now_ms() + timeout);
  *st = *mk_h2_call_status(call);
  if (st->code == MK_GRPC_OK && a->on_message == NULL) {
    size_t n;
    const uint8_t *r = mk_h2_call_response(call, &n);
    *resp = malloc(n ? n : 1);
    if (*resp == NULL) {
      mk_h2_call_release(mk_net_client(k->net), call);
      return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
    }
    memcpy(*resp, r, n);
    *resp_len = n;
  }
  mk_h2_call_release(mk_net_client(k->net), call);
  if (!mk_net_usable(k->net)) drop_connection(k);
  rc = mk_kiosk_map_status(st, a->rpc, k->error, sizeof(k->error));
  return rc;
}

/* A unary call; with retry, UNAVAILABLE is retried (the request, and so its idempotency key, unchanged). */
int mk_kiosk_unary(mk_kiosk *k, const mk_call_args *a, int retry, uint8_t **resp, size_t *resp_len) {
  int delay = k->cfg.retry_delay_ms;
  for (int attempt = 0;; attempt++) {
    mk_h2_status st;
    memset(&st, 0, sizeof(st));
    int rc = call_once(k, a, resp, resp_len, &st);
    k->last_status = st;
    if (rc == MK_OK) return MK_OK;
    if (!(retry && rc == MK_ERR_UNAVAILABLE && mk_grpc_status_retryable(st.code) && attempt < k->cfg.retries))
      return rc;
    sleep_ms(delay);
    delay = delay * 2 > 5000 ? 5000 : delay * 2;
  }
}

/* ---- lifecycle ---------------------------------------------------------------------------------------- */

int mk_kiosk_init(mk_kiosk **out, const mk_config *cfg, char *err, size_t errlen) {
  *out = NULL;
  mk_kiosk *k = calloc(1, sizeof(*k));
  if (k == NULL) {
    snprintf(err, errlen, "out of memory");
    return MK_ERR_NOMEM;
  }
  k->cfg = *cfg;
  if (mk_config_split_server(cfg->server, k->host, sizeof(k->host), k->port, sizeof(k->port)) != 0) {
    snprintf(err, errlen, "server must be HOST:PORT, not \"%s\"", cfg->server);
    free(k);
    return MK_ERR_CONFIG;
  }
  if (!cfg->journal[0]) {
    snprintf(err, errlen, "no journal path configured (--journal PATH)");
    free(k);
    return MK_ERR_CONFIG;
  }
  if (mk_journal_open(cfg->journal, &k->journal, err, errlen) != MK_JOURNAL_OK) {
    free(k);
    return MK_ERR_JOURNAL;
  }
  *out = k;
  return MK_OK;
}

void mk_kiosk_free(mk_kiosk *k) {
  if (k == NULL) return;
  drop_connection(k);
  mk_journal_close(k->journal);
  free(k);
}

const char *mk_kiosk_error(const mk_kiosk *k) { return k->error; }

static int need_branch(mk_kiosk *k) {
  if (!k->cfg.branch[0]) return mk_kiosk_set_error(k, MK_ERR_CONFIG, "no branch configured (--branch ID)");
  return MK_OK;
}

int mk_kiosk_need_token(mk_kiosk *k) {
  if (need_branch(k)) return MK_ERR_CONFIG;
  if (!k->cfg.token[0]) return mk_kiosk_set_error(k, MK_ERR_CONFIG, "no kiosk token configured (--token TOKEN)");
  return MK_OK;
}

int mk_kiosk_journal_error(mk_kiosk *k, const char *what) {
  return mk_kiosk_set_error(k, MK_ERR_JOURNAL, "journal %s: %s", what, mk_journal_error(k->journal));
}

/* ---- directory ---------------------------------------------------------------------------------------- */

int mk_kiosk_services(mk_kiosk *k, mk_service **list, size_t *count) {
  *list = NULL;
  *count = 0;
  k->error[0] = '\0';
  if (need_branch(k)) return MK_ERR_CONFIG;
  uint8_t *req, *resp;
  size_t req_len, resp_len;
  if (mk_rpc_encode_list_services(k->cfg.branch, &req, &req_len) != MK_RPC_OK)
    return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  mk_call_args a = {MK_RPC_LIST_SERVICES, "ListServices", req, req_len, 0, NULL, NULL, 0, 1};
  int rc = mk_kiosk_unary(k, &a, 0, &resp, &resp_len);
  free(req);
  if (rc != MK_OK) return rc;
  int dr = mk_rpc_decode_services(resp, resp_len, list, count);
  free(resp);
  if (dr == MK_RPC_ERR_NOMEM) return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  if (dr != MK_RPC_OK) return mk_kiosk_set_error(k, MK_ERR_PROTOCOL, "ListServices: malformed response message");
  for (size_t i = 0; i < *count; i++)
    mk_journal_service_put(k->journal, (*list)[i].service_id, (*list)[i].name_vi, (*list)[i].prefix);
  return MK_OK;
}

/* The branch's name: from the journal's cache, else ListBranches (cached). "" when unknown. */
void mk_kiosk_branch_name(mk_kiosk *k, int may_call, char *out, size_t outlen) {
  char key[128];
  snprintf(key, sizeof(key), "branch_name:%s", k->cfg.branch);
  out[0] = '\0';
  if (mk_journal_meta_get(k->journal, key, out, outlen) == MK_JOURNAL_OK && out[0]) return;
  if (!may_call) return;
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
  if (mk_rpc_decode_branch_name(resp, resp_len, k->cfg.branch, out, outlen) == MK_RPC_OK && out[0])
    mk_journal_meta_put(k->journal, key, out);
  free(resp);
}

/* ---- printing ----------------------------------------------------------------------------------------- */

int mk_kiosk_print(mk_kiosk *k, const mk_ticket *t) {
  if (!k->cfg.printer[0] && !k->cfg.preview[0]) return MK_OK;
  mk_render_options o = {k->cfg.paper_mm, k->cfg.font, k->cfg.font_bold};
  mk_bitmap img;
  char err[400];
  int rr = mk_render_ticket(t, &o, &img, err, sizeof(err));
  if (rr == MK_RENDER_ERR_NOMEM) return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  if (rr != MK_RENDER_OK) return mk_kiosk_set_error(k, MK_ERR_RENDER, "cannot draw the ticket: %s", err);
  int rc = MK_OK;
  if (k->cfg.preview[0] && mk_png_write(&img, k->cfg.preview, err, sizeof(err)) != MK_PNG_OK)
    rc = mk_kiosk_set_error(k, MK_ERR_PRINTER, "%s", err);
  if (rc == MK_OK && k->cfg.printer[0]) {
    uint8_t *bytes;
    size_t len;
    if (mk_escpos_encode(&img, &bytes, &len) != MK_ESCPOS_OK) {
      rc = mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
    } else {
      if (mk_printer_write(k->cfg.printer, bytes, len, err, sizeof(err)) != MK_PRINTER_OK)
        rc = mk_kiosk_set_error(k, MK_ERR_PRINTER, "%s", err);
      free(bytes);
    }
  }
  mk_bitmap_free(&img);
  return rc;
}

int mk_kiosk_reprint(mk_kiosk *k, mk_ticket *out) {
  k->error[0] = '\0';
  int jr = mk_journal_last_get(k->journal, out);
  if (jr == MK_JOURNAL_ERR_NOT_FOUND) return mk_kiosk_set_error(k, MK_ERR_NOTHING, "no ticket has been issued yet");
  if (jr != MK_JOURNAL_OK) return mk_kiosk_journal_error(k, "read failed");
  out->reprint = 1;
  return mk_kiosk_print(k, out);
}

/* ---- status ------------------------------------------------------------------------------------------- */

int mk_kiosk_status(mk_kiosk *k, mk_status *out) {
  memset(out, 0, sizeof(*out));
  k->error[0] = '\0';
  /* Reachable and answering gRPC: one anonymous ListBranches, no retry. */
  uint8_t *req, *resp;
  size_t req_len, resp_len;
  if (mk_rpc_encode_list_branches(&req, &req_len) != MK_RPC_OK) return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  mk_call_args a = {MK_RPC_LIST_BRANCHES, "ListBranches", req, req_len, 0, NULL, NULL, 0, 1};
  int rc = mk_kiosk_unary(k, &a, 0, &resp, &resp_len);
  free(req);
  if (rc == MK_OK) {
    free(resp);
    out->online = 1;
    snprintf(out->connection, sizeof(out->connection), "online (%s, %s)", k->cfg.server, k->cfg.tls ? "TLS" : "h2c");
  } else {
    snprintf(out->connection, sizeof(out->connection), "offline: %s", k->error);
  }
  k->error[0] = '\0';
  mk_lease *leases;
  size_t n;
  if (mk_journal_lease_list(k->journal, &leases, &n) != MK_JOURNAL_OK) return mk_kiosk_journal_error(k, "read failed");
  int64_t now = mk_kiosk_wall_ms();
  char day[16];
  mk_text_hanoi_date(now / 1000, day, sizeof(day));
  for (size_t i = 0; i < n && out->lease_count < sizeof(out->leases) / sizeof(out->leases[0]); i++) {
    const mk_lease *l = &leases[i];
    mk_lease_status *s = &out->leases[out->lease_count++];
    snprintf(s->service_id, sizeof(s->service_id), "%s", l->service_id);
    snprintf(s->lease_id, sizeof(s->lease_id), "%s", l->lease_id);
    snprintf(s->local_date, sizeof(s->local_date), "%s", l->local_date);
    mk_text_number(l->prefix, l->next_sequence, s->next_number, sizeof(s->next_number));
    mk_text_number(l->prefix, l->last_sequence, s->last_number, sizeof(s->last_number));
    s->left = l->next_sequence <= l->last_sequence ? l->last_sequence - l->next_sequence + 1 : 0;
    s->usable = mk_journal_lease_usable(l, day, now / 1000, k->cfg.lease_max_age_s, s->why, sizeof(s->why));
  }
  free(leases);
  if (mk_journal_counts(k->journal, &out->unsynced, &out->rejected) != MK_JOURNAL_OK)
    return mk_kiosk_journal_error(k, "read failed");
  mk_ticket last;
  if (mk_journal_last_get(k->journal, &last) == MK_JOURNAL_OK)
    snprintf(out->last_ticket, sizeof(out->last_ticket), "%s", last.number);
  return MK_OK;
}

/* ---- watch -------------------------------------------------------------------------------------------- */

typedef struct watch_ctx {
  mk_kiosk *k;
  mk_branch_view view;
  mk_watch_cb cb;
  void *user;
  int stopped;
  int malformed;
  int64_t refreshed_ms;
  mk_service *services; /* the last ListServices answer */
  size_t service_count;
} watch_ctx;

/* ListServices on a short-lived second connection (the first carries the stream); best effort. */
static void refresh_waits(watch_ctx *w) {
  mk_kiosk *k = w->k;
  int64_t now = mk_net_now_ms();
  if (w->services && now - w->refreshed_ms < 1000) return;
  w->refreshed_ms = now;
  mk_net_options o = {k->host, k->port, k->cfg.tls, k->cfg.ca_file[0] ? k->cfg.ca_file : NULL,
                      k->cfg.connect_timeout_ms};
  mk_net *side;
  char err[300];
  uint8_t *req;
  size_t req_len;
  if (mk_rpc_encode_list_services(k->cfg.branch, &req, &req_len) != MK_RPC_OK) return;
  if (mk_net_connect(&o, &side, err, sizeof(err)) == MK_NET_OK) {
    mk_h2_request r = {MK_RPC_LIST_SERVICES, NULL, 0, req, req_len, 3000, 0, NULL, NULL};
    mk_h2_call *call;
    if (mk_h2_client_start(mk_net_client(side), &r, &call) == MK_H2_OK) {
      mk_net_wait(side, call, mk_net_now_ms() + 3000);
      size_t n;
      const uint8_t *resp = mk_h2_call_response(call, &n);
      mk_service *list;
      size_t count;
      if (mk_h2_call_status(call)->code == MK_GRPC_OK &&
          mk_rpc_decode_services(resp, n, &list, &count) == MK_RPC_OK) {
        free(w->services);
        w->services = list;
        w->service_count = count;
      }
      mk_h2_call_release(mk_net_client(side), call);
    }
    mk_net_close(side);
  }
  free(req);
}

static void merge_waits(watch_ctx *w) {
  for (size_t i = 0; i < w->view.queue_count; i++) {
    mk_queue *q = &w->view.queues[i];
    for (size_t j = 0; j < w->service_count; j++) {
      if (strcmp(q->service_id, w->services[j].service_id) != 0) continue;
      q->has_estimate = 1;
      q->p50_seconds = w->services[j].p50_seconds;
      q->p90_seconds = w->services[j].p90_seconds;
      if (!q->prefix[0]) snprintf(q->prefix, sizeof(q->prefix), "%s", w->services[j].prefix);
    }
  }
}

static int on_watch_message(const uint8_t *msg, size_t len, void *user) {
  watch_ctx *w = user;
  if (mk_rpc_apply_watch(msg, len, &w->view) != MK_RPC_OK) {
    w->malformed = 1;
    return -1;
  }
  refresh_waits(w);
  merge_waits(w);
  if (w->cb && w->cb(&w->view, w->user) != 0) {
    w->stopped = 1;
    return -1;
  }
  return 0;
}

int mk_kiosk_watch(mk_kiosk *k, mk_watch_cb cb, void *user, int64_t duration_ms) {
  k->error[0] = '\0';
  if (need_branch(k)) return MK_ERR_CONFIG;
  watch_ctx *w = calloc(1, sizeof(*w));
  if (w == NULL) return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  w->k = k;
  w->cb = cb;
  w->user = user;
  uint8_t *req, *resp;
  size_t req_len, resp_len;
  if (mk_rpc_encode_watch(k->cfg.branch, 0, &req, &req_len) != MK_RPC_OK) {
    free(w);
    return mk_kiosk_set_error(k, MK_ERR_NOMEM, "out of memory");
  }
  mk_call_args a = {MK_RPC_WATCH_BRANCH, "WatchBranch", req, req_len, 0, on_watch_message, w,
                 duration_ms > 0 ? duration_ms : FAR_FUTURE_MS, 0};
  mk_h2_status st;
  memset(&st, 0, sizeof(st));
  int rc = call_once(k, &a, &resp, &resp_len, &st);
  free(req);
  free(resp);
  if (w->malformed) rc = mk_kiosk_set_error(k, MK_ERR_PROTOCOL, "WatchBranch: malformed response message");
  else if (w->stopped || (st.code == MK_GRPC_DEADLINE_EXCEEDED && rc == MK_ERR_TIMEOUT)) rc = MK_OK;
  if (rc == MK_OK) {
    k->error[0] = '\0';
    /* The stream was cut by us: the connection is in an unknown state for the next call. */
    drop_connection(k);
  }
  free(w->services);
  free(w);
  return rc;
}
