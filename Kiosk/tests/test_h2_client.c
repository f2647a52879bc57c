/* mk_h2_client against an in-memory nghttp2 server session: no sockets. Each test scripts one response. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc_frame.h"
#include "grpc_status.h"
#include "h2_client.h"

typedef struct scenario {
  int http_status;          /* 0: 200 */
  const char *content_type; /* NULL: application/grpc */
  int trailers_only;
  int grpc_status;
  const char *grpc_message;
  const uint8_t *body; /* DATA bytes as sent (prefixes included) */
  size_t body_len;
  size_t chunk;    /* bytes per DATA frame; 0: as large as allowed */
  int no_trailers; /* END_STREAM on the last DATA, no grpc-status */
  int rst;
  uint32_t rst_code;
} scenario;

typedef struct server {
  nghttp2_session *s;
  scenario sc;
  int32_t sid;
  char headers[4096];
  uint8_t req[8192];
  size_t req_len;
  size_t off;
} server;

static int srv_on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *n, size_t nl, const uint8_t *v,
                         size_t vl, uint8_t flags, void *u) {
  server *sv = u;
  size_t have = strlen(sv->headers);
  snprintf(sv->headers + have, sizeof(sv->headers) - have, "%.*s: %.*s\n", (int)nl, n, (int)vl, v);
  return 0;
}

static int srv_on_data(nghttp2_session *s, uint8_t flags, int32_t sid, const uint8_t *d, size_t l, void *u) {
  server *sv = u;
  if (sv->req_len + l <= sizeof(sv->req)) {
    memcpy(sv->req + sv->req_len, d, l);
    sv->req_len += l;
  }
  return 0;
}

static ssize_t srv_read(nghttp2_session *s, int32_t sid, uint8_t *buf, size_t length, uint32_t *flags,
                        nghttp2_data_source *src, void *u) {
  server *sv = u;
  size_t left = sv->sc.body_len - sv->off;
  size_t n = left < length ? left : length;
  if (sv->sc.chunk && n > sv->sc.chunk) n = sv->sc.chunk;
  memcpy(buf, sv->sc.body + sv->off, n);
  sv->off += n;
  if (sv->off == sv->sc.body_len) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (!sv->sc.no_trailers) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      char code[8];
      snprintf(code, sizeof(code), "%d", sv->sc.grpc_status);
      nghttp2_nv tr[2] = {{(uint8_t *)"grpc-status", (uint8_t *)code, 11, strlen(code), 0},
                          {(uint8_t *)"grpc-message", (uint8_t *)(sv->sc.grpc_message ? sv->sc.grpc_message : ""),
                           12, sv->sc.grpc_message ? strlen(sv->sc.grpc_message) : 0, 0}};
      nghttp2_submit_trailer(s, sid, tr, sv->sc.grpc_message ? 2 : 1);
    }
  }
  return (ssize_t)n;
}

static void respond(server *sv, int32_t sid) {
  sv->sid = sid;
  if (sv->sc.rst) {
    nghttp2_submit_rst_stream(sv->s, NGHTTP2_FLAG_NONE, sid, sv->sc.rst_code);
    return;
  }
  char status[8], code[8];
  snprintf(status, sizeof(status), "%d", sv->sc.http_status ? sv->sc.http_status : 200);
  snprintf(code, sizeof(code), "%d", sv->sc.grpc_status);
  const char *ct = sv->sc.content_type ? sv->sc.content_type : "application/grpc";
  nghttp2_nv nva[4] = {{(uint8_t *)":status", (uint8_t *)status, 7, strlen(status), 0},
                       {(uint8_t *)"content-type", (uint8_t *)ct, 12, strlen(ct), 0},
                       {(uint8_t *)"grpc-status", (uint8_t *)code, 11, strlen(code), 0},
                       {(uint8_t *)"grpc-message", (uint8_t *)(sv->sc.grpc_message ? sv->sc.grpc_message : ""), 12,
                        sv->sc.grpc_message ? strlen(sv->sc.grpc_message) : 0, 0}};
  if (sv->sc.trailers_only) {
    nghttp2_submit_response(sv->s, sid, nva, sv->sc.grpc_message ? 4 : 3, NULL);
    return;
  }
  nghttp2_data_provider prd = {{.ptr = NULL}, srv_read};
  nghttp2_submit_response(sv->s, sid, nva, 2, &prd);
}

