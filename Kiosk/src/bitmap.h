/* A 1-bit image: rows of (width + 7) / 8 bytes, most significant bit first, 1 = black (printed dot),
 * which is the GS v 0 raster layout. Pure. */
#ifndef MK_BITMAP_H
#define MK_BITMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct mk_bitmap {
  int width;
  int height;
  int stride; /* bytes per row */
  uint8_t *bits;
} mk_bitmap;

/** Allocates a white width × height image. Returns 0, or -1 when out of memory or the size is invalid. */
int mk_bitmap_init(mk_bitmap *b, int width, int height);

void mk_bitmap_free(mk_bitmap *b);

/** Sets a pixel (ink 1 = black, 0 = white); outside the image: ignored. */
void mk_bitmap_set(mk_bitmap *b, int x, int y, int ink);

/** 1 when the pixel is black; 0 outside the image. */
int mk_bitmap_get(const mk_bitmap *b, int x, int y);

/** Fills a rectangle (clipped) with ink. */
void mk_bitmap_fill(mk_bitmap *b, int x, int y, int w, int h, int ink);

/** Keeps only the first height rows. */
void mk_bitmap_crop(mk_bitmap *b, int height);

#endif
