/* ESC/POS for 58/80 mm thermal printers: the ticket as one raster image (GS v 0), so Vietnamese text never
 * goes through a printer code page. Pure. */
#ifndef MK_ESCPOS_H
#define MK_ESCPOS_H

#include <stddef.h>
#include <stdint.h>

#include "bitmap.h"

/* Rows per GS v 0 command: some printers' buffers take no more. */
#define MK_ESCPOS_BAND_ROWS 256

/* Error codes of mk_escpos_encode(). */
enum { MK_ESCPOS_OK = 0, MK_ESCPOS_ERR_NOMEM = -1, MK_ESCPOS_ERR_INVALID = -2 /* empty or too wide */ };

/** ESC @, the image as GS v 0 bands, ESC d 4 (feed), GS V 66 0 (feed and cut), in a malloc'ed buffer.
 *  Returns MK_ESCPOS_OK, MK_ESCPOS_ERR_NOMEM or MK_ESCPOS_ERR_INVALID. */
int mk_escpos_encode(const mk_bitmap *image, uint8_t **out, size_t *len);

#endif
