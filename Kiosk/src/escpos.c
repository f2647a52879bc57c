#include "escpos.h"

#include <stdlib.h>
#include <string.h>

int mk_escpos_encode(const mk_bitmap *image, uint8_t **out, size_t *len) {
  *out = NULL;
  *len = 0;
  if (image == NULL || image->bits == NULL || image->height <= 0 || image->stride > 0xffff) return MK_ESCPOS_ERR_INVALID;
  size_t bands = ((size_t)image->height + MK_ESCPOS_BAND_ROWS - 1) / MK_ESCPOS_BAND_ROWS;
  size_t cap = 2 + bands * 8 + (size_t)image->stride * (size_t)image->height + 3 + 4;
  uint8_t *p = malloc(cap);
  if (p == NULL) return MK_ESCPOS_ERR_NOMEM;
  size_t n = 0;
  p[n++] = 0x1b; /* ESC @: initialise */
  p[n++] = 0x40;
  for (int y = 0; y < image->height; y += MK_ESCPOS_BAND_ROWS) {
    int rows = image->height - y < MK_ESCPOS_BAND_ROWS ? image->height - y : MK_ESCPOS_BAND_ROWS;
    p[n++] = 0x1d; /* GS v 0 m=0 xL xH yL yH */
    p[n++] = 0x76;
    p[n++] = 0x30;
    p[n++] = 0x00;
    p[n++] = (uint8_t)(image->stride & 0xff);
    p[n++] = (uint8_t)(image->stride >> 8);
    p[n++] = (uint8_t)(rows & 0xff);
    p[n++] = (uint8_t)(rows >> 8);
    size_t bytes = (size_t)image->stride * (size_t)rows;
    memcpy(p + n, image->bits + (size_t)y * (size_t)image->stride, bytes);
    n += bytes;
  }
  p[n++] = 0x1b; /* ESC d 4: feed four lines */
  p[n++] = 0x64;
  p[n++] = 0x04;
  p[n++] = 0x1d; /* GS V 66 0: feed to the cutter and cut (partial) */
  p[n++] = 0x56;
  p[n++] = 0x42;
  p[n++] = 0x00;
  *out = p;
  *len = n;
  return MK_ESCPOS_OK;
}
