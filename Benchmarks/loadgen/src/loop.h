/* The event loop, the only code with sockets (loop_open.c connects, loop.c runs the calls). One thread,
 * non-blocking TCP (h2c with prior knowledge), epoll; C connections, each an mk_h2_client
 * (Kiosk/src/h2_client.c) fed and drained here; S slots spread round robin over the connections. A driver
 * (driver.h) decides what each slot sends. */
#ifndef LG_LOOP_H
#define LG_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"

typedef struct lg_loop lg_loop;

/* Return codes. */
enum {
  LG_LOOP_OK = 0,
  LG_LOOP_ERR_RESOLVE = -1,     /* the host does not resolve */
  LG_LOOP_ERR_CONNECT = -2,     /* refused or unreachable */
  LG_LOOP_ERR_TIMEOUT = -3,     /* no connection within the connect timeout */
  LG_LOOP_ERR_NOMEM = -4,       /* allocation failed */
  LG_LOOP_ERR_LOST = -5,        /* every connection was lost during the run */
  LG_LOOP_ERR_SYSTEM = -6,      /* epoll or another system call failed */
  LG_LOOP_INTERRUPTED = -7      /* SIGINT or SIGTERM: calls in flight were cancelled */
};

/** Resolves host:port and opens `connections` TCP connections (each within connect_timeout_ms), each with its
 *  HTTP/2 session, for `slots` slots. Returns LG_LOOP_OK, LG_LOOP_ERR_RESOLVE, LG_LOOP_ERR_CONNECT,
 *  LG_LOOP_ERR_TIMEOUT, LG_LOOP_ERR_NOMEM or LG_LOOP_ERR_SYSTEM, with a one-line reason in err. */
int lg_loop_open(lg_loop **out, const char *host, const char *port, size_t connections, size_t slots,
                 int connect_timeout_ms, char *err, size_t errlen);

/** Runs a driver until every slot is parked and idle, or the driver's poll says stop. A run can follow another
 *  on the same connections. A unary call (no on_message) with timeout_ms > 0 is also cancelled locally 50 ms
 *  after its timeout. A lost connection parks its slots; err then says why even when others go on.
 *  Returns LG_LOOP_OK, LG_LOOP_ERR_LOST (no connection left), LG_LOOP_ERR_NOMEM, LG_LOOP_ERR_SYSTEM or
 *  LG_LOOP_INTERRUPTED. */
int lg_loop_run(lg_loop *l, const lg_driver *d, char *err, size_t errlen);

/** The connection a slot uses. */
size_t lg_loop_slot_connection(const lg_loop *l, size_t slot);

/** Connections still usable. */
size_t lg_loop_live_connections(const lg_loop *l);

/** Closes every connection and frees the loop. */
void lg_loop_free(lg_loop *l);

/** Makes SIGINT and SIGTERM end lg_loop_run() with LG_LOOP_INTERRUPTED (and SIGPIPE harmless). */
void lg_loop_catch_signals(void);

/** Microseconds on CLOCK_MONOTONIC (latencies) and on CLOCK_REALTIME (server time stamps). */
int64_t lg_now_us(void);
int64_t lg_realtime_us(void);

#endif
