#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "grpc_status.h"

struct mk_net {
  int fd;
  SSL_CTX *ctx;
  SSL *ssl;
  BIO *rbio, *wbio; /* memory BIOs: OpenSSL never touches the socket */
  mk_h2_client *h2;
  uint8_t *out; /* bytes waiting for the socket (ciphertext with TLS) */
  size_t out_len, out_off, out_cap;
  int dead;
};

int64_t mk_net_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining(int64_t deadline) {
  int64_t left = deadline - mk_net_now_ms();
  if (left < 0) return 0;
  return left > 60000 ? 60000 : (int)left;
}

static int out_append(mk_net *n, const uint8_t *data, size_t len) {
  if (n->out_off == n->out_len) n->out_off = n->out_len = 0;
  if (n->out_len + len > n->out_cap) {
    if (n->out_off > 0) {
      memmove(n->out, n->out + n->out_off, n->out_len - n->out_off);
      n->out_len -= n->out_off;
      n->out_off = 0;
    }
    if (n->out_len + len > n->out_cap) {
      size_t cap = n->out_cap ? n->out_cap : 16384;
      while (cap < n->out_len + len) cap *= 2;
      uint8_t *p = realloc(n->out, cap);
      if (p == NULL) return -1;
      n->out = p;
      n->out_cap = cap;
    }
  }
  memcpy(n->out + n->out_len, data, len);
  n->out_len += len;
  return 0;
}

/* Moves ciphertext OpenSSL produced into the socket queue. */
static int drain_wbio(mk_net *n) {
  uint8_t buf[16384];
  int r;
  while (n->wbio && (r = BIO_read(n->wbio, buf, sizeof(buf))) > 0)
    if (out_append(n, buf, (size_t)r) != 0) return -1;
  return 0;
}

/* Writes queued bytes; returns 0 (all or would block) or an errno. */
static int flush_out(mk_net *n) {
  while (n->out_off < n->out_len) {
    ssize_t w = send(n->fd, n->out + n->out_off, n->out_len - n->out_off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      if (errno == EINTR) continue;
      return errno;
    }
    n->out_off += (size_t)w;
  }
  return 0;
}

static void set_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b, const char *c) {
  snprintf(err, errlen, fmt, a, b, c);
}

static const char *ssl_error_text(void) {
  unsigned long e = ERR_peek_last_error();
  static char buf[256];
  if (e == 0) return "handshake failed";
  ERR_error_string_n(e, buf, sizeof(buf));
  const char *reason = ERR_reason_error_string(e);
  return reason ? reason : buf;
}

static int tcp_connect(const mk_net_options *o, int64_t deadline, int *fd_out, char *err, size_t errlen) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int gai = getaddrinfo(o->host, o->port, &hints, &res);
  if (gai != 0) {
    set_err(err, errlen, "cannot resolve %s:%s: %s", o->host, o->port, gai_strerror(gai));
    return MK_NET_ERR_RESOLVE;
  }
  int rc = MK_NET_ERR_CONNECT, fd = -1;
  char why[128] = "no address";
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      snprintf(why, sizeof(why), "%s", strerror(errno));
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    if (errno == EINPROGRESS) {
      struct pollfd p = {fd, POLLOUT, 0};
      int pr;
      do pr = poll(&p, 1, remaining(deadline));
      while (pr < 0 && errno == EINTR);
      if (pr == 0) {
        snprintf(why, sizeof(why), "timed out after %d ms", o->connect_timeout_ms);
        rc = MK_NET_ERR_TIMEOUT;
        close(fd);
        fd = -1;
        continue;
      }
      int soerr = 0;
      socklen_t sl = sizeof(soerr);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
      if (pr > 0 && soerr == 0) break;
      snprintf(why, sizeof(why), "%s", strerror(soerr ? soerr : errno));
      rc = MK_NET_ERR_CONNECT;
    } else {
      snprintf(why, sizeof(why), "%s", strerror(errno));
      rc = MK_NET_ERR_CONNECT;
    }
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    set_err(err, errlen, "cannot connect to %s:%s: %s", o->host, o->port, why);
    return rc;
  }
  *fd_out = fd;
  return MK_NET_OK;
}

