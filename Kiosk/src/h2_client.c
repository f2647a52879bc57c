#include "h2_client.h"

#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_status.h"

#define DEFAULT_MAX_RESPONSE (4u << 20)

struct mk_h2_call {
  mk_h2_call *next;
  int32_t stream_id;
  uint8_t *body; /* prefix + message */
  size_t body_len, body_off;
  mk_frame_decoder dec;
  mk_frame_message_cb on_message;
  void *user;
  uint8_t *unary;
  size_t unary_len;
  int messages;
  int http_status;
  int grpc_status; /* -1: none received */
  char grpc_message[512];
  char content_type[64];
  int local_code; /* -1: none; set by a local failure (decoder, cancel) */
  char local_message[256];
  int done;
  mk_h2_status status;
};

struct mk_h2_client {
  nghttp2_session *session;
  char *authority;
  char *scheme;
  char *user_agent;
  mk_h2_call *calls;
  int finished;
  int goaway_sent; /* we ended the session: the peer broke the protocol */
  uint32_t goaway_code;
  char error[256];
};

static void call_finish(mk_h2_call *call, int code, const char *message) {
  if (call->done) return;
  call->done = 1;
  call->status.code = code;
  call->status.http_status = call->http_status;
  snprintf(call->status.message, sizeof(call->status.message), "%s", message ? message : "");
}

static mk_h2_call *find_call(mk_h2_client *c, int32_t stream_id) {
  for (mk_h2_call *k = c->calls; k; k = k->next)
    if (k->stream_id == stream_id) return k;
  return NULL;
}

/* ---- nghttp2 callbacks ------------------------------------------------------------------------------- */

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data) {
  (void)session;
  (void)flags;
  mk_h2_client *c = user_data;
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  mk_h2_call *call = find_call(c, frame->hd.stream_id);
  if (call == NULL) return 0;
#define IS(s) (namelen == sizeof(s) - 1 && memcmp(name, s, namelen) == 0)
  if (IS(":status")) {
    int v = 0;
    for (size_t i = 0; i < valuelen && i < 3; i++) v = v * 10 + (value[i] - '0');
    call->http_status = v;
  } else if (IS("content-type")) {
    size_t n = valuelen < sizeof(call->content_type) - 1 ? valuelen : sizeof(call->content_type) - 1;
    memcpy(call->content_type, value, n);
    call->content_type[n] = '\0';
  } else if (IS("grpc-status")) {
    int code = mk_grpc_status_parse((const char *)value, valuelen);
    call->grpc_status = code < 0 ? MK_GRPC_UNKNOWN : code;
  } else if (IS("grpc-message")) {
    mk_grpc_message_decode((const char *)value, valuelen, call->grpc_message, sizeof(call->grpc_message));
  }
#undef IS
  return 0;
}

static int on_message(const uint8_t *msg, size_t len, void *user) {
  mk_h2_call *call = user;
  call->messages++;
  if (call->on_message) return call->on_message(msg, len, call->user);
  if (call->messages > 1) return -1; /* a unary call answered with two messages */
  call->unary = malloc(len ? len : 1);
  if (call->unary == NULL) return -1;
  memcpy(call->unary, msg, len);
  call->unary_len = len;
  return 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data,
                         size_t len, void *user_data) {
  (void)flags;
  mk_h2_client *c = user_data;
  mk_h2_call *call = find_call(c, stream_id);
  if (call == NULL || call->done || call->local_code >= 0) return 0;
  int rc = mk_frame_decoder_feed(&call->dec, data, len, on_message, call);
  if (rc != MK_FRAME_OK) {
    if (rc == MK_FRAME_ERR_CALLBACK && call->on_message && call->messages > 0) {
      call->local_code = MK_GRPC_CANCELLED;
      snprintf(call->local_message, sizeof(call->local_message), "stream stopped by the receiver");
    } else if (rc == MK_FRAME_ERR_CALLBACK && !call->on_message && call->messages > 1) {
      call->local_code = MK_GRPC_INTERNAL;
      snprintf(call->local_message, sizeof(call->local_message),
               "malformed response: more than one message for a unary call");
    } else {
      call->local_code = MK_GRPC_INTERNAL;
      snprintf(call->local_message, sizeof(call->local_message), "malformed response: %s",
               mk_frame_strerror(rc));
    }
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
  }
  return 0;
}

