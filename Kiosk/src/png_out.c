#include "png_out.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mk_png_write(const mk_bitmap *image, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) {
    snprintf(err, errlen, "cannot write the preview %s: %s", path, strerror(errno));
    return MK_PNG_ERR_OPEN;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  uint8_t *row = malloc((size_t)image->stride);
  if (png == NULL || info == NULL || row == NULL) goto fail;
  if (setjmp(png_jmpbuf(png))) goto fail;
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)image->width, (png_uint_32)image->height, 1, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image->height; y++) {
    const uint8_t *src = image->bits + (size_t)y * (size_t)image->stride;
    for (int i = 0; i < image->stride; i++) row[i] = (uint8_t)~src[i]; /* PNG gray: 0 is black */
    png_write_row(png, row);
  }
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  free(row);
  if (fclose(f) != 0) {
    snprintf(err, errlen, "cannot write the preview %s: %s", path, strerror(errno));
    return MK_PNG_ERR_WRITE;
  }
  return MK_PNG_OK;
fail:
  if (png) png_destroy_write_struct(&png, info ? &info : NULL);
  free(row);
  fclose(f);
  snprintf(err, errlen, "cannot write the preview %s: PNG encoding failed", path);
  return MK_PNG_ERR_WRITE;
}
