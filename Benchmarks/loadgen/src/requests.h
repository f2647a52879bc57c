/* The request messages the load generator sends, encoded with protobuf-c into a caller's buffer (no allocation
 * per call), and their method paths. Pure: no I/O. */
#ifndef LG_REQUESTS_H
#define LG_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#define LG_PATH_PREDICT "/motcua.v1.KioskService/PredictWait"
#define LG_PATH_ISSUE "/motcua.v1.KioskService/IssueTicket"
#define LG_PATH_OPEN_COUNTER "/motcua.v1.CounterService/OpenCounter"
#define LG_PATH_CALL_NEXT "/motcua.v1.CounterService/CallNext"
#define LG_PATH_COMPLETE "/motcua.v1.CounterService/Complete"
#define LG_PATH_WATCH "/motcua.v1.DisplayService/WatchBranch"

/* Enough for any request below with ids and keys of up to 128 characters. */
#define LG_REQ_MAX 1024

/* Return codes of the encoders. */
enum {
  LG_REQ_OK = 0,
  LG_REQ_ERR_TOO_LARGE = -1, /* the message does not fit in cap bytes */
  LG_REQ_ERR_INVALID = -2    /* a required argument is NULL */
};

/* Each encoder writes the serialized message (no gRPC prefix) to out[0..cap) and its length to *len.
 * Each returns LG_REQ_OK, LG_REQ_ERR_TOO_LARGE or LG_REQ_ERR_INVALID. */

/** PredictWaitRequest{branch_id, service_id}. */
int lg_req_predict(const char *branch, const char *service, uint8_t *out, size_t cap, size_t *len);

/** IssueTicketRequest{branch_id, service_id, idempotency_key}. */
int lg_req_issue(const char *branch, const char *service, const char *key, uint8_t *out, size_t cap, size_t *len);

/** OpenCounterRequest{counter_id, service_ids = [service] or [] when service is NULL}. */
int lg_req_open_counter(const char *counter, const char *service, uint8_t *out, size_t cap, size_t *len);

/** CallNextRequest{counter_id}. */
int lg_req_call_next(const char *counter, uint8_t *out, size_t cap, size_t *len);

/** CompleteRequest{ticket_id, counter_id}. */
int lg_req_complete(const char *ticket_id, const char *counter, uint8_t *out, size_t cap, size_t *len);

/** WatchBranchRequest{branch_id, after_sequence}. */
int lg_req_watch(const char *branch, uint64_t after_sequence, uint8_t *out, size_t cap, size_t *len);

#endif