static int srv_on_frame(nghttp2_session *s, const nghttp2_frame *f, void *u) {
  if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) && (f->hd.flags & NGHTTP2_FLAG_END_STREAM))
    respond(u, f->hd.stream_id);
  return 0;
}

static server *server_new(const scenario *sc) {
  server *sv = calloc(1, sizeof(*sv));
  sv->sc = *sc;
  nghttp2_session_callbacks *cb;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_header_callback(cb, srv_on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, srv_on_data);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, srv_on_frame);
  nghttp2_session_server_new(&sv->s, cb, sv);
  nghttp2_session_callbacks_del(cb);
  nghttp2_submit_settings(sv->s, NGHTTP2_FLAG_NONE, NULL, 0);
  return sv;
}

static void server_free(server *sv) {
  nghttp2_session_del(sv->s);
  free(sv);
}

/* Moves bytes both ways until neither side has anything to say. */
static void pump(mk_h2_client *c, server *sv) {
  for (int progress = 1, rounds = 0; progress && rounds < 10000; rounds++) {
    progress = 0;
    const uint8_t *data;
    ssize_t n;
    while ((n = mk_h2_client_send(c, &data)) > 0) {
      assert_true(nghttp2_session_mem_recv(sv->s, data, (size_t)n) >= 0);
      progress = 1;
    }
    while ((n = nghttp2_session_mem_send(sv->s, &data)) > 0) {
      mk_h2_client_recv(c, data, (size_t)n);
      progress = 1;
    }
  }
}

static const uint8_t request_msg[] = {0x0a, 0x03, 'a', 'b', 'c'};

static mk_h2_call *start(mk_h2_client *c, mk_frame_message_cb cb, void *user) {
  mk_h2_header md[] = {{"authorization", "Bearer tok123"}};
  mk_h2_request req = {"/motcua.v1.KioskService/IssueTicket", md, 1, request_msg, sizeof(request_msg), 2500, 0,
                       cb, user};
  mk_h2_call *call = NULL;
  assert_int_equal(mk_h2_client_start(c, &req, &call), MK_H2_OK);
  return call;
}

/* Runs one scripted exchange and returns the client for inspection. */
static mk_h2_client *run(const scenario *sc, server **sv_out, mk_h2_call **call_out, mk_frame_message_cb cb,
                         void *user) {
  mk_h2_client *c = mk_h2_client_new("127.0.0.1:50051", "http", "test");
  assert_non_null(c);
  server *sv = server_new(sc);
  *call_out = start(c, cb, user);
  pump(c, sv);
  *sv_out = sv;
  return c;
}

static uint8_t *framed(const uint8_t *msg, size_t len, size_t *out_len) {
  uint8_t *b = malloc(len + 5);
  mk_frame_header_encode(b, (uint32_t)len);
  memcpy(b + 5, msg, len);
  *out_len = len + 5;
  return b;
}

static void test_unary_ok_sends_grpc_headers_and_prefix(void **state) {
  static const uint8_t resp[] = {0x12, 0x02, 'o', 'k'};
  size_t blen;
  uint8_t *body = framed(resp, sizeof(resp), &blen);
  scenario sc = {.body = body, .body_len = blen};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_true(mk_h2_call_done(call));
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_OK);
  size_t n;
  const uint8_t *r = mk_h2_call_response(call, &n);
  assert_int_equal(n, sizeof(resp));
  assert_memory_equal(r, resp, n);
  assert_non_null(strstr(sv->headers, ":method: POST\n"));
  assert_non_null(strstr(sv->headers, ":scheme: http\n"));
  assert_non_null(strstr(sv->headers, ":path: /motcua.v1.KioskService/IssueTicket\n"));
  assert_non_null(strstr(sv->headers, ":authority: 127.0.0.1:50051\n"));
  assert_non_null(strstr(sv->headers, "content-type: application/grpc+proto\n"));
  assert_non_null(strstr(sv->headers, "te: trailers\n"));
  assert_non_null(strstr(sv->headers, "grpc-timeout: 2500m\n"));
  assert_non_null(strstr(sv->headers, "authorization: Bearer tok123\n"));
  static const uint8_t expect_body[] = {0, 0, 0, 0, 5, 0x0a, 0x03, 'a', 'b', 'c'};
  assert_int_equal(sv->req_len, sizeof(expect_body));
  assert_memory_equal(sv->req, expect_body, sizeof(expect_body));
  mk_h2_call_release(c, call);
  mk_h2_client_free(c);
  server_free(sv);
  free(body);
}

