#include "pbwire.h"

void lg_pb_init(lg_pb *r, const uint8_t *msg, size_t len) {
  r->p = msg;
  r->end = msg + len;
}

static int read_varint(lg_pb *r, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->p == r->end) return -1;
    uint8_t b = *r->p++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      return 0;
    }
  }
  return -1;
}

static int read_fixed(lg_pb *r, size_t n, uint64_t *out) {
  if ((size_t)(r->end - r->p) < n) return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  *out = v;
  return 0;
}

int lg_pb_next(lg_pb *r, lg_pb_field *f) {
  if (r->p == r->end) return 0;
  uint64_t key;
  if (read_varint(r, &key) != 0) return -1;
  if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff) return -1;
  f->number = (uint32_t)(key >> 3);
  f->wire = (int)(key & 7);
  f->varint = 0;
  f->data = NULL;
  f->len = 0;
  switch (f->wire) {
  case LG_PB_VARINT: return read_varint(r, &f->varint) == 0 ? 1 : -1;
  case LG_PB_FIXED64: return read_fixed(r, 8, &f->varint) == 0 ? 1 : -1;
  case LG_PB_FIXED32: return read_fixed(r, 4, &f->varint) == 0 ? 1 : -1;
  case LG_PB_BYTES: {
    uint64_t n;
    if (read_varint(r, &n) != 0 || n > (uint64_t)(r->end - r->p)) return -1;
    f->data = r->p;
    f->len = (size_t)n;
    r->p += n;
    return 1;
  }
  default: return -1; /* groups (3, 4) and reserved types */
  }
}
