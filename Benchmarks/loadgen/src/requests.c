#include "requests.h"

#include "motcua/v1/counter.pb-c.h"
#include "motcua/v1/display.pb-c.h"
#include "motcua/v1/kiosk.pb-c.h"

static int pack(const ProtobufCMessage *m, uint8_t *out, size_t cap, size_t *len) {
  if (protobuf_c_message_get_packed_size(m) > cap) return LG_REQ_ERR_TOO_LARGE;
  *len = protobuf_c_message_pack(m, out);
  return LG_REQ_OK;
}

int lg_req_predict(const char *branch, const char *service, uint8_t *out, size_t cap, size_t *len) {
  if (branch == NULL || service == NULL) return LG_REQ_ERR_INVALID;
  Motcua__V1__PredictWaitRequest req = MOTCUA__V1__PREDICT_WAIT_REQUEST__INIT;
  req.branch_id = (char *)branch;
  req.service_id = (char *)service;
  return pack(&req.base, out, cap, len);
}

int lg_req_issue(const char *branch, const char *service, const char *key, uint8_t *out, size_t cap, size_t *len) {
  if (branch == NULL || service == NULL || key == NULL) return LG_REQ_ERR_INVALID;
  Motcua__V1__IssueTicketRequest req = MOTCUA__V1__ISSUE_TICKET_REQUEST__INIT;
  req.branch_id = (char *)branch;
  req.service_id = (char *)service;
  req.idempotency_key = (char *)key;
  return pack(&req.base, out, cap, len);
}

int lg_req_open_counter(const char *counter, const char *service, uint8_t *out, size_t cap, size_t *len) {
  if (counter == NULL) return LG_REQ_ERR_INVALID;
  Motcua__V1__OpenCounterRequest req = MOTCUA__V1__OPEN_COUNTER_REQUEST__INIT;
  char *services[1] = {(char *)service};
  req.counter_id = (char *)counter;
  if (service) {
    req.n_service_ids = 1;
    req.service_ids = services;
  }
  return pack(&req.base, out, cap, len);
}

int lg_req_call_next(const char *counter, uint8_t *out, size_t cap, size_t *len) {
  if (counter == NULL) return LG_REQ_ERR_INVALID;
  Motcua__V1__CallNextRequest req = MOTCUA__V1__CALL_NEXT_REQUEST__INIT;
  req.counter_id = (char *)counter;
  return pack(&req.base, out, cap, len);
}

int lg_req_complete(const char *ticket_id, const char *counter, uint8_t *out, size_t cap, size_t *len) {
  if (ticket_id == NULL || counter == NULL) return LG_REQ_ERR_INVALID;
  Motcua__V1__CompleteRequest req = MOTCUA__V1__COMPLETE_REQUEST__INIT;
  req.ticket_id = (char *)ticket_id;
  req.counter_id = (char *)counter;
  return pack(&req.base, out, cap, len);
}

int lg_req_watch(const char *branch, uint64_t after_sequence, uint8_t *out, size_t cap, size_t *len) {
  if (branch == NULL) return LG_REQ_ERR_INVALID;
  Motcua__V1__WatchBranchRequest req = MOTCUA__V1__WATCH_BRANCH_REQUEST__INIT;
  req.branch_id = (char *)branch;
  req.after_sequence = after_sequence;
  return pack(&req.base, out, cap, len);
}