static void test_unary_split_across_data_frames(void **state) {
  uint8_t resp[40];
  for (size_t i = 0; i < sizeof(resp); i++) resp[i] = (uint8_t)i;
  size_t blen;
  uint8_t *body = framed(resp, sizeof(resp), &blen);
  for (size_t chunk = 1; chunk <= 7; chunk++) { /* splits inside the prefix too */
    scenario sc = {.body = body, .body_len = blen, .chunk = chunk};
    server *sv;
    mk_h2_call *call;
    mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
    assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_OK);
    size_t n;
    const uint8_t *r = mk_h2_call_response(call, &n);
    assert_int_equal(n, sizeof(resp));
    assert_memory_equal(r, resp, n);
    mk_h2_client_free(c);
    server_free(sv);
  }
  free(body);
}

static void test_message_larger_than_a_frame(void **state) {
  size_t big = 100000; /* > 16384, the default SETTINGS_MAX_FRAME_SIZE */
  uint8_t *resp = malloc(big);
  for (size_t i = 0; i < big; i++) resp[i] = (uint8_t)(i * 7);
  size_t blen;
  uint8_t *body = framed(resp, big, &blen);
  scenario sc = {.body = body, .body_len = blen};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_OK);
  size_t n;
  const uint8_t *r = mk_h2_call_response(call, &n);
  assert_int_equal(n, big);
  assert_memory_equal(r, resp, big);
  mk_h2_client_free(c);
  server_free(sv);
  free(body);
  free(resp);
}

static void test_trailers_only_error_is_decoded(void **state) {
  scenario sc = {.trailers_only = 1, .grpc_status = 5,
                 .grpc_message = "Kh%C3%B4ng t%C3%ACm th%E1%BA%A5y d%E1%BB%8Bch v%E1%BB%A5 %22x%22"};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_true(mk_h2_call_done(call));
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_NOT_FOUND);
  assert_string_equal(mk_h2_call_status(call)->message, "Không tìm thấy dịch vụ \"x\"");
  mk_h2_client_free(c);
  server_free(sv);
}

static void test_trailers_only_ok_without_message_is_malformed(void **state) {
  scenario sc = {.trailers_only = 1, .grpc_status = 0};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_INTERNAL);
  assert_non_null(strstr(mk_h2_call_status(call)->message, "malformed response"));
  mk_h2_client_free(c);
  server_free(sv);
}

static void test_truncated_message_is_malformed(void **state) {
  uint8_t body[15] = {0, 0, 0, 0, 100}; /* says 100 bytes, sends 10 */
  scenario sc = {.body = body, .body_len = sizeof(body), .grpc_status = 0};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_INTERNAL);
  assert_non_null(strstr(mk_h2_call_status(call)->message, "truncated"));
  mk_h2_client_free(c);
  server_free(sv);
}

static void test_missing_grpc_status_is_malformed(void **state) {
  static const uint8_t body[] = {0, 0, 0, 0, 1, 0x08};
  scenario sc = {.body = body, .body_len = sizeof(body), .no_trailers = 1};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_INTERNAL);
  assert_non_null(strstr(mk_h2_call_status(call)->message, "without grpc-status"));
  mk_h2_client_free(c);
  server_free(sv);
}

static void test_http_503_maps_to_unavailable(void **state) {
  static const uint8_t body[] = {'o', 'v', 'e', 'r'};
  scenario sc = {.http_status = 503, .content_type = "text/plain", .body = body, .body_len = 4, .no_trailers = 1};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_UNAVAILABLE);
  assert_int_equal(mk_h2_call_status(call)->http_status, 503);
  mk_h2_client_free(c);
  server_free(sv);
}

static void test_wrong_content_type_is_malformed(void **state) {
  static const uint8_t body[] = {0, 0, 0, 0, 0};
  scenario sc = {.content_type = "text/html", .body = body, .body_len = 5};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_INTERNAL);
  assert_non_null(strstr(mk_h2_call_status(call)->message, "content-type"));
  mk_h2_client_free(c);
  server_free(sv);
}

static void test_refused_stream_is_unavailable(void **state) {
  scenario sc = {.rst = 1, .rst_code = NGHTTP2_REFUSED_STREAM};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_UNAVAILABLE);
  assert_true(mk_grpc_status_retryable(mk_h2_call_status(call)->code));
  mk_h2_client_free(c);
  server_free(sv);
}

