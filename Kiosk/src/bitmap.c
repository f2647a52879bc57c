#include "bitmap.h"

#include <stdlib.h>
#include <string.h>

int mk_bitmap_init(mk_bitmap *b, int width, int height) {
  memset(b, 0, sizeof(*b));
  if (width <= 0 || height <= 0 || width > 4096 || height > 20000) return -1;
  b->stride = (width + 7) / 8;
  b->bits = calloc((size_t)b->stride * (size_t)height, 1);
  if (b->bits == NULL) return -1;
  b->width = width;
  b->height = height;
  return 0;
}

void mk_bitmap_free(mk_bitmap *b) {
  free(b->bits);
  memset(b, 0, sizeof(*b));
}

void mk_bitmap_set(mk_bitmap *b, int x, int y, int ink) {
  if (x < 0 || y < 0 || x >= b->width || y >= b->height) return;
  uint8_t *p = &b->bits[(size_t)y * (size_t)b->stride + (size_t)(x >> 3)];
  uint8_t mask = (uint8_t)(0x80 >> (x & 7));
  if (ink) *p |= mask;
  else *p &= (uint8_t)~mask;
}

int mk_bitmap_get(const mk_bitmap *b, int x, int y) {
  if (x < 0 || y < 0 || x >= b->width || y >= b->height) return 0;
  return (b->bits[(size_t)y * (size_t)b->stride + (size_t)(x >> 3)] >> (7 - (x & 7))) & 1;
}

void mk_bitmap_fill(mk_bitmap *b, int x, int y, int w, int h, int ink) {
  for (int yy = y; yy < y + h; yy++)
    for (int xx = x; xx < x + w; xx++) mk_bitmap_set(b, xx, yy, ink);
}

void mk_bitmap_crop(mk_bitmap *b, int height) {
  if (height > 0 && height < b->height) b->height = height;
}
