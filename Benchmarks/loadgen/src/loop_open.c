/* Connecting (resolve, non-blocking connect with a timeout, one HTTP/2 session per connection), freeing,
 * signals and clocks. The calls themselves run in loop.c. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loop_internal.h"

#define USER_AGENT "motcua-loadgen/0.1"

volatile sig_atomic_t lg_loop_interrupted;

static void on_signal(int sig) {
  (void)sig;
  lg_loop_interrupted = 1;
}

void lg_loop_catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);
}

int64_t lg_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t lg_realtime_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- connecting ------------------------------------------------------------------------------------------ */

static int connect_one(const struct addrinfo *ai, int timeout_ms, int *fd_out, char *why, size_t whylen) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) {
    snprintf(why, whylen, "%s", strerror(errno));
    return errno == EMFILE || errno == ENFILE ? LG_LOOP_ERR_SYSTEM : LG_LOOP_ERR_CONNECT;
  }
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
    snprintf(why, whylen, "TCP_NODELAY: %s", strerror(errno));
    close(fd);
    return LG_LOOP_ERR_SYSTEM;
  }
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      snprintf(why, whylen, "%s", strerror(errno));
      close(fd);
      return LG_LOOP_ERR_CONNECT;
    }
    struct pollfd p = {fd, POLLOUT, 0};
    int pr;
    do pr = poll(&p, 1, timeout_ms);
    while (pr < 0 && errno == EINTR && !lg_loop_interrupted);
    if (pr <= 0) {
      if (pr == 0) snprintf(why, whylen, "no connection within %d ms", timeout_ms);
      else snprintf(why, whylen, "%s", strerror(errno));
      close(fd);
      return pr == 0 ? LG_LOOP_ERR_TIMEOUT : LG_LOOP_ERR_CONNECT;
    }
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) soerr = errno;
    if (soerr != 0) {
      snprintf(why, whylen, "%s", strerror(soerr));
      close(fd);
      return LG_LOOP_ERR_CONNECT;
    }
  }
  *fd_out = fd;
  return LG_LOOP_OK;
}

static int assign_slots(lg_loop *l) {
  for (size_t i = 0; i < l->n_conns; i++) {
    lg_conn *c = &l->conns[i];
    size_t n = l->n_slots / l->n_conns + (i < l->n_slots % l->n_conns);
    c->slots = calloc(n ? n : 1, sizeof(*c->slots));
    if (c->slots == NULL) return LG_LOOP_ERR_NOMEM;
  }
  for (size_t k = 0; k < l->n_slots; k++) {
    lg_conn *c = &l->conns[k % l->n_conns];
    c->slots[c->n_slots++] = k;
  }
  return LG_LOOP_OK;
}

int lg_loop_open(lg_loop **out, const char *host, const char *port, size_t connections, size_t slots,
                 int connect_timeout_ms, char *err, size_t errlen) {
  *out = NULL;
  if (connections == 0) connections = 1;
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int gai = getaddrinfo(host, port, &hints, &res);
  if (gai != 0) {
    snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(gai));
    return LG_LOOP_ERR_RESOLVE;
  }
  lg_loop *l = calloc(1, sizeof(*l));
  int rc = LG_LOOP_ERR_NOMEM;
  if (l == NULL) goto fail;
  l->ep = -1;
  l->conns = calloc(connections, sizeof(*l->conns));
  l->slots = calloc(slots ? slots : 1, sizeof(*l->slots));
  if (l->conns == NULL || l->slots == NULL) goto fail;
  l->n_conns = connections;
  l->n_slots = slots;
  for (size_t i = 0; i < connections; i++) l->conns[i].fd = -1;
  if ((rc = assign_slots(l)) != LG_LOOP_OK) goto fail;
  l->ep = epoll_create1(EPOLL_CLOEXEC);
  if (l->ep < 0) {
    snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
    rc = LG_LOOP_ERR_SYSTEM;
    goto fail;
  }
  char authority[300];
  snprintf(authority, sizeof(authority), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
  const struct addrinfo *use = NULL;
  char why[160] = "no address";
  for (size_t i = 0; i < connections; i++) {
    lg_conn *c = &l->conns[i];
    if (use == NULL) { /* the first connection tries each address; the others use the one that worked */
      for (const struct addrinfo *ai = res; ai && use == NULL; ai = ai->ai_next)
        if ((rc = connect_one(ai, connect_timeout_ms, &c->fd, why, sizeof(why))) == LG_LOOP_OK) use = ai;
    } else {
      rc = connect_one(use, connect_timeout_ms, &c->fd, why, sizeof(why));
    }
    if (c->fd < 0) {
      if (rc == LG_LOOP_OK) rc = LG_LOOP_ERR_CONNECT;
      snprintf(err, errlen, "cannot connect to %s (connection %zu of %zu): %s", authority, i + 1, connections, why);
      goto fail;
    }
    c->h2 = mk_h2_client_new(authority, "http", USER_AGENT);
    if (c->h2 == NULL) {
      rc = LG_LOOP_ERR_NOMEM;
      goto fail;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
      snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
      rc = LG_LOOP_ERR_SYSTEM;
      goto fail;
    }
  }
  freeaddrinfo(res);
  *out = l;
  return LG_LOOP_OK;
fail:
  if (rc == LG_LOOP_ERR_NOMEM) snprintf(err, errlen, "out of memory");
  freeaddrinfo(res);
  lg_loop_free(l);
  return rc;
}

void lg_loop_free(lg_loop *l) {
  if (l == NULL) return;
  for (size_t i = 0; l->conns && i < l->n_conns; i++) {
    lg_conn *c = &l->conns[i];
    mk_h2_client_free(c->h2); /* frees its calls too */
    if (c->fd >= 0) close(c->fd);
    free(c->out);
    free(c->slots);
  }
  if (l->ep >= 0) close(l->ep);
  free(l->conns);
  free(l->slots);
  free(l);
}

size_t lg_loop_slot_connection(const lg_loop *l, size_t slot) { return slot % l->n_conns; }

size_t lg_loop_live_connections(const lg_loop *l) {
  size_t n = 0;
  for (size_t i = 0; i < l->n_conns; i++) n += !l->conns[i].dead;
  return n;
}

