/* The one module that owns sockets, poll() and OpenSSL: it connects (h2c or TLS with ALPN h2) and pumps bytes
 * between the socket and an mk_h2_client until a call is done or its deadline passes. */
#ifndef MK_NET_H
#define MK_NET_H

#include <stddef.h>
#include <stdint.h>

#include "h2_client.h"

typedef struct mk_net_options {
  const char *host;       /* name or IP literal */
  const char *port;       /* "50051" */
  int tls;                /* 0: h2c with prior knowledge; 1: TLS, ALPN h2, certificate verified */
  const char *ca_file;    /* PEM file of trusted CAs (NULL: the system's) */
  int connect_timeout_ms; /* TCP connect + TLS handshake */
} mk_net_options;

typedef struct mk_net mk_net;

/* Error codes of mk_net_connect(). */
enum {
  MK_NET_OK = 0,
  MK_NET_ERR_RESOLVE = -1, /* the host name does not resolve */
  MK_NET_ERR_CONNECT = -2, /* refused, unreachable, reset: the server cannot be reached */
  MK_NET_ERR_TIMEOUT = -3, /* no connection within connect_timeout_ms */
  MK_NET_ERR_TLS = -4,     /* handshake, certificate or ALPN failure */
  MK_NET_ERR_NOMEM = -5,   /* allocation failed */
  MK_NET_ERR_CONFIG = -6   /* unusable options (e.g. unreadable CA file) */
};

/** Connects and creates the HTTP/2 session; on failure writes a one-line reason to err.
 *  Returns MK_NET_OK or one of MK_NET_ERR_*. */
int mk_net_connect(const mk_net_options *o, mk_net **out, char *err, size_t errlen);

/** The HTTP/2 session of the connection (calls are started on it directly). */
mk_h2_client *mk_net_client(mk_net *n);

/** Sends and receives until call is done or deadline_ms (mk_net_now_ms() clock) passes; at the deadline the
 *  call is cancelled with DEADLINE_EXCEEDED. A lost connection ends every open call with UNAVAILABLE. */
void mk_net_wait(mk_net *n, mk_h2_call *call, int64_t deadline_ms);

/** 1 when the connection can still carry new calls. */
int mk_net_usable(const mk_net *n);

/** Closes the connection and frees everything, including the session's calls. */
void mk_net_close(mk_net *n);

/** Milliseconds on a monotonic clock. */
int64_t mk_net_now_ms(void);

#endif
