/* gRPC length-prefixed message framing: 1 byte compressed flag, 4 bytes big-endian length, the message.
 * Pure: no I/O, no allocation beyond the message being reassembled. */
#ifndef MK_GRPC_FRAME_H
#define MK_GRPC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define MK_FRAME_HEADER_LEN 5

/* Error codes returned by mk_frame_decoder_feed(). */
enum {
  MK_FRAME_OK = 0,
  MK_FRAME_ERR_COMPRESSED = -1, /* compressed flag set: we never ask for compression */
  MK_FRAME_ERR_TOO_LARGE = -2,  /* declared length above the decoder's limit */
  MK_FRAME_ERR_NOMEM = -3,      /* could not allocate the message buffer */
  MK_FRAME_ERR_CALLBACK = -4    /* the message callback returned non-zero */
};

/* Called once per complete message; msg is valid only during the call. Non-zero stops decoding. */
typedef int (*mk_frame_message_cb)(const uint8_t *msg, size_t len, void *user);

typedef struct mk_frame_decoder {
  uint8_t header[MK_FRAME_HEADER_LEN];
  size_t header_have;
  uint8_t *msg;
  size_t msg_len;
  size_t msg_have;
  size_t max_len;
  int in_body;
  int failed; /* sticky: once an error is returned every later feed returns it */
} mk_frame_decoder;

/** Writes the 5-byte prefix for an uncompressed message of len bytes. */
void mk_frame_header_encode(uint8_t out[MK_FRAME_HEADER_LEN], uint32_t len);

/** Prepares a decoder that refuses messages longer than max_len bytes. */
void mk_frame_decoder_init(mk_frame_decoder *d, size_t max_len);

/** Frees the partial message, if any. */
void mk_frame_decoder_free(mk_frame_decoder *d);

/** Feeds bytes (any split: inside the prefix, across messages); calls cb for each complete message.
 *  Returns MK_FRAME_OK, MK_FRAME_ERR_COMPRESSED, MK_FRAME_ERR_TOO_LARGE, MK_FRAME_ERR_NOMEM or
 *  MK_FRAME_ERR_CALLBACK. */
int mk_frame_decoder_feed(mk_frame_decoder *d, const uint8_t *data, size_t len, mk_frame_message_cb cb,
                          void *user);

/** 1 when no message is partly received (a stream that ends otherwise was truncated), else 0. */
int mk_frame_decoder_idle(const mk_frame_decoder *d);

/** A short English description of a MK_FRAME_* code. */
const char *mk_frame_strerror(int code);

#endif
