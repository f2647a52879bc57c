/* A minimal protobuf wire-format reader: walks the fields of one message without allocating, so the hot paths
 * (a CallNext answer, a display event received on a thousand streams) read the two or three fields they need
 * in well under a microsecond. Requests are encoded with protobuf-c (requests.c). Pure: no I/O. */
#ifndef LG_PBWIRE_H
#define LG_PBWIRE_H

#include <stddef.h>
#include <stdint.h>

enum { LG_PB_VARINT = 0, LG_PB_FIXED64 = 1, LG_PB_BYTES = 2, LG_PB_FIXED32 = 5 };

typedef struct lg_pb {
  const uint8_t *p;
  const uint8_t *end;
} lg_pb;

/* One field: its number and wire type; varint (also fixed32/fixed64 values) or data/len (length-delimited). */
typedef struct lg_pb_field {
  uint32_t number;
  int wire;
  uint64_t varint;
  const uint8_t *data;
  size_t len;
} lg_pb_field;

/** Starts reading the message msg[0..len). */
void lg_pb_init(lg_pb *r, const uint8_t *msg, size_t len);

/** Reads the next field. Returns 1 (a field in *f), 0 (end of the message) or -1 (malformed: truncated,
 *  an overlong varint, field number 0, or a group wire type). */
int lg_pb_next(lg_pb *r, lg_pb_field *f);

#endif