static void finalize(mk_h2_call *call, uint32_t error_code) {
  char buf[600];
  if (call->local_code >= 0) {
    call_finish(call, call->local_code, call->local_message);
    return;
  }
  if (call->grpc_status >= 0) {
    if (call->http_status != 200 && call->http_status != 0) {
      snprintf(buf, sizeof(buf), "HTTP status %d: %s", call->http_status, call->grpc_message);
      call_finish(call, call->grpc_status ? call->grpc_status : mk_grpc_status_from_http(call->http_status), buf);
      return;
    }
    if (call->grpc_status == MK_GRPC_OK) {
      if (strncmp(call->content_type, "application/grpc", 16) != 0) {
        snprintf(buf, sizeof(buf), "malformed response: content-type \"%s\" is not gRPC", call->content_type);
        call_finish(call, MK_GRPC_INTERNAL, buf);
      } else if (!mk_frame_decoder_idle(&call->dec)) {
        call_finish(call, MK_GRPC_INTERNAL, "malformed response: truncated in the middle of a message");
      } else if (call->on_message == NULL && call->messages != 1) {
        call_finish(call, MK_GRPC_INTERNAL, "malformed response: no response message");
      } else {
        call_finish(call, MK_GRPC_OK, "");
      }
      return;
    }
    call_finish(call, call->grpc_status,
                call->grpc_message[0] ? call->grpc_message : mk_grpc_code_name(call->grpc_status));
    return;
  }
  if (error_code != NGHTTP2_NO_ERROR) {
    snprintf(buf, sizeof(buf), "stream reset by the server (%s)", nghttp2_http2_strerror(error_code));
    call_finish(call, mk_grpc_status_from_h2_error(error_code), buf);
    return;
  }
  if (call->http_status != 200 && call->http_status != 0) {
    snprintf(buf, sizeof(buf), "HTTP status %d without a gRPC status", call->http_status);
    call_finish(call, mk_grpc_status_from_http(call->http_status), buf);
    return;
  }
  call_finish(call, MK_GRPC_INTERNAL, "malformed response: ended without grpc-status (truncated)");
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code, void *user_data) {
  (void)session;
  mk_h2_client *c = user_data;
  mk_h2_call *call = find_call(c, stream_id);
  if (call != NULL && !call->done) finalize(call, error_code);
  return 0;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
  (void)session;
  mk_h2_client *c = user_data;
  if (frame->hd.type == NGHTTP2_GOAWAY) c->finished = 1;
  return 0;
}

static int on_frame_send(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
  (void)session;
  mk_h2_client *c = user_data;
  if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
    c->goaway_sent = 1;
    c->goaway_code = frame->goaway.error_code;
  }
  return 0;
}

static ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                         uint32_t *data_flags, nghttp2_data_source *source, void *user_data) {
  (void)session;
  (void)stream_id;
  (void)user_data;
  mk_h2_call *call = source->ptr;
  size_t left = call->body_len - call->body_off;
  size_t n = left < length ? left : length;
  memcpy(buf, call->body + call->body_off, n);
  call->body_off += n;
  if (call->body_off == call->body_len) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

/* ---- public ------------------------------------------------------------------------------------------ */

mk_h2_client *mk_h2_client_new(const char *authority, const char *scheme, const char *user_agent) {
  mk_h2_client *c = calloc(1, sizeof(*c));
  if (c == NULL) return NULL;
  c->authority = strdup(authority);
  c->scheme = strdup(scheme);
  c->user_agent = strdup(user_agent ? user_agent : "motcua-kiosk");
  nghttp2_session_callbacks *cbs = NULL;
  if (c->authority == NULL || c->scheme == NULL || c->user_agent == NULL ||
      nghttp2_session_callbacks_new(&cbs) != 0)
    goto fail;
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
  int rc = nghttp2_session_client_new(&c->session, cbs, c);
  nghttp2_session_callbacks_del(cbs);
  if (rc != 0) goto fail;
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20},
  };
  if (nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, 3) != 0) goto fail;
  return c;
