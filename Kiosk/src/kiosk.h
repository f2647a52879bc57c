/* The library API's implementation; the API itself is include/motcua-kiosk.h. This header exposes the
 * pieces the tests check directly. */
#ifndef MK_KIOSK_H
#define MK_KIOSK_H

#include "h2_client.h"
#include "motcua-kiosk.h"

/** The mk_err for a finished call's status, with a one-line message naming the RPC and the problem. */
int mk_kiosk_map_status(const mk_h2_status *st, const char *rpc, char *msg, size_t msglen);

/** CheckIn's one-line message: rc and st are a failed call's mk_err and status, msg holds the generic message on
 *  entry and the check-in message on return (too early: when check-in opens; too late: take a walk-in ticket;
 *  another branch: which one, by other_branch_name if known; unreachable: see staff). Returns the mk_err to
 *  report: MK_ERR_SEE_STAFF for MK_ERR_UNAVAILABLE and MK_ERR_TIMEOUT, rc otherwise. */
int mk_kiosk_checkin_explain(int rc, const mk_h2_status *st, const char *code, const char *other_branch_name,
                             char *msg, size_t msglen);

/** The branch id in a CheckIn refusal "booking … is at branch 'ID', not here…". Returns 1 if found. */
int mk_kiosk_checkin_other_branch(const char *server_message, char *branch, size_t branchlen);

#endif