static int is_ip_literal(const char *host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static int tls_handshake(mk_net *n, const mk_net_options *o, int64_t deadline, char *err, size_t errlen) {
  n->ctx = SSL_CTX_new(TLS_client_method());
  if (n->ctx == NULL) return MK_NET_ERR_NOMEM;
  SSL_CTX_set_min_proto_version(n->ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(n->ctx, SSL_VERIFY_PEER, NULL);
  if (o->ca_file && o->ca_file[0]) {
    if (SSL_CTX_load_verify_locations(n->ctx, o->ca_file, NULL) != 1) {
      set_err(err, errlen, "cannot load CA file %s: %s%s", o->ca_file, ssl_error_text(), "");
      return MK_NET_ERR_CONFIG;
    }
  } else {
    SSL_CTX_set_default_verify_paths(n->ctx);
  }
  static const unsigned char alpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(n->ctx, alpn, sizeof(alpn));
  n->ssl = SSL_new(n->ctx);
  n->rbio = BIO_new(BIO_s_mem());
  n->wbio = BIO_new(BIO_s_mem());
  if (n->ssl == NULL || n->rbio == NULL || n->wbio == NULL) return MK_NET_ERR_NOMEM;
  SSL_set_bio(n->ssl, n->rbio, n->wbio); /* the SSL owns both from here */
  if (is_ip_literal(o->host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(n->ssl), o->host);
  } else {
    SSL_set_tlsext_host_name(n->ssl, o->host);
    SSL_set1_host(n->ssl, o->host);
  }
  SSL_set_connect_state(n->ssl);
  for (;;) {
    ERR_clear_error();
    int r = SSL_do_handshake(n->ssl);
    if (drain_wbio(n) != 0) return MK_NET_ERR_NOMEM;
    int werr;
    while (n->out_off < n->out_len) {
      if ((werr = flush_out(n)) != 0) {
        set_err(err, errlen, "TLS handshake with %s:%s failed: %s", o->host, o->port, strerror(werr));
        return MK_NET_ERR_CONNECT;
      }
      if (n->out_off < n->out_len) {
        struct pollfd p = {n->fd, POLLOUT, 0};
        if (poll(&p, 1, remaining(deadline)) == 0) goto timeout;
      }
    }
    if (r == 1) break;
    int e = SSL_get_error(n->ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      long vr = SSL_get_verify_result(n->ssl);
      if (vr != X509_V_OK)
        set_err(err, errlen, "TLS failure with %s:%s: certificate not trusted (%s)", o->host, o->port,
                X509_verify_cert_error_string(vr));
      else
        set_err(err, errlen, "TLS failure with %s:%s: %s", o->host, o->port, ssl_error_text());
      return MK_NET_ERR_TLS;
    }
    struct pollfd p = {n->fd, POLLIN, 0};
    int pr = poll(&p, 1, remaining(deadline));
    if (pr == 0) goto timeout;
    uint8_t buf[16384];
    ssize_t got = recv(n->fd, buf, sizeof(buf), 0);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
      set_err(err, errlen, "TLS failure with %s:%s: %s (is the server speaking TLS?)", o->host, o->port,
              got == 0 ? "connection closed during the handshake" : strerror(errno));
      return MK_NET_ERR_TLS;
    }
    if (got > 0) BIO_write(n->rbio, buf, (int)got);
  }
  const unsigned char *proto = NULL;
  unsigned int plen = 0;
  SSL_get0_alpn_selected(n->ssl, &proto, &plen);
  if (plen != 2 || memcmp(proto, "h2", 2) != 0) {
    set_err(err, errlen, "TLS failure with %s:%s: the server did not agree to HTTP/2 (ALPN h2)%s", o->host, o->port,
            "");
    return MK_NET_ERR_TLS;
  }
  return MK_NET_OK;
timeout:
  set_err(err, errlen, "TLS handshake with %s:%s timed out%s", o->host, o->port, "");
  return MK_NET_ERR_TIMEOUT;
}

int mk_net_connect(const mk_net_options *o, mk_net **out, char *err, size_t errlen) {
  *out = NULL;
  if (err && errlen) err[0] = '\0';
  mk_net *n = calloc(1, sizeof(*n));
  if (n == NULL) return MK_NET_ERR_NOMEM;
  n->fd = -1;
  int64_t deadline = mk_net_now_ms() + (o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 3000);
  int rc = tcp_connect(o, deadline, &n->fd, err, errlen);
  if (rc == MK_NET_OK && o->tls) rc = tls_handshake(n, o, deadline, err, errlen);
  if (rc == MK_NET_OK) {
    char authority[300];
    snprintf(authority, sizeof(authority), strchr(o->host, ':') ? "[%s]:%s" : "%s:%s", o->host, o->port);
    n->h2 = mk_h2_client_new(authority, o->tls ? "https" : "http", "motcua-kiosk/0.1");
    if (n->h2 == NULL) rc = MK_NET_ERR_NOMEM;
  }
  if (rc != MK_NET_OK) {
    if (rc == MK_NET_ERR_NOMEM) snprintf(err, errlen, "out of memory");
    mk_net_close(n);
    return rc;
  }
  *out = n;
  return MK_NET_OK;
}

mk_h2_client *mk_net_client(mk_net *n) { return n->h2; }

int mk_net_usable(const mk_net *n) { return n && !n->dead && !mk_h2_client_finished(n->h2); }

static void lose(mk_net *n, const char *what) {
  n->dead = 1;
  mk_h2_client_connection_lost(n->h2, MK_GRPC_UNAVAILABLE, what);
}

/* Moves the session's output to the socket queue (through TLS when on). */
static int produce(mk_net *n) {
  /* Until mk_h2_client_send() gives 0, not while want_write: nghttp2 reports a frame as sent (e.g. the GOAWAY
   * that ends a broken session) only on the call after the one that handed it out. */
  for (;;) {
    const uint8_t *data;
    ssize_t len = mk_h2_client_send(n->h2, &data);
    if (len < 0) return -1;
    if (len == 0) break;
    if (n->ssl) {
      if (SSL_write(n->ssl, data, (int)len) <= 0) return -1; /* memory BIO: never partial */
      if (drain_wbio(n) != 0) return -1;
    } else if (out_append(n, data, (size_t)len) != 0) {
      return -1;
    }
  }
  return 0;
}

/* Reads what the socket has; 0 on success, -1 when the connection ended (calls already failed). */
static int consume(mk_net *n) {
  uint8_t buf[16384];
  for (;;) {
    ssize_t got = recv(n->fd, buf, sizeof(buf), 0);
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      if (errno == EINTR) continue;
      char what[160];
      snprintf(what, sizeof(what), "connection to the server lost: %s", strerror(errno));
      lose(n, what);
      return -1;
    }
    if (got == 0) {
      lose(n, "connection closed by the server");
      return -1;
    }
    if (n->ssl == NULL) {
      if (mk_h2_client_recv(n->h2, buf, (size_t)got) != MK_H2_OK) {
        n->dead = 1;
        return -1;
      }
      continue;
    }
    BIO_write(n->rbio, buf, (int)got);
    for (;;) {
      uint8_t plain[16384];
      ERR_clear_error();
      int r = SSL_read(n->ssl, plain, sizeof(plain));
      if (r > 0) {
        if (mk_h2_client_recv(n->h2, plain, (size_t)r) != MK_H2_OK) {
          n->dead = 1;
          return -1;
        }
        continue;
      }
      int e = SSL_get_error(n->ssl, r);
      if (e == SSL_ERROR_WANT_READ) break;
      if (e == SSL_ERROR_ZERO_RETURN) {
        lose(n, "connection closed by the server");
        return -1;
      }
      char what[200];
      snprintf(what, sizeof(what), "TLS failure on the connection: %s", ssl_error_text());
      n->dead = 1;
      mk_h2_client_connection_lost(n->h2, MK_GRPC_UNAVAILABLE, what);
      return -1;
    }
    if (drain_wbio(n) != 0) return -1;
  }
}