static void test_two_messages_for_unary_is_malformed(void **state) {
  static const uint8_t body[] = {0, 0, 0, 0, 1, 0x08, 0, 0, 0, 0, 1, 0x09};
  scenario sc = {.body = body, .body_len = sizeof(body)};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, NULL, NULL);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_INTERNAL);
  mk_h2_client_free(c);
  server_free(sv);
}

typedef struct collected {
  int count;
  size_t lens[8];
} collected;

static int collect(const uint8_t *msg, size_t len, void *user) {
  collected *c = user;
  if (c->count < 8) c->lens[c->count] = len;
  c->count++;
  return 0;
}

static void test_server_streaming_delivers_every_message(void **state) {
  static const uint8_t body[] = {0, 0, 0, 0, 1, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
  scenario sc = {.body = body, .body_len = sizeof(body), .chunk = 4};
  collected got = {0};
  server *sv;
  mk_h2_call *call;
  mk_h2_client *c = run(&sc, &sv, &call, collect, &got);
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_OK);
  assert_int_equal(got.count, 3);
  assert_int_equal(got.lens[0], 1);
  assert_int_equal(got.lens[1], 0);
  assert_int_equal(got.lens[2], 3);
  mk_h2_client_free(c);
  server_free(sv);
}

static void test_connection_lost_ends_open_calls_unavailable(void **state) {
  mk_h2_client *c = mk_h2_client_new("h:1", "http", NULL);
  mk_h2_call *call = start(c, NULL, NULL);
  assert_false(mk_h2_call_done(call));
  mk_h2_client_connection_lost(c, MK_GRPC_UNAVAILABLE, "connection closed by the server");
  assert_true(mk_h2_call_done(call));
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_UNAVAILABLE);
  mk_h2_call *again = NULL;
  mk_h2_request req = {"/x", NULL, 0, NULL, 0, 0, 0, NULL, NULL};
  assert_int_equal(mk_h2_client_start(c, &req, &again), MK_H2_ERR_CLOSED);
  mk_h2_client_free(c);
}

static void test_garbage_from_server_is_a_protocol_error(void **state) {
  mk_h2_client *c = mk_h2_client_new("h:1", "http", NULL);
  mk_h2_call *call = start(c, NULL, NULL);
  const uint8_t *data;
  while (mk_h2_client_send(c, &data) > 0) {
  }
  static const char junk[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  mk_h2_client_recv(c, (const uint8_t *)junk, sizeof(junk) - 1);
  while (mk_h2_client_send(c, &data) > 0) { /* our GOAWAY goes out */
  }
  assert_true(mk_h2_client_finished(c));
  assert_true(mk_h2_call_done(call));
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_INTERNAL);
  assert_non_null(strstr(mk_h2_call_status(call)->message, "malformed response"));
  mk_h2_client_free(c);
}

static void test_cancel_sets_deadline_status(void **state) {
  mk_h2_client *c = mk_h2_client_new("h:1", "http", NULL);
  mk_h2_call *call = start(c, NULL, NULL);
  mk_h2_call_cancel(c, call, MK_GRPC_DEADLINE_EXCEEDED, "late");
  assert_int_equal(mk_h2_call_status(call)->code, MK_GRPC_DEADLINE_EXCEEDED);
  mk_h2_call_release(c, call);
  mk_h2_client_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unary_ok_sends_grpc_headers_and_prefix),
      cmocka_unit_test(test_unary_split_across_data_frames),
      cmocka_unit_test(test_message_larger_than_a_frame),
      cmocka_unit_test(test_trailers_only_error_is_decoded),
      cmocka_unit_test(test_trailers_only_ok_without_message_is_malformed),
      cmocka_unit_test(test_truncated_message_is_malformed),
      cmocka_unit_test(test_missing_grpc_status_is_malformed),
      cmocka_unit_test(test_http_503_maps_to_unavailable),
      cmocka_unit_test(test_wrong_content_type_is_malformed),
      cmocka_unit_test(test_refused_stream_is_unavailable),
      cmocka_unit_test(test_two_messages_for_unary_is_malformed),
      cmocka_unit_test(test_server_streaming_delivers_every_message),
      cmocka_unit_test(test_connection_lost_ends_open_calls_unavailable),
      cmocka_unit_test(test_garbage_from_server_is_a_protocol_error),
      cmocka_unit_test(test_cancel_sets_deadline_status),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