fail:
  mk_h2_client_free(c);
  return NULL;
}

static void call_free(mk_h2_call *call) {
  mk_frame_decoder_free(&call->dec);
  free(call->body);
  free(call->unary);
  free(call);
}

void mk_h2_client_free(mk_h2_client *c) {
  if (c == NULL) return;
  mk_h2_call *k = c->calls;
  while (k) {
    mk_h2_call *next = k->next;
    call_free(k);
    k = next;
  }
  if (c->session) nghttp2_session_del(c->session);
  free(c->authority);
  free(c->scheme);
  free(c->user_agent);
  free(c);
}

#define NV(n, v)                                                                                              \
  { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE }

int mk_h2_client_start(mk_h2_client *c, const mk_h2_request *req, mk_h2_call **out) {
  if (c == NULL || req == NULL || req->path == NULL || out == NULL) return MK_H2_ERR_INVALID;
  if (req->message_len > UINT32_MAX || req->metadata_count > 16) return MK_H2_ERR_INVALID;
  if (c->finished) return MK_H2_ERR_CLOSED;
  mk_h2_call *call = calloc(1, sizeof(*call));
  if (call == NULL) return MK_H2_ERR_NOMEM;
  call->grpc_status = -1;
  call->local_code = -1;
  call->on_message = req->on_message;
  call->user = req->user;
  mk_frame_decoder_init(&call->dec, req->max_response ? req->max_response : DEFAULT_MAX_RESPONSE);
  call->body_len = MK_FRAME_HEADER_LEN + req->message_len;
  call->body = malloc(call->body_len);
  if (call->body == NULL) {
    call_free(call);
    return MK_H2_ERR_NOMEM;
  }
  mk_frame_header_encode(call->body, (uint32_t)req->message_len);
  if (req->message_len) memcpy(call->body + MK_FRAME_HEADER_LEN, req->message, req->message_len);

  char timeout[16] = "";
  nghttp2_nv nva[8 + 16];
  size_t n = 0;
  nva[n++] = (nghttp2_nv)NV(":method", "POST");
  nva[n++] = (nghttp2_nv)NV(":scheme", c->scheme);
  nva[n++] = (nghttp2_nv)NV(":path", req->path);
  nva[n++] = (nghttp2_nv)NV(":authority", c->authority);
  nva[n++] = (nghttp2_nv)NV("content-type", "application/grpc+proto");
  nva[n++] = (nghttp2_nv)NV("te", "trailers");
  nva[n++] = (nghttp2_nv)NV("user-agent", c->user_agent);
  if (req->timeout_ms > 0) {
    mk_grpc_timeout_format(req->timeout_ms, timeout, sizeof(timeout));
    nva[n++] = (nghttp2_nv)NV("grpc-timeout", timeout);
  }
  for (size_t i = 0; i < req->metadata_count; i++) {
    const mk_h2_header *h = &req->metadata[i];
    nva[n++] = (nghttp2_nv){(uint8_t *)h->name, (uint8_t *)h->value, strlen(h->name), strlen(h->value),
                            strcmp(h->name, "authorization") == 0 ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE};
  }
  nghttp2_data_provider prd;
  prd.source.ptr = call;
  prd.read_callback = read_body;
  int32_t sid = nghttp2_submit_request(c->session, NULL, nva, n, &prd, call);
  if (sid < 0) {
    call_free(call);
    if (sid == NGHTTP2_ERR_NOMEM) return MK_H2_ERR_NOMEM;
    c->finished = 1;
    return MK_H2_ERR_CLOSED;
  }
  call->stream_id = sid;
  call->next = c->calls;
  c->calls = call;
  *out = call;
  return MK_H2_OK;
}

