/* What the library's two halves share: kiosk.c (connection, calls, directory, printing, status, watch) and
 * kiosk_issue.c (issuing online and offline, leases, replay). Not installed. */
#ifndef MK_KIOSK_INTERNAL_H
#define MK_KIOSK_INTERNAL_H

#include <stdint.h>

#include "h2_client.h"
#include "journal.h"
#include "kiosk.h"
#include "net.h"

struct mk_kiosk {
  mk_config cfg;
  char host[256];
  char port[16];
  mk_journal *journal;
  mk_net *net;
  int replayed_once; /* the journal was replayed on this connection's first success */
  mk_h2_status last_status; /* the last unary call's status (its last attempt) */
  char error[600];
};

typedef struct mk_call_args {
  const char *path;
  const char *rpc; /* for messages */
  const uint8_t *req;
  size_t req_len;
  int auth;
  mk_frame_message_cb on_message; /* streaming */
  void *user;
  int64_t timeout_ms;  /* 0: the configured one */
  int send_timeout;    /* send grpc-timeout */
} mk_call_args;

/** Sets the one-line error and returns rc. */
int mk_kiosk_set_error(mk_kiosk *k, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Unix time in milliseconds. */
int64_t mk_kiosk_wall_ms(void);

/** MK_ERR_JOURNAL with the journal's message. */
int mk_kiosk_journal_error(mk_kiosk *k, const char *what);

/** MK_OK, or MK_ERR_CONFIG when no branch or token is configured. */
int mk_kiosk_need_token(mk_kiosk *k);

/** Connects if needed. Returns MK_OK, MK_ERR_UNAVAILABLE, MK_ERR_TLS, MK_ERR_CONFIG or MK_ERR_NOMEM (st says why). */
int mk_kiosk_ensure_connection(mk_kiosk *k, mk_h2_status *st);

/** A unary call; with retry, UNAVAILABLE is retried with the request (so its idempotency key) unchanged.
 *  Returns an mk_err; *resp (malloc'ed) on MK_OK. */
int mk_kiosk_unary(mk_kiosk *k, const mk_call_args *a, int retry, uint8_t **resp, size_t *resp_len);

/** The branch's name from the journal's cache, else (may_call) ListBranches; "" when unknown. */
void mk_kiosk_branch_name(mk_kiosk *k, int may_call, char *out, size_t outlen);

#endif
