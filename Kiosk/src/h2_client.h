/* gRPC calls over one HTTP/2 connection, with no I/O (nghttp2's own design): the owner feeds received bytes
 * with mk_h2_client_recv(), sends what mk_h2_client_send() hands out, and reads each call's outcome.
 * net.c is the only owner that touches a socket; the tests wire two nghttp2 sessions together in memory. */
#ifndef MK_H2_CLIENT_H
#define MK_H2_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "grpc_frame.h"

typedef struct mk_h2_client mk_h2_client;
typedef struct mk_h2_call mk_h2_call;

typedef struct mk_h2_header {
  const char *name;
  const char *value;
} mk_h2_header;

typedef struct mk_h2_request {
  const char *path;               /* "/motcua.v1.KioskService/IssueTicket" */
  const mk_h2_header *metadata;   /* extra headers, e.g. authorization */
  size_t metadata_count;
  const uint8_t *message;         /* the serialized request, without the 5-byte prefix */
  size_t message_len;
  int64_t timeout_ms;             /* sent as grpc-timeout when > 0 */
  size_t max_response;            /* largest response message accepted (0: 4 MiB) */
  mk_frame_message_cb on_message; /* server streaming: called per message; NULL: unary, kept in the call */
  void *user;
} mk_h2_request;

/* The outcome of a call: a gRPC code (grpc_status.h) and a one-line message. */
typedef struct mk_h2_status {
  int code;
  char message[512];
  int http_status; /* 0 when no response headers arrived */
} mk_h2_status;

/* Error codes of the functions below. */
enum {
  MK_H2_OK = 0,
  MK_H2_ERR_NOMEM = -1,    /* allocation failed */
  MK_H2_ERR_PROTOCOL = -2, /* the peer broke HTTP/2; see mk_h2_client_error() */
  MK_H2_ERR_CLOSED = -3,   /* the connection is finished (GOAWAY, lost or failed): open a new one */
  MK_H2_ERR_INVALID = -4   /* bad argument */
};

/** Creates a client session for authority ("host:port") and scheme ("http" or "https") and queues the
 *  connection preface and SETTINGS. Returns NULL when out of memory. */
mk_h2_client *mk_h2_client_new(const char *authority, const char *scheme, const char *user_agent);

/** Frees the session and every call still attached. */
void mk_h2_client_free(mk_h2_client *c);

/** Starts a call; *out stays owned by the client until mk_h2_call_release(). Returns MK_H2_OK,
 *  MK_H2_ERR_NOMEM, MK_H2_ERR_CLOSED or MK_H2_ERR_INVALID. */
int mk_h2_client_start(mk_h2_client *c, const mk_h2_request *req, mk_h2_call **out);

/** Feeds bytes received from the peer. Returns MK_H2_OK or MK_H2_ERR_PROTOCOL (every open call is then
 *  done with INTERNAL: the response was malformed). */
int mk_h2_client_recv(mk_h2_client *c, const uint8_t *data, size_t len);

/** Hands out the next bytes to send (valid until the next call on c); 0 when there is nothing to send (call
 *  it until it returns 0: frames are reported sent on the following call),
 *  MK_H2_ERR_PROTOCOL or MK_H2_ERR_NOMEM on failure. */
ssize_t mk_h2_client_send(mk_h2_client *c, const uint8_t **data);

/** 1 when the session wants to read / to write. Neither: the connection may be closed. */
int mk_h2_client_want_read(const mk_h2_client *c);
int mk_h2_client_want_write(const mk_h2_client *c);

/** The connection is gone (EOF, reset, TLS error): every open call ends with code and message. */
void mk_h2_client_connection_lost(mk_h2_client *c, int code, const char *message);

/** 1 once the connection can carry no new call (GOAWAY received, lost, or a protocol error). */
int mk_h2_client_finished(const mk_h2_client *c);

/** The last protocol error, "" if none. */
const char *mk_h2_client_error(const mk_h2_client *c);

/** Ends a call locally (deadline, caller gave up): resets the stream and sets the outcome. */
void mk_h2_call_cancel(mk_h2_client *c, mk_h2_call *call, int code, const char *message);

/** 1 when the call has its outcome. */
int mk_h2_call_done(const mk_h2_call *call);

/** The outcome; meaningful once done. */
const mk_h2_status *mk_h2_call_status(const mk_h2_call *call);

/** The unary response message (NULL, 0 before it arrives or for streaming calls). */
const uint8_t *mk_h2_call_response(const mk_h2_call *call, size_t *len);

/** Detaches and frees a call, resetting its stream if it is still open. */
void mk_h2_call_release(mk_h2_client *c, mk_h2_call *call);

#endif