void mk_net_wait(mk_net *n, mk_h2_call *call, int64_t deadline_ms) {
  if (n->dead) lose(n, "connection closed");
  while (!mk_h2_call_done(call)) {
    if (produce(n) != 0) {
      lose(n, "connection failed while sending");
      break;
    }
    int werr = flush_out(n);
    if (werr != 0) {
      char what[160];
      snprintf(what, sizeof(what), "connection to the server lost: %s", strerror(werr));
      lose(n, what);
      break;
    }
    if (mk_h2_call_done(call)) break;
    if (!mk_h2_client_want_read(n->h2) && !mk_h2_client_want_write(n->h2) && n->out_off == n->out_len) {
      lose(n, "connection closed by the server");
      break;
    }
    int wait = remaining(deadline_ms);
    if (wait == 0) {
      mk_h2_call_cancel(n->h2, call, MK_GRPC_DEADLINE_EXCEEDED, "no answer from the server before the deadline");
      produce(n);
      flush_out(n);
      break;
    }
    struct pollfd p = {n->fd, POLLIN, 0};
    if (n->out_off < n->out_len) p.events |= POLLOUT;
    int pr = poll(&p, 1, wait);
    if (pr < 0 && errno != EINTR) {
      lose(n, "poll failed");
      break;
    }
    if (pr > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      if (consume(n) != 0) break;
    }
  }
}

void mk_net_close(mk_net *n) {
  if (n == NULL) return;
  if (n->h2) mk_h2_client_free(n->h2);
  if (n->ssl) SSL_free(n->ssl); /* frees the BIOs */
  else {
    if (n->rbio) BIO_free(n->rbio);
    if (n->wbio) BIO_free(n->wbio);
  }
  if (n->ctx) SSL_CTX_free(n->ctx);
  if (n->fd >= 0) close(n->fd);
  free(n->out);
  free(n);
}
