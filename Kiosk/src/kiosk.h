/* The library API's implementation; the API itself is include/motcua-kiosk.h. This header exposes the
 * pieces the tests check directly. */
#ifndef MK_KIOSK_H
#define MK_KIOSK_H

#include "h2_client.h"
#include "motcua-kiosk.h"

/** The mk_err for a finished call's status, with a one-line message naming the RPC and the problem. */
int mk_kiosk_map_status(const mk_h2_status *st, const char *rpc, char *msg, size_t msglen);

#endif
