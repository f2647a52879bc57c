#include "responses.h"

#include <string.h>

#include "pbwire.h"

static int read_ticket(const uint8_t *msg, size_t len, lg_ticket_view *t) {
  lg_pb r;
  lg_pb_field f;
  int rc;
  lg_pb_init(&r, msg, len);
  while ((rc = lg_pb_next(&r, &f)) == 1) {
    if (f.wire != LG_PB_BYTES) continue;
    lg_bytes b = {f.data, f.len};
    switch (f.number) {
    case 1: t->ticket_id = b; break;
    case 2: t->number = b; break;
    case 3: t->branch_id = b; break;
    case 4: t->service_id = b; break;
    case 10: t->tracking_code = b; break;
    default: break;
    }
  }
  return rc < 0 ? LG_RESP_ERR_MALFORMED : 0;
}

int lg_resp_ticket(const uint8_t *msg, size_t len, lg_ticket_view *t, int *replayed) {
  memset(t, 0, sizeof(*t));
  if (replayed) *replayed = 0;
  lg_pb r;
  lg_pb_field f;
  int rc, found = 0;
  lg_pb_init(&r, msg, len);
  while ((rc = lg_pb_next(&r, &f)) == 1) {
    if (f.number == 1 && f.wire == LG_PB_BYTES) {
      if (read_ticket(f.data, f.len, t) != 0) return LG_RESP_ERR_MALFORMED;
      found = t->ticket_id.len > 0;
    } else if (f.number == 2 && f.wire == LG_PB_VARINT && replayed) {
      *replayed = f.varint != 0;
    }
  }
  if (rc < 0) return LG_RESP_ERR_MALFORMED;
  return found;
}

static int read_timestamp(const uint8_t *msg, size_t len, int64_t *us) {
  lg_pb r;
  lg_pb_field f;
  int rc;
  int64_t seconds = 0, nanos = 0;
  lg_pb_init(&r, msg, len);
  while ((rc = lg_pb_next(&r, &f)) == 1) {
    if (f.wire != LG_PB_VARINT) continue;
    if (f.number == 1) seconds = (int64_t)f.varint;
    else if (f.number == 2) nanos = (int32_t)(uint32_t)f.varint;
  }
  if (rc < 0) return LG_RESP_ERR_MALFORMED;
  *us = seconds * 1000000 + nanos / 1000;
  return 0;
}

/* Snapshot: sequence 2, at 6. Event: sequence 1, kind 3, at 4. */
static int read_payload(const uint8_t *msg, size_t len, lg_watch_view *w) {
  uint32_t seq_field = w->payload == LG_WATCH_SNAPSHOT ? 2 : 1;
  uint32_t at_field = w->payload == LG_WATCH_SNAPSHOT ? 6 : 4;
  lg_pb r;
  lg_pb_field f;
  int rc;
  lg_pb_init(&r, msg, len);
  while ((rc = lg_pb_next(&r, &f)) == 1) {
    if (f.number == seq_field && f.wire == LG_PB_VARINT) {
      w->sequence = f.varint;
    } else if (f.number == at_field && f.wire == LG_PB_BYTES) {
      if (read_timestamp(f.data, f.len, &w->at_us) != 0) return LG_RESP_ERR_MALFORMED;
      w->has_at = 1;
    } else if (w->payload == LG_WATCH_EVENT && f.number == 3 && f.wire == LG_PB_VARINT) {
      w->event_kind = (int)f.varint;
    }
  }
  return rc < 0 ? LG_RESP_ERR_MALFORMED : 0;
}

int lg_resp_watch(const uint8_t *msg, size_t len, lg_watch_view *w) {
  memset(w, 0, sizeof(*w));
  lg_pb r;
  lg_pb_field f;
  int rc;
  lg_pb_init(&r, msg, len);
  while ((rc = lg_pb_next(&r, &f)) == 1) {
    if ((f.number == 1 || f.number == 2) && f.wire == LG_PB_BYTES) {
      memset(w, 0, sizeof(*w)); /* oneof: the last one wins */
      w->payload = f.number == 1 ? LG_WATCH_SNAPSHOT : LG_WATCH_EVENT;
      if (read_payload(f.data, f.len, w) != 0) return LG_RESP_ERR_MALFORMED;
    }
  }
  return rc < 0 ? LG_RESP_ERR_MALFORMED : 0;
}

char *lg_bytes_copy(lg_bytes b, char *out, size_t outlen) {
  if (outlen == 0) return out;
  size_t n = b.len < outlen - 1 ? b.len : outlen - 1;
  if (n) memcpy(out, b.data, n);
  out[n] = '\0';
  return out;
}
