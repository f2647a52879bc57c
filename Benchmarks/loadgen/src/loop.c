/* Running calls: reading and writing each connection's HTTP/2 session, asking the driver what each free slot
 * sends, deadlines, stopping. Connecting is in loop_open.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "grpc_status.h"
#include "loop_internal.h"

#define READS_PER_TURN 8
#define TICK_US 10000          /* deadlines and the driver's poll are checked this often at least */
#define LOCAL_GRACE_US 50000   /* a local deadline fires this long after grpc-timeout, so the server's wins */

/* ---- calls ----------------------------------------------------------------------------------------------- */

static void end_call(lg_loop *l, lg_conn *c, size_t k, lg_end how, int64_t now) {
  lg_slot *s = &l->slots[k];
  size_t len = 0;
  const uint8_t *resp = mk_h2_call_response(s->call, &len);
  lg_call_result r = {how, mk_h2_call_status(s->call), resp, len, now - s->start_us, now};
  l->d->done(l->d->self, k, &r);
  mk_h2_call_release(c->h2, s->call);
  s->call = NULL;
  s->timed_out = 0;
  l->in_flight--;
}

/* Ends every call of c that has its outcome; how: for those that were not cancelled by a deadline. */
static void reap(lg_loop *l, lg_conn *c, lg_end how, int64_t now) {
  for (size_t i = 0; i < c->n_slots; i++) {
    lg_slot *s = &l->slots[c->slots[i]];
    if (s->call && mk_h2_call_done(s->call)) end_call(l, c, c->slots[i], s->timed_out ? LG_END_TIMEOUT : how, now);
  }
}

/* The connection is gone: its calls end as transport failures and its slots are parked. */
static void lose(lg_loop *l, lg_conn *c, const char *why, int64_t now) {
  if (c->dead) return;
  c->dead = 1;
  if (!l->lost[0]) snprintf(l->lost, sizeof(l->lost), "%s", why && why[0] ? why : "connection lost");
  mk_h2_client_connection_lost(c->h2, MK_GRPC_UNAVAILABLE, l->lost);
  reap(l, c, LG_END_TRANSPORT, now);
  for (size_t i = 0; i < c->n_slots; i++) l->slots[c->slots[i]].parked = 1;
  epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
}

/* Tells the driver that a call it asked for could not start. */
static void not_started(lg_loop *l, size_t k, int code, const char *message, lg_end how, int64_t now) {
  mk_h2_status st;
  memset(&st, 0, sizeof(st));
  st.code = code;
  snprintf(st.message, sizeof(st.message), "%s", message);
  lg_call_result r = {how, &st, NULL, 0, 0, now};
  l->d->done(l->d->self, k, &r);
}

/* Asks the driver what each free slot of c sends next, and starts it. */
static void fill(lg_loop *l, lg_conn *c, int64_t now) {
  for (size_t i = 0; i < c->n_slots && !c->dead; i++) {
    size_t k = c->slots[i];
    lg_slot *s = &l->slots[k];
    if (s->call || s->parked) continue;
    mk_h2_request req;
    memset(&req, 0, sizeof(req));
    if (!l->d->next(l->d->self, k, now, &req)) {
      s->parked = 1;
      continue;
    }
    mk_h2_call *call;
    int rc = mk_h2_client_start(c->h2, &req, &call);
    if (rc == MK_H2_OK) {
      s->call = call;
      s->start_us = now;
      s->deadline_us = req.on_message == NULL && req.timeout_ms > 0 ? now + req.timeout_ms * 1000 + LOCAL_GRACE_US : 0;
      l->in_flight++;
    } else if (rc == MK_H2_ERR_CLOSED) {
      not_started(l, k, MK_GRPC_UNAVAILABLE, "the server closed the connection (GOAWAY)", LG_END_TRANSPORT, now);
      lose(l, c, "the server closed the connection (GOAWAY)", now);
    } else if (rc == MK_H2_ERR_NOMEM) {
      l->nomem = 1;
      return;
    } else { /* MK_H2_ERR_INVALID: the driver built a bad request; it is not asked again for this slot */
      not_started(l, k, MK_GRPC_INTERNAL, "invalid request (load generator bug)", LG_END_STATUS, now);
      s->parked = 1;
    }
  }
}

static int out_append(lg_conn *c, const uint8_t *data, size_t len) {
  if (c->out_len + len > c->out_cap) {
    if (c->out_off > 0) {
      memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
      c->out_len -= c->out_off;
      c->out_off = 0;
    }
    if (c->out_len + len > c->out_cap) {
      size_t cap = c->out_cap ? c->out_cap : 65536;
      while (cap < c->out_len + len) cap *= 2;
      uint8_t *p = realloc(c->out, cap);
      if (p == NULL) return -1;
      c->out = p;
      c->out_cap = cap;
    }
  }
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
  return 0;
}

