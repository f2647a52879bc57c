/* The ticket's preview as a 1-bit grayscale PNG (libpng). */
#ifndef MK_PNG_OUT_H
#define MK_PNG_OUT_H

#include <stddef.h>

#include "bitmap.h"

/* Error codes of mk_png_write(). */
enum { MK_PNG_OK = 0, MK_PNG_ERR_OPEN = -1 /* cannot create the file */, MK_PNG_ERR_WRITE = -2 /* libpng or disk */ };

/** Writes image to path (black dots black, the rest white). Returns MK_PNG_OK, MK_PNG_ERR_OPEN or
 *  MK_PNG_ERR_WRITE; err names the problem. */
int mk_png_write(const mk_bitmap *image, const char *path, char *err, size_t errlen);

#endif
