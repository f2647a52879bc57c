/* Request encoding and response decoding for the RPCs the kiosk makes (protobuf-c), into and out of plain
 * C structs. Pure: no I/O. The RPC paths live here too. */
#ifndef MK_RPC_H
#define MK_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "motcua-kiosk.h"
#include "types.h"

#define MK_RPC_LIST_BRANCHES "/motcua.v1.DirectoryService/ListBranches"
#define MK_RPC_LIST_SERVICES "/motcua.v1.DirectoryService/ListServices"
#define MK_RPC_ISSUE_TICKET "/motcua.v1.KioskService/IssueTicket"
#define MK_RPC_LEASE_NUMBERS "/motcua.v1.KioskService/LeaseNumbers"
#define MK_RPC_CHECK_IN "/motcua.v1.KioskService/CheckIn"
#define MK_RPC_WATCH_BRANCH "/motcua.v1.DisplayService/WatchBranch"

/* Error codes of every function below. */
enum {
  MK_RPC_OK = 0,
  MK_RPC_ERR_NOMEM = -1,     /* allocation failed */
  MK_RPC_ERR_MALFORMED = -2, /* the bytes are not the expected message, or a required field is missing */
  MK_RPC_ERR_INVALID = -3    /* bad argument (e.g. a NULL string) */
};

/* What IssueTicket sends. offline is NULL for an online issue. */
typedef struct mk_rpc_issue {
  const char *branch_id;
  const char *service_id;
  int priority;
  const char *idempotency_key;
  const mk_offline_ticket *offline;
} mk_rpc_issue;

/** Each encoder returns a malloc'ed buffer (*len bytes; free it). Returns MK_RPC_OK, MK_RPC_ERR_NOMEM or
 *  MK_RPC_ERR_INVALID. */
int mk_rpc_encode_list_branches(uint8_t **buf, size_t *len);
int mk_rpc_encode_list_services(const char *branch_id, uint8_t **buf, size_t *len);
int mk_rpc_encode_issue(const mk_rpc_issue *in, uint8_t **buf, size_t *len);
int mk_rpc_encode_lease(const char *branch_id, const char *service_id, uint32_t count, const char *key,
                        uint8_t **buf, size_t *len);
int mk_rpc_encode_checkin(const char *branch_id, const char *code, uint8_t **buf, size_t *len);
int mk_rpc_encode_watch(const char *branch_id, uint64_t after_sequence, uint8_t **buf, size_t *len);

/** Finds branch_id's name in a ListBranchesResponse. Returns MK_RPC_OK (name empty if absent) or
 *  MK_RPC_ERR_MALFORMED. */
int mk_rpc_decode_branch_name(const uint8_t *msg, size_t len, const char *branch_id, char *name, size_t namelen);

/** Decodes a ListServicesResponse into a malloc'ed array. Returns MK_RPC_OK, MK_RPC_ERR_NOMEM or
 *  MK_RPC_ERR_MALFORMED. */
int mk_rpc_decode_services(const uint8_t *msg, size_t len, mk_service **list, size_t *count);

/** Decodes an IssueTicketResponse (ticket with id, number and tracking code required). Fills the ticket
 *  fields the server sends (not branch_name, tracking_url, offline, reprint), and the suggested branch
 *  (has_suggestion; a suggestion with neither branch id nor name is ignored). Returns MK_RPC_OK or
 *  MK_RPC_ERR_MALFORMED. */
int mk_rpc_decode_issue(const uint8_t *msg, size_t len, mk_ticket *out);

/** Decodes a CheckInResponse like mk_rpc_decode_issue, plus the booking (its start required) into
 *  appointment_start_ms and booking_code. Returns MK_RPC_OK or MK_RPC_ERR_MALFORMED. */
int mk_rpc_decode_checkin(const uint8_t *msg, size_t len, mk_ticket *out);

/** Decodes a LeaseNumbersResponse (lease id, date, prefix and a valid range required); next_sequence is set
 *  to first_sequence. Returns MK_RPC_OK or MK_RPC_ERR_MALFORMED. */
int mk_rpc_decode_lease(const uint8_t *msg, size_t len, mk_lease *out);

/** Applies one WatchBranchResponse to view (a snapshot replaces the queues; an event updates those it names).
 *  Returns MK_RPC_OK or MK_RPC_ERR_MALFORMED. */
int mk_rpc_apply_watch(const uint8_t *msg, size_t len, mk_branch_view *view);

#endif