/* Moves what the session wants to send to the socket; watches for writability while some is left. */
static void flush(lg_loop *l, lg_conn *c, int64_t now) {
  if (c->dead) return;
  for (;;) {
    const uint8_t *data;
    ssize_t n = mk_h2_client_send(c->h2, &data);
    if (n < 0) {
      if (n == MK_H2_ERR_NOMEM) l->nomem = 1;
      lose(l, c, mk_h2_client_error(c->h2), now);
      return;
    }
    if (n == 0) break;
    if (out_append(c, data, (size_t)n) != 0) {
      l->nomem = 1;
      return;
    }
  }
  while (c->out_off < c->out_len) {
    ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      char why[200];
      snprintf(why, sizeof(why), "connection lost while sending: %s", strerror(errno));
      lose(l, c, why, now);
      return;
    }
    c->out_off += (size_t)w;
  }
  if (c->out_off == c->out_len) c->out_off = c->out_len = 0;
  int want = c->out_len > 0;
  if (want != c->writing) {
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u64 = (uint64_t)(c - l->conns)};
    if (epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0) c->writing = want;
  }
  if (!want && !mk_h2_client_want_read(c->h2) && !mk_h2_client_want_write(c->h2))
    lose(l, c, "the server ended the HTTP/2 session (GOAWAY)", now);
}

static void read_conn(lg_loop *l, lg_conn *c, int64_t now) {
  for (int i = 0; i < READS_PER_TURN; i++) {
    ssize_t n = recv(c->fd, l->buf, sizeof(l->buf), 0);
    if (n > 0) {
      if (mk_h2_client_recv(c->h2, l->buf, (size_t)n) != MK_H2_OK) {
        lose(l, c, mk_h2_client_error(c->h2), now);
        return;
      }
      if ((size_t)n < sizeof(l->buf)) return; /* drained; epoll says if more comes */
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    char why[200];
    if (n == 0) snprintf(why, sizeof(why), "connection closed by the server");
    else snprintf(why, sizeof(why), "connection lost: %s", strerror(errno));
    reap(l, c, LG_END_STATUS, now); /* what was complete before the end */
    lose(l, c, why, now);
    return;
  }
}

/* Cancels unary calls past their deadline. */
static void expire(lg_loop *l, int64_t now, int stopping) {
  for (size_t k = 0; k < l->n_slots; k++) {
    lg_slot *s = &l->slots[k];
    if (s->call == NULL || s->deadline_us == 0 || now < s->deadline_us || mk_h2_call_done(s->call)) continue;
    lg_conn *c = &l->conns[k % l->n_conns];
    mk_h2_call_cancel(c->h2, s->call, MK_GRPC_DEADLINE_EXCEEDED, "no answer within the timeout");
    s->timed_out = 1;
    c->touched = 1;
  }
  for (size_t i = 0; i < l->n_conns; i++) {
    lg_conn *c = &l->conns[i];
    if (!c->touched) continue;
    c->touched = 0;
    reap(l, c, LG_END_STATUS, now);
    if (!stopping) fill(l, c, now);
    flush(l, c, now);
  }
}

/* Cancels every call in flight (the run stops). */
static void stop_all(lg_loop *l, int64_t now) {
  for (size_t i = 0; i < l->n_conns; i++) {
    lg_conn *c = &l->conns[i];
    if (c->dead) continue;
    reap(l, c, LG_END_STATUS, now);
    for (size_t j = 0; j < c->n_slots; j++) {
      lg_slot *s = &l->slots[c->slots[j]];
      if (s->call == NULL) continue;
      mk_h2_call_cancel(c->h2, s->call, MK_GRPC_CANCELLED, "run stopped");
      end_call(l, c, c->slots[j], LG_END_STOPPED, now);
    }
    flush(l, c, now);
  }
}

static int all_parked(const lg_loop *l) {
  for (size_t k = 0; k < l->n_slots; k++)
    if (!l->slots[k].parked) return 0;
  return 1;
}

int lg_loop_run(lg_loop *l, const lg_driver *d, char *err, size_t errlen) {
  l->d = d;
  l->lost[0] = '\0';
  for (size_t k = 0; k < l->n_slots; k++) l->slots[k].parked = l->conns[k % l->n_conns].dead;
  int64_t now = lg_now_us();
  for (size_t i = 0; i < l->n_conns; i++) {
    fill(l, &l->conns[i], now);
    flush(l, &l->conns[i], now);
  }
  int stopping = 0, rc = LG_LOOP_OK;
  int64_t next_tick = now + TICK_US;
  struct epoll_event evs[64];
  for (;;) {
    if (l->nomem && !stopping) {
      stop_all(l, now);
      stopping = 1;
      rc = LG_LOOP_ERR_NOMEM;
      snprintf(err, errlen, "out of memory");
    }
    if (!stopping && (lg_loop_interrupted || d->poll(d->self, now))) {
      stop_all(l, now);
      stopping = 1;
    }
    if (l->in_flight == 0 && (stopping || all_parked(l))) break;
    int n = epoll_wait(l->ep, evs, 64, TICK_US / 1000);
    if (n < 0) {
      if (errno == EINTR) continue;
      snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
      return LG_LOOP_ERR_SYSTEM;
    }
    for (int i = 0; i < n; i++) {
      lg_conn *c = &l->conns[evs[i].data.u64];
      if (c->dead) continue;
      now = lg_now_us();
      if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_conn(l, c, now);
      if (c->dead) continue;
      reap(l, c, LG_END_STATUS, now);
      if (!stopping) fill(l, c, now);
      flush(l, c, now);
    }
    now = lg_now_us();
    if (now >= next_tick) {
      expire(l, now, stopping);
      next_tick = now + TICK_US;
    }
  }
  if (rc != LG_LOOP_OK) return rc;
  if (l->lost[0]) snprintf(err, errlen, "%s", l->lost);
  if (lg_loop_interrupted) return LG_LOOP_INTERRUPTED;
  return lg_loop_live_connections(l) == 0 && l->lost[0] ? LG_LOOP_ERR_LOST : LG_LOOP_OK;
}
