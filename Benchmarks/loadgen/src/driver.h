/* The interface between the event loop (loop.c, the only code with sockets) and a mode (mode_*.c): the loop
 * owns connections and slots — a slot is one place for a call in flight — and asks the mode what each free slot
 * sends next; the mode owns the requests, its per-slot state and its figures. */
#ifndef LG_DRIVER_H
#define LG_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "h2_client.h"

/* How a call ended. */
typedef enum lg_end {
  LG_END_STATUS,    /* the server answered: status->code is its grpc-status (or the client core's verdict) */
  LG_END_TIMEOUT,   /* no answer within the call's timeout: cancelled, status DEADLINE_EXCEEDED */
  LG_END_TRANSPORT, /* the connection was lost or broke HTTP/2, or refused a new stream (GOAWAY) */
  LG_END_STOPPED    /* cancelled by the loop because the run stopped (driver's poll, or SIGINT/SIGTERM) */
} lg_end;

typedef struct lg_call_result {
  lg_end how;
  const mk_h2_status *status; /* code and one-line message */
  const uint8_t *response;    /* the unary response message, NULL when none */
  size_t response_len;
  int64_t latency_us; /* start (request queued) → outcome read; CLOCK_MONOTONIC */
  int64_t now_us;     /* when the outcome was read */
} lg_call_result;

typedef struct lg_driver {
  void *self;
  /** A free slot: fill *req (its memory must stay valid until this returns; the body and headers are copied)
   *  and return 1, or return 0 to park the slot for the rest of the run. */
  int (*next)(void *self, size_t slot, int64_t now_us, mk_h2_request *req);
  /** The slot's call ended. */
  void (*done)(void *self, size_t slot, const lg_call_result *r);
  /** Asked at every turn of the loop: 0 to go on, 1 to stop now (every call in flight is cancelled). */
  int (*poll)(void *self, int64_t now_us);
} lg_driver;

#endif
