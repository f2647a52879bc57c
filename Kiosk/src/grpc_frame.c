#include "grpc_frame.h"

#include <stdlib.h>
#include <string.h>

void mk_frame_header_encode(uint8_t out[MK_FRAME_HEADER_LEN], uint32_t len) {
  out[0] = 0;
  out[1] = (uint8_t)(len >> 24);
  out[2] = (uint8_t)(len >> 16);
  out[3] = (uint8_t)(len >> 8);
  out[4] = (uint8_t)len;
}

void mk_frame_decoder_init(mk_frame_decoder *d, size_t max_len) {
  memset(d, 0, sizeof(*d));
  d->max_len = max_len;
}

void mk_frame_decoder_free(mk_frame_decoder *d) {
  free(d->msg);
  d->msg = NULL;
  d->msg_len = d->msg_have = d->header_have = 0;
  d->in_body = 0;
}

static int deliver(mk_frame_decoder *d, const uint8_t *msg, size_t len, mk_frame_message_cb cb, void *user) {
  if (cb != NULL && cb(msg, len, user) != 0) {
    d->failed = MK_FRAME_ERR_CALLBACK;
    return MK_FRAME_ERR_CALLBACK;
  }
  return MK_FRAME_OK;
}

int mk_frame_decoder_feed(mk_frame_decoder *d, const uint8_t *data, size_t len, mk_frame_message_cb cb,
                          void *user) {
  if (d->failed) return d->failed;
  while (len > 0) {
    if (!d->in_body) {
      size_t take = MK_FRAME_HEADER_LEN - d->header_have;
      if (take > len) take = len;
      memcpy(d->header + d->header_have, data, take);
      d->header_have += take;
      data += take;
      len -= take;
      if (d->header_have < MK_FRAME_HEADER_LEN) break;
      if (d->header[0] != 0) return d->failed = MK_FRAME_ERR_COMPRESSED;
      size_t mlen = ((size_t)d->header[1] << 24) | ((size_t)d->header[2] << 16) | ((size_t)d->header[3] << 8) |
                    (size_t)d->header[4];
      if (mlen > d->max_len) return d->failed = MK_FRAME_ERR_TOO_LARGE;
      d->header_have = 0;
      if (mlen == 0) {
        int rc = deliver(d, (const uint8_t *)"", 0, cb, user);
        if (rc) return rc;
        continue;
      }
      if (len >= mlen) { /* the whole message is here: no copy */
        int rc = deliver(d, data, mlen, cb, user);
        if (rc) return rc;
        data += mlen;
        len -= mlen;
        continue;
      }
      d->msg = malloc(mlen);
      if (d->msg == NULL) return d->failed = MK_FRAME_ERR_NOMEM;
      d->msg_len = mlen;
      d->msg_have = 0;
      d->in_body = 1;
    }
    size_t take = d->msg_len - d->msg_have;
    if (take > len) take = len;
    memcpy(d->msg + d->msg_have, data, take);
    d->msg_have += take;
    data += take;
    len -= take;
    if (d->msg_have == d->msg_len) {
      int rc = deliver(d, d->msg, d->msg_len, cb, user);
      free(d->msg);
      d->msg = NULL;
      d->in_body = 0;
      d->msg_len = d->msg_have = 0;
      if (rc) return rc;
    }
  }
  return MK_FRAME_OK;
}

int mk_frame_decoder_idle(const mk_frame_decoder *d) { return !d->in_body && d->header_have == 0; }

const char *mk_frame_strerror(int code) {
  switch (code) {
  case MK_FRAME_OK: return "ok";
  case MK_FRAME_ERR_COMPRESSED: return "compressed message (compression was not negotiated)";
  case MK_FRAME_ERR_TOO_LARGE: return "message larger than the limit";
  case MK_FRAME_ERR_NOMEM: return "out of memory";
  case MK_FRAME_ERR_CALLBACK: return "message rejected";
  default: return "unknown framing error";
  }
}