static void fail_all(mk_h2_client *c, int code, const char *message) {
  for (mk_h2_call *k = c->calls; k; k = k->next) call_finish(k, code, message);
}

/* nghttp2 answers a connection error by queueing GOAWAY (with an error code) and reading no more: every open
 * call then fails as malformed. Returns 1 when that happened. */
static int check_terminated(mk_h2_client *c) {
  if (!c->goaway_sent) return 0;
  if (!c->error[0])
    snprintf(c->error, sizeof(c->error), "malformed response: the server broke HTTP/2 (%s)",
             nghttp2_http2_strerror(c->goaway_code));
  c->finished = 1;
  fail_all(c, MK_GRPC_INTERNAL, c->error);
  return 1;
}

int mk_h2_client_recv(mk_h2_client *c, const uint8_t *data, size_t len) {
  if (c->finished && c->error[0]) return MK_H2_ERR_PROTOCOL;
  ssize_t rv = nghttp2_session_mem_recv(c->session, data, len);
  if (rv < 0) {
    snprintf(c->error, sizeof(c->error), "malformed response: HTTP/2 %s", nghttp2_strerror((int)rv));
    c->finished = 1;
    fail_all(c, MK_GRPC_INTERNAL, c->error);
    return MK_H2_ERR_PROTOCOL;
  }
  if (check_terminated(c)) return MK_H2_ERR_PROTOCOL;
  return MK_H2_OK;
}

ssize_t mk_h2_client_send(mk_h2_client *c, const uint8_t **data) {
  ssize_t rv = nghttp2_session_mem_send(c->session, data);
  if (rv < 0) {
    snprintf(c->error, sizeof(c->error), "HTTP/2 send failed: %s", nghttp2_strerror((int)rv));
    c->finished = 1;
    fail_all(c, MK_GRPC_INTERNAL, c->error);
    return rv == NGHTTP2_ERR_NOMEM ? MK_H2_ERR_NOMEM : MK_H2_ERR_PROTOCOL;
  }
  check_terminated(c); /* the bytes (our GOAWAY) are still handed out */
  return rv;
}

int mk_h2_client_want_read(const mk_h2_client *c) { return nghttp2_session_want_read(c->session); }
int mk_h2_client_want_write(const mk_h2_client *c) { return nghttp2_session_want_write(c->session); }

void mk_h2_client_connection_lost(mk_h2_client *c, int code, const char *message) {
  c->finished = 1;
  fail_all(c, code, message);
}

int mk_h2_client_finished(const mk_h2_client *c) { return c->finished; }

const char *mk_h2_client_error(const mk_h2_client *c) { return c->error; }

void mk_h2_call_cancel(mk_h2_client *c, mk_h2_call *call, int code, const char *message) {
  if (call->done) return;
  if (call->stream_id > 0) nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, call->stream_id, NGHTTP2_CANCEL);
  call_finish(call, code, message);
}

int mk_h2_call_done(const mk_h2_call *call) { return call->done; }

const mk_h2_status *mk_h2_call_status(const mk_h2_call *call) { return &call->status; }

const uint8_t *mk_h2_call_response(const mk_h2_call *call, size_t *len) {
  *len = call->unary_len;
  return call->unary;
}

void mk_h2_call_release(mk_h2_client *c, mk_h2_call *call) {
  if (call == NULL) return;
  if (!call->done) mk_h2_call_cancel(c, call, MK_GRPC_CANCELLED, "released");
  if (call->stream_id > 0 && nghttp2_session_find_stream(c->session, call->stream_id) != NULL)
    nghttp2_session_set_stream_user_data(c->session, call->stream_id, NULL);
  for (mk_h2_call **p = &c->calls; *p; p = &(*p)->next) {
    if (*p == call) {
      *p = call->next;
      break;
    }
  }
  call_free(call);
}
